//! A profile's tokens: the token sets it obtained, their timeline (issued,
//! refreshed, rotated, revoked, expired, failed), auto-refresh, and what the
//! last logout or revocation did. Pure transitions, tested without egui.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::app::bounded::push_newest;
use crate::app::bridge::GrantFailure;
use crate::app::pending::Pending;
use crate::app::widgets::json_doc::JsonDoc;
use crate::app::widgets::json_tree::JsonTreeView;
use crate::engine::TokenSet;
use crate::engine::endpoints::revoke::TokenHint;

/// How many token sets a profile keeps in memory (the newest). A day of
/// 7-second tokens refreshed every 3.5 s is about 8,000 sets: older ones
/// leave memory, and stay as their exchanges in the HTTP log (and the
/// session file) and, the newest [`TIMELINE_KEPT`], as timeline entries.
pub const HISTORY_KEPT: usize = 50;

/// How many timeline entries a profile keeps in memory (the newest; up to a
/// tenth more before the oldest go, in a batch). A day of 7-second tokens
/// is about 8,000 entries: the older ones leave memory, and what they said
/// stays in the HTTP log as their exchanges.
pub const TIMELINE_KEPT: usize = 2_000;

/// How many timeline entries the tab shows at first, and adds per "Show
/// older".
pub const TIMELINE_PAGE: usize = 50;

/// Seconds before expiry at which auto-refresh uses the refresh token.
pub const DEFAULT_REFRESH_THRESHOLD: &str = "30";

/// What happened to a profile's tokens.
#[derive(Debug, Clone, PartialEq)]
pub enum TimelineKind {
    /// A grant issued a token set.
    Issued,
    /// The refresh token brought a new access token; the refresh token was
    /// rotated when the second field says so.
    Refreshed {
        /// A new refresh token came and replaced the old one.
        rotated: bool,
    },
    /// A token was revoked.
    Revoked(TokenHint),
    /// The access token expired.
    Expired,
    /// A refresh, revocation or logout failed.
    Failed(Box<GrantFailure>),
    /// The profile's logout request answered.
    LoggedOut,
}

/// One entry of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: TimelineKind,
    /// For people.
    pub text: String,
    /// The exchange that shows it.
    pub exchange_id: Option<u64>,
}

/// A profile's tokens.
#[derive(Debug, Clone)]
pub struct TokenState {
    /// Newest last.
    pub history: Vec<TokenSet>,
    /// What happened to them, oldest first: the newest [`TIMELINE_KEPT`].
    pub timeline: Vec<TimelineEntry>,
    /// Timeline entries that left memory.
    pub timeline_dropped: usize,
    /// How many timeline entries the tab shows, newest first.
    pub timeline_shown: usize,
    /// Token sets that left memory ([`HISTORY_KEPT`]).
    pub history_dropped: usize,
    /// Refresh by itself ahead of expiry.
    pub auto_refresh: bool,
    /// How many seconds ahead, as typed.
    pub threshold: String,
    /// The token set (by receipt time) auto-refresh already acted on.
    pub refreshed: Option<DateTime<Utc>>,
    /// A refresh in flight, and how the last one ended.
    pub refreshing: Pending<Result<(), GrantFailure>>,
    /// A logout or revocation in flight, and what the last one did:
    /// (success, message), for the token set received at this time.
    pub ending: Pending<(DateTime<Utc>, bool, String)>,
    /// Tokens of this profile revoked or logged out: (which token set, by
    /// receipt time; which token).
    pub revoked: Vec<(DateTime<Utc>, TokenHint)>,
    /// The token set (by receipt time) whose expiry is on the timeline.
    pub expired_noted: Option<DateTime<Utc>>,
    /// The current raw response as a tree: for which token set (by receipt
    /// time) and whether secrets were shown.
    pub raw_tree: Option<(DateTime<Utc>, bool, Arc<JsonDoc>, JsonTreeView)>,
}

