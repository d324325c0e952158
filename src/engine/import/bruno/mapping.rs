//! From Bruno's blocks to a profile: the OAuth 2.0 auth block, extra\nparameters, and the request.

use super::super::{Draft, TokenUse, Vars};
use crate::engine::profile::{ClientAuthMethod, GrantType, PkceMode, RequestFile};
use std::collections::BTreeMap;

use super::*;

pub(super) fn profile_of(client: Client, vars: &Vars) -> Draft {
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
pub(super) fn extra_params(draft: &mut Draft, blocks: &[Block], vars: &Vars) {
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

pub(super) fn request_of(
    draft: &mut Draft,
    vars: &Vars,
    name: &str,
    blocks: &[Block],
) -> Option<RequestFile> {
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
    let (path, _) = super::super::split_query(url);
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
