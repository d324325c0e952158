//! Findings about OAuth error responses (RFC 6749 §5.2, RFC 6750 §3).
//!
//! An error response can itself break the rules: a code no specification
//! registers for the endpoint, the wrong HTTP status, characters the RFCs
//! exclude, an `error_uri` that is not a URI. [`check_error_response`] reads
//! the raw response and reports each as a [`Finding`].

use serde_json::{Map, Value};

use crate::engine::diagnose::explain::{Stage, is_known_code};
use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::endpoints::api::parse_www_authenticate;
use crate::engine::wire::http::{Exchange, RecordedResponse};

/// Findings about an error response at `stage`: the JSON body's `error`
/// fields when there are some, and for API calls the `WWW-Authenticate`
/// challenge too. Empty when the response carries no OAuth error.
pub fn check_error_response(response: &RecordedResponse, stage: Stage) -> Vec<Finding> {
    let mut findings = Vec::new();
    let status = response.status;
    let body = match serde_json::from_slice::<Value>(&response.body) {
        Ok(Value::Object(fields)) if fields.contains_key("error") => Some(fields),
        _ => None,
    };
    if let Some(fields) = &body {
        if (200..300).contains(&status) {
            findings.push(Finding::new(
                Severity::Warning,
                "error_with_success_status",
                format!("error returned with HTTP {status}; error responses use 400 (or 401)"),
                Some("RFC 6749 §5.2"),
            ));
        }
        check_fields(fields, status, stage, "", &mut findings);
    }
    let challenge = response.header("www-authenticate");
    if stage == Stage::ApiCall
        && let Some(challenge) = challenge.and_then(parse_www_authenticate)
    {
        let fields: Map<String, Value> = challenge
            .params
            .iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), Value::String(value.clone())))
            .filter(|(name, _)| name.starts_with("error"))
            .collect();
        if fields.contains_key("error") {
            check_fields(&fields, status, stage, "WWW-Authenticate: ", &mut findings);
        }
    }
    findings
}

/// Findings about how a refusal answers the client authentication the
/// request used (RFC 6749 §5.2): after credentials in the `Authorization`
/// header, `invalid_client` (or any 401) must come as 401 with a
/// `WWW-Authenticate` challenge in the scheme the client used. A client
/// that sent its credentials in the body (client_secret_post) or none is
/// owed no challenge, so none is asked for.
pub fn check_client_challenge(exchange: &Exchange, stage: Stage) -> Vec<Finding> {
    let mut findings = Vec::new();
    if stage == Stage::ApiCall || stage == Stage::Authorization {
        return findings;
    }
    let Some(response) = &exchange.response else {
        return findings;
    };
    let Some(used) = exchange
        .request
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .map(|(_, value)| value.split(' ').next().unwrap_or_default().to_string())
    else {
        return findings;
    };
    let code = serde_json::from_slice::<Value>(&response.body)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_string));
    if code.as_deref() != Some("invalid_client") && response.status != 401 {
        return findings;
    }
    let reference = Some("RFC 6749 §5.2");
    let challenges: Vec<String> = response
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("www-authenticate"))
        .flat_map(|(_, value)| challenge_schemes(value))
        .collect();
    if challenges.is_empty() {
        findings.push(Finding::new(
            Severity::Warning,
            "invalid_client_without_challenge",
            format!(
                "the client authenticated with the Authorization header ({used}) and was refused (HTTP {}) without a WWW-Authenticate challenge; the rule is 401 with a challenge in the scheme the client used",
                response.status
            ),
            reference,
        ));
    } else if !challenges.iter().any(|s| s.eq_ignore_ascii_case(&used)) {
        findings.push(Finding::new(
            Severity::Warning,
            "challenge_scheme_mismatch",
            format!(
                "the client authenticated with {used} and the server's challenge names {}; it should name the scheme the client used ({used})",
                challenges.join(", ")
            ),
            reference,
        ));
    }
    if response.status != 401 {
        findings.push(Finding::new(
            Severity::Warning,
            "invalid_client_status",
            format!(
                "the client authenticated with the Authorization header and the refusal came with HTTP {}; the rule is 401",
                response.status
            ),
            reference,
        ));
    }
    findings
}

