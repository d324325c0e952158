//! Token responses (RFC 6749 §5.1) and OAuth error responses (§5.2).
//!
//! The oauth2 crate parses token responses strictly, and real servers break
//! its rules: no `token_type`, `expires_in` as a string, the wrong
//! Content-Type. [`parse_token_response`] reads the raw response tolerantly,
//! builds a [`TokenSet`] whenever an access token is there to be had, and
//! records each deviation as a [`Finding`] citing the rule it breaks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::engine::diagnose::explain::Stage;
use crate::engine::diagnose::findings::{Finding, Severity, content_type_not_json, excerpt};
use crate::engine::diagnose::spec::{check_error_response, is_refusal_status};
use crate::engine::jwt::{self, DecodedJwt};
use crate::engine::oauth_error::OAuthError;
use crate::engine::oauth_error::value_text;
use crate::engine::profile::{CompatFile, GrantType};
use crate::engine::store::secret::Secret;
use crate::engine::wire::compat;
use crate::engine::wire::http::RecordedResponse;

/// The tokens one response produced, with everything known about them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenSet {
    /// The access token.
    pub access_token: Secret,
    /// `token_type` as sent (`None` when the server left it out).
    pub token_type: Option<String>,
    /// Lifetime in seconds, as understood.
    pub expires_in: Option<u64>,
    /// When the access token expires: receipt time plus `expires_in`.
    pub expires_at: Option<DateTime<Utc>>,
    /// The refresh token, if one came.
    pub refresh_token: Option<Secret>,
    /// Granted scope, when the server said.
    pub scope: Option<String>,
    /// OpenID Connect ID token.
    pub id_token: Option<Secret>,
    /// Every other field of the response.
    pub other: Map<String, Value>,
    /// What was odd about the response.
    pub findings: Vec<Finding>,
    /// The response as parsed JSON.
    pub raw: Value,
    /// The body exactly as received, when it is not the JSON in `raw`
    /// (invalid JSON that `compat.repair_json` repaired).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_text: Option<String>,
    /// When the response arrived.
    pub obtained_at: DateTime<Utc>,
    /// The grant that produced it.
    pub grant: GrantType,
    /// The exchange that carried it; `None` for tokens that came through
    /// the browser (implicit grant).
    pub exchange_id: Option<u64>,
    /// JWTs found among the tokens, decoded for display (not verified).
    pub jwts: Vec<DecodedJwt>,
    /// The OpenID Connect `nonce` sent in the authorization request that
    /// led to these tokens, for validating the ID token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The `acr_values` and `max_age` the authorization request asked for
    /// (RFC 9470 §4), for checking the tokens' `acr` and `auth_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_requirement: Option<crate::engine::requests::step_up::AuthRequirement>,
    /// `issued_token_type` of a token exchange response (RFC 8693 §2.2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<String>,
    /// The delegation chain in a JWT access token's `act` claim (RFC 8693
    /// §4.1): the current actor first, then each prior actor, each with its
    /// claims but without the nested `act`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegation: Vec<Map<String, Value>>,
    /// Rich authorization requests (RFC 9396): the `authorization_details`
    /// asked for beside those the response granted (§7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details: Option<crate::engine::requests::rar::AskedGranted>,
}

impl TokenSet {
    /// Seconds until expiry at `now` (negative once expired); `None` when the
    /// lifetime is unknown.
    pub fn seconds_left(&self, now: DateTime<Utc>) -> Option<i64> {
        self.expires_at.map(|at| (at - now).num_seconds())
    }

    /// The token type to use on API calls: the server's, or Bearer when it
    /// sent none.
    pub fn effective_token_type(&self) -> &str {
        self.token_type.as_deref().unwrap_or("Bearer")
    }

    /// Whether the server issued a DPoP-bound token (`token_type` DPoP,
    /// compared case-insensitively: RFC 9449 §5, RFC 6749 §7.1). Only such
    /// a token is sent with `Authorization: DPoP` and a proof.
    pub fn is_dpop_bound(&self) -> bool {
        self.effective_token_type().eq_ignore_ascii_case("dpop")
    }
}

/// Why a token response gave no tokens.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TokenResponseError {
    /// The server answered with an OAuth error.
    #[error("the server refused: {0}")]
    OAuth(OAuthError, Vec<Finding>),
    /// The server answered with something that is not a token response.
    #[error("{0}")]
    Malformed(String),
}

