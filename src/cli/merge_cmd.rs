//! `ghl-migrate merge`: several repositories' scan reports as one.
use super::EXIT_OK;
use super::args::MergeArgs;
use anyhow::{Context, Result};
use std::io::Write;

/// This build's name and version, as every report written by it says.
pub fn tool() -> String {
    format!("ghl-migrate {}", env!("CARGO_PKG_VERSION"))
}

pub fn run(a: &MergeArgs, out: &mut dyn Write) -> Result<i32> {
    let report = crate::reports::read_all(&a.reports, tool())?;
    let mut buf = serde_json::to_vec_pretty(&report)?;
    buf.push(b'\n');
    match &a.output {
        Some(p) => crate::redact::write_file(p, &buf)
            .with_context(|| format!("writing {}", p.display()))?,
        None => out.write_all(&buf)?,
    }
    Ok(EXIT_OK)
}