/// The auth schemes a `WWW-Authenticate` value names (`Basic realm="x",
/// Bearer` → Basic, Bearer): a token followed by a space or the end, not
/// `name=value`.
fn challenge_schemes(value: &str) -> Vec<String> {
    value
        .split(',')
        .filter_map(|part| {
            let word = part.trim().split([' ', '\t']).next()?;
            (!word.is_empty() && !word.contains('=')).then(|| word.to_string())
        })
        .collect()
}

/// True for the statuses of a server that refuses a request: 400 and 401
/// (RFC 6749 §5.2) and the 403 many servers use. A 404 or a 405 says
/// nothing is there, which is no refusal.
pub fn is_refusal_status(status: u16) -> bool {
    matches!(status, 400 | 401 | 403)
}

/// Findings about a refusal that carries no OAuth error: a 4xx from an
/// endpoint that authenticates the client with an empty body, an HTML page
/// or JSON without `error` (RFC 6749 §5.2 wants a JSON error object).
pub fn check_refusal_without_error(exchange: &Exchange, stage: Stage) -> Vec<Finding> {
    let Some(response) = &exchange.response else {
        return Vec::new();
    };
    if !is_refusal_status(response.status) || stage == Stage::ApiCall {
        return Vec::new();
    }
    let has_error = serde_json::from_slice::<Value>(&response.body)
        .ok()
        .is_some_and(|v| v.get("error").is_some());
    if has_error {
        return Vec::new();
    }
    let sent = if response.body.iter().all(u8::is_ascii_whitespace) {
        "an empty body".to_string()
    } else {
        format!(
            "no OAuth error: {}",
            crate::engine::diagnose::findings::excerpt(&response.body, 120)
        )
    };
    vec![Finding::new(
        Severity::Warning,
        "refusal_without_error_body",
        format!(
            "the server refused (HTTP {}) without an OAuth error body — it sent {sent}; an error response is a JSON object with an error code",
            response.status
        ),
        Some("RFC 6749 §5.2"),
    )]
}

impl crate::engine::error::EngineError {
    /// Every finding about a refusal at `stage`: those found when the
    /// response was read, then what only the request and the response
    /// together show — whether a challenge was owed
    /// ([`check_client_challenge`]) and a refusal without an OAuth error
    /// body ([`check_refusal_without_error`]). Empty for failures that are
    /// not refusals.
    pub fn findings(&self, stage: Stage) -> Vec<Finding> {
        let (mut findings, exchange) = match self {
            Self::OAuth {
                findings, exchange, ..
            } => (findings.clone(), exchange),
            Self::BadResponse { exchange, .. } => (Vec::new(), exchange),
            // The hybrid flow's front-channel checks (OIDC Core §3.3.2.12).
            Self::Callback(crate::engine::wire::callback::CallbackError::HybridRejected {
                findings,
                ..
            }) => {
                return findings.clone();
            }
            _ => return Vec::new(),
        };
        let more = check_client_challenge(exchange, stage)
            .into_iter()
            .chain(check_refusal_without_error(exchange, stage));
        for finding in more {
            if !findings.iter().any(|f| f.code == finding.code) {
                findings.push(finding);
            }
        }
        findings
    }
}

