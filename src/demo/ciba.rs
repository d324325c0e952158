//! Client-Initiated Backchannel Authentication (OpenID CIBA Core 1.0), as a
//! server.
//!
//! `POST /bc-authorize` (§7) authenticates the client as the token endpoint
//! does, takes exactly one hint (§7.1) — `login_hint` naming a demo user,
//! or an `id_token_hint` this server signed — and answers with an
//! `auth_req_id`, `expires_in` and `interval` (§7.3). The "user" then
//! decides on their own:
//! - poll clients (`demo-ciba`): at the client's second poll of the token
//!   endpoint that is not too soon — the first answers
//!   `authorization_pending`, a poll before `interval` is up answers
//!   `slow_down` and adds 5 s for this and every later poll (§11);
//! - ping clients (`demo-ciba-ping`): one `interval` after the request,
//!   when the server POSTs `{"auth_req_id": …}` to the client's
//!   notification endpoint with the `client_notification_token` as a
//!   bearer token (§10.2); the client then asks the token endpoint.
//!
//! An `auth_req_id` past its `expires_in` answers `expired_token`; after
//! tokens are issued it is spent (`invalid_grant`). The fault switches
//! (`ciba-*`) make each client-side check fail.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::json;

use super::client_auth::{Endpoint, Form, authenticate_at};
use super::store::{self, Client};
use super::tls::ClientCertificate;
use super::token::{Binding, IdTokenInput, mint, requested_scope};
use super::{Demo, no_store_json, now, oauth_error};

/// The grant type (CIBA Core §4, §10.1).
pub const GRANT: &str = "urn:openid:params:grant-type:ciba";

/// The notification endpoint registered for `demo-ciba-ping`: loopback,
/// without a port, so any port matches (as RFC 8252 §7.3 has it for
/// redirect URIs).
pub const PING_ENDPOINT: &str = "http://127.0.0.1/ciba/notify";

/// The longest binding message shown on the "device".
const MAX_BINDING_MESSAGE: usize = 64;

/// The CIBA fault switches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CibaFaults {
    /// `ciba-slow-down`: the first poll of each request answers
    /// `slow_down`, however late it comes.
    pub slow_down: bool,
    /// `ciba-denied`: the user denies: `access_denied` (§11).
    pub denied: bool,
    /// `ciba-wrong-notification-token`: the ping first carries another
    /// bearer token; refused, it is sent again with the right one.
    pub wrong_notification_token: bool,
    /// `ciba-no-expires-in`: the acknowledgement leaves out `expires_in`,
    /// which §7.3 requires.
    pub no_expires_in: bool,
}

impl CibaFaults {
    /// The switch names.
    pub const NAMES: [&str; 4] = [
        "ciba-slow-down",
        "ciba-denied",
        "ciba-wrong-notification-token",
        "ciba-no-expires-in",
    ];

    /// Turns on the switch called `name`; false when it is not one of these.
    pub fn switch_on(&mut self, name: &str) -> bool {
        let switch = match name {
            "ciba-slow-down" => &mut self.slow_down,
            "ciba-denied" => &mut self.denied,
            "ciba-wrong-notification-token" => &mut self.wrong_notification_token,
            "ciba-no-expires-in" => &mut self.no_expires_in,
            _ => return false,
        };
        *switch = true;
        true
    }
}

/// Where the user got to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CibaStatus {
    /// Not decided yet.
    Pending,
    /// Approved.
    Approved,
    /// Denied.
    Denied,
    /// Tokens were issued.
    Used,
}

/// An issued `auth_req_id`.
#[derive(Debug, Clone)]
pub struct CibaRecord {
    /// The client it was issued to.
    pub client_id: String,
    /// The user.
    pub sub: String,
    /// Scope asked for.
    pub scope: String,
    /// Unix time in milliseconds after which it is expired.
    pub expires_at_ms: i64,
    /// Seconds between polls; grows on slow_down.
    pub interval: u64,
    /// When it was last polled (or issued), in milliseconds.
    pub last_poll_ms: i64,
    /// Polls that were not too soon.
    pub polls: u32,
    /// `ciba-slow-down` answered already.
    pub slowed: bool,
    /// The user's decision.
    pub status: CibaStatus,
}

/// `POST /bc-authorize`: the backchannel authentication endpoint (§7).
pub async fn authorize(
    State(demo): State<Arc<Demo>>,
    ClientCertificate(peer): ClientCertificate,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match Form::parse(&headers, &body) {
        Ok(form) => form,
        Err(response) => return response,
    };
    let endpoint = Endpoint {
        path: uri.path(),
        peer: peer.as_ref(),
    };
    // §7.1: the client authenticates as at the token endpoint.
    let client = match authenticate_at(&demo, &endpoint, &headers, &form) {
        Ok(authenticated) => authenticated.client,
        Err(response) => return demo.faults.client_refusal(&headers, response),
    };
    if !client.grants.contains(&GRANT) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            &format!("client '{}' is not registered for CIBA", client.id),
        );
    }
    match request(&demo, client, &form) {
        Ok(response) | Err(response) => response,
    }
}

