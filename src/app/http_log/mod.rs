//! The HTTP log slice: every exchange of the session, filtered by profile,
//! kind and text, with the raw request and response and HAR export.

pub mod panel;
pub mod state;

pub use state::{LogRow, LogState};

use crate::app::App;
use crate::app::bridge::Command;

/// What the HTTP log asks for.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum LogAction {
    /// Put text on the clipboard.
    Copy(String),
    /// Write the session's exchanges to the HAR file named in the log.
    ExportHar,
}

impl App {
    /// Applies an HTTP log action.
    pub(crate) fn log_action(&mut self, action: LogAction) {
        match action {
            LogAction::Copy(text) => self.state.clipboard = Some(text),
            LogAction::ExportHar => {
                let command = Command::ExportHar {
                    path: std::path::PathBuf::from(self.state.log.har_path.trim()),
                    exchanges: self.state.exchanges.clone(),
                    include_secrets: self.state.log.har_secrets && !self.state.presenting,
                };
                if self.bridge.send(command) {
                    self.state.log.har_result = Some((true, "Exporting…".to_string()));
                }
            }
        }
    }
}
