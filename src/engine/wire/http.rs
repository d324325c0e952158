//! The recording HTTP client: every byte the engine sends goes through here.
//!
//! [`HttpClient::send`] turns one request into one [`Exchange`] — the request
//! exactly as built, the response as it came back (or the transport error),
//! with timings — and hands it to the [`Recorder`], which delivers it live to
//! whoever runs the flow (the app's event channel, the CLI's `-v` printer).
//! The oauth2 crate is routed through the same path with
//! [`HttpClient::oauth2_client`], its closure-based async HTTP client hook.
//!
//! Redirects are never followed: an OAuth debugger must show the 302, not
//! silently chase it. Response bodies are read up to a size limit so a hostile
//! server cannot exhaust memory.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::engine::profile::HttpSettings;
use crate::engine::wire::compat::Rewriter;

/// Largest response body read by default (50 MB).
pub const DEFAULT_MAX_BODY_BYTES: usize =
    crate::engine::profile::DEFAULT_MAX_RESPONSE_MB as usize * 1024 * 1024;

/// The User-Agent the engine sends.
pub const USER_AGENT: &str = concat!("oauth-debugger/", env!("CARGO_PKG_VERSION"));

use crate::engine::wire::exchange::transport_error;
pub use crate::engine::wire::exchange::{
    Exchange, ExchangeKind, RecordedRequest, RecordedResponse, Recorder, TransportError,
    TransportErrorKind, header,
};

/// The one HTTP client of a flow.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    recorder: Recorder,
    max_body: usize,
    /// Record requests without sending them (to prepare a step for editing).
    dry_run: bool,
    /// Exchanges made through this client, its clones and the clients
    /// scoped from it, in order.
    log: Arc<Mutex<Vec<Exchange>>>,
    /// The logs of the clients this one was scoped from.
    outer_logs: Vec<Arc<Mutex<Vec<Exchange>>>>,
    /// The DPoP key token requests and API calls prove possession of.
    dpop: Option<Arc<crate::engine::client::dpop::DpopKey>>,
}

