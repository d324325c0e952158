//! The HTTP log's state: filters, a compact row per exchange (kept for the
//! whole session, so the count and find cover every exchange), the rows a
//! filter lets through (found once per filter, not per frame), the detail
//! pane's lines and the HAR export.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::Arc;

use chrono::Timelike;

use crate::app::session::ProfileId;
use crate::engine::wire::http::{Exchange, ExchangeKind};
use crate::engine::wire::redact;

/// The HTTP log tab.
#[derive(Debug, Clone, Default)]
pub struct LogState {
    /// Show every profile's exchanges, not only the selected profile's.
    pub all_profiles: bool,
    /// Text filter (URL, method or status).
    pub filter: String,
    /// Kind filter.
    pub kind: Option<ExchangeKind>,
    /// The exchange in the detail pane.
    pub selected: Option<u64>,
    /// One row per exchange of the session, in arrival order.
    rows: Vec<LogRow>,
    /// The rows' URLs and methods, each kept once (a day of refreshes is
    /// one token URL, not thousands of copies).
    texts: HashSet<Arc<str>>,
    /// The rows the filters let through.
    shown: Shown,
    /// The detail pane's lines: for which exchange, revealed or not.
    pub detail: Option<(u64, bool, Vec<String>)>,
    /// Where "Export HAR" writes.
    pub har_path: String,
    /// Keep secrets in the HAR export.
    pub har_secrets: bool,
    /// What the last export did: (success, message).
    pub har_result: Option<(bool, String)>,
}

/// A table row of the HTTP log: what it shows, as fields (its text is made
/// when it is drawn or searched). 64 bytes whatever the exchange's size (a
/// test keeps it at 80 or less): every exchange of a day-long session keeps
/// one.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRow {
    /// The exchange.
    pub id: u64,
    /// The profile whose work it was.
    pub owner: ProfileId,
    /// Its kind, for the filter.
    pub kind: ExchangeKind,
    /// Local time of day it started, in seconds.
    clock: u32,
    /// The response status; `None` when there was no response.
    status: Option<u16>,
    /// How long it took, in milliseconds.
    millis: u32,
    /// The request method.
    method: Arc<str>,
    /// The URL, its secrets masked.
    url: Arc<str>,
}

impl LogRow {
    /// The row's text: time, kind, status, duration, method, URL — the URL
    /// last, so a narrow window cuts the URL, not the status.
    pub fn text(&self) -> String {
        let mut text = String::with_capacity(48 + self.url.len());
        self.write(&mut text);
        text
    }

    /// Writes the row's text, allocating nothing and formatting little: a
    /// find over a hundred thousand rows writes each once.
    fn write(&self, text: &mut String) {
        fn two(text: &mut String, n: u32) {
            text.push(char::from(b'0' + (n / 10 % 10) as u8));
            text.push(char::from(b'0' + (n % 10) as u8));
        }
        fn padded(text: &mut String, s: &str, width: usize) {
            text.push_str(s);
            text.extend(std::iter::repeat_n(' ', width.saturating_sub(s.len())));
        }
        two(text, self.clock / 3600);
        text.push(':');
        two(text, self.clock / 60 % 60);
        text.push(':');
        two(text, self.clock % 60);
        text.push_str("  ");
        padded(text, self.kind.as_str(), 13);
        text.push(' ');
        let _ = match self.status {
            Some(status) => write!(text, "{status:>3}"),
            None => write!(text, "ERR"),
        };
        let _ = write!(text, " {:>6} ms  ", self.millis);
        padded(text, &self.method, 6);
        text.push(' ');
        text.push_str(&self.url);
    }
}

/// Which rows the filters let through, kept between frames: a new row is
/// tested once when it arrives, and every row only when a filter changes.
#[derive(Debug, Clone, Default)]
struct Shown {
    /// The filters the list is for: text (lower case), kind, profile
    /// (`None`: all profiles).
    key: Option<(String, Option<ExchangeKind>, Option<ProfileId>)>,
    /// How many rows were tested.
    tested: usize,
    /// Indexes of the rows let through, in order.
    rows: Vec<u32>,
}

impl LogState {
    /// Adds the row of a new exchange.
    pub fn add_row(&mut self, exchange: &Exchange, owner: ProfileId) {
        let started = exchange.started_at.with_timezone(&chrono::Local);
        let row = LogRow {
            id: exchange.id,
            owner,
            kind: exchange.kind,
            clock: started.num_seconds_from_midnight(),
            status: exchange.status(),
            millis: u32::try_from(exchange.duration.as_millis()).unwrap_or(u32::MAX),
            method: self.shared(&exchange.request.method),
            url: self.shared(&redact::url(&exchange.request.url)),
        };
        self.rows.push(row);
    }

    /// The one copy of `text` the rows share.
    fn shared(&mut self, text: &str) -> Arc<str> {
        if let Some(kept) = self.texts.get(text) {
            return kept.clone();
        }
        let kept: Arc<str> = Arc::from(text);
        self.texts.insert(kept.clone());
        kept
    }

    /// Every row, in arrival order.
    pub fn rows(&self) -> &[LogRow] {
        &self.rows
    }

    /// The row of exchange `id`.
    pub fn row(&self, id: u64) -> Option<&LogRow> {
        self.rows.iter().rev().find(|r| r.id == id)
    }

    /// The rows the filters let through, as indexes into [`Self::rows`]:
    /// as found by the last [`Self::filter_rows`].
    pub fn shown(&self) -> &[u32] {
        &self.shown.rows
    }

