//! Hostile trees through `ghl-migrate scan`: every case completes without a panic (exit 0 or 1, never
//! 101), lists what it could not read under `skipped` with a reason, and still scans the other files of the
//! same tree. Trees are built in temp dirs at test time (nothing large is committed).
use ghl_migrate::rules::RuleSet;
use ghl_migrate::scan::{self, WalkOptions, walk};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

mod support;
use support::bin;

const V1_CALL: &str = "fetch('https://rest.gohighlevel.com/v1/contacts/' + id)\n";

fn write(dir: &Path, rel: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, bytes).unwrap();
    p
}

/// Runs `scan --format json` and checks the exit code is a verdict (0/1), not a crash or an error.
fn scan_json(dir: &Path, extra: &[&str]) -> Value {
    let out = bin()
        .args(["scan", "--format", "json", "-q"])
        .args(extra)
        .arg(dir)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "exit {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["summary"]["skipped"].as_u64().unwrap() as usize,
        v["skipped"].as_array().unwrap().len(),
        "summary.skipped counts the skipped list"
    );
    v
}

fn findings<'a>(v: &'a Value, path: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == path)
        .collect()
}

fn skip_reason(v: &Value, path_end: &str) -> Option<String> {
    v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"].as_str().unwrap().ends_with(path_end))
        .map(|s| s["reason"].as_str().unwrap().to_string())
}

fn warning(v: &Value, path: &str) -> Option<String> {
    v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == path)
        .map(|s| s["reason"].as_str().unwrap().to_string())
}

/// The control file every tree has: it must always be reported.
fn assert_good_scanned(v: &Value) {
    let f = findings(v, "good.js");
    assert_eq!(f.len(), 1, "good.js still scanned: {v}");
    assert_eq!(f[0]["rule"], "contacts.get");
}

fn utf16(text: &str, le: bool) -> Vec<u8> {
    let bom: [u8; 2] = if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] };
    bom.into_iter()
        .chain(
            text.encode_utf16()
                .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() }),
        )
        .collect()
}

#[test]
fn invalid_utf8_is_scanned_with_a_warning() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.js", V1_CALL.as_bytes());
    write(
        d.path(),
        "latin1.js",
        b"// r\xe9sum\xe9 \xff\xfe\xfd\n\n// \xc3\x28\nfetch('https://rest.gohighlevel.com/v1/users/')\n",
    );
    let v = scan_json(d.path(), &[]);
    assert_good_scanned(&v);
    let f = findings(&v, "latin1.js");
    assert_eq!(f[0]["line"], 4);
    assert_eq!(f[0]["rule"], "users.list");
    assert_eq!(
        warning(&v, "latin1.js").as_deref(),
        Some("invalid UTF-8 replaced")
    );
}

#[test]
fn utf16_with_a_bom_is_decoded_both_byte_orders() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.js", V1_CALL.as_bytes());
    let text = "# é\r\n\r\nurl = \"https://rest.gohighlevel.com/v1/users/\"\r\n";
    write(d.path(), "le.py", &utf16(text, true));
    write(d.path(), "be.py", &utf16(text, false));
    // An odd trailing byte (a truncated file) does not break decoding.
    let mut odd = utf16(text, true);
    odd.push(b'x');
    write(d.path(), "odd.py", &odd);
    let v = scan_json(d.path(), &[]);
    assert_good_scanned(&v);
    for name in ["le.py", "be.py", "odd.py"] {
        let f = findings(&v, name);
        assert_eq!(f.len(), 1, "{name}: {v}");
        assert_eq!(f[0]["line"], 3, "{name}");
        assert_eq!(f[0]["column"], 8, "{name}");
        assert_eq!(f[0]["v1_path"], "/v1/users", "{name}");
        assert_eq!(
            warning(&v, name).as_deref(),
            Some("UTF-16 decoded"),
            "{name}"
        );
    }
}

