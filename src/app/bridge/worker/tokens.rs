//! The worker's commands that use a profile's tokens: ending one (logout
//! or revocation), sending an API request, the token tools, OpenID logout.

use super::{Operation, Worker, recorder_for, settle};
use crate::app::bridge::Event;
use crate::app::bridge::answer::{ApiAnswer, EndToken, GrantFailure, client_for, end_token};
use crate::app::session::{Origin, ProfileId};
use crate::app::tokens::oidc_logout::OidcLogoutCommand;
use crate::app::tokens::tools::{self, ToolCommand};
use crate::engine::endpoints::api::{self, ApiRequest};
use crate::engine::endpoints::autodiscovery::{self, Endpoint};
use crate::engine::wire::http::HttpClient;
use crate::engine::{Profile, Secret, Stage};

impl Worker {
    /// Ends a token: logs out, or revokes it.
    pub(super) fn end_token(
        &self,
        owner: ProfileId,
        profile: Box<Profile>,
        how: EndToken,
        token: Secret,
    ) {
        let Operation {
            events,
            recorder,
            delivered,
            discovery,
            dpop_keys,
            ..
        } = self.operation(Origin::Token(owner));
        tokio::spawn(async move {
            let result = async {
                // A logout call carries the token as an API call
                // does; revocation needs no proof.
                let dpop = match how {
                    EndToken::Logout => dpop_keys.for_profile(owner, &profile).await?,
                    EndToken::Revoke(_) => None,
                };
                let http = client_for(&profile, recorder, dpop)?;
                let (stage, needs): (_, &[Endpoint]) = match how {
                    EndToken::Logout => (Stage::ApiCall, &[]),
                    EndToken::Revoke(_) => (Stage::Revocation, &[Endpoint::Revocation]),
                };
                let (profile, _) = autodiscovery::complete(&profile, &http, &discovery, needs)
                    .await
                    .map_err(|err| GrantFailure::at(err, stage))?;
                end_token(&profile, &http, how, &token)
                    .await
                    .map_err(|err| GrantFailure::at(err, stage))
            }
            .await;
            settle(delivered).await;
            events.send(Event::TokenEnded(owner, how, result)).await;
        });
    }

    /// Sends an API request with a token.
    pub(super) fn send_request(
        &self,
        owner: ProfileId,
        profile: Box<Profile>,
        request: Box<ApiRequest>,
        token: Option<Secret>,
    ) {
        let Operation {
            events,
            recorder,
            delivered,
            dpop_keys,
            ..
        } = self.operation(Origin::Request(owner));
        tokio::spawn(async move {
            let http = match dpop_keys.for_profile(owner, &profile).await {
                Ok(dpop) => HttpClient::new(&profile.http, recorder)
                    .map(|http| http.with_dpop(dpop))
                    .map_err(|err| err.to_string()),
                Err(failure) => Err(failure.message),
            };
            let result = match http {
                Ok(http) => match api::call(&http, &request, token.as_ref()).await {
                    Ok(response) => tokio::task::spawn_blocking(move || ApiAnswer::new(response))
                        .await
                        .map(Box::new)
                        .map_err(|err| err.to_string()),
                    Err(err) => Err(err.to_string()),
                },
                Err(err) => Err(err.to_string()),
            };
            settle(delivered).await;
            events.send(Event::RequestFinished(owner, result)).await;
        });
    }

    /// OpenID logout for a profile's tokens (the bridge's `logout` module).
    pub(super) fn oidc_logout(&mut self, owner: ProfileId, command: OidcLogoutCommand) {
        let Self {
            events,
            recorder,
            discovery,
            logout_listeners,
            ..
        } = self;
        crate::app::bridge::logout::handle(
            owner,
            command,
            events,
            recorder_for(recorder, events, Origin::Token(owner)).0,
            discovery,
            logout_listeners,
        );
    }

    /// Runs a token tool (verify, introspect, userinfo, discover).
    pub(super) fn tool(&self, origin: Origin, command: ToolCommand) {
        let Operation {
            events,
            recorder,
            delivered,
            jwks,
            dpop_keys,
            ..
        } = self.operation(origin);
        tokio::spawn(async move {
            let dpop = match &command {
                tools::ToolCommand::Userinfo { profile, .. } => dpop_keys
                    .for_profile(origin.owner(), profile)
                    .await
                    .ok()
                    .flatten(),
                _ => None,
            };
            let event = tools::run(command, recorder, &jwks, dpop).await;
            settle(delivered).await;
            events.send(Event::Tool(origin, event)).await;
        });
    }
}
