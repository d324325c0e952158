//! The editor's sections for the extension grants' own tables:
//! `[token_exchange]` (RFC 8693 §2.1) and `[jwt_bearer]` (RFC 7523 §2.1,
//! §3). Each shows when the profile runs its grant or already has the
//! table; a table left empty is written back as absent.

use std::collections::BTreeMap;

use eframe::egui;
use serde_json::Value;

use crate::app::widgets::fields::{
    choice_field, map_field, seconds_field, secret_field, text_field,
};
use crate::engine::profile::grant_tables::{
    JwtBearerFile, OneOrMany, TOKEN_TYPES, TokenExchangeFile,
};

/// The subject token's sources among the profile's current tokens.
const FROM: [&str; 3] = ["access_token", "id_token", "refresh_token"];

/// The `[ciba]` table (OpenID CIBA Core §4, §5, §7.1): the delivery mode,
/// the hint naming the user, the binding message, the user code. An empty
/// table is written back as absent.
pub(super) fn ciba_ui(
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

/// `[token_exchange]`: where the subject (and actor) token comes from,
/// their types, what is asked for and for whom.
pub(super) fn token_exchange_ui(
    ui: &mut egui::Ui,
    table: &mut Option<TokenExchangeFile>,
    reveal: bool,
    problem: &dyn Fn(&str) -> Option<String>,
) {
    egui::CollapsingHeader::new("Token exchange")
        .default_open(true)
        .show(ui, |ui| {
            let mut edited = table.clone().unwrap_or_default();
            egui::Grid::new("edit_token_exchange")
                .num_columns(2)
                .show(ui, |ui| {
                    let mut from = edited
                        .from
                        .as_deref()
                        .and_then(|f| FROM.iter().position(|v| *v == f));
                    if choice_field(
                        ui,
                        "Subject token from",
                        &mut from,
                        &[(0, FROM[0]), (1, FROM[1]), (2, FROM[2])],
                        problem("token_exchange.from").as_deref(),
                    ) {
                        edited.from = from.map(|i| FROM[i].to_string());
                    }
                    secret_field(
                        ui,
                        "Subject token",
                        &mut edited.subject_token,
                        reveal,
                        problem("token_exchange.subject_token").as_deref(),
                    );
                    text_field(
                        ui,
                        "Subject token variable",
                        &mut edited.subject_token_env,
                        problem("token_exchange.subject_token_env").as_deref(),
                    );
                    token_type_field(
                        ui,
                        "Subject token type",
                        &mut edited.subject_token_type,
                        problem("token_exchange.subject_token_type"),
                    );
                    secret_field(
                        ui,
                        "Actor token",
                        &mut edited.actor_token,
                        reveal,
                        problem("token_exchange.actor_token").as_deref(),
                    );
                    text_field(
                        ui,
                        "Actor token variable",
                        &mut edited.actor_token_env,
                        problem("token_exchange.actor_token_env").as_deref(),
                    );
                    token_type_field(
                        ui,
                        "Actor token type",
                        &mut edited.actor_token_type,
                        problem("token_exchange.actor_token_type"),
                    );
                    token_type_field(
                        ui,
                        "Requested token type",
                        &mut edited.requested_token_type,
                        problem("token_exchange.requested_token_type"),
                    );
                    words_field(
                        ui,
                        "Audience",
                        &mut edited.audience,
                        problem("token_exchange.audience"),
                    );
                    words_field(
                        ui,
                        "Exchange resource",
                        &mut edited.resource,
                        problem("token_exchange.resource"),
                    );
                });
            let edited = (edited != TokenExchangeFile::default()).then_some(edited);
            if edited != *table {
                *table = edited;
            }
        });
}

/// `[jwt_bearer]`: a ready-made assertion, or the claims of the one the
/// debugger builds and signs.
pub(super) fn jwt_bearer_ui(
    ui: &mut egui::Ui,
    table: &mut Option<JwtBearerFile>,
    reveal: bool,
    problem: &dyn Fn(&str) -> Option<String>,
) {
    egui::CollapsingHeader::new("JWT bearer assertion")
        .default_open(true)
        .show(ui, |ui| {
            let mut edited = table.clone().unwrap_or_default();
            egui::Grid::new("edit_jwt_bearer")
                .num_columns(2)
                .show(ui, |ui| {
                    secret_field(
                        ui,
                        "Assertion",
                        &mut edited.assertion,
                        reveal,
                        problem("jwt_bearer.assertion").as_deref(),
                    );
                    text_field(
                        ui,
                        "Assertion variable",
                        &mut edited.assertion_env,
                        problem("jwt_bearer.assertion_env").as_deref(),
                    );
                    text_field(
                        ui,
                        "Assertion issuer (iss)",
                        &mut edited.iss,
                        problem("jwt_bearer.iss").as_deref(),
                    );
                    text_field(
                        ui,
                        "Assertion subject (sub)",
                        &mut edited.sub,
                        problem("jwt_bearer.sub").as_deref(),
                    );
                    text_field(
                        ui,
                        "Assertion audience (aud)",
                        &mut edited.aud,
                        problem("jwt_bearer.aud").as_deref(),
                    );
                    seconds_field(
                        ui,
                        "Assertion lifetime (s)",
                        &mut edited.lifetime,
                        problem("jwt_bearer.lifetime").as_deref(),
                    );
                    let mut claims = claims_as_text(&edited.claims);
                    if map_field(ui, "Extra claims", &mut claims) {
                        edited.claims = claims_from_text(&claims);
                    }
                    if let Some(problem) = problem("jwt_bearer.claims") {
                        ui.label("");
                        ui.colored_label(ui.visuals().error_fg_color, problem);
                        ui.end_row();
                    }
                });
            let edited = (edited != JwtBearerFile::default()).then_some(edited);
            if edited != *table {
                *table = edited;
            }
        });
}

/// A token type URN of RFC 8693 §3, chosen from the list by its last part.
fn token_type_field(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut Option<String>,
    problem: Option<String>,
) {
    let mut index = value
        .as_deref()
        .and_then(|v| TOKEN_TYPES.iter().position(|t| *t == v));
    // Shown by their last part (`access_token` for
    // `urn:ietf:params:oauth:token-type:access_token`): the whole URN would
    // widen the Clients panel past the tab bar.
    let options: Vec<(usize, &str)> = TOKEN_TYPES
        .iter()
        .map(|t| t.rsplit(':').next().unwrap_or(t))
        .enumerate()
        .collect();
    if choice_field(ui, label, &mut index, &options, problem.as_deref()) {
        *value = index.map(|i| TOKEN_TYPES[i].to_string());
    }
}

/// One value or several, typed on one line separated by spaces.
fn words_field(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut Option<OneOrMany>,
    problem: Option<String>,
) {
    let shown = value.as_ref().map(|v| v.values().join(" "));
    let mut text = shown.clone();
    text_field(ui, label, &mut text, problem.as_deref());
    if text != shown {
        *value = match text.filter(|t| !t.trim().is_empty()) {
            None => None,
            Some(text) if !text.trim().contains(' ') => Some(OneOrMany::One(text)),
            Some(text) => Some(OneOrMany::Many(
                text.split(' ').map(str::to_string).collect(),
            )),
        };
    }
}

/// Claims as `name = value` text: a string as written, anything else as
/// JSON.
fn claims_as_text(claims: &BTreeMap<String, Value>) -> BTreeMap<String, String> {
    claims
        .iter()
        .map(|(name, value)| {
            let text = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            (name.clone(), text)
        })
        .collect()
}

/// Back from text: what reads as JSON other than a string (a number,
/// `true`, `[…]`, `{…}`, `null`) is that; anything else is a string.
fn claims_from_text(text: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    text.iter()
        .map(|(name, value)| {
            let value = match serde_json::from_str::<Value>(value) {
                Ok(Value::String(_)) | Err(_) => Value::String(value.clone()),
                Ok(json) => json,
            };
            (name.clone(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_round_trip_through_text() {
        let claims: BTreeMap<String, Value> = [
            ("role".to_string(), json!("admin")),
            ("level".to_string(), json!(3)),
            ("groups".to_string(), json!(["a", "b"])),
            ("mfa".to_string(), json!(true)),
        ]
        .into_iter()
        .collect();
        let text = claims_as_text(&claims);
        assert_eq!(text["role"], "admin");
        assert_eq!(text["groups"], r#"["a","b"]"#);
        assert_eq!(claims_from_text(&text), claims);
    }
}
