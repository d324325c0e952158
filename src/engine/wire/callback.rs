//! Capturing the authorization server's redirect back to the client.
//!
//! Two ways in, one set of checks ([`check_callback`]):
//! - a loopback listener (RFC 8252 §7.3) on 127.0.0.1 (or `[::1]`), which
//!   accepts only the redirect path, answers once and closes; for the
//!   implicit grant its page posts the URL fragment (which browsers never
//!   send to a server) back to itself;
//! - a redirect URL the user pastes by hand ([`parse_pasted`]), for redirect
//!   URIs registered elsewhere (a hosted callback page).
//!
//! `state` is compared in constant time; a missing or different state is an
//! error showing both values, never accepted. `iss` (RFC 9207) is compared
//! with the issuer when the server sends it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use url::Url;

/// Default time to wait for the browser.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Path used when the profile has no redirect URI.
pub const DEFAULT_PATH: &str = "/callback";

/// The parameters the redirect carried, after the checks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallbackParams {
    /// `code` (authorization code grant).
    pub code: Option<String>,
    /// `state`, equal to the one sent.
    pub state: Option<String>,
    /// `iss` (RFC 9207), when sent.
    pub iss: Option<String>,
    /// Every parameter as received, in order (tokens of the implicit grant
    /// are here).
    pub all: Vec<(String, String)>,
    /// The parameters came in the query string (not the fragment).
    pub from_query: bool,
    /// The browser POSTed them to the redirect URI itself: the form post
    /// response mode (OAuth 2.0 Form Post Response Mode §2), not this
    /// listener's fragment relay.
    pub form_post: bool,
}

impl CallbackParams {
    /// The first parameter called `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.all
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a redirect was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// The redirect carried a `state` different from the one sent.
    #[error(
        "state mismatch: sent {expected:?}, received {received:?} — the response may not belong to this request (RFC 6749 §10.12)"
    )]
    StateMismatch {
        /// What was sent.
        expected: String,
        /// What came back.
        received: String,
    },
    /// The redirect carried no `state`.
    #[error("the redirect carried no state; sent {expected:?} (RFC 6749 §4.1.2 requires it back)")]
    StateMissing {
        /// What was sent.
        expected: String,
    },
    /// `iss` names another issuer (RFC 9207 §2.4).
    #[error("issuer mismatch: expected {expected:?}, the redirect says {received:?} (RFC 9207)")]
    IssuerMismatch {
        /// The profile's issuer.
        expected: String,
        /// What came back.
        received: String,
    },
    /// No `iss`, though the server says it sends one (RFC 9207 §2.4).
    #[error(
        "the redirect carried no iss, though the server says it sends one (authorization_response_iss_parameter_supported); RFC 9207 §2.4 says to refuse it: it may come from another server (a mix-up)"
    )]
    IssuerMissing {
        /// The profile's issuer.
        expected: String,
    },
    /// The authorization server reported an error (RFC 6749 §4.1.2.1).
    #[error("the authorization server answered {error}{}{}", .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default(), .uri.as_deref().map(|u| format!(" (see {u})")).unwrap_or_default())]
    Authorization {
        /// `error`.
        error: String,
        /// `error_description`.
        description: Option<String>,
        /// `error_uri`.
        uri: Option<String>,
    },
    /// No parameters at all.
    #[error("the redirect carried no parameters")]
    Empty,
    /// Neither a code nor the expected tokens.
    #[error("the redirect carried neither {0} nor an error")]
    Missing(&'static str),
    /// The browser did not come back in time.
    #[error("no redirect arrived within {} s; the sign-in was not completed", .0.as_secs())]
    Timeout(Duration),
    /// The user or the app cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The redirect URI cannot be served here.
    #[error("{0}")]
    Listener(String),
    /// What was pasted is not a redirect URL, query or fragment.
    #[error("{0}")]
    Unreadable(String),
    /// The signed authorization response (JARM) failed a check.
    #[error("the signed authorization response (JARM) was refused: {0}")]
    JarmRejected(String),
    /// The hybrid flow's front channel (OIDC Core §3.3.2.12) failed a
    /// check: the code was not exchanged.
    #[error(
        "the authorization response was refused before its code was exchanged (hybrid flow): {message}"
    )]
    HybridRejected {
        /// Every failed check, with its section.
        message: String,
        /// Every check, as findings.
        findings: Vec<crate::engine::diagnose::findings::Finding>,
    },
    /// Asked once before the browser opened, the authorization endpoint
    /// answered with an error page (or sent the browser to one): the
    /// browser would stay there and the redirect would never come (RFC 6749
    /// §4.1.2.1: errors about the client or its redirect URI are shown,
    /// not redirected).
    #[error(
        "the authorization endpoint answered HTTP {status} with an error instead of a sign-in page: {text:?} — the browser would never come back. {hint}"
    )]
    ErrorPage {
        /// The HTTP status.
        status: u16,
        /// The page's text, trimmed and short (or `error: description`).
        text: String,
        /// What to check, in the user's words.
        hint: String,
    },
}