/// Reads a token endpoint response tolerantly.
///
/// `strict_error` is what the oauth2 crate said when its strict parse failed;
/// it becomes a finding, so the user knows strict clients will break.
/// `compat` says which deviations to accept (each then noted as a finding);
/// `notes` are findings about how the request was sent.
pub fn parse_token_response(
    response: &RecordedResponse,
    grant: GrantType,
    exchange_id: u64,
    obtained_at: DateTime<Utc>,
    strict_error: Option<&str>,
    compat: &CompatFile,
    notes: Vec<Finding>,
) -> Result<TokenSet, TokenResponseError> {
    let status = response.status;
    let mut findings = notes;
    let mut raw_text = None;
    let content_type = response.header("content-type").unwrap_or("");

    let empty = response.body.iter().all(u8::is_ascii_whitespace);
    let refused = |sent: String| {
        // A refusal, not a token response gone wrong: say so, not what a
        // token response should look like.
        TokenResponseError::Malformed(format!(
            "the server refused the token request (HTTP {status}) without an OAuth error body (RFC 6749 §5.2); it sent {sent}"
        ))
    };
    if empty && is_refusal_status(status) {
        return Err(refused("an empty body".to_string()));
    }
    if empty {
        return Err(TokenResponseError::Malformed(format!(
            "the token endpoint answered HTTP {status} with an empty body; a token response is a JSON object (RFC 6749 §5.1)"
        )));
    }
    let parsed =
        serde_json::from_slice(&response.body).map_err(|err| (err, repaired_json(&response.body)));
    let value: Value = match parsed {
        Ok(value) => value,
        Err((err, Some(repaired))) => {
            if !compat.repair_json {
                return Err(TokenResponseError::Malformed(format!(
                    "the token endpoint answered HTTP {status} with invalid JSON: a trailing comma ({err}); set repair_json = true under [compat] to repair it; it sent: {}",
                    excerpt(&response.body, 300)
                )));
            }
            findings.push(Finding::new(
                Severity::Error,
                "json_repaired",
                format!("invalid JSON ({err}): a trailing comma, removed by compat.repair_json; strict clients fail on this response"),
                Some("RFC 8259 §4"),
            ));
            raw_text = Some(String::from_utf8_lossy(&response.body).into_owned());
            repaired
        }
        Err((_, None)) if is_refusal_status(status) => {
            return Err(refused(excerpt(&response.body, 300)));
        }
        Err((err, None)) => {
            let what = if content_type.to_ascii_lowercase().contains("html") {
                "an HTML page"
            } else {
                "a body that is not JSON"
            };
            return Err(TokenResponseError::Malformed(format!(
                "the token endpoint answered HTTP {status} with {what} ({err}); it sent: {}",
                excerpt(&response.body, 300)
            )));
        }
    };
    let Value::Object(fields) = value.clone() else {
        return Err(TokenResponseError::Malformed(format!(
            "the token endpoint answered HTTP {status} with JSON that is not an object: {}",
            excerpt(&response.body, 300)
        )));
    };

    let content_type_note = content_type_not_json(content_type, "RFC 6749 §5.1");
    if let Some(note) = &content_type_note {
        findings.push(note.clone());
    }

    if let Some(error) = fields.get("error") {
        let oauth = OAuthError {
            error: value_text(error),
            error_description: fields.get("error_description").map(value_text),
            error_uri: fields.get("error_uri").map(value_text),
            status,
        };
        findings.extend(check_error_response(response, Stage::TokenRequest(grant)));
        return Err(TokenResponseError::OAuth(oauth, findings));
    }
    if is_refusal_status(status) {
        return Err(TokenResponseError::Malformed(format!(
            "the server refused the token request (HTTP {status}) without an OAuth error code (RFC 6749 §5.2); it sent: {}",
            excerpt(&response.body, 300)
        )));
    }
    if !(200..300).contains(&status) {
        return Err(TokenResponseError::Malformed(format!(
            "the token endpoint answered HTTP {status} without an OAuth error code; it sent: {}",
            excerpt(&response.body, 300)
        )));
    }
    if status != 200 {
        if !compat.accept_any_2xx {
            return Err(TokenResponseError::Malformed(format!(
                "the token endpoint answered HTTP {status}; a successful token response uses 200 (RFC 6749 §5.1); set accept_any_2xx = true under [compat] to use it; it sent: {}",
                excerpt(&response.body, 300)
            )));
        }
        findings.push(Finding::new(
            Severity::Warning,
            "success_status_not_200",
            format!(
                "token response with HTTP {status}, used because of compat.accept_any_2xx; a successful token response uses 200"
            ),
            Some("RFC 6749 §5.1"),
        ));
    }
    if let Some(note) = content_type_note
        && !compat.accept_non_json_content_type
    {
        return Err(TokenResponseError::Malformed(format!(
            "the token endpoint's answer has {} (RFC 6749 §5.1); set accept_non_json_content_type = true under [compat] to use it; it sent: {}",
            note.message,
            excerpt(&response.body, 300)
        )));
    }

    if !response
        .header("cache-control")
        .is_some_and(|v| v.to_ascii_lowercase().contains("no-store"))
    {
        findings.push(Finding::new(
            Severity::Info,
            "cache_control_missing",
            "Cache-Control: no-store missing on a response carrying tokens",
            Some("RFC 6749 §5.1"),
        ));
    }
    if let Some(strict) = strict_error {
        findings.push(Finding::new(
            Severity::Warning,
            "strict_parse_failed",
            format!("a strict OAuth client (the oauth2 crate) rejects this response: {strict}"),
            None,
        ));
    }
    let mut tokens = token_set_from_fields(
        fields,
        value,
        findings,
        grant,
        Some(exchange_id),
        obtained_at,
        &|| excerpt(&response.body, 300),
    )?;
    tokens.raw_text = raw_text;
    Ok(tokens)
}

