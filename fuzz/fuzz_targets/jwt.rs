//! Fuzz target `jwt`: see `fuzz/targets.rs` and docs/FUZZING.md.

#![no_main]

use libfuzzer_sys::fuzz_target;

// Shared with tests/it/fuzz_corpus.rs; this binary uses one of its targets.
#[path = "../targets.rs"]
#[allow(dead_code)]
mod targets;

fuzz_target!(|data: &[u8]| targets::jwt(data));
