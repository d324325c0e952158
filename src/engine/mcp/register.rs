//! Client registration for an MCP server's authorization server, in the
//! order the MCP specification gives (2025-11-25 "Client Registration
//! Approaches"; 2026-07-28 keeps the order and deprecates Dynamic Client
//! Registration): a pre-registered client, else a Client ID Metadata
//! Document when the server says `client_id_metadata_document_supported`,
//! else Dynamic Client Registration (RFC 7591) when it has a
//! `registration_endpoint`, else the user is asked for a client.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use url::Url;

use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::profile::ClientAuthMethod;
use crate::engine::store::secret::Secret;
use crate::engine::wire::http::{Exchange, ExchangeKind, HttpClient};

/// How the client got its identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Registration {
    /// A client id (and secret) the user already has, from a profile.
    PreRegistered,
    /// An HTTPS URL as client id, pointing at a Client ID Metadata Document
    /// (draft-ietf-oauth-client-id-metadata-document).
    Cimd,
    /// Dynamic Client Registration (RFC 7591).
    Dcr,
}

impl Registration {
    /// Name for people and for `--register`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreRegistered => "pre-registered",
            Self::Cimd => "cimd",
            Self::Dcr => "dcr",
        }
    }

    /// Reads `pre-registered`, `cimd` or `dcr`.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::PreRegistered, Self::Cimd, Self::Dcr]
            .into_iter()
            .find(|r| r.as_str() == name)
    }
}

/// The mode to use: the one asked for, else the specification's order.
pub fn choose(
    pre_registered: bool,
    metadata: &Value,
    asked: Option<Registration>,
) -> Result<Registration, String> {
    let cimd = metadata["client_id_metadata_document_supported"].as_bool() == Some(true);
    let dcr = metadata["registration_endpoint"].as_str().is_some();
    match asked {
        Some(Registration::PreRegistered) if !pre_registered => Err(
            "a pre-registered client was asked for, but the profile names no client_id"
                .to_string(),
        ),
        Some(Registration::Cimd) if !cimd => Err(
            "a Client ID Metadata Document was asked for, but the authorization server does not say client_id_metadata_document_supported: true".to_string(),
        ),
        Some(Registration::Dcr) if !dcr => Err(
            "Dynamic Client Registration was asked for, but the authorization server metadata has no registration_endpoint (RFC 8414 §2)".to_string(),
        ),
        Some(mode) => Ok(mode),
        None if pre_registered => Ok(Registration::PreRegistered),
        None if cimd => Ok(Registration::Cimd),
        None if dcr => Ok(Registration::Dcr),
        None => Err(
            "the authorization server supports neither Client ID Metadata Documents nor Dynamic Client Registration, so a client must be registered with it by hand: pass --profile FILE with its client_id (MCP 2025-11-25 Client Registration Approaches)".to_string(),
        ),
    }
}

