//! The Tokens tab: the current token set — fields, expiry countdown,
//! findings, decoded JWTs, raw response — and the earlier ones.

use eframe::egui;

use crate::app::tools::ToolsState;
use crate::app::widgets::checks::{checks_ui, summary};
use crate::app::widgets::copy::copy_button;
use crate::app::widgets::countdown::{countdown_ui, expiry_bar_ui};
use crate::app::widgets::explanation::findings_ui as findings_list_ui;
use crate::app::widgets::json_tree::{JsonTree, JsonTreeView, json_tree_ui};
use crate::app::widgets::secret::secret_ui;
use crate::app::{Action, TokenState};
use crate::engine::TokenSet;

/// Which ways to end a token the profile offers.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenActions {
    /// The profile has a `[logout]` request.
    pub logout: bool,
    /// The profile has a revocation endpoint.
    pub revoke: bool,
    /// The profile has an introspection endpoint.
    pub introspect: bool,
    /// The profile has a userinfo endpoint.
    pub userinfo: bool,
}

/// The opt-in setting that keeps tokens across restarts, and where they go.
fn keep_ui(ui: &mut egui::Ui, kept: bool, tokens: &TokenState, actions: &mut Vec<Action>) {
    let mut keep = kept;
    if ui
        .checkbox(&mut keep, "Keep tokens across restarts")
        .on_hover_text(
            "Off by default. Kept tokens are stored like secrets: sealed with a key in the OS keychain, or in a file only you can read when there is none.",
        )
        .changed()
    {
        actions.push(Action::KeepTokens(keep));
    }
    if let Some((ok, message)) = &tokens.kept_note {
        let color = if *ok {
            ui.visuals().weak_text_color()
        } else {
            ui.visuals().error_fg_color
        };
        ui.colored_label(color, egui::RichText::new(message).small());
    }
}

/// Draws the Tokens tab.
pub fn tokens_ui(
    ui: &mut egui::Ui,
    tokens: &mut TokenState,
    tools: &mut ToolsState,
    reveal: bool,
    offered: TokenActions,
    keep_tokens: bool,
) -> Vec<Action> {
    let mut actions = Vec::new();
    keep_ui(ui, keep_tokens, tokens, &mut actions);
    pasted_ui(ui, tools, reveal, &mut actions);
    let tools = &*tools;
    let Some(current) = tokens.current().cloned() else {
        ui.label("No tokens yet: run a grant in the Flow tab.");
        return actions;
    };
    let current = &current;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.heading(format!("Token received ({} grant)", current.grant));
            ui.horizontal(|ui| {
                ui.label("Expires");
                countdown_ui(ui, current.expires_at);
            });
            expiry_bar_ui(ui, current.obtained_at, current.expires_at);
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(
                        current.refresh_token.is_some(),
                        egui::Button::new("Refresh now"),
                    )
                    .clicked()
                {
                    actions.push(Action::RefreshNow);
                }
                if copy_button(ui, "Copy access token") {
                    actions.push(Action::Copy(current.access_token.expose().to_string()));
                }
                ui.separator();
                ui.checkbox(&mut tokens.auto_refresh, "Auto-refresh");
                let label = ui.label("seconds before expiry");
                ui.add(egui::TextEdit::singleline(&mut tokens.threshold).desired_width(48.0))
                    .labelled_by(label.id);
            });
            if offered.logout || offered.revoke {
                ui.horizontal(|ui| {
                    let idle = !tokens.ending;
                    if offered.logout
                        && ui.add_enabled(idle, egui::Button::new("Log out")).clicked()
                    {
                        actions.push(Action::Logout);
                    }
                    if offered.revoke {
                        if ui
                            .add_enabled(idle, egui::Button::new("Revoke access token"))
                            .clicked()
                        {
                            actions.push(Action::Revoke(false));
                        }
                        if ui
                            .add_enabled(
                                idle && current.refresh_token.is_some(),
                                egui::Button::new("Revoke refresh token"),
                            )
                            .clicked()
                        {
                            actions.push(Action::Revoke(true));
                        }
                    }
                    if tokens.ending {
                        ui.spinner();
                    }
                });
            }
            if let Some((ok, message)) = &tokens.ended {
                let color = if *ok {
                    ui.visuals().strong_text_color()
                } else {
                    ui.visuals().error_fg_color
                };
                ui.colored_label(color, message);
            }
            ui.add_space(6.0);
            fields_ui(ui, current, reveal);
            findings_ui(ui, current);
            tools_ui(ui, tools, offered, reveal, &mut actions);
            let verifications = tools.verifications_of(current);
            for jwt in &current.jwts {
                let verification = verifications
                    .and_then(|list| list.iter().find(|v| v.jwt.source == jwt.source));
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
            egui::CollapsingHeader::new("Raw response").show(ui, |ui| {
            let fresh = matches!(&tokens.raw_tree, Some((at, r, _, _)) if *at == current.obtained_at && *r == reveal);
            if !fresh {
                let raw = if reveal {
                    current.raw.clone()
                } else {
                    serde_json::from_slice(&crate::engine::redact::body(current.raw.to_string().as_bytes()))
                        .unwrap_or(serde_json::Value::Null)
                };
                let tree = JsonTree::build(&raw);
                tokens.raw_tree = Some((current.obtained_at, reveal, tree, JsonTreeView::default()));
            }
            if let Some((_, _, tree, view)) = &mut tokens.raw_tree {
                ui.set_max_height(240.0);
                json_tree_ui(ui, "raw_token_tree", tree, view);
            }
        });
        egui::CollapsingHeader::new("Raw response (text)").show(ui, |ui| {
            let raw = if reveal {
                current.raw.clone()
            } else {
                serde_json::from_slice(&crate::engine::redact::body(current.raw.to_string().as_bytes()))
                    .unwrap_or(serde_json::Value::Null)
            };
            json_ui(ui, &raw);
        });
        if let Some(text) = &current.raw_text {
            egui::CollapsingHeader::new("As received (invalid JSON, repaired above)")
                .default_open(true)
                .show(ui, |ui| {
                    if reveal {
                        ui.add(egui::Label::new(egui::RichText::new(text).monospace()).wrap());
                    } else {
                        let masked = crate::engine::redact::body(text.as_bytes());
                        ui.label("Secrets masked (the repaired form); Show secrets shows the body exactly as received.");
                        ui.add(
                            egui::Label::new(
                                egui::RichText::new(String::from_utf8_lossy(&masked)).monospace(),
                            )
                            .wrap(),
                        );
                    }
                });
        }
        if tokens.history.len() > 1 {
                egui::CollapsingHeader::new(format!(
                    "History ({} earlier)",
                    tokens.history.len() - 1
                ))
                .show(ui, |ui| {
                    for (index, older) in tokens.history.iter().enumerate().rev().skip(1) {
                        ui.label(format!(
                            "#{} {} grant at {} — refresh token {}",
                            index + 1,
                            older.grant,
                            older
                                .obtained_at
                                .with_timezone(&chrono::Local)
                                .format("%H:%M:%S"),
                            older
                                .refresh_token
                                .as_ref()
                                .map(|t| if reveal {
                                    t.expose().to_string()
                                } else {
                                    t.abbreviated()
                                })
                                .unwrap_or_else(|| "none".to_string())
                        ));
                    }
                });
            }
        });
    actions
}

