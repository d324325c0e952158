//! The Tokens slice: a profile's token sets, their timeline, auto-refresh,
//! and everything done with a token — refresh, revoke, log out, introspect,
//! userinfo, verify. Every action uses the tokens' own profile: the one
//! whose session holds them.

pub mod inspect;
pub mod oidc_logout;
pub mod panel;
pub mod rar;
pub mod state;
pub mod tools;

pub use state::{TimelineEntry, TimelineKind, TokenState};

use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::app::bridge::{Command, EndToken, GrantFailure};
use crate::app::session::{Origin, ProfileId};
use crate::engine::endpoints::revoke::TokenHint;
use crate::engine::{GrantType, TokenSet};
use tools::ToolCommand;

/// A token set kept across restarts, with the profile (its file) that
/// obtained it, so it comes back to that profile only.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeptTokens {
    /// The profile file it belongs to; kept sets that name none (an older
    /// format) are not restored.
    #[serde(default)]
    pub profile: Option<String>,
    /// The tokens.
    #[serde(flatten)]
    pub tokens: TokenSet,
}

/// What the Tokens tab asks for.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum TokenAction {
    /// Use the refresh token now.
    RefreshNow,
    /// Put text on the clipboard.
    Copy(String),
    /// Send the profile's logout request with the access token.
    Logout,
    /// Revoke the access token (false) or the refresh token (true).
    Revoke(bool),
    /// Verify the current token set's JWTs.
    Verify,
    /// Verify the JWT pasted in the Tokens tab.
    VerifyPasted,
    /// Introspect the current access token.
    Introspect,
    /// Fetch userinfo with the current access token.
    Userinfo,
    /// Keep tokens across restarts (true), or stop and delete the kept ones.
    KeepTokens(bool),
    /// Open an exchange in the HTTP log.
    ShowExchange(u64),
    /// Log out at the OpenID provider (RP-initiated logout).
    OidcLogout,
    /// Stop waiting for the browser to come back from that logout.
    CancelOidcLogout,
    /// Start (true) or stop the back-channel logout listener.
    ListenBackChannel(bool),
}

impl App {
    /// Applies a Tokens tab action to the tokens of `owner`.
    pub(crate) fn token_action(&mut self, owner: ProfileId, action: TokenAction) {
        match action {
            TokenAction::RefreshNow => self.refresh(owner),
            TokenAction::Copy(text) => self.state.clipboard = Some(text),
            TokenAction::Logout => self.end_token(owner, EndToken::Logout),
            TokenAction::Revoke(refresh) => self.end_token(
                owner,
                EndToken::Revoke(if refresh {
                    TokenHint::RefreshToken
                } else {
                    TokenHint::AccessToken
                }),
            ),
            TokenAction::Verify
            | TokenAction::VerifyPasted
            | TokenAction::Introspect
            | TokenAction::Userinfo => self.tool_action(owner, &action),
            TokenAction::KeepTokens(keep) => {
                self.state.keep_tokens = keep;
                let kept = self.kept_tokens();
                self.bridge.send(Command::KeepTokens(keep, kept));
            }
            TokenAction::ShowExchange(id) => self.show_exchange(id),
            TokenAction::OidcLogout => self.oidc_logout(owner),
            TokenAction::CancelOidcLogout => self.cancel_oidc_logout(owner),
            TokenAction::ListenBackChannel(on) => self.listen_back_channel(owner, on),
        }
    }

    /// Refreshes `owner`'s tokens with its own refresh token, in the
    /// background: the outcome goes on its timeline, never into a flow run.
    /// Without a refresh token, a grant that runs unattended (client
    /// credentials, password, JWT bearer) is run again instead.
    pub(crate) fn refresh(&mut self, owner: ProfileId) {
        self.refresh_with(owner, false);
    }

    /// [`Self::refresh`]; `background` for an auto-refresh nobody waits on,
    /// drawn on the countdown's next tick rather than in frames of its own.
    fn refresh_with(&mut self, owner: ProfileId, background: bool) {
        let profile = self.state.profiles.typed(owner);
        let session = self.state.sessions.of(owner);
        let current = session.tokens.current();
        let rerun = current
            .filter(|t| t.refresh_token.is_none())
            .map(|t| t.grant)
            .filter(|g| g.reruns_unattended());
        let refresh_token = current.and_then(|t| t.refresh_token.clone());
        if refresh_token.is_none() && rerun.is_none() {
            session.tokens.refresh_finished(Err(GrantFailure::message(
                "There is no refresh token to use, and this grant needs a person to run again.",
            )));
            return;
        }
        let profile = match profile {
            Ok(profile) => profile,
            Err(message) => {
                session
                    .tokens
                    .refresh_finished(Err(GrantFailure::message(format!(
                        "The profile is not valid: {message}"
                    ))));
                return;
            }
        };
        let command = Command::RunGrant {
            origin: Origin::Token(owner),
            profile: Box::new(profile),
            grant: rerun.unwrap_or(GrantType::RefreshToken),
            current: Box::new(crate::engine::grants::CurrentTokens {
                refresh_token,
                ..Default::default()
            }),
            open_browser: false,
            step: false,
            background,
        };
        if self.bridge.send(command) {
            session.tokens.refreshing.start();
        }
    }

