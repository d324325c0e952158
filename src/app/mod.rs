//! The desktop app (eframe/egui), cut in feature slices.
//!
//! - `profiles/`: the Clients panel — list, editor, save, import, export.
//! - `flow/`: run a grant, observed steps, the sequence diagram.
//! - `tokens/`: a profile's tokens, timeline, auto-refresh, token tools.
//! - `request/`: call the API with the profile's token.
//! - `http_log/`: every exchange, HAR export.
//!
//! Each slice has its state (pure transitions), its action enum with its
//! handler (an `impl App` block in the slice's `mod.rs`) and its panel. This
//! file is wiring: [`App`] holds the engine [`bridge`] and the plain
//! [`AppState`], routes each engine event to the session of the profile it
//! belongs to ([`session`]), draws the panels and applies their actions at
//! the end of the frame. Nothing here touches the network, the disk or the
//! keychain.

pub mod bridge;
pub mod central;
pub mod flow;
pub mod http_log;
pub mod pending;
pub mod profiles;
pub mod request;
pub mod session;
pub mod state;
pub mod status;
pub mod tokens;
pub mod widgets;

use eframe::egui;

use crate::engine::workspace::Places;
use bridge::{Bridge, Command, EndToken, Event};
use flow::FlowAction;
use http_log::LogAction;
use profiles::ProfileAction;
use request::RequestAction;
use session::{Origin, ProfileId};
pub use state::*;
use tokens::TokenAction;

/// The window title.
pub const TITLE: &str = "OAuth Debugger";

/// How the app reaches the outside world.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// Open the system browser for browser grants (tests turn this off and
    /// play the person themselves from the URL the app shows).
    pub open_browser: bool,
    /// Where profiles, settings and secrets live.
    pub places: Places,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            open_browser: true,
            places: Places::default(),
        }
    }
}

/// Opens the window and runs until it is closed.
pub fn run(runtime: tokio::runtime::Handle) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(TITLE)
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([720.0, 480.0]),
        // glow idles at a fraction of wgpu's CPU cost on a countdown repaint.
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        TITLE,
        options,
        Box::new(move |cc| {
            let mut app = App::new(cc.egui_ctx.clone(), &runtime, AppOptions::default());
            app.exit_after_first_frame = std::env::var_os(EXIT_AFTER_FIRST_FRAME).is_some();
            Ok(Box::new(app))
        }),
    )
    .map_err(|err| anyhow::anyhow!("cannot open the window: {err}"))
}

/// With this environment variable set, the window closes after its first
/// frame: the startup benchmark measures process start to first frame.
pub const EXIT_AFTER_FIRST_FRAME: &str = "OAUTH_DEBUGGER_EXIT_AFTER_FIRST_FRAME";

/// Every action of a frame, from whichever panel.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum Action {
    /// From the Clients panel.
    Profiles(ProfileAction),
    /// From the Flow tab, for the selected profile.
    Flow(FlowAction),
    /// From the Tokens tab, for the tokens' profile.
    Tokens(TokenAction),
    /// From the Request tab, for the selected profile.
    Request(RequestAction),
    /// From the HTTP log.
    Log(LogAction),
    /// Restart the demo provider in another mode.
    SetDemoMode(crate::demo::Mode),
    /// Closing with unsaved edits: save them all, then close.
    SaveAllAndClose,
    /// Closing with unsaved edits: close without saving them.
    CloseWithoutSaving,
    /// Closing with unsaved edits: stay open.
    StayOpen,
}

/// The app.
pub struct App {
    bridge: Bridge,
    options: AppOptions,
    state: AppState,
    /// Close after the first painted frame (startup benchmark).
    exit_after_first_frame: bool,
    /// The demo provider was asked to start (after the first frame).
    demo_requested: bool,
}

impl App {
    /// Starts the engine bridge; the demo provider starts once the first
    /// frame is on screen, so making its keys does not delay the window.
    pub fn new(ctx: egui::Context, runtime: &tokio::runtime::Handle, options: AppOptions) -> Self {
        let bridge = Bridge::start(runtime, ctx, options.places.clone());
        let mut state = AppState {
            demo: Some(DemoStatus::Starting),
            ..AppState::default()
        };
        // HAR exports go to the Downloads folder (or home) unless changed.
        if let Some(dirs) = directories::UserDirs::new() {
            let folder = dirs.download_dir().unwrap_or(dirs.home_dir());
            state.log.har_path = folder
                .join("oauth-debugger-session.har")
                .display()
                .to_string();
        }
        Self {
            bridge,
            options,
            state,
            exit_after_first_frame: false,
            demo_requested: false,
        }
    }

    /// The state, for tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Opens an exchange in the HTTP log (showing every profile's, so it is
    /// listed whoever made it).
    fn show_exchange(&mut self, id: u64) {
        self.state.log.selected = Some(id);
        if let Some(row) = self.state.log.rows.iter().find(|r| r.id == id)
            && Some(row.owner) != self.state.profiles.selected
        {
            self.state.log.all_profiles = true;
        }
        self.state.tab = Tab::HttpLog;
    }

