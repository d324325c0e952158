//! WAPI mode (seeds/000, WIT-DataCenter platform API): the four classic
//! grants plus refresh at `/oauth2/token`, `token_type` in lower case,
//! rotating refresh tokens, the implicit grant answering in the *query
//! string*, and the flux API at `/{WAC}/flux/{FLUXID}` taking the token in
//! the header or as `oauth_token=` / `access_token=`, in JSON or XML.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::super::authorize::escape;
use super::super::client_auth::{Form, authenticate_in};
use super::super::store::{self, Client};
use super::super::{Demo, Mode, no_store_json};
use super::tokens::{self, Issued, Refresh, api_error, invalid_token};
use super::{Flavor, grant, issue};

static CLIENT: Client = Client {
    id: "wapi-client",
    secret: Some("wapi-secret"),
    grants: &[
        "authorization_code",
        "implicit",
        "password",
        "client_credentials",
        "refresh_token",
    ],
    default_scope: "all",
    redirect_uris: &[
        "http://127.0.0.1/callback",
        "https://app.example.com/oauth/callback",
    ],
    id_token_alg: "RS256",
    authorization_signed_response_alg: "RS256",
    jwks: None,
    tls_client_auth_subject_cn: None,
};

fn client(id: &str) -> Option<&'static Client> {
    (id == CLIENT.id).then_some(&CLIENT)
}

/// The WAPI authorization pages.
pub static FLAVOR: Flavor = Flavor {
    mode: Mode::Wapi,
    path: "/oauth2/authorize",
    client,
    user: store::user,
    scopes: &["all"],
    default_scope: "all",
    sign_in: "Sign in",
    allow: "Authorize",
    deny: "Refuse",
    denied: "The user refused to authorize the application",
    hint: "WIT IDs: alice / alice-password, bob / bob-password.",
    iss: false,
    implicit_in_query: true,
    implicit: Some(implicit),
};

/// The mode's routes (the authorization pages are added by the caller).
pub fn routes() -> Router<Arc<Demo>> {
    Router::new()
        .route("/oauth2/token", post(token))
        .route("/{wac}/flux/{flux}", get(flux))
}

/// The implicit grant's answer: the token fields, in the query string.
fn implicit(demo: &Demo, client: &Client, user: &str, scope: &str) -> Vec<(String, String)> {
    let issued = tokens::issue(demo, client.id, user, scope, Refresh::None);
    vec![
        ("access_token".to_string(), issued.access_token),
        ("token_type".to_string(), "bearer".to_string()),
        ("expires_in".to_string(), issued.expires_in.to_string()),
        ("scope".to_string(), issued.scope),
    ]
}

/// `POST /oauth2/token`: client credentials in the body or HTTP Basic.
async fn token(State(demo): State<Arc<Demo>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match Form::parse(&headers, &body) {
        Ok(form) => form,
        Err(response) => return response,
    };
    let client = match authenticate_in(&headers, &form, client) {
        Ok(client) => client,
        Err(response) => return response,
    };
    match grant(&demo, &FLAVOR, Some(client), &form, true) {
        Ok(granted) => answer(&issue(&demo, client.id, granted)),
        Err(response) => response,
    }
}

/// The document's response: `token_type` always `bearer`, lower case.
fn answer(issued: &Issued) -> Response {
    no_store_json(StatusCode::OK, issued.body("bearer"))
}

/// `GET /{WAC}/flux/{FLUXID}`.
async fn flux(
    State(demo): State<Arc<Demo>>,
    Path((wac, flux)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let mut found: Vec<String> = tokens::bearer(&headers).into_iter().collect();
    found.extend(
        query
            .iter()
            .filter(|(k, v)| (k == "oauth_token" || k == "access_token") && !v.is_empty())
            .map(|(_, v)| v.clone()),
    );
    let token = match found.as_slice() {
        [] => {
            return invalid_token(
                "No access token was sent (Authorization: Bearer, oauth_token= or access_token=)",
            );
        }
        [token] => token.clone(),
        _ => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "the access token was sent in more than one way",
            );
        }
    };
    let record = match tokens::check(&demo, &token) {
        Ok(record) => record,
        Err(reason) => return invalid_token(reason),
    };
    let digits = wac.strip_prefix("WAC").unwrap_or_default();
    if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return api_error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("unknown account '{wac}'; account numbers look like WAC123456789012"),
        );
    }
    let Ok(id) = flux.parse::<u32>() else {
        return api_error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("unknown flux '{flux}'; flux ids are numbers"),
        );
    };
    let format = query
        .iter()
        .find(|(k, _)| k == "format")
        .map(|(_, v)| v.to_ascii_uppercase());
    let wants_xml = match format.as_deref() {
        Some("XML") => true,
        Some("JSON") => false,
        Some(other) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!("format '{other}' is not served here; use JSON or XML"),
            );
        }
        None => [header::ACCEPT, header::CONTENT_TYPE].iter().any(|name| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("xml"))
        }),
    };
    let values: Vec<(String, f64)> = (1..=3)
        .map(|day| {
            (
                format!("2026-01-0{day}T00:00:00Z"),
                f64::from(id % 97) + f64::from(day) * 0.5,
            )
        })
        .collect();
    if wants_xml {
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Flux><Id>{id}</Id><Account>{wac}</Account>\
             <Name>Flux {id}</Name><Unit>kWh</Unit><Owner>{owner}</Owner><Values>",
            owner = escape(&record.sub)
        );
        for (date, value) in &values {
            xml.push_str(&format!("<Value Date=\"{date}\">{value}</Value>"));
        }
        xml.push_str("</Values></Flux>");
        return (
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            xml,
        )
            .into_response();
    }
    let values: Vec<_> = values
        .iter()
        .map(|(date, value)| json!({ "Date": date, "Value": value }))
        .collect();
    axum::Json(json!({
        "Id": id,
        "Account": wac,
        "Name": format!("Flux {id}"),
        "Unit": "kWh",
        "Owner": record.sub,
        "Values": values,
    }))
    .into_response()
}
