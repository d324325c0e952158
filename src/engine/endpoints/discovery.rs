//! Discovery: the authorization server's metadata, from its issuer
//! identifier (OpenID Connect Discovery 1.0 §4, RFC 8414 §3).
//!
//! [`discover`] reads `/.well-known/openid-configuration` and RFC 8414's
//! `/.well-known/oauth-authorization-server` (inserted before an issuer's
//! path), merges them (the OpenID document first, RFC 8414's filling its
//! gaps, disagreements reported) and checks what it found: the `issuer` in
//! the document must be the one asked for. [`fill_profile`]
//! copies the endpoints into the empty fields of a profile (never over what
//! the user typed) and [`check_profile`] says where the profile asks for
//! something the server does not list. A server without discovery keeps
//! working with endpoints typed by hand.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::error::EngineError;
use crate::engine::profile::{
    ClientAuthMethod, GrantType, PkceMode, Profile, ProfileFile, parse_http_url,
};
use crate::engine::wire::clock;
use crate::engine::wire::http::{Exchange, ExchangeKind, HttpClient};

/// The OpenID Connect well-known path.
pub const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";
/// The RFC 8414 well-known path.
pub const OAUTH_AUTHORIZATION_SERVER: &str = "/.well-known/oauth-authorization-server";

/// `grant_types_supported` when the metadata leaves it out (RFC 8414 §2,
/// OpenID Connect Discovery §3).
pub const DEFAULT_GRANT_TYPES: [&str; 2] = ["authorization_code", "implicit"];
/// `token_endpoint_auth_methods_supported` when the metadata leaves it out.
pub const DEFAULT_AUTH_METHODS: [&str; 1] = ["client_secret_basic"];

/// The metadata fields this debugger uses (RFC 8414 §2, OIDC Discovery
/// §3). A list that is absent is `None`: "not listed" differs from "lists
/// nothing".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerMetadata {
    /// `issuer`.
    #[serde(default)]
    pub issuer: Option<String>,
    /// `authorization_endpoint`.
    #[serde(default)]
    pub authorization_endpoint: Option<String>,
    /// `token_endpoint`.
    #[serde(default)]
    pub token_endpoint: Option<String>,
    /// `device_authorization_endpoint` (RFC 8628 §4).
    #[serde(default)]
    pub device_authorization_endpoint: Option<String>,
    /// `backchannel_authentication_endpoint` (OpenID CIBA Core §4).
    #[serde(default)]
    pub backchannel_authentication_endpoint: Option<String>,
    /// `backchannel_token_delivery_modes_supported` (OpenID CIBA Core §4).
    #[serde(default)]
    pub backchannel_token_delivery_modes_supported: Option<Vec<String>>,
    /// `userinfo_endpoint`.
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    /// `jwks_uri`.
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// `introspection_endpoint` (RFC 8414 §2).
    #[serde(default)]
    pub introspection_endpoint: Option<String>,
    /// `revocation_endpoint` (RFC 8414 §2).
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// `pushed_authorization_request_endpoint` (RFC 9126 §5).
    #[serde(default)]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// `end_session_endpoint` (OpenID Connect RP-Initiated Logout §2.1).
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    /// `require_pushed_authorization_requests` (RFC 9126 §5).
    #[serde(default)]
    pub require_pushed_authorization_requests: Option<bool>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §3).
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: Option<bool>,
    /// `grant_types_supported`.
    #[serde(default)]
    pub grant_types_supported: Option<Vec<String>>,
    /// `token_endpoint_auth_methods_supported`.
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `code_challenge_methods_supported` (RFC 8414 §2, for PKCE).
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// `scopes_supported`.
    #[serde(default)]
    pub scopes_supported: Option<Vec<String>>,
    /// `response_types_supported`.
    #[serde(default)]
    pub response_types_supported: Option<Vec<String>>,
    /// `id_token_signing_alg_values_supported`.
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Option<Vec<String>>,
    /// `authorization_details_types_supported` (RFC 9396 §10).
    #[serde(default)]
    pub authorization_details_types_supported: Option<Vec<String>>,
}

