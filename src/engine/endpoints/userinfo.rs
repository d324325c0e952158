//! The OpenID Connect userinfo endpoint (OIDC Core §5.3): claims about the
//! signed-in user, fetched with the access token. Its `sub` must be the ID
//! token's (§5.3.2), or the responses may be substituted.

use serde_json::{Map, Value};

use crate::engine::diagnose::findings::{Finding, Severity, excerpt};
use crate::engine::error::EngineError;
use crate::engine::jwt;
use crate::engine::profile::{Profile, ProfileError};
use crate::engine::store::secret::Secret;
use crate::engine::wire::http::{Exchange, ExchangeKind, HttpClient};

/// What the userinfo endpoint answered.
#[derive(Debug, Clone)]
pub struct UserInfo {
    /// The claims (from JSON, or from a JWT's payload, unverified).
    pub claims: Map<String, Value>,
    /// What was wrong with them.
    pub findings: Vec<Finding>,
    /// The exchange.
    pub exchange: Exchange,
}

/// Fetches the userinfo claims with `access_token` and compares their
/// `sub` with `id_token_sub`, the ID token's, when given.
pub async fn userinfo(
    profile: &Profile,
    http: &HttpClient,
    access_token: &Secret,
    id_token_sub: Option<&str>,
) -> Result<UserInfo, EngineError> {
    let endpoint =
        profile.endpoints.userinfo.clone().ok_or_else(|| {
            ProfileError::field("userinfo_endpoint", "is required to fetch userinfo")
        })?;
    let exchange = http
        .get_json_with_token(&endpoint, ExchangeKind::Userinfo, access_token.expose())
        .await
        .map_err(|error| EngineError::Transport {
            error,
            exchange: None,
        })?;
    let exchange = EngineError::require_response(exchange)?;
    let (status, body, content_type) = exchange
        .response
        .as_ref()
        .map(|r| {
            (
                r.status,
                r.body.clone(),
                r.header("content-type").unwrap_or_default().to_string(),
            )
        })
        .unwrap_or_default();
    let mut findings = Vec::new();
    let claims = if status == 200 && content_type.starts_with("application/jwt") {
        let text = String::from_utf8_lossy(&body);
        match jwt::decode("userinfo", &text) {
            Ok(decoded) => {
                findings.push(Finding::new(
                    Severity::Info,
                    "userinfo_jwt",
                    "the claims came as a JWT (application/jwt); shown decoded, signature not checked here",
                    Some("OIDC Core §5.3.2"),
                ));
                decoded.claims.as_object().cloned().unwrap_or_default()
            }
            Err(err) => {
                return Err(EngineError::BadResponse {
                    message: format!("the userinfo response says it is a JWT, but {err}"),
                    exchange: Box::new(exchange),
                });
            }
        }
    } else if status >= 400 {
        let challenge = exchange
            .response
            .as_ref()
            .and_then(|r| r.header("www-authenticate"))
            .map(|c| format!(" — WWW-Authenticate: {c}"))
            .unwrap_or_default();
        return Err(EngineError::BadResponse {
            message: format!(
                "the userinfo endpoint answered HTTP {status}{challenge}: {}",
                excerpt(&body, 300)
            ),
            exchange: Box::new(exchange),
        });
    } else {
        let (_, claims) = EngineError::require_json_object(exchange.clone(), "userinfo")?;
        claims
    };
    findings.extend(check_sub(&claims, id_token_sub));
    findings.extend(crate::engine::wire::clock::skew_finding(&exchange));
    Ok(UserInfo {
        claims,
        findings,
        exchange,
    })
}

/// Findings about the userinfo `sub`: missing, or not the ID token's.
pub fn check_sub(claims: &Map<String, Value>, id_token_sub: Option<&str>) -> Vec<Finding> {
    let reference = Some("OIDC Core §5.3.2");
    match (claims.get("sub").and_then(Value::as_str), id_token_sub) {
        (None, _) => vec![Finding::new(
            Severity::Error,
            "userinfo_sub_missing",
            "the userinfo response has no sub; it is always returned",
            reference,
        )],
        (Some(sub), Some(expected)) if sub != expected => vec![Finding::new(
            Severity::Error,
            "userinfo_sub_mismatch",
            format!(
                "the userinfo sub is {sub:?}, but the ID token's is {expected:?}: the claims are about someone else and must not be used"
            ),
            reference,
        )],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sub_must_match_the_id_token() {
        let claims = json!({"sub": "alice"})
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert!(check_sub(&claims, Some("alice")).is_empty());
        assert!(check_sub(&claims, None).is_empty());
        assert_eq!(
            check_sub(&claims, Some("bob"))[0].code,
            "userinfo_sub_mismatch"
        );
        assert_eq!(check_sub(&Map::new(), None)[0].code, "userinfo_sub_missing");
    }
}
