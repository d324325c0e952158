//! Client authentication at the token endpoint: a wrong secret and no
//! authentication at all must both be refused with `invalid_client`
//! (RFC 6749 §2.3.1, §3.2.1, §5.2).

use super::{Check, Found, Weight, fail, inconclusive, not_applicable, pass};
use crate::engine::error::EngineError;
use crate::engine::grants::GrantOptions;
use crate::engine::grants::authorization_code::AuthorizationRequest;
use crate::engine::grants::step::{self, PreparedRequest};
use crate::engine::oauth_error::parse_oauth_error;
use crate::engine::profile::{GrantType, Profile};
use crate::engine::wire::http::{Exchange, ExchangeKind, HttpClient};

pub(super) const WRONG_SECRET: Check = Check {
    id: "client-auth-wrong-secret",
    expected: "a token request with a wrong client secret is refused with invalid_client — 401 with a WWW-Authenticate challenge when the client used HTTP Basic",
    rfc: "RFC 6749 §5.2, §2.3.1",
    intrusive: false,
    browser: false,
    weight: Weight::Required,
};

pub(super) const NONE_FOR_CONFIDENTIAL: Check = Check {
    id: "client-auth-none-for-confidential",
    expected: "a confidential client that sends only its client_id is refused with invalid_client",
    rfc: "RFC 6749 §3.2.1, §2.3.1",
    intrusive: false,
    browser: false,
    weight: Weight::Required,
};

/// An invented code no server issued.
const BOGUS_CODE: &str = "audit-code-that-was-never-issued";

/// The token request the client-authentication checks tamper with: the
/// profile's own grant when it is one request (client credentials,
/// password), else a code exchange with a code no server issued (client
/// authentication comes first, so the code is never looked at). `None`
/// for grants with neither.
pub(super) async fn probe_request(
    profile: &Profile,
    http: &HttpClient,
) -> Result<Option<PreparedRequest>, EngineError> {
    let grant = profile.grant.unwrap_or_default();
    if grant.is_single_token_request() && grant != GrantType::RefreshToken {
        return step::prepare(profile, http, &GrantOptions::default())
            .await
            .map(Some);
    }
    if grant != GrantType::AuthorizationCode {
        return Ok(None);
    }
    let redirect_uri = profile
        .redirect_uri
        .clone()
        .unwrap_or_else(crate::engine::wire::callback::default_redirect_uri);
    let request = AuthorizationRequest {
        url: profile
            .endpoints
            .authorization
            .clone()
            .unwrap_or_else(|| redirect_uri.clone()),
        redirect_uri,
        state: String::new(),
        pkce_verifier: None,
        pkce_method: None,
        nonce: None,
    };
    step::prepare_code_exchange(profile, http, &request, BOGUS_CODE)
        .await
        .map(Some)
}

/// Sends a prepared (tampered) request as it is, and returns the exchange.
pub(super) async fn send_raw(
    http: &HttpClient,
    prepared: &PreparedRequest,
) -> Result<Exchange, EngineError> {
    let mut builder = http::Request::builder()
        .method(prepared.method.as_str())
        .uri(prepared.url.as_str());
    for (name, value) in &prepared.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    if let Some((id, secret)) = &prepared.basic {
        builder = builder.header(
            "authorization",
            crate::engine::wire::compat::encode_basic(id, secret, prepared.compat.basic_auth_raw),
        );
    }
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&prepared.params)
        .finish();
    let request = builder
        .body(body.into_bytes())
        .map_err(|err| EngineError::Unsupported(format!("the request cannot be built: {err}")))?;
    Ok(http.send(request, ExchangeKind::Token).await)
}

/// "HTTP 401 invalid_client (wrong client_secret)", or what else came back.
pub(super) fn answer(exchange: &Exchange) -> String {
    let Some(response) = &exchange.response else {
        return format!(
            "no answer: {}",
            exchange
                .error
                .as_ref()
                .map(|e| e.message.clone())
                .unwrap_or_default()
        );
    };
    match parse_oauth_error(response.status, &response.body) {
        Some(error) => format!(
            "HTTP {} {}{}",
            response.status,
            error.error,
            error
                .error_description
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        ),
        None if (200..300).contains(&response.status) && issued_tokens(exchange) => {
            format!("HTTP {} with an access token", response.status)
        }
        None => format!("HTTP {}", response.status),
    }
}

