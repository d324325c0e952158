//! What the token response carried, in the Tokens tab: its fields (the
//! tokens masked), the delegation chain of an exchanged token, the
//! findings, and each JWT decoded with its checks.

use eframe::egui;

use crate::app::tokens::inspect::{claims_ui, json_ui};
use crate::app::tokens::tools::ToolsState;
use crate::app::widgets::checks::{checks_ui, summary};
use crate::app::widgets::explanation::findings_ui as findings_list_ui;
use crate::app::widgets::secret::{secret_ui, value_ui};
use crate::engine::TokenSet;

/// The token response's fields, a grid of name and value.
pub(super) fn fields_ui(ui: &mut egui::Ui, tokens: &TokenSet, reveal: bool) {
    let secret = |ui: &mut egui::Ui, name: &str, value: Option<&crate::engine::Secret>| match value
    {
        Some(token) => secret_ui(ui, name, token.expose(), reveal),
        None => value_ui(ui, name, "—"),
    };
    egui::Grid::new("token_fields")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            ui.label("access_token");
            secret(ui, "access_token", Some(&tokens.access_token));
            ui.end_row();
            ui.label("token_type");
            let token_type = tokens
                .token_type
                .as_deref()
                .unwrap_or("(missing — treated as Bearer)");
            value_ui(ui, "token_type", token_type);
            ui.end_row();
            ui.label("expires_in");
            let expires_in = tokens
                .expires_in
                .map(|s| format!("{s} s"))
                .unwrap_or_else(|| "—".to_string());
            value_ui(ui, "expires_in", &expires_in);
            ui.end_row();
            ui.label("refresh_token");
            secret(ui, "refresh_token", tokens.refresh_token.as_ref());
            ui.end_row();
            ui.label("scope");
            value_ui(ui, "scope", tokens.scope.as_deref().unwrap_or("—"));
            ui.end_row();
            ui.label("id_token");
            secret(ui, "id_token", tokens.id_token.as_ref());
            ui.end_row();
            if tokens.grant == crate::engine::GrantType::TokenExchange
                || tokens.issued_token_type.is_some()
            {
                ui.label("issued_token_type");
                let issued = tokens
                    .issued_token_type
                    .as_deref()
                    .unwrap_or("(missing — RFC 8693 §2.2.1 requires it)");
                value_ui(ui, "issued_token_type", issued);
                ui.end_row();
            }
            for (name, value) in &tokens.other {
                ui.label(name);
                value_ui(ui, name, &value.to_string());
                ui.end_row();
            }
        });
}

/// The delegation chain of the access token's `act` claim (RFC 8693
/// §4.1) as a small tree: the subject, then each actor indented under the
/// one it acts for — the current actor first, prior actors below it.
pub(super) fn delegation_ui(ui: &mut egui::Ui, tokens: &TokenSet) {
    if tokens.delegation.is_empty() {
        return;
    }
    let subject = tokens
        .jwts
        .iter()
        .find(|j| j.source == "access_token")
        .and_then(|j| j.claims["sub"].as_str())
        .unwrap_or("(no sub)");
    ui.add_space(6.0);
    ui.strong("Delegation (act claim, RFC 8693 §4.1)");
    ui.label(format!("subject: {subject}"));
    actors_ui(ui, &tokens.delegation, 0);
}

fn actors_ui(
    ui: &mut egui::Ui,
    chain: &[serde_json::Map<String, serde_json::Value>],
    depth: usize,
) {
    let Some((actor, prior)) = chain.split_first() else {
        return;
    };
    ui.indent(("delegation", depth), |ui| {
        let name = actor
            .get("sub")
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| serde_json::Value::Object(actor.clone()).to_string());
        let role = if depth == 0 { "current" } else { "prior" };
        let mut line = format!("actor: {name} ({role})");
        if let Some(iss) = actor.get("iss").and_then(|v| v.as_str()) {
            line.push_str(&format!(", iss {iss}"));
        }
        ui.label(line);
        actors_ui(ui, prior, depth + 1);
    });
}

pub(super) fn findings_ui(ui: &mut egui::Ui, tokens: &TokenSet) {
    if tokens.findings.is_empty() {
        return;
    }
    ui.add_space(4.0);
    ui.strong("Findings");
    findings_list_ui(ui, &tokens.findings);
}

/// Each JWT of `current` decoded (header, claims) with its checks once
/// Verify has run.
pub(super) fn decoded_ui(ui: &mut egui::Ui, tools: &ToolsState, current: &TokenSet, reveal: bool) {
    let verifications = tools.verifications_of(current);
    for jwt in &current.jwts {
        let verification =
            verifications.and_then(|list| list.iter().find(|v| v.jwt.source == jwt.source));
        let status = verification
            .map(summary)
            .unwrap_or_else(|| "not verified".to_string());
        egui::CollapsingHeader::new(format!("Decoded {} (JWT, {status})", jwt.source))
            .id_salt(("decoded", &jwt.source))
            .default_open(true)
            .show(ui, |ui| {
                ui.label("Header");
                json_ui(ui, &jwt.header);
                ui.label("Claims");
                claims_ui(ui, &jwt.claims, reveal);
                ui.label("Checks");
                match verification {
                    Some(verification) => checks_ui(ui, &jwt.source, verification),
                    None => {
                        ui.weak("Press Verify to check the signature and the claims.");
                    }
                }
            });
    }
}