impl HttpClient {
    /// A client with the profile's settings, reporting to `recorder`.
    pub fn new(settings: &HttpSettings, recorder: Recorder) -> Result<Self, TransportError> {
        let setup = |message: String| TransportError {
            kind: TransportErrorKind::InvalidRequest,
            message,
        };
        let mut builder = reqwest::Client::builder();
        if let Some(path) = &settings.ca_file {
            let pem = std::fs::read(path).map_err(|err| {
                setup(format!("cannot read the CA file {}: {err}", path.display()))
            })?;
            let authorities = reqwest::Certificate::from_pem_bundle(&pem).map_err(|err| {
                setup(format!(
                    "the CA file {} is not PEM certificates: {err}",
                    path.display()
                ))
            })?;
            if authorities.is_empty() {
                return Err(setup(format!(
                    "the CA file {} holds no certificate",
                    path.display()
                )));
            }
            for authority in authorities {
                builder = builder.add_root_certificate(authority);
            }
        }
        if let Some(cert_path) = &settings.client_cert_file {
            builder = builder.identity(client_identity(
                cert_path,
                settings.client_key_file.as_deref(),
            )?);
        }
        if let Some(proxy) = &settings.proxy {
            let proxy = reqwest::Proxy::all(proxy.as_str())
                .map_err(|err| setup(format!("the proxy {proxy} cannot be used: {err}")))?;
            builder = builder.proxy(proxy);
        }
        let client = builder
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout.min(settings.timeout))
            .user_agent(USER_AGENT)
            .danger_accept_invalid_certs(settings.accept_invalid_certs)
            .build()
            .map_err(|err| TransportError {
                kind: TransportErrorKind::Other,
                message: format!("cannot set up the HTTP client: {err}"),
            })?;
        Ok(Self {
            client,
            recorder,
            max_body: settings.max_response_bytes,
            dry_run: false,
            log: Arc::default(),
            outer_logs: Vec::new(),
            dpop: None,
        })
    }

    /// The same client proving possession of `key` (RFC 9449) on token
    /// requests and API calls.
    pub fn with_dpop(mut self, key: Option<Arc<crate::engine::client::dpop::DpopKey>>) -> Self {
        self.dpop = key;
        self
    }

    /// The DPoP key, when requests carry proofs.
    pub fn dpop(&self) -> Option<&Arc<crate::engine::client::dpop::DpopKey>> {
        self.dpop.as_ref()
    }

    /// A client that records each request exactly as built and answers it
    /// with a `NotSent` error instead of sending it. Nothing reaches the
    /// recorder: no exchange happened.
    pub fn dry_run(&self) -> Self {
        Self {
            dry_run: true,
            recorder: Recorder::new(),
            log: Arc::default(),
            outer_logs: Vec::new(),
            ..self.clone()
        }
    }

    /// Changes the response size limit.
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// A clone that shares the connection pool and the recorder but keeps its
    /// own list of exchanges, so one operation can find its own. Its
    /// exchanges still appear in this client's list too.
    pub fn scoped(&self) -> Self {
        let mut outer_logs = self.outer_logs.clone();
        outer_logs.push(self.log.clone());
        Self {
            log: Arc::default(),
            outer_logs,
            ..self.clone()
        }
    }

    /// Every exchange made through this client (and its clones) so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().map(|log| log.clone()).unwrap_or_default()
    }

    /// Records a request this app received (the loopback listener's) and
    /// its answer as an exchange of `kind`, numbered and delivered like the
    /// ones it sends.
    pub async fn record_inbound(
        &self,
        kind: ExchangeKind,
        started_at: DateTime<Utc>,
        request: RecordedRequest,
        response: RecordedResponse,
    ) -> Exchange {
        let exchange = Exchange {
            id: self.recorder.next_id(),
            kind,
            started_at,
            duration: (Utc::now() - started_at).to_std().unwrap_or_default(),
            request,
            response: Some(response),
            error: None,
        };
        for log in self.outer_logs.iter().chain([&self.log]) {
            if let Ok(mut log) = log.lock() {
                log.push(exchange.clone());
            }
        }
        self.recorder.deliver(&exchange).await;
        exchange
    }

    /// GETs `url` asking for JSON, with an `Authorization` header when
    /// given, and records it.
    pub async fn get_json(
        &self,
        url: &url::Url,
        kind: ExchangeKind,
        authorization: Option<&str>,
    ) -> Result<Exchange, TransportError> {
        let mut builder = http::Request::builder()
            .method(http::Method::GET)
            .uri(url.as_str())
            .header("accept", "application/json");
        if let Some(value) = authorization {
            builder = builder.header("authorization", value);
        }
        let request = builder.body(Vec::new()).map_err(|err| TransportError {
            kind: TransportErrorKind::InvalidRequest,
            message: format!("cannot build the request to {url}: {err}"),
        })?;
        Ok(self.send(request, kind).await)
    }

    /// GETs JSON from a protected resource (userinfo) with an access token:
    /// as a Bearer token, or DPoP-bound when this client has a DPoP key
    /// ([`HttpClient::send_with_token`]).
    pub async fn get_json_with_token(
        &self,
        url: &url::Url,
        kind: ExchangeKind,
        access_token: &str,
    ) -> Result<Exchange, TransportError> {
        let request = http::Request::builder()
            .method(http::Method::GET)
            .uri(url.as_str())
            .header("accept", "application/json")
            .header("authorization", format!("Bearer {access_token}"))
            .body(Vec::new())
            .map_err(|err| TransportError {
                kind: TransportErrorKind::InvalidRequest,
                message: format!("cannot build the request to {url}: {err}"),
            })?;
        Ok(self.send_with_token(request, kind, access_token).await)
    }

    /// Sends a request to a protected resource that carries `access_token`.
    /// With a DPoP key (RFC 9449 §7.1): `Authorization: Bearer` becomes
    /// `Authorization: DPoP`, a proof with `ath` goes along, and a
    /// `use_dpop_nonce` challenge (§9) is answered once with the nonce the
    /// server sent — both attempts are recorded.
    pub async fn send_with_token(
        &self,
        request: http::Request<Vec<u8>>,
        kind: ExchangeKind,
        access_token: &str,
    ) -> Exchange {
        let Some(dpop) = self.dpop.clone() else {
            return self.send(request, kind).await;
        };
        let (mut parts, body) = request.into_parts();
        // Shared by the first attempt and the retry.
        let body = Bytes::from(body);
        if let Some(value) = parts.headers.get(http::header::AUTHORIZATION)
            && let Ok(text) = value.to_str()
            && let Some((scheme, token)) = text.split_once(' ')
            && scheme.eq_ignore_ascii_case("bearer")
            && let Ok(bound) = http::HeaderValue::from_str(&format!("DPoP {token}"))
        {
            parts.headers.insert(http::header::AUTHORIZATION, bound);
        }
        let url = url::Url::parse(&parts.uri.to_string()).ok();
        let sign = |parts: &mut http::request::Parts| {
            let Some(url) = &url else { return };
            if let Ok(proof) = dpop.proof(parts.method.as_str(), url, Some(access_token))
                && let Ok(value) = http::HeaderValue::from_str(&proof)
            {
                parts.headers.insert("dpop", value);
            }
        };
        sign(&mut parts);
        let exchange = self
            .send(http::Request::from_parts(parts.clone(), body.clone()), kind)
            .await;
        dpop.learn_from(&exchange);
        if !crate::engine::client::dpop::resource_server_wants_nonce(&exchange) {
            return exchange;
        }
        sign(&mut parts);
        let retry = self
            .send(http::Request::from_parts(parts, body), kind)
            .await;
        dpop.learn_from(&retry);
        retry
    }

    /// Sends one request and records it. Never fails: a transport error is
    /// part of the returned exchange.
    ///
    /// The body becomes [`Bytes`] once (a `Vec<u8>` without a copy); the
    /// recorded request and the one sent share it.
    pub async fn send(
        &self,
        request: http::Request<impl Into<Bytes>>,
        kind: ExchangeKind,
    ) -> Exchange {
        let started_at = Utc::now();
        let clock = Instant::now();
        let (parts, body) = request.into_parts();
        let body: Bytes = body.into();
        let url = parts.uri.to_string();
        let mut headers: Vec<(String, String)> = parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        // The headers the client adds on its own, so the log shows them too.
        if let Ok(parsed) = url::Url::parse(&url)
            && let Some(host) = parsed.host_str()
        {
            let host = match parsed.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_string(),
            };
            headers.insert(0, ("host".to_string(), host));
        }
        if header(&headers, "user-agent").is_none() {
            headers.push(("user-agent".to_string(), USER_AGENT.to_string()));
        }
        if header(&headers, "accept").is_none() {
            headers.push(("accept".to_string(), "*/*".to_string()));
        }
        if !body.is_empty() && header(&headers, "content-length").is_none() {
            headers.push(("content-length".to_string(), body.len().to_string()));
        }
        let recorded_request = RecordedRequest {
            method: parts.method.to_string(),
            url: url.clone(),
            headers,
            body: body.clone(),
        };

        let outcome = if self.dry_run {
            Err(TransportError {
                kind: TransportErrorKind::NotSent,
                message: "not sent: prepared for editing".to_string(),
            })
        } else {
            self.execute(http::Request::from_parts(parts, body)).await
        };
        let (response, error) = match outcome {
            Ok((response, error)) => (Some(response), error),
            Err(error) => (None, Some(error)),
        };
        let exchange = Exchange {
            id: self.recorder.next_id(),
            kind,
            started_at,
            duration: clock.elapsed(),
            request: recorded_request,
            response,
            error,
        };
        for log in self.outer_logs.iter().chain([&self.log]) {
            if let Ok(mut log) = log.lock() {
                log.push(exchange.clone());
            }
        }
        tracing::debug!(
            id = exchange.id,
            kind = kind.as_str(),
            method = %exchange.request.method,
            status = ?exchange.status(),
            elapsed_ms = exchange.duration.as_millis() as u64,
            "exchange"
        );
        self.recorder.deliver(&exchange).await;
        exchange
    }

    async fn execute(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<(RecordedResponse, Option<TransportError>), TransportError> {
        let request = reqwest::Request::try_from(request).map_err(|err| TransportError {
            kind: TransportErrorKind::InvalidRequest,
            message: format!("cannot build the request: {err}"),
        })?;
        let mut response = self
            .client
            .execute(request)
            .await
            .map_err(transport_error)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        // The chunks as reqwest hands them over, cut at the limit; joined
        // once at the end (a body that came in one chunk is not copied).
        let mut chunks: Vec<Bytes> = Vec::new();
        let mut len = 0;
        let mut truncated = false;
        let mut error = None;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = self.max_body.saturating_sub(len);
                    if chunk.len() > room {
                        chunks.push(chunk.slice(..room));
                        truncated = true;
                        error = Some(TransportError {
                            kind: TransportErrorKind::TooLarge,
                            message: format!(
                                "the response body is larger than the limit of {} bytes; reading stopped there",
                                self.max_body
                            ),
                        });
                        break;
                    }
                    len += chunk.len();
                    chunks.push(chunk);
                }
                Ok(None) => break,
                Err(err) => {
                    truncated = true;
                    error = Some(transport_error(err));
                    break;
                }
            }
        }
        let body = join_chunks(chunks);
        Ok((
            RecordedResponse {
                status,
                headers,
                body,
                truncated,
            },
            error,
        ))
    }

    /// The async HTTP client the oauth2 crate calls. Each request it makes is
    /// recorded as an exchange of `kind`.
    pub fn oauth2_client(
        &self,
        kind: ExchangeKind,
    ) -> impl Fn(
        oauth2::HttpRequest,
    ) -> std::pin::Pin<
        Box<dyn Future<Output = Result<oauth2::HttpResponse, TransportError>> + Send>,
    > + Send
    + Sync
    + use<> {
        self.oauth2_client_with(kind, Arc::default())
    }

    /// Like [`HttpClient::oauth2_client`], with each request passed through
    /// the profile's compatibility rewrites first (what is recorded and sent
    /// is the rewritten request).
    pub fn oauth2_client_with(
        &self,
        kind: ExchangeKind,
        rewriter: Arc<Rewriter>,
    ) -> impl Fn(
        oauth2::HttpRequest,
    ) -> std::pin::Pin<
        Box<dyn Future<Output = Result<oauth2::HttpResponse, TransportError>> + Send>,
    > + Send
    + Sync
    + use<> {
        let this = self.clone();
        move |original: oauth2::HttpRequest| {
            let this = this.clone();
            let rewriter = rewriter.clone();
            Box::pin(async move {
                let request = rewriter.rewrite(clone_request(&original))?;
                let exchange = this.send(request, kind).await;
                // DPoP: a server that wants a nonce says so once (RFC 9449
                // §8); the request is signed again with it and resent.
                if let Some(dpop) = rewriter.dpop() {
                    dpop.learn_from(&exchange);
                    if crate::engine::client::dpop::authorization_server_wants_nonce(&exchange) {
                        let request = rewriter.rewrite(original)?;
                        let exchange = this.send(request, kind).await;
                        dpop.learn_from(&exchange);
                        return exchange_to_http_response(&exchange);
                    }
                }
                exchange_to_http_response(&exchange)
            })
        }
    }
}

