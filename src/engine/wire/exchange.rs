//! One HTTP exchange as recorded: the request exactly as built, the
//! response as it came back (or the transport error), with timings — and the
//! [`Recorder`] that delivers each one live to whoever runs the flow.
//!
//! Request and response bodies are shared [`Bytes`]: an exchange is cloned
//! into the flow's result, the live channel, the HTTP log, the API answer
//! and exports, and each clone shares its bodies by reference count (a
//! 20 MB response is held once, not once per clone). They serialise as text
//! (lossy UTF-8), as before.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

/// What an exchange was for; the HTTP log filters on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeKind {
    /// The browser's authorization request.
    Authorize,
    /// A token endpoint request.
    Token,
    /// Device authorization.
    Device,
    /// A call to the protected API.
    Api,
    /// Discovery or JWKS.
    Discovery,
    /// Revocation.
    Revocation,
    /// Introspection.
    Introspection,
    /// Userinfo.
    Userinfo,
    /// A request the loopback redirect listener received (inbound: the
    /// browser, or whoever else, called this app).
    Callback,
    /// A pushed authorization request (RFC 9126).
    Par,
    /// Dynamic Client Registration (RFC 7591).
    Registration,
    /// A CIBA backchannel authentication request (OpenID CIBA Core §7).
    Backchannel,
    /// A CIBA ping this app's notification endpoint received (inbound:
    /// the authorization server called this app, CIBA Core §10.2).
    Notification,
}

impl ExchangeKind {
    /// Lower-case name, as shown in the HTTP log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authorize => "authorize",
            Self::Token => "token",
            Self::Device => "device",
            Self::Api => "api",
            Self::Discovery => "discovery",
            Self::Revocation => "revocation",
            Self::Introspection => "introspection",
            Self::Userinfo => "userinfo",
            Self::Callback => "callback",
            Self::Par => "par",
            Self::Registration => "registration",
            Self::Backchannel => "backchannel",
            Self::Notification => "notification",
        }
    }
}

/// A request as it was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// Method.
    pub method: String,
    /// Full URL, query included.
    pub url: String,
    /// Headers in the order sent, including those the client adds itself
    /// (User-Agent, Accept, Host, Content-Length).
    pub headers: Vec<(String, String)>,
    /// Body bytes, shared: a clone of the request shares them.
    #[serde(with = "body_text")]
    pub body: Bytes,
}

/// A response as it came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// Status code.
    pub status: u16,
    /// Headers in the order received.
    pub headers: Vec<(String, String)>,
    /// Body bytes (at most the size limit), shared: a clone of the
    /// response (or of its exchange) shares them.
    #[serde(with = "body_text")]
    pub body: Bytes,
    /// True when the body was cut at the size limit.
    pub truncated: bool,
}

impl RecordedResponse {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

/// Why no (complete) response arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportErrorKind {
    /// Could not connect (refused, unreachable, DNS).
    Connect,
    /// The server did not answer in time.
    Timeout,
    /// TLS handshake or certificate problem.
    Tls,
    /// The body was larger than the limit.
    TooLarge,
    /// The request could not be built (bad URL or header).
    InvalidRequest,
    /// Not sent: the client was preparing the request for editing.
    NotSent,
    /// Anything else on the wire.
    Other,
}

/// A failure below HTTP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct TransportError {
    /// Category.
    pub kind: TransportErrorKind,
    /// What happened, for people.
    pub message: String,
}

/// One HTTP request and its response as they crossed the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// Unique within a [`Recorder`], counting from 1.
    pub id: u64,
    /// What it was for.
    pub kind: ExchangeKind,
    /// When the request was sent.
    pub started_at: DateTime<Utc>,
    /// From sending to the end of the response body (or the error).
    #[serde(with = "duration_ms")]
    pub duration: Duration,
    /// The request.
    pub request: RecordedRequest,
    /// The response, when one arrived (possibly truncated, see `error`).
    pub response: Option<RecordedResponse>,
    /// What went wrong on the wire, if anything.
    pub error: Option<TransportError>,
}

