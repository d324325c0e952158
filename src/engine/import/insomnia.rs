//! Insomnia: an export in format v4 (`_type: "export"`, a flat list of
//! `resources` linked by `parentId`; JSON or YAML) and a v5 collection
//! (`type: collection.insomnia.rest/5.0`, YAML, a nested `collection` tree).
//!
//! Each OAuth 2.0 `authentication` (`type: "oauth2"`) on a request or a
//! folder is one client and becomes one profile; requests without their own
//! authentication inherit their folder's, and become the profile's
//! ready-made requests. Variables (`{{ _.name }}`, `{{ name }}`, dotted
//! paths into nested data) come from the base environment, then the chosen
//! sub-environment. Template tags (`{% … %}`) cannot be evaluated outside
//! Insomnia: they stay as written and are reported.

use serde_json::Value;

use super::vars::template_tags;
use super::{Draft, Format, ImportError, ImportOptions, ImportReport, TokenUse, Vars};
use crate::engine::profile::{ClientAuthMethod, GrantType, PkceMode, RequestFile};

/// Whether `value` is an Insomnia v4 export.
pub fn is_v4(value: &Value) -> bool {
    value["_type"].as_str() == Some("export") && value["resources"].is_array()
}

/// Whether `text` is Insomnia YAML (a v5 collection, or a v4 export).
pub fn looks_like_v5(text: &str) -> bool {
    text.lines().take(20).any(|line| {
        let line = line.trim();
        line.starts_with("type: collection.insomnia.rest/")
            || line.starts_with("type: \"collection.insomnia.rest/")
            || line == "_type: export"
    })
}

/// Imports Insomnia YAML: a v5 collection, or a v4 export written as YAML.
pub fn import_v5(
    text: &str,
    source: &str,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let value: Value = serde_norway::from_str(text)
        .map_err(|err| ImportError(format!("{source}: is not valid YAML: {err}")))?;
    if is_v4(&value) {
        return import_v4(&value, source, options);
    }
    let kind = value["type"].as_str().unwrap_or_default();
    if !kind.starts_with("collection.insomnia.rest/5") {
        return Err(ImportError(format!(
            "{source}: is Insomnia `{kind}`, not a request collection (collection.insomnia.rest/5.0); export the collection itself"
        )));
    }
    let name = value["name"]
        .as_str()
        .unwrap_or("Insomnia collection")
        .to_string();
    let environments = &value["environments"];
    let base = &environments["data"];
    let subs: Vec<(String, &Value)> = environments["subEnvironments"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|env| {
            (
                env["name"].as_str().unwrap_or("unnamed").to_string(),
                &env["data"],
            )
        })
        .collect();
    let mut notes = Vec::new();
    let vars = environment_vars(base, &subs, options, &mut notes)?;
    let roots: Vec<Node<'_>> = value["collection"]
        .as_array()
        .into_iter()
        .flatten()
        .map(node_v5)
        .collect();
    let root = Node {
        name: name.clone(),
        auth: value.get("authentication"),
        request: None,
        children: roots,
    };
    finish(Format::InsomniaV5, source, &root, &vars, notes)
}

