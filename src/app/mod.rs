//! The desktop app (eframe/egui).
//!
//! [`App`] holds handles (the engine bridge) and a plain [`AppState`]. Each
//! panel is a `*_ui` function in `panels/` that gets only the state it needs
//! and returns the [`Action`]s the user asked for; the app applies them in one
//! place at the end of the frame. Nothing here touches the network.

pub mod bridge;
pub mod panels;
pub mod widgets;

use eframe::egui;

use crate::engine::http::Exchange;
use crate::engine::presets;
use crate::engine::{Profile, ProfileFile, TokenSet};
use bridge::{Bridge, Command, Event, GrantFailure};

/// The window title.
pub const TITLE: &str = "OAuth Debugger";

/// Opens the window and runs until it is closed.
pub fn run(runtime: tokio::runtime::Handle) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(TITLE)
            .with_inner_size([1200.0, 780.0])
            .with_min_inner_size([640.0, 420.0]),
        // glow idles at a fraction of wgpu's CPU cost on a countdown repaint.
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        TITLE,
        options,
        Box::new(move |cc| Ok(Box::new(App::new(cc.egui_ctx.clone(), &runtime)))),
    )
    .map_err(|err| anyhow::anyhow!("cannot open the window: {err}"))
}

/// The built-in demo provider, as far as the UI knows.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoStatus {
    /// Starting in the background.
    Starting,
    /// Listening at this base URL.
    Running(String),
    /// Could not start.
    Failed(String),
}

/// A grant run, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum GrantRun {
    /// Nothing run yet.
    #[default]
    Idle,
    /// In flight.
    Running {
        /// The tokens shown before this run, if any.
        previous: Option<Box<TokenSet>>,
    },
    /// Tokens received.
    Done(Box<TokenSet>),
    /// Failed.
    Failed {
        /// Why.
        failure: GrantFailure,
        /// The tokens shown before this run, if any.
        previous: Option<Box<TokenSet>>,
    },
}

impl GrantRun {
    /// The tokens to show: this run's, or the previous ones.
    pub fn tokens(&self) -> Option<&TokenSet> {
        match self {
            Self::Idle => None,
            Self::Done(tokens) => Some(tokens),
            Self::Running { previous } | Self::Failed { previous, .. } => previous.as_deref(),
        }
    }
}

/// What the user asked for this frame.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum Action {
    /// Run the selected profile's grant.
    RunGrant,
}

/// Everything the UI shows, apart from the handles.
#[derive(Debug, Default)]
pub struct AppState {
    /// The demo provider.
    pub demo: Option<DemoStatus>,
    /// The profile being shown (the built-in Demo profile for now).
    pub profile: Option<ProfileFile>,
    /// The current grant run.
    pub run: GrantRun,
    /// Every exchange of the session, oldest first.
    pub exchanges: Vec<Exchange>,
    /// Secrets shown in clear.
    pub reveal_secrets: bool,
    /// A message for the status line.
    pub notice: Option<String>,
}

/// The app.
pub struct App {
    bridge: Bridge,
    state: AppState,
}

impl App {
    /// Starts the engine bridge and the demo provider.
    pub fn new(ctx: egui::Context, runtime: &tokio::runtime::Handle) -> Self {
        let bridge = Bridge::start(runtime, ctx);
        let mut state = AppState::default();
        if bridge.send(Command::StartDemo) {
            state.demo = Some(DemoStatus::Starting);
        }
        Self { bridge, state }
    }

    /// The state, for tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    fn apply_event(&mut self, event: Event) {
        let state = &mut self.state;
        match event {
            Event::DemoStarted(url) => {
                // The Demo profile follows the port the provider really got.
                state.profile = Some(presets::demo_profile(&url));
                state.demo = Some(DemoStatus::Running(url));
            }
            Event::DemoFailed(message) => state.demo = Some(DemoStatus::Failed(message)),
            Event::Exchange(exchange) => state.exchanges.push(*exchange),
            Event::GrantFinished(result) => {
                let previous = match std::mem::take(&mut state.run) {
                    GrantRun::Running { previous } => previous,
                    other => other.tokens().cloned().map(Box::new),
                };
                state.run = match result {
                    Ok(tokens) => GrantRun::Done(tokens),
                    Err(failure) => GrantRun::Failed { failure, previous },
                };
            }
        }
    }

    fn apply_action(&mut self, action: Action) {
        match action {
            Action::RunGrant => {
                let Some(file) = &self.state.profile else {
                    return;
                };
                let name = file.name.clone().unwrap_or_else(|| "profile".to_string());
                match Profile::from_file(file, &name) {
                    Ok(profile) => {
                        if self.bridge.send(Command::RunGrant(Box::new(profile))) {
                            let previous = self.state.run.tokens().cloned().map(Box::new);
                            self.state.run = GrantRun::Running { previous };
                            self.state.notice = None;
                        } else {
                            self.state.notice =
                                Some("The engine is busy; try again in a moment.".to_string());
                        }
                    }
                    Err(err) => self.state.notice = Some(err.to_string()),
                }
            }
        }
    }
}

impl eframe::App for App {
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        for event in self.bridge.drain() {
            self.apply_event(event);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let mut actions = Vec::new();
        egui::Panel::top("title_bar").show(ui, |ui| {
            panels::status::status_ui(ui, self.state.demo.as_ref(), self.state.notice.as_deref());
        });
        egui::Panel::left("clients")
            .resizable(true)
            .default_size(280.0)
            .show(ui, |ui| {
                panels::clients::clients_ui(
                    ui,
                    self.state.profile.as_ref(),
                    self.state.reveal_secrets,
                );
            });
        egui::CentralPanel::default().show(ui, |ui| {
            let state = &mut self.state;
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    let ready = matches!(state.demo, Some(DemoStatus::Running(_)))
                        && state.profile.is_some();
                    actions.extend(panels::flow::flow_ui(ui, &state.run, ready));
                    ui.add_space(8.0);
                    ui.checkbox(&mut state.reveal_secrets, "Show secrets");
                    ui.add_space(4.0);
                    if let Some(tokens) = state.run.tokens() {
                        panels::tokens::tokens_ui(ui, tokens, state.reveal_secrets);
                    }
                    ui.add_space(8.0);
                    panels::exchanges::exchanges_ui(ui, &state.exchanges, state.reveal_secrets);
                });
        });
        for action in actions {
            self.apply_action(action);
        }
    }
}
