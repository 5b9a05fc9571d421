#![no_main]
//! `--apply` on random small trees (symlinks, encodings, line endings, a concurrent edit): nothing is
//! written outside the root, every file is untouched or exactly the intended result. See `src/apply.rs`.
#[path = "../src/apply.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::run(data);
});