fn request(demo: &Arc<Demo>, client: &'static Client, form: &Form) -> Result<Response, Response> {
    let bad =
        |code: &str, description: &str| oauth_error(StatusCode::BAD_REQUEST, code, description);
    let scope = requested_scope(form, "")?;
    if !scope.split_whitespace().any(|s| s == "openid") {
        return Err(bad(
            "invalid_scope",
            "a CIBA request asks for the openid scope (OpenID CIBA Core §7.1)",
        ));
    }
    let hints: Vec<&str> = ["login_hint", "login_hint_token", "id_token_hint"]
        .into_iter()
        .filter(|name| form.get(name).is_some())
        .collect();
    if hints.len() != 1 {
        return Err(bad(
            "invalid_request",
            &format!(
                "send exactly one of login_hint, login_hint_token, id_token_hint (OpenID CIBA Core §7.1); this request has {}",
                if hints.is_empty() {
                    "none".to_string()
                } else {
                    hints.join(", ")
                }
            ),
        ));
    }
    let sub = match hints[0] {
        "login_hint" => {
            let hint = form.get("login_hint").unwrap_or_default();
            match store::user(hint) {
                Some(user) => user.username.to_string(),
                None => {
                    let users: Vec<&str> = store::USERS.iter().map(|u| u.username).collect();
                    return Err(bad(
                        "unknown_user_id",
                        &format!(
                            "no user '{hint}' here (users: {}) (OpenID CIBA Core §13)",
                            users.join(", ")
                        ),
                    ));
                }
            }
        }
        "id_token_hint" => {
            let hint = form.get("id_token_hint").unwrap_or_default();
            let Some(claims) = demo.verify(hint) else {
                return Err(bad(
                    "invalid_request",
                    "the id_token_hint is not an ID token this server signed",
                ));
            };
            let sub = claims["sub"].as_str().unwrap_or_default().to_string();
            if store::user(&sub).is_none() {
                return Err(bad(
                    "unknown_user_id",
                    "the id_token_hint names no user of this server (OpenID CIBA Core §13)",
                ));
            }
            sub
        }
        _ => {
            return Err(bad(
                "invalid_request",
                "this server takes login_hint or id_token_hint; it issues no login hint tokens",
            ));
        }
    };
    if let Some(message) = form.get("binding_message")
        && message.chars().count() > MAX_BINDING_MESSAGE
    {
        return Err(bad(
            "invalid_binding_message",
            &format!(
                "the binding message is longer than the {MAX_BINDING_MESSAGE} characters this server shows (OpenID CIBA Core §13)"
            ),
        ));
    }
    // Ping clients: the token to ping with, and where (§7.1, §10.2).
    let ping = if client.id == "demo-ciba-ping" {
        let Some(token) = form
            .get("client_notification_token")
            .filter(|t| !t.is_empty())
        else {
            return Err(bad(
                "invalid_request",
                "client_notification_token is required of a client registered for ping mode (OpenID CIBA Core §7.1)",
            ));
        };
        let Some(endpoint) = form
            .get("backchannel_client_notification_endpoint")
            .filter(|uri| loopback_matches(uri))
        else {
            return Err(bad(
                "invalid_request",
                &format!(
                    "the registered notification endpoint {PING_ENDPOINT} has no port: name this run's in backchannel_client_notification_endpoint (a loopback URL on that path; a demo provider convenience, not a CIBA parameter)"
                ),
            ));
        };
        Some((endpoint.to_string(), token.to_string()))
    } else {
        None
    };
    let default_ttl = demo.device_code_ttl.as_secs();
    let expires_in = match form.get("requested_expiry") {
        Some(asked) => match asked.trim().parse::<u64>() {
            Ok(secs) if secs > 0 => secs.min(default_ttl),
            _ => {
                return Err(bad(
                    "invalid_request",
                    "requested_expiry must be a positive integer (OpenID CIBA Core §7.1)",
                ));
            }
        },
        None => default_ttl,
    };
    let interval = demo.device_interval.as_secs().max(1);
    let auth_req_id = store::random_token(24);
    let now_ms = chrono::Utc::now().timestamp_millis();
    demo.store().ciba.insert(
        auth_req_id.clone(),
        CibaRecord {
            client_id: client.id.to_string(),
            sub,
            scope,
            expires_at_ms: now_ms + (expires_in as i64) * 1000,
            interval,
            last_poll_ms: now_ms,
            polls: 0,
            slowed: false,
            status: CibaStatus::Pending,
        },
    );
    if let Some((endpoint, token)) = ping {
        tokio::spawn(decide_and_ping(
            demo.clone(),
            auth_req_id.clone(),
            endpoint,
            token,
        ));
    }
    let mut body = json!({
        "auth_req_id": auth_req_id,
        "expires_in": expires_in,
        "interval": interval,
    });
    if demo.faults.ciba.no_expires_in
        && let Some(fields) = body.as_object_mut()
    {
        fields.remove("expires_in");
    }
    Ok(no_store_json(StatusCode::OK, body))
}

