//! The HTTP log slice: every exchange of the session, filtered by profile,
//! kind and text, with the raw request and response and HAR export.

pub mod panel;
pub mod spill;
pub mod state;

pub use spill::{ExchangeLog, LogBudget};
pub use state::{LogRow, LogState};

use crate::app::App;
use crate::app::bridge::Command;
use crate::engine::wire::http::Exchange;

/// What the HTTP log asks for.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum LogAction {
    /// Put text on the clipboard.
    Copy(String),
    /// Write the session's exchanges to the HAR file named in the log.
    ExportHar,
    /// Read an exchange back from the session file.
    ReadSpilled(u64),
    /// The settings: keep every exchange in memory; keep secrets in the
    /// session file.
    SessionFile {
        /// Keep every exchange in memory.
        keep_in_memory: bool,
        /// Keep secrets in the session file.
        keep_secrets: bool,
    },
}

impl App {
    /// Applies an HTTP log action.
    pub(crate) fn log_action(&mut self, action: LogAction) {
        match action {
            LogAction::Copy(text) => self.state.clipboard = Some(text),
            LogAction::ExportHar => {
                let command = Command::ExportHar {
                    path: std::path::PathBuf::from(self.state.log.har_path.trim()),
                    exchanges: self.state.exchanges.recent().iter().cloned().collect(),
                    include_secrets: self.state.log.har_secrets && !self.state.presenting,
                    with_spilled: self.state.exchanges.spilled_count() > 0,
                };
                if self.bridge.send(command) {
                    self.state.log.har_result = Some((true, "Exporting…".to_string()));
                }
            }
            LogAction::ReadSpilled(id) => {
                if self.bridge.send(Command::ReadSpilled(id)) {
                    self.state.exchanges.reading = Some(id);
                }
            }
            LogAction::SessionFile {
                keep_in_memory,
                keep_secrets,
            } => {
                let log = &mut self.state.exchanges;
                log.keep_in_memory = keep_in_memory;
                log.keep_secrets = keep_secrets;
                self.bridge.send(Command::SaveLogSettings {
                    keep_in_memory,
                    keep_secrets,
                });
                self.spill_overflow();
            }
        }
    }

    /// Moves the oldest exchanges to the session file when the log is over
    /// its memory budget.
    pub(crate) fn spill_overflow(&mut self) {
        let keep_secrets = self.state.exchanges.keep_secrets;
        if let Some(exchanges) = self.state.exchanges.overflow() {
            let command = Command::Spill {
                exchanges,
                keep_secrets,
            };
            if let Err(command) = self.bridge.try_send(command)
                && let Command::Spill { exchanges, .. } = *command
            {
                // The bridge is busy: they stay in memory until the next try.
                self.state.exchanges.put_back(exchanges);
            }
        }
    }

    /// The session file took the exchanges, or gave them back.
    pub(crate) fn spill_finished(&mut self, result: Result<bool, (Vec<Exchange>, String)>) {
        match result {
            Ok(masked) => self.state.exchanges.spilled(masked),
            Err((exchanges, problem)) => {
                self.state.notice = Some(format!(
                    "Older exchanges stay in memory: the session file cannot be written ({problem})"
                ));
                self.state.exchanges.spill_failed(exchanges, problem);
            }
        }
    }

    /// An exchange came back from the session file (or why not).
    pub(crate) fn spilled_read(&mut self, id: u64, result: Result<Exchange, String>) {
        let log = &mut self.state.exchanges;
        if log.reading == Some(id) {
            log.reading = None;
        }
        match result {
            Ok(exchange) => log.paged_in = Some(exchange),
            Err(message) => self.state.notice = Some(message),
        }
    }
}
