//! Wordapp mode (seeds/002): `/oauth/token` with the password grant taking a
//! username or an e-mail, tokens that live 2 h and are replaced — a new token
//! for the same user and client invalidates the previous one — revocation
//! that needs both an `Authorization` header and a `token` field, and an API
//! that needs an `X-Api-Version` header.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::super::client_auth::{Form, authenticate_in, basic_credentials};
use super::super::store::{self, Client, User};
use super::super::{Demo, Mode, no_store_json, oauth_error};
use super::tokens::{self, api_error, caller, invalid_token};
use super::{Flavor, grant, issue};

static CLIENT: Client = Client {
    id: "wordapp-app",
    secret: Some("wordapp-secret"),
    grants: &[
        "authorization_code",
        "password",
        "client_credentials",
        "refresh_token",
    ],
    default_scope: "read write",
    redirect_uris: &[
        "http://127.0.0.1/callback",
        "https://app.example.com/oauth/callback",
    ],
    id_token_alg: "RS256",
    authorization_signed_response_alg: "RS256",
    jwks: None,
    tls_client_auth_subject_cn: None,
};

/// Why a replaced token stops working.
const REPLACED: &str = "The access token was replaced by a newer one for the same user and client";

/// The API version this server speaks.
const API_VERSION: &str = "1";

fn client(id: &str) -> Option<&'static Client> {
    (id == CLIENT.id).then_some(&CLIENT)
}

/// A user by username or by e-mail.
fn user(name: &str) -> Option<&'static User> {
    store::USERS
        .iter()
        .find(|u| u.username == name || u.email.eq_ignore_ascii_case(name))
}

/// The Wordapp authorization pages.
pub static FLAVOR: Flavor = Flavor {
    mode: Mode::Wordapp,
    path: "/oauth/authorize",
    client,
    user,
    scopes: &["read", "write"],
    default_scope: "read write",
    sign_in: "Log in",
    allow: "Authorize",
    deny: "Cancel",
    denied: "The user refused to authorize permissions request from your application.",
    hint: "Users: alice (or alice@example.com) / alice-password, bob / bob-password.",
    iss: false,
    implicit_in_query: false,
    implicit: None,
};

/// The mode's routes (the authorization pages are added by the caller).
pub fn routes() -> Router<Arc<Demo>> {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
        .route("/api/v1/me", get(me))
        .route("/api/v1/projects", get(projects))
}

/// `POST /oauth/token`. Client authentication (body or Basic) is needed for
/// the code and client credentials grants, optional for password and refresh.
async fn token(State(demo): State<Arc<Demo>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match Form::parse(&headers, &body) {
        Ok(form) => form,
        Err(response) => return response,
    };
    let sent = basic_credentials(&headers).is_some() || form.get("client_id").is_some();
    let client = if sent {
        match authenticate_in(&headers, &form, client) {
            Ok(client) => Some(client),
            Err(response) => return response,
        }
    } else {
        None
    };
    let granted = match grant(&demo, &FLAVOR, client, &form, true) {
        Ok(granted) => granted,
        Err(response) => return response,
    };
    let client_id = client.map_or("", |c| c.id);
    // "A subsequent OAuth2 flow that generated a new access token. The
    // previous token will be invalidated."
    tokens::revoke_where(&demo, REPLACED, |t| {
        t.client_id == client_id && t.sub == granted.sub
    });
    let issued = issue(&demo, client_id, granted);
    no_store_json(StatusCode::OK, issued.body("Bearer"))
}

/// `POST /oauth/revoke`: an `Authorization` header (HTTP Basic client
/// credentials, or `Bearer` with an access token) and a `token` field.
async fn revoke(State(demo): State<Arc<Demo>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = if body.is_empty() {
        Form(Vec::new())
    } else {
        match Form::parse(&headers, &body) {
            Ok(form) => form,
            Err(response) => return response,
        }
    };
    let authorization = headers.get(header::AUTHORIZATION);
    let missing = match (authorization.is_some(), form.get("token").is_some()) {
        (true, true) => None,
        (false, false) => Some("the Authorization header and the token field are both missing"),
        (false, true) => Some(
            "the Authorization header is missing: send HTTP Basic client credentials or Bearer with the access token",
        ),
        (true, false) => Some("the token field is missing"),
    };
    if let Some(missing) = missing {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", missing);
    }
    let token = form.get("token").unwrap_or_default();
    // Who is asking: a client, or the holder of an access token.
    let (client_id, sub) = match tokens::bearer(&headers) {
        Some(bearer) => match tokens::check(&demo, &bearer) {
            Ok(record) => (record.client_id, Some(record.sub)),
            Err(reason) => return invalid_token(reason),
        },
        None => match authenticate_in(&headers, &form, client) {
            Ok(client) => (client.id.to_string(), None),
            Err(response) => return response,
        },
    };
    let owner = {
        let store = demo.store();
        store
            .opaque
            .get(token)
            .map(|t| (t.client_id.clone(), t.sub.clone()))
            .or_else(|| {
                store
                    .refresh
                    .get(token)
                    .map(|r| (r.client_id.clone(), r.sub.clone()))
            })
    };
    if let Some((owner_client, owner_sub)) = owner {
        if owner_client != client_id || sub.is_some_and(|sub| sub != owner_sub) {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "the token was issued to another client or user",
            );
        }
        let reason = "The access token was revoked";
        if !tokens::revoke_refresh(&demo, token, reason) {
            tokens::revoke_access(&demo, token, reason);
        }
    }
    // An unknown token is not an error (RFC 7009 §2.2).
    StatusCode::OK.into_response()
}

/// The caller of an API call: `X-Api-Version` first, then the token.
fn api_caller(demo: &Demo, headers: &HeaderMap) -> Result<store::OpaqueRecord, Response> {
    match headers.get("x-api-version").and_then(|v| v.to_str().ok()) {
        None => {
            return Err(api_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "X-Api-Version header is required",
            ));
        }
        Some(version) if version.trim() != API_VERSION => {
            return Err(api_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!("X-Api-Version '{version}' is not served here; use {API_VERSION}"),
            ));
        }
        Some(_) => {}
    }
    caller(demo, headers).map(|(_, record)| record)
}

/// `GET /api/v1/me`.
async fn me(State(demo): State<Arc<Demo>>, headers: HeaderMap) -> Response {
    let record = match api_caller(&demo, &headers) {
        Ok(record) => record,
        Err(response) => return response,
    };
    let mut me = json!({ "id": record.sub, "client_id": record.client_id, "scope": record.scope });
    if let Some(user) = store::user(&record.sub) {
        me["username"] = json!(user.username);
        me["email"] = json!(user.email);
        me["name"] = json!(user.name);
    }
    axum::Json(me).into_response()
}

/// `GET /api/v1/projects`.
async fn projects(State(demo): State<Arc<Demo>>, headers: HeaderMap) -> Response {
    let record = match api_caller(&demo, &headers) {
        Ok(record) => record,
        Err(response) => return response,
    };
    axum::Json(json!({
        "projects": [
            { "id": 101, "name": "Spring blog posts", "status": "in_progress", "owner": record.sub },
            { "id": 102, "name": "Product pages (FR)", "status": "completed", "owner": record.sub },
        ]
    }))
    .into_response()
}
