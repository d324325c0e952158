//! Bruno: a collection folder — `bruno.json`, `collection.bru`, a
//! `folder.bru` per folder, a `.bru` file per request, `environments/*.bru`
//! — or one `.bru` file.
//!
//! The `.bru` syntax is read by a small, tolerant parser: top-level blocks
//! `name {` … `}` of `key: value` lines (a `~` in front disables a line),
//! list blocks `name [` … `]`, and text blocks (`body:json {` …) kept
//! whole. Each `auth:oauth2` block (collection, folder or request, with
//! `auth { mode: oauth2 }` or the request's `auth: oauth2`) is one client
//! and becomes one profile; requests with `auth: inherit` use their
//! folder's or the collection's. Variables (`{{name}}`) come from
//! `collection.bru`'s `vars:pre-request` and the chosen environment's
//! `vars`; `vars:secret` names values Bruno keeps outside the collection,
//! which are reported as such.

use std::path::Path;

use super::{Format, ImportError, ImportOptions, ImportReport, Vars};

mod bru;
use bru::*;
mod mapping;
use mapping::*;

/// The HTTP method blocks.
const METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "options", "head"];

/// A `.bru` file's auth, for inheritance.
enum Auth<'a> {
    OAuth2(&'a [Block]),
    Inherit,
    Other(String),
}

fn auth_mode(blocks: &[Block]) -> Auth<'_> {
    let mode = find(blocks, "auth")
        .and_then(|b| b.get("mode"))
        .or_else(|| {
            METHODS
                .iter()
                .find_map(|m| find(blocks, m))
                .and_then(|b| b.get("auth"))
        });
    match mode {
        Some("oauth2") => Auth::OAuth2(blocks),
        Some("inherit") | None => Auth::Inherit,
        Some(other) => Auth::Other(other.to_string()),
    }
}

/// A client found in the collection.
struct Client {
    blocks: Vec<Block>,
    place: String,
    name: String,
    requests: Vec<(String, Vec<Block>)>,
}

/// Imports a collection folder.
pub fn import_folder(dir: &Path, options: &ImportOptions) -> Result<ImportReport, ImportError> {
    let shown = dir.display().to_string();
    let collection_file = dir.join("collection.bru");
    let bruno_json = dir.join("bruno.json");
    if !collection_file.exists() && !bruno_json.exists() && !has_bru(dir) {
        return Err(ImportError(format!(
            "{shown}: is a folder, but not a Bruno collection (no bruno.json, collection.bru or .bru files)"
        )));
    }
    let name = std::fs::read_to_string(&bruno_json)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|v| v["name"].as_str().map(str::to_string))
        .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "Bruno collection".to_string());
    let mut notes = Vec::new();
    let mut vars = Vars::default();
    let mut clients = Vec::new();
    let mut other = Vec::new();
    let root_blocks = if collection_file.exists() {
        read_bru(&collection_file)?
    } else {
        Vec::new()
    };
    if let Some(pre) = find(&root_blocks, "vars:pre-request") {
        for (key, value, enabled) in &pre.pairs {
            if *enabled {
                vars.set(key, value);
            }
        }
    }
    environment(dir, options, &mut vars, &mut notes)?;
    let inherited = match auth_mode(&root_blocks) {
        Auth::OAuth2(blocks) if find(blocks, "auth:oauth2").is_some() => {
            clients.push(Client {
                blocks: blocks.to_vec(),
                place: name.clone(),
                name: name.clone(),
                requests: Vec::new(),
            });
            Some(0)
        }
        _ => None,
    };
    walk_folder(dir, &name, inherited, &mut clients, &mut other)?;
    if clients.is_empty() {
        let mut message =
            format!("{shown}: no request, folder or collection.bru in `{name}` uses OAuth 2.0");
        if !other.is_empty() {
            message.push_str(&format!(" ({})", other.join("; ")));
        }
        message.push_str(": choose Auth -> OAuth 2.0 in Bruno");
        return Err(ImportError(message));
    }
    notes.extend(
        other
            .into_iter()
            .map(|n| format!("{n}: not OAuth 2.0, not imported")),
    );
    Ok(ImportReport {
        format: Format::Bruno,
        source: shown,
        profiles: clients
            .into_iter()
            .map(|c| profile_of(c, &vars).finish())
            .collect(),
        notes,
    })
}