/// What discovery found.
#[derive(Debug, Clone)]
pub struct Discovered {
    /// The issuer asked for, as given.
    pub issuer: String,
    /// The URL that answered first (the OpenID document when there is one).
    pub url: Url,
    /// The metadata: the first document as sent, with the fields only the
    /// second one (RFC 8414's, when both answered) has added.
    pub document: Map<String, Value>,
    /// The fields this debugger uses.
    pub metadata: ServerMetadata,
    /// What was wrong with the documents (an issuer that does not match,
    /// fields of the wrong type, a server clock that is off, the two
    /// documents disagreeing) and which fields the second one filled.
    pub findings: Vec<Finding>,
    /// Every request made, in order (404s of the paths a server does not
    /// publish included).
    pub exchanges: Vec<Exchange>,
    /// Every URL whose document was used, the first first.
    pub sources: Vec<Url>,
}

/// The well-known URLs for `issuer`, in the order tried: the OpenID Connect
/// one (appended to the issuer), then RFC 8414's (inserted before the
/// issuer's path), then, for an issuer with a path, RFC 8414's appended as
/// many servers publish it.
pub fn well_known_urls(issuer: &str) -> Result<Vec<Url>, String> {
    let base = parse_http_url(issuer.trim())?;
    let path = base.path().trim_end_matches('/').to_string();
    let mut origin = base.clone();
    origin.set_path("");
    origin.set_query(None);
    origin.set_fragment(None);
    let origin = origin.as_str().trim_end_matches('/').to_string();
    let mut urls = vec![format!("{origin}{path}{OPENID_CONFIGURATION}")];
    urls.push(format!("{origin}{OAUTH_AUTHORIZATION_SERVER}{path}"));
    if !path.is_empty() {
        urls.push(format!("{origin}{path}{OAUTH_AUTHORIZATION_SERVER}"));
    }
    urls.iter()
        .map(|u| parse_http_url(u))
        .collect::<Result<Vec<_>, _>>()
}

/// Fetches the metadata of the server whose issuer identifier is `issuer`
/// from both documents a server may publish (RFC 8414 §5): the OpenID
/// Connect one first, then RFC 8414's (the path-inserted form, else the
/// appended one). Where both answer they are merged: the OpenID document's
/// values win, the RFC 8414 document fills the fields it lacks, and a field
/// the two give differently is a finding. A network failure on the first
/// request stops at once; a later one leaves what was found.
pub async fn discover(http: &HttpClient, issuer: &str) -> Result<Discovered, EngineError> {
    let issuer = issuer.trim().to_string();
    let urls = well_known_urls(&issuer).map_err(|message| {
        EngineError::Profile(crate::engine::profile::ProfileError::field(
            "issuer", message,
        ))
    })?;
    let mut exchanges = Vec::new();
    let mut last_error = None;
    let mut found: Vec<(Url, Map<String, Value>, Exchange)> = Vec::new();
    let mut rfc8414_found = false;
    for (index, url) in urls.into_iter().enumerate() {
        // The RFC 8414 appended form only when the inserted one gave nothing.
        if index == 2 && rfc8414_found {
            break;
        }
        let exchange = match http.get_json(&url, ExchangeKind::Discovery, None).await {
            Ok(exchange) => exchange,
            Err(error) if found.is_empty() => {
                return Err(EngineError::Transport {
                    error,
                    exchange: None,
                });
            }
            Err(_) => break,
        };
        exchanges.push(exchange.clone());
        match EngineError::require_json_object(exchange, "discovery document") {
            Ok((exchange, document)) => {
                rfc8414_found |= index > 0;
                found.push((url, document, exchange));
            }
            Err(err @ EngineError::Transport { .. }) if found.is_empty() => return Err(err),
            Err(err) => last_error = Some(err),
        }
    }
    let mut found = found.into_iter();
    let Some((url, mut document, exchange)) = found.next() else {
        return Err(last_error.unwrap_or_else(|| {
            EngineError::Unsupported(format!("no discovery document for {issuer}"))
        }));
    };
    let mut sources = vec![url.clone()];
    let mut merge_findings = Vec::new();
    if let Some((second_url, second, _)) = found.next() {
        merge_findings = merge(&mut document, &second, &url, &second_url);
        sources.push(second_url);
    }
    let (metadata, mut findings) = read_metadata(&document, &issuer);
    findings.extend(merge_findings);
    findings.extend(clock::skew_finding(&exchange));
    Ok(Discovered {
        issuer,
        url,
        document,
        metadata,
        findings,
        exchanges,
        sources,
    })
}