/// What the redirect must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// An authorization code in the query.
    Code,
    /// Tokens in the fragment (implicit grant).
    Tokens,
    /// Only `state`: the return to the `post_logout_redirect_uri` after an
    /// RP-initiated logout (OpenID Connect RP-Initiated Logout §3).
    LoggedOut,
}

/// What the redirect's `iss` is checked against (RFC 9207 §2.4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Issuer<'a> {
    /// The profile's issuer: an `iss` naming another is refused.
    pub expected: Option<&'a str>,
    /// The server says it sends `iss`
    /// (`authorization_response_iss_parameter_supported`): a response
    /// without it is refused.
    pub required: bool,
}

impl<'a> From<Option<&'a str>> for Issuer<'a> {
    fn from(expected: Option<&'a str>) -> Self {
        Self {
            expected,
            required: false,
        }
    }
}

/// Checks a redirect's parameters: state first (an unverified response is
/// never trusted), then the issuer, then an error, then the payload.
pub fn check_callback<'a>(
    params: Vec<(String, String)>,
    expected_state: &str,
    issuer: impl Into<Issuer<'a>>,
    expect: Expect,
) -> Result<CallbackParams, CallbackError> {
    let issuer = issuer.into();
    if params.is_empty() {
        return Err(CallbackError::Empty);
    }
    let params = unwrap_jarm(params)?;
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    match get("state") {
        None => {
            return Err(CallbackError::StateMissing {
                expected: expected_state.to_string(),
            });
        }
        Some(state) if !constant_time_eq(state.as_bytes(), expected_state.as_bytes()) => {
            return Err(CallbackError::StateMismatch {
                expected: expected_state.to_string(),
                received: state,
            });
        }
        Some(_) => {}
    }
    let iss = get("iss");
    if let (Some(received), Some(expected)) = (&iss, issuer.expected)
        && received.trim_end_matches('/') != expected.trim_end_matches('/')
    {
        return Err(CallbackError::IssuerMismatch {
            expected: expected.to_string(),
            received: received.clone(),
        });
    }
    if iss.is_none() && issuer.required {
        return Err(CallbackError::IssuerMissing {
            expected: issuer.expected.unwrap_or_default().to_string(),
        });
    }
    if let Some(error) = get("error") {
        return Err(CallbackError::Authorization {
            error,
            description: get("error_description"),
            uri: get("error_uri"),
        });
    }
    match expect {
        Expect::Code if get("code").is_none() => return Err(CallbackError::Missing("a code")),
        Expect::Tokens if get("access_token").is_none() => {
            return Err(CallbackError::Missing("an access_token"));
        }
        _ => {}
    }
    Ok(CallbackParams {
        code: get("code"),
        state: get("state"),
        iss,
        all: params,
        from_query: false,
        form_post: false,
    })
}

