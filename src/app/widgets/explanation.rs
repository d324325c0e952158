//! What went wrong and why: findings as coloured lines, and an error's
//! explanation in a collapsible "Why?" section.

use eframe::egui;

use crate::engine::{Explanation, Finding, Severity};

/// One line per finding, coloured by severity.
pub fn findings_ui(ui: &mut egui::Ui, findings: &[Finding]) {
    for finding in findings {
        let color = match finding.severity {
            Severity::Info => ui.visuals().text_color(),
            Severity::Warning => ui.visuals().warn_fg_color,
            Severity::Error => ui.visuals().error_fg_color,
        };
        ui.colored_label(color, finding.to_string());
    }
}

/// A collapsed "Why?" section: the summary, the likely causes and what to
/// try. `id_salt` tells apart several on one page.
pub fn why_ui(ui: &mut egui::Ui, id_salt: impl egui::AsIdSalt, explanation: &Explanation) {
    egui::CollapsingHeader::new("Why?")
        .id_salt(("why", id_salt))
        .show(ui, |ui| {
            ui.label(&explanation.summary);
            list_ui(ui, "Likely causes", &explanation.likely_causes);
            list_ui(ui, "What to try", &explanation.what_to_try);
            if let Some(reference) = &explanation.reference {
                ui.weak(format!("See {reference}."));
            }
        });
}

fn list_ui(ui: &mut egui::Ui, heading: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    ui.add_space(4.0);
    ui.strong(heading);
    for item in items {
        ui.label(format!("• {item}"));
    }
}
