//! The worker's audit command: checks the profile's authorization server,
//! each check's result sent as it ends.

use std::sync::Arc;

use super::{Operation, Worker, settle};
use crate::app::bridge::Event;
use crate::app::bridge::answer::client_for;
use crate::app::session::{Origin, ProfileId};
use crate::engine::Profile;
use crate::engine::endpoints::autodiscovery;
use crate::engine::grants::{BrowserOptions, Progress};

impl Worker {
    /// Audits the profile's authorization server, reporting each check as it
    /// ends.
    pub(super) fn run_audit(&self, owner: ProfileId, profile: Box<Profile>, open_browser: bool) {
        let Operation {
            events,
            recorder,
            delivered,
            discovery,
            dpop_keys,
            ..
        } = self.operation(Origin::Audit(owner));
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
                let http =
                    client_for(&profile, recorder, dpop).map_err(|failure| failure.message)?;
                let needs = profile.grant.map(|g| g.endpoints()).unwrap_or_default();
                let (profile, _) = autodiscovery::complete(&profile, &http, &discovery, needs)
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
}