impl Default for TokenState {
    fn default() -> Self {
        Self {
            history: Vec::new(),
            timeline: Vec::new(),
            timeline_dropped: 0,
            timeline_shown: TIMELINE_PAGE,
            history_dropped: 0,
            auto_refresh: false,
            threshold: DEFAULT_REFRESH_THRESHOLD.to_string(),
            refreshed: None,
            refreshing: Pending::Idle,
            ending: Pending::Idle,
            revoked: Vec::new(),
            expired_noted: None,
            raw_tree: None,
        }
    }
}

impl TokenState {
    /// The newest token set.
    pub fn current(&self) -> Option<&TokenSet> {
        self.history.last()
    }

    /// Operations in flight.
    pub fn in_flight(&self) -> usize {
        usize::from(self.refreshing.is_waiting()) + usize::from(self.ending.is_waiting())
    }

    /// A grant (not a refresh) issued `tokens`.
    pub fn issued(&mut self, tokens: TokenSet) {
        self.note(TimelineEntry {
            at: tokens.obtained_at,
            kind: TimelineKind::Issued,
            text: format!("Issued by the {} grant", tokens.grant.label()),
            exchange_id: tokens.exchange_id,
        });
        self.keep(tokens);
    }

    /// Adds an entry to the timeline, letting the oldest leave memory
    /// beyond [`TIMELINE_KEPT`].
    fn note(&mut self, entry: TimelineEntry) {
        self.timeline_dropped +=
            push_newest(&mut self.timeline, entry, TIMELINE_KEPT, TIMELINE_KEPT / 10);
    }

    /// Adds the newest token set, letting the oldest leave memory beyond
    /// [`HISTORY_KEPT`].
    fn keep(&mut self, tokens: TokenSet) {
        self.history_dropped += push_newest(&mut self.history, tokens, HISTORY_KEPT, 0);
    }

    /// A refresh ended: the new tokens go on the timeline (rotated or not),
    /// or the failure does — and stays shown on the tokens.
    pub fn refresh_finished(&mut self, result: Result<TokenSet, GrantFailure>) {
        match result {
            Ok(tokens) => {
                let before = self.current().and_then(|t| t.refresh_token.clone());
                let rotated = tokens
                    .refresh_token
                    .as_ref()
                    .is_some_and(|new| before.as_ref().is_none_or(|old| old != new));
                let rerun = !tokens.grant.needs_refresh_token();
                self.note(TimelineEntry {
                    at: tokens.obtained_at,
                    kind: TimelineKind::Refreshed { rotated },
                    text: if rerun {
                        format!(
                            "Renewed by running the {} grant again (it issued no refresh token)",
                            tokens.grant.label()
                        )
                    } else if rotated {
                        "Refreshed; the refresh token was rotated (the old one is spent)"
                            .to_string()
                    } else {
                        "Refreshed; the same refresh token stays in use".to_string()
                    },
                    exchange_id: tokens.exchange_id,
                });
                // A refresh response may omit the refresh token: the one in
                // use stays valid (RFC 6749 §6).
                let mut tokens = tokens;
                if tokens.refresh_token.is_none() {
                    tokens.refresh_token = before;
                }
                self.keep(tokens);
                self.refreshing.finish(Ok(()));
            }
            Err(failure) => {
                self.note(TimelineEntry {
                    at: Utc::now(),
                    kind: TimelineKind::Failed(Box::new(failure.clone())),
                    text: format!("Refresh failed: {}", failure.message),
                    exchange_id: failure.exchange_id,
                });
                self.refreshing.finish(Err(failure));
            }
        }
    }

