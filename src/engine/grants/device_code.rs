//! Device authorization grant (RFC 8628).
//!
//! Requests a device code, reports the user code and verification URI (and
//! opens the browser on it unless told not to), then polls the token endpoint
//! at the server's `interval` (5 s when absent) through the oauth2 crate,
//! which waits on `authorization_pending` and adds 5 s on `slow_down`. Every
//! poll is a recorded exchange. Cancellable at any time.

use std::time::Duration;

use oauth2::basic::BasicErrorResponse;
use oauth2::{
    DeviceAuthorizationUrl, RequestTokenError, Scope, StandardDeviceAuthorizationResponse,
};
use serde::{Deserialize, Serialize};

use super::{BrowserOptions, Progress, finish, token_client, token_sender};
use crate::engine::diagnose::explain::Stage;
use crate::engine::diagnose::findings::excerpt;
use crate::engine::diagnose::spec::check_error_response;
use crate::engine::error::EngineError;
use crate::engine::oauth_error::{OAuthError, parse_oauth_error};
use crate::engine::profile::{GrantType, Profile, ProfileError};
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::callback::CallbackError;
use crate::engine::wire::compat::Rewriter;
use crate::engine::wire::http::{ExchangeKind, HttpClient, TransportError};

/// What the user needs to approve the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCodeInfo {
    /// The code the user types.
    pub user_code: String,
    /// Where the user goes.
    pub verification_uri: String,
    /// The same with the code filled in, when the server offers it.
    pub verification_uri_complete: Option<String>,
    /// Seconds until the device code expires.
    pub expires_in: u64,
    /// Seconds between polls.
    pub interval: u64,
}

