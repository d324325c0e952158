//! The desktop app (eframe/egui).
//!
//! [`App`] holds handles (the engine bridge) and a plain [`AppState`]. Each
//! panel is a `*_ui` function in `panels/` that gets only the state it needs;
//! text fields edit their own piece of state in place, and everything that
//! goes to the engine comes back as an [`Action`], applied in one place at the
//! end of the frame. Nothing here touches the network.

pub mod bridge;
pub mod panels;
pub mod settings;
pub mod state;
pub mod tools;
pub mod widgets;

use eframe::egui;

use crate::engine::api::ApiRequest;
use crate::engine::grants::Progress;
use crate::engine::keychain::Keychain;
use crate::engine::presets;
use crate::engine::revoke::TokenHint;
use crate::engine::storage::ProfileStore;
use crate::engine::{GrantType, Profile, ProfileFile, Secret};
use bridge::{Bridge, Command, EndToken, Event};
pub use state::*;

/// The window title.
pub const TITLE: &str = "OAuth Debugger";

/// How the app reaches the outside world.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// Open the system browser for browser grants (tests turn this off and
    /// play the person themselves from the URL the app shows).
    pub open_browser: bool,
    /// Where profiles are saved; `None` for the OS config directory.
    pub profile_dir: Option<std::path::PathBuf>,
    /// Where secrets go: the OS keychain unless a test hands in keyring's
    /// mock store (or none at all).
    pub keychain: Keychain,
    /// Where the settings (and kept tokens) live; `None` for the OS config
    /// directory. Not the profile folder: every `.toml` there is a profile.
    pub settings_dir: Option<std::path::PathBuf>,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            open_browser: true,
            profile_dir: None,
            keychain: Keychain::platform(),
            settings_dir: None,
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

/// The app.
pub struct App {
    bridge: Bridge,
    options: AppOptions,
    store: Result<ProfileStore, String>,
    /// Where the settings live, or why there is nowhere.
    settings_dir: Result<std::path::PathBuf, String>,
    /// The settings as last loaded or changed.
    settings: settings::Settings,
    /// Tokens kept across restarts, when the settings ask for it.
    vault: Option<crate::engine::token_vault::TokenVault>,
    state: AppState,
    /// Close after the first painted frame (startup benchmark).
    exit_after_first_frame: bool,
    /// The demo provider was asked to start (after the first frame).
    demo_requested: bool,
}

/// With this environment variable set, the window closes after its first
/// frame: the startup benchmark measures process start to first frame.
pub const EXIT_AFTER_FIRST_FRAME: &str = "OAUTH_DEBUGGER_EXIT_AFTER_FIRST_FRAME";

impl App {
    /// Starts the engine bridge; the demo provider starts once the first
    /// frame is on screen, so making its keys does not delay the window.
    pub fn new(ctx: egui::Context, runtime: &tokio::runtime::Handle, options: AppOptions) -> Self {
        let bridge = Bridge::start(runtime, ctx);
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
        let store = match &options.profile_dir {
            Some(dir) => ProfileStore::open(dir.clone(), options.keychain.clone()),
            None => crate::engine::storage::config_dir()
                .and_then(|dir| ProfileStore::open(dir.join("profiles"), options.keychain.clone())),
        };
        let settings_dir = match &options.settings_dir {
            Some(dir) => Ok(dir.clone()),
            None => crate::engine::storage::config_dir(),
        };
        let vault = settings_dir.as_ref().ok().map(|dir| {
            crate::engine::token_vault::TokenVault::new(dir.clone(), options.keychain.clone())
        });
        Self {
            bridge,
            options,
            store,
            settings_dir,
            settings: settings::Settings::default(),
            vault,
            state,
            exit_after_first_frame: false,
            demo_requested: false,
        }
    }

