//! The protected API (RFC 6750): accepts the token in the Authorization
//! header, the `access_token` query parameter or a form body parameter, and
//! answers 401 with a `WWW-Authenticate` challenge when it is missing,
//! invalid, expired or revoked.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::store;
use super::{Demo, now};

/// Who called, once the token checked out.
struct Caller {
    claims: Value,
}

impl Caller {
    fn claim(&self, name: &str) -> &str {
        self.claims[name].as_str().unwrap_or_default()
    }

    fn has_scope(&self, scope: &str) -> bool {
        self.claim("scope").split_whitespace().any(|s| s == scope)
    }
}

/// `GET|POST /api/me`: who the token belongs to.
pub async fn me(
    State(demo): State<Arc<Demo>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let caller = match authorize(&demo, &headers, query.as_deref(), &body) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let sub = caller.claim("sub");
    let mut me = json!({
        "sub": sub,
        "client_id": caller.claim("client_id"),
        "scope": caller.claim("scope"),
        "token_expires_at": caller.claims["exp"],
    });
    if let Some(user) = store::user(sub) {
        me["name"] = json!(user.name);
        me["email"] = json!(user.email);
    }
    axum::Json(me).into_response()
}

/// `GET|POST /userinfo` (OpenID Connect Core §5.3): needs scope `openid`.
pub async fn userinfo(
    State(demo): State<Arc<Demo>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let caller = match authorize(&demo, &headers, query.as_deref(), &body) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    if !caller.has_scope("openid") {
        return insufficient_scope("openid");
    }
    let sub = caller.claim("sub");
    let mut claims = json!({ "sub": sub });
    if let Some(user) = store::user(sub) {
        if caller.has_scope("profile") {
            claims["name"] = json!(user.name);
            claims["preferred_username"] = json!(user.username);
        }
        if caller.has_scope("email") {
            claims["email"] = json!(user.email);
            claims["email_verified"] = json!(true);
        }
    }
    axum::Json(claims).into_response()
}

/// `GET /api/items`: needs scope `read`.
pub async fn items(
    State(demo): State<Arc<Demo>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let caller = match authorize(&demo, &headers, query.as_deref(), &[]) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    if !caller.has_scope("read") {
        return insufficient_scope("read");
    }
    axum::Json(json!({
        "items": [
            { "id": 1, "name": "Widget", "owner": caller.claim("sub") },
            { "id": 2, "name": "Gadget", "owner": caller.claim("sub") },
        ]
    }))
    .into_response()
}

/// `GET /api/large?mb=N`: a JSON body of about N megabytes (1 to 60,
/// default 1), for trying large responses; needs scope `read`.
pub async fn large(
    State(demo): State<Arc<Demo>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let caller = match authorize(&demo, &headers, query.as_deref(), &[]) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    if !caller.has_scope("read") {
        return insufficient_scope("read");
    }
    let mb = param(query.unwrap_or_default().as_bytes(), "mb")
        .first()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, 60);
    let target = mb * 1024 * 1024;
    let mut body = String::with_capacity(target + 256);
    body.push_str("{\"items\":[");
    let mut id = 0usize;
    while body.len() < target {
        if id > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            "{{\"id\":{id},\"name\":\"item {id}\",\"owner\":\"{}\",\"tags\":[\"demo\",\"large\"],\"note\":\"padding to make the body big enough to exercise the viewer\"}}",
            caller.claim("sub")
        ));
        id += 1;
    }
    body.push_str("]}");
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `POST /api/items`: needs scope `write`; echoes what was sent.
pub async fn create_item(
    State(demo): State<Arc<Demo>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let caller = match authorize(&demo, &headers, query.as_deref(), &body) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    if !caller.has_scope("write") {
        return insufficient_scope("write");
    }
    let sent = String::from_utf8_lossy(&body).into_owned();
    (
        StatusCode::CREATED,
        axum::Json(json!({ "id": 3, "created_by": caller.claim("sub"), "received": sent })),
    )
        .into_response()
}

/// Finds the token (exactly one method, RFC 6750 §2) and checks it; the
/// refusal as the fault switches shape it.
fn authorize(
    demo: &Demo,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> Result<Caller, Response> {
    check_token(demo, headers, query, body).map_err(|refusal| demo.faults.api_refusal(refusal))
}

/// Finds the token (exactly one method, RFC 6750 §2) and checks it.
fn check_token(
    demo: &Demo,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> Result<Caller, Response> {
    let mut found: Vec<String> = Vec::new();
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        && let Some((scheme, token)) = value.split_once(' ')
        && scheme.eq_ignore_ascii_case("bearer")
    {
        found.push(token.trim().to_string());
    }
    if let Some(query) = query {
        found.extend(param(query.as_bytes(), "access_token"));
    }
    let form_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if form_body {
        found.extend(param(body, "access_token"));
    }
    let token = match found.len() {
        0 => return Err(challenge(StatusCode::UNAUTHORIZED, None)),
        1 => found.remove(0),
        _ => {
            return Err(challenge(
                StatusCode::BAD_REQUEST,
                Some((
                    "invalid_request",
                    "the access token was sent in more than one way (RFC 6750 §2)",
                )),
            ));
        }
    };
    let Some(claims) = demo.verify(&token) else {
        return Err(invalid_token(
            "The access token is malformed or its signature is invalid",
        ));
    };
    if claims["iss"].as_str() != Some(demo.issuer.as_str()) {
        return Err(invalid_token(
            "The access token was issued by another server",
        ));
    }
    let jti = claims["jti"].as_str().unwrap_or_default();
    let revoked = demo
        .store()
        .access
        .get(jti)
        .is_none_or(|record| record.revoked);
    if revoked {
        return Err(invalid_token("The access token was revoked"));
    }
    if claims["exp"].as_i64().is_none_or(|exp| exp <= now()) {
        return Err(invalid_token("The access token expired"));
    }
    Ok(Caller { claims })
}

fn param(form: &[u8], name: &str) -> Vec<String> {
    url::form_urlencoded::parse(form)
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

fn invalid_token(description: &str) -> Response {
    challenge(
        StatusCode::UNAUTHORIZED,
        Some(("invalid_token", description)),
    )
}

fn insufficient_scope(scope: &str) -> Response {
    let value = format!(
        "Bearer realm=\"demo\", error=\"insufficient_scope\", error_description=\"This call needs the scope {scope}\", scope=\"{scope}\""
    );
    with_challenge(StatusCode::FORBIDDEN, value, "insufficient_scope")
}

/// A Bearer challenge (RFC 6750 §3); without an error when no token came.
fn challenge(status: StatusCode, error: Option<(&str, &str)>) -> Response {
    match error {
        None => with_challenge(status, "Bearer realm=\"demo\"".to_string(), "missing_token"),
        Some((code, description)) => with_challenge(
            status,
            format!("Bearer realm=\"demo\", error=\"{code}\", error_description=\"{description}\""),
            code,
        ),
    }
}

fn with_challenge(status: StatusCode, value: String, code: &str) -> Response {
    let mut response = (status, axum::Json(json!({ "error": code }))).into_response();
    if let Ok(value) = HeaderValue::from_str(&value) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}
