//! The authorization request, asked once before the browser opens.
//!
//! A server shows an error page instead of redirecting when it does not
//! know the `client_id` or the `redirect_uri` (RFC 6749 §4.1.2.1); the
//! person then looks at that page while this debugger waits for a redirect
//! that never comes. So the URL is requested once through the recording
//! client, as a browser without a session would (no cookies, redirects not
//! followed): an error page (4xx/5xx) or a redirect carrying `error=` ends
//! the grant at once with its text; a login page (200) or a redirect to one
//! means go on. Anything unclear (no answer, a challenge, a rate limit)
//! goes on too: the browser may still get through.

use std::time::Duration;

use url::Url;

use crate::engine::diagnose::findings::excerpt;
use crate::engine::oauth_error::parse_oauth_error;
use crate::engine::wire::callback::{CallbackError, is_loopback};
use crate::engine::wire::http::{Exchange, ExchangeKind, HttpClient, header};

/// How long the preflight may take before the browser opens anyway.
const PREFLIGHT_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest page text quoted.
const MAX_TEXT: usize = 200;

/// What the authorization endpoint's answer means for the browser step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A sign-in page, or nothing clear: open the browser.
    GoOn,
    /// An error page, or a redirect to one: the browser would not come back.
    ErrorPage {
        /// The HTTP status.
        status: u16,
        /// The page's text, short.
        text: String,
    },
    /// A redirect to the redirect URI carrying an OAuth error (RFC 6749
    /// §4.1.2.1).
    ErrorRedirect(CallbackError),
}

/// Whether a preflight is worth its request: never for a request by
/// reference (`request_uri`, RFC 9126/9101), which a server may accept
/// only once.
pub fn wanted(url: &Url) -> bool {
    !url.query_pairs().any(|(k, _)| k == "request_uri")
}

/// Requests `url` once and says whether the browser step can work.
/// `redirect_uri` is the one sent; `written` the profile's own (without the
/// listener's port); `client_id` the one sent.
pub async fn check(
    http: &HttpClient,
    url: &Url,
    redirect_uri: &Url,
    written: Option<&Url>,
    client_id: &str,
) -> Result<(), CallbackError> {
    if !wanted(url) {
        return Ok(());
    }
    let Ok(request) = http::Request::builder()
        .method(http::Method::GET)
        .uri(url.as_str())
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .body(Vec::new())
    else {
        return Ok(());
    };
    let Ok(exchange) = tokio::time::timeout(
        PREFLIGHT_TIMEOUT,
        http.send(request, ExchangeKind::Authorize),
    )
    .await
    else {
        return Ok(());
    };
    match read(&exchange, url, redirect_uri) {
        Verdict::GoOn => Ok(()),
        Verdict::ErrorRedirect(error) => Err(error),
        Verdict::ErrorPage { status, text } => Err(CallbackError::ErrorPage {
            hint: hint(&text, redirect_uri, written, client_id),
            status,
            text,
        }),
    }
}

/// Reads the preflight's answer.
pub fn read(exchange: &Exchange, url: &Url, redirect_uri: &Url) -> Verdict {
    let Some(response) = &exchange.response else {
        return Verdict::GoOn;
    };
    let status = response.status;
    if (300..400).contains(&status) {
        let Some(target) = header(&response.headers, "location").and_then(|l| url.join(l).ok())
        else {
            return Verdict::GoOn;
        };
        let mut params: Vec<(String, String)> = target.query_pairs().into_owned().collect();
        if let Some(fragment) = target.fragment() {
            params.extend(url::form_urlencoded::parse(fragment.as_bytes()).into_owned());
        }
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, v)| k == name && !v.is_empty())
                .map(|(_, v)| v.clone())
        };
        let Some(error) = get("error") else {
            return Verdict::GoOn;
        };
        let description = get("error_description");
        if same_endpoint(&target, redirect_uri) {
            return Verdict::ErrorRedirect(CallbackError::Authorization {
                error,
                description,
                uri: get("error_uri"),
            });
        }
        return Verdict::ErrorPage {
            status,
            text: match description {
                Some(description) => format!("{error}: {description}"),
                None => error,
            },
        };
    }
    let challenged = status == 401 && header(&response.headers, "www-authenticate").is_some();
    if status < 400 || challenged || status == 407 || status == 429 {
        return Verdict::GoOn;
    }
    let text = match parse_oauth_error(status, &response.body) {
        Some(error) => error.to_string(),
        None => page_text(&response.body),
    };
    Verdict::ErrorPage { status, text }
}

