//! The bridge between the UI thread and the engine's tokio runtime.
//!
//! The UI sends [`Command`]s (never blocking: `try_send` on a bounded channel)
//! and drains [`Event`]s once per frame in `App::logic`. The worker applies
//! commands on the runtime — disk and keychain work included, on blocking
//! threads — and asks egui for a repaint with every event it sends, so the
//! window sleeps until something happens. Every command that works for a
//! profile names it ([`Origin`]); its events and the exchanges it caused come
//! back tagged with the same origin, the exchanges always before the result.

mod answer;
mod logout;
mod worker;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tokio::sync::mpsc;

pub use answer::{ApiAnswer, EndToken, GrantFailure};

use crate::app::session::{Origin, ProfileId};
use crate::app::tokens::KeptTokens;
use crate::app::tokens::tools::{ToolCommand, ToolEvent};
use crate::demo::Mode;
use crate::engine::endpoints::api::ApiRequest;
use crate::engine::grants::CurrentTokens;
use crate::engine::grants::Progress;
use crate::engine::grants::step::PreparedRequest;
use crate::engine::store::workspace::{Loaded, Places, SavedProfile};
use crate::engine::wire::http::Exchange;
use crate::engine::{GrantType, Profile, ProfileFile, Secret, TokenSet};

/// What the UI asks the engine to do.
#[derive(Debug)]
pub enum Command {
    /// Start the built-in demo provider in this mode (on 7878, or a free
    /// port); one already running in another mode is restarted on its port.
    StartDemo(Mode),
    /// Read the settings, the profiles (pointed at the demo provider's URL)
    /// and the kept tokens.
    Load {
        /// The demo provider's base URL.
        demo_url: String,
    },
    /// Save a profile (under a new file when it has none).
    SaveProfile {
        /// Which.
        id: ProfileId,
        /// Its file, if it has one.
        path: Option<PathBuf>,
        /// What to save.
        file: Box<ProfileFile>,
    },
    /// Delete a saved profile's file.
    DeleteProfile {
        /// Which.
        id: ProfileId,
        /// Its file.
        path: PathBuf,
    },
    /// Read profile files to import.
    Import(Vec<PathBuf>),
    /// Read clients from another tool (Postman, Insomnia, Bruno, curl).
    ImportClients(
        crate::engine::import::ImportSource,
        crate::engine::import::ImportOptions,
    ),
    /// Write a profile to a file for another machine.
    Export {
        /// Where.
        path: PathBuf,
        /// What.
        file: Box<ProfileFile>,
        /// Keep its secrets.
        include_secrets: bool,
    },
    /// Keep tokens across restarts (writing these now), or stop and delete
    /// the kept ones.
    KeepTokens(bool, Vec<KeptTokens>),
    /// Write the kept tokens.
    SaveTokens(Vec<KeptTokens>),
    /// Run a grant for a flow run (`Origin::Flow`) or refresh in the
    /// background (`Origin::Token`).
    RunGrant {
        /// Whose run.
        origin: Origin,
        /// The profile.
        profile: Box<Profile>,
        /// The grant to run.
        grant: GrantType,
        /// The profile's current tokens: the refresh token for the
        /// refresh_token grant, the subject of a token exchange.
        current: Box<CurrentTokens>,
        /// Open the system browser for browser grants.
        open_browser: bool,
        /// Step mode: wait for the user to approve (and maybe edit) the
        /// authorization URL and the code exchange before sending them.
        step: bool,
        /// An auto-refresh nobody waits on: its events are drawn on the
        /// countdown's next tick (at most a second later), not in frames of
        /// their own.
        background: bool,
    },
    /// The authorization URL to open, as the user approved it (step mode).
    ApproveAuthorization(ProfileId, String),
    /// The code exchange to send, as the user edited it (step mode).
    ApproveRequest(ProfileId, Box<PreparedRequest>),
    /// Build a grant's token request for editing, without sending it.
    PrepareGrant {
        /// Whose run.
        origin: Origin,
        /// The profile.
        profile: Box<Profile>,
        /// The grant.
        grant: GrantType,
        /// The profile's current tokens: the refresh token for the
        /// refresh_token grant, the subject of a token exchange.
        current: Box<CurrentTokens>,
    },
    /// Send a prepared (and possibly edited) token request.
    SendPrepared {
        /// Whose run.
        origin: Origin,
        /// HTTP settings come from here.
        profile: Box<Profile>,
        /// The request.
        prepared: Box<PreparedRequest>,
    },
    /// Cancel the profile's running grant.
    CancelGrant(ProfileId),
    /// A redirect URL the user pasted for the profile's running grant.
    PasteRedirect(ProfileId, String),
    /// Write exchanges to a HAR file.
    ExportHar {
        /// Where.
        path: PathBuf,
        /// What is in memory.
        exchanges: Vec<Exchange>,
        /// Keep secrets.
        include_secrets: bool,
        /// Add the ones in the session file first.
        with_spilled: bool,
    },
    /// Append exchanges to the session file (memory budget); the event
    /// gives them back if it cannot.
    Spill {
        /// The oldest exchanges in memory.
        exchanges: Vec<Exchange>,
        /// Keep their secrets in the file.
        keep_secrets: bool,
    },
    /// Read an exchange back from the session file.
    ReadSpilled(u64),
    /// Save the HTTP log's settings.
    SaveLogSettings {
        /// Keep every exchange in memory.
        keep_in_memory: bool,
        /// Keep secrets in the session file.
        keep_secrets: bool,
    },
    /// End a token: log out, or revoke it.
    EndToken {
        /// Whose token.
        owner: ProfileId,
        /// Endpoints, client authentication and HTTP settings come from here.
        profile: Box<Profile>,
        /// Logout or revocation.
        how: EndToken,
        /// The token.
        token: Secret,
    },
    /// Send an API request with a token.
    SendRequest {
        /// Whose request.
        owner: ProfileId,
        /// HTTP settings come from here.
        profile: Box<Profile>,
        /// The request.
        request: Box<ApiRequest>,
        /// The token to place.
        token: Option<Secret>,
    },
    /// Run a token tool (verify, introspect, userinfo, discover).
    Tool(Origin, ToolCommand),
    /// Make a key pair for a profile and write its private key beside the
    /// profiles.
    GenerateKey {
        /// For which profile.
        id: ProfileId,
        /// Its name (the key file is named after it).
        name: String,
        /// The key's algorithm.
        alg: crate::engine::client::keys::Alg,
    },
    /// Audit the profile's authorization server, check by check.
    RunAudit {
        /// Whose audit.
        owner: ProfileId,
        /// The profile.
        profile: Box<Profile>,
        /// Open the system browser for the sign-ins.
        open_browser: bool,
    },
    /// Walk an MCP server's authorization chain (docs/mcp.md) for the
    /// profile `id`, as its flow run `run`: its exchanges and sign-in come
    /// as `Origin::Flow(id, run)`, drawn in the Flow tab.
    WalkMcp {
        /// The profile being made.
        id: ProfileId,
        /// The flow run it is.
        run: u64,
        /// The MCP server's URL.
        url: url::Url,
        /// Open the system browser for the sign-in.
        open_browser: bool,
    },
    /// OpenID logout for a profile's tokens (src/app/tokens/oidc_logout.rs).
    OidcLogout(
        ProfileId,
        crate::app::tokens::oidc_logout::OidcLogoutCommand,
    ),
    /// Register a public JWKS for a client with the demo provider
    /// (`POST /admin/clients/{client_id}/jwks`).
    RegisterJwks {
        /// For which profile.
        id: ProfileId,
        /// The admin endpoint.
        url: url::Url,
        /// The JWKS.
        jwks: String,
    },
}

