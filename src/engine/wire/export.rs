//! A finished run's exchanges, exported: a Mermaid `sequenceDiagram`
//! (renders on GitHub as it is) and a bash script of curl commands that
//! replays the requests a script can repeat. HAR is [`crate::engine::wire::har`].
//!
//! Neither carries a secret unless asked: the diagram shows methods, paths
//! and statuses only (never a query string, a header or a body), and the
//! script takes every secret from a shell variable ([`crate::engine::wire::curl`]).

use std::fmt::Write as _;

use crate::engine::wire::http::{Exchange, ExchangeKind};

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A Mermaid sequence diagram.
    Mermaid,
    /// A bash script of curl commands.
    Curl,
    /// HAR 1.2.
    Har,
}

impl Format {
    /// Every format, as written on the command line.
    pub const NAMES: [&str; 3] = ["mermaid", "curl", "har"];

    /// Reads a command-line name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "mermaid" => Some(Self::Mermaid),
            "curl" => Some(Self::Curl),
            "har" => Some(Self::Har),
            _ => None,
        }
    }
}

/// Who takes part, as the Flow tab draws them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Browser,
    Client,
    AuthorizationServer,
    ResourceServer,
}

impl Actor {
    fn id(self) -> &'static str {
        match self {
            Self::Browser => "B",
            Self::Client => "C",
            Self::AuthorizationServer => "AS",
            Self::ResourceServer => "RS",
        }
    }
}

/// The path of a URL, without its query (which may carry a code or a
/// token).
fn path_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| url.split('?').next().unwrap_or_default().to_string())
}

/// Text safe in a Mermaid message: `;` ends a statement and `#` starts an
/// entity, so both are written as entities.
fn message(text: &str) -> String {
    text.replace('#', "#35;")
        .replace(';', "#59;")
        .replace(['\n', '\r'], " ")
}

/// The exchanges as a Mermaid sequence diagram: the four actors, one arrow
/// per exchange — the request, labelled with its answer.
pub fn mermaid(exchanges: &[Exchange]) -> String {
    let mut out = String::from(
        "sequenceDiagram\n    participant B as Browser (resource owner)\n    participant C as This app (client)\n    participant AS as Authorization server\n    participant RS as Resource server\n",
    );
    for exchange in exchanges {
        let path = path_of(&exchange.request.url);
        let (from, to) = match exchange.kind {
            // A request the loopback listener received (and refused).
            ExchangeKind::Callback => (Actor::Browser, Actor::Client),
            ExchangeKind::Api => (Actor::Client, Actor::ResourceServer),
            ExchangeKind::Discovery
                if path.starts_with("/.well-known/oauth-protected-resource") =>
            {
                (Actor::Client, Actor::ResourceServer)
            }
            _ => (Actor::Client, Actor::AuthorizationServer),
        };
        let answer = match (&exchange.response, &exchange.error) {
            (Some(response), _) => {
                let error =
                    crate::engine::oauth_error::parse_oauth_error(response.status, &response.body)
                        .map(|e| format!(" {}", e.error))
                        .unwrap_or_default();
                format!("{}{error}", response.status)
            }
            (None, Some(error)) => format!("no answer: {}", error.message),
            (None, None) => "no answer".to_string(),
        };
        let _ = writeln!(
            out,
            "    {}->>{}: {}",
            from.id(),
            to.id(),
            message(&format!(
                "{} {path} → {answer} (exchange {})",
                exchange.request.method, exchange.id
            ))
        );
    }
    out
}

/// The requests a script can send again, in order: everything this app
/// sent (not what the loopback listener received, nor the preflight of an
/// authorization request, which is the browser's to follow).
pub fn replayable(exchanges: &[Exchange]) -> Vec<&Exchange> {
    exchanges
        .iter()
        .filter(|e| !matches!(e.kind, ExchangeKind::Callback | ExchangeKind::Authorize))
        .collect()
}

/// The replayable requests as a bash script, each printing its status;
/// secrets are shell variables, set by the script only with
/// `include_secrets`.
pub fn curl_script(exchanges: &[Exchange], include_secrets: bool) -> String {
    let requests: Vec<_> = replayable(exchanges)
        .into_iter()
        .map(|e| &e.request)
        .collect();
    crate::engine::wire::curl::to_curl_run_script(&requests, include_secrets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::wire::http::{RecordedRequest, RecordedResponse};

    fn exchange(id: u64, kind: ExchangeKind, method: &str, url: &str, status: u16) -> Exchange {
        Exchange {
            id,
            kind,
            started_at: chrono::Utc::now(),
            duration: std::time::Duration::from_millis(1),
            request: RecordedRequest {
                method: method.to_string(),
                url: url.to_string(),
                headers: vec![("authorization".into(), "Bearer s3cr3t-token".into())],
                body: bytes::Bytes::new(),
            },
            response: Some(RecordedResponse {
                status,
                headers: Vec::new(),
                body: bytes::Bytes::from_static(br#"{"error":"invalid_grant"}"#),
                truncated: false,
            }),
            error: None,
        }
    }

    #[test]
    fn the_diagram_names_the_four_actors_and_never_a_secret() {
        let diagram = mermaid(&[
            exchange(1, ExchangeKind::Token, "POST", "http://as/token", 400),
            exchange(
                2,
                ExchangeKind::Api,
                "GET",
                "http://rs/api?access_token=s3cr3t-token;x",
                200,
            ),
            exchange(
                3,
                ExchangeKind::Callback,
                "GET",
                "http://127.0.0.1:1/callback?code=c0de",
                400,
            ),
        ]);
        let lines: Vec<&str> = diagram.lines().collect();
        assert_eq!(lines[0], "sequenceDiagram");
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.trim().starts_with("participant"))
                .count(),
            4
        );
        assert_eq!(
            lines[5],
            "    C->>AS: POST /token → 400 invalid_grant (exchange 1)"
        );
        assert!(lines[6].starts_with("    C->>RS: GET /api → 200"));
        assert!(lines[7].starts_with("    B->>C: GET /callback → 400"));
        assert!(!diagram.contains("s3cr3t") && !diagram.contains("c0de"));
    }

    #[test]
    fn the_script_replays_what_the_app_sent_with_secrets_as_variables() {
        let exchanges = [
            exchange(
                1,
                ExchangeKind::Authorize,
                "GET",
                "http://as/authorize?x=1",
                200,
            ),
            exchange(2, ExchangeKind::Api, "GET", "http://rs/api", 200),
        ];
        let script = curl_script(&exchanges, false);
        assert!(script.starts_with("#!/usr/bin/env bash\n"));
        assert!(script.contains(": \"${ACCESS_TOKEN:?set ACCESS_TOKEN first"));
        assert!(script.contains("# 1. GET http://rs/api"));
        assert!(
            !script.contains("/authorize"),
            "the browser's step is not replayed"
        );
        assert!(!script.contains("s3cr3t-token"));
        let with = curl_script(&exchanges, true);
        assert!(with.contains("export ACCESS_TOKEN=s3cr3t-token"));
    }
}
