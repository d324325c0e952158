//! Implicit grant (RFC 6749 §4.2): tokens arrive in the redirect's fragment.
//!
//! Browsers never send the fragment to a server, so the loopback listener's
//! page posts it back (see [`crate::engine::wire::callback`]); a pasted URL works
//! the same way. The tokens go through the same field checks as a token
//! endpoint response. There is no refresh token in this grant.

use chrono::Utc;
use serde_json::{Map, Value};

use super::BrowserOptions;
use super::authorization_code::{ResponseKind, authorize_in_browser};
use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::error::EngineError;
use crate::engine::profile::{GrantType, Profile};
use crate::engine::tokens::response::{TokenResponseError, TokenSet, token_set_from_fields};
use crate::engine::wire::http::HttpClient;

/// Runs the grant: listener, browser, fragment.
pub async fn run(
    profile: &Profile,
    http: &HttpClient,
    options: &BrowserOptions,
) -> Result<TokenSet, EngineError> {
    let (request, params, _) =
        authorize_in_browser(profile, http, options, ResponseKind::Token).await?;
    let mut tokens = tokens_from_fragment(&params.all)?;
    tokens.nonce = request.nonce.clone();
    tokens.auth_requirement =
        (!profile.auth_requirement.is_empty()).then(|| profile.auth_requirement.clone());
    if params.from_query {
        tokens.findings.insert(
            0,
            Finding::new(
                Severity::Warning,
                "implicit_tokens_in_query",
                "the tokens came in the redirect's query string; the implicit grant returns them in the fragment, which browsers never send to servers, logs or Referer headers",
                Some("RFC 6749 §4.2.2"),
            ),
        );
    }
    Ok(tokens)
}

/// Builds a token set from the parameters of an implicit grant redirect.
/// Fragment values are all strings, so numbers are read from text without a
/// finding; `state` and `iss` are not token fields.
pub fn tokens_from_fragment(params: &[(String, String)]) -> Result<TokenSet, EngineError> {
    let mut fields = Map::new();
    for (name, value) in params {
        if matches!(name.as_str(), "state" | "iss" | "session_state") {
            continue;
        }
        let value = match (name.as_str(), value.parse::<u64>()) {
            ("expires_in", Ok(secs)) => Value::from(secs),
            _ => Value::String(value.clone()),
        };
        fields.insert(name.clone(), value);
    }
    let mut findings = Vec::new();
    if fields.contains_key("refresh_token") {
        findings.push(Finding::new(
            Severity::Warning,
            "implicit_refresh_token",
            "a refresh token was issued in the implicit grant, which must not issue one",
            Some("RFC 6749 §4.2.2"),
        ));
    }
    let raw = Value::Object(fields.clone());
    let quote = || raw.to_string();
    token_set_from_fields(
        fields,
        raw.clone(),
        findings,
        GrantType::Implicit,
        None,
        Utc::now(),
        &quote,
    )
    .map_err(|err| match err {
        TokenResponseError::OAuth(error, _) => EngineError::Unsupported(error.to_string()),
        TokenResponseError::Malformed(message) => EngineError::Callback(
            crate::engine::wire::callback::CallbackError::Unreadable(message),
        ),
    })
}
