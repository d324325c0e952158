//! The verdicts of a token's checks (signature, iss, aud, exp, nonce…),
//! one row each, coloured by verdict.

use eframe::egui;

use crate::app::widgets::explanation::findings_ui;
use crate::engine::jwt::verify::{Verdict, Verification};

/// A one-line summary of a verification.
pub fn summary(verification: &Verification) -> String {
    let failed = verification.failures().count();
    if failed == 0 {
        "verified: no check failed".to_string()
    } else {
        format!("verified: {failed} check(s) FAILED")
    }
}

/// Draws every check with its verdict, then the findings.
pub fn checks_ui(ui: &mut egui::Ui, id_salt: &str, verification: &Verification) {
    egui::Grid::new(ui.scope_id().with(("checks", id_salt)))
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            for check in &verification.checks {
                let color = match check.verdict {
                    Verdict::Pass => ui.visuals().strong_text_color(),
                    Verdict::Warn => ui.visuals().warn_fg_color,
                    Verdict::Fail => ui.visuals().error_fg_color,
                    Verdict::Skipped => ui.visuals().weak_text_color(),
                };
                ui.colored_label(color, check.verdict.as_str());
                ui.monospace(&check.name);
                let mut text = check.message.clone();
                if let Some(reference) = &check.reference {
                    text.push_str(&format!(" ({reference})"));
                }
                ui.add(egui::Label::new(text).wrap());
                ui.end_row();
            }
        });
    findings_ui(ui, &verification.findings);
}
