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

    /// Settings file (default: ghl-migrate.yaml at the scanned root, else at the top of its git work tree).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inventory every V1 call, base URL and key under PATHs (exit 1 when V1 usage is found).
    Scan(ScanArgs),
    /// Plan the migration per integration: successor credential, least-privilege scopes, changes, checklist.
    Plan(PlanArgs),
    /// Combine `scan --format json` reports of several repositories into one (findings tagged with
    /// their repository), which `plan --from` reads like the separate reports.
    Merge(MergeArgs),
    /// Unified diffs that move V1 calls to V2 (`git apply`-able); `--apply` writes them atomically.
    Diff(DiffArgs),
    /// Browse and validate the V1 → V2 rule table.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Validate the settings file (ghl-migrate.yaml).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Prove with read-only V2 calls that replacement credentials are valid, bound to the right
    /// location and hold every needed scope. Exit 0 ready, 1 not ready, 2 error.
    Verify(Box<crate::cli::verify_cmd::VerifyArgs>),
    /// Print a shell completion script to standard output, e.g.
    /// `ghl-migrate completions bash > ~/.local/share/bash-completion/completions/ghl-migrate`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output: `ghl-migrate man > ghl-migrate.1`.
    Man,
}

#[derive(Debug, Args)]
// One PATH: the root the patch is relative to (the synopsis and `--help` say so).
#[command(mut_arg("paths", |a| a
    .num_args(0..=1)
    .action(clap::ArgAction::Set)
    .value_name("PATH")
    .help("The root the patch is for: a folder or one file")))]
pub struct DiffArgs {
    #[command(flatten)]
    pub walk: WalkArgs,
    /// Write the patch to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write one patch per changed file into DIR.
    #[arg(long, value_name = "DIR")]
    pub per_file: Option<PathBuf>,
    /// Write the changes to the files (atomically; refuses files changed since they were read).
    #[arg(long)]
    pub apply: bool,
    /// With --apply, keep each original as FILE.orig.
    #[arg(long)]
    pub backup: bool,
    /// Only findings of this rule id (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rule_ids: Vec<String>,
    /// Only files matching this glob (relative to the scanned root; repeatable).
    #[arg(long = "path", value_name = "GLOB")]
    pub path_globs: Vec<String>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub walk: WalkArgs,
    /// Plan from saved `scan --format json` reports instead of scanning: one per repository (a CI matrix
    /// job each), or a `merge`d one. Keys shared between repositories and sub-accounts reached from
    /// several are named.
    #[arg(long, value_name = "REPORT", num_args = 1.., conflicts_with = "paths")]
    pub from: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = PlanFormat::Markdown)]
    pub format: PlanFormat,
    /// Write the plan to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Compute key ages as of this date (YYYY-MM-DD) instead of today, for reproducible plans.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<i64>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The reports to combine (`ghl-migrate/scan/v1`, one per repository).
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    /// Write the combined report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check a settings file: unknown keys, types, globs and contexts, with line and column (exit 2 when
    /// invalid). Without FILE: the one `scan` would use for PATH (default: the current folder).
    Check {
        /// The file to check.
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

/// What `scan --history` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryMode {
    /// Keys ever committed.
    Keys,
    /// Keys and V1 calls.
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Markdown,
    Json,
}

/// Options shared by every command that walks a tree.
#[derive(Debug, Clone, Args)]
pub struct WalkArgs {
    /// Files or directories to scan (`scan -` reads standard input as one file).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Do not respect .gitignore / .ignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Also scan hidden files and directories (.env files and .github are always scanned).
    #[arg(long)]
    pub hidden: bool,
    /// Follow symbolic links (loops are reported, not fatal).
    #[arg(long)]
    pub follow: bool,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Skip files larger than this (bytes, or with a K/M/G suffix).
    #[arg(long, default_value = "4M", value_parser = parse_size)]
    pub max_filesize: u64,
    /// Leave out paths matching this gitignore-style pattern (repeatable); added to the root's
    /// `.ghl-migrateignore`. Excluded paths are counted in the summary.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub walk: WalkArgs,
    #[arg(long, value_enum, default_value_t = crate::report::Format::Text)]
    pub format: crate::report::Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 0 even when V1 usage is found (report only).
    #[arg(long)]
    pub exit_zero: bool,
    /// Also fail on findings in these contexts (comma-separated: comment, docs, test, or all). By default
    /// only code, config and exports fail the gate, plus open `ghl-migrate:` markers.
    #[arg(long, value_name = "CONTEXTS", value_delimiter = ',')]
    pub fail_on: Vec<String>,
    /// Accept the findings recorded in this baseline: only new findings fail the gate.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every current finding in FILE as the baseline (then exit 0).
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// No progress bar, and no summary lines after the findings (text format).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Say on standard error why each file was read or not: prefilter, ignore rule, size, binary.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Also read every commit reachable from the repository's refs: each key ever committed is listed
    /// once, where it first appeared, and whether the work tree still holds it (text and JSON).
    /// `--history=all` also lists V1 calls found in history, once per file and endpoint.
    #[arg(long, value_enum, num_args = 0..=1, require_equals = true, default_missing_value = "keys", value_name = "WHAT")]
    pub history: Option<HistoryMode>,
    /// With --history: only commits made on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date, requires = "history")]
    pub since: Option<i64>,
    /// With --history: only commits reachable from this branch or ref (repeatable; default: every ref
    /// and HEAD).
    #[arg(long, value_name = "REF", requires = "history")]
    pub branch: Vec<String>,
    /// The repository the report is of, for `plan --from` across repositories (default: the git work
    /// tree's top folder name, else the scanned folder's).
    #[arg(long, value_name = "NAME")]
    pub repo: Option<String>,
    /// The path standard input (PATH `-`) is scanned as: its language, context and finding paths.
    #[arg(long, value_name = "NAME", default_value = "<stdin>")]
    pub stdin_name: String,
    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `YYYY-MM-DD` → Unix seconds at midnight UTC.
pub fn parse_date(s: &str) -> Result<i64, String> {
    let bad = || format!("not a date: {s:?} (expected YYYY-MM-DD)");
    let mut it = s
        .trim()
        .splitn(3, '-')
        .map(|p| p.parse::<i32>().map_err(|_| bad()));
    let (y, m, d) = (
        it.next().ok_or_else(bad)??,
        it.next().ok_or_else(bad)??,
        it.next().ok_or_else(bad)??,
    );
    let month = time::Month::try_from(u8::try_from(m).map_err(|_| bad())?).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(y, month, u8::try_from(d).map_err(|_| bad())?)
        .map_err(|_| bad())?;
    Ok(date.midnight().assume_utc().unix_timestamp())
}

/// `4M`, `512K`, `1G`, `1000` → bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M') => (&s[..s.len() - 1], 1 << 20),
        Some('G') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.trim()
        .parse::<u64>()
        .map(|n| n * mult)
        .map_err(|_| format!("not a size: {s:?} (e.g. 4M, 512K, 100000)"))
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
