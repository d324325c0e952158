//! The chain's record: each [`Hop`] with what was done, seen and
//! concluded; the run's options and result; small helpers every hop uses.

use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::grants::BrowserOptions;
use crate::engine::jwt::claims::Verdict;
use crate::engine::profile::ProfileFile;
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::http::{Exchange, ExchangeKind, HttpClient};

use super::*;

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
    pub(super) fn new(name: &'static str, title: impl Into<String>) -> Self {
        Self {
            name,
            title: title.into(),
            verdict: Verdict::Pass,
            lines: Vec::new(),
            findings: Vec::new(),
            exchanges: Vec::new(),
        }
    }

    pub(super) fn line(&mut self, text: impl Into<String>) {
        self.lines.push(text.into());
    }

    pub(super) fn saw(&mut self, exchange: &Exchange) {
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
    pub(super) fn found(&mut self, findings: impl IntoIterator<Item = Finding>) {
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

    pub(super) fn worsen(&mut self, verdict: Verdict) {
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

    pub(super) fn fail(&mut self, message: impl Into<String>) {
        self.verdict = Verdict::Fail;
        self.lines.push(message.into());
    }

    pub(super) fn has_errors(&self) -> bool {
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

/// Whether `exchange` is a 2xx with a JSON-RPC result to `id`; says why not
/// on `hop`.
pub(super) fn answered(hop: &mut Hop, exchange: &Exchange, id: u64) -> bool {
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
                    .map(|r| r.body.as_ref())
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
pub(super) async fn fetch_json(http: &HttpClient, url: &Url, hop: &mut Hop) -> Option<Value> {
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

pub(super) fn doc_str(doc: &Value, name: &str) -> Option<String> {
    doc[name].as_str().map(str::to_string)
}

pub(super) fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_string()
    } else {
        items.join(", ")
    }
}
