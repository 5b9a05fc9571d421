//! V1 hosts named without being used: in a sentence inside a string (an error message, a log text) or in a
//! Content-Security-Policy allow-list. Such base-URL findings become mentions: reported, never failing the
//! gate, never rewritten.
use super::finding::{Confidence, Context, Finding, Kind};
use super::lines::LineIndex;

/// Demotes the base-URL findings of one file that only name the host.
pub fn demote(findings: &mut [Finding], li: &LineIndex) {
    for f in findings
        .iter_mut()
        .filter(|f| f.kind == Kind::BaseUrl && matches!(f.context, Context::Code | Context::Config))
    {
        let line = li.text(f.line);
        let Some(at) = line
            .char_indices()
            .nth(f.column.saturating_sub(1))
            .map(|(i, _)| i)
        else {
            continue;
        };
        let why = if names_csp(line) {
            "allowed by a Content-Security-Policy (not a request)"
        } else if in_a_sentence(line, at) {
            "named in a sentence (a message, not a base URL in use)"
        } else {
            continue;
        };
        f.kind = Kind::Mention;
        f.confidence = Confidence::Low;
        f.note = Some(format!("V1 host {why}"));
    }
}

fn names_csp(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    [
        "content-security-policy",
        "connect-src",
        "connectsrc",
        "connect_src",
        "csp",
    ]
    .iter()
    .any(|k| l.contains(k))
}

/// The URL at byte `at` sits inside a string that also holds words: text before it in the same string
/// (`"V1 (rest.gohighlevel.com) was retired"`), or after it (`"https://rest… failed: use V2"`).
fn in_a_sentence(line: &str, at: usize) -> bool {
    let before = &line[..at];
    let Some(q) = before.rfind(['"', '\'', '`']) else {
        return false;
    };
    let quote = before.as_bytes()[q];
    let words = |s: &str| {
        s.split_whitespace()
            .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
            .count()
    };
    let inside_before = &before[q + 1..];
    let url_end = line[at..]
        .find(|c: char| c.is_whitespace() || c == quote as char)
        .map_or(line.len(), |i| at + i);
    let rest = &line[url_end..];
    let inside_after = rest.split(quote as char).next().unwrap_or("");
    // A template hole or concatenation right before the URL is code, not prose.
    !inside_before.contains("${") && (words(inside_before) + words(inside_after) >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_and_csp_are_told_from_base_urls() {
        let s =
            |line: &str| in_a_sentence(line, line.find("rest.").or(line.find("https")).unwrap());
        assert!(s(
            r#"const msg = "V1 (rest.gohighlevel.com) was retired on 2025-12-31";"#
        ));
        assert!(s(
            "throw new Error(`Request to https://rest.gohighlevel.com/v1 failed: use V2`);"
        ));
        assert!(!s(r#"const BASE = "https://rest.gohighlevel.com/v1";"#));
        assert!(!s("GHL_BASE_URL=https://rest.gohighlevel.com/v1"));
        assert!(!s(
            r#"url: "https://rest.gohighlevel.com/v1/" # the V1 API"#
        ));
        assert!(names_csp(
            r#"add_header Content-Security-Policy "connect-src https://rest.gohighlevel.com";"#
        ));
        assert!(names_csp(
            r#"directives: { connectSrc: ["https://rest.gohighlevel.com"] }"#
        ));
        assert!(!names_csp(
            r#"const BASE = "https://rest.gohighlevel.com/v1";"#
        ));
    }
}
