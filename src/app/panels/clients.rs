//! The Clients side panel: the profiles, and the selected one's settings.

use eframe::egui;

use crate::app::Action;
use crate::app::widgets::secret::secret_ui;
use crate::engine::ProfileFile;

/// Draws the profile list and a summary of the selected profile.
pub fn clients_ui(
    ui: &mut egui::Ui,
    profiles: &[ProfileFile],
    selected: usize,
    reveal: bool,
) -> Option<Action> {
    let mut action = None;
    ui.heading("Clients");
    ui.separator();
    if profiles.is_empty() {
        ui.label("Waiting for the demo provider…");
        return None;
    }
    for (index, profile) in profiles.iter().enumerate() {
        let name = profile.name.as_deref().unwrap_or("Unnamed");
        if ui.selectable_label(index == selected, name).clicked() {
            action = Some(Action::SelectProfile(index));
        }
    }
    let Some(profile) = profiles.get(selected) else {
        return action;
    };
    ui.add_space(8.0);
    egui::Grid::new("profile_fields")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            let row = |ui: &mut egui::Ui, label: &str, value: Option<&str>| {
                ui.label(label);
                ui.add(egui::Label::new(value.unwrap_or("—")).truncate());
                ui.end_row();
            };
            row(ui, "Grant", profile.grant_type.map(|g| g.as_str()));
            row(ui, "Authorize", profile.authorization_endpoint.as_deref());
            row(ui, "Token endpoint", profile.token_endpoint.as_deref());
            row(ui, "Client ID", profile.client_id.as_deref());
            ui.label("Client secret");
            match &profile.client_secret {
                Some(secret) => secret_ui(ui, "Client secret", secret.expose(), reveal),
                None => {
                    ui.label("—");
                }
            }
            ui.end_row();
            row(
                ui,
                "Auth method",
                profile.token_endpoint_auth_method.map(|m| m.as_str()),
            );
            row(ui, "Scope", profile.scope.as_deref());
            row(ui, "Redirect URI", profile.redirect_uri.as_deref());
            row(
                ui,
                "API",
                profile.api.as_ref().and_then(|api| api.url.as_deref()),
            );
        });
    action
}
