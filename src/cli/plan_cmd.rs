//! `ghl-migrate plan`.
use super::EXIT_OK;
use super::args::{Cli, PlanArgs, PlanFormat};
use crate::plan;
use anyhow::Result;
use std::io::Write;

pub fn run(cli: &Cli, a: &PlanArgs, out: &mut dyn Write) -> Result<i32> {
    let (report, rules, found, scan_root) = if a.from.is_empty() {
        let (report, rules, found) = super::scan_cmd::run_scan(cli, &a.walk, a.quiet)?;
        let root = a.walk.paths.first().filter(|p| p.is_dir()).cloned();
        (report, rules, found, root)
    } else {
        // Saved reports: no tree here to look at; the settings are those of the current folder.
        let report = crate::reports::read_all(&a.from, crate::scan::tool_name())?;
        let rules = super::rules_cmd::load(cli)?;
        let found = super::scan_cmd::settings(cli, &[std::path::PathBuf::from(".")])?;
        (report, rules, found, None)
    };
    let here = plan::Invocation {
        scan_root,
        plan_file: a.output.clone(),
    };
    let (cfg, cfg_path) = (found.config, found.path.map(|p| p.display().to_string()));
    let now = a.as_of.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    });
    let plan = plan::build(&report, &rules, &here, &cfg, cfg_path, now);
    let mut buf = Vec::new();
    match a.format {
        PlanFormat::Markdown => plan::write_markdown(&plan, &mut buf)?,
        PlanFormat::Json => {
            serde_json::to_writer_pretty(&mut buf, &plan)?;
            buf.push(b'\n');
        }
    }
    super::write_output(a.output.as_deref(), &buf, out)?;
    Ok(EXIT_OK)
}
