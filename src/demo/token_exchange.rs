//! Token exchange at the token endpoint (RFC 8693), as a server.
//!
//! The subject token (and the actor token, when one is sent) must be a
//! token this server issued: one of its signed access or ID tokens (a
//! demo-signed JWT, RFC 8693 §3 `jwt`), or one of its refresh tokens. The
//! new access token is for the subject's `sub`; with an actor token it
//! carries an `act` claim naming the actor (§4.1), and when the subject
//! token already had one, that chain is nested inside as the prior actors.
//! `issued_token_type` says what was issued (§2.2.1). Refusals use §2.2.2's
//! codes: `invalid_request` for a token that is not acceptable,
//! `invalid_target` for an audience or resource this server does not serve.

use axum::http::StatusCode;
use axum::response::Response;
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

use super::client_auth::Form;
use super::store::{self, AccessRecord, Client};
use super::{Demo, no_store_json, now, oauth_error};

/// The grant type (RFC 8693 §2.1).
pub const GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
const REFRESH_TOKEN: &str = "urn:ietf:params:oauth:token-type:refresh_token";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
const SAML1: &str = "urn:ietf:params:oauth:token-type:saml1";
const SAML2: &str = "urn:ietf:params:oauth:token-type:saml2";

/// The audience of every access token this server issues (its API).
const API_AUDIENCE: &str = "demo-api";

/// A presented token, checked.
struct Presented {
    /// Whose token it is.
    sub: String,
    /// What it grants; `None` for an ID token.
    scope: Option<String>,
    /// Its `act` claim (a JWT that was itself a delegation token).
    act: Option<Value>,
}

fn invalid_request(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// Answers a token exchange request by `client`.
pub fn exchange(demo: &Demo, client: &Client, form: &Form) -> Response {
    let (Some(subject_token), Some(subject_type)) =
        (form.get("subject_token"), form.get("subject_token_type"))
    else {
        return invalid_request(
            "subject_token and subject_token_type are both required (RFC 8693 §2.1)",
        );
    };
    let actor = match (form.get("actor_token"), form.get("actor_token_type")) {
        (Some(token), Some(kind)) => Some((token, kind)),
        (Some(_), None) => {
            return invalid_request(
                "actor_token_type is required when actor_token is sent (RFC 8693 §2.1)",
            );
        }
        (None, Some(_)) => {
            return invalid_request(
                "actor_token_type must not be sent without actor_token (RFC 8693 §2.1)",
            );
        }
        (None, None) => None,
    };
    if actor.is_some() && demo.faults.token_exchange_refuse_actor {
        return invalid_request(
            "this server does not accept actor tokens: it issues no delegation tokens (RFC 8693 §2.2.2)",
        );
    }
    let subject = match presented(demo, subject_token, subject_type, "subject_token") {
        Ok(subject) => subject,
        Err(response) => return response,
    };
    let actor = match actor.map(|(token, kind)| presented(demo, token, kind, "actor_token")) {
        None => None,
        Some(Ok(actor)) => Some(actor),
        Some(Err(response)) => return response,
    };
    if let Some(audience) = form
        .all("audience")
        .into_iter()
        .find(|a| *a != API_AUDIENCE)
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_target",
            &format!(
                "this server issues tokens for the audience {API_AUDIENCE} only, not '{audience}' (RFC 8693 §2.2.2)"
            ),
        );
    }
    let api = format!("{}/api", demo.issuer);
    if let Some(resource) = form
        .all("resource")
        .into_iter()
        .find(|r| *r != api && !r.starts_with(&format!("{api}/")))
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_target",
            &format!(
                "this server issues tokens for resources under {api} only, not '{resource}' (RFC 8693 §2.2.2)"
            ),
        );
    }
    let issued_type = match form.get("requested_token_type") {
        None | Some(ACCESS_TOKEN) => ACCESS_TOKEN,
        Some(JWT) => JWT,
        Some(other) => {
            return invalid_request(&format!(
                "this server issues access tokens ({ACCESS_TOKEN} or {JWT}) by token exchange, not {other}"
            ));
        }
    };
    // The scope may narrow the subject's, never widen it.
    let held = subject
        .scope
        .clone()
        .unwrap_or_else(|| client.default_scope.to_string());
    let scope = match form.get("scope") {
        None => held,
        Some(asked) => {
            let granted: Vec<&str> = held.split_whitespace().collect();
            if let Some(extra) = asked.split_whitespace().find(|s| !granted.contains(s)) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    &format!("scope '{extra}' is more than the subject token grants ({held})"),
                );
            }
            asked.split_whitespace().collect::<Vec<_>>().join(" ")
        }
    };
    let act = actor.map(|actor| {
        let mut act = json!({ "sub": actor.sub });
        if let Some(prior) = subject.act.clone() {
            act["act"] = prior;
        }
        act
    });
    match mint(demo, client, &subject.sub, &scope, act) {
        Ok((access_token, ttl)) => {
            let mut body = json!({
                "access_token": access_token,
                "issued_token_type": issued_type,
                "token_type": "Bearer",
                "expires_in": ttl,
                "scope": scope,
            });
            if demo.faults.token_exchange_no_issued_type
                && let Some(fields) = body.as_object_mut()
            {
                fields.remove("issued_token_type");
            }
            no_store_json(StatusCode::OK, body)
        }
        Err(err) => oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            &format!("cannot sign the token: {err}"),
        ),
    }
}

