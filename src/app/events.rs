//! Where each engine event goes: to the session of the profile it belongs
//! to (its flow run only while that run is the one on screen, its tokens,
//! its requests), or to the app-wide state (demo provider, profiles, HTTP
//! log).

use crate::app::bridge::{self, Command, EndToken, Event};
use crate::app::session::Origin;
use crate::app::{App, DemoStatus, tokens};

impl App {
    /// The profiles were read (after the demo provider started).
    fn loaded(
        &mut self,
        loaded: crate::engine::store::workspace::Loaded,
        kept: Result<Vec<tokens::KeptTokens>, String>,
    ) {
        let profiles = &mut self.state.profiles;
        for file in loaded.profiles {
            profiles.add(file.file, Some(file.path), true);
        }
        for file in loaded.unsaved {
            profiles.add(file, None, false);
        }
        profiles.broken = loaded.broken;
        profiles.notes = loaded.notes;
        profiles.secret_storage = loaded.secret_storage;
        profiles.location = loaded.location;
        if loaded.notice.is_some() {
            self.state.notice = loaded.notice;
        }
        self.state.keep_tokens = loaded.settings.keep_tokens;
        self.state.exchanges.keep_in_memory = loaded.settings.keep_log_in_memory;
        self.state.exchanges.keep_secrets = loaded.settings.session_file_secrets;
        if self.state.keep_tokens {
            self.restore_tokens(kept);
        }
        if let Some(first) = self.state.profiles.entries.first().map(|e| e.id) {
            self.select_profile(first);
        }
    }

    /// Gives each kept token set back to the profile (file) that obtained
    /// it; sets that name no profile here are not restored, and said so.
    fn restore_tokens(&mut self, kept: Result<Vec<tokens::KeptTokens>, String>) {
        let kept = match kept {
            Ok(kept) => kept,
            Err(message) => {
                self.state.kept_note = Some((false, message));
                return;
            }
        };
        let (mut restored, mut orphans) = (0, 0);
        for set in kept {
            let owner = set.profile.as_deref().and_then(|path| {
                self.state
                    .profiles
                    .entries
                    .iter()
                    .find(|e| {
                        e.path
                            .as_ref()
                            .is_some_and(|p| p.display().to_string() == path)
                    })
                    .map(|e| e.id)
            });
            match owner {
                Some(owner) => {
                    self.state
                        .sessions
                        .of(owner)
                        .tokens
                        .history
                        .push(set.tokens);
                    restored += 1;
                }
                None => orphans += 1,
            }
        }
        let mut note = match restored {
            0 => "No tokens were kept from the last session.".to_string(),
            1 => "1 token set kept from the last session.".to_string(),
            n => format!("{n} token sets kept from the last session."),
        };
        if orphans > 0 {
            note.push_str(&format!(
                " {orphans} kept set(s) name no profile here and were not restored."
            ));
        }
        self.state.kept_note = Some((true, note));
    }

