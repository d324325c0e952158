//! The profile editor: every profile field, grouped, validated inline, with
//! Save (also Ctrl+S) above the form and discovery beside the endpoints.
//! Each group of fields is drawn by a file of `editor/`, in the order the
//! form shows them: `client`, `keys` (and DPoP), `endpoints` (and
//! discovery), `grant`, `grant_tables` (CIBA, token exchange, JWT bearer),
//! `api` (and the ready-made requests), `http` (and compatibility),
//! `logout` (and OpenID logout).

mod api;
mod client;
mod endpoints;
mod grant;
mod grant_tables;
mod http;
mod keys;
mod logout;

use eframe::egui;

use super::ProfileAction as Action;
use super::state::ProfileEntry;
use crate::app::tokens::tools::ToolsState;
use crate::engine::Profile;
use crate::engine::profile::{GrantType, ProfileError};

/// The editor; true when Save was pressed.
pub fn editor_ui(
    ui: &mut egui::Ui,
    entry: &mut ProfileEntry,
    (reveal, presenting): (bool, bool),
    (tools, secret_storage): (Option<&ToolsState>, Option<&(bool, String)>),
    actions: &mut Vec<Action>,
) -> bool {
    let validation = Profile::from_file(&entry.file, "profile").err();
    let problem = |key: &str| {
        validation
            .as_ref()
            .and_then(|e: &ProfileError| e.message_for(key))
            .map(str::to_string)
    };
    // JSON that does not parse cannot be saved (RFC 9396 §2 details).
    let unsaveable = problem(crate::engine::requests::rar::PARAMETER).is_some();
    // Save sits above the form, so it stays in reach however long the
    // form grows.
    let save = ui
        .horizontal(|ui| {
            let save = ui
                .add_enabled(
                    (entry.is_dirty() || entry.path.is_none()) && !entry.saving && !unsaveable,
                    egui::Button::new("Save"),
                )
                .on_hover_text("Ctrl+S")
                .on_disabled_hover_text(if entry.saving {
                    "Saving…"
                } else if unsaveable {
                    "Authorization details (RFC 9396) are not valid: fix them to save"
                } else {
                    "No unsaved changes"
                });
            if entry.saving {
                ui.label("Saving…");
            } else if entry.is_dirty() {
                ui.label("Unsaved changes");
            }
            save.clicked()
        })
        .inner;
    // Where Save puts the secrets, said before the user types one.
    match secret_storage {
        Some((true, text)) => {
            ui.add(egui::Label::new(egui::RichText::new(text).small()).wrap());
        }
        Some((false, text)) => {
            ui.add(
                egui::Label::new(egui::RichText::new(text).color(ui.visuals().warn_fg_color))
                    .wrap(),
            );
        }
        None => {}
    }
    let file = &mut entry.file;
    client::client_ui(ui, file, reveal, &problem);
    keys::keys_ui(
        ui,
        file,
        (
            &entry.generated_key,
            &entry.registration,
            entry.dpop_key.as_deref(),
        ),
        &problem,
        actions,
    );
    endpoints::endpoints_ui(ui, file, tools, &problem, actions);
    grant::grant_ui(ui, file, (reveal, presenting), &problem);
    if file.grant_type == Some(GrantType::Ciba) || file.ciba.is_some() {
        grant_tables::ciba_ui(ui, file, reveal, &problem);
    }
    if file.grant_type == Some(GrantType::TokenExchange) || file.token_exchange.is_some() {
        grant_tables::token_exchange_ui(ui, &mut file.token_exchange, reveal, &problem);
    }
    if file.grant_type == Some(GrantType::JwtBearer) || file.jwt_bearer.is_some() {
        grant_tables::jwt_bearer_ui(ui, &mut file.jwt_bearer, reveal, &problem);
    }
    api::api_ui(ui, file, &problem);
    http::http_ui(ui, file, &problem);
    http::compat_ui(ui, file);
    logout::logout_ui(ui, file, &problem);
    logout::oidc_logout_ui(ui, file, &problem);
    api::requests_ui(ui, file);
    if let Some(error) = &validation {
        let unplaced: Vec<String> = error
            .problems
            .iter()
            .filter(|p| p.key.is_none())
            .map(|p| p.message.clone())
            .collect();
        for message in unplaced {
            ui.colored_label(ui.visuals().error_fg_color, message);
        }
    }
    save
}

/// A two-column grid for a section's label–field rows.
fn grid(ui: &mut egui::Ui, id: &str, add: &mut dyn FnMut(&mut egui::Ui)) {
    egui::Grid::new(id)
        .num_columns(2)
        .striped(false)
        .show(ui, |ui| add(ui));
}
