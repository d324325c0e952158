//! The desktop app (eframe/egui).
//!
//! [`App`] holds handles (the engine bridge) and a plain [`AppState`]. Each
//! panel is a `*_ui` function in `panels/` that gets only the state it needs;
//! text fields edit their own piece of state in place, and everything that
//! goes to the engine comes back as an [`Action`], applied in one place at the
//! end of the frame. Nothing here touches the network.

pub mod bridge;
pub mod panels;
pub mod state;
pub mod widgets;

use eframe::egui;

use crate::engine::api::ApiRequest;
use crate::engine::grants::Progress;
use crate::engine::presets;
use crate::engine::{GrantType, Profile};
use bridge::{Bridge, Command, Event};
pub use state::*;

/// The window title.
pub const TITLE: &str = "OAuth Debugger";

/// How the app reaches the outside world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppOptions {
    /// Open the system browser for browser grants (tests turn this off and
    /// play the person themselves from the URL the app shows).
    pub open_browser: bool,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self { open_browser: true }
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
            Ok(Box::new(App::new(
                cc.egui_ctx.clone(),
                &runtime,
                AppOptions::default(),
            )))
        }),
    )
    .map_err(|err| anyhow::anyhow!("cannot open the window: {err}"))
}

/// The app.
pub struct App {
    bridge: Bridge,
    options: AppOptions,
    state: AppState,
}

impl App {
    /// Starts the engine bridge and the demo provider.
    pub fn new(ctx: egui::Context, runtime: &tokio::runtime::Handle, options: AppOptions) -> Self {
        let bridge = Bridge::start(runtime, ctx);
        let mut state = AppState::default();
        if bridge.send(Command::StartDemo) {
            state.demo = Some(DemoStatus::Starting);
        }
        Self {
            bridge,
            options,
            state,
        }
    }

    /// The state, for tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    fn apply_event(&mut self, event: Event) {
        let state = &mut self.state;
        match event {
            Event::DemoStarted(url) => {
                // The Demo profiles follow the port the provider really got.
                state.profiles = presets::demo_profiles(&url);
                state.selected = 0;
                state.flow.grant = state.profiles[0]
                    .grant_type
                    .unwrap_or(GrantType::ClientCredentials);
                state.request.load_from(state.profiles.first());
                state.demo = Some(DemoStatus::Running(url));
            }
            Event::DemoFailed(message) => state.demo = Some(DemoStatus::Failed(message)),
            Event::Exchange(exchange) => {
                state.flow.add_exchange(&exchange);
                state.exchanges.push(*exchange);
            }
            Event::GrantProgress(progress) => state.flow.apply_progress(*progress),
            Event::GrantFinished(result) => {
                state.in_flight = state.in_flight.saturating_sub(1);
                state.flow.waiting = None;
                match result {
                    Ok(tokens) => {
                        state.flow.steps.push(FlowStep::verdict(
                            format!("Token received ({} grant)", tokens.grant),
                            true,
                        ));
                        state.tokens.push(*tokens);
                        state.flow.run = GrantRun::Done;
                        if std::mem::take(&mut state.request.retry_after_refresh) {
                            self.send_request();
                        }
                    }
                    Err(failure) => {
                        state
                            .flow
                            .steps
                            .push(FlowStep::verdict(failure.message.clone(), false));
                        state.flow.run = GrantRun::Failed(failure);
                        state.request.retry_after_refresh = false;
                    }
                }
            }
            Event::RequestFinished(result) => {
                state.in_flight = state.in_flight.saturating_sub(1);
                state.request.finish(result);
            }
        }
    }

    fn selected_profile(&self) -> Result<Profile, String> {
        let file = self
            .state
            .profiles
            .get(self.state.selected)
            .ok_or("no profile is selected")?;
        let name = file.name.clone().unwrap_or_else(|| "profile".to_string());
        Profile::from_file(file, &name).map_err(|err| err.to_string())
    }

    fn apply_action(&mut self, action: Action) {
        match action {
            Action::SelectProfile(index) => {
                if let Some(file) = self.state.profiles.get(index) {
                    self.state.selected = index;
                    if let Some(grant) = file.grant_type {
                        self.state.flow.grant = grant;
                    }
                    self.state.request.load_from(Some(file));
                }
            }
            Action::RunGrant => self.run_grant(self.state.flow.grant),
            Action::RefreshNow => self.run_grant(GrantType::RefreshToken),
            Action::RefreshAndRetry => {
                self.run_grant(GrantType::RefreshToken);
                self.state.request.retry_after_refresh = self.state.flow.run.is_running();
            }
            Action::CancelGrant => {
                self.bridge.send(Command::CancelGrant);
            }
            Action::PasteRedirect => {
                let text = std::mem::take(&mut self.state.flow.paste);
                self.bridge.send(Command::PasteRedirect(text));
            }
            Action::SendRequest => self.send_request(),
            Action::ShowExchange(id) => {
                self.state.log.selected = Some(id);
                self.state.tab = Tab::HttpLog;
            }
            Action::Copy(text) => self.state.clipboard = Some(text),
        }
    }

    fn run_grant(&mut self, grant: GrantType) {
        let profile = match self.selected_profile() {
            Ok(profile) => profile,
            Err(message) => {
                self.state.notice = Some(message);
                return;
            }
        };
        let refresh_token = self
            .state
            .tokens
            .current()
            .and_then(|t| t.refresh_token.clone());
        if grant == GrantType::RefreshToken && refresh_token.is_none() {
            self.state.notice = Some("There is no refresh token to use.".to_string());
            return;
        }
        let command = Command::RunGrant {
            profile: Box::new(profile),
            grant,
            refresh_token,
            open_browser: self.options.open_browser,
        };
        if self.bridge.send(command) {
            let last = self.state.exchanges.last().map_or(0, |e| e.id);
            self.state.flow.start(grant, last);
            self.state.in_flight += 1;
            self.state.notice = None;
        } else {
            self.state.notice = Some("The engine is busy; try again in a moment.".to_string());
        }
    }

    fn send_request(&mut self) {
        let profile = match self.selected_profile() {
            Ok(profile) => profile,
            Err(message) => {
                self.state.request.error = Some(message);
                return;
            }
        };
        let request: ApiRequest = match self.state.request.build(&profile) {
            Ok(request) => request,
            Err(message) => {
                self.state.request.error = Some(message);
                return;
            }
        };
        let token = self.state.tokens.current().map(|t| t.access_token.clone());
        let command = Command::SendRequest {
            profile: Box::new(profile),
            request: Box::new(request),
            token,
        };
        if self.bridge.send(command) {
            self.state.request.start();
            self.state.in_flight += 1;
        }
    }
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        for event in self.bridge.drain() {
            self.apply_event(event);
        }
        if let Some(text) = self.state.clipboard.take() {
            ctx.copy_text(text);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let mut actions = Vec::new();
        let state = &mut self.state;
        egui::Panel::bottom("status_bar").show(ui, |ui| {
            panels::status::status_ui(ui, state);
        });
        egui::Panel::left("clients")
            .resizable(true)
            .default_size(290.0)
            .show(ui, |ui| {
                actions.extend(panels::clients::clients_ui(
                    ui,
                    &state.profiles,
                    state.selected,
                    state.reveal,
                ));
            });
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                for tab in Tab::ALL {
                    ui.selectable_value(&mut state.tab, tab, tab.label());
                }
                ui.separator();
                ui.checkbox(&mut state.reveal, "Show secrets");
            });
            ui.separator();
            let ready =
                matches!(state.demo, Some(DemoStatus::Running(_))) && !state.profiles.is_empty();
            match state.tab {
                Tab::Flow => actions.extend(panels::flow::flow_ui(
                    ui,
                    &mut state.flow,
                    ready,
                    &state.exchanges,
                )),
                Tab::Tokens => {
                    actions.extend(panels::tokens::tokens_ui(ui, &state.tokens, state.reveal))
                }
                Tab::Request => actions.extend(panels::request::request_ui(
                    ui,
                    &mut state.request,
                    state.tokens.current().is_some(),
                )),
                Tab::HttpLog => actions.extend(panels::http_log::http_log_ui(
                    ui,
                    &mut state.log,
                    &state.exchanges,
                    state.reveal,
                )),
            }
        });
        for action in actions {
            self.apply_action(action);
        }
    }
}

