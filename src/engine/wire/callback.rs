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

use std::time::Duration;

use url::Url;

mod listener;
pub use listener::*;

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

#[cfg(test)]
mod tests;
