//! The authorization server's metadata, found the way the MCP
//! specification orders it (MCP 2025-11-25 "Authorization Server Metadata
//! Discovery"): RFC 8414 §3.1 with the well-known string inserted before
//! the issuer's path, then OpenID Connect Discovery with path insertion
//! (RFC 8414 §5), then OpenID Connect Discovery 1.0 §4 appended to the path.

use serde_json::Value;
use url::Url;

use crate::engine::diagnose::findings::{Finding, Severity};

/// The URLs to try for `issuer`, in the specification's order.
///
/// With a path (`https://auth.example.com/tenant1`):
/// 1. `https://auth.example.com/.well-known/oauth-authorization-server/tenant1`
/// 2. `https://auth.example.com/.well-known/openid-configuration/tenant1`
/// 3. `https://auth.example.com/tenant1/.well-known/openid-configuration`
///
/// Without one: `/.well-known/oauth-authorization-server`, then
/// `/.well-known/openid-configuration`.
pub fn metadata_urls(issuer: &Url) -> Vec<Url> {
    let path = issuer.path().trim_end_matches('/');
    let at = |p: String| {
        let mut url = issuer.clone();
        url.set_path(&p);
        url.set_query(None);
        url.set_fragment(None);
        url
    };
    if path.is_empty() {
        vec![
            at("/.well-known/oauth-authorization-server".to_string()),
            at("/.well-known/openid-configuration".to_string()),
        ]
    } else {
        vec![
            at(format!("/.well-known/oauth-authorization-server{path}")),
            at(format!("/.well-known/openid-configuration{path}")),
            at(format!("{path}/.well-known/openid-configuration")),
        ]
    }
}

/// The checks on a metadata document fetched for `issuer`: the `issuer`
/// it names (RFC 8414 §3.3), the endpoints the chain needs, and PKCE S256.
pub fn check(doc: &Value, issuer: &Url) -> Vec<Finding> {
    let mut found = Vec::new();
    let named = doc["issuer"].as_str().unwrap_or_default();
    if Url::parse(named).ok().as_ref() != Some(issuer) {
        found.push(Finding::new(
            Severity::Error,
            "as_issuer_mismatch",
            format!(
                "the metadata names the issuer {named:?}, not {issuer}, the authorization server the protected resource metadata named; RFC 8414 §3.3 says such metadata MUST NOT be used"
            ),
            Some("RFC 8414 §3.3"),
        ));
    }
    for name in ["authorization_endpoint", "token_endpoint"] {
        if doc[name].as_str().is_none_or(|s| Url::parse(s).is_err()) {
            found.push(Finding::new(
                Severity::Error,
                "as_endpoint_missing",
                format!(
                    "the metadata has no usable `{name}`, which the authorization code grant needs"
                ),
                Some("RFC 8414 §2"),
            ));
        }
    }
    let methods: Vec<&str> = doc["code_challenge_methods_supported"]
        .as_array()
        .map(|m| m.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !methods.contains(&"S256") {
        let listed = if doc["code_challenge_methods_supported"].is_null() {
            "absent".to_string()
        } else {
            format!("{methods:?}")
        };
        found.push(Finding::new(
            Severity::Error,
            "pkce_s256_missing",
            format!(
                "`code_challenge_methods_supported` is {listed}: it does not list S256, and an MCP client MUST refuse to proceed when it cannot confirm PKCE support (override with --allow-no-s256 to try anyway)"
            ),
            Some("MCP 2025-11-25 Authorization Code Protection; RFC 8414 §2; RFC 7636 §4.2"),
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(urls: Vec<Url>) -> Vec<String> {
        urls.into_iter().map(String::from).collect()
    }

    #[test]
    fn an_issuer_with_a_path_has_three_urls_in_order() {
        let issuer = Url::parse("https://auth.example.com/tenant1").expect("url");
        assert_eq!(
            strings(metadata_urls(&issuer)),
            [
                "https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
                "https://auth.example.com/.well-known/openid-configuration/tenant1",
                "https://auth.example.com/tenant1/.well-known/openid-configuration",
            ]
        );
    }

    #[test]
    fn an_issuer_without_a_path_has_two() {
        let issuer = Url::parse("https://auth.example.com").expect("url");
        assert_eq!(
            strings(metadata_urls(&issuer)),
            [
                "https://auth.example.com/.well-known/oauth-authorization-server",
                "https://auth.example.com/.well-known/openid-configuration",
            ]
        );
    }
}
