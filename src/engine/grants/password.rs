//! Resource owner password credentials grant (RFC 6749 §4.3).

use oauth2::{ResourceOwnerPassword, ResourceOwnerUsername};

use super::{finish, token_client, token_sender, with_profile_params};
use crate::engine::error::EngineError;
use crate::engine::profile::{GrantType, Profile, ProfileError};
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::http::HttpClient;

/// Requests a token with the resource owner's username and password.
pub async fn run(profile: &Profile, http: &HttpClient) -> Result<TokenSet, EngineError> {
    let username = profile
        .username
        .clone()
        .ok_or_else(|| ProfileError::field("username", "is required for the password grant"))?;
    let password = profile
        .password
        .as_ref()
        .ok_or_else(|| ProfileError::field("password", "is required for the password grant"))?
        .resolve("password")?;
    let client = token_client(profile)?;
    let http = http.scoped();
    let (send, rewriter) = token_sender(&http, profile)?;
    let username = ResourceOwnerUsername::new(username);
    let password = ResourceOwnerPassword::new(password.expose().to_string());
    let request = with_profile_params!(client.exchange_password(&username, &password), profile);
    let result = request.request_async(&send).await;
    finish(result, &http, GrantType::Password, profile, &rewriter)
}
