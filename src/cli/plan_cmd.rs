//! `ghl-migrate plan`.
use super::EXIT_OK;
use super::args::{Cli, PlanArgs, PlanFormat};
use crate::plan::{self, config::PlanConfig};
use anyhow::{Context, Result};
use std::io::Write;

pub fn run(cli: &Cli, a: &PlanArgs, out: &mut dyn Write) -> Result<i32> {
    let (report, rules) = super::scan_cmd::run_scan(cli, &a.walk, a.quiet)?;
    let root = a.walk.paths.first().filter(|p| p.is_dir()).cloned();
    let (cfg, cfg_path) = match &a.config {
        Some(p) => {
            let text =
                crate::limits::read_small_file(p, crate::limits::MAX_DOC_BYTES, "config file")?;
            let cfg: PlanConfig =
                crate::limits::parse_yaml(&text, &format!("config file {}", p.display()))?;
            (cfg, Some(p.display().to_string()))
        }
        None => match root.as_deref().map(PlanConfig::load).transpose()?.flatten() {
            Some((c, p)) => (c, Some(p)),
            None => (PlanConfig::default(), None),
        },
    };
    let now = a.as_of.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    });
    let plan = plan::build(&report, &rules, root.as_deref(), &cfg, cfg_path, now);
    let mut buf = Vec::new();
    match a.format {
        PlanFormat::Markdown => plan::write_markdown(&plan, &mut buf)?,
        PlanFormat::Json => {
            serde_json::to_writer_pretty(&mut buf, &plan)?;
            buf.push(b'\n');
        }
    }
    match &a.output {
        Some(p) => crate::redact::write_file(p, &buf)
            .with_context(|| format!("writing {}", p.display()))?,
        None => out.write_all(&buf)?,
    }
    Ok(EXIT_OK)
}
