//! The engine's end of the bridge: applies commands on the runtime.
//!
//! [`run`] opens the workspace, makes the session's shared handles (the
//! recorder, the key set and discovery caches, the DPoP keys, the session
//! file) and applies each command in turn. The handlers are grouped by the
//! slice they serve, one file each under `worker/`: `demo` (the demo
//! provider), `files` (profiles, kept tokens, keys: disk and keychain),
//! `grants` (running, preparing and steering grants), `http_log` (HAR
//! export and the session file), `tokens` (ending tokens, API requests,
//! token tools, OpenID logout), `audit` and `mcp`.

mod audit;
mod demo;
mod files;
mod grants;
mod http_log;
mod mcp;
mod tokens;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::answer::DpopKeys;
use super::{CHANNEL_SIZE, Command, Event};
use crate::app::session::{Origin, ProfileId};
use crate::demo::DemoServer;
use crate::engine::endpoints::autodiscovery::DiscoveryCache;
use crate::engine::jwt::jwks::JwksCache;
use crate::engine::store::session_file::{self, SessionFile};
use crate::engine::store::workspace::{Places, Workspace};
use crate::engine::wire::http::{Exchange, Recorder};

/// How long the UI waits after an event before drawing it: the events of
/// one operation (its exchanges, its progress, its result) come within a
/// few milliseconds of each other and are drawn in one frame, not one frame
/// each — on a software renderer a frame of the Tokens tab is ~20 ms of CPU
/// (issue 20). Unnoticeable to a person.
const EVENT_BATCH: std::time::Duration = std::time::Duration::from_millis(20);

/// How long the UI may wait to draw the events of a background operation
/// (an auto-refresh): a countdown on screen ticks every second and draws
/// them then, so they cost no frame of their own (issue 20).
const BACKGROUND_BATCH: std::time::Duration = std::time::Duration::from_secs(1);

/// Sends events and wakes the UI.
#[derive(Clone)]
pub(super) struct Events {
    tx: mpsc::Sender<Event>,
    ctx: egui::Context,
    wake_after: std::time::Duration,
}

impl Events {
    pub(super) fn new(tx: mpsc::Sender<Event>, ctx: egui::Context) -> Self {
        Self {
            tx,
            ctx,
            wake_after: EVENT_BATCH,
        }
    }

    /// The same channel, for a background operation: the UI is woken at
    /// most a second later, or sooner by whatever repaints first.
    pub(super) fn background(&self) -> Self {
        Self {
            wake_after: BACKGROUND_BATCH,
            ..self.clone()
        }
    }

    pub(super) async fn send(&self, event: Event) {
        let _ = self.tx.send(event).await;
        self.ctx.request_repaint_after(self.wake_after);
    }

    /// For synchronous callers (progress reports); the channel is large
    /// enough that a full one means the UI is gone.
    pub(super) fn try_send(&self, event: Event) {
        let _ = self.tx.try_send(event);
        self.ctx.request_repaint_after(self.wake_after);
    }
}

/// How a grant is run: with the browser, step by step, in the background.
pub(super) struct GrantRun {
    /// Open the system browser for browser grants.
    pub open_browser: bool,
    /// Wait for the user's approval of each request.
    pub step: bool,
    /// An auto-refresh: see [`Events::background`].
    pub background: bool,
}

/// A recorder for one operation: its exchanges go to the UI tagged with
/// `origin`. Await the handle after the operation (its clients dropped) and
/// every exchange is delivered before the operation's result.
fn recorder_for(base: &Recorder, events: &Events, origin: Origin) -> (Recorder, JoinHandle<()>) {
    let (tx, mut rx) = mpsc::channel::<Exchange>(CHANNEL_SIZE);
    let events = events.clone();
    let forward = tokio::spawn(async move {
        while let Some(exchange) = rx.recv().await {
            events
                .send(Event::Exchange(origin, Box::new(exchange)))
                .await;
        }
    });
    (base.delivering_to(tx), forward)
}

/// What one operation takes into its task: the events, a recorder whose
/// exchanges reach the UI tagged with the operation's origin (pass
/// `delivered` to [`settle`] before sending the result), and the session's
/// caches.
struct Operation {
    events: Events,
    recorder: Recorder,
    delivered: JoinHandle<()>,
    discovery: DiscoveryCache,
    dpop_keys: DpopKeys,
    jwks: JwksCache,
}

impl Worker {
    /// An operation for `origin`.
    fn operation(&self, origin: Origin) -> Operation {
        self.operation_with(self.events.clone(), origin)
    }

    /// An operation for `origin` whose events go through `events` (a
    /// background operation's).
    fn operation_with(&self, events: Events, origin: Origin) -> Operation {
        let (recorder, delivered) = recorder_for(&self.recorder, &events, origin);
        Operation {
            events,
            recorder,
            delivered,
            discovery: self.discovery.clone(),
            dpop_keys: self.dpop_keys.clone(),
            jwks: self.jwks.clone(),
        }
    }
}

/// Waits until an operation's exchanges are all delivered (its clients are
/// dropped by then); bounded, so a client kept alive somewhere cannot hold
/// the result back.
async fn settle(delivered: JoinHandle<()>) {
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), delivered).await;
}

/// Runs blocking file and keychain work off the runtime's threads.
async fn blocking<T: Send + 'static>(
    workspace: &Arc<Workspace>,
    work: impl FnOnce(&Workspace) -> T + Send + 'static,
) -> Option<T> {
    let workspace = workspace.clone();
    tokio::task::spawn_blocking(move || work(&workspace))
        .await
        .ok()
}

