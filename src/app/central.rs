//! The centre of the window: the tab bar with Show secrets and Presentation
//! mode, the selected profile's tab, and the dialog that asks before
//! closing with unsaved edits.

use eframe::egui;

use crate::app::audit::panel::{AuditView, audit_ui};
use crate::app::flow::panel::{FlowView, flow_ui};
use crate::app::http_log::panel::{LogView, http_log_ui};
use crate::app::request::panel::{RequestContext, request_ui};
use crate::app::tokens::panel::{TokenActions, TokensView, tokens_ui};
use crate::app::{Action, AppState, DemoStatus, Tab};

/// Draws the tab bar and the visible tab for the selected profile.
pub fn central_ui(ui: &mut egui::Ui, state: &mut AppState, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        for tab in Tab::ALL {
            ui.selectable_value(&mut state.tab, tab, tab.label());
        }
        ui.separator();
        ui.add_enabled(
            !state.presenting,
            egui::Checkbox::new(&mut state.reveal, "Show secrets"),
        )
        .on_disabled_hover_text("Locked off in presentation mode");
        ui.checkbox(&mut state.presenting, "Presentation mode")
            .on_hover_text(
                "Masks every secret, token and personal claim on screen, for screen sharing",
            );
    });
    if state.presenting {
        state.reveal = false;
    }
    let Some(id) = state.profiles.selected else {
        ui.separator();
        ui.label("Waiting for the demo provider…");
        return;
    };
    let typed = state.profiles.typed(id).ok();
    let name = state
        .profiles
        .entry(id)
        .map(|e| e.name().to_string())
        .unwrap_or_default();
    if typed.as_ref().is_some_and(|p| p.http.accept_invalid_certs) {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("Warning: {}", crate::engine::profile::INVALID_CERTS_WARNING),
        );
    }
    ui.separator();
    let not_ready = match &state.demo {
        Some(DemoStatus::Running(_)) => None,
        Some(DemoStatus::Failed(_)) => None,
        _ => Some("Waiting for the demo provider…"),
    };
    let (reveal, presenting) = (state.reveal, state.presenting);
    let session = state.sessions.of(id);
    match state.tab {
        Tab::Flow => {
            let view = FlowView {
                profile: &name,
                not_ready,
                exchanges: &state.exchanges,
                reveal,
                presenting,
            };
            actions.extend(
                flow_ui(ui, &mut session.flow, &view)
                    .into_iter()
                    .map(Action::Flow),
            );
        }
        Tab::Tokens => {
            let offered = TokenActions {
                logout: typed.as_ref().is_some_and(|p| p.logout.is_some()),
                revoke: typed
                    .as_ref()
                    .is_some_and(|p| p.endpoints.revocation.is_some()),
                introspect: typed
                    .as_ref()
                    .is_some_and(|p| p.endpoints.introspection.is_some()),
                userinfo: typed
                    .as_ref()
                    .is_some_and(|p| p.endpoints.userinfo.is_some()),
                end_session: typed.as_ref().is_some_and(|p| {
                    p.endpoints.end_session.is_some() || p.endpoints.issuer.is_some()
                }),
            };
            let view = TokensView {
                profile: &name,
                reveal,
                offered,
                keep_tokens: state.keep_tokens,
                kept_note: state.kept_note.as_ref(),
                oidc_logout: &session.oidc_logout,
            };
            actions.extend(
                tokens_ui(ui, &mut session.tokens, &mut session.tools, &view)
                    .into_iter()
                    .map(Action::Tokens),
            );
        }
        Tab::Request => {
            let saved: Vec<String> = typed
                .as_ref()
                .map(|p| p.requests.iter().map(|r| r.name.clone()).collect())
                .unwrap_or_default();
            let current = session.tokens.current();
            let context = RequestContext {
                have_token: current.is_some(),
                can_refresh: current.is_some_and(|t| t.refresh_token.is_some()),
                saved: &saved,
                reveal,
            };
            actions.extend(
                request_ui(ui, &mut session.request, context)
                    .into_iter()
                    .map(Action::Request),
            );
        }
        Tab::HttpLog => {
            let view = LogView {
                exchanges: &state.exchanges,
                reveal,
                presenting,
                profile: (id, &name),
            };
            actions.extend(
                http_log_ui(ui, &mut state.log, &view)
                    .into_iter()
                    .map(Action::Log),
            );
        }
        Tab::Audit => {
            let view = AuditView {
                profile: &name,
                not_ready,
            };
            actions.extend(
                audit_ui(ui, &session.audit, &view)
                    .into_iter()
                    .map(Action::Audit),
            );
        }
    }
}

/// Asks what to do with unsaved edits before the window closes.
pub fn closing_ui(ctx: &egui::Context, state: &AppState, actions: &mut Vec<Action>) {
    let unsaved: Vec<&str> = state.profiles.unsaved().iter().map(|e| e.name()).collect();
    egui::Window::new("Unsaved changes")
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.label(format!(
                "{} profile{} {} unsaved changes: {}",
                unsaved.len(),
                if unsaved.len() == 1 { "" } else { "s" },
                if unsaved.len() == 1 { "has" } else { "have" },
                unsaved.join(", ")
            ));
            ui.horizontal(|ui| {
                if ui.button("Save all and close").clicked() {
                    actions.push(Action::SaveAllAndClose);
                }
                if ui.button("Close without saving").clicked() {
                    actions.push(Action::CloseWithoutSaving);
                }
                if ui.button("Don't close").clicked() {
                    actions.push(Action::StayOpen);
                }
            });
        });
}
