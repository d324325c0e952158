//! The sections `Profile::from_file` reads with their own rules: HTTP\nsettings, clock skew, the extra request parameters, client authentication\nmethods, client assertions and the authorization request's settings.

use std::path::PathBuf;
use std::time::Duration;
use url::Url;

use super::*;

/// `[http]`: timeouts, size limit, CA file, proxy, client certificate.
pub(super) fn http_settings(file: &ProfileFile, problems: &mut Vec<Problem>) -> HttpSettings {
    HttpSettings {
        accept_invalid_certs: file
            .http
            .as_ref()
            .and_then(|h| h.accept_invalid_certs)
            .unwrap_or(false),
        timeout: match file.http.as_ref().and_then(|h| h.timeout_secs) {
            Some(0) => {
                problems.push(problem("http.timeout_secs", "must be at least 1"));
                Duration::from_secs(DEFAULT_TIMEOUT_SECS)
            }
            Some(secs) => Duration::from_secs(secs),
            None => Duration::from_secs(DEFAULT_TIMEOUT_SECS),
        },
        connect_timeout: match file.http.as_ref().and_then(|h| h.connect_timeout_secs) {
            Some(0) => {
                problems.push(problem("http.connect_timeout_secs", "must be at least 1"));
                Duration::from_secs(DEFAULT_CONNECT_TIMEOUT_SECS)
            }
            Some(secs) => Duration::from_secs(secs),
            None => Duration::from_secs(DEFAULT_CONNECT_TIMEOUT_SECS),
        },
        max_response_bytes: match file.http.as_ref().and_then(|h| h.max_response_mb) {
            Some(mb) if mb == 0 || mb > MAX_RESPONSE_MB => {
                problems.push(problem(
                    "http.max_response_mb",
                    format!("must be from 1 to {MAX_RESPONSE_MB}"),
                ));
                crate::engine::wire::http::DEFAULT_MAX_BODY_BYTES
            }
            Some(mb) => mb as usize * 1024 * 1024,
            None => crate::engine::wire::http::DEFAULT_MAX_BODY_BYTES,
        },
        ca_file: file
            .http
            .as_ref()
            .and_then(|h| non_empty(&h.ca_file))
            .map(PathBuf::from),
        proxy: file
            .http
            .as_ref()
            .and_then(|h| non_empty(&h.proxy))
            .and_then(|value| {
                parse_http_url(&value)
                    .map_err(|message| problems.push(problem("http.proxy", message)))
                    .ok()
            }),
        client_cert_file: file
            .http
            .as_ref()
            .and_then(|h| non_empty(&h.client_cert_file))
            .map(PathBuf::from),
        client_key_file: file
            .http
            .as_ref()
            .and_then(|h| non_empty(&h.client_key_file))
            .map(PathBuf::from),
    }
}

/// `clock_skew_secs`, at most an hour.
pub(super) fn clock_skew(file: &ProfileFile, problems: &mut Vec<Problem>) -> Duration {
    match file.clock_skew_secs {
        Some(secs) if secs > MAX_CLOCK_SKEW_SECS => {
            problems.push(problem(
                "clock_skew_secs",
                format!("must be at most {MAX_CLOCK_SKEW_SECS} (one hour)"),
            ));
            Duration::from_secs(DEFAULT_CLOCK_SKEW_SECS)
        }
        Some(secs) => Duration::from_secs(secs),
        None => Duration::from_secs(DEFAULT_CLOCK_SKEW_SECS),
    }
}

/// What every request carries beyond the basics: resource indicators (RFC
/// 8707), authorization details (RFC 9396), `acr_values` and `max_age`
/// (RFC 9470 §4), folded into the authorization and token parameters.
pub(super) struct RequestParams {
    pub(super) resources: Vec<String>,
    pub(super) authorization_details: Option<crate::engine::requests::rar::AuthorizationDetails>,
    pub(super) auth_requirement: crate::engine::requests::step_up::AuthRequirement,
    pub(super) authorize_params: Vec<(String, String)>,
    pub(super) token_params: Vec<(String, String)>,
}