#[test]
fn utf16_without_a_bom_is_decoded_too() {
    // Windows tools write UTF-16LE, sometimes without a BOM: every other byte is NUL.
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.js", V1_CALL.as_bytes());
    let text = "$u = 'https://rest.gohighlevel.com/v1/pipelines/'\r\nInvoke-RestMethod $u\r\n";
    write(d.path(), "le.sh", &utf16(text, true)[2..]);
    write(d.path(), "be.sh", &utf16(text, false)[2..]);
    let v = scan_json(d.path(), &[]);
    assert_good_scanned(&v);
    for name in ["le.sh", "be.sh"] {
        let f = findings(&v, name);
        assert_eq!(f.len(), 1, "{name}: {v}");
        assert_eq!(f[0]["line"], 1);
        assert_eq!(f[0]["v1_path"], "/v1/pipelines/");
        assert!(
            warning(&v, name).unwrap().starts_with("UTF-16"),
            "{name}: {v}"
        );
    }
}

#[test]
fn nul_laden_binary_with_a_source_name_is_skipped() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.js", V1_CALL.as_bytes());
    let mut bytes: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
    bytes.splice(
        1000..1000,
        b"https://rest.gohighlevel.com/v1/contacts/".iter().copied(),
    );
    write(d.path(), "blob.js", &bytes);
    // A binary with no HighLevel literal is not even reported (rejected by the prefilter).
    write(d.path(), "noise.js", &vec![0u8; 4096]);
    let v = scan_json(d.path(), &[]);
    assert_good_scanned(&v);
    assert!(findings(&v, "blob.js").is_empty());
    assert_eq!(
        skip_reason(&v, "blob.js").as_deref(),
        Some("binary file (NUL byte)")
    );
    assert!(skip_reason(&v, "noise.js").is_none());
}

#[test]
fn fifty_megabyte_minified_line() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.js", V1_CALL.as_bytes());
    let target = 50 << 20;
    let mut js = String::with_capacity(target + 200);
    let chunk = "var a=function(b){return b+1};";
    while js.len() < target / 2 {
        js.push_str(chunk);
    }
    js.push_str("fetch(\"https://rest.gohighlevel.com/v1/surveys/\");");
    while js.len() < target {
        js.push_str(chunk);
    }
    write(d.path(), "bundle.min.js", js.as_bytes());
    drop(js);
    // Over the default 4 MiB limit: never read whole, but streamed through the prefilter; the call is
    // found at its place in the file and the caveat is a warning, not a skip.
    let v = scan_json(d.path(), &[]);
    assert_good_scanned(&v);
    assert_eq!(skip_reason(&v, "bundle.min.js"), None);
    let why = warning(&v, "bundle.min.js").unwrap();
    assert!(
        why.contains("--max-filesize") && why.contains("searched"),
        "{why}"
    );
    let f = findings(&v, "bundle.min.js");
    assert_eq!(f.len(), 1, "{:?}", f);
    assert_eq!(f[0]["rule"], "surveys.list");
    assert_eq!(f[0]["line"], 1);
    let streamed_column = f[0]["column"].as_u64().unwrap();
    assert_eq!(
        streamed_column as usize,
        (target / 2).div_ceil(chunk.len()) * chunk.len() + "fetch(\"".len() + 1
    );
    assert!(v["summary"]["bytes_read"].as_u64().unwrap() < 1 << 20);
    #[cfg(target_os = "linux")]
    {
        let peak = peak_rss_kib(d.path(), &[]);
        assert!(
            peak < 40 << 10,
            "peak RSS {peak} KiB: the 50 MB file was read"
        );
    }
    // Allowed in: scanned in one go, the call found, the snippet kept short.
    let started = std::time::Instant::now();
    let v = scan_json(d.path(), &["--max-filesize", "64M"]);
    assert_good_scanned(&v);
    let f = findings(&v, "bundle.min.js");
    assert_eq!(f.len(), 1, "{:?}", f);
    assert_eq!(f[0]["rule"], "surveys.list");
    assert_eq!(f[0]["line"], 1);
    assert_eq!(f[0]["column"].as_u64().unwrap(), streamed_column);
    assert!(f[0]["snippet"].as_str().unwrap_or("").len() < 1000);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(90),
        "took {:?}",
        started.elapsed()
    );
}

