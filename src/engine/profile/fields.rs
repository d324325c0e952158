//! Validating single fields and tables of a profile: URLs, secrets,
//! the API table, logout settings.

use std::collections::BTreeMap;

use url::Url;

use crate::engine::store::secret::Secret;

use super::*;

/// A problem with the profile key `key`.
pub(crate) fn problem(key: &str, message: impl Into<String>) -> Problem {
    Problem {
        key: Some(key.to_string()),
        line: None,
        message: message.into(),
    }
}

/// The value, trimmed, when it is not empty.
pub(crate) fn non_empty(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

pub(super) fn pairs(map: &BTreeMap<String, String>) -> Vec<(String, String)> {
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Parses an absolute http(s) URL.
pub fn parse_http_url(value: &str) -> Result<Url, String> {
    let missing_scheme = || {
        format!(
            "`{value}` has no scheme; add https:// in front (`https://{value}`), or http:// for a server without TLS"
        )
    };
    let url = match Url::parse(value) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => return Err(missing_scheme()),
        Err(err) => return Err(format!("`{value}` is not a valid URL: {err}")),
    };
    match url.scheme() {
        "http" | "https" => Ok(url),
        // `localhost:8080/token` reads as the scheme `localhost`.
        _ if !value.contains("://") && looks_like_host_and_port(value) => Err(missing_scheme()),
        other => Err(format!(
            "`{value}` uses the scheme `{other}`; only http and https are supported"
        )),
    }
}

/// The expected value that differs from the one written only in case
/// (`pkce = "s256"` → `S256`), read from serde's "unknown variant `x`,
/// expected one of `A`, `B`" message.
pub(super) fn did_you_mean(message: &str) -> Option<String> {
    let rest = message.split_once("unknown variant `")?.1;
    let (given, rest) = rest.split_once('`')?;
    rest.split('`')
        .skip(1)
        .step_by(2)
        .find(|expected| expected.eq_ignore_ascii_case(given) && *expected != given)
        .map(str::to_string)
}

/// `host:port` or `host:port/path`: a URL written without its scheme.
pub(super) fn looks_like_host_and_port(value: &str) -> bool {
    value.split_once(':').is_some_and(|(_, rest)| {
        let port = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !port.is_empty() && port.chars().all(|c| c.is_ascii_digit())
    })
}

/// Where a secret comes from. `inline` is the value in the file, or — for a
/// keychain secret — the value the store read from the keychain into memory;
/// a keychain reference with no value means the keychain did not give it.
pub(super) fn secret_source(
    key: &str,
    inline: &Option<Secret>,
    env: &Option<String>,
    keychain: &Option<String>,
    problems: &mut Vec<Problem>,
) -> Option<SecretSource> {
    let env = non_empty(env);
    let keychain = non_empty(keychain);
    if env.is_some() && (inline.is_some() || keychain.is_some()) {
        let other = if keychain.is_some() {
            format!("{key}_keychain")
        } else {
            key.to_string()
        };
        problems.push(problem(
            key,
            format!("set either {other} or {key}_env, not both"),
        ));
        return None;
    }
    match (inline, env, keychain) {
        (Some(secret), None, _) if !secret.is_empty() => Some(SecretSource::Inline(secret.clone())),
        (_, Some(var), _) => Some(SecretSource::Env(var)),
        (None, None, Some(account)) => {
            problems.push(problem(
                &format!("{key}_keychain"),
                format!(
                    "the secret `{account}` could not be read from the OS keychain (service `oauth-debugger`); type it again in the app and save, or set {key}_env"
                ),
            ));
            None
        }
        _ => None,
    }
}

/// Resolves an endpoint: an absolute http(s) URL, or a path (starting with
/// `/`) under `base_url`. `base_given` says whether a base URL was written
/// (it may have been invalid, which is reported on its own key).
pub(super) fn resolve_url(
    value: &str,
    base: Option<&Url>,
    base_given: bool,
) -> Result<Url, String> {
    if !value.starts_with('/') {
        return parse_http_url(value);
    }
    match base {
        Some(base) => parse_http_url(&format!("{}{value}", base.as_str().trim_end_matches('/'))),
        None if base_given => Err(format!("`{value}` is a path, and base_url is not valid")),
        None => Err(format!(
            "`{value}` is a path; set base_url to the server's address, or write the whole URL"
        )),
    }
}

/// `[oidc_logout]` typed: the redirect URI any absolute http(s) URL, the
/// back-channel URI loopback http (the debugger serves it on 127.0.0.1).
pub(super) fn oidc_logout_settings(
    file: Option<&OidcLogoutFile>,
    problems: &mut Vec<Problem>,
) -> OidcLogoutSettings {
    let Some(file) = file else {
        return OidcLogoutSettings::default();
    };
    let mut absolute = |key: &str, value: &Option<String>| {
        let value = non_empty(value)?;
        match parse_http_url(&value) {
            Ok(url) => Some(url),
            Err(message) => {
                problems.push(problem(key, message));
                None
            }
        }
    };
    let post_logout_redirect_uri = absolute(
        "oidc_logout.post_logout_redirect_uri",
        &file.post_logout_redirect_uri,
    );
    let backchannel_logout_uri = absolute(
        "oidc_logout.backchannel_logout_uri",
        &file.backchannel_logout_uri,
    )
    .filter(|url| {
        let loopback = url.scheme() == "http"
            && matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback());
        if !loopback {
            problems.push(problem(
                "oidc_logout.backchannel_logout_uri",
                format!(
                    "{url} is not a loopback http URI; the debugger receives logout tokens on 127.0.0.1 only (write http://127.0.0.1:PORT/PATH, port 0 for any)"
                ),
            ));
        }
        loopback
    });
    OidcLogoutSettings {
        post_logout_redirect_uri,
        logout_hint: non_empty(&file.logout_hint),
        ui_locales: non_empty(&file.ui_locales),
        backchannel_logout_uri,
    }
}

