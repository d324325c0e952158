//! MCP authorization, hop by hop: from an MCP server's URL to an authorized
//! `tools/list`, every discovery step shown and checked.
//!
//! The chain follows the MCP authorization specification (revision
//! 2025-11-25, and 2026-07-28 which keeps its discovery rules):
//!
//! 1. `initialize` without a token; the `401`'s `WWW-Authenticate`
//!    challenge is read ([`challenge`]: `resource_metadata`, `scope`);
//! 2. the protected resource metadata (RFC 9728) is fetched from
//!    `resource_metadata`, else from the well-known URLs in order
//!    ([`prm`]); its `resource` must be the URL dialled (§3.3);
//! 3. the authorization server's metadata is fetched from the
//!    specification's ordered list of well-known URLs ([`as_meta`]);
//!    `issuer` must match, S256 must be listed;
//! 4. the client is registered ([`register`]): pre-registered, Client ID
//!    Metadata Document, or Dynamic Client Registration (RFC 7591);
//! 5. the authorization code grant with PKCE S256 and `resource`
//!    (RFC 8707) on both requests, by the existing grant;
//! 6. `initialize` and `tools/list` with the token ([`call`]); a `403`
//!    `insufficient_scope` leads to one re-authorization with the union
//!    of the scopes (step-up).
//!
//! Every request goes through the recording [`HttpClient`]; each hop is a
//! [`Hop`] with a verdict and findings citing their sections. The result
//! is a normal `ProfileFile` with `[mcp] url` set, and the token set.

pub mod as_meta;
pub mod call;
pub mod challenge;
pub mod prm;
pub mod register;

mod discover;
mod hop;
mod session;

use serde_json::json;

use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::jwt::claims::Verdict;
use crate::engine::wire::http::HttpClient;

pub use challenge::McpChallenge;
use discover::*;
pub use hop::*;
pub use register::Registration;
use session::*;

/// The redirect URI registered by CIMD and DCR: loopback, any port
/// (RFC 8252 §7.3).
const LOOPBACK_REDIRECT: &str = "http://127.0.0.1/callback";

/// Walks the chain for `options.url`. Never fails: what went wrong is the
/// last hop's verdict.
pub async fn run(http: &HttpClient, options: &McpOptions) -> McpRun {
    let mut run = McpRun {
        url: options.url.to_string(),
        hops: Vec::new(),
        profile: None,
        tokens: None,
        tools: None,
    };
    walk(http, options, &mut run).await;
    run
}

