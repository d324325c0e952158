//! Client-Initiated Backchannel Authentication (OpenID CIBA Core 1.0).
//!
//! The client names a user (`login_hint`, `login_hint_token` or
//! `id_token_hint`, §7.1) at the backchannel authentication endpoint,
//! authenticating as at the token endpoint; the server answers with an
//! `auth_req_id`, how long it lives (`expires_in`) and how often to poll
//! (`interval`, 5 s when absent, §7.3). The person approves on their own
//! device; meanwhile the client
//! - polls the token endpoint with `grant_type=urn:openid:params:grant-type:ciba`
//!   and the `auth_req_id` (§10.1), waiting `interval` between polls and five
//!   seconds more for this and every later poll after `slow_down` (§11), or
//! - in ping mode, waits on its loopback notification endpoint for the
//!   server's POST carrying the `client_notification_token` it sent as a
//!   bearer token (§10.2); a notification with another token is refused with
//!   401 and recorded; the right one is answered 204 and the token endpoint
//!   is asked once.
//!
//! Every request and the notification are recorded exchanges. The token
//! request is the oauth2 crate's, like the other extension grants'
//! (`super::extension_grant`); the ID token that comes back is verified
//! after the grant as every grant's is (`verify::verify_token_set`; OIDC
//! Core §3.1.3.7, as §10.1.1 asks). The notification endpoint is in
//! `notification`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod notification;

use notification::{NotificationListener, check_notification, record_notification};

use super::authorization_code::new_state;
use super::{
    BrowserOptions, GrantOptions, Progress, extension_grant, finish, token_client, token_sender,
};
use crate::engine::client::auth as client_auth;
use crate::engine::diagnose::explain::Stage;
use crate::engine::diagnose::findings::{Finding, Severity, excerpt};
use crate::engine::diagnose::spec::check_error_response;
use crate::engine::error::EngineError;
use crate::engine::oauth_error::{OAuthError, parse_oauth_error};
use crate::engine::profile::grant_tables::{CibaSettings, DeliveryMode, LoginHint};
use crate::engine::profile::{GrantType, Profile, ProfileError};
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::callback::CallbackError;
use crate::engine::wire::http::{
    Exchange, ExchangeKind, HttpClient, TransportError, TransportErrorKind,
};

/// The poll interval when the server names none (CIBA Core §7.3).
pub const DEFAULT_INTERVAL: u64 = 5;

/// What `slow_down` adds to the interval, for this and every later poll
/// (CIBA Core §11).
pub const SLOW_DOWN_STEP: u64 = 5;

/// The path served when the profile registers no notification endpoint.
pub const DEFAULT_NOTIFICATION_PATH: &str = "/ciba/notify";

/// The server's acknowledgement of the authentication request (§7.3), and
/// how the result will come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CibaInfo {
    /// `auth_req_id`.
    pub auth_req_id: String,
    /// `expires_in` in seconds, when the server sent it (it must).
    pub expires_in: Option<u64>,
    /// Seconds between polls: the server's `interval`, else 5.
    pub interval: u64,
    /// Poll or ping.
    pub mode: DeliveryMode,
    /// Ping: where this app listens for the notification.
    pub notification_endpoint: Option<String>,
    /// When the acknowledgement arrived (the countdown starts here).
    pub acknowledged_at: DateTime<Utc>,
}

impl CibaInfo {
    /// When the `auth_req_id` runs out, when the server said.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        let secs = i64::try_from(self.expires_in?).ok()?;
        Some(self.acknowledged_at + chrono::Duration::seconds(secs))
    }
}

/// One poll of the token endpoint, as it went (for the CLI and the app).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CibaPoll {
    /// 1 for the first token request.
    pub attempt: u32,
    /// What the server answered: `authorization_pending`, `slow_down`,
    /// `tokens`, or the error.
    pub answer: String,
    /// Seconds until the next poll, when there is one.
    pub next_in: Option<u64>,
}

