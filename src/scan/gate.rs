//! What fails the CI gate, and where a finding sits for it (code, config, export vs. docs, comments, tests).
//!
//! The gate is red on V1 calls, V1 base URLs, V1 export nodes and V1 keys in code, config and exports, and
//! on every open `ghl-migrate:` marker; findings in docs, comments and tests are reported but fail only
//! when `--fail-on` names their context. Mentions never fail.
use super::finding::{Context, Finding, Kind};

/// Contexts that fail the gate on top of code, config and exports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FailOn {
    pub comment: bool,
    pub docs: bool,
    pub test: bool,
}

impl FailOn {
    /// `comment,docs,test` (or `all`).
    pub fn parse(list: &[String]) -> Result<FailOn, String> {
        let mut f = FailOn::default();
        for item in list.iter().flat_map(|s| s.split(',')) {
            match item.trim() {
                "comment" | "comments" => f.comment = true,
                "docs" | "doc" => f.docs = true,
                "test" | "tests" => f.test = true,
                "all" => {
                    f = FailOn {
                        comment: true,
                        docs: true,
                        test: true,
                    }
                }
                "" => {}
                other => {
                    return Err(format!(
                        "--fail-on {other:?}: expected comment, docs, test or all"
                    ));
                }
            }
        }
        Ok(f)
    }

    fn includes(self, c: Context) -> bool {
        match c {
            Context::Code | Context::Config | Context::Export => true,
            Context::Comment => self.comment,
            Context::Docs => self.docs,
            Context::Test => self.test,
        }
    }
}

/// Whether `f` keeps the gate red.
pub fn fails(f: &Finding, fail_on: FailOn) -> bool {
    if f.suppressed.is_some() {
        return false;
    }
    // An open marker is work a person still has to do, wherever it sits.
    if f.category == Some(super::markers::TODO) {
        return true;
    }
    let v1 = match f.kind {
        Kind::Call | Kind::BaseUrl | Kind::ExportNode => true,
        Kind::Credential => f.credential.as_ref().is_some_and(|c| c.kind.is_v1()),
        Kind::Mention => f.category == Some(super::half_migrated::CATEGORY),
    };
    v1 && fail_on.includes(f.context)
}

/// Test code by each ecosystem's conventions: `tests/`, `__tests__/`, `spec/`, `testdata/`, `*_test.go`,
/// `*.spec.ts`, `test_*.py`, `*Test.java`, `*_spec.rb`, `*.Tests.ps1` …
pub fn is_test_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split(['/', '\\']).collect();
    let (dirs, file) = parts.split_at(parts.len().saturating_sub(1));
    const DIRS: &[&str] = &[
        "test",
        "tests",
        "__tests__",
        "__test__",
        "spec",
        "specs",
        "__mocks__",
        "__fixtures__",
        "testdata",
        "test-data",
        "test_data",
        "e2e",
        "cypress",
        "testing",
    ];
    if dirs
        .iter()
        .any(|d| DIRS.contains(&d.to_ascii_lowercase().as_str()))
    {
        return true;
    }
    let Some(file) = file.first() else {
        return false;
    };
    let (stem, ext) = file.rsplit_once('.').unwrap_or((file, ""));
    let stem_lower = stem.to_ascii_lowercase();
    match ext {
        "go" | "dart" => stem.ends_with("_test"),
        "py" => stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest",
        "rb" => stem.ends_with("_spec") || stem.ends_with("_test"),
        "java" | "kt" | "cs" | "php" | "swift" => {
            stem.ends_with("Test") || stem.ends_with("Tests") || stem.ends_with("Spec")
        }
        "ps1" => stem_lower.ends_with(".tests"),
        "js" | "jsx" | "ts" | "tsx" | "mjs" | "cjs" | "mts" | "cts" | "vue" => {
            [".test", ".spec", ".e2e", ".cy"]
                .iter()
                .any(|s| stem_lower.ends_with(s))
        }
        _ => false,
    }
}

/// Counts what fails the gate and what was accepted, into the report's summary.
pub fn evaluate(report: &mut super::ScanReport, fail_on: FailOn) {
    let s = &mut report.summary;
    s.gate_failures = report.findings.iter().filter(|f| fails(f, fail_on)).count();
    s.suppressed = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .count();
}

/// Moves findings in test code to the `test` context (comments and docs keep theirs).
pub fn mark_tests(findings: &mut [Finding]) {
    for f in findings {
        if matches!(f.context, Context::Code | Context::Config | Context::Export)
            && is_test_path(&f.path)
        {
            f.context = Context::Test;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_paths_follow_each_ecosystem() {
        for p in [
            "tests/ghl.rs",
            "src/__tests__/client.js",
            "pkg/ghl/client_test.go",
            "app/test_client.py",
            "web/client.spec.ts",
            "web/client.test.jsx",
            "src/test/java/com/acme/GhlClientTest.java",
            "spec/ghl_spec.rb",
            "lib/ghl_test.dart",
            "Ghl.Tests.ps1",
            "testdata/export.json",
        ] {
            assert!(is_test_path(p), "{p}");
        }
        for p in [
            "src/ghl.rs",
            "src/contest.py",
            "latest/client.js",
            "src/testimonials.ts",
            "attestation_client.go",
        ] {
            assert!(!is_test_path(p), "{p}");
        }
    }

    #[test]
    fn fail_on_parses_lists() {
        let f = FailOn::parse(&["comment,docs".into(), "test".into()]).unwrap();
        assert!(f.comment && f.docs && f.test);
        assert!(FailOn::parse(&["prose".into()]).is_err());
    }
}