/// Runs the grant: device code, user approval, polling.
pub async fn run(
    profile: &Profile,
    http: &HttpClient,
    options: &BrowserOptions,
) -> Result<TokenSet, EngineError> {
    let endpoint = profile
        .endpoints
        .device_authorization
        .clone()
        .ok_or_else(|| {
            ProfileError::field(
                "device_authorization_endpoint",
                "is required for this grant",
            )
        })?;
    let client = token_client(profile)?
        .set_device_authorization_url(DeviceAuthorizationUrl::from_url(endpoint));

    let device_http = http.scoped();
    let send = device_http.oauth2_client_with(
        ExchangeKind::Device,
        std::sync::Arc::new(Rewriter::for_client_requests(profile)?),
    );
    let mut request = client.exchange_device_code();
    for scope in &profile.scopes {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    for (name, value) in &profile.token_params {
        request = request.add_extra_param(name.as_str(), value.as_str());
    }
    // RFC 9396 §3: wherever scope goes, the device authorization request too.
    if let Some(details) = &profile.authorization_details {
        request =
            request.add_extra_param(crate::engine::requests::rar::PARAMETER, details.compact());
    }
    let result: Result<
        StandardDeviceAuthorizationResponse,
        RequestTokenError<TransportError, BasicErrorResponse>,
    > = request.request_async(&send).await;
    let details = match result {
        Ok(details) => details,
        Err(err) => return Err(device_request_error(err, &device_http)),
    };

    let info = DeviceCodeInfo {
        user_code: details.user_code().secret().clone(),
        verification_uri: details.verification_uri().to_string(),
        verification_uri_complete: details
            .verification_uri_complete()
            .map(|uri| uri.secret().clone()),
        expires_in: details.expires_in().as_secs(),
        interval: details.interval().as_secs(),
    };
    options.report(Progress::DeviceCode(info.clone()));
    let target = info
        .verification_uri_complete
        .clone()
        .unwrap_or_else(|| info.verification_uri.clone());
    options.send_user_to(&target).await;

    // RFC 8628 §3.5: the client waits `interval` seconds between requests —
    // the first one included, or a server counting from the authorization
    // response answers slow_down at once.
    tokio::select! {
        () = tokio::time::sleep(details.interval()) => {}
        _ = tokio::time::sleep(options.timeout) => return Err(CallbackError::Timeout(options.timeout).into()),
        _ = options.cancelled() => return Err(CallbackError::Cancelled.into()),
    }
    if options.approve_request.is_some() {
        // Built against a client that records without sending. The crate
        // retries a request that failed to send, after a sleep: the first
        // sleep means the first poll is recorded, and the loop is dropped.
        let dry = http.dry_run();
        let (dry_send, _) = token_sender(&dry, profile)?;
        let recorded = std::sync::Arc::new(tokio::sync::Notify::new());
        let signal = recorded.clone();
        let stop = move |_: Duration| {
            let signal = signal.clone();
            async move {
                signal.notify_one();
                std::future::pending::<()>().await;
            }
        };
        let poll = client
            .exchange_device_access_token(&details)
            .request_async(&dry_send, stop, None);
        tokio::select! {
            _ = poll => {}
            () = recorded.notified() => {}
        }
        let exchange = dry.exchanges().pop();
        let outcome = Err(EngineError::Transport {
            error: exchange
                .as_ref()
                .and_then(|e| e.error.clone())
                .unwrap_or(TransportError {
                    kind: crate::engine::wire::http::TransportErrorKind::Other,
                    message: "the first poll could not be built".to_string(),
                }),
            exchange: exchange.map(Box::new),
        });
        let prepared = super::step::from_dry_run(outcome, GrantType::DeviceCode, profile)?;
        if let Some(tokens) =
            first_poll_in_steps(http, options, prepared, details.interval()).await?
        {
            return Ok(tokens);
        }
    }
    options.report(Progress::Polling);
    let poll_http = http.scoped();
    let (poll_send, rewriter) = token_sender(&poll_http, profile)?;
    // Let the server, not the client's clock, say when the code expired.
    let limit = details.expires_in() + details.interval() + Duration::from_secs(5);
    let poll = client.exchange_device_access_token(&details).request_async(
        &poll_send,
        tokio::time::sleep,
        Some(limit),
    );
    let result = tokio::select! {
        result = poll => result,
        _ = tokio::time::sleep(options.timeout) => return Err(CallbackError::Timeout(options.timeout).into()),
        _ = options.cancelled() => return Err(CallbackError::Cancelled.into()),
    };
    if let Err(RequestTokenError::ServerResponse(err)) = &result
        && err.error().as_ref() == "expired_token"
    {
        // The crate says "expired" itself when its own deadline passes; the
        // last exchange then still says authorization_pending.
        let last = poll_http.exchanges().pop();
        let server_said = last
            .as_ref()
            .and_then(|e| e.response.as_ref())
            .and_then(|r| parse_oauth_error(r.status, &r.body));
        if server_said
            .as_ref()
            .is_none_or(|e| e.error != "expired_token")
            && let Some(exchange) = last
        {
            return Err(EngineError::OAuth {
                error: OAuthError {
                    error: "expired_token".to_string(),
                    error_description: Some(format!(
                        "the device code expired after {} s without approval",
                        info.expires_in
                    )),
                    error_uri: None,
                    status: exchange.status().unwrap_or_default(),
                },
                findings: Vec::new(),
                exchange: Box::new(exchange),
            });
        }
    }
    finish(
        result,
        &poll_http,
        GrantType::DeviceCode,
        profile,
        &rewriter,
    )
}

/// An error of the device authorization request, with its exchange.
fn device_request_error(
    err: RequestTokenError<TransportError, BasicErrorResponse>,
    http: &HttpClient,
) -> EngineError {
    let exchange = http.exchanges().pop();
    if let RequestTokenError::Request(error) = err {
        return EngineError::Transport {
            error,
            exchange: exchange.map(Box::new),
        };
    }
    let Some(exchange) = exchange else {
        return EngineError::Unsupported(format!("the device authorization request failed: {err}"));
    };
    let Some(response) = &exchange.response else {
        return EngineError::Transport {
            error: exchange.error.clone().unwrap_or(TransportError {
                kind: crate::engine::wire::http::TransportErrorKind::Other,
                message: err.to_string(),
            }),
            exchange: Some(Box::new(exchange)),
        };
    };
    match parse_oauth_error(response.status, &response.body) {
        Some(error) => EngineError::OAuth {
            error,
            findings: check_error_response(response, Stage::TokenRequest(GrantType::DeviceCode)),
            exchange: Box::new(exchange),
        },
        None => EngineError::BadResponse {
            message: device_response_message(response.status, &response.body, &err),
            exchange: Box::new(exchange),
        },
    }
}

/// What a device authorization answer without an OAuth error means, in
/// plain words: the oauth2 crate's own text is kept only for a success
/// status whose body it could not read (it names the missing field).
fn device_response_message(
    status: u16,
    body: &[u8],
    err: &RequestTokenError<TransportError, BasicErrorResponse>,
) -> String {
    let sent = if body.iter().all(u8::is_ascii_whitespace) {
        "an empty body".to_string()
    } else {
        excerpt(body, 300)
    };
    match status {
        200..=299 => format!(
            "the device authorization endpoint answered HTTP {status} with something that is not a device authorization response ({err}): {sent}"
        ),
        404 => format!(
            "the device authorization endpoint answered HTTP 404 (nothing at that address): check device_authorization_endpoint in the profile, and whether the server supports the device grant at all (its metadata lists device_authorization_endpoint, RFC 8628 §4); it sent {sent}"
        ),
        _ => format!(
            "the device authorization endpoint refused the request (HTTP {status}) without an OAuth error body (RFC 8628 §3.2, RFC 6749 §5.2); it sent {sent}"
        ),
    }
}

/// Step mode: the first poll, built but not sent, shown and sent as the
/// user edited it. Tokens when it brought them; `None` when the person has
/// not approved yet (`authorization_pending`, `slow_down`) and polling goes
/// on as usual, one interval later (five seconds more after `slow_down`,
/// RFC 8628 §3.5).
async fn first_poll_in_steps(
    http: &HttpClient,
    options: &BrowserOptions,
    prepared: super::step::PreparedRequest,
    interval: Duration,
) -> Result<Option<TokenSet>, EngineError> {
    let Some(edited) = options.approved_request(prepared).await? else {
        return Ok(None);
    };
    match super::step::send(http, &edited).await {
        Ok(tokens) => Ok(Some(tokens)),
        Err(EngineError::OAuth { error, .. })
            if matches!(error.error.as_str(), "authorization_pending" | "slow_down") =>
        {
            let wait = if error.error == "slow_down" {
                interval + Duration::from_secs(5)
            } else {
                interval
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => Ok(None),
                _ = options.cancelled() => Err(CallbackError::Cancelled.into()),
            }
        }
        Err(err) => Err(err),
    }
}