/// The steps; returns early when a hop fails.
async fn walk(http: &HttpClient, options: &McpOptions, run: &mut McpRun) {
    let url = &options.url;
    let mut session = call::Session::default();

    // 1. initialize without a token: the challenge.
    let mut hop = Hop::new("challenge", "MCP initialize without a token");
    let exchange = match call::post(http, url, &call::initialize(1), None, &session).await {
        Ok(exchange) => exchange,
        Err(err) => {
            hop.fail(err.message);
            run.hops.push(hop);
            return;
        }
    };
    hop.saw(&exchange);
    let Some(status) = exchange.status() else {
        hop.verdict = Verdict::Fail;
        run.hops.push(hop);
        return;
    };
    if (200..300).contains(&status) {
        hop.line("the MCP server answered without a token: it does not require authorization");
        run.hops.push(hop);
        list_tools(http, options, None, &mut session, run).await;
        return;
    }
    if status != 401 {
        hop.fail(format!(
            "expected 401 with a WWW-Authenticate challenge, got HTTP {status}: {}",
            exchange.response_text()
        ));
        run.hops.push(hop);
        return;
    }
    let header = exchange
        .response
        .as_ref()
        .and_then(|r| r.header("www-authenticate"))
        .unwrap_or_default()
        .to_string();
    let challenge = McpChallenge::parse(&header);
    match &challenge {
        Some(c) => {
            hop.line(format!("WWW-Authenticate: {header}"));
            hop.line(format!(
                "resource_metadata: {}",
                c.resource_metadata.as_deref().unwrap_or("(none)")
            ));
            hop.line(format!("scope: {}", c.scope.as_deref().unwrap_or("(none)")));
            if c.resource_metadata.is_none() {
                hop.found([Finding::new(
                    Severity::Warning,
                    "challenge_without_resource_metadata",
                    "the 401 challenge has no resource_metadata; the client has to guess the well-known URLs (the specification's fallback), which fails when the document is elsewhere",
                    Some("RFC 9728 §5.1; MCP 2025-11-25 Protected Resource Metadata Discovery Requirements"),
                )]);
            }
        }
        None => hop.found([Finding::new(
            Severity::Warning,
            "challenge_missing",
            "the 401 has no WWW-Authenticate challenge; an MCP server SHOULD send one with resource_metadata, or the client can only try the well-known URLs",
            Some("RFC 9728 §5.1; RFC 6750 §3"),
        )]),
    }
    let challenge = challenge.unwrap_or_default();
    run.hops.push(hop);

    // 2. Protected resource metadata.
    let Some(resource) = resource_metadata(http, url, &challenge, run).await else {
        return;
    };

    // 3. Authorization server metadata.
    let Some((issuer, metadata)) = authorization_server(http, options, &resource, run).await else {
        return;
    };

    // 4. Registration.
    let scope = if challenge.scopes().is_empty() {
        resource.scopes_supported.clone()
    } else {
        challenge.scopes()
    };
    let Some((file, cimd)) = registration(http, options, &issuer, &metadata, &scope, run).await
    else {
        return;
    };
    run.profile = Some(file.clone());

    // 5. Authorization code + PKCE S256 + resource.
    let scope_note = if challenge.scopes().is_empty() {
        "from the protected resource metadata's scopes_supported (the challenge named none)"
    } else {
        "from the challenge"
    };
    let Some(tokens) = authorize(http, options, &file, scope_note, cimd.as_ref(), run).await else {
        return;
    };
    // The document stays served to the end: a step-up authorizes again.
    let _cimd = cimd;
    let audience_ok = check_audience(&tokens, url, run);
    run.tokens = Some(tokens);

    // 6. The calls with the token.
    let token = run.tokens.as_ref().map(|t| t.access_token.clone());
    let mut hop = Hop::new("initialize", "MCP initialize with the token");
    let exchange = match call::post(http, url, &call::initialize(2), token.as_ref(), &session).await
    {
        Ok(exchange) => exchange,
        Err(err) => {
            hop.fail(err.message);
            run.hops.push(hop);
            return;
        }
    };
    hop.saw(&exchange);
    if !answered(&mut hop, &exchange, 2) {
        run.hops.push(hop);
        return;
    }
    if let Some(response) = &exchange.response {
        session.id = response.header("mcp-session-id").map(str::to_string);
    }
    if let Ok((message, _)) = call::reply(&exchange, 2) {
        let result = &message["result"];
        session.protocol_version = result["protocolVersion"].as_str().map(str::to_string);
        hop.line(format!(
            "server: {} {}, protocol {}",
            result["serverInfo"]["name"].as_str().unwrap_or("?"),
            result["serverInfo"]["version"].as_str().unwrap_or(""),
            session.protocol_version.as_deref().unwrap_or("?")
        ));
    }
    if audience_ok == Some(false) {
        hop.found([Finding::new(
            Severity::Error,
            "server_accepts_other_audience",
            format!(
                "the MCP server accepted a token whose audience is not {url}; it MUST check that tokens were issued for it, or a token stolen from (or meant for) another resource works here"
            ),
            Some("MCP 2025-11-25 Token Audience Binding and Validation; RFC 8707 §2"),
        )]);
    }
    run.hops.push(hop);
    // The initialized notification (MCP "Lifecycle"); its 202 is not a hop.
    let notification = json!({ "jsonrpc": "2.0", "method": "notifications/initialized" });
    let _ = call::post(http, url, &notification, token.as_ref(), &session).await;
    list_tools(http, options, token, &mut session, run).await;
}
