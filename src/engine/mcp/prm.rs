//! OAuth 2.0 Protected Resource Metadata (RFC 9728): where the document of
//! an MCP server is, and what it must say.

use serde_json::Value;
use url::Url;

use crate::engine::diagnose::findings::{Finding, Severity};

/// The well-known suffix (RFC 9728 §3).
pub const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// The URL of `resource`'s metadata by RFC 9728 §3.1: the well-known
/// string inserted between the host and the path (a terminating `/` of the
/// path removed first), the query kept.
pub fn well_known_url(resource: &Url) -> Url {
    let mut url = resource.clone();
    let path = resource.path().trim_end_matches('/');
    url.set_path(&format!("{WELL_KNOWN}{path}"));
    url.set_fragment(None);
    url
}

/// The URLs an MCP client tries, in order, when the challenge names no
/// `resource_metadata` (MCP 2025-11-25 "Protected Resource Metadata
/// Discovery Requirements"): the path-inserted one, then the root one.
pub fn fallback_urls(resource: &Url) -> Vec<Url> {
    let inserted = well_known_url(resource);
    let mut root = resource.clone();
    root.set_path(WELL_KNOWN);
    root.set_query(None);
    root.set_fragment(None);
    if root == inserted {
        vec![inserted]
    } else {
        vec![inserted, root]
    }
}

/// What the document says that the chain uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceMetadata {
    /// `resource`.
    pub resource: Option<String>,
    /// `authorization_servers` (issuer identifiers).
    pub authorization_servers: Vec<String>,
    /// `scopes_supported`.
    pub scopes_supported: Vec<String>,
    /// `bearer_methods_supported`.
    pub bearer_methods_supported: Vec<String>,
}

fn strings(doc: &Value, name: &str) -> Vec<String> {
    doc[name]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl ResourceMetadata {
    /// Reads the fields of a metadata document.
    pub fn from_json(doc: &Value) -> Self {
        Self {
            resource: doc["resource"].as_str().map(str::to_string),
            authorization_servers: strings(doc, "authorization_servers"),
            scopes_supported: strings(doc, "scopes_supported"),
            bearer_methods_supported: strings(doc, "bearer_methods_supported"),
        }
    }

    /// The checks of RFC 9728 and the MCP specification against the URL
    /// dialled. An error here ends the chain.
    pub fn check(&self, dialled: &Url) -> Vec<Finding> {
        let mut found = Vec::new();
        match self.resource.as_deref().map(Url::parse) {
            None => found.push(Finding::new(
                Severity::Error,
                "prm_resource_missing",
                "the protected resource metadata has no `resource`, which RFC 9728 §2 requires",
                Some("RFC 9728 §2"),
            )),
            Some(Err(_)) => found.push(Finding::new(
                Severity::Error,
                "prm_resource_mismatch",
                format!(
                    "`resource` is {:?}, not a URL, so it cannot be the MCP server {dialled}",
                    self.resource.as_deref().unwrap_or_default()
                ),
                Some("RFC 9728 §3.3"),
            )),
            Some(Ok(resource)) if resource != *dialled => found.push(Finding::new(
                Severity::Error,
                "prm_resource_mismatch",
                format!(
                    "`resource` is {resource}, but the URL dialled is {dialled}; RFC 9728 §3.3 says the client MUST NOT use metadata whose resource differs (it may be an impersonation)"
                ),
                Some("RFC 9728 §3.3"),
            )),
            Some(Ok(_)) => {}
        }
        if self.authorization_servers.is_empty() {
            found.push(Finding::new(
                Severity::Error,
                "prm_authorization_servers_missing",
                "the protected resource metadata names no `authorization_servers`; an MCP server MUST name at least one, or the client cannot know where to get a token",
                Some("MCP 2025-11-25 Authorization Server Location; RFC 9728 §2"),
            ));
        }
        if self
            .bearer_methods_supported
            .iter()
            .any(|m| m.eq_ignore_ascii_case("query"))
        {
            found.push(Finding::new(
                Severity::Warning,
                "prm_bearer_query_offered",
                "`bearer_methods_supported` offers `query`: an access token MUST NOT be put in the URI query string of an MCP request (tokens in URLs end up in logs and history)",
                Some("MCP 2025-11-25 Access Token Usage; RFC 6750 §2.3"),
            ));
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn the_well_known_string_goes_between_host_and_path() {
        assert_eq!(
            well_known_url(&url("https://mcp.example.com/public/mcp")).as_str(),
            "https://mcp.example.com/.well-known/oauth-protected-resource/public/mcp"
        );
        assert_eq!(
            well_known_url(&url("https://mcp.example.com/mcp/")).as_str(),
            "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(
            well_known_url(&url("https://mcp.example.com")).as_str(),
            "https://mcp.example.com/.well-known/oauth-protected-resource"
        );
    }

    #[test]
    fn fallbacks_try_the_path_then_the_root() {
        let urls = fallback_urls(&url("https://mcp.example.com/public/mcp"));
        assert_eq!(
            urls.iter().map(Url::as_str).collect::<Vec<_>>(),
            [
                "https://mcp.example.com/.well-known/oauth-protected-resource/public/mcp",
                "https://mcp.example.com/.well-known/oauth-protected-resource",
            ]
        );
        assert_eq!(fallback_urls(&url("https://mcp.example.com/")).len(), 1);
    }

    #[test]
    fn a_different_resource_is_an_error() {
        let meta = ResourceMetadata {
            resource: Some("https://other.example.com/mcp".into()),
            authorization_servers: vec!["https://as.example.com".into()],
            ..Default::default()
        };
        let found = meta.check(&url("https://mcp.example.com/mcp"));
        assert!(
            found
                .iter()
                .any(|f| f.code == "prm_resource_mismatch" && f.severity == Severity::Error)
        );
    }
}
