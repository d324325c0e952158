//! GitHub mode: an OAuth app's web application flow as GitHub documents it
//! (https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps)
//! — `/login/oauth/authorize`, `POST /login/oauth/access_token` and the API's
//! `GET /user`. The token response is form-encoded
//! (`access_token=…&scope=…&token_type=bearer`) unless the request carries
//! `Accept: application/json`; OAuth app tokens come without a refresh
//! token and do not expire (no `expires_in`).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::super::client_auth::{Form, authenticate_in};
use super::super::store::{self, Client};
use super::super::{Demo, Mode, no_store_json};
use super::tokens::{self, Refresh};
use super::{Flavor, grant};

static CLIENT: Client = Client {
    id: "Iv1.demo0github0app",
    secret: Some("github-secret"),
    grants: &["authorization_code"],
    default_scope: "read:user",
    redirect_uris: &["http://127.0.0.1/callback"],
    id_token_alg: "RS256",
    authorization_signed_response_alg: "RS256",
    jwks: None,
    tls_client_auth_subject_cn: None,
};

fn client(id: &str) -> Option<&'static Client> {
    (id == CLIENT.id).then_some(&CLIENT)
}

/// GitHub's authorization pages.
pub static FLAVOR: Flavor = Flavor {
    mode: Mode::GitHub,
    path: "/login/oauth/authorize",
    client,
    user: store::user,
    scopes: &["read:user", "user:email", "repo"],
    default_scope: "read:user",
    sign_in: "Sign in",
    allow: "Authorize",
    deny: "Cancel",
    denied: "The user has denied your application access.",
    hint: "Users: alice / alice-password, bob / bob-password.",
    iss: false,
    implicit_in_query: false,
    implicit: None,
};

/// The mode's routes (the authorization pages are added by the caller).
pub fn routes() -> Router<Arc<Demo>> {
    Router::new()
        .route("/login/oauth/access_token", post(access_token))
        .route("/user", get(user))
}

/// Whether the request asked for JSON.
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("application/json"))
}

/// `fields` as JSON, or form-encoded as GitHub answers by default.
fn answer(json_asked: bool, status: StatusCode, fields: Value) -> Response {
    if json_asked {
        return no_store_json(status, fields);
    }
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    if let Value::Object(map) = &fields {
        for (name, value) in map {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            form.append_pair(name, &text);
        }
    }
    (
        status,
        [(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8",
        )],
        form.finish(),
    )
        .into_response()
}

/// `POST /login/oauth/access_token`: the code grant, client id and secret
/// in the body (or Basic).
async fn access_token(State(demo): State<Arc<Demo>>, headers: HeaderMap, body: Bytes) -> Response {
    let json_asked = wants_json(&headers);
    let form = match Form::parse(&headers, &body) {
        Ok(form) => form,
        Err(response) => return response,
    };
    let client = match authenticate_in(&headers, &form, client) {
        Ok(client) => client,
        Err(_) => {
            return answer(
                json_asked,
                StatusCode::OK,
                json!({
                    "error": "incorrect_client_credentials",
                    "error_description": "The client_id and/or client_secret passed are incorrect.",
                    "error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#incorrect-client-credentials",
                }),
            );
        }
    };
    let granted = match grant(&demo, &FLAVOR, Some(client), &form, false) {
        Ok(granted) => granted,
        Err(_) => {
            return answer(
                json_asked,
                StatusCode::OK,
                json!({
                    "error": "bad_verification_code",
                    "error_description": "The code passed is incorrect or expired.",
                    "error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code",
                }),
            );
        }
    };
    let issued = tokens::issue(
        &demo,
        client.id,
        &granted.sub,
        &granted.scope,
        Refresh::None,
    );
    answer(
        json_asked,
        StatusCode::OK,
        json!({
            "access_token": issued.access_token,
            "scope": issued.scope.replace(' ', ","),
            "token_type": "bearer",
        }),
    )
}

/// `GET /user`: who the token belongs to.
async fn user(State(demo): State<Arc<Demo>>, headers: HeaderMap) -> Response {
    match tokens::caller(&demo, &headers) {
        Ok((_, record)) => no_store_json(
            StatusCode::OK,
            json!({ "login": record.sub, "type": "User" }),
        ),
        Err(response) => response,
    }
}
