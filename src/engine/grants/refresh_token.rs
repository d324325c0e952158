//! Refreshing an access token (RFC 6749 §6).

use oauth2::RefreshToken;
use serde_json::Value;

use super::{finish, token_client, token_sender};
use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::error::EngineError;
use crate::engine::jwt;
use crate::engine::profile::{GrantType, Profile};
use crate::engine::store::secret::Secret;
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::http::HttpClient;

/// Exchanges `refresh_token` for new tokens. Servers that rotate refresh
/// tokens return a new one; the old one then stops working. When the
/// response carries an ID token and `original_id_token` (the ID token held
/// before) is given, the two are compared as OpenID Connect Core §12.2
/// requires ([`compare_id_tokens`]).
///
/// No `scope` is sent: RFC 6749 §6 makes it optional and, when omitted, the
/// new token carries the scope originally granted. Resending the profile's
/// scope would fail with `invalid_scope` as soon as the profile asks for
/// more than the grant that issued the refresh token got.
pub async fn run(
    profile: &Profile,
    http: &HttpClient,
    refresh_token: &Secret,
    original_id_token: Option<&Secret>,
) -> Result<TokenSet, EngineError> {
    let client = token_client(profile)?;
    let http = http.scoped();
    let (send, rewriter) = token_sender(&http, profile)?;
    let token = RefreshToken::new(refresh_token.expose().to_string());
    let mut request = client.exchange_refresh_token(&token);
    for (name, value) in &profile.token_params {
        request = request.add_extra_param(name.as_str(), value.as_str());
    }
    let result = request.request_async(&send).await;
    let mut tokens = finish(result, &http, GrantType::RefreshToken, profile, &rewriter)?;
    tokens.findings.push(rotation(refresh_token, &tokens));
    if let (Some(original), Some(new)) = (original_id_token, &tokens.id_token) {
        let compared = compare_id_tokens(original.expose(), new.expose());
        tokens.findings.extend(compared);
    }
    Ok(tokens)
}

/// OpenID Connect Core §12.2: an ID token returned by a refresh must have
/// the same `iss`, `sub` and `aud` as the ID token of the original
/// authentication, and `azp` only if the original had one, the same. One
/// error finding per claim that differs (the new ID token must be refused),
/// or one info finding saying they match. A token that does not decode is
/// reported, not fatal: the ID token's own verification says why.
pub fn compare_id_tokens(original: &str, new: &str) -> Vec<Finding> {
    const REFERENCE: &str = "OIDC Core §12.2";
    let (original, new) = match (
        jwt::decode("id_token", original),
        jwt::decode("id_token", new),
    ) {
        (Ok(original), Ok(new)) => (original.claims, new.claims),
        (Err(err), _) | (_, Err(err)) => {
            return vec![Finding::new(
                Severity::Warning,
                "refresh_id_token_not_compared",
                format!(
                    "the refreshed ID token could not be compared with the original one: {err}"
                ),
                Some(REFERENCE),
            )];
        }
    };
    let show = |v: Option<&Value>| v.map_or("(absent)".to_string(), Value::to_string);
    let mut findings = Vec::new();
    for claim in ["iss", "sub", "aud", "azp"] {
        let (was, now) = (original.get(claim), new.get(claim));
        if was != now {
            findings.push(Finding::new(
                Severity::Error,
                &format!("refresh_id_token_{claim}_changed"),
                format!(
                    "the ID token of the refresh response has {claim} {} where the original ID token has {}: it must be the same, so this ID token must be refused",
                    show(now),
                    show(was)
                ),
                Some(REFERENCE),
            ));
        }
    }
    if findings.is_empty() {
        findings.push(Finding::new(
            Severity::Info,
            "refresh_id_token_matches",
            "the refreshed ID token has the same iss, sub, aud and azp as the original one",
            Some(REFERENCE),
        ));
    }
    findings
}

/// Whether the refresh token rotated: a new one came back (the old one may
/// stop working), the same one, or none (keep using the old one).
fn rotation(presented: &Secret, tokens: &TokenSet) -> Finding {
    let (code, message) = match &tokens.refresh_token {
        Some(new) if new.expose() != presented.expose() => (
            "refresh_token_rotated",
            "the refresh token rotated: a new one came back; use it next time (a server that rotates refuses the old one, and may revoke the family if it comes back, RFC 9700 §4.14.2)",
        ),
        Some(_) => (
            "refresh_token_kept",
            "the same refresh token came back: it did not rotate",
        ),
        None => (
            "refresh_token_not_returned",
            "no refresh token came back: keep using the one just used (RFC 6749 §6 lets the server keep it)",
        ),
    };
    Finding::new(Severity::Info, code, message, Some("RFC 6749 §6"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use serde_json::json;

    fn token(claims: &Value) -> String {
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        format!(
            "{}.{}.sig",
            b64(br#"{"alg":"RS256"}"#),
            b64(claims.to_string().as_bytes())
        )
    }

    #[test]
    fn a_refreshed_id_token_must_keep_iss_sub_aud_and_azp() {
        let original = json!({"iss": "https://as", "sub": "alice", "aud": "c", "azp": "c"});
        let same = compare_id_tokens(&token(&original), &token(&original));
        let codes: Vec<&str> = same.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["refresh_id_token_matches"]);

        let other = json!({"iss": "https://evil", "sub": "bob", "aud": "c"});
        let changed = compare_id_tokens(&token(&original), &token(&other));
        let codes: Vec<&str> = changed.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "refresh_id_token_iss_changed",
                "refresh_id_token_sub_changed",
                "refresh_id_token_azp_changed"
            ]
        );
        assert!(changed.iter().all(|f| f.severity == Severity::Error));
        assert!(
            changed[1].message.contains("\"bob\""),
            "{}",
            changed[1].message
        );

        let garbled = compare_id_tokens("not-a-jwt", &token(&original));
        assert_eq!(garbled[0].code, "refresh_id_token_not_compared");
    }
}