    /// A logout or revocation of the current token set ended.
    pub fn end_finished(&mut self, hint: Option<TokenHint>, result: Result<String, GrantFailure>) {
        let Some(at) = self.current().map(|t| t.obtained_at) else {
            return;
        };
        match result {
            Ok(message) => {
                let (kind, hints) = match hint {
                    Some(hint) => (TimelineKind::Revoked(hint), vec![hint]),
                    // A logout ends the session: both tokens are gone.
                    None => (
                        TimelineKind::LoggedOut,
                        vec![TokenHint::AccessToken, TokenHint::RefreshToken],
                    ),
                };
                for hint in hints {
                    self.revoked.push((at, hint));
                }
                self.note(TimelineEntry {
                    at: Utc::now(),
                    kind,
                    text: message.lines().next().unwrap_or_default().to_string(),
                    exchange_id: None,
                });
                self.ending.finish((at, true, message));
            }
            Err(failure) => {
                self.note(TimelineEntry {
                    at: Utc::now(),
                    kind: TimelineKind::Failed(Box::new(failure.clone())),
                    text: failure.message.clone(),
                    exchange_id: failure.exchange_id,
                });
                self.ending.finish((at, false, failure.message));
            }
        }
    }

    /// The provider ended the session of the current token set (OpenID
    /// logout, either channel): both tokens are gone, said on the timeline.
    pub fn session_ended(&mut self, text: &str) {
        let Some(at) = self.current().map(|t| t.obtained_at) else {
            return;
        };
        for hint in [TokenHint::AccessToken, TokenHint::RefreshToken] {
            if !self.revoked.contains(&(at, hint)) {
                self.revoked.push((at, hint));
            }
        }
        self.note(TimelineEntry {
            at: Utc::now(),
            kind: TimelineKind::LoggedOut,
            text: text.to_string(),
            exchange_id: None,
        });
    }

    /// True when this token of the current set was revoked (or logged out).
    pub fn is_revoked(&self, hint: TokenHint) -> bool {
        self.current()
            .is_some_and(|t| self.revoked.contains(&(t.obtained_at, hint)))
    }

    /// What the last logout or revocation of the current token set did.
    pub fn ended(&self) -> Option<(bool, &str)> {
        let current = self.current()?.obtained_at;
        match self.ending.value() {
            Some((at, ok, message)) if *at == current => Some((*ok, message)),
            _ => None,
        }
    }

    /// The last refresh failed and nothing newer came since: why.
    pub fn refresh_failure(&self) -> Option<&GrantFailure> {
        match &self.refreshing {
            Pending::Ready(Err(failure)) => Some(failure),
            _ => None,
        }
    }

    /// Puts the current access token's expiry on the timeline once it has
    /// passed; true when it did so now.
    pub fn note_expiry(&mut self, now: DateTime<Utc>) -> bool {
        let Some(current) = self.current() else {
            return false;
        };
        let (obtained, Some(expires)) = (current.obtained_at, current.expires_at) else {
            return false;
        };
        if expires > now || self.expired_noted == Some(obtained) {
            return false;
        }
        self.expired_noted = Some(obtained);
        self.note(TimelineEntry {
            at: expires,
            kind: TimelineKind::Expired,
            text: "The access token expired".to_string(),
            exchange_id: None,
        });
        true
    }

    /// When auto-refresh should act on the current token set: `None` when it
    /// is off, already done, in flight, or impossible (no expiry; no refresh
    /// token and a grant that needs a person; the refresh token revoked).
    /// Without a refresh token, a grant that runs unattended (client
    /// credentials…) is run again instead.
    pub fn refresh_due(&self) -> Option<DateTime<Utc>> {
        let current = self.current()?;
        let renewable = match &current.refresh_token {
            Some(_) => !self.is_revoked(TokenHint::RefreshToken),
            None => current.grant.reruns_unattended(),
        };
        if !self.auto_refresh
            || !renewable
            || self.refreshed == Some(current.obtained_at)
            || self.refreshing.is_waiting()
        {
            return None;
        }
        let threshold = self
            .threshold
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|t| t.is_finite() && *t >= 0.0)?;
        // Tokens that live no longer than the threshold are renewed
        // half-way through (7-second tokens), never in a loop.
        let due = crate::engine::tokens::renewal::renew_at(
            current,
            std::time::Duration::from_secs_f64(threshold),
        )?;
        Some(on_a_tick(due, current.expires_at))
    }

    /// True when the current tokens live long enough to be renewed quietly
    /// (see `QUIET_RENEWAL_LIFETIME`).
    pub fn renews_quietly(&self) -> bool {
        self.current()
            .and_then(|t| Some(t.expires_at? - t.obtained_at))
            .is_some_and(|lifetime| lifetime >= QUIET_RENEWAL_LIFETIME)
    }
}

