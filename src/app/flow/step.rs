//! The steps of a run: the actors of the diagram, and what one observed
//! exchange becomes — its request arrow and, when an answer came, its
//! reply, labelled with the outcome.

use chrono::{DateTime, Utc};

use crate::app::bridge::GrantFailure;
use crate::engine::wire::http::{Exchange, ExchangeKind, TransportErrorKind};
use crate::engine::{Explanation, Finding};

/// The four actors of a sequence diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The resource owner's browser.
    Browser,
    /// This app.
    Client,
    /// The authorization server.
    AuthorizationServer,
    /// The resource server (API).
    ResourceServer,
}

impl Actor {
    /// Left to right.
    pub const ALL: [Self; 4] = [
        Self::Browser,
        Self::Client,
        Self::AuthorizationServer,
        Self::ResourceServer,
    ];

    /// Column label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Browser => "Browser (resource owner)",
            Self::Client => "This app (client)",
            Self::AuthorizationServer => "Authorization server",
            Self::ResourceServer => "Resource server",
        }
    }

    /// Column index.
    pub fn column(self) -> usize {
        match self {
            Self::Browser => 0,
            Self::Client => 1,
            Self::AuthorizationServer => 2,
            Self::ResourceServer => 3,
        }
    }
}

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    /// Observed, and as expected.
    Done,
    /// Observed, and wrong (an error, a refused connection).
    Failed,
    /// Not happened yet: what the run waits for.
    Waiting,
}

/// One step of a run: an arrow between two actors and its verdict, or a
/// verdict alone.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowStep {
    /// The arrow, when the step is a message.
    pub arrow: Option<(Actor, Actor)>,
    /// Arrow label ("POST /token", "200 token").
    pub label: String,
    /// What it meant ("state matched", the error).
    pub verdict: String,
    /// Observed and fine, observed and wrong, or still awaited.
    pub status: StepStatus,
    /// The exchange behind it.
    pub exchange_id: Option<u64>,
    /// What was odd about the server's answer.
    pub findings: Vec<Finding>,
    /// Why it failed, for an OAuth error.
    pub explanation: Option<Box<Explanation>>,
    /// When it was observed (exchanges: when the request left), to keep
    /// steps in order however their reports arrive.
    pub at: DateTime<Utc>,
}

impl FlowStep {
    /// An observed arrow.
    pub fn arrow(
        from: Actor,
        to: Actor,
        label: impl Into<String>,
        verdict: impl Into<String>,
    ) -> Self {
        Self {
            arrow: Some((from, to)),
            label: label.into(),
            ..Self::verdict(verdict, true)
        }
    }

    /// An arrow the run waits for.
    pub fn awaited(
        from: Actor,
        to: Actor,
        label: impl Into<String>,
        verdict: impl Into<String>,
    ) -> Self {
        Self {
            status: StepStatus::Waiting,
            ..Self::arrow(from, to, label, verdict)
        }
    }

    /// A verdict line with no arrow.
    pub fn verdict(verdict: impl Into<String>, ok: bool) -> Self {
        Self {
            arrow: None,
            label: String::new(),
            verdict: verdict.into(),
            status: if ok {
                StepStatus::Done
            } else {
                StepStatus::Failed
            },
            exchange_id: None,
            findings: Vec::new(),
            explanation: None,
            at: Utc::now(),
        }
    }

    /// True unless it failed.
    pub fn ok(&self) -> bool {
        self.status != StepStatus::Failed
    }

    /// The verdict of a failed run: the error, its findings and why.
    pub fn failure(failure: &GrantFailure) -> Self {
        Self {
            findings: failure.findings.clone(),
            explanation: failure.explanation.clone(),
            ..Self::verdict(failure.message.clone(), false)
        }
    }

    /// A request the redirect listener refused (another path or host, a
    /// state not this sign-in's): an arrow into the app and the page it got
    /// back, both failed; the run goes on waiting.
    fn from_refused_callback(exchange: &Exchange, path: &str) -> Vec<Self> {
        let reason = exchange
            .response
            .as_ref()
            .and_then(|r| r.header("x-refused"))
            .unwrap_or("refused")
            .to_string();
        let mut request = Self::arrow(
            Actor::Browser,
            Actor::Client,
            format!("{} {path} — refused", exchange.request.method),
            format!("A request to the redirect listener was refused: {reason}"),
        );
        request.status = StepStatus::Failed;
        request.exchange_id = Some(exchange.id);
        request.at = exchange.started_at;
        let status = exchange.status().unwrap_or_default();
        let mut reply = Self::arrow(
            Actor::Client,
            Actor::Browser,
            status_line(status),
            "The listener answered with a page saying why, and kept waiting",
        );
        reply.status = StepStatus::Failed;
        reply.exchange_id = Some(exchange.id);
        reply.at = exchange.started_at + exchange.duration;
        vec![request, reply]
    }

