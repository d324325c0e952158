//! The Tokens tab: the current token set — fields, expiry countdown,
//! findings, decoded JWTs, raw response — and the earlier ones.

use eframe::egui;

use super::TokenAction as Action;
use super::inspect::{claims_ui, json_ui, pasted_ui, tools_ui};
use super::state::{TIMELINE_PAGE, TimelineKind, TokenState};
use super::tools::ToolsState;
use crate::app::widgets::checks::{checks_ui, summary};
use crate::app::widgets::copy::copy_button;
use crate::app::widgets::countdown::{countdown_ui, expiry_bar_ui};
use crate::app::widgets::explanation::findings_ui as findings_list_ui;
use crate::app::widgets::explanation::why_ui;
use crate::app::widgets::json_tree::{JsonTree, JsonTreeView, json_tree_ui};
use crate::app::widgets::secret::{secret_ui, value_ui};
use crate::engine::TokenSet;
use crate::engine::endpoints::revoke::TokenHint;

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
    /// The profile has an `end_session_endpoint`, or an issuer to
    /// discover one from.
    pub end_session: bool,
}

/// What the tab needs besides the tokens.
pub struct TokensView<'a> {
    /// The profile the tokens belong to.
    pub profile: &'a str,
    /// Secrets in clear.
    pub reveal: bool,
    /// What the profile offers.
    pub offered: TokenActions,
    /// Tokens are kept across restarts.
    pub keep_tokens: bool,
    /// Where kept tokens went: (success, message).
    pub kept_note: Option<&'a (bool, String)>,
    /// OpenID logout state.
    pub oidc_logout: &'a super::oidc_logout::OidcLogoutState,
}

/// The opt-in setting that keeps tokens across restarts, and where they go.
fn keep_ui(
    ui: &mut egui::Ui,
    kept: bool,
    note: Option<&(bool, String)>,
    actions: &mut Vec<Action>,
) {
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
    if let Some((ok, message)) = note {
        let color = if *ok {
            ui.visuals().weak_text_color()
        } else {
            ui.visuals().error_fg_color
        };
        ui.add(egui::Label::new(egui::RichText::new(message).small().color(color)).wrap());
    }
}

