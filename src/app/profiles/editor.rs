//! The profile editor: every profile field, grouped, validated inline, with
//! Save (also Ctrl+S) above the form and discovery beside the endpoints.

use eframe::egui;

use super::ProfileAction as Action;
use super::state::ProfileEntry;
use crate::app::pending::Pending;
use crate::app::tokens::tools::ToolsState;
use crate::app::widgets::explanation::findings_ui;
use crate::app::widgets::fields::{
    choice_field, map_field, seconds_field, secret_field, text_field,
};
use crate::engine::client::keys::Alg;
use crate::engine::profile::ProfileError;
use crate::engine::profile::{
    ApiFile, ClientAuthMethod, CompatFile, GrantType, HttpFile, LogoutFile, PkceMode, ResponseMode,
    TokenPlacementKind,
};
use crate::engine::store::workspace::GeneratedKey;
use crate::engine::{Profile, ProfileFile};

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
    let grid = |ui: &mut egui::Ui, id: &str, add: &mut dyn FnMut(&mut egui::Ui)| {
        egui::Grid::new(id)
            .num_columns(2)
            .striped(false)
            .show(ui, |ui| add(ui));
    };
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
    keys_ui(
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
    if file.grant_type == Some(GrantType::Ciba) || file.ciba.is_some() {
        ciba_ui(ui, file, reveal, &problem);
    }
    if file.grant_type == Some(GrantType::TokenExchange) || file.token_exchange.is_some() {
        super::grant_tables::token_exchange_ui(ui, &mut file.token_exchange, reveal, &problem);
    }
    if file.grant_type == Some(GrantType::JwtBearer) || file.jwt_bearer.is_some() {
        super::grant_tables::jwt_bearer_ui(ui, &mut file.jwt_bearer, reveal, &problem);
    }
    egui::CollapsingHeader::new("API").show(ui, |ui| {
        let api = file.api.get_or_insert_with(ApiFile::default);
        grid(ui, "edit_api", &mut |ui| {
            text_field(ui, "API URL", &mut api.url, problem("api.url").as_deref());
            text_field(
                ui,
                "Method",
                &mut api.method,
                problem("api.method").as_deref(),
            );
            choice_field(
                ui,
                "Token placement",
                &mut api.token_placement,
                &[
                    (TokenPlacementKind::Header, "header"),
                    (TokenPlacementKind::Query, "query"),
                    (TokenPlacementKind::Body, "body"),
                ],
                None,
            );
            text_field(
                ui,
                "Header name",
                &mut api.header_name,
                problem("api.header_name").as_deref(),
            );
            text_field(ui, "Header prefix", &mut api.header_prefix, None);
            text_field(ui, "Token parameter", &mut api.query_param, None);
            map_field(ui, "API headers", &mut api.headers);
            map_field(ui, "API query", &mut api.query);
        });
        if *api == ApiFile::default() {
            file.api = None;
        }
    });
    egui::CollapsingHeader::new("HTTP").show(ui, |ui| {
        let http = file.http.get_or_insert_with(HttpFile::default);
        let mut timeout = http.timeout_secs.map(|s| s.to_string());
        grid(ui, "edit_http", &mut |ui| {
            if text_field(
                ui,
                "Timeout (seconds)",
                &mut timeout,
                problem("http.timeout_secs").as_deref(),
            ) {
                http.timeout_secs = timeout.as_deref().and_then(|t| t.trim().parse().ok());
            }
            let mut connect = http.connect_timeout_secs.map(|s| s.to_string());
            if text_field(
                ui,
                "Connect timeout (seconds)",
                &mut connect,
                problem("http.connect_timeout_secs").as_deref(),
            ) {
                http.connect_timeout_secs = connect.as_deref().and_then(|t| t.trim().parse().ok());
            }
            let mut limit = http.max_response_mb.map(|s| s.to_string());
            if text_field(
                ui,
                "Response size limit (MB)",
                &mut limit,
                problem("http.max_response_mb").as_deref(),
            ) {
                http.max_response_mb = limit.as_deref().and_then(|t| t.trim().parse().ok());
            }
            text_field(ui, "CA file (PEM)", &mut http.ca_file, None);
            text_field(
                ui,
                "Client certificate (PEM)",
                &mut http.client_cert_file,
                problem("http.client_cert_file").as_deref(),
            );
            text_field(
                ui,
                "Client certificate key (PEM)",
                &mut http.client_key_file,
                None,
            );
            text_field(
                ui,
                "Proxy",
                &mut http.proxy,
                problem("http.proxy").as_deref(),
            );
            let mut accept = http.accept_invalid_certs.unwrap_or(false);
            ui.label("TLS");
            if ui
                .checkbox(&mut accept, "Accept invalid certificates (dangerous)")
                .changed()
            {
                http.accept_invalid_certs = accept.then_some(true);
            }
            ui.end_row();
        });
        if *http == HttpFile::default() {
            file.http = None;
        }
    });
    egui::CollapsingHeader::new("Compatibility").show(ui, |ui| {
        let compat = file.compat.get_or_insert_with(CompatFile::default);
        let switches: [(&mut bool, &str); 5] = [
            (
                &mut compat.token_params_in_query,
                "Token parameters in the query string",
            ),
            (
                &mut compat.basic_auth_raw,
                "Basic credentials without form-urlencoding",
            ),
            (&mut compat.accept_any_2xx, "Accept any 2xx token response"),
            (
                &mut compat.accept_non_json_content_type,
                "Accept a token response that is not labelled JSON",
            ),
            (&mut compat.repair_json, "Repair trailing commas in JSON"),
        ];
        for (value, label) in switches {
            ui.checkbox(value, label);
        }
        if *compat == CompatFile::default() {
            file.compat = None;
        }
    });
    egui::CollapsingHeader::new("Logout").show(ui, |ui| {
        let logout = file.logout.get_or_insert_with(LogoutFile::default);
        grid(ui, "edit_logout", &mut |ui| {
            text_field(
                ui,
                "Logout URL",
                &mut logout.url,
                problem("logout.url").as_deref(),
            );
            text_field(
                ui,
                "Logout method",
                &mut logout.method,
                problem("logout.method").as_deref(),
            );
        });
        if *logout == LogoutFile::default() {
            file.logout = None;
        }
    });
    egui::CollapsingHeader::new("OpenID logout").show(ui, |ui| {
        let oidc = file
            .oidc_logout
            .get_or_insert_with(crate::engine::profile::OidcLogoutFile::default);
        grid(ui, "edit_oidc_logout", &mut |ui| {
            text_field(
                ui,
                "Post-logout redirect URI",
                &mut oidc.post_logout_redirect_uri,
                problem("oidc_logout.post_logout_redirect_uri").as_deref(),
            );
            text_field(
                ui,
                "Logout hint",
                &mut oidc.logout_hint,
                problem("oidc_logout.logout_hint").as_deref(),
            );
            text_field(
                ui,
                "UI locales",
                &mut oidc.ui_locales,
                problem("oidc_logout.ui_locales").as_deref(),
            );
            text_field(
                ui,
                "Back-channel logout URI",
                &mut oidc.backchannel_logout_uri,
                problem("oidc_logout.backchannel_logout_uri").as_deref(),
            );
        });
        if *oidc == crate::engine::profile::OidcLogoutFile::default() {
            file.oidc_logout = None;
        }
    });
    if !file.requests.is_empty() {
        egui::CollapsingHeader::new(format!("Ready-made requests ({})", file.requests.len())).show(
            ui,
            |ui| {
                ui.label("Edit them in the profile file; use them from the Request tab.");
                for request in &file.requests {
                    ui.monospace(format!(
                        "{} — {} {}",
                        request.name.as_deref().unwrap_or("(unnamed)"),
                        request.method.as_deref().unwrap_or("GET"),
                        request.url.as_deref().unwrap_or("")
                    ));
                }
            },
        );
    }
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

type KeyStates<'a> = (
    &'a Pending<Result<GeneratedKey, String>>,
    &'a Pending<Result<String, String>>,
    Option<&'a str>,
);