/// Adds to `first` the fields only `second` has, and reports the fields the
/// two give differently (the first's value is kept) and the fields filled.
pub fn merge(
    first: &mut Map<String, Value>,
    second: &Map<String, Value>,
    first_url: &Url,
    second_url: &Url,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut filled = Vec::new();
    for (name, value) in second {
        match first.get(name) {
            None => {
                first.insert(name.clone(), value.clone());
                filled.push(name.clone());
            }
            Some(mine) if !same_value(mine, value) => findings.push(Finding::new(
                Severity::Warning,
                "discovery_documents_disagree",
                format!(
                    "{name} is {mine} in {first_url} but {value} in {second_url}; the first is used"
                ),
                Some("RFC 8414 §5"),
            )),
            Some(_) => {}
        }
    }
    if !filled.is_empty() {
        findings.push(Finding::new(
            Severity::Info,
            "discovery_filled_from_second_document",
            format!(
                "{first_url} has no {}; taken from {second_url}",
                filled.join(", ")
            ),
            Some("RFC 8414 §5"),
        ));
    }
    findings
}

/// Equal values, lists compared as sets (the order of a `…_supported` list
/// means nothing).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().all(|v| y.contains(v)),
        _ => a == b,
    }
}

/// The profile's `jwks_uri`, or, when it has none, the one its issuer's
/// discovery document names (`None` when neither says).
pub async fn jwks_uri(http: &HttpClient, profile: &Profile) -> Result<Option<Url>, EngineError> {
    if let Some(uri) = &profile.endpoints.jwks_uri {
        return Ok(Some(uri.clone()));
    }
    let Some(issuer) = &profile.endpoints.issuer else {
        return Ok(None);
    };
    let found = discover(http, &crate::engine::jwt::verify::issuer_text(issuer)).await?;
    Ok(found
        .metadata
        .jwks_uri
        .as_deref()
        .and_then(|uri| parse_http_url(uri).ok()))
}

/// The metadata fields that are booleans (RFC 9126 §5, RFC 9207 §3).
const BOOLEAN_FIELDS: &[&str] = &[
    "require_pushed_authorization_requests",
    "authorization_response_iss_parameter_supported",
];

/// The typed fields of a discovery document and what is wrong with it,
/// `issuer` being the identifier it was fetched for.
pub fn read_metadata(
    document: &Map<String, Value>,
    issuer: &str,
) -> (ServerMetadata, Vec<Finding>) {
    let mut findings = Vec::new();
    let reference = Some("RFC 8414 §2");
    let mut clean = Map::new();
    let known = serde_json::to_value(ServerMetadata::default()).unwrap_or(Value::Null);
    for (name, value) in document {
        if known.get(name).is_none() {
            continue;
        }
        // The booleans are named; the lists are the other fields named
        // `…_supported`; the rest are strings.
        let boolean = BOOLEAN_FIELDS.contains(&name.as_str());
        let fits = if boolean {
            value.is_boolean()
        } else if name.ends_with("_supported") {
            value
                .as_array()
                .is_some_and(|list| list.iter().all(Value::is_string))
        } else {
            value.is_string()
        };
        if fits {
            clean.insert(name.clone(), value.clone());
        } else {
            findings.push(Finding::new(
                Severity::Warning,
                "discovery_field_type",
                format!(
                    "{name} is {value}; it is {}",
                    if boolean {
                        "a boolean"
                    } else if name.ends_with("_supported") {
                        "an array of strings"
                    } else {
                        "a string"
                    }
                ),
                reference,
            ));
        }
    }
    let metadata: ServerMetadata = serde_json::from_value(Value::Object(clean)).unwrap_or_default();
    match &metadata.issuer {
        None => findings.push(Finding::new(
            Severity::Error,
            "discovery_issuer_missing",
            "the document has no issuer; it is REQUIRED",
            reference,
        )),
        Some(found) if found == issuer => {}
        Some(found) if found.trim_end_matches('/') == issuer.trim_end_matches('/') => {
            findings.push(Finding::new(
                Severity::Warning,
                "discovery_issuer_mismatch",
                format!(
                    "the document's issuer {found:?} differs from {issuer:?} by a trailing slash; strict clients compare them exactly"
                ),
                Some("RFC 8414 §3.3"),
            ));
        }
        Some(found) => findings.push(Finding::new(
            Severity::Error,
            "discovery_issuer_mismatch",
            format!(
                "the document's issuer is {found:?}, not {issuer:?}: a client must not use this metadata (it could come from an impostor)"
            ),
            Some("RFC 8414 §3.3"),
        )),
    }
    if metadata.token_endpoint.is_none() {
        findings.push(Finding::new(
            Severity::Warning,
            "discovery_token_endpoint_missing",
            "the document has no token_endpoint",
            reference,
        ));
    }
    (metadata, findings)
}

