//! `ghl-migrate config check`.
use super::EXIT_OK;
use super::args::{Cli, ConfigCommand};
use anyhow::{Result, bail};
use std::io::Write;
use std::path::PathBuf;

pub fn run(cli: &Cli, cmd: &ConfigCommand, out: &mut dyn Write) -> Result<i32> {
    let ConfigCommand::Check { file } = cmd;
    let path = match file.as_ref().or(cli.config.as_ref()) {
        Some(p) => p.clone(),
        None => match crate::config::Config::find(&[PathBuf::from(".")])? {
            Some((_, p)) => p,
            None => bail!(
                "no {} here or at the top of the git work tree: nothing to check",
                crate::config::NAMES[0]
            ),
        },
    };
    let cfg = crate::config::Config::read(&path)?;
    writeln!(
        out,
        "{}: ok ({} integration(s){}{}{})",
        path.display(),
        cfg.integrations.len(),
        cfg.tier
            .map(|t| format!(", tier {}", serde_json::to_value(t).unwrap_or_default()))
            .unwrap_or_default(),
        if cfg.scan.exclude.is_empty() {
            String::new()
        } else {
            format!(", {} exclude pattern(s)", cfg.scan.exclude.len())
        },
        cfg.scan
            .baseline
            .as_ref()
            .map(|b| format!(", baseline {}", b.display()))
            .unwrap_or_default(),
    )?;
    Ok(EXIT_OK)
}
