//! The Profiles slice: the Clients panel's list and editor, saving,
//! deleting, importing, exporting and discovery. Files are read and written
//! on the engine's runtime, never on the UI thread.
//!
//! Nothing is lost: a profile made in the app (New, Duplicate, New from
//! preset, from a response, imported) is saved as soon as it is made, and
//! closing the window with unsaved edits asks first.

pub mod editor;
pub mod import;
pub mod mcp;
pub mod panel;
pub mod preset_form;
pub mod state;

pub use state::{ProfileEntry, ProfilesState, TransferState};

use crate::app::App;
use crate::app::bridge::Command;
use crate::app::session::{Origin, ProfileId};
use crate::app::tokens::tools::ToolCommand;
use crate::engine::store::workspace::SavedProfile;
use crate::engine::{ProfileFile, profile::presets};

/// What the Clients panel asks for.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum ProfileAction {
    /// Select a profile.
    Select(ProfileId),
    /// Save the selected profile.
    Save,
    /// A new empty profile.
    New,
    /// A copy of the selected profile.
    Duplicate,
    /// Delete the selected profile (confirmed).
    Delete,
    /// A new profile from a preset (a preset with placeholders opens the
    /// form asking for them first).
    NewFromPreset(usize),
    /// Create the profile from the open preset form's values.
    CreateFromPreset,
    /// Close the preset form without making a profile.
    CancelPreset,
    /// Export the selected profile to the transfer file.
    Export,
    /// Import profiles from these files.
    Import(Vec<std::path::PathBuf>),
    /// Import clients from another tool (Postman, Insomnia, Bruno, curl).
    ImportClients(
        crate::engine::import::ImportSource,
        crate::engine::import::ImportOptions,
    ),
    /// Discover the selected profile's endpoints from its issuer.
    Discover,
    /// Make a key pair for the selected profile's client assertions.
    GenerateKey(crate::engine::client::keys::Alg),
    /// Register the generated public key with the demo provider.
    RegisterKey,
    /// Walk an MCP server's authorization chain into a new profile.
    NewFromMcp(String),
}

impl App {
    /// Applies a Clients panel action.
    pub(crate) fn profile_action(&mut self, action: ProfileAction) {
        let selected = self.state.profiles.selected;
        match action {
            ProfileAction::Select(id) => self.select_profile(id),
            ProfileAction::GenerateKey(alg) => {
                if let Some(id) = selected {
                    self.generate_key(id, alg);
                }
            }
            ProfileAction::RegisterKey => {
                if let Some(id) = selected {
                    self.register_key(id);
                }
            }
            ProfileAction::Save => {
                if let Some(id) = selected {
                    self.save_profile(id);
                }
            }
            ProfileAction::New => self.add_profile(ProfileFile {
                name: Some("New profile".to_string()),
                ..ProfileFile::default()
            }),
            ProfileAction::Duplicate => {
                if let Some(entry) = self.state.profiles.selected_entry() {
                    let mut copy = entry.file.clone();
                    copy.name = Some(format!("{} (copy)", entry.name()));
                    self.add_profile(copy);
                }
            }
            ProfileAction::Delete => {
                let Some(entry) = self.state.profiles.selected_entry() else {
                    return;
                };
                match entry.path.clone() {
                    Some(path) => {
                        let id = entry.id;
                        self.bridge.send(Command::DeleteProfile { id, path });
                    }
                    None => {
                        let id = entry.id;
                        self.forget_profile(id);
                    }
                }
            }
            ProfileAction::NewFromPreset(index) => {
                if let Some(file) = presets::preset(index) {
                    let url = self
                        .state
                        .demo_url()
                        .unwrap_or(presets::DEMO_BASE)
                        .to_string();
                    let file = presets::point_at_demo(&file, &url);
                    match preset_form::PresetForm::for_preset(file.clone()) {
                        Some(form) => self.state.profiles.preset_form = Some(form),
                        None => {
                            self.state.profiles.preset_form = None;
                            self.add_profile(file);
                        }
                    }
                }
            }
            ProfileAction::CreateFromPreset => {
                if let Some(form) = self.state.profiles.preset_form.as_mut()
                    && let Ok(file) = form.create()
                {
                    self.state.profiles.preset_form = None;
                    self.add_profile(file);
                }
            }
            ProfileAction::CancelPreset => self.state.profiles.preset_form = None,
            ProfileAction::Export => {
                let transfer = &self.state.profiles.transfer;
                if let Some(entry) = self.state.profiles.selected_entry() {
                    let command = Command::Export {
                        path: std::path::PathBuf::from(transfer.path.trim()),
                        file: Box::new(entry.file.clone()),
                        include_secrets: transfer.include_secrets,
                    };
                    if self.bridge.send(command) {
                        self.state.profiles.transfer.result =
                            Some((true, "Exporting…".to_string()));
                    }
                }
            }
            ProfileAction::Import(paths) => {
                self.bridge.send(Command::Import(paths));
            }
            ProfileAction::ImportClients(source, options) => {
                if !self.bridge.send(Command::ImportClients(source, options)) {
                    self.state.profiles.import.finish(Err(
                        "The engine is busy; import again in a moment.".to_string(),
                    ));
                }
            }
            ProfileAction::Discover => {
                if let Some(id) = selected {
                    self.discover(id);
                }
            }
            ProfileAction::NewFromMcp(url) => self.walk_mcp(&url),
        }
    }