/// Imports an Insomnia v4 export.
pub fn import_v4(
    value: &Value,
    source: &str,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let format = value["__export_format"].as_u64().unwrap_or(4);
    if format < 3 {
        return Err(ImportError(format!(
            "{source}: is an Insomnia export of format {format}; export it again from a current Insomnia"
        )));
    }
    let resources: Vec<&Value> = value["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let workspaces: Vec<&Value> = resources
        .iter()
        .copied()
        .filter(|r| r["_type"].as_str() == Some("workspace"))
        .collect();
    let mut notes = Vec::new();
    let mut roots = Vec::new();
    let mut vars = Vars::default();
    for workspace in &workspaces {
        let id = workspace["_id"].as_str().unwrap_or_default();
        let base = resources.iter().copied().find(|r| {
            r["_type"].as_str() == Some("environment") && r["parentId"].as_str() == Some(id)
        });
        let base_data = base.map(|b| &b["data"]).unwrap_or(&Value::Null);
        let base_id = base.and_then(|b| b["_id"].as_str()).unwrap_or("\u{0}");
        let subs: Vec<(String, &Value)> = resources
            .iter()
            .copied()
            .filter(|r| {
                r["_type"].as_str() == Some("environment")
                    && r["parentId"].as_str() == Some(base_id)
            })
            .map(|env| {
                (
                    env["name"].as_str().unwrap_or("unnamed").to_string(),
                    &env["data"],
                )
            })
            .collect();
        let workspace_vars = environment_vars(base_data, &subs, options, &mut notes)?;
        // One set of variables per export: workspaces rarely share names,
        // and a later one's definitions win.
        for (name, value) in workspace_vars.iter() {
            vars.set(name, value);
        }
        roots.push(node_v4(workspace, &resources));
    }
    if workspaces.is_empty() {
        // Requests exported without their workspace: the top of the tree is
        // whatever has no known parent.
        let ids: Vec<&str> = resources.iter().filter_map(|r| r["_id"].as_str()).collect();
        let orphans: Vec<Node<'_>> = resources
            .iter()
            .copied()
            .filter(|r| {
                matches!(r["_type"].as_str(), Some("request" | "request_group"))
                    && !r["parentId"].as_str().is_some_and(|p| ids.contains(&p))
            })
            .map(|r| node_v4(r, &resources))
            .collect();
        roots.push(Node {
            name: "Insomnia export".to_string(),
            auth: None,
            request: None,
            children: orphans,
        });
    }
    let root = Node {
        name: String::new(),
        auth: None,
        request: None,
        children: roots,
    };
    finish(Format::InsomniaV4, source, &root, &vars, notes)
}

/// The base environment's data, then the chosen sub-environment's.
fn environment_vars(
    base: &Value,
    subs: &[(String, &Value)],
    options: &ImportOptions,
    notes: &mut Vec<String>,
) -> Result<Vars, ImportError> {
    let mut vars = Vars::default();
    vars.set_json("", base);
    let names: Vec<&str> = subs.iter().map(|(n, _)| n.as_str()).collect();
    let chosen = match &options.environment {
        Some(wanted) => match subs.iter().find(|(n, _)| n == wanted) {
            Some(found) => Some(found),
            None => {
                return Err(ImportError(format!(
                    "there is no Insomnia environment called `{wanted}`; the export has: {}",
                    if names.is_empty() {
                        "only the base environment".to_string()
                    } else {
                        names.join(", ")
                    }
                )));
            }
        },
        None if subs.len() == 1 => Some(&subs[0]),
        None => {
            if !subs.is_empty() {
                notes.push(format!(
                    "sub-environments {} not used: pick one with --env NAME (only the base environment was read)",
                    names.join(", ")
                ));
            }
            None
        }
    };
    if let Some((name, data)) = chosen {
        vars.set_json("", data);
        notes.push(format!(
            "environment `{name}` used, over the base environment"
        ));
    }
    Ok(vars)
}

/// A folder or a request.
struct Node<'a> {
    name: String,
    auth: Option<&'a Value>,
    request: Option<&'a Value>,
    children: Vec<Node<'a>>,
}

fn node_v4<'a>(resource: &'a Value, resources: &[&'a Value]) -> Node<'a> {
    let id = resource["_id"].as_str().unwrap_or("\u{0}");
    let kind = resource["_type"].as_str().unwrap_or_default();
    let mut children: Vec<&Value> = resources
        .iter()
        .copied()
        .filter(|r| {
            r["parentId"].as_str() == Some(id)
                && matches!(r["_type"].as_str(), Some("request" | "request_group"))
        })
        .collect();
    children.sort_by(|a, b| {
        let key = |r: &Value| r["metaSortKey"].as_f64().unwrap_or_default();
        key(a).total_cmp(&key(b))
    });
    Node {
        name: resource["name"].as_str().unwrap_or("Untitled").to_string(),
        auth: resource.get("authentication"),
        request: (kind == "request").then_some(resource),
        children: children
            .into_iter()
            .map(|c| node_v4(c, resources))
            .collect(),
    }
}

fn node_v5(item: &Value) -> Node<'_> {
    let children = item["children"].as_array();
    Node {
        name: item["name"].as_str().unwrap_or("Untitled").to_string(),
        auth: item.get("authentication"),
        request: children.is_none().then_some(item),
        children: children.into_iter().flatten().map(node_v5).collect(),
    }
}

