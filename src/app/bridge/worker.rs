//! The engine's end of the bridge: applies commands on the runtime.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::answer::{ApiAnswer, DpopKeys, EndToken, GrantFailure, client_for, end_token};
use super::{CHANNEL_SIZE, Command, Event};
use crate::app::session::{Origin, ProfileId};
use crate::app::tokens::tools;
use crate::demo::{DemoConfig, DemoServer};
use crate::engine::endpoints::autodiscovery::{self, DiscoveryCache, Endpoint};
use crate::engine::grants::step::{self, PreparedRequest};
use crate::engine::grants::{self, BrowserOptions, GrantOptions, Progress};
use crate::engine::jwt::jwks::JwksCache;
use crate::engine::store::session_file::{self, SessionFile};
use crate::engine::store::workspace::{Places, Workspace};
use crate::engine::wire::http::{Exchange, HttpClient, Recorder};
use crate::engine::{Stage, endpoints::api};

/// How long the UI waits after an event before drawing it: the events of
/// one operation (its exchanges, its progress, its result) come within a
/// few milliseconds of each other and are drawn in one frame, not one frame
/// each — on a software renderer a frame of the Tokens tab is ~20 ms of CPU
/// (issue 20). Unnoticeable to a person.
const EVENT_BATCH: std::time::Duration = std::time::Duration::from_millis(20);

/// Sends events and wakes the UI.
#[derive(Clone)]
pub(super) struct Events {
    tx: mpsc::Sender<Event>,
    ctx: egui::Context,
}

impl Events {
    pub(super) fn new(tx: mpsc::Sender<Event>, ctx: egui::Context) -> Self {
        Self { tx, ctx }
    }

    pub(super) async fn send(&self, event: Event) {
        let _ = self.tx.send(event).await;
        self.ctx.request_repaint_after(EVENT_BATCH);
    }

    /// For synchronous callers (progress reports); the channel is large
    /// enough that a full one means the UI is gone.
    pub(super) fn try_send(&self, event: Event) {
        let _ = self.tx.try_send(event);
        self.ctx.request_repaint_after(EVENT_BATCH);
    }
}

