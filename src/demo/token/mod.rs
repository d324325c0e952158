//! The token endpoint (RFC 6749 §3.2): client_credentials, password,
//! refresh_token (with rotation), authorization_code (with PKCE, single-use
//! codes), the device grant (RFC 8628), token exchange (RFC 8693, in
//! `token_exchange.rs`) and the JWT bearer grant (RFC 7523, in
//! `jwt_bearer.rs`); ID tokens when `openid` is granted.
//!
//! Here: the endpoint's dispatch on `grant_type`, sender-constrained
//! (DPoP, mTLS) key checks and the scope helpers. Beside it: `grants` (each
//! grant the endpoint answers itself), `redeem` (single-use codes, refresh
//! token rotation) and `mint` (tokens, response fields and ID tokens).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use serde_json::Value;

use super::client_auth::{Endpoint, Form, Method, authenticate_at};
use super::dpop::{self, Refusal};
use super::jose;
use super::store::SCOPES;
use super::tls::ClientCertificate;
use super::{Demo, ciba, jwt_bearer, oauth_error, token_exchange};

mod grants;
mod mint;
mod redeem;

use grants::{authorization_code, client_credentials, device_code, password, refresh};
pub use mint::{IdTokenInput, mint, mint_fields};
pub(super) use redeem::{link_code, take_code, take_refresh};

/// The device grant's `grant_type` (RFC 8628 §3.4).
const DEVICE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// `POST /token`.
pub async fn token(
    State(demo): State<Arc<Demo>>,
    ClientCertificate(peer): ClientCertificate,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match Form::parse(&headers, &body) {
        Ok(form) => form,
        Err(response) => return response,
    };
    let Some(grant_type) = form.get("grant_type") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type is missing",
        );
    };
    // The proof first: a client told to use a nonce retries with the same
    // client assertion, which must not count as a replay.
    let proof = match proof_at_authorization_server(&demo, &headers, uri.path()) {
        Ok(proof) => proof,
        Err(refusal) => return refusal,
    };
    let endpoint = Endpoint {
        path: uri.path(),
        peer: peer.as_ref(),
    };
    let authenticated = match authenticate_at(&demo, &endpoint, &headers, &form) {
        Ok(authenticated) => authenticated,
        Err(response) => return demo.faults.client_refusal(&headers, response),
    };
    let client = authenticated.client;
    let certificate = peer.as_ref().filter(|_| {
        authenticated.method.is_mtls() || demo.faults.certificate_bound || demo.faults.fapi2
    });
    let mut binding = Binding {
        jkt: proof.map(|proof| proof.jkt),
        x5t: certificate.map(|cert| jose::sha256_b64(cert.der())),
        bind_refresh: authenticated.method == Method::None,
        audience: if demo.faults.mcp.any_audience {
            None
        } else {
            form.get("resource").map(str::to_string)
        },
        authentication: None,
        authorization_details: None,
    };
    // RFC 8707 §2: an absolute URI without a fragment.
    if let Some(resource) = form.get("resource")
        && url::Url::parse(resource).map_or(true, |u| u.fragment().is_some())
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_target",
            "resource must be an absolute URI without a fragment (RFC 8707 §2)",
        );
    }
    if !matches!(
        grant_type,
        "client_credentials"
            | "password"
            | "refresh_token"
            | "authorization_code"
            | DEVICE
            | token_exchange::GRANT
            | jwt_bearer::GRANT
            | ciba::GRANT
    ) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("the grant type '{grant_type}' is not supported here"),
        );
    }
    if demo.faults.fapi2 && grant_type == "password" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "FAPI 2.0 does not allow the password grant",
        );
    }
    if !client.grants.contains(&grant_type) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            &format!("client '{}' may not use the {grant_type} grant", client.id),
        );
    }
    // RFC 9396 §6: the authorization details this request is issued.
    binding.authorization_details = match super::rar::at_token_endpoint(&demo, grant_type, &form) {
        Ok(details) => details,
        Err(refusal) => return refusal,
    };
    // FAPI 2.0 Security Profile §5.3.2.1: sender-constrained tokens only.
    if demo.faults.fapi2 && binding.jkt.is_none() && binding.x5t.is_none() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "FAPI 2.0 issues sender-constrained access tokens only: send a DPoP proof, or connect with a client certificate (mutual TLS)",
        );
    }
    let response = match grant_type {
        "client_credentials" => client_credentials(&demo, client, &form, &binding),
        "password" => password(&demo, client, &form, &binding),
        "authorization_code" => authorization_code(&demo, client, &form, &binding),
        DEVICE => device_code(&demo, client, &form, &binding),
        token_exchange::GRANT => token_exchange::exchange(&demo, client, &form),
        ciba::GRANT => ciba::grant(&demo, client, &form, &binding),
        jwt_bearer::GRANT => {
            let token_endpoint = format!("{}{}", demo.issuer, uri.path());
            jwt_bearer::grant(&demo, client, &form, &token_endpoint, &binding)
        }
        _ => refresh(&demo, client, &form, &binding),
    };
    let mut response = if response.status().is_success() {
        dpop::with_nonce(&demo, response)
    } else {
        response
    };
    if demo.faults.weak.no_store_missing {
        response.headers_mut().remove(header::CACHE_CONTROL);
        response.headers_mut().remove(header::PRAGMA);
    }
    response
}

