//! A scripted person with a browser, for the demo provider's pages.
//!
//! It opens a URL, signs in with the login form, answers the consent page
//! (Allow or Deny) and follows the redirect back to the client as a browser
//! would — including the implicit grant's fragment, which it hands to the
//! client's page the way that page's script does (a POST of the fragment to
//! the same path). Tests use it directly, and `oauth-debugger demo-browser`
//! makes it usable as `$BROWSER`, so the app's real "open the browser" path
//! can be driven without a person.

use std::time::Duration;

/// Who is at the keyboard and what they answer.
#[derive(Debug, Clone)]
pub struct Person {
    /// Username typed into the login form.
    pub username: String,
    /// Password typed into the login form.
    pub password: String,
    /// Allow (true) or Deny (false) on the consent page.
    pub approve: bool,
}

impl Default for Person {
    fn default() -> Self {
        Self {
            username: "alice".to_string(),
            password: "alice-password".to_string(),
            approve: true,
        }
    }
}

/// Where the visit ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    /// The redirect to the client, when there was one; with
    /// `response_mode=form_post`, the URL the form was posted to.
    pub redirected_to: Option<String>,
    /// With `response_mode=form_post` (or `form_post.jwt`): the fields the
    /// auto-submitting page posted to `redirected_to`.
    pub posted: Option<Vec<(String, String)>>,
    /// The status of the last page.
    pub status: u16,
    /// The last page's text (HTML).
    pub page: String,
}

/// Opens `url` and does what `person` would, up to a final page.
pub async fn visit(url: &str, person: &Person) -> Result<Visit, String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // It only ever talks to the demo provider, whose `--tls` certificate
        // is self-signed and made at start.
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(20))
        .build()
        .map_err(|e| e.to_string())?;
    let origin = origin(url)?;
    let mut cookie: Option<String> = None;
    let mut response = get(&client, url, cookie.as_deref()).await?;
    for _ in 0..10 {
        if let Some(set) = response.headers().get(reqwest::header::SET_COOKIE) {
            let set = set.to_str().unwrap_or_default();
            cookie = set.split(';').next().map(str::to_string);
        }
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or("a redirect without Location")?
                .to_string();
            let target = url::Url::parse(&origin)
                .and_then(|base| base.join(&location))
                .map_err(|e| format!("bad Location {location}: {e}"))?;
            if target.as_str().starts_with(&origin) {
                response = get(&client, target.as_str(), cookie.as_deref()).await?;
                continue;
            }
            let page = deliver(&client, &target).await?;
            return Ok(Visit {
                redirected_to: Some(target.to_string()),
                posted: None,
                status: page.0,
                page: page.1,
            });
        }
        let page = response.text().await.map_err(|e| e.to_string())?;
        if !(200..300).contains(&status) {
            return Ok(Visit {
                redirected_to: None,
                posted: None,
                status,
                page,
            });
        }
        if let Some((action, fields)) = auto_submitted_form(&page) {
            // The Form Post Response Mode: the page posts itself to the client.
            let target = url::Url::parse(&action)
                .or_else(|_| url::Url::parse(&origin).and_then(|base| base.join(&action)))
                .map_err(|e| format!("bad form action {action}: {e}"))?;
            let page = post_to_client(&client, &target, &fields).await?;
            return Ok(Visit {
                redirected_to: Some(target.to_string()),
                posted: Some(fields),
                status: page.0,
                page: page.1,
            });
        }
        let Some(request) = hidden(&page, "request") else {
            // A final page (device approved, or an error page).
            return Ok(Visit {
                redirected_to: None,
                posted: None,
                status,
                page,
            });
        };
        let login = page.contains("name=\"password\"");
        let (fallback, form) = if login {
            (
                "/authorize/login",
                vec![
                    ("request", request),
                    ("username", person.username.clone()),
                    ("password", person.password.clone()),
                ],
            )
        } else if page.contains("name=\"decision\"") {
            let decision = if person.approve { "allow" } else { "deny" };
            (
                "/authorize/consent",
                vec![("request", request), ("decision", decision.to_string())],
            )
        } else {
            return Err(format!("a page with no form to fill in: {page}"));
        };
        // Each mode's pages post to their own paths: follow the form.
        let path = form_action(&page).unwrap_or_else(|| fallback.to_string());
        let mut post = client.post(format!("{origin}{path}")).form(&form);
        if let Some(cookie) = &cookie {
            post = post.header(reqwest::header::COOKIE, cookie);
        }
        response = post.send().await.map_err(|e| e.to_string())?;
        if login && response.status().is_success() {
            // A wrong password shows the login page again: stop there.
            if let Some(set) = response.headers().get(reqwest::header::SET_COOKIE) {
                cookie = set
                    .to_str()
                    .ok()
                    .and_then(|s| s.split(';').next())
                    .map(str::to_string);
            } else {
                let page = response.text().await.map_err(|e| e.to_string())?;
                return Err(format!("sign-in failed: {}", strip_tags(&page)));
            }
        }
    }
    Err("too many pages".to_string())
}