/// The body as JSON after removing trailing commas, when that is the only
/// thing wrong with it.
fn repaired_json(body: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(body).ok()?;
    serde_json::from_str(&compat::repair_json(text)?).ok()
}

/// Builds a token set from the fields of a token response (a JSON body, or
/// the fragment of an implicit grant redirect), checking each field.
/// `quote` gives what to quote in an error.
pub fn token_set_from_fields(
    mut fields: Map<String, Value>,
    value: Value,
    mut findings: Vec<Finding>,
    grant: GrantType,
    exchange_id: Option<u64>,
    obtained_at: DateTime<Utc>,
    quote: &dyn Fn() -> String,
) -> Result<TokenSet, TokenResponseError> {
    let access_token = match fields.remove("access_token") {
        Some(Value::String(token)) if !token.is_empty() => Secret::new(token),
        Some(other) => {
            return Err(TokenResponseError::Malformed(format!(
                "the token response's access_token is not a non-empty string (it is {}); the response was: {}",
                json_kind(&other),
                quote()
            )));
        }
        None => {
            return Err(TokenResponseError::Malformed(format!(
                "the token response has no access_token (RFC 6749 §5.1); the response was: {}",
                quote()
            )));
        }
    };

    let token_type = match fields.remove("token_type") {
        None | Some(Value::Null) => {
            findings.push(Finding::new(
                Severity::Warning,
                "token_type_missing",
                "token_type missing; treated as Bearer",
                Some("RFC 6749 §5.1"),
            ));
            None
        }
        Some(Value::String(kind)) => {
            // "Bearer" is the registered form (RFC 6750 §6.1.1) and
            // "bearer" the one RFC 6749 §5.1 examples use; the value is
            // case-insensitive (§5.1), so only other spellings are noted.
            if kind == "bearer" || kind == "Bearer" || kind.eq_ignore_ascii_case("dpop") {
                // DPoP tokens are sent with their own scheme and a proof
                // (RFC 9449 §7.1); the DPoP checks report on them.
            } else if kind.eq_ignore_ascii_case("bearer") {
                findings.push(Finding::new(
                    Severity::Info,
                    "token_type_case",
                    format!(
                        "token_type '{kind}' is neither the registered 'Bearer' nor 'bearer'; it is compared case-insensitively, strict clients may not"
                    ),
                    Some("RFC 6750 §6.1.1"),
                ));
            } else {
                findings.push(Finding::new(
                    Severity::Info,
                    "token_type_not_bearer",
                    format!("token_type '{kind}' is not bearer; API calls may need another scheme"),
                    Some("RFC 6749 §7.1"),
                ));
            }
            Some(kind)
        }
        Some(other) => {
            findings.push(Finding::new(
                Severity::Warning,
                "token_type_not_string",
                format!(
                    "token_type is {} instead of a string; treated as Bearer",
                    json_kind(&other)
                ),
                Some("RFC 6749 §5.1"),
            ));
            None
        }
    };

    let expires_in = match fields.remove("expires_in") {
        None | Some(Value::Null) => {
            findings.push(Finding::new(
                Severity::Info,
                "expires_in_missing",
                "expires_in missing; the token's lifetime is unknown",
                Some("RFC 6749 §5.1"),
            ));
            None
        }
        Some(Value::Number(n)) => match n.as_u64() {
            Some(secs) => Some(secs),
            None => {
                findings.push(Finding::new(
                    Severity::Warning,
                    "expires_in_not_integer",
                    format!("expires_in is {n}, not a non-negative whole number of seconds"),
                    Some("RFC 6749 §5.1"),
                ));
                n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)
            }
        },
        Some(Value::String(text)) => match text.trim().parse::<u64>() {
            Ok(secs) => {
                findings.push(Finding::new(
                    Severity::Warning,
                    "expires_in_string",
                    format!("expires_in is a string (\"{text}\"), not a number"),
                    Some("RFC 6749 §5.1"),
                ));
                Some(secs)
            }
            Err(_) => {
                findings.push(Finding::new(
                    Severity::Warning,
                    "expires_in_invalid",
                    format!("expires_in is \"{text}\", which is not a number of seconds; ignored"),
                    Some("RFC 6749 §5.1"),
                ));
                None
            }
        },
        Some(other) => {
            findings.push(Finding::new(
                Severity::Warning,
                "expires_in_invalid",
                format!("expires_in is {}; ignored", json_kind(&other)),
                Some("RFC 6749 §5.1"),
            ));
            None
        }
    };
    let expires_at = expires_in
        .and_then(|secs| i64::try_from(secs).ok())
        .and_then(chrono::TimeDelta::try_seconds)
        .and_then(|delta| obtained_at.checked_add_signed(delta));

    let refresh_token =
        optional_string(&mut fields, "refresh_token", "RFC 6749 §5.1", &mut findings)
            .map(Secret::new);
    let scope = match fields.remove("scope") {
        Some(Value::Array(items)) => {
            findings.push(Finding::new(
                Severity::Warning,
                "scope_not_string",
                "scope is a JSON array; it should be one space-separated string",
                Some("RFC 6749 §3.3"),
            ));
            Some(items.iter().map(value_text).collect::<Vec<_>>().join(" "))
        }
        Some(value) => {
            fields.insert("scope".to_string(), value);
            optional_string(&mut fields, "scope", "RFC 6749 §3.3", &mut findings)
        }
        None => None,
    };
    let id_token = optional_string(
        &mut fields,
        "id_token",
        "OpenID Connect Core §3.1.3.3",
        &mut findings,
    )
    .map(Secret::new);
    let issued_token_type = optional_string(
        &mut fields,
        "issued_token_type",
        "RFC 8693 §2.2.1",
        &mut findings,
    );

    let mut jwts = Vec::new();
    let mut delegation = Vec::new();
    if let Ok(decoded) = jwt::decode("access_token", access_token.expose()) {
        delegation = delegation_chain(&decoded.claims, &mut findings);
        jwts.push(decoded);
    }
    if let Some(id_token) = &id_token {
        match jwt::decode("id_token", id_token.expose()) {
            Ok(decoded) => jwts.push(decoded),
            Err(err) => findings.push(Finding::new(
                Severity::Error,
                "id_token_not_jwt",
                format!("id_token is not a JWT: {err}"),
                Some("OpenID Connect Core §2"),
            )),
        }
    }

    Ok(TokenSet {
        access_token,
        token_type,
        expires_in,
        expires_at,
        refresh_token,
        scope,
        id_token,
        other: fields,
        findings,
        raw: value,
        raw_text: None,
        obtained_at,
        grant,
        exchange_id,
        jwts,
        nonce: None,
        auth_requirement: None,
        issued_token_type,
        delegation,
        authorization_details: None,
    })
}

