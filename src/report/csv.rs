//! CSV: one row per finding (RFC 4180 quoting).
use crate::scan::ScanReport;
use std::io::{self, Write};

/// One cell: a value a spreadsheet would run as a formula (starting with `=`, `@`, `+`, `-`, tab or CR,
/// as OWASP lists them) gets a leading `'`; then RFC 4180 quoting. Paths and snippets come from the
/// scanned tree, which others may control.
fn q(s: &str) -> String {
    let s = if s.starts_with(['=', '@', '+', '-', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub fn write(r: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "path,line,column,kind,context,method,method_source,v1_path,rule,v2_method,v2_path,scopes,confidence,credential_kind,fingerprint,redacted,json_pointer,note"
    )?;
    for f in &r.findings {
        let name = |v: serde_json::Value| v.as_str().unwrap_or("").to_string();
        let row = [
            f.path.clone(),
            f.line.to_string(),
            f.column.to_string(),
            name(serde_json::to_value(f.kind).unwrap_or_default()),
            name(serde_json::to_value(f.context).unwrap_or_default()),
            f.method.map(|m| m.to_string()).unwrap_or_default(),
            f.method_source.clone().unwrap_or_default(),
            f.v1_path.clone().unwrap_or_default(),
            f.rule.clone().unwrap_or_default(),
            f.v2.as_ref()
                .map(|v| v.method.to_string())
                .unwrap_or_default(),
            f.v2.as_ref().map(|v| v.path.clone()).unwrap_or_default(),
            f.v2.as_ref()
                .map(|v| v.scopes.join(" "))
                .unwrap_or_default(),
            name(serde_json::to_value(f.confidence).unwrap_or_default()),
            f.credential
                .as_ref()
                .map(|c| c.kind.as_str().to_string())
                .unwrap_or_default(),
            f.credential
                .as_ref()
                .map(|c| c.fingerprint.clone())
                .unwrap_or_default(),
            f.credential
                .as_ref()
                .map(|c| c.redacted.clone())
                .unwrap_or_default(),
            f.json_pointer.clone().unwrap_or_default(),
            f.note.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = row.iter().map(|c| q(c)).collect();
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::q;

    #[test]
    fn formula_cells_get_a_quote_prefix_then_rfc4180_quoting() {
        assert_eq!(q("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(q("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(q("+1"), "'+1");
        assert_eq!(q("-1"), "'-1");
        assert_eq!(q("\tx"), "'\tx");
        assert_eq!(q("\rx"), "\"'\rx\"");
        assert_eq!(q("a-b=c"), "a-b=c");
    }
}