/// Runs the grant: the authentication request, then polling or the ping.
pub async fn run(
    profile: &Profile,
    http: &HttpClient,
    options: &GrantOptions,
) -> Result<TokenSet, EngineError> {
    let settings = profile.ciba.clone().unwrap_or_default();
    let browser = &options.browser;
    let endpoint = profile
        .endpoints
        .backchannel_authentication
        .clone()
        .ok_or_else(|| {
            ProfileError::field(
                "backchannel_authentication_endpoint",
                "is required for the CIBA grant (OpenID CIBA Core §4); set it, or an issuer whose metadata lists it",
            )
        })?;
    let hint = match &options.login_hint {
        Some(hint) => LoginHint::LoginHint(hint.clone()),
        None => settings.hint.clone().ok_or_else(|| {
            ProfileError::field(
                "ciba.login_hint",
                "a CIBA request names the user with exactly one of login_hint, login_hint_token, id_token_hint (OpenID CIBA Core §7.1): set one under [ciba], or pass --login-hint",
            )
        })?,
    };
    let mut findings = Vec::new();
    if !profile.scopes.iter().any(|s| s == "openid") {
        findings.push(Finding::new(
            Severity::Warning,
            "ciba_scope_without_openid",
            "the CIBA authentication request must ask for the openid scope; servers refuse it with invalid_scope, or issue no ID token",
            Some("OpenID CIBA Core §7.1"),
        ));
    }

    // Ping: listen before asking, so the notification cannot come first.
    let notifications = match settings.mode {
        DeliveryMode::Poll => None,
        DeliveryMode::Ping => Some(NotificationListener::bind(&settings).await?),
    };
    // Two 128-bit random values: more than the 160 bits §7.1 recommends.
    let notification_token = notifications
        .as_ref()
        .map(|_| format!("{}{}", new_state(), new_state()));

    let params = authentication_params(
        profile,
        &settings,
        &hint,
        options.binding_message.as_deref(),
        notification_token.as_deref(),
        notifications.as_ref(),
        &mut findings,
    );
    let request = client_auth::form_post(
        profile,
        profile.auth_method,
        &endpoint,
        params,
        &mut findings,
    )?;
    let exchange = http.send(request, ExchangeKind::Backchannel).await;
    let info = acknowledgement(
        exchange,
        settings.mode,
        notifications.as_ref().map(|n| n.url.to_string()),
        &mut findings,
    )?;
    browser.report(Progress::CibaAcknowledged(info.clone()));

    let result = match notifications {
        None => poll(profile, http, browser, &info).await,
        Some(listener) => {
            let expected = notification_token.unwrap_or_default();
            ping(profile, http, browser, &info, listener, &expected).await
        }
    };
    let mut tokens = result?;
    // Findings about the request come first, then the response's.
    findings.append(&mut tokens.findings);
    tokens.findings = findings;
    check_id_token(profile, &mut tokens);
    Ok(tokens)
}

