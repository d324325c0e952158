//! The token request every grant shares: the oauth2 client built from the
//! profile, the sender through the recording HTTP client, the extension
//! grants' request, and reading the answer tolerantly ([`finish`]).

use std::sync::Arc;

use chrono::Utc;
use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{
    AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, ErrorResponse,
    RequestTokenError, TokenUrl,
};

use crate::engine::diagnose::findings::Finding;
use crate::engine::error::EngineError;
use crate::engine::profile::{ClientAuthMethod, CompatFile, GrantType, Profile};
use crate::engine::tokens::response::{TokenResponseError, TokenSet, parse_token_response};
use crate::engine::wire::compat::Rewriter;
use crate::engine::wire::http::{
    Exchange, ExchangeKind, HttpClient, TransportError, TransportErrorKind,
};

use super::*;

/// The token request of an extension grant (RFC 6749 §4.5): the oauth2
/// crate builds a client credentials request — client authentication, the
/// profile's scopes and extra parameters, exactly as for every grant — and
/// on its way out its `grant_type` is replaced by `params` (which start with
/// the extension grant's own `grant_type`).
pub(super) fn extension_grant<S>(
    send: S,
    params: Vec<(String, String)>,
) -> impl Fn(
    oauth2::HttpRequest,
) -> std::pin::Pin<
    Box<dyn Future<Output = Result<oauth2::HttpResponse, TransportError>> + Send>,
> + Send
+ Sync
where
    S: Fn(
            oauth2::HttpRequest,
        ) -> std::pin::Pin<
            Box<dyn Future<Output = Result<oauth2::HttpResponse, TransportError>> + Send>,
        > + Send
        + Sync,
{
    move |mut request: oauth2::HttpRequest| {
        let kept: Vec<(String, String)> = url::form_urlencoded::parse(request.body())
            .into_owned()
            .filter(|(name, _)| name != "grant_type")
            .collect();
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&params)
            .extend_pairs(&kept)
            .finish();
        *request.body_mut() = body.into_bytes();
        send(request)
    }
}

/// The oauth2 client for a profile's token endpoint.
pub(super) type TokenClient =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// Builds the oauth2 client: token URL, client id, secret and auth method.
/// Assertions are added by the request's [`Rewriter`]; the methods that
/// authenticate with the TLS certificate send `client_id` alone (RFC 8705
/// §2).
pub(super) fn token_client(profile: &Profile) -> Result<TokenClient, EngineError> {
    let token_url = TokenUrl::from_url(profile.token_endpoint()?.clone());
    // A public client may have no client at all (some servers take the
    // password grant without one); the rewriter then leaves client_id out.
    let client_id = match profile.auth_method {
        ClientAuthMethod::None => profile.client_id.clone().unwrap_or_default(),
        _ => profile.require_client_id()?.to_string(),
    };
    let client = BasicClient::new(ClientId::new(client_id)).set_token_uri(token_url);
    let client = match profile.auth_method {
        ClientAuthMethod::None
        | ClientAuthMethod::PrivateKeyJwt
        | ClientAuthMethod::ClientSecretJwt
        | ClientAuthMethod::TlsClientAuth
        | ClientAuthMethod::SelfSignedTlsClientAuth => client.set_auth_type(AuthType::RequestBody),
        method => {
            let secret = profile
                .client_secret
                .as_ref()
                .ok_or_else(|| {
                    crate::engine::profile::ProfileError::field(
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

/// The oauth2 crate's HTTP client for token requests of `profile`: through
/// the recording client, with the profile's compatibility rewrites, its
/// client assertion and the HTTP client's DPoP proofs.
#[allow(clippy::type_complexity)]
pub(super) fn token_sender(
    http: &HttpClient,
    profile: &Profile,
) -> Result<
    (
        impl Fn(
            oauth2::HttpRequest,
        ) -> std::pin::Pin<
            Box<dyn Future<Output = Result<oauth2::HttpResponse, TransportError>> + Send>,
        > + Send
        + Sync
        + use<>,
        Arc<Rewriter>,
    ),
    EngineError,
> {
    let rewriter = Arc::new(Rewriter::for_token_requests(profile, http.dpop().cloned())?);
    Ok((
        http.oauth2_client_with(ExchangeKind::Token, rewriter.clone()),
        rewriter,
    ))
}

/// Turns what the oauth2 crate returned into a [`TokenSet`] or an error,
/// reading the raw exchange tolerantly whatever the crate thought of it.
pub(super) fn finish<TE: ErrorResponse + 'static>(
    result: Result<BasicTokenResponse, RequestTokenError<TransportError, TE>>,
    http: &HttpClient,
    grant: GrantType,
    profile: &Profile,
    rewriter: &Rewriter,
) -> Result<TokenSet, EngineError> {
    let exchange = http.exchanges().pop();
    let sent = exchange.as_ref().map(|e| e.request.clone());
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
    let mut tokens = from_exchange(
        exchange,
        grant,
        strict_error.as_deref(),
        &profile.compat,
        rewriter.findings(),
    )?;
    let claims = tokens
        .jwts
        .iter()
        .find(|jwt| jwt.source == "access_token")
        .map(|jwt| jwt.claims.clone());
    if let Some(cert) = &profile.http.client_cert_file
        && let Some(claims) = &claims
    {
        tokens
            .findings
            .extend(crate::engine::client::keys::check_certificate_binding(
                cert, claims,
            ));
    }
    if let Some(dpop) = rewriter.dpop() {
        tokens
            .findings
            .extend(crate::engine::client::dpop::check_token_response(
                tokens.token_type.as_deref(),
                claims.as_ref(),
                &dpop.thumbprint(),
            ));
    }
    tokens
        .findings
        .extend(crate::engine::requests::resource::check_audience(
            &profile.resources,
            claims.as_ref(),
        ));
    let quirks = crate::engine::diagnose::providers::check_tokens(profile, &tokens, sent.as_ref());
    tokens.findings.extend(quirks);
    crate::engine::requests::rar::attach(
        &mut tokens,
        profile
            .authorization_details
            .as_ref()
            .map(crate::engine::requests::rar::AuthorizationDetails::value),
    );
    Ok(tokens)
}

/// Reads a token response out of a recorded exchange. `notes` are findings
/// about how the request was sent (compatibility rewrites).
pub(super) fn from_exchange(
    exchange: Exchange,
    grant: GrantType,
    strict_error: Option<&str>,
    compat: &CompatFile,
    notes: Vec<Finding>,
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
        compat,
        notes,
    ) {
        Ok(mut tokens) => {
            match grant {
                GrantType::TokenExchange => {
                    token_exchange::check_response(&mut tokens, &exchange.request);
                }
                GrantType::JwtBearer => jwt_bearer::check_response(&mut tokens, &exchange.request),
                _ => {}
            }
            // Token times are absolute: a server clock that is off makes
            // them look wrong here.
            tokens
                .findings
                .extend(crate::engine::wire::clock::skew_finding(&exchange));
            Ok(tokens)
        }
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
        // RFC 9396 §6: where there was no authorization request, the token
        // request carries the authorization details.
        if let Some(details) = &$profile.authorization_details {
            request =
                request.add_extra_param(crate::engine::requests::rar::PARAMETER, details.compact());
        }
        request
    }};
}
pub(super) use with_profile_params;
