//! Plain-language explanations of OAuth error codes.
//!
//! The same code means different things at different steps: `invalid_grant`
//! at the code exchange is a reused code, a changed `redirect_uri` or a PKCE
//! verifier that does not match; at a refresh it is a rotated, revoked or
//! expired refresh token. [`explain`] takes the code and the [`Stage`] it came
//! from and says what it means, what probably caused it and what to try,
//! citing the section that defines it.

use serde::{Deserialize, Serialize};

use crate::engine::error::EngineError;
use crate::engine::profile::GrantType;
use crate::engine::wire::http::ExchangeKind;

mod access_and_polling;
use access_and_polling::*;

mod client_and_grant;
use client_and_grant::*;

mod refusals;
pub use refusals::*;

/// Where in an OAuth conversation an error came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// The redirect back from the authorization endpoint (RFC 6749 §4.1.2.1).
    Authorization,
    /// A token endpoint request of this grant (RFC 6749 §5.2); for the device
    /// grant, its device authorization request (RFC 8628 §3.2).
    TokenRequest(GrantType),
    /// The device grant's polling of the token endpoint (RFC 8628 §3.5).
    DevicePolling,
    /// A call to the protected API (RFC 6750 §3.1).
    ApiCall,
    /// Token revocation (RFC 7009 §2.2.1).
    Revocation,
    /// Token introspection (RFC 7662 §2.3).
    Introspection,
    /// A pushed authorization request (RFC 9126 §2.3).
    PushedAuthorization,
}

/// Error codes of RFC 6749 §5.2, used by every endpoint that authenticates a
/// client.
const TOKEN_CODES: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    // RFC 8707 §2 (resource indicators).
    "invalid_target",
    // RFC 9396 §6 (rich authorization requests).
    "invalid_authorization_details",
    // RFC 9449 §5, §8 (DPoP).
    "invalid_dpop_proof",
    "use_dpop_nonce",
];

/// RFC 8628 §3.5: the device grant's polling answers.
const DEVICE_CODES: &[&str] = &[
    "authorization_pending",
    "slow_down",
    "access_denied",
    "expired_token",
];

/// OpenID CIBA Core §11 (token errors) and §13 (authentication errors).
const CIBA_CODES: &[&str] = &[
    "authorization_pending",
    "slow_down",
    "expired_token",
    "access_denied",
    "transaction_failed",
    "expired_login_hint_token",
    "unknown_user_id",
    "missing_user_code",
    "invalid_user_code",
    "invalid_binding_message",
];

/// RFC 6749 §4.1.2.1, with OpenID Connect Core §3.1.2.6 and RFC 8707 §2.
const AUTHORIZATION_CODES: &[&str] = &[
    "invalid_request",
    "unauthorized_client",
    "access_denied",
    "unsupported_response_type",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
    "interaction_required",
    "login_required",
    "account_selection_required",
    "consent_required",
    "invalid_request_uri",
    "invalid_request_object",
    "request_not_supported",
    "request_uri_not_supported",
    "registration_not_supported",
    "invalid_target",
    // RFC 9396 §5.
    "invalid_authorization_details",
];

/// RFC 6750 §3.1.
const BEARER_CODES: &[&str] = &[
    "invalid_request",
    "invalid_token",
    "insufficient_scope",
    // RFC 9470 §3 (step-up).
    "insufficient_user_authentication",
    // RFC 9449 §7.1 (the DPoP scheme's challenges).
    "invalid_dpop_proof",
    "use_dpop_nonce",
];

impl Stage {
    /// The stage of a failed grant: the redirect for callback errors, the
    /// device authorization request or the polling for the device grant,
    /// otherwise the grant's token request.
    pub fn of_grant_error(grant: GrantType, error: &EngineError) -> Self {
        if matches!(error, EngineError::Callback(_)) {
            return Self::Authorization;
        }
        match (grant, error.exchange().map(|e| e.kind)) {
            (_, Some(ExchangeKind::Device)) => Self::TokenRequest(GrantType::DeviceCode),
            (_, Some(ExchangeKind::Par)) => Self::PushedAuthorization,
            (GrantType::DeviceCode, _) => Self::DevicePolling,
            (grant, _) => Self::TokenRequest(grant),
        }
    }

    /// What the step is, for people ("the refresh_token request").
    pub fn describe(self) -> String {
        match self {
            Self::Authorization => "the authorization redirect".to_string(),
            Self::TokenRequest(GrantType::DeviceCode) => {
                "the device authorization request".to_string()
            }
            Self::TokenRequest(grant) => format!("the {grant} token request"),
            Self::DevicePolling => "device polling".to_string(),
            Self::ApiCall => "the API call".to_string(),
            Self::Revocation => "token revocation".to_string(),
            Self::Introspection => "token introspection".to_string(),
            Self::PushedAuthorization => "the pushed authorization request".to_string(),
        }
    }

    /// The section that lists the error codes of this step.
    pub fn reference(self) -> &'static str {
        match self {
            Self::Authorization => "RFC 6749 §4.1.2.1",
            Self::TokenRequest(_) => "RFC 6749 §5.2",
            Self::DevicePolling => "RFC 8628 §3.5",
            Self::ApiCall => "RFC 6750 §3.1",
            Self::Revocation => "RFC 7009 §2.2.1",
            Self::Introspection => "RFC 7662 §2.3",
            Self::PushedAuthorization => "RFC 9126 §2.3",
        }
    }

    /// True when the specifications register `code` for this step.
    pub fn registers(self, code: &str) -> bool {
        let lists: &[&[&str]] = match self {
            Self::Authorization => &[AUTHORIZATION_CODES],
            Self::TokenRequest(GrantType::DeviceCode) | Self::DevicePolling => {
                &[TOKEN_CODES, DEVICE_CODES]
            }
            Self::TokenRequest(GrantType::Ciba) => &[TOKEN_CODES, CIBA_CODES],
            Self::TokenRequest(_) => &[TOKEN_CODES],
            Self::ApiCall => &[BEARER_CODES],
            Self::Revocation => &[TOKEN_CODES, &["unsupported_token_type"]],
            Self::Introspection => &[TOKEN_CODES, BEARER_CODES],
            Self::PushedAuthorization => &[TOKEN_CODES, AUTHORIZATION_CODES],
        };
        lists.iter().any(|list| list.contains(&code))
    }
}

