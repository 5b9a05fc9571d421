//! Reading HighLevel's answers (v2-auth.md §2). A 401 has at least five root causes, so the classifier
//! keys on the message first and uses the status only where the message says nothing.
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 2xx: authenticated, scope held, location accessible.
    Ok,
    /// 400/422 (or 404 on a made-up id): the request passed authentication and the scope gate.
    Reached,
    /// "Invalid JWT" / "Invalid Private Integration token" / "access token is invalid".
    InvalidCredential,
    /// "The token is not authorized for this scope." — the token itself is valid.
    MissingScope,
    /// "authClass type is not allowed" / "user type is not yet supported": Location vs Company token.
    WrongTokenClass,
    /// "not accessible from this token" / "does not have access to this location".
    WrongLocation,
    /// "version header was not found" / "is invalid": a bug in this tool, not the credential.
    VersionHeader,
    /// "You do not have access to this feature": the agency plan lacks advanced API access.
    PlanGated,
    /// 404 on a real resource (e.g. the location does not exist or the path is wrong).
    NotFound,
    /// 429.
    RateLimited,
    /// 5xx: inconclusive, never "valid" (some endpoints answer bad tokens with 500).
    ServerError,
    /// A 4xx whose message speaks of the token or authentication ("bad token", "unauthorized"): it proves
    /// neither that the credential authenticated nor that the scope is held.
    AuthMessage,
    /// Anything else: inconclusive.
    Unknown,
}

impl Outcome {
    /// The answer proves the credential authenticated.
    pub fn credential_valid(self) -> bool {
        matches!(
            self,
            Outcome::Ok
                | Outcome::Reached
                | Outcome::MissingScope
                | Outcome::WrongTokenClass
                | Outcome::WrongLocation
                | Outcome::PlanGated
        )
    }

    /// The answer proves the scope is held.
    pub fn scope_held(self) -> bool {
        matches!(self, Outcome::Ok | Outcome::Reached)
    }

    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Reached => "request reached the endpoint (validation answer): scope held",
            Outcome::InvalidCredential => "credential is invalid, expired or revoked",
            Outcome::MissingScope => "credential is valid but lacks this scope",
            Outcome::WrongTokenClass => {
                "wrong token class for this endpoint (Location vs Company token)"
            }
            Outcome::WrongLocation => "credential is for another location",
            Outcome::VersionHeader => "the Version header was rejected (a ghl-migrate bug)",
            Outcome::PlanGated => "feature not on this agency plan (needs Agency Pro)",
            Outcome::NotFound => "not found",
            Outcome::RateLimited => "rate limited (429)",
            Outcome::ServerError => "server error: inconclusive",
            Outcome::AuthMessage => {
                "a 4xx that speaks of the token or authentication: inconclusive, not proof of the scope"
            }
            Outcome::Unknown => "unexpected answer: inconclusive",
        }
    }
}

/// A classified answer with the server's own words (not yet scrubbed: callers scrub before showing).
#[derive(Debug, Clone, PartialEq)]
pub struct Classified {
    pub outcome: Outcome,
    pub status: u16,
    pub message: Option<String>,
    pub trace_id: Option<String>,
}

/// Classifies a response. `probe_id_in_path`: the path holds an id that cannot exist, so a plain 404 means
/// the request got past the scope gate.
pub fn classify(status: u16, body: &[u8], probe_id_in_path: bool) -> Classified {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let message = json.as_ref().and_then(message_of);
    let trace_id = json
        .as_ref()
        .and_then(|j| j.get("traceId"))
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let lower = message.as_deref().unwrap_or("").to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| lower.contains(n));
    let outcome = if (200..300).contains(&status) {
        Outcome::Ok
    } else if status == 429 {
        Outcome::RateLimited
    } else if has(&[
        "invalid jwt",
        "invalid private integration token",
        "access token is invalid",
        "jwt expired",
    ]) {
        Outcome::InvalidCredential
    } else if has(&["not authorized for this scope"]) {
        Outcome::MissingScope
    } else if has(&[
        "authclass type is not allowed",
        "user type is not yet supported",
    ]) {
        Outcome::WrongTokenClass
    } else if has(&[
        "not accessible from this token",
        "does not have access to this location",
    ]) {
        Outcome::WrongLocation
    } else if has(&["version header", "not available in api version"]) {
        Outcome::VersionHeader
    } else if has(&["do not have access to this feature"]) {
        Outcome::PlanGated
    } else if status >= 500 {
        Outcome::ServerError
    } else if (400..500).contains(&status) && speaks_of_auth(&lower) {
        Outcome::AuthMessage
    } else if status == 400 || status == 422 {
        Outcome::Reached
    } else if status == 404 {
        // "Cannot GET /x" is the router's answer for a path that does not exist: nothing was proven.
        if probe_id_in_path && !lower.starts_with("cannot ") {
            Outcome::Reached
        } else {
            Outcome::NotFound
        }
    } else {
        Outcome::Unknown
    };
    Classified {
        outcome,
        status,
        message,
        trace_id,
    }
}