/// The client the chain goes on with.
#[derive(Debug, Clone)]
pub struct Client {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`, when one was issued.
    pub client_secret: Option<Secret>,
    /// How it authenticates at the token endpoint.
    pub auth_method: ClientAuthMethod,
}

/// A Client ID Metadata Document served on loopback for the length of a
/// run. A real one lives at an HTTPS URL with a path; this one is for
/// testing against servers that allow `http` loopback client ids.
pub struct CimdServer {
    /// The document's URL, which is the client id.
    pub url: Url,
    /// The document served.
    pub document: Value,
    fetches: Arc<AtomicUsize>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl CimdServer {
    /// How many times the document was fetched so far.
    pub fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

impl Drop for CimdServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The path the document is served at.
const CIMD_PATH: &str = "/oauth-client.json";

/// Serves a Client ID Metadata Document on 127.0.0.1 (a free port):
/// `client_id` is its own URL, with `redirect_uris`, a public client
/// (`token_endpoint_auth_method: none`).
pub async fn serve_cimd(redirect_uris: &[String]) -> Result<CimdServer, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|err| {
            format!("cannot listen on 127.0.0.1 for the client metadata document: {err}")
        })?;
    let addr = listener
        .local_addr()
        .map_err(|err| format!("cannot read the listening address: {err}"))?;
    let url = Url::parse(&format!("http://{addr}{CIMD_PATH}"))
        .map_err(|err| format!("cannot make the document URL: {err}"))?;
    let document = json!({
        "client_id": url.as_str(),
        "client_name": "oauth-debugger",
        "client_uri": "https://github.com/oauth-debugger",
        "redirect_uris": redirect_uris,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    let fetches = Arc::new(AtomicUsize::new(0));
    let served = document.clone();
    let counter = fetches.clone();
    let app = axum::Router::new().route(
        CIMD_PATH,
        axum::routing::get(move || {
            let served = served.clone();
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                axum::Json(served)
            }
        }),
    );
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    Ok(CimdServer {
        url,
        document,
        fetches,
        shutdown: Some(tx),
    })
}

/// The finding every loopback document carries.
pub fn cimd_loopback_finding(url: &Url) -> Finding {
    Finding::new(
        Severity::Info,
        "cimd_loopback",
        format!(
            "the client id {url} is a Client ID Metadata Document this debugger serves on loopback over http, for testing; a real one MUST be at an https URL with a path, reachable by the authorization server"
        ),
        Some(
            "MCP 2025-11-25 Client ID Metadata Documents; draft-ietf-oauth-client-id-metadata-document §3",
        ),
    )
}

/// What Dynamic Client Registration produced.
pub struct DcrOutcome {
    /// The exchange: the request and the response, as sent (none when the
    /// request could not even be built).
    pub exchange: Option<Exchange>,
    /// The client, when the server issued one.
    pub client: Option<Client>,
    /// What was odd or wrong.
    pub findings: Vec<Finding>,
    /// Why it failed, when it did.
    pub error: Option<String>,
}

/// Registers a public client (RFC 7591 §3.1): the metadata is a JSON
/// object POSTed to the registration endpoint; the answer is `201` with
/// the client information (§3.2.1) or `400` with an error (§3.2.2).
pub async fn dynamic(
    http: &HttpClient,
    endpoint: &Url,
    redirect_uris: &[String],
    scope: Option<&str>,
) -> DcrOutcome {
    let mut metadata = json!({
        "client_name": "oauth-debugger",
        "redirect_uris": redirect_uris,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    if let Some(scope) = scope {
        metadata["scope"] = json!(scope);
    }
    let request = http::Request::builder()
        .method(http::Method::POST)
        .uri(endpoint.as_str())
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(serde_json::to_vec(&metadata).unwrap_or_default());
    let request = match request {
        Ok(request) => request,
        Err(err) => {
            return DcrOutcome {
                exchange: None,
                client: None,
                findings: Vec::new(),
                error: Some(format!("cannot build the registration request: {err}")),
            };
        }
    };
    let exchange = http.send(request, ExchangeKind::Registration).await;
    let mut findings = Vec::new();
    let Some(response) = &exchange.response else {
        let error = exchange
            .error
            .as_ref()
            .map(|e| e.message.clone())
            .unwrap_or_default();
        return DcrOutcome {
            exchange: Some(exchange),
            client: None,
            findings,
            error: Some(format!("the registration endpoint did not answer: {error}")),
        };
    };
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    if !(200..300).contains(&response.status) {
        let error = body
            .as_ref()
            .and_then(|b| {
                let code = b["error"].as_str()?;
                Some(match b["error_description"].as_str() {
                    Some(text) => format!("{code}: {text}"),
                    None => code.to_string(),
                })
            })
            .unwrap_or_else(|| crate::engine::diagnose::findings::excerpt(&response.body, 200));
        let status = response.status;
        return DcrOutcome {
            exchange: Some(exchange),
            client: None,
            findings,
            error: Some(format!(
                "the registration was refused with HTTP {status} ({error}; RFC 7591 §3.2.2)"
            )),
        };
    }
    if response.status != 201 {
        findings.push(Finding::new(
            Severity::Warning,
            "dcr_status_not_201",
            format!(
                "a successful registration answered HTTP {}, not 201 Created",
                response.status
            ),
            Some("RFC 7591 §3.2.1"),
        ));
    }
    let Some(client_id) = body
        .as_ref()
        .and_then(|b| b["client_id"].as_str())
        .filter(|id| !id.is_empty())
        .map(str::to_string)
    else {
        return DcrOutcome {
            exchange: Some(exchange),
            client: None,
            findings,
            error: Some(
                "the registration response has no client_id, which RFC 7591 §3.2.1 requires"
                    .to_string(),
            ),
        };
    };
    let body = body.unwrap_or_default();
    let client_secret = body["client_secret"].as_str().map(Secret::new);
    let auth_method = match body["token_endpoint_auth_method"].as_str() {
        Some("client_secret_basic") => ClientAuthMethod::ClientSecretBasic,
        Some("client_secret_post") => ClientAuthMethod::ClientSecretPost,
        _ if client_secret.is_some() => ClientAuthMethod::ClientSecretBasic,
        _ => ClientAuthMethod::None,
    };
    if let Some(echoed) = body["redirect_uris"].as_array() {
        let echoed: Vec<&str> = echoed.iter().filter_map(Value::as_str).collect();
        if redirect_uris
            .iter()
            .any(|uri| !echoed.contains(&uri.as_str()))
        {
            findings.push(Finding::new(
                Severity::Warning,
                "dcr_redirect_uris_changed",
                format!(
                    "the server registered the redirect URIs {echoed:?}, not the ones asked for {redirect_uris:?}"
                ),
                Some("RFC 7591 §3.2.1"),
            ));
        }
    }
    DcrOutcome {
        exchange: Some(exchange),
        client: Some(Client {
            client_id,
            client_secret,
            auth_method,
        }),
        findings,
        error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_is_pre_registered_then_cimd_then_dcr() {
        let both = json!({
            "client_id_metadata_document_supported": true,
            "registration_endpoint": "https://as.example.com/register",
        });
        assert_eq!(choose(true, &both, None), Ok(Registration::PreRegistered));
        assert_eq!(choose(false, &both, None), Ok(Registration::Cimd));
        let dcr_only = json!({ "registration_endpoint": "https://as.example.com/register" });
        assert_eq!(choose(false, &dcr_only, None), Ok(Registration::Dcr));
        assert!(choose(false, &json!({}), None).is_err_and(|m| m.contains("--profile")));
    }

    #[test]
    fn a_mode_asked_for_must_be_offered() {
        let dcr_only = json!({ "registration_endpoint": "https://as.example.com/register" });
        assert!(choose(false, &dcr_only, Some(Registration::Cimd)).is_err());
        assert!(choose(false, &dcr_only, Some(Registration::PreRegistered)).is_err());
        assert_eq!(
            choose(true, &dcr_only, Some(Registration::Dcr)),
            Ok(Registration::Dcr)
        );
    }
}