/// A JARM response (`response` JWT, no `state` beside it) read as the
/// parameters inside it, unverified, with `response` kept: state is checked
/// on these, and the JWT itself before the code is used
/// ([`crate::engine::grants::jarm::verify`]).
fn unwrap_jarm(params: Vec<(String, String)>) -> Result<Vec<(String, String)>, CallbackError> {
    let jwt = match params.iter().find(|(k, _)| k == "response") {
        Some((_, jwt)) if !params.iter().any(|(k, _)| k == "state") => jwt.clone(),
        _ => return Ok(params),
    };
    let decoded = crate::engine::jwt::decode("response", &jwt).map_err(|err| {
        CallbackError::Unreadable(format!("the JARM response is not a JWT: {err}"))
    })?;
    let mut inner: Vec<(String, String)> = decoded
        .claims
        .as_object()
        .map(|claims| {
            claims
                .iter()
                .filter(|(name, _)| !matches!(name.as_str(), "aud" | "exp"))
                .map(|(name, value)| {
                    let text = match value {
                        serde_json::Value::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    (name.clone(), text)
                })
                .collect()
        })
        .unwrap_or_default();
    inner.push(("response".to_string(), jwt));
    Ok(inner)
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Reads what a user pasted: a whole redirect URL, or just its query or
/// fragment (with or without the leading `?` / `#`).
pub fn parse_pasted(text: &str) -> Result<Vec<(String, String)>, CallbackError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CallbackError::Unreadable("nothing was pasted".to_string()));
    }
    let part = if let Ok(url) = Url::parse(text) {
        // Parameters may be in the fragment (implicit) or the query (code).
        match (url.fragment(), url.query()) {
            (Some(fragment), _) if !fragment.is_empty() => fragment.to_string(),
            (_, Some(query)) => query.to_string(),
            _ => {
                return Err(CallbackError::Unreadable(format!(
                    "the URL {text} carries no query or fragment"
                )));
            }
        }
    } else {
        text.trim_start_matches(['?', '#']).to_string()
    };
    let params: Vec<(String, String)> = url::form_urlencoded::parse(part.as_bytes())
        .into_owned()
        .filter(|(k, _)| !k.is_empty())
        .collect();
    if params.is_empty() || params.iter().all(|(_, v)| v.is_empty()) {
        return Err(CallbackError::Unreadable(format!(
            "could not read parameters from {text:?}; paste the whole URL the browser was sent to"
        )));
    }
    Ok(params)
}

/// True when pasted text carries its parameters in a query string rather
/// than a fragment.
pub fn pasted_in_query(text: &str) -> bool {
    let text = text.trim();
    match Url::parse(text) {
        Ok(url) => url.fragment().is_none_or(str::is_empty) && url.query().is_some(),
        Err(_) => !text.starts_with('#'),
    }
}

/// True when `url` names this machine's loopback interface, so a listener
/// here can receive the redirect.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The redirect URI a listener serves when the profile names none.
pub fn default_redirect_uri() -> Url {
    // A constant that parses; a failure here would be a typo caught by tests.
    Url::parse("http://127.0.0.1/callback").unwrap_or_else(|_| unreachable!())
}

type Outcome = Result<CallbackParams, CallbackError>;

/// A request the listener refused and kept waiting after: another path,
/// another `Host`, or a redirect whose `state` is not this sign-in's (any
/// local process or web page can send one; RFC 6749 §10.12). Recorded as an
/// observation; the real redirect is still awaited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedCallback {
    /// When it arrived.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Method.
    pub method: String,
    /// The URL as requested (scheme and authority from `Host`).
    pub url: String,
    /// Its headers.
    pub headers: Vec<(String, String)>,
    /// Its body.
    pub body: Vec<u8>,
    /// The status of the page the listener answered.
    pub status: u16,
    /// That page.
    pub page: Vec<u8>,
    /// Why it was refused, for people.
    pub reason: String,
}

/// Paths browsers ask for on their own; answered 404 without an
/// observation (they are not requests anybody sent).
const BROWSER_NOISE: &[&str] = &["/favicon.ico", "/robots.txt"];

struct Shared {
    path: String,
    /// `host:port` of the redirect URI: the `Host` a request must carry.
    authority: String,
    refused: mpsc::Sender<RefusedCallback>,
    expected_state: String,
    issuer: Option<String>,
    iss_required: bool,
    expect: Expect,
    result: Mutex<Option<oneshot::Sender<Outcome>>>,
}

