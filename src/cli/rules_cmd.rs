//! `ghl-migrate rules list|show|check`.
use super::args::{Cli, ListFormat, RulesCommand, RulesListArgs};
use super::{EXIT_ERROR, EXIT_OK};
use crate::rules::{self, Rule, RuleSet, Severity};
use anyhow::{Context, Result, bail};
use std::io::Write;

/// Loads the rule table the user asked for (`--rules DIR` or the built-in one).
pub fn load(cli: &Cli) -> Result<RuleSet> {
    match &cli.rules {
        None => Ok(RuleSet::embedded()),
        Some(dir) => {
            let rules = rules::load_dir(dir)
                .map_err(|e| anyhow::anyhow!("invalid rule files in {}:\n{e}", dir.display()))?;
            Ok(RuleSet::new(rules, dir.display().to_string()))
        }
    }
}

pub fn run(cli: &Cli, cmd: &RulesCommand, out: &mut dyn Write) -> Result<i32> {
    match cmd {
        RulesCommand::List(args) => list(&load(cli)?, args, out),
        RulesCommand::Show { id, format } => show(&load(cli)?, id, *format, out),
        RulesCommand::Check { dir } => check(dir.as_deref().or(cli.rules.as_deref()), out),
    }
}

fn v2_cell(r: &Rule) -> String {
    match &r.v2 {
        Some(t) => format!("{} {}", t.method, t.path),
        None => "none".into(),
    }
}

fn scopes_cell(r: &Rule) -> String {
    r.v2.as_ref()
        .map(|t| t.scopes.join(" "))
        .unwrap_or_else(|| "-".into())
}

fn list(rs: &RuleSet, args: &RulesListArgs, out: &mut dyn Write) -> Result<i32> {
    let rules: Vec<&Rule> = rs
        .rules()
        .iter()
        .filter(|r| args.group.as_deref().is_none_or(|g| r.group == g))
        .collect();
    if rules.is_empty()
        && let Some(g) = &args.group
    {
        bail!("no rules in group {g:?}");
    }
    match args.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &rules)?;
            writeln!(out)?;
        }
        ListFormat::Markdown => {
            writeln!(out, "| id | V1 | V2 | scopes | level | source |")?;
            writeln!(out, "|---|---|---|---|---|---|")?;
            for r in &rules {
                writeln!(
                    out,
                    "| `{}` | `{} {}` | `{}` | {} | {} | {} |",
                    r.id,
                    r.v1.method,
                    r.v1.path,
                    v2_cell(r),
                    scopes_cell(r),
                    r.level.as_str(),
                    r.source.as_str()
                )?;
            }
        }
        ListFormat::Text => {
            let rows: Vec<[String; 5]> = rules
                .iter()
                .map(|r| {
                    [
                        r.id.clone(),
                        format!("{} {}", r.v1.method, r.v1.path),
                        v2_cell(r),
                        scopes_cell(r),
                        r.level.as_str().to_string(),
                    ]
                })
                .collect();
            let header = ["ID", "V1", "V2", "SCOPES", "LEVEL"];
            let mut w = header.map(str::len);
            for row in &rows {
                for (i, c) in row.iter().enumerate() {
                    w[i] = w[i].max(c.len());
                }
            }
            let line = |cells: [&str; 5]| {
                format!(
                    "{:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {}",
                    cells[0],
                    cells[1],
                    cells[2],
                    cells[3],
                    cells[4],
                    w0 = w[0],
                    w1 = w[1],
                    w2 = w[2],
                    w3 = w[3]
                )
            };
            writeln!(out, "{}", line(header).trim_end())?;
            for row in &rows {
                writeln!(
                    out,
                    "{}",
                    line([&row[0], &row[1], &row[2], &row[3], &row[4]]).trim_end()
                )?;
            }
            let inferred = rules
                .iter()
                .filter(|r| r.source == rules::Source::Inferred)
                .count();
            writeln!(
                out,
                "\n{} rules ({} from {}); {} inferred mappings are claims to check (`rules show ID`).",
                rules.len(),
                rs.rules().len(),
                rs.origin,
                inferred
            )?;
        }
    }
    Ok(EXIT_OK)
}

