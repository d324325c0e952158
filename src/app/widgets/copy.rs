//! A copy button.

use eframe::egui;

/// A small button labelled `label`; true when clicked (the caller puts the
/// text on the clipboard through an action).
pub fn copy_button(ui: &mut egui::Ui, label: &str) -> bool {
    ui.small_button(label)
        .on_hover_text("Copy to the clipboard")
        .clicked()
}
