//! Refreshing an access token (RFC 6749 §6).

use oauth2::RefreshToken;

use super::{finish, token_client, token_sender};
use crate::engine::error::EngineError;
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
    finish(result, &http, GrantType::RefreshToken, profile, &rewriter)
}
