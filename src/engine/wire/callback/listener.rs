//! The loopback redirect listener: serves the redirect URI on 127.0.0.1,\nrelays a fragment to itself, refuses what is not the awaited redirect, and\nhands the first good one over.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use url::Url;

use super::*;

pub(super) type Outcome = Result<CallbackParams, CallbackError>;

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
    pub body: Bytes,
    /// The status of the page the listener answered.
    pub status: u16,
    /// That page.
    pub page: Bytes,
    /// Why it was refused, for people.
    pub reason: String,
}

/// Paths browsers ask for on their own; answered 404 without an
/// observation (they are not requests anybody sent).
pub(super) const BROWSER_NOISE: &[&str] = &["/favicon.ico", "/robots.txt"];

pub(super) struct Shared {
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

pub(super) async fn handle(
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
        let page_body = Bytes::from(format!("{title}: {reason}"));
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
            body: body.clone(),
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

pub(super) fn page(status: StatusCode, title: &str, message: &str) -> Response {
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
pub(super) const RELAY_HEADER: &str = "x-oauth-debugger-relay";

pub(super) const FRAGMENT_RELAY: &str = r#"<!doctype html>
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
