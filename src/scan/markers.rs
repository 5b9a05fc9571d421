//! `ghl-migrate:` comments in the scanned code: markers `diff` left for a person (open work: they fail the
//! gate until removed) and inline suppressions a person wrote (`ghl-migrate: ignore[contacts.list] reason`).
use super::finding::{Confidence, Context, Finding, Kind, Suppression};
use super::lines::LineIndex;

/// The finding category for steps `ghl-migrate diff` left for a human (its marker comments).
pub const TODO: &str = "migration_todo";
/// The finding category for an `ignore` without a reason (it suppresses nothing).
pub const UNJUSTIFIED: &str = "suppression_without_reason";

/// An inline suppression: on its own line it covers the next line, after code the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inline {
    pub path: String,
    pub line: usize,
    /// Whether the comment stands alone on its line (then it covers the line below).
    pub alone: bool,
    /// A rule id, category, finding kind or credential kind; `None`: everything on the line.
    pub selector: Option<String>,
    pub reason: String,
}

/// The open markers and suppressions of one file; an `ignore` without a reason is reported instead.
pub fn find(
    rel: &str,
    src: &str,
    li: &LineIndex,
    lang: &'static str,
    findings: &mut Vec<Finding>,
) -> Vec<Inline> {
    let mut inline = Vec::new();
    for (at, _) in src.match_indices(crate::diff::rewrite::MARKER) {
        let line = li.line(at);
        let text = li.text(line);
        let rest = src[at + crate::diff::rewrite::MARKER.len()..]
            .lines()
            .next()
            .unwrap_or("")
            .trim_start();
        let note = |category: &'static str, note: String| {
            let mut f = Finding::new(Kind::Mention, rel, line, li.column(at), Context::Comment);
            f.category = Some(category);
            f.confidence = Confidence::High;
            f.snippet = super::secrets::redact_line(text.trim());
            f.lang = Some(lang);
            f.note = Some(note);
            f
        };
        let Some(after) = rest.strip_prefix("ignore") else {
            findings.push(note(
                TODO,
                "migration step left for a human by `ghl-migrate diff`".into(),
            ));
            continue;
        };
        let (selector, reason) = match after.strip_prefix('[') {
            Some(s) => match s.split_once(']') {
                Some((sel, reason)) => (Some(sel.trim().to_string()), reason),
                None => (None, ""),
            },
            None => (None, after),
        };
        // The reason ends where the comment does (`*/`, `-->`).
        let reason = reason
            .split("*/")
            .next()
            .unwrap_or("")
            .split("-->")
            .next()
            .unwrap_or("")
            .trim();
        if reason.is_empty() || selector.as_deref() == Some("") {
            findings.push(note(
                UNJUSTIFIED,
                "`ghl-migrate: ignore` needs a reason (`ghl-migrate: ignore[RULE] why`): nothing suppressed".into(),
            ));
            continue;
        }
        // Alone on its line: nothing but comment punctuation before it.
        let alone = !src[li.line_start(line)..at]
            .chars()
            .any(char::is_alphanumeric);
        inline.push(Inline {
            path: rel.to_string(),
            line,
            alone,
            selector,
            reason: reason.to_string(),
        });
    }
    inline
}

/// Marks the findings that an inline suppression covers.
pub fn apply(findings: &mut [Finding], inline: &[Inline]) {
    if inline.is_empty() {
        return;
    }
    for f in findings.iter_mut() {
        if f.category == Some(TODO) || f.category == Some(UNJUSTIFIED) {
            continue;
        }
        let covering = inline.iter().find(|s| {
            let on_line =
                s.path == f.path && (s.line == f.line || (s.alone && s.line + 1 == f.line));
            on_line && s.selector.as_deref().is_none_or(|sel| selects(sel, f))
        });
        if let Some(s) = covering {
            f.suppressed = Some(Suppression {
                kind: "inline",
                justification: s.reason.clone(),
            });
        }
    }
}

/// `contacts.list`, `base_url`, `credential`, `v1_location_key`, `migration_todo`, `*`.
fn selects(sel: &str, f: &Finding) -> bool {
    sel == "*"
        || f.rule.as_deref() == Some(sel)
        || f.category == Some(sel)
        || super::enum_name(&f.kind) == sel
        || f.credential
            .as_ref()
            .is_some_and(|c| c.kind.as_str() == sel)
        || (sel == "unknown_v1_endpoint" && f.kind == Kind::Call && f.rule.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> (Vec<Finding>, Vec<Inline>) {
        let li = LineIndex::new(src);
        let mut f = Vec::new();
        let i = find("a.js", src, &li, "javascript", &mut f);
        (f, i)
    }

    #[test]
    fn markers_and_suppressions_are_told_apart() {
        let (f, i) = run(concat!(
            "// ghl-migrate: contacts.list — locationId\n",
            "// ghl-migrate: ignore[contacts.list] proxied by our gateway, migrated there\n",
            "x(); // ghl-migrate: ignore[base_url] read by the legacy cron only\n",
            "// ghl-migrate: ignore\n",
            "/* ghl-migrate: ignore[users.list] */\n",
        ));
        let cats: Vec<_> = f.iter().map(|f| (f.line, f.category.unwrap())).collect();
        assert_eq!(cats, [(1, TODO), (4, UNJUSTIFIED), (5, UNJUSTIFIED)]);
        assert_eq!(
            i,
            [
                Inline {
                    path: "a.js".into(),
                    line: 2,
                    alone: true,
                    selector: Some("contacts.list".into()),
                    reason: "proxied by our gateway, migrated there".into()
                },
                Inline {
                    path: "a.js".into(),
                    line: 3,
                    alone: false,
                    selector: Some("base_url".into()),
                    reason: "read by the legacy cron only".into()
                },
            ]
        );
    }

    #[test]
    fn suppressions_cover_their_line_or_the_next() {
        let (_, i) = run(concat!(
            "// ghl-migrate: ignore[contacts.list] gateway\n",
            "get('/v1/contacts/')\n",
            "get('/v1/users/') // ghl-migrate: ignore[contacts.list] wrong rule\n",
        ));
        let mut fs: Vec<Finding> = (2..=3)
            .map(|l| {
                let mut f = Finding::new(Kind::Call, "a.js", l, 1, Context::Code);
                f.rule = Some(
                    if l == 2 {
                        "contacts.list"
                    } else {
                        "users.list"
                    }
                    .into(),
                );
                f
            })
            .collect();
        apply(&mut fs, &i);
        assert_eq!(fs[0].suppressed.as_ref().unwrap().justification, "gateway");
        assert!(fs[1].suppressed.is_none());
    }
}
