//! The bridge between the UI thread and the engine's tokio runtime.
//!
//! The UI sends [`Command`]s (never blocking: `try_send` on a bounded channel)
//! and drains [`Event`]s once per frame in `App::logic`. The worker applies
//! commands on the runtime and asks egui for a repaint with every event it
//! sends, so the window sleeps until something happens.

use std::sync::Arc;

use tokio::runtime::Handle;
use tokio::sync::{mpsc, watch};

use crate::app::tools::{self, ToolCommand, ToolEvent};
use crate::app::widgets::json_tree::JsonTree;
use crate::demo::{DemoConfig, DemoServer, Mode};
use crate::engine::api::{self, ApiRequest, ApiResponse};
use crate::engine::grants::step::{self, PreparedRequest};
use crate::engine::grants::{self, BrowserOptions, GrantOptions, Progress};
use crate::engine::http::{Exchange, HttpClient, Recorder};
use crate::engine::jwks::JwksCache;
use crate::engine::revoke::{self, TokenHint};
use crate::engine::{
    EngineError, Explanation, Finding, GrantType, Profile, Secret, Stage, TokenSet,
};

/// What the UI asks the engine to do.
#[derive(Debug)]
pub enum Command {
    /// Start the built-in demo provider in this mode (on 7878, or a free
    /// port); one already running in another mode is restarted on its port.
    StartDemo(Mode),
    /// Run a grant of a profile.
    RunGrant {
        /// The profile.
        profile: Box<Profile>,
        /// The grant to run.
        grant: GrantType,
        /// For the refresh_token grant.
        refresh_token: Option<Secret>,
        /// Open the system browser for browser grants.
        open_browser: bool,
        /// Step mode: wait for the user to approve (and maybe edit) the
        /// authorization URL before opening it.
        step: bool,
    },
    /// The authorization URL to open, as the user approved it (step mode).
    ApproveAuthorization(String),
    /// Build a grant's token request for editing, without sending it.
    PrepareGrant {
        /// The profile.
        profile: Box<Profile>,
        /// The grant.
        grant: GrantType,
        /// For the refresh_token grant.
        refresh_token: Option<Secret>,
    },
    /// Send a prepared (and possibly edited) token request.
    SendPrepared {
        /// HTTP settings come from here.
        profile: Box<Profile>,
        /// The request.
        prepared: Box<PreparedRequest>,
    },
    /// Cancel the running grant.
    CancelGrant,
    /// A redirect URL the user pasted for the running grant.
    PasteRedirect(String),
    /// Write exchanges to a HAR file.
    ExportHar {
        /// Where.
        path: std::path::PathBuf,
        /// What.
        exchanges: Vec<Exchange>,
        /// Keep secrets.
        include_secrets: bool,
    },
    /// End a token: log out, or revoke it.
    EndToken {
        /// Endpoints, client authentication and HTTP settings come from here.
        profile: Box<Profile>,
        /// Logout or revocation.
        how: EndToken,
        /// The token.
        token: Secret,
    },
    /// Send an API request with a token.
    SendRequest {
        /// HTTP settings come from here.
        profile: Box<Profile>,
        /// The request.
        request: Box<ApiRequest>,
        /// The token to place.
        token: Option<Secret>,
    },
    /// Run a token tool (verify, introspect, userinfo, discover).
    Tool(ToolCommand),
}

/// What the engine reports back.
#[derive(Debug)]
pub enum Event {
    /// The demo provider listens at this base URL, in this mode.
    DemoStarted(String, Mode),
    /// The demo provider could not start.
    DemoFailed(String),
    /// One HTTP exchange completed.
    Exchange(Box<Exchange>),
    /// The running grant reached a step.
    GrantProgress(Box<Progress>),
    /// A token request is ready for editing.
    GrantPrepared(Result<Box<PreparedRequest>, GrantFailure>),
    /// A grant finished.
    GrantFinished(Result<Box<TokenSet>, GrantFailure>),
    /// An API request finished.
    RequestFinished(Result<Box<ApiAnswer>, String>),
    /// A logout or revocation finished: what happened, for people.
    TokenEnded(Result<String, GrantFailure>),
    /// A HAR export finished: what happened, for people.
    HarExported(Result<String, String>),
    /// A token tool finished.
    Tool(ToolEvent),
}

/// How to end a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndToken {
    /// The profile's `[logout]` request, with the access token.
    Logout,
    /// RFC 7009 revocation of this kind of token.
    Revoke(TokenHint),
}

