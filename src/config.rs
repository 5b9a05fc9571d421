//! `ghl-migrate.yaml`: what the code cannot tell — names, boundaries, the location id, distribution — and
//! the team's standing choices for the gate. Found at the scanned root, else at the top of its git work tree;
//! `--config FILE` overrides. Read by `scan`, `plan` and `diff`; `ghl-migrate config check` validates it.
//!
//! ```yaml
//! tier: agency_pro            # starter | unlimited | agency_pro (what the account is on)
//! scan:
//!   exclude: ["legacy/**"]    # gitignore-style, added to --exclude and .ghl-migrateignore
//!   fail_on: [docs]           # contexts that also fail the gate (comment, docs, test, all)
//!   baseline: .ghl-migrate-baseline.json   # relative to this file
//! verify:
//!   max_time: 10m             # also timeout, scope_time, strict, allow_search_posts
//! integrations:
//!   - name: crm-sync
//!     paths: ["crm-sync/**"]  # globs relative to the scanned root; first match wins
//!     location_id: Xq7TnB2pLk9RvW4sYc1M
//!     distributed: false      # installed in other agencies' accounts → OAuth Marketplace app
//!     webhooks: false         # receives HighLevel webhooks → OAuth app
//! ```
use anyhow::{Result, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The names the file may have.
pub const NAMES: &[&str] = &["ghl-migrate.yaml", "ghl-migrate.yml"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub tier: Option<Tier>,
    #[serde(default)]
    pub integrations: Vec<IntegrationConfig>,
    #[serde(default)]
    pub scan: ScanConfig,
    #[serde(default)]
    pub verify: VerifyConfig,
}

/// `verify`'s standing settings (its flags override them).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyConfig {
    /// Per-request timeout (`15`, `2.5`, `500ms`).
    #[serde(default)]
    pub timeout: Option<String>,
    /// Bound for the whole run (`5m`).
    #[serde(default)]
    pub max_time: Option<String>,
    /// Bound for one scope's probe (`60s`).
    #[serde(default)]
    pub scope_time: Option<String>,
    #[serde(default)]
    pub strict: bool,
    #[serde(default)]
    pub allow_search_posts: bool,
}

/// The gate's standing settings (command-line flags add to or override them).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanConfig {
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub fail_on: Vec<String>,
    /// Relative to the config file's folder.
    #[serde(default)]
    pub baseline: Option<PathBuf>,
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

impl Config {
    /// Reads and validates one config file; errors carry `path:line:column`.
    pub fn read(path: &Path) -> Result<Config> {
        let text =
            crate::limits::read_small_file(path, crate::limits::MAX_DOC_BYTES, "config file")?;
        if let Some(why) = crate::limits::structure_refusal(&text, crate::limits::MAX_DOC_BYTES) {
            bail!("config file {} is {why}: not parsed", path.display());
        }
        let cfg: Config = serde_norway::from_str(&text).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!(":{}:{}", l.line(), l.column()))
                .unwrap_or_default();
            anyhow::anyhow!("{}{at}: {e}", path.display())
        })?;
        cfg.check(path)?;
        Ok(cfg)
    }

    /// What the types cannot say: globs that parse, known contexts.
    fn check(&self, path: &Path) -> Result<()> {
        let at = path.display();
        for i in &self.integrations {
            for g in &i.paths {
                globset::Glob::new(g).map_err(|e| {
                    anyhow::anyhow!("{at}: integration {:?}: path {g:?}: {e}", i.name)
                })?;
            }
        }
        let mut b = ignore::gitignore::GitignoreBuilder::new("/");
        for g in &self.scan.exclude {
            b.add_line(None, g)
                .map_err(|e| anyhow::anyhow!("{at}: scan.exclude {g:?}: {e}"))?;
        }
        crate::scan::gate::FailOn::parse(&self.scan.fail_on)
            .map_err(|e| anyhow::anyhow!("{at}: scan.{}", e.trim_start_matches("--")))?;
        let v = &self.verify;
        for (key, value) in [
            ("timeout", &v.timeout),
            ("max_time", &v.max_time),
            ("scope_time", &v.scope_time),
        ] {
            if let Some(d) = value {
                crate::verify::ratelimit::parse_duration(d)
                    .map_err(|e| anyhow::anyhow!("{at}: verify.{key} {d:?}: {e}"))?;
            }
        }
        Ok(())
    }

    /// The config for a scan of `paths`: `ghl-migrate.yaml` in the first path (or its folder), else at the
    /// top of its git work tree.
    pub fn find(paths: &[PathBuf]) -> Result<Option<(Config, PathBuf)>> {
        let Some(first) = paths.first() else {
            return Ok(None);
        };
        let dir = if first.is_dir() {
            first.clone()
        } else {
            first.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let top = dir.canonicalize().ok().and_then(|d| {
            d.ancestors()
                .find(|a| a.join(".git").exists())
                .map(Path::to_path_buf)
        });
        for d in std::iter::once(dir).chain(top) {
            for name in NAMES {
                let p = d.join(name);
                if p.is_file() {
                    return Ok(Some((Config::read(&p)?, p)));
                }
            }
        }
        Ok(None)
    }
}
