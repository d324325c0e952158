//! MCP calls over the streamable HTTP transport (MCP 2025-11-25
//! "Transports"): a JSON-RPC request POSTed with
//! `Accept: application/json, text/event-stream`; the answer is one JSON
//! object, or a `text/event-stream` whose events carry JSON-RPC messages.

use serde_json::{Value, json};
use url::Url;

use crate::engine::store::secret::Secret;
use crate::engine::wire::http::{
    Exchange, ExchangeKind, HttpClient, TransportError, TransportErrorKind,
};

/// The protocol revision this client asks for in `initialize`.
pub const PROTOCOL_VERSION: &str = "2025-11-25";

/// A JSON-RPC request with `id`.
pub fn request(id: u64, method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

/// The `initialize` request (MCP "Lifecycle").
pub fn initialize(id: u64) -> Value {
    request(
        id,
        "initialize",
        json!({
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": { "name": "oauth-debugger", "version": env!("CARGO_PKG_VERSION") },
        }),
    )
}

/// What the session carries from one call to the next.
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// `Mcp-Session-Id` the server assigned, echoed on later calls.
    pub id: Option<String>,
    /// The protocol version agreed in `initialize`, sent as
    /// `MCP-Protocol-Version` on later calls.
    pub protocol_version: Option<String>,
}

/// POSTs `message` to the MCP server at `url`, with the access token in the
/// Authorization header when given (never in the query string: MCP
/// "Access Token Usage").
pub async fn post(
    http: &HttpClient,
    url: &Url,
    message: &Value,
    token: Option<&Secret>,
    session: &Session,
) -> Result<Exchange, TransportError> {
    let mut builder = http::Request::builder()
        .method(http::Method::POST)
        .uri(url.as_str())
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {}", token.expose()));
    }
    if let Some(id) = &session.id {
        builder = builder.header("mcp-session-id", id);
    }
    if let Some(version) = &session.protocol_version {
        builder = builder.header("mcp-protocol-version", version);
    }
    let body = serde_json::to_vec(message).unwrap_or_default();
    let request = builder.body(body).map_err(|err| TransportError {
        kind: TransportErrorKind::InvalidRequest,
        message: format!("cannot build the MCP request to {url}: {err}"),
    })?;
    Ok(match token {
        Some(token) => {
            http.send_with_token(request, ExchangeKind::Api, token.expose())
                .await
        }
        None => http.send(request, ExchangeKind::Api).await,
    })
}

/// How the answer came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `application/json`.
    Json,
    /// `text/event-stream` (server-sent events).
    Sse,
}

impl Framing {
    /// Name for people.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "JSON",
            Self::Sse => "SSE (text/event-stream)",
        }
    }
}

/// The JSON-RPC response to request `id` in a 2xx answer: the message
/// (`result` or `error` inside) and how it was framed.
pub fn reply(exchange: &Exchange, id: u64) -> Result<(Value, Framing), String> {
    let Some(response) = &exchange.response else {
        return Err(exchange
            .error
            .as_ref()
            .map(|e| e.message.clone())
            .unwrap_or_else(|| "no response".to_string()));
    };
    let content_type = response
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let text = String::from_utf8_lossy(&response.body);
    let matches = |message: &Value| {
        message["id"].as_u64() == Some(id)
            && (message.get("result").is_some() || message.get("error").is_some())
    };
    match essence {
        "text/event-stream" => {
            for data in sse_data(&text) {
                if let Ok(message) = serde_json::from_str::<Value>(&data)
                    && matches(&message)
                {
                    return Ok((message, Framing::Sse));
                }
            }
            Err(format!(
                "the event stream carried no JSON-RPC response with id {id}: {}",
                crate::engine::diagnose::findings::excerpt(&response.body, 300)
            ))
        }
        "application/json" => {
            let message: Value = serde_json::from_str(&text).map_err(|err| {
                format!(
                    "the body is not JSON ({err}): {}",
                    crate::engine::diagnose::findings::excerpt(&response.body, 300)
                )
            })?;
            if matches(&message) {
                Ok((message, Framing::Json))
            } else {
                Err(format!(
                    "the JSON body is not a JSON-RPC response with id {id}: {}",
                    crate::engine::diagnose::findings::excerpt(&response.body, 300)
                ))
            }
        }
        other => Err(format!(
            "the answer's Content-Type is {:?}; the streamable HTTP transport answers a request with application/json or text/event-stream",
            if other.is_empty() { "(none)" } else { other }
        )),
    }
}

/// The `data` of each event of a `text/event-stream` body (HTML Living
/// Standard, "Server-sent events": lines of one event joined by `\n`).
pub fn sse_data(text: &str) -> Vec<String> {
    let mut events = Vec::new();
    let mut data: Vec<&str> = Vec::new();
    for line in text.lines().chain([""]) {
        if line.is_empty() {
            if !data.is_empty() {
                events.push(data.join("\n"));
                data.clear();
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("data:") {
            data.push(rest.strip_prefix(' ').unwrap_or(rest));
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_split_on_blank_lines_and_data_lines_joined() {
        let text = "event: message\ndata: {\"a\":\ndata: 1}\n\n: comment\ndata: two\r\n\r\n";
        assert_eq!(sse_data(text), vec!["{\"a\":\n1}", "two"]);
    }
}