/// An API response with its body laid out for display, prepared off the
/// UI thread so a large body never stalls a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiAnswer {
    /// The response.
    pub response: ApiResponse,
    /// The body, pretty-printed when it is JSON, one entry per line.
    pub lines: Vec<String>,
    /// True when the body parsed as JSON.
    pub json: bool,
    /// The JSON body as a tree, when it is JSON.
    pub tree: Option<JsonTree>,
    /// The body carries a `client_id` and a `client_secret` (a client
    /// account was created), so a profile can be made from it.
    pub client_account: bool,
    /// What a refusal's OAuth error code means.
    pub explanation: Option<Explanation>,
    /// The body with its secrets (tokens, client secrets…) masked, laid out
    /// the same way; `None` when it has none. Shown until secrets are revealed.
    pub masked: Option<Box<MaskedBody>>,
}

/// A response body with its secrets masked.
#[derive(Debug, Clone, PartialEq)]
pub struct MaskedBody {
    /// Pretty-printed lines.
    pub lines: Vec<String>,
    /// As a tree.
    pub tree: JsonTree,
}

impl ApiAnswer {
    /// The lines and tree to show: masked unless `reveal`.
    pub fn shown(&self, reveal: bool) -> (&[String], Option<&JsonTree>) {
        match &self.masked {
            Some(masked) if !reveal => (&masked.lines, Some(&masked.tree)),
            _ => (&self.lines, self.tree.as_ref()),
        }
    }

    /// Lays out `response`'s body (call off the UI thread).
    pub fn new(response: ApiResponse) -> Self {
        let body = response
            .exchange
            .response
            .as_ref()
            .map(|r| r.body.as_slice())
            .unwrap_or_default();
        let value = serde_json::from_slice::<serde_json::Value>(body).ok();
        let pretty = value
            .as_ref()
            .and_then(|value| serde_json::to_string_pretty(value).ok());
        let json = pretty.is_some();
        let text = pretty.unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
        let client_account = value.as_ref().is_some_and(|v| {
            v.get("client_id").is_some_and(serde_json::Value::is_string)
                && v.get("client_secret")
                    .is_some_and(serde_json::Value::is_string)
        });
        let masked = value.as_ref().and_then(|value| {
            let mut masked = value.clone();
            let secrets = crate::engine::redact::mask_json(&mut masked);
            let personal = crate::engine::redact::mask_personal(&mut masked);
            if !secrets && !personal {
                return None;
            }
            let pretty = serde_json::to_string_pretty(&masked).ok()?;
            Some(Box::new(MaskedBody {
                lines: pretty.lines().map(str::to_string).collect(),
                tree: JsonTree::build(&masked),
            }))
        });
        Self {
            lines: text.lines().map(str::to_string).collect(),
            masked,
            client_account,
            json,
            tree: value.as_ref().map(JsonTree::build),
            explanation: response.explanation(),
            response,
        }
    }
}

/// Why a grant produced no tokens, for display.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantFailure {
    /// The error, one line.
    pub message: String,
    /// What was odd about the response.
    pub findings: Vec<Finding>,
    /// The exchange that shows it, if any.
    pub exchange_id: Option<u64>,
    /// What an OAuth error means at the step where it came.
    pub explanation: Option<Box<Explanation>>,
}

impl GrantFailure {
    /// The failure of a run of `grant`.
    pub fn new(err: EngineError, grant: GrantType) -> Self {
        let stage = Stage::of_grant_error(grant, &err);
        Self::at(err, stage)
    }

    /// A failure at `stage` (a revocation, a logout call).
    pub fn at(err: EngineError, stage: Stage) -> Self {
        let findings = match &err {
            EngineError::OAuth { findings, .. } => findings.clone(),
            _ => Vec::new(),
        };
        Self {
            message: err.to_string(),
            findings,
            exchange_id: err.exchange().map(|e| e.id),
            explanation: err.explanation(stage).map(Box::new),
        }
    }
}

/// The HTTP client for a profile; one that cannot be built fails the step.
fn client_for(profile: &Profile, recorder: Recorder) -> Result<HttpClient, GrantFailure> {
    HttpClient::new(&profile.http, recorder).map_err(|err| GrantFailure {
        message: err.to_string(),
        findings: Vec::new(),
        exchange_id: None,
        explanation: None,
    })
}