    /// Finds the rows the filters let through for `profile` (all profiles
    /// when "All profiles" is ticked). Tests only the rows that came since
    /// the last call, unless a filter changed; a longer text than the last
    /// only narrows what it found.
    pub fn filter_rows(&mut self, profile: ProfileId) {
        let key = (
            self.filter.trim().to_ascii_lowercase(),
            self.kind,
            (!self.all_profiles).then_some(profile),
        );
        let shown = &mut self.shown;
        let mut text = String::new();
        let lets_through = |row: &LogRow, text: &mut String| {
            key.2.is_none_or(|p| row.owner == p)
                && key.1.is_none_or(|k| row.kind == k)
                && (key.0.is_empty() || {
                    text.clear();
                    row.write(text);
                    text.make_ascii_lowercase();
                    text.contains(key.0.as_str())
                })
        };
        if shown.key.as_ref() != Some(&key) {
            let narrows = shown.key.as_ref().is_some_and(|(old, kind, owner)| {
                *kind == key.1 && *owner == key.2 && key.0.contains(old.as_str())
            });
            if narrows {
                let rows = &self.rows;
                shown
                    .rows
                    .retain(|&i| lets_through(&rows[i as usize], &mut text));
            } else {
                shown.rows.clear();
                shown.tested = 0;
            }
            shown.key = Some(key.clone());
        }
        for (i, row) in self.rows.iter().enumerate().skip(shown.tested) {
            if lets_through(row, &mut text) {
                shown.rows.push(i as u32);
            }
        }
        shown.tested = self.rows.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::wire::http::{RecordedRequest, RecordedResponse};

    fn exchange(id: u64, kind: ExchangeKind, url: &str, status: Option<u16>) -> Exchange {
        Exchange {
            id,
            kind,
            started_at: chrono::Utc::now(),
            duration: std::time::Duration::from_millis(12),
            request: RecordedRequest {
                method: "POST".to_string(),
                url: url.to_string(),
                headers: Vec::new(),
                body: Default::default(),
            },
            response: status.map(|status| RecordedResponse {
                status,
                headers: Vec::new(),
                body: Default::default(),
                truncated: false,
            }),
            error: None,
        }
    }

    #[test]
    fn a_row_reads_as_before_and_masks_secrets_in_its_url() {
        let mut log = LogState::default();
        let token = "http://127.0.0.1:9/token?client_secret=hunter2";
        log.add_row(
            &exchange(1, ExchangeKind::Token, token, Some(200)),
            ProfileId(1),
        );
        log.add_row(
            &exchange(2, ExchangeKind::Api, "http://127.0.0.1:9/api", None),
            ProfileId(1),
        );
        let text = log.rows()[0].text();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(
            text.contains("  token         200     12 ms  POST   http://127.0.0.1:9/token?"),
            "{text}"
        );
        assert_eq!(text.as_bytes()[2], b':');
        assert!(log.rows()[1].text().contains(" ERR "), "no response: ERR");
    }

    #[test]
    fn rows_share_their_url_and_method_and_stay_small() {
        let mut log = LogState::default();
        for id in 1..=1_000 {
            let url = "http://127.0.0.1:9/token";
            log.add_row(
                &exchange(id, ExchangeKind::Token, url, Some(200)),
                ProfileId(1),
            );
        }
        assert_eq!(
            log.texts.len(),
            2,
            "one URL and one method for a thousand rows"
        );
        assert!(Arc::ptr_eq(&log.rows()[0].url, &log.rows()[999].url));
        assert!(
            std::mem::size_of::<LogRow>() <= 80,
            "a row is {} bytes: every exchange of the session keeps one",
            std::mem::size_of::<LogRow>()
        );
    }

    #[test]
    fn the_filters_find_rows_once_and_follow_new_rows_and_changes() {
        let mut log = LogState::default();
        let (me, other) = (ProfileId(1), ProfileId(2));
        let shown = |log: &mut LogState, profile| {
            log.filter_rows(profile);
            log.shown().to_vec()
        };
        log.add_row(
            &exchange(1, ExchangeKind::Token, "http://a/token", Some(200)),
            me,
        );
        log.add_row(
            &exchange(2, ExchangeKind::Api, "http://a/API/items", Some(404)),
            me,
        );
        log.add_row(
            &exchange(3, ExchangeKind::Api, "http://a/api", Some(200)),
            other,
        );
        assert_eq!(shown(&mut log, me), [0, 1], "the selected profile's");
        log.all_profiles = true;
        assert_eq!(shown(&mut log, me), [0, 1, 2]);
        log.filter = " api ".to_string();
        assert_eq!(shown(&mut log, me), [1, 2], "case and spaces aside");
        log.filter = "api/items".to_string();
        assert_eq!(shown(&mut log, me), [1], "a longer text narrows");
        log.add_row(
            &exchange(4, ExchangeKind::Api, "http://a/api/items/7", Some(200)),
            other,
        );
        assert_eq!(
            shown(&mut log, me),
            [1, 3],
            "a new row is tested as it comes"
        );
        log.filter = "404".to_string();
        assert_eq!(shown(&mut log, me), [1], "the status");
        log.filter.clear();
        log.kind = Some(ExchangeKind::Token);
        assert_eq!(shown(&mut log, me), [0]);
        log.kind = None;
        log.all_profiles = false;
        assert_eq!(shown(&mut log, other), [2, 3], "another profile selected");
    }
}
