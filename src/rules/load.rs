//! Reading rule files: YAML syntax and shape errors become diagnostics with file and line.
use super::model::{RawRule, Rule, RuleFile, RuleLines, V2Field};
use std::fmt;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A problem in a rule file, located to a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    pub line: usize,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match self.column {
            Some(c) => write!(
                f,
                "{}:{}:{}: {sev}: {}",
                self.file, self.line, c, self.message
            ),
            None => write!(f, "{}:{}: {sev}: {}", self.file, self.line, self.message),
        }
    }
}

/// Rule files could not be loaded; every problem found is listed.
#[derive(Debug)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Loads the rules compiled into the binary. Their semantic check against the V2 spec
/// ([`super::check`]) is `rules check`'s and the tests' (`check_builtin_rules_is_clean`): the table is
/// fixed at build time, and parsing the spec at every start cost more than the rest of a small scan.
pub fn load_embedded() -> Result<Vec<Rule>, LoadError> {
    let mut rules = Vec::new();
    let mut diagnostics = Vec::new();
    for (rel, yaml, json) in EMBEDDED_RULE_FILES {
        let name = format!("rules/{rel}");
        // The JSON is this YAML converted by build.rs; without it (a file that does not parse) the YAML
        // parser says where it breaks.
        let file = match json.map(serde_json::from_str::<RuleFile>) {
            Some(Ok(file)) => Ok(file),
            _ => parse_yaml(&name, yaml),
        };
        match file {
            Ok(file) => convert_file(&name, yaml, file, &mut rules, &mut diagnostics),
            Err(d) => diagnostics.push(d),
        }
    }
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return Err(LoadError { diagnostics });
    }
    Ok(rules)
}

/// Loads every `*.yaml` / `*.yml` file below `dir` (recursively, sorted) and checks them.
pub fn load_dir(dir: &Path) -> Result<Vec<Rule>, LoadError> {
    finish(read_dir_files(dir).map(|files| parse_files(&files))?)
}

fn finish(parsed: (Vec<Rule>, Vec<Diagnostic>)) -> Result<Vec<Rule>, LoadError> {
    let (rules, mut diags) = parsed;
    diags.extend(super::check(&rules));
    diags.retain(|d| d.severity == Severity::Error);
    if diags.is_empty() {
        Ok(rules)
    } else {
        Err(LoadError { diagnostics: diags })
    }
}

pub(crate) fn read_dir_files(dir: &Path) -> Result<Vec<(String, String)>, LoadError> {
    let err = |file: String, message: String| LoadError {
        diagnostics: vec![Diagnostic {
            severity: Severity::Error,
            file,
            line: 0,
            column: None,
            message,
        }],
    };
    if !dir.is_dir() {
        return Err(err(dir.display().to_string(), "not a directory".into()));
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| err(dir.display().to_string(), e.to_string()))?;
        let p = entry.path();
        if entry.file_type().is_file()
            && matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml"))
        {
            let text =
                crate::limits::read_small_file(p, crate::limits::MAX_DOC_BYTES, "rules file")
                    .map_err(|e| err(p.display().to_string(), format!("cannot read: {e:#}")))?;
            files.push((p.display().to_string(), text));
        }
    }
    if files.is_empty() {
        return Err(err(
            dir.display().to_string(),
            "no *.yaml rule files found".into(),
        ));
    }
    Ok(files)
}

/// Parses rule files (name, text) into rules, collecting syntax/shape diagnostics. Semantic checks are
/// separate ([`super::check`]).
pub fn parse_files(files: &[(String, String)]) -> (Vec<Rule>, Vec<Diagnostic>) {
    let mut rules = Vec::new();
    let mut diags = Vec::new();
    for (name, text) in files {
        match parse_yaml(name, text) {
            Ok(file) => convert_file(name, text, file, &mut rules, &mut diags),
            Err(d) => diags.push(d),
        }
    }
    (rules, diags)
}

/// One rule file's YAML, refused (not parsed) when its size or nesting is out of bounds.
fn parse_yaml(name: &str, text: &str) -> Result<RuleFile, Diagnostic> {
    if let Some(why) = crate::limits::structure_refusal(text, crate::limits::MAX_DOC_BYTES) {
        return Err(Diagnostic {
            severity: Severity::Error,
            file: name.to_string(),
            line: 1,
            column: None,
            message: format!("rules file is {why}: not parsed"),
        });
    }
    serde_norway::from_str::<RuleFile>(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), Some(l.column())))
            .unwrap_or((1, None));
        Diagnostic {
            severity: Severity::Error,
            file: name.to_string(),
            line,
            column,
            message: clean_serde_message(&e.to_string()),
        }
    })
}