    pub(crate) fn apply_event(&mut self, event: Event) {
        match event {
            Event::DemoStarted(url, mode) => {
                let restarted = self.state.demo_url() == Some(url.as_str())
                    || !self.state.profiles.entries.is_empty();
                self.state.demo_mode = mode;
                self.state.demo = Some(DemoStatus::Running(url.clone()));
                if restarted {
                    // A mode change on the same port: profiles and edits stay.
                    self.state.notice = Some(format!("Demo provider now in {} mode", mode.label()));
                } else {
                    self.bridge.send(Command::Load { demo_url: url });
                }
            }
            Event::DemoFailed(message) => self.state.demo = Some(DemoStatus::Failed(message)),
            Event::Loaded(loaded, kept) => self.loaded(*loaded, kept),
            Event::ProfileSaved(id, result) => self.profile_saved(id, result),
            Event::ProfileDeleted(id, result) => match result {
                Ok(()) => self.forget_profile(id),
                Err(message) => self.state.notice = Some(message),
            },
            Event::Imported(files, problems) => {
                let names: Vec<String> = files
                    .iter()
                    .map(|f| f.name.clone().unwrap_or_default())
                    .collect();
                for file in files {
                    self.add_profile(file);
                }
                let mut message = String::new();
                if !names.is_empty() {
                    message.push_str(&format!("Imported and saved {}", names.join(", ")));
                }
                for problem in &problems {
                    if !message.is_empty() {
                        message.push('\n');
                    }
                    message.push_str(problem);
                }
                self.state.profiles.transfer.result = Some((problems.is_empty(), message));
            }
            Event::ClientsImported(result) => self.clients_imported(result),
            Event::Exported(result) => {
                self.state.profiles.transfer.result = Some(match result {
                    Ok(message) => (true, message),
                    Err(message) => (false, message),
                });
            }
            Event::TokensKept(result) => {
                self.state.kept_note = Some(match result {
                    Ok(message) => (true, message),
                    Err(message) => (false, message),
                });
            }
            Event::Exchange(origin, exchange) => {
                let owner = origin.owner();
                if let Origin::Flow(_, run) = origin {
                    let flow = &mut self.state.sessions.of(owner).flow;
                    if flow.run_id == run {
                        flow.add_exchange(&exchange);
                    }
                }
                self.state.log.add_row(&exchange, owner);
                self.state.exchanges.push(*exchange);
                self.spill_overflow();
            }
            Event::GrantProgress(origin, progress, at) => {
                if let Origin::Flow(owner, run) = origin {
                    let flow = &mut self.state.sessions.of(owner).flow;
                    if flow.run_id == run {
                        flow.apply_progress(*progress, at);
                    }
                }
            }
            Event::GrantPrepared(origin, result) => {
                if let Origin::Flow(owner, run) = origin {
                    let flow = &mut self.state.sessions.of(owner).flow;
                    if flow.run_id == run {
                        flow.prepared(result.map(|p| *p));
                    }
                }
            }
            Event::GrantFinished(origin, result) => self.grant_finished(origin, result),
            Event::RequestFinished(owner, result) => {
                self.state.sessions.of(owner).request.finish(result);
            }
            Event::Tool(origin, event) => {
                let owner = origin.owner();
                let file = self.state.profiles.entry_mut(owner).map(|e| &mut e.file);
                let tools = &mut self.state.sessions.of(owner).tools;
                tools.finish(event, file);
            }
            Event::Spilled(result) => self.spill_finished(result),
            Event::SpilledRead(id, result) => self.spilled_read(id, result),
            Event::HarExported(result) => {
                self.state.log.har_result = Some(match result {
                    Ok(message) => (true, message),
                    Err(message) => (false, message),
                });
            }
            Event::KeyGenerated(id, result) => self.key_generated(id, result),
            Event::McpSignIn(id, url) => {
                if self.state.profiles.mcp.running == Some(id) {
                    self.state.profiles.mcp.authorization_url = Some(url);
                }
            }
            Event::McpFinished(id, run) => self.mcp_finished(id, run),
            Event::DpopKeyMade(id, about) => {
                if let Some(entry) = self.state.profiles.entry_mut(id) {
                    entry.dpop_key = Some(about);
                }
            }
            Event::AuditChecked(owner, result) => {
                self.state.sessions.of(owner).audit.checked(*result);
            }
            Event::AuditWaiting(owner, url) => {
                self.state.sessions.of(owner).audit.waiting_for(url);
            }
            Event::AuditFinished(owner, result) => {
                self.state.sessions.of(owner).audit.finish(result);
            }
            Event::JwksRegistered(id, result) => {
                if let Some(entry) = self.state.profiles.entry_mut(id) {
                    entry.registration.finish(result);
                }
            }
            Event::OidcLogout(owner, event) => {
                let session = self.state.sessions.of(owner);
                session.oidc_logout.apply(event, &mut session.tokens);
            }
            Event::TokenEnded(owner, how, result) => {
                let hint = match how {
                    EndToken::Revoke(hint) => Some(hint),
                    EndToken::Logout => None,
                };
                self.state
                    .sessions
                    .of(owner)
                    .tokens
                    .end_finished(hint, result);
            }
        }
    }

    /// A grant ended: a flow run's result shows in its run; a background
    /// refresh's on the tokens' timeline. Either way the tokens go to the
    /// profile that obtained them.
    fn grant_finished(
        &mut self,
        origin: Origin,
        result: Result<Box<crate::engine::TokenSet>, bridge::GrantFailure>,
    ) {
        let owner = origin.owner();
        let session = self.state.sessions.of(owner);
        match origin {
            Origin::Flow(_, run) => {
                let current = session.flow.run_id == run;
                if current {
                    session.flow.finish(result.as_deref().map_err(Clone::clone));
                }
                match result {
                    Ok(tokens) if tokens.grant.needs_refresh_token() => {
                        session.tokens.refresh_finished(Ok(*tokens));
                    }
                    Ok(tokens) => session.tokens.issued(*tokens),
                    Err(_) => {
                        session.request.retry_after_refresh = false;
                        return;
                    }
                }
            }
            _ => match result {
                Ok(tokens) => session.tokens.refresh_finished(Ok(*tokens)),
                Err(failure) => {
                    session.tokens.refresh_finished(Err(failure));
                    session.request.retry_after_refresh = false;
                    return;
                }
            },
        }
        self.persist_tokens();
        // An ID token is verified as it arrives (OpenID Connect Core
        // §3.1.3.7, §12.2 for a refresh), unless the profile says not to:
        // the verdicts show with the token as Verify shows them.
        let profile = self.state.profiles.typed(owner);
        let tokens = self.state.sessions.of(owner).tokens.current();
        if let (Ok(profile), Some(tokens)) = (profile, tokens)
            && crate::engine::jwt::on_arrival::wanted(&profile, tokens)
        {
            self.tool_action(owner, &crate::app::tokens::TokenAction::Verify);
        }
        if std::mem::take(&mut self.state.sessions.of(owner).request.retry_after_refresh) {
            self.send_request(owner);
        }
    }
}
