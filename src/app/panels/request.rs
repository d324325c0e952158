//! The Request tab: call an API with the current token.

use eframe::egui;

use crate::app::{Action, RequestState};

/// Draws the Request tab.
pub fn request_ui(ui: &mut egui::Ui, request: &mut RequestState, have_token: bool) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.horizontal(|ui| {
        egui::ComboBox::from_label("Method")
            .selected_text(request.method.clone())
            .show_ui(ui, |ui| {
                for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] {
                    ui.selectable_value(&mut request.method, method.to_string(), method);
                }
            });
        let label = ui.label("URL");
        ui.add(egui::TextEdit::singleline(&mut request.url).desired_width(520.0))
            .labelled_by(label.id);
        let send = ui
            .add_enabled(!request.in_flight, egui::Button::new("Send"))
            .on_hover_text("Ctrl+Enter");
        let shortcut = ui.input_mut(|i| {
            i.consume_shortcut(&egui::KeyboardShortcut::new(
                egui::Modifiers::COMMAND,
                egui::Key::Enter,
            ))
        });
        if (send.clicked() || shortcut) && !request.in_flight {
            actions.push(Action::SendRequest);
        }
        if request.in_flight {
            ui.spinner();
        }
    });
    if !have_token {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "No token yet: the request goes without one.",
        );
    }
    ui.columns(2, |columns| {
        let label = columns[0].label("Headers (one Name: value per line)");
        columns[0]
            .add(
                egui::TextEdit::multiline(&mut request.headers)
                    .desired_rows(3)
                    .code_editor(),
            )
            .labelled_by(label.id);
        let label = columns[1].label("Body");
        columns[1]
            .add(
                egui::TextEdit::multiline(&mut request.body)
                    .desired_rows(3)
                    .code_editor(),
            )
            .labelled_by(label.id);
    });
    if let Some(error) = &request.error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    let Some(response) = &request.response else {
        return actions;
    };
    ui.separator();
    let exchange = &response.exchange;
    let status = response.status();
    let size = exchange
        .response
        .as_ref()
        .map(|r| r.body.len())
        .unwrap_or_default();
    ui.strong(format!(
        "HTTP {status} · {} ms · {size} bytes",
        exchange.duration.as_millis()
    ));
    if let Some(challenge) = &response.challenge {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("WWW-Authenticate: {challenge}"),
        );
        if ui.button("Refresh token and retry").clicked() {
            actions.push(Action::RefreshAndRetry);
        }
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::CollapsingHeader::new("Response headers").show(ui, |ui| {
                for (name, value) in exchange.response.iter().flat_map(|r| &r.headers) {
                    ui.monospace(format!("{name}: {value}"));
                }
            });
            let body = exchange.response_text();
            let pretty = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or(body);
            ui.add(egui::Label::new(egui::RichText::new(pretty).monospace()).selectable(true));
        });
    actions
}
