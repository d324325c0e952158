//! OpenID Connect logout, as the provider.
//!
//! - Sessions: every ID token carries `sid` (Back-Channel Logout §2.1), one
//!   per signed-in user, shared by the clients that got ID tokens in it
//!   ([`session_for`]).
//! - `GET`/`POST /end_session` (OpenID Connect RP-Initiated Logout 1.0 §2):
//!   checks `id_token_hint` (signed here, this issuer; an expired one is
//!   fine, §4) and `client_id` against it, ends the session, sends a logout
//!   token to every client of the session that registered a back-channel
//!   URI, and sends the browser to a registered `post_logout_redirect_uri`
//!   with `state` (§3) — or shows a "logged out" page.
//! - `POST /admin/clients/{id}/backchannel_logout_uri`: registers a
//!   client's `backchannel_logout_uri` (Back-Channel Logout §2.2) while the
//!   server runs — loopback URIs only, as this provider only talks to this
//!   machine.
//! - Logout tokens (§2.4): `iss`, `aud`, `iat`, `exp`, `jti`, `sub`, `sid`,
//!   `events`, typed `logout+jwt`, signed with the key of the client's ID
//!   tokens, POSTed as `logout_token` (§2.5).
//!
//! Written from the two specifications, sharing nothing with the engine.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

use super::authorize::escape;
use super::store::{self, Client};
use super::{Demo, no_store_json, now, oauth_error};

/// The `events` member that makes a JWT a logout token (§2.4).
const LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// What `logout-token-wrong-events` names instead: a RISC event, which is
/// no logout token.
const OTHER_EVENT: &str = "https://schemas.openid.net/secevent/risc/event-type/sessions-revoked";

/// The paths a seeded browser client may name as
/// `post_logout_redirect_uri` — loopback on any port (as RFC 8252 §7.3
/// allows for redirect URIs).
pub const POST_LOGOUT_REDIRECT_URIS: &[&str] = &[
    "http://127.0.0.1/logged-out",
    "http://[::1]/logged-out",
    "http://localhost/logged-out",
];

/// The logout fault switches (`logout-*`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogoutFaults {
    /// `logout-token-nonce`: logout tokens carry a `nonce`, which §2.4
    /// prohibits.
    pub token_nonce: bool,
    /// `logout-token-wrong-events`: the `events` claim names another event
    /// than back-channel logout.
    pub token_wrong_events: bool,
    /// `logout-token-wrong-aud`: logout tokens name another client as `aud`.
    pub token_wrong_aud: bool,
    /// `logout-wrong-state`: the end-session endpoint sends the browser
    /// back with another `state` than the one it was given (§3).
    pub wrong_state: bool,
}

impl LogoutFaults {
    /// The names accepted by [`LogoutFaults::switch_on`].
    pub const NAMES: [&str; 4] = [
        "logout-token-nonce",
        "logout-token-wrong-events",
        "logout-token-wrong-aud",
        "logout-wrong-state",
    ];

    /// Turns on the switch called `name`; false when there is none.
    pub fn switch_on(&mut self, name: &str) -> bool {
        let switch = match name {
            "logout-token-nonce" => &mut self.token_nonce,
            "logout-token-wrong-events" => &mut self.token_wrong_events,
            "logout-token-wrong-aud" => &mut self.token_wrong_aud,
            "logout-wrong-state" => &mut self.wrong_state,
            _ => return false,
        };
        *switch = true;
        true
    }
}

/// A signed-in user's session at this provider.
#[derive(Debug, Clone, Default)]
pub struct OpSession {
    /// The user.
    pub sub: String,
    /// The clients that got ID tokens in it.
    pub clients: BTreeSet<String>,
}

/// The `sid` of `sub`'s session, started when there is none; `client_id`
/// is noted as one of its clients.
pub(super) fn session_for(demo: &Demo, sub: &str, client_id: &str) -> String {
    let mut store = demo.store();
    let found = store
        .op_sessions
        .iter()
        .find(|(_, session)| session.sub == sub)
        .map(|(sid, _)| sid.clone());
    let sid = found.unwrap_or_else(|| store::random_token(12));
    let session = store.op_sessions.entry(sid.clone()).or_default();
    session.sub = sub.to_string();
    session.clients.insert(client_id.to_string());
    sid
}