/// Checks one set of error fields; `source` prefixes the messages.
fn check_fields(
    fields: &Map<String, Value>,
    status: u16,
    stage: Stage,
    source: &str,
    findings: &mut Vec<Finding>,
) {
    let reference = Some(stage.reference());
    for name in ["error", "error_description", "error_uri"] {
        match fields.get(name) {
            None | Some(Value::String(_)) => {}
            Some(other) => findings.push(Finding::new(
                Severity::Warning,
                "error_field_not_string",
                format!("{source}{name} is {other} instead of a string"),
                Some("RFC 6749 §5.2"),
            )),
        }
    }
    let text = |name: &str| fields.get(name).and_then(Value::as_str);
    let code = text("error").unwrap_or_default();

    if !stage.registers(code) {
        let (severity, finding, why) = if is_known_code(code) {
            (
                Severity::Info,
                "error_code_other_endpoint",
                format!(
                    "an OAuth code, but not one registered for {}",
                    stage.describe()
                ),
            )
        } else {
            (
                Severity::Warning,
                "error_code_unregistered",
                "not a registered OAuth error code".to_string(),
            )
        };
        findings.push(Finding::new(
            severity,
            finding,
            format!("{source}error {code:?} is {why}"),
            reference,
        ));
    }

    if let Some(expected) = expected_status(code, stage)
        && !(200..300).contains(&status)
        && !expected.contains(&status)
    {
        let expected: Vec<String> = expected.iter().map(u16::to_string).collect();
        findings.push(Finding::new(
            Severity::Warning,
            "error_status_unexpected",
            format!(
                "{source}{code} came with HTTP {status}; the rule is HTTP {}",
                expected.join(" or ")
            ),
            reference,
        ));
    }

    for (name, allowed) in [
        ("error", is_error_char as fn(char) -> bool),
        ("error_description", is_error_char),
    ] {
        if let Some(bad) = text(name).and_then(|value| value.chars().find(|c| !allowed(*c))) {
            findings.push(Finding::new(
                Severity::Warning,
                &format!("{name}_characters"),
                format!(
                    "{source}{name} contains {bad:?} (U+{:04X}), outside the allowed %x20-21 / %x23-5B / %x5D-7E",
                    bad as u32
                ),
                Some("RFC 6749 §5.2"),
            ));
        }
    }
    if let Some(uri) = text("error_uri") {
        let problem = match uri.chars().find(|c| !is_uri_char(*c)) {
            Some(bad) => Some(format!("contains {bad:?} (U+{:04X})", bad as u32)),
            None => url::Url::parse(uri)
                .err()
                .map(|err| format!("is not a URI ({err})")),
        };
        if let Some(problem) = problem {
            findings.push(Finding::new(
                Severity::Warning,
                "error_uri_invalid",
                format!("{source}error_uri {uri:?} {problem}"),
                Some("RFC 6749 §5.2"),
            ));
        }
    }
}

/// The statuses the rules give an error code at a step; `None` when they
/// say nothing (unknown codes at an API, the redirect).
fn expected_status(code: &str, stage: Stage) -> Option<&'static [u16]> {
    match stage {
        Stage::Authorization => None,
        Stage::ApiCall => match code {
            "invalid_request" => Some(&[400]),
            "invalid_token" => Some(&[401]),
            "insufficient_scope" => Some(&[403]),
            _ => None,
        },
        Stage::Introspection if code == "invalid_token" => Some(&[401]),
        Stage::Introspection if code == "insufficient_scope" => Some(&[401, 403]),
        _ if code == "invalid_client" => Some(&[400, 401]),
        _ => Some(&[400]),
    }
}

/// `%x20-21 / %x23-5B / %x5D-7E`: printable ASCII without `"` and `\`.
fn is_error_char(c: char) -> bool {
    matches!(c, '\x20'..='\x21' | '\x23'..='\x5B' | '\x5D'..='\x7E')
}