fn is_empty(field: &Option<String>) -> bool {
    field.as_deref().is_none_or(|v| v.trim().is_empty())
}

/// Copies the server's endpoints into the empty fields of `file`, never
/// over a value the user wrote, and whether it sends `iss` in
/// authorization responses (RFC 9207 §3) when the profile does not say.
/// Returns the names of the fields filled.
pub fn fill_profile(file: &mut ProfileFile, metadata: &ServerMetadata) -> Vec<String> {
    let mut filled = Vec::new();
    let pairs: [(&str, &mut Option<String>, &Option<String>); 11] = [
        ("issuer", &mut file.issuer, &metadata.issuer),
        (
            "authorization_endpoint",
            &mut file.authorization_endpoint,
            &metadata.authorization_endpoint,
        ),
        (
            "token_endpoint",
            &mut file.token_endpoint,
            &metadata.token_endpoint,
        ),
        (
            "device_authorization_endpoint",
            &mut file.device_authorization_endpoint,
            &metadata.device_authorization_endpoint,
        ),
        (
            "userinfo_endpoint",
            &mut file.userinfo_endpoint,
            &metadata.userinfo_endpoint,
        ),
        ("jwks_uri", &mut file.jwks_uri, &metadata.jwks_uri),
        (
            "introspection_endpoint",
            &mut file.introspection_endpoint,
            &metadata.introspection_endpoint,
        ),
        (
            "revocation_endpoint",
            &mut file.revocation_endpoint,
            &metadata.revocation_endpoint,
        ),
        (
            "pushed_authorization_request_endpoint",
            &mut file.pushed_authorization_request_endpoint,
            &metadata.pushed_authorization_request_endpoint,
        ),
        (
            "end_session_endpoint",
            &mut file.end_session_endpoint,
            &metadata.end_session_endpoint,
        ),
        (
            "backchannel_authentication_endpoint",
            &mut file.backchannel_authentication_endpoint,
            &metadata.backchannel_authentication_endpoint,
        ),
    ];
    for (name, field, value) in pairs {
        if is_empty(field)
            && let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty())
        {
            *field = Some(value.to_string());
            filled.push(name.to_string());
        }
    }
    if file
        .authorization_response_iss_parameter_supported
        .is_none()
        && metadata.authorization_response_iss_parameter_supported == Some(true)
    {
        file.authorization_response_iss_parameter_supported = Some(true);
        filled.push("authorization_response_iss_parameter_supported".to_string());
    }
    filled
}

