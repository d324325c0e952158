//! Refreshing an access token (RFC 6749 §6).

use oauth2::RefreshToken;

use super::{finish, token_client, token_sender};
use crate::engine::error::EngineError;
use crate::engine::findings::{Finding, Severity};
use crate::engine::http::HttpClient;
use crate::engine::profile::{GrantType, Profile};
use crate::engine::secret::Secret;
use crate::engine::token::TokenSet;

/// Exchanges `refresh_token` for new tokens. Servers that rotate refresh
/// tokens return a new one; the old one then stops working.
///
/// No `scope` is sent: RFC 6749 §6 makes it optional and, when omitted, the
/// new token carries the scope originally granted. Resending the profile's
/// scope would fail with `invalid_scope` as soon as the profile asks for
/// more than the grant that issued the refresh token got.
pub async fn run(
    profile: &Profile,
    http: &HttpClient,
    refresh_token: &Secret,
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
    Ok(tokens)
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
