//! The editor's Endpoints section: the base URL, the issuer and every
//! endpoint the grants use, with the Discover button that fills the empty
//! ones from the issuer's discovery document and what the server says it
//! supports.

use eframe::egui;

use super::grid;
use crate::app::profiles::ProfileAction as Action;
use crate::app::tokens::tools::ToolsState;
use crate::app::widgets::explanation::findings_ui;
use crate::app::widgets::fields::text_field;
use crate::engine::ProfileFile;

/// The Endpoints section, open by default, with discovery under the fields.
pub(super) fn endpoints_ui(
    ui: &mut egui::Ui,
    file: &mut ProfileFile,
    tools: Option<&ToolsState>,
    problem: &dyn Fn(&str) -> Option<String>,
    actions: &mut Vec<Action>,
) {
    egui::CollapsingHeader::new("Endpoints")
        .default_open(true)
        .show(ui, |ui| {
            grid(ui, "edit_endpoints", &mut |ui| {
                text_field(
                    ui,
                    "Base URL",
                    &mut file.base_url,
                    problem("base_url").as_deref(),
                );
                text_field(ui, "Issuer", &mut file.issuer, problem("issuer").as_deref());
                text_field(
                    ui,
                    "Authorization endpoint",
                    &mut file.authorization_endpoint,
                    problem("authorization_endpoint").as_deref(),
                );
                text_field(
                    ui,
                    "Token endpoint",
                    &mut file.token_endpoint,
                    problem("token_endpoint").as_deref(),
                );
                text_field(
                    ui,
                    "Device endpoint",
                    &mut file.device_authorization_endpoint,
                    problem("device_authorization_endpoint").as_deref(),
                );
                text_field(
                    ui,
                    "Revocation endpoint",
                    &mut file.revocation_endpoint,
                    problem("revocation_endpoint").as_deref(),
                );
                text_field(
                    ui,
                    "Introspection endpoint",
                    &mut file.introspection_endpoint,
                    problem("introspection_endpoint").as_deref(),
                );
                text_field(
                    ui,
                    "Userinfo endpoint",
                    &mut file.userinfo_endpoint,
                    problem("userinfo_endpoint").as_deref(),
                );
                text_field(
                    ui,
                    "JWKS URI",
                    &mut file.jwks_uri,
                    problem("jwks_uri").as_deref(),
                );
                text_field(
                    ui,
                    "PAR endpoint",
                    &mut file.pushed_authorization_request_endpoint,
                    problem("pushed_authorization_request_endpoint").as_deref(),
                );
                text_field(
                    ui,
                    "End session endpoint",
                    &mut file.end_session_endpoint,
                    problem("end_session_endpoint").as_deref(),
                );
                text_field(
                    ui,
                    "CIBA endpoint",
                    &mut file.backchannel_authentication_endpoint,
                    problem("backchannel_authentication_endpoint").as_deref(),
                );
            });
            discover_ui(ui, tools, actions);
        });
}

/// The Discover button and what the last discovery did.
fn discover_ui(ui: &mut egui::Ui, tools: Option<&ToolsState>, actions: &mut Vec<Action>) {
    let discovering = tools.is_some_and(|t| t.discovered.is_waiting());
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!discovering, egui::Button::new("Discover"))
            .on_disabled_hover_text("Discovering…")
            .on_hover_text(
                "Fetch the issuer's discovery document and fill the empty endpoints (typed ones are kept)",
            )
            .clicked()
        {
            actions.push(Action::Discover);
        }
        if discovering {
            ui.spinner();
        }
    });
    let found = match tools.and_then(|t| t.discovered.value()) {
        Some(Ok(found)) => found,
        Some(Err(message)) => {
            ui.colored_label(ui.visuals().error_fg_color, message);
            return;
        }
        None => return,
    };
    ui.add(egui::Label::new(&found.message).wrap());
    findings_ui(ui, &found.findings);
    {
        let metadata = &found.metadata;
        egui::CollapsingHeader::new("What the server supports")
            .id_salt("server_metadata")
            .show(ui, |ui| {
                let list = |values: &Option<Vec<String>>| match values {
                    None => "(not listed)".to_string(),
                    Some(values) => values.join(" "),
                };
                egui::Grid::new("server_metadata_grid")
                    .num_columns(2)
                    .show(ui, |ui| {
                        for (name, values) in [
                            ("Grants", &metadata.grant_types_supported),
                            (
                                "Client authentication",
                                &metadata.token_endpoint_auth_methods_supported,
                            ),
                            ("PKCE methods", &metadata.code_challenge_methods_supported),
                            ("Scopes", &metadata.scopes_supported),
                            (
                                "ID token algorithms",
                                &metadata.id_token_signing_alg_values_supported,
                            ),
                        ] {
                            ui.label(name);
                            ui.add(egui::Label::new(list(values)).wrap());
                            ui.end_row();
                        }
                    });
            });
    }
}