/// The client certificate and its key for mutual TLS (RFC 8705), read from
/// PEM files.
fn client_identity(
    cert_path: &std::path::Path,
    key_path: Option<&std::path::Path>,
) -> Result<reqwest::Identity, TransportError> {
    let setup = |message: String| TransportError {
        kind: TransportErrorKind::InvalidRequest,
        message,
    };
    let read = |path: &std::path::Path, what: &str| {
        std::fs::read(path)
            .map_err(|err| setup(format!("cannot read the {what} {}: {err}", path.display())))
    };
    let mut pem = read(cert_path, "client certificate")?;
    if let Some(key_path) = key_path {
        pem.push(b'\n');
        pem.extend(read(key_path, "client certificate's key")?);
    }
    let text = String::from_utf8_lossy(&pem);
    if !text.contains("CERTIFICATE-----") {
        return Err(setup(format!(
            "{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            cert_path.display()
        )));
    }
    if !text.contains("PRIVATE KEY-----") {
        return Err(setup(format!(
            "no private key for the client certificate: {} holds none, so set http.client_key_file",
            cert_path.display()
        )));
    }
    reqwest::Identity::from_pem(&pem).map_err(|err| {
        setup(format!(
            "the client certificate and key cannot be used for TLS (the key must be PKCS#8, PKCS#1 or SEC1 PEM and match the certificate): {err}"
        ))
    })
}