/// How deep a delegation chain is followed; deeper ones are cut, said so.
const MAX_DELEGATION_DEPTH: usize = 32;

/// The actors of `claims`' `act` claim, outermost (current) first (RFC 8693
/// §4.1). An `act` that is not a JSON object is a finding.
pub fn delegation_chain(claims: &Value, findings: &mut Vec<Finding>) -> Vec<Map<String, Value>> {
    let mut chain = Vec::new();
    let mut act = claims.get("act");
    while let Some(value) = act {
        let Value::Object(actor) = value else {
            findings.push(Finding::new(
                Severity::Warning,
                "act_not_object",
                format!(
                    "an act claim in the access token is {}; it must be a JSON object naming the actor",
                    json_kind(value)
                ),
                Some("RFC 8693 §4.1"),
            ));
            break;
        };
        if chain.len() == MAX_DELEGATION_DEPTH {
            findings.push(Finding::new(
                Severity::Warning,
                "act_too_deep",
                format!("the delegation chain is more than {MAX_DELEGATION_DEPTH} actors deep; the rest is not shown"),
                Some("RFC 8693 §4.1"),
            ));
            break;
        }
        let mut shown = actor.clone();
        shown.remove("act");
        chain.push(shown);
        act = actor.get("act");
    }
    chain
}

fn optional_string(
    fields: &mut Map<String, Value>,
    key: &str,
    reference: &str,
    findings: &mut Vec<Finding>,
) -> Option<String> {
    match fields.remove(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text),
        Some(other) => {
            findings.push(Finding::new(
                Severity::Warning,
                &format!("{key}_not_string"),
                format!(
                    "{key} is {} instead of a string; read as text",
                    json_kind(&other)
                ),
                Some(reference),
            ));
            Some(value_text(&other))
        }
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
