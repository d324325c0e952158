//! HAR 1.2 export of recorded exchanges (the HTTP Archive format browsers'
//! developer tools and API tools read).
//!
//! Secrets are masked by [`crate::engine::wire::redact`] — the same function the logs and
//! "Copy as curl" use — unless the caller asks to include them. Exchanges
//! that got no response (refused connection, timeout) are kept, with status 0
//! and the failure in `_error`, as browsers do; `_kind` says what the
//! exchange was for (token, authorize, api, …).

use std::path::Path;

use serde_json::{Value, json};

use crate::engine::wire::http::{Exchange, header};
use crate::engine::wire::redact;

/// The HAR document for `exchanges`, secrets masked unless `include_secrets`.
pub fn har(exchanges: &[Exchange], include_secrets: bool) -> Value {
    let entries: Vec<Value> = exchanges
        .iter()
        .map(|exchange| {
            if include_secrets {
                entry(exchange)
            } else {
                entry(&redact::exchange(exchange))
            }
        })
        .collect();
    json!({
        "log": {
            "version": "1.2",
            "creator": { "name": "oauth-debugger", "version": env!("CARGO_PKG_VERSION") },
            "pages": [],
            "entries": entries,
        }
    })
}

/// Writes the HAR document to `path` (pretty-printed JSON).
pub fn write(path: &Path, exchanges: &[Exchange], include_secrets: bool) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(&har(exchanges, include_secrets))
        .map_err(std::io::Error::other)?;
    std::fs::write(path, text)
}

fn pairs(list: &[(String, String)]) -> Vec<Value> {
    list.iter()
        .map(|(name, value)| json!({ "name": name, "value": value }))
        .collect()
}

fn entry(exchange: &Exchange) -> Value {
    let request = &exchange.request;
    let query: Vec<(String, String)> = url::Url::parse(&request.url)
        .map(|url| url.query_pairs().into_owned().collect())
        .unwrap_or_default();
    let mut har_request = json!({
        "method": request.method,
        "url": request.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": pairs(&request.headers),
        "queryString": pairs(&query),
        "headersSize": -1,
        "bodySize": request.body.len(),
    });
    if !request.body.is_empty() {
        let mime = header(&request.headers, "content-type").unwrap_or("");
        let text = String::from_utf8_lossy(&request.body).into_owned();
        let mut post = json!({ "mimeType": mime, "text": text });
        if mime.starts_with("application/x-www-form-urlencoded") {
            let params: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
                .into_owned()
                .collect();
            post["params"] = Value::Array(pairs(&params));
        }
        har_request["postData"] = post;
    }
    let millis = exchange.duration.as_secs_f64() * 1000.0;
    let har_response = match &exchange.response {
        Some(response) => {
            let mime = response.header("content-type").unwrap_or("");
            json!({
                "status": response.status,
                "statusText": http::StatusCode::from_u16(response.status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or(""),
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": pairs(&response.headers),
                "content": {
                    "size": response.body.len(),
                    "mimeType": mime,
                    "text": String::from_utf8_lossy(&response.body),
                },
                "redirectURL": response.header("location").unwrap_or(""),
                "headersSize": -1,
                "bodySize": response.body.len(),
            })
        }
        None => json!({
            "status": 0,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [],
            "content": { "size": 0, "mimeType": "" },
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        }),
    };
    let mut entry = json!({
        "startedDateTime": exchange.started_at.to_rfc3339(),
        "time": millis,
        "request": har_request,
        "response": har_response,
        "cache": {},
        "timings": { "send": 0, "wait": millis, "receive": 0 },
        "_kind": exchange.kind.as_str(),
    });
    if let Some(error) = &exchange.error {
        entry["_error"] = Value::String(error.message.clone());
    }
    entry
}
