//! A copy button that says "Copied" for a moment after a click.

use std::time::Duration;

use eframe::egui;

/// How long the button says "Copied".
const FEEDBACK: Duration = Duration::from_millis(1500);

/// A small button labelled `label`; true when clicked (the caller puts the
/// text on the clipboard through an action). For a moment after a click it
/// reads "Copied", at the same width, so nothing beside it moves.
pub fn copy_button(ui: &mut egui::Ui, label: &str) -> bool {
    let id = ui.scope_id().with(("copy", label));
    let now = ui.input(|i| i.time);
    let (clicked_at, width) = ui
        .data(|d| d.get_temp::<(f64, f32)>(id))
        .unwrap_or((f64::NEG_INFINITY, 0.0));
    let copied = now - clicked_at < FEEDBACK.as_secs_f64();
    let text = if copied { "Copied" } else { label };
    let response = ui
        .add(
            egui::Button::new(text)
                .small()
                .min_size(egui::vec2(width, 0.0)),
        )
        .on_hover_text("Copy to the clipboard");
    let width = if copied { width } else { response.rect.width() };
    let clicked = response.clicked();
    if clicked {
        ui.data_mut(|d| d.insert_temp(id, (now, width)));
        ui.ctx().request_repaint_after(FEEDBACK);
    } else {
        ui.data_mut(|d| d.insert_temp(id, (clicked_at, width)));
        if copied {
            let left = FEEDBACK.as_secs_f64() - (now - clicked_at);
            ui.ctx()
                .request_repaint_after(Duration::from_secs_f64(left.max(0.0)));
        }
    }
    clicked
}