/// `GET`/`POST /end_session` (RP-Initiated Logout §2).
pub async fn end_session(
    State(demo): State<Arc<Demo>>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let raw = if method == Method::POST {
        body.to_vec()
    } else {
        query.unwrap_or_default().into_bytes()
    };
    let params: Vec<(String, String)> = url::form_urlencoded::parse(&raw).into_owned().collect();
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    // The ID token hint: signed by this provider for this issuer. Its
    // expiry does not matter (§2: the session may outlive the token).
    let hint = match get("id_token_hint") {
        Some(token) => match demo.verify(token) {
            Some(claims) if claims["iss"] == json!(demo.issuer) => Some(claims),
            _ => {
                return page(
                    StatusCode::BAD_REQUEST,
                    "Cannot log out",
                    "The id_token_hint is not an ID token this provider issued (RP-Initiated Logout §4).",
                );
            }
        },
        None => None,
    };
    let hinted_client = hint
        .as_ref()
        .and_then(|claims| claims["aud"].as_str().map(str::to_string));
    let client_id = match (get("client_id"), hinted_client.as_deref()) {
        (Some(given), Some(hinted)) if given != hinted => {
            return page(
                StatusCode::BAD_REQUEST,
                "Cannot log out",
                "client_id names another client than the id_token_hint's audience (RP-Initiated Logout §2).",
            );
        }
        (Some(given), _) => Some(given.to_string()),
        (None, hinted) => hinted.map(str::to_string),
    };
    let client = client_id.as_deref().and_then(store::client);
    if client_id.is_some() && client.is_none() {
        return page(
            StatusCode::BAD_REQUEST,
            "Cannot log out",
            "Unknown client_id.",
        );
    }
    let back_to = match get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => match client {
            Some(client) if post_logout_allowed(client, uri) => Some(uri.to_string()),
            Some(_) => {
                return page(
                    StatusCode::BAD_REQUEST,
                    "Cannot log out",
                    &format!(
                        "post_logout_redirect_uri {uri} is not registered for this client; the provider does not redirect to it (RP-Initiated Logout §3)."
                    ),
                );
            }
            None => {
                return page(
                    StatusCode::BAD_REQUEST,
                    "Cannot log out",
                    "post_logout_redirect_uri needs id_token_hint or client_id, to know whose URI it is (RP-Initiated Logout §3).",
                );
            }
        },
    };

    // Which sessions end: the hint's sid (or its user's), else the
    // browser's signed-in user's.
    let ended = {
        let mut store = demo.store();
        let sub = hint
            .as_ref()
            .and_then(|claims| claims["sub"].as_str().map(str::to_string))
            .or_else(|| browser_user(&store, &headers));
        let sid = hint
            .as_ref()
            .and_then(|claims| claims["sid"].as_str().map(str::to_string));
        let ending: Vec<String> = store
            .op_sessions
            .iter()
            .filter(|(id, session)| match &sid {
                Some(sid) => *id == sid,
                None => Some(&session.sub) == sub.as_ref(),
            })
            .map(|(id, _)| id.clone())
            .collect();
        let ended: Vec<(String, OpSession)> = ending
            .into_iter()
            .filter_map(|id| store.op_sessions.remove(&id).map(|s| (id, s)))
            .collect();
        if let Some(sub) = &sub {
            store.sessions.retain(|_, user| user != sub);
        }
        ended
    };
    for (sid, session) in &ended {
        for client_id in &session.clients {
            notify(&demo, client_id, &session.sub, sid).await;
        }
    }

    match back_to {
        Some(uri) => {
            let mut target = match url::Url::parse(&uri) {
                Ok(url) => url,
                Err(_) => return page(StatusCode::BAD_REQUEST, "Cannot log out", "Bad URI."),
            };
            if let Some(state) = get("state") {
                let state = if demo.faults.logout.wrong_state {
                    format!("not-{state}")
                } else {
                    state.to_string()
                };
                target.query_pairs_mut().append_pair("state", &state);
            }
            let mut response = StatusCode::FOUND.into_response();
            if let Ok(value) = HeaderValue::from_str(target.as_str()) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
        None => page(
            StatusCode::OK,
            "Logged out",
            if ended.is_empty() {
                "There was no session to end; you are logged out."
            } else {
                "You are logged out of the demo provider."
            },
        ),
    }
}

