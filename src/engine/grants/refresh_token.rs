//! Refreshing an access token (RFC 6749 §6).

use oauth2::RefreshToken;

use super::{finish, token_client, token_sender, with_profile_params};
use crate::engine::error::EngineError;
use crate::engine::http::HttpClient;
use crate::engine::profile::{GrantType, Profile};
use crate::engine::secret::Secret;
use crate::engine::token::TokenSet;

/// Exchanges `refresh_token` for new tokens. Servers that rotate refresh
/// tokens return a new one; the old one then stops working.
pub async fn run(
    profile: &Profile,
    http: &HttpClient,
    refresh_token: &Secret,
) -> Result<TokenSet, EngineError> {
    let client = token_client(profile)?;
    let http = http.scoped();
    let (send, rewriter) = token_sender(&http, profile);
    let token = RefreshToken::new(refresh_token.expose().to_string());
    let request = with_profile_params!(client.exchange_refresh_token(&token), profile);
    let result = request.request_async(&send).await;
    finish(result, &http, GrantType::RefreshToken, profile, &rewriter)
}