pub(super) fn request_params(file: &ProfileFile, problems: &mut Vec<Problem>) -> RequestParams {
    let resources = match crate::engine::requests::resource::parse(
        &file
            .resource
            .as_ref()
            .map(crate::engine::profile::grant_tables::OneOrMany::values)
            .unwrap_or_default(),
    ) {
        Ok(resources) => resources,
        Err(message) => {
            problems.push(problem("resource", message));
            Vec::new()
        }
    };
    let resource_pairs = resources
        .iter()
        .map(|r| ("resource".to_string(), r.clone()));
    // RFC 9396 §2: checked here, sent as compact JSON (§3).
    let authorization_details = match file
        .authorization_details
        .as_ref()
        .map(crate::engine::requests::rar::parse)
        .transpose()
    {
        Ok(details) => details.flatten(),
        Err(message) => {
            problems.push(problem(crate::engine::requests::rar::PARAMETER, message));
            None
        }
    };
    let details_pair = authorization_details.as_ref().map(|d| {
        (
            crate::engine::requests::rar::PARAMETER.to_string(),
            d.compact(),
        )
    });
    let authorize_params: Vec<(String, String)> = pairs(&file.authorize_params)
        .into_iter()
        .chain(resource_pairs.clone())
        .chain(details_pair)
        .collect();
    // acr_values and max_age: the profile keys, else the same names
    // written as extra authorization parameters.
    let auth_requirement = if file.acr_values.is_some() || file.max_age.is_some() {
        for name in ["acr_values", "max_age"] {
            if authorize_params.iter().any(|(k, _)| k == name) {
                problems.push(problem(
                    name,
                    format!(
                        "{name} is written both as a profile key and in authorize_params; keep one"
                    ),
                ));
            }
        }
        crate::engine::requests::step_up::AuthRequirement::new(
            file.acr_values.as_deref(),
            file.max_age,
        )
    } else {
        crate::engine::requests::step_up::AuthRequirement::from_params(&authorize_params)
    };
    let authorize_params = auth_requirement.replace_in(&authorize_params);
    let token_params = pairs(&file.token_params)
        .into_iter()
        .chain(resource_pairs)
        .collect();
    RequestParams {
        resources,
        authorization_details,
        auth_requirement,
        authorize_params,
        token_params,
    }
}

/// An `alg` key's value: one of the algorithms this debugger signs with.
pub(super) fn parse_alg(
    key: &str,
    value: &Option<String>,
    problems: &mut Vec<Problem>,
) -> Option<crate::engine::client::keys::Alg> {
    let value = non_empty(value)?;
    match crate::engine::client::keys::Alg::parse(&value) {
        Some(alg) => Some(alg),
        None => {
            problems.push(problem(
                key,
                format!(
                    "\"{value}\" is not one of {}",
                    crate::engine::client::keys::Alg::ALL
                        .map(|a| a.as_str())
                        .join(", ")
                ),
            ));
            None
        }
    }
}

/// How client assertions are made (RFC 7523 §3): alg, key, audience, `typ`.
pub(super) fn assertion_settings(
    file: &ProfileFile,
    alg: Option<crate::engine::client::keys::Alg>,
    problems: &mut Vec<Problem>,
) -> AssertionSettings {
    let audience = match non_empty(&file.client_assertion_audience).as_deref() {
        None | Some("issuer") => AssertionAudience::Issuer,
        Some("token_endpoint") => AssertionAudience::TokenEndpoint,
        Some(other) => match Url::parse(other) {
            Ok(_) => AssertionAudience::Url(other.to_string()),
            Err(_) => {
                problems.push(problem(
                    "client_assertion_audience",
                    format!("\"{other}\" is none of issuer, token_endpoint or a URL"),
                ));
                AssertionAudience::Issuer
            }
        },
    };
    let typ = match non_empty(&file.client_assertion_typ).as_deref() {
        None | Some("JWT") => "JWT".to_string(),
        Some("client-authentication+jwt") => "client-authentication+jwt".to_string(),
        Some(other) => {
            problems.push(problem(
                "client_assertion_typ",
                format!("\"{other}\" is neither JWT nor client-authentication+jwt"),
            ));
            "JWT".to_string()
        }
    };
    AssertionSettings {
        alg,
        key_file: non_empty(&file.signing_key_file).map(PathBuf::from),
        kid: non_empty(&file.signing_key_kid),
        audience,
        typ,
    }
}

