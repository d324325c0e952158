//! The grants, one per file, all driven by the oauth2 crate.
//!
//! Each grant builds its token request with the oauth2 crate, which sends it
//! through the recording [`HttpClient`]. Whatever the crate makes of the
//! response, the raw exchange is then read by the tolerant parser
//! ([`parse_token_response`]), so a response the crate rejects is still shown
//! — with findings saying why strict clients fail on it.

pub mod authorization_code;
pub mod ciba;
mod client_credentials;
pub mod device_code;
pub mod hardened;
pub mod hybrid;
mod implicit;
pub mod jarm;
pub mod jwt_bearer;
mod password;
pub mod preflight;
mod refresh_token;
pub mod step;
pub mod token_exchange;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{
    AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, ErrorResponse,
    RequestTokenError, TokenUrl,
};
use tokio::sync::{Mutex, mpsc, watch};
use url::Url;

use crate::engine::wire::callback::{self, CallbackError, CallbackParams, Expect};

use super::error::EngineError;
use super::profile::{ClientAuthMethod, CompatFile, GrantType, Profile};
use crate::engine::diagnose::findings::Finding;
use crate::engine::store::secret::Secret;
use crate::engine::tokens::response::{TokenResponseError, TokenSet, parse_token_response};
use crate::engine::wire::compat::Rewriter;
use crate::engine::wire::http::{
    Exchange, ExchangeKind, HttpClient, TransportError, TransportErrorKind,
};

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
    fn report(&self, progress: Progress) {
        if let Some(report) = &self.progress {
            report(progress);
        }
    }

    /// Resolves when the caller cancels (never, without a cancel signal).
    async fn cancelled(&self) {
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
    async fn approved_url(&self, url: &Url) -> Result<Url, CallbackError> {
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
    async fn approved_request(
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
    async fn send_user_to(&self, url: &str) {
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
    async fn wait_for_redirect(
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
    async fn read_paste(&self) -> Result<(Vec<(String, String)>, bool), CallbackError> {
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
async fn record_refusal(http: &HttpClient, refused: callback::RefusedCallback) {
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

/// Runs the profile's grant (or the one in `options`) and returns the tokens.
pub async fn run(
    profile: &Profile,
    http: &HttpClient,
    options: &GrantOptions,
) -> Result<TokenSet, EngineError> {
    let grant = options.grant.or(profile.grant).ok_or_else(|| {
        super::profile::ProfileError::field(
            "grant_type",
            "the profile names no grant; set grant_type or choose one",
        )
    })?;
    match grant {
        GrantType::ClientCredentials => client_credentials::run(profile, http).await,
        GrantType::Password => password::run(profile, http).await,
        GrantType::RefreshToken => {
            let token = options.refresh_token.as_ref().ok_or_else(|| {
                EngineError::Unsupported(
                    "the refresh_token grant needs a refresh token: obtain one first or pass --refresh-token"
                        .to_string(),
                )
            })?;
            refresh_token::run(profile, http, token, options.current.id_token.as_ref()).await
        }
        GrantType::AuthorizationCode => {
            authorization_code::run(profile, http, &options.browser).await
        }
        GrantType::Implicit => implicit::run(profile, http, &options.browser).await,
        GrantType::DeviceCode => device_code::run(profile, http, &options.browser).await,
        GrantType::TokenExchange => token_exchange::run(profile, http, options).await,
        GrantType::JwtBearer => jwt_bearer::run(profile, http, options).await,
        GrantType::Ciba => ciba::run(profile, http, options).await,
    }
}

/// The token request of an extension grant (RFC 6749 §4.5): the oauth2
/// crate builds a client credentials request — client authentication, the
/// profile's scopes and extra parameters, exactly as for every grant — and
/// on its way out its `grant_type` is replaced by `params` (which start with
/// the extension grant's own `grant_type`).
fn extension_grant<S>(
    send: S,
    params: Vec<(String, String)>,
) -> impl Fn(
    oauth2::HttpRequest,
) -> std::pin::Pin<
    Box<dyn Future<Output = Result<oauth2::HttpResponse, TransportError>> + Send>,
> + Send
+ Sync
where
    S: Fn(
            oauth2::HttpRequest,
        ) -> std::pin::Pin<
            Box<dyn Future<Output = Result<oauth2::HttpResponse, TransportError>> + Send>,
        > + Send
        + Sync,
{
    move |mut request: oauth2::HttpRequest| {
        let kept: Vec<(String, String)> = url::form_urlencoded::parse(request.body())
            .into_owned()
            .filter(|(name, _)| name != "grant_type")
            .collect();
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&params)
            .extend_pairs(&kept)
            .finish();
        *request.body_mut() = body.into_bytes();
        send(request)
    }
}

/// The oauth2 client for a profile's token endpoint.
type TokenClient =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// Builds the oauth2 client: token URL, client id, secret and auth method.
/// Assertions are added by the request's [`Rewriter`]; the methods that
/// authenticate with the TLS certificate send `client_id` alone (RFC 8705
/// §2).
fn token_client(profile: &Profile) -> Result<TokenClient, EngineError> {
    let token_url = TokenUrl::from_url(profile.token_endpoint()?.clone());
    // A public client may have no client at all (some servers take the
    // password grant without one); the rewriter then leaves client_id out.
    let client_id = match profile.auth_method {
        ClientAuthMethod::None => profile.client_id.clone().unwrap_or_default(),
        _ => profile.require_client_id()?.to_string(),
    };
    let client = BasicClient::new(ClientId::new(client_id)).set_token_uri(token_url);
    let client = match profile.auth_method {
        ClientAuthMethod::None
        | ClientAuthMethod::PrivateKeyJwt
        | ClientAuthMethod::ClientSecretJwt
        | ClientAuthMethod::TlsClientAuth
        | ClientAuthMethod::SelfSignedTlsClientAuth => client.set_auth_type(AuthType::RequestBody),
        method => {
            let secret = profile
                .client_secret
                .as_ref()
                .ok_or_else(|| {
                    super::profile::ProfileError::field(
                        "client_secret",
                        format!("is required by {}", method.as_str()),
                    )
                })?
                .resolve("client_secret")?;
            client
                .set_client_secret(ClientSecret::new(secret.expose().to_string()))
                .set_auth_type(if method == ClientAuthMethod::ClientSecretBasic {
                    AuthType::BasicAuth
                } else {
                    AuthType::RequestBody
                })
        }
    };
    Ok(client)
}

/// The oauth2 crate's HTTP client for token requests of `profile`: through
/// the recording client, with the profile's compatibility rewrites, its
/// client assertion and the HTTP client's DPoP proofs.
#[allow(clippy::type_complexity)]
fn token_sender(
    http: &HttpClient,
    profile: &Profile,
) -> Result<
    (
        impl Fn(
            oauth2::HttpRequest,
        ) -> std::pin::Pin<
            Box<dyn Future<Output = Result<oauth2::HttpResponse, TransportError>> + Send>,
        > + Send
        + Sync
        + use<>,
        Arc<Rewriter>,
    ),
    EngineError,
> {
    let rewriter = Arc::new(Rewriter::for_token_requests(profile, http.dpop().cloned())?);
    Ok((
        http.oauth2_client_with(ExchangeKind::Token, rewriter.clone()),
        rewriter,
    ))
}

/// Turns what the oauth2 crate returned into a [`TokenSet`] or an error,
/// reading the raw exchange tolerantly whatever the crate thought of it.
fn finish<TE: ErrorResponse + 'static>(
    result: Result<BasicTokenResponse, RequestTokenError<TransportError, TE>>,
    http: &HttpClient,
    grant: GrantType,
    profile: &Profile,
    rewriter: &Rewriter,
) -> Result<TokenSet, EngineError> {
    let exchange = http.exchanges().pop();
    let sent = exchange.as_ref().map(|e| e.request.clone());
    let strict_error = match &result {
        Ok(_) | Err(RequestTokenError::ServerResponse(_)) => None,
        Err(RequestTokenError::Request(error)) => {
            return Err(EngineError::Transport {
                error: error.clone(),
                exchange: exchange.map(Box::new),
            });
        }
        Err(RequestTokenError::Parse(err, _)) => Some(err.to_string()),
        Err(RequestTokenError::Other(message)) => Some(message.clone()),
    };
    let Some(exchange) = exchange else {
        // The crate failed before sending anything (it builds the request
        // from validated values, so this means a bug, not bad input).
        let message = match result {
            Err(err) => err.to_string(),
            Ok(_) => "no exchange was recorded".to_string(),
        };
        return Err(EngineError::Transport {
            error: TransportError {
                kind: TransportErrorKind::InvalidRequest,
                message,
            },
            exchange: None,
        });
    };
    let mut tokens = from_exchange(
        exchange,
        grant,
        strict_error.as_deref(),
        &profile.compat,
        rewriter.findings(),
    )?;
    let claims = tokens
        .jwts
        .iter()
        .find(|jwt| jwt.source == "access_token")
        .map(|jwt| jwt.claims.clone());
    if let Some(cert) = &profile.http.client_cert_file
        && let Some(claims) = &claims
    {
        tokens
            .findings
            .extend(crate::engine::client::keys::check_certificate_binding(
                cert, claims,
            ));
    }
    if let Some(dpop) = rewriter.dpop() {
        tokens
            .findings
            .extend(crate::engine::client::dpop::check_token_response(
                tokens.token_type.as_deref(),
                claims.as_ref(),
                &dpop.thumbprint(),
            ));
    }
    tokens
        .findings
        .extend(crate::engine::requests::resource::check_audience(
            &profile.resources,
            claims.as_ref(),
        ));
    let quirks = crate::engine::diagnose::providers::check_tokens(profile, &tokens, sent.as_ref());
    tokens.findings.extend(quirks);
    crate::engine::requests::rar::attach(
        &mut tokens,
        profile
            .authorization_details
            .as_ref()
            .map(crate::engine::requests::rar::AuthorizationDetails::value),
    );
    Ok(tokens)
}

/// Reads a token response out of a recorded exchange. `notes` are findings
/// about how the request was sent (compatibility rewrites).
fn from_exchange(
    exchange: Exchange,
    grant: GrantType,
    strict_error: Option<&str>,
    compat: &CompatFile,
    notes: Vec<Finding>,
) -> Result<TokenSet, EngineError> {
    let Some(response) = &exchange.response else {
        return Err(EngineError::Transport {
            error: exchange.error.clone().unwrap_or(TransportError {
                kind: TransportErrorKind::Other,
                message: "no response".to_string(),
            }),
            exchange: Some(Box::new(exchange)),
        });
    };
    let received = exchange.started_at + exchange.duration;
    match parse_token_response(
        response,
        grant,
        exchange.id,
        received.max(Utc::now()),
        strict_error,
        compat,
        notes,
    ) {
        Ok(mut tokens) => {
            match grant {
                GrantType::TokenExchange => {
                    token_exchange::check_response(&mut tokens, &exchange.request);
                }
                GrantType::JwtBearer => jwt_bearer::check_response(&mut tokens, &exchange.request),
                _ => {}
            }
            // Token times are absolute: a server clock that is off makes
            // them look wrong here.
            tokens
                .findings
                .extend(crate::engine::wire::clock::skew_finding(&exchange));
            Ok(tokens)
        }
        Err(TokenResponseError::OAuth(error, findings)) => Err(EngineError::OAuth {
            error,
            findings,
            exchange: Box::new(exchange),
        }),
        Err(TokenResponseError::Malformed(message)) => Err(EngineError::BadResponse {
            message,
            exchange: Box::new(exchange),
        }),
    }
}

/// Adds the profile's scopes and extra token parameters to a token request.
macro_rules! with_profile_params {
    ($request:expr, $profile:expr) => {{
        let mut request = $request;
        for scope in &$profile.scopes {
            request = request.add_scope(oauth2::Scope::new(scope.clone()));
        }
        for (name, value) in &$profile.token_params {
            request = request.add_extra_param(name.as_str(), value.as_str());
        }
        // RFC 9396 §6: where there was no authorization request, the token
        // request carries the authorization details.
        if let Some(details) = &$profile.authorization_details {
            request =
                request.add_extra_param(crate::engine::requests::rar::PARAMETER, details.compact());
        }
        request
    }};
}
use with_profile_params;

/// What the front ends ask of a grant, answered in one place: adding a
/// grant means answering these here, not in every front end.
impl GrantType {
    /// A human name for menus and headings ("Device authorization").
    pub fn label(self) -> &'static str {
        match self {
            Self::ClientCredentials => "Client credentials",
            Self::Password => "Password (resource owner)",
            Self::AuthorizationCode => "Authorization code",
            Self::Implicit => "Implicit",
            Self::DeviceCode => "Device authorization",
            Self::RefreshToken => "Refresh token",
            Self::TokenExchange => "Token exchange",
            Self::JwtBearer => "JWT bearer",
            Self::Ciba => "CIBA (backchannel)",
        }
    }

    /// The person takes part in a browser (authorization request, redirect).
    pub fn needs_browser(self) -> bool {
        matches!(self, Self::AuthorizationCode | Self::Implicit)
    }

    /// The grant can run again with no one there: nothing to approve and
    /// no token of the user's to spend, so where no refresh token was issued
    /// auto-refresh renews the tokens by running it again (client
    /// credentials, password, JWT bearer).
    pub fn reruns_unattended(self) -> bool {
        matches!(
            self,
            Self::ClientCredentials | Self::Password | Self::JwtBearer
        )
    }

    /// The grant spends a refresh token.
    pub fn needs_refresh_token(self) -> bool {
        self == Self::RefreshToken
    }

    /// Step-by-step runs it: token endpoint grants are built and shown
    /// before sending ([`step::prepare`]); browser grants pause before the
    /// browser opens and (authorization code) before the code exchange; the
    /// device grant before its first poll. CIBA runs through: its polls
    /// and its notification follow the server's clock, not the person's.
    pub fn can_step(self) -> bool {
        self != Self::Ciba
    }

    /// The grant is one token request that [`step::prepare`] can build.
    pub fn is_single_token_request(self) -> bool {
        matches!(
            self,
            Self::ClientCredentials
                | Self::Password
                | Self::RefreshToken
                | Self::TokenExchange
                | Self::JwtBearer
        )
    }
}