/// Tokens living at least this long are auto-refreshed quietly: the new
/// token is drawn on the countdown's next tick, up to a second later, while
/// the old one still has seconds to run. Shorter-lived ones are drawn at once.
const QUIET_RENEWAL_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::seconds(5);

/// `due`, moved onto the countdown's tick at a whole second before
/// `expires_at` (see [`crate::app::widgets::countdown::next_tick`]; ticks
/// come a tenth of a second early): a 7-second token is renewed 3.1 s before
/// it expires, not 3.5 s, in the frame that shows "in 3 s" rather than in a
/// frame of its own. Under a second ahead (1-second tokens) nothing moves.
fn on_a_tick(due: DateTime<Utc>, expires_at: Option<DateTime<Utc>>) -> DateTime<Utc> {
    let Some(expires_at) = expires_at else {
        return due;
    };
    let ahead = (expires_at - due).num_milliseconds();
    if ahead < 1000 {
        return due;
    }
    let lead = crate::app::widgets::countdown::TICK_LEAD_MS;
    expires_at - chrono::TimeDelta::milliseconds(ahead / 1000 * 1000 + lead)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::tokens::response::parse_token_response;

    fn tokens(refresh: &str) -> TokenSet {
        let body = format!(
            r#"{{"access_token":"a-{refresh}","token_type":"Bearer","expires_in":3600,"refresh_token":"{refresh}"}}"#
        );
        let response = crate::engine::wire::http::RecordedResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
            truncated: false,
        };
        parse_token_response(
            &response,
            crate::engine::GrantType::Password,
            1,
            Utc::now(),
            None,
            &Default::default(),
            Vec::new(),
        )
        .expect("tokens")
    }

    fn issued_by(grant: crate::engine::GrantType) -> TokenSet {
        let response = crate::engine::wire::http::RecordedResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: bytes::Bytes::from_static(
                br#"{"access_token":"a","token_type":"Bearer","expires_in":60}"#,
            ),
            truncated: false,
        };
        parse_token_response(
            &response,
            grant,
            1,
            Utc::now(),
            None,
            &Default::default(),
            Vec::new(),
        )
        .expect("tokens")
    }

    #[test]
    fn without_a_refresh_token_only_an_unattended_grant_is_run_again() {
        for (grant, renewed) in [
            (crate::engine::GrantType::ClientCredentials, true),
            (crate::engine::GrantType::Password, true),
            (crate::engine::GrantType::Implicit, false),
            (crate::engine::GrantType::AuthorizationCode, false),
        ] {
            let mut state = TokenState::default();
            state.issued(issued_by(grant));
            state.auto_refresh = true;
            assert_eq!(state.refresh_due().is_some(), renewed, "{grant:?}");
        }
    }

    #[test]
    fn a_day_of_refreshes_keeps_the_newest_token_sets_and_timeline_entries() {
        let mut state = TokenState::default();
        state.issued(tokens("r0"));
        for n in 1..=200 {
            state.refreshing.start();
            state.refresh_finished(Ok(tokens(&format!("r{n}"))));
        }
        assert_eq!(state.history.len(), HISTORY_KEPT);
        assert_eq!(state.history_dropped, 201 - HISTORY_KEPT);
        assert_eq!(
            state
                .current()
                .and_then(|t| t.refresh_token.as_ref())
                .map(|t| t.expose().to_string()),
            Some("r200".to_string())
        );
        assert_eq!(state.timeline.len(), 201);
        assert_eq!(state.timeline_dropped, 0);
        // A working day of 7-second tokens: about 8,000 refreshes.
        for n in 201..=8_000 {
            state.refreshing.start();
            state.refresh_finished(Ok(tokens(&format!("r{n}"))));
        }
        let (kept, dropped) = (state.timeline.len(), state.timeline_dropped);
        assert!(
            (TIMELINE_KEPT..=TIMELINE_KEPT + TIMELINE_KEPT / 10).contains(&kept),
            "{kept} kept"
        );
        assert_eq!(kept + dropped, 8_001, "every entry counted");
        assert_eq!(
            state.timeline.last().map(|e| &e.kind),
            Some(&TimelineKind::Refreshed { rotated: true }),
            "the newest stays"
        );
    }

    #[test]
    fn a_failed_refresh_stays_on_the_tokens_and_the_timeline() {
        let mut state = TokenState::default();
        state.issued(tokens("r1"));
        state.refreshing.start();
        state.refresh_finished(Err(GrantFailure::message("invalid_grant")));
        assert_eq!(
            state.refresh_failure().map(|f| f.message.as_str()),
            Some("invalid_grant")
        );
        assert!(matches!(
            state.timeline.last().map(|e| &e.kind),
            Some(TimelineKind::Failed(_))
        ));
        assert_eq!(state.history.len(), 1, "the tokens stay");
        state.refresh_finished(Ok(tokens("r2")));
        assert!(state.refresh_failure().is_none());
        assert_eq!(
            state.timeline.last().map(|e| &e.kind),
            Some(&TimelineKind::Refreshed { rotated: true })
        );
    }

    #[test]
    fn only_tokens_of_seconds_or_more_renew_quietly() {
        let mut state = TokenState::default();
        assert!(!state.renews_quietly(), "no tokens");
        let mut short = tokens("r1");
        short.expires_at = Some(short.obtained_at + chrono::TimeDelta::seconds(1));
        state.issued(short);
        assert!(!state.renews_quietly(), "a 1-second token is drawn at once");
        let mut seven = tokens("r2");
        seven.expires_at = Some(seven.obtained_at + chrono::TimeDelta::seconds(7));
        state.issued(seven);
        assert!(state.renews_quietly());
    }

    #[test]
    fn renewal_lands_on_a_countdown_tick() {
        use crate::app::widgets::countdown::next_tick;
        let expires = Utc::now() + chrono::TimeDelta::seconds(7);
        let tick = |secs: i64| expires - chrono::TimeDelta::milliseconds(secs * 1000 + 100);
        // Half of a 7-second lifetime: moved later, to the tick of 3 s.
        let due = expires - chrono::TimeDelta::milliseconds(3_500);
        assert_eq!(on_a_tick(due, Some(expires)), tick(3));
        let due = expires - chrono::TimeDelta::seconds(30);
        assert_eq!(on_a_tick(due, Some(expires)), tick(30));
        // A millisecond before the renewal, the countdown's next tick is
        // that very moment (and its one millisecond past).
        let before = (expires - (tick(3) - chrono::TimeDelta::milliseconds(1))).num_milliseconds();
        assert_eq!(next_tick(before), std::time::Duration::from_millis(2));
        // Under a second ahead nothing moves.
        let due = expires - chrono::TimeDelta::milliseconds(500);
        assert_eq!(on_a_tick(due, Some(expires)), due);
        assert_eq!(on_a_tick(due, None), due);
    }

    #[test]
    fn a_revoked_refresh_token_stops_auto_refresh() {
        let mut state = TokenState {
            auto_refresh: true,
            threshold: "3599".to_string(),
            ..TokenState::default()
        };
        state.issued(tokens("r1"));
        assert!(state.refresh_due().is_some());
        state.ending.start();
        state.end_finished(
            Some(TokenHint::RefreshToken),
            Ok("Revoked the refresh token".into()),
        );
        assert!(state.is_revoked(TokenHint::RefreshToken));
        assert!(state.refresh_due().is_none());
        assert_eq!(state.ended().map(|(ok, _)| ok), Some(true));
        // A new token set carries no word of the old one's revocation.
        state.issued(tokens("r3"));
        assert!(state.ended().is_none());
        assert!(!state.is_revoked(TokenHint::RefreshToken));
    }
}
