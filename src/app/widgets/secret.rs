//! A secret shown masked, or in clear when the user revealed secrets.

use eframe::egui;

/// Shows `value` masked (`••••`, with its length) unless `reveal`; the label
/// carries `name` for screen readers and tests either way.
pub fn secret_ui(ui: &mut egui::Ui, name: &str, value: &str, reveal: bool) {
    let shown = if reveal {
        value.to_string()
    } else {
        format!("•••• ({} chars)", value.chars().count())
    };
    let response = ui.add(egui::Label::new(egui::RichText::new(shown).monospace()).truncate());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Label, true, format!("{name} (secret)"))
    });
}
