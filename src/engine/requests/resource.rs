//! Resource indicators (RFC 8707): the profile's `resource` URIs, sent as
//! `resource` on the authorization request (§2.1) and on every token
//! request — the code exchange, refresh and the other grants (§2.2) — and
//! the check of what came back: an access token that is a JWT should name
//! the resource it was asked for in its `aud` (§2: the server
//! audience-restricts the token).

use serde_json::Value;
use url::Url;

use crate::engine::diagnose::findings::{Finding, Severity};

/// Reads the profile's `resource` values: each an absolute URI without a
/// fragment (RFC 8707 §2). Problems are said in the profile's words.
pub fn parse(values: &[String]) -> Result<Vec<String>, String> {
    values
        .iter()
        .map(|value| match Url::parse(value) {
            Ok(url) if url.fragment().is_some() => Err(format!(
                "{value} has a fragment (#…); a resource indicator must not (RFC 8707 §2)"
            )),
            Ok(_) => Ok(value.clone()),
            Err(_) => Err(format!(
                "{value} is not an absolute URI (e.g. https://api.example.com/); RFC 8707 §2 asks for one"
            )),
        })
        .collect()
}

/// True when `aud` names `resource` (as written, or as the same URL once
/// parsed: a trailing slash the parser adds is not a difference).
fn names(aud: &str, resource: &str) -> bool {
    aud == resource || matches!((Url::parse(aud), Url::parse(resource)), (Ok(a), Ok(r)) if a == r)
}

/// What the access token's `aud` says of the resources asked for: nothing
/// when none was asked or the token is not a JWT with an `aud` (an opaque
/// token's audience is for introspection to show).
pub fn check_audience(resources: &[String], access_claims: Option<&Value>) -> Vec<Finding> {
    if resources.is_empty() {
        return Vec::new();
    }
    let audiences: Vec<&str> = match access_claims.map(|c| &c["aud"]) {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => return Vec::new(),
    };
    let missing: Vec<&str> = resources
        .iter()
        .map(String::as_str)
        .filter(|r| !audiences.iter().any(|a| names(a, r)))
        .collect();
    let finding = if missing.is_empty() {
        Finding::new(
            Severity::Info,
            "resource_audience_matches",
            format!(
                "the access token's aud names the resource asked for ({})",
                resources.join(", ")
            ),
            Some("RFC 8707 §2"),
        )
    } else {
        Finding::new(
            Severity::Warning,
            "resource_audience_mismatch",
            format!(
                "the access token's aud is {}, which does not name the resource asked for ({}): the server ignored the resource indicator, or issued the token for only some of the resources asked (§2.2 allows that; call each resource with a token of its own)",
                audiences.join(", "),
                missing.join(", ")
            ),
            Some("RFC 8707 §2"),
        )
    };
    vec![finding]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resources_are_absolute_uris_without_fragments() {
        assert!(parse(&["https://api.example.com/".into()]).is_ok());
        assert!(parse(&["api".into()]).is_err_and(|e| e.contains("absolute URI")));
        assert!(
            parse(&["https://api.example.com/#x".into()]).is_err_and(|e| e.contains("fragment"))
        );
    }

    #[test]
    fn the_audience_is_compared_with_what_was_asked() {
        let asked = vec!["https://api.example.com".to_string()];
        let code = |claims: Value| {
            check_audience(&asked, Some(&claims))
                .first()
                .map(|f| f.code.clone())
        };
        assert_eq!(
            code(json!({"aud": "https://api.example.com/"})).as_deref(),
            Some("resource_audience_matches")
        );
        assert_eq!(
            code(json!({"aud": ["x", "https://api.example.com"]})).as_deref(),
            Some("resource_audience_matches")
        );
        assert_eq!(
            code(json!({"aud": "demo-api"})).as_deref(),
            Some("resource_audience_mismatch")
        );
        assert_eq!(
            code(json!({"sub": "alice"})),
            None,
            "no aud: nothing to say"
        );
        assert!(check_audience(&[], Some(&json!({"aud": "x"}))).is_empty());
    }
}
