//! What a grant run is given: the options, the tokens the profile holds,
//! the browser step's settings, and the progress it reports as it goes.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc, watch};
use url::Url;

use crate::engine::wire::callback::{self, CallbackError, CallbackParams, Expect};

use crate::engine::profile::GrantType;
use crate::engine::store::secret::Secret;
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::http::{ExchangeKind, HttpClient};

use super::*;

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct GrantOptions {
    /// Run this grant instead of the profile's own.
    pub grant: Option<GrantType>,
    /// The refresh token for the refresh_token grant.
    pub refresh_token: Option<Secret>,
    /// Token exchange: the subject token, instead of the profile's
    /// (`--subject-token`).
    pub subject_token: Option<Secret>,
    /// Token exchange: the actor token, instead of the profile's
    /// (`--actor-token`).
    pub actor_token: Option<Secret>,
    /// JWT bearer: a ready-made assertion, instead of the profile's
    /// (`--assertion`).
    pub assertion: Option<Secret>,
    /// The profile's current tokens, for `from` in `[token_exchange]`.
    pub current: CurrentTokens,
    /// CIBA: `login_hint`, instead of the profile's hint (`--login-hint`).
    pub login_hint: Option<String>,
    /// CIBA: `binding_message`, instead of the profile's
    /// (`--binding-message`).
    pub binding_message: Option<String>,
    /// How the browser grants reach the user.
    pub browser: BrowserOptions,
}

/// The tokens a profile holds now (the app's current token set), which a
/// token exchange may take as its subject (`from = "access_token"`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CurrentTokens {
    /// `access_token`.
    pub access_token: Option<Secret>,
    /// `id_token`.
    pub id_token: Option<Secret>,
    /// `refresh_token`.
    pub refresh_token: Option<Secret>,
}

impl CurrentTokens {
    /// The tokens of `set`.
    pub fn of(set: &TokenSet) -> Self {
        Self {
            access_token: Some(set.access_token.clone()),
            id_token: set.id_token.clone(),
            refresh_token: set.refresh_token.clone(),
        }
    }
}

/// What a browser grant reports while it runs, so the caller can show it.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// The authorization request, before the browser is sent to it.
    AuthorizationUrl(authorization_code::AuthorizationRequest),
    /// The browser could not be opened: show the URL for copying.
    BrowserFailed {
        /// The URL the user must open.
        url: String,
        /// Why the browser did not open.
        reason: String,
    },
    /// Waiting for the redirect on this loopback URI.
    WaitingForRedirect(Url),
    /// Waiting for the user to paste the redirect URL.
    WaitingForPaste(Url),
    /// What was pasted could not be read; paste again.
    PasteRejected(String),
    /// The system browser was sent to this URL (it opened without error;
    /// what the person does there is not seen until the redirect).
    BrowserOpened(String),
    /// The redirect arrived on the loopback listener and passed the checks
    /// (state matched).
    RedirectAccepted(Vec<(String, String)>),
    /// A redirect URL the person pasted was read and passed the checks.
    RedirectPasted(Vec<(String, String)>),
    /// Step mode: the code exchange is built and waits, editable, for the
    /// person to send it.
    TokenRequestReady(Box<step::PreparedRequest>),
    /// The device grant waited one interval and now polls the token
    /// endpoint.
    Polling,
    /// The device authorization response: show the code to the user.
    DeviceCode(device_code::DeviceCodeInfo),
    /// The authorization response arrived as a form the browser POSTed to
    /// the redirect URI (OAuth 2.0 Form Post Response Mode).
    ResponsePosted,
    /// The signed authorization response (JARM) was checked: every check.
    JarmVerified(Vec<crate::engine::jwt::claims::Check>),
    /// The hybrid flow's front channel (OIDC Core §3.3.2.12) was checked
    /// before the code exchange: what came back (masked) and every check.
    HybridVerified(Box<hybrid::FrontChannel>),
    /// The approved authorization request was signed (RFC 9101) and/or
    /// pushed (RFC 9126): the browser is sent to `url` instead.
    Hardened(Box<hardened::Hardened>),
    /// CIBA: the server acknowledged the authentication request (OpenID
    /// CIBA Core §7.3): its `auth_req_id`, lifetime and interval.
    CibaAcknowledged(ciba::CibaInfo),
    /// CIBA: a token request for the `auth_req_id` was answered.
    CibaPolled(ciba::CibaPoll),
    /// CIBA ping mode: a notification arrived (§10.2), and whether its
    /// bearer token was the one sent.
    CibaNotified {
        /// The notification passed the checks.
        accepted: bool,
        /// What was checked, or why it was refused.
        detail: String,
    },
    /// Empty endpoints were filled from the issuer's discovery metadata
    /// before the grant started ([`crate::engine::endpoints::autodiscovery::complete`]).
    EndpointsDiscovered(crate::engine::endpoints::autodiscovery::DiscoveryNote),
}

