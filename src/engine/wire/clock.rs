//! Clock skew: how far a server's clock is from this machine's, read from
//! the `Date` header of its responses (RFC 9110 §6.6.1). Tokens carry
//! absolute times (`exp`, `iat`, `nbf`), so a skewed clock makes fresh
//! tokens look expired or not yet valid.

use chrono::{DateTime, Utc};

use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::wire::http::Exchange;

/// Differences up to this many seconds are not reported.
pub const SKEW_WARNING_SECS: i64 = 30;

/// The server's time from a `Date` header value (an IMF-fixdate such as
/// `Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(value.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Seconds the server's clock is ahead of ours (negative: behind), from the
/// exchange's `Date` header compared with the middle of the exchange.
/// `None` without a response or a readable `Date`.
pub fn skew_secs(exchange: &Exchange) -> Option<i64> {
    let date = exchange.response.as_ref()?.header("date")?;
    let server = parse_http_date(date)?;
    let half = chrono::Duration::from_std(exchange.duration / 2).ok()?;
    let local = exchange.started_at + half;
    Some((server - local).num_seconds())
}

/// A warning when the server's clock differs from ours by more than
/// [`SKEW_WARNING_SECS`].
pub fn skew_finding(exchange: &Exchange) -> Option<Finding> {
    let skew = skew_secs(exchange)?;
    if skew.abs() <= SKEW_WARNING_SECS {
        return None;
    }
    let direction = if skew > 0 { "ahead of" } else { "behind" };
    Some(Finding::new(
        Severity::Warning,
        "clock_skew",
        format!(
            "the server's clock (Date header) is {} s {direction} this machine's; token times (exp, iat, nbf) will look off by as much",
            skew.abs()
        ),
        Some("RFC 9110 §6.6.1"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::wire::http::{ExchangeKind, RecordedRequest, RecordedResponse};
    use std::time::Duration;

    fn exchange(date: &str, started_at: DateTime<Utc>) -> Exchange {
        Exchange {
            id: 1,
            kind: ExchangeKind::Discovery,
            started_at,
            duration: Duration::from_millis(200),
            request: RecordedRequest {
                method: "GET".into(),
                url: "http://127.0.0.1/".into(),
                headers: Vec::new(),
                body: bytes::Bytes::new(),
            },
            response: Some(RecordedResponse {
                status: 200,
                headers: vec![("date".into(), date.into())],
                body: bytes::Bytes::new(),
                truncated: false,
            }),
            error: None,
        }
    }

    #[test]
    fn skew_beyond_thirty_seconds_is_a_warning() {
        let server = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").expect("date");
        let same = exchange("Sun, 06 Nov 1994 08:49:37 GMT", server);
        assert_eq!(skew_secs(&same), Some(0));
        assert_eq!(skew_finding(&same), None);
        let behind = exchange(
            "Sun, 06 Nov 1994 08:49:37 GMT",
            server + chrono::Duration::seconds(90),
        );
        assert_eq!(skew_secs(&behind), Some(-90));
        let finding = skew_finding(&behind).expect("finding");
        assert_eq!(finding.code, "clock_skew");
        assert!(finding.message.contains("90 s behind"), "{finding}");
        assert_eq!(skew_secs(&exchange("yesterday", server)), None);
    }
}
