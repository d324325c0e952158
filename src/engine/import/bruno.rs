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

use std::collections::BTreeMap;
use std::path::Path;

use super::{Draft, Format, ImportError, ImportOptions, ImportReport, TokenUse, Vars};
use crate::engine::profile::{ClientAuthMethod, GrantType, PkceMode, RequestFile};

/// One top-level block of a `.bru` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// `meta`, `get`, `auth:oauth2`, `vars:secret`…
    pub name: String,
    /// `key: value` lines, in order, with whether each is enabled.
    pub pairs: Vec<(String, String, bool)>,
    /// The lines as written (text blocks, list blocks).
    pub lines: Vec<String>,
}

impl Block {
    /// The enabled value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _, enabled)| k == key && *enabled)
            .map(|(_, v, _)| v.as_str())
    }
}

/// Parses `.bru` text into its blocks; a line outside any block is an
/// error naming its line.
pub fn parse_bru(text: &str) -> Result<Vec<Block>, String> {
    let mut blocks = Vec::new();
    let mut current: Option<(Block, char)> = None;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if let Some((block, close)) = &mut current {
            if line.trim_end() == close.to_string() && !line.starts_with(' ') {
                blocks.push(std::mem::replace(
                    block,
                    Block {
                        name: String::new(),
                        pairs: Vec::new(),
                        lines: Vec::new(),
                    },
                ));
                current = None;
                continue;
            }
            if !line.trim().is_empty() && !line.starts_with([' ', '\t']) {
                return Err(format!(
                    "line {}: `{}` is not indented: the block `{}` above it is never closed (a line with `{close}` alone)",
                    index + 1,
                    line.trim(),
                    block.name
                ));
            }
            let content = line.strip_prefix("  ").unwrap_or(line.trim_start());
            block.lines.push(content.to_string());
            let trimmed = content.trim();
            if *close == '}' && !content.starts_with(' ') && !trimmed.is_empty() {
                let (enabled, pair) = match trimmed.strip_prefix('~') {
                    Some(rest) => (false, rest),
                    None => (true, trimmed),
                };
                if let Some((key, value)) = pair.split_once(':') {
                    block
                        .pairs
                        .push((key.trim().to_string(), value.trim().to_string(), enabled));
                }
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let open = if let Some(name) = trimmed.strip_suffix('{') {
            Some((name.trim(), '}'))
        } else {
            trimmed.strip_suffix('[').map(|name| (name.trim(), ']'))
        };
        match open {
            Some((name, close)) if !name.is_empty() && !name.contains(' ') => {
                current = Some((
                    Block {
                        name: name.to_string(),
                        pairs: Vec::new(),
                        lines: Vec::new(),
                    },
                    close,
                ));
            }
            _ => {
                return Err(format!(
                    "line {}: `{trimmed}` is outside any block (a .bru file is made of `name {{ … }}` blocks)",
                    index + 1
                ));
            }
        }
    }
    if let Some((block, close)) = current {
        return Err(format!(
            "the block `{}` is never closed (a line with `{close}` alone)",
            block.name
        ));
    }
    Ok(blocks)
}

fn find<'a>(blocks: &'a [Block], name: &str) -> Option<&'a Block> {
    blocks.iter().find(|b| b.name == name)
}

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

