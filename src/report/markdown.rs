//! Markdown: one table per file, readable in a pull request.
use crate::scan::ScanReport;
use std::io::{self, Write};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn write(r: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# HighLevel V1 inventory\n")?;
    let s = &r.summary;
    writeln!(
        out,
        "{} findings ({} V1 usage) in {} files read; {} skipped.\n",
        s.findings, s.v1_usage, s.files_read, s.skipped
    )?;
    let mut current: Option<&str> = None;
    for f in &r.findings {
        if current != Some(f.path.as_str()) {
            writeln!(out, "\n## `{}`\n", f.path)?;
            writeln!(out, "| line | kind | what | context | method from | rule |")?;
            writeln!(out, "|---:|---|---|---|---|---|")?;
            current = Some(&f.path);
        }
        let ctx = serde_json::to_value(f.context)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let kind = serde_json::to_value(f.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            f.line,
            kind,
            cell(&super::describe(f)),
            ctx,
            cell(f.method_source.as_deref().unwrap_or("")),
            f.rule
                .as_deref()
                .map(|r| format!("`{r}`"))
                .unwrap_or_else(|| "—".into())
        )?;
    }
    if !r.skipped.is_empty() {
        writeln!(out, "\n## Skipped\n")?;
        for sk in &r.skipped {
            writeln!(out, "- `{}`: {}", sk.path, sk.reason)?;
        }
    }
    Ok(())
}
