//! What the server does regardless of any one grant: TLS on its endpoints,
//! the grants its metadata offers, the token endpoint's method and cache
//! headers, and what the authorization endpoint does with a redirect URI it
//! does not know.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use url::Url;

use super::client::{answer, error_code, issued_tokens, probe_request, send_raw};
use super::{Check, Found, Weight, fail, inconclusive, not_applicable, pass};
use crate::engine::endpoints::discovery::ServerMetadata;
use crate::engine::error::EngineError;
use crate::engine::profile::Profile;
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::callback::is_loopback;
use crate::engine::wire::http::{ExchangeKind, HttpClient};

pub(super) const TLS: Check = Check {
    id: "tls",
    expected: "every endpoint is reached over https (http only on this machine's loopback)",
    rfc: "RFC 6749 §3.1, §3.2, §10.9; RFC 9700 §2",
    intrusive: false,
    browser: false,
    weight: Weight::Required,
};

pub(super) const IMPLICIT_AND_PASSWORD: Check = Check {
    id: "implicit-and-password-offered",
    expected: "the metadata offers neither the implicit grant (response type token) nor the password grant",
    rfc: "RFC 9700 §2.1.2, §2.4",
    intrusive: false,
    browser: false,
    weight: Weight::Warning,
};

pub(super) const TOKEN_ENDPOINT_GET: Check = Check {
    id: "token-endpoint-get",
    expected: "the token endpoint refuses GET (405, or 400 invalid_request): token requests are POSTed",
    rfc: "RFC 6749 §3.2",
    intrusive: false,
    browser: false,
    weight: Weight::Required,
};

pub(super) const CACHE_HEADERS: Check = Check {
    id: "token-response-cache-headers",
    expected: "a token response carries Cache-Control: no-store",
    rfc: "RFC 6749 §5.1",
    intrusive: false,
    browser: false,
    weight: Weight::Required,
};

pub(super) const REDIRECT_UNREGISTERED: Check = Check {
    id: "redirect-uri-unregistered",
    expected: "the authorization endpoint never redirects to a redirect URI the client did not register — not even with an error",
    rfc: "RFC 6749 §4.1.2.1; RFC 9700 §4.11.2",
    intrusive: false,
    browser: false,
    weight: Weight::Required,
};

/// A redirect URI no client registers (`.invalid` never resolves, RFC 6761).
const UNREGISTERED: &str = "https://audit.invalid/callback";

pub(super) fn tls(profile: &Profile) -> Result<Found, EngineError> {
    let endpoints = &profile.endpoints;
    let named: Vec<(&str, &Url)> = [
        ("issuer", &endpoints.issuer),
        ("authorization_endpoint", &endpoints.authorization),
        ("token_endpoint", &endpoints.token),
        (
            "device_authorization_endpoint",
            &endpoints.device_authorization,
        ),
        ("revocation_endpoint", &endpoints.revocation),
        ("introspection_endpoint", &endpoints.introspection),
        ("userinfo_endpoint", &endpoints.userinfo),
        ("jwks_uri", &endpoints.jwks_uri),
        ("pushed_authorization_request_endpoint", &endpoints.par),
    ]
    .into_iter()
    .filter_map(|(name, url)| url.as_ref().map(|url| (name, url)))
    .collect();
    if named.is_empty() {
        return not_applicable("the profile names no endpoint");
    }
    let plain: Vec<String> = named
        .iter()
        .filter(|(_, url)| url.scheme() != "https" && !is_loopback(url))
        .map(|(name, url)| format!("{name} {url}"))
        .collect();
    let loopback = named
        .iter()
        .filter(|(_, url)| url.scheme() != "https" && is_loopback(url))
        .count();
    if !plain.is_empty() {
        return fail(format!("not over https: {}", plain.join(", ")));
    }
    pass(match (loopback, named.len()) {
        (0, 1) => "the endpoint uses https".to_string(),
        (0, n) => format!("all {n} endpoints use https"),
        (l, n) if l == n => format!(
            "{}on loopback http (this machine: nothing crosses a network)",
            if n == 1 {
                "the endpoint is "
            } else {
                "all endpoints are "
            }
        ),
        (l, n) => format!(
            "{l} of {n} endpoints on loopback http (this machine: nothing crosses a network), the rest https"
        ),
    })
}

pub(super) fn implicit_and_password(
    metadata: Option<&ServerMetadata>,
) -> Result<Found, EngineError> {
    let Some(metadata) = metadata else {
        return not_applicable(
            "no metadata: the profile has no issuer, or its discovery document could not be read",
        );
    };
    let mut offered = Vec::new();
    match &metadata.grant_types_supported {
        Some(grants) => {
            for grant in ["implicit", "password"] {
                if grants.iter().any(|g| g == grant) {
                    offered.push(format!("grant_types_supported lists {grant}"));
                }
            }
        }
        None => offered.push(
            "the metadata has no grant_types_supported, and its default (RFC 8414 §2) includes implicit".to_string(),
        ),
    }
    if let Some(types) = &metadata.response_types_supported {
        for implicit in types
            .iter()
            .filter(|t| t.split_whitespace().any(|part| part == "token"))
        {
            offered.push(format!("response_types_supported lists \"{implicit}\""));
        }
    }
    if offered.is_empty() {
        pass("neither the implicit nor the password grant is offered")
    } else {
        fail(format!(
            "{}: RFC 9700 says clients should not use the implicit grant and must not use the password grant",
            offered.join("; ")
        ))
    }
}

