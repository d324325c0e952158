//! An MCP-shaped protected resource at `/mcp`, its protected resource
//! metadata (RFC 9728), Dynamic Client Registration (RFC 7591) at
//! `/register`, and Client ID Metadata Documents
//! (draft-ietf-oauth-client-id-metadata-document) at `/authorize` — the
//! server side of the MCP authorization specification (2025-11-25), with a
//! fault switch for each breakage the debugger reports.
//!
//! `/mcp` takes JSON-RPC over the streamable HTTP transport: `initialize`,
//! `notifications/initialized` and `tools/list` (three fixed tools). It
//! answers `application/json`, or `text/event-stream` when the request's
//! `Accept` lists the event stream first or `mcp-sse` is on. A call
//! without a valid token gets `401` with
//! `WWW-Authenticate: Bearer resource_metadata="…", scope="read"`; the
//! token must be one this server issued for the resource `{issuer}/mcp`
//! (its `aud`, set from the token request's `resource`, RFC 8707 §2.2).
//!
//! Client ID Metadata Documents are fetched over `https`, or over `http`
//! from a loopback host (127.0.0.1, ::1, localhost) — an allowance for
//! testing that a real server would not make.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::store::{self, Client};
use super::{Demo, now};

/// The MCP fault switches (see [`super::Faults`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct McpFaults {
    /// `mcp-prm-wrong-path`: the protected resource metadata is served
    /// only at `/mcp/.well-known/oauth-protected-resource` (appended, not
    /// inserted as RFC 9728 §3.1 says), and the challenge points there.
    pub prm_wrong_path: bool,
    /// `mcp-no-resource-metadata`: the 401 challenge has no
    /// `resource_metadata` (the document stays at its well-known URL).
    pub no_resource_metadata: bool,
    /// `mcp-resource-mismatch`: the metadata's `resource` is
    /// `{issuer}/other-mcp`, not the URL dialled (RFC 9728 §3.3).
    pub resource_mismatch: bool,
    /// `mcp-no-authorization-servers`: the metadata names none.
    pub no_authorization_servers: bool,
    /// `mcp-bearer-query`: the metadata offers `query` in
    /// `bearer_methods_supported`.
    pub bearer_query: bool,
    /// `mcp-as-openid-only`: the authorization server's metadata is not at
    /// `/.well-known/oauth-authorization-server`, only at
    /// `/.well-known/openid-configuration`.
    pub as_openid_only: bool,
    /// `mcp-no-s256`: `code_challenge_methods_supported` lists `plain` only.
    pub no_s256: bool,
    /// `mcp-any-audience`: the token endpoint ignores `resource` (tokens
    /// keep the audience `demo-api`) and `/mcp` accepts any token this
    /// server issued, whatever its audience.
    pub any_audience: bool,
    /// `mcp-step-up`: `tools/list` needs the scopes `read` and `write`;
    /// a token without `write` gets `403 insufficient_scope` with
    /// `scope="write"`.
    pub step_up: bool,
    /// `mcp-sse`: `/mcp` answers every request as `text/event-stream`.
    pub sse: bool,
}

impl McpFaults {
    /// The switch names.
    pub const NAMES: [&str; 10] = [
        "mcp-prm-wrong-path",
        "mcp-no-resource-metadata",
        "mcp-resource-mismatch",
        "mcp-no-authorization-servers",
        "mcp-bearer-query",
        "mcp-as-openid-only",
        "mcp-no-s256",
        "mcp-any-audience",
        "mcp-step-up",
        "mcp-sse",
    ];

    /// Turns on the switch called `name`; false when there is none.
    pub fn switch_on(&mut self, name: &str) -> bool {
        let switch = match name {
            "mcp-prm-wrong-path" => &mut self.prm_wrong_path,
            "mcp-no-resource-metadata" => &mut self.no_resource_metadata,
            "mcp-resource-mismatch" => &mut self.resource_mismatch,
            "mcp-no-authorization-servers" => &mut self.no_authorization_servers,
            "mcp-bearer-query" => &mut self.bearer_query,
            "mcp-as-openid-only" => &mut self.as_openid_only,
            "mcp-no-s256" => &mut self.no_s256,
            "mcp-any-audience" => &mut self.any_audience,
            "mcp-step-up" => &mut self.step_up,
            "mcp-sse" => &mut self.sse,
            _ => return false,
        };
        *switch = true;
        true
    }
}

/// The MCP server's path.
const MCP_PATH: &str = "/mcp";

/// Where the metadata is served: RFC 9728 §3.1, or appended (the fault).
fn metadata_path(faults: &McpFaults) -> &'static str {
    if faults.prm_wrong_path {
        "/mcp/.well-known/oauth-protected-resource"
    } else {
        "/.well-known/oauth-protected-resource/mcp"
    }
}

