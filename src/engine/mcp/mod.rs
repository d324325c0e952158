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
//! is a normal [`ProfileFile`] with `[mcp] url` set, and the token set.

pub mod as_meta;
pub mod call;
pub mod challenge;
pub mod prm;
pub mod register;

use serde::Serialize;
use serde_json::{Value, json};
use url::Url;

use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::grants::{self, BrowserOptions};
use crate::engine::jwt::claims::Verdict;
use crate::engine::profile::{
    ClientAuthMethod, GrantType, McpFile, PkceMode, Profile, ProfileFile,
};
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::http::{Exchange, ExchangeKind, HttpClient};

pub use challenge::McpChallenge;
pub use register::Registration;

/// One hop of the chain: what was done, what was seen, the verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Hop {
    /// A stable name: `challenge`, `resource_metadata`,
    /// `authorization_server_metadata`, `registration`, `authorization`,
    /// `initialize`, `tools_list`, `step_up`.
    pub name: &'static str,
    /// What the hop is, for people.
    pub title: String,
    /// How it went.
    pub verdict: Verdict,
    /// What was seen, line by line.
    pub lines: Vec<String>,
    /// What broke a rule, with its section.
    pub findings: Vec<Finding>,
    /// The ids of the exchanges it made (see the HTTP log).
    pub exchanges: Vec<u64>,
}

impl Hop {
    fn new(name: &'static str, title: impl Into<String>) -> Self {
        Self {
            name,
            title: title.into(),
            verdict: Verdict::Pass,
            lines: Vec::new(),
            findings: Vec::new(),
            exchanges: Vec::new(),
        }
    }

    fn line(&mut self, text: impl Into<String>) {
        self.lines.push(text.into());
    }

    fn saw(&mut self, exchange: &Exchange) {
        self.exchanges.push(exchange.id);
        let status = exchange
            .status()
            .map(|s| format!("HTTP {s}"))
            .unwrap_or_else(|| {
                exchange
                    .error
                    .as_ref()
                    .map(|e| format!("failed: {}", e.message))
                    .unwrap_or_default()
            });
        self.lines.push(format!(
            "{} {} → {status}",
            exchange.request.method, exchange.request.url
        ));
    }

    /// Adds findings; the verdict becomes the worst of them.
    fn found(&mut self, findings: impl IntoIterator<Item = Finding>) {
        for finding in findings {
            let verdict = match finding.severity {
                Severity::Error => Verdict::Fail,
                Severity::Warning => Verdict::Warn,
                Severity::Info => Verdict::Pass,
            };
            self.worsen(verdict);
            self.findings.push(finding);
        }
    }

    fn worsen(&mut self, verdict: Verdict) {
        let rank = |v: Verdict| match v {
            Verdict::Skipped => 0,
            Verdict::Pass => 1,
            Verdict::Warn => 2,
            Verdict::Fail => 3,
        };
        if rank(verdict) > rank(self.verdict) {
            self.verdict = verdict;
        }
    }

    fn fail(&mut self, message: impl Into<String>) {
        self.verdict = Verdict::Fail;
        self.lines.push(message.into());
    }

    fn has_errors(&self) -> bool {
        self.verdict == Verdict::Fail
    }
}

/// What to walk the chain with.
pub struct McpOptions {
    /// The MCP server's URL.
    pub url: Url,
    /// A profile holding a pre-registered client (its `client_id`, secret,
    /// authentication method, redirect URI), when the user has one.
    pub profile: Option<ProfileFile>,
    /// The registration mode asked for; `None` follows the specification's
    /// order.
    pub registration: Option<Registration>,
    /// Go on when the server does not list S256 (the specification says a
    /// client must refuse; this is the user's override).
    pub allow_without_s256: bool,
    /// How the browser step reaches the user.
    pub browser: BrowserOptions,
}

/// The chain as walked.
#[derive(Debug, Serialize)]
pub struct McpRun {
    /// The MCP server's URL.
    pub url: String,
    /// The hops, in order.
    pub hops: Vec<Hop>,
    /// The profile the chain produced (client, endpoints, `[mcp] url`),
    /// once the authorization server is known and a client registered.
    #[serde(skip)]
    pub profile: Option<ProfileFile>,
    /// The token set, once authorized.
    #[serde(skip)]
    pub tokens: Option<TokenSet>,
    /// `tools/list`'s `result.tools`, once listed.
    pub tools: Option<Value>,
}

impl McpRun {
    /// A chain that could not start, with why.
    pub fn failed(url: &Url, message: impl Into<String>) -> Self {
        let mut hop = Hop::new("challenge", "MCP initialize without a token");
        hop.fail(message);
        Self {
            url: url.to_string(),
            hops: vec![hop],
            profile: None,
            tokens: None,
            tools: None,
        }
    }

