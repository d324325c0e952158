//! `import FILE|-`: clients from Postman, Insomnia, Bruno or a curl line,
//! written as profiles — one file per client — and their paths printed.
//!
//! The files are saved the way the app saves a profile
//! ([`ProfileStore::save`]): secrets go to the OS keychain where one answers
//! and stay in the (0600) file where none does — or with `--no-keychain` —
//! and the command says which, on stderr. The report (what was taken, what
//! could not be mapped and why, what to fix) goes to stderr too, so stdout
//! is only the paths, one a line; `--json` prints the report and paths as
//! one JSON object instead.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::args::ImportArgs;
use super::exit::{Exit, Failure};
use super::output;
use crate::engine::ProfileFile;
use crate::engine::import::{self, ImportOptions};
use crate::engine::store::keychain::Keychain;
use crate::engine::store::storage::{self, ProfileStore};

/// Runs `import`.
pub fn run(args: ImportArgs) -> Result<Exit, Failure> {
    let usage = |message: String| Failure::new(Exit::Usage, message);
    let options = ImportOptions {
        environment: args.environment.clone(),
    };
    let mut report = if args.source == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|err| usage(format!("cannot read stdin: {err}")))?;
        import::import_text(&text, "stdin", &options)
    } else {
        import::import_path(Path::new(&args.source), &options)
    }
    .map_err(|err| usage(err.0))?;

    let keychain = if args.no_keychain {
        Keychain::none("--no-keychain")
    } else {
        Keychain::platform()
    };
    let dir = match args.out {
        Some(dir) => dir,
        None => storage::config_dir()
            .map_err(|err| usage(err.to_string()))?
            .join("profiles"),
    };
    let store = ProfileStore::open(dir, keychain).map_err(|err| usage(err.to_string()))?;
    let taken = names_in(store.dir());
    import::make_names_unique(&mut report.profiles, &taken);

    let mut paths = Vec::new();
    let mut secrets = Vec::new();
    for profile in &report.profiles {
        let path = store.new_path(profile.name());
        let saved = store.save(&path, &profile.file).map_err(|message| {
            usage(format!(
                "{message} ({} of {} written: {})",
                paths.len(),
                report.profiles.len(),
                paths
                    .iter()
                    .map(|p: &PathBuf| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        if !saved.secrets.is_empty() {
            secrets.push(format!("{}: {}", file_name(&path), saved.secrets));
        }
        paths.push(path);
    }
    // Without --json the report goes to stderr, so stdout is only the paths.
    if !args.json {
        eprintln!("{report}");
        for line in &secrets {
            eprintln!("{line}");
        }
    }
    output::print(
        args.json,
        || {
            let mut value = serde_json::to_value(&report).unwrap_or_default();
            value["paths"] = json!(paths);
            value["secrets"] = json!(secrets);
            value
        },
        || {
            paths
                .iter()
                .map(|path| format!("{}\n", path.display()))
                .collect()
        },
    );
    Ok(Exit::Success)
}

/// The names of the profiles already in `dir` (read without the keychain).
fn names_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .filter_map(|p| {
                    let text = std::fs::read_to_string(&p).ok()?;
                    let file = ProfileFile::parse(&text, &p).ok()?;
                    Some(file.name.unwrap_or_else(|| file_name(&p)))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn file_name(path: &Path) -> String {
    path.file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
