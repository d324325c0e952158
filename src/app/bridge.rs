//! The bridge between the UI thread and the engine's tokio runtime.
//!
//! The UI sends [`Command`]s (never blocking: `try_send` on a bounded channel)
//! and drains [`Event`]s once per frame in `App::logic`. The worker applies
//! commands on the runtime, and asks egui for a repaint with every event it
//! sends, so the window sleeps until something happens.

use tokio::runtime::Handle;
use tokio::sync::mpsc;

use crate::demo::{DemoConfig, DemoServer};
use crate::engine::grants::{self, GrantOptions};
use crate::engine::http::{Exchange, HttpClient, Recorder};
use crate::engine::{EngineError, Finding, Profile, TokenSet};

/// What the UI asks the engine to do.
#[derive(Debug)]
pub enum Command {
    /// Start the built-in demo provider (on 7878, or a free port).
    StartDemo,
    /// Run a profile's grant.
    RunGrant(Box<Profile>),
}

/// What the engine reports back.
#[derive(Debug)]
pub enum Event {
    /// The demo provider listens at this base URL.
    DemoStarted(String),
    /// The demo provider could not start.
    DemoFailed(String),
    /// One HTTP exchange completed.
    Exchange(Box<Exchange>),
    /// A grant finished.
    GrantFinished(Result<Box<TokenSet>, GrantFailure>),
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
}

impl From<EngineError> for GrantFailure {
    fn from(err: EngineError) -> Self {
        let findings = match &err {
            EngineError::OAuth { findings, .. } => findings.clone(),
            _ => Vec::new(),
        };
        Self {
            message: err.to_string(),
            findings,
            exchange_id: err.exchange().map(|e| e.id),
        }
    }
}

/// The UI's end of the bridge.
pub struct Bridge {
    commands: mpsc::Sender<Command>,
    events: mpsc::Receiver<Event>,
}

/// Capacity of both channels.
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
}

async fn worker(mut commands: mpsc::Receiver<Command>, events: Events) {
    // The demo provider lives as long as the worker (the app).
    let mut demo: Option<DemoServer> = None;
    // Exchanges are numbered across the whole session.
    let (exchange_tx, mut exchange_rx) = mpsc::channel::<Exchange>(CHANNEL_SIZE);
    let recorder = Recorder::with_live(exchange_tx);
    let forward = events.clone();
    tokio::spawn(async move {
        while let Some(exchange) = exchange_rx.recv().await {
            forward.send(Event::Exchange(Box::new(exchange))).await;
        }
    });

    while let Some(command) = commands.recv().await {
        match command {
            Command::StartDemo => {
                if let Some(server) = &demo {
                    events.send(Event::DemoStarted(server.url())).await;
                    continue;
                }
                match DemoServer::start_or_any_port(DemoConfig::default()).await {
                    Ok(server) => {
                        events.send(Event::DemoStarted(server.url())).await;
                        demo = Some(server);
                    }
                    Err(err) => events.send(Event::DemoFailed(err.to_string())).await,
                }
            }
            Command::RunGrant(profile) => {
                let events = events.clone();
                let recorder = recorder.clone();
                tokio::spawn(async move {
                    let result = match HttpClient::new(&profile.http, recorder) {
                        Ok(http) => grants::run(&profile, &http, &GrantOptions::default())
                            .await
                            .map(Box::new)
                            .map_err(GrantFailure::from),
                        Err(err) => Err(GrantFailure {
                            message: err.to_string(),
                            findings: Vec::new(),
                            exchange_id: None,
                        }),
                    };
                    events.send(Event::GrantFinished(result)).await;
                });
            }
        }
    }
}