    /// A CIBA ping the app's notification endpoint received (OpenID CIBA
    /// Core §10.2): the server's arrow into the app and the app's answer —
    /// 204 when the bearer token was the one sent, 401 (failed) when not.
    fn from_notification(exchange: &Exchange, path: &str) -> Vec<Self> {
        let status = exchange.status().unwrap_or_default();
        let accepted = (200..300).contains(&status);
        let mut request = Self::arrow(
            Actor::AuthorizationServer,
            Actor::Client,
            format!("{} {path} (ping)", exchange.request.method),
            "The server notified this app that the user decided",
        );
        request.exchange_id = Some(exchange.id);
        request.at = exchange.started_at;
        let mut reply = Self::arrow(
            Actor::Client,
            Actor::AuthorizationServer,
            status_line(status),
            if accepted {
                "Accepted: the bearer token is the client_notification_token sent".to_string()
            } else {
                format!(
                    "Refused: {}",
                    String::from_utf8_lossy(
                        exchange.response.as_ref().map_or(&[][..], |r| &r.body[..])
                    )
                )
            },
        );
        if !accepted {
            request.status = StepStatus::Failed;
            reply.status = StepStatus::Failed;
        }
        reply.exchange_id = Some(exchange.id);
        reply.at = exchange.started_at + exchange.duration;
        vec![request, reply]
    }

    /// The arrows of an exchange: the request, and the reply when one came.
    /// A request that never reached the server (refused, timed out, TLS) is
    /// one failed arrow with no reply.
    pub fn from_exchange(exchange: &Exchange) -> Vec<Self> {
        let path = url::Url::parse(&exchange.request.url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| exchange.request.url.clone());
        if exchange.kind == ExchangeKind::Callback {
            return Self::from_refused_callback(exchange, &path);
        }
        if exchange.kind == ExchangeKind::Notification {
            return Self::from_notification(exchange, &path);
        }
        // The API, and the metadata a protected resource publishes about
        // itself (RFC 9728 §3), are the resource server's.
        let server = match exchange.kind {
            ExchangeKind::Api => Actor::ResourceServer,
            ExchangeKind::Discovery
                if path.starts_with("/.well-known/oauth-protected-resource") =>
            {
                Actor::ResourceServer
            }
            _ => Actor::AuthorizationServer,
        };
        let what = exchange.kind.as_str();
        let mut request = Self::arrow(
            Actor::Client,
            server,
            format!("{} {path}", exchange.request.method),
            format!("{what} request sent"),
        );
        request.exchange_id = Some(exchange.id);
        request.at = exchange.started_at;
        let Some(response) = &exchange.response else {
            let failure = exchange
                .error
                .as_ref()
                .map(|e| (e.kind, e.message.clone()))
                .unwrap_or((TransportErrorKind::Other, "no answer".to_string()));
            request.status = StepStatus::Failed;
            request.label = format!("{} — {}", request.label, transport_outcome(failure.0));
            request.verdict = format!("Never reached the server: {}", failure.1);
            return vec![request];
        };
        let error = crate::engine::oauth_error::parse_oauth_error(response.status, &response.body);
        let success = (200..300).contains(&response.status);
        let (label, verdict, ok) = match error {
            // The device grant's polling answers: expected, not failures.
            Some(error)
                if matches!(error.error.as_str(), "authorization_pending" | "slow_down") =>
            {
                (
                    format!("{} {}", response.status, error.error),
                    format!("still waiting for the user: {error}"),
                    true,
                )
            }
            Some(error) => (
                format!("{} {}", response.status, error.error),
                error.to_string(),
                false,
            ),
            None if success => (
                format!("{} {what}", response.status),
                format!(
                    "HTTP {} in {} ms",
                    response.status,
                    exchange.duration.as_millis()
                ),
                true,
            ),
            None => (
                status_line(response.status),
                format!(
                    "HTTP {} in {} ms: not a {what} response",
                    response.status,
                    exchange.duration.as_millis()
                ),
                false,
            ),
        };
        let mut reply = Self::arrow(server, Actor::Client, label, verdict);
        reply.status = if ok && exchange.error.is_none() {
            StepStatus::Done
        } else {
            StepStatus::Failed
        };
        if let Some(error) = &exchange.error {
            reply.verdict = format!("{} — {}", reply.verdict, error.message);
        }
        reply.exchange_id = Some(exchange.id);
        reply.at = exchange.started_at + exchange.duration;
        vec![request, reply]
    }
}

/// "404 Not Found".
fn status_line(status: u16) -> String {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("{status} {reason}").trim_end().to_string()
}

/// What became of a request that got no response.
fn transport_outcome(kind: TransportErrorKind) -> &'static str {
    match kind {
        TransportErrorKind::Connect => "connection refused",
        TransportErrorKind::Timeout => "no answer in time",
        TransportErrorKind::Tls => "TLS failed",
        TransportErrorKind::TooLarge => "response too large",
        TransportErrorKind::InvalidRequest => "not sent (invalid request)",
        TransportErrorKind::NotSent => "not sent",
        TransportErrorKind::Other => "failed",
    }
}