fn has_bru(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.path().extension().is_some_and(|x| x == "bru"))
        })
        .unwrap_or(false)
}

fn read_bru(path: &Path) -> Result<Vec<Block>, ImportError> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| ImportError(format!("{}: cannot read: {err}", path.display())))?;
    parse_bru(&text).map_err(|message| ImportError(format!("{}: {message}", path.display())))
}

/// Reads the chosen environment (by name or path); with none chosen, the
/// only one there is.
fn environment(
    dir: &Path,
    options: &ImportOptions,
    vars: &mut Vars,
    notes: &mut Vec<String>,
) -> Result<(), ImportError> {
    let env_dir = dir.join("environments");
    let mut available: Vec<String> = std::fs::read_dir(&env_dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "bru"))
                .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    available.sort();
    let path = match &options.environment {
        Some(wanted) => {
            let by_name = env_dir.join(format!("{wanted}.bru"));
            if by_name.exists() {
                by_name
            } else if Path::new(wanted).exists() {
                Path::new(wanted).to_path_buf()
            } else {
                return Err(ImportError(format!(
                    "there is no Bruno environment `{wanted}`; the collection has: {}",
                    if available.is_empty() {
                        "none".to_string()
                    } else {
                        available.join(", ")
                    }
                )));
            }
        }
        None if available.len() == 1 => env_dir.join(format!("{}.bru", available[0])),
        None => {
            if !available.is_empty() {
                notes.push(format!(
                    "environments {} not used: pick one with --env NAME",
                    available.join(", ")
                ));
            }
            return Ok(());
        }
    };
    let blocks = read_bru(&path)?;
    let mut count = 0;
    if let Some(block) = find(&blocks, "vars") {
        for (key, value, enabled) in &block.pairs {
            if *enabled {
                vars.set(key, value);
                count += 1;
            }
        }
    }
    let env_name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    notes.push(format!("environment `{env_name}`: {count} variables read"));
    if let Some(block) = find(&blocks, "vars:secret") {
        let secret: Vec<String> = block
            .lines
            .iter()
            .flat_map(|l| l.split(','))
            .map(|s| s.trim().trim_start_matches('~').to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if !secret.is_empty() {
            notes.push(format!(
                "secret variables {}: Bruno keeps their values outside the collection, so they are not in it",
                secret.join(", ")
            ));
        }
    }
    Ok(())
}

