//! The worker's demo provider commands: starting it (or restarting it in
//! another mode on its port) and registering a client's public JWKS with
//! it.

use super::{Operation, Worker, settle};
use crate::app::bridge::Event;
use crate::app::session::{Origin, ProfileId};
use crate::demo::{DemoConfig, DemoServer, Mode};
use crate::engine::wire::http::{HttpClient, Recorder};

impl Worker {
    /// Starts the demo provider in `mode`, or restarts it in another one on its
    /// port.
    pub(super) async fn start_demo(&mut self, mode: Mode) {
        let Self { events, demo, .. } = self;
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
                *demo = Some(server);
                return;
            }
            // Same port, so the profiles pointing at it stay right.
            config.port = server.addr().port();
            server.stop().await;
        }
        match DemoServer::start_or_any_port(config).await {
            Ok(server) => {
                events.send(Event::DemoStarted(server.url(), mode)).await;
                *demo = Some(server);
            }
            Err(err) => events.send(Event::DemoFailed(err.to_string())).await,
        }
    }

    /// Registers a client's public JWKS with the demo provider.
    pub(super) fn register_jwks(&self, id: ProfileId, url: url::Url, jwks: String) {
        let Operation {
            events,
            recorder,
            delivered,
            ..
        } = self.operation(Origin::Discovery(id));
        tokio::spawn(async move {
            let result = post_jwks(recorder, &url, jwks).await;
            settle(delivered).await;
            events.send(Event::JwksRegistered(id, result)).await;
        });
    }
}

/// POSTs a JWKS to the demo provider's admin endpoint; what it answered.
async fn post_jwks(recorder: Recorder, url: &url::Url, jwks: String) -> Result<String, String> {
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
