//! `ghl-migrate scan`.
use super::args::{Cli, ColorChoice, ScanArgs, WalkArgs};
use super::{EXIT_FOUND, EXIT_OK};
use crate::report;
use crate::scan::{self, WalkOptions};
use anyhow::{Context, Result, bail};
use std::io::{IsTerminal, Write};

pub fn walk_options(w: &WalkArgs) -> WalkOptions {
    WalkOptions {
        no_ignore: w.no_ignore,
        hidden: w.hidden,
        follow: w.follow,
        threads: w.threads,
        max_filesize: w.max_filesize,
        exclude: w.exclude.clone(),
        explain: None,
    }
}

/// The PATH that stands for standard input.
const STDIN: &str = "-";

/// `--verbose`: one line on standard error per path, as the walk meets it (through the redaction path,
/// control characters in names escaped).
fn verbose_listener() -> scan::Explain {
    scan::Explain(std::sync::Arc::new(|path, why| {
        let shown = path.to_string_lossy();
        crate::redact::eprint_line(&format!(
            "ghl-migrate: {}: {why}",
            crate::report::visible(&shown)
        ));
    }))
}

/// A path named on the command line must be a readable file or directory: anything else (missing,
/// unreadable, a FIFO, a device) is an error, never an empty and green report.
fn check_readable(p: &std::path::Path) -> Result<()> {
    let meta = std::fs::metadata(p).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            anyhow::anyhow!("{}: no such file or directory", p.display())
        }
        _ => anyhow::anyhow!("{}: {e}", p.display()),
    })?;
    if meta.is_dir() {
        std::fs::read_dir(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
    } else if meta.is_file() {
        std::fs::File::open(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
    } else {
        bail!(
            "{}: not a regular file or directory (a FIFO, socket or device is not scanned)",
            p.display()
        );
    }
    Ok(())
}

/// Files named on the command line — as pre-commit names the staged ones — are left out by the current
/// folder's `.ghl-migrateignore`, `--exclude` and `scan.exclude` patterns just as the walk leaves them out
/// below a root folder (which is how those patterns are written: relative to the scanned root). Returns
/// the paths still to scan and how many were left out.
fn leave_out_named_files(
    roots: Vec<std::path::PathBuf>,
    opts: &WalkOptions,
) -> Result<(Vec<std::path::PathBuf>, usize)> {
    let named = |r: &std::path::Path| r.is_relative() && r.is_file();
    if !roots.iter().any(|r| named(r)) {
        return Ok((roots, 0));
    }
    let here = std::path::Path::new(".");
    let excludes =
        scan::walk::Excludes::new(&[here.to_path_buf()], opts).map_err(anyhow::Error::msg)?;
    let (kept, left_out): (Vec<_>, Vec<_>) = roots
        .into_iter()
        .partition(|r| !(named(r) && excludes.excludes_named_file(&here.join(r))));
    for r in &left_out {
        opts.explain(r, scan::Why::Excluded);
    }
    Ok((kept, left_out.len()))
}

/// The settings file in force: `--config`, else the one found for the scanned paths.
pub struct Settings {
    pub config: crate::config::Config,
    pub path: Option<std::path::PathBuf>,
}

pub fn settings(cli: &Cli, paths: &[std::path::PathBuf]) -> Result<Settings> {
    Ok(match &cli.config {
        Some(p) => Settings {
            config: crate::config::Config::read(p)?,
            path: Some(p.clone()),
        },
        None => match crate::config::Config::find(paths)? {
            Some((config, path)) => Settings {
                config,
                path: Some(path),
            },
            None => Settings {
                config: crate::config::Config::default(),
                path: None,
            },
        },
    })
}

/// What `scan` adds to the walk the other commands share.
#[derive(Default)]
pub struct ScanExtra {
    /// Told why each path was read or left out (`--verbose`).
    pub explain: Option<scan::Explain>,
    /// The path standard input is scanned as when PATH is `-`; `None`: `-` is refused.
    pub stdin_name: Option<String>,
}

/// Runs the scan with a progress spinner on a terminal, with the settings file's excludes.
pub fn run_scan(
    cli: &Cli,
    w: &WalkArgs,
    quiet: bool,
) -> Result<(scan::ScanReport, crate::rules::RuleSet, Settings)> {
    run_scan_with(cli, w, quiet, ScanExtra::default())
}

/// [`run_scan`] with `scan`'s own options: reasons per file, standard input.
pub fn run_scan_with(
    cli: &Cli,
    w: &WalkArgs,
    quiet: bool,
    extra: ScanExtra,
) -> Result<(scan::ScanReport, crate::rules::RuleSet, Settings)> {
    let stdin = match extra.stdin_name.as_deref() {
        _ if !w.paths.iter().any(|p| p.as_os_str() == STDIN) => None,
        _ if w.paths.len() > 1 => bail!("`-` (standard input) cannot be combined with other paths"),
        None => bail!("`-` (standard input) is read by `scan` only"),
        Some(name) => Some(super::stdin::materialize(name, w.max_filesize)?),
    };
    let roots = match &stdin {
        Some(s) => vec![s.root().to_path_buf()],
        None => w.paths.clone(),
    };
    for p in &roots {
        check_readable(p)?;
    }
    // Standard input has no place in the tree: the settings are those of the current folder.
    let found = match stdin {
        Some(_) => settings(cli, &[std::path::PathBuf::from(".")])?,
        None => settings(cli, &w.paths)?,
    };
    let mut opts = walk_options(w);
    opts.exclude
        .extend(found.config.scan.exclude.iter().cloned());
    opts.explain = extra.explain;
    if let Some(s) = &stdin {
        // The private folder holds nothing to ignore, and ignore files above it are not the user's.
        opts.no_ignore = true;
        opts.explain = opts.explain.map(|e| s.explain_relative(e));
    }
    scan::walk::Excludes::new(&roots, &opts).map_err(anyhow::Error::msg)?;
    let (roots, named_excluded) = leave_out_named_files(roots, &opts)?;
    let rules = super::rules_cmd::load(cli)?;
    // The spinner would tear the per-file lines of `--verbose`.
    let show = !quiet && opts.explain.is_none() && std::io::stderr().is_terminal();
    let bar = show.then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(indicatif::ProgressStyle::with_template("{spinner} {msg}").expect("template"));
        b.enable_steady_tick(std::time::Duration::from_millis(120));
        b
    });
    let tick = |n: usize| {
        if let Some(b) = &bar {
            b.set_message(format!("{n} files"));
        }
    };
    let mut report = scan::scan(&roots, &opts, &rules, Some(&tick));
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if let Some(s) = &stdin {
        report.roots = vec![s.name().to_string()];
    }
    report.summary.excluded += named_excluded;
    Ok((report, rules, found))
}

