//! Module boundaries that the design fixes, checked on the source: the engine
//! never names egui, and the app never names networking.

use std::path::Path;

fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("readable source");
            out.push((path.display().to_string(), text));
        }
    }
    out
}

fn offenders(dir: &str, words: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let files = sources(&root);
    assert!(!files.is_empty(), "no sources under {dir}");
    files
        .iter()
        .flat_map(|(path, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| words.iter().any(|w| line.contains(w)))
                .map(move |(i, line)| format!("{path}:{}: {}", i + 1, line.trim()))
        })
        .collect()
}

#[test]
fn the_engine_never_mentions_egui() {
    let found = offenders("src/engine", &["egui", "eframe"]);
    assert!(
        found.is_empty(),
        "src/engine names the UI:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_app_never_names_networking() {
    let found = offenders(
        "src/app",
        &["reqwest", "tokio::net", "axum", "TcpListener", "TcpStream"],
    );
    assert!(
        found.is_empty(),
        "src/app names networking:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_demo_provider_shares_no_code_with_the_engine() {
    let found = offenders("src/demo", &["crate::engine", "super::super::engine"]);
    assert!(
        found.is_empty(),
        "src/demo uses the engine:\n{}",
        found.join("\n")
    );
}
