//! Which V2 credential succeeds an integration's V1 key, and every reason why.
use super::config::Tier;
use serde::Serialize;

/// The credential kind to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuccessorKind {
    /// A sub-account Private Integration Token.
    Pit,
    /// An OAuth 2.0 Marketplace app installed with user type Location.
    OauthLocation,
    /// An OAuth 2.0 Marketplace app with user type Company (agency), minting location tokens as needed.
    OauthCompany,
}

#[derive(Debug, Clone, Serialize)]
pub struct Successor {
    pub kind: SuccessorKind,
    /// What to create, in words.
    pub summary: String,
    pub reasons: Vec<String>,
    /// Where the evidence conflicts or is missing: a human must decide.
    pub open_questions: Vec<String>,
    /// The agency must exchange its token for location tokens (`POST /oauth/locationToken`).
    pub location_token: bool,
    /// The plan tier this needs (`agency_pro` for OAuth and agency-level access).
    pub requires_tier: &'static str,
    /// Set when the declared tier cannot have this successor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier_warning: Option<String>,
    /// A cheaper alternative that also works, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternative: Option<String>,
}

/// Scopes an agency-level PIT can be given (HighLevel's agency PIT scope picker).
const AGENCY_PIT_SCOPES: &[&str] = &[
    "companies.readonly",
    "locations.write",
    "locations.readonly",
    "saas/company.read",
    "saas/company.write",
    "saas/location.read",
    "saas/location.write",
    "snapshots.readonly",
    "snapshots.write",
    "users.readonly",
    "users.write",
    "custom-menu-link.readonly",
    "custom-menu-link.write",
    "marketplace-installer-details.readonly",
    "twilioaccount.read",
    "phonenumbers.read",
    "numberpools.read",
];

/// The facts the decision rests on.
pub struct Evidence<'a> {
    /// Calls that only an agency token can make (`rule (path:line)`).
    pub agency_calls: Vec<&'a str>,
    /// Agency-level V1 endpoints this integration called with a location key, served by a location-level
    /// V2 route (`users.list → GET /users/`).
    pub location_routes: Vec<&'a str>,
    pub location_calls: usize,
    pub locations: Vec<String>,
    pub companies: Vec<String>,
    pub distributed: bool,
    pub webhooks: bool,
    pub scopes: &'a [String],
    pub tier: Option<Tier>,
    pub unknown_calls: usize,
}

pub fn decide(e: &Evidence) -> Successor {
    let mut reasons = Vec::new();
    let mut open = Vec::new();
    let mut location_token = false;
    let mut alternative = None;
    let kind = if !e.agency_calls.is_empty() {
        reasons.push(format!(
            "calls that only an Agency (Company) token can make, with no location-level V2 route: {}",
            list(&e.agency_calls)
        ));
        if e.location_calls > 0 {
            location_token = true;
            reasons.push(format!(
                "also makes {} sub-account call(s): exchange the agency token for a location token with POST /oauth/locationToken",
                e.location_calls
            ));
        } else if e
            .scopes
            .iter()
            .all(|s| AGENCY_PIT_SCOPES.contains(&s.as_str()))
        {
            alternative = Some(
                "an Agency-level Private Integration Token can be given every scope listed here; use it if this stays an internal script that needs no webhooks (agency-level access too: Agency Pro plan)"
                    .to_string(),
            );
        }
        SuccessorKind::OauthCompany
    } else if e.distributed {
        reasons.push("distributed to other accounts: that is what a Marketplace OAuth app is for (a PIT opens only the sub-account it was made in)".into());
        SuccessorKind::OauthLocation
    } else if e.webhooks {
        reasons.push(
            "receives HighLevel webhooks: only an OAuth Marketplace app can subscribe to them"
                .into(),
        );
        SuccessorKind::OauthLocation
    } else if e.locations.len() > 1 {
        reasons.push(format!(
            "reaches {} locations ({}): a PIT opens one sub-account, an OAuth app installed on each location (or an agency install with location tokens) serves them all",
            e.locations.len(),
            e.locations.join(", ")
        ));
        SuccessorKind::OauthLocation
    } else {
        reasons.push("one sub-account, internal use, no agency-level endpoints, webhooks or distribution: a Private Integration Token is the simplest successor".into());
        if e.locations.is_empty() {
            open.push("no key or setting names the location: set `location_id` for this integration in ghl-migrate.yaml (a PIT is opaque, verify needs it)".into());
        }
        SuccessorKind::Pit
    };
    if !e.location_routes.is_empty() && kind != SuccessorKind::OauthCompany {
        reasons.push(format!(
            "its V1 key is a location key, so its agency-level endpoints were location-scoped and keep a location-level V2 route: {}",
            list(&e.location_routes)
        ));
    }
    if e.distributed && kind != SuccessorKind::OauthLocation {
        reasons.push("distributed to other accounts: publish the app on the Marketplace".into());
    }
    if e.webhooks && kind == SuccessorKind::OauthCompany {
        reasons.push("receives webhooks: configure them on the app".into());
    }
    if e.companies.len() > 1 {
        open.push(format!("keys of {} different agencies ({}) are used here: one app per agency or one distributed app?", e.companies.len(), e.companies.join(", ")));
    }
    if e.unknown_calls > 0 {
        open.push(format!(
            "{} call(s) go to V1 endpoints the rule table does not know: their scopes are not in the list below",
            e.unknown_calls
        ));
    }
    let requires_tier = if kind == SuccessorKind::Pit {
        "any"
    } else {
        "agency_pro"
    };
    let tier_warning = match (e.tier, requires_tier) {
        (Some(t), "agency_pro") if t != Tier::AgencyPro => Some(format!(
            "the account is on {:?}: OAuth and agency-level API access need the Agency Pro plan",
            t
        )),
        _ => None,
    };
    let summary = match kind {
        SuccessorKind::Pit => match e.locations.first() {
            Some(l) => format!("Private Integration Token in sub-account {l}"),
            None => "Private Integration Token in the integration's sub-account".into(),
        },
        SuccessorKind::OauthLocation => "OAuth 2.0 Marketplace app, user type Location".into(),
        SuccessorKind::OauthCompany if location_token => {
            "OAuth 2.0 Marketplace app, user type Company (agency), with location tokens via /oauth/locationToken".into()
        }
        SuccessorKind::OauthCompany => "OAuth 2.0 Marketplace app, user type Company (agency)".into(),
    };
    Successor {
        kind,
        summary,
        reasons,
        open_questions: open,
        location_token,
        requires_tier,
        tier_warning,
        alternative,
    }
}

fn list(v: &[&str]) -> String {
    let mut v: Vec<&str> = v.to_vec();
    v.sort_unstable();
    v.dedup();
    v.join(", ")
}
