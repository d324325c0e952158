//! Ending the tokens from the Tokens tab: Log out (the profile's
//! `[logout]` request), revoking the access or refresh token (RFC 7009),
//! OpenID logout, and what the last of them did.

use eframe::egui;

use super::TokensView;
use crate::app::tokens::TokenAction as Action;
use crate::app::tokens::state::TokenState;
use crate::engine::TokenSet;

/// The buttons that end `current`, as the profile offers them.
pub(super) fn ending_ui(
    ui: &mut egui::Ui,
    tokens: &TokenState,
    current: &TokenSet,
    view: &TokensView<'_>,
    actions: &mut Vec<Action>,
) {
    let offered = view.offered;
    if offered.logout || offered.revoke {
        ui.horizontal(|ui| {
            let idle = !tokens.ending.is_waiting();
            if offered.logout && ui.add_enabled(idle, egui::Button::new("Log out")).clicked() {
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
    crate::app::tokens::oidc_logout::oidc_logout_ui(ui, view.oidc_logout, can_log_out, actions);
    if let Some((ok, message)) = tokens.ended() {
        let color = if ok {
            ui.visuals().strong_text_color()
        } else {
            ui.visuals().error_fg_color
        };
        ui.add(egui::Label::new(egui::RichText::new(message).color(color)).wrap());
    }
}