impl Exchange {
    /// The response status, if a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.response.as_ref().map(|r| r.status)
    }

    /// The exchange as text, curl `-v` style (pass it through
    /// [`crate::engine::wire::redact::exchange`] first where secrets must not show).
    pub fn describe(&self) -> String {
        let exchange = self;
        let mut out = format!(
            "* exchange #{} ({}) at {}\n> {} {}\n",
            exchange.id,
            exchange.kind.as_str(),
            exchange.started_at.to_rfc3339(),
            exchange.request.method,
            exchange.request.url
        );
        for (name, value) in &exchange.request.headers {
            out.push_str(&format!("> {name}: {value}\n"));
        }
        if !exchange.request.body.is_empty() {
            out.push_str(">\n");
            out.push_str(&format!(
                "> {}\n",
                String::from_utf8_lossy(&exchange.request.body)
            ));
        }
        if let Some(response) = &exchange.response {
            out.push_str(&format!(
                "< HTTP {} ({} ms)\n",
                response.status,
                exchange.duration.as_millis()
            ));
            for (name, value) in &response.headers {
                out.push_str(&format!("< {name}: {value}\n"));
            }
            if !response.body.is_empty() {
                out.push_str("<\n");
                for line in String::from_utf8_lossy(&response.body).lines() {
                    out.push_str(&format!("< {line}\n"));
                }
            }
        }
        if let Some(error) = &exchange.error {
            out.push_str(&format!("! {error}\n"));
        }
        out
    }

    /// The response body as text (lossy), empty without a response;
    /// borrowed from the body when it is valid UTF-8.
    pub fn response_text(&self) -> Cow<'_, str> {
        self.response
            .as_ref()
            .map(|r| String::from_utf8_lossy(&r.body))
            .unwrap_or_default()
    }

    /// The response body, shared (not copied); empty without a response.
    pub fn response_body(&self) -> Bytes {
        self.response
            .as_ref()
            .map(|r| r.body.clone())
            .unwrap_or_default()
    }
}

/// The first header called `name` (case-insensitive) in a header list.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Numbers exchanges and delivers them live. Cheap to clone; clones share the
/// numbering and the destination.
#[derive(Clone, Default)]
pub struct Recorder {
    next_id: Arc<AtomicU64>,
    live: Option<mpsc::Sender<Exchange>>,
}

impl Recorder {
    /// A recorder that only numbers exchanges (each result still carries its
    /// exchanges).
    pub fn new() -> Self {
        Self::default()
    }

    /// A recorder that also sends each exchange to `live` as it completes.
    /// The channel is bounded; a slow reader slows the flow rather than losing
    /// exchanges.
    pub fn with_live(live: mpsc::Sender<Exchange>) -> Self {
        Self {
            next_id: Arc::default(),
            live: Some(live),
        }
    }

    /// A recorder that shares this one's numbering but delivers to `live`:
    /// a caller that wants to know which operation made an exchange gives
    /// each operation its own destination.
    pub fn delivering_to(&self, live: mpsc::Sender<Exchange>) -> Self {
        Self {
            next_id: self.next_id.clone(),
            live: Some(live),
        }
    }

    pub(super) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub(super) async fn deliver(&self, exchange: &Exchange) {
        if let Some(live) = &self.live {
            // A closed receiver means nobody is watching any more; the flow
            // itself still has the exchange.
            let _ = live.send(exchange.clone()).await;
        }
    }
}

pub(super) fn transport_error(err: reqwest::Error) -> TransportError {
    let kind = if err.is_timeout() {
        TransportErrorKind::Timeout
    } else if is_tls(&err) || client_certificate_refusal(&err).is_some() {
        TransportErrorKind::Tls
    } else if err.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Other
    };
    let mut message = match kind {
        TransportErrorKind::Timeout => "the server did not answer in time".to_string(),
        TransportErrorKind::Connect => "could not connect".to_string(),
        TransportErrorKind::Tls => match client_certificate_refusal(&err) {
            Some(reason) => reason.to_string(),
            None => "TLS failed".to_string(),
        },
        _ => "the HTTP exchange failed".to_string(),
    };
    // The chain of causes carries the useful part ("Connection refused").
    let mut source: Option<&dyn std::error::Error> = Some(&err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    TransportError { kind, message }
}

