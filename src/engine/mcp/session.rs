//! The last hops: authorization (code + PKCE + `resource`), the token and
//! its audience, `tools/list`, and step-up when the server asks for more
//! scope.

use serde_json::{Value, json};
use url::Url;

use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::grants::{self};
use crate::engine::jwt::claims::Verdict;
use crate::engine::profile::{Profile, ProfileFile};
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::http::{ExchangeKind, HttpClient};

use super::*;

/// Hop 5: the authorization code grant with PKCE S256 and `resource`.
pub(super) async fn authorize(
    http: &HttpClient,
    options: &McpOptions,
    file: &ProfileFile,
    scope_note: &str,
    cimd: Option<&register::CimdServer>,
    run: &mut McpRun,
) -> Option<TokenSet> {
    let mut hop = Hop::new(
        "authorization",
        "Authorization code + PKCE S256 + resource (RFC 8707)",
    );
    hop.line(format!(
        "scope: {} ({scope_note})",
        file.scope
            .as_deref()
            .unwrap_or("(none: the scope parameter is left out)")
    ));
    hop.line(format!("resource: {}", options.url));
    let tokens = grant(http, options, file, &mut hop).await;
    if let Some(server) = cimd {
        hop.line(format!(
            "the authorization server fetched the client metadata document {} time(s)",
            server.fetches()
        ));
    }
    run.hops.push(hop);
    tokens
}

/// Runs the grant for `file`, reporting into `hop`.
pub(super) async fn grant(
    http: &HttpClient,
    options: &McpOptions,
    file: &ProfileFile,
    hop: &mut Hop,
) -> Option<TokenSet> {
    let profile = match Profile::from_file(file, "mcp") {
        Ok(profile) => profile,
        Err(err) => {
            hop.fail(format!("the profile the chain built is not usable: {err}"));
            return None;
        }
    };
    let scoped = http.scoped();
    let result = grants::authorization_code::run(&profile, &scoped, &options.browser).await;
    for exchange in scoped.exchanges() {
        if matches!(exchange.kind, ExchangeKind::Token | ExchangeKind::Authorize) {
            hop.saw(&exchange);
        } else {
            hop.exchanges.push(exchange.id);
        }
    }
    match result {
        Ok(tokens) => {
            hop.line(format!(
                "token issued: {}, scope {}, expires in {}",
                tokens.token_type.as_deref().unwrap_or("(no token_type)"),
                tokens.scope.as_deref().unwrap_or("(as asked)"),
                tokens
                    .expires_in
                    .map(|s| format!("{s} s"))
                    .unwrap_or_else(|| "(not said)".to_string())
            ));
            hop.found(tokens.findings.clone());
            Some(tokens)
        }
        Err(err) => {
            hop.fail(format!("the grant failed: {err}"));
            None
        }
    }
}

/// The token's audience against the MCP server (when the token is a JWT):
/// `Some(true)` it names the server, `Some(false)` it does not, `None`
/// not checkable. A finding goes on the authorization hop.
pub(super) fn check_audience(tokens: &TokenSet, url: &Url, run: &mut McpRun) -> Option<bool> {
    let jwt = tokens.jwts.iter().find(|j| j.source == "access_token");
    let hop = run.hops.last_mut()?;
    let Some(jwt) = jwt else {
        hop.line(
            "the access token is opaque: its audience cannot be read here (introspect it to check)",
        );
        return None;
    };
    let aud = &jwt.claims["aud"];
    let audiences: Vec<&str> = match aud {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let names_server = audiences
        .iter()
        .any(|a| Url::parse(a).ok().as_ref() == Some(url));
    hop.line(format!("token audience (aud): {aud}"));
    if !names_server {
        hop.found([Finding::new(
            Severity::Warning,
            "token_audience_not_mcp_server",
            format!(
                "the access token's audience is {aud}, not the MCP server {url} asked for with `resource`: the authorization server did not bind the token to it"
            ),
            Some("RFC 8707 §2; MCP 2025-11-25 Token Audience Binding and Validation"),
        )]);
    }
    Some(names_server)
}

/// Hop 6 (and the step-up): `tools/list`.
pub(super) async fn list_tools(
    http: &HttpClient,
    options: &McpOptions,
    mut token: Option<crate::engine::store::secret::Secret>,
    session: &mut call::Session,
    run: &mut McpRun,
) {
    let url = &options.url;
    let mut stepped_up = false;
    loop {
        let mut hop = Hop::new("tools_list", "MCP tools/list");
        let id = if stepped_up { 4 } else { 3 };
        let message = call::request(id, "tools/list", json!({}));
        let exchange = match call::post(http, url, &message, token.as_ref(), session).await {
            Ok(exchange) => exchange,
            Err(err) => {
                hop.fail(err.message);
                run.hops.push(hop);
                return;
            }
        };
        hop.saw(&exchange);
        let challenge = (exchange.status() == Some(403))
            .then(|| {
                exchange
                    .response
                    .as_ref()
                    .and_then(|r| r.header("www-authenticate"))
                    .and_then(McpChallenge::parse)
            })
            .flatten()
            .filter(|c| c.error.as_deref() == Some("insufficient_scope"));
        if let Some(challenge) = challenge {
            hop.line(format!(
                "403 insufficient_scope: scope needed {}",
                challenge.scope.as_deref().unwrap_or("(not said)")
            ));
            if stepped_up || token.is_none() {
                hop.fail("still insufficient_scope after re-authorizing once; not asking again");
                run.hops.push(hop);
                return;
            }
            hop.verdict = Verdict::Warn;
            run.hops.push(hop);
            let Some(new_token) = step_up(http, options, &challenge, run).await else {
                return;
            };
            token = Some(new_token);
            stepped_up = true;
            continue;
        }
        if answered(&mut hop, &exchange, id)
            && let Ok((message, _)) = call::reply(&exchange, id)
        {
            let tools = message["result"]["tools"].clone();
            let names: Vec<&str> = tools
                .as_array()
                .map(|t| t.iter().filter_map(|t| t["name"].as_str()).collect())
                .unwrap_or_default();
            hop.line(format!("{} tool(s): {}", names.len(), names.join(", ")));
            run.tools = Some(tools);
        }
        run.hops.push(hop);
        return;
    }
}

/// The step-up (MCP 2025-11-25 "Scope Challenge Handling"): authorize
/// again with the union of the scopes held and the scopes challenged.
pub(super) async fn step_up(
    http: &HttpClient,
    options: &McpOptions,
    challenge: &McpChallenge,
    run: &mut McpRun,
) -> Option<crate::engine::store::secret::Secret> {
    let mut hop = Hop::new("step_up", "Step-up: re-authorization with more scope");
    let Some(mut file) = run.profile.clone() else {
        hop.fail("no profile to re-authorize with");
        run.hops.push(hop);
        return None;
    };
    let mut scopes: Vec<String> = file
        .scope
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if let Some(granted) = run.tokens.as_ref().and_then(|t| t.scope.as_deref()) {
        for scope in granted.split_whitespace() {
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_string());
            }
        }
    }
    for scope in challenge.scopes() {
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    hop.line(format!(
        "scope asked for: {} (the scopes held and the ones the challenge named)",
        scopes.join(" ")
    ));
    file.scope = Some(scopes.join(" "));
    let tokens = grant(http, options, &file, &mut hop).await;
    run.profile = Some(file);
    let token = tokens.as_ref().map(|t| t.access_token.clone());
    if tokens.is_some() {
        run.tokens = tokens;
    }
    run.hops.push(hop);
    token
}