/// Logs out or revokes; says what happened.
async fn end_token(
    profile: &Profile,
    http: &HttpClient,
    how: EndToken,
    token: &Secret,
) -> Result<String, EngineError> {
    match how {
        EndToken::Logout => {
            let Some(logout) = &profile.logout else {
                return Err(EngineError::Unsupported(
                    "the profile has no [logout] request".to_string(),
                ));
            };
            let request = ApiRequest::logout(logout, profile.api.as_ref());
            let response = api::call(http, &request, Some(token)).await?;
            let status = response.status();
            if (200..300).contains(&status) {
                Ok(format!(
                    "Logged out: {} {} answered HTTP {status}",
                    logout.method,
                    logout.url.path()
                ))
            } else {
                Err(EngineError::BadResponse {
                    message: format!("the logout request answered HTTP {status}"),
                    exchange: Box::new(response.exchange),
                })
            }
        }
        EndToken::Revoke(hint) => {
            let revoked = revoke::revoke(profile, http, token, hint).await?;
            let mut message = format!(
                "Revoked the {}: HTTP {}",
                hint.as_str().replace('_', " "),
                revoked.exchange.status().unwrap_or_default()
            );
            for finding in &revoked.findings {
                message.push_str(&format!("\n{finding}"));
            }
            Ok(message)
        }
    }
}

/// The UI's end of the bridge.
pub struct Bridge {
    commands: mpsc::Sender<Command>,
    events: mpsc::Receiver<Event>,
}

/// Capacity of the channels.
const CHANNEL_SIZE: usize = 256;

impl Bridge {
    /// Starts the worker on `runtime`; it repaints `ctx` with every event.
    pub fn start(runtime: &Handle, ctx: egui::Context) -> Self {
        let (command_tx, command_rx) = mpsc::channel(CHANNEL_SIZE);
        let (event_tx, event_rx) = mpsc::channel(CHANNEL_SIZE);
        runtime.spawn(worker(command_rx, Events { tx: event_tx, ctx }));
        Self {
            commands: command_tx,
            events: event_rx,
        }
    }