/// The scan's peak resident memory (KiB), sampled from /proc while it runs: a lower bound of the real
/// peak, so an assertion that it stays small cannot fail spuriously.
#[cfg(target_os = "linux")]
fn peak_rss_kib(dir: &Path, extra: &[&str]) -> u64 {
    let exe = assert_cmd::cargo::cargo_bin("ghl-migrate");
    let mut child = std::process::Command::new(exe)
        .args(["scan", "--format", "json", "-q", "--exit-zero"])
        .args(extra)
        .arg(dir)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(s) = fs::read_to_string(&status)
            && let Some(l) = s.lines().find(|l| l.starts_with("VmHWM:"))
        {
            let kib: u64 = l.split_whitespace().nth(1).unwrap().parse().unwrap();
            peak = peak.max(kib);
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    peak
}

#[test]
fn reading_is_bounded_by_max_filesize() {
    // A file whose size says nothing (a device, /proc) cannot make the reader read past the limit.
    if Path::new("/dev/zero").exists() {
        let why = walk::read_bytes(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(why.contains("--max-filesize"), "{why}");
    }
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "x.js", &[b'a'; 10_001]);
    assert!(walk::read_bytes(&p, 10_000).is_err());
    assert_eq!(walk::read_bytes(&p, 10_001).unwrap().len(), 10_001);
}

#[cfg(unix)]
#[test]
fn symlink_loops_with_and_without_follow() {
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(p, "good.js", V1_CALL.as_bytes());
    write(p, "sub/inner.js", V1_CALL.as_bytes());
    symlink(p, p.join("sub/up")).unwrap(); // a loop back to the root
    symlink("self", p.join("self")).unwrap(); // a link to itself
    symlink("missing.js", p.join("dangling.js")).unwrap();
    symlink("b.js", p.join("a.js")).unwrap();
    symlink("a.js", p.join("b.js")).unwrap(); // a two-link cycle with source names

    let v = scan_json(p, &[]);
    assert_good_scanned(&v);
    assert_eq!(findings(&v, "sub/inner.js").len(), 1);

    let v = scan_json(p, &["--follow"]);
    assert_good_scanned(&v);
    assert_eq!(findings(&v, "sub/inner.js").len(), 1);
    let skipped = v["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["reason"].as_str().unwrap().contains("symlink loop")),
        "{skipped:?}"
    );
    for name in ["self", "dangling.js", "a.js", "b.js"] {
        let why = skip_reason(&v, name).unwrap_or_else(|| panic!("{name}: {skipped:?}"));
        assert!(why.contains("symlink"), "{name}: {why}");
        assert!(!why.contains("vanished"), "{name}: {why}");
    }
}

#[cfg(unix)]
#[test]
fn permission_denied_file_and_directory() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(p, "good.js", V1_CALL.as_bytes());
    let f = write(p, "locked.js", V1_CALL.as_bytes());
    write(p, "closed/inner.js", V1_CALL.as_bytes());
    fs::set_permissions(&f, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(p.join("closed"), fs::Permissions::from_mode(0o000)).unwrap();
    let as_root = fs::read(&f).is_ok();
    let v = scan_json(p, &[]);
    // Restore so the temp dir can be removed.
    fs::set_permissions(p.join("closed"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
    assert_good_scanned(&v);
    if as_root {
        return; // root reads everything: nothing to skip
    }
    assert_eq!(
        skip_reason(&v, "locked.js").as_deref(),
        Some("permission denied")
    );
    assert_eq!(
        skip_reason(&v, "closed").as_deref(),
        Some("permission denied")
    );
}

#[test]
fn permission_and_vanishing_reasons_from_the_reader() {
    let d = tempfile::tempdir().unwrap();
    let gone = d.path().join("gone.js");
    assert_eq!(
        walk::read_bytes(&gone, 1 << 20).unwrap_err(),
        "vanished while scanning"
    );
    // A directory where a file was expected.
    let why = walk::read_bytes(d.path(), 1 << 20).unwrap_err();
    assert!(why.contains("directory"), "{why}");
}

/// Files deleted between the directory listing and their read are skipped as vanished, the rest scanned.
#[test]
fn files_vanishing_while_scanning() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().to_path_buf();
    for i in 0..300 {
        write(&p, &format!("f{i:03}.js"), V1_CALL.as_bytes());
    }
    let opts = WalkOptions {
        threads: 1,
        ..WalkOptions::default()
    };
    let deleted = std::sync::atomic::AtomicBool::new(false);
    // The progress callback runs every 256 files, before that file is read: delete everything then.
    let progress = |_n: usize| {
        if !deleted.swap(true, std::sync::atomic::Ordering::SeqCst) {
            for e in fs::read_dir(&p).unwrap() {
                fs::remove_file(e.unwrap().path()).unwrap();
            }
        }
    };
    let report = scan::scan(
        std::slice::from_ref(&p),
        &opts,
        &RuleSet::embedded(),
        Some(&progress),
    );
    assert!(deleted.load(std::sync::atomic::Ordering::SeqCst));
    let vanished = report
        .skipped
        .iter()
        .filter(|s| s.reason == "vanished while scanning")
        .count();
    assert_eq!(report.summary.files_seen, 300);
    assert_eq!(report.summary.files_read, 255);
    assert_eq!(vanished, 45, "{:?}", report.skipped);
    assert_eq!(report.findings.len(), 255);
}

#[test]
fn crlf_and_mixed_line_endings_keep_exact_lines() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.js", V1_CALL.as_bytes());
    write(
        d.path(),
        "crlf.js",
        b"// one\r\n// two\r\n\r\nconst a = 'https://rest.gohighlevel.com/v1/tags/';\r\n// five\r\nfetch('https://rest.gohighlevel.com/v1/forms/')\r\n",
    );
    write(
        d.path(),
        "mixed.py",
        b"# 1\n# 2\r\n\n# 4\r\n\r\nrequests.get('https://rest.gohighlevel.com/v1/users/')\n\r\n# 8\nrequests.post(\"https://rest.gohighlevel.com/v1/contacts/\")\r\n",
    );
    let v = scan_json(d.path(), &[]);
    assert_good_scanned(&v);
    let lines = |path: &str| -> Vec<(u64, u64)> {
        let mut l: Vec<(u64, u64)> = findings(&v, path)
            .iter()
            .filter(|f| f["kind"] == "call")
            .map(|f| (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap()))
            .collect();
        l.sort();
        l
    };
    // Calls sit where the sending call starts; the constant no request sends is a base URL.
    assert_eq!(lines("crlf.js"), vec![(6, 1)], "{v}");
    assert_eq!(lines("mixed.py"), vec![(6, 1), (9, 1)], "{v}");
    let constant: Vec<(u64, u64)> = findings(&v, "crlf.js")
        .iter()
        .filter(|f| f["kind"] == "base_url")
        .map(|f| (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap()))
        .collect();
    assert_eq!(constant, vec![(4, 12)], "{v}");
    for f in v["findings"].as_array().unwrap() {
        assert!(
            !f["snippet"].as_str().unwrap_or("").contains('\r'),
            "snippet keeps a CR: {f}"
        );
    }
}

#[test]
fn odd_names_and_shapes() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(p, "good.js", V1_CALL.as_bytes());
    write(p, "empty.js", b"");
    write(p, "bom-only.js", b"\xEF\xBB\xBF");
    write(p, "utf16-bom-only.js", b"\xFF\xFE");
    fs::create_dir_all(p.join("dir.js")).unwrap();
    // Deeply nested code in every syntax: no stack overflow.
    let deep = format!(
        "{}'https://rest.gohighlevel.com/v1/tags/'{}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    for ext in ["js", "py", "rs", "php", "go", "json", "yaml", "md"] {
        write(p, &format!("deep.{ext}"), deep.as_bytes());
    }
    write(
        p,
        "braces.rs",
        format!(
            "fn f() {}let u = \"https://rest.gohighlevel.com/v1/tags/\";{}",
            "{".repeat(100_000),
            "}".repeat(100_000)
        )
        .as_bytes(),
    );
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.js");
        fs::write(p.join(name), V1_CALL).unwrap();
    }
    let v = scan_json(p, &[]);
    assert_good_scanned(&v);
    for ext in ["js", "py", "rs", "php", "go", "json", "yaml", "md"] {
        assert!(
            !findings(&v, &format!("deep.{ext}")).is_empty(),
            "deep.{ext}: {v}"
        );
    }
    assert!(!findings(&v, "braces.rs").is_empty());
    #[cfg(unix)]
    assert_eq!(findings(&v, "caf\u{FFFD}.js").len(), 1, "{v}");
}

#[cfg(unix)]
#[test]
fn fifo_with_a_source_name_does_not_hang() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.js", V1_CALL.as_bytes());
    let fifo = d.path().join("pipe.js");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return; // no mkfifo here
    }
    let v = scan_json(d.path(), &["--follow"]);
    assert_good_scanned(&v);
}
