//! The Import… window: clients from Postman, Insomnia, Bruno or a pasted
//! curl command. The user types (or pastes) a file path or a command; the
//! engine reads it off the UI thread; the report — what was taken, what
//! could not be mapped and why, what to fix — is shown here, and the
//! profiles are added to the list and saved at once.

use eframe::egui;

use super::ProfileAction as Action;
use crate::engine::import::{ImportOptions, ImportReport, ImportSource};

/// The Import… window's state.
#[derive(Debug, Clone, Default)]
pub struct ImportState {
    /// The window is open.
    pub open: bool,
    /// A file or a Bruno collection folder.
    pub path: String,
    /// A pasted curl command (or a whole export).
    pub pasted: String,
    /// The environment: a Postman environment file, an Insomnia or Bruno
    /// environment's name.
    pub environment: String,
    /// An import is on its way.
    pub busy: bool,
    /// What the last import did: the report's lines, or why it failed.
    pub result: Option<Result<Vec<String>, String>>,
}

impl ImportState {
    /// Takes an import's result for showing.
    pub fn finish(&mut self, result: Result<&ImportReport, String>) {
        self.busy = false;
        self.result = Some(result.map(ImportReport::lines));
    }

    fn options(&self) -> ImportOptions {
        ImportOptions {
            environment: Some(self.environment.trim().to_string()).filter(|e| !e.is_empty()),
        }
    }
}

/// Draws the window while it is open.
pub fn import_window_ui(ctx: &egui::Context, state: &mut ImportState) -> Option<Action> {
    let mut action = None;
    let mut open = state.open;
    egui::Window::new("Import clients")
        .open(&mut open)
        .default_width(520.0)
        .show(ctx, |ui| {
            ui.label("From a Postman collection, an Insomnia export (v4 JSON, v5 YAML), a Bruno collection folder — or a pasted curl command.");
            ui.horizontal(|ui| {
                let label = ui.label("File or Bruno folder");
                ui.add(egui::TextEdit::singleline(&mut state.path).desired_width(320.0))
                    .labelled_by(label.id);
            });
            ui.horizontal(|ui| {
                let label = ui.label("Environment");
                ui.add(
                    egui::TextEdit::singleline(&mut state.environment)
                        .hint_text("Postman environment file, or an environment's name")
                        .desired_width(320.0),
                )
                .labelled_by(label.id);
            });
            let ready = !state.path.trim().is_empty() && !state.busy;
            if ui
                .add_enabled(ready, egui::Button::new("Import the file"))
                .on_disabled_hover_text("Type the file's path first")
                .clicked()
            {
                state.busy = true;
                action = Some(Action::ImportClients(
                    ImportSource::Path(state.path.trim().into()),
                    state.options(),
                ));
            }
            ui.separator();
            let label = ui.label("curl command");
            ui.add(
                egui::TextEdit::multiline(&mut state.pasted)
                    .code_editor()
                    .desired_rows(4)
                    .desired_width(f32::INFINITY)
                    .hint_text("curl -X POST https://as.example/token -u id:secret -d grant_type=client_credentials"),
            )
            .labelled_by(label.id);
            let ready = !state.pasted.trim().is_empty() && !state.busy;
            if ui
                .add_enabled(ready, egui::Button::new("Import the command"))
                .on_disabled_hover_text("Paste a curl command first")
                .clicked()
            {
                state.busy = true;
                action = Some(Action::ImportClients(
                    ImportSource::Text(state.pasted.clone()),
                    state.options(),
                ));
            }
            if state.busy {
                ui.label("Importing…");
            }
            match &state.result {
                None => {}
                Some(Err(message)) => {
                    ui.add(
                        egui::Label::new(
                            egui::RichText::new(message).color(ui.visuals().error_fg_color),
                        )
                        .wrap(),
                    );
                }
                Some(Ok(lines)) => {
                    ui.separator();
                    egui::ScrollArea::vertical()
                        .max_height(260.0)
                        .show(ui, |ui| {
                            for line in lines {
                                let text = egui::RichText::new(line).small();
                                let text = if line.trim_start().starts_with("to fix:") {
                                    text.color(ui.visuals().warn_fg_color)
                                } else {
                                    text
                                };
                                ui.add(egui::Label::new(text).wrap());
                            }
                        });
                }
            }
        });
    state.open = open;
    action
}
