//! The editor's Keys and DPoP section: the signing key for client
//! assertions (or a generated one, with its public JWKS to register), the
//! assertion's alg and audience, and DPoP-bound tokens (RFC 9449).

use eframe::egui;

use crate::app::pending::Pending;
use crate::app::profiles::ProfileAction as Action;
use crate::app::widgets::fields::{choice_field, text_field};
use crate::engine::ProfileFile;
use crate::engine::client::keys::Alg;
use crate::engine::store::workspace::GeneratedKey;

pub(super) type KeyStates<'a> = (
    &'a Pending<Result<GeneratedKey, String>>,
    &'a Pending<Result<String, String>>,
    Option<&'a str>,
);

/// Keys for client assertions and DPoP: the key file (or "Generate key",
/// with the public JWKS to register and, on the demo provider, a button
/// that registers it), the assertion's alg and audience, DPoP on or off.
pub(super) fn keys_ui(
    ui: &mut egui::Ui,
    file: &mut ProfileFile,
    (generated, registration, dpop_key): KeyStates<'_>,
    problem: &dyn Fn(&str) -> Option<String>,
    actions: &mut Vec<Action>,
) {
    let in_use = file
        .token_endpoint_auth_method
        .is_some_and(|m| m.is_assertion() || m.is_mtls())
        || file.dpop_bound_access_tokens == Some(true)
        || file.signing_key_file.is_some();
    egui::CollapsingHeader::new("Keys and DPoP")
        .default_open(in_use)
        .show(ui, |ui| {
            egui::Grid::new("edit_keys").num_columns(2).show(ui, |ui| {
                text_field(
                    ui,
                    "Signing key file",
                    &mut file.signing_key_file,
                    problem("signing_key_file").as_deref(),
                );
                text_field(ui, "Signing key ID (kid)", &mut file.signing_key_kid, None);
                let mut alg = file
                    .token_endpoint_auth_signing_alg
                    .as_deref()
                    .and_then(Alg::parse);
                if choice_field(
                    ui,
                    "Assertion signing alg",
                    &mut alg,
                    &Alg::ALL.map(|a| (a, a.as_str())),
                    problem("token_endpoint_auth_signing_alg").as_deref(),
                ) {
                    file.token_endpoint_auth_signing_alg = alg.map(|a| a.as_str().to_string());
                }
                text_field(
                    ui,
                    "Assertion audience",
                    &mut file.client_assertion_audience,
                    problem("client_assertion_audience").as_deref(),
                );
                ui.label("");
                ui.add(
                    egui::Label::new(
                        egui::RichText::new("issuer (default), token_endpoint, or a URL").weak(),
                    )
                    .wrap(),
                );
                ui.end_row();
                let mut dpop = file.dpop_bound_access_tokens.unwrap_or(false);
                ui.label("DPoP");
                if ui
                    .checkbox(&mut dpop, "DPoP-bound tokens")
                    .on_hover_text("RFC 9449: tokens bound to a key of this app's; every token request and API call proves possession")
                    .changed()
                {
                    file.dpop_bound_access_tokens = dpop.then_some(true);
                }
                ui.end_row();
                if dpop {
                    text_field(
                        ui,
                        "DPoP key file",
                        &mut file.dpop_key_file,
                        problem("dpop_key_file").as_deref(),
                    );
                    let mut dpop_alg = file.dpop_signing_alg.as_deref().and_then(Alg::parse);
                    if choice_field(
                        ui,
                        "DPoP signing alg",
                        &mut dpop_alg,
                        &Alg::ASYMMETRIC.map(|a| (a, a.as_str())),
                        problem("dpop_signing_alg").as_deref(),
                    ) {
                        file.dpop_signing_alg = dpop_alg.map(|a| a.as_str().to_string());
                    }
                    ui.label("DPoP key");
                    ui.add(
                        egui::Label::new(match dpop_key {
                            Some(about) => about.to_string(),
                            None if file.dpop_key_file.is_some() => {
                                "the key file's, once a grant runs".to_string()
                            }
                            None => "a fresh key for this session, made when a grant runs"
                                .to_string(),
                        })
                        .wrap(),
                    );
                    ui.end_row();
                }
            });
            let alg = file
                .token_endpoint_auth_signing_alg
                .as_deref()
                .and_then(Alg::parse)
                .filter(|a| !a.is_hmac())
                .unwrap_or(Alg::Es256);
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(
                        !generated.is_waiting(),
                        egui::Button::new(format!("Generate {alg} key")),
                    )
                    .on_hover_text("Writes a new private key beside the profiles and uses it as the signing key file")
                    .clicked()
                {
                    actions.push(Action::GenerateKey(alg));
                }
                if generated.is_waiting() {
                    ui.spinner();
                    ui.label("Making the key…");
                }
            });
            match generated.value() {
                Some(Ok(key)) => {
                    ui.add(
                        egui::Label::new(format!(
                            "Wrote the {} key to {} (kid {}). Register its public JWKS with the server:",
                            key.describe,
                            key.path.display(),
                            key.thumbprint
                        ))
                        .wrap(),
                    );
                    ui.horizontal_wrapped(|ui| {
                        if ui.button("Copy JWKS").clicked() {
                            ui.ctx().copy_text(key.jwks.clone());
                        }
                        let demo = crate::app::profiles::demo_registration_url(file).is_some();
                        if ui
                            .add_enabled(
                                demo && !registration.is_waiting(),
                                egui::Button::new("Register with the demo provider"),
                            )
                            .on_disabled_hover_text(
                                "For a client of the built-in demo provider (client ID and token endpoint set)",
                            )
                            .clicked()
                        {
                            actions.push(Action::RegisterKey);
                        }
                    });
                    // The JWKS in a box of its own height, so the form
                    // below does not move far.
                    egui::ScrollArea::vertical()
                        .id_salt("generated_jwks")
                        .max_height(120.0)
                        .show(ui, |ui| {
                            let mut shown = key.jwks.as_str();
                            ui.add(
                                egui::TextEdit::multiline(&mut shown)
                                    .code_editor()
                                    .desired_rows(4)
                                    .desired_width(f32::INFINITY),
                            );
                        });
                    match registration.value() {
                        Some(Ok(message)) => {
                            ui.add(egui::Label::new(message.as_str()).wrap());
                        }
                        Some(Err(message)) => {
                            ui.colored_label(ui.visuals().error_fg_color, message.as_str());
                        }
                        None => {}
                    }
                }
                Some(Err(message)) => {
                    ui.colored_label(ui.visuals().error_fg_color, message.as_str());
                }
                None => {}
            }
        });
}