/// The routes: `/mcp`, its metadata, `/register`.
pub fn routes(faults: &McpFaults) -> Router<Arc<Demo>> {
    Router::new()
        .route(MCP_PATH, post(mcp).get(mcp_get))
        .route(metadata_path(faults), get(resource_metadata))
        .route("/register", post(register))
}

/// `GET /.well-known/oauth-protected-resource/mcp` (RFC 9728 §3.2).
async fn resource_metadata(State(demo): State<Arc<Demo>>) -> Response {
    let faults = &demo.faults.mcp;
    let base = &demo.issuer;
    let resource = if faults.resource_mismatch {
        format!("{base}/other-mcp")
    } else {
        format!("{base}{MCP_PATH}")
    };
    let mut doc = json!({
        "resource": resource,
        "authorization_servers": [base],
        "scopes_supported": ["read", "write"],
        "bearer_methods_supported": ["header"],
        "resource_name": "Demo MCP server",
    });
    if faults.no_authorization_servers {
        doc.as_object_mut()
            .map(|d| d.remove("authorization_servers"));
    }
    if faults.bearer_query {
        doc["bearer_methods_supported"] = json!(["header", "query"]);
    }
    axum::Json(doc).into_response()
}

/// The 401/403 challenge (RFC 6750 §3, RFC 9728 §5.1).
fn challenge(
    demo: &Demo,
    status: StatusCode,
    error: Option<(&str, &str)>,
    scope: &str,
) -> Response {
    let mut params = Vec::new();
    if let Some((code, description)) = error {
        params.push(format!("error=\"{code}\""));
        params.push(format!("error_description=\"{description}\""));
    }
    params.push(format!("scope=\"{scope}\""));
    if !demo.faults.mcp.no_resource_metadata {
        params.push(format!(
            "resource_metadata=\"{}{}\"",
            demo.issuer,
            metadata_path(&demo.faults.mcp)
        ));
    }
    let value = format!("Bearer {}", params.join(", "));
    let mut response = (
        status,
        axum::Json(json!({
            "error": error.map(|e| e.0).unwrap_or("unauthorized"),
            "error_description": error.map(|e| e.1).unwrap_or("an access token is required"),
        })),
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&value) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// The scope granted by a checked token.
struct Caller {
    scope: String,
}

/// Finds the token in the Authorization header (the only place MCP allows)
/// and checks it: signed here, issued here, not expired or revoked, and —
/// unless `mcp-any-audience` — issued for this MCP server.
fn check(demo: &Demo, headers: &HeaderMap) -> Result<Caller, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string());
    let Some(token) = token else {
        return Err(challenge(demo, StatusCode::UNAUTHORIZED, None, "read"));
    };
    let invalid = |description: &str| {
        challenge(
            demo,
            StatusCode::UNAUTHORIZED,
            Some(("invalid_token", description)),
            "read",
        )
    };
    let Some(claims) = demo.verify(&token) else {
        return Err(invalid(
            "the access token is malformed or its signature is invalid",
        ));
    };
    if claims["iss"].as_str() != Some(demo.issuer.as_str()) {
        return Err(invalid("the access token was issued by another server"));
    }
    if claims["exp"].as_i64().is_none_or(|exp| exp <= now()) {
        return Err(invalid("the access token expired"));
    }
    let jti = claims["jti"].as_str().unwrap_or_default();
    if demo.store().access.get(jti).is_none_or(|r| r.revoked) {
        return Err(invalid("the access token was revoked"));
    }
    let audience = format!("{}{MCP_PATH}", demo.issuer);
    let for_us = match &claims["aud"] {
        Value::String(aud) => *aud == audience,
        Value::Array(auds) => auds.iter().any(|a| a.as_str() == Some(audience.as_str())),
        _ => false,
    };
    if !for_us && !demo.faults.mcp.any_audience {
        return Err(invalid(
            "the access token was not issued for this MCP server (its aud is not the resource)",
        ));
    }
    Ok(Caller {
        scope: claims["scope"].as_str().unwrap_or_default().to_string(),
    })
}

/// `GET /mcp`: this server opens no server-initiated stream (the
/// streamable HTTP transport allows 405 here).
async fn mcp_get() -> Response {
    StatusCode::METHOD_NOT_ALLOWED.into_response()
}

