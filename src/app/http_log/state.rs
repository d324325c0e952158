//! The HTTP log's state: filters, rows made once per exchange, the detail
//! pane's lines and the HAR export.

use crate::engine::wire::http::ExchangeKind;

/// The HTTP log tab.
#[derive(Debug, Clone, Default)]
pub struct LogState {
    /// Show every profile's exchanges, not only the selected profile's.
    pub all_profiles: bool,
    /// Text filter (URL, method, status).
    pub filter: String,
    /// Kind filter.
    pub kind: Option<ExchangeKind>,
    /// The exchange in the detail pane.
    pub selected: Option<u64>,
    /// One row of text per exchange, made once when it arrives.
    pub rows: Vec<LogRow>,
    /// The detail pane's lines: for which exchange, revealed or not.
    pub detail: Option<(u64, bool, Vec<String>)>,
    /// Where "Export HAR" writes.
    pub har_path: String,
    /// Keep secrets in the HAR export.
    pub har_secrets: bool,
    /// What the last export did: (success, message).
    pub har_result: Option<(bool, String)>,
}

/// A table row of the HTTP log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRow {
    /// The exchange.
    pub id: u64,
    /// The profile whose work it was.
    pub owner: crate::app::session::ProfileId,
    /// Its kind, for the filter.
    pub kind: ExchangeKind,
    /// What the row shows.
    pub text: String,
    /// The same in lower case, for the text filter.
    pub lower: String,
}
