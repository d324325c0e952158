//! The HTTP log tab: every exchange of the session in a table (virtualised,
//! so ten thousand rows stay smooth), filters, and a detail pane with the raw
//! request and response and "Copy as curl".

use eframe::egui;

use crate::app::widgets::copy::copy_button;
use crate::app::{Action, LogState};
use crate::engine::curl::to_curl;
use crate::engine::http::{Exchange, ExchangeKind};
use crate::engine::redact;

const KINDS: [ExchangeKind; 8] = [
    ExchangeKind::Authorize,
    ExchangeKind::Token,
    ExchangeKind::Device,
    ExchangeKind::Api,
    ExchangeKind::Discovery,
    ExchangeKind::Revocation,
    ExchangeKind::Introspection,
    ExchangeKind::Userinfo,
];

/// Draws the HTTP log.
pub fn http_log_ui(
    ui: &mut egui::Ui,
    log: &mut LogState,
    exchanges: &[Exchange],
    reveal: bool,
) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.horizontal(|ui| {
        let label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut log.filter)
                .hint_text("URL, method or status")
                .desired_width(240.0),
        )
        .labelled_by(label.id);
        egui::ComboBox::from_label("Kind")
            .selected_text(log.kind.map(|k| k.as_str()).unwrap_or("all"))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut log.kind, None, "all");
                for kind in KINDS {
                    ui.selectable_value(&mut log.kind, Some(kind), kind.as_str());
                }
            });
    });
    let needle = log.filter.trim().to_ascii_lowercase();
    let shown: Vec<&Exchange> = exchanges
        .iter()
        .filter(|e| log.kind.is_none_or(|k| e.kind == k))
        .filter(|e| needle.is_empty() || row_text(e).to_ascii_lowercase().contains(&needle))
        .collect();
    ui.label(format!("{} of {} exchanges", shown.len(), exchanges.len()));
    let selected = log
        .selected
        .and_then(|id| exchanges.iter().find(|e| e.id == id));
    let list_height = if selected.is_some() {
        ui.available_height() * 0.4
    } else {
        ui.available_height()
    };
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    egui::ScrollArea::vertical()
        .id_salt("http_log_rows")
        .max_height(list_height)
        .auto_shrink([false, true])
        .show_rows(ui, row_height, shown.len(), |ui, range| {
            for exchange in &shown[range] {
                let text = row_text(exchange);
                let is_selected = log.selected == Some(exchange.id);
                let row = ui.add(
                    egui::Button::selectable(is_selected, egui::RichText::new(text).monospace())
                        .truncate(),
                );
                if row.clicked() {
                    log.selected = Some(exchange.id);
                }
            }
        });
    if let Some(exchange) = selected {
        ui.separator();
        let shown = if reveal {
            exchange.clone()
        } else {
            redact::exchange(exchange)
        };
        ui.horizontal(|ui| {
            ui.strong(format!("Exchange #{}", exchange.id));
            if copy_button(ui, "Copy as curl") {
                actions.push(Action::Copy(to_curl(&shown.request)));
            }
            if !reveal {
                ui.label("(secrets masked: tick Show secrets to reveal)");
            }
        });
        egui::ScrollArea::vertical()
            .id_salt("http_log_detail")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.add(
                    egui::Label::new(egui::RichText::new(shown.describe()).monospace())
                        .selectable(true),
                );
            });
    }
    actions
}

/// One table row: time, kind, method, URL, status, duration.
fn row_text(exchange: &Exchange) -> String {
    let status = exchange
        .status()
        .map(|s| s.to_string())
        .unwrap_or_else(|| "ERR".to_string());
    format!(
        "{}  {:<13} {:<6} {}  {}  {} ms",
        exchange
            .started_at
            .with_timezone(&chrono::Local)
            .format("%H:%M:%S"),
        exchange.kind.as_str(),
        exchange.request.method,
        redact::url(&exchange.request.url),
        status,
        exchange.duration.as_millis()
    )
}
