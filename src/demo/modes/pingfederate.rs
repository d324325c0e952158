//! Windchill behind PingFederate (seeds/003): `/as/authorization.oauth2`
//! ("Sign On", then "Allow"), `/as/token.oauth2` taking its parameters in the
//! query string of the POST, client authentication by HTTP Basic only —
//! decoded as sent, without form-urldecoding — a code response with no
//! `token_type`, a refresh response with `"Bearer"` and the same refresh
//! token, tokens that live 7 s, and an OData API.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::super::client_auth::{Form, invalid_client_basic, raw_basic_credentials};
use super::super::store::{self, Client};
use super::super::{Demo, Mode};
use super::tokens::{api_error, caller};
use super::{Flavor, grant, issue};

static CLIENT: Client = Client {
    id: "wnc-rp-client",
    // Characters that form-urlencoding changes: + / =
    secret: Some("wnc+secret/1="),
    grants: &["authorization_code", "refresh_token"],
    default_scope: "WINDCHILL_READ",
    redirect_uris: &[
        "https://app.getpostman.com/oauth2/callback",
        "http://127.0.0.1/callback",
    ],
    id_token_alg: "RS256",
    authorization_signed_response_alg: "RS256",
    jwks: None,
    tls_client_auth_subject_cn: None,
};

/// The scope the Windchill API needs.
const READ: &str = "WINDCHILL_READ";

fn client(id: &str) -> Option<&'static Client> {
    (id == CLIENT.id).then_some(&CLIENT)
}

/// The PingFederate sign-on and approval pages.
pub static FLAVOR: Flavor = Flavor {
    mode: Mode::PingFederate,
    path: "/as/authorization.oauth2",
    client,
    user: store::user,
    scopes: &[READ, "openid"],
    default_scope: READ,
    sign_in: "Sign On",
    allow: "Allow",
    deny: "Deny",
    denied: "The resource owner denied the request",
    hint: "Users: alice / alice-password, bob / bob-password.",
    iss: false,
    implicit_in_query: false,
    implicit: None,
};

/// The mode's routes (the authorization pages are added by the caller).
pub fn routes() -> Router<Arc<Demo>> {
    Router::new()
        .route("/as/token.oauth2", post(token))
        .route("/Windchill/oauth/servlet/odata/ProdMgmt/Parts", get(parts))
}

/// `POST /as/token.oauth2`. No `Cache-Control` on anything it answers.
async fn token(
    State(demo): State<Arc<Demo>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let mut response = token_response(&demo, &headers, query.as_deref(), &body);
    response.headers_mut().remove(header::CACHE_CONTROL);
    response.headers_mut().remove(header::PRAGMA);
    response
}

fn token_response(demo: &Demo, headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Response {
    let form = match merged(headers, query, body) {
        Ok(form) => form,
        Err(response) => return response,
    };
    if form
        .0
        .iter()
        .any(|(k, _)| k == "client_id" || k == "client_secret")
    {
        return basic_only("client credentials must be sent with HTTP Basic, not as parameters");
    }
    let (id, secret) = match raw_basic_credentials(headers) {
        Some(Some(credentials)) => credentials,
        Some(None) => return basic_only("the Authorization header is not valid HTTP Basic"),
        None => return basic_only("client authentication is required (HTTP Basic)"),
    };
    let client = match client(&id) {
        Some(client) if client.secret == Some(secret.as_str()) => client,
        Some(_) => {
            return basic_only(&format!(
                "wrong client secret for client '{id}' (compared as sent in the Basic header, not form-urldecoded)"
            ));
        }
        None => return basic_only(&format!("unknown client '{id}'")),
    };
    let refreshing = form.get("grant_type") == Some("refresh_token");
    let granted = match grant(demo, &FLAVOR, Some(client), &form, false) {
        Ok(granted) => granted,
        Err(response) => return response,
    };
    let issued = issue(demo, client.id, granted);
    let body = if refreshing {
        json!({
            "access_token": issued.access_token,
            "refresh_token": issued.refresh_token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
        })
    } else {
        // As documented: no token_type at all.
        json!({
            "access_token": issued.access_token,
            "refresh_token": issued.refresh_token,
            "expires_in": issued.expires_in,
        })
    };
    axum::Json(body).into_response()
}

/// The query string's parameters and the form body's, merged; a parameter
/// may appear once in all.
fn merged(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Result<Form, Response> {
    let mut pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    if !body.is_empty() {
        pairs.extend(Form::parse(headers, body)?.0);
    }
    Form::from_pairs(pairs)
}

/// 401 `invalid_client` with a Basic challenge.
fn basic_only(description: &str) -> Response {
    invalid_client_basic(description, "Basic realm=\"PingFederate\"")
}

/// `GET /Windchill/oauth/servlet/odata/ProdMgmt/Parts`.
async fn parts(State(demo): State<Arc<Demo>>, headers: HeaderMap) -> Response {
    let record = match caller(&demo, &headers) {
        Ok((_, record)) => record,
        Err(response) => return response,
    };
    if !record.scope.split_whitespace().any(|s| s == READ) {
        let mut response = api_error(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "this call needs the scope WINDCHILL_READ",
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(
                "Bearer error=\"insufficient_scope\", scope=\"WINDCHILL_READ\"",
            ),
        );
        return response;
    }
    let context = format!(
        "{}/Windchill/oauth/servlet/odata/ProdMgmt/$metadata#Parts",
        demo.issuer
    );
    axum::Json(json!({
        "@odata.context": context,
        "value": [
            { "ID": "OR:wt.part.WTPart:1", "Name": "Bracket", "Number": "0000000101", "State": { "Value": "INWORK", "Display": "In Work" } },
            { "ID": "OR:wt.part.WTPart:2", "Name": "Hinge pin", "Number": "0000000102", "State": { "Value": "RELEASED", "Display": "Released" } },
            { "ID": "OR:wt.part.WTPart:3", "Name": "Cover plate", "Number": "0000000103", "State": { "Value": "INWORK", "Display": "In Work" } },
        ]
    }))
    .into_response()
}