pub fn run(cli: &Cli, a: &ScanArgs, out: &mut dyn Write) -> Result<i32> {
    scan::gate::FailOn::parse(&a.fail_on).map_err(anyhow::Error::msg)?;
    let extra = ScanExtra {
        explain: a.verbose.then(verbose_listener),
        stdin_name: Some(a.stdin_name.clone()),
    };
    let (mut report, rules, found) = run_scan_with(cli, &a.walk, a.quiet, extra)?;
    report.repository = a.repo.clone().or_else(|| {
        let first = a.walk.paths.first().filter(|p| p.as_os_str() != STDIN)?;
        crate::reports::default_name(first)
    });
    if let Some(mode) = a.history {
        let [root] = &a.walk.paths[..] else {
            bail!("--history reads the repository of one PATH");
        };
        if root.as_os_str() == STDIN {
            bail!("--history needs a PATH in a git repository, not standard input");
        }
        let opts = walk_options(&a.walk);
        report.history = Some(scan::history::scan(
            root,
            &opts,
            &rules,
            &report.findings,
            &scan::history::Scope {
                calls: mode == super::args::HistoryMode::All,
                since: a.since,
                branches: a.branch.clone(),
            },
        )?);
    }
    // The command line adds contexts to the settings file's and overrides its baseline.
    let fail_on: Vec<String> = found
        .config
        .scan
        .fail_on
        .iter()
        .chain(&a.fail_on)
        .cloned()
        .collect();
    let fail_on = scan::gate::FailOn::parse(&fail_on).map_err(anyhow::Error::msg)?;
    let baseline_path = a.baseline.clone().or_else(|| {
        let rel = found.config.scan.baseline.as_ref()?;
        let dir = found.path.as_deref()?.parent()?;
        Some(dir.join(rel))
    });
    if a.write_baseline.is_none()
        && let Some(path) = &baseline_path
    {
        let b = scan::baseline::read(path)?;
        scan::baseline::apply(&mut report, &b, &path.display().to_string());
    }
    scan::gate::evaluate(&mut report, fail_on);
    if let Some(path) = &a.write_baseline {
        scan::baseline::write(&report, path)?;
    }
    if let Some(path) = a.write_baseline.as_ref().filter(|_| !a.quiet) {
        crate::redact::eprint_line(&format!(
            "ghl-migrate: baseline of {} finding(s) written to {}",
            report.findings.len(),
            path.display()
        ));
    }
    let color = match a.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            a.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    match &a.output {
        Some(path) => {
            let mut buf = Vec::new();
            report::write_with(&report, &rules, a.format, false, !a.quiet, &mut buf)?;
            crate::redact::write_file(path, &buf)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        None => report::write_with(&report, &rules, a.format, color, !a.quiet, out)?,
    }
    Ok(
        if report.summary.gate_failures > 0 && !a.exit_zero && a.write_baseline.is_none() {
            EXIT_FOUND
        } else {
            EXIT_OK
        },
    )
}
