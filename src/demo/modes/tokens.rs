//! Opaque tokens for the seed modes: random strings looked up in the store
//! (the standard mode signs JWTs instead). Lifetimes are checked to the
//! millisecond, so a one-second token really lives one second.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use rand::RngCore;
use serde_json::json;

use super::super::store::{self, OpaqueRecord, RefreshRecord};
use super::super::{Demo, Mode, now};

/// Whether a refresh token comes with an access token.
pub enum Refresh {
    /// None (client credentials, implicit).
    None,
    /// A new one.
    New,
    /// The one presented, kept (no rotation).
    Keep(String),
}

/// Tokens just issued.
pub struct Issued {
    /// The access token.
    pub access_token: String,
    /// The refresh token, if any.
    pub refresh_token: Option<String>,
    /// Lifetime in seconds.
    pub expires_in: u64,
    /// Scope granted.
    pub scope: String,
}

impl Issued {
    /// The usual token response: `access_token`, `token_type`, `expires_in`,
    /// `refresh_token` (when issued) and `scope`, in that order.
    pub fn body(&self, token_type: &str) -> serde_json::Value {
        let mut body = json!({
            "access_token": self.access_token,
            "token_type": token_type,
            "expires_in": self.expires_in,
        });
        if let Some(refresh) = &self.refresh_token {
            body["refresh_token"] = json!(refresh);
        }
        body["scope"] = json!(self.scope);
        body
    }
}

/// Current Unix time in milliseconds.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Issues an opaque access token (and a refresh token as asked).
pub fn issue(demo: &Demo, client_id: &str, sub: &str, scope: &str, refresh: Refresh) -> Issued {
    let access_token = match demo.mode {
        // The Orchestrator's are about 120 URL-safe characters.
        Mode::Orchestrator => store::random_token(90),
        Mode::PingFederate => store::random_token(21),
        _ => store::random_token(32),
    };
    let ttl = demo.token_ttl;
    let mut store = demo.store();
    store.sweep(now());
    store.opaque.insert(
        access_token.clone(),
        OpaqueRecord {
            client_id: client_id.to_string(),
            sub: sub.to_string(),
            scope: scope.to_string(),
            expires_at_ms: now_ms() + ttl.as_millis() as i64,
            revoked: None,
        },
    );
    let refresh_token = match refresh {
        Refresh::None => None,
        Refresh::Keep(token) => {
            if let Some(record) = store.refresh.get_mut(&token) {
                record.access_jtis.push(access_token.clone());
            }
            Some(token)
        }
        Refresh::New => {
            let token = match demo.mode {
                // Standard base64 with `+`, `/` and `=`, as the document shows.
                Mode::Orchestrator => padded_base64(32),
                _ => store::random_token(32),
            };
            store.refresh.insert(
                token.clone(),
                RefreshRecord {
                    client_id: client_id.to_string(),
                    sub: sub.to_string(),
                    scope: scope.to_string(),
                    used: false,
                    spent_at: None,
                    revoked: false,
                    iat: now(),
                    access_jtis: vec![access_token.clone()],
                    jkt: None,
                    authentication: None,
                },
            );
            Some(token)
        }
    };
    Issued {
        access_token,
        refresh_token,
        expires_in: ttl.as_secs(),
        scope: scope.to_string(),
    }
}

/// Standard base64 (RFC 4648 §4) of `bytes` random bytes that always holds
/// a `+` and a `/`, and ends in `=` when `bytes` is not a multiple of 3 — so
/// a client that does not form-encode it breaks every time, not one time in four.
pub fn padded_base64(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes.max(3)];
    rand::thread_rng().fill_bytes(&mut buf);
    let mut text = base64::engine::general_purpose::STANDARD.encode(buf);
    // The first two characters encode whole 6-bit groups: any value decodes.
    if !(text.contains('+') && text.contains('/')) {
        text.replace_range(0..2, "+/");
    }
    text
}

/// The live access token `token`, or why it is not.
pub fn check(demo: &Demo, token: &str) -> Result<OpaqueRecord, &'static str> {
    let store = demo.store();
    let Some(record) = store.opaque.get(token) else {
        return Err("The access token is unknown");
    };
    if let Some(reason) = record.revoked {
        return Err(reason);
    }
    if record.expires_at_ms <= now_ms() {
        return Err("The access token expired");
    }
    Ok(record.clone())
}

/// Revokes an access token and the refresh token issued with it.
pub fn revoke_access(demo: &Demo, token: &str, reason: &'static str) {
    let mut store = demo.store();
    if let Some(record) = store.opaque.get_mut(token) {
        record.revoked = Some(reason);
    }
    for refresh in store.refresh.values_mut() {
        if refresh.access_jtis.iter().any(|t| t == token) {
            refresh.revoked = true;
        }
    }
}

/// Revokes a refresh token and the access tokens issued with it; false
/// when it is not a refresh token.
pub fn revoke_refresh(demo: &Demo, token: &str, reason: &'static str) -> bool {
    let mut store = demo.store();
    let Some(record) = store.refresh.get_mut(token) else {
        return false;
    };
    record.revoked = true;
    let access = record.access_jtis.clone();
    for token in access {
        if let Some(record) = store.opaque.get_mut(&token) {
            record.revoked = Some(reason);
        }
    }
    true
}

/// Revokes every live access token `matches` picks.
pub fn revoke_where(demo: &Demo, reason: &'static str, matches: impl Fn(&OpaqueRecord) -> bool) {
    let mut store = demo.store();
    for record in store.opaque.values_mut() {
        if record.revoked.is_none() && matches(record) {
            record.revoked = Some(reason);
        }
    }
}

/// The token of an `Authorization: Bearer` header.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// The live token of the `Authorization: Bearer` header, or a 401.
pub fn caller(demo: &Demo, headers: &HeaderMap) -> Result<(String, OpaqueRecord), Response> {
    let Some(token) = bearer(headers) else {
        return Err(invalid_token(
            "No access token was sent (Authorization: Bearer)",
        ));
    };
    check(demo, &token)
        .map(|record| (token, record))
        .map_err(invalid_token)
}

/// 401 with a Bearer `invalid_token` challenge (RFC 6750 §3.1) and the same
/// in a JSON body.
pub fn invalid_token(description: &str) -> Response {
    let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{description}\"");
    let mut response = (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({ "error": "invalid_token", "error_description": description })),
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// A JSON error of an API (not OAuth) endpoint.
pub fn api_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}