    /// Sends a command without blocking; false when the engine is gone or
    /// too busy to take it.
    pub fn send(&self, command: Command) -> bool {
        self.commands.try_send(command).is_ok()
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

/// The engine's end: sends an event and wakes the UI.
#[derive(Clone)]
struct Events {
    tx: mpsc::Sender<Event>,
    ctx: egui::Context,
}

impl Events {
    async fn send(&self, event: Event) {
        let _ = self.tx.send(event).await;
        self.ctx.request_repaint();
    }

    /// For synchronous callers (progress reports); the channel is large
    /// enough that a full one means the UI is gone.
    fn try_send(&self, event: Event) {
        let _ = self.tx.try_send(event);
        self.ctx.request_repaint();
    }
}

/// The handles of the grant in flight.
struct RunningGrant {
    cancel: watch::Sender<bool>,
    paste: mpsc::Sender<String>,
    approve: mpsc::Sender<String>,
}

async fn worker(mut commands: mpsc::Receiver<Command>, events: Events) {
    // The demo provider lives as long as the worker (the app).
    let mut demo: Option<DemoServer> = None;
    let mut running: Option<RunningGrant> = None;
    // Exchanges are numbered across the whole session.
    let (exchange_tx, mut exchange_rx) = mpsc::channel::<Exchange>(CHANNEL_SIZE);
    let recorder = Recorder::with_live(exchange_tx);
    // Key sets live as long as the session, so key rotation shows as a
    // refetch.
    let jwks = JwksCache::new();
    let forward = events.clone();
    tokio::spawn(async move {
        while let Some(exchange) = exchange_rx.recv().await {
            forward.send(Event::Exchange(Box::new(exchange))).await;
        }
    });

    while let Some(command) = commands.recv().await {
        match command {
            Command::StartDemo(mode) => {
                let mut config = DemoConfig::for_mode(mode);
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
            Command::RunGrant {
                profile,
                grant,
                refresh_token,
                open_browser,
                step,
            } => {
                if let Some(previous) = running.take() {
                    let _ = previous.cancel.send(true);
                }
                let (cancel_tx, cancel_rx) = watch::channel(false);
                let (paste_tx, paste_rx) = mpsc::channel(8);
                let (approve_tx, approve_rx) = mpsc::channel(1);
                running = Some(RunningGrant {
                    cancel: cancel_tx,
                    paste: paste_tx,
                    approve: approve_tx,
                });
                let progress_events = events.clone();
                let options = GrantOptions {
                    grant: Some(grant),
                    refresh_token,
                    browser: BrowserOptions {
                        open_browser,
                        progress: Some(Arc::new(move |progress| {
                            progress_events.try_send(Event::GrantProgress(Box::new(progress)));
                        })),
                        paste: Some(Arc::new(tokio::sync::Mutex::new(paste_rx))),
                        approve_url: step.then(|| Arc::new(tokio::sync::Mutex::new(approve_rx))),
                        cancel: Some(cancel_rx),
                        ..BrowserOptions::default()
                    },
                };
                let events = events.clone();
                let recorder = recorder.clone();
                tokio::spawn(async move {
                    let result = async {
                        let http = client_for(&profile, recorder)?;
                        grants::run(&profile, &http, &options)
                            .await
                            .map(Box::new)
                            .map_err(|err| GrantFailure::new(err, grant))
                    }
                    .await;
                    events.send(Event::GrantFinished(result)).await;
                });
            }
            Command::PrepareGrant {
                profile,
                grant,
                refresh_token,
            } => {
                let events = events.clone();
                let recorder = recorder.clone();
                tokio::spawn(async move {
                    let options = GrantOptions {
                        grant: Some(grant),
                        refresh_token,
                        ..GrantOptions::default()
                    };
                    let result = async {
                        let http = client_for(&profile, recorder)?;
                        step::prepare(&profile, &http, &options)
                            .await
                            .map(Box::new)
                            .map_err(|err| GrantFailure::new(err, grant))
                    }
                    .await;
                    events.send(Event::GrantPrepared(result)).await;
                });
            }
            Command::SendPrepared { profile, prepared } => {
                let events = events.clone();
                let recorder = recorder.clone();
                tokio::spawn(async move {
                    let result = async {
                        let http = client_for(&profile, recorder)?;
                        step::send(&http, &prepared)
                            .await
                            .map(Box::new)
                            .map_err(|err| GrantFailure::new(err, prepared.grant))
                    }
                    .await;
                    events.send(Event::GrantFinished(result)).await;
                });
            }
            Command::CancelGrant => {
                if let Some(grant) = &running {
                    let _ = grant.cancel.send(true);
                }
            }
            Command::ApproveAuthorization(url) => {
                if let Some(grant) = &running {
                    let _ = grant.approve.send(url).await;
                }
            }
            Command::PasteRedirect(text) => {
                if let Some(grant) = &running {
                    let _ = grant.paste.send(text).await;
                }
            }
            Command::ExportHar {
                path,
                exchanges,
                include_secrets,
            } => {
                let events = events.clone();
                tokio::spawn(async move {
                    let count = exchanges.len();
                    let written = tokio::task::spawn_blocking(move || {
                        crate::engine::har::write(&path, &exchanges, include_secrets).map(|()| path)
                    })
                    .await;
                    let result = match written {
                        Ok(Ok(path)) => Ok(format!(
                            "Wrote {count} exchanges to {}{}",
                            path.display(),
                            if include_secrets {
                                " (secrets included)"
                            } else {
                                " (secrets masked)"
                            }
                        )),
                        Ok(Err(err)) => Err(format!("Cannot write the HAR file: {err}")),
                        Err(err) => Err(format!("The export failed: {err}")),
                    };
                    events.send(Event::HarExported(result)).await;
                });
            }
            Command::EndToken {
                profile,
                how,
                token,
            } => {
                let events = events.clone();
                let recorder = recorder.clone();
                tokio::spawn(async move {
                    let result = async {
                        let http = client_for(&profile, recorder)?;
                        let stage = match how {
                            EndToken::Logout => Stage::ApiCall,
                            EndToken::Revoke(_) => Stage::Revocation,
                        };
                        end_token(&profile, &http, how, &token)
                            .await
                            .map_err(|err| GrantFailure::at(err, stage))
                    }
                    .await;
                    events.send(Event::TokenEnded(result)).await;
                });
            }
            Command::SendRequest {
                profile,
                request,
                token,
            } => {
                let events = events.clone();
                let recorder = recorder.clone();
                tokio::spawn(async move {
                    let result = match HttpClient::new(&profile.http, recorder) {
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
                    events.send(Event::RequestFinished(result)).await;
                });
            }
            Command::Tool(command) => {
                let events = events.clone();
                let recorder = recorder.clone();
                let jwks = jwks.clone();
                tokio::spawn(async move {
                    let event = tools::run(command, recorder, &jwks).await;
                    events.send(Event::Tool(event)).await;
                });
            }
        }
    }
}
