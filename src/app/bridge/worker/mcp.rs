//! The worker's MCP command: walks an MCP server's authorization chain
//! (docs/mcp.md), its sign-in drawn in the Flow tab as a flow run.

use std::sync::Arc;

use super::{Operation, Worker, settle};
use crate::app::bridge::Event;
use crate::app::session::{Origin, ProfileId};
use crate::engine::grants::BrowserOptions;

impl Worker {
    /// Walks an MCP server's authorization chain as the profile's flow run
    /// `run`.
    pub(super) fn walk_mcp(&self, id: ProfileId, run: u64, url: url::Url, open_browser: bool) {
        let origin = Origin::Flow(id, run);
        let Operation {
            events,
            recorder,
            delivered,
            ..
        } = self.operation(origin);
        let progress_events = events.clone();
        let options = crate::engine::mcp::McpOptions {
            url,
            profile: None,
            registration: None,
            allow_without_s256: false,
            browser: BrowserOptions {
                open_browser,
                progress: Some(Arc::new(move |progress| {
                    if let crate::engine::grants::Progress::AuthorizationUrl(request) = &progress {
                        progress_events.try_send(Event::McpSignIn(id, request.url.to_string()));
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
            let run = match crate::engine::wire::http::HttpClient::new(&settings, recorder) {
                Ok(http) => crate::engine::mcp::run(&http, &options).await,
                Err(err) => crate::engine::mcp::McpRun::failed(&options.url, err.message),
            };
            settle(delivered).await;
            events.send(Event::McpFinished(id, Box::new(run))).await;
        });
    }
}
