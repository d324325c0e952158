//! A live expiry countdown. While one is on screen the app repaints when
//! what it shows changes — every second in the last five minutes (and for
//! five minutes after expiry), every minute or lifetime percent before —
//! and otherwise sleeps until something happens.

use std::time::Duration;

use chrono::{DateTime, Local, Utc};
use eframe::egui;

/// Shows how long until `expires_at` ("in 59 min 58 s (at 14:03:10)"), or
/// how long ago it expired.
pub fn countdown_ui(ui: &mut egui::Ui, expires_at: Option<DateTime<Utc>>) {
    let Some(at) = expires_at else {
        ui.label("unknown (the server sent no expires_in)");
        return;
    };
    let left_ms = (at - Utc::now()).num_milliseconds();
    let left = seconds_left(left_ms);
    let clock = at.with_timezone(&Local).format("%H:%M:%S");
    let (text, color) = if left > 0 {
        (
            format!("in {} (at {clock})", duration_text(left)),
            ui.visuals().text_color(),
        )
    } else {
        (
            format!("expired {} ago (at {clock})", duration_text(-left)),
            ui.visuals().error_fg_color,
        )
    };
    let response = ui.add(egui::Label::new(egui::RichText::new(&text).color(color)));
    // Read as "Expires: in 59 min (at 14:03:10)".
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Label, true, format!("Expires: {text}"))
    });
    ui.request_repaint_after(until_text_changes(left_ms));
}

/// How early the countdown's seconds change: a tick comes this much
/// before the whole second. An auto-refresh is sent on a tick and the new
/// token's seconds start when its answer comes, a few milliseconds later;
/// the new token is drawn on the old token's next tick, and counting early
/// puts the new token's own next tick most of a second after that frame,
/// not a few milliseconds after it (one frame a second, not two).
pub const TICK_LEAD_MS: i64 = 100;

/// Whole seconds left, counted [`TICK_LEAD_MS`] early and rounded up while
/// any time is left: 0.4 s left is "in 1 s", not "expired 0 s ago" beside
/// a bar that is not empty.
fn seconds_left(ms: i64) -> i64 {
    let seconds =
        (ms - TICK_LEAD_MS).div_euclid(1000) + i64::from((ms - TICK_LEAD_MS).rem_euclid(1000) != 0);
    if ms > 0 { seconds.max(1) } else { seconds }
}

/// How long until the next tick: the moment `seconds_left` of `left_ms`
/// (milliseconds to expiry; negative once expired) changes, plus a
/// millisecond so the frame lands past it. The countdown, the lifetime bar
/// and auto-refresh all wake the window on these ticks, so one frame a
/// second serves them all.
pub fn next_tick(left_ms: i64) -> Duration {
    let into = (left_ms - TICK_LEAD_MS).rem_euclid(1000);
    let wait = if into == 0 { 1000 } else { into };
    Duration::from_millis(wait as u64 + 1)
}

/// Below this many seconds, durations show seconds.
const SECONDS_SHOWN_BELOW: i64 = 300;

/// "1 h 2 min", "14 min", "4 min 5 s", "9 s": seconds only in the last
/// five minutes, where they matter.
pub fn duration_text(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, _) if secs < SECONDS_SHOWN_BELOW => format!("{m} min {s} s"),
        (0, _) => format!("{m} min"),
        _ => format!("{h} h {m} min"),
    }
}

/// How long until the countdown of `left_ms` milliseconds (counting down,
/// or up once expired) shows something else: the next tick in the last
/// minutes, where seconds show; the tick that changes the minute before.
fn until_text_changes(left_ms: i64) -> Duration {
    let secs = seconds_left(left_ms).abs();
    let tick = next_tick(left_ms);
    if secs < SECONDS_SHOWN_BELOW + 60 {
        tick
    } else {
        tick + Duration::from_secs((secs % 60).clamp(0, 59) as u64)
    }
}

