//! Token exchange (RFC 8693): a token the client holds (the subject token,
//! and optionally an actor token) traded at the token endpoint for another.
//!
//! The request carries `subject_token` and `subject_token_type`, and
//! `actor_token` / `actor_token_type`, `requested_token_type`, `audience`
//! and `resource` when the profile names them (§2.1); the client
//! authenticates as for every grant. The response must say what it issued
//! (`issued_token_type`, §2.2.1); a JWT access token's `act` claim is the
//! delegation chain (§4.1), read into [`TokenSet::delegation`].

use super::{
    CurrentTokens, GrantOptions, extension_grant, finish, token_client, token_sender,
    with_profile_params,
};
use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::error::EngineError;
use crate::engine::profile::grant_tables::{CurrentToken, TokenExchangeSettings, TokenSource};
use crate::engine::profile::{GrantType, Profile, ProfileError};
use crate::engine::store::secret::Secret;
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::http::{HttpClient, RecordedRequest};

/// Exchanges the subject token for a new token.
pub async fn run(
    profile: &Profile,
    http: &HttpClient,
    options: &GrantOptions,
) -> Result<TokenSet, EngineError> {
    let settings = profile.token_exchange.clone().unwrap_or_default();
    let params = request_params(&settings, options)?;
    let client = token_client(profile)?;
    let http = http.scoped();
    let (send, rewriter) = token_sender(&http, profile)?;
    let send = extension_grant(send, params);
    let request = with_profile_params!(client.exchange_client_credentials(), profile);
    let result = request.request_async(&send).await;
    finish(result, &http, GrantType::TokenExchange, profile, &rewriter)
}

/// The grant's own parameters (RFC 8693 §2.1), `grant_type` first.
pub fn request_params(
    settings: &TokenExchangeSettings,
    options: &GrantOptions,
) -> Result<Vec<(String, String)>, ProfileError> {
    let subject = match &options.subject_token {
        Some(token) => token.clone(),
        None => subject_from(settings.subject.as_ref(), &options.current)?,
    };
    let actor = match &options.actor_token {
        Some(token) => Some(token.clone()),
        None => settings
            .actor
            .as_ref()
            .map(|source| source.resolve("token_exchange.actor_token"))
            .transpose()?,
    };
    let mut params = vec![(
        "grant_type".to_string(),
        GrantType::TokenExchange.as_str().to_string(),
    )];
    for resource in &settings.resource {
        params.push(("resource".into(), resource.clone()));
    }
    for audience in &settings.audience {
        params.push(("audience".into(), audience.clone()));
    }
    if let Some(requested) = &settings.requested_token_type {
        params.push(("requested_token_type".into(), requested.clone()));
    }
    params.push(("subject_token".into(), subject.expose().to_string()));
    params.push((
        "subject_token_type".into(),
        settings.subject_token_type.clone(),
    ));
    // actor_token_type is sent with an actor token only (§2.1).
    if let Some(actor) = actor {
        params.push(("actor_token".into(), actor.expose().to_string()));
        params.push(("actor_token_type".into(), settings.actor_token_type.clone()));
    }
    Ok(params)
}

fn subject_from(
    source: Option<&TokenSource>,
    current: &CurrentTokens,
) -> Result<Secret, ProfileError> {
    match source {
        None => Err(ProfileError::field(
            "token_exchange.subject_token",
            "a token exchange needs a subject token (RFC 8693 §2.1): set subject_token, subject_token_env or from under [token_exchange], or pass --subject-token",
        )),
        Some(TokenSource::Given(source)) => source.resolve("token_exchange.subject_token"),
        Some(TokenSource::Current(which)) => {
            let token = match which {
                CurrentToken::AccessToken => &current.access_token,
                CurrentToken::IdToken => &current.id_token,
                CurrentToken::RefreshToken => &current.refresh_token,
            };
            token.clone().ok_or_else(|| {
                ProfileError::field(
                    "token_exchange.from",
                    format!(
                        "takes this profile's current {}, and it has none: run a grant that issues one first, or pass --subject-token",
                        which.as_str()
                    ),
                )
            })
        }
    }
}

/// What the client can check in a token exchange response, given the
/// request it answers (RFC 8693 §2.2.1, §4.1).
pub fn check_response(tokens: &mut TokenSet, request: &RecordedRequest) {
    let sent: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    let sent_param = |name: &str| {
        sent.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    match (&tokens.issued_token_type, sent_param("requested_token_type")) {
        (None, _) => tokens.findings.push(Finding::new(
            Severity::Error,
            "issued_token_type_missing",
            "the token exchange response has no issued_token_type, which is required: the client cannot tell what kind of token access_token holds",
            Some("RFC 8693 §2.2.1"),
        )),
        (Some(issued), Some(requested)) if issued != requested => {
            tokens.findings.push(Finding::new(
                Severity::Info,
                "issued_token_type_differs",
                format!("asked for {requested}, the server issued {issued}"),
                Some("RFC 8693 §2.2.1"),
            ));
        }
        _ => {}
    }
    let access_token_is_jwt = tokens.jwts.iter().any(|j| j.source == "access_token");
    if sent_param("actor_token").is_some() && access_token_is_jwt && tokens.delegation.is_empty() {
        tokens.findings.push(Finding::new(
            Severity::Info,
            "act_missing",
            "an actor token was sent, but the issued access token has no act claim: the server issued an impersonation token, not a delegation one",
            Some("RFC 8693 §1.1, §4.1"),
        ));
    }
}
