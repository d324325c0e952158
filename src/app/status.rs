//! The status bar: the demo provider and its mode, the active profile,
//! requests in flight.

use eframe::egui;

use crate::app::{Action, AppState, DemoStatus};
use crate::demo::Mode;

/// Draws the status bar.
pub fn status_ui(ui: &mut egui::Ui, state: &AppState) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.horizontal(|ui| {
        match &state.demo {
            None => {
                ui.label("Demo provider not started");
            }
            Some(DemoStatus::Starting) => {
                ui.spinner();
                ui.label("Starting the demo provider…");
            }
            Some(DemoStatus::Running(url)) => {
                ui.label(format!("Demo provider: {url}"));
                let label = ui.label("Demo mode");
                egui::ComboBox::from_id_salt("demo_mode")
                    .selected_text(state.demo_mode.label())
                    .show_ui(ui, |ui| {
                        for mode in Mode::ALL {
                            if ui
                                .selectable_label(mode == state.demo_mode, mode.label())
                                .clicked()
                                && mode != state.demo_mode
                            {
                                actions.push(Action::SetDemoMode(mode));
                            }
                        }
                    })
                    .response
                    .labelled_by(label.id);
            }
            Some(DemoStatus::Failed(message)) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Demo provider failed: {message}"),
                );
            }
        }
        if let Some(profile) = state.profiles.selected_entry() {
            ui.separator();
            ui.label(format!("Profile: {}", profile.name()));
        }
        ui.separator();
        ui.label(format!("{} in flight", state.sessions.in_flight()));
        if let Some(notice) = &state.notice {
            ui.separator();
            ui.add(
                egui::Label::new(egui::RichText::new(notice).color(ui.visuals().warn_fg_color))
                    .truncate(),
            )
            .on_hover_text(notice);
        }
    });
    actions
}