/// The handles of a profile's grant in flight.
struct RunningGrant {
    cancel: watch::Sender<bool>,
    paste: mpsc::Sender<String>,
    approve: mpsc::Sender<String>,
    approve_request: mpsc::Sender<PreparedRequest>,
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

pub(super) async fn run(
    mut commands: mpsc::Receiver<Command>,
    events: Events,
    places: Places,
    writing: Arc<AtomicUsize>,
) {
    // The demo provider lives as long as the worker (the app).
    let mut demo: Option<DemoServer> = None;
    let mut running: HashMap<ProfileId, RunningGrant> = HashMap::new();
    // Each profile's back-channel logout listener, stopped when dropped.
    let mut logout_listeners = super::logout::Listeners::default();
    // Opening the places creates the profile folder: off the UI thread.
    let workspace = {
        let opened = tokio::task::spawn_blocking(move || Workspace::open(places)).await;
        match opened {
            Ok(workspace) => Arc::new(workspace),
            Err(_) => return,
        }
    };
    // Exchanges are numbered across the whole session.
    let recorder = Recorder::new();
    // Key sets live as long as the session, so key rotation shows as a
    // refetch.
    let jwks = JwksCache::new();
    // Endpoints discovered from an issuer, kept for the session: a profile
    // that names only its issuer asks once.
    let discovery = DiscoveryCache::new();
    // Each profile's DPoP key, for the session.
    let dpop_keys = DpopKeys::new(events.clone());
    // The session file of exchanges moved out of memory: made at the first
    // spill; week-old ones from earlier sessions go now.
    let session_file: Arc<std::sync::Mutex<Option<SessionFile>>> = Arc::default();
    if let Ok(dir) = workspace.session_dir() {
        let dir = dir.to_path_buf();
        tokio::task::spawn_blocking(move || session_file::clean_up(&dir, session_file::KEPT_FOR));
    }

    while let Some(command) = commands.recv().await {
        // Held by the task that writes, released when it is done.
        let written = command.writes().then(|| Written(writing.clone()));
        match command {
            Command::StartDemo(mode) => {
                let mut config = DemoConfig::for_mode(mode);
                // The soak benchmark's hook (benches/soak.sh): the demo
                // provider's token lifetime, in seconds.
                if let Some(ttl) = std::env::var("OAUTH_DEBUGGER_DEMO_TOKEN_TTL")
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .filter(|ttl| *ttl > 0)
                {
                    config.token_ttl = std::time::Duration::from_secs(ttl);
                }
                if let Some(server) = demo.take() {
                    if server.mode() == mode {
                        events.send(Event::DemoStarted(server.url(), mode)).await;
                        demo = Some(server);
                        continue;
                    }
                    // Same port, so the profiles pointing at it stay right.
                    config.port = server.addr().port();
                    server.stop().await;
                }
                match DemoServer::start_or_any_port(config).await {
                    Ok(server) => {
                        events.send(Event::DemoStarted(server.url(), mode)).await;
                        demo = Some(server);
                    }
                    Err(err) => events.send(Event::DemoFailed(err.to_string())).await,
                }
            }
            Command::Load { demo_url } => {
                let events = events.clone();
                let workspace = workspace.clone();
                tokio::spawn(async move {
                    let loaded = blocking(&workspace, move |w| {
                        let loaded = w.load(&demo_url);
                        let kept = if loaded.settings.keep_tokens {
                            w.kept_tokens()
                        } else {
                            Ok(Vec::new())
                        };
                        (loaded, kept)
                    })
                    .await;
                    if let Some((loaded, kept)) = loaded {
                        events.send(Event::Loaded(Box::new(loaded), kept)).await;
                    }
                });
            }
            Command::SaveProfile { id, path, file } => {
                let events = events.clone();
                let workspace = workspace.clone();
                tokio::spawn(async move {
                    let _written = written;
                    let saved =
                        blocking(&workspace, move |w| w.save_profile(path.as_deref(), &file))
                            .await
                            .unwrap_or_else(|| Err("the save did not finish".to_string()));
                    events
                        .send(Event::ProfileSaved(id, saved.map(Box::new)))
                        .await;
                });
            }
            Command::DeleteProfile { id, path } => {
                let events = events.clone();
                let workspace = workspace.clone();
                tokio::spawn(async move {
                    let _written = written;
                    let deleted = blocking(&workspace, move |w| w.delete_profile(&path))
                        .await
                        .unwrap_or_else(|| Err("the deletion did not finish".to_string()));
                    events.send(Event::ProfileDeleted(id, deleted)).await;
                });
            }
            Command::Import(paths) => {
                let events = events.clone();
                let workspace = workspace.clone();
                tokio::spawn(async move {
                    let (files, problems) = blocking(&workspace, move |w| w.import(&paths))
                        .await
                        .unwrap_or_default();
                    events.send(Event::Imported(files, problems)).await;
                });
            }
            Command::ImportClients(source, options) => {
                let events = events.clone();
                let workspace = workspace.clone();
                tokio::spawn(async move {
                    let result = blocking(&workspace, move |w| w.import_clients(&source, &options))
                        .await
                        .unwrap_or_else(|| Err("the import did not finish".to_string()));
                    events
                        .send(Event::ClientsImported(result.map(Box::new)))
                        .await;
                });
            }
            Command::Export {
                path,
                file,
                include_secrets,
            } => {
                let events = events.clone();
                let workspace = workspace.clone();
                tokio::spawn(async move {
                    let _written = written;
                    let result =
                        blocking(&workspace, move |w| w.export(&path, &file, include_secrets))
                            .await
                            .unwrap_or_else(|| Err("the export did not finish".to_string()));
                    events.send(Event::Exported(result)).await;
                });
            }
            Command::KeepTokens(keep, tokens) => {
                let events = events.clone();
                let workspace = workspace.clone();
                tokio::spawn(async move {
                    let _written = written;
                    let result = blocking(&workspace, move |w| w.keep_tokens(keep, &tokens))
                        .await
                        .unwrap_or_else(|| Err("the tokens were not written".to_string()));
                    events.send(Event::TokensKept(result)).await;
                });
            }
            Command::SaveTokens(tokens) => {
                let events = events.clone();
                let workspace = workspace.clone();
                tokio::spawn(async move {
                    let _written = written;
                    let result = blocking(&workspace, move |w| w.save_tokens(&tokens))
                        .await
                        .unwrap_or_else(|| Err("the tokens were not written".to_string()));
                    events.send(Event::TokensKept(result)).await;
                });
            }
            Command::RunGrant {
                origin,
                profile,
                grant,
                current,
                open_browser,
                step,
            } => {
                let (cancel_tx, cancel_rx) = watch::channel(false);
                let (paste_tx, paste_rx) = mpsc::channel(8);
                let (approve_tx, approve_rx) = mpsc::channel(1);
                let (request_tx, request_rx) = mpsc::channel(1);
                // A background refresh has no browser step to steer: it
                // keeps no handles and cancels nothing.
                if let Origin::Flow(owner, _) = origin
                    && let Some(previous) = running.insert(
                        owner,
                        RunningGrant {
                            cancel: cancel_tx,
                            paste: paste_tx,
                            approve: approve_tx,
                            approve_request: request_tx,
                        },
                    )
                {
                    let _ = previous.cancel.send(true);
                }
                let progress_events = events.clone();
                let options = GrantOptions {
                    grant: Some(grant),
                    refresh_token: current.refresh_token.clone(),
                    subject_token: None,
                    actor_token: None,
                    assertion: None,
                    current: *current,
                    login_hint: None,
                    binding_message: None,
                    browser: BrowserOptions {
                        open_browser,
                        progress: Some(Arc::new(move |progress| {
                            progress_events.try_send(Event::GrantProgress(
                                origin,
                                Box::new(progress),
                                chrono::Utc::now(),
                            ));
                        })),
                        paste: Some(Arc::new(tokio::sync::Mutex::new(paste_rx))),
                        approve_url: step.then(|| Arc::new(tokio::sync::Mutex::new(approve_rx))),
                        approve_request: step
                            .then(|| Arc::new(tokio::sync::Mutex::new(request_rx))),
                        cancel: Some(cancel_rx),
                        ..BrowserOptions::default()
                    },
                };
                let events = events.clone();
                let (recorder, delivered) = recorder_for(&recorder, &events, origin);
                let discovery = discovery.clone();
                let dpop_keys = dpop_keys.clone();
                tokio::spawn(async move {
                    let result = async {
                        let dpop = dpop_keys.for_profile(origin.owner(), &profile).await?;
                        let http = client_for(&profile, recorder, dpop)?;
                        let (profile, note) =
                            autodiscovery::complete(&profile, &http, &discovery, grant.endpoints())
                                .await
                                .map_err(|err| GrantFailure::new(err, grant))?;
                        if let (Some(note), Some(report)) = (note, &options.browser.progress) {
                            report(Progress::EndpointsDiscovered(note));
                        }
                        grants::run(&profile, &http, &options)
                            .await
                            .map(Box::new)
                            .map_err(|err| GrantFailure::new(err, grant))
                    }
                    .await;
                    settle(delivered).await;
                    events.send(Event::GrantFinished(origin, result)).await;
                });
            }
            Command::PrepareGrant {
                origin,
                profile,
                grant,
                current,
            } => {
                let events = events.clone();
                let (recorder, delivered) = recorder_for(&recorder, &events, origin);
                let discovery = discovery.clone();
                let dpop_keys = dpop_keys.clone();
                tokio::spawn(async move {
                    let options = GrantOptions {
                        grant: Some(grant),
                        refresh_token: current.refresh_token.clone(),
                        current: *current,
                        ..GrantOptions::default()
                    };
                    let result = async {
                        let dpop = dpop_keys.for_profile(origin.owner(), &profile).await?;
                        let http = client_for(&profile, recorder, dpop)?;
                        // The prepared request names its URL, which is what
                        // the step shows; the discovery exchanges are in
                        // the HTTP log.
                        let (profile, _) =
                            autodiscovery::complete(&profile, &http, &discovery, grant.endpoints())
                                .await
                                .map_err(|err| GrantFailure::new(err, grant))?;
                        step::prepare(&profile, &http, &options)
                            .await
                            .map(Box::new)
                            .map_err(|err| GrantFailure::new(err, grant))
                    }
                    .await;
                    settle(delivered).await;
                    events.send(Event::GrantPrepared(origin, result)).await;
                });
            }
            Command::SendPrepared {
                origin,
                profile,
                prepared,
            } => {
                let events = events.clone();
                let (recorder, delivered) = recorder_for(&recorder, &events, origin);
                tokio::spawn(async move {
                    let result = async {
                        // The proof was signed when the request was
                        // prepared; it goes as the person approved it.
                        let http = client_for(&profile, recorder, None)?;
                        step::send(&http, &prepared)
                            .await
                            .map(Box::new)
                            .map_err(|err| GrantFailure::new(err, prepared.grant))
                    }
                    .await;
                    settle(delivered).await;
                    events.send(Event::GrantFinished(origin, result)).await;
                });
            }
            Command::CancelGrant(owner) => {
                if let Some(grant) = running.get(&owner) {
                    let _ = grant.cancel.send(true);
                }
            }
            Command::ApproveAuthorization(owner, url) => {
                if let Some(grant) = running.get(&owner) {
                    let _ = grant.approve.send(url).await;
                }
            }
            Command::ApproveRequest(owner, prepared) => {
                if let Some(grant) = running.get(&owner) {
                    let _ = grant.approve_request.send(*prepared).await;
                }
            }
            Command::PasteRedirect(owner, text) => {
                if let Some(grant) = running.get(&owner) {
                    let _ = grant.paste.send(text).await;
                }
            }
            Command::ExportHar {
                path,
                exchanges,
                include_secrets,
                with_spilled,
            } => {
                let events = events.clone();
                let session_file = session_file.clone();
                tokio::spawn(async move {
                    let _written = written;
                    let written = tokio::task::spawn_blocking(move || {
                        let (mut all, masked) = if with_spilled {
                            read_spilled(&session_file)?
                        } else {
                            (Vec::new(), 0)
                        };
                        all.extend(exchanges);
                        crate::engine::wire::har::write(&path, &all, include_secrets)
                            .map_err(|err| format!("Cannot write the HAR file: {err}"))?;
                        Ok::<_, String>((path, all.len(), masked))
                    })
                    .await;
                    let result = match written {
                        Ok(Ok((path, count, masked))) => Ok(format!(
                            "Wrote {count} exchanges to {}{}{}",
                            path.display(),
                            if include_secrets {
                                " (secrets included)"
                            } else {
                                " (secrets masked)"
                            },
                            if include_secrets && masked > 0 {
                                format!(
                                    "; {masked} of them came from the session file, where their secrets were not kept"
                                )
                            } else {
                                String::new()
                            }
                        )),
                        Ok(Err(message)) => Err(message),
                        Err(err) => Err(format!("The export failed: {err}")),
                    };
                    events.send(Event::HarExported(result)).await;
                });
            }
            Command::Spill {
                exchanges,
                keep_secrets,
            } => {
                // Written before the next command is taken, so an export
                // sent after this finds them in the file.
                let dir = workspace.session_dir().map(Path::to_path_buf);
                let file = session_file.clone();
                let written = tokio::task::spawn_blocking(move || {
                    let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
                    let appended = match (&mut *file, dir) {
                        (Some(file), _) => file.append(&exchanges, keep_secrets),
                        (None, Ok(dir)) => SessionFile::create(&dir).and_then(|mut new| {
                            let appended = new.append(&exchanges, keep_secrets);
                            *file = Some(new);
                            appended
                        }),
                        (None, Err(message)) => Err(message),
                    };
                    match appended {
                        Ok(()) => Ok(!keep_secrets),
                        Err(message) => Err((exchanges, message)),
                    }
                })
                .await;
                let result = match written {
                    Ok(result) => result,
                    // The blocking task died with the exchanges: nothing to
                    // give back, but say so.
                    Err(err) => Err((Vec::new(), format!("the session file writer failed: {err}"))),
                };
                events.send(Event::Spilled(result)).await;
            }
            Command::ReadSpilled(id) => {
                let events = events.clone();
                let file = session_file.clone();
                tokio::spawn(async move {
                    let read = tokio::task::spawn_blocking(move || {
                        let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
                        match &mut *file {
                            Some(file) => file.read(id),
                            None => Err(format!("exchange #{id} is not in the session file")),
                        }
                    })
                    .await
                    .unwrap_or_else(|err| Err(format!("reading the session file failed: {err}")));
                    events.send(Event::SpilledRead(id, read)).await;
                });
            }
            Command::SaveLogSettings {
                keep_in_memory,
                keep_secrets,
            } => {
                let events = events.clone();
                let workspace = workspace.clone();
                tokio::spawn(async move {
                    let _written = written;
                    let saved = blocking(&workspace, move |w| {
                        w.update_settings(|s| {
                            s.keep_log_in_memory = keep_in_memory;
                            s.session_file_secrets = keep_secrets;
                        })
                    })
                    .await;
                    if let Some(Err(message)) = saved {
                        events.send(Event::HarExported(Err(message))).await;
                    }
                });
            }
            Command::EndToken {
                owner,
                profile,
                how,
                token,
            } => {
                let events = events.clone();
                let (recorder, delivered) = recorder_for(&recorder, &events, Origin::Token(owner));
                let discovery = discovery.clone();
                let dpop_keys = dpop_keys.clone();
                tokio::spawn(async move {
                    let result = async {
                        // A logout call carries the token as an API call
                        // does; revocation needs no proof.
                        let dpop = match how {
                            EndToken::Logout => dpop_keys.for_profile(owner, &profile).await?,
                            EndToken::Revoke(_) => None,
                        };
                        let http = client_for(&profile, recorder, dpop)?;
                        let (stage, needs): (_, &[Endpoint]) = match how {
                            EndToken::Logout => (Stage::ApiCall, &[]),
                            EndToken::Revoke(_) => (Stage::Revocation, &[Endpoint::Revocation]),
                        };
                        let (profile, _) =
                            autodiscovery::complete(&profile, &http, &discovery, needs)
                                .await
                                .map_err(|err| GrantFailure::at(err, stage))?;
                        end_token(&profile, &http, how, &token)
                            .await
                            .map_err(|err| GrantFailure::at(err, stage))
                    }
                    .await;
                    settle(delivered).await;
                    events.send(Event::TokenEnded(owner, how, result)).await;
                });
            }
            Command::RunAudit {
                owner,
                profile,
                open_browser,
            } => {
                let events = events.clone();
                let (recorder, delivered) = recorder_for(&recorder, &events, Origin::Audit(owner));
                let discovery = discovery.clone();
                let dpop_keys = dpop_keys.clone();
                tokio::spawn(async move {
                    let waiting = events.clone();
                    let options = crate::engine::audit::AuditOptions {
                        only: Vec::new(),
                        code_wait: None,
                        browser: BrowserOptions {
                            open_browser,
                            progress: Some(Arc::new(move |progress| {
                                let url = match progress {
                                    Progress::AuthorizationUrl(request) => request.url.to_string(),
                                    Progress::Hardened(hardened) => hardened.url.to_string(),
                                    Progress::BrowserFailed { url, .. } => url,
                                    _ => return,
                                };
                                waiting.try_send(Event::AuditWaiting(owner, url));
                            })),
                            ..BrowserOptions::default()
                        },
                    };
                    let result = async {
                        let dpop = dpop_keys
                            .for_profile(owner, &profile)
                            .await
                            .map_err(|failure| failure.message)?;
                        let http = client_for(&profile, recorder, dpop)
                            .map_err(|failure| failure.message)?;
                        let needs = profile.grant.map(|g| g.endpoints()).unwrap_or_default();
                        let (profile, _) =
                            autodiscovery::complete(&profile, &http, &discovery, needs)
                                .await
                                .map_err(|err| err.to_string())?;
                        let checked = events.clone();
                        crate::engine::audit::run(&profile, &http, &options, |result| {
                            checked.try_send(Event::AuditChecked(owner, Box::new(result.clone())));
                        })
                        .await;
                        Ok(())
                    }
                    .await;
                    settle(delivered).await;
                    events.send(Event::AuditFinished(owner, result)).await;
                });
            }
            Command::SendRequest {
                owner,
                profile,
                request,
                token,
            } => {
                let events = events.clone();
                let (recorder, delivered) =
                    recorder_for(&recorder, &events, Origin::Request(owner));
                let dpop_keys = dpop_keys.clone();
                tokio::spawn(async move {
                    let http = match dpop_keys.for_profile(owner, &profile).await {
                        Ok(dpop) => HttpClient::new(&profile.http, recorder)
                            .map(|http| http.with_dpop(dpop))
                            .map_err(|err| err.to_string()),
                        Err(failure) => Err(failure.message),
                    };
                    let result = match http {
                        Ok(http) => match api::call(&http, &request, token.as_ref()).await {
                            Ok(response) => {
                                tokio::task::spawn_blocking(move || ApiAnswer::new(response))
                                    .await
                                    .map(Box::new)
                                    .map_err(|err| err.to_string())
                            }
                            Err(err) => Err(err.to_string()),
                        },
                        Err(err) => Err(err.to_string()),
                    };
                    settle(delivered).await;
                    events.send(Event::RequestFinished(owner, result)).await;
                });
            }
            Command::GenerateKey { id, name, alg } => {
                let events = events.clone();
                let workspace = workspace.clone();
                tokio::spawn(async move {
                    let _written = written;
                    // RSA keys take a while to make: never on the UI thread.
                    let made =
                        tokio::task::spawn_blocking(move || workspace.generate_key(&name, alg))
                            .await
                            .unwrap_or_else(|err| Err(err.to_string()));
                    events.send(Event::KeyGenerated(id, made)).await;
                });
            }
            Command::WalkMcp {
                id,
                run,
                url,
                open_browser,
            } => {
                let events = events.clone();
                let origin = Origin::Flow(id, run);
                let (recorder, delivered) = recorder_for(&recorder, &events, origin);
                let progress_events = events.clone();
                let options = crate::engine::mcp::McpOptions {
                    url,
                    profile: None,
                    registration: None,
                    allow_without_s256: false,
                    browser: BrowserOptions {
                        open_browser,
                        progress: Some(Arc::new(move |progress| {
                            if let crate::engine::grants::Progress::AuthorizationUrl(request) =
                                &progress
                            {
                                progress_events
                                    .try_send(Event::McpSignIn(id, request.url.to_string()));
                            }
                            // The sign-in's steps in the Flow tab, as a grant's.
                            progress_events.try_send(Event::GrantProgress(
                                origin,
                                Box::new(progress),
                                chrono::Utc::now(),
                            ));
                        })),
                        ..BrowserOptions::default()
                    },
                };
                tokio::spawn(async move {
                    let settings = crate::engine::profile::HttpSettings::default();
                    let run = match crate::engine::wire::http::HttpClient::new(&settings, recorder)
                    {
                        Ok(http) => crate::engine::mcp::run(&http, &options).await,
                        Err(err) => crate::engine::mcp::McpRun::failed(&options.url, err.message),
                    };
                    settle(delivered).await;
                    events.send(Event::McpFinished(id, Box::new(run))).await;
                });
            }
            Command::OidcLogout(owner, command) => super::logout::handle(
                owner,
                command,
                &events,
                recorder_for(&recorder, &events, Origin::Token(owner)).0,
                &discovery,
                &mut logout_listeners,
            ),
            Command::RegisterJwks { id, url, jwks } => {
                let events = events.clone();
                let (recorder, delivered) = recorder_for(&recorder, &events, Origin::Discovery(id));
                tokio::spawn(async move {
                    let result = register_jwks(recorder, &url, jwks).await;
                    settle(delivered).await;
                    events.send(Event::JwksRegistered(id, result)).await;
                });
            }
            Command::Tool(origin, command) => {
                let events = events.clone();
                let (recorder, delivered) = recorder_for(&recorder, &events, origin);
                let jwks = jwks.clone();
                let dpop_keys = dpop_keys.clone();
                tokio::spawn(async move {
                    let dpop = match &command {
                        tools::ToolCommand::Userinfo { profile, .. } => dpop_keys
                            .for_profile(origin.owner(), profile)
                            .await
                            .ok()
                            .flatten(),
                        _ => None,
                    };
                    let event = tools::run(command, recorder, &jwks, dpop).await;
                    settle(delivered).await;
                    events.send(Event::Tool(origin, event)).await;
                });
            }
        }
    }
}

/// POSTs a JWKS to the demo provider's admin endpoint; what it answered.
async fn register_jwks(recorder: Recorder, url: &url::Url, jwks: String) -> Result<String, String> {
    let http = HttpClient::new(&crate::engine::profile::HttpSettings::default(), recorder)
        .map_err(|err| err.to_string())?;
    let request = http::Request::builder()
        .method(http::Method::POST)
        .uri(url.as_str())
        .header("content-type", "application/json")
        .body(jwks.into_bytes())
        .map_err(|err| err.to_string())?;
    let exchange = http
        .send(request, crate::engine::ExchangeKind::Discovery)
        .await;
    match (&exchange.response, &exchange.error) {
        (_, Some(error)) => Err(format!("The registration failed: {}", error.message)),
        (Some(response), None) if (200..300).contains(&response.status) => Ok(format!(
            "Registered with the demo provider (HTTP {}): {}",
            response.status,
            String::from_utf8_lossy(&response.body).trim()
        )),
        (Some(response), None) => Err(format!(
            "The demo provider refused the key (HTTP {}): {}",
            response.status,
            crate::engine::diagnose::findings::excerpt(&response.body, 300)
        )),
        (None, None) => Err("No answer".to_string()),
    }
}

/// Every exchange of the session file, oldest first, and how many of them
/// were written with their secrets masked.
fn read_spilled(
    file: &std::sync::Mutex<Option<SessionFile>>,
) -> Result<(Vec<Exchange>, usize), String> {
    let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
    match &mut *file {
        Some(file) => Ok((
            file.read_all()
                .map_err(|message| format!("Cannot read the session file: {message}"))?,
            file.masked(),
        )),
        None => Ok((Vec::new(), 0)),
    }
}
