//! The built-in demo provider: a real OAuth 2.0 authorization server and
//! protected API on axum, bound to 127.0.0.1.
//!
//! It backs the app's first launch (no network needed), the integration tests
//! and the benchmarks. It is written from the RFCs as a server and shares no
//! code with the engine, so a misreading in the client cannot hide by agreeing
//! with the same misreading here. Clients, users and endpoints are listed in
//! `docs/demo-provider.md`.

// Helpers return `Result<_, Response>` so a handler can answer early with `?`
// or `match`; a response is built once per request, so its size is no cost.
#![allow(clippy::result_large_err)]

mod api;
mod assertion;
mod authorize;
mod ciba;
mod client_auth;
mod dpop;
mod faults;
mod hybrid;
mod jose;
mod jwt_bearer;
mod keys;
mod logout;
mod mcp;
mod meta;
mod mode;
mod modes;
mod mtls;
mod par;
mod rar;
mod request_object;
mod response;
pub mod rp_tests;
mod step_up;
pub mod store;
mod tls;
mod token;
mod token_exchange;
pub mod user_agent;
pub mod weak;

pub use faults::Faults;
pub use hybrid::HybridFaults;
pub use logout::LogoutFaults;
pub use mcp::McpFaults;
pub use mode::Mode;
pub use rar::RarFaults;
pub use step_up::StepUpFaults;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use keys::KeyRing;
use store::Store;

/// The port the demo provider prefers.
pub const DEFAULT_PORT: u16 = 7878;

/// Default access token lifetime.
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(3600);

/// How to run the demo provider.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// Port on 127.0.0.1; 0 takes a free one.
    pub port: u16,
    /// Access token lifetime.
    pub token_ttl: Duration,
    /// Device grant (and CIBA): the polling interval it asks for.
    pub device_interval: Duration,
    /// Device grant (and CIBA): how long a device code (an auth_req_id)
    /// lives.
    pub device_code_ttl: Duration,
    /// How long an authorization code lives (RFC 6749 §4.1.2 recommends
    /// at most 10 minutes); short in tests of the `code-lifetime` audit.
    pub code_ttl: Duration,
    /// Which provider it behaves like.
    pub mode: Mode,
    /// Serve HTTPS with a self-signed certificate made at start.
    pub tls: bool,
    /// Server behaviours seen at third-party providers, off by default.
    pub faults: Faults,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            port: DEFAULT_PORT,
            token_ttl: DEFAULT_TOKEN_TTL,
            device_interval: Duration::from_secs(5),
            device_code_ttl: Duration::from_secs(600),
            code_ttl: Duration::from_secs(60),
            mode: Mode::Standard,
            tls: false,
            faults: Faults::default(),
        }
    }
}

impl DemoConfig {
    /// The default configuration in `mode`, with that mode's token lifetime.
    pub fn for_mode(mode: Mode) -> Self {
        Self {
            mode,
            token_ttl: mode.default_token_ttl(),
            ..Self::default()
        }
    }
}

/// Why the demo provider did not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The port could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// Why.
        source: std::io::Error,
    },
    /// The signing key could not be made.
    #[error("cannot make the signing key: {0}")]
    Key(String),
    /// The TLS certificate or configuration could not be made.
    #[error("cannot set up TLS: {0}")]
    Tls(String),
}

/// Shared state of one running demo provider.
pub(crate) struct Demo {
    issuer: String,
    mode: Mode,
    /// Lifetime of the mode's own clients' access tokens.
    token_ttl: Duration,
    /// Lifetime of the standard "Demo" clients' tokens: `token_ttl` in the
    /// standard mode, the standard default beside another mode's clients
    /// (PingFederate's 7-second tokens are for PingFederate's clients only).
    standard_token_ttl: Duration,
    /// Behaviours switched on for tests and QA.
    faults: Faults,
    /// Serving HTTPS: client certificates can be asked for.
    tls: bool,
    device_interval: Duration,
    device_code_ttl: Duration,
    code_ttl: Duration,
    keys: Mutex<KeyRing>,
    store: Mutex<Store>,
}