fn show(rs: &RuleSet, id: &str, format: ListFormat, out: &mut dyn Write) -> Result<i32> {
    let Some(r) = rs.get(id) else {
        let mut near: Vec<&str> = rs
            .rules()
            .iter()
            .map(|r| r.id.as_str())
            .filter(|x| x.starts_with(id.split('.').next().unwrap_or(id)))
            .collect();
        near.sort_unstable();
        if near.is_empty() {
            bail!("no rule with id {id:?} (see `ghl-migrate rules list`)");
        }
        bail!(
            "no rule with id {id:?}; rules in that group: {}",
            near.join(", ")
        );
    };
    if format == ListFormat::Json {
        serde_json::to_writer_pretty(&mut *out, r)?;
        writeln!(out)?;
        return Ok(EXIT_OK);
    }
    writeln!(out, "{}  ({}:{})", r.id, r.file, r.line)?;
    writeln!(
        out,
        "  V1        {} {}  [{}]",
        r.v1.method,
        r.v1.path,
        r.v1_status.as_str()
    )?;
    match &r.v2 {
        Some(t) => {
            let dep = if t.deprecated {
                "  (deprecated in V2)"
            } else {
                ""
            };
            writeln!(out, "  V2        {} {}{dep}", t.method, t.path)?;
            writeln!(out, "  scopes    {}", t.scopes.join(", "))?;
            writeln!(out, "  Version   {}", t.version)?;
            if let Some(s) = &t.spec {
                writeln!(out, "  spec      {s}")?;
            }
            if let Some(e) = &t.scope_evidence {
                writeln!(out, "  scope src {e}")?;
            }
        }
        None => {
            writeln!(out, "  V2        none")?;
            writeln!(out, "  reason    {}", r.reason.as_deref().unwrap_or("-"))?;
            writeln!(
                out,
                "  instead   {}",
                r.workaround.as_deref().unwrap_or("-")
            )?;
        }
    }
    writeln!(out, "  level     {}", r.level.as_str())?;
    let claim = if r.source == rules::Source::Inferred {
        " — an inference: check it before relying on it"
    } else {
        ""
    };
    writeln!(out, "  source    {}{claim}", r.source.as_str())?;
    if let Some(e) = &r.evidence {
        writeln!(out, "  evidence  {e}")?;
    }
    if let Some(b) = &r.already_broken {
        writeln!(out, "  BROKEN    {b}")?;
    }
    for a in &r.alternatives {
        writeln!(
            out,
            "  or        {} {} ({}) — {}",
            a.method,
            a.path,
            a.scopes.join(", "),
            a.when
        )?;
    }
    if !r.changes.is_empty() {
        writeln!(out, "  changes:")?;
        for c in &r.changes {
            let kind = serde_json::to_value(c.kind)?
                .as_str()
                .unwrap_or("")
                .to_string();
            let place = c
                .location
                .as_deref()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default();
            writeln!(out, "    - [{kind}{place}] {}", c.text)?;
        }
    }
    if let Some(d) = &r.docs {
        writeln!(out, "  docs      {d}")?;
    }
    Ok(EXIT_OK)
}

fn check(dir: Option<&std::path::Path>, out: &mut dyn Write) -> Result<i32> {
    let (files, origin) = match dir {
        Some(d) => match rules::load::read_dir_files(d) {
            Ok(f) => (f, d.display().to_string()),
            Err(e) => {
                write!(out, "{e}")?;
                return Ok(EXIT_ERROR);
            }
        },
        None => (
            rules::load::EMBEDDED_RULE_FILES
                .iter()
                .map(|(p, t, _)| (format!("rules/{p}"), t.to_string()))
                .collect(),
            "built-in rules".to_string(),
        ),
    };
    let (parsed, mut diags) = rules::parse_files(&files);
    diags.extend(rules::check(&parsed));
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    for d in &diags {
        writeln!(out, "{d}")?;
    }
    writeln!(
        out,
        "{origin}: {} files, {} rules, {errors} errors, {warnings} warnings",
        files.len(),
        parsed.len()
    )
    .context("writing output")?;
    Ok(if errors > 0 { EXIT_ERROR } else { EXIT_OK })
}
