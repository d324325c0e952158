//! Token introspection responses (RFC 7662 §2.2).
//!
//! [`check_introspection`] reads a response tolerantly, like the token
//! response parser: it returns whatever JSON came back and says, finding by
//! finding, where it breaks RFC 7662. [`introspect`] asks the profile's
//! introspection endpoint about a token, the client authenticating as it
//! does at the token endpoint.

use serde_json::Value;

use crate::engine::client::auth as client_auth;
use crate::engine::diagnose::explain::Stage;
use crate::engine::diagnose::findings::{Finding, Severity, content_type_not_json, excerpt};
use crate::engine::diagnose::spec::{check_client_challenge, check_error_response};
use crate::engine::error::EngineError;
use crate::engine::oauth_error::parse_oauth_error;
use crate::engine::profile::{Profile, ProfileError};
use crate::engine::store::secret::Secret;
use crate::engine::wire::http::{Exchange, ExchangeKind, HttpClient, RecordedResponse};

/// What the introspection endpoint said about a token.
#[derive(Debug, Clone)]
pub struct Introspected {
    /// The response's JSON (`None` when it is not JSON).
    pub value: Option<Value>,
    /// `active`, when it is the boolean it should be.
    pub active: Option<bool>,
    /// What was odd about the response.
    pub findings: Vec<Finding>,
    /// The exchange.
    pub exchange: Exchange,
}

/// Asks the profile's introspection endpoint about `token` (RFC 7662 §2.1).
/// An OAuth error (RFC 7662 §2.3) is an [`EngineError::OAuth`]; anything
/// else that came back is returned with its findings.
pub async fn introspect(
    profile: &Profile,
    http: &HttpClient,
    token: &Secret,
    hint: Option<&str>,
) -> Result<Introspected, EngineError> {
    let endpoint = profile.endpoints.introspection.clone().ok_or_else(|| {
        ProfileError::field(
            "introspection_endpoint",
            "is required to introspect a token",
        )
    })?;
    let mut findings = Vec::new();
    let mut params = vec![("token".to_string(), token.expose().to_string())];
    if let Some(hint) = hint {
        params.push(("token_type_hint".to_string(), hint.to_string()));
    }
    let request = client_auth::form_post(
        profile,
        profile.introspection_auth_method,
        &endpoint,
        params,
        &mut findings,
    )?;
    let exchange =
        EngineError::require_response(http.send(request, ExchangeKind::Introspection).await)?;
    let Some(response) = exchange.response.as_ref() else {
        return Err(EngineError::Unsupported("no response".to_string()));
    };
    let (value, checked) = check_introspection(response);
    findings.extend(checked);
    findings.extend(crate::engine::wire::clock::skew_finding(&exchange));
    if value.as_ref().is_some_and(|v| v.get("error").is_some())
        && let Some(error) = parse_oauth_error(response.status, &response.body)
    {
        findings.extend(check_client_challenge(&exchange, Stage::Introspection));
        return Err(EngineError::OAuth {
            error,
            findings,
            exchange: Box::new(exchange),
        });
    }
    if response.status >= 400 {
        let message = if crate::engine::diagnose::spec::is_refusal_status(response.status) {
            format!(
                "the server refused the introspection request (HTTP {}) without an OAuth error body (RFC 7662 §2.3, RFC 6749 §5.2); it sent {}",
                response.status,
                sent(&response.body)
            )
        } else {
            format!(
                "the introspection endpoint answered HTTP {}: {}",
                response.status,
                excerpt(&response.body, 300)
            )
        };
        return Err(EngineError::BadResponse {
            message,
            exchange: Box::new(exchange),
        });
    }
    let active = value
        .as_ref()
        .and_then(|v| v.get("active"))
        .and_then(Value::as_bool);
    // With a client certificate, say whether the token is bound to it
    // (RFC 8705 §3.2: introspection returns the `cnf` claim).
    if active == Some(true)
        && let (Some(cert), Some(value)) = (&profile.http.client_cert_file, &value)
    {
        findings.extend(crate::engine::client::keys::check_certificate_binding(
            cert, value,
        ));
    }
    Ok(Introspected {
        value,
        active,
        findings,
        exchange,
    })
}

/// A body for a message: "an empty body" or an excerpt.
fn sent(body: &[u8]) -> String {
    if body.iter().all(u8::is_ascii_whitespace) {
        "an empty body".to_string()
    } else {
        excerpt(body, 300)
    }
}

