//! Rich authorization requests (RFC 9396) on the Tokens tab: the
//! `authorization_details` asked for beside those the token response
//! granted (§7), under the finding that compares them.

use eframe::egui;
use serde_json::Value;

use crate::engine::{Severity, TokenSet};

/// Asked and granted side by side, when the token set has either.
pub fn authorization_details_ui(ui: &mut egui::Ui, tokens: &TokenSet) {
    let Some(pair) = &tokens.authorization_details else {
        return;
    };
    ui.add_space(6.0);
    ui.strong("Authorization details (RFC 9396)");
    if let Some(finding) = tokens
        .findings
        .iter()
        .find(|f| f.code.starts_with("authorization_details_"))
    {
        let color = match finding.severity {
            Severity::Info => ui.visuals().text_color(),
            Severity::Warning => ui.visuals().warn_fg_color,
            Severity::Error => ui.visuals().error_fg_color,
        };
        ui.add(egui::Label::new(egui::RichText::new(&finding.message).color(color)).wrap());
    }
    ui.columns(2, |columns| {
        side_ui(
            &mut columns[0],
            "Asked for",
            pair.asked.as_ref(),
            "(nothing asked)",
        );
        side_ui(
            &mut columns[1],
            "Granted by the server",
            pair.granted.as_ref(),
            "(not in the token response)",
        );
    });
}

fn side_ui(ui: &mut egui::Ui, heading: &str, value: Option<&Value>, absent: &str) {
    ui.label(egui::RichText::new(heading).underline());
    match value {
        Some(value) => {
            let text = serde_json::to_string_pretty(value).unwrap_or_default();
            ui.add(
                egui::Label::new(egui::RichText::new(text).monospace())
                    .selectable(true)
                    .wrap(),
            );
        }
        None => {
            ui.weak(absent);
        }
    }
}