/// A bar of the token's remaining lifetime: amber under 20 %, red once
/// expired. Nothing is drawn when the lifetime is unknown.
pub fn expiry_bar_ui(
    ui: &mut egui::Ui,
    obtained_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) {
    let Some(at) = expires_at else {
        return;
    };
    let total = (at - obtained_at).num_milliseconds().max(1) as f32;
    let left = (at - Utc::now()).num_milliseconds() as f32;
    let fraction = (left / total).clamp(0.0, 1.0);
    let color = if left <= 0.0 {
        ui.visuals().error_fg_color
    } else if fraction < 0.2 {
        egui::Color32::from_rgb(0xe0, 0x9b, 0x1a)
    } else {
        egui::Color32::from_rgb(0x2e, 0xa0, 0x43)
    };
    let text = if left <= 0.0 {
        "expired".to_string()
    } else {
        format!("{:.0} % of the lifetime left", fraction * 100.0)
    };
    ui.add(egui::ProgressBar::new(fraction).fill(color).text(text));
    if left > 0.0 {
        ui.request_repaint_after(bar_repaint_after(left, total));
    }
}

/// The bar follows the countdown beside it: it repaints on the countdown's
/// ticks (a 7-second token would otherwise change its whole percent every
/// 70 ms and keep the window painting ten times a second), for long-lived
/// tokens on the first tick after the whole percent shown changes. `left`
/// and `total` are in milliseconds.
fn bar_repaint_after(left: f32, total: f32) -> Duration {
    let percent = ((left / total).clamp(0.0, 1.0) * 100.0).round();
    let next = ((percent - 0.5).max(0.0) / 100.0) * total;
    let wait = Duration::from_millis((left - next).clamp(0.0, 60_000.0) as u64);
    let tick = next_tick(left as i64);
    if wait <= tick {
        tick
    } else {
        // The first tick at or after the change.
        let after = (wait - tick).as_millis().div_ceil(1000) as u64;
        tick + Duration::from_secs(after)
    }
}

#[cfg(test)]
mod tests {
    use super::duration_text;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(9), "9 s");
        assert_eq!(duration_text(245), "4 min 5 s");
        assert_eq!(duration_text(899), "14 min");
        assert_eq!(duration_text(3720), "1 h 2 min");
    }

    #[test]
    fn repaints_come_when_the_text_changes() {
        use super::until_text_changes;
        use std::time::Duration;
        // 30.4 s left shows "31 s" until 30.1 s are left (the tick comes
        // a tenth early): 0.3 s.
        assert_eq!(until_text_changes(30_400), Duration::from_millis(301));
        assert_eq!(until_text_changes(30_100), Duration::from_millis(1001));
        // Expired 2.4 s ago shows "2 s ago" until 2.9 s: 0.5 s.
        assert_eq!(until_text_changes(-2_400), Duration::from_millis(501));
        // "14 min" until 839 s are left: from 898.5 s, 59.4 s.
        assert_eq!(until_text_changes(898_500), Duration::from_millis(59_401));
        assert_eq!(until_text_changes(840_600), Duration::from_millis(1_501));
    }

    #[test]
    fn a_token_with_time_left_is_not_called_expired() {
        use super::seconds_left;
        assert_eq!(seconds_left(400), 1);
        assert_eq!(seconds_left(50), 1, "time left is never 0 s");
        assert_eq!(seconds_left(1_100), 1);
        assert_eq!(seconds_left(1_101), 2);
        assert_eq!(seconds_left(0), 0);
        assert_eq!(seconds_left(-2_500), -2);
        assert_eq!(seconds_left(-2_950), -3);
    }

    #[test]
    fn the_bar_repaints_on_the_countdowns_ticks() {
        use super::{bar_repaint_after, next_tick};
        use std::time::Duration;
        // A 7-second token: a percent is 70 ms; the bar waits for the tick.
        assert_eq!(
            bar_repaint_after(3_500.0, 7_000.0),
            Duration::from_millis(401)
        );
        assert_eq!(bar_repaint_after(3_500.0, 7_000.0), next_tick(3_500));
        // An hour: a percent is 36 s; the first tick after the change.
        let wait = bar_repaint_after(1_800_300.0, 3_600_000.0);
        assert!(wait > Duration::from_secs(10), "{wait:?}");
        assert_eq!(wait.as_millis() % 1000, 201, "on a tick: {wait:?}");
    }
}