    /// Starts the MCP chain for `url` in a new profile, selected now and
    /// saved when the chain ends (unsaved until then, so closing asks).
    fn walk_mcp(&mut self, url: &str) {
        let parsed = match crate::engine::profile::parse_http_url(url) {
            Ok(parsed) => parsed,
            Err(message) => {
                self.state.profiles.mcp.outcome = Some((false, message));
                return;
            }
        };
        let file = ProfileFile {
            name: Some(format!("MCP {}", parsed.host_str().unwrap_or("server"))),
            mcp: Some(crate::engine::profile::McpFile {
                url: Some(parsed.to_string()),
            }),
            ..ProfileFile::default()
        };
        let id = self.state.profiles.add(file, None, false);
        self.select_profile(id);
        // The chain is drawn in the Flow tab, like a grant's run.
        let run = self.state.sessions.of(id).flow.start_mcp(parsed.as_str());
        self.state.tab = crate::app::Tab::Flow;
        let command = Command::WalkMcp {
            id,
            run,
            url: parsed,
            open_browser: self.options.open_browser,
        };
        if self.bridge.send(command) {
            self.state.profiles.mcp.started(id);
        } else {
            self.state.profiles.mcp.outcome = Some((
                false,
                "The engine is busy; try again in a moment.".to_string(),
            ));
        }
    }

    /// The MCP chain for `id` ended: its profile replaces the placeholder
    /// and is saved (also when the chain broke, with what it found).
    pub(crate) fn mcp_finished(&mut self, id: ProfileId, run: Box<crate::engine::mcp::McpRun>) {
        self.state.profiles.mcp.finished(&run);
        // The Flow tab gets each hop's verdict; the tokens go to the new
        // profile, so the Tokens, Request and HTTP log tabs work on them.
        let session = self.state.sessions.of(id);
        session.flow.finish_mcp(&run.hops, run.tokens.as_ref());
        if let Some(tokens) = &run.tokens {
            session.tokens.issued(tokens.clone());
        }
        if let Some(entry) = self.state.profiles.entry_mut(id)
            && let Some(file) = run.profile
        {
            entry.file = file.with_secrets_inline();
            // The Flow tab runs the grant the chain ran.
            if let Some(grant) = entry.file.grant_type {
                self.state.sessions.of(id).flow.grant = grant;
            }
        }
        self.save_profile(id);
    }