/// A field to paste any JWT into, and its verification against the
/// selected profile.
fn pasted_ui(ui: &mut egui::Ui, tools: &mut ToolsState, reveal: bool, actions: &mut Vec<Action>) {
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
                        !tools.verifying && !tools.pasted.trim().is_empty(),
                        egui::Button::new("Verify pasted"),
                    )
                    .clicked()
                {
                    actions.push(Action::VerifyPasted);
                }
            });
            match &tools.pasted_result {
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
fn tools_ui(
    ui: &mut egui::Ui,
    tools: &ToolsState,
    offered: TokenActions,
    reveal: bool,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!tools.verifying, egui::Button::new("Verify"))
            .on_hover_text(
                "Check each JWT's signature against the JWKS (or the client secret) and its claims",
            )
            .clicked()
        {
            actions.push(Action::VerifyTokens);
        }
        if tools.verifying {
            ui.spinner();
        }
        if ui
            .add_enabled(
                offered.introspect && !tools.looking,
                egui::Button::new("Introspect"),
            )
            .clicked()
        {
            actions.push(Action::Introspect);
        }
        if ui
            .add_enabled(
                offered.userinfo && !tools.looking,
                egui::Button::new("Userinfo"),
            )
            .clicked()
        {
            actions.push(Action::Userinfo);
        }
        if tools.looking {
            ui.spinner();
        }
    });
    match &tools.looked {
        Some(Ok(report)) => {
            egui::CollapsingHeader::new(&report.title)
                .id_salt("tool_report")
                .default_open(true)
                .show(ui, |ui| {
                    if reveal {
                        json_ui(ui, &report.json);
                    } else {
                        let mut shown = report.json.clone();
                        crate::engine::redact::mask_json(&mut shown);
                        crate::engine::redact::mask_personal(&mut shown);
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

fn fields_ui(ui: &mut egui::Ui, tokens: &TokenSet, reveal: bool) {
    egui::Grid::new("token_fields")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            ui.label("access_token");
            secret_ui(ui, "access_token", tokens.access_token.expose(), reveal);
            ui.end_row();
            ui.label("token_type");
            ui.label(
                tokens
                    .token_type
                    .as_deref()
                    .unwrap_or("(missing — treated as Bearer)"),
            );
            ui.end_row();
            ui.label("expires_in");
            ui.label(
                tokens
                    .expires_in
                    .map(|s| format!("{s} s"))
                    .unwrap_or_else(|| "—".to_string()),
            );
            ui.end_row();
            ui.label("refresh_token");
            match &tokens.refresh_token {
                Some(token) => secret_ui(ui, "refresh_token", token.expose(), reveal),
                None => {
                    ui.label("—");
                }
            }
            ui.end_row();
            ui.label("scope");
            ui.label(tokens.scope.as_deref().unwrap_or("—"));
            ui.end_row();
            ui.label("id_token");
            match &tokens.id_token {
                Some(token) => secret_ui(ui, "id_token", token.expose(), reveal),
                None => {
                    ui.label("—");
                }
            }
            ui.end_row();
            for (name, value) in &tokens.other {
                ui.label(name);
                ui.label(value.to_string());
                ui.end_row();
            }
        });
}

fn findings_ui(ui: &mut egui::Ui, tokens: &TokenSet) {
    if tokens.findings.is_empty() {
        return;
    }
    ui.add_space(4.0);
    ui.strong("Findings");
    findings_list_ui(ui, &tokens.findings);
}

/// Claims with the time claims also shown as local time and relative.
fn claims_ui(ui: &mut egui::Ui, claims: &serde_json::Value, reveal: bool) {
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
    let delta = (at - chrono::Utc::now()).num_seconds();
    let relative = if delta >= 0 {
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

fn json_ui(ui: &mut egui::Ui, value: &serde_json::Value) {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    ui.add(egui::Label::new(egui::RichText::new(text).monospace()).selectable(true));
}
