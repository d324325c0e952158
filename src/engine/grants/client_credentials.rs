//! Client credentials grant (RFC 6749 §4.4).

use super::{finish, token_client, token_sender, with_profile_params};
use crate::engine::error::EngineError;
use crate::engine::profile::{GrantType, Profile};
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::http::HttpClient;

/// Requests a token with the client's own credentials.
pub async fn run(profile: &Profile, http: &HttpClient) -> Result<TokenSet, EngineError> {
    let client = token_client(profile)?;
    let http = http.scoped();
    let (send, rewriter) = token_sender(&http, profile)?;
    let request = with_profile_params!(client.exchange_client_credentials(), profile);
    let result = request.request_async(&send).await;
    finish(
        result,
        &http,
        GrantType::ClientCredentials,
        profile,
        &rewriter,
    )
}
