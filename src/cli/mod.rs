//! Command dispatch: turns parsed arguments into library calls and exit codes.
pub mod args;
mod config_cmd;
mod diff_cmd;
mod merge_cmd;
mod plan_cmd;
mod rules_cmd;
mod scan_cmd;
mod shell_cmd;
mod stdin;
pub mod verify_cmd;

pub use args::Cli;
use std::io::Write;

/// Exit code: success, nothing found.
pub const EXIT_OK: i32 = 0;
/// Exit code: V1 usage found (or verification not ready).
pub const EXIT_FOUND: i32 = 1;
/// Exit code: the tool could not do its job.
pub const EXIT_ERROR: i32 = 2;

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    // Every byte written to standard output is cleaned of secrets on its way out.
    let mut out = crate::redact::Writer::new(std::io::stdout().lock());
    let result = match &cli.command {
        args::Command::Scan(a) => scan_cmd::run(&cli, a, &mut out),
        args::Command::Diff(a) => diff_cmd::run(&cli, a, &mut out),
        args::Command::Plan(a) => plan_cmd::run(&cli, a, &mut out),
        args::Command::Merge(a) => merge_cmd::run(a, &mut out),
        args::Command::Rules(cmd) => rules_cmd::run(&cli, cmd, &mut out),
        args::Command::Config(cmd) => config_cmd::run(&cli, cmd, &mut out),
        args::Command::Verify(a) => verify_cmd::run(&cli, a, &mut out),
        args::Command::Completions { shell } => shell_cmd::completions(*shell, &mut out),
        args::Command::Man => shell_cmd::man(&mut out),
    };
    let _ = out.flush();
    match result {
        Ok(code) => code,
        Err(e) => {
            crate::redact::eprint_line(&format!("ghl-migrate: error: {e:#}"));
            EXIT_ERROR
        }
    }
}

/// Writes a finished document to `-o FILE` (through the one redaction path, the file named in errors)
/// or to standard output.
pub(crate) fn write_output(
    output: Option<&std::path::Path>,
    doc: &[u8],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    use anyhow::Context;
    match output {
        Some(p) => {
            crate::redact::write_file(p, doc).with_context(|| format!("writing {}", p.display()))
        }
        None => Ok(out.write_all(doc)?),
    }
}