/// Draws the Tokens tab.
pub fn tokens_ui(
    ui: &mut egui::Ui,
    tokens: &mut TokenState,
    tools: &mut ToolsState,
    view: &TokensView<'_>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let (reveal, offered) = (view.reveal, view.offered);
    ui.strong(format!("Tokens of {}", view.profile))
        .on_hover_text(
            "Every action here uses this profile: its endpoints and its client credentials",
        );
    keep_ui(ui, view.keep_tokens, view.kept_note, &mut actions);
    pasted_ui(ui, tools, reveal, &mut actions);
    let tools = &*tools;
    let Some(current) = tokens.current().cloned() else {
        ui.label("No tokens yet: run a grant in the Flow tab.");
        timeline_ui(ui, tokens, &mut actions);
        return actions;
    };
    let current = &current;
    let access_revoked = tokens.is_revoked(TokenHint::AccessToken);
    let refresh_revoked = tokens.is_revoked(TokenHint::RefreshToken);
    egui::ScrollArea::vertical()
        .id_salt("tokens_scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.heading(format!("Token received ({} grant)", current.grant.label()));
            if access_revoked {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    "Revoked: the access token was revoked (or the session logged out); it no longer counts down.",
                );
            } else {
                ui.horizontal(|ui| {
                    ui.label("Expires");
                    countdown_ui(ui, current.expires_at);
                });
                expiry_bar_ui(ui, current.obtained_at, current.expires_at);
            }
            if let Some(failure) = tokens.refresh_failure() {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("The last refresh failed: {}", failure.message),
                );
                findings_list_ui(ui, &failure.findings);
                if let Some(explanation) = &failure.explanation {
                    why_ui(ui, "refresh_failure", explanation);
                }
            }
            ui.horizontal(|ui| {
                let rerun = current.refresh_token.is_none() && current.grant.reruns_unattended();
                let why = if current.refresh_token.is_none() && !rerun {
                    Some("The token response carried no refresh token, and this grant needs a person to run again")
                } else if refresh_revoked && !rerun {
                    Some("The refresh token was revoked")
                } else if tokens.refreshing.is_waiting() {
                    Some("A refresh is on its way")
                } else {
                    None
                };
                let refresh = ui
                    .add_enabled(why.is_none(), egui::Button::new("Refresh now"));
                if let Some(why) = why {
                    refresh.clone().on_disabled_hover_text(why);
                } else if rerun {
                    refresh.clone().on_hover_text(format!(
                        "No refresh token was issued: this runs the {} grant again",
                        current.grant.label()
                    ));
                }
                if refresh.clicked() {
                    actions.push(Action::RefreshNow);
                }
                if tokens.refreshing.is_waiting() {
                    // Words, not a spinner: a spinner repaints the window
                    // at the display's rate for as long as it shows, and
                    // auto-refresh of short-lived tokens is most of a day.
                    ui.weak("Refreshing…");
                }
                if copy_button(ui, "Copy access token") {
                    actions.push(Action::Copy(current.access_token.expose().to_string()));
                }
                ui.separator();
                ui.checkbox(&mut tokens.auto_refresh, "Auto-refresh");
                let label = ui.label("Seconds before expiry");
                ui.add(egui::TextEdit::singleline(&mut tokens.threshold).desired_width(48.0))
                    .labelled_by(label.id);
            });
            // Said, not hidden: what auto-refresh does without a refresh token.
            if tokens.auto_refresh && current.refresh_token.is_none() {
                let text = if current.grant.reruns_unattended() {
                    format!(
                        "No refresh token: auto-refresh runs the {} grant again ahead of expiry.",
                        current.grant.label()
                    )
                } else {
                    format!(
                        "No refresh token, and the {} grant needs a person: auto-refresh cannot renew these tokens.",
                        current.grant.label()
                    )
                };
                ui.add(egui::Label::new(egui::RichText::new(text).weak()).wrap());
            }
            if offered.logout || offered.revoke {
                ui.horizontal(|ui| {
                    let idle = !tokens.ending.is_waiting();
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
                            .on_disabled_hover_text("No refresh token, or a call is on its way")
                            .clicked()
                        {
                            actions.push(Action::Revoke(true));
                        }
                    }
                    if tokens.ending.is_waiting() {
                        ui.spinner();
                    }
                });
            }
            let can_log_out = if current.id_token.is_none() {
                Some("No ID token: run an OpenID grant (scope openid) first")
            } else if !offered.end_session {
                Some("The profile has no end_session_endpoint, nor an issuer to discover one from")
            } else {
                None
            };
            super::oidc_logout::oidc_logout_ui(ui, view.oidc_logout, can_log_out, &mut actions);
            if let Some((ok, message)) = tokens.ended() {
                let color = if ok {
                    ui.visuals().strong_text_color()
                } else {
                    ui.visuals().error_fg_color
                };
                ui.add(egui::Label::new(egui::RichText::new(message).color(color)).wrap());
            }
            ui.add_space(6.0);
            fields_ui(ui, current, reveal);
            delegation_ui(ui, current);
            super::rar::authorization_details_ui(ui, current);
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
                    serde_json::from_slice(&crate::engine::wire::redact::body(current.raw.to_string().as_bytes()))
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
                serde_json::from_slice(&crate::engine::wire::redact::body(current.raw.to_string().as_bytes()))
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
                        ui.label("As received, every byte kept, with the token values masked.");
                        ui.add(
                            egui::Label::new(egui::RichText::new(mask_values(text, current)).monospace())
                                .wrap(),
                        );
                    }
                });
        }
        timeline_ui(ui, tokens, &mut actions);
        if tokens.history.len() > 1 {
                egui::CollapsingHeader::new(format!(
                    "Earlier token sets ({})",
                    tokens.history.len() - 1
                ))
                .show(ui, |ui| {
                    if tokens.history_dropped > 0 {
                        ui.weak(format!(
                            "The newest {} are kept in memory; {} older ones are in the HTTP log and the timeline.",
                            tokens.history.len(),
                            tokens.history_dropped
                        ));
                    }
                    for (index, older) in tokens.history.iter().enumerate().rev().skip(1) {
                        let refresh = older.refresh_token.as_ref().map(|t| {
                            if reveal {
                                t.expose().to_string()
                            } else {
                                format!("•••• ({} chars)", t.expose().chars().count())
                            }
                        });
                        ui.add(egui::Label::new(format!(
                            "#{} {} grant at {} — refresh token {}",
                            index + 1,
                            older.grant.label(),
                            older
                                .obtained_at
                                .with_timezone(&chrono::Local)
                                .format("%H:%M:%S"),
                            refresh.unwrap_or_else(|| "none".to_string())
                        )).wrap());
                    }
                });
            }
        });
    actions
}