fn profile_of(client: Client, vars: &Vars) -> Draft {
    let mut draft = Draft::new(client.place.clone());
    draft.file.name = Some(client.name.clone());
    let Some(oauth) = find(&client.blocks, "auth:oauth2") else {
        return draft;
    };
    let get = |key: &str| oauth.get(key).unwrap_or_default().to_string();
    let grant_text = get("grant_type");
    let grant = match grant_text.as_str() {
        "authorization_code" => Some(GrantType::AuthorizationCode),
        "client_credentials" => Some(GrantType::ClientCredentials),
        "password" => Some(GrantType::Password),
        "implicit" => Some(GrantType::Implicit),
        "" => {
            draft.leave("grant_type is not set; the profile has no grant_type");
            None
        }
        other => {
            draft.leave(format!(
                "grant_type `{other}`: not a Bruno grant this import knows (authorization_code, client_credentials, password, implicit); the profile has no grant_type"
            ));
            None
        }
    };
    if let Some(grant) = grant {
        draft.file.grant_type = Some(grant);
        draft
            .took
            .push(format!("grant_type -> grant_type = {grant}"));
        if grant == GrantType::AuthorizationCode {
            let pkce = get("pkce") == "true";
            draft.file.pkce = Some(if pkce { PkceMode::S256 } else { PkceMode::None });
            draft.took.push(format!(
                "pkce: {} -> pkce = {}",
                pkce,
                if pkce { "S256" } else { "none" }
            ));
        }
    }
    let mut placement_query = None;
    for (key, value, enabled) in &oauth.pairs {
        if !enabled {
            draft.leave(format!("{key}: disabled (~) in Bruno"));
            continue;
        }
        match key.as_str() {
            "grant_type" | "pkce" | "credentials_placement" => {}
            "access_token_url" => draft.file.token_endpoint = draft.take(vars, key, "token_endpoint", value),
            "authorization_url" => {
                draft.file.authorization_endpoint = draft.take(vars, key, "authorization_endpoint", value);
            }
            "callback_url" => draft.file.redirect_uri = draft.take(vars, key, "redirect_uri", value),
            "client_id" => draft.file.client_id = draft.take(vars, key, "client_id", value),
            "client_secret" => {
                draft.file.client_secret = draft.take_secret(vars, key, "client_secret", value);
            }
            "scope" => draft.file.scope = draft.take(vars, key, "scope", value),
            "username" => draft.file.username = draft.take(vars, key, "username", value),
            "password" => draft.file.password = draft.take_secret(vars, key, "password", value),
            "state" if !value.is_empty() => draft.leave(
                "state: a fixed value defeats its purpose (RFC 6749 §10.12); each run sends a fresh random one",
            ),
            "refresh_token_url" if !value.is_empty() && Some(value.as_str()) != oauth.get("access_token_url") => {
                draft.leave(format!(
                    "refresh_token_url `{value}`: refreshes go to the token endpoint (RFC 6749 §6)"
                ));
            }
            "token_placement" => {
                if value == "url" || value == "query" {
                    placement_query = Some(oauth.get("token_query_key").unwrap_or("access_token").to_string());
                }
            }
            // Bruno's own bookkeeping, and values read with another key.
            "state" | "refresh_token_url" | "credentials_id" | "token_source" | "token_header_prefix"
            | "token_query_key" | "auto_fetch_token" | "auto_refresh_token" => {}
            other => {
                if !value.is_empty() {
                    draft.leave(format!("{other} = `{value}`: a Bruno setting with no profile key"));
                }
            }
        }
    }
    let has_secret = !get("client_secret").is_empty();
    let method = match (has_secret, get("credentials_placement").as_str()) {
        (false, _) => ClientAuthMethod::None,
        (true, "body") => ClientAuthMethod::ClientSecretPost,
        (true, _) => ClientAuthMethod::ClientSecretBasic,
    };
    draft.file.token_endpoint_auth_method = Some(method);
    draft.took.push(if has_secret {
        format!(
            "credentials_placement `{}` -> token_endpoint_auth_method = {}",
            oauth
                .get("credentials_placement")
                .unwrap_or("basic_auth_header (default)"),
            method.as_str()
        )
    } else {
        "no client_secret -> token_endpoint_auth_method = none (a public client)".to_string()
    });
    extra_params(&mut draft, &client.blocks, vars);
    let kept: Vec<(String, RequestFile)> = client
        .requests
        .iter()
        .filter_map(|(name, blocks)| {
            request_of(&mut draft, vars, name, blocks).map(|saved| (name.clone(), saved))
        })
        .collect();
    draft.keep_requests(
        kept,
        &TokenUse {
            query: placement_query
                .as_ref()
                .map(|param| ("token_placement url", Some(param.clone()))),
            prefix: ("token_header_prefix", get("token_header_prefix")),
        },
    );
    draft
}

/// `auth:oauth2:additional_params:<request>:<where>` blocks.
fn extra_params(draft: &mut Draft, blocks: &[Block], vars: &Vars) {
    for block in blocks {
        let Some(rest) = block.name.strip_prefix("auth:oauth2:additional_params:") else {
            continue;
        };
        let (request, place) = rest.split_once(':').unwrap_or((rest, ""));
        for (key, value, enabled) in &block.pairs {
            if !enabled {
                continue;
            }
            let target: Option<&mut BTreeMap<String, String>> = match (request, place) {
                ("auth_req", "queryparams") => Some(&mut draft.file.authorize_params),
                ("access_token_req", "body" | "queryparams") => Some(&mut draft.file.token_params),
                _ => None,
            };
            if target.is_none() {
                draft.leave(format!(
                    "{}: `{key}` — the profile has extra parameters for the authorization request's query and the token request's body only",
                    block.name
                ));
                continue;
            }
            let to = if request == "auth_req" {
                format!("authorize_params.{key}")
            } else {
                format!("token_params.{key}")
            };
            if let Some(v) = draft.take(vars, &format!("{} {key}", block.name), &to, value) {
                if request == "auth_req" {
                    draft.file.authorize_params.insert(key.clone(), v);
                } else {
                    draft.file.token_params.insert(key.clone(), v);
                }
            }
        }
    }
}