/// A loopback listener waiting for one redirect.
pub struct CallbackListener {
    redirect_uri: Url,
    refused: Option<mpsc::Receiver<RefusedCallback>>,
    result: oneshot::Receiver<Outcome>,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl CallbackListener {
    /// Binds the loopback address and port of `redirect_uri` (a free port
    /// when it has none or port 0). The redirect URI to send is then
    /// [`CallbackListener::redirect_uri`], which carries the real port.
    pub async fn bind<'a>(
        redirect_uri: &Url,
        expected_state: &str,
        issuer: impl Into<Issuer<'a>>,
        expect: Expect,
    ) -> Result<Self, CallbackError> {
        let issuer = issuer.into();
        if redirect_uri.scheme() != "http" || !is_loopback(redirect_uri) {
            return Err(CallbackError::Listener(format!(
                "{redirect_uri} is not a loopback http URI; paste the redirect URL instead"
            )));
        }
        let ip = match redirect_uri.host() {
            Some(url::Host::Ipv6(_)) => IpAddr::V6(Ipv6Addr::LOCALHOST),
            _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        let port = redirect_uri.port().unwrap_or(0);
        let listener = TcpListener::bind(SocketAddr::new(ip, port))
            .await
            .map_err(|err| {
                CallbackError::Listener(format!(
                    "cannot listen on {ip} port {port} for the redirect: {err}"
                ))
            })?;
        let actual = listener
            .local_addr()
            .map_err(|err| CallbackError::Listener(err.to_string()))?;
        let mut redirect_uri = redirect_uri.clone();
        redirect_uri
            .set_port(Some(actual.port()))
            .map_err(|_| CallbackError::Listener("cannot set the port".to_string()))?;
        let path = match redirect_uri.path() {
            "" => "/".to_string(),
            path => path.to_string(),
        };

        let (tx, rx) = oneshot::channel();
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let (refused_tx, refused_rx) = mpsc::channel(16);
        let authority = match (redirect_uri.host_str(), redirect_uri.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            _ => String::new(),
        };
        let shared = Arc::new(Shared {
            path,
            authority,
            refused: refused_tx,
            expected_state: expected_state.to_string(),
            issuer: issuer.expected.map(str::to_string),
            iss_required: issuer.required,
            expect,
            result: Mutex::new(Some(tx)),
        });
        let app = Router::new().fallback(handle).with_state(shared);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = shutdown_rx.await;
                })
                .await;
        });
        Ok(Self {
            redirect_uri,
            refused: Some(refused_rx),
            result: rx,
            shutdown: Some(shutdown_tx),
            task,
        })
    }

    /// The redirect URI to send, with the port actually bound.
    pub fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// The requests the listener refuses while it waits, as they come; to
    /// be taken before [`CallbackListener::wait`].
    pub fn take_refusals(&mut self) -> Option<mpsc::Receiver<RefusedCallback>> {
        self.refused.take()
    }

    /// Waits for the redirect, at most `timeout`, or until `cancel` resolves.
    /// The listener is closed when this returns.
    pub async fn wait(
        mut self,
        timeout: Duration,
        cancel: impl Future<Output = ()>,
    ) -> Result<CallbackParams, CallbackError> {
        let outcome = tokio::select! {
            result = &mut self.result => result.unwrap_or(Err(CallbackError::Cancelled)),
            _ = tokio::time::sleep(timeout) => Err(CallbackError::Timeout(timeout)),
            _ = cancel => Err(CallbackError::Cancelled),
        };
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        // Let the answer page go out before the socket closes.
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut self.task).await;
        self.task.abort();
        outcome
    }
}

