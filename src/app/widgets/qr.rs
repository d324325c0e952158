//! A QR code painted with egui, for the device grant's verification link.

use eframe::egui;
use qrcode::{Color, QrCode};

/// Paints `text` as a QR code `size` points wide; nothing when it cannot be
/// encoded (too long).
pub fn qr_ui(ui: &mut egui::Ui, text: &str, size: f32) {
    let Ok(code) = QrCode::new(text.as_bytes()) else {
        ui.label("(the link is too long for a QR code)");
        return;
    };
    let modules = code.width();
    let colors = code.to_colors();
    // A quiet zone of four modules on each side, as scanners expect.
    let total = modules + 8;
    let cell = size / total as f32;
    let (rect, response) = ui.allocate_exact_size(egui::vec2(size, size), egui::Sense::hover());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Image, true, format!("QR code of {text}"))
    });
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, egui::Color32::WHITE);
    for (index, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (x, y) = (index % modules + 4, index / modules + 4);
        let min = rect.min + egui::vec2(x as f32 * cell, y as f32 * cell);
        painter.rect_filled(
            egui::Rect::from_min_size(min, egui::vec2(cell.ceil(), cell.ceil())),
            0.0,
            egui::Color32::BLACK,
        );
    }
}