/// What the engine reports back.
#[derive(Debug)]
pub enum Event {
    /// The demo provider listens at this base URL, in this mode.
    DemoStarted(String, Mode),
    /// The demo provider could not start.
    DemoFailed(String),
    /// The settings, profiles and kept tokens, read.
    Loaded(Box<Loaded>, Result<Vec<KeptTokens>, String>),
    /// A profile was saved (or why not).
    ProfileSaved(ProfileId, Result<Box<SavedProfile>, String>),
    /// A profile's file was deleted (or why not).
    ProfileDeleted(ProfileId, Result<(), String>),
    /// Profiles read for import, and the problems met.
    Imported(Vec<ProfileFile>, Vec<String>),
    /// Clients read from another tool, with the report (or why not).
    ClientsImported(Result<Box<crate::engine::import::ImportReport>, String>),
    /// An export finished: what happened, for people.
    Exported(Result<String, String>),
    /// Keeping tokens changed or they were written: what happened.
    TokensKept(Result<String, String>),
    /// One HTTP exchange completed, for this operation.
    Exchange(Origin, Box<Exchange>),
    /// A running grant reached a step, at this time (when the engine said
    /// so, not when the UI got to it).
    GrantProgress(Origin, Box<Progress>, chrono::DateTime<chrono::Utc>),
    /// A token request is ready for editing.
    GrantPrepared(Origin, Result<Box<PreparedRequest>, GrantFailure>),
    /// A grant finished.
    GrantFinished(Origin, Result<Box<TokenSet>, GrantFailure>),
    /// An API request finished.
    RequestFinished(ProfileId, Result<Box<ApiAnswer>, String>),
    /// A logout or revocation finished: what happened, for people.
    TokenEnded(ProfileId, EndToken, Result<String, GrantFailure>),
    /// OpenID logout progress for a profile's tokens.
    OidcLogout(ProfileId, crate::app::tokens::oidc_logout::OidcLogoutEvent),
    /// A HAR export finished: what happened, for people.
    HarExported(Result<String, String>),
    /// The session file took the exchanges (true: with secrets masked), or
    /// gives them back with why it could not.
    Spilled(Result<bool, (Vec<Exchange>, String)>),
    /// An exchange read back from the session file (or why not).
    SpilledRead(u64, Result<Exchange, String>),
    /// A token tool finished.
    Tool(Origin, ToolEvent),
    /// A key pair was made (or why not).
    KeyGenerated(
        ProfileId,
        Result<crate::engine::store::workspace::GeneratedKey, String>,
    ),
    /// A profile's DPoP key for the session was made: what it is and its
    /// thumbprint, for people.
    DpopKeyMade(ProfileId, String),
    /// Registering a JWKS finished: what happened, for people.
    JwksRegistered(ProfileId, Result<String, String>),
    /// One check of a profile's audit finished.
    AuditChecked(ProfileId, Box<crate::engine::audit::CheckResult>),
    /// A profile's audit waits for a sign-in at this URL.
    AuditWaiting(ProfileId, String),
    /// A profile's audit ended (or why it could not run).
    AuditFinished(ProfileId, Result<(), String>),
    /// The MCP chain for the profile reached the sign-in: the URL the
    /// browser is sent to.
    McpSignIn(ProfileId, String),
    /// The MCP chain for the profile ended.
    McpFinished(ProfileId, Box<crate::engine::mcp::McpRun>),
}