/// What an authentication object means for inheritance.
enum Auth<'a> {
    OAuth2(&'a Value),
    Inherit,
    Other(String),
}

fn auth_of(auth: Option<&Value>) -> Auth<'_> {
    let Some(auth) = auth else {
        return Auth::Inherit;
    };
    match auth["type"].as_str() {
        None => Auth::Inherit,
        Some("oauth2") if auth["disabled"].as_bool() == Some(true) => {
            Auth::Other("oauth2 (disabled)".to_string())
        }
        Some("oauth2") => Auth::OAuth2(auth),
        Some(other) => Auth::Other(other.to_string()),
    }
}

struct Block<'a> {
    auth: &'a Value,
    place: String,
    name: String,
    requests: Vec<(String, &'a Value)>,
}

fn walk<'a>(
    node: &Node<'a>,
    trail: &str,
    inherited: Option<usize>,
    blocks: &mut Vec<Block<'a>>,
    other: &mut Vec<String>,
) {
    let place = match (trail.is_empty(), node.name.is_empty()) {
        (_, true) => trail.to_string(),
        (true, false) => node.name.clone(),
        (false, false) => format!("{trail} > {}", node.name),
    };
    let effective = match auth_of(node.auth) {
        Auth::OAuth2(auth) => {
            blocks.push(Block {
                auth,
                place: place.clone(),
                name: node.name.clone(),
                requests: Vec::new(),
            });
            Some(blocks.len() - 1)
        }
        Auth::Inherit => inherited,
        Auth::Other(kind) => {
            if kind != "none" && node.request.is_some() {
                other.push(format!("`{place}` uses `{kind}` auth"));
            }
            None
        }
    };
    if let Some(request) = node.request {
        match effective {
            Some(index) => blocks[index].requests.push((node.name.clone(), request)),
            None if matches!(auth_of(node.auth), Auth::Inherit) => {
                other.push(format!("`{place}` has no auth"));
            }
            None => {}
        }
    }
    for child in &node.children {
        walk(child, &place, effective, blocks, other);
    }
}