pub(super) async fn token_endpoint_get(
    profile: &Profile,
    http: &HttpClient,
) -> Result<Found, EngineError> {
    let Some(mut prepared) = probe_request(profile, http).await? else {
        return not_applicable("the profile's grant makes no token request this check can repeat");
    };
    // The parameters go in the query; a client secret never does (it
    // would end up in the server's access logs).
    let Ok(mut url) = Url::parse(&prepared.url) else {
        return inconclusive(format!("the token endpoint {} is not a URL", prepared.url));
    };
    url.query_pairs_mut().extend_pairs(
        prepared
            .params
            .iter()
            .filter(|(name, _)| name != "client_secret"),
    );
    prepared.url = url.to_string();
    prepared.method = "GET".to_string();
    prepared.params.clear();
    prepared
        .headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case("content-type"));
    let exchange = send_raw(http, &prepared).await?;
    let said = answer(&exchange);
    if issued_tokens(&exchange) {
        return fail(format!(
            "a GET with the parameters in the query was answered: {said}"
        ));
    }
    match (exchange.status(), error_code(&exchange).as_deref()) {
        (Some(405 | 404), _) | (_, Some("invalid_request")) => pass(said),
        (_, Some(_)) => fail(format!(
            "{said}: the server read the GET as a token request instead of refusing the method"
        )),
        (Some(status), None) if status >= 400 => pass(said),
        _ => inconclusive(said),
    }
}

pub(super) fn cache_headers(tokens: &TokenSet, http: &HttpClient) -> Result<Found, EngineError> {
    let exchanges = http.exchanges();
    let response = exchanges
        .iter()
        .rev()
        .find(|e| Some(e.id) == tokens.exchange_id || e.kind == ExchangeKind::Token)
        .and_then(|e| e.response.as_ref());
    let Some(response) = response else {
        return inconclusive("the token response was not recorded");
    };
    let cache_control = response.header("cache-control").map(str::to_string);
    let no_store = cache_control.as_deref().is_some_and(|value| {
        value
            .split(',')
            .any(|directive| directive.trim().eq_ignore_ascii_case("no-store"))
    });
    match cache_control {
        Some(value) if no_store => pass(format!("Cache-Control: {value}")),
        Some(value) => fail(format!(
            "Cache-Control: {value} — without no-store a cache may keep the tokens"
        )),
        None => fail("no Cache-Control header: a cache may keep the tokens"),
    }
}

pub(super) async fn redirect_unregistered(
    profile: &Profile,
    http: &HttpClient,
) -> Result<Found, EngineError> {
    let (Some(endpoint), Some(client_id)) = (
        profile.endpoints.authorization.as_ref(),
        profile.client_id.as_deref(),
    ) else {
        return not_applicable("needs an authorization_endpoint and a client_id");
    };
    let verifier = super::code::random_text();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let mut seen = Vec::new();
    // A valid request, then one the server must refuse: the error must not
    // travel to the unregistered URI either (an open redirector).
    for response_type in ["code", "audit_unsupported_response_type"] {
        let mut url = endpoint.clone();
        url.query_pairs_mut()
            .append_pair("response_type", response_type)
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", UNREGISTERED)
            .append_pair("state", "audit")
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        if !profile.scopes.is_empty() {
            url.query_pairs_mut()
                .append_pair("scope", &profile.scopes.join(" "));
        }
        let request = http::Request::builder()
            .method(http::Method::GET)
            .uri(url.as_str())
            .header("accept", "text/html,*/*;q=0.8")
            .body(Vec::new())
            .map_err(|err| {
                EngineError::Unsupported(format!("the request cannot be built: {err}"))
            })?;
        let exchange = http.send(request, ExchangeKind::Authorize).await;
        let Some(response) = &exchange.response else {
            return inconclusive(answer(&exchange));
        };
        let location = response.header("location").unwrap_or_default().to_string();
        if (300..400).contains(&response.status) && location.starts_with("https://audit.invalid") {
            return fail(format!(
                "response_type={response_type}: HTTP {} to {location} — the server sends the browser (and what it carries) to any URI",
                response.status
            ));
        }
        seen.push(format!(
            "response_type={response_type}: HTTP {}{}",
            response.status,
            if location.is_empty() {
                String::new()
            } else {
                format!(" to {location}")
            }
        ));
    }
    pass(format!(
        "not redirected to {UNREGISTERED} ({})",
        seen.join("; ")
    ))
}
