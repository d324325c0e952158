//! An OAuth error response (RFC 6749 §5.2, RFC 6750 §3): the one type every
//! room that reads a server's refusal names — token responses, API calls,
//! revocation, introspection, the grants — kept on the ground floor so none
//! of them has to import another for it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An OAuth error response (RFC 6749 §5.2, RFC 6750 §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct OAuthError {
    /// The error code, e.g. `invalid_client`.
    pub error: String,
    /// Human-readable text from the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// A page about the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_uri: Option<String>,
    /// HTTP status it came with.
    pub status: u16,
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.error)?;
        if let Some(description) = &self.error_description {
            write!(f, ": {description}")?;
        }
        if let Some(uri) = &self.error_uri {
            write!(f, " (see {uri})")?;
        }
        write!(f, " [HTTP {}]", self.status)
    }
}

/// Reads an OAuth error out of any JSON body (for non-token endpoints).
pub fn parse_oauth_error(status: u16, body: &[u8]) -> Option<OAuthError> {
    let Value::Object(fields) = serde_json::from_slice(body).ok()? else {
        return None;
    };
    let error = fields.get("error")?;
    Some(OAuthError {
        error: value_text(error),
        error_description: fields.get("error_description").map(value_text),
        error_uri: fields.get("error_uri").map(value_text),
        status,
    })
}

/// A JSON value as text: a string as it is, anything else as JSON.
pub(crate) fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