/// `POST /mcp`: one JSON-RPC message.
async fn mcp(State(demo): State<Arc<Demo>>, headers: HeaderMap, body: Bytes) -> Response {
    let caller = match check(&demo, &headers) {
        Ok(caller) => caller,
        Err(refusal) => return refusal,
    };
    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
        return rpc_answer(
            &demo,
            &headers,
            json!({ "jsonrpc": "2.0", "id": null,
                    "error": { "code": -32700, "message": "Parse error" } }),
        );
    };
    let method = message["method"].as_str().unwrap_or_default();
    let Some(id) = message.get("id").cloned() else {
        // A notification (or a response): accepted, nothing to answer.
        return StatusCode::ACCEPTED.into_response();
    };
    let result = match method {
        "initialize" => json!({
            "protocolVersion": message["params"]["protocolVersion"]
                .as_str()
                .unwrap_or("2025-11-25"),
            "capabilities": { "tools": { "listChanged": false } },
            "serverInfo": { "name": "demo-mcp", "version": env!("CARGO_PKG_VERSION") },
        }),
        "tools/list" => {
            let needed: &[&str] = if demo.faults.mcp.step_up {
                &["read", "write"]
            } else {
                &["read"]
            };
            let held: Vec<&str> = caller.scope.split_whitespace().collect();
            let missing: Vec<&str> = needed
                .iter()
                .copied()
                .filter(|s| !held.contains(s))
                .collect();
            if !missing.is_empty() {
                return challenge(
                    &demo,
                    StatusCode::FORBIDDEN,
                    Some(("insufficient_scope", "listing the tools needs more scope")),
                    &missing.join(" "),
                );
            }
            json!({ "tools": tools() })
        }
        _ => {
            return rpc_answer(
                &demo,
                &headers,
                json!({ "jsonrpc": "2.0", "id": id,
                        "error": { "code": -32601, "message": format!("Method not found: {method}") } }),
            );
        }
    };
    rpc_answer(
        &demo,
        &headers,
        json!({ "jsonrpc": "2.0", "id": id, "result": result }),
    )
}

/// The fixed tool list.
fn tools() -> Value {
    json!([
        {
            "name": "echo",
            "description": "Returns the text it is given.",
            "inputSchema": { "type": "object", "properties": { "text": { "type": "string" } }, "required": ["text"] }
        },
        {
            "name": "add",
            "description": "Adds two numbers.",
            "inputSchema": { "type": "object", "properties": { "a": { "type": "number" }, "b": { "type": "number" } }, "required": ["a", "b"] }
        },
        {
            "name": "time",
            "description": "The server's time, in RFC 3339.",
            "inputSchema": { "type": "object", "properties": {} }
        }
    ])
}

/// The answer as JSON, or as one server-sent event when `mcp-sse` is on
/// or the request's Accept lists `text/event-stream` before
/// `application/json`.
fn rpc_answer(demo: &Demo, headers: &HeaderMap, message: Value) -> Response {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let position = |kind: &str| accept.find(kind);
    let sse_first = match (position("text/event-stream"), position("application/json")) {
        (Some(sse), Some(json)) => sse < json,
        (Some(_), None) => true,
        _ => false,
    };
    if demo.faults.mcp.sse || sse_first {
        let body = format!("event: message\ndata: {message}\n\n");
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/event-stream")],
            body,
        )
            .into_response();
    }
    axum::Json(message).into_response()
}

