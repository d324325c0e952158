//! The token endpoint (RFC 6749 §3.2): client_credentials, password and
//! refresh_token, with refresh token rotation.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::client_auth::{Form, authenticate};
use super::store::{self, AccessRecord, Client, RefreshRecord, SCOPES};
use super::{Demo, no_store_json, now, oauth_error};

/// `POST /token`.
pub async fn token(State(demo): State<Arc<Demo>>, headers: HeaderMap, body: Bytes) -> Response {
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
    let client = match authenticate(&headers, &form) {
        Ok(client) => client,
        Err(response) => return response,
    };
    if !matches!(
        grant_type,
        "client_credentials" | "password" | "refresh_token"
    ) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("the grant type '{grant_type}' is not supported here"),
        );
    }
    if !client.grants.contains(&grant_type) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            &format!("client '{}' may not use the {grant_type} grant", client.id),
        );
    }
    match grant_type {
        "client_credentials" => client_credentials(&demo, client, &form),
        "password" => password(&demo, client, &form),
        _ => refresh(&demo, client, &form),
    }
}

fn client_credentials(demo: &Demo, client: &Client, form: &Form) -> Response {
    let scope = match requested_scope(form, client.default_scope) {
        Ok(scope) => scope,
        Err(response) => return response,
    };
    // No refresh token for client credentials (RFC 6749 §4.4.3).
    issue(demo, client, client.id, &scope, false)
}

fn password(demo: &Demo, client: &Client, form: &Form) -> Response {
    let (Some(username), Some(password)) = (form.get("username"), form.get("password")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the password grant needs username and password",
        );
    };
    match store::user(username) {
        Some(user) if user.password == password => {}
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "wrong username or password",
            );
        }
    }
    let scope = match requested_scope(form, client.default_scope) {
        Ok(scope) => scope,
        Err(response) => return response,
    };
    issue(demo, client, username, &scope, true)
}

fn refresh(demo: &Demo, client: &Client, form: &Form) -> Response {
    let Some(presented) = form.get("refresh_token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "refresh_token is missing",
        );
    };
    let record = {
        let mut store = demo.store();
        let Some(record) = store.refresh.get_mut(presented) else {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "unknown refresh token",
            );
        };
        if record.client_id != client.id {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "the refresh token was issued to another client",
            );
        }
        if record.revoked {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "the refresh token was revoked",
            );
        }
        if record.used {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "the refresh token was already used; this server rotates refresh tokens, use the newest one",
            );
        }
        record.used = true;
        record.clone()
    };
    // A narrower scope may be asked for, never a wider one (RFC 6749 §6).
    let scope = match form.get("scope") {
        None => record.scope.clone(),
        Some(asked) => {
            let granted: Vec<&str> = record.scope.split_whitespace().collect();
            if let Some(extra) = asked.split_whitespace().find(|s| !granted.contains(s)) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    &format!("scope '{extra}' was not granted originally"),
                );
            }
            asked.to_string()
        }
    };
    issue(demo, client, &record.sub, &scope, true)
}

/// The scope asked for, checked against the known scopes.
fn requested_scope(form: &Form, default: &str) -> Result<String, Response> {
    let Some(asked) = form.get("scope") else {
        return Ok(default.to_string());
    };
    if let Some(unknown) = asked.split_whitespace().find(|s| !SCOPES.contains(s)) {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            &format!("unknown scope '{unknown}'; known: {}", SCOPES.join(" ")),
        ));
    }
    Ok(asked.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Issues an access token (a signed JWT) and, if asked, a refresh token.
fn issue(demo: &Demo, client: &Client, sub: &str, scope: &str, with_refresh: bool) -> Response {
    let iat = now();
    let ttl = demo.token_ttl.as_secs() as i64;
    let jti = store::random_token(12);
    let claims: Value = json!({
        "iss": demo.issuer,
        "sub": sub,
        "aud": "demo-api",
        "client_id": client.id,
        "scope": scope,
        "iat": iat,
        "exp": iat + ttl,
        "jti": jti,
    });
    let access_token = match demo.key.sign(&claims, "at+jwt") {
        Ok(token) => token,
        Err(err) => {
            return oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                &format!("cannot sign the token: {err}"),
            );
        }
    };
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl,
        "scope": scope,
    });
    let mut store = demo.store();
    store.access.insert(
        jti.clone(),
        AccessRecord {
            client_id: client.id.to_string(),
            revoked: false,
        },
    );
    if with_refresh {
        let refresh_token = store::random_token(32);
        store.refresh.insert(
            refresh_token.clone(),
            RefreshRecord {
                client_id: client.id.to_string(),
                sub: sub.to_string(),
                scope: scope.to_string(),
                used: false,
                revoked: false,
                iat,
                access_jtis: vec![jti],
            },
        );
        body["refresh_token"] = Value::String(refresh_token);
    }
    no_store_json(StatusCode::OK, body)
}
