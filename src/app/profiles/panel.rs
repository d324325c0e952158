//! The Clients side panel: the profiles, with new / duplicate / delete / new
//! from a preset, and the editor for the selected one — every profile field,
//! grouped, validated inline — with Save (also Ctrl+S).

use eframe::egui;

use super::ProfileAction as Action;
use super::editor::editor_ui;
use super::state::ProfilesState;
use crate::app::tokens::tools::ToolsState;
use crate::engine::profile::presets::PRESETS;

/// What the panel needs besides the profiles.
pub struct ClientsView<'a> {
    /// Secrets in clear.
    pub reveal: bool,
    /// Presentation mode: personal data (the username) masked too.
    pub presenting: bool,
    /// The selected profile's discovery results.
    pub tools: Option<&'a ToolsState>,
}

/// Draws the panel.
pub fn clients_ui(
    ui: &mut egui::Ui,
    profiles: &mut ProfilesState,
    view: ClientsView<'_>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    ui.heading("Clients");
    if profiles.entries.is_empty() {
        ui.label("Waiting for the demo provider…");
        return actions;
    }
    for entry in &profiles.entries {
        let mut name = entry.name().to_string();
        if entry.is_dirty() {
            name.push_str(" •");
        }
        let selected = profiles.selected == Some(entry.id);
        if ui
            .add(egui::Button::selectable(selected, name).truncate())
            .clicked()
        {
            actions.push(Action::Select(entry.id));
        }
    }
    ui.horizontal_wrapped(|ui| {
        if ui
            .small_button("New")
            .on_hover_text("A new empty profile, saved at once")
            .clicked()
        {
            actions.push(Action::New);
        }
        if ui
            .small_button("Duplicate")
            .on_hover_text("A copy of the selected profile, saved at once")
            .clicked()
        {
            actions.push(Action::Duplicate);
        }
        if profiles.confirm_delete {
            ui.colored_label(ui.visuals().warn_fg_color, "Delete this profile?");
            if ui.small_button("Yes, delete").clicked() {
                actions.push(Action::Delete);
                profiles.confirm_delete = false;
            }
            if ui.small_button("Keep").clicked() {
                profiles.confirm_delete = false;
            }
        } else if ui.small_button("Delete").clicked() {
            profiles.confirm_delete = true;
        }
        if ui
            .small_button("New from MCP server URL")
            .on_hover_text("Walk an MCP server's authorization chain into a new profile")
            .clicked()
        {
            profiles.mcp.open = !profiles.mcp.open;
        }
        if ui
            .small_button("Import…")
            .on_hover_text("Clients from Postman, Insomnia, Bruno or a curl command")
            .clicked()
        {
            profiles.import.open = true;
        }
        ui.menu_button("New from preset", |ui| {
            for (index, (file, _)) in PRESETS.iter().enumerate() {
                let name = crate::engine::profile::presets::preset(index)
                    .and_then(|p| p.name)
                    .unwrap_or_else(|| file.trim_end_matches(".toml").to_string());
                if ui.button(name).clicked() {
                    actions.push(Action::NewFromPreset(index));
                    ui.close();
                }
            }
        });
    });
    if let Some(form) = profiles.preset_form.as_mut() {
        super::preset_form::preset_form_ui(ui, form, &mut actions);
    }
    super::mcp::mcp_ui(ui, &mut profiles.mcp, &mut actions);
    egui::CollapsingHeader::new("Import / export").show(ui, |ui| {
        let transfer = &mut profiles.transfer;
        ui.horizontal(|ui| {
            let label = ui.label("Profile file");
            ui.add(egui::TextEdit::singleline(&mut transfer.path).desired_width(220.0))
                .labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            let ready = !transfer.path.trim().is_empty();
            if ui
                .add_enabled(ready, egui::Button::new("Export selected"))
                .on_disabled_hover_text("Type the file to export to first")
                .clicked()
            {
                actions.push(Action::Export);
            }
            ui.add_enabled(
                !view.presenting,
                egui::Checkbox::new(&mut transfer.include_secrets, "Include secrets"),
            )
            .on_disabled_hover_text("Locked off in presentation mode");
            if view.presenting {
                transfer.include_secrets = false;
            }
            if ui
                .add_enabled(ready, egui::Button::new("Import"))
                .on_disabled_hover_text("Type the file to import first")
                .clicked()
            {
                actions.push(Action::Import(vec![transfer.path.trim().into()]));
            }
        });
        ui.weak("Or drop profile files (.toml) on the window.");
        if let Some((ok, message)) = &transfer.result {
            let color = if *ok {
                ui.visuals().text_color()
            } else {
                ui.visuals().error_fg_color
            };
            ui.colored_label(color, message);
        }
    });
    if profiles.import.open
        && let Some(action) = super::import::import_window_ui(ui.ctx(), &mut profiles.import)
    {
        actions.push(action);
    }
    for problem in &profiles.broken {
        ui.add(
            egui::Label::new(egui::RichText::new(problem).color(ui.visuals().error_fg_color))
                .wrap(),
        );
    }
    for note in &profiles.notes {
        ui.add(
            egui::Label::new(egui::RichText::new(note).color(ui.visuals().warn_fg_color)).wrap(),
        );
    }
    ui.separator();
    let location = profiles.location.clone();
    let storage = profiles.secret_storage.clone();
    let Some(id) = profiles.selected else {
        return actions;
    };
    let Some(entry) = profiles.entry_mut(id) else {
        return actions;
    };
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if editor_ui(
                ui,
                entry,
                (view.reveal, view.presenting),
                (view.tools, storage.as_ref()),
                &mut actions,
            ) {
                actions.push(Action::Save);
            }
            if let Some(location) = &location {
                ui.add(egui::Label::new(egui::RichText::new(location).small().weak()).wrap());
            }
        });
    actions
}
