//! The worker's grant commands: running a grant (a flow run, or a refresh
//! in the background), preparing and sending a token request in step
//! mode, and steering a running grant (cancel, approve, paste).

use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use super::{GrantRun, Operation, Worker, settle};
use crate::app::bridge::Event;
use crate::app::bridge::answer::{GrantFailure, client_for};
use crate::app::session::{Origin, ProfileId};
use crate::engine::endpoints::autodiscovery;
use crate::engine::grants::step::{self, PreparedRequest};
use crate::engine::grants::{self, BrowserOptions, CurrentTokens, GrantOptions, Progress};
use crate::engine::{GrantType, Profile};

/// The handles of a profile's grant in flight.
pub(super) struct RunningGrant {
    cancel: watch::Sender<bool>,
    paste: mpsc::Sender<String>,
    approve: mpsc::Sender<String>,
    approve_request: mpsc::Sender<PreparedRequest>,
}

impl Worker {
    /// Runs a grant; a flow run's handles are kept so it can be steered, and a
    /// run it replaces is cancelled.
    pub(super) fn run_grant(
        &mut self,
        origin: Origin,
        profile: Box<Profile>,
        grant: GrantType,
        current: CurrentTokens,
        run: GrantRun,
    ) {
        let GrantRun {
            open_browser,
            step,
            background,
        } = run;
        let events = if background {
            self.events.background()
        } else {
            self.events.clone()
        };
        let Operation {
            events,
            recorder,
            delivered,
            discovery,
            dpop_keys,
            ..
        } = self.operation_with(events, origin);
        let (cancel_tx, cancel_rx) = watch::channel(false);
        let (paste_tx, paste_rx) = mpsc::channel(8);
        let (approve_tx, approve_rx) = mpsc::channel(1);
        let (request_tx, request_rx) = mpsc::channel(1);
        // A background refresh has no browser step to steer: it
        // keeps no handles and cancels nothing.
        if let Origin::Flow(owner, _) = origin
            && let Some(previous) = self.running.insert(
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
            current,
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
                approve_request: step.then(|| Arc::new(tokio::sync::Mutex::new(request_rx))),
                cancel: Some(cancel_rx),
                ..BrowserOptions::default()
            },
        };
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

    /// Builds a grant's token request for editing, without sending it.
    pub(super) fn prepare_grant(
        &self,
        origin: Origin,
        profile: Box<Profile>,
        grant: GrantType,
        current: Box<CurrentTokens>,
    ) {
        let Operation {
            events,
            recorder,
            delivered,
            discovery,
            dpop_keys,
            ..
        } = self.operation(origin);
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

    /// Sends a prepared (and possibly edited) token request.
    pub(super) fn send_prepared(
        &self,
        origin: Origin,
        profile: Box<Profile>,
        prepared: Box<PreparedRequest>,
    ) {
        let Operation {
            events,
            recorder,
            delivered,
            ..
        } = self.operation(origin);
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

    /// Cancels the profile's running grant.
    pub(super) fn cancel_grant(&self, owner: ProfileId) {
        let Self { running, .. } = self;
        if let Some(grant) = running.get(&owner) {
            let _ = grant.cancel.send(true);
        }
    }

    /// Hands the approved authorization URL to the profile's running grant
    /// (step mode).
    pub(super) async fn approve_authorization(&self, owner: ProfileId, url: String) {
        let Self { running, .. } = self;
        if let Some(grant) = running.get(&owner) {
            let _ = grant.approve.send(url).await;
        }
    }

    /// Hands the approved code exchange to the profile's running grant (step
    /// mode).
    pub(super) async fn approve_request(&self, owner: ProfileId, prepared: Box<PreparedRequest>) {
        let Self { running, .. } = self;
        if let Some(grant) = running.get(&owner) {
            let _ = grant.approve_request.send(*prepared).await;
        }
    }

    /// Hands a pasted redirect URL to the profile's running grant.
    pub(super) async fn paste_redirect(&self, owner: ProfileId, text: String) {
        let Self { running, .. } = self;
        if let Some(grant) = running.get(&owner) {
            let _ = grant.paste.send(text).await;
        }
    }
}
