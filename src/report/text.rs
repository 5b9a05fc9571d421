//! Terminal output: findings grouped by file, ripgrep-style, and a summary.
use crate::scan::ScanReport;
use crate::scan::finding::{Context, Kind};
use std::io::{self, Write};

/// `s` with every control character (and Unicode bidi override) escaped visibly (`\n`, `\u{1b}`): file
/// names and snippets come from the scanned tree, and raw ESC sequences or newlines in them would repaint
/// the terminal or forge output lines.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    let hidden =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hidden(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

struct Paint(bool);

impl Paint {
    /// Paints `s` (escaped with `visible`: only our own colour codes reach the terminal).
    fn p(&self, code: &str, s: &str) -> String {
        let s = visible(s);
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.into_owned()
        }
    }
}

pub fn write(r: &ScanReport, color: bool, out: &mut dyn Write) -> io::Result<()> {
    write_findings(r, color, out)?;
    write_summary(r, color, out)
}

/// The findings and skipped paths, without the summary lines.
pub fn write_findings(r: &ScanReport, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let paint = Paint(color);
    let mut current: Option<&str> = None;
    for f in &r.findings {
        if current != Some(f.path.as_str()) {
            if current.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}", paint.p("35;1", &f.path))?;
            current = Some(&f.path);
        }
        let kind = match f.kind {
            Kind::Call => paint.p("31;1", "call"),
            Kind::BaseUrl => paint.p("33", "base"),
            Kind::Credential => paint.p("31;1;7", "KEY "),
            Kind::ExportNode => paint.p("31;1", "node"),
            Kind::Mention if f.category == Some(crate::scan::half_migrated::CATEGORY) => {
                paint.p("31;1", "half")
            }
            Kind::Mention => paint.p("2", "note"),
        };
        let ctx = match f.context {
            Context::Code | Context::Export | Context::Config => String::new(),
            Context::Comment => paint.p("2", " (in a comment)"),
            Context::Docs => paint.p("2", " (in docs)"),
            Context::Test => paint.p("2", " (in a test)"),
        };
        let ctx = match &f.suppressed {
            Some(s) => format!(
                "{ctx}{}",
                paint.p("2", &format!(" [accepted: {}]", s.justification))
            ),
            None => ctx,
        };
        let loc = match &f.json_pointer {
            Some(p) => format!("{}:{} {}", f.line, f.column, p),
            None => format!("{}:{}", f.line, f.column),
        };
        writeln!(
            out,
            "  {}  {:<4} {}{}",
            paint.p("32", &loc),
            kind,
            visible(&super::describe(f)),
            ctx
        )?;
        let mut extra = Vec::new();
        if let Some(m) = &f.method_source {
            extra.push(format!("method: {m}"));
        }
        if !f.trail.is_empty() {
            extra.push(format!("trail: {}", f.trail.join(" → ")));
        } else if let Some(b) = &f.base_source {
            extra.push(format!("base: {b}"));
        }
        if let Some(b) = &f.already_broken {
            extra.push(format!("ALREADY BROKEN: {b}"));
        }
        if let Some(n) = &f.note
            && f.kind != Kind::Mention
        {
            extra.push(n.clone());
        }
        if !extra.is_empty() {
            writeln!(out, "        {}", paint.p("2", &extra.join(" · ")))?;
        }
    }
    if !r.findings.is_empty() {
        writeln!(out)?;
    }
    for s in &r.skipped {
        writeln!(
            out,
            "{} {}: {}",
            paint.p("33", "skipped"),
            visible(&s.path),
            visible(&s.reason)
        )?;
    }
    if let Some(h) = &r.history {
        write_history(h, &paint, out)?;
    }
    Ok(())
}

/// `--history`: each key ever committed, where it first appeared.
fn write_history(
    h: &crate::scan::history::History,
    paint: &Paint,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "{} {} key(s) in {} commits ({} distinct blobs, {} read)",
        paint.p("1", "history:"),
        h.keys.len(),
        h.commits,
        h.blobs,
        h.blobs_read
    )?;
    for k in &h.keys {
        let short = &k.commit[..k.commit.len().min(12)];
        writeln!(
            out,
            "  {} {} first in {short} {}:{} — {}",
            k.credential.kind.as_str(),
            k.credential.fingerprint,
            visible(&k.path),
            k.line,
            if k.in_worktree {
                "still in the work tree"
            } else {
                "only in history: in every clone, rotate it"
            }
        )?;
    }
    if !h.calls.is_empty() {
        writeln!(out, "  {} V1 call(s) in history:", h.calls.len())?;
    }
    for c in &h.calls {
        let short = &c.commit[..c.commit.len().min(12)];
        writeln!(
            out,
            "  {} first in {short} {}:{} — {}",
            c.rule
                .as_deref()
                .or(c.v1_path.as_deref())
                .unwrap_or("unknown endpoint"),
            visible(&c.path),
            c.line,
            if c.in_worktree {
                "still in the work tree"
            } else {
                "only in history"
            }
        )?;
    }
    Ok(())
}

/// The closing summary: counts, exclusions, the gate, credentials to rotate.
fn write_summary(r: &ScanReport, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let paint = Paint(color);
    let s = &r.summary;
    let calls = s.by_kind.get("call").copied().unwrap_or(0);
    let bases = s.by_kind.get("base_url").copied().unwrap_or(0);
    let creds = s.by_kind.get("credential").copied().unwrap_or(0);
    let nodes = s.by_kind.get("export_node").copied().unwrap_or(0);
    let mentions = s.by_kind.get("mention").copied().unwrap_or(0);
    let files: std::collections::BTreeSet<&str> =
        r.findings.iter().map(|f| f.path.as_str()).collect();
    writeln!(
        out,
        "{} {calls} V1 calls ({} unknown endpoints), {nodes} export nodes, {bases} base URLs, {creds} credentials, {mentions} notes in {} files; {} files read of {} seen, {} skipped, {} warnings, {} ms",
        paint.p("1", "summary:"),
        s.unknown_endpoints,
        files.len(),
        s.files_read,
        s.files_seen,
        s.skipped,
        r.warnings.len(),
        s.elapsed_ms
    )?;
    if s.excluded > 0 {
        writeln!(
            out,
            "excluded: {} path(s) (--exclude, .ghl-migrateignore, ghl-migrate.yaml)",
            s.excluded
        )?;
    }
    if s.gate_failures > 0 || s.suppressed > 0 {
        writeln!(
            out,
            "gate: {} finding(s) fail it{}",
            s.gate_failures,
            if s.suppressed > 0 {
                format!(
                    ", {} accepted (suppressed or in the baseline)",
                    s.suppressed
                )
            } else {
                String::new()
            }
        )?;
    }
    if !s.credentials.is_empty() {
        let kinds: Vec<String> = s
            .credentials
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        writeln!(
            out,
            "credentials: {} — rotate every key found in a repository, even after migrating",
            kinds.join(", ")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::visible;

    #[test]
    fn visible_escapes_control_characters_and_bidi_overrides() {
        assert_eq!(visible("src/a.js"), "src/a.js");
        assert_eq!(
            visible("a\u{1b}[2J\nb\tc\u{202e}d"),
            "a\\u{1b}[2J\\nb\\tc\\u{202e}d"
        );
    }
}
