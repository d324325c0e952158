//! A `curl` command line, pasted as text.
//!
//! The line is split as a POSIX shell would (single and double quotes,
//! backslash escapes, `\` line continuations, `$'…'`), then read option by
//! option. A POST whose form body (or query) carries `grant_type` is a token
//! request (RFC 6749 §4.1.3, §4.3.2, §4.4.2, §6; RFC 8628 §3.4): it becomes
//! a profile with that grant, the URL as its token endpoint and the client
//! authentication it used — HTTP Basic (`-u`, or an `Authorization: Basic`
//! header; RFC 6749 §2.3.1), the secret in the body (`client_secret_post`),
//! an assertion (`private_key_jwt`, RFC 7523 §2.2) or `client_id` alone (a
//! public client). Any other request becomes the profile's API request
//! (`[api]`), its bearer token placement recognised (RFC 6750 §2).
//!
//! One-time values — an authorization code, a refresh token, a device code,
//! a PKCE verifier, a bearer token — are never kept: the profile gets its
//! own when it runs. The report says so for each.

use base64::Engine as _;

use super::{Draft, Format, ImportError, ImportReport, Vars, form_pairs, split_query};
use crate::engine::profile::{
    ApiFile, ClientAuthMethod, CompatFile, GrantType, HttpFile, PkceMode, TokenPlacementKind,
};

mod command;
use command::*;

/// Whether `text` is a curl command line.
pub fn looks_like_curl(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or_default();
    let first = first.trim_start_matches('$').trim();
    first == "curl" || first.ends_with("/curl") || first == "curl.exe"
}

/// Imports a curl command line.
pub fn import(text: &str, source: &str) -> Result<ImportReport, ImportError> {
    let words = shell_words(text).map_err(|message| ImportError(format!("{source}: {message}")))?;
    let command = parse(&words).map_err(|message| ImportError(format!("{source}: {message}")))?;
    let Some(url) = command.url.clone() else {
        return Err(ImportError(format!(
            "{source}: the curl command has no URL"
        )));
    };
    let body = command.data.join("&");
    let body_fields: Vec<(String, String)> = if !command.form.is_empty() {
        command.form.clone()
    } else if is_form_body(&command, &body) {
        form_pairs(&body)
    } else {
        Vec::new()
    };
    let (path, query) = split_query(&url);
    let query_fields = query.map(form_pairs).unwrap_or_default();
    let grant_in_body = body_fields.iter().any(|(k, _)| k == "grant_type");
    let grant_in_query = !grant_in_body && query_fields.iter().any(|(k, _)| k == "grant_type");
    let mut draft = if grant_in_body || grant_in_query {
        token_request(&command, &url, body_fields, query_fields, grant_in_query)
    } else {
        api_request(&command, path, query_fields, &body, source)
    };
    http_settings(&mut draft, &command);
    for ignored in &command.ignored {
        draft.leave(format!(
            "`{ignored}`: changes only how curl prints or follows; nothing to keep"
        ));
    }
    for unknown in &command.unknown {
        draft.leave(format!("{unknown}: not an option this import maps"));
    }
    Ok(ImportReport {
        format: Format::Curl,
        source: source.to_string(),
        profiles: vec![draft.finish()],
        notes: Vec::new(),
    })
}

fn is_form_body(command: &Command, body: &str) -> bool {
    let content_type = header(command, "content-type").unwrap_or_default();
    if content_type.is_empty() {
        // curl's own default for -d.
        return !body.is_empty() && !body.trim_start().starts_with(['{', '[', '<']);
    }
    content_type
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
}

fn header<'a>(command: &'a Command, name: &str) -> Option<&'a str> {
    command
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| url.to_string())
}