/// A parsed file's rules, each located to its lines in `text` (the file's YAML).
fn convert_file(
    name: &str,
    text: &str,
    file: RuleFile,
    rules: &mut Vec<Rule>,
    diags: &mut Vec<Diagnostic>,
) {
    let starts = rule_lines(text);
    let all: Vec<&str> = text.lines().collect();
    for (i, raw) in file.rules.into_iter().enumerate() {
        let lines = locate(&all, &starts, i);
        match convert(raw, &file.group, name, lines) {
            Ok(rule) => rules.push(rule),
            Err(d) => diags.push(d),
        }
    }
}

/// serde messages end with " at line N column M", which the diagnostic already says.
fn clean_serde_message(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// The 1-based line of each `- id:` item under `rules:`, in order.
fn rule_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start();
            t.starts_with("- id:") || t.starts_with("-   id:")
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// Lines of the interesting keys of rule number `i` (whose block runs to the next rule's start), from
/// the file's lines: only the rule's own block is looked at (a file is not walked once per rule).
fn locate(all: &[&str], starts: &[usize], i: usize) -> RuleLines {
    let start = starts.get(i).copied().unwrap_or(1);
    let end = starts.get(i + 1).copied().unwrap_or(usize::MAX);
    let mut l = RuleLines {
        rule: start,
        v1: start,
        v2: start,
        v2_path: start,
        v2_scopes: start,
    };
    let mut in_v2 = false;
    let block = all
        .get(start.max(1) - 1..end.min(all.len() + 1) - 1)
        .unwrap_or(&[]);
    for (n, line) in (start.max(1)..).zip(block.iter().map(|l| l.trim_start())) {
        if line.starts_with("v1:") {
            l.v1 = n;
            in_v2 = false;
        } else if line.starts_with("v2:") {
            l.v2 = n;
            l.v2_path = n;
            l.v2_scopes = n;
            in_v2 = true;
        } else if in_v2 && line.starts_with("path:") {
            l.v2_path = n;
        } else if in_v2 && line.starts_with("scopes:") {
            l.v2_scopes = n;
        } else if !line.starts_with("method:")
            && !line.starts_with("version:")
            && !line.starts_with("deprecated:")
            && !line.starts_with("spec:")
            && !line.starts_with("scope_evidence:")
            && !line.starts_with('-')
            && !line.is_empty()
            && !line.starts_with('#')
        {
            in_v2 = false;
        }
    }
    l
}

fn convert(raw: RawRule, group: &str, file: &str, lines: RuleLines) -> Result<Rule, Diagnostic> {
    let line = lines.rule;
    let v2 = match raw.v2 {
        V2Field::Target(t) => Some(t),
        V2Field::Keyword(k) if k == "none" => None,
        V2Field::Keyword(k) => {
            return Err(Diagnostic {
                severity: Severity::Error,
                file: file.to_string(),
                line,
                column: None,
                message: format!(
                    "rule {}: `v2` must be a target map or the word `none`, not {k:?}",
                    raw.id
                ),
            });
        }
    };
    Ok(Rule {
        id: raw.id,
        group: group.to_string(),
        v1: raw.v1,
        v2,
        reason: raw.reason,
        workaround: raw.workaround,
        alternatives: raw.alternatives,
        level: raw.level,
        v1_status: raw.v1_status,
        source: raw.source,
        evidence: raw.evidence,
        changes: raw.changes,
        already_broken: raw.already_broken,
        docs: raw.docs,
        notes: raw.notes,
        file: file.to_string(),
        line,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON build.rs converts is read into exactly the rules the YAML gives (a YAML scalar that
    /// JSON would type differently, say an unquoted number where a string is expected, fails here).
    #[test]
    fn embedded_json_reads_as_the_yaml() {
        let from_json = load_embedded().expect("embedded rules load");
        let yaml: Vec<(String, String)> = EMBEDDED_RULE_FILES
            .iter()
            .map(|(p, t, _)| (format!("rules/{p}"), t.to_string()))
            .collect();
        assert!(EMBEDDED_RULE_FILES.iter().all(|(_, _, j)| j.is_some()));
        let (from_yaml, diags) = parse_files(&yaml);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(from_json.len(), from_yaml.len());
        for (j, y) in from_json.iter().zip(&from_yaml) {
            assert_eq!(format!("{j:?}"), format!("{y:?}"));
        }
    }
}