    /// Shows `id`'s session. What it does not change: which profile any
    /// token is used with.
    pub(crate) fn select_profile(&mut self, id: ProfileId) {
        let Some(entry) = self.state.profiles.entry(id) else {
            return;
        };
        let grant = entry.file.grant_type;
        let auto_refresh = entry.file.auto_refresh.unwrap_or(false);
        let file = entry.file.clone();
        self.state.profiles.selected = Some(id);
        self.state.profiles.confirm_delete = false;
        self.state.log.selected = None;
        let fresh = self.state.sessions.get(id).is_none();
        let session = self.state.sessions.of(id);
        if fresh {
            if let Some(grant) = grant {
                session.flow.grant = grant;
            }
            session.tokens.auto_refresh = auto_refresh;
            session.request.load_from(Some(&file));
        }
    }

    /// Adds a profile made in the app, selects it and saves it at once, so
    /// it survives closing and crashing. It never shares a keychain entry
    /// with another profile: the values stay, the references go, and the
    /// save files them under the new profile's own name.
    pub(crate) fn add_profile(&mut self, file: ProfileFile) {
        let id = self
            .state
            .profiles
            .add(file.with_secrets_inline(), None, false);
        self.select_profile(id);
        self.save_profile(id);
    }

    /// Saves `id` (off the UI thread).
    pub(crate) fn save_profile(&mut self, id: ProfileId) {
        let Some(entry) = self.state.profiles.entry_mut(id) else {
            return;
        };
        // Authorization details that are not valid JSON wait (Ctrl+S as
        // the Save button): the editor says what is wrong.
        if let Some(message) = crate::engine::Profile::from_file(&entry.file, "profile")
            .err()
            .and_then(|err| {
                err.message_for(crate::engine::requests::rar::PARAMETER)
                    .map(str::to_string)
            })
        {
            self.state.notice = Some(format!(
                "Not saved: the authorization details (RFC 9396) {message}"
            ));
            return;
        }
        let command = Command::SaveProfile {
            id,
            path: entry.path.clone(),
            file: Box::new(entry.file.clone()),
        };
        if self.bridge.send(command) {
            entry.saving = true;
        } else {
            self.state.notice = Some("The engine is busy; save again in a moment.".to_string());
        }
    }

    /// A save came back. Edits typed while it was on its way stay (and
    /// stay marked unsaved); the keychain references it filed are taken.
    pub(crate) fn profile_saved(
        &mut self,
        id: ProfileId,
        result: Result<Box<SavedProfile>, String>,
    ) {
        let Some(entry) = self.state.profiles.entry_mut(id) else {
            return;
        };
        entry.saving = false;
        match result {
            Ok(saved) => {
                entry.file.client_secret_keychain = saved.file.client_secret_keychain.clone();
                entry.file.password_keychain = saved.file.password_keychain.clone();
                entry.file.schema_version = saved.file.schema_version;
                entry.saved = Some(saved.file);
                entry.path = Some(saved.path);
                self.state.notice = Some(saved.message);
            }
            Err(message) => self.state.notice = Some(message),
        }
        self.close_when_saved();
    }

    /// Clients read from another tool: each is added under a name no other
    /// profile has, selected and saved at once (secrets by the usual
    /// keychain rules); the window shows the report.
    pub(crate) fn clients_imported(
        &mut self,
        result: Result<Box<crate::engine::import::ImportReport>, String>,
    ) {
        match result {
            Ok(mut report) => {
                let taken: Vec<String> = self
                    .state
                    .profiles
                    .entries
                    .iter()
                    .map(|e| e.name().to_string())
                    .collect();
                crate::engine::import::make_names_unique(&mut report.profiles, &taken);
                for profile in &report.profiles {
                    self.add_profile(profile.file.clone());
                }
                self.state.profiles.import.finish(Ok(&report));
            }
            Err(message) => self.state.profiles.import.finish(Err(message)),
        }
    }

    /// Drops a profile and its session (its tokens go with it).
    pub(crate) fn forget_profile(&mut self, id: ProfileId) {
        self.state.profiles.remove(id);
        self.state.sessions.remove(id);
        if let Some(next) = self.state.profiles.selected {
            self.select_profile(next);
        }
        self.persist_tokens();
    }

