//! The back-channel logout receiver (OpenID Connect Back-Channel Logout
//! 1.0): [`BackChannelListener`] serves the profile's loopback
//! `backchannel_logout_uri` (§2.2), takes each `logout_token` POSTed there
//! (§2.5), has it validated ([`super::logout_token`]) and answers the
//! provider 200, or 400 with an `invalid_request` error (§2.8). Each report
//! goes to the front end, which marks the matching session's tokens ended.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use url::Url;

use super::logout_token::{LogoutTokenContext, LogoutTokenReport, validate_logout_token};
use crate::engine::jwt::claims::{Check, Verdict};

struct Shared {
    path: String,
    authority: String,
    context: LogoutTokenContext,
    reports: mpsc::Sender<LogoutTokenReport>,
}

/// A loopback listener for logout tokens, serving until dropped.
pub struct BackChannelListener {
    uri: Url,
    reports: mpsc::Receiver<LogoutTokenReport>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl BackChannelListener {
    /// Listens on `uri` (loopback http; port 0 takes a free one). The URI
    /// to register at the provider is then [`BackChannelListener::uri`].
    pub async fn bind(uri: &Url, context: LogoutTokenContext) -> Result<Self, String> {
        let ip = match uri.host() {
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() && uri.scheme() == "http" => ip,
            _ => {
                return Err(format!(
                    "{uri} is not a loopback http URI; the debugger receives logout tokens on 127.0.0.1 only"
                ));
            }
        };
        let port = uri.port().unwrap_or(0);
        let listener = TcpListener::bind(SocketAddr::from((ip, port)))
            .await
            .map_err(|err| format!("cannot listen on {ip} port {port} for logout tokens: {err}"))?;
        let actual = listener.local_addr().map_err(|err| err.to_string())?;
        let mut uri = uri.clone();
        uri.set_port(Some(actual.port()))
            .map_err(|_| "cannot set the port".to_string())?;
        let (reports_tx, reports) = mpsc::channel(16);
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let shared = Arc::new(Shared {
            path: match uri.path() {
                "" => "/".to_string(),
                path => path.to_string(),
            },
            authority: format!("{ip}:{}", actual.port()),
            context,
            reports: reports_tx,
        });
        let app = Router::new().fallback(receive).with_state(shared);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = shutdown_rx.await;
                })
                .await;
        });
        Ok(Self {
            uri,
            reports,
            shutdown: Some(shutdown_tx),
        })
    }

    /// The URI served, with the port actually bound: the client's
    /// `backchannel_logout_uri`.
    pub fn uri(&self) -> &Url {
        &self.uri
    }

    /// The next logout token received, at most `timeout` from now; `None`
    /// when none came.
    pub async fn next(&mut self, timeout: Duration) -> Option<LogoutTokenReport> {
        tokio::time::timeout(timeout, self.reports.recv())
            .await
            .ok()
            .flatten()
    }
}

impl Drop for BackChannelListener {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    // Another name for this port (DNS rebinding) is not the registered URI.
    if !host.eq_ignore_ascii_case(&shared.authority) {
        return refusal(
            StatusCode::MISDIRECTED_REQUEST,
            "not the backchannel_logout_uri's host",
        );
    }
    if uri.path() != shared.path {
        return refusal(
            StatusCode::NOT_FOUND,
            "not the backchannel_logout_uri's path",
        );
    }
    if method != Method::POST {
        return refusal(
            StatusCode::METHOD_NOT_ALLOWED,
            "logout tokens are POSTed (Back-Channel Logout §2.5)",
        );
    }
    let now = Utc::now();
    let token = url::form_urlencoded::parse(&body)
        .find(|(name, _)| name == "logout_token")
        .map(|(_, value)| value.into_owned());
    let report = match token {
        Some(token) => validate_logout_token(&shared.context, &token, now).await,
        None => LogoutTokenReport {
            received_at: now,
            jwt: None,
            checks: vec![Check::new(
                "logout_token",
                Verdict::Fail,
                "the POST carried no logout_token parameter (a form-encoded body is expected)",
                "Back-Channel Logout §2.5",
            )],
            findings: Vec::new(),
            status: 400,
        },
    };
    let response = if report.accepted() {
        let mut response = StatusCode::OK.into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    } else {
        let description = report
            .failures()
            .map(|c| format!("{}: {}", c.name, c.message))
            .collect::<Vec<_>>()
            .join("; ");
        refusal(StatusCode::BAD_REQUEST, &description)
    };
    let _ = shared.reports.try_send(report);
    response
}

/// A 400-style answer with an OAuth error body (Back-Channel Logout §2.8).
fn refusal(status: StatusCode, description: &str) -> Response {
    let mut response = (
        status,
        axum::Json(json!({ "error": "invalid_request", "error_description": description })),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