    /// The profiles were read (after the demo provider started).
    fn loaded(
        &mut self,
        loaded: crate::engine::workspace::Loaded,
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

    fn apply_event(&mut self, event: Event) {
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
                self.state
                    .log
                    .rows
                    .push(http_log::panel::row(&exchange, owner));
                self.state.exchanges.push(*exchange);
            }
            Event::GrantProgress(origin, progress) => {
                if let Origin::Flow(owner, run) = origin {
                    let flow = &mut self.state.sessions.of(owner).flow;
                    if flow.run_id == run {
                        flow.apply_progress(*progress);
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
            Event::HarExported(result) => {
                self.state.log.har_result = Some(match result {
                    Ok(message) => (true, message),
                    Err(message) => (false, message),
                });
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
                    Ok(tokens) if tokens.grant == crate::engine::GrantType::RefreshToken => {
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
        if std::mem::take(&mut self.state.sessions.of(owner).request.retry_after_refresh) {
            self.send_request(owner);
        }
    }

    fn apply_action(&mut self, action: Action) {
        let selected = self.state.profiles.selected;
        match action {
            Action::Profiles(action) => self.profile_action(action),
            Action::Flow(action) => {
                if let Some(owner) = selected {
                    self.flow_action(owner, action);
                }
            }
            Action::Tokens(action) => {
                if let Some(owner) = selected {
                    self.token_action(owner, action);
                }
            }
            Action::Request(action) => {
                if let Some(owner) = selected {
                    self.request_action(owner, action);
                }
            }
            Action::Log(action) => self.log_action(action),
            Action::SetDemoMode(mode) => {
                if self.bridge.send(Command::StartDemo(mode)) {
                    self.state.demo = Some(DemoStatus::Starting);
                }
            }
            Action::SaveAllAndClose => {
                let dirty: Vec<ProfileId> =
                    self.state.profiles.unsaved().iter().map(|e| e.id).collect();
                for id in dirty {
                    self.save_profile(id);
                }
                self.state.closing = Closing::Saving;
                self.close_when_saved();
            }
            Action::CloseWithoutSaving => self.state.closing = Closing::Confirmed,
            Action::StayOpen => self.state.closing = Closing::No,
        }
    }

    /// Closing after "Save all": once every save came back clean.
    fn close_when_saved(&mut self) {
        if self.state.closing != Closing::Saving {
            return;
        }
        let entries = &self.state.profiles.entries;
        if entries.iter().any(|e| e.saving) {
            return;
        }
        self.state.closing = if entries.iter().any(|e| e.is_dirty()) {
            // A save failed: its message is in the status bar; ask again.
            Closing::Asking
        } else {
            Closing::Confirmed
        };
    }

    /// The close button: never discards unsaved edits silently.
    fn guard_close(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) {
            match self.state.closing {
                Closing::Confirmed => {}
                _ if self.state.profiles.unsaved().is_empty() => {}
                Closing::No => {
                    ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                    self.state.closing = Closing::Asking;
                }
                Closing::Asking | Closing::Saving => {
                    ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                }
            }
        }
        if self.state.closing == Closing::Confirmed {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        for event in self.bridge.drain() {
            self.apply_event(event);
        }
        // Profile files dropped on the window are imported.
        let dropped: Vec<std::path::PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if !dropped.is_empty() {
            self.profile_action(ProfileAction::Import(dropped));
        }
        if let Some(text) = self.state.clipboard.take() {
            ctx.copy_text(text);
        }
        self.auto_refresh(ctx);
        self.guard_close(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let mut actions = Vec::new();
        let save = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::S);
        if ui.input_mut(|i| i.consume_shortcut(&save)) {
            actions.push(Action::Profiles(ProfileAction::Save));
        }
        let state = &mut self.state;
        egui::Panel::bottom("status_bar").show(ui, |ui| {
            actions.extend(status::status_ui(ui, state));
        });
        let tools = state
            .profiles
            .selected
            .and_then(|id| state.sessions.get(id))
            .map(|s| &s.tools);
        egui::Panel::left("clients")
            .resizable(true)
            .default_size(340.0)
            .min_size(240.0)
            .show(ui, |ui| {
                let view = profiles::panel::ClientsView {
                    reveal: state.reveal,
                    presenting: state.presenting,
                    tools,
                };
                actions.extend(
                    profiles::panel::clients_ui(ui, &mut state.profiles, view)
                        .into_iter()
                        .map(Action::Profiles),
                );
            });
        egui::CentralPanel::default().show(ui, |ui| {
            central::central_ui(ui, state, &mut actions);
        });
        if state.closing == Closing::Asking {
            central::closing_ui(ui.ctx(), state, &mut actions);
        }
        for action in actions {
            self.apply_action(action);
        }
        if self.exit_after_first_frame {
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        } else if !self.demo_requested {
            // The first frame is drawn: now start the demo provider.
            self.demo_requested = true;
            if !self
                .bridge
                .send(Command::StartDemo(crate::demo::Mode::Standard))
            {
                self.state.demo = Some(DemoStatus::Failed(
                    "the engine did not take the command".to_string(),
                ));
            }
        }
    }
}