/// A TLS alert about the client certificate (mutual TLS, RFC 8705), in
/// the user's words.
fn client_certificate_refusal(err: &reqwest::Error) -> Option<&'static str> {
    let mut source: Option<&dyn std::error::Error> = Some(err);
    while let Some(cause) = source {
        let text = cause
            .to_string()
            .to_ascii_lowercase()
            .replace([' ', '_'], "");
        if !text.contains("alert") {
            // Only an alert the server sent is about our certificate.
            source = cause.source();
            continue;
        }
        if text.contains("certificaterequired")
            || text.contains("handshakefailure") && text.contains("alert")
        {
            return Some(
                "TLS failed: the server wants a client certificate (mutual TLS) and none was accepted; set http.client_cert_file (and http.client_key_file) in the profile",
            );
        }
        if text.contains("badcertificate")
            || text.contains("unknownca")
            || text.contains("unsupportedcertificate")
            || text.contains("certificateunknown")
            || text.contains("certificaterevoked")
            || text.contains("certificateexpired")
        {
            return Some(
                "TLS failed: the server refused the client certificate (mutual TLS): it does not trust its issuer, or the certificate is expired, revoked or not one it accepts",
            );
        }
        source = cause.source();
    }
    None
}

fn is_tls(err: &reqwest::Error) -> bool {
    let mut source: Option<&dyn std::error::Error> = Some(err);
    while let Some(cause) = source {
        let text = cause.to_string().to_ascii_lowercase();
        if text.contains("certificate") || text.contains("tls") || text.contains("handshake") {
            return true;
        }
        source = cause.source();
    }
    false
}

/// Serialises bodies as text (lossy UTF-8) so JSON output stays readable.
mod body_text {
    use bytes::Bytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(body: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(body))
    }

    /// The text's own buffer becomes the body: no copy.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        Ok(Bytes::from(String::deserialize(d)?))
    }
}

/// Serialises durations as milliseconds.
mod duration_ms {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64() * 1000.0)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let ms = f64::deserialize(d)?;
        Ok(Duration::try_from_secs_f64(ms / 1000.0).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(request_body: &'static [u8], response_body: Vec<u8>) -> Exchange {
        Exchange {
            id: 1,
            kind: ExchangeKind::Api,
            started_at: DateTime::from_timestamp(1_700_000_000, 0).expect("time"),
            duration: Duration::from_millis(5),
            request: RecordedRequest {
                method: "POST".to_string(),
                url: "http://127.0.0.1:1/api".to_string(),
                headers: vec![("content-type".to_string(), "text/plain".to_string())],
                body: Bytes::from_static(request_body),
            },
            response: Some(RecordedResponse {
                status: 200,
                headers: Vec::new(),
                body: Bytes::from(response_body),
                truncated: false,
            }),
            error: None,
        }
    }

    fn response_body(exchange: &Exchange) -> &Bytes {
        &exchange.response.as_ref().expect("response").body
    }

    #[test]
    fn a_clone_shares_its_bodies_instead_of_copying_them() {
        let original = exchange(b"a=1", vec![b'x'; 1024 * 1024]);
        let copy = original.clone();
        assert_eq!(
            response_body(&copy).as_ptr(),
            response_body(&original).as_ptr(),
            "the response body was copied"
        );
        assert_eq!(
            copy.request.body.as_ptr(),
            original.request.body.as_ptr(),
            "the request body was copied"
        );
        // And through the channel a Recorder delivers on.
        let (sender, mut receiver) = mpsc::channel(1);
        let recorder = Recorder::with_live(sender);
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(recorder.deliver(&original));
        let delivered = receiver.try_recv().expect("delivered");
        assert_eq!(
            response_body(&delivered).as_ptr(),
            response_body(&original).as_ptr()
        );
    }

    #[test]
    fn bodies_serialise_as_lossy_text_and_read_back() {
        let original = exchange(b"a=1&b=%C3%A9", b"{\"ok\":true} \xff".to_vec());
        let json = serde_json::to_string(&original).expect("json");
        assert!(json.contains(r#""body":"a=1&b=%C3%A9""#), "{json}");
        // Invalid UTF-8 shows as U+FFFD, written as itself.
        assert!(
            json.contains("\"body\":\"{\\\"ok\\\":true} \u{fffd}\""),
            "{json}"
        );
        let back: Exchange = serde_json::from_str(&json).expect("back");
        assert_eq!(back.request, original.request);
        assert_eq!(
            response_body(&back).as_ref(),
            "{\"ok\":true} \u{fffd}".as_bytes()
        );
        assert_eq!(original.response_text(), "{\"ok\":true} \u{fffd}");
    }
}