fn walk_folder(
    dir: &Path,
    trail: &str,
    inherited: Option<usize>,
    clients: &mut Vec<Client>,
    other: &mut Vec<String>,
) -> Result<(), ImportError> {
    let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map_err(|err| ImportError(format!("{}: cannot read: {err}", dir.display())))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    let mut requests: Vec<(u64, String, Vec<Block>)> = Vec::new();
    for path in &entries {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            if file_name == "environments"
                || file_name.starts_with('.')
                || file_name == "node_modules"
            {
                continue;
            }
            let folder_file = path.join("folder.bru");
            let blocks = if folder_file.exists() {
                read_bru(&folder_file)?
            } else {
                Vec::new()
            };
            let folder_name = find(&blocks, "meta")
                .and_then(|m| m.get("name"))
                .map(str::to_string)
                .unwrap_or_else(|| file_name.clone());
            let place = format!("{trail} > {folder_name}");
            let effective = match auth_mode(&blocks) {
                Auth::OAuth2(blocks) if find(blocks, "auth:oauth2").is_some() => {
                    clients.push(Client {
                        blocks: blocks.to_vec(),
                        place: place.clone(),
                        name: folder_name,
                        requests: Vec::new(),
                    });
                    Some(clients.len() - 1)
                }
                Auth::Other(_) => None,
                _ => inherited,
            };
            walk_folder(path, &place, effective, clients, other)?;
            continue;
        }
        if path.extension().is_none_or(|x| x != "bru")
            || file_name == "collection.bru"
            || file_name == "folder.bru"
        {
            continue;
        }
        let blocks = read_bru(path)?;
        let meta = find(&blocks, "meta");
        let name = meta
            .and_then(|m| m.get("name"))
            .map(str::to_string)
            .unwrap_or_else(|| file_name.trim_end_matches(".bru").to_string());
        let seq = meta
            .and_then(|m| m.get("seq"))
            .and_then(|s| s.parse().ok())
            .unwrap_or(u64::MAX);
        requests.push((seq, name, blocks));
    }
    requests.sort_by_key(|(seq, _, _)| *seq);
    for (_, name, blocks) in requests {
        let place = format!("{trail} > {name}");
        match auth_mode(&blocks) {
            Auth::OAuth2(own) if find(own, "auth:oauth2").is_some() => clients.push(Client {
                blocks: own.to_vec(),
                place,
                name: name.clone(),
                requests: vec![(name, blocks)],
            }),
            Auth::OAuth2(_) => other.push(format!(
                "`{place}` says auth: oauth2 but has no auth:oauth2 block"
            )),
            Auth::Inherit => match inherited {
                Some(index) => clients[index].requests.push((name, blocks)),
                None => other.push(format!("`{place}` has no auth")),
            },
            Auth::Other(kind) => {
                if kind != "none" {
                    other.push(format!("`{place}` uses `{kind}` auth"));
                }
            }
        }
    }
    Ok(())
}

/// Imports one `.bru` file.
pub fn import_file(
    path: &Path,
    text: &str,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let mut report = import_text(text, &path.display().to_string(), options)?;
    if let Some(dir) = path.parent() {
        let mut vars = Vars::default();
        if environment(
            dir.parent().unwrap_or(dir),
            options,
            &mut vars,
            &mut report.notes,
        )
        .is_ok()
            && !vars.is_empty()
        {
            // Variables for a lone file come from its collection's
            // environments, when it sits in one: parse again with them.
            let blocks =
                parse_bru(text).map_err(|m| ImportError(format!("{}: {m}", path.display())))?;
            report.profiles = single(blocks, &path.display().to_string(), &vars)?;
        }
    }
    Ok(report)
}

/// Imports `.bru` text (one request file, or a `collection.bru`).
pub fn import_text(
    text: &str,
    source: &str,
    _options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let blocks = parse_bru(text).map_err(|message| ImportError(format!("{source}: {message}")))?;
    Ok(ImportReport {
        format: Format::Bruno,
        source: source.to_string(),
        profiles: single(blocks, source, &Vars::default())?,
        notes: Vec::new(),
    })
}

fn single(
    blocks: Vec<Block>,
    source: &str,
    vars: &Vars,
) -> Result<Vec<super::ImportedProfile>, ImportError> {
    if find(&blocks, "auth:oauth2").is_none() {
        return Err(ImportError(format!("{source}: has no auth:oauth2 block")));
    }
    let name = find(&blocks, "meta")
        .and_then(|m| m.get("name"))
        .unwrap_or("Bruno request")
        .to_string();
    let is_request = METHODS.iter().any(|m| find(&blocks, m).is_some());
    let client = Client {
        blocks: blocks.clone(),
        place: name.clone(),
        name: name.clone(),
        requests: if is_request {
            vec![(name, blocks)]
        } else {
            Vec::new()
        },
    };
    Ok(vec![profile_of(client, vars).finish()])
}

#[cfg(test)]
mod tests;