/// Receives [`Progress`] reports.
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Redirect URLs pasted by the user, one per message.
pub type PasteSource = Arc<Mutex<mpsc::Receiver<String>>>;

/// How browser grants reach the user.
#[derive(Clone)]
pub struct BrowserOptions {
    /// Open the system browser (otherwise the URL is only reported).
    pub open_browser: bool,
    /// Never listen on loopback: always wait for a pasted redirect.
    pub paste_only: bool,
    /// How long to wait for the browser or the device approval.
    pub timeout: Duration,
    /// Where progress goes.
    pub progress: Option<ProgressFn>,
    /// Where pasted redirect URLs come from.
    pub paste: Option<PasteSource>,
    /// Step mode: after reporting the authorization request, wait for the
    /// URL to open (as the user edited it) from here before going on.
    pub approve_url: Option<PasteSource>,
    /// Step mode: after the redirect, report the code exchange as
    /// [`Progress::TokenRequestReady`] and send the request that arrives
    /// here (as the user edited it) instead.
    pub approve_request: Option<RequestSource>,
    /// Becomes true to cancel a waiting grant.
    pub cancel: Option<watch::Receiver<bool>>,
}

/// Edited token requests from the user, one per message.
pub type RequestSource = Arc<Mutex<mpsc::Receiver<step::PreparedRequest>>>;

impl Default for BrowserOptions {
    fn default() -> Self {
        Self {
            open_browser: true,
            paste_only: false,
            timeout: callback::DEFAULT_TIMEOUT,
            progress: None,
            paste: None,
            approve_url: None,
            approve_request: None,
            cancel: None,
        }
    }
}

