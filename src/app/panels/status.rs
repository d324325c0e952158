//! The title bar: what is running and any notice.

use eframe::egui;

use crate::app::DemoStatus;

/// Draws the title bar.
pub fn status_ui(ui: &mut egui::Ui, demo: Option<&DemoStatus>, notice: Option<&str>) {
    ui.horizontal(|ui| {
        ui.heading(crate::app::TITLE);
        ui.separator();
        match demo {
            None => {
                ui.label("Demo provider not started");
            }
            Some(DemoStatus::Starting) => {
                ui.spinner();
                ui.label("Starting the demo provider…");
            }
            Some(DemoStatus::Running(url)) => {
                ui.label(format!("Demo provider: {url}"));
            }
            Some(DemoStatus::Failed(message)) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Demo provider failed: {message}"),
                );
            }
        }
        if let Some(notice) = notice {
            ui.separator();
            ui.colored_label(ui.visuals().warn_fg_color, notice);
        }
    });
}
