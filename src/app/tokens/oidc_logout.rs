//! Logging out at the OpenID provider from the Tokens tab: "Log out at the
//! provider" (RP-initiated logout, with `state` checked on the return) and
//! "Listen for back-channel logout" (logout tokens validated check by
//! check; an accepted one that names this session marks its tokens ended).
//! Both run in the engine ([`crate::engine::logout`]); this file holds the
//! state, the actions and the panel piece. docs/logout.md is the guide.

use eframe::egui;

use super::TokenAction as Action;
use super::state::TokenState;
use crate::app::App;
use crate::app::bridge::Command;
use crate::app::pending::Pending;
use crate::app::session::ProfileId;
use crate::engine::jwt::claims::{Check, Verdict};
use crate::engine::logout::{LogoutOutcome, LogoutTokenReport, SessionRef};
use crate::engine::{Finding, Profile, Secret};

/// What the Tokens tab asks the engine for.
#[derive(Debug)]
pub enum OidcLogoutCommand {
    /// RP-initiated logout with the ID token as `id_token_hint`.
    LogOut {
        /// The tokens' profile.
        profile: Box<Profile>,
        /// The ID token.
        id_token: Secret,
        /// Open the system browser.
        open_browser: bool,
    },
    /// Serve the profile's back-channel logout URI; `register_at` is the
    /// demo provider's registration endpoint for it, when the profile is
    /// the demo's.
    Listen {
        /// The tokens' profile.
        profile: Box<Profile>,
        /// Where to register the URI (the demo provider only).
        register_at: Option<url::Url>,
    },
    /// Stop serving it.
    StopListening,
    /// Stop waiting for the browser to come back from the logout.
    Cancel,
}

/// What the engine reports back.
#[derive(Debug)]
pub enum OidcLogoutEvent {
    /// The logout request: the URL to open (it carries the ID token) and
    /// the one to show.
    Request {
        /// To open.
        url: String,
        /// To show, `id_token_hint` masked.
        shown: String,
    },
    /// The logout finished.
    Finished(Result<Box<LogoutOutcome>, String>),
    /// The listener is up at this URI (and what registering it said), or
    /// why not.
    Listening(Result<(String, Option<String>), String>),
    /// A logout token arrived.
    Received(Box<LogoutTokenReport>),
}

/// The back-channel listener.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Listening {
    /// Not listening.
    #[default]
    Off,
    /// Starting.
    Starting,
    /// Serving this URI; the note says what registering it did.
    On(String, Option<String>),
    /// Could not start.
    Failed(String),
}

/// A profile's OpenID logout state.
#[derive(Debug, Default)]
pub struct OidcLogoutState {
    /// The logout in flight, and how the last one ended.
    pub logging_out: Pending<Result<Box<LogoutOutcome>, String>>,
    /// The last logout request: (to open, to show).
    pub request: Option<(String, String)>,
    /// The back-channel listener.
    pub listening: Listening,
    /// Logout tokens received, newest last.
    pub reports: Vec<LogoutTokenReport>,
}

impl OidcLogoutState {
    /// Applies an engine event; a logout seen to end the session marks
    /// the current tokens ended.
    pub fn apply(&mut self, event: OidcLogoutEvent, tokens: &mut TokenState) {
        match event {
            OidcLogoutEvent::Request { url, shown } => self.request = Some((url, shown)),
            OidcLogoutEvent::Finished(result) => {
                if let Ok(outcome) = &result
                    && outcome.ended()
                {
                    tokens.session_ended(
                        "Logged out at the provider (RP-initiated logout; state came back unchanged)",
                    );
                }
                self.logging_out.finish(result);
            }
            OidcLogoutEvent::Listening(result) => {
                self.listening = match result {
                    Ok((uri, note)) => Listening::On(uri, note),
                    Err(message) => Listening::Failed(message),
                };
            }
            OidcLogoutEvent::Received(report) => {
                let session = tokens
                    .current()
                    .and_then(|t| t.id_token.as_ref())
                    .and_then(|id| SessionRef::from_id_token(id.expose()));
                if session.is_some_and(|s| report.ends(&s)) {
                    tokens.session_ended(
                        "The provider ended the session (back-channel logout token accepted)",
                    );
                }
                self.reports.push(*report);
            }
        }
    }
}

/// The demo provider's registration endpoint for a client's
/// back-channel URI, when the profile is the demo's.
fn demo_backchannel_registration(file: &crate::engine::ProfileFile) -> Option<url::Url> {
    let jwks = crate::app::profiles::demo_registration_url(file)?;
    let text = jwks.as_str().strip_suffix("/jwks")?;
    url::Url::parse(&format!("{text}/backchannel_logout_uri")).ok()
}

impl App {
    /// Logs `owner`'s session out at the provider, with its ID token.
    pub(crate) fn oidc_logout(&mut self, owner: ProfileId) {
        let profile = match self.state.profiles.typed(owner) {
            Ok(profile) => profile,
            Err(message) => {
                self.state.notice = Some(message);
                return;
            }
        };
        let open_browser = self.options.open_browser;
        let session = self.state.sessions.of(owner);
        let Some(id_token) = session.tokens.current().and_then(|t| t.id_token.clone()) else {
            self.state.notice = Some("There is no ID token to log out with.".to_string());
            return;
        };
        let command = Command::OidcLogout(
            owner,
            OidcLogoutCommand::LogOut {
                profile: Box::new(profile),
                id_token,
                open_browser,
            },
        );
        if self.bridge.send(command) {
            session.oidc_logout.request = None;
            session.oidc_logout.logging_out.start();
        }
    }