fn finish(
    format: Format,
    source: &str,
    root: &Node<'_>,
    vars: &Vars,
    mut notes: Vec<String>,
) -> Result<ImportReport, ImportError> {
    let mut blocks = Vec::new();
    let mut other = Vec::new();
    walk(root, "", None, &mut blocks, &mut other);
    if blocks.is_empty() {
        let mut message = format!("{source}: no request or folder uses OAuth 2.0");
        if !other.is_empty() {
            message.push_str(&format!(" ({})", other.join("; ")));
        }
        message.push_str(
            ": choose Auth -> OAuth 2.0 on a request or folder in Insomnia and export again",
        );
        return Err(ImportError(message));
    }
    notes.extend(
        other
            .into_iter()
            .map(|n| format!("{n}: not OAuth 2.0, not imported")),
    );
    Ok(ImportReport {
        format,
        source: source.to_string(),
        profiles: blocks
            .into_iter()
            .map(|block| profile_of(block, vars).finish())
            .collect(),
        notes,
    })
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Takes `value` through the variables, reporting template tags.
fn take(draft: &mut Draft, vars: &Vars, from: &str, to: &str, value: &str) -> Option<String> {
    for tag in template_tags(value) {
        draft.leave(format!(
            "{from}: the template tag `{{% {tag} %}}` runs only inside Insomnia; kept as written"
        ));
    }
    draft.take(vars, from, to, value)
}

fn profile_of(block: Block<'_>, vars: &Vars) -> Draft {
    let auth = block.auth;
    let mut draft = Draft::new(block.place.clone());
    draft.file.name = Some(block.name.clone());
    let get = |key: &str| text(&auth[key]);
    let grant_text = get("grantType");
    let grant = match grant_text.as_str() {
        "authorization_code" => Some(GrantType::AuthorizationCode),
        "client_credentials" => Some(GrantType::ClientCredentials),
        "password" => Some(GrantType::Password),
        "implicit" => Some(GrantType::Implicit),
        "refresh_token" => Some(GrantType::RefreshToken),
        "" => {
            draft.leave("grantType is not set: Insomnia's default, authorization_code, is assumed");
            Some(GrantType::AuthorizationCode)
        }
        other => {
            draft.leave(format!(
                "grantType `{other}`: not an Insomnia grant this import knows (authorization_code, client_credentials, password, implicit, refresh_token); the profile has no grant_type"
            ));
            None
        }
    };
    if let Some(grant) = grant {
        draft.file.grant_type = Some(grant);
        draft
            .took
            .push(format!("grantType -> grant_type = {grant}"));
    }
    if grant == Some(GrantType::AuthorizationCode) {
        let mode = if auth["usePkce"].as_bool() != Some(true) {
            PkceMode::None
        } else if get("pkceMethod") == "plain" {
            PkceMode::Plain
        } else {
            PkceMode::S256
        };
        draft.file.pkce = Some(mode);
        draft.took.push(format!(
            "usePkce / pkceMethod -> pkce = {}",
            match mode {
                PkceMode::S256 => "S256",
                PkceMode::Plain => "plain",
                PkceMode::None => "none",
            }
        ));
    }
    let browser = matches!(
        grant,
        Some(GrantType::AuthorizationCode | GrantType::Implicit)
    );
    let Some(map) = auth.as_object() else {
        return draft;
    };
    for (key, value) in map {
        let value_text = text(value);
        match key.as_str() {
            "type" | "grantType" | "usePkce" | "pkceMethod" | "credentialsInBody" | "disabled" => {}
            "accessTokenUrl" => {
                draft.file.token_endpoint = take(&mut draft, vars, key, "token_endpoint", &value_text);
            }
            "authorizationUrl" => {
                draft.file.authorization_endpoint =
                    take(&mut draft, vars, key, "authorization_endpoint", &value_text);
            }
            "clientId" => draft.file.client_id = take(&mut draft, vars, key, "client_id", &value_text),
            "clientSecret" => {
                draft.file.client_secret =
                    draft.take_secret(vars, key, "client_secret", &value_text);
            }
            "scope" => draft.file.scope = take(&mut draft, vars, key, "scope", &value_text),
            "redirectUrl" => {
                draft.file.redirect_uri = take(&mut draft, vars, key, "redirect_uri", &value_text);
            }
            "username" => draft.file.username = take(&mut draft, vars, key, "username", &value_text),
            "password" => {
                draft.file.password = draft.take_secret(vars, key, "password", &value_text);
            }
            "audience" | "resource" => {
                let target = if browser { "authorize_params" } else { "token_params" };
                if let Some(v) = take(&mut draft, vars, key, &format!("{target}.{key}"), &value_text)
                {
                    if browser {
                        draft.file.authorize_params.insert(key.clone(), v);
                    } else {
                        draft.file.token_params.insert(key.clone(), v);
                    }
                }
            }
            "responseType" => {
                if !value_text.is_empty() && value_text != "token" && value_text != "code" {
                    draft.leave(format!(
                        "responseType `{value_text}`: the implicit grant asks for `token` (`id_token token` when scope has openid) by itself"
                    ));
                }
            }
            "state" if !value_text.is_empty() => draft.leave(
                "state: a fixed value defeats its purpose (RFC 6749 §10.12); each run sends a fresh random one",
            ),
            "tokenPrefix" => {}
            "origin" if !value_text.is_empty() => draft.leave(format!(
                "origin `{value_text}`: an Origin header on token requests has no profile key"
            )),
            "state" | "origin" => {}
            other => {
                if !value_text.is_empty() && value_text != "false" {
                    draft.leave(format!(
                        "{other} = `{value_text}`: an Insomnia setting with no profile key"
                    ));
                }
            }
        }
    }
    // Client authentication: Insomnia sends Basic unless "credentials in
    // body" is on.
    let has_secret = !get("clientSecret").trim().is_empty();
    let in_body = auth["credentialsInBody"].as_bool() == Some(true);
    let method = match (has_secret, in_body) {
        (false, _) => ClientAuthMethod::None,
        (true, true) => ClientAuthMethod::ClientSecretPost,
        (true, false) => ClientAuthMethod::ClientSecretBasic,
    };
    draft.file.token_endpoint_auth_method = Some(method);
    draft.took.push(if has_secret {
        format!(
            "credentialsInBody = {in_body} -> token_endpoint_auth_method = {}",
            method.as_str()
        )
    } else {
        "no clientSecret -> token_endpoint_auth_method = none (a public client)".to_string()
    });
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
            query: None,
            prefix: ("tokenPrefix", get("tokenPrefix")),
        },
    );
    draft
}