impl state::FlowState {
    /// Records a progress report as steps and waiting states.
    fn apply_progress(&mut self, progress: Progress) {
        match progress {
            Progress::AuthorizationUrl(request) => {
                let method = request
                    .pkce_method
                    .map(|m| format!(", PKCE {m} sent"))
                    .unwrap_or_default();
                self.steps.push(FlowStep::arrow(
                    Actor::Client,
                    Actor::Browser,
                    "open /authorize".to_string(),
                    format!(
                        "Authorization request built (state {}{method})",
                        request.state
                    ),
                    None,
                ));
                self.steps.push(FlowStep::arrow(
                    Actor::Browser,
                    Actor::AuthorizationServer,
                    format!("GET {}", request.url.path()),
                    "The person signs in and consents".to_string(),
                    None,
                ));
                self.waiting = Some(Waiting::Browser {
                    url: request.url.to_string(),
                    redirect_uri: request.redirect_uri.to_string(),
                    paste: false,
                    browser_failed: None,
                });
            }
            Progress::BrowserFailed { reason, .. } => {
                if let Some(Waiting::Browser { browser_failed, .. }) = &mut self.waiting {
                    *browser_failed = Some(reason);
                }
            }
            Progress::WaitingForRedirect(_) => {}
            Progress::WaitingForPaste(_) => {
                if let Some(Waiting::Browser { paste, .. }) = &mut self.waiting {
                    *paste = true;
                }
            }
            Progress::PasteRejected(reason) => self.paste_problem = Some(reason),
            Progress::RedirectAccepted(params) => {
                let what = if params.iter().any(|(k, _)| k == "code") {
                    "302 -> /callback (code)"
                } else {
                    "302 -> /callback (tokens in fragment)"
                };
                self.steps.push(FlowStep::arrow(
                    Actor::AuthorizationServer,
                    Actor::Browser,
                    what.to_string(),
                    "Redirect received; state matched".to_string(),
                    None,
                ));
                self.steps.push(FlowStep::arrow(
                    Actor::Browser,
                    Actor::Client,
                    "GET /callback".to_string(),
                    "The listener accepted the redirect".to_string(),
                    None,
                ));
                self.waiting = None;
                self.paste_problem = None;
            }
            Progress::DeviceCode(info) => {
                self.waiting = Some(Waiting::Device(info));
            }
        }
    }
}
