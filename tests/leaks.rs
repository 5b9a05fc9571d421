//! No key is printed: one test per leak class found under attack (issue #18). Each writes a synthetic
//! tree holding a key in one of the forms the attack used, runs `scan` in every format and `diff`, and
//! requires that no run of 10 characters of the key (in any case) shows in stdout or stderr. Every key
//! here is synthetic.
mod support;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ghl_migrate::credential::synthetic_jwt;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use support::{bin, tree};

const FORMATS: &[&str] = &["text", "json", "sarif", "csv", "markdown"];

/// A synthetic V1 location key.
fn v1_key() -> String {
    synthetic_jwt(r#"{"location_id":"LOCsyntheticLeak0001","version":1,"iat":1700000000000}"#)
}

/// Fails when any 10-character run of `secret` appears in `shown`, ignoring case.
fn assert_hidden(shown: &str, secret: &str, what: &str) {
    let lower = shown.to_ascii_lowercase();
    let s = secret.to_ascii_lowercase();
    for i in 0..s.len().saturating_sub(9) {
        let frag = &s[i..i + 10];
        assert!(
            !lower.contains(frag),
            "{what}: {frag:?} of the key is shown:\n{shown}"
        );
    }
}

/// Everything `scan` (every format) and `diff` print for `dir`.
fn every_output(dir: &Path) -> Vec<(String, String)> {
    let mut outs = Vec::new();
    for f in FORMATS {
        let o = bin()
            .args(["scan", "--format", f])
            .arg(dir)
            .output()
            .unwrap();
        assert_ne!(o.status.code(), Some(2), "scan --format {f} failed");
        outs.push((
            format!("scan --format {f}"),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        ));
    }
    let o = bin().arg("diff").arg(dir).output().unwrap();
    outs.push((
        "diff".into(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    ));
    outs
}

fn assert_never_shown(files: &[(&str, String)], secrets: &[&str]) {
    let dir = tree(files);
    for (what, shown) in every_output(dir.path()) {
        for s in secrets {
            assert_hidden(&shown, s, &what);
        }
    }
}

const CALL_JS: &str = "fetch('https://rest.gohighlevel.com/v1/contacts/', { headers });\n";

#[test]
fn leak_setting_name_values_are_hidden() {
    let uuid = "8c0e6a4e-5d2b-4f1a-9e3c-7b6a5d4c3b21"; // synthetic
    let opaque = "Zk3qP9x2Lm7vR4tY8wB1nQ5s"; // synthetic
    for name in [
        "LEADCONNECTOR_TOKEN",
        "GO_HIGH_LEVEL_KEY",
        "GHL_AGENCY_KEY",
        "HIGHLEVEL_V1_KEY",
        "ACME_GHL_API_KEY",
    ] {
        let env = format!(
            "# synthetic\n{name}={uuid}\n{name}_2=\"{opaque}\"\nGHL_BASE_URL=https://rest.gohighlevel.com/v1\n"
        );
        let js =
            format!("// synthetic\nconst {name} = '{opaque}';\nconst headers = {{}};\n{CALL_JS}");
        assert_never_shown(&[(".env", env), ("app.js", js)], &[uuid, opaque]);
    }
}

#[test]
fn leak_concatenated_jwt_is_hidden() {
    let key = v1_key();
    let parts: Vec<&str> = key.split('.').collect();
    let js = format!(
        "// synthetic\nconst headers = {{ Authorization: 'Bearer ' + '{}.' + '{}' + '.{}' }};\n{CALL_JS}",
        parts[0], parts[1], parts[2]
    );
    let py = format!(
        "# synthetic\nimport requests\nKEY = ('{}.{}'\n       '.{}')\nrequests.get('https://rest.gohighlevel.com/v1/contacts/', headers={{'Authorization': 'Bearer ' + KEY}})\n",
        parts[0], parts[1], parts[2]
    );
    assert_never_shown(&[("a.js", js), ("b.py", py)], &[parts[1], parts[2]]);
}

#[test]
fn leak_url_encoded_base64_and_basic_forms_are_hidden() {
    let pit = "pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c41"; // synthetic
    let key = v1_key();
    let std_alphabet = key.replace('-', "+").replace('_', "/");
    let double = STANDARD.encode(&key);
    let basic = STANDARD.encode("user:8c0e6a4e-5d2b-4f1a-9e3c-7b6a5d4c3b22");
    let py = format!(
        "# synthetic\nimport requests\nrequests.get('https://rest.gohighlevel.com/v1/contacts/?auth=Bearer%20{pit}')\n\
         std = '{std_alphabet}'\nb = '{double}'\n\
         requests.get('https://rest.gohighlevel.com/v1/users/', headers={{'Authorization': 'Basic {basic}'}})\n"
    );
    assert_never_shown(
        &[("enc.py", py)],
        &[&pit[4..], &std_alphabet, &double, &basic],
    );
}

#[test]
fn leak_uuid_in_a_bearer_variable_is_hidden() {
    let uuid = "8c0e6a4e-5d2b-4f1a-9e3c-7b6a5d4c3b23"; // synthetic
    let js = format!(
        "// synthetic\nconst auth = '{uuid}';\nconst x = 1;\n\nfetch('https://rest.gohighlevel.com/v1/contacts/', {{ headers: {{ Authorization: `Bearer ${{auth}}` }} }});\n"
    );
    assert_never_shown(&[("app.js", js)], &[uuid]);
}

#[test]
fn leak_key_used_as_a_file_name_is_hidden() {
    let key = v1_key();
    let name = format!("keys/{}.txt", key.split('.').nth(1).unwrap());
    let body = format!(
        "curl https://rest.gohighlevel.com/v1/contacts/ -H 'Authorization: Bearer {key}'\n"
    );
    assert_never_shown(&[(&name, body)], &[&key]);
}

#[test]
fn leak_diff_context_never_shows_a_key() {
    // The key sits two lines above a rewritten call: inside the patch's context.
    let uuid = "8c0e6a4e-5d2b-4f1a-9e3c-7b6a5d4c3b24"; // synthetic
    let js = format!(
        "// synthetic\nconst GHL_API_KEY = '{uuid}';\nconst headers = {{ Authorization: `Bearer ${{GHL_API_KEY}}` }};\n{CALL_JS}"
    );
    let dir = tree(&[("app.js", js)]);
    let o = bin().arg("diff").arg(dir.path()).output().unwrap();
    let patch = String::from_utf8_lossy(&o.stdout);
    assert!(
        patch.contains("+fetch('https://services.leadconnectorhq.com/contacts/'"),
        "{patch}"
    );
    assert_hidden(&patch, uuid, "diff");
}

#[test]
fn leak_tokens_in_the_wrong_argument_are_never_echoed() {
    let pit = "pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c42"; // synthetic
    let key = v1_key();
    let bearer = format!("Bearer {pit}");
    let cases: Vec<Vec<&str>> = vec![
        vec!["verify", "--location", "Loc1", "--token-file", pit],
        vec!["verify", "--location", "Loc1", "--tokens", pit],
        vec!["verify", "--plan", &key],
        vec!["verify", "--location", "Loc1", "--base-url", pit],
        vec!["verify", "--location", "Loc1", "--format", pit],
        vec!["verify", "--location", "Loc1", &bearer],
        vec!["verify", "--location", "Loc1", "--token-env", &bearer],
        vec!["scan", "--format", &key],
        vec!["scan", &key],
        vec!["diff", "--rule", pit, "."],
    ];
    for args in cases {
        let o = bin().args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert_hidden(&shown, &pit[4..], &format!("{args:?}"));
        assert_hidden(&shown, key.split('.').nth(1).unwrap(), &format!("{args:?}"));
    }
}

/// A server that answers every request 401 and echoes the bearer it got: cut, upper-cased and split.
fn echoing_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut token = String::new();
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                if let Some(v) = line
                    .to_ascii_lowercase()
                    .strip_prefix("authorization: bearer ")
                {
                    let at = line.len() - v.len();
                    token = line[at..].trim().to_string();
                }
                line.clear();
            }
            let half = token.len() / 2;
            let body = format!(
                r#"{{"statusCode":401,"message":"Invalid token {} / {} | {} … {}","traceId":"{}"}}"#,
                token.to_ascii_uppercase(),
                &token[..half.min(token.len())],
                &token[half.min(token.len())..],
                &token[..token.len().saturating_sub(3)],
                URL_SAFE_NO_PAD.encode(&token),
            );
            let mut s = stream;
            let _ = write!(
                s,
                "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}

#[test]
fn leak_server_echoes_of_the_token_are_hidden() {
    let pit = "pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c43"; // synthetic
    let url = echoing_server();
    for format in ["text", "json"] {
        let o = bin()
            .args([
                "verify",
                "--location",
                "Loc1",
                "--scopes",
                "contacts.readonly",
            ])
            .args(["--token-env", "T", "--base-url", &url, "--format", format])
            .args([
                "--timeout",
                "2",
                "--retry-base-ms",
                "10",
                "--max-wait-ms",
                "200",
            ])
            .env("T", pit)
            .output()
            .unwrap();
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert_ne!(o.status.code(), Some(0), "{shown}");
        assert!(
            shown.to_ascii_lowercase().contains("invalid token"),
            "{shown}"
        );
        assert_hidden(&shown, &pit[4..], format);
    }
}