    /// Loads the saved profiles; on first launch writes the Demo ones. Files
    /// that point at the demo provider follow the port it really got.
    fn load_profiles(&mut self, demo_url: &str) {
        self.load_settings();
        let state = &mut self.state;
        let store = match &self.store {
            Ok(store) => store,
            Err(message) => {
                state.notice = Some(format!("Profiles cannot be saved: {message}"));
                state.profiles = presets::demo_profiles(demo_url)
                    .into_iter()
                    .map(ProfileEntry::unsaved)
                    .collect();
                return;
            }
        };
        // Asking the keychain can take a moment; it happens here, after the
        // first frame, once.
        state.secret_storage = Some(store.keychain().status());
        let mut listed = store.list().unwrap_or_default();
        if listed.is_empty() {
            for file in presets::demo_profiles(presets::DEMO_BASE) {
                let path = store.new_path(file.name.as_deref().unwrap_or("demo"));
                if let Err(message) = store.save(&path, &file) {
                    state.notice = Some(message);
                }
            }
            listed = store.list().unwrap_or_default();
        }
        state.profiles.clear();
        state.broken_profiles.clear();
        state.profile_notes.clear();
        for stored in listed {
            state.profile_notes.extend(stored.notes);
            match stored.file {
                Ok(file) => {
                    let file = presets::point_at_demo(&file, demo_url);
                    state.profiles.push(ProfileEntry {
                        saved: Some(file.clone()),
                        file,
                        path: Some(stored.path),
                    });
                }
                // Kept, byte for byte, out of the way of new saves.
                Err(err) => state
                    .broken_profiles
                    .push(match store.set_aside(&stored.path) {
                        Ok(aside) => format!(
                            "{err} — the file is kept as {}",
                            aside.file_name().unwrap_or_default().to_string_lossy()
                        ),
                        Err(message) => format!("{err} ({message})"),
                    }),
            }
        }
        // The built-in Demo profiles first, in preset order.
        let demo_names: Vec<Option<String>> = presets::demo_profiles(presets::DEMO_BASE)
            .into_iter()
            .map(|f| f.name)
            .collect();
        state.profiles.sort_by_key(|entry| {
            demo_names
                .iter()
                .position(|name| *name == entry.file.name)
                .unwrap_or(usize::MAX)
        });
        if state.profiles.is_empty() {
            state.profiles = presets::demo_profiles(demo_url)
                .into_iter()
                .map(ProfileEntry::unsaved)
                .collect();
        }
    }

    /// Reads the settings and, when they say so, the tokens kept from the
    /// last session.
    fn load_settings(&mut self) {
        let Ok(dir) = &self.settings_dir else {
            return;
        };
        let (settings, problem) = settings::Settings::load(dir);
        if let Some(problem) = problem {
            self.state.notice = Some(problem);
        }
        self.settings = settings;
        if !self.settings.keep_tokens {
            return;
        }
        if let Some(vault) = &self.vault {
            self.state.tokens.kept_note = Some(match vault.load() {
                Ok(kept) if kept.is_empty() => {
                    (true, "No tokens were kept from the last session.".into())
                }
                Ok(kept) => {
                    let note = format!(
                        "{} token set{} kept from the last session.",
                        kept.len(),
                        if kept.len() == 1 { "" } else { "s" }
                    );
                    self.state.tokens.history = kept;
                    (true, note)
                }
                Err(message) => (false, message),
            });
        }
    }

    /// Turns keeping tokens across restarts on or off, and says where they
    /// go.
    fn keep_tokens(&mut self, keep: bool) {
        let dir = match &self.settings_dir {
            Ok(dir) => dir.clone(),
            Err(message) => {
                self.state.tokens.kept_note =
                    Some((false, format!("Tokens cannot be kept: {message}")));
                return;
            }
        };
        self.settings.keep_tokens = keep;
        if let Err(message) = self.settings.save(&dir) {
            self.state.tokens.kept_note = Some((false, message));
            return;
        }
        let Some(vault) = &self.vault else {
            return;
        };
        self.state.tokens.kept_note = Some(if keep {
            match vault.save(&self.state.tokens.history) {
                Ok(said) => (true, said),
                Err(message) => (false, message),
            }
        } else {
            match vault.clear() {
                Ok(()) => (
                    true,
                    "Tokens are no longer kept; the kept ones are deleted.".into(),
                ),
                Err(message) => (false, message),
            }
        });
    }

