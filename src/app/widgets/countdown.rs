//! A live expiry countdown. While one is on screen the app repaints once a
//! second; otherwise it sleeps until something happens.

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
    let left = (at - Utc::now()).num_seconds();
    let clock = at.with_timezone(&Local).format("%H:%M:%S");
    if left > 0 {
        ui.label(format!("in {} (at {clock})", duration_text(left)));
    } else {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("expired {} ago (at {clock})", duration_text(-left)),
        );
    }
    ui.request_repaint_after(Duration::from_secs(1));
}

/// "1 h 2 min", "4 min 5 s", "9 s".
pub fn duration_text(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, _) => format!("{m} min {s} s"),
        _ => format!("{h} h {m} min"),
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
}

#[cfg(test)]
mod tests {
    use super::duration_text;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(9), "9 s");
        assert_eq!(duration_text(245), "4 min 5 s");
        assert_eq!(duration_text(3720), "1 h 2 min");
    }
}
