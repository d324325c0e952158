//! The MCP server's `401`/`403` challenge: `WWW-Authenticate: Bearer` with
//! `resource_metadata` (RFC 9728 §5.1), `scope` and `error` (RFC 6750 §3).

use serde::{Deserialize, Serialize};

use crate::engine::endpoints::api::parse_www_authenticate;

/// What an MCP client reads from a Bearer challenge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpChallenge {
    /// The auth scheme as sent (`Bearer` expected).
    pub scheme: String,
    /// `resource_metadata`: where the protected resource metadata is
    /// (RFC 9728 §5.1).
    pub resource_metadata: Option<String>,
    /// `scope`: the scopes the call needs (RFC 6750 §3; MCP "Scope
    /// Selection Strategy").
    pub scope: Option<String>,
    /// `error`, e.g. `invalid_token` or `insufficient_scope`.
    pub error: Option<String>,
    /// `error_description`.
    pub error_description: Option<String>,
}

impl McpChallenge {
    /// Parses a `WWW-Authenticate` value, preferring its Bearer challenge;
    /// `None` when the value holds no challenge at all.
    pub fn parse(value: &str) -> Option<Self> {
        let challenge = parse_www_authenticate(value)?;
        let param = |name: &str| {
            challenge
                .params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        Some(Self {
            resource_metadata: param("resource_metadata"),
            scheme: challenge.scheme,
            scope: challenge.scope.filter(|s| !s.trim().is_empty()),
            error: challenge.error,
            error_description: challenge.error_description,
        })
    }

    /// The scopes it names, one by one.
    pub fn scopes(&self) -> Vec<String> {
        self.scope
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_resource_metadata_scope_and_error() {
        let c = McpChallenge::parse(
            r#"Bearer error="insufficient_scope", scope="read write", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp""#,
        )
        .expect("challenge");
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
        assert_eq!(c.scopes(), vec!["read", "write"]);
        assert_eq!(
            c.resource_metadata.as_deref(),
            Some("https://mcp.example.com/.well-known/oauth-protected-resource/mcp")
        );
    }

    #[test]
    fn a_bare_bearer_challenge_has_nothing() {
        let c = McpChallenge::parse("Bearer").expect("challenge");
        assert_eq!(c.resource_metadata, None);
        assert!(c.scopes().is_empty());
    }
}