/// The authentication request's parameters (§7.1); client authentication
/// is added by [`client_auth::form_post`].
fn authentication_params(
    profile: &Profile,
    settings: &CibaSettings,
    hint: &LoginHint,
    binding_message: Option<&str>,
    notification_token: Option<&str>,
    listener: Option<&NotificationListener>,
    findings: &mut Vec<Finding>,
) -> Vec<(String, String)> {
    let mut params = vec![("scope".to_string(), profile.scopes.join(" "))];
    // RFC 9396 §3: the backchannel authentication request carries it.
    if let Some(details) = &profile.authorization_details {
        params.push((
            crate::engine::requests::rar::PARAMETER.to_string(),
            details.compact(),
        ));
    }
    let (name, value) = hint.param();
    params.push((name.to_string(), value));
    if let Some(message) = binding_message
        .map(str::to_string)
        .or(settings.binding_message.clone())
    {
        params.push(("binding_message".into(), message));
    }
    if let Some(code) = &settings.user_code {
        params.push(("user_code".into(), code.expose().to_string()));
    }
    if let Some(expiry) = settings.requested_expiry {
        params.push(("requested_expiry".into(), expiry.to_string()));
    }
    if let Some(token) = notification_token {
        params.push(("client_notification_token".into(), token.to_string()));
    }
    if let Some(listener) = listener
        && !listener.registered
    {
        // Not a CIBA parameter: the endpoint is registered (§4). Sent so a
        // server that takes loopback URLs per request (the demo provider)
        // can ping this run's free port.
        params.push((
            "backchannel_client_notification_endpoint".into(),
            listener.url.to_string(),
        ));
        findings.push(Finding::new(
            Severity::Info,
            "ciba_notification_endpoint_sent",
            format!(
                "the profile registers no backchannel_client_notification_endpoint, so this app serves {} and names it in the request; CIBA has the endpoint registered with the client instead (§4), so a server that does not take it per request will ping the registered one",
                listener.url
            ),
            Some("OpenID CIBA Core §4"),
        ));
    }
    params
}

/// Reads the acknowledgement (§7.3), or the error (§13).
fn acknowledgement(
    exchange: Exchange,
    mode: DeliveryMode,
    notification_endpoint: Option<String>,
    findings: &mut Vec<Finding>,
) -> Result<CibaInfo, EngineError> {
    let Some(response) = exchange
        .response
        .as_ref()
        .filter(|_| exchange.error.is_none())
    else {
        return Err(EngineError::Transport {
            error: exchange.error.clone().unwrap_or(TransportError {
                kind: TransportErrorKind::Other,
                message: "no response".to_string(),
            }),
            exchange: Some(Box::new(exchange)),
        });
    };
    if !(200..300).contains(&response.status) {
        if let Some(error) = parse_oauth_error(response.status, &response.body) {
            return Err(EngineError::OAuth {
                error,
                findings: check_error_response(response, Stage::TokenRequest(GrantType::Ciba)),
                exchange: Box::new(exchange),
            });
        }
        let message = format!(
            "the backchannel authentication endpoint refused the request (HTTP {}) without an OAuth error body (OpenID CIBA Core §13); it sent {}",
            response.status,
            sent(&response.body)
        );
        return Err(EngineError::BadResponse {
            message,
            exchange: Box::new(exchange),
        });
    }
    let body: Value = match serde_json::from_slice(&response.body) {
        Ok(Value::Object(body)) => Value::Object(body),
        _ => {
            let message = format!(
                "the backchannel authentication endpoint answered HTTP {} with something that is not a JSON object (OpenID CIBA Core §7.3): {}",
                response.status,
                sent(&response.body)
            );
            return Err(EngineError::BadResponse {
                message,
                exchange: Box::new(exchange),
            });
        }
    };
    let Some(auth_req_id) = body["auth_req_id"].as_str().filter(|v| !v.is_empty()) else {
        let message = "the acknowledgement has no auth_req_id, which is required: there is nothing to ask the token endpoint for (OpenID CIBA Core §7.3)".to_string();
        return Err(EngineError::BadResponse {
            message,
            exchange: Box::new(exchange),
        });
    };
    let expires_in = positive(&body["expires_in"]);
    if expires_in.is_none() {
        findings.push(Finding::new(
            Severity::Error,
            "ciba_expires_in_missing",
            format!(
                "the acknowledgement's expires_in is {}, but it is required (a positive integer): the client cannot tell how long auth_req_id lives; polling goes on until the server says expired_token",
                describe(&body["expires_in"])
            ),
            Some("OpenID CIBA Core §7.3"),
        ));
    }
    let interval = match positive(&body["interval"]) {
        Some(interval) => interval,
        None => {
            if mode == DeliveryMode::Poll {
                findings.push(Finding::new(
                    Severity::Info,
                    "ciba_interval_default",
                    format!(
                        "the acknowledgement's interval is {}; polling every {DEFAULT_INTERVAL} s, the default",
                        describe(&body["interval"])
                    ),
                    Some("OpenID CIBA Core §7.3"),
                ));
            }
            DEFAULT_INTERVAL
        }
    };
    Ok(CibaInfo {
        auth_req_id: auth_req_id.to_string(),
        expires_in,
        interval,
        mode,
        notification_endpoint,
        acknowledged_at: exchange.started_at + exchange.duration,
    })
}