impl Command {
    /// A write to disk or the keychain: the app does not end before it is
    /// done.
    fn writes(&self) -> bool {
        matches!(
            self,
            Self::SaveProfile { .. }
                | Self::DeleteProfile { .. }
                | Self::Export { .. }
                | Self::KeepTokens(..)
                | Self::SaveTokens(_)
                | Self::ExportHar { .. }
                | Self::SaveLogSettings { .. }
                | Self::GenerateKey { .. }
        )
    }
}

/// The UI's end of the bridge.
pub struct Bridge {
    commands: mpsc::Sender<Command>,
    events: mpsc::Receiver<Event>,
    /// Writes sent and not finished yet.
    writing: Arc<AtomicUsize>,
}

/// How long closing waits for writes still on their way.
const FLUSH_LIMIT: Duration = Duration::from_secs(5);

/// Capacity of the channels.
const CHANNEL_SIZE: usize = 256;

impl Bridge {
    /// Starts the worker on `runtime`, with the app's files at `places`; it
    /// repaints `ctx` with every event.
    pub fn start(runtime: &Handle, ctx: egui::Context, places: Places) -> Self {
        let (command_tx, command_rx) = mpsc::channel(CHANNEL_SIZE);
        let (event_tx, event_rx) = mpsc::channel(CHANNEL_SIZE);
        let writing = Arc::new(AtomicUsize::new(0));
        runtime.spawn(worker::run(
            command_rx,
            worker::Events::new(event_tx, ctx),
            places,
            writing.clone(),
        ));
        Self {
            commands: command_tx,
            events: event_rx,
            writing,
        }
    }

    /// Sends a command without blocking; false when the engine is gone or
    /// too busy to take it.
    pub fn send(&self, command: Command) -> bool {
        let writes = command.writes();
        if writes {
            self.writing.fetch_add(1, Ordering::SeqCst);
        }
        let sent = self.commands.try_send(command).is_ok();
        if writes && !sent {
            self.writing.fetch_sub(1, Ordering::SeqCst);
        }
        sent
    }

    /// Like [`Self::send`], but a command that cannot be sent (the channel
    /// full or closed) comes back, so what it carries is not lost.
    pub fn try_send(&self, command: Command) -> Result<(), Box<Command>> {
        let writes = command.writes();
        if writes {
            self.writing.fetch_add(1, Ordering::SeqCst);
        }
        match self.commands.try_send(command) {
            Ok(()) => Ok(()),
            Err(err) => {
                if writes {
                    self.writing.fetch_sub(1, Ordering::SeqCst);
                }
                Err(Box::new(err.into_inner()))
            }
        }
    }

    /// Waits (a few seconds at most) for the writes still on their way, so
    /// a profile saved or tokens kept just before closing are on disk.
    #[expect(
        clippy::disallowed_methods,
        reason = "on exit only: the window is closing and draws nothing more"
    )]
    pub fn flush(&self) {
        let deadline = Instant::now() + FLUSH_LIMIT;
        while self.writing.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Every event that arrived since the last call.
    pub fn drain(&mut self) -> Vec<Event> {
        let mut events = Vec::new();
        while let Ok(event) = self.events.try_recv() {
            events.push(event);
        }
        events
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.flush();
    }
}
