//! Postman: a collection (format v2.1, and v2.0's object form of the auth
//! block) and, beside it, an environment.
//!
//! Each OAuth 2.0 auth block — `auth: {type: "oauth2", oauth2: [{key,
//! value}, …]}` at collection, folder or request level — is one client and
//! becomes one profile. A request without its own `auth` inherits its
//! folder's, then the collection's; the requests that use a block become
//! the profile's ready-made requests (`[[requests]]`, the first also its
//! `[api]`). Variables (`{{name}}`) come from the collection's `variable`
//! array and the environment's `values`, the environment winning as in
//! Postman.

use serde_json::Value;

use super::{Draft, Format, ImportError, ImportOptions, ImportReport, TokenUse, Vars};
use crate::engine::profile::{ClientAuthMethod, GrantType, PkceMode, RequestFile};

/// Whether `value` is a Postman collection.
pub fn is_collection(value: &Value) -> bool {
    let schema = value["info"]["schema"].as_str().unwrap_or_default();
    schema.contains("getpostman.com") && schema.contains("collection")
        || value["info"].is_object() && value["item"].is_array()
}

/// Whether `value` is a Postman environment (or globals) export.
pub fn is_environment(value: &Value) -> bool {
    value["values"].is_array()
        && (value["_postman_variable_scope"].is_string() || !value["info"].is_object())
}

/// A block's place in the collection and the requests that use it.
struct Block<'a> {
    auth: &'a Value,
    place: String,
    name: String,
    requests: Vec<(String, &'a Value)>,
}

/// Imports a collection.
pub fn import(
    collection: &Value,
    source: &str,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let schema = collection["info"]["schema"].as_str().unwrap_or_default();
    let mut notes = Vec::new();
    if schema.contains("v1.") {
        return Err(ImportError(format!(
            "{source}: is a Postman collection v1; export it again as Collection v2.1 (Postman: Export -> Collection v2.1)"
        )));
    }
    let name = collection["info"]["name"]
        .as_str()
        .unwrap_or("Postman collection")
        .to_string();
    let mut vars = Vars::default();
    for variable in collection["variable"].as_array().into_iter().flatten() {
        if variable["disabled"].as_bool() == Some(true) {
            continue;
        }
        if let Some(key) = variable["key"].as_str() {
            vars.set(key, text_of(&variable["value"]));
        }
    }
    if !vars.is_empty() {
        notes.push(format!(
            "{} collection variable{} read",
            vars.len(),
            if vars.len() == 1 { "" } else { "s" }
        ));
    }
    if let Some(path) = &options.environment {
        let environment = read_environment(path)?;
        let env_name = environment["name"].as_str().unwrap_or(path).to_string();
        let mut count = 0;
        for value in environment["values"].as_array().into_iter().flatten() {
            if value["enabled"].as_bool() == Some(false) {
                continue;
            }
            if let Some(key) = value["key"].as_str() {
                vars.set(key, text_of(&value["value"]));
                count += 1;
            }
        }
        notes.push(format!(
            "environment `{env_name}`: {count} variable{} read",
            if count == 1 { "" } else { "s" }
        ));
    }

    let mut blocks: Vec<Block<'_>> = Vec::new();
    let mut other_auth = Vec::new();
    let mut inherited: Option<usize> = None;
    if let Some(auth) = collection.get("auth").filter(|a| is_oauth2(a)) {
        blocks.push(Block {
            auth,
            place: "collection".to_string(),
            name: name.clone(),
            requests: Vec::new(),
        });
        inherited = Some(0);
    } else if let Some(kind) = collection["auth"]["type"].as_str() {
        other_auth.push(format!("the collection uses `{kind}` auth"));
    }
    walk(
        collection["item"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default(),
        &name,
        inherited,
        &mut blocks,
        &mut other_auth,
    );
    if blocks.is_empty() {
        let mut message = format!("{source}: the collection `{name}` has no OAuth 2.0 auth");
        if !other_auth.is_empty() {
            message.push_str(&format!(" ({})", other_auth.join("; ")));
        }
        message.push_str(": set Authorization -> OAuth 2.0 on the collection, a folder or a request in Postman and export again");
        return Err(ImportError(message));
    }
    notes.extend(
        other_auth
            .into_iter()
            .map(|n| format!("{n}: not OAuth 2.0, not imported")),
    );
    let profiles = blocks
        .into_iter()
        .map(|block| profile_of(block, &vars).finish())
        .collect();
    Ok(ImportReport {
        format: Format::Postman,
        source: source.to_string(),
        profiles,
        notes,
    })
}

fn read_environment(path: &str) -> Result<Value, ImportError> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| ImportError(format!("{path}: cannot read the environment: {err}")))?;
    let value: Value = serde_json::from_str(&text).map_err(|err| {
        ImportError(format!(
            "{path}: the environment is not valid JSON (line {}, column {}): {err}",
            err.line(),
            err.column()
        ))
    })?;
    if !is_environment(&value) {
        return Err(ImportError(format!(
            "{path}: is not a Postman environment (no `values` array)"
        )));
    }
    Ok(value)
}

