//! Setting names that suggest a HighLevel credential (`GHL_API_KEY`, `GO_HIGH_LEVEL_KEY`,
//! `LEADCONNECTOR_TOKEN`): where config declares them without a key in sight (empty, a placeholder, a CI
//! secret reference) they are still where the V1 key lives at deploy time, so they are reported at low
//! confidence and linked to the code that reads them.
use super::finding::{Confidence, Context, Finding, Kind};
use regex::Regex;
use std::sync::OnceLock;

/// The finding category for credential setting names.
pub const CATEGORY: &str = "credential_setting";
/// The finding category for a setting naming the location (sub-account) id.
pub const LOCATION: &str = "location_setting";

fn location_name_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(?i:ghl|go_?high_?level|high_?level|lead_?connector)(?:_[A-Za-z0-9]+)*?_(?i:location_?id|sub_?account_?id)$").unwrap()
    })
}

/// `GHL_LOCATION_ID=Ks8Lm2Nb4Vc6Xz0Qw1Er`: the setting name and the id, when the value looks like one
/// (HighLevel ids are 20–24 letters and digits; placeholders are not).
pub fn location_setting<'v>(key: &str, value: &'v str) -> Option<&'v str> {
    let v = value.trim().trim_matches(['"', '\'']);
    let id_like = (20..=24).contains(&v.len())
        && v.bytes().all(|b| b.is_ascii_alphanumeric())
        && v.bytes().any(|b| b.is_ascii_digit())
        && v.bytes().any(|b| b.is_ascii_uppercase());
    (location_name_re().is_match(key) && id_like).then_some(v)
}

fn name_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // A HighLevel prefix, optional middle words, a credential word at the end.
    RE.get_or_init(|| {
        Regex::new(r"\b((?i:ghl|go_?high_?level|high_?level|lead_?connector)(?:_[A-Za-z0-9]+)*?_(?i:api_?key|key|token|access_?token|pit|bearer|auth_?token|private_?integration_?token))\b").unwrap()
    })
}

/// The setting name if `key` (a config key or identifier, whole) names a HighLevel credential.
pub fn credential_name(key: &str) -> Option<&str> {
    let m = name_re().find(key)?;
    (m.start() == 0 && m.end() == key.len()).then_some(key)
}

/// One place code reads a credential setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub name: String,
    pub path: String,
    pub line: usize,
}

