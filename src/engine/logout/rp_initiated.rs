//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).
//!
//! [`rp_initiated`] builds the logout request (§2), sends the browser to
//! the `end_session_endpoint`, and — when `post_logout_redirect_uri` is a
//! loopback URI — waits for the provider to send the browser back there
//! (§3), checking that `state` came back unchanged. A return with another
//! `state`, or none, is a failed check, not a wait until the timeout.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use url::Url;

use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::grants::authorization_code::new_state;
use crate::engine::jwt::claims::{Check, Verdict};
use crate::engine::profile::Profile;
use crate::engine::store::secret::Secret;
use crate::engine::wire::browser;
use crate::engine::wire::callback::{
    self, CallbackError, CallbackListener, Expect, RefusedCallback, constant_time_eq, is_loopback,
};

const SPEC: &str = "OpenID Connect RP-Initiated Logout 1.0";

/// Told to the front end as the logout goes.
#[derive(Debug, Clone)]
pub enum LogoutProgress {
    /// The logout request is ready: `url` to open (it carries the ID
    /// token: never print it), `shown` the same with `id_token_hint`
    /// masked.
    Request {
        /// The URL to send the browser to.
        url: Url,
        /// The URL for people, `id_token_hint` masked.
        shown: String,
    },
    /// The browser could not be opened; the person opens the URL.
    BrowserFailed {
        /// Why.
        reason: String,
    },
    /// Waiting for the provider to send the browser back here.
    WaitingForReturn(Url),
}

/// How the logout runs.
#[derive(Clone)]
pub struct LogoutOptions {
    /// Open the system browser (otherwise the front end shows the URL).
    pub open_browser: bool,
    /// How long to wait for the browser to come back.
    pub timeout: Duration,
    /// Told as the logout goes.
    pub progress: Option<Arc<dyn Fn(LogoutProgress) + Send + Sync>>,
    /// Stops the wait for the browser when it turns true.
    pub cancel: Option<tokio::sync::watch::Receiver<bool>>,
}

impl Default for LogoutOptions {
    fn default() -> Self {
        Self {
            open_browser: true,
            timeout: callback::DEFAULT_TIMEOUT,
            progress: None,
            cancel: None,
        }
    }
}

/// What an RP-initiated logout did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogoutOutcome {
    /// The `end_session_endpoint` the browser was sent to.
    pub endpoint: Url,
    /// The parameters sent, `id_token_hint` masked.
    pub sent: Vec<(String, String)>,
    /// The `state` sent.
    pub state: String,
    /// Where the provider was asked to send the browser back, with the
    /// port the listener got.
    pub post_logout_redirect_uri: Option<Url>,
    /// The parameters the browser came back with, when it came back.
    pub returned: Option<Vec<(String, String)>>,
    /// One verdict per check (`state`, `post_logout_redirect_uri`).
    pub checks: Vec<Check>,
    /// What was odd about the request or the return.
    pub findings: Vec<Finding>,
}

impl LogoutOutcome {
    /// True when no check failed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.verdict != Verdict::Fail)
    }

    /// True when the provider was seen to end the session: the browser
    /// came back with the right `state`.
    pub fn ended(&self) -> bool {
        self.returned.is_some() && self.passed()
    }

    /// The result in one line, for people.
    pub fn summary(&self) -> String {
        match (&self.returned, self.passed()) {
            (Some(_), true) => "Logged out at the provider: it sent the browser back with the same state".to_string(),
            (Some(_), false) => "The provider sent the browser back, but a check failed".to_string(),
            (None, false) => "The logout did not complete: a check failed".to_string(),
            (None, true) => "The logout request was sent; the provider keeps the browser (no post_logout_redirect_uri), so its answer cannot be seen here".to_string(),
        }
    }
}

/// Why the logout could not be started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoutError {
    /// The profile names no `end_session_endpoint` and discovery found none.
    #[error(
        "end_session_endpoint is not set and the provider's metadata has none: this provider does not offer RP-initiated logout ({SPEC} §2.1)"
    )]
    NoEndpoint,
    /// The loopback listener could not start.
    #[error("{0}")]
    Listener(String),
}