/// `GET /token` (`weak-token-get` only): the query read as the form a POST
/// would carry — what RFC 6749 §3.2 forbids ("MUST use POST").
pub async fn token_by_get(
    state: State<Arc<Demo>>,
    peer: ClientCertificate,
    uri: Uri,
    mut headers: HeaderMap,
) -> Response {
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    let body = Bytes::from(uri.query().unwrap_or_default().to_string());
    token(state, peer, uri, headers, body).await
}

/// What the access token (and a public client's refresh token) is bound
/// to: a DPoP key (RFC 9449 §6) and a client certificate (RFC 8705 §3).
#[derive(Debug, Clone, Default)]
pub struct Binding {
    /// The DPoP key's thumbprint: `cnf.jkt`, `token_type` DPoP.
    pub jkt: Option<String>,
    /// The client certificate's SHA-256: `cnf.x5t#S256`.
    pub x5t: Option<String>,
    /// The refresh token is bound to the DPoP key too (public clients,
    /// RFC 9449 §5).
    pub bind_refresh: bool,
    /// The `resource` of the token request (RFC 8707 §2.2): the access
    /// token's `aud`; `demo-api` without one.
    pub audience: Option<String>,
    /// The user's sign-in the tokens stand for: `acr` and `auth_time` in
    /// the access token (RFC 9470 §5.1) and the ID token.
    pub authentication: Option<super::step_up::AuthEvent>,
    /// The authorization details issued with the token (RFC 9396 §7).
    pub authorization_details: Option<Value>,
}

/// The DPoP proof of a POST to `path` on the authorization server (the
/// token and PAR endpoints), checked; `None` without one, or when the
/// `dpop-ignored` fault has the server ignore proofs.
pub(super) fn proof_at_authorization_server(
    demo: &Demo,
    headers: &HeaderMap,
    path: &str,
) -> Result<Option<dpop::Proof>, Response> {
    if demo.faults.dpop_ignored {
        return Ok(None);
    }
    let expected = dpop::Expected {
        method: "POST",
        path,
        access_token: None,
    };
    dpop::check(demo, headers, &expected).map_err(|refusal| dpop_refusal(demo, refusal))
}

/// A refused DPoP proof at the token endpoint (RFC 9449 §5, §8).
pub(super) fn dpop_refusal(demo: &Demo, refusal: Refusal) -> Response {
    match refusal {
        Refusal::Invalid(description) => {
            oauth_error(StatusCode::BAD_REQUEST, "invalid_dpop_proof", &description)
        }
        Refusal::UseNonce(description) => {
            let mut response = oauth_error(StatusCode::BAD_REQUEST, "use_dpop_nonce", &description);
            if let Ok(value) = HeaderValue::from_str(&dpop::fresh_nonce(demo)) {
                response.headers_mut().insert(dpop::NONCE_HEADER, value);
            }
            response
        }
    }
}

/// Refuses a token request whose DPoP key is not the one `bound` names.
fn check_bound_key(bound: Option<String>, binding: &Binding, what: &str) -> Result<(), Response> {
    let Some(bound) = bound else {
        return Ok(());
    };
    let description = match &binding.jkt {
        Some(jkt) if *jkt == bound => return Ok(()),
        Some(_) => format!("{what} is bound to another DPoP key than this proof's"),
        None => format!("{what} is bound to a DPoP key; send a DPoP proof signed with it"),
    };
    Err(oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        &description,
    ))
}

/// The scope asked for, checked against the known scopes.
pub(super) fn requested_scope(form: &Form, default: &str) -> Result<String, Response> {
    scope_in(form, default, SCOPES)
}

/// The scope asked for, checked against `known`.
pub(super) fn scope_in(form: &Form, default: &str, known: &[&str]) -> Result<String, Response> {
    let Some(asked) = form.get("scope") else {
        return Ok(default.to_string());
    };
    if let Some(unknown) = asked.split_whitespace().find(|s| !known.contains(s)) {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            &format!("unknown scope '{unknown}'; known: {}", known.join(" ")),
        ));
    }
    Ok(asked.split_whitespace().collect::<Vec<_>>().join(" "))
}