/// The answer carries an access token.
pub(super) fn issued_tokens(exchange: &Exchange) -> bool {
    exchange.response.as_ref().is_some_and(|response| {
        (200..300).contains(&response.status)
            && serde_json::from_slice::<serde_json::Value>(&response.body)
                .ok()
                .and_then(|v| v.get("access_token").cloned())
                .is_some()
    })
}

/// The OAuth `error` code of the answer.
pub(super) fn error_code(exchange: &Exchange) -> Option<String> {
    let response = exchange.response.as_ref()?;
    parse_oauth_error(response.status, &response.body).map(|e| e.error)
}

pub(super) async fn wrong_secret(
    profile: &Profile,
    http: &HttpClient,
) -> Result<Found, EngineError> {
    let Some(mut prepared) = probe_request(profile, http).await? else {
        return not_applicable("the profile's grant makes no token request this check can repeat");
    };
    let wrong = "audit-wrong-secret";
    let used_basic = if let Some((_, secret)) = &mut prepared.basic {
        *secret = wrong.to_string();
        true
    } else if let Some((_, secret)) = prepared
        .params
        .iter_mut()
        .find(|(name, _)| name == "client_secret")
    {
        *secret = wrong.to_string();
        false
    } else {
        return not_applicable(
            "the client does not authenticate with a secret (client_secret_basic or client_secret_post)",
        );
    };
    let exchange = send_raw(http, &prepared).await?;
    let said = answer(&exchange);
    if issued_tokens(&exchange) {
        return fail(format!("a wrong secret was accepted: {said}"));
    }
    let status = exchange.status();
    let challenge = exchange
        .response
        .as_ref()
        .and_then(|r| r.header("www-authenticate"))
        .map(str::to_string);
    match (error_code(&exchange).as_deref(), status) {
        (Some("invalid_client"), Some(401)) if used_basic && challenge.is_none() => fail(format!(
            "{said}, but without the WWW-Authenticate challenge RFC 6749 §5.2 requires after HTTP Basic"
        )),
        (Some("invalid_client"), Some(401)) => pass(match challenge {
            Some(challenge) => format!("{said}, WWW-Authenticate: {challenge}"),
            None => said,
        }),
        // Credentials in the body: 400 is allowed (§5.2 asks for 401 only
        // after the Authorization header).
        (Some("invalid_client"), _) if !used_basic => pass(said),
        (Some("invalid_client"), _) => fail(format!(
            "{said}: refused, but with HTTP {} instead of 401",
            status.unwrap_or_default()
        )),
        (Some(_), _) => fail(format!(
            "{said}: the server looked past the client authentication instead of answering invalid_client"
        )),
        (None, Some(status)) if status >= 400 => inconclusive(format!(
            "{said}: refused, without an OAuth error body (RFC 6749 §5.2 wants one)"
        )),
        _ => inconclusive(said),
    }
}

pub(super) async fn none_for_confidential(
    profile: &Profile,
    http: &HttpClient,
) -> Result<Found, EngineError> {
    let Some(mut prepared) = probe_request(profile, http).await? else {
        return not_applicable("the profile's grant makes no token request this check can repeat");
    };
    let client_id = match prepared.basic.take() {
        Some((id, _)) => id,
        None => {
            let had_secret = prepared
                .params
                .iter()
                .any(|(name, _)| name == "client_secret");
            if !had_secret {
                return not_applicable(
                    "the client has no secret to leave out (a public client, or one that signs assertions)",
                );
            }
            prepared.params.retain(|(name, _)| name != "client_secret");
            String::new()
        }
    };
    if !client_id.is_empty() && !prepared.params.iter().any(|(name, _)| name == "client_id") {
        prepared.params.push(("client_id".to_string(), client_id));
    }
    let exchange = send_raw(http, &prepared).await?;
    let said = answer(&exchange);
    if issued_tokens(&exchange) {
        return fail(format!(
            "tokens were issued to a confidential client that did not authenticate: {said}"
        ));
    }
    match error_code(&exchange).as_deref() {
        Some("invalid_client") => pass(said),
        Some(_) => fail(format!(
            "{said}: the request was judged without authenticating the client (invalid_client expected)"
        )),
        None => inconclusive(said),
    }
}
