//! The Audit slice: runs the engine's server audit
//! ([`crate::engine::audit`]) for a profile and shows each check as it
//! finishes. The audit belongs to the profile whose session holds it.

pub mod panel;
pub mod state;

pub use state::AuditState;

use crate::app::App;
use crate::app::bridge::Command;
use crate::app::session::ProfileId;

/// What the Audit tab asks for.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum AuditAction {
    /// Run the audit against the profile's server.
    Run,
    /// Put text on the clipboard.
    Copy(String),
    /// Open an exchange in the HTTP log.
    ShowExchange(u64),
}

impl App {
    /// Applies an Audit tab action for `owner`.
    pub(crate) fn audit_action(&mut self, owner: ProfileId, action: AuditAction) {
        match action {
            AuditAction::Run => {
                let profile = match self.state.profiles.typed(owner) {
                    Ok(profile) => profile,
                    Err(message) => {
                        let audit = &mut self.state.sessions.of(owner).audit;
                        audit.ended = Some(Err(message));
                        return;
                    }
                };
                let command = Command::RunAudit {
                    owner,
                    profile: Box::new(profile),
                    open_browser: self.options.open_browser,
                };
                if self.bridge.send(command) {
                    self.state.sessions.of(owner).audit.start();
                } else {
                    self.state.notice =
                        Some("The engine is busy; try again in a moment.".to_string());
                }
            }
            AuditAction::Copy(text) => self.state.clipboard = Some(text),
            AuditAction::ShowExchange(id) => self.show_exchange(id),
        }
    }
}