    /// Auto-refresh for every profile whose tokens are due, each with its
    /// own profile; otherwise a repaint at the moment the next one is due.
    pub(crate) fn auto_refresh(&mut self, ctx: &egui::Context) {
        let now = chrono::Utc::now();
        let mut due = Vec::new();
        for (owner, session) in self.state.sessions.iter_mut() {
            session.tokens.note_expiry(now);
            let Some(at) = session.tokens.refresh_due() else {
                continue;
            };
            if at <= now {
                let quiet = session.tokens.renews_quietly();
                session.tokens.refreshed = session.tokens.current().map(|t| t.obtained_at);
                due.push((owner, quiet));
            } else if let Ok(wait) = (at - now).to_std() {
                // Past the instant by the countdown's millisecond, so the
                // frame that renews is the one that ticks.
                ctx.request_repaint_after(wait + std::time::Duration::from_millis(1));
            }
        }
        for (owner, quiet) in due {
            self.refresh_with(owner, quiet);
        }
    }

    /// Logs out or revokes a token of `owner`, with `owner`'s profile.
    fn end_token(&mut self, owner: ProfileId, how: EndToken) {
        let profile = self.state.profiles.typed(owner);
        let session = self.state.sessions.of(owner);
        let current = session.tokens.current();
        let bound = current.is_some_and(|t| t.is_dpop_bound());
        let token = match how {
            EndToken::Revoke(TokenHint::RefreshToken) => {
                current.and_then(|t| t.refresh_token.clone())
            }
            _ => current.map(|t| t.access_token.clone()),
        };
        let Some(token) = token else {
            self.state.notice = Some("There is no such token to end.".to_string());
            return;
        };
        let mut profile = match profile {
            Ok(profile) => profile,
            Err(message) => {
                self.state.notice = Some(message);
                return;
            }
        };
        if !bound {
            // A Bearer token goes as Bearer.
            profile.dpop = None;
        }
        let command = Command::EndToken {
            owner,
            profile: Box::new(profile),
            how,
            token,
        };
        if self.bridge.send(command) {
            session.tokens.ending.start();
        }
    }

    /// Starts a token tool on `owner`'s tokens with `owner`'s profile.
    pub(crate) fn tool_action(&mut self, owner: ProfileId, action: &TokenAction) {
        let profile = match self.state.profiles.typed(owner) {
            Ok(profile) => Box::new(profile),
            Err(message) => {
                self.state.notice = Some(message);
                return;
            }
        };
        let session = self.state.sessions.of(owner);
        let command = if *action == TokenAction::VerifyPasted {
            ToolCommand::VerifyPasted {
                profile,
                token: session.tools.pasted.trim().to_string(),
            }
        } else {
            let Some(tokens) = session.tokens.current().cloned() else {
                self.state.notice = Some("There are no tokens yet.".to_string());
                return;
            };
            match action {
                TokenAction::Verify => ToolCommand::Verify {
                    profile,
                    tokens: Box::new(tokens),
                },
                TokenAction::Introspect => ToolCommand::Introspect {
                    profile,
                    token: tokens.access_token.clone(),
                },
                _ => ToolCommand::Userinfo {
                    profile: if tokens.is_dpop_bound() {
                        profile
                    } else {
                        // A Bearer token goes as Bearer.
                        Box::new(crate::engine::Profile {
                            dpop: None,
                            ..*profile
                        })
                    },
                    id_token_sub: tokens
                        .jwts
                        .iter()
                        .find(|j| j.source == "id_token")
                        .and_then(|j| j.claims["sub"].as_str())
                        .map(str::to_string),
                    token: tokens.access_token.clone(),
                },
            }
        };
        let tools = &mut session.tools;
        match &command {
            ToolCommand::Verify { .. } => tools.verified.start(),
            ToolCommand::VerifyPasted { .. } => tools.pasted_result.start(),
            _ => tools.looked.start(),
        }
        if !self
            .bridge
            .send(Command::Tool(Origin::Token(owner), command))
        {
            self.state.notice = Some("The engine is busy; try again in a moment.".to_string());
        }
    }

    /// Every profile's token sets, named by their profile's file.
    pub(crate) fn kept_tokens(&self) -> Vec<KeptTokens> {
        self.state
            .sessions
            .iter()
            .flat_map(|(owner, session)| {
                let profile = self
                    .state
                    .profiles
                    .entry(owner)
                    .and_then(|e| e.path.as_ref())
                    .map(|p| p.display().to_string());
                session.tokens.history.iter().map(move |tokens| KeptTokens {
                    profile: profile.clone(),
                    tokens: tokens.clone(),
                })
            })
            .filter(|kept| kept.profile.is_some())
            .collect()
    }

    /// Writes the tokens, when they are kept (off the UI thread).
    pub(crate) fn persist_tokens(&mut self) {
        if self.state.keep_tokens {
            let kept = self.kept_tokens();
            self.bridge.send(Command::SaveTokens(kept));
        }
    }
}