impl Drop for CallbackListener {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let refuse = |status: StatusCode, title: &str, reason: String| {
        let response = page(status, title, &reason);
        let page_body = format!("{title}: {reason}").into_bytes();
        let _ = shared.refused.try_send(RefusedCallback {
            at: chrono::Utc::now(),
            method: method.to_string(),
            url: format!("http://{host}{uri}"),
            headers: headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: body.to_vec(),
            status: status.as_u16(),
            page: page_body,
            reason,
        });
        response
    };
    // A page elsewhere can reach a loopback port under another name (DNS
    // rebinding): only the redirect URI's own host is served.
    if !host.eq_ignore_ascii_case(&shared.authority) {
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "Refused",
            format!(
                "the request names the host {host:?}, not the redirect URI's {:?}; the OAuth Debugger keeps waiting for the real redirect",
                shared.authority
            ),
        );
    }
    if uri.path() != shared.path {
        if BROWSER_NOISE.contains(&uri.path()) {
            return (StatusCode::NOT_FOUND, "Not found").into_response();
        }
        return refuse(
            StatusCode::NOT_FOUND,
            "Not found",
            format!(
                "{} is not the redirect URI's path {}; the OAuth Debugger keeps waiting for the real redirect",
                uri.path(),
                shared.path
            ),
        );
    }
    let from_query = method == Method::GET;
    // The fragment relay page marks its POST; any other POST on the
    // redirect URI is the browser submitting a form_post response.
    let form_post = method == Method::POST && !headers.contains_key(RELAY_HEADER);
    let raw = match (&method, query.as_deref()) {
        (&Method::GET, Some(query)) if !query.is_empty() => query.as_bytes().to_vec(),
        // The implicit grant's tokens are in the fragment: hand it back.
        // (A return after logout carries no fragment: a bare one is refused
        // below as empty, so a missing state is seen, not waited on.)
        (&Method::GET, _) if shared.expect != Expect::LoggedOut => {
            return Html(FRAGMENT_RELAY).into_response();
        }
        (&Method::GET, _) => Vec::new(),
        (&Method::POST, _) => body.to_vec(),
        _ => return StatusCode::METHOD_NOT_ALLOWED.into_response(),
    };
    let params: Vec<(String, String)> = url::form_urlencoded::parse(&raw).into_owned().collect();
    // A redirect without this sign-in's state is not its answer: refused,
    // and the listener stays for the real one (a forged request must not
    // end the sign-in in progress).
    if let Err(
        err @ (CallbackError::StateMismatch { .. }
        | CallbackError::StateMissing { .. }
        | CallbackError::Empty),
    ) = check_callback(params.clone(), &shared.expected_state, None, shared.expect)
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Refused",
            format!("{err}; the OAuth Debugger ignores it and keeps waiting for the real redirect"),
        );
    }
    let Ok(mut slot) = shared.result.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Some(sender) = slot.take() else {
        return page(
            StatusCode::GONE,
            "Already answered",
            "This sign-in was already completed. You can close this tab.",
        );
    };
    let outcome = check_callback(
        params,
        &shared.expected_state,
        Issuer {
            expected: shared.issuer.as_deref(),
            required: shared.iss_required,
        },
        shared.expect,
    )
    .map(|params| CallbackParams {
        from_query,
        form_post,
        ..params
    });
    let response = match &outcome {
        Ok(_) if shared.expect == Expect::LoggedOut => page(
            StatusCode::OK,
            "Logged out",
            "The OAuth Debugger saw the provider send you back after logging out. You can close this tab.",
        ),
        Ok(_) => page(
            StatusCode::OK,
            "Signed in",
            "The OAuth Debugger received the response. You can close this tab and go back to the app.",
        ),
        Err(err) => page(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            &format!("{err}. Go back to the OAuth Debugger for the details."),
        ),
    };
    let _ = sender.send(outcome);
    response.into_response()
}

/// Turns text into HTML text.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\">\
         <h1>{title}</h1><p>{message}</p></body></html>",
        title = html_escape(title),
        message = html_escape(message),
    );
    let mut response = (status, Html(body)).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// The page that carries the URL fragment back to the listener: browsers
/// never send the fragment, so a script posts it, then shows the answer.
/// The header the fragment relay page sends with its POST.
const RELAY_HEADER: &str = "x-oauth-debugger-relay";

const FRAGMENT_RELAY: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>Completing sign-in…</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1 id="title">Completing sign-in…</h1>
<p id="message">Handing the response to the OAuth Debugger.</p>
<script>
(function () {
  var fragment = window.location.hash.replace(/^#/, "");
  history.replaceState(null, "", window.location.pathname);
  fetch(window.location.pathname, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-OAuth-Debugger-Relay": "fragment" },
    body: fragment
  }).then(function (response) { return response.text(); })
    .then(function (html) { document.open(); document.write(html); document.close(); })
    .catch(function (err) {
      document.getElementById("title").textContent = "Sign-in failed";
      document.getElementById("message").textContent = String(err);
    });
})();
</script>
<noscript>JavaScript is off: copy this page's full address into the OAuth Debugger.</noscript>
</body></html>
"#;

#[cfg(test)]
mod tests;