/// A JSON positive integer (a numeric string is tolerated).
fn positive(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|v| *v > 0)
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "missing".to_string(),
        other => format!("{other}"),
    }
}

fn sent(body: &[u8]) -> String {
    if body.iter().all(u8::is_ascii_whitespace) {
        "an empty body".to_string()
    } else {
        excerpt(body, 300)
    }
}

/// One token request for `auth_req_id` (§10.1).
async fn token_request(
    profile: &Profile,
    http: &HttpClient,
    info: &CibaInfo,
) -> Result<TokenSet, EngineError> {
    let client = token_client(profile)?;
    let scoped = http.scoped();
    let (send, rewriter) = token_sender(&scoped, profile)?;
    let send = extension_grant(
        send,
        vec![
            (
                "grant_type".to_string(),
                GrantType::Ciba.as_str().to_string(),
            ),
            ("auth_req_id".to_string(), info.auth_req_id.clone()),
        ],
    );
    // §10.1 asks no scope: the authentication request carried it.
    let mut request = client.exchange_client_credentials();
    for (name, value) in &profile.token_params {
        request = request.add_extra_param(name.as_str(), value.as_str());
    }
    let result = request.request_async(&send).await;
    finish(result, &scoped, GrantType::Ciba, profile, &rewriter)
}

/// Waits `wait`, unless the run is cancelled or times out.
async fn pause(browser: &BrowserOptions, wait: Duration) -> Result<(), EngineError> {
    tokio::select! {
        () = tokio::time::sleep(wait) => Ok(()),
        _ = tokio::time::sleep(browser.timeout) => Err(CallbackError::Timeout(browser.timeout).into()),
        _ = browser.cancelled() => Err(CallbackError::Cancelled.into()),
    }
}

/// Poll mode: the token endpoint every `interval` seconds until tokens or
/// an error other than `authorization_pending` / `slow_down` (§7.3, §11).
async fn poll(
    profile: &Profile,
    http: &HttpClient,
    browser: &BrowserOptions,
    info: &CibaInfo,
) -> Result<TokenSet, EngineError> {
    let mut interval = info.interval;
    let started = tokio::time::Instant::now();
    // Past expires_in (and a poll's grace), the server has had its chance
    // to say expired_token.
    let limit = info
        .expires_in
        .map(|secs| Duration::from_secs(secs + 2 * interval + 5));
    let mut attempt = 0;
    loop {
        browser.report(Progress::Polling);
        pause(browser, Duration::from_secs(interval)).await?;
        attempt += 1;
        match token_request(profile, http, info).await {
            Ok(tokens) => {
                report_poll(browser, attempt, "tokens", None);
                return Ok(tokens);
            }
            Err(EngineError::OAuth {
                error,
                findings,
                exchange,
            }) => match error.error.as_str() {
                "authorization_pending" | "slow_down" => {
                    if error.error == "slow_down" {
                        interval += SLOW_DOWN_STEP;
                    }
                    report_poll(browser, attempt, &error.error, Some(interval));
                    if limit.is_some_and(|limit| {
                        started.elapsed() + Duration::from_secs(interval) > limit
                    }) {
                        return Err(expired_locally(info, *exchange));
                    }
                }
                other => {
                    report_poll(browser, attempt, other, None);
                    return Err(EngineError::OAuth {
                        error,
                        findings,
                        exchange,
                    });
                }
            },
            Err(err) => {
                report_poll(browser, attempt, "failed", None);
                return Err(err);
            }
        }
    }
}

