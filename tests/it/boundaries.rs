//! Module boundaries that the design fixes, checked on the source's module
//! paths: every `use` (grouped `use crate::{engine::{…}}` included, expanded
//! to full paths) and every qualified path written in code (`std::fs::read`),
//! comments left out.
//!
//! - the engine names no UI (egui, eframe) and no app, CLI or demo code;
//! - the app names no networking, no files and no keychain: disk and
//!   keychain work goes through the bridge to `engine::store::workspace`;
//! - the demo provider shares no code with the engine;
//! - the command line names no UI.

use std::path::Path;

fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if dir.is_file() {
        let text = std::fs::read_to_string(dir).expect("readable source");
        out.push((dir.display().to_string(), text));
        return out;
    }
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

/// The text without comments (line comments and doc comments).
fn code(text: &str) -> String {
    text.lines()
        .map(|line| {
            let mut in_string = false;
            let bytes = line.as_bytes();
            let mut end = line.len();
            let mut i = 0;
            while i + 1 < bytes.len() {
                match bytes[i] {
                    b'"' if i == 0 || bytes[i - 1] != b'\\' => in_string = !in_string,
                    b'/' if !in_string && bytes[i + 1] == b'/' => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
                i += 1;
            }
            &line[..end]
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands one `use` tree (`a::{b, c::{d, e}}`) into full paths.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree
        .replace(" as ", "@")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let Some(open) = tree.find('{') else {
        return vec![tree.split('@').next().unwrap_or_default().to_string()];
    };
    let prefix = &tree[..open];
    let close = tree.rfind('}').filter(|c| *c > open).unwrap_or(tree.len());
    let inner = &tree[open + 1..close];
    // Split the group at top-level commas.
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|part| {
            expand(part)
                .into_iter()
                .map(move |rest| match rest.as_str() {
                    "self" => prefix.trim_end_matches("::").to_string(),
                    _ => format!("{prefix}{rest}"),
                })
        })
        .collect()
}

/// Every module path a file names: its `use` trees expanded, and the
/// qualified paths in its code.
fn paths(text: &str) -> Vec<String> {
    let code = code(text);
    let mut found = Vec::new();
    // `use` statements (a line starting with `use` or `pub … use`), however
    // they are split over lines.
    let lines: Vec<&str> = code.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        let line = line
            .strip_prefix("pub(crate) ")
            .or_else(|| line.strip_prefix("pub(super) "))
            .or_else(|| line.strip_prefix("pub "))
            .unwrap_or(line);
        if let Some(tree) = line.strip_prefix("use ") {
            let mut statement = tree.to_string();
            while !statement.contains(';') && i + 1 < lines.len() {
                i += 1;
                statement.push_str(lines[i]);
            }
            let end = statement.find(';').unwrap_or(statement.len());
            found.extend(expand(&statement[..end]));
        }
        i += 1;
    }
    // Qualified paths anywhere: `std::fs::read`, `crate::engine::store::keychain::…`.
    let mut word = String::new();
    for c in code.chars().chain(std::iter::once(' ')) {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
        } else {
            if word.contains("::") {
                found.push(word.trim_matches(':').to_string());
            }
            word.clear();
        }
    }
    found
}

/// Files under `dir` that name a path starting with one of `prefixes` or
/// containing one of `segments` as a path segment.
fn offenders(dir: &str, prefixes: &[&str], segments: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let files = sources(&root);
    assert!(!files.is_empty(), "no sources under {dir}");
    let mut out = Vec::new();
    for (file, text) in &files {
        for path in paths(text) {
            let normal = path
                .trim_start_matches("::")
                .replace("super::super::", "crate::");
            let by_prefix = prefixes
                .iter()
                .any(|p| normal == *p || normal.starts_with(&format!("{p}::")));
            let by_segment = normal.split("::").any(|s| segments.contains(&s));
            if by_prefix || by_segment {
                out.push(format!("{file}: {path}"));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn grouped_use_trees_are_expanded() {
    let text = "use crate::{engine::{keychain::Keychain, http}, app::x as y};\nfn f() { std::fs::read(\"a\"); } // crate::cli::z\n";
    let found = paths(text);
    assert!(
        found.contains(&"crate::engine::keychain::Keychain".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"crate::engine::http".to_string()),
        "{found:?}"
    );
    assert!(found.contains(&"crate::app::x".to_string()), "{found:?}");
    assert!(found.contains(&"std::fs::read".to_string()), "{found:?}");
    assert!(
        !found.iter().any(|p| p.contains("cli")),
        "comments are left out: {found:?}"
    );
}

#[test]
fn the_engine_names_no_ui_app_cli_or_demo() {
    let found = offenders(
        "src/engine",
        &["egui", "eframe", "crate::app", "crate::cli", "crate::demo"],
        &[],
    );
    assert!(
        found.is_empty(),
        "src/engine names the UI or a front end:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_app_names_no_networking_files_or_keychain() {
    let found = offenders(
        "src/app",
        &[
            "reqwest",
            "tokio::net",
            "axum",
            "std::fs",
            "tokio::fs",
            "std::net",
            "crate::cli",
        ],
        &[
            "keychain",
            "token_vault",
            "storage",
            "TcpListener",
            "TcpStream",
        ],
    );
    assert!(
        found.is_empty(),
        "src/app names networking, files or the keychain:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_demo_provider_shares_no_code_with_the_engine() {
    let found = offenders("src/demo", &["crate::engine"], &[]);
    assert!(
        found.is_empty(),
        "src/demo uses the engine:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_command_line_names_no_ui() {
    let found = offenders("src/cli", &["egui", "eframe", "crate::app"], &[]);
    assert!(
        found.is_empty(),
        "the command line names the UI:\n{}",
        found.join("\n")
    );
}