/// A token request: grant, token endpoint, client authentication.
fn token_request(
    command: &Command,
    url: &str,
    body: Vec<(String, String)>,
    query: Vec<(String, String)>,
    grant_in_query: bool,
) -> Draft {
    let vars = Vars::default();
    let mut draft = Draft::new("curl token request");
    let (path, _) = split_query(url);
    let fields = if grant_in_query { query } else { body };
    if grant_in_query {
        draft.file.token_endpoint = draft.take(&vars, "URL", "token_endpoint", path);
        draft.file.compat = Some(CompatFile {
            token_params_in_query: true,
            ..CompatFile::default()
        });
        draft.took.push(
            "parameters in the URL's query -> compat.token_params_in_query (RFC 6749 §3.2 asks for the body)"
                .to_string(),
        );
    } else {
        draft.file.token_endpoint = draft.take(&vars, "URL", "token_endpoint", path);
        if let Some((_, query)) = url.split_once('?') {
            draft.leave(format!(
                "the URL's query `{query}`: token requests carry their parameters in the body; the query is not kept"
            ));
        }
    }
    let method = command.method.clone().unwrap_or_else(|| "POST".to_string());
    if method != "POST" {
        draft.leave(format!(
            "-X {method}: token requests are always POST (RFC 6749 §3.2)"
        ));
    }
    let mut secret_in_body = false;
    let mut client_in_body = false;
    let mut assertion = false;
    let mut grant_name = String::new();
    for (key, value) in fields {
        match key.as_str() {
            "grant_type" => {
                grant_name = value.clone();
                match GrantType::parse(&value) {
                    Some(grant) => {
                        draft.file.grant_type = Some(grant);
                        draft.took.push(format!("grant_type={value} -> grant_type"));
                    }
                    None => draft.leave(format!(
                        "grant_type={value}: not a grant this debugger runs (client_credentials, password, authorization_code, refresh_token, device_code); the profile has no grant_type"
                    )),
                }
            }
            "client_id" => {
                client_in_body = true;
                draft.file.client_id = draft.take(&vars, "client_id", "client_id", &value);
            }
            "client_secret" => {
                secret_in_body = true;
                draft.file.client_secret =
                    draft.take_secret(&vars, "client_secret", "client_secret", &value);
            }
            "client_assertion_type" => {}
            "client_assertion" => {
                assertion = true;
                draft.leave(
                    "client_assertion: a signed JWT made for one request (RFC 7523 §3); the profile signs its own — set signing_key_file".to_string(),
                );
            }
            "scope" => draft.file.scope = draft.take(&vars, "scope", "scope", &value),
            "username" => draft.file.username = draft.take(&vars, "username", "username", &value),
            "password" => {
                draft.file.password = draft.take_secret(&vars, "password", "password", &value);
            }
            "redirect_uri" => {
                draft.file.redirect_uri = draft.take(&vars, "redirect_uri", "redirect_uri", &value);
            }
            "code" => draft.leave(
                "code: an authorization code is good for one exchange (RFC 6749 §4.1.2); each run gets a fresh one",
            ),
            "code_verifier" => {
                draft.file.pkce = Some(PkceMode::S256);
                draft.leave(
                    "code_verifier: made fresh for each run (RFC 7636 §4.1); pkce = S256 is set because the request used PKCE",
                );
            }
            "refresh_token" => draft.leave(
                "refresh_token: a credential from an earlier grant, not kept; run the profile's own grant to get one",
            ),
            "device_code" => draft.leave(
                "device_code: good for one device authorization (RFC 8628 §3.4); each run gets a fresh one",
            ),
            _ => {
                let taken = draft.take(&vars, &key, &format!("token_params.{key}"), &value);
                if let Some(value) = taken {
                    draft.file.token_params.insert(key, value);
                }
            }
        }
    }
    // Client authentication (RFC 6749 §2.3.1; RFC 7523 §2.2).
    let basic = basic_credentials(command);
    match basic {
        Some(Ok((from, id, secret))) => {
            if client_in_body {
                draft.leave(format!(
                    "client_id in the body as well as {from}: RFC 6749 §2.3.1 allows one method per request; Basic is kept"
                ));
            }
            draft.file.client_id = draft.take(&vars, from, "client_id", &id);
            draft.file.client_secret = draft.take_secret(&vars, from, "client_secret", &secret);
            draft.file.token_endpoint_auth_method = Some(ClientAuthMethod::ClientSecretBasic);
            draft.took.push(format!(
                "{from} -> token_endpoint_auth_method = client_secret_basic"
            ));
        }
        Some(Err(message)) => draft.leave(message),
        None => {
            let method = if assertion {
                Some(ClientAuthMethod::PrivateKeyJwt)
            } else if secret_in_body {
                Some(ClientAuthMethod::ClientSecretPost)
            } else if client_in_body {
                Some(ClientAuthMethod::None)
            } else {
                None
            };
            if let Some(method) = method {
                draft.file.token_endpoint_auth_method = Some(method);
                draft.took.push(format!(
                    "client credentials in the body -> token_endpoint_auth_method = {}",
                    method.as_str()
                ));
            }
        }
    }
    for (name, value) in &command.headers {
        let lower = name.to_ascii_lowercase();
        if lower == "content-type" || lower == "accept" {
            continue;
        }
        if lower == "authorization" && value.to_ascii_lowercase().starts_with("basic ") {
            continue;
        }
        draft.leave(format!(
            "header `{name}`: profiles send no extra headers with token requests"
        ));
    }
    if !command.form.is_empty() {
        draft.leave(
            "-F: the fields were sent as multipart/form-data; the debugger sends them form-urlencoded, as RFC 6749 §3.2 asks",
        );
    }
    let grant_label = draft
        .file
        .grant_type
        .map(|g| g.as_str().to_string())
        .unwrap_or(grant_name);
    let host = draft
        .file
        .token_endpoint
        .as_deref()
        .map(host_of)
        .unwrap_or_default();
    draft.file.name = Some(format!("{host} — {grant_label}"));
    draft
}

