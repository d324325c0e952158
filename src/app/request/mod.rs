//! The Request slice: call the API with the profile's own token.

pub mod panel;
pub mod state;

pub use state::RequestState;

use crate::app::bridge::Command;
use crate::app::session::ProfileId;
use crate::app::{App, Tab};
use crate::engine::GrantType;
use crate::engine::endpoints::api::ApiRequest;

/// What the Request tab asks for.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum RequestAction {
    /// Send the request.
    Send,
    /// Fill the form from a ready-made request of the profile.
    LoadSaved(usize),
    /// Use the refresh token, then send the request again.
    RefreshAndRetry,
    /// Run the profile's grant again, then send the request again.
    ReauthorizeAndRetry,
    /// Step-up (RFC 9470 §4): run the profile's browser grant asking for
    /// this of the sign-in, then send the request again.
    StepUp(crate::engine::requests::step_up::AuthRequirement),
    /// A client_credentials profile from the client account in the response.
    ProfileFromResponse,
}

impl App {
    /// Applies a Request tab action for the profile `owner`.
    pub(crate) fn request_action(&mut self, owner: ProfileId, action: RequestAction) {
        match action {
            RequestAction::Send => self.send_request(owner),
            RequestAction::LoadSaved(index) => {
                if let Ok(profile) = self.state.profiles.typed(owner)
                    && let Some(saved) = profile.requests.get(index)
                {
                    self.state
                        .sessions
                        .of(owner)
                        .request
                        .fill(&ApiRequest::from_saved(saved, profile.api.as_ref()));
                }
            }
            RequestAction::RefreshAndRetry => {
                self.state.sessions.of(owner).request.retry_after_refresh = true;
                self.refresh(owner);
            }
            RequestAction::ReauthorizeAndRetry => {
                let grant = self
                    .state
                    .profiles
                    .entry(owner)
                    .and_then(|e| e.file.grant_type)
                    .unwrap_or(GrantType::AuthorizationCode);
                self.state.sessions.of(owner).flow.grant = grant;
                self.start_grant(owner, false);
                let session = self.state.sessions.of(owner);
                session.request.retry_after_refresh = session.flow.run.is_running();
                self.state.tab = Tab::Flow;
            }
            RequestAction::StepUp(requirement) => {
                let grant = self
                    .state
                    .profiles
                    .entry(owner)
                    .and_then(|e| e.file.grant_type)
                    .filter(|g| g.needs_browser())
                    .unwrap_or(GrantType::AuthorizationCode);
                let session = self.state.sessions.of(owner);
                session.flow.grant = grant;
                session.flow.ask = Some(requirement);
                self.start_grant(owner, false);
                let session = self.state.sessions.of(owner);
                // A run that did not start leaves nothing to ask next time.
                session.flow.ask = None;
                session.request.retry_after_refresh = session.flow.run.is_running();
                self.state.tab = Tab::Flow;
            }
            RequestAction::ProfileFromResponse => {
                let session = self.state.sessions.of(owner);
                let body = session
                    .request
                    .answer
                    .value()
                    .and_then(|answer| answer.as_ref().ok())
                    .and_then(|answer| answer.response.exchange.response.as_ref())
                    .and_then(|r| serde_json::from_slice::<serde_json::Value>(&r.body).ok());
                let file = self
                    .state
                    .profiles
                    .entry(owner)
                    .zip(body)
                    .and_then(|(entry, body)| entry.file.for_client_account(&body));
                match file {
                    Some(file) => {
                        self.add_profile(file);
                        self.state.tab = Tab::Flow;
                        self.state.notice = Some(
                            "New client_credentials profile from the response, saved: Run all to get its token."
                                .to_string(),
                        );
                    }
                    None => {
                        self.state.notice =
                            Some("The response has no client_id and client_secret.".to_string());
                    }
                }
            }
        }
    }

    /// Sends the profile's API request with the profile's own access token.
    pub(crate) fn send_request(&mut self, owner: ProfileId) {
        let profile = match self.state.profiles.typed(owner) {
            Ok(profile) => profile,
            Err(message) => {
                self.state.sessions.of(owner).request.refuse(message);
                return;
            }
        };
        let session = self.state.sessions.of(owner);
        let request: ApiRequest = match session.request.build(&profile) {
            Ok(request) => request,
            Err(message) => {
                session.request.refuse(message);
                return;
            }
        };
        let current = session.tokens.current();
        let token = current.map(|t| t.access_token.clone());
        let mut profile = profile;
        if !current.is_some_and(|t| t.is_dpop_bound()) {
            // A Bearer token goes as Bearer, whatever the profile asked for
            // (a server that ignored the proof issued one).
            profile.dpop = None;
        }
        let command = Command::SendRequest {
            owner,
            profile: Box::new(profile),
            request: Box::new(request),
            token,
        };
        if self.bridge.send(command) {
            self.state.sessions.of(owner).request.start();
        }
    }
}