/// Checks a presented subject or actor token of type `kind`; `what` names
/// the parameter in refusals.
fn presented(demo: &Demo, token: &str, kind: &str, what: &str) -> Result<Presented, Response> {
    match kind {
        ACCESS_TOKEN | ID_TOKEN | JWT => {
            let Some(claims) = demo.verify(token) else {
                return Err(invalid_request(&format!(
                    "the {what} is not a JWT signed by this server ({kind})"
                )));
            };
            if claims["iss"].as_str() != Some(demo.issuer.as_str()) {
                return Err(invalid_request(&format!(
                    "the {what} was issued by another server"
                )));
            }
            if claims["exp"].as_i64().is_none_or(|exp| exp <= now()) {
                return Err(invalid_request(&format!("the {what} expired")));
            }
            let is_access = claims["scope"].is_string();
            if kind == ACCESS_TOKEN && !is_access {
                return Err(invalid_request(&format!(
                    "the {what} is not an access token (it has no scope); its type is {ID_TOKEN} or {JWT}"
                )));
            }
            if kind == ID_TOKEN && is_access {
                return Err(invalid_request(&format!(
                    "the {what} is an access token, not an ID token; its type is {ACCESS_TOKEN}"
                )));
            }
            if is_access {
                let jti = claims["jti"].as_str().unwrap_or_default();
                let revoked = demo
                    .store()
                    .access
                    .get(jti)
                    .is_none_or(|record| record.revoked);
                if revoked {
                    return Err(invalid_request(&format!("the {what} was revoked")));
                }
            }
            let Some(sub) = claims["sub"].as_str() else {
                return Err(invalid_request(&format!("the {what} has no sub")));
            };
            Ok(Presented {
                sub: sub.to_string(),
                scope: claims["scope"].as_str().map(str::to_string),
                act: claims.get("act").cloned(),
            })
        }
        REFRESH_TOKEN => {
            let store = demo.store();
            let Some(record) = store.refresh.get(token) else {
                return Err(invalid_request(&format!(
                    "the {what} is no refresh token this server issued"
                )));
            };
            if record.revoked || record.used {
                return Err(invalid_request(&format!(
                    "the {what} was revoked or already used"
                )));
            }
            Ok(Presented {
                sub: record.sub.clone(),
                scope: Some(record.scope.clone()),
                act: None,
            })
        }
        SAML1 | SAML2 => Err(invalid_request(&format!(
            "this server issued no SAML assertions; the {what} must be one of its own access, refresh or ID tokens or JWTs"
        ))),
        other => Err(invalid_request(&format!(
            "'{other}' is not a token type of RFC 8693 §3 (the {what}_type)"
        ))),
    }
}

/// Signs the exchanged access token and records it; returns it and its
/// lifetime.
fn mint(
    demo: &Demo,
    client: &Client,
    sub: &str,
    scope: &str,
    act: Option<Value>,
) -> Result<(String, i64), String> {
    let iat = now();
    let ttl = demo.standard_token_ttl.as_secs() as i64;
    let jti = store::random_token(12);
    let mut claims = json!({
        "iss": demo.issuer,
        "sub": sub,
        "aud": API_AUDIENCE,
        "client_id": client.id,
        "scope": scope,
        "iat": iat,
        "exp": iat + ttl,
        "jti": jti,
    });
    if let Some(act) = act {
        claims["act"] = act;
    }
    let token = demo.sign(&claims, "at+jwt", Algorithm::RS256)?;
    demo.store().access.insert(
        jti,
        AccessRecord {
            client_id: client.id.to_string(),
            expires_at: iat + ttl,
            revoked: false,
        },
    );
    Ok((token, ttl))
}