    /// Asks the worker for a key pair for `id` (written beside the profiles).
    fn generate_key(&mut self, id: ProfileId, alg: crate::engine::client::keys::Alg) {
        let Some(entry) = self.state.profiles.entry_mut(id) else {
            return;
        };
        let command = Command::GenerateKey {
            id,
            name: entry.name().to_string(),
            alg,
        };
        if self.bridge.send(command) {
            entry.generated_key.start();
            entry.registration = Default::default();
        }
    }

    /// A key pair came back: the profile signs with it from now on (the
    /// change is unsaved until Save, like any edit).
    pub(crate) fn key_generated(
        &mut self,
        id: ProfileId,
        result: Result<crate::engine::store::workspace::GeneratedKey, String>,
    ) {
        let Some(entry) = self.state.profiles.entry_mut(id) else {
            return;
        };
        if let Ok(key) = &result {
            entry.file.signing_key_file = Some(key.path.display().to_string());
            entry.file.signing_key_kid = None;
        }
        entry.generated_key.finish(result);
    }

    /// Registers the generated public JWKS for the profile's client with
    /// the demo provider it points at.
    fn register_key(&mut self, id: ProfileId) {
        let Some(entry) = self.state.profiles.entry_mut(id) else {
            return;
        };
        let target = demo_registration_url(&entry.file);
        let jwks = entry
            .generated_key
            .value()
            .and_then(|r| r.as_ref().ok())
            .map(|key| key.jwks.clone());
        match (target, jwks) {
            (Some(url), Some(jwks)) => {
                if self.bridge.send(Command::RegisterJwks { id, url, jwks }) {
                    entry.registration.start();
                }
            }
            _ => entry.registration.finish(Err(
                "Generate a key first, with a client ID and a token endpoint on the demo provider."
                    .to_string(),
            )),
        }
    }

    /// Fetches the issuer's discovery document for `id`'s editor.
    fn discover(&mut self, id: ProfileId) {
        let Some(entry) = self.state.profiles.entry(id) else {
            return;
        };
        let issuer = entry.file.issuer.clone().filter(|i| !i.trim().is_empty());
        let http = self
            .state
            .profiles
            .typed(id)
            .map(|p| p.http)
            .unwrap_or_default();
        let tools = &mut self.state.sessions.of(id).tools;
        let Some(issuer) = issuer else {
            tools
                .discovered
                .finish(Err("Type the issuer first.".to_string()));
            return;
        };
        if self.bridge.send(Command::Tool(
            Origin::Discovery(id),
            ToolCommand::Discover { issuer, http },
        )) {
            tools.discovered.start();
        }
    }
}

/// The demo provider's JWKS registration endpoint for the profile's client
/// (`{base}/admin/clients/{client_id}/jwks`), when its token endpoint is on
/// 127.0.0.1 under `/token`.
pub(crate) fn demo_registration_url(file: &crate::engine::ProfileFile) -> Option<url::Url> {
    let profile = crate::engine::Profile::from_file(
        &crate::engine::ProfileFile {
            // Only the endpoints matter here.
            token_endpoint_auth_method: None,
            revocation_endpoint_auth_method: None,
            introspection_endpoint_auth_method: None,
            ..file.clone()
        },
        "profile",
    )
    .ok();
    let token = match &profile {
        Some(profile) => profile.endpoints.token.clone()?,
        None => url::Url::parse(file.token_endpoint.as_deref()?).ok()?,
    };
    let client_id = file
        .client_id
        .as_deref()
        .filter(|id| !id.trim().is_empty())?;
    if token.host_str() != Some("127.0.0.1") || !token.path().ends_with("/token") {
        return None;
    }
    let base = token.as_str().strip_suffix("token")?;
    url::Url::parse(&format!(
        "{base}admin/clients/{}/jwks",
        url::form_urlencoded::byte_serialize(client_id.trim().as_bytes()).collect::<String>()
    ))
    .ok()
}
