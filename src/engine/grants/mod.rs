//! The grants, one per file, all driven by the oauth2 crate.
//!
//! Each grant builds its token request with the oauth2 crate, which sends it
//! through the recording [`HttpClient`]. Whatever the crate makes of the
//! response, the raw exchange is then read by the tolerant parser
//! (`parse_token_response`), so a response the crate rejects is still shown
//! — with findings saying why strict clients fail on it.

pub mod authorization_code;
pub mod ciba;
mod client_credentials;
pub mod device_code;
pub mod hardened;
pub mod hybrid;
mod implicit;
pub mod jarm;
pub mod jwt_bearer;
mod kind;
mod options;
mod password;
pub mod preflight;
mod refresh_token;
pub mod step;
pub mod token_exchange;
mod token_request;

use super::error::EngineError;
use super::profile::{GrantType, Profile};
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::http::HttpClient;

pub use options::*;
use token_request::{
    extension_grant, finish, from_exchange, token_client, token_sender, with_profile_params,
};

/// Runs the profile's grant (or the one in `options`) and returns the tokens.
pub async fn run(
    profile: &Profile,
    http: &HttpClient,
    options: &GrantOptions,
) -> Result<TokenSet, EngineError> {
    let grant = options.grant.or(profile.grant).ok_or_else(|| {
        super::profile::ProfileError::field(
            "grant_type",
            "the profile names no grant; set grant_type or choose one",
        )
    })?;
    match grant {
        GrantType::ClientCredentials => client_credentials::run(profile, http).await,
        GrantType::Password => password::run(profile, http).await,
        GrantType::RefreshToken => {
            let token = options.refresh_token.as_ref().ok_or_else(|| {
                EngineError::Unsupported(
                    "the refresh_token grant needs a refresh token: obtain one first or pass --refresh-token"
                        .to_string(),
                )
            })?;
            refresh_token::run(profile, http, token, options.current.id_token.as_ref()).await
        }
        GrantType::AuthorizationCode => {
            authorization_code::run(profile, http, &options.browser).await
        }
        GrantType::Implicit => implicit::run(profile, http, &options.browser).await,
        GrantType::DeviceCode => device_code::run(profile, http, &options.browser).await,
        GrantType::TokenExchange => token_exchange::run(profile, http, options).await,
        GrantType::JwtBearer => jwt_bearer::run(profile, http, options).await,
        GrantType::Ciba => ciba::run(profile, http, options).await,
    }
}