fn is_oauth2(auth: &Value) -> bool {
    auth["type"].as_str() == Some("oauth2")
}

/// Finds the OAuth 2.0 blocks under `items`; `inherited` is the block the
/// items inherit (an index into `blocks`).
fn walk<'a>(
    items: &'a [Value],
    trail: &str,
    inherited: Option<usize>,
    blocks: &mut Vec<Block<'a>>,
    other: &mut Vec<String>,
) {
    for item in items {
        let name = item["name"].as_str().unwrap_or("Untitled");
        let place = format!("{trail} > {name}");
        let own = if item["request"].is_null() {
            item.get("auth")
        } else {
            item["request"].get("auth")
        };
        let own = own.filter(|a| !a.is_null());
        let effective = match own {
            Some(auth) if is_oauth2(auth) => {
                blocks.push(Block {
                    auth,
                    place: place.clone(),
                    name: name.to_string(),
                    requests: Vec::new(),
                });
                Some(blocks.len() - 1)
            }
            Some(auth) if auth["type"].as_str() == Some("inherit") => inherited,
            Some(auth) => {
                let kind = auth["type"].as_str().unwrap_or("unknown");
                if kind != "noauth" {
                    other.push(format!("`{place}` uses `{kind}` auth"));
                }
                None
            }
            None => inherited,
        };
        if let Some(children) = item["item"].as_array() {
            walk(children, &place, effective, blocks, other);
        } else if !item["request"].is_null() {
            match effective {
                Some(index) => blocks[index]
                    .requests
                    .push((name.to_string(), &item["request"])),
                None if own.is_none() => {
                    other.push(format!("`{place}` has no auth"));
                }
                None => {}
            }
        }
    }
}

/// A value as text: strings as they are, Postman's `{uuid: value}` objects
/// (seen for `audience`) by their first value, anything else as JSON.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Object(map) => map.values().next().map(text_of).unwrap_or_default(),
        other => other.to_string(),
    }
}

/// The auth block's settings as (key, value) pairs, in order: v2.1's
/// `[{key, value}]` and v2.0's object alike.
fn settings(auth: &Value) -> Vec<(String, Value)> {
    match &auth["oauth2"] {
        Value::Array(list) => list
            .iter()
            .filter_map(|entry| Some((entry["key"].as_str()?.to_string(), entry["value"].clone())))
            .collect(),
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => Vec::new(),
    }
}

