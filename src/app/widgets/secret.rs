//! A secret shown masked, or in clear when the user revealed secrets.

use eframe::egui;

/// Shows `value` masked (`••••`, with its length) unless `reveal`. Screen
/// readers (and tests) read it as `{name}: {what is shown}`.
pub fn secret_ui(ui: &mut egui::Ui, name: &str, value: &str, reveal: bool) {
    let shown = if reveal {
        value.to_string()
    } else {
        format!("•••• ({} chars)", value.chars().count())
    };
    let response = ui.add(egui::Label::new(egui::RichText::new(&shown).monospace()).truncate());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Label, true, format!("{name}: {shown}"))
    });
}

/// Shows `value`, read by screen readers (and tests) as `{name}: {value}`,
/// so a value in a grid keeps its name.
pub fn value_ui(ui: &mut egui::Ui, name: &str, value: &str) {
    let response = ui.add(egui::Label::new(value).truncate());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Label, true, format!("{name}: {value}"))
    });
}
