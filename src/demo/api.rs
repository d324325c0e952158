//! The protected API (RFC 6750): accepts the token in the Authorization
//! header, the `access_token` query parameter or a form body parameter, and
//! answers 401 with a `WWW-Authenticate` challenge when it is missing,
//! invalid, expired or revoked. A DPoP-bound token must come as
//! `Authorization: DPoP` with a proof by its key (RFC 9449 §7); a
//! certificate-bound token on a connection that presents its certificate
//! (RFC 8705 §3).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::dpop::{self, Refusal};
use super::jose;
use super::step_up;
use super::store;
use super::tls::{ClientCertificate, PeerCertificate};
use super::{Demo, now};

/// What a proof of possession is checked against: the request's method
/// and path, and its connection's client certificate.
pub struct Call {
    method: String,
    path: String,
    peer: Option<PeerCertificate>,
}

impl<S: Send + Sync> FromRequestParts<S> for Call {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ClientCertificate(peer) = ClientCertificate::from_request_parts(parts, state).await?;
        Ok(Self {
            method: parts.method.as_str().to_string(),
            path: parts.uri.path().to_string(),
            peer,
        })
    }
}

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
    call: Call,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let caller = match authorize(&demo, &call, &headers, query.as_deref(), &body) {
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
    call: Call,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let caller = match authorize(&demo, &call, &headers, query.as_deref(), &body) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    if !caller.has_scope("openid") {
        return insufficient_scope("openid");
    }
    let sub = caller.claim("sub");
    let mut claims = json!({ "sub": sub });
    if demo.faults.rp_case == Some(super::rp_tests::RpCase::UserinfoInvalidSub) {
        claims["sub"] = json!("someone-else");
    }
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
    call: Call,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let caller = match authorize(&demo, &call, &headers, query.as_deref(), &[]) {
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
    call: Call,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let caller = match authorize(&demo, &call, &headers, query.as_deref(), &[]) {
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

/// `GET|POST /api/payments`: a call that needs a strong, recent sign-in —
/// `acr` [`step_up::ACR_MFA`] at most [`step_up::PAYMENTS_MAX_AGE`]
/// seconds ago — or it answers with a step-up challenge (RFC 9470 §3).
pub async fn payments(
    State(demo): State<Arc<Demo>>,
    call: Call,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let caller = match authorize(&demo, &call, &headers, query.as_deref(), &body) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    if let Some((status, value)) = step_up::payments_refusal(&demo, &caller.claims) {
        return with_challenge(status, value, "insufficient_user_authentication");
    }
    axum::Json(json!({
        "payment": "accepted",
        "payer": caller.claim("sub"),
        "acr": caller.claims["acr"],
        "auth_time": caller.claims["auth_time"],
    }))
    .into_response()
}

/// `POST /api/items`: needs scope `write`; echoes what was sent.
pub async fn create_item(
    State(demo): State<Arc<Demo>>,
    call: Call,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let caller = match authorize(&demo, &call, &headers, query.as_deref(), &body) {
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
    call: &Call,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> Result<Caller, Response> {
    check_token(demo, call, headers, query, body)
        .map_err(|refusal| demo.faults.api_refusal(refusal))
}

/// Finds the token (exactly one method, RFC 6750 §2) and checks it.
fn check_token(
    demo: &Demo,
    call: &Call,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> Result<Caller, Response> {
    let mut found: Vec<String> = Vec::new();
    let mut dpop_scheme = false;
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        && let Some((scheme, token)) = value.split_once(' ')
    {
        if scheme.eq_ignore_ascii_case("bearer") {
            found.push(token.trim().to_string());
        } else if scheme.eq_ignore_ascii_case("dpop") {
            dpop_scheme = true;
            found.push(token.trim().to_string());
        }
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
    check_dpop(demo, call, headers, &token, &claims, dpop_scheme)?;
    if let Some(x5t) = claims["cnf"]["x5t#S256"].as_str() {
        let presented = call.peer.as_ref().map(|cert| jose::sha256_b64(cert.der()));
        if presented.as_deref() != Some(x5t) {
            return Err(invalid_token(
                "The access token is bound to a client certificate this connection did not present",
            ));
        }
    }
    Ok(Caller { claims })
}

/// A DPoP-bound token needs the DPoP scheme and a proof by its key for this
/// call (RFC 9449 §7.1); an unbound one, the Bearer scheme.
fn check_dpop(
    demo: &Demo,
    call: &Call,
    headers: &HeaderMap,
    token: &str,
    claims: &Value,
    dpop_scheme: bool,
) -> Result<(), Response> {
    let bound = claims["cnf"]["jkt"].as_str();
    let Some(jkt) = bound else {
        if dpop_scheme {
            return Err(dpop_challenge(
                "invalid_token",
                "The access token is not DPoP-bound; send it with the Bearer scheme",
            ));
        }
        return Ok(());
    };
    if !dpop_scheme {
        return Err(dpop_challenge(
            "invalid_token",
            "The access token is DPoP-bound; send it as Authorization: DPoP with a DPoP proof",
        ));
    }
    let expected = dpop::Expected {
        method: &call.method,
        path: &call.path,
        access_token: Some(token),
    };
    match dpop::check(demo, headers, &expected) {
        Ok(Some(proof)) if proof.jkt == jkt => Ok(()),
        Ok(Some(_)) => Err(dpop_challenge(
            "invalid_dpop_proof",
            "The DPoP proof is signed by another key than the one the access token is bound to",
        )),
        Ok(None) => Err(dpop_challenge(
            "invalid_dpop_proof",
            "The DPoP header is missing",
        )),
        Err(Refusal::Invalid(description)) => {
            Err(dpop_challenge("invalid_dpop_proof", &description))
        }
        Err(Refusal::UseNonce(description)) => {
            let mut response = dpop_challenge("use_dpop_nonce", &description);
            if let Ok(value) = HeaderValue::from_str(&dpop::fresh_nonce(demo)) {
                response.headers_mut().insert(dpop::NONCE_HEADER, value);
            }
            Err(response)
        }
    }
}

/// A DPoP challenge (RFC 9449 §7.1): 401 with the error and the proof
/// algorithms accepted.
fn dpop_challenge(code: &str, description: &str) -> Response {
    // A header value is visible ASCII.
    let description: String = description
        .chars()
        .map(|c| match c {
            '"' => '\'',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '?',
        })
        .collect();
    with_challenge(
        StatusCode::UNAUTHORIZED,
        format!(
            "DPoP algs=\"{}\", error=\"{code}\", error_description=\"{description}\"",
            dpop::ALGS.join(" ")
        ),
        code,
    )
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
