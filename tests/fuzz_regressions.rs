//! Replays every input the fuzzers found crashing (`tests/data/fuzz-regressions/<target>/*`) through the
//! same harness the fuzz targets run (`fuzz/src/lib.rs`, included here), so a fixed crash stays fixed
//! without nightly or cargo-fuzz.
#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::path::Path;

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("source", harness::source),
    ("pathmatch", harness::pathmatch),
    ("credential", harness::credential),
    ("export_json", harness::export_json),
    ("export_yaml", harness::export_yaml),
    ("export_n8n", harness::export_n8n),
    ("export_make", harness::export_make),
    ("export_postman", harness::export_postman),
    ("export_insomnia", harness::export_insomnia),
    ("export_highlevel", harness::export_highlevel),
    ("export_zapier", harness::export_zapier),
];

/// Runs `f` on a thread with the stack the scanner's walker threads get (2 MiB), so stack overflows
/// found by the fuzzer (which runs on the main thread's 8 MiB) reproduce here too.
fn on_walker_stack(f: Target, data: Vec<u8>) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || f(&data))
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn every_saved_fuzz_input_passes() {
    let root = Path::new("tests/data/fuzz-regressions");
    let mut ran = 0;
    for (name, f) in TARGETS {
        let dir = root.join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            if file.extension().is_some_and(|e| e == "md") {
                continue;
            }
            let data = std::fs::read(&file).unwrap();
            eprintln!("{}", file.display());
            on_walker_stack(*f, data);
            ran += 1;
        }
    }
    // Every target directory is known (a typo would silently skip a regression).
    for e in std::fs::read_dir(root).unwrap() {
        let e = e.unwrap();
        let n = e.file_name().to_string_lossy().into_owned();
        if e.path().is_dir() {
            assert!(
                TARGETS.iter().any(|(t, _)| *t == n),
                "unknown target dir {n}"
            );
        }
    }
    assert!(ran > 0, "no regression inputs found");
}

/// The seeds the harness grows from also pass (a smoke test of the harness itself).
#[test]
fn harness_accepts_the_fixtures() {
    for (target, path) in [
        (
            harness::export_n8n as Target,
            "fixtures/exports/n8n/v1-workflow/lead-intake.json",
        ),
        (
            harness::export_postman,
            "fixtures/exports/postman/v1-collection-env/GHL-V1.postman_collection.json",
        ),
        (
            harness::export_insomnia,
            "fixtures/exports/insomnia/v1-v4-yaml/insomnia.yaml",
        ),
        (
            harness::export_make,
            "fixtures/exports/make/v1-router-onerror/form-to-ghl.blueprint.json",
        ),
        (
            harness::export_zapier,
            "fixtures/exports/zapier/v1-webhooks/zapfile.json",
        ),
        (
            harness::export_highlevel,
            "fixtures/exports/highlevel/v1-custom-webhook/new-lead-sync.workflow.json",
        ),
    ] {
        target(&std::fs::read(path).unwrap());
    }
    harness::pathmatch(b"\x01https://rest.gohighlevel.com/v1/contacts/${id}/tasks?x=1");
    harness::credential(b"Authorization: Bearer pit-3f2a9c1e-7b4d-4e8a-9c2f-5d1e8b7a6c40");
    harness::source(b"\x00fetch('https://rest.gohighlevel.com/v1/contacts/' + id)\n");
}