/// An error message about the token or authentication rather than the request: such a 4xx never shows the
/// request got past the authentication and scope gates.
fn speaks_of_auth(lower: &str) -> bool {
    [
        "token",
        "auth",
        "credential",
        "jwt",
        "expired",
        "invalid key",
        "api key",
        "apikey",
        "bearer",
        "forbidden",
    ]
    .iter()
    .any(|n| lower.contains(n))
}

/// `message` (string or array of strings, joined), or V1's `msg`.
fn message_of(j: &serde_json::Value) -> Option<String> {
    let m = j.get("message").or_else(|| j.get("msg"))?;
    match m {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(a) => Some(
            a.iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| x.to_string())
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(status: u16, body: &str) -> Outcome {
        classify(status, body.as_bytes(), false).outcome
    }

    #[test]
    fn the_five_401s_are_told_apart() {
        assert_eq!(
            c(401, r#"{"statusCode":401,"message":"Invalid JWT"}"#),
            Outcome::InvalidCredential
        );
        assert_eq!(
            c(
                401,
                r#"{"statusCode":401,"message":"Invalid Private Integration token"}"#
            ),
            Outcome::InvalidCredential
        );
        assert_eq!(
            c(
                401,
                r#"{"statusCode":401,"message":"Invalid token: access token is invalid","error":"Unauthorized"}"#
            ),
            Outcome::InvalidCredential
        );
        assert_eq!(
            c(
                401,
                r#"{"statusCode":401,"message":"The token is not authorized for this scope."}"#
            ),
            Outcome::MissingScope
        );
        assert_eq!(
            c(
                401,
                r#"{"statusCode":401,"message":"This location is not accessible from this token!"}"#
            ),
            Outcome::WrongLocation
        );
        assert_eq!(
            c(
                403,
                r#"{"statusCode":403,"message":"The token does not have access to this location."}"#
            ),
            Outcome::WrongLocation
        );
        assert_eq!(
            c(
                401,
                r#"{"statusCode":401,"message":"version header was not found."}"#
            ),
            Outcome::VersionHeader
        );
        assert_eq!(
            c(
                401,
                r#"{"statusCode":401,"message":"version header is invalid"}"#
            ),
            Outcome::VersionHeader
        );
        assert_eq!(
            c(
                401,
                r#"{"status":401,"message":"You do not have access to this feature! Please contact the admin!","name":"HttpException","traceId":"t-1"}"#
            ),
            Outcome::PlanGated
        );
        assert_eq!(
            c(
                401,
                r#"{"message":"This authClass type is not allowed to access this scope"}"#
            ),
            Outcome::WrongTokenClass
        );
        assert_eq!(
            c(
                401,
                r#"{"message":"This token's user type is not yet supported!"}"#
            ),
            Outcome::WrongTokenClass
        );
        // A 401 with an unknown message is not "invalid": inconclusive.
        assert_eq!(c(401, r#"{"message":"something new"}"#), Outcome::Unknown);
        assert_eq!(c(401, "not json"), Outcome::Unknown);
    }

    #[test]
    fn other_statuses() {
        assert_eq!(c(200, "{}"), Outcome::Ok);
        assert_eq!(c(204, ""), Outcome::Ok);
        assert_eq!(
            c(
                422,
                r#"{"statusCode":422,"message":["calendarId must be a string"],"error":"Unprocessable Entity"}"#
            ),
            Outcome::Reached
        );
        assert_eq!(
            c(400, r#"{"statusCode":400,"message":"Bad Request"}"#),
            Outcome::Reached
        );
        assert_eq!(
            c(404, r#"{"message":"Location not found"}"#),
            Outcome::NotFound
        );
        assert_eq!(c(429, ""), Outcome::RateLimited);
        assert_eq!(
            c(
                500,
                r#"{"statusCode":500,"message":"Internal server error"}"#
            ),
            Outcome::ServerError
        );
        assert_eq!(c(503, ""), Outcome::ServerError);
        // The removed-in-v3 answer is a Version problem, not "scope held".
        assert_eq!(
            c(
                400,
                r#"{"message":"Endpoint /x not available in API version v3.","statusCode":400}"#
            ),
            Outcome::VersionHeader
        );
    }

    #[test]
    fn not_found_on_a_made_up_id_means_reached() {
        assert_eq!(
            classify(404, br#"{"message":"Action not found"}"#, true).outcome,
            Outcome::Reached
        );
        assert_eq!(
            classify(404, br#"{"message":"Cannot GET /voice-ai/x"}"#, true).outcome,
            Outcome::NotFound
        );
    }

    #[test]
    fn message_and_trace_id_are_kept() {
        let a = classify(
            401,
            br#"{"statusCode":401,"message":["a","b"],"traceId":"abc-123"}"#,
            false,
        );
        assert_eq!(a.message.as_deref(), Some("a; b"));
        assert_eq!(a.trace_id.as_deref(), Some("abc-123"));
        let v1 = classify(401, br#"{"msg":"Api key is invalid."}"#, false);
        assert_eq!(v1.message.as_deref(), Some("Api key is invalid."));
    }

    #[test]
    fn validity_and_scope_predicates() {
        assert!(Outcome::MissingScope.credential_valid());
        assert!(!Outcome::MissingScope.scope_held());
        assert!(!Outcome::ServerError.credential_valid());
        assert!(!Outcome::ServerError.scope_held());
        assert!(Outcome::Reached.scope_held());
    }
}