fn report_poll(browser: &BrowserOptions, attempt: u32, answer: &str, next_in: Option<u64>) {
    browser.report(Progress::CibaPolled(CibaPoll {
        attempt,
        answer: answer.to_string(),
        next_in,
    }));
}

/// The auth_req_id ran out here while the server still said pending.
fn expired_locally(info: &CibaInfo, exchange: Exchange) -> EngineError {
    EngineError::OAuth {
        error: OAuthError {
            error: "expired_token".to_string(),
            error_description: Some(format!(
                "the auth_req_id expired after {} s without approval, and the server still answered authorization_pending",
                info.expires_in.unwrap_or_default()
            )),
            error_uri: None,
            status: exchange.status().unwrap_or_default(),
        },
        findings: vec![Finding::new(
            Severity::Warning,
            "ciba_pending_after_expiry",
            "the server answered authorization_pending after the auth_req_id's expires_in had passed; it should answer expired_token",
            Some("OpenID CIBA Core §11"),
        )],
        exchange: Box::new(exchange),
    }
}

/// Ping mode: wait for the notification with the right bearer token, then
/// ask the token endpoint once (§10.2).
async fn ping(
    profile: &Profile,
    http: &HttpClient,
    browser: &BrowserOptions,
    info: &CibaInfo,
    mut listener: NotificationListener,
    expected: &str,
) -> Result<TokenSet, EngineError> {
    let expiry = info
        .expires_in
        .map_or(browser.timeout, |secs| Duration::from_secs(secs + 5));
    let deadline = tokio::time::Instant::now() + expiry.min(browser.timeout);
    loop {
        let received = tokio::select! {
            received = listener.received.recv() => received,
            () = tokio::time::sleep_until(deadline) => None,
            _ = browser.cancelled() => return Err(CallbackError::Cancelled.into()),
        };
        let Some(received) = received else {
            return Err(EngineError::Unsupported(format!(
                "no notification came to {} before the auth_req_id expired ({} s); the server may ping another endpoint (the one registered for the client, OpenID CIBA Core §4) — poll mode does not depend on it",
                listener.url,
                info.expires_in.unwrap_or_default()
            )));
        };
        let verdict = check_notification(&received, expected, &info.auth_req_id);
        let accepted = verdict.is_ok();
        let (status, answer) = match &verdict {
            Ok(()) => (204, Vec::new()),
            Err(reason) => (401, reason.clone().into_bytes()),
        };
        record_notification(http, &received, status, answer.clone()).await;
        let _ = received.answer.send((status, answer));
        browser.report(Progress::CibaNotified {
            accepted,
            detail: match verdict {
                Ok(()) => "the bearer token is the client_notification_token sent; asking the token endpoint".to_string(),
                Err(reason) => reason,
            },
        });
        if accepted {
            let result = token_request(profile, http, info).await;
            let answer = match &result {
                Ok(_) => "tokens".to_string(),
                Err(EngineError::OAuth { error, .. }) => error.error.clone(),
                Err(_) => "failed".to_string(),
            };
            report_poll(browser, 1, &answer, None);
            return result;
        }
    }
}

/// A finding when `openid` was asked and no ID token came (§10.1.1). The
/// ID token itself is verified as every grant's is, after the grant
/// (`verify::verify_token_set`, with no nonce since CIBA sends none), unless
/// the profile turns that off.
fn check_id_token(profile: &Profile, tokens: &mut TokenSet) {
    if tokens.id_token.is_none() && profile.scopes.iter().any(|s| s == "openid") {
        tokens.findings.push(Finding::new(
            Severity::Warning,
            "ciba_id_token_missing",
            "the token response has no id_token, though the openid scope was asked: CIBA's token response carries one",
            Some("OpenID CIBA Core §10.1.1"),
        ));
    }
}

#[cfg(test)]
mod tests;