/// Follows a redirect to the client: a plain GET, or for a fragment the
/// page's job — post the fragment to the same path.
async fn deliver(client: &reqwest::Client, target: &url::Url) -> Result<(u16, String), String> {
    // A hosted callback page (elsewhere on the internet) is not visited: the
    // redirect URL is the result, pasted back by hand.
    if !is_local(target) {
        return Ok((0, String::new()));
    }
    let response = match target.fragment() {
        Some(fragment) => {
            let mut bare = target.clone();
            bare.set_fragment(None);
            // Load the page first, as a browser would.
            let _ = client
                .get(bare.as_str())
                .send()
                .await
                .map_err(|e| e.to_string())?;
            // The page's script marks its POST as the fragment relay.
            client
                .post(bare.as_str())
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .header("x-oauth-debugger-relay", "fragment")
                .body(fragment.to_string())
                .send()
                .await
        }
        None => client.get(target.as_str()).send().await,
    };
    match response {
        Ok(response) => {
            let status = response.status().as_u16();
            Ok((status, response.text().await.unwrap_or_default()))
        }
        // A callback listener that is gone: the redirect URL is still the result.
        Err(err) if err.is_connect() || err.is_request() => Ok((0, String::new())),
        Err(err) => Err(err.to_string()),
    }
}

/// Whether `target` is on this machine (a loopback callback listener);
/// a hosted page elsewhere on the internet is not visited.
fn is_local(target: &url::Url) -> bool {
    match target.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Posts an auto-submitted form's fields to the client, as a browser does
/// on loading a form_post page.
async fn post_to_client(
    client: &reqwest::Client,
    target: &url::Url,
    fields: &[(String, String)],
) -> Result<(u16, String), String> {
    if !is_local(target) {
        return Ok((0, String::new()));
    }
    match client.post(target.as_str()).form(fields).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            Ok((status, response.text().await.unwrap_or_default()))
        }
        Err(err) if err.is_connect() || err.is_request() => Ok((0, String::new())),
        Err(err) => Err(err.to_string()),
    }
}

/// A page whose form submits itself on load (`onload` submitting the first
/// form): its action and its hidden fields.
fn auto_submitted_form(page: &str) -> Option<(String, Vec<(String, String)>)> {
    if !page.contains("onload=\"document.forms[0].submit()\"") {
        return None;
    }
    let form_at = page.find("<form")?;
    let form = &page[form_at..];
    let action = attribute(&form[..form.find('>')?], "action")?;
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find("<input") {
        rest = &rest[at..];
        let end = rest.find('>')?;
        let tag = &rest[..end];
        if let (Some(name), Some(value)) = (attribute(tag, "name"), attribute(tag, "value")) {
            fields.push((name, value));
        }
        rest = &rest[end..];
    }
    Some((action, fields))
}

/// An attribute's value in a tag, HTML entities undone.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

async fn get(
    client: &reqwest::Client,
    url: &str,
    cookie: Option<&str>,
) -> Result<reqwest::Response, String> {
    let mut request = client.get(url);
    if let Some(cookie) = cookie {
        request = request.header(reqwest::header::COOKIE, cookie);
    }
    request
        .send()
        .await
        .map_err(|e| format!("cannot open {url}: {e}"))
}

fn origin(url: &str) -> Result<String, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url} is not a URL: {e}"))?;
    Ok(parsed.origin().ascii_serialization())
}

/// Where the page's form posts to, when it names a path on this server.
fn form_action(page: &str) -> Option<String> {
    let marker = "action=\"";
    let start = page.find(marker)? + marker.len();
    let end = page[start..].find('"')? + start;
    let action = page[start..end].replace("&amp;", "&");
    action.starts_with('/').then_some(action)
}

/// The value of a hidden input called `name`.
fn hidden(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker)? + marker.len();
    let end = page[start..].find('"')? + start;
    Some(
        page[start..end]
            .replace("&amp;", "&")
            .replace("&quot;", "\""),
    )
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_auto_submitted_form_is_read() {
        let page = "<html><body onload=\"document.forms[0].submit()\">\
            <form method=\"post\" action=\"http://127.0.0.1:9/cb?a=1&amp;b=2\">\
            <input type=\"hidden\" name=\"code\" value=\"x&amp;y\">\
            <input type=\"hidden\" name=\"state\" value=\"&quot;s&quot;\">\
            <noscript><button type=\"submit\">Continue</button></noscript></form></body></html>";
        let (action, fields) = auto_submitted_form(page).expect("a form_post page");
        assert_eq!(action, "http://127.0.0.1:9/cb?a=1&b=2");
        assert_eq!(
            fields,
            vec![
                ("code".to_string(), "x&y".to_string()),
                ("state".to_string(), "\"s\"".to_string()),
            ]
        );
        assert!(auto_submitted_form("<form action=\"/x\"></form>").is_none());
    }
}