/// Keys for client assertions and DPoP: the key file (or "Generate key",
/// with the public JWKS to register and, on the demo provider, a button
/// that registers it), the assertion's alg and audience, DPoP on or off.
fn keys_ui(
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

/// The `[ciba]` table (OpenID CIBA Core §4, §5, §7.1): the delivery mode,
/// the hint naming the user, the binding message, the user code. An empty
/// table is written back as absent.
fn ciba_ui(
    ui: &mut egui::Ui,
    file: &mut crate::engine::ProfileFile,
    reveal: bool,
    problem: &dyn Fn(&str) -> Option<String>,
) {
    use crate::engine::profile::grant_tables::CibaFile;
    egui::CollapsingHeader::new("CIBA")
        .default_open(true)
        .show(ui, |ui| {
            let mut table = file.ciba.clone().unwrap_or_default();
            egui::Grid::new("edit_ciba").num_columns(2).show(ui, |ui| {
                let modes = [("poll", "poll"), ("ping", "ping")];
                let mut mode = table
                    .backchannel_token_delivery_mode
                    .as_deref()
                    .and_then(|m| modes.iter().position(|(v, _)| *v == m));
                if choice_field(
                    ui,
                    "Token delivery mode",
                    &mut mode,
                    &[(0, "poll"), (1, "ping")],
                    problem("ciba.backchannel_token_delivery_mode").as_deref(),
                ) {
                    table.backchannel_token_delivery_mode = mode.map(|i| modes[i].0.to_string());
                }
                text_field(
                    ui,
                    "Notification endpoint",
                    &mut table.backchannel_client_notification_endpoint,
                    problem("ciba.backchannel_client_notification_endpoint").as_deref(),
                );
                text_field(
                    ui,
                    "Login hint",
                    &mut table.login_hint,
                    problem("ciba.login_hint").as_deref(),
                );
                secret_field(
                    ui,
                    "Login hint token",
                    &mut table.login_hint_token,
                    reveal,
                    None,
                );
                secret_field(ui, "ID token hint", &mut table.id_token_hint, reveal, None);
                text_field(
                    ui,
                    "Binding message",
                    &mut table.binding_message,
                    problem("ciba.binding_message").as_deref(),
                );
                secret_field(ui, "User code", &mut table.user_code, reveal, None);
            });
            let table = (table != CibaFile::default()).then_some(table);
            if table != file.ciba {
                file.ciba = table;
            }
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
    let label = ui.label("Authorization details (RFC 9396)");
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