/// The same scheme, host, port and path.
fn same_endpoint(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path() == b.path()
}

/// The visible text of an HTML page (scripts, styles and tags dropped,
/// entities decoded, spaces collapsed), short.
pub fn page_text(body: &[u8]) -> String {
    // An error page is small; a huge body is read only as far as a page.
    let html = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]);
    // ASCII lower-casing keeps byte offsets, so one copy serves to search.
    let lowered = html.to_ascii_lowercase();
    let mut text = String::new();
    let mut at = 0;
    while let Some(open) = lowered[at..].find('<').map(|i| at + i) {
        text.push_str(&html[at..open]);
        text.push(' ');
        let tag = &lowered[open..];
        let skip_to = if tag.starts_with("<script") {
            "</script>"
        } else if tag.starts_with("<style") {
            "</style>"
        } else if tag.starts_with("<title") {
            // The title repeats the heading, or names the product.
            "</title>"
        } else {
            ">"
        };
        at = match tag.find(skip_to) {
            Some(end) => open + end + skip_to.len(),
            None => html.len(),
        };
    }
    let rest = &html[at..];
    text.push_str(rest);
    let text = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&");
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return excerpt(body, MAX_TEXT);
    }
    excerpt(words.join(" ").as_bytes(), MAX_TEXT)
}

/// What to check, from what the page says and the redirect URI sent.
pub fn hint(text: &str, sent: &Url, written: Option<&Url>, client_id: &str) -> String {
    let names_redirect =
        text.to_ascii_lowercase().contains("redirect") || text.contains(sent.as_str());
    let written_port = written.and_then(Url::port);
    let port_chosen_here = is_loopback(sent)
        && sent.port().is_some()
        && (written_port.is_none() || written_port != sent.port());
    if names_redirect && port_chosen_here {
        let mut registered = sent.clone();
        let _ = registered.set_port(None);
        let port = sent.port().unwrap_or_default();
        return format!(
            "The redirect URI sent was {sent}: the listener took port {port} because the profile's redirect_uri has {}. This server seems to compare loopback redirect URIs exactly, port included (RFC 8252 §7.3 asks it to accept any port): set redirect_uri in the profile to the registered URI with its port (e.g. {}), or register {sent} at the server.",
            if written_port.is_none() {
                "no port".to_string()
            } else {
                "another port".to_string()
            },
            example_with_port(&registered),
        );
    }
    if names_redirect {
        return format!(
            "Check that the redirect URI {sent} is registered for client_id {client_id:?}, exactly as sent."
        );
    }
    format!(
        "Check that client_id {client_id:?} is registered at this server and that the redirect URI {sent} is registered for it."
    )
}

/// `uri` with an example port, as a profile would name it.
fn example_with_port(uri: &Url) -> String {
    let mut uri = uri.clone();
    let _ = uri.set_port(Some(8765));
    uri.to_string()
}

/// What the waiting message says to check when the redirect does not come.
pub fn waiting_advice(redirect_uri: &Url) -> String {
    format!(
        "if the browser shows an error page instead of coming back, check client_id and that {redirect_uri} is registered for it (a server that compares loopback redirect URIs exactly needs the port in redirect_uri)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_text_keeps_what_a_person_reads() {
        let page = b"<!doctype html><html><head><title>Demo</title><style>p{color:red}</style></head><body><h1>Cannot sign in</h1><p role=\"alert\">Unknown client_id &#39;x&#39;.</p><script>var a = '<p>';</script></body></html>";
        assert_eq!(page_text(page), "Cannot sign in Unknown client_id 'x'.");
        assert_eq!(page_text(b""), "(empty body)");
    }

    #[test]
    fn the_port_hint_only_when_the_page_names_the_redirect_and_the_port_was_chosen_here() {
        let sent = Url::parse("http://127.0.0.1:54321/callback").expect("url");
        let written = Url::parse("http://127.0.0.1/callback").expect("url");
        let hint = hint("redirect_uri mismatch", &sent, Some(&written), "app");
        assert!(hint.contains("port 54321"), "{hint}");
        assert!(hint.contains("http://127.0.0.1:8765/callback"), "{hint}");
        let fixed = Url::parse("http://127.0.0.1:54321/callback").expect("url");
        let hint_fixed = super::hint("redirect_uri mismatch", &sent, Some(&fixed), "app");
        assert!(!hint_fixed.contains("RFC 8252"), "{hint_fixed}");
        let other = super::hint("Unknown client", &sent, Some(&written), "app");
        assert!(other.contains("client_id \"app\""), "{other}");
    }
}