pub(super) fn required_url(
    value: &Option<String>,
    key: &str,
    base: Option<&Url>,
    base_given: bool,
    problems: &mut Vec<Problem>,
) -> Option<Url> {
    let Some(value) = non_empty(value) else {
        problems.push(problem(key, "is required"));
        return None;
    };
    resolve_url(&value, base, base_given)
        .map_err(|message| problems.push(problem(key, message)))
        .ok()
}

pub(super) fn method_or(
    value: &Option<String>,
    default: &str,
    key: &str,
    problems: &mut Vec<Problem>,
) -> Option<http::Method> {
    let text = non_empty(value).unwrap_or_else(|| default.to_string());
    http::Method::from_bytes(text.to_ascii_uppercase().as_bytes())
        .map_err(|_| problems.push(problem(key, format!("`{text}` is not an HTTP method"))))
        .ok()
}

pub(super) fn header_names<'a>(
    names: impl Iterator<Item = &'a String>,
    key: &str,
    problems: &mut Vec<Problem>,
) {
    for name in names {
        if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            problems.push(problem(key, format!("`{name}` is not a valid header name")));
        }
    }
}

pub(super) fn api_config(
    api: &ApiFile,
    base: Option<&Url>,
    base_given: bool,
    problems: &mut Vec<Problem>,
) -> Option<ApiConfig> {
    let url = match non_empty(&api.url) {
        None => {
            problems.push(problem("api.url", "is required in [api]"));
            return None;
        }
        Some(url) => match resolve_url(&url, base, base_given) {
            Ok(url) => url,
            Err(message) => {
                problems.push(problem("api.url", message));
                return None;
            }
        },
    };
    let method = method_or(&api.method, "GET", "api.method", problems)?;
    let param = non_empty(&api.query_param).unwrap_or_else(|| "access_token".to_string());
    let placement = match api.token_placement.unwrap_or_default() {
        TokenPlacementKind::Header => {
            let name = non_empty(&api.header_name).unwrap_or_else(|| "Authorization".to_string());
            if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                problems.push(problem(
                    "api.header_name",
                    format!("`{name}` is not a valid header name"),
                ));
            }
            TokenPlacement::Header {
                name,
                prefix: api
                    .header_prefix
                    .clone()
                    .unwrap_or_else(|| "Bearer".to_string()),
            }
        }
        TokenPlacementKind::Query => TokenPlacement::Query { param },
        TokenPlacementKind::Body => TokenPlacement::Body { param },
    };
    header_names(api.headers.keys(), "api.headers", problems);
    Some(ApiConfig {
        url,
        method,
        placement,
        headers: pairs(&api.headers),
        query: pairs(&api.query),
        body: api.body.clone(),
    })
}