/// Bodies at least this long are kept in the buffer they arrived in; a
/// shorter one is copied into its own, so a small token response does not
/// keep the connection's whole read buffer alive in the HTTP log.
const SHARE_CHUNK_FROM: usize = 64 * 1024;

/// One body from the chunks it arrived in: a single large chunk as it is,
/// anything else copied once into a buffer of exactly its length.
fn join_chunks(chunks: Vec<Bytes>) -> Bytes {
    if let [only] = chunks.as_slice()
        && only.len() >= SHARE_CHUNK_FROM
    {
        return only.clone();
    }
    let mut body = Vec::with_capacity(chunks.iter().map(Bytes::len).sum());
    for chunk in &chunks {
        body.extend_from_slice(chunk);
    }
    Bytes::from(body)
}

/// A copy of a request (`http::Request` is not `Clone`).
fn clone_request(request: &http::Request<Vec<u8>>) -> http::Request<Vec<u8>> {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// Rebuilds an `http::Response` from a recorded exchange (for the oauth2 crate).
fn exchange_to_http_response(exchange: &Exchange) -> Result<oauth2::HttpResponse, TransportError> {
    if let Some(error) = &exchange.error {
        return Err(error.clone());
    }
    let Some(response) = &exchange.response else {
        return Err(TransportError {
            kind: TransportErrorKind::Other,
            message: "no response".to_string(),
        });
    };
    let mut builder = http::Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    // The oauth2 crate reads a `Vec<u8>`: its one copy of the body.
    builder
        .body(response.body.to_vec())
        .map_err(|err| TransportError {
            kind: TransportErrorKind::Other,
            message: format!("cannot read the response: {err}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_body_in_one_chunk_is_kept_as_it_came() {
        let chunk = Bytes::from(vec![b'x'; SHARE_CHUNK_FROM]);
        let body = join_chunks(vec![chunk.clone()]);
        assert_eq!(body.as_ptr(), chunk.as_ptr());
    }

    #[test]
    fn small_or_split_bodies_are_joined_into_their_own_buffer() {
        let small = Bytes::from_static(b"{\"access_token\":\"a\"}");
        let body = join_chunks(vec![small.clone()]);
        assert_eq!(body, small);
        assert_ne!(body.as_ptr(), small.as_ptr());

        let large = vec![b'y'; SHARE_CHUNK_FROM];
        let body = join_chunks(vec![
            Bytes::from_static(b"ab"),
            Bytes::from(large.clone()),
            Bytes::from_static(b"cd"),
        ]);
        assert_eq!(body.len(), SHARE_CHUNK_FROM + 4);
        assert_eq!(&body[..2], b"ab");
        assert_eq!(&body[2..SHARE_CHUNK_FROM + 2], &large[..]);
        assert_eq!(&body[SHARE_CHUNK_FROM + 2..], b"cd");
        assert!(join_chunks(Vec::new()).is_empty());
    }
}
