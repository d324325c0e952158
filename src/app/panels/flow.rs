//! The flow panel: run the grant and see how it went.

use eframe::egui;

use crate::app::{Action, GrantRun};

/// Draws the Run button and the run's status; returns what the user asked for.
pub fn flow_ui(ui: &mut egui::Ui, run: &GrantRun, ready: bool) -> Option<Action> {
    let mut action = None;
    ui.heading("Flow");
    ui.horizontal(|ui| {
        let running = matches!(run, GrantRun::Running { .. });
        let button = ui.add_enabled(ready && !running, egui::Button::new("Run grant"));
        if button.clicked() {
            action = Some(Action::RunGrant);
        }
        match run {
            GrantRun::Idle => {
                ui.label(if ready {
                    "Press Run grant to request a token."
                } else {
                    "Waiting for the demo provider…"
                });
            }
            GrantRun::Running { .. } => {
                ui.spinner();
                ui.label("Requesting a token…");
            }
            GrantRun::Done(tokens) => {
                ui.colored_label(
                    egui::Color32::from_rgb(0x2e, 0xa0, 0x43),
                    format!("Token received ({} grant)", tokens.grant),
                );
            }
            GrantRun::Failed { failure, .. } => {
                ui.colored_label(ui.visuals().error_fg_color, &failure.message);
            }
        }
    });
    if let GrantRun::Failed { failure, .. } = run {
        for finding in &failure.findings {
            ui.label(finding.to_string());
        }
    }
    action
}
