//! The editor's Grant section: the grant type and what the authorization
//! request carries (scope, redirect URI, PKCE, PAR, request object,
//! response type and mode, resource, ACR, authorization details), the
//! resource owner's credentials and extra parameters.

use eframe::egui;

use super::grid;
use crate::app::widgets::fields::{
    choice_field, map_field, seconds_field, secret_field, text_field,
};
use crate::engine::ProfileFile;
use crate::engine::client::keys::Alg;
use crate::engine::profile::{GrantType, PkceMode, ResponseMode};

/// The Grant section, open by default; in presentation mode the username
/// is hidden.
pub(super) fn grant_ui(
    ui: &mut egui::Ui,
    file: &mut ProfileFile,
    (reveal, presenting): (bool, bool),
    problem: &dyn Fn(&str) -> Option<String>,
) {
    egui::CollapsingHeader::new("Grant")
        .default_open(true)
        .show(ui, |ui| {
            grid(ui, "edit_grant", &mut |ui| {
                choice_field(
                    ui,
                    "Grant type",
                    &mut file.grant_type,
                    &GrantType::ALL.map(|g| (g, g.label())),
                    None,
                );
                text_field(ui, "Scope", &mut file.scope, None);
                text_field(
                    ui,
                    "Redirect URI",
                    &mut file.redirect_uri,
                    problem("redirect_uri").as_deref(),
                );
                choice_field(
                    ui,
                    "PKCE",
                    &mut file.pkce,
                    &[
                        (PkceMode::S256, "S256"),
                        (PkceMode::Plain, "plain"),
                        (PkceMode::None, "none"),
                    ],
                    None,
                );
                ui.label("PAR");
                let mut par = file.require_pushed_authorization_requests.unwrap_or(false);
                if ui
                    .checkbox(&mut par, "Push the authorization request")
                    .on_hover_text("RFC 9126: the parameters go to the PAR endpoint first; the browser carries only client_id and request_uri")
                    .changed()
                {
                    file.require_pushed_authorization_requests = par.then_some(true);
                }
                ui.end_row();
                let mut object_alg = file.request_object_signing_alg.as_deref().and_then(Alg::parse);
                if choice_field(
                    ui,
                    "Request object alg",
                    &mut object_alg,
                    &Alg::ALL.map(|a| (a, a.as_str())),
                    problem("request_object_signing_alg").as_deref(),
                ) {
                    file.request_object_signing_alg = object_alg.map(|a| a.as_str().to_string());
                }
                ui.label("FAPI 2.0");
                let mut fapi2 = file.fapi2.unwrap_or(false);
                if ui
                    .checkbox(&mut fapi2, "Check against FAPI 2.0")
                    .on_hover_text("Each run of the authorization code grant says which FAPI 2.0 Security Profile requirements the profile and the server's answers break")
                    .changed()
                {
                    file.fapi2 = fapi2.then_some(true);
                }
                ui.end_row();
                // The hybrid flow (OIDC Core §3.3): the authorization code
                // grant's response_type; the implicit grant keeps its own.
                if file.grant_type == Some(GrantType::AuthorizationCode) {
                    use crate::engine::grants::hybrid::CodeResponseType;
                    let mut kind = file
                        .response_type
                        .as_deref()
                        .and_then(|text| CodeResponseType::parse(text).ok());
                    if choice_field(
                        ui,
                        "Response type",
                        &mut kind,
                        &CodeResponseType::ALL.map(|k| (k, k.as_str())),
                        problem("response_type").as_deref(),
                    ) {
                        file.response_type = kind.map(|k| k.as_str().to_string());
                    }
                }
                let mut mode = file.response_mode.as_deref().and_then(ResponseMode::parse);
                if choice_field(
                    ui,
                    "Response mode",
                    &mut mode,
                    &ResponseMode::ALL.map(|m| (m, m.as_str().unwrap_or_default())),
                    problem("response_mode").as_deref(),
                ) {
                    file.response_mode = mode.and_then(|m| m.as_str()).map(str::to_string);
                }
                ui.label("Issuer (RFC 9207)");
                let mut iss = file
                    .authorization_response_iss_parameter_supported
                    .unwrap_or(false);
                if ui
                    .checkbox(&mut iss, "Refuse a response without iss")
                    .on_hover_text("authorization_response_iss_parameter_supported: the server sends iss in every authorization response, so one without it may come from another server (a mix-up, RFC 9207 §2.4). Discover sets it from the server's metadata.")
                    .changed()
                {
                    file.authorization_response_iss_parameter_supported = Some(iss);
                }
                ui.end_row();
                ui.label("Refresh");
                let mut auto = file.auto_refresh.unwrap_or(false);
                if ui
                    .checkbox(&mut auto, "Start with auto-refresh on")
                    .on_hover_text("auto_refresh: this profile's tokens are refreshed ahead of expiry, in the background")
                    .changed()
                {
                    file.auto_refresh = auto.then_some(true);
                }
                ui.end_row();
                resource_field(ui, &mut file.resource, problem("resource").as_deref());
                // OIDC Core §3.1.2.1; what a step-up asks for (RFC 9470 §4).
                text_field(
                    ui,
                    "ACR values",
                    &mut file.acr_values,
                    problem("acr_values").as_deref(),
                );
                seconds_field(
                    ui,
                    "Max age (s)",
                    &mut file.max_age,
                    problem("max_age").as_deref(),
                );
                authorization_details_field(
                    ui,
                    &mut file.authorization_details,
                    problem(crate::engine::requests::rar::PARAMETER).as_deref(),
                );
                if presenting {
                    ui.label("Username");
                    ui.label("•••• (presentation mode)");
                    ui.end_row();
                } else {
                    text_field(
                        ui,
                        "Username",
                        &mut file.username,
                        problem("username").as_deref(),
                    );
                }
                secret_field(
                    ui,
                    "Password",
                    &mut file.password,
                    reveal,
                    problem("password")
                        .or_else(|| problem("password_keychain"))
                        .as_deref(),
                );
                text_field(ui, "Password variable", &mut file.password_env, None);
                map_field(ui, "Authorize parameters", &mut file.authorize_params);
                map_field(ui, "Token parameters", &mut file.token_params);
            });
        });
}