/// `POST /admin/clients/{id}/backchannel_logout_uri`: the body is the URI
/// (or `backchannel_logout_uri=…` form-encoded).
pub async fn register_backchannel(
    State(demo): State<Arc<Demo>>,
    Path(client_id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(client) = store::client(&client_id) else {
        return oauth_error(
            StatusCode::NOT_FOUND,
            "invalid_client",
            &format!("unknown client '{client_id}'"),
        );
    };
    let text = String::from_utf8_lossy(&body).trim().to_string();
    let uri = if text.starts_with("backchannel_logout_uri=") {
        url::form_urlencoded::parse(text.as_bytes())
            .find(|(k, _)| k == "backchannel_logout_uri")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    } else {
        text
    };
    let loopback = url::Url::parse(&uri).ok().filter(|url| {
        matches!(url.scheme(), "http" | "https")
            && url.fragment().is_none()
            && matches!(url.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"))
    });
    let Some(url) = loopback else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            "backchannel_logout_uri must be an absolute http(s) URI on this machine (127.0.0.1, [::1] or localhost) without a fragment (Back-Channel Logout §2.2)",
        );
    };
    demo.store()
        .backchannel_uris
        .insert(client.id.to_string(), url.to_string());
    no_store_json(
        StatusCode::OK,
        json!({ "client_id": client.id, "backchannel_logout_uri": url.to_string() }),
    )
}

/// A registered post-logout URI: one of [`POST_LOGOUT_REDIRECT_URIS`], any
/// port, for a client that has redirect URIs at all.
fn post_logout_allowed(client: &Client, uri: &str) -> bool {
    if client.redirect_uris.is_empty() {
        return false;
    }
    let Ok(mut url) = url::Url::parse(uri) else {
        return false;
    };
    if url.fragment().is_some() || url.query().is_some() {
        return false;
    }
    let _ = url.set_port(None);
    POST_LOGOUT_REDIRECT_URIS.contains(&url.as_str())
}

fn browser_user(store: &store::Store, headers: &HeaderMap) -> Option<String> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    let session = cookies
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == "demo_session")?
        .1;
    store.sessions.get(session).cloned()
}

/// Sends `client_id` a logout token for `sub`'s session `sid`, when it
/// registered a back-channel URI (§2.5). The answer is logged, not
/// acted on: the session ended here whatever the client says (§2.8).
async fn notify(demo: &Demo, client_id: &str, sub: &str, sid: &str) {
    let Some(uri) = demo.store().backchannel_uris.get(client_id).cloned() else {
        return;
    };
    let Some(client) = store::client(client_id) else {
        return;
    };
    let token = match logout_token(demo, client, sub, sid) {
        Ok(token) => token,
        Err(err) => {
            tracing::warn!("demo provider: cannot sign a logout token: {err}");
            return;
        }
    };
    let http = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
    {
        Ok(http) => http,
        Err(err) => {
            tracing::warn!("demo provider: no HTTP client for back-channel logout: {err}");
            return;
        }
    };
    let sent = http
        .post(&uri)
        .header(header::CACHE_CONTROL, "no-store")
        .form(&[("logout_token", token.as_str())])
        .send()
        .await;
    match sent {
        Ok(response) => tracing::info!(
            "demo provider: back-channel logout of {client_id} at {uri}: HTTP {}",
            response.status()
        ),
        Err(err) => tracing::info!(
            "demo provider: back-channel logout of {client_id} at {uri} failed: {err}"
        ),
    }
}

/// A logout token (§2.4), shaped by the `logout-token-*` switches.
fn logout_token(demo: &Demo, client: &Client, sub: &str, sid: &str) -> Result<String, String> {
    let iat = now();
    let faults = demo.faults.logout;
    let mut claims = json!({
        "iss": demo.issuer,
        "aud": if faults.token_wrong_aud { super::faults::WRONG_AUDIENCE } else { client.id },
        "iat": iat,
        "exp": iat + 120,
        "jti": store::random_token(12),
        "sub": sub,
        "sid": sid,
    });
    let event = if faults.token_wrong_events {
        OTHER_EVENT
    } else {
        LOGOUT_EVENT
    };
    let mut events = serde_json::Map::new();
    events.insert(event.to_string(), json!({}));
    claims["events"] = Value::Object(events);
    if faults.token_nonce {
        claims["nonce"] = Value::String(store::random_token(8));
    }
    // The same keys as the client's ID tokens (§2.4).
    let alg = if client.id_token_alg == "ES256" {
        Algorithm::ES256
    } else {
        Algorithm::RS256
    };
    demo.sign(&claims, "logout+jwt", alg)
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title} — Demo provider</title></head>\
         <body style=\"font-family:sans-serif;max-width:28em;margin:3em auto\">\
         <p style=\"color:#666\">oauth-debugger demo provider</p><h1>{title}</h1><p>{message}</p></body></html>",
        title = escape(title),
        message = escape(message)
    );
    let mut response = (status, Html(html)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