/// Logs the user out at the provider: sends the browser to the
/// `end_session_endpoint` with the ID token as `id_token_hint` (§2) and,
/// when the profile's `post_logout_redirect_uri` is a loopback URI,
/// waits for the return and checks `state` (§3).
pub async fn rp_initiated(
    profile: &Profile,
    id_token: Option<&Secret>,
    options: &LogoutOptions,
) -> Result<LogoutOutcome, LogoutError> {
    let endpoint = profile
        .endpoints
        .end_session
        .clone()
        .ok_or(LogoutError::NoEndpoint)?;
    let settings = &profile.oidc_logout;
    let state = new_state();
    let mut findings = Vec::new();
    let progress = |p: LogoutProgress| {
        if let Some(progress) = &options.progress {
            progress(p);
        }
    };

    // A loopback return is captured; another is only sent.
    let mut listener = match &settings.post_logout_redirect_uri {
        Some(uri) if uri.scheme() == "http" && is_loopback(uri) => Some(
            CallbackListener::bind(uri, &state, None, Expect::LoggedOut)
                .await
                .map_err(|err| LogoutError::Listener(err.to_string()))?,
        ),
        Some(uri) => {
            findings.push(Finding::new(
                Severity::Info,
                "logout_return_not_captured",
                format!(
                    "post_logout_redirect_uri {uri} is not a loopback http URI: the debugger cannot see the browser come back, so state is not checked"
                ),
                Some("RP-Initiated Logout §3"),
            ));
            None
        }
        None => None,
    };
    let return_uri = match &listener {
        Some(listener) => Some(listener.redirect_uri().clone()),
        None => settings.post_logout_redirect_uri.clone(),
    };

    let mut params: Vec<(String, String)> = Vec::new();
    match id_token {
        Some(token) => params.push(("id_token_hint".into(), token.expose().to_string())),
        None => findings.push(Finding::new(
            Severity::Warning,
            "logout_without_id_token_hint",
            "no ID token to send as id_token_hint, which is RECOMMENDED: the provider cannot tell which session to end and may ask the user to confirm",
            Some("RP-Initiated Logout §2"),
        )),
    }
    if let Some(client_id) = &profile.client_id {
        params.push(("client_id".into(), client_id.clone()));
    }
    if let Some(uri) = &return_uri {
        if id_token.is_none() && profile.client_id.is_none() {
            findings.push(Finding::new(
                Severity::Error,
                "logout_redirect_without_client",
                "post_logout_redirect_uri is sent without id_token_hint or client_id: the provider cannot tell which client registered it and must not redirect",
                Some("RP-Initiated Logout §3"),
            ));
        }
        params.push(("post_logout_redirect_uri".into(), uri.to_string()));
        params.push(("state".into(), state.clone()));
    }
    if let Some(hint) = &settings.logout_hint {
        params.push(("logout_hint".into(), hint.clone()));
    }
    if let Some(locales) = &settings.ui_locales {
        params.push(("ui_locales".into(), locales.clone()));
    }
    let mut url = endpoint.clone();
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in &params {
            query.append_pair(name, value);
        }
    }
    let sent: Vec<(String, String)> = params
        .iter()
        .map(|(name, value)| {
            if name == "id_token_hint" {
                (name.clone(), crate::engine::wire::redact::MASK.to_string())
            } else {
                (name.clone(), value.clone())
            }
        })
        .collect();
    let mut shown = endpoint.clone();
    {
        let mut query = shown.query_pairs_mut();
        for (name, value) in &sent {
            query.append_pair(name, value);
        }
    }
    progress(LogoutProgress::Request {
        url: url.clone(),
        shown: shown.to_string(),
    });
    if options.open_browser
        && let Err(reason) = browser::open(url.as_str()).await
    {
        progress(LogoutProgress::BrowserFailed { reason });
    }

    let mut outcome = LogoutOutcome {
        endpoint,
        sent,
        state: state.clone(),
        post_logout_redirect_uri: return_uri.clone(),
        returned: None,
        checks: Vec::new(),
        findings,
    };
    let Some(mut listener) = listener.take() else {
        outcome.checks.push(Check::new(
            "post_logout_redirect_uri",
            Verdict::Skipped,
            match &return_uri {
                Some(uri) => format!("the provider sends the browser to {uri}, which the debugger does not serve"),
                None => "no post_logout_redirect_uri is set ([oidc_logout] in the profile): the provider keeps the browser and state cannot be checked".to_string(),
            },
            "RP-Initiated Logout §3",
        ));
        return Ok(outcome);
    };
    let uri = listener.redirect_uri().clone();
    progress(LogoutProgress::WaitingForReturn(uri.clone()));
    let mut refusals = listener.take_refusals();
    let mut cancel = options.cancel.clone();
    let cancelled = async move {
        match &mut cancel {
            Some(cancel) => {
                if cancel.wait_for(|stop| *stop).await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
            None => std::future::pending().await,
        }
    };
    let wait = listener.wait(options.timeout, cancelled);
    tokio::pin!(wait);
    let result = loop {
        tokio::select! {
            result = &mut wait => break result.map_err(Some),
            Some(refused) = next_refusal(&mut refusals) => {
                if let Some(check) = state_refusal(&refused, &state, &uri) {
                    outcome.returned = Some(query_of(&refused.url));
                    outcome.checks.push(check);
                    break Err(None);
                }
                outcome.findings.push(Finding::new(
                    Severity::Info,
                    "logout_return_refused",
                    format!("the listener refused a request and kept waiting: {}", refused.reason),
                    None,
                ));
            }
        }
    };
    match result {
        Ok(params) => {
            outcome.returned = Some(params.all.clone());
            outcome.checks.push(Check::new(
                "state",
                Verdict::Pass,
                "state came back unchanged",
                "RP-Initiated Logout §3",
            ));
            outcome.checks.push(Check::new(
                "post_logout_redirect_uri",
                Verdict::Pass,
                format!("the provider sent the browser back to {uri}"),
                "RP-Initiated Logout §3",
            ));
        }
        Err(None) => {}
        Err(Some(err)) => outcome.checks.push(Check::new(
            "post_logout_redirect_uri",
            Verdict::Fail,
            match err {
                CallbackError::Timeout(after) => format!(
                    "the browser did not come back to {uri} within {} s: the provider may have refused the logout request (a post_logout_redirect_uri it does not have registered, an id_token_hint it does not accept) — look at the browser",
                    after.as_secs()
                ),
                CallbackError::Cancelled => {
                    "cancelled before the browser came back".to_string()
                }
                other => other.to_string(),
            },
            "RP-Initiated Logout §3, §4",
        )),
    }
    Ok(outcome)
}