/// Whether `uri` is the registered ping endpoint on some loopback port.
fn loopback_matches(uri: &str) -> bool {
    let (Ok(asked), Ok(registered)) = (url::Url::parse(uri), url::Url::parse(PING_ENDPOINT)) else {
        return false;
    };
    asked.scheme() == "http"
        && asked.host_str() == registered.host_str()
        && asked.path() == registered.path()
        && asked.query().is_none()
}

/// Ping mode: the user decides one interval later, then the client is
/// told (§10.2). With `ciba-wrong-notification-token` the first ping
/// carries another token; a refusal has it sent again, right.
async fn decide_and_ping(demo: Arc<Demo>, auth_req_id: String, endpoint: String, token: String) {
    tokio::time::sleep(
        demo.device_interval
            .max(std::time::Duration::from_millis(200)),
    )
    .await;
    {
        let mut store = demo.store();
        let Some(record) = store.ciba.get_mut(&auth_req_id) else {
            return;
        };
        record.status = if demo.faults.ciba.denied {
            CibaStatus::Denied
        } else {
            CibaStatus::Approved
        };
    }
    let Ok(http) = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
    else {
        return;
    };
    let body = json!({ "auth_req_id": auth_req_id }).to_string();
    let mut tokens = Vec::new();
    if demo.faults.ciba.wrong_notification_token {
        tokens.push(format!("wrong-{}", store::random_token(16)));
    }
    tokens.push(token);
    for bearer in tokens {
        let sent = http
            .post(&endpoint)
            .bearer_auth(&bearer)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => return,
            Ok(_) => {}
            Err(_) => return,
        }
    }
}

/// The token request with `grant_type=urn:openid:params:grant-type:ciba`
/// (§10.1), answered as §11 has it.
pub fn grant(demo: &Demo, client: &Client, form: &Form, binding: &Binding) -> Response {
    let bad =
        |code: &str, description: &str| oauth_error(StatusCode::BAD_REQUEST, code, description);
    let Some(auth_req_id) = form.get("auth_req_id") else {
        return bad(
            "invalid_request",
            "auth_req_id is missing (OpenID CIBA Core §10.1)",
        );
    };
    let now_ms = chrono::Utc::now().timestamp_millis();
    let ping = client.id == "demo-ciba-ping";
    let (sub, scope) = {
        let mut store = demo.store();
        let Some(record) = store.ciba.get_mut(auth_req_id) else {
            return bad("invalid_grant", "unknown auth_req_id");
        };
        if record.client_id != client.id {
            return bad(
                "invalid_grant",
                "the auth_req_id was issued to another client",
            );
        }
        if record.status == CibaStatus::Used {
            return bad("invalid_grant", "the auth_req_id was used already");
        }
        if now_ms >= record.expires_at_ms {
            return bad(
                "expired_token",
                "the auth_req_id expired before the user decided (OpenID CIBA Core §11)",
            );
        }
        let too_soon = now_ms - record.last_poll_ms < (record.interval as i64) * 1000;
        record.last_poll_ms = now_ms;
        if !ping && record.status == CibaStatus::Pending {
            if demo.faults.ciba.slow_down && !record.slowed {
                record.slowed = true;
                record.interval += 5;
                return bad(
                    "slow_down",
                    &format!("polling too fast; wait {} s between polls", record.interval),
                );
            }
            if too_soon {
                record.interval += 5;
                return bad(
                    "slow_down",
                    &format!(
                        "polled before the interval was up; wait {} s between polls (OpenID CIBA Core §11)",
                        record.interval
                    ),
                );
            }
            record.polls += 1;
            // The user decides while the client polls the second time.
            if record.polls >= 2 {
                record.status = if demo.faults.ciba.denied {
                    CibaStatus::Denied
                } else {
                    CibaStatus::Approved
                };
            }
        }
        match record.status {
            CibaStatus::Pending => {
                return bad(
                    "authorization_pending",
                    "the user has not decided yet (OpenID CIBA Core §11)",
                );
            }
            CibaStatus::Denied => {
                return bad(
                    "access_denied",
                    "the user denied the request on their device (OpenID CIBA Core §11)",
                );
            }
            CibaStatus::Used => return bad("invalid_grant", "the auth_req_id was used already"),
            CibaStatus::Approved => {
                record.status = CibaStatus::Used;
                (record.sub.clone(), record.scope.clone())
            }
        }
    };
    let id_token = IdTokenInput {
        nonce: None,
        auth_time: now(),
        refreshed: false,
    };
    match mint(demo, client, &sub, &scope, true, Some(&id_token), binding) {
        Ok((response, _)) => response,
        Err(response) => response,
    }
}
