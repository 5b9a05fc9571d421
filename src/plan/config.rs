//! `ghl-migrate.yaml`: what the code cannot tell — names, boundaries, the location id, distribution.
//!
//! ```yaml
//! tier: agency_pro            # starter | unlimited | agency_pro (what the account is on)
//! integrations:
//!   - name: crm-sync
//!     paths: ["crm-sync/**"]  # globs relative to the scanned root; first match wins
//!     location_id: Xq7TnB2pLk9RvW4sYc1M
//!     distributed: false      # installed in other agencies' accounts → OAuth Marketplace app
//!     webhooks: false         # receives HighLevel webhooks → OAuth app
//! ```
use anyhow::Result;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanConfig {
    #[serde(default)]
    pub tier: Option<Tier>,
    #[serde(default)]
    pub integrations: Vec<IntegrationConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationConfig {
    pub name: String,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub location_id: Option<String>,
    #[serde(default)]
    pub company_id: Option<String>,
    #[serde(default)]
    pub distributed: bool,
    #[serde(default)]
    pub webhooks: bool,
}

/// HighLevel plan tiers, as far as API access goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Starter,
    Unlimited,
    AgencyPro,
}

impl PlanConfig {
    /// Reads `ghl-migrate.yaml` (or `.yml`) from `dir`, if present.
    pub fn load(dir: &Path) -> Result<Option<(PlanConfig, String)>> {
        for name in ["ghl-migrate.yaml", "ghl-migrate.yml"] {
            let p = dir.join(name);
            if p.is_file() {
                let text = crate::limits::read_small_file(
                    &p,
                    crate::limits::MAX_DOC_BYTES,
                    "config file",
                )?;
                if let Some(why) =
                    crate::limits::structure_refusal(&text, crate::limits::MAX_DOC_BYTES)
                {
                    anyhow::bail!("config file {} is {why}: not parsed", p.display());
                }
                let cfg: PlanConfig = serde_norway::from_str(&text).map_err(|e| {
                    let at = e
                        .location()
                        .map(|l| format!(":{}:{}", l.line(), l.column()))
                        .unwrap_or_default();
                    anyhow::anyhow!("{}{at}: {e}", p.display())
                })?;
                return Ok(Some((cfg, p.display().to_string())));
            }
        }
        Ok(None)
    }
}