async fn next_refusal(
    refusals: &mut Option<tokio::sync::mpsc::Receiver<RefusedCallback>>,
) -> Option<RefusedCallback> {
    match refusals {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

fn query_of(url: &str) -> Vec<(String, String)> {
    Url::parse(url)
        .map(|url| url.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// The failed `state` check of a return the listener refused on the
/// return path: a different `state`, or none (§3: the provider MUST send
/// back the `state` it was given).
fn state_refusal(refused: &RefusedCallback, state: &str, uri: &Url) -> Option<Check> {
    let url = Url::parse(&refused.url).ok()?;
    if url.path() != uri.path() {
        return None;
    }
    let returned = url
        .query_pairs()
        .find(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned());
    match returned {
        Some(returned) if constant_time_eq(returned.as_bytes(), state.as_bytes()) => None,
        Some(returned) => Some(Check::new(
            "state",
            Verdict::Fail,
            format!(
                "state mismatch: sent {state:?}, the provider sent the browser back with {returned:?} — the return may not belong to this logout request"
            ),
            "RP-Initiated Logout §3",
        )),
        None => Some(Check::new(
            "state",
            Verdict::Fail,
            format!(
                "the browser came back without state; sent {state:?}, which the provider must return"
            ),
            "RP-Initiated Logout §3",
        )),
    }
}