/// True when some OAuth specification registers `code` for some step.
pub fn is_known_code(code: &str) -> bool {
    [
        TOKEN_CODES,
        DEVICE_CODES,
        CIBA_CODES,
        AUTHORIZATION_CODES,
        BEARER_CODES,
        &["unsupported_token_type"],
    ]
    .iter()
    .any(|list| list.contains(&code))
}

/// What an error code means at a step, for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// The error code as sent.
    pub code: String,
    /// One or two sentences: what the server is saying.
    pub summary: String,
    /// The usual reasons, most likely first.
    pub likely_causes: Vec<String>,
    /// What to change or check, in order.
    pub what_to_try: Vec<String>,
    /// The section that defines the code, e.g. `RFC 6749 §5.2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl std::fmt::Display for Explanation {
    /// The terminal form: summary, "Likely causes:", "Try:", reference.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}", self.summary)?;
        if !self.likely_causes.is_empty() {
            writeln!(f, "Likely causes:")?;
            for cause in &self.likely_causes {
                writeln!(f, "  - {cause}")?;
            }
        }
        if !self.what_to_try.is_empty() {
            writeln!(f, "Try:")?;
            for step in &self.what_to_try {
                writeln!(f, "  - {step}")?;
            }
        }
        if let Some(reference) = &self.reference {
            writeln!(f, "See {reference}.")?;
        }
        Ok(())
    }
}

/// Explains `code` as answered at `stage`. Unknown codes get a general
/// explanation that points at the server's own description.
pub fn explain(code: &str, stage: Stage) -> Explanation {
    let code = code.trim();
    let ciba = (stage == Stage::TokenRequest(GrantType::Ciba))
        .then(|| ciba_text(code))
        .flatten();
    let text = if let Some(text) = ciba {
        text
    } else {
        match code {
            "invalid_request" => invalid_request(stage),
            "invalid_client" => invalid_client(stage),
            "invalid_grant" => invalid_grant(stage),
            "unauthorized_client" => unauthorized_client(stage),
            "unsupported_grant_type" => unsupported_grant_type(stage),
            "invalid_scope" => invalid_scope(stage),
            "access_denied" => access_denied(stage),
            "unsupported_response_type" => unsupported_response_type(),
            "server_error" => server_error(stage),
            "temporarily_unavailable" => temporarily_unavailable(),
            "authorization_pending" => authorization_pending(stage),
            "slow_down" => slow_down(),
            "expired_token" => expired_token(stage),
            "invalid_token" => invalid_token(stage),
            "insufficient_scope" => insufficient_scope(),
            "insufficient_user_authentication" => insufficient_user_authentication(),
            "invalid_dpop_proof" => invalid_dpop_proof(stage),
            "invalid_request_object" => invalid_request_object(),
            "invalid_request_uri" | "request_uri_not_supported" | "request_not_supported" => {
                request_uri_refused(code)
            }
            "use_dpop_nonce" => use_dpop_nonce(),
            "invalid_target" if stage.registers(code) => invalid_target(stage),
            "invalid_authorization_details" if stage.registers(code) => {
                invalid_authorization_details(stage)
            }
            other => unknown(other, stage),
        }
    };
    let reference = text
        .reference
        .map(str::to_string)
        .or_else(|| Some(stage.reference().to_string()));
    Explanation {
        code: code.to_string(),
        summary: text.summary,
        likely_causes: text.causes.into_iter().map(String::from).collect(),
        what_to_try: text.tries.into_iter().map(String::from).collect(),
        reference,
    }
}

/// An explanation before it is owned; `reference: None` means the stage's.
struct Text {
    summary: String,
    causes: Vec<&'static str>,
    tries: Vec<&'static str>,
    reference: Option<&'static str>,
}

impl Text {
    fn new(summary: impl Into<String>) -> Self {
        Self {
            summary: summary.into(),
            causes: Vec::new(),
            tries: Vec::new(),
            reference: None,
        }
    }

    fn causes(mut self, causes: &[&'static str]) -> Self {
        self.causes.extend_from_slice(causes);
        self
    }

    fn tries(mut self, tries: &[&'static str]) -> Self {
        self.tries.extend_from_slice(tries);
        self
    }

    fn reference(mut self, reference: &'static str) -> Self {
        self.reference = Some(reference);
        self
    }
}

/// Endpoints where the client authenticates (RFC 6749 §2.3).
fn authenticates_client(stage: Stage) -> bool {
    matches!(
        stage,
        Stage::TokenRequest(_)
            | Stage::DevicePolling
            | Stage::Revocation
            | Stage::Introspection
            | Stage::PushedAuthorization
    )
}

/// Where a code defined for both the redirect and the token endpoint is
/// defined for `stage`.
fn authorization_or_token(stage: Stage) -> &'static str {
    if stage == Stage::Authorization {
        "RFC 6749 §4.1.2.1"
    } else {
        "RFC 6749 §5.2"
    }
}

#[cfg(test)]
mod tests;