/// `resource` (RFC 8707) as one line, URIs separated by spaces. The text
/// round-trips as typed (a trailing space stays while the next URI is
/// typed); empty values are left out when the profile is read.
fn resource_field(
    ui: &mut egui::Ui,
    resource: &mut Option<crate::engine::profile::grant_tables::OneOrMany>,
    problem: Option<&str>,
) {
    use crate::engine::profile::grant_tables::OneOrMany;
    let shown = match resource {
        Some(OneOrMany::One(one)) => Some(one.clone()),
        Some(OneOrMany::Many(many)) => Some(many.join(" ")),
        None => None,
    };
    let mut text = shown.clone();
    text_field(ui, "Resource (RFC 8707)", &mut text, problem);
    if text != shown {
        *resource = match text.filter(|t| !t.trim().is_empty()) {
            None => None,
            Some(text) if !text.trim().contains(' ') => Some(OneOrMany::One(text)),
            Some(text) => Some(OneOrMany::Many(
                text.split(' ').map(str::to_string).collect(),
            )),
        };
    }
}

/// `authorization_details` (RFC 9396) as JSON text, several lines, checked
/// as it is typed (the problem shows under it, and Save waits for valid
/// JSON). Details written as TOML tables show pretty-printed; what is typed
/// is kept as typed, a JSON string in the profile.
fn authorization_details_field(
    ui: &mut egui::Ui,
    value: &mut Option<serde_json::Value>,
    problem: Option<&str>,
) {
    let shown = match value {
        None => String::new(),
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(other) => serde_json::to_string_pretty(other).unwrap_or_default(),
    };
    let mut text = shown.clone();
    // A short label: the grid's label column sets the Clients panel's width.
    let label = ui.label("Authorization details").on_hover_text(
        "Rich authorization requests (RFC 9396): a JSON array of objects, each with a type",
    );
    let changed = ui
        .add(
            egui::TextEdit::multiline(&mut text)
                .code_editor()
                .desired_rows(3)
                .desired_width(f32::INFINITY)
                .hint_text(r#"[{"type": "payment_initiation", "actions": ["initiate"]}]"#),
        )
        .labelled_by(label.id)
        .changed();
    if changed && text != shown {
        *value = (!text.trim().is_empty()).then_some(serde_json::Value::String(text));
    }
    ui.end_row();
    crate::app::widgets::fields::problem_row(ui, problem);
}