/// `POST /register` (RFC 7591 §3.1): registers a client for the
/// authorization code grant. `token_endpoint_auth_method` `none` makes a
/// public client; absent (the default, `client_secret_basic`, §2),
/// `client_secret_basic` or `client_secret_post` a confidential one with a
/// secret.
async fn register(headers: HeaderMap, body: Bytes) -> Response {
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json_body {
        return registration_error(
            "invalid_client_metadata",
            "the client metadata must be sent as application/json (RFC 7591 §3.1)",
        );
    }
    let Ok(metadata) = serde_json::from_slice::<Value>(&body) else {
        return registration_error("invalid_client_metadata", "the body is not a JSON object");
    };
    let redirect_uris: Vec<String> = metadata["redirect_uris"]
        .as_array()
        .map(|uris| {
            uris.iter()
                .filter_map(|u| u.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if redirect_uris.is_empty() {
        return registration_error(
            "invalid_redirect_uri",
            "redirect_uris is required for the authorization code grant",
        );
    }
    if let Some(bad) = redirect_uris.iter().find(|uri| !acceptable_redirect(uri)) {
        return registration_error(
            "invalid_redirect_uri",
            &format!("{bad} is neither an https URL nor an http loopback URL (RFC 8252 §7.3)"),
        );
    }
    let method = metadata["token_endpoint_auth_method"]
        .as_str()
        .unwrap_or("client_secret_basic");
    let confidential = match method {
        "none" => false,
        "client_secret_basic" | "client_secret_post" => true,
        other => {
            return registration_error(
                "invalid_client_metadata",
                &format!("token_endpoint_auth_method {other} is not supported here"),
            );
        }
    };
    let client_id = format!("dcr-{}", store::random_token(12));
    let secret = confidential.then(|| store::random_token(24));
    let client = Client {
        id: leak(client_id.clone()),
        secret: secret.clone().map(leak),
        grants: &["authorization_code", "refresh_token"],
        default_scope: "read",
        redirect_uris: Box::leak(
            redirect_uris
                .iter()
                .cloned()
                .map(leak)
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        ),
        id_token_alg: "RS256",
        authorization_signed_response_alg: "RS256",
        jwks: None,
        tls_client_auth_subject_cn: None,
    };
    if let Err(message) = store::register(client) {
        return registration_error("invalid_client_metadata", message);
    }
    let mut answer = json!({
        "client_id": client_id,
        "client_id_issued_at": now(),
        "client_name": metadata["client_name"],
        "redirect_uris": redirect_uris,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": method,
    });
    if let Some(secret) = secret {
        answer["client_secret"] = json!(secret);
        answer["client_secret_expires_at"] = json!(0);
    }
    super::no_store_json(StatusCode::CREATED, answer)
}

/// An error of RFC 7591 §3.2.2.
fn registration_error(error: &str, description: &str) -> Response {
    super::no_store_json(
        StatusCode::BAD_REQUEST,
        json!({ "error": error, "error_description": description }),
    )
}

/// `https`, or `http` on a loopback host.
fn acceptable_redirect(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    url.fragment().is_none()
        && (url.scheme() == "https" || (url.scheme() == "http" && loopback(&url)))
}

fn loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    }
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// Before `/authorize`: a `client_id` that is a URL is a Client ID
/// Metadata Document. It is fetched (https, or http from a loopback host
/// for testing), its `client_id` must be the URL exactly and it must list
/// `redirect_uris`; the client is then known to `/authorize` and `/token`
/// as a public client. A document that fails is an error page: the
/// client cannot be trusted with a redirect (RFC 6749 §4.1.2.1).
pub async fn resolve_client_document(request: Request, next: Next) -> Response {
    let client_id = request.uri().query().and_then(|query| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "client_id")
            .map(|(_, v)| v.into_owned())
    });
    let Some(client_id) =
        client_id.filter(|id| id.starts_with("https://") || id.starts_with("http://"))
    else {
        return next.run(request).await;
    };
    if store::client(&client_id).is_none()
        && let Err(message) = fetch_document(&client_id).await
    {
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("The client metadata document {client_id} cannot be used: {message}"),
        )
            .into_response();
    }
    next.run(request).await
}

/// Fetches and checks a Client ID Metadata Document and registers it.
async fn fetch_document(client_id: &str) -> Result<(), String> {
    let url = url::Url::parse(client_id).map_err(|err| format!("not a URL ({err})"))?;
    if !(url.scheme() == "https" || loopback(&url)) {
        return Err("a client id URL must use https (http is allowed here for loopback hosts only, for testing)".to_string());
    }
    if url.path() == "/" || url.path().is_empty() {
        return Err("a client id URL must have a path".to_string());
    }
    if url.fragment().is_some() || url.username() != "" || url.password().is_some() {
        return Err("a client id URL must have no fragment and no credentials".to_string());
    }
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .map_err(|err| format!("cannot make an HTTP client: {err}"))?;
    let response = http
        .get(url.as_str())
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|err| format!("fetching it failed: {err}"))?;
    if response.status() != reqwest::StatusCode::OK {
        return Err(format!("fetching it answered HTTP {}", response.status()));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|err| format!("reading it failed: {err}"))?;
    if bytes.len() > 5 * 1024 {
        return Err("the document is larger than 5 KB".to_string());
    }
    let doc: Value =
        serde_json::from_slice(&bytes).map_err(|err| format!("it is not JSON ({err})"))?;
    if doc["client_id"].as_str() != Some(client_id) {
        return Err(format!(
            "its client_id is {}, not the document's URL",
            doc["client_id"]
        ));
    }
    let method = doc["token_endpoint_auth_method"].as_str().unwrap_or("none");
    if method != "none" {
        return Err(format!(
            "token_endpoint_auth_method {method} is not supported here for documents (only none)"
        ));
    }
    let redirect_uris: Vec<&'static str> = doc["redirect_uris"]
        .as_array()
        .map(|uris| {
            uris.iter()
                .filter_map(Value::as_str)
                .map(|u| leak(u.to_string()))
                .collect()
        })
        .unwrap_or_default();
    if redirect_uris.is_empty() {
        return Err("it lists no redirect_uris".to_string());
    }
    store::register(Client {
        id: leak(client_id.to_string()),
        secret: None,
        grants: &["authorization_code", "refresh_token"],
        default_scope: "read",
        redirect_uris: Box::leak(redirect_uris.into_boxed_slice()),
        id_token_alg: "RS256",
        authorization_signed_response_alg: "RS256",
        jwks: None,
        tls_client_auth_subject_cn: None,
    })
    .map(|_| ())
    .map_err(str::to_string)
}