    /// True when every hop passed or only warned and the tools were listed.
    pub fn succeeded(&self) -> bool {
        self.tools.is_some() && self.hops.iter().all(|h| h.verdict != Verdict::Fail)
    }

    /// Every finding of every hop.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.hops.iter().flat_map(|h| h.findings.iter())
    }
}

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

/// Hop 2: the protected resource metadata.
async fn resource_metadata(
    http: &HttpClient,
    url: &Url,
    challenge: &McpChallenge,
    run: &mut McpRun,
) -> Option<prm::ResourceMetadata> {
    let mut hop = Hop::new(
        "resource_metadata",
        "Protected resource metadata (RFC 9728)",
    );
    let well_known = prm::well_known_url(url);
    let candidates: Vec<Url> = match challenge.resource_metadata.as_deref() {
        Some(given) => match Url::parse(given) {
            Ok(given) => vec![given],
            Err(err) => {
                hop.fail(format!(
                    "resource_metadata {given:?} is not a URL ({err}) (RFC 9728 §5.1)"
                ));
                run.hops.push(hop);
                return None;
            }
        },
        None => {
            hop.line(
                "no resource_metadata: trying the well-known URLs in the specification's order",
            );
            prm::fallback_urls(url)
        }
    };
    let mut document = None;
    let mut found_at = None;
    for candidate in &candidates {
        if let Some(doc) = fetch_json(http, candidate, &mut hop).await {
            document = Some(doc);
            found_at = Some(candidate.clone());
            break;
        }
    }
    let Some(doc) = document else {
        hop.fail("no protected resource metadata found");
        run.hops.push(hop);
        return None;
    };
    if found_at.as_ref() != Some(&well_known) {
        // Where RFC 9728 §3 puts it: asked once, so the finding says what
        // was observed, not guessed.
        if fetch_json(http, &well_known, &mut hop).await.is_none() {
            hop.found([Finding::new(
                Severity::Warning,
                "prm_not_at_well_known",
                format!(
                    "the metadata is at {}, not at {well_known}, where RFC 9728 §3.1 puts it (the well-known string inserted between host and path); a client that gets no resource_metadata in the challenge does not find it",
                    found_at.as_ref().map(Url::as_str).unwrap_or_default()
                ),
                Some("RFC 9728 §3.1"),
            )]);
        }
    }
    let meta = prm::ResourceMetadata::from_json(&doc);
    hop.line(format!(
        "resource: {}",
        meta.resource.as_deref().unwrap_or("(none)")
    ));
    hop.line(format!(
        "authorization_servers: {}",
        list(&meta.authorization_servers)
    ));
    hop.line(format!(
        "scopes_supported: {}",
        list(&meta.scopes_supported)
    ));
    hop.line(format!(
        "bearer_methods_supported: {}",
        list(&meta.bearer_methods_supported)
    ));
    hop.found(meta.check(url));
    let failed = hop.has_errors();
    run.hops.push(hop);
    (!failed).then_some(meta)
}