/// What happened to the profile's tokens, newest first, each linked to its
/// exchange.
fn timeline_ui(ui: &mut egui::Ui, tokens: &mut TokenState, actions: &mut Vec<Action>) {
    if tokens.timeline.is_empty() {
        return;
    }
    let shown = tokens.timeline_shown.max(1);
    egui::CollapsingHeader::new(format!("Timeline ({})", tokens.timeline.len()))
        .id_salt("token_timeline")
        .default_open(true)
        .show(ui, |ui| {
            // The newest page: a day of refreshes is thousands of entries,
            // and laying them all out every frame is what costs.
            let total = tokens.timeline.len();
            for (index, entry) in tokens.timeline.iter().enumerate().rev().take(shown) {
                ui.horizontal_wrapped(|ui| {
                    let failed = matches!(entry.kind, TimelineKind::Failed(_));
                    let color = if failed {
                        ui.visuals().error_fg_color
                    } else {
                        ui.visuals().text_color()
                    };
                    ui.monospace(
                        entry
                            .at
                            .with_timezone(&chrono::Local)
                            .format("%H:%M:%S")
                            .to_string(),
                    );
                    ui.colored_label(color, &entry.text);
                    if let Some(id) = entry.exchange_id
                        && ui.small_button(format!("Exchange #{id}")).clicked()
                    {
                        actions.push(Action::ShowExchange(id));
                    }
                });
                if let TimelineKind::Failed(failure) = &entry.kind
                    && let Some(explanation) = &failure.explanation
                {
                    ui.indent(("timeline_why", index), |ui| {
                        why_ui(ui, ("timeline", index), explanation);
                    });
                }
            }
            if total > shown {
                ui.horizontal(|ui| {
                    ui.weak(format!("Showing the newest {shown} of {total}"));
                    if ui
                        .button(format!("Show {} older", (total - shown).min(TIMELINE_PAGE)))
                        .clicked()
                    {
                        tokens.timeline_shown = shown + TIMELINE_PAGE;
                    }
                });
            }
        });
}

/// `text` with the token values of `tokens` masked and every other byte
/// as it was (a trailing comma stays a trailing comma).
fn mask_values(text: &str, tokens: &TokenSet) -> String {
    let mut masked = text.to_string();
    let secrets = [
        Some(&tokens.access_token),
        tokens.refresh_token.as_ref(),
        tokens.id_token.as_ref(),
    ];
    for secret in secrets.into_iter().flatten() {
        let value = secret.expose();
        if !value.is_empty() {
            masked = masked.replace(value, "••••");
        }
    }
    masked
}

