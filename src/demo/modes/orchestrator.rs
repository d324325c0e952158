//! Orchestrator mode (seeds/001): `POST /api/token` with the password grant
//! and no client at all, client accounts made through `/api/v7.1/Clients`
//! and then used with client credentials, refresh tokens in standard base64
//! (`+`, `/`, `=` — a client must form-encode them), logout as
//! `DELETE /api/token`, and the client-credentials response written as the
//! document shows it: with a trailing comma, so not valid JSON.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::RngCore;
use serde_json::json;

use super::super::client_auth::{Form, basic_credentials, invalid_client_basic};
use super::super::store::{Account, OpaqueRecord, User};
use super::super::token::take_refresh;
use super::super::{Demo, no_store_json, oauth_error};
use super::tokens::{self, Issued, Refresh, api_error, caller};

/// The document's user; Windows account names compare without case.
static ADMIN: User = User {
    username: "VDRO\\administrator",
    password: "Password1",
    name: "Administrator",
    email: "administrator@vdro.local",
};

/// The mode's routes.
pub fn routes() -> Router<Arc<Demo>> {
    Router::new()
        .route("/api/token", post(token).delete(logout))
        .route(
            "/api/v7.1/Clients",
            post(create_client).get(list_clients).delete(delete_client),
        )
        .route("/api/v7.1/Status", get(status))
}

/// `POST /api/token`.
async fn token(State(demo): State<Arc<Demo>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match Form::parse(&headers, &body) {
        Ok(form) => form,
        Err(response) => return response,
    };
    let client = match account(&demo, &headers, &form) {
        Ok(client) => client,
        Err(response) => return response,
    };
    match form.get("grant_type") {
        None => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type is missing",
        ),
        Some("password") => {
            let (Some(username), Some(password)) = (form.get("username"), form.get("password"))
            else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "the password grant needs username and password",
                );
            };
            if !username.eq_ignore_ascii_case(ADMIN.username) || password != ADMIN.password {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "wrong username or password",
                );
            }
            let client_id = client.unwrap_or_default();
            let issued = tokens::issue(&demo, &client_id, ADMIN.username, "", Refresh::New);
            answer(&issued)
        }
        Some("client_credentials") => {
            let Some(client_id) = client else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_client",
                    "client_credentials needs client_id and client_secret of a client account (POST /api/v7.1/Clients)",
                );
            };
            let issued = tokens::issue(&demo, &client_id, &client_id, "", Refresh::New);
            trailing_comma_answer(&issued)
        }
        Some("refresh_token") => {
            let Some(presented) = form.get("refresh_token") else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "refresh_token is missing",
                );
            };
            let record = match take_refresh(&demo, client.as_deref(), presented, true) {
                Ok(record) => record,
                Err(response) => return response,
            };
            let issued = tokens::issue(&demo, &record.client_id, &record.sub, "", Refresh::New);
            answer(&issued)
        }
        Some(other) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("the grant type '{other}' is not supported here"),
        ),
    }
}

/// The client account the request names (HTTP Basic, or `client_id` and
/// `client_secret` in the body), if it names one; no client is fine.
fn account(demo: &Demo, headers: &HeaderMap, form: &Form) -> Result<Option<String>, Response> {
    let (id, secret) = match basic_credentials(headers) {
        Some(Some((id, secret))) => (id, Some(secret)),
        Some(None) => {
            return Err(invalid_client(
                "the Authorization header is not valid HTTP Basic",
            ));
        }
        None => match form.get("client_id") {
            Some(id) => (
                id.to_string(),
                form.get("client_secret").map(str::to_string),
            ),
            None => return Ok(None),
        },
    };
    let store = demo.store();
    match store.accounts.iter().find(|a| a.id == id) {
        Some(account) if Some(&account.secret) == secret.as_ref() => Ok(Some(id)),
        Some(_) => Err(invalid_client(&format!(
            "wrong client_secret for client '{id}'"
        ))),
        None => Err(invalid_client(&format!(
            "unknown client_id '{id}': create a client account with POST /api/v7.1/Clients"
        ))),
    }
}

fn invalid_client(description: &str) -> Response {
    invalid_client_basic(description, "Basic realm=\"Orchestrator\"")
}

