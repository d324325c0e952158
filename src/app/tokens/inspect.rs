//! The Tokens tab's inspection tools: a pasted JWT and its verification,
//! Verify / Introspect / Userinfo and their answers, and claims shown with
//! readable times and personal values masked.

use eframe::egui;

use super::TokenAction as Action;
use super::panel::TokenActions;
use super::tools::ToolsState;
use crate::app::widgets::checks::{checks_ui, summary};
use crate::app::widgets::explanation::findings_ui as findings_list_ui;

/// A field to paste any JWT into, and its verification against the
/// selected profile.
pub fn pasted_ui(
    ui: &mut egui::Ui,
    tools: &mut ToolsState,
    reveal: bool,
    actions: &mut Vec<Action>,
) {
    egui::CollapsingHeader::new("Inspect a pasted JWT")
        .id_salt("pasted_jwt")
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label("JWT");
                ui.add(
                    egui::TextEdit::singleline(&mut tools.pasted)
                        .desired_width(480.0)
                        .hint_text("eyJ…"),
                )
                .labelled_by(label.id);
                if ui
                    .add_enabled(
                        !tools.pasted_result.is_waiting() && !tools.pasted.trim().is_empty(),
                        egui::Button::new("Verify pasted"),
                    )
                    .on_disabled_hover_text("Paste a JWT first")
                    .clicked()
                {
                    actions.push(Action::VerifyPasted);
                }
            });
            match tools.pasted_result.value() {
                Some(Ok(verification)) => {
                    ui.label("Header");
                    json_ui(ui, &verification.jwt.header);
                    ui.label("Claims");
                    claims_ui(ui, &verification.jwt.claims, reveal);
                    ui.strong(summary(verification));
                    checks_ui(ui, "pasted", verification);
                }
                Some(Err(message)) => {
                    ui.colored_label(ui.visuals().error_fg_color, message);
                }
                None => {}
            }
        });
}

/// Verify, Introspect and Userinfo, and what the last call answered.
pub fn tools_ui(
    ui: &mut egui::Ui,
    tools: &ToolsState,
    offered: TokenActions,
    reveal: bool,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!tools.verified.is_waiting(), egui::Button::new("Verify"))
            .on_hover_text(
                "Check each JWT's signature against the JWKS (or the client secret) and its claims",
            )
            .clicked()
        {
            actions.push(Action::Verify);
        }
        if tools.verified.is_waiting() {
            ui.spinner();
        }
        if ui
            .add_enabled(
                offered.introspect && !tools.looked.is_waiting(),
                egui::Button::new("Introspect"),
            )
            .on_disabled_hover_text("The profile has no introspection endpoint")
            .clicked()
        {
            actions.push(Action::Introspect);
        }
        if ui
            .add_enabled(
                offered.userinfo && !tools.looked.is_waiting(),
                egui::Button::new("Userinfo"),
            )
            .on_disabled_hover_text("The profile has no userinfo endpoint")
            .clicked()
        {
            actions.push(Action::Userinfo);
        }
        if tools.looked.is_waiting() {
            ui.spinner();
        }
    });
    match tools.looked.value() {
        Some(Ok(report)) => {
            egui::CollapsingHeader::new(&report.title)
                .id_salt("tool_report")
                .default_open(true)
                .show(ui, |ui| {
                    if reveal {
                        json_ui(ui, &report.json);
                    } else {
                        let mut shown = report.json.clone();
                        crate::engine::wire::redact::mask_json(&mut shown);
                        crate::engine::wire::redact::mask_personal(&mut shown);
                        json_ui(ui, &shown);
                    }
                    findings_list_ui(ui, &report.findings);
                });
        }
        Some(Err(message)) => {
            ui.colored_label(ui.visuals().error_fg_color, message);
        }
        None => {}
    }
}

/// Claims with the time claims also shown as local time and relative.
pub fn claims_ui(ui: &mut egui::Ui, claims: &serde_json::Value, reveal: bool) {
    let Some(object) = claims.as_object() else {
        json_ui(ui, claims);
        return;
    };
    egui::Grid::new(ui.scope_id().with("claims"))
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (name, value) in object {
                ui.monospace(name);
                let text = match (name.as_str(), value.as_i64()) {
                    ("exp" | "iat" | "nbf" | "auth_time", Some(secs)) => time_claim(secs),
                    _ if !reveal && personal(name) => "••••".to_string(),
                    _ => match value {
                        serde_json::Value::String(text) => text.clone(),
                        other => other.to_string(),
                    },
                };
                ui.add(egui::Label::new(text).selectable(true));
                ui.end_row();
            }
        });
}

/// A claim that names or reaches a person (OIDC Core §5.1): masked on
/// screen unless secrets are shown.
fn personal(claim: &str) -> bool {
    matches!(
        claim,
        "email"
            | "name"
            | "given_name"
            | "family_name"
            | "middle_name"
            | "nickname"
            | "preferred_username"
            | "phone_number"
            | "address"
            | "birthdate"
    )
}

fn time_claim(secs: i64) -> String {
    let Some(at) = chrono::DateTime::from_timestamp(secs, 0) else {
        return secs.to_string();
    };
    // A claim of this very second (a fresh token's `iat`) is "0 s ago",
    // not "in 0 s": the past reads as the past, and the text keeps its
    // shape (and the grid its width) as the seconds go by.
    let delta = (at - chrono::Utc::now()).num_seconds();
    let relative = if delta > 0 {
        format!(
            "in {}",
            crate::app::widgets::countdown::duration_text(delta)
        )
    } else {
        format!(
            "{} ago",
            crate::app::widgets::countdown::duration_text(-delta)
        )
    };
    format!(
        "{secs} ({}, {relative})",
        at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S")
    )
}

/// A JSON value shown pretty-printed and selectable, in the monospace font.
pub fn json_ui(ui: &mut egui::Ui, value: &serde_json::Value) {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    ui.add(egui::Label::new(egui::RichText::new(text).monospace()).selectable(true));
}
