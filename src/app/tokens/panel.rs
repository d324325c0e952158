//! The Tokens tab: the current token set — fields, expiry countdown,
//! findings, decoded JWTs, raw response — and the earlier ones.
//!
//! `tokens_ui` lays the tab out top to bottom; each part is drawn by a
//! file of `panel/`: `refresh` (expiry and refreshing), `ending` (log out,
//! revoke, OpenID logout), `fields` (the fields, delegation, findings,
//! decoded JWTs), `raw` (the response as it came) and `timeline` (what
//! happened to the tokens, and the earlier token sets).

mod ending;
mod fields;
mod raw;
mod refresh;
mod timeline;

use eframe::egui;

use super::TokenAction as Action;
use super::inspect::{pasted_ui, tools_ui};
use super::state::TokenState;
use super::tools::ToolsState;

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
        timeline::timeline_ui(ui, tokens, &mut actions);
        return actions;
    };
    let current = &current;
    egui::ScrollArea::vertical()
        .id_salt("tokens_scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            refresh::refresh_ui(ui, tokens, current, &mut actions);
            ending::ending_ui(ui, tokens, current, view, &mut actions);
            ui.add_space(6.0);
            fields::fields_ui(ui, current, reveal);
            fields::delegation_ui(ui, current);
            super::rar::authorization_details_ui(ui, current);
            fields::findings_ui(ui, current);
            tools_ui(ui, tools, offered, reveal, &mut actions);
            fields::decoded_ui(ui, tools, current, reveal);
            raw::raw_ui(ui, tokens, current, reveal);
            timeline::timeline_ui(ui, tokens, &mut actions);
            timeline::history_ui(ui, tokens, reveal);
        });
    actions
}

#[cfg(test)]
mod tests;