/// Hop 3: the authorization server's metadata.
async fn authorization_server(
    http: &HttpClient,
    options: &McpOptions,
    resource: &prm::ResourceMetadata,
    run: &mut McpRun,
) -> Option<(Url, Value)> {
    let mut hop = Hop::new(
        "authorization_server_metadata",
        "Authorization server metadata (RFC 8414 / OpenID Connect Discovery)",
    );
    let first = resource.authorization_servers.first()?;
    if resource.authorization_servers.len() > 1 {
        hop.line(format!(
            "{} authorization servers named; using the first, {first}",
            resource.authorization_servers.len()
        ));
    }
    let issuer = match Url::parse(first) {
        Ok(issuer) => issuer,
        Err(err) => {
            hop.fail(format!(
                "the authorization server {first:?} is not a URL: {err}"
            ));
            run.hops.push(hop);
            return None;
        }
    };
    let urls = as_meta::metadata_urls(&issuer);
    let mut found = None;
    for (index, candidate) in urls.iter().enumerate() {
        if let Some(doc) = fetch_json(http, candidate, &mut hop).await {
            found = Some((index, doc));
            break;
        }
    }
    let Some((index, doc)) = found else {
        hop.fail(format!(
            "no metadata at any of the {} well-known URLs for the issuer {issuer}",
            urls.len()
        ));
        run.hops.push(hop);
        return None;
    };
    if index > 0 {
        hop.found([Finding::new(
            Severity::Warning,
            "as_metadata_one_form",
            format!(
                "the metadata is only at {}; {} did not serve it. MCP clients MUST try both forms, but clients that try only RFC 8414 (or only OpenID Connect Discovery) fail here",
                urls[index],
                urls[..index]
                    .iter()
                    .map(Url::as_str)
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            Some("MCP 2025-11-25 Authorization Server Metadata Discovery; RFC 8414 §3.1, §5"),
        )]);
    }
    for name in [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "registration_endpoint",
    ] {
        if let Some(value) = doc[name].as_str() {
            hop.line(format!("{name}: {value}"));
        }
    }
    hop.line(format!(
        "code_challenge_methods_supported: {}",
        doc["code_challenge_methods_supported"]
    ));
    hop.line(format!(
        "client_id_metadata_document_supported: {}",
        doc["client_id_metadata_document_supported"]
    ));
    let mut findings = as_meta::check(&doc, &issuer);
    if options.allow_without_s256 {
        for finding in &mut findings {
            if finding.code == "pkce_s256_missing" {
                finding.severity = Severity::Warning;
                finding
                    .message
                    .push_str(" — overridden by the user: going on with S256 anyway");
            }
        }
    }
    hop.found(findings);
    let failed = hop.has_errors();
    run.hops.push(hop);
    (!failed).then_some((issuer, doc))
}

/// Hop 4: the client's registration; the profile the rest runs with.
async fn registration(
    http: &HttpClient,
    options: &McpOptions,
    issuer: &Url,
    metadata: &Value,
    scope: &[String],
    run: &mut McpRun,
) -> Option<(ProfileFile, Option<register::CimdServer>)> {
    let mut hop = Hop::new("registration", "Client registration");
    // The profile given keeps its settings (redirect URI, HTTP) whatever
    // the mode; it is a pre-registered client only when it names one.
    let pre_registered = options.profile.as_ref().is_some_and(|p| {
        p.client_id
            .as_deref()
            .is_some_and(|id| !id.trim().is_empty())
    });
    let mode = match register::choose(pre_registered, metadata, options.registration) {
        Ok(mode) => mode,
        Err(message) => {
            hop.fail(message);
            run.hops.push(hop);
            return None;
        }
    };
    hop.line(format!("mode: {}", mode.as_str()));
    let mut file = options.profile.clone().unwrap_or_default();
    if mode != Registration::PreRegistered {
        // A registered client brings its own credentials (or none): the
        // profile's secret references belong to another client.
        file.client_secret = None;
        file.client_secret_env = None;
        file.client_secret_keychain = None;
    }
    let mut cimd = None;
    match mode {
        Registration::PreRegistered => {
            hop.line(format!(
                "client_id {} from the profile",
                file.client_id.as_deref().unwrap_or_default()
            ));
        }
        Registration::Cimd => {
            let redirect = file
                .redirect_uri
                .clone()
                .unwrap_or_else(|| LOOPBACK_REDIRECT.to_string());
            match register::serve_cimd(std::slice::from_ref(&redirect)).await {
                Ok(server) => {
                    hop.line(format!("client_id (the document's URL): {}", server.url));
                    hop.line(format!("document: {}", server.document));
                    hop.found([register::cimd_loopback_finding(&server.url)]);
                    file.client_id = Some(server.url.to_string());
                    file.client_secret = None;
                    file.token_endpoint_auth_method = Some(ClientAuthMethod::None);
                    file.redirect_uri = Some(redirect);
                    cimd = Some(server);
                }
                Err(message) => {
                    hop.fail(message);
                    run.hops.push(hop);
                    return None;
                }
            }
        }
        Registration::Dcr => {
            let endpoint = metadata["registration_endpoint"]
                .as_str()
                .and_then(|s| Url::parse(s).ok());
            let Some(endpoint) = endpoint else {
                hop.fail("the registration_endpoint is not a URL");
                run.hops.push(hop);
                return None;
            };
            let redirect = file
                .redirect_uri
                .clone()
                .unwrap_or_else(|| LOOPBACK_REDIRECT.to_string());
            let scope = (!scope.is_empty()).then(|| scope.join(" "));
            let outcome = register::dynamic(
                http,
                &endpoint,
                std::slice::from_ref(&redirect),
                scope.as_deref(),
            )
            .await;
            if let Some(exchange) = &outcome.exchange {
                hop.saw(exchange);
                hop.line(format!(
                    "request: {}",
                    String::from_utf8_lossy(&exchange.request.body)
                ));
            }
            hop.found(outcome.findings);
            hop.found([Finding::new(
                Severity::Info,
                "dcr_deprecated",
                "Dynamic Client Registration is kept for backwards compatibility: the 2026-07-28 revision deprecates it in favour of Client ID Metadata Documents",
                Some("MCP 2026-07-28 Client Registration"),
            )]);
            match (outcome.client, outcome.error) {
                (Some(client), _) => {
                    hop.line(format!(
                        "client_id {} issued{}",
                        client.client_id,
                        if client.client_secret.is_some() {
                            ", with a client_secret"
                        } else {
                            ""
                        }
                    ));
                    file.client_id = Some(client.client_id);
                    file.client_secret = client.client_secret;
                    file.token_endpoint_auth_method = Some(client.auth_method);
                    file.redirect_uri = Some(redirect);
                }
                (None, error) => {
                    hop.fail(error.unwrap_or_else(|| "no client issued".to_string()));
                    run.hops.push(hop);
                    return None;
                }
            }
        }
    }
    // The rest of the profile: what the chain discovered.
    let endpoint = |name: &str| doc_str(metadata, name);
    if file.name.as_deref().is_none_or(str::is_empty) {
        file.name = Some(format!(
            "MCP {}",
            options.url.host_str().unwrap_or("server")
        ));
    }
    file.issuer = Some(issuer.to_string());
    file.authorization_endpoint =
        endpoint("authorization_endpoint").or(file.authorization_endpoint);
    file.token_endpoint = endpoint("token_endpoint").or(file.token_endpoint);
    if file.revocation_endpoint.is_none() {
        file.revocation_endpoint = endpoint("revocation_endpoint");
    }
    if file.introspection_endpoint.is_none() {
        file.introspection_endpoint = endpoint("introspection_endpoint");
    }
    file.grant_type = Some(GrantType::AuthorizationCode);
    file.pkce = Some(PkceMode::S256);
    if !scope.is_empty() {
        file.scope = Some(scope.join(" "));
    }
    // RFC 8707: the MCP server's canonical URI on both requests.
    let resource = options.url.to_string();
    file.authorize_params
        .insert("resource".into(), resource.clone());
    file.token_params
        .insert("resource".into(), resource.clone());
    file.mcp = Some(McpFile {
        url: Some(resource),
    });
    run.hops.push(hop);
    Some((file, cimd))
}

/// Hop 5: the authorization code grant with PKCE S256 and `resource`.
async fn authorize(
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
async fn grant(
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
fn check_audience(tokens: &TokenSet, url: &Url, run: &mut McpRun) -> Option<bool> {
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
async fn list_tools(
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
async fn step_up(
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

/// Whether `exchange` is a 2xx with a JSON-RPC result to `id`; says why not
/// on `hop`.
fn answered(hop: &mut Hop, exchange: &Exchange, id: u64) -> bool {
    let status = exchange.status().unwrap_or_default();
    if !(200..300).contains(&status) {
        let challenge = exchange
            .response
            .as_ref()
            .and_then(|r| r.header("www-authenticate"))
            .map(|c| format!(" (WWW-Authenticate: {c})"))
            .unwrap_or_default();
        hop.fail(format!(
            "the MCP server refused the call with HTTP {status}{challenge}: {}",
            crate::engine::diagnose::findings::excerpt(
                exchange
                    .response
                    .as_ref()
                    .map(|r| r.body.as_slice())
                    .unwrap_or_default(),
                200
            )
        ));
        return false;
    }
    match call::reply(exchange, id) {
        Ok((message, framing)) => {
            hop.line(format!("answered as {}", framing.as_str()));
            if let Some(error) = message.get("error") {
                hop.fail(format!("JSON-RPC error: {error}"));
                return false;
            }
            true
        }
        Err(message) => {
            hop.fail(message);
            false
        }
    }
}

/// GETs `url` for a JSON object, noting the exchange on `hop`: the object
/// when the answer was a 2xx JSON object.
async fn fetch_json(http: &HttpClient, url: &Url, hop: &mut Hop) -> Option<Value> {
    let exchange = match http.get_json(url, ExchangeKind::Discovery, None).await {
        Ok(exchange) => exchange,
        Err(err) => {
            hop.line(format!("GET {url} → not sent: {}", err.message));
            return None;
        }
    };
    hop.saw(&exchange);
    exchange
        .response
        .as_ref()
        .filter(|r| (200..300).contains(&r.status))
        .and_then(|r| serde_json::from_slice::<Value>(&r.body).ok())
        .filter(Value::is_object)
}

fn doc_str(doc: &Value, name: &str) -> Option<String> {
    doc[name].as_str().map(str::to_string)
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_string()
    } else {
        items.join(", ")
    }
}
