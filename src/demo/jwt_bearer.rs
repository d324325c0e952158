//! The JWT bearer authorization grant (RFC 7523 §2.1), as a server.
//!
//! This server takes assertions its clients issue about themselves or about
//! one of its users: `iss` is the requesting client, the signature verifies
//! with a key the client registered (or, HS256/384/512, its secret — the
//! same check as client assertions), `sub` is a user or the client itself,
//! `aud` names this server (its issuer or token endpoint), `exp` has not
//! passed and a `jti`, when present, is used once (RFC 7523 §3). Every
//! refusal is `invalid_grant` (§3.1) and says which check failed.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::assertion::check_signature;
use super::client_auth::Form;
use super::jose::{self, Jws};
use super::store::{self, Client};
use super::token::{Binding, mint, requested_scope};
use super::{Demo, now, oauth_error};

/// The grant type (RFC 7523 §2.1).
pub const GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Clock skew allowed on `exp`, `iat` and `nbf`, in seconds.
const LEEWAY: i64 = 60;

fn invalid_grant(description: String) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", &description)
}

/// Answers a JWT bearer grant request by `client` at `token_endpoint`.
pub fn grant(
    demo: &Demo,
    client: &'static Client,
    form: &Form,
    token_endpoint: &str,
    binding: &Binding,
) -> Response {
    let Some(assertion) = form.get("assertion") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "assertion is missing (RFC 7523 §2.1)",
        );
    };
    let sub = match check(demo, client, assertion, token_endpoint) {
        Ok(sub) => sub,
        Err(description) => return invalid_grant(description),
    };
    let scope = match requested_scope(form, client.default_scope) {
        Ok(scope) => scope,
        Err(response) => return response,
    };
    // `jwt-bearer-wrong-sub`: the token goes to the client, whatever the
    // assertion said.
    let sub = if demo.faults.jwt_bearer_wrong_sub {
        client.id.to_string()
    } else {
        sub
    };
    match mint(demo, client, &sub, &scope, false, None, binding) {
        Ok((response, _)) => response,
        Err(response) => response,
    }
}

/// Checks the assertion; its `sub`, or why it is refused.
fn check(
    demo: &Demo,
    client: &Client,
    assertion: &str,
    token_endpoint: &str,
) -> Result<String, String> {
    let jws = Jws::parse(assertion).map_err(|e| format!("the assertion: {e}"))?;
    match jws.claim("iss") {
        Some(iss) if iss == client.id => {}
        Some(iss) => {
            return Err(format!(
                "the assertion's iss is '{iss}'; this server takes assertions issued by the client itself ('{}') (RFC 7523 §3)",
                client.id
            ));
        }
        None => return Err("the assertion has no iss (RFC 7523 §3)".to_string()),
    }
    let alg = jws.alg().map_err(|e| format!("the assertion: {e}"))?;
    check_signature(demo, client, &jws, alg, "the assertion")?;
    let Some(sub) = jws.claim("sub") else {
        return Err(
            "the assertion has no sub: the principal the token is for (RFC 7523 §3)".into(),
        );
    };
    if store::user(sub).is_none() && sub != client.id {
        let users: Vec<&str> = store::USERS.iter().map(|u| u.username).collect();
        return Err(format!(
            "the assertion's sub '{sub}' is neither a user of this server ({}) nor the client itself",
            users.join(", ")
        ));
    }
    let aud: Vec<&str> = match &jws.claims["aud"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !aud
        .iter()
        .any(|a| *a == demo.issuer || *a == token_endpoint)
    {
        return Err(format!(
            "the assertion's aud is {}; it must name this server: the issuer {} or the token endpoint {token_endpoint} (RFC 7523 §3)",
            if aud.is_empty() {
                "missing".to_string()
            } else {
                aud.join(", ")
            },
            demo.issuer
        ));
    }
    jose::check_times(&jws, "the assertion", now(), LEEWAY)
        .map_err(|err| format!("{err} (RFC 7523 §3)"))?;
    if let Some(jti) = jws.claim("jti") {
        let exp = jws.claims["exp"].as_i64().unwrap_or_default();
        let now = now();
        let mut store = demo.store();
        store
            .grant_assertion_jtis
            .retain(|_, exp| *exp + LEEWAY >= now);
        let key = (client.id.to_string(), jti.to_string());
        if store.grant_assertion_jtis.contains_key(&key) {
            return Err(format!(
                "the assertion's jti '{jti}' was already used; an assertion is good for one token request (RFC 7523 §3)"
            ));
        }
        store.grant_assertion_jtis.insert(key, exp);
    }
    Ok(sub.to_string())
}