/// Where the profile asks for something the server does not list: its
/// grant, its client authentication method, its PKCE method, its scopes.
/// Lists the server leaves out are read with RFC 8414's defaults
/// (`authorization_code` and `implicit`; `client_secret_basic`).
pub fn check_profile(file: &ProfileFile, metadata: &ServerMetadata) -> Vec<Finding> {
    let mut findings = Vec::new();
    let not_listed = |code: &str, what: String, list: &[String], reference: &str| {
        Finding::new(
            Severity::Warning,
            code,
            format!(
                "the profile asks for {what}, which the server does not list (it lists: {})",
                if list.is_empty() {
                    "nothing".to_string()
                } else {
                    list.join(", ")
                }
            ),
            Some(reference),
        )
    };
    // A list the metadata leaves out has a default (RFC 8414 §2, OpenID
    // Discovery §3); the message says it is the default, not the server's.
    let not_in_default = |code: &str, what: String, field: &str, default: &[&str]| {
        Finding::new(
            Severity::Warning,
            code,
            format!(
                "the profile asks for {what}; the server's metadata has no {field}, and the default ({}) does not include it — the server may still support it",
                default.join(", ")
            ),
            Some("RFC 8414 §2"),
        )
    };
    if let Some(grant) = file.grant_type {
        match &metadata.grant_types_supported {
            Some(grants) if !grants.iter().any(|g| g == grant.as_str()) => {
                findings.push(not_listed(
                    "discovery_grant_not_listed",
                    format!("the {grant} grant"),
                    grants,
                    "RFC 8414 §2 grant_types_supported",
                ));
            }
            None if !DEFAULT_GRANT_TYPES.contains(&grant.as_str()) => {
                findings.push(not_in_default(
                    "discovery_grant_not_listed",
                    format!("the {grant} grant"),
                    "grant_types_supported",
                    &DEFAULT_GRANT_TYPES[..],
                ));
            }
            _ => {}
        }
    }
    let has_secret = file.client_secret.as_ref().is_some_and(|s| !s.is_empty())
        || !is_empty(&file.client_secret_env);
    let method = file.token_endpoint_auth_method.unwrap_or(if has_secret {
        ClientAuthMethod::ClientSecretBasic
    } else {
        ClientAuthMethod::None
    });
    match &metadata.token_endpoint_auth_methods_supported {
        Some(methods) if !methods.iter().any(|m| m == method.as_str()) => {
            findings.push(not_listed(
                "discovery_auth_method_not_listed",
                format!("client authentication {}", method.as_str()),
                methods,
                "RFC 8414 §2 token_endpoint_auth_methods_supported",
            ));
        }
        None if !DEFAULT_AUTH_METHODS.contains(&method.as_str()) => {
            findings.push(not_in_default(
                "discovery_auth_method_not_listed",
                format!("client authentication {}", method.as_str()),
                "token_endpoint_auth_methods_supported",
                &DEFAULT_AUTH_METHODS[..],
            ));
        }
        _ => {}
    }
    if file.grant_type == Some(GrantType::AuthorizationCode) {
        let pkce = match file.pkce.unwrap_or_default() {
            PkceMode::S256 => Some("S256"),
            PkceMode::Plain => Some("plain"),
            PkceMode::None => None,
        };
        match (&metadata.code_challenge_methods_supported, pkce) {
            (Some(list), Some(method)) if !list.iter().any(|m| m == method) => {
                findings.push(not_listed(
                    "discovery_pkce_not_listed",
                    format!("PKCE with {method}"),
                    list,
                    "RFC 8414 §2 code_challenge_methods_supported",
                ));
            }
            (None, Some(method)) => findings.push(Finding::new(
                Severity::Info,
                "discovery_pkce_unknown",
                format!(
                    "the profile uses PKCE ({method}); the server does not say whether it supports PKCE (no code_challenge_methods_supported)"
                ),
                Some("RFC 8414 §2"),
            )),
            _ => {}
        }
    }
    if let Some(supported) = &metadata.scopes_supported {
        for scope in file.scope.as_deref().unwrap_or_default().split_whitespace() {
            if !supported.iter().any(|s| s == scope) {
                findings.push(not_listed(
                    "discovery_scope_not_listed",
                    format!("the scope {scope}"),
                    supported,
                    "RFC 8414 §2 scopes_supported",
                ));
            }
        }
    }
    // Rich authorization requests: the types asked for against those the
    // server lists (RFC 9396 §10).
    if let Some(Ok(Some(details))) = file
        .authorization_details
        .as_ref()
        .map(crate::engine::requests::rar::parse)
    {
        findings.extend(crate::engine::requests::rar::check_types(
            &details,
            metadata.authorization_details_types_supported.as_deref(),
        ));
    }
    // A browser grant the server will refuse unless it is pushed.
    let browser_grant = matches!(
        file.grant_type,
        None | Some(GrantType::AuthorizationCode) | Some(GrantType::Implicit)
    );
    if metadata.require_pushed_authorization_requests == Some(true)
        && file.require_pushed_authorization_requests != Some(true)
        && browser_grant
    {
        findings.push(Finding::new(
            Severity::Warning,
            "par_required_by_server",
            "the server's metadata says require_pushed_authorization_requests: it refuses authorization requests that are not pushed; set require_pushed_authorization_requests = true in the profile",
            Some("RFC 9126 §5"),
        ));
    }
    findings
}

#[cfg(test)]
mod tests;
