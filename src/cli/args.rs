//! Command-line arguments (clap derive). Parsing only: [`super::run`] does the work.
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "ghl-migrate",
    version,
    about = "Find, plan, rewrite and verify the move of HighLevel integrations from the retired V1 API to V2.",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    /// Use the rule files in this directory instead of the built-in rule table.
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Browse and validate the V1 → V2 rule table.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Prove with read-only V2 calls that replacement credentials are valid, bound to the right
    /// location and hold every needed scope. Exit 0 ready, 1 not ready, 2 error.
    Verify(Box<crate::cli::verify_cmd::VerifyArgs>),
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule: id, V1 endpoint, V2 endpoint, scopes, level.
    List(RulesListArgs),
    /// Show everything about one rule.
    Show {
        /// Rule id, e.g. `contacts.get`.
        id: String,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Validate rule files (schema, duplicate ids, overlapping V1 templates, V2 operations and scopes
    /// against HighLevel's V2 spec). Exit 0 when clean, 2 on errors.
    Check {
        /// Directory of rule files; the built-in table when omitted.
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct RulesListArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Only rules of this group (e.g. `contacts`).
    #[arg(long)]
    pub group: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
    Markdown,
}