fn profile_of(block: Block<'_>, vars: &Vars) -> Draft {
    let mut draft = Draft::new(block.place.clone());
    draft.file.name = Some(block.name.clone());
    let settings = settings(block.auth);
    let get = |key: &str| {
        settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| text_of(v))
            .unwrap_or_default()
    };
    let grant_text = get("grant_type");
    let grant = match grant_text.as_str() {
        "" => {
            draft.leave("grant_type is not set: Postman's default, authorization_code, is assumed");
            Some((GrantType::AuthorizationCode, false))
        }
        "authorization_code" => Some((GrantType::AuthorizationCode, false)),
        "authorization_code_with_pkce" => Some((GrantType::AuthorizationCode, true)),
        "implicit" => Some((GrantType::Implicit, false)),
        "password_credentials" => Some((GrantType::Password, false)),
        "client_credentials" => Some((GrantType::ClientCredentials, false)),
        other => {
            draft.leave(format!(
                "grant_type `{other}`: not a Postman grant this import knows (authorization_code, authorization_code_with_pkce, implicit, password_credentials, client_credentials); the profile has no grant_type"
            ));
            None
        }
    };
    if let Some((grant, pkce)) = grant {
        draft.file.grant_type = Some(grant);
        draft
            .took
            .push(format!("grant_type `{grant_text}` -> grant_type = {grant}"));
        if grant == GrantType::AuthorizationCode {
            let mode = if !pkce {
                PkceMode::None
            } else if get("challengeAlgorithm") == "plain" {
                PkceMode::Plain
            } else {
                PkceMode::S256
            };
            draft.file.pkce = Some(mode);
            draft.took.push(format!(
                "{} -> pkce = {}",
                if pkce {
                    "challengeAlgorithm"
                } else {
                    "authorization_code without PKCE"
                },
                match mode {
                    PkceMode::S256 => "S256",
                    PkceMode::Plain => "plain",
                    PkceMode::None => "none",
                }
            ));
        }
    }
    let browser = matches!(
        draft.file.grant_type,
        Some(GrantType::AuthorizationCode | GrantType::Implicit)
    );
    let mut secret_given = false;
    let mut placement_header = true;
    for (key, value) in &settings {
        let text = text_of(value);
        match key.as_str() {
            "grant_type" | "challengeAlgorithm" => {}
            "accessTokenUrl" => {
                draft.file.token_endpoint = draft.take(vars, key, "token_endpoint", &text);
            }
            "authUrl" => {
                draft.file.authorization_endpoint =
                    draft.take(vars, key, "authorization_endpoint", &text);
            }
            "clientId" => draft.file.client_id = draft.take(vars, key, "client_id", &text),
            "clientSecret" => {
                draft.file.client_secret = draft.take_secret(vars, key, "client_secret", &text);
                secret_given = draft.file.client_secret.is_some();
            }
            "scope" => draft.file.scope = draft.take(vars, key, "scope", &text),
            "redirect_uri" => {
                draft.file.redirect_uri = draft.take(vars, key, "redirect_uri", &text);
            }
            "username" => draft.file.username = draft.take(vars, key, "username", &text),
            "password" => draft.file.password = draft.take_secret(vars, key, "password", &text),
            "client_authentication" => {}
            "audience" | "resource" => {
                let target = if browser {
                    "authorize_params"
                } else {
                    "token_params"
                };
                if let Some(v) = draft.take(vars, key, &format!("{target}.{key}"), &text) {
                    if browser {
                        draft.file.authorize_params.insert(key.clone(), v);
                    } else {
                        draft.file.token_params.insert(key.clone(), v);
                    }
                }
            }
            "authRequestParams" | "tokenRequestParams" => {
                extra_params(&mut draft, vars, key, value);
            }
            "refreshRequestParams" => {
                if value.as_array().is_some_and(|a| !a.is_empty()) {
                    draft.leave("refreshRequestParams: refreshes send the profile's token_params; add them there if the server needs them");
                }
            }
            "addTokenTo" => {
                if text == "queryParams" {
                    placement_header = false;
                }
            }
            "headerPrefix" => {}
            "state" if !text.is_empty() => draft.leave(
                "state: a fixed value defeats its purpose (RFC 6749 §10.12); each run sends a fresh random one",
            ),
            "code_verifier" if !text.is_empty() => draft.leave(
                "code_verifier: made fresh for each run (RFC 7636 §4.1)",
            ),
            "accessToken" | "refreshToken" | "id_token" if !text.is_empty() => draft.leave(format!(
                "{key}: a token from an earlier run in Postman, not kept"
            )),
            "refreshTokenUrl" => {
                if !text.is_empty() && text != get("accessTokenUrl") {
                    draft.leave(format!(
                        "refreshTokenUrl `{text}`: refreshes go to the token endpoint (RFC 6749 §6); a separate refresh URL has no profile key"
                    ));
                }
            }
            // Postman's own bookkeeping: nothing to map.
            "tokenName" | "useBrowser" | "tokenType" | "tokenId" | "state" | "code_verifier"
            | "accessToken" | "refreshToken" | "id_token" | "client_authentication_method" => {}
            other => {
                if !text.is_empty() {
                    draft.leave(format!(
                        "{other} = `{text}`: a Postman setting with no profile key"
                    ));
                }
            }
        }
    }
    // Client authentication: Postman's "Send as Basic Auth header" (header,
    // the default) or "Send client credentials in body" (body).
    let method = if secret_given || !get("clientSecret").trim().is_empty() {
        if get("client_authentication") == "body" {
            ClientAuthMethod::ClientSecretPost
        } else {
            ClientAuthMethod::ClientSecretBasic
        }
    } else {
        ClientAuthMethod::None
    };
    draft.file.token_endpoint_auth_method = Some(method);
    draft.took.push(if method == ClientAuthMethod::None {
        "no clientSecret -> token_endpoint_auth_method = none (a public client)".to_string()
    } else {
        format!(
            "client_authentication `{}` -> token_endpoint_auth_method = {}",
            match get("client_authentication").as_str() {
                "" => "header (Postman's default)".to_string(),
                other => other.to_string(),
            },
            method.as_str()
        )
    });
    // The requests that use this block.
    let kept: Vec<(String, RequestFile)> = block
        .requests
        .iter()
        .filter_map(|(name, request)| {
            request_of(&mut draft, vars, name, request).map(|saved| (name.clone(), saved))
        })
        .collect();
    draft.keep_requests(
        kept,
        &TokenUse {
            query: (!placement_header).then_some(("addTokenTo `queryParams`", None)),
            prefix: ("headerPrefix", get("headerPrefix")),
        },
    );
    draft
}

