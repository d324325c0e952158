//! Token revocation (RFC 7009).
//!
//! A form POST of `token` and `token_type_hint` to the revocation endpoint,
//! with the client authenticating as it does at the token endpoint (HTTP
//! Basic, body parameters, or `client_id` alone). Built here rather than by
//! the oauth2 crate, which refuses plain-http revocation URLs outright: a
//! debugger must reach `http://127.0.0.1` test servers, and says instead
//! that the URL is not HTTPS.

use serde::Serialize;

use crate::engine::client::auth as client_auth;
use crate::engine::diagnose::explain::Stage;
use crate::engine::diagnose::findings::{Finding, Severity, excerpt};
use crate::engine::diagnose::spec::check_client_challenge;
use crate::engine::error::EngineError;
use crate::engine::oauth_error::parse_oauth_error;
use crate::engine::profile::{Profile, ProfileError};
use crate::engine::store::secret::Secret;
use crate::engine::wire::http::{
    Exchange, ExchangeKind, HttpClient, TransportError, TransportErrorKind,
};

/// Which token is being revoked (`token_type_hint`, RFC 7009 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenHint {
    /// `access_token`.
    AccessToken,
    /// `refresh_token`.
    RefreshToken,
}

impl TokenHint {
    /// The value sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccessToken => "access_token",
            Self::RefreshToken => "refresh_token",
        }
    }
}

/// A revocation the server accepted.
#[derive(Debug, Clone)]
pub struct Revoked {
    /// The exchange.
    pub exchange: Exchange,
    /// What was odd about it.
    pub findings: Vec<Finding>,
}

/// Revokes `token` at the profile's revocation endpoint.
pub async fn revoke(
    profile: &Profile,
    http: &HttpClient,
    token: &Secret,
    hint: TokenHint,
) -> Result<Revoked, EngineError> {
    let endpoint = profile.endpoints.revocation.clone().ok_or_else(|| {
        ProfileError::field("revocation_endpoint", "is required to revoke a token")
    })?;
    let mut findings = Vec::new();
    if endpoint.scheme() != "https" {
        findings.push(Finding::new(
            Severity::Warning,
            "revocation_not_https",
            format!(
                "the revocation endpoint {endpoint} is not HTTPS; clients must verify that it is"
            ),
            Some("RFC 7009 §2"),
        ));
    }
    let params = vec![
        ("token".to_string(), token.expose().to_string()),
        ("token_type_hint".to_string(), hint.as_str().to_string()),
    ];
    let request = client_auth::form_post(
        profile,
        profile.revocation_auth_method,
        &endpoint,
        params,
        &mut findings,
    )?;
    let exchange = http.send(request, ExchangeKind::Revocation).await;
    let Some(response) = exchange
        .response
        .as_ref()
        .filter(|_| exchange.error.is_none())
    else {
        return Err(EngineError::Transport {
            error: exchange.error.clone().unwrap_or(TransportError {
                kind: TransportErrorKind::Other,
                message: "no response".to_string(),
            }),
            exchange: Some(Box::new(exchange)),
        });
    };
    if response.status == 200 {
        return Ok(Revoked { exchange, findings });
    }
    if let Some(error) = parse_oauth_error(response.status, &response.body) {
        findings.extend(check_client_challenge(&exchange, Stage::Revocation));
        return Err(EngineError::OAuth {
            error,
            findings,
            exchange: Box::new(exchange),
        });
    }
    let message = if crate::engine::diagnose::spec::is_refusal_status(response.status) {
        format!(
            "the server refused the revocation request (HTTP {}) without an OAuth error body (RFC 7009 §2.2.1, RFC 6749 §5.2); it sent {}",
            response.status,
            if response.body.iter().all(u8::is_ascii_whitespace) {
                "an empty body".to_string()
            } else {
                excerpt(&response.body, 300)
            }
        )
    } else {
        format!(
            "the revocation endpoint answered HTTP {} (RFC 7009 §2.2 answers 200); it sent: {}",
            response.status,
            excerpt(&response.body, 300)
        )
    };
    Err(EngineError::BadResponse {
        message,
        exchange: Box::new(exchange),
    })
}