/// HTTP Basic client credentials from `-u` or an `Authorization: Basic`
/// header: (where from, id, secret), form-decoded (RFC 6749 §2.3.1).
fn basic_credentials(command: &Command) -> Option<Result<(&'static str, String, String), String>> {
    if let Some(user) = &command.user {
        let (id, secret) = user.split_once(':').unwrap_or((user.as_str(), ""));
        return Some(Ok(("-u", decode_form(id), decode_form(secret))));
    }
    let value = header(command, "authorization")?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let Some(decoded) = decoded else {
        return Some(Err(
            "Authorization: Basic header: its value is not base64 of `id:secret` (RFC 7617 §2)"
                .to_string(),
        ));
    };
    let (id, secret) = decoded.split_once(':').unwrap_or((decoded.as_str(), ""));
    Some(Ok((
        "Authorization: Basic",
        decode_form(id),
        decode_form(secret),
    )))
}

/// RFC 6749 §2.3.1 form-encodes the id and secret before Basic; decoding
/// leaves an unencoded value as it was (except `+`, which becomes a space,
/// as the server would read it).
fn decode_form(value: &str) -> String {
    url::form_urlencoded::parse(format!("x={value}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| value.to_string())
}

/// Any other request: the profile's `[api]`.
fn api_request(
    command: &Command,
    path: &str,
    query: Vec<(String, String)>,
    body: &str,
    source: &str,
) -> Draft {
    let vars = Vars::default();
    let mut draft = Draft::new(source.to_string());
    let mut api = ApiFile::default();
    let method = command.method.clone().unwrap_or_else(|| {
        if (!command.data.is_empty() || !command.form.is_empty()) && !command.get {
            "POST".to_string()
        } else {
            "GET".to_string()
        }
    });
    api.url = draft.take(&vars, "URL", "api.url", path);
    api.method = Some(method.clone());
    draft.took.push(format!("{method} -> api.method"));
    let mut placement = None;
    for (key, value) in query {
        if key == "access_token" || key == "oauth_token" {
            placement = Some(TokenPlacementKind::Query);
            api.query_param = Some(key.clone());
            draft.leave(format!(
                "?{key}=…: a token from an earlier grant, not kept; the profile places its own token there (token_placement = query)"
            ));
            continue;
        }
        if let Some(value) = draft.take(
            &vars,
            &format!("?{key}"),
            &format!("api.query.{key}"),
            &value,
        ) {
            api.query.insert(key, value);
        }
    }
    if command.get && !body.is_empty() {
        for (key, value) in form_pairs(body) {
            if let Some(value) = draft.take(
                &vars,
                &format!("-G {key}"),
                &format!("api.query.{key}"),
                &value,
            ) {
                api.query.insert(key, value);
            }
        }
    } else if !body.is_empty() {
        api.body = draft.take(&vars, "-d", "api.body", body);
    } else if !command.form.is_empty() {
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(command.form.iter())
            .finish();
        api.body = draft.take(&vars, "-F", "api.body", &encoded);
        draft.leave(
            "-F: sent as multipart/form-data by curl; the profile's body is form-urlencoded",
        );
    }
    if let Some(_token) = &command.bearer {
        placement = Some(TokenPlacementKind::Header);
        draft.leave("--oauth2-bearer: a token from an earlier grant, not kept; the profile sends its own as `Authorization: Bearer`");
    }
    for (name, value) in &command.headers {
        if name.eq_ignore_ascii_case("authorization") {
            let (scheme, _) = value.split_once(' ').unwrap_or((value.as_str(), ""));
            if scheme.eq_ignore_ascii_case("basic") {
                draft.leave(
                    "Authorization: Basic: an API called with a password, not a token; not kept",
                );
                continue;
            }
            placement = Some(TokenPlacementKind::Header);
            if scheme != "Bearer" {
                api.header_prefix = Some(scheme.to_string());
                draft.took.push(format!(
                    "Authorization scheme `{scheme}` -> api.header_prefix"
                ));
            }
            draft.leave(format!(
                "Authorization: {scheme} …: a token from an earlier grant, not kept; the profile sends its own there"
            ));
            continue;
        }
        if let Some(value) = draft.take(
            &vars,
            &format!("header {name}"),
            &format!("api.headers.{name}"),
            value,
        ) {
            api.headers.insert(name.clone(), value);
        }
    }
    if let Some(placement) = placement {
        api.token_placement = Some(placement);
        draft
            .took
            .push(format!("token placement -> api.token_placement = {placement:?}").to_lowercase());
    }
    let host = host_of(path);
    let route = url::Url::parse(path)
        .map(|u| u.path().to_string())
        .unwrap_or_default();
    draft.file.name = Some(format!("{method} {host}{route}"));
    draft.file.api = Some(api);
    draft.leave(
        "no token request in the command: the profile has an [api] request but no grant — set token_endpoint (or issuer), client_id and grant_type",
    );
    draft
}

fn http_settings(draft: &mut Draft, command: &Command) {
    let http = command.http.clone();
    if http == HttpFile::default() {
        return;
    }
    if http.accept_invalid_certs == Some(true) {
        draft
            .took
            .push("-k -> http.accept_invalid_certs = true (certificate checks off)".to_string());
    }
    for (set, what) in [
        (http.ca_file.is_some(), "--cacert -> http.ca_file"),
        (
            http.client_cert_file.is_some(),
            "--cert -> http.client_cert_file",
        ),
        (
            http.client_key_file.is_some(),
            "--key -> http.client_key_file",
        ),
        (http.proxy.is_some(), "--proxy -> http.proxy"),
        (
            http.timeout_secs.is_some(),
            "--max-time -> http.timeout_secs",
        ),
        (
            http.connect_timeout_secs.is_some(),
            "--connect-timeout -> http.connect_timeout_secs",
        ),
    ] {
        if set {
            draft.took.push(what.to_string());
        }
    }
    draft.file.http = Some(http);
}

#[cfg(test)]
mod tests;