fn fields_ui(ui: &mut egui::Ui, tokens: &TokenSet, reveal: bool) {
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
fn delegation_ui(ui: &mut egui::Ui, tokens: &TokenSet) {
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

fn findings_ui(ui: &mut egui::Ui, tokens: &TokenSet) {
    if tokens.findings.is_empty() {
        return;
    }
    ui.add_space(4.0);
    ui.strong("Findings");
    findings_list_ui(ui, &tokens.findings);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A password-grant token set from the response `body`, received now.
    fn received(body: &str) -> TokenSet {
        let response = crate::engine::wire::http::RecordedResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            truncated: false,
        };
        crate::engine::tokens::response::parse_token_response(
            &response,
            crate::engine::GrantType::Password,
            1,
            chrono::Utc::now(),
            None,
            &Default::default(),
            Vec::new(),
        )
        .expect("tokens")
    }

    /// A day of refreshes: the timeline lays out its newest page, and
    /// older pages on request.
    #[test]
    fn the_timeline_shows_its_newest_page_and_older_ones_on_request() {
        use egui_kittest::kittest::Queryable;
        let mut tokens = TokenState::default();
        let body = |n: usize| {
            format!(
                r#"{{"access_token":"a{n}","token_type":"Bearer","expires_in":7,"refresh_token":"r{n}"}}"#
            )
        };
        tokens.issued(received(&body(0)));
        for n in 1..=200 {
            tokens.refreshing.start();
            tokens.refresh_finished(Ok(received(&body(n))));
        }
        let state = (tokens, ToolsState::default());
        let mut harness = egui_kittest::Harness::builder()
            .with_size(egui::vec2(1000.0, 650.0))
            .build_ui_state(
                |ui, (tokens, tools): &mut (TokenState, ToolsState)| {
                    let view = TokensView {
                        profile: "Demo",
                        reveal: false,
                        offered: TokenActions::default(),
                        keep_tokens: false,
                        kept_note: None,
                        oidc_logout: &Default::default(),
                    };
                    let _ = tokens_ui(ui, tokens, tools, &view);
                },
                state,
            );
        harness.run_steps(2);
        assert!(
            harness
                .query_by_label("Showing the newest 50 of 201")
                .is_some()
        );
        harness.get_by_label("Show 50 older").scroll_to_me();
        harness.run_steps(4);
        harness.get_by_label("Show 50 older").click();
        harness.run_steps(4);
        assert!(
            harness
                .query_by_label("Showing the newest 100 of 201")
                .is_some()
        );
    }

    /// The Tokens tab at rest costs what its countdown costs (issue 20):
    /// with a 7-second token on screen (PingFederate's lifetime) nothing on
    /// the tab asks for a repaint sooner than the countdown's second.
    #[test]
    fn a_short_lived_token_repaints_the_tab_once_a_second() {
        let mut tokens = TokenState::default();
        tokens.issued(received(
            r#"{"access_token":"eyJhbGciOiJub25lIn0.eyJzdWIiOiJkZW1vIn0.","token_type":"Bearer","expires_in":7,"refresh_token":"r-1","scope":"read"}"#,
        ));
        tokens.auto_refresh = true;
        let mut tools = ToolsState::default();
        let view = TokensView {
            profile: "Demo — password",
            reveal: false,
            offered: TokenActions {
                logout: true,
                revoke: true,
                introspect: true,
                userinfo: true,
                end_session: true,
            },
            keep_tokens: false,
            kept_note: None,
            oidc_logout: &Default::default(),
        };
        let ctx = egui::Context::default();
        let mut delay = std::time::Duration::ZERO;
        // The first passes lay out (and may ask for another pass at once).
        for _ in 0..4 {
            let output = ctx.run_ui(egui::RawInput::default(), |ui| {
                let _ = tokens_ui(ui, &mut tokens, &mut tools, &view);
            });
            delay = output.viewport_output[&egui::ViewportId::ROOT].repaint_delay;
            let mut output = output;
            output.textures_delta.clear();
        }
        assert!(
            delay >= std::time::Duration::from_millis(900),
            "the tab asks for a repaint after {delay:?}"
        );
    }

    #[test]
    fn as_received_keeps_every_byte_but_the_token_values() {
        let text = r#"{"access_token":"abc.def","token_type":"Bearer","refresh_token":"r-1",}"#;
        let response = crate::engine::wire::http::RecordedResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: br#"{"access_token":"abc.def","token_type":"Bearer","refresh_token":"r-1"}"#
                .to_vec(),
            truncated: false,
        };
        let tokens = crate::engine::tokens::response::parse_token_response(
            &response,
            crate::engine::GrantType::Password,
            1,
            chrono::Utc::now(),
            None,
            &Default::default(),
            Vec::new(),
        )
        .expect("tokens");
        assert_eq!(
            mask_values(text, &tokens),
            r#"{"access_token":"••••","token_type":"Bearer","refresh_token":"••••",}"#,
            "the trailing comma stays, the values go"
        );
    }
}