/// `authRequestParams` / `tokenRequestParams`: `[{key, value, enabled,
/// send_as}]`.
fn extra_params(draft: &mut Draft, vars: &Vars, key: &str, value: &Value) {
    let authorize = key == "authRequestParams";
    for param in value.as_array().into_iter().flatten() {
        let Some(name) = param["key"].as_str() else {
            continue;
        };
        if param["enabled"].as_bool() == Some(false) {
            draft.leave(format!("{key} `{name}`: disabled in Postman"));
            continue;
        }
        let send_as = param["send_as"].as_str().unwrap_or("request_body");
        if send_as == "request_header" {
            draft.leave(format!(
                "{key} `{name}`: sent as a header in Postman; profiles send extra parameters, not headers, with OAuth requests"
            ));
            continue;
        }
        let target = if authorize {
            "authorize_params"
        } else {
            "token_params"
        };
        if let Some(v) = draft.take(
            vars,
            &format!("{key} {name}"),
            &format!("{target}.{name}"),
            &text_of(&param["value"]),
        ) {
            if authorize {
                draft.file.authorize_params.insert(name.to_string(), v);
            } else {
                draft.file.token_params.insert(name.to_string(), v);
            }
        }
    }
}

/// One request as a `[[requests]]` entry.
fn request_of(draft: &mut Draft, vars: &Vars, name: &str, request: &Value) -> Option<RequestFile> {
    let raw_url = match &request["url"] {
        Value::String(url) => url.clone(),
        Value::Object(url) => url
            .get("raw")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => match request {
            Value::String(url) => url.clone(),
            _ => String::new(),
        },
    };
    if raw_url.trim().is_empty() {
        draft.leave(format!("request `{name}`: has no URL, not kept"));
        return None;
    }
    let mut saved = RequestFile {
        name: Some(name.to_string()),
        method: Some(
            request["method"]
                .as_str()
                .unwrap_or("GET")
                .to_ascii_uppercase(),
        ),
        ..RequestFile::default()
    };
    saved.url = draft.take(
        vars,
        &format!("request `{name}` url"),
        "requests.url",
        &raw_url,
    );
    for header in request["header"].as_array().into_iter().flatten() {
        if header["disabled"].as_bool() == Some(true) {
            continue;
        }
        let (Some(key), Some(value)) = (header["key"].as_str(), header["value"].as_str()) else {
            continue;
        };
        if key.eq_ignore_ascii_case("authorization") {
            draft.leave(format!(
                "request `{name}` header Authorization: the profile sends its own token there"
            ));
            continue;
        }
        if let Some(value) = draft.take(
            vars,
            &format!("request `{name}` header {key}"),
            "requests.headers",
            value,
        ) {
            saved.headers.insert(key.to_string(), value);
        }
    }
    let body = &request["body"];
    match body["mode"].as_str() {
        None => {}
        Some("raw") => {
            saved.body = draft.take(
                vars,
                &format!("request `{name}` body"),
                "requests.body",
                body["raw"].as_str().unwrap_or_default(),
            );
        }
        Some("urlencoded") => {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            for field in body["urlencoded"].as_array().into_iter().flatten() {
                if field["disabled"].as_bool() == Some(true) {
                    continue;
                }
                let key = field["key"].as_str().unwrap_or_default();
                let value = vars.resolve(&text_of(&field["value"])).text;
                form.append_pair(key, &value);
            }
            saved.body = draft.take(vars, &format!("request `{name}` form body"), "requests.body", &form.finish());
        }
        Some(mode) => draft.leave(format!(
            "request `{name}`: its `{mode}` body has no profile key (raw and form-urlencoded bodies do)"
        )),
    }
    Some(saved)
}
