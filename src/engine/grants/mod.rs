//! The grants, one per file, all driven by the oauth2 crate.
//!
//! Each grant builds its token request with the oauth2 crate, which sends it
//! through the recording [`HttpClient`]. Whatever the crate makes of the
//! response, the raw exchange is then read by the tolerant parser
//! ([`parse_token_response`]), so a response the crate rejects is still shown
//! — with findings saying why strict clients fail on it.

mod client_credentials;
mod password;
mod refresh_token;

use chrono::Utc;
use oauth2::basic::{BasicClient, BasicErrorResponse, BasicTokenResponse};
use oauth2::{
    AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, RequestTokenError, TokenUrl,
};

use super::error::EngineError;
use super::http::{Exchange, HttpClient, TransportError, TransportErrorKind};
use super::profile::{ClientAuthMethod, GrantType, Profile};
use super::secret::Secret;
use super::token::{TokenResponseError, TokenSet, parse_token_response};

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct GrantOptions {
    /// Run this grant instead of the profile's own.
    pub grant: Option<GrantType>,
    /// The refresh token for the refresh_token grant.
    pub refresh_token: Option<Secret>,
}

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
            refresh_token::run(profile, http, token).await
        }
        GrantType::AuthorizationCode | GrantType::Implicit | GrantType::DeviceCode => {
            Err(EngineError::Unsupported(format!(
                "the {grant} grant needs a browser and is not available in this version yet"
            )))
        }
    }
}

/// The oauth2 client for a profile's token endpoint.
type TokenClient =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// Builds the oauth2 client: token URL, client id, secret and auth method.
fn token_client(profile: &Profile) -> Result<TokenClient, EngineError> {
    let token_url = TokenUrl::from_url(profile.token_endpoint()?.clone());
    let client_id = profile.require_client_id()?;
    let client = BasicClient::new(ClientId::new(client_id.to_string())).set_token_uri(token_url);
    let client = match profile.auth_method {
        ClientAuthMethod::None => client.set_auth_type(AuthType::RequestBody),
        method => {
            let secret = profile
                .client_secret
                .as_ref()
                .ok_or_else(|| {
                    super::profile::ProfileError::field(
                        "client_secret",
                        format!("is required by {}", method.as_str()),
                    )
                })?
                .resolve("client_secret")?;
            client
                .set_client_secret(ClientSecret::new(secret.expose().to_string()))
                .set_auth_type(if method == ClientAuthMethod::ClientSecretBasic {
                    AuthType::BasicAuth
                } else {
                    AuthType::RequestBody
                })
        }
    };
    Ok(client)
}

/// Turns what the oauth2 crate returned into a [`TokenSet`] or an error,
/// reading the raw exchange tolerantly whatever the crate thought of it.
fn finish(
    result: Result<BasicTokenResponse, RequestTokenError<TransportError, BasicErrorResponse>>,
    http: &HttpClient,
    grant: GrantType,
) -> Result<TokenSet, EngineError> {
    let exchange = http.exchanges().pop();
    let strict_error = match &result {
        Ok(_) | Err(RequestTokenError::ServerResponse(_)) => None,
        Err(RequestTokenError::Request(error)) => {
            return Err(EngineError::Transport {
                error: error.clone(),
                exchange: exchange.map(Box::new),
            });
        }
        Err(RequestTokenError::Parse(err, _)) => Some(err.to_string()),
        Err(RequestTokenError::Other(message)) => Some(message.clone()),
    };
    let Some(exchange) = exchange else {
        // The crate failed before sending anything (it builds the request
        // from validated values, so this means a bug, not bad input).
        let message = match result {
            Err(err) => err.to_string(),
            Ok(_) => "no exchange was recorded".to_string(),
        };
        return Err(EngineError::Transport {
            error: TransportError {
                kind: TransportErrorKind::InvalidRequest,
                message,
            },
            exchange: None,
        });
    };
    from_exchange(exchange, grant, strict_error.as_deref())
}

/// Reads a token response out of a recorded exchange.
fn from_exchange(
    exchange: Exchange,
    grant: GrantType,
    strict_error: Option<&str>,
) -> Result<TokenSet, EngineError> {
    let Some(response) = &exchange.response else {
        return Err(EngineError::Transport {
            error: exchange.error.clone().unwrap_or(TransportError {
                kind: TransportErrorKind::Other,
                message: "no response".to_string(),
            }),
            exchange: Some(Box::new(exchange)),
        });
    };
    let received = exchange.started_at + exchange.duration;
    match parse_token_response(
        response,
        grant,
        exchange.id,
        received.max(Utc::now()),
        strict_error,
    ) {
        Ok(tokens) => Ok(tokens),
        Err(TokenResponseError::OAuth(error, findings)) => Err(EngineError::OAuth {
            error,
            findings,
            exchange: Box::new(exchange),
        }),
        Err(TokenResponseError::Malformed(message)) => Err(EngineError::BadResponse {
            message,
            exchange: Box::new(exchange),
        }),
    }
}

/// Adds the profile's scopes and extra token parameters to a token request.
macro_rules! with_profile_params {
    ($request:expr, $profile:expr) => {{
        let mut request = $request;
        for scope in &$profile.scopes {
            request = request.add_scope(oauth2::Scope::new(scope.clone()));
        }
        for (name, value) in &$profile.token_params {
            request = request.add_extra_param(name.as_str(), value.as_str());
        }
        request
    }};
}
use with_profile_params;
