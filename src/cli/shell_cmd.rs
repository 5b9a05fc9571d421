//! `ghl-migrate completions SHELL` and `ghl-migrate man`: generated from the same clap definition the
//! parser uses, so they can never list a flag the binary does not have.
use super::EXIT_OK;
use super::args::Cli;
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::io::Write;

/// Writes the completion script for `shell` (install it where the shell looks, e.g.
/// `~/.local/share/bash-completion/completions/ghl-migrate`).
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<i32> {
    let mut cmd = Cli::command();
    let name = cmd.get_name().to_string();
    clap_complete::generate(shell, &mut cmd, name, out);
    out.flush().context("writing the completion script")?;
    Ok(EXIT_OK)
}

/// Writes the man page (roff, section 1) for the whole command: synopsis, options, subcommands.
pub fn man(out: &mut dyn Write) -> Result<i32> {
    clap_mangen::Man::new(Cli::command())
        .render(out)
        .context("writing the man page")?;
    Ok(EXIT_OK)
}