fn request_of(draft: &mut Draft, vars: &Vars, name: &str, blocks: &[Block]) -> Option<RequestFile> {
    let (method, block) = METHODS
        .iter()
        .find_map(|m| find(blocks, m).map(|b| (m.to_ascii_uppercase(), b)))?;
    let url = block.get("url").unwrap_or_default();
    if url.is_empty() {
        draft.leave(format!("request `{name}`: has no URL, not kept"));
        return None;
    }
    let mut saved = RequestFile {
        name: Some(name.to_string()),
        method: Some(method),
        ..RequestFile::default()
    };
    let (path, _) = super::split_query(url);
    let has_query_block = find(blocks, "params:query").is_some() || find(blocks, "query").is_some();
    saved.url = draft.take(
        vars,
        &format!("request `{name}` url"),
        "requests.url",
        if has_query_block { path } else { url },
    );
    for query in ["params:query", "query"]
        .iter()
        .filter_map(|n| find(blocks, n))
    {
        for (key, value, enabled) in &query.pairs {
            if *enabled
                && let Some(v) = draft.take(
                    vars,
                    &format!("request `{name}` query {key}"),
                    "requests.query",
                    value,
                )
            {
                saved.query.insert(key.clone(), v);
            }
        }
    }
    if let Some(headers) = find(blocks, "headers") {
        for (key, value, enabled) in &headers.pairs {
            if !enabled {
                continue;
            }
            if key.eq_ignore_ascii_case("authorization") {
                draft.leave(format!(
                    "request `{name}` header Authorization: the profile sends its own token there"
                ));
                continue;
            }
            if let Some(v) = draft.take(
                vars,
                &format!("request `{name}` header {key}"),
                "requests.headers",
                value,
            ) {
                saved.headers.insert(key.clone(), v);
            }
        }
    }
    if let Some(form) = find(blocks, "body:form-urlencoded") {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (key, value, enabled) in &form.pairs {
            if *enabled {
                out.append_pair(key, &vars.resolve(value).text);
            }
        }
        saved.body = draft.take(
            vars,
            &format!("request `{name}` form body"),
            "requests.body",
            &out.finish(),
        );
    } else if let Some(body) = ["body:json", "body:text", "body:xml", "body:graphql"]
        .iter()
        .find_map(|n| find(blocks, n))
    {
        saved.body = draft.take(
            vars,
            &format!("request `{name}` {}", body.name),
            "requests.body",
            &body.lines.join("\n"),
        );
    } else if let Some(body) = find(blocks, "body:multipart-form") {
        draft.leave(format!(
            "request `{name}`: its {} body has no profile key",
            body.name
        ));
    }
    Some(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_pairs_lists_and_text_are_read() {
        let blocks = parse_bru(
            "meta {\n  name: Get token\n  seq: 1\n}\n\npost {\n  url: {{base}}/token?x=1\n  ~auth: none\n}\n\nbody:json {\n  {\n    \"a\": 1\n  }\n}\n\nvars:secret [\n  clientSecret,\n  pw\n]\n",
        )
        .expect("parses");
        assert_eq!(blocks.len(), 4);
        assert_eq!(blocks[1].get("url"), Some("{{base}}/token?x=1"));
        assert_eq!(blocks[1].get("auth"), None, "disabled");
        assert_eq!(blocks[2].lines.join("\n"), "{\n  \"a\": 1\n}");
        assert_eq!(blocks[3].lines, vec!["clientSecret,", "pw"]);
        let err = parse_bru("meta {\n  name: x\n").expect_err("unclosed");
        assert!(err.contains("never closed"), "{err}");
        let err = parse_bru("hello\n").expect_err("stray");
        assert!(err.starts_with("line 1"), "{err}");
    }
}