/// The setting a config line defines: `GHL_BASE_URL=…`, `export GHL_BASE_URL=…`, `base_url: …`,
/// `ghl.base-url=…` (`.properties` keys whole, YAML keys without their parents).
pub fn config_key(line: &str) -> Option<&str> {
    static KEY: OnceLock<Regex> = OnceLock::new();
    let re = KEY.get_or_init(|| {
        Regex::new(r#"^\s*(?:export\s+)?['"]?([A-Za-z_][A-Za-z0-9_.-]*)['"]?\s*[=:]"#)
            .expect("static regex")
    });
    re.captures(line)?.get(1).map(|m| m.as_str())
}

/// Reads of credential settings in code: the name on a line that also reads the environment or a
/// config (`process.env.X`, `os.getenv("X")`, `env('X')`, `ENV["X"]`, `${X}`, `$X`,
/// `Environment.GetEnvironmentVariable("X")`, `config("services.X")`).
pub fn reads(rel: &str, src: &str) -> Vec<Read> {
    let mut out = Vec::new();
    for (i, line) in src.lines().enumerate() {
        for c in name_re().captures_iter(line) {
            let m = c.get(1).unwrap();
            let before = &line[..m.start()];
            let lower = line.to_ascii_lowercase();
            let reads_env = lower.contains("env")
                || lower.contains("config")
                || lower.contains("secret")
                || before.ends_with('$')
                || before.ends_with("${");
            if reads_env
                && !out
                    .iter()
                    .any(|r: &Read| r.name == m.as_str() && r.line == i + 1)
            {
                out.push(Read {
                    name: m.as_str().to_string(),
                    path: rel.to_string(),
                    line: i + 1,
                });
            }
        }
    }
    out
}

/// The finding for a credential setting declared in config without a key value.
pub fn finding(rel: &str, line: usize, column: usize, name: &str, snippet: String) -> Finding {
    let mut f = Finding::new(Kind::Mention, rel, line, column, Context::Config);
    f.category = Some(CATEGORY);
    f.confidence = Confidence::Low;
    f.setting = Some(name.to_string());
    f.snippet = snippet;
    f.note = Some(format!(
        "`{name}` looks like the setting that holds the HighLevel key (no key value here): at cutover it must hold the V2 credential"
    ));
    f
}

/// Appends "read by …" to every setting finding whose name code reads.
pub fn link(findings: &mut [Finding], reads: &[Read]) {
    for f in findings.iter_mut() {
        let Some(name) = f.setting.as_deref() else {
            continue;
        };
        let mut places: Vec<(&str, usize)> = reads
            .iter()
            .filter(|r| r.name == name && r.path != f.path)
            .map(|r| (r.path.as_str(), r.line))
            .collect();
        if places.is_empty() {
            continue;
        }
        places.sort();
        places.dedup();
        let mut by: Vec<String> = places.iter().map(|(p, l)| format!("{p}:{l}")).collect();
        f.read_by = by.clone();
        let more = by.len().saturating_sub(5);
        by.truncate(5);
        let list = if more > 0 {
            format!("{} and {more} more", by.join(", "))
        } else {
            by.join(", ")
        };
        let note = f.note.get_or_insert_with(String::new);
        if !note.is_empty() {
            note.push_str("; ");
        }
        note.push_str(&format!("read by {list}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for yes in [
            "GHL_API_KEY",
            "GHL_KEY",
            "GO_HIGH_LEVEL_KEY",
            "GOHIGHLEVEL_API_TOKEN",
            "HIGHLEVEL_LOCATION_API_KEY",
            "LEADCONNECTOR_TOKEN",
            "GHL_PIT",
            "ghl_api_key",
            "GHL_ACCESS_TOKEN",
        ] {
            assert_eq!(credential_name(yes), Some(yes), "{yes}");
        }
        for no in [
            "GHL_LOCATION_ID",
            "GHL_BASE_URL",
            "API_KEY",
            "MY_GHL_API_KEY_FILE",
            "GHLX_KEY",
            "GHL_KEYS_PATH",
        ] {
            assert_eq!(credential_name(no), None, "{no}");
        }
    }

    #[test]
    fn location_settings() {
        assert_eq!(
            location_setting("GHL_LOCATION_ID", "Ks8Lm2Nb4Vc6Xz0Qw1Er"),
            Some("Ks8Lm2Nb4Vc6Xz0Qw1Er")
        );
        assert_eq!(
            location_setting("HIGHLEVEL_SUBACCOUNT_ID", " \"Ks8Lm2Nb4Vc6Xz0Qw1Er\""),
            Some("Ks8Lm2Nb4Vc6Xz0Qw1Er")
        );
        assert_eq!(
            location_setting("GHL_LOCATION_ID", "your_location_id_here"),
            None
        );
        assert_eq!(
            location_setting("LOCATION_ID", "Ks8Lm2Nb4Vc6Xz0Qw1Er"),
            None
        );
    }

    #[test]
    fn code_reads_are_found_with_their_line() {
        let src = "const k = process.env.GHL_API_KEY;\nconst GHL_API_KEY_LABEL = 'x';\nkey = os.getenv(\"GO_HIGH_LEVEL_KEY\")\ncurl -H \"Authorization: Bearer $GHL_TOKEN\"\n";
        let r = reads("a.js", src);
        let got: Vec<(&str, usize)> = r.iter().map(|r| (r.name.as_str(), r.line)).collect();
        assert_eq!(
            got,
            vec![
                ("GHL_API_KEY", 1),
                ("GO_HIGH_LEVEL_KEY", 3),
                ("GHL_TOKEN", 4)
            ]
        );
    }

    #[test]
    fn links_name_other_files() {
        let mut f = vec![finding(".env", 1, 1, "GHL_API_KEY", "GHL_API_KEY=".into())];
        let reads = vec![
            Read {
                name: "GHL_API_KEY".into(),
                path: "src/a.js".into(),
                line: 3,
            },
            Read {
                name: "GHL_TOKEN".into(),
                path: "src/b.js".into(),
                line: 1,
            },
        ];
        link(&mut f, &reads);
        assert!(
            f[0].note
                .as_deref()
                .unwrap()
                .ends_with("read by src/a.js:3")
        );
        assert_eq!(f[0].read_by, vec!["src/a.js:3"]);
    }
}
