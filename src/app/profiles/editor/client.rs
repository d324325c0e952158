//! The editor's Client section: the client's name, ID and secret (or the
//! variable holding it), and how it authenticates at the token, revocation
//! and introspection endpoints.

use eframe::egui;

use super::grid;
use crate::app::widgets::fields::{choice_field, secret_field, text_field};
use crate::engine::ProfileFile;
use crate::engine::profile::ClientAuthMethod;

/// The Client section, open by default.
pub(super) fn client_ui(
    ui: &mut egui::Ui,
    file: &mut ProfileFile,
    reveal: bool,
    problem: &dyn Fn(&str) -> Option<String>,
) {
    egui::CollapsingHeader::new("Client")
        .default_open(true)
        .show(ui, |ui| {
            grid(ui, "edit_client", &mut |ui| {
                text_field(ui, "Name", &mut file.name, None);
                text_field(
                    ui,
                    "Client ID",
                    &mut file.client_id,
                    problem("client_id").as_deref(),
                );
                secret_field(
                    ui,
                    "Client secret",
                    &mut file.client_secret,
                    reveal,
                    problem("client_secret")
                        .or_else(|| problem("client_secret_keychain"))
                        .as_deref(),
                );
                text_field(
                    ui,
                    "Client secret variable",
                    &mut file.client_secret_env,
                    None,
                );
                choice_field(
                    ui,
                    "Client authentication",
                    &mut file.token_endpoint_auth_method,
                    &ClientAuthMethod::ALL.map(|m| (m, m.as_str())),
                    problem("token_endpoint_auth_method").as_deref(),
                );
                choice_field(
                    ui,
                    "Revocation authentication",
                    &mut file.revocation_endpoint_auth_method,
                    &ClientAuthMethod::ALL.map(|m| (m, m.as_str())),
                    problem("revocation_endpoint_auth_method").as_deref(),
                );
                choice_field(
                    ui,
                    "Introspection authentication",
                    &mut file.introspection_endpoint_auth_method,
                    &ClientAuthMethod::ALL.map(|m| (m, m.as_str())),
                    problem("introspection_endpoint_auth_method").as_deref(),
                );
            });
        });
}
