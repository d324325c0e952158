//! Step-through for the token endpoint grants: the request the oauth2 crate
//! would send, shown and editable before it goes out.
//!
//! [`prepare`] runs the grant against a dry-run client, which records the
//! request exactly as the crate built it without sending it. The user edits
//! the URL, headers, form parameters and — for HTTP Basic — the client id
//! and secret inside the Authorization header; [`send`] puts it back
//! together (Basic credentials form-urlencoded per RFC 6749 §2.3.1), sends it
//! and reads the answer with the same tolerant parser as every grant.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::{GrantOptions, from_exchange};
use crate::engine::error::EngineError;
use crate::engine::profile::{CompatFile, GrantType, Profile};
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::compat;
use crate::engine::wire::http::{ExchangeKind, HttpClient, TransportErrorKind};

/// A token request, ready to be edited and sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreparedRequest {
    /// The grant it belongs to.
    pub grant: GrantType,
    /// Method.
    pub method: String,
    /// URL.
    pub url: String,
    /// Headers other than Authorization: Basic (and those the client adds
    /// by itself: Host, Content-Length).
    pub headers: Vec<(String, String)>,
    /// HTTP Basic client credentials (client id, secret), decoded.
    pub basic: Option<(String, String)>,
    /// The form parameters of the body.
    pub params: Vec<(String, String)>,
    /// The profile's compatibility switches (Basic encoding, response
    /// handling).
    pub compat: CompatFile,
    /// The `authorization_details` the authorization request asked for
    /// (RFC 9396 §3), for a code exchange, which does not repeat them: what
    /// the response grants is compared with them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details: Option<serde_json::Value>,
}

/// Builds the grant's token request without sending it.
pub async fn prepare(
    profile: &Profile,
    http: &HttpClient,
    options: &GrantOptions,
) -> Result<PreparedRequest, EngineError> {
    let grant = options.grant.or(profile.grant).unwrap_or_default();
    if !grant.is_single_token_request() {
        return Err(EngineError::Unsupported(format!(
            "step-by-step editing is available for the token endpoint grants; {grant} runs with Run all"
        )));
    }
    let dry = http.dry_run();
    let outcome = super::run(profile, &dry, options).await;
    from_dry_run(outcome, grant, profile)
}

/// The code exchange of an authorization code grant, built but not sent:
/// step mode pauses here after the redirect, so the request carrying the
/// code and the PKCE verifier can be read and edited.
pub async fn prepare_code_exchange(
    profile: &Profile,
    http: &HttpClient,
    request: &super::authorization_code::AuthorizationRequest,
    code: &str,
) -> Result<PreparedRequest, EngineError> {
    let dry = http.dry_run();
    let outcome = super::authorization_code::exchange_code(profile, &dry, request, code).await;
    from_dry_run(outcome, GrantType::AuthorizationCode, profile)
}

/// Reads the request a dry-run client recorded (the run's "not sent"
/// error) into an editable request.
pub(super) fn from_dry_run(
    outcome: Result<TokenSet, EngineError>,
    grant: GrantType,
    profile: &Profile,
) -> Result<PreparedRequest, EngineError> {
    let err = match outcome {
        Err(err) => err,
        Ok(_) => {
            return Err(EngineError::Unsupported(
                "the request was sent while preparing it".to_string(),
            ));
        }
    };
    let EngineError::Transport {
        error,
        exchange: Some(exchange),
    } = &err
    else {
        return Err(err);
    };
    if error.kind != TransportErrorKind::NotSent {
        return Err(err);
    }
    let request = &exchange.request;
    let mut basic = None;
    let mut headers = Vec::new();
    for (name, value) in &request.headers {
        let lower = name.to_ascii_lowercase();
        if lower == "host" || lower == "content-length" {
            continue;
        }
        if lower == "authorization"
            && let Some(credentials) = decode_basic(value)
        {
            basic = Some(credentials);
            continue;
        }
        headers.push((name.clone(), value.clone()));
    }
    let params = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    Ok(PreparedRequest {
        grant,
        method: request.method.clone(),
        url: request.url.clone(),
        headers,
        basic,
        params,
        compat: profile.compat,
        authorization_details: profile
            .authorization_details
            .as_ref()
            .filter(|_| grant == GrantType::AuthorizationCode)
            .map(|d| d.value().clone()),
    })
}

/// Sends a (possibly edited) prepared request and reads the tokens.
pub async fn send(http: &HttpClient, prepared: &PreparedRequest) -> Result<TokenSet, EngineError> {
    let mut builder = http::Request::builder()
        .method(prepared.method.as_str())
        .uri(prepared.url.as_str());
    for (name, value) in &prepared.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let mut notes = Vec::new();
    if let Some((id, secret)) = &prepared.basic {
        let raw = prepared.compat.basic_auth_raw;
        let value = compat::encode_basic(id, secret, raw);
        if raw && value != compat::encode_basic(id, secret, false) {
            notes.push(compat::basic_raw_finding());
        }
        builder = builder.header("authorization", value);
    }
    if prepared.compat.token_params_in_query && prepared.params.is_empty() {
        notes.push(compat::params_in_query_finding());
    }
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&prepared.params)
        .finish();
    let request = builder
        .body(body.into_bytes())
        .map_err(|err| EngineError::Transport {
            error: crate::engine::wire::http::TransportError {
                kind: TransportErrorKind::InvalidRequest,
                message: format!("the edited request is not valid: {err}"),
            },
            exchange: None,
        })?;
    let exchange = http.scoped().send(request, ExchangeKind::Token).await;
    if exchange.response.is_none() || exchange.error.is_some() {
        return Err(EngineError::Transport {
            error: exchange
                .error
                .clone()
                .unwrap_or(crate::engine::wire::http::TransportError {
                    kind: TransportErrorKind::Other,
                    message: "no response".to_string(),
                }),
            exchange: Some(Box::new(exchange)),
        });
    }
    let asked = crate::engine::requests::rar::asked_in_form(&exchange.request.body)
        .or_else(|| prepared.authorization_details.clone());
    let mut tokens = from_exchange(exchange, prepared.grant, None, &prepared.compat, notes)?;
    // What the (possibly edited) request asked (RFC 9396 §6), beside what
    // was granted.
    crate::engine::requests::rar::attach(&mut tokens, asked.as_ref());
    Ok(tokens)
}

fn decode_basic(value: &str) -> Option<(String, String)> {
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((compat::form_decode(id), compat::form_decode(secret)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_round_trip_with_form_encoding() {
        let value = compat::encode_basic("my client", "s3:cr/t+", false);
        assert_eq!(
            decode_basic(&value),
            Some(("my client".into(), "s3:cr/t+".into()))
        );
    }
}
