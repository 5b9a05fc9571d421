#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ghl_migrate_fuzz::program(data));
