//! Entra mode: the Microsoft identity platform's v2.0 token endpoint for
//! tenant `contoso` — `/contoso/oauth2/v2.0/token` — with its error format:
//! an `AADSTS<code>: …` `error_description` carrying Trace ID, Correlation ID
//! and Timestamp lines, and the `error_codes` array beside it
//! (https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
//! Client credentials want `scope = "<resource>/.default"`; the access token
//! is a signed JWT whose `ver` is "2.0", or "1.0" for the resource
//! `api://legacy-api`, registered for v1 tokens as an API can be.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use serde_json::json;

use super::super::client_auth::Form;
use super::super::store::{self, Client};
use super::super::{Demo, Mode, no_store_json, now};
use super::Flavor;

/// The demo tenant.
pub const TENANT: &str = "contoso";
/// The tenant's ID, as v1 tokens name it.
const TENANT_ID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
/// The resource registered for v1.0 access tokens.
const LEGACY_API: &str = "api://legacy-api";

static CLIENT: Client = Client {
    id: "11111111-2222-3333-4444-555555555555",
    secret: Some("entra-secret"),
    grants: &["authorization_code", "client_credentials", "refresh_token"],
    default_scope: "openid profile",
    redirect_uris: &["http://127.0.0.1/callback"],
    id_token_alg: "RS256",
    authorization_signed_response_alg: "RS256",
    jwks: None,
    tls_client_auth_subject_cn: None,
};

fn client(id: &str) -> Option<&'static Client> {
    (id == CLIENT.id).then_some(&CLIENT)
}

/// The Entra sign-in pages.
pub static FLAVOR: Flavor = Flavor {
    mode: Mode::Entra,
    path: "/contoso/oauth2/v2.0/authorize",
    client,
    user: store::user,
    scopes: &["openid", "profile", "email", "offline_access"],
    default_scope: "openid profile",
    sign_in: "Sign in",
    allow: "Accept",
    deny: "Cancel",
    denied: "AADSTS65004: User declined to consent to access the app.",
    hint: "Users: alice / alice-password, bob / bob-password.",
    iss: false,
    implicit_in_query: false,
    implicit: None,
};

/// The mode's routes (the sign-in pages are added by the caller).
pub fn routes() -> Router<Arc<Demo>> {
    Router::new().route("/contoso/oauth2/v2.0/token", post(token))
}

/// An Entra error: `error`, `error_description` starting `AADSTS<code>: `
/// with the trace lines, and `error_codes`.
fn aadsts(status: StatusCode, error: &str, code: u32, text: &str) -> Response {
    let trace = store::random_token(8);
    let timestamp = chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ");
    no_store_json(
        status,
        json!({
            "error": error,
            "error_description": format!(
                "AADSTS{code}: {text}\r\nTrace ID: {trace}\r\nCorrelation ID: {trace}\r\nTimestamp: {timestamp}"
            ),
            "error_codes": [code],
            "timestamp": timestamp.to_string(),
            "trace_id": trace,
            "correlation_id": trace,
        }),
    )
}

/// `POST /contoso/oauth2/v2.0/token`: client credentials (JWT access
/// tokens), authorization code and refresh (opaque); the secret in the body
/// or by Basic.
async fn token(State(demo): State<Arc<Demo>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match Form::parse(&headers, &body) {
        Ok(form) => form,
        Err(response) => return response,
    };
    let basic = super::super::client_auth::basic_credentials(&headers).flatten();
    let (id, secret) = match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (
            form.get("client_id").map(str::to_string),
            form.get("client_secret").map(str::to_string),
        ),
    };
    let Some(id) = id else {
        return aadsts(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    };
    let Some(client) = client(&id) else {
        return aadsts(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{id}' was not found in the directory '{TENANT}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
            ),
        );
    };
    match secret {
        None => {
            return aadsts(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            );
        }
        Some(secret) if Some(secret.as_str()) != client.secret => {
            return aadsts(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                &format!(
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                    client.id
                ),
            );
        }
        Some(_) => {}
    }
    match form.get("grant_type") {
        Some("client_credentials") => {}
        Some("authorization_code") => {
            // The redirect URI must be one registered for the app.
            let redirect = form.get("redirect_uri").unwrap_or_default();
            let registered = client
                .redirect_uris
                .iter()
                .any(|r| loopback_match(r, redirect));
            if !registered {
                return aadsts(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    50011,
                    &format!(
                        "The redirect URI '{redirect}' specified in the request does not match the redirect URIs configured for the application '{}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.",
                        client.id
                    ),
                );
            }
            return code_or_refresh(&demo, client, &form);
        }
        Some("refresh_token") => return code_or_refresh(&demo, client, &form),
        other => {
            return aadsts(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                &format!(
                    "The app requested an unsupported grant type '{}'.",
                    other.unwrap_or_default()
                ),
            );
        }
    }
    let scope = form.get("scope").unwrap_or_default().trim();
    let Some(resource) = scope
        .split(' ')
        .find_map(|s| s.strip_suffix("/.default"))
        .filter(|_| !scope.contains(' '))
    else {
        return aadsts(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            &format!(
                "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid. The client credentials flow takes one scope: the resource's identifier followed by /.default."
            ),
        );
    };
    let issued_at = now();
    let v1 = resource == LEGACY_API;
    let claims = if v1 {
        json!({
            "aud": resource,
            "iss": format!("https://sts.windows.net/{TENANT_ID}/"),
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + 3599,
            "appid": client.id,
            "tid": TENANT_ID,
            "sub": client.id,
            "ver": "1.0",
        })
    } else {
        json!({
            "aud": resource,
            "iss": format!("{}/{TENANT}/v2.0", demo.issuer),
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + 3599,
            "azp": client.id,
            "tid": TENANT_ID,
            "sub": client.id,
            "ver": "2.0",
        })
    };
    let access_token = match demo.sign(&claims, "JWT", jsonwebtoken::Algorithm::RS256) {
        Ok(token) => token,
        Err(err) => {
            return aadsts(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                50000,
                &format!("There was an error issuing a token: {err}"),
            );
        }
    };
    no_store_json(
        StatusCode::OK,
        json!({
            "token_type": "Bearer",
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": access_token,
        }),
    )
}

/// The code and refresh grants, checked and issued as the other modes do
/// (opaque tokens).
fn code_or_refresh(demo: &Demo, client: &'static Client, form: &Form) -> Response {
    match super::grant(demo, &FLAVOR, Some(client), form, true) {
        Ok(granted) => no_store_json(
            StatusCode::OK,
            super::issue(demo, client.id, granted).body("Bearer"),
        ),
        Err(response) => response,
    }
}

/// `sent` is `registered`, where a loopback URI registered without a port
/// matches any port.
fn loopback_match(registered: &str, sent: &str) -> bool {
    if registered == sent {
        return true;
    }
    let (Ok(r), Ok(s)) = (url::Url::parse(registered), url::Url::parse(sent)) else {
        return false;
    };
    r.port().is_none()
        && r.host_str() == Some("127.0.0.1")
        && s.host_str() == r.host_str()
        && s.scheme() == r.scheme()
        && s.path() == r.path()
}
