//! Replays the committed fuzz corpus: every file under
//! `fuzz/corpus/<target>/` goes through its target (`fuzz/targets.rs`, the
//! same functions the cargo-fuzz binaries call). Building the fuzz crate is
//! too slow for CI, so this is how the fuzzers' findings are kept in every
//! `cargo test`. A target whose corpus folder is missing or empty fails the
//! test, so it can never pass by replaying nothing. See docs/FUZZING.md.

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

#[path = "../../fuzz/targets.rs"]
mod targets;

/// The files of one target's corpus, sorted so failures list in order.
fn corpus_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        fs::read_dir(dir).map_err(|err| format!("cannot read {}: {err}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|err| format!("cannot list {}: {err}", dir.display()))?
            .path();
        if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[test]
fn every_corpus_input_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join("corpus");
    let mut failures = Vec::new();
    let mut replayed = 0;

    // Panics are caught and reported per file below; the default hook
    // would print each one's message a second time.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    for (name, target) in targets::TARGETS {
        let dir = root.join(name);
        let files = match corpus_files(&dir) {
            Ok(files) if files.is_empty() => {
                failures.push(format!("{name}: the corpus {} is empty", dir.display()));
                continue;
            }
            Ok(files) => files,
            Err(err) => {
                failures.push(format!("{name}: {err}"));
                continue;
            }
        };
        for file in files {
            let data = match fs::read(&file) {
                Ok(data) => data,
                Err(err) => {
                    failures.push(format!("{name}: cannot read {}: {err}", file.display()));
                    continue;
                }
            };
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| target(&data))) {
                let message = payload
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| payload.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)");
                failures.push(format!("{name}: {} panicked: {message}", file.display()));
            }
            replayed += 1;
        }
    }
    panic::set_hook(hook);

    assert!(
        failures.is_empty(),
        "{} of the fuzz corpus failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(replayed > 0, "no corpus input was replayed");
}
