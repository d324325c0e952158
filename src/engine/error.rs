//! The engine's error type: every way a grant or a call can fail, each
//! carrying the exchange that shows what happened on the wire.

use super::profile::ProfileError;
use crate::engine::diagnose::findings::Finding;
use crate::engine::diagnose::findings::excerpt;
use crate::engine::oauth_error::OAuthError;
use crate::engine::wire::callback::CallbackError;
use crate::engine::wire::http::{Exchange, TransportError, TransportErrorKind};

/// Why an engine operation failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The profile cannot be used as it is.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// The server answered with an OAuth error (RFC 6749 §5.2).
    #[error("the server refused: {error}")]
    OAuth {
        /// The error as sent.
        error: OAuthError,
        /// What was odd about the error response.
        findings: Vec<Finding>,
        /// The exchange that carried it.
        exchange: Box<Exchange>,
    },
    /// The server answered with something unusable (HTML, an empty body, an
    /// HTTP error without an OAuth error code, JSON without an access token).
    #[error("{message}")]
    BadResponse {
        /// What was wrong, quoting what came back.
        message: String,
        /// The exchange.
        exchange: Box<Exchange>,
    },
    /// No usable response arrived: connection refused, timeout, TLS, a body
    /// over the size limit.
    #[error("{error}")]
    Transport {
        /// What failed.
        error: TransportError,
        /// The exchange, when the request got as far as being recorded.
        exchange: Option<Box<Exchange>>,
    },
    /// The browser step failed: the redirect was refused (state, issuer),
    /// reported an error (access_denied), or never came.
    #[error("{}", callback_message(.0))]
    Callback(#[from] CallbackError),
    /// The operation is not available for this profile.
    #[error("{0}")]
    Unsupported(String),
}

/// A browser-step failure in the user's words. The issuer a redirect is
/// checked against comes from a parsed URL, which gives a bare host a
/// trailing slash (`https://as.example/`); it is shown as issuers write it
/// (`https://as.example`), so the message does not show a slash the
/// profile does not have.
fn callback_message(error: &CallbackError) -> String {
    match error {
        CallbackError::IssuerMismatch { expected, received } => {
            let expected = url::Url::parse(expected)
                .map(|url| crate::engine::jwt::claims::issuer_text(&url))
                .unwrap_or_else(|_| expected.clone());
            CallbackError::IssuerMismatch {
                expected,
                received: received.clone(),
            }
            .to_string()
        }
        other => other.to_string(),
    }
}

impl EngineError {
    /// The exchange behind the error, if there was one.
    pub fn exchange(&self) -> Option<&Exchange> {
        match self {
            Self::OAuth { exchange, .. } | Self::BadResponse { exchange, .. } => Some(exchange),
            Self::Transport { exchange, .. } => exchange.as_deref(),
            Self::Profile(_) | Self::Unsupported(_) | Self::Callback(_) => None,
        }
    }
}

impl EngineError {
    /// The exchange back when a complete response arrived; otherwise the
    /// transport error, carrying the exchange.
    pub fn require_response(exchange: Exchange) -> Result<Exchange, EngineError> {
        if exchange.response.is_some() && exchange.error.is_none() {
            return Ok(exchange);
        }
        Err(Self::Transport {
            error: exchange.error.clone().unwrap_or(TransportError {
                kind: TransportErrorKind::Other,
                message: "no response".to_string(),
            }),
            exchange: Some(Box::new(exchange)),
        })
    }

    /// The JSON object of a 200 response from the endpoint called `what`;
    /// anything else is a [`EngineError::BadResponse`] quoting the body.
    pub fn require_json_object(
        exchange: Exchange,
        what: &str,
    ) -> Result<(Exchange, serde_json::Map<String, serde_json::Value>), EngineError> {
        let exchange = Self::require_response(exchange)?;
        let (status, body) = exchange
            .response
            .as_ref()
            .map(|r| (r.status, r.body.as_ref()))
            .unwrap_or_default();
        let parsed = serde_json::from_slice::<serde_json::Value>(body);
        let problem = match (status, parsed) {
            (200, Ok(serde_json::Value::Object(object))) => return Ok((exchange, object)),
            (200, Ok(_)) => format!(
                "the {what} is JSON but not an object: {}",
                excerpt(body, 300)
            ),
            (200, Err(err)) => format!("the {what} is not JSON ({err}): {}", excerpt(body, 300)),
            (status, _) => format!(
                "the {what} request answered HTTP {status}: {}",
                excerpt(body, 300)
            ),
        };
        Err(Self::BadResponse {
            message: problem,
            exchange: Box::new(exchange),
        })
    }
}