impl std::fmt::Debug for BrowserOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserOptions")
            .field("open_browser", &self.open_browser)
            .field("paste_only", &self.paste_only)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl BrowserOptions {
    pub(super) fn report(&self, progress: Progress) {
        if let Some(report) = &self.progress {
            report(progress);
        }
    }

    /// Resolves when the caller cancels (never, without a cancel signal).
    pub(super) async fn cancelled(&self) {
        let Some(mut cancel) = self.cancel.clone() else {
            return std::future::pending().await;
        };
        loop {
            if *cancel.borrow_and_update() {
                return;
            }
            if cancel.changed().await.is_err() {
                return std::future::pending().await;
            }
        }
    }

    /// In step mode, waits for the authorization URL as the user edited it;
    /// otherwise returns `url` as it is.
    pub(super) async fn approved_url(&self, url: &Url) -> Result<Url, CallbackError> {
        let Some(source) = &self.approve_url else {
            return Ok(url.clone());
        };
        let mut source = source.lock().await;
        let edited = tokio::select! {
            edited = source.recv() => edited.ok_or(CallbackError::Cancelled)?,
            _ = tokio::time::sleep(self.timeout) => return Err(CallbackError::Timeout(self.timeout)),
            _ = self.cancelled() => return Err(CallbackError::Cancelled),
        };
        Url::parse(edited.trim()).map_err(|err| {
            CallbackError::Unreadable(format!("the edited authorization URL is not a URL: {err}"))
        })
    }

    /// In step mode, reports the code exchange built but not sent and waits
    /// for the request as the user edited it; `None` when not stepping.
    pub(super) async fn approved_request(
        &self,
        prepared: step::PreparedRequest,
    ) -> Result<Option<step::PreparedRequest>, CallbackError> {
        let Some(source) = &self.approve_request else {
            return Ok(None);
        };
        self.report(Progress::TokenRequestReady(Box::new(prepared)));
        let mut source = source.lock().await;
        tokio::select! {
            edited = source.recv() => edited.map(Some).ok_or(CallbackError::Cancelled),
            _ = tokio::time::sleep(self.timeout) => Err(CallbackError::Timeout(self.timeout)),
            _ = self.cancelled() => Err(CallbackError::Cancelled),
        }
    }

    /// Sends the user to `url`, or reports that it must be opened by hand.
    pub(super) async fn send_user_to(&self, url: &str) {
        if !self.open_browser {
            return;
        }
        match crate::engine::wire::browser::open(url).await {
            Ok(()) => self.report(Progress::BrowserOpened(url.to_string())),
            Err(reason) => self.report(Progress::BrowserFailed {
                url: url.to_string(),
                reason,
            }),
        }
    }

    /// Waits for a redirect: on the loopback listener when there is one,
    /// otherwise for a pasted URL. Either way the same checks apply.
    pub(super) async fn wait_for_redirect(
        &self,
        http: &HttpClient,
        listener: Option<callback::CallbackListener>,
        redirect_uri: &Url,
        state: &str,
        issuer: callback::Issuer<'_>,
        expect: Expect,
    ) -> Result<CallbackParams, CallbackError> {
        let params = match listener {
            Some(mut listener) => {
                self.report(Progress::WaitingForRedirect(redirect_uri.clone()));
                let mut refusals = listener.take_refusals();
                let waiting = listener.wait(self.timeout, self.cancelled());
                tokio::pin!(waiting);
                // Requests the listener refused (another path or host, a
                // state not this sign-in's) are recorded as they come; the
                // real redirect is still awaited.
                let params = loop {
                    let refused = async {
                        match &mut refusals {
                            Some(refusals) => refusals.recv().await,
                            None => std::future::pending().await,
                        }
                    };
                    tokio::select! {
                        result = &mut waiting => break result?,
                        Some(refused) = refused => record_refusal(http, refused).await,
                    }
                };
                if params.form_post {
                    self.report(Progress::ResponsePosted);
                }
                self.report(Progress::RedirectAccepted(params.all.clone()));
                params
            }
            None => {
                self.report(Progress::WaitingForPaste(redirect_uri.clone()));
                let pasted = tokio::select! {
                    pasted = self.read_paste() => pasted?,
                    _ = tokio::time::sleep(self.timeout) => return Err(CallbackError::Timeout(self.timeout)),
                    _ = self.cancelled() => return Err(CallbackError::Cancelled),
                };
                let (pasted, from_query) = pasted;
                let params = callback::CallbackParams {
                    from_query,
                    ..callback::check_callback(pasted, state, issuer, expect)?
                };
                self.report(Progress::RedirectPasted(params.all.clone()));
                params
            }
        };
        Ok(params)
    }

    /// The next readable paste; unreadable ones are reported and skipped.
    pub(super) async fn read_paste(&self) -> Result<(Vec<(String, String)>, bool), CallbackError> {
        let Some(paste) = &self.paste else {
            return Err(CallbackError::Listener(
                "the redirect URI is not on this machine and nothing can be pasted here"
                    .to_string(),
            ));
        };
        let mut paste = paste.lock().await;
        loop {
            let Some(text) = paste.recv().await else {
                return Err(CallbackError::Unreadable(
                    "no redirect URL was pasted".to_string(),
                ));
            };
            match callback::parse_pasted(&text) {
                Ok(params) => return Ok((params, callback::pasted_in_query(&text))),
                Err(err) => self.report(Progress::PasteRejected(err.to_string())),
            }
        }
    }
}

/// Puts a request the redirect listener refused in the exchange log, as the
/// callback it was and the page it got.
pub(super) async fn record_refusal(http: &HttpClient, refused: callback::RefusedCallback) {
    use crate::engine::wire::http::{RecordedRequest, RecordedResponse};
    let request = RecordedRequest {
        method: refused.method,
        url: refused.url,
        headers: refused.headers,
        body: refused.body,
    };
    let response = RecordedResponse {
        status: refused.status,
        headers: vec![("x-refused".to_string(), refused.reason)],
        body: refused.page,
        truncated: false,
    };
    http.record_inbound(ExchangeKind::Callback, refused.at, request, response)
        .await;
}