/// How the authorization request travels and comes back: PAR, request
/// objects, response mode and type, JARM, `iss`.
pub(super) fn authz_settings(
    file: &ProfileFile,
    secret_available: bool,
    problems: &mut Vec<Problem>,
) -> AuthzRequestSettings {
    let request_object_alg = parse_alg(
        "request_object_signing_alg",
        &file.request_object_signing_alg,
        problems,
    );
    if request_object_alg.is_some_and(|a| !a.is_hmac())
        && non_empty(&file.signing_key_file).is_none()
    {
        problems.push(problem(
            "request_object_signing_alg",
            "a signed request object needs signing_key_file (the client's private key)",
        ));
    }
    if request_object_alg.is_some_and(|a| a.is_hmac()) && !secret_available {
        problems.push(problem(
            "request_object_signing_alg",
            "an HMAC-signed request object needs the client secret",
        ));
    }
    let response_mode = match non_empty(&file.response_mode) {
        None => ResponseMode::Default,
        Some(name) => ResponseMode::parse(&name).unwrap_or_else(|| {
            problems.push(problem(
                "response_mode",
                format!(
                    "\"{name}\" is not one of {}",
                    ResponseMode::ALL
                        .iter()
                        .filter_map(|m| m.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
            ResponseMode::Default
        }),
    };
    // The hybrid flow (OIDC Core §3.3): words in any order.
    let response_type = non_empty(&file.response_type)
        .map(|text| {
            crate::engine::grants::hybrid::CodeResponseType::parse(&text).unwrap_or_else(
                |message| {
                    problems.push(problem("response_type", message));
                    Default::default()
                },
            )
        })
        .unwrap_or_default();
    AuthzRequestSettings {
        par: file.require_pushed_authorization_requests.unwrap_or(false),
        request_object_alg,
        response_mode,
        response_type,
        jarm_alg: non_empty(&file.authorization_signed_response_alg),
        iss_parameter_supported: file.authorization_response_iss_parameter_supported,
    }
}

/// Client authentication at the token, revocation and introspection
/// endpoints, each checked for what it needs (a secret, a key, a
/// certificate).
pub(super) fn auth_methods(
    file: &ProfileFile,
    secret_given: bool,
    secret_available: bool,
    problems: &mut Vec<Problem>,
) -> (ClientAuthMethod, ClientAuthMethod, ClientAuthMethod) {
    let key_file_given = non_empty(&file.signing_key_file).is_some();
    let auth_method = file.token_endpoint_auth_method.unwrap_or(if secret_given {
        ClientAuthMethod::ClientSecretBasic
    } else {
        ClientAuthMethod::None
    });
    let client_cert_given = file
        .http
        .as_ref()
        .and_then(|h| non_empty(&h.client_cert_file))
        .is_some();
    let mut method_needs = |key: &str, method: ClientAuthMethod| {
        if method.needs_secret() && !secret_available {
            problems.push(problem(
                key,
                format!(
                    "{} needs client_secret or client_secret_env",
                    method.as_str()
                ),
            ));
        }
        if method == ClientAuthMethod::PrivateKeyJwt && !key_file_given {
            problems.push(problem(
                key,
                "private_key_jwt needs signing_key_file (the client's private key)",
            ));
        }
        if method.is_mtls() && !client_cert_given {
            problems.push(problem(
                key,
                format!(
                    "{} needs http.client_cert_file (the client's certificate)",
                    method.as_str()
                ),
            ));
        }
    };
    method_needs("token_endpoint_auth_method", auth_method);
    let revocation_auth_method = file.revocation_endpoint_auth_method.unwrap_or(auth_method);
    if file.revocation_endpoint_auth_method.is_some() {
        method_needs("revocation_endpoint_auth_method", revocation_auth_method);
    }
    let introspection_auth_method = file
        .introspection_endpoint_auth_method
        .unwrap_or(auth_method);
    if file.introspection_endpoint_auth_method.is_some() {
        method_needs(
            "introspection_endpoint_auth_method",
            introspection_auth_method,
        );
    }
    (
        auth_method,
        revocation_auth_method,
        introspection_auth_method,
    )
}
