//! The Tokens tab's head: the token set's grant, its expiry (a countdown
//! and a bar, or "Revoked"), the last refresh's failure, and refreshing —
//! now, or automatically ahead of expiry, said plainly when there is no
//! refresh token.

use eframe::egui;

use crate::app::tokens::TokenAction as Action;
use crate::app::tokens::state::TokenState;
use crate::app::widgets::copy::copy_button;
use crate::app::widgets::countdown::{countdown_ui, expiry_bar_ui};
use crate::app::widgets::explanation::findings_ui as findings_list_ui;
use crate::app::widgets::explanation::why_ui;
use crate::engine::TokenSet;
use crate::engine::endpoints::revoke::TokenHint;

/// The heading, the expiry and the refresh controls of `current`.
pub(super) fn refresh_ui(
    ui: &mut egui::Ui,
    tokens: &mut TokenState,
    current: &TokenSet,
    actions: &mut Vec<Action>,
) {
    let access_revoked = tokens.is_revoked(TokenHint::AccessToken);
    let refresh_revoked = tokens.is_revoked(TokenHint::RefreshToken);
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
        // While a refresh is on its way the button says so. Words, not a
        // spinner (a spinner repaints the window at the display's rate, and
        // auto-refresh of short-lived tokens is most of a day), and in the
        // button rather than beside it: a label coming and going would
        // renumber the widgets after it, and egui draws new widgets twice.
        let text = if tokens.refreshing.is_waiting() {
            "Refreshing…"
        } else {
            "Refresh now"
        };
        let refresh = ui.add_enabled(why.is_none(), egui::Button::new(text));
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
}
