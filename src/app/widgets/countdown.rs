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
