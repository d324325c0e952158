//! The Flow slice: run a profile's grant all at once or step by step, and
//! draw what was observed as a sequence diagram.

pub mod diagram;
pub mod panel;
pub mod state;
pub mod step;
#[cfg(test)]
mod tests;

pub use state::{FlowState, GrantRun, Waiting};
pub use step::{Actor, FlowStep, StepStatus};

use crate::app::App;
use crate::app::bridge::Command;
use crate::app::session::{Origin, ProfileId};

/// What the Flow tab asks for.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum FlowAction {
    /// Run the selected grant.
    Run,
    /// Run it step by step: each request shown, editable, before it goes.
    NextStep,
    /// Open the authorization URL as edited (step mode).
    ApproveAuthorization,
    /// Send the prepared request as edited.
    SendPrepared,
    /// Drop the prepared request.
    DiscardPrepared,
    /// Cancel the grant in flight.
    Cancel,
    /// Hand the pasted redirect URL to the grant.
    PasteRedirect,
    /// Put text on the clipboard.
    Copy(String),
    /// Open an exchange in the HTTP log.
    ShowExchange(u64),
}

impl App {
    /// Applies a Flow tab action to `owner`'s run.
    pub(crate) fn flow_action(&mut self, owner: ProfileId, action: FlowAction) {
        match action {
            FlowAction::Run => self.start_grant(owner, false),
            FlowAction::NextStep => {
                if self
                    .state
                    .sessions
                    .of(owner)
                    .flow
                    .grant
                    .is_single_token_request()
                {
                    self.prepare_grant(owner);
                } else {
                    self.start_grant(owner, true);
                }
            }
            FlowAction::ApproveAuthorization => {
                let flow = &mut self.state.sessions.of(owner).flow;
                if let Some((endpoint, params)) = flow.approval.take() {
                    let query = url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(&params)
                        .finish();
                    let url = format!("{endpoint}?{query}");
                    if let Some(Waiting::Browser { url: shown, .. }) = &mut flow.waiting {
                        shown.clone_from(&url);
                    }
                    self.bridge.send(Command::ApproveAuthorization(owner, url));
                }
            }
            FlowAction::DiscardPrepared => {
                let flow = &mut self.state.sessions.of(owner).flow;
                if flow.prepared_in_run {
                    // The run waits for this request: discarding ends it.
                    self.bridge.send(Command::CancelGrant(owner));
                }
                flow.prepared = None;
            }
            FlowAction::SendPrepared => self.send_prepared(owner),
            FlowAction::Cancel => {
                self.bridge.send(Command::CancelGrant(owner));
            }
            FlowAction::PasteRedirect => {
                let text = std::mem::take(&mut self.state.sessions.of(owner).flow.paste);
                self.bridge.send(Command::PasteRedirect(owner, text));
            }
            FlowAction::Copy(text) => self.state.clipboard = Some(text),
            FlowAction::ShowExchange(id) => self.show_exchange(id),
        }
    }

    /// Runs `owner`'s selected grant as a flow run.
    pub(crate) fn start_grant(&mut self, owner: ProfileId, step: bool) {
        let Some((profile, grant, current, run)) = self.run_inputs(owner) else {
            return;
        };
        let session = self.state.sessions.of(owner);
        let command = Command::RunGrant {
            origin: Origin::Flow(owner, run),
            profile: Box::new(profile),
            grant,
            current,
            open_browser: self.options.open_browser,
            step,
            background: false,
        };
        if self.bridge.send(command) {
            let started = session.flow.start(grant, step);
            debug_assert_eq!(started, run);
            self.state.notice = None;
        } else {
            self.state.notice = Some("The engine is busy; try again in a moment.".to_string());
        }
    }

    /// What a run of `owner`'s selected grant needs: the profile, the
    /// grant, the profile's own current tokens (its refresh token, a token
    /// exchange's subject) and the next run's number — or the run is
    /// refused in place of the old one, saying why.
    fn run_inputs(
        &mut self,
        owner: ProfileId,
    ) -> Option<(
        crate::engine::Profile,
        crate::engine::GrantType,
        Box<crate::engine::grants::CurrentTokens>,
        u64,
    )> {
        let mut profile = match self.state.profiles.typed(owner) {
            Ok(profile) => profile,
            Err(message) => {
                self.refuse_run(owner, message);
                return None;
            }
        };
        let session = self.state.sessions.of(owner);
        if let Some(requirement) = session.flow.ask.take() {
            crate::engine::requests::step_up::ask(&mut profile, &requirement);
        }
        let grant = session.flow.grant;
        let current = session
            .tokens
            .current()
            .map(crate::engine::grants::CurrentTokens::of)
            .unwrap_or_default();
        if grant.needs_refresh_token() && current.refresh_token.is_none() {
            self.refuse_run(
                owner,
                "There is no refresh token to use: run a grant that issues one first.".to_string(),
            );
            return None;
        }
        Some((profile, grant, Box::new(current), session.flow.run_id + 1))
    }

    /// A run that cannot start: the old run leaves the screen and the
    /// reason takes its place, in the user's words.
    fn refuse_run(&mut self, owner: ProfileId, message: String) {
        let flow = &mut self.state.sessions.of(owner).flow;
        flow.reset();
        flow.finish(Err(crate::app::bridge::GrantFailure::message(format!(
            "Cannot run: {message}"
        ))));
    }

    /// Next step on a token endpoint grant: build the request for editing.
    fn prepare_grant(&mut self, owner: ProfileId) {
        let Some((profile, grant, current, run)) = self.run_inputs(owner) else {
            return;
        };
        let session = self.state.sessions.of(owner);
        let command = Command::PrepareGrant {
            origin: Origin::Flow(owner, run),
            profile: Box::new(profile),
            grant,
            current,
        };
        if self.bridge.send(command) {
            session.flow.start_preparing();
        }
    }

    /// Sends the edited request: back to the run that paused for it, or on
    /// its own.
    fn send_prepared(&mut self, owner: ProfileId) {
        let profile = self.state.profiles.typed(owner);
        let flow = &mut self.state.sessions.of(owner).flow;
        let Some(prepared) = flow.prepared.clone() else {
            return;
        };
        if flow.prepared_in_run {
            if self
                .bridge
                .send(Command::ApproveRequest(owner, Box::new(prepared)))
            {
                flow.sent_prepared();
            }
            return;
        }
        let profile = match profile {
            Ok(profile) => profile,
            Err(message) => {
                self.refuse_run(owner, message);
                return;
            }
        };
        let command = Command::SendPrepared {
            origin: Origin::Flow(owner, flow.run_id),
            profile: Box::new(profile),
            prepared: Box::new(prepared),
        };
        if self.bridge.send(command) {
            flow.sent_prepared();
        }
    }
}