/// The password and refresh responses (valid JSON).
fn answer(issued: &Issued) -> Response {
    no_store_json(
        StatusCode::OK,
        json!({
            "access_token": issued.access_token,
            "token_type": "bearer",
            "expires_in": issued.expires_in,
            "refresh_token": issued.refresh_token,
        }),
    )
}

/// The client-credentials response exactly as documented, trailing comma
/// and all: invalid JSON served as `application/json`.
fn trailing_comma_answer(issued: &Issued) -> Response {
    let body = format!(
        "{{\n \"access_token\": \"{}\",\n \"token_type\": \"bearer\",\n \"expires_in\": {},\n \"refresh_token\": \"{}\",\n}}",
        issued.access_token,
        issued.expires_in,
        issued.refresh_token.as_deref().unwrap_or_default()
    );
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// `DELETE /api/token`: logout; the token and its refresh token stop working.
async fn logout(State(demo): State<Arc<Demo>>, headers: HeaderMap) -> Response {
    match caller(&demo, &headers) {
        Ok((token, _)) => {
            tokens::revoke_access(&demo, &token, "The access token was logged out");
            StatusCode::NO_CONTENT.into_response()
        }
        Err(response) => response,
    }
}

/// A client-credentials token acts as its client account.
fn is_client(record: &OpaqueRecord) -> bool {
    !record.client_id.is_empty() && record.sub == record.client_id
}

/// `POST /api/v7.1/Clients`: a new client account owned by the user.
async fn create_client(State(demo): State<Arc<Demo>>, headers: HeaderMap) -> Response {
    let record = match caller(&demo, &headers) {
        Ok((_, record)) => record,
        Err(response) => return response,
    };
    if is_client(&record) {
        return api_error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "a client account cannot create client accounts; use a user's token",
        );
    }
    let account = Account {
        id: uuid(),
        secret: tokens::padded_base64(64),
        owner: record.sub,
    };
    let body = json!({ "client_id": account.id, "client_secret": account.secret });
    demo.store().accounts.push(account);
    no_store_json(StatusCode::OK, body)
}

/// `GET /api/v7.1/Clients`: the user's client ids (a client sees itself).
async fn list_clients(State(demo): State<Arc<Demo>>, headers: HeaderMap) -> Response {
    let record = match caller(&demo, &headers) {
        Ok((_, record)) => record,
        Err(response) => return response,
    };
    let store = demo.store();
    let ids: Vec<&str> = store
        .accounts
        .iter()
        .filter(|a| {
            if is_client(&record) {
                a.id == record.client_id
            } else {
                a.owner == record.sub
            }
        })
        .map(|a| a.id.as_str())
        .collect();
    axum::Json(json!(ids)).into_response()
}

/// `DELETE /api/v7.1/Clients?clientId=ID`.
async fn delete_client(
    State(demo): State<Arc<Demo>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let record = match caller(&demo, &headers) {
        Ok((_, record)) => record,
        Err(response) => return response,
    };
    let Some(id) = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, v)| k == "clientId" && !v.is_empty())
        .map(|(_, v)| v.into_owned())
    else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the clientId query parameter is missing",
        );
    };
    if is_client(&record) && id != record.client_id {
        return api_error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "a client account can delete only itself",
        );
    }
    {
        let mut store = demo.store();
        let before = store.accounts.len();
        store
            .accounts
            .retain(|a| !(a.id == id && (is_client(&record) || a.owner == record.sub)));
        if store.accounts.len() == before {
            return api_error(
                StatusCode::NOT_FOUND,
                "not_found",
                &format!("no client account '{id}'"),
            );
        }
    }
    tokens::revoke_where(&demo, "The client account was deleted", |t| {
        t.client_id == id
    });
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /api/v7.1/Status`: a protected resource to try a token on.
async fn status(State(demo): State<Arc<Demo>>, headers: HeaderMap) -> Response {
    match caller(&demo, &headers) {
        Ok((_, record)) => {
            let left = (record.expires_at_ms - tokens::now_ms()).max(0) / 1000;
            axum::Json(json!({
                "status": "running",
                "user": (!is_client(&record)).then_some(&record.sub),
                "client_id": (!record.client_id.is_empty()).then_some(&record.client_id),
                "token_expires_in": left,
            }))
            .into_response()
        }
        Err(response) => response,
    }
}

/// A random (version 4) UUID.
fn uuid() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