/// `%x21 / %x23-5B / %x5D-7E`: as above, without the space.
fn is_uri_char(c: char) -> bool {
    c != ' ' && is_error_char(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::GrantType;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> RecordedResponse {
        RecordedResponse {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: bytes::Bytes::copy_from_slice(body.as_bytes()),
            truncated: false,
        }
    }

    fn codes(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.code.as_str()).collect()
    }

    const TOKEN: Stage = Stage::TokenRequest(GrantType::ClientCredentials);

    #[test]
    fn a_clean_error_has_no_findings() {
        let r = response(
            400,
            &[],
            r#"{"error":"invalid_grant","error_description":"code expired","error_uri":"https://example.com/e"}"#,
        );
        assert!(check_error_response(&r, TOKEN).is_empty());
        let r = response(
            401,
            &[("WWW-Authenticate", "Basic realm=\"x\"")],
            r#"{"error":"invalid_client"}"#,
        );
        assert!(check_error_response(&r, TOKEN).is_empty());
    }

    #[test]
    fn status_code_characters_and_uri_are_checked() {
        let r = response(
            500,
            &[],
            r#"{"error":"bad thing","error_description":"say \"no\" — é","error_uri":"not a uri"}"#,
        );
        assert_eq!(
            codes(&check_error_response(&r, TOKEN)),
            vec![
                "error_code_unregistered",
                "error_status_unexpected",
                "error_description_characters",
                "error_uri_invalid"
            ]
        );
        // Whether a challenge is owed depends on the request: see
        // `the_challenge_is_owed_only_after_the_authorization_header`.
        let r = response(401, &[], r#"{"error":"invalid_client"}"#);
        assert!(check_error_response(&r, TOKEN).is_empty());
        let r = response(400, &[], r#"{"error":"server_error"}"#);
        let findings = check_error_response(&r, TOKEN);
        assert_eq!(codes(&findings), vec!["error_code_other_endpoint"]);
        assert_eq!(findings[0].severity, Severity::Info);
        let r = response(400, &[], r#"{"error":42}"#);
        assert!(codes(&check_error_response(&r, TOKEN)).contains(&"error_field_not_string"));
    }

    #[test]
    fn device_codes_are_registered_for_polling_only() {
        let r = response(400, &[], r#"{"error":"authorization_pending"}"#);
        assert!(check_error_response(&r, Stage::DevicePolling).is_empty());
        assert_eq!(
            codes(&check_error_response(&r, TOKEN)),
            vec!["error_code_other_endpoint"]
        );
    }

    #[test]
    fn api_challenges_are_checked_against_rfc_6750() {
        let r = response(
            401,
            &[(
                "www-authenticate",
                r#"Bearer error="invalid_token", error_description="expired""#,
            )],
            "",
        );
        assert!(check_error_response(&r, Stage::ApiCall).is_empty());
        let r = response(
            400,
            &[("www-authenticate", r#"Bearer error="token_expired""#)],
            r#"{"error":"invalid_token"}"#,
        );
        let findings = check_error_response(&r, Stage::ApiCall);
        assert_eq!(
            codes(&findings),
            vec!["error_status_unexpected", "error_code_unregistered"]
        );
        assert!(findings[1].message.starts_with("WWW-Authenticate: "));
        assert_eq!(findings[1].reference.as_deref(), Some("RFC 6750 §3.1"));
    }

    #[test]
    fn a_body_without_an_error_has_nothing_to_check() {
        for body in ["", "<html></html>", "[]", r#"{"message":"no"}"#] {
            assert!(check_error_response(&response(500, &[], body), TOKEN).is_empty());
        }
    }

    fn exchange(authorization: Option<&str>, response: RecordedResponse) -> Exchange {
        let mut headers = Vec::new();
        if let Some(value) = authorization {
            headers.push(("Authorization".to_string(), value.to_string()));
        }
        Exchange {
            id: 1,
            kind: crate::engine::wire::http::ExchangeKind::Token,
            started_at: chrono::Utc::now(),
            duration: std::time::Duration::ZERO,
            request: crate::engine::wire::http::RecordedRequest {
                method: "POST".to_string(),
                url: "http://127.0.0.1/token".to_string(),
                headers,
                body: bytes::Bytes::new(),
            },
            response: Some(response),
            error: None,
        }
    }

    #[test]
    fn the_challenge_is_owed_only_after_the_authorization_header() {
        let bare = || response(401, &[], r#"{"error":"invalid_client"}"#);
        // client_secret_post: no Authorization header, no challenge owed.
        assert!(check_client_challenge(&exchange(None, bare()), TOKEN).is_empty());
        assert_eq!(
            codes(&check_client_challenge(
                &exchange(Some("Basic eDp5"), bare()),
                TOKEN
            )),
            vec!["invalid_client_without_challenge"]
        );
        let bearer = response(
            401,
            &[("WWW-Authenticate", "Bearer realm=\"x\"")],
            r#"{"error":"invalid_client"}"#,
        );
        assert_eq!(
            codes(&check_client_challenge(
                &exchange(Some("Basic eDp5"), bearer),
                TOKEN
            )),
            vec!["challenge_scheme_mismatch"]
        );
        let basic = response(
            401,
            &[("WWW-Authenticate", "Bearer, Basic realm=\"x\"")],
            r#"{"error":"invalid_client"}"#,
        );
        assert!(check_client_challenge(&exchange(Some("Basic eDp5"), basic), TOKEN).is_empty());
    }

    #[test]
    fn a_refusal_without_an_error_body_is_a_finding() {
        let empty = exchange(None, response(403, &[], ""));
        assert_eq!(
            codes(&check_refusal_without_error(&empty, TOKEN)),
            vec!["refusal_without_error_body"]
        );
        let oauth = exchange(None, response(400, &[], r#"{"error":"invalid_grant"}"#));
        assert!(check_refusal_without_error(&oauth, TOKEN).is_empty());
        // A 404 says nothing is there; it is no refusal.
        let missing = exchange(None, response(404, &[], ""));
        assert!(check_refusal_without_error(&missing, TOKEN).is_empty());
    }
}