/// Counts a write done when dropped (whatever way its task ends).
struct Written(Arc<AtomicUsize>);

impl Drop for Written {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The worker's state for the session: the handles every operation
/// shares, and what lives between commands (the demo provider, the
/// running grants, the logout listeners).
struct Worker {
    events: Events,
    workspace: Arc<Workspace>,
    /// Exchanges are numbered across the whole session.
    recorder: Recorder,
    /// Key sets live as long as the session, so key rotation shows as a
    /// refetch.
    jwks: JwksCache,
    /// Endpoints discovered from an issuer, kept for the session: a
    /// profile that names only its issuer asks once.
    discovery: DiscoveryCache,
    /// Each profile's DPoP key, for the session.
    dpop_keys: DpopKeys,
    /// The session file of exchanges moved out of memory: made at the
    /// first spill.
    session_file: Arc<std::sync::Mutex<Option<SessionFile>>>,
    /// The demo provider lives as long as the worker (the app).
    demo: Option<DemoServer>,
    /// Each profile's grant in flight, to cancel and steer.
    running: HashMap<ProfileId, grants::RunningGrant>,
    /// Each profile's back-channel logout listener, stopped when dropped.
    logout_listeners: super::logout::Listeners,
}

/// Applies the UI's commands, in order, until the UI's end of the channel
/// is dropped.
pub(super) async fn run(
    mut commands: mpsc::Receiver<Command>,
    events: Events,
    places: Places,
    writing: Arc<AtomicUsize>,
) {
    // Opening the places creates the profile folder: off the UI thread.
    let workspace = {
        let opened = tokio::task::spawn_blocking(move || Workspace::open(places)).await;
        match opened {
            Ok(workspace) => Arc::new(workspace),
            Err(_) => return,
        }
    };
    // Week-old session files from earlier sessions go now.
    if let Ok(dir) = workspace.session_dir() {
        let dir = dir.to_path_buf();
        tokio::task::spawn_blocking(move || session_file::clean_up(&dir, session_file::KEPT_FOR));
    }
    let mut worker = Worker {
        dpop_keys: DpopKeys::new(events.clone()),
        events,
        workspace,
        recorder: Recorder::new(),
        jwks: JwksCache::new(),
        discovery: DiscoveryCache::new(),
        session_file: Arc::default(),
        demo: None,
        running: HashMap::new(),
        logout_listeners: super::logout::Listeners::default(),
    };

    while let Some(command) = commands.recv().await {
        // Held by the task that writes, released when it is done.
        let written = command.writes().then(|| Written(writing.clone()));
        match command {
            Command::StartDemo(mode) => worker.start_demo(mode).await,
            Command::Load { demo_url } => worker.load(demo_url),
            Command::SaveProfile { id, path, file } => worker.save_profile(id, path, file, written),
            Command::DeleteProfile { id, path } => worker.delete_profile(id, path, written),
            Command::Import(paths) => worker.import(paths),
            Command::ImportClients(source, options) => worker.import_clients(source, options),
            Command::Export {
                path,
                file,
                include_secrets,
            } => worker.export(path, file, include_secrets, written),
            Command::KeepTokens(keep, tokens) => worker.keep_tokens(keep, tokens, written),
            Command::SaveTokens(tokens) => worker.save_tokens(tokens, written),
            Command::RunGrant {
                origin,
                profile,
                grant,
                current,
                open_browser,
                step,
                background,
            } => {
                let run = GrantRun {
                    open_browser,
                    step,
                    background,
                };
                worker.run_grant(origin, profile, grant, *current, run);
            }
            Command::PrepareGrant {
                origin,
                profile,
                grant,
                current,
            } => worker.prepare_grant(origin, profile, grant, current),
            Command::SendPrepared {
                origin,
                profile,
                prepared,
            } => worker.send_prepared(origin, profile, prepared),
            Command::CancelGrant(owner) => worker.cancel_grant(owner),
            Command::ApproveAuthorization(owner, url) => {
                worker.approve_authorization(owner, url).await
            }
            Command::ApproveRequest(owner, prepared) => {
                worker.approve_request(owner, prepared).await
            }
            Command::PasteRedirect(owner, text) => worker.paste_redirect(owner, text).await,
            Command::ExportHar {
                path,
                exchanges,
                include_secrets,
                with_spilled,
            } => worker.export_har(path, exchanges, include_secrets, with_spilled, written),
            Command::Spill {
                exchanges,
                keep_secrets,
            } => worker.spill(exchanges, keep_secrets).await,
            Command::ReadSpilled(id) => worker.read_spilled(id),
            Command::SaveLogSettings {
                keep_in_memory,
                keep_secrets,
            } => worker.save_log_settings(keep_in_memory, keep_secrets, written),
            Command::EndToken {
                owner,
                profile,
                how,
                token,
            } => worker.end_token(owner, profile, how, token),
            Command::RunAudit {
                owner,
                profile,
                open_browser,
            } => worker.run_audit(owner, profile, open_browser),
            Command::SendRequest {
                owner,
                profile,
                request,
                token,
            } => worker.send_request(owner, profile, request, token),
            Command::GenerateKey { id, name, alg } => worker.generate_key(id, name, alg, written),
            Command::WalkMcp {
                id,
                run,
                url,
                open_browser,
            } => worker.walk_mcp(id, run, url, open_browser),
            Command::OidcLogout(owner, command) => worker.oidc_logout(owner, command),
            Command::RegisterJwks { id, url, jwks } => worker.register_jwks(id, url, jwks),
            Command::Tool(origin, command) => worker.tool(origin, command),
        }
    }
}
