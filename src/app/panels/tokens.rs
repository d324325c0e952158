//! The tokens panel: fields, findings, decoded JWTs and the raw response.

use eframe::egui;

use crate::app::widgets::countdown::countdown_ui;
use crate::app::widgets::secret::secret_ui;
use crate::engine::{Severity, TokenSet};

/// Draws a token set.
pub fn tokens_ui(ui: &mut egui::Ui, tokens: &TokenSet, reveal: bool) {
    ui.heading("Tokens");
    egui::Grid::new("token_fields")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            ui.label("access_token");
            secret_ui(ui, "access_token", tokens.access_token.expose(), reveal);
            ui.end_row();
            ui.label("token_type");
            ui.label(
                tokens
                    .token_type
                    .as_deref()
                    .unwrap_or("(missing — treated as Bearer)"),
            );
            ui.end_row();
            ui.label("expires");
            countdown_ui(ui, tokens.expires_at);
            ui.end_row();
            ui.label("refresh_token");
            match &tokens.refresh_token {
                Some(token) => secret_ui(ui, "refresh_token", token.expose(), reveal),
                None => {
                    ui.label("—");
                }
            }
            ui.end_row();
            ui.label("scope");
            ui.label(tokens.scope.as_deref().unwrap_or("—"));
            ui.end_row();
        });

    if !tokens.findings.is_empty() {
        ui.add_space(4.0);
        ui.label(egui::RichText::new("Findings").strong());
        for finding in &tokens.findings {
            let color = match finding.severity {
                Severity::Info => ui.visuals().text_color(),
                Severity::Warning => ui.visuals().warn_fg_color,
                Severity::Error => ui.visuals().error_fg_color,
            };
            ui.colored_label(color, finding.to_string());
        }
    }

    for jwt in &tokens.jwts {
        ui.collapsing(
            format!("Decoded {} (JWT, not verified)", jwt.source),
            |ui| {
                ui.label("Header");
                ui.code(pretty(&jwt.header));
                ui.label("Claims");
                ui.code(pretty(&jwt.claims));
            },
        );
    }
    ui.collapsing("Raw response", |ui| {
        let raw = if reveal {
            tokens.raw.clone()
        } else {
            serde_json::from_slice(&crate::engine::redact::body(
                tokens.raw.to_string().as_bytes(),
            ))
            .unwrap_or(serde_json::Value::Null)
        };
        ui.code(pretty(&raw));
    });
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}
