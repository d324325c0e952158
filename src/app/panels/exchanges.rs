//! The exchanges panel: every HTTP request and response of the session.

use eframe::egui;

use crate::engine::http::Exchange;
use crate::engine::redact;

/// Draws the exchanges, newest first; secrets masked unless `reveal`.
pub fn exchanges_ui(ui: &mut egui::Ui, exchanges: &[Exchange], reveal: bool) {
    ui.heading(format!("HTTP exchanges ({})", exchanges.len()));
    if exchanges.is_empty() {
        ui.label("No requests yet.");
        return;
    }
    for exchange in exchanges.iter().rev() {
        let status = exchange
            .status()
            .map(|s| s.to_string())
            .unwrap_or_else(|| "failed".to_string());
        let title = format!(
            "#{} {} {} -> {} ({} ms)",
            exchange.id,
            exchange.request.method,
            exchange.request.url,
            status,
            exchange.duration.as_millis()
        );
        egui::CollapsingHeader::new(title)
            .id_salt(("exchange", exchange.id))
            .show(ui, |ui| {
                let shown = if reveal {
                    exchange.clone()
                } else {
                    redact::exchange(exchange)
                };
                ui.add(
                    egui::Label::new(egui::RichText::new(shown.describe()).monospace())
                        .selectable(true),
                );
            });
    }
}
