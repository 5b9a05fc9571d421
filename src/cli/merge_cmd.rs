//! `ghl-migrate merge`: several repositories' scan reports as one.
use super::EXIT_OK;
use super::args::MergeArgs;
use anyhow::Result;
use std::io::Write;

pub fn run(a: &MergeArgs, out: &mut dyn Write) -> Result<i32> {
    let report = crate::reports::read_all(&a.reports, crate::scan::tool_name())?;
    let mut buf = serde_json::to_vec_pretty(&report)?;
    buf.push(b'\n');
    super::write_output(a.output.as_deref(), &buf, out)?;
    Ok(EXIT_OK)
}