/// The response's JSON (`None` when the body is not JSON) and the findings
/// about it. An error response (RFC 7662 §2.3) gets the error checks.
pub fn check_introspection(response: &RecordedResponse) -> (Option<Value>, Vec<Finding>) {
    let mut findings = Vec::new();
    let reference = Some("RFC 7662 §2.2");
    let content_type = response.header("content-type").unwrap_or("");
    findings.extend(content_type_not_json(content_type, "RFC 7662 §2.2"));
    let value: Value = match serde_json::from_slice(&response.body) {
        Ok(value) => value,
        Err(err) => {
            findings.push(Finding::new(
                Severity::Error,
                "introspection_not_json",
                format!(
                    "the introspection response is not JSON ({err}): {}",
                    excerpt(&response.body, 200)
                ),
                reference,
            ));
            return (None, findings);
        }
    };
    let Value::Object(fields) = &value else {
        findings.push(Finding::new(
            Severity::Error,
            "introspection_not_object",
            "the introspection response is JSON but not an object",
            reference,
        ));
        return (Some(value), findings);
    };
    if fields.contains_key("error") {
        findings.extend(check_error_response(response, Stage::Introspection));
        return (Some(value), findings);
    }
    if response.status != 200 {
        findings.push(Finding::new(
            Severity::Warning,
            "introspection_status_not_200",
            format!(
                "introspection response with HTTP {}; it uses 200",
                response.status
            ),
            reference,
        ));
    }

    match fields.get("active") {
        Some(Value::Bool(_)) => {}
        None => findings.push(Finding::new(
            Severity::Error,
            "introspection_active_missing",
            "active is missing; it is REQUIRED",
            reference,
        )),
        Some(other) => findings.push(Finding::new(
            Severity::Warning,
            "introspection_active_not_boolean",
            format!("active is {other}, not the boolean true or false"),
            reference,
        )),
    }
    for claim in ["exp", "iat", "nbf"] {
        match fields.get(claim) {
            None => {}
            Some(Value::Number(n)) if n.is_u64() => {}
            Some(other) => findings.push(Finding::new(
                Severity::Warning,
                &format!("introspection_{claim}_not_number"),
                format!("{claim} is {other}; it is a number of seconds since 1970 (NumericDate)"),
                reference,
            )),
        }
    }
    match fields.get("scope") {
        None | Some(Value::String(_)) => {}
        Some(other) => findings.push(Finding::new(
            Severity::Warning,
            "introspection_scope_not_string",
            format!("scope is {other}; it is one space-separated string"),
            reference,
        )),
    }
    if let Some(Value::String(scope)) = fields.get("scope")
        && scope.contains(',')
        && !scope.trim().contains(' ')
    {
        findings.push(Finding::new(
            Severity::Info,
            "introspection_scope_commas",
            format!("scope {scope:?} looks comma-separated; scopes are separated by spaces"),
            Some("RFC 6749 §3.3"),
        ));
    }
    for name in ["client_id", "username", "token_type", "sub", "iss", "jti"] {
        match fields.get(name) {
            None | Some(Value::String(_)) => {}
            Some(other) => findings.push(Finding::new(
                Severity::Warning,
                &format!("introspection_{name}_not_string"),
                format!("{name} is {other}, not a string"),
                reference,
            )),
        }
    }
    if fields.get("active") == Some(&Value::Bool(false)) && fields.len() > 1 {
        findings.push(Finding::new(
            Severity::Info,
            "introspection_inactive_with_details",
            "an inactive token's response carries more than active: false; servers SHOULD NOT disclose more",
            reference,
        ));
    }
    (Some(value), findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, content_type: &str, body: &str) -> RecordedResponse {
        RecordedResponse {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: bytes::Bytes::copy_from_slice(body.as_bytes()),
            truncated: false,
        }
    }

    fn codes(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn a_clean_response_has_no_findings() {
        let (value, findings) = check_introspection(&response(
            200,
            "application/json",
            r#"{"active":true,"scope":"read write","client_id":"c","exp":1900000000,"iat":1800000000}"#,
        ));
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(value.expect("json")["active"], true);
        let (_, findings) =
            check_introspection(&response(200, "application/json", r#"{"active":false}"#));
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn field_types_are_checked() {
        let (value, findings) = check_introspection(&response(
            200,
            "text/plain",
            r#"{"active":"true","exp":"1900000000","nbf":1.5,"scope":["a","b"],"client_id":7}"#,
        ));
        assert!(value.is_some());
        assert_eq!(
            codes(&findings),
            vec![
                "content_type_not_json",
                "introspection_active_not_boolean",
                "introspection_exp_not_number",
                "introspection_nbf_not_number",
                "introspection_scope_not_string",
                "introspection_client_id_not_string",
            ]
        );
        let (_, findings) =
            check_introspection(&response(200, "application/json", r#"{"scope":"a,b"}"#));
        assert_eq!(
            codes(&findings),
            vec!["introspection_active_missing", "introspection_scope_commas"]
        );
        assert_eq!(findings[0].severity, Severity::Error);
    }

    #[test]
    fn inactive_tokens_should_say_nothing_more() {
        let (_, findings) = check_introspection(&response(
            200,
            "application/json",
            r#"{"active":false,"sub":"alice"}"#,
        ));
        assert_eq!(
            codes(&findings),
            vec!["introspection_inactive_with_details"]
        );
    }

    #[test]
    fn garbage_and_errors() {
        let (value, findings) = check_introspection(&response(200, "text/html", "<html>"));
        assert_eq!(value, None);
        assert_eq!(
            codes(&findings),
            vec!["content_type_not_json", "introspection_not_json"]
        );
        let (value, findings) = check_introspection(&response(200, "application/json", "[]"));
        assert_eq!(value, Some(serde_json::json!([])));
        assert_eq!(codes(&findings), vec!["introspection_not_object"]);
        let (_, findings) = check_introspection(&response(
            500,
            "application/json",
            r#"{"error":"invalid_client"}"#,
        ));
        assert_eq!(codes(&findings), vec!["error_status_unexpected"]);
        let (_, findings) =
            check_introspection(&response(201, "application/json", r#"{"active":true}"#));
        assert_eq!(codes(&findings), vec!["introspection_status_not_200"]);
    }
}