impl Demo {
    fn store(&self) -> MutexGuard<'_, Store> {
        // A handler that panicked mid-update cannot leave the maps in a state
        // worse than "some token is missing", so poisoning is ignored.
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn keys(&self) -> MutexGuard<'_, KeyRing> {
        // Rotation swaps whole keys, so a poisoned lock still holds a usable
        // ring.
        self.keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Signs `claims` with the current key for `alg` (RS256 unless ES256).
    fn sign(
        &self,
        claims: &Value,
        typ: &str,
        alg: jsonwebtoken::Algorithm,
    ) -> Result<String, String> {
        let key = self.keys().current(alg);
        key.sign(claims, typ)
    }

    /// The claims of a token signed by one of the published keys.
    fn verify(&self, token: &str) -> Option<Value> {
        self.keys().verify(token)
    }
}

/// A running demo provider. Dropping it stops the server.
pub struct DemoServer {
    addr: SocketAddr,
    mode: Mode,
    tls: bool,
    certificate_pem: Option<String>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl DemoServer {
    /// Binds 127.0.0.1 on the configured port and starts serving on the
    /// current tokio runtime.
    pub async fn start(config: DemoConfig) -> Result<Self, DemoError> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))
            .await
            .map_err(|source| DemoError::Bind {
                port: config.port,
                source,
            })?;
        Self::serve(listener, config).await
    }

    /// Like [`DemoServer::start`], but takes a free port when the configured
    /// one is taken (the app does this so a second window still works).
    pub async fn start_or_any_port(config: DemoConfig) -> Result<Self, DemoError> {
        match TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await {
            Ok(listener) => Self::serve(listener, config).await,
            Err(_) => Self::start(DemoConfig { port: 0, ..config }).await,
        }
    }

    async fn serve(listener: TcpListener, config: DemoConfig) -> Result<Self, DemoError> {
        let addr = listener.local_addr().map_err(|source| DemoError::Bind {
            port: config.port,
            source,
        })?;
        let keys = tokio::task::spawn_blocking(KeyRing::initial)
            .await
            .map_err(|e| DemoError::Key(e.to_string()))?
            .map_err(DemoError::Key)?;
        let scheme = if config.tls { "https" } else { "http" };
        let demo = Arc::new(Demo {
            issuer: format!("{scheme}://{addr}"),
            mode: config.mode,
            token_ttl: config.token_ttl,
            standard_token_ttl: if config.mode == Mode::Standard {
                config.token_ttl
            } else {
                DEFAULT_TOKEN_TTL
            },
            faults: config.faults.clone(),
            tls: config.tls,
            device_interval: config.device_interval,
            device_code_ttl: config.device_code_ttl,
            code_ttl: config.code_ttl,
            keys: Mutex::new(keys),
            store: Mutex::default(),
        });
        tracing::debug!("demo provider: {} mode at {}", demo.mode, demo.issuer);
        let (tx, rx) = oneshot::channel::<()>();
        let app = router(demo);
        let mut certificate_pem = None;
        let task = if config.tls {
            let (tls, pem) = tls::self_signed_config().map_err(DemoError::Tls)?;
            certificate_pem = Some(pem);
            let listener =
                tls::TlsListener::new(listener, tls).map_err(|source| DemoError::Bind {
                    port: config.port,
                    source,
                })?;
            // Each request learns its connection's client certificate.
            let app = app.into_make_service_with_connect_info::<tls::TlsPeer>();
            tokio::spawn(async move {
                stopped(
                    axum::serve(listener, app)
                        .with_graceful_shutdown(shutdown_on(rx))
                        .await,
                );
            })
        } else {
            tokio::spawn(async move {
                stopped(
                    axum::serve(listener, app)
                        .with_graceful_shutdown(shutdown_on(rx))
                        .await,
                );
            })
        };
        Ok(Self {
            addr,
            mode: config.mode,
            tls: config.tls,
            certificate_pem,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// With TLS, its self-signed certificate as PEM — what a client trusts
    /// through a profile's `ca_file` instead of accepting any certificate.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate_pem.as_deref()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, which is also its issuer: `http://127.0.0.1:PORT`, or
    /// `https://127.0.0.1:PORT` when serving TLS.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The provider it behaves like.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Stops serving and waits until the listener is closed.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Resolves when `shutdown` fires (or is dropped).
async fn shutdown_on(shutdown: oneshot::Receiver<()>) {
    let _ = shutdown.await;
}

/// Logs why serving ended, if it failed.
fn stopped(served: std::io::Result<()>) {
    if let Err(err) = served {
        tracing::error!("demo provider stopped: {err}");
    }
}

fn router(demo: Arc<Demo>) -> Router {
    // RFC 8705 §5: the endpoints that take client certificates, aliased.
    let mtls_aliases = if demo.tls {
        Router::new()
            .route("/mtls/token", post(token::token))
            .route("/mtls/par", post(par::par))
            .route("/mtls/introspect", post(meta::introspect))
            .route("/mtls/revoke", post(meta::revoke))
            .route("/mtls/userinfo", get(api::userinfo).post(api::userinfo))
    } else {
        Router::new()
    };
    // MCP: `mcp-as-openid-only` leaves out the RFC 8414 document.
    let rfc8414 = if demo.faults.mcp.as_openid_only {
        Router::new()
    } else {
        Router::new().route(
            "/.well-known/oauth-authorization-server",
            get(meta::discovery),
        )
    };
    Router::new()
        .route("/", get(meta::index))
        .route("/.well-known/openid-configuration", get(meta::discovery))
        .merge(rfc8414)
        .route("/jwks", get(meta::jwks))
        .route("/admin/rotate-keys", post(meta::rotate_keys))
        .route("/admin/clients/{client_id}/jwks", post(meta::register_jwks))
        // OpenID logout (src/demo/logout.rs).
        .route(
            "/end_session",
            get(logout::end_session).post(logout::end_session),
        )
        .route(
            "/admin/clients/{client_id}/backchannel_logout_uri",
            post(logout::register_backchannel),
        )
        .route(
            "/authorize",
            get(authorize::authorize)
                .layer(axum::middleware::from_fn(mcp::resolve_client_document)),
        )
        .route("/par", post(par::par))
        .route("/bc-authorize", post(ciba::authorize))
        .route("/authorize/login", post(authorize::login))
        .route("/authorize/consent", post(authorize::consent))
        .route(
            "/device_authorization",
            post(authorize::device_authorization),
        )
        .route("/device", get(authorize::device_page))
        .route("/userinfo", get(api::userinfo).post(api::userinfo))
        .route(
            "/token",
            if demo.faults.weak.token_get {
                post(token::token).get(token::token_by_get)
            } else {
                post(token::token)
            },
        )
        .route("/introspect", post(meta::introspect))
        .route("/revoke", post(meta::revoke))
        .route("/api/me", get(api::me).post(api::me))
        .route("/api/items", get(api::items).post(api::create_item))
        .route("/api/large", get(api::large))
        .route("/api/payments", get(api::payments).post(api::payments))
        .merge(modes::routes(demo.mode))
        .merge(faults::routes(&demo.faults))
        .merge(mcp::routes(&demo.faults.mcp))
        .merge(mtls_aliases)
        .with_state(demo)
}

/// A JSON response that must not be cached (RFC 6749 §5.1).
fn no_store_json(status: StatusCode, body: Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// An OAuth error response (RFC 6749 §5.2).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    no_store_json(
        status,
        json!({ "error": error, "error_description": description }),
    )
}

/// Current Unix time in seconds.
fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
