//! The ping mode's loopback notification endpoint (OpenID CIBA Core §10.2):
//! a small axum server of one run that hands each POST to the run, which
//! checks the bearer `client_notification_token` (in constant time) and the
//! `auth_req_id`, says what to answer, and records it as an inbound exchange.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use url::Url;

use super::{DEFAULT_NOTIFICATION_PATH, describe};
use crate::engine::error::EngineError;
use crate::engine::profile::grant_tables::CibaSettings;
use crate::engine::wire::callback::CallbackError;
use crate::engine::wire::http::{ExchangeKind, HttpClient, RecordedRequest, RecordedResponse};

/// The notification's checks: a bearer token equal to the one sent (in
/// constant time), and a JSON body naming this `auth_req_id` (§10.2).
pub(super) fn check_notification(
    received: &Received,
    expected: &str,
    auth_req_id: &str,
) -> Result<(), String> {
    let bearer = received
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .map(|(_, value)| value.as_str());
    let Some(token) = bearer.and_then(|v| {
        v.strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
    }) else {
        return Err("refused: the notification carries no bearer token; it must carry the client_notification_token (OpenID CIBA Core §10.2)".to_string());
    };
    if !constant_time_eq(token.trim().as_bytes(), expected.as_bytes()) {
        return Err("refused: the notification's bearer token is not the client_notification_token this run sent (OpenID CIBA Core §10.2)".to_string());
    }
    match serde_json::from_slice::<Value>(&received.body) {
        Ok(body) if body["auth_req_id"].as_str() == Some(auth_req_id) => Ok(()),
        Ok(body) => Err(format!(
            "refused: the notification names auth_req_id {}, not this run's (OpenID CIBA Core §10.2)",
            describe(&body["auth_req_id"])
        )),
        Err(_) => Err("refused: the notification's body is not JSON with auth_req_id (OpenID CIBA Core §10.2)".to_string()),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Puts the notification in the exchange log as the inbound request it was.
pub(super) async fn record_notification(
    http: &HttpClient,
    received: &Received,
    status: u16,
    answer: Vec<u8>,
) {
    let request = RecordedRequest {
        method: "POST".to_string(),
        url: received.url.clone(),
        headers: received.headers.clone(),
        body: received.body.clone(),
    };
    let response = RecordedResponse {
        status,
        headers: Vec::new(),
        body: answer.into(),
        truncated: false,
    };
    http.record_inbound(ExchangeKind::Notification, received.at, request, response)
        .await;
}

/// A POST the notification endpoint received, waiting for its answer.
pub(super) struct Received {
    pub(super) at: DateTime<Utc>,
    pub(super) url: String,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Bytes,
    pub(super) answer: tokio::sync::oneshot::Sender<(u16, Vec<u8>)>,
}

/// The loopback notification endpoint of one run; dropped, it stops.
pub(super) struct NotificationListener {
    pub(super) url: Url,
    /// The profile registered it (otherwise a free port was taken).
    pub(super) registered: bool,
    pub(super) received: mpsc::Receiver<Received>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

#[derive(Clone)]
struct ListenerState {
    path: String,
    base: String,
    sender: mpsc::Sender<Received>,
}

impl NotificationListener {
    pub(super) async fn bind(settings: &CibaSettings) -> Result<Self, EngineError> {
        let (port, path, registered) = match &settings.notification_endpoint {
            Some(url) => (url.port().unwrap_or_default(), url.path().to_string(), true),
            None => (0, DEFAULT_NOTIFICATION_PATH.to_string(), false),
        };
        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|err| {
                CallbackError::Listener(format!(
                    "cannot listen for CIBA notifications on 127.0.0.1:{port}: {err}"
                ))
            })?;
        let addr = listener.local_addr().map_err(|err| {
            CallbackError::Listener(format!("the notification listener has no address: {err}"))
        })?;
        let base = format!("http://127.0.0.1:{}", addr.port());
        let url = Url::parse(&format!("{base}{path}"))
            .map_err(|err| CallbackError::Listener(format!("notification URL: {err}")))?;
        let (sender, received) = mpsc::channel(4);
        let state = ListenerState { path, base, sender };
        let app = Router::new().fallback(notified).with_state(state);
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop.await;
                })
                .await;
        });
        Ok(Self {
            url,
            registered,
            received,
            _shutdown: shutdown,
        })
    }
}

/// Every request the notification listener gets: a POST to its path goes
/// to the run, which says what to answer; anything else is 404.
async fn notified(
    State(state): State<ListenerState>,
    method: axum::http::Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method != axum::http::Method::POST || uri.path() != state.path {
        return (StatusCode::NOT_FOUND, "not the CIBA notification endpoint").into_response();
    }
    let (answer, reply) = tokio::sync::oneshot::channel();
    let received = Received {
        at: Utc::now(),
        url: format!("{}{}", state.base, uri),
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
        answer,
    };
    if state.sender.send(received).await.is_err() {
        return StatusCode::GONE.into_response();
    }
    match reply.await {
        Ok((status, body)) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body,
        )
            .into_response(),
        Err(_) => StatusCode::GONE.into_response(),
    }
}