    /// Stops waiting for the browser to come back from `owner`'s logout.
    pub(crate) fn cancel_oidc_logout(&mut self, owner: ProfileId) {
        let _ = self
            .bridge
            .send(Command::OidcLogout(owner, OidcLogoutCommand::Cancel));
    }

    /// Starts or stops `owner`'s back-channel logout listener.
    pub(crate) fn listen_back_channel(&mut self, owner: ProfileId, on: bool) {
        let command = if on {
            let profile = match self.state.profiles.typed(owner) {
                Ok(profile) => profile,
                Err(message) => {
                    self.state.notice = Some(message);
                    return;
                }
            };
            let register_at = self
                .state
                .profiles
                .entry(owner)
                .and_then(|entry| demo_backchannel_registration(&entry.file));
            OidcLogoutCommand::Listen {
                profile: Box::new(profile),
                register_at,
            }
        } else {
            OidcLogoutCommand::StopListening
        };
        if self.bridge.send(Command::OidcLogout(owner, command)) {
            self.state.sessions.of(owner).oidc_logout.listening = if on {
                Listening::Starting
            } else {
                Listening::Off
            };
        }
    }
}

fn checks_list_ui(ui: &mut egui::Ui, checks: &[Check], findings: &[Finding]) {
    for check in checks {
        let color = match check.verdict {
            Verdict::Fail => ui.visuals().error_fg_color,
            Verdict::Warn => ui.visuals().warn_fg_color,
            _ => ui.visuals().text_color(),
        };
        ui.add(egui::Label::new(egui::RichText::new(check.to_string()).color(color)).wrap());
    }
    crate::app::widgets::explanation::findings_ui(ui, findings);
}

/// The Tokens tab's OpenID logout piece: the two buttons, the last
/// logout's result and the logout tokens received.
pub fn oidc_logout_ui(
    ui: &mut egui::Ui,
    state: &OidcLogoutState,
    can_log_out: Option<&str>,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        let idle = !state.logging_out.is_waiting();
        let button = ui.add_enabled(
            idle && can_log_out.is_none(),
            egui::Button::new("Log out at the provider"),
        );
        let button = match can_log_out {
            Some(why) => button.on_disabled_hover_text(why),
            None => button.on_hover_text(
                "RP-initiated logout: the browser goes to the end_session_endpoint with the ID token as id_token_hint and comes back with state",
            ),
        };
        if button.clicked() {
            actions.push(Action::OidcLogout);
        }
        if state.logging_out.is_waiting() {
            ui.spinner();
            if ui.button("Cancel logout").clicked() {
                actions.push(Action::CancelOidcLogout);
            }
        }
        let mut listening = !matches!(state.listening, Listening::Off | Listening::Failed(_));
        if ui
            .checkbox(&mut listening, "Listen for back-channel logout")
            .on_hover_text("Serve the profile's backchannel_logout_uri and validate each logout token the provider sends")
            .changed()
        {
            actions.push(Action::ListenBackChannel(listening));
        }
    });
    match &state.listening {
        Listening::Off => {}
        Listening::Starting => {
            ui.weak("Starting the back-channel listener…");
        }
        Listening::On(uri, note) => {
            ui.label(format!("Listening for logout tokens at {uri}"));
            if let Some(note) = note {
                ui.weak(note);
            }
        }
        Listening::Failed(message) => {
            ui.colored_label(ui.visuals().error_fg_color, message);
        }
    }
    if let Some((_, shown)) = &state.request
        && state.logging_out.is_waiting()
    {
        ui.horizontal(|ui| {
            ui.label("Logout request (id_token_hint masked):");
            if let Some((url, _)) = &state.request
                && crate::app::widgets::copy::copy_button(ui, "Copy logout URL")
            {
                // The URL to open by hand: it carries the ID token.
                actions.push(Action::Copy(url.clone()));
            }
        });
        ui.add(egui::Label::new(egui::RichText::new(shown).monospace().small()).wrap());
    }
    match state.logging_out.value() {
        Some(Ok(outcome)) => {
            let color = if outcome.passed() {
                ui.visuals().strong_text_color()
            } else {
                ui.visuals().error_fg_color
            };
            ui.colored_label(color, outcome.summary());
            checks_list_ui(ui, &outcome.checks, &outcome.findings);
        }
        Some(Err(message)) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Logout failed: {message}"),
            );
        }
        None => {}
    }
    if let Some(report) = state.reports.last() {
        let color = if report.accepted() {
            ui.visuals().strong_text_color()
        } else {
            ui.visuals().error_fg_color
        };
        ui.colored_label(color, report.summary());
        egui::CollapsingHeader::new(format!(
            "Logout token verdicts (answered HTTP {})",
            report.status
        ))
        .id_salt("logout_token_verdicts")
        .default_open(true)
        .show(ui, |ui| {
            checks_list_ui(ui, &report.checks, &report.findings)
        });
    }
}