fn request_of(draft: &mut Draft, vars: &Vars, name: &str, request: &Value) -> Option<RequestFile> {
    let url = text(&request["url"]);
    if url.trim().is_empty() {
        draft.leave(format!("request `{name}`: has no URL, not kept"));
        return None;
    }
    let mut saved = RequestFile {
        name: Some(name.to_string()),
        method: Some(text(&request["method"]).to_ascii_uppercase()).filter(|m| !m.is_empty()),
        ..RequestFile::default()
    };
    saved.url = take(
        draft,
        vars,
        &format!("request `{name}` url"),
        "requests.url",
        &url,
    );
    for param in request["parameters"].as_array().into_iter().flatten() {
        if param["disabled"].as_bool() == Some(true) {
            continue;
        }
        let key = text(&param["name"]);
        if key.is_empty() {
            continue;
        }
        if let Some(v) = take(
            draft,
            vars,
            &format!("request `{name}` parameter {key}"),
            "requests.query",
            &text(&param["value"]),
        ) {
            saved.query.insert(key, v);
        }
    }
    for header in request["headers"].as_array().into_iter().flatten() {
        if header["disabled"].as_bool() == Some(true) {
            continue;
        }
        let key = text(&header["name"]);
        if key.is_empty() || key.eq_ignore_ascii_case("user-agent") {
            continue;
        }
        if key.eq_ignore_ascii_case("authorization") {
            draft.leave(format!(
                "request `{name}` header Authorization: the profile sends its own token there"
            ));
            continue;
        }
        if let Some(v) = take(
            draft,
            vars,
            &format!("request `{name}` header {key}"),
            "requests.headers",
            &text(&header["value"]),
        ) {
            saved.headers.insert(key, v);
        }
    }
    let body = &request["body"];
    if let Some(body_text) = body["text"].as_str() {
        saved.body = take(
            draft,
            vars,
            &format!("request `{name}` body"),
            "requests.body",
            body_text,
        );
    } else if let Some(params) = body["params"].as_array() {
        let mime = text(&body["mimeType"]);
        if mime.starts_with("multipart/") {
            draft.leave(format!(
                "request `{name}`: its multipart body has no profile key; the fields are kept form-urlencoded"
            ));
        }
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for param in params {
            if param["disabled"].as_bool() == Some(true) {
                continue;
            }
            form.append_pair(
                &text(&param["name"]),
                &vars.resolve(&text(&param["value"])).text,
            );
        }
        saved.body = take(
            draft,
            vars,
            &format!("request `{name}` form body"),
            "requests.body",
            &form.finish(),
        );
    }
    Some(saved)
}