    /// Writes the tokens, when they are kept.
    fn persist_tokens(&mut self) {
        if !self.settings.keep_tokens {
            return;
        }
        if let Some(vault) = &self.vault {
            self.state.tokens.kept_note = Some(match vault.save(&self.state.tokens.history) {
                Ok(said) => (true, said),
                Err(message) => (false, message),
            });
        }
    }

    /// The state, for tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    fn apply_event(&mut self, event: Event) {
        let state = &mut self.state;
        match event {
            Event::DemoStarted(url, mode) => {
                let restarted = matches!(&state.demo, Some(DemoStatus::Running(old)) if *old == url)
                    || (matches!(state.demo, Some(DemoStatus::Starting))
                        && !state.profiles.is_empty());
                state.demo_mode = mode;
                if restarted {
                    // A mode change on the same port: profiles and edits stay.
                    state.demo = Some(DemoStatus::Running(url));
                    state.notice = Some(format!("Demo provider now in {} mode", mode.label()));
                    return;
                }
                self.load_profiles(&url);
                let state = &mut self.state;
                state.selected = 0;
                state.flow.grant = state
                    .profiles
                    .first()
                    .and_then(|p| p.file.grant_type)
                    .unwrap_or_default();
                state
                    .request
                    .load_from(state.profiles.first().map(|p| &p.file));
                state.demo = Some(DemoStatus::Running(url));
            }
            Event::DemoFailed(message) => state.demo = Some(DemoStatus::Failed(message)),
            Event::Exchange(exchange) => {
                state.flow.add_exchange(&exchange);
                state.log.rows.push(panels::http_log::row(&exchange));
                state.exchanges.push(*exchange);
            }
            Event::GrantProgress(progress) => state.flow.apply_progress(*progress),
            Event::GrantPrepared(result) => {
                state.flow.preparing = false;
                match result {
                    Ok(prepared) => {
                        state.flow.steps = vec![FlowStep::verdict(
                            format!(
                                "Step 1: {} {} prepared; edit it below, then Send",
                                prepared.method, prepared.url
                            ),
                            true,
                        )];
                        state.flow.run = GrantRun::Idle;
                        state.flow.prepared = Some(*prepared);
                    }
                    Err(failure) => {
                        state.flow.steps = vec![FlowStep::failure(&failure)];
                        state.flow.run = GrantRun::Failed(failure);
                    }
                }
            }
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
                        self.persist_tokens();
                        if std::mem::take(&mut self.state.request.retry_after_refresh) {
                            self.send_request();
                        }
                    }
                    Err(failure) => {
                        state.flow.steps.push(FlowStep::failure(&failure));
                        state.flow.run = GrantRun::Failed(failure);
                        state.request.retry_after_refresh = false;
                    }
                }
            }
            Event::RequestFinished(result) => {
                state.in_flight = state.in_flight.saturating_sub(1);
                state.request.finish(result);
            }
            Event::Tool(event) => {
                state.in_flight = state.in_flight.saturating_sub(1);
                self.apply_tool_event(event);
            }
            Event::HarExported(result) => {
                state.log.har_result = Some(match result {
                    Ok(message) => (true, message),
                    Err(message) => (false, message),
                });
            }
            Event::TokenEnded(result) => {
                state.in_flight = state.in_flight.saturating_sub(1);
                state.tokens.ending = false;
                state.tokens.ended = Some(match result {
                    Ok(message) => (true, message),
                    Err(failure) => (false, failure.message),
                });
            }
        }
    }

    fn selected_profile(&self) -> Result<Profile, String> {
        let file = &self
            .state
            .profiles
            .get(self.state.selected)
            .ok_or("no profile is selected")?
            .file;
        let name = file.name.clone().unwrap_or_else(|| "profile".to_string());
        Profile::from_file(file, &name).map_err(|err| err.to_string())
    }

    fn apply_action(&mut self, action: Action) {
        match action {
            Action::SelectProfile(index) => {
                if let Some(entry) = self.state.profiles.get(index) {
                    self.state.selected = index;
                    self.state.confirm_delete = false;
                    self.state.tools.discovered = None;
                    self.state.tools.discovery_findings.clear();
                    self.state.tools.metadata = None;
                    if let Some(grant) = entry.file.grant_type {
                        self.state.flow.grant = grant;
                    }
                    self.state.request.load_from(Some(&entry.file));
                }
            }
            Action::SaveProfile => self.save_profile(),
            Action::NewProfile => self.add_profile(ProfileFile {
                name: Some("New profile".to_string()),
                ..ProfileFile::default()
            }),
            Action::DuplicateProfile => {
                if let Some(entry) = self.state.profiles.get(self.state.selected) {
                    let mut copy = entry.file.clone();
                    copy.name = Some(format!(
                        "{} (copy)",
                        copy.name.as_deref().unwrap_or("Profile")
                    ));
                    self.add_profile(copy);
                }
            }
            Action::NewFromPreset(index) => {
                if let Some(file) = presets::preset(index) {
                    let url = match &self.state.demo {
                        Some(DemoStatus::Running(url)) => url.clone(),
                        _ => presets::DEMO_BASE.to_string(),
                    };
                    self.add_profile(presets::point_at_demo(&file, &url));
                }
            }
            Action::DeleteProfile => self.delete_profile(),
            Action::RunGrant => self.start_grant(self.state.flow.grant, false),
            Action::NextStep => match self.state.flow.grant {
                GrantType::AuthorizationCode | GrantType::Implicit => {
                    self.start_grant(self.state.flow.grant, true)
                }
                _ => self.prepare_grant(),
            },
            Action::ApproveAuthorization => {
                if let Some((endpoint, params)) = self.state.flow.approval.take() {
                    let mut url = endpoint;
                    let query = url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(&params)
                        .finish();
                    url.push('?');
                    url.push_str(&query);
                    if let Some(Waiting::Browser { url: shown, .. }) = &mut self.state.flow.waiting
                    {
                        shown.clone_from(&url);
                    }
                    self.bridge.send(Command::ApproveAuthorization(url));
                }
            }
            Action::DiscardPrepared => self.state.flow.prepared = None,
            Action::SendPrepared => self.send_prepared(),
            Action::RefreshNow => self.start_grant(GrantType::RefreshToken, false),
            Action::RefreshAndRetry => {
                self.start_grant(GrantType::RefreshToken, false);
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
            Action::ExportHar => {
                let command = Command::ExportHar {
                    path: std::path::PathBuf::from(self.state.log.har_path.trim()),
                    exchanges: self.state.exchanges.clone(),
                    include_secrets: self.state.log.har_secrets,
                };
                if self.bridge.send(command) {
                    self.state.log.har_result = Some((true, "Exporting…".to_string()));
                }
            }
            Action::ExportProfile => self.export_profile(),
            Action::ImportProfiles(paths) => self.import_profiles(&paths),
            Action::KeepTokens(keep) => self.keep_tokens(keep),
            Action::SetDemoMode(mode) => {
                if self.bridge.send(Command::StartDemo(mode)) {
                    self.state.demo = Some(DemoStatus::Starting);
                }
            }
            Action::LoadSaved(index) => {
                if let Ok(profile) = self.selected_profile()
                    && let Some(saved) = profile.requests.get(index)
                {
                    self.state
                        .request
                        .fill(&ApiRequest::from_saved(saved, profile.api.as_ref()));
                }
            }
            Action::ProfileFromResponse => {
                let body = self
                    .state
                    .request
                    .response
                    .as_ref()
                    .and_then(|answer| answer.response.exchange.response.as_ref())
                    .and_then(|r| serde_json::from_slice::<serde_json::Value>(&r.body).ok());
                let file = self
                    .state
                    .profiles
                    .get(self.state.selected)
                    .map(|e| &e.file);
                match file
                    .zip(body)
                    .and_then(|(file, body)| file.for_client_account(&body))
                {
                    Some(file) => {
                        self.add_profile(file);
                        self.state.tab = Tab::Flow;
                        self.state.notice = Some(
                            "New client_credentials profile from the response: Run all to get its token; Save keeps it."
                                .to_string(),
                        );
                    }
                    None => {
                        self.state.notice =
                            Some("The response has no client_id and client_secret.".to_string());
                    }
                }
            }
            Action::ReauthorizeAndRetry => {
                let grant = self
                    .state
                    .profiles
                    .get(self.state.selected)
                    .and_then(|e| e.file.grant_type)
                    .unwrap_or(self.state.flow.grant);
                self.start_grant(grant, false);
                self.state.request.retry_after_refresh = self.state.flow.run.is_running();
            }
            Action::VerifyTokens
            | Action::VerifyPasted
            | Action::Introspect
            | Action::Userinfo
            | Action::Discover => {
                self.apply_tool_action(action);
            }
            Action::Logout => self.end_token(EndToken::Logout),
            Action::Revoke(refresh) => self.end_token(EndToken::Revoke(if refresh {
                TokenHint::RefreshToken
            } else {
                TokenHint::AccessToken
            })),
        }
    }

    /// Writes the selected profile to the transfer file, secrets left out
    /// unless asked for.
    fn export_profile(&mut self) {
        let transfer = &mut self.state.transfer;
        let Some(entry) = self.state.profiles.get(self.state.selected) else {
            return;
        };
        let file = if transfer.include_secrets {
            entry.file.with_secrets_inline()
        } else {
            entry.file.without_secrets()
        };
        let path = std::path::PathBuf::from(transfer.path.trim());
        transfer.result = Some(
            match crate::engine::storage::write_atomically(&path, file.to_toml().as_bytes()) {
                Ok(()) => (
                    true,
                    format!(
                        "Exported to {}{}",
                        path.display(),
                        if transfer.include_secrets {
                            " (secrets included)"
                        } else {
                            " (secrets left out)"
                        }
                    ),
                ),
                Err(err) => (false, format!("Cannot export to {}: {err}", path.display())),
            },
        );
    }

    /// Adds profiles from files (unsaved until Save); problems are reported
    /// per file with their line, and nothing is lost.
    fn import_profiles(&mut self, paths: &[std::path::PathBuf]) {
        let mut imported = Vec::new();
        let mut problems = Vec::new();
        for path in paths {
            let loaded = std::fs::read_to_string(path)
                .map_err(|err| format!("{}: cannot read the file: {err}", path.display()))
                .and_then(|text| ProfileFile::parse(&text, path).map_err(|err| err.to_string()));
            // Secrets the file keeps in this machine's keychain come along
            // as values; one that cannot be read is said.
            let loaded = loaded.map(|file| match &self.store {
                Ok(store) => {
                    let (file, notes) = store.resolve_secrets(file);
                    let name = path.file_name().unwrap_or_default().to_string_lossy();
                    problems.extend(notes.into_iter().map(|note| format!("{name}: {note}")));
                    file
                }
                Err(_) => file,
            });
            match loaded {
                Ok(mut file) => {
                    if file.name.is_none() {
                        file.name = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                    }
                    imported.push(file.name.clone().unwrap_or_default());
                    self.add_profile(file);
                }
                Err(message) => problems.push(message),
            }
        }
        let mut message = String::new();
        if !imported.is_empty() {
            message.push_str(&format!("Imported {} (Save keeps it)", imported.join(", ")));
        }
        for problem in &problems {
            if !message.is_empty() {
                message.push('\n');
            }
            message.push_str(problem);
        }
        self.state.transfer.result = Some((problems.is_empty(), message));
    }

    fn end_token(&mut self, how: EndToken) {
        let profile = match self.selected_profile() {
            Ok(profile) => profile,
            Err(message) => {
                self.state.notice = Some(message);
                return;
            }
        };
        let current = self.state.tokens.current();
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
        let command = Command::EndToken {
            profile: Box::new(profile),
            how,
            token,
        };
        if self.bridge.send(command) {
            self.state.tokens.ending = true;
            self.state.tokens.ended = None;
            self.state.in_flight += 1;
        }
    }

    /// Adds an unsaved profile. It never shares a keychain entry with
    /// another profile (a duplicate would otherwise overwrite the original's
    /// secret on Save): the values stay, the references go, and Save files
    /// them under the new profile's own name.
    fn add_profile(&mut self, file: ProfileFile) {
        self.state
            .profiles
            .push(ProfileEntry::unsaved(file.with_secrets_inline()));
        let index = self.state.profiles.len() - 1;
        self.apply_action(Action::SelectProfile(index));
    }

    fn save_profile(&mut self) {
        let store = match &self.store {
            Ok(store) => store,
            Err(message) => {
                self.state.notice = Some(format!("Cannot save: {message}"));
                return;
            }
        };
        let Some(entry) = self.state.profiles.get_mut(self.state.selected) else {
            return;
        };
        let path = entry
            .path
            .clone()
            .unwrap_or_else(|| store.new_path(entry.file.name.as_deref().unwrap_or("profile")));
        match store.save(&path, &entry.file) {
            Ok(saved) => {
                entry.file = saved.file;
                entry.saved = Some(entry.file.clone());
                let mut notice = format!("Saved {}.", path.display());
                if !saved.secrets.is_empty() {
                    notice.push(' ');
                    notice.push_str(&saved.secrets);
                }
                self.state.notice = Some(notice);
                entry.path = Some(path);
            }
            Err(message) => self.state.notice = Some(message),
        }
    }

    fn delete_profile(&mut self) {
        let index = self.state.selected;
        let Some(entry) = self.state.profiles.get(index) else {
            return;
        };
        if let (Some(path), Ok(store)) = (&entry.path, &self.store)
            && let Err(message) = store.delete(path)
        {
            self.state.notice = Some(message);
            return;
        }
        self.state.profiles.remove(index);
        let next = index.min(self.state.profiles.len().saturating_sub(1));
        self.apply_action(Action::SelectProfile(next));
    }

    /// The selected profile and the current refresh token, or a notice.
    fn grant_inputs(&mut self) -> Option<(Profile, Option<Secret>)> {
        match self.selected_profile() {
            Ok(profile) => {
                let refresh_token = self
                    .state
                    .tokens
                    .current()
                    .and_then(|t| t.refresh_token.clone());
                Some((profile, refresh_token))
            }
            Err(message) => {
                self.state.notice = Some(message);
                None
            }
        }
    }

    fn prepare_grant(&mut self) {
        let Some((profile, refresh_token)) = self.grant_inputs() else {
            return;
        };
        let command = Command::PrepareGrant {
            profile: Box::new(profile),
            grant: self.state.flow.grant,
            refresh_token,
        };
        if self.bridge.send(command) {
            self.state.flow.preparing = true;
        }
    }

    fn send_prepared(&mut self) {
        let (Ok(profile), Some(prepared)) =
            (self.selected_profile(), self.state.flow.prepared.clone())
        else {
            return;
        };
        let grant = prepared.grant;
        let command = Command::SendPrepared {
            profile: Box::new(profile),
            prepared: Box::new(prepared),
        };
        if self.bridge.send(command) {
            let last = self.state.exchanges.last().map_or(0, |e| e.id);
            self.state.flow.start(grant, last);
            self.state.in_flight += 1;
        }
    }

    /// Uses the refresh token once the current tokens are within the
    /// threshold of expiry; otherwise asks for a repaint at that moment.
    fn auto_refresh(&mut self, ctx: &egui::Context) {
        let Some(due) = self.state.tokens.refresh_due() else {
            return;
        };
        let wait = due - chrono::Utc::now();
        if wait > chrono::TimeDelta::zero() {
            if let Ok(wait) = wait.to_std() {
                ctx.request_repaint_after(wait);
            }
            return;
        }
        if self.state.flow.run.is_running() {
            return;
        }
        self.state.tokens.refreshed = self.state.tokens.current().map(|t| t.obtained_at);
        self.start_grant(GrantType::RefreshToken, false);
    }

    fn start_grant(&mut self, grant: GrantType, step: bool) {
        let Some((profile, refresh_token)) = self.grant_inputs() else {
            return;
        };
        if grant == GrantType::RefreshToken && refresh_token.is_none() {
            self.state.notice = Some("There is no refresh token to use.".to_string());
            return;
        }
        let command = Command::RunGrant {
            profile: Box::new(profile),
            grant,
            refresh_token,
            open_browser: self.options.open_browser,
            step,
        };
        if self.bridge.send(command) {
            let last = self.state.exchanges.last().map_or(0, |e| e.id);
            self.state.flow.start(grant, last);
            self.state.flow.step_mode = step;
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
        // Profile files dropped on the window are imported.
        let dropped: Vec<std::path::PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if !dropped.is_empty() {
            self.import_profiles(&dropped);
        }
        if let Some(text) = self.state.clipboard.take() {
            ctx.copy_text(text);
        }
        self.auto_refresh(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let mut actions = Vec::new();
        let save = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::S);
        if ui.input_mut(|i| i.consume_shortcut(&save)) {
            actions.push(Action::SaveProfile);
        }
        let location = self
            .store
            .as_ref()
            .ok()
            .map(|store| format!("Profiles are saved in {}", store.dir().display()));
        // What the tabs need to know of the selected profile.
        let typed = self.selected_profile().ok();
        let insecure = typed.as_ref().is_some_and(|p| p.http.accept_invalid_certs);
        let token_actions = panels::tokens::TokenActions {
            logout: typed.as_ref().is_some_and(|p| p.logout.is_some()),
            revoke: typed
                .as_ref()
                .is_some_and(|p| p.endpoints.revocation.is_some()),
            introspect: typed
                .as_ref()
                .is_some_and(|p| p.endpoints.introspection.is_some()),
            userinfo: typed
                .as_ref()
                .is_some_and(|p| p.endpoints.userinfo.is_some()),
        };
        let saved: Vec<String> = typed
            .as_ref()
            .map(|p| p.requests.iter().map(|r| r.name.clone()).collect())
            .unwrap_or_default();
        let keep_tokens = self.settings.keep_tokens;
        let state = &mut self.state;
        egui::Panel::bottom("status_bar").show(ui, |ui| {
            actions.extend(panels::status::status_ui(ui, state));
        });
        egui::Panel::left("clients")
            .resizable(true)
            .default_size(380.0)
            .show(ui, |ui| {
                actions.extend(panels::clients::clients_ui(
                    ui,
                    panels::clients::ClientsView {
                        profiles: &mut state.profiles,
                        selected: state.selected,
                        reveal: state.reveal,
                        presenting: state.presenting,
                        location,
                        broken: &state.broken_profiles,
                        notes: &state.profile_notes,
                        secret_storage: state.secret_storage.as_ref(),
                        confirm_delete: &mut state.confirm_delete,
                        tools: &state.tools,
                        transfer: &mut state.transfer,
                    },
                ));
            });
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                for tab in Tab::ALL {
                    ui.selectable_value(&mut state.tab, tab, tab.label());
                }
                ui.separator();
                ui.add_enabled(
                    !state.presenting,
                    egui::Checkbox::new(&mut state.reveal, "Show secrets"),
                );
                ui.checkbox(&mut state.presenting, "Presentation mode")
                    .on_hover_text("Masks every secret, token and personal claim on screen, for screen sharing");
            });
            if state.presenting {
                state.reveal = false;
            }
            if insecure {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Warning: {}", crate::engine::profile::INVALID_CERTS_WARNING),
                );
            }
            ui.separator();
            let ready =
                matches!(state.demo, Some(DemoStatus::Running(_))) && !state.profiles.is_empty();
            match state.tab {
                Tab::Flow => actions.extend(panels::flow::flow_ui(
                    ui,
                    &mut state.flow,
                    ready,
                    &state.exchanges,
                    state.reveal,
                )),
                Tab::Tokens => actions.extend(panels::tokens::tokens_ui(
                    ui,
                    &mut state.tokens,
                    &mut state.tools,
                    state.reveal,
                    token_actions,
                    keep_tokens,
                )),
                Tab::Request => actions.extend(panels::request::request_ui(
                    ui,
                    &mut state.request,
                    panels::request::RequestContext {
                        have_token: state.tokens.current().is_some(),
                        can_refresh: state
                            .tokens
                            .current()
                            .is_some_and(|t| t.refresh_token.is_some()),
                        saved: &saved,
                        reveal: state.reveal,
                    },
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

impl state::FlowState {
    /// Records a progress report as steps and waiting states.
    fn apply_progress(&mut self, progress: Progress) {
        match progress {
            Progress::AuthorizationUrl(request) => {
                if self.step_mode {
                    let mut endpoint = request.url.clone();
                    endpoint.set_query(None);
                    self.approval = Some((endpoint.to_string(), request.params()));
                }
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
