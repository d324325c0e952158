//! The desktop app (eframe/egui), cut in feature slices.
//!
//! - `profiles/`: the Clients panel — list, editor, save, import, export.
//! - `flow/`: run a grant, observed steps, the sequence diagram.
//! - `tokens/`: a profile's tokens, timeline, auto-refresh, token tools.
//! - `request/`: call the API with the profile's token.
//! - `http_log/`: every exchange, HAR export.
//! - `audit/`: the server audit, check by check.
//!
//! Each slice has its state (pure transitions), its action enum with its
//! handler (an `impl App` block in the slice's `mod.rs`) and its panel. This
//! file is wiring: [`App`] holds the engine [`bridge`] and the plain
//! [`AppState`], routes each engine event to the session of the profile it
//! belongs to ([`session`]), draws the panels and applies their actions at
//! the end of the frame. Nothing here touches the network, the disk or the
//! keychain.

// The UI thread never blocks, touches the disk or the network itself
// (the methods are listed in clippy.toml).
#![warn(clippy::disallowed_methods)]

pub mod audit;
pub mod bounded;
pub mod bridge;
pub mod central;
pub mod desktop;
mod events;
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

use crate::engine::store::workspace::Places;
use bridge::{Bridge, Command};
use flow::FlowAction;
use http_log::LogAction;
use profiles::ProfileAction;
use request::RequestAction;
use session::ProfileId;
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
    /// How much of the HTTP log stays in memory.
    pub log_budget: crate::app::http_log::LogBudget,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            open_browser: true,
            places: Places::default(),
            log_budget: crate::app::http_log::LogBudget::default(),
        }
    }
}

/// Opens the window and runs until it is closed.
pub fn run(runtime: tokio::runtime::Handle) -> anyhow::Result<()> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(TITLE)
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([720.0, 480.0])
        // Matches the .desktop file's name and StartupWMClass, so the
        // desktop shows its icon for the window.
        .with_app_id("oauth-debugger");
    if let Some(icon) = desktop::window_icon() {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        // glow idles at a fraction of wgpu's CPU cost on a countdown repaint.
        renderer: eframe::Renderer::Glow,
        dithering: false,
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
    /// From the Audit tab, for the selected profile.
    Audit(audit::AuditAction),
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
            exchanges: crate::app::http_log::ExchangeLog::with_budget(options.log_budget),
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
        if let Some(row) = self.state.log.row(id)
            && Some(row.owner) != self.state.profiles.selected
        {
            self.state.log.all_profiles = true;
        }
        self.state.tab = Tab::HttpLog;
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
            Action::Audit(action) => {
                if let Some(owner) = selected {
                    self.audit_action(owner, action);
                }
            }
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
        // One line per frame, nothing in it, for benches/soak.sh to count
        // frames with (RUST_LOG=oauth_debugger::frames=trace); off otherwise.
        tracing::trace!(target: "oauth_debugger::frames", causes = ?ctx.repaint_causes(), "frame");
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
