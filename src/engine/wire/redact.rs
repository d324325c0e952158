//! Redaction: the one place that decides what a secret looks like in a log,
//! a copied command or an export.
//!
//! Masks the credentials in an exchange — `Authorization` and cookie headers,
//! secret form fields, token fields in JSON bodies, token query parameters —
//! and leaves everything else as it was.

use bytes::Bytes;
use serde_json::Value;

use crate::engine::wire::http::{Exchange, RecordedRequest, RecordedResponse};

/// What a masked value is replaced with.
pub const MASK: &str = "[redacted]";

/// Form, query and JSON field names whose values are secrets.
pub const SECRET_FIELDS: &[&str] = &[
    "client_secret",
    "password",
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "code_verifier",
    "device_code",
    "token",
    "oauth_token",
    "client_assertion",
    "assertion",
    "subject_token",
    "actor_token",
    // OpenID Connect logout: the ID token sent back (RP-Initiated Logout
    // §2) and the token that ends a session (Back-Channel Logout §2.5).
    "id_token_hint",
    "logout_token",
    // OpenID CIBA Core §7.1.
    "client_notification_token",
    "login_hint_token",
    "user_code",
];

/// Header names whose values are secrets (the scheme word is kept).
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
];

/// A copy of `exchange` with every secret masked.
pub fn exchange(exchange: &Exchange) -> Exchange {
    Exchange {
        request: request(&exchange.request),
        response: exchange.response.as_ref().map(response),
        ..exchange.clone()
    }
}

/// A copy of a request with every secret masked.
pub fn request(request: &RecordedRequest) -> RecordedRequest {
    RecordedRequest {
        method: request.method.clone(),
        url: url(&request.url),
        headers: headers(&request.headers),
        body: shared_body(&request.body),
    }
}

fn response(response: &RecordedResponse) -> RecordedResponse {
    RecordedResponse {
        headers: headers(&response.headers),
        body: shared_body(&response.body),
        ..response.clone()
    }
}

/// Masks secret header values, keeping an auth scheme (`Basic [redacted]`).
pub fn headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                let masked = match value.split_once(' ') {
                    Some((scheme, _))
                        if name.eq_ignore_ascii_case("authorization")
                            || name.eq_ignore_ascii_case("proxy-authorization") =>
                    {
                        format!("{scheme} {MASK}")
                    }
                    _ => MASK.to_string(),
                };
                (name.clone(), masked)
            } else {
                (name.clone(), value.clone())
            }
        })
        .collect()
}

/// Masks secret query parameters and the fragment's.
pub fn url(text: &str) -> String {
    let Ok(mut url) = url::Url::parse(text) else {
        return text.to_string();
    };
    if url.query().is_some() {
        let query = form(url.query().unwrap_or_default());
        url.set_query(Some(&query));
    }
    if let Some(fragment) = url.fragment() {
        let fragment = form(fragment);
        url.set_fragment(Some(&fragment));
    }
    url.to_string()
}

/// Masks secrets in a body: JSON fields or form fields; other bodies are
/// returned as they are.
pub fn body(body: &[u8]) -> Vec<u8> {
    masked_body(body).unwrap_or_else(|| body.to_vec())
}

/// [`body`] for a recorded body: one with nothing to mask comes back
/// shared, not copied.
fn shared_body(body: &Bytes) -> Bytes {
    masked_body(body).map_or_else(|| body.clone(), Bytes::from)
}

/// The body with its secrets masked, or `None` when nothing in it is one.
fn masked_body(body: &[u8]) -> Option<Vec<u8>> {
    if body.is_empty() {
        return None;
    }
    if let Ok(mut value) = serde_json::from_slice::<Value>(body) {
        return mask_json(&mut value)
            .then(|| serde_json::to_vec(&value).ok())
            .flatten();
    }
    // JSON with trailing commas (which some servers send) is masked in its
    // repaired form rather than shown with its secrets.
    if let Some(mut value) = std::str::from_utf8(body)
        .ok()
        .and_then(crate::engine::wire::compat::repair_json)
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
    {
        return mask_json(&mut value)
            .then(|| serde_json::to_vec(&value).ok())
            .flatten();
    }
    if let Ok(text) = std::str::from_utf8(body)
        && looks_like_form(text)
    {
        let masked = form(text);
        return (masked != text).then(|| masked.into_bytes());
    }
    None
}

fn looks_like_form(text: &str) -> bool {
    !text.trim().is_empty()
        && !text.contains(char::is_whitespace)
        && text.split('&').all(|pair| pair.contains('='))
}

/// Masks secret fields of a form-encoded string, keeping the others as sent.
pub fn form(text: &str) -> String {
    text.split('&')
        .map(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            let decoded: String = url::form_urlencoded::parse(name.as_bytes())
                .next()
                .map(|(k, _)| k.into_owned())
                .unwrap_or_default();
            if SECRET_FIELDS.contains(&decoded.as_str()) && pair.contains('=') {
                format!("{name}={MASK}")
            } else {
                pair.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Personal claims masked on screen wherever they appear (OIDC Core §5.1).
const PERSONAL_ALWAYS: &[&str] = &[
    "email",
    "phone_number",
    "address",
    "birthdate",
    "preferred_username",
];

/// Name claims, masked in objects that describe a person (those with a
/// `sub` or an `email`), so an item's "name" stays readable.
const PERSONAL_NAMES: &[&str] = &[
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
];

/// True when a JSON value under the key `name` may be masked by
/// [`mask_json`] or [`mask_personal`]: a secret field, a personal claim, or
/// `sub` (an object with it describes a person, whose names are masked). A
/// body without such keys has nothing to mask.
pub fn may_mask_key(name: &str) -> bool {
    SECRET_FIELDS.contains(&name) || PERSONAL_ALWAYS.contains(&name) || name == "sub"
}

/// Masks personal claims (e-mail, phone, address, names of people) anywhere
/// in a JSON value; true when something changed. For what is on screen.
pub fn mask_personal(value: &mut Value) -> bool {
    let mut changed = false;
    match value {
        Value::Object(map) => {
            let person = map.contains_key("sub") || map.contains_key("email");
            for (key, field) in map.iter_mut() {
                let personal = PERSONAL_ALWAYS.contains(&key.as_str())
                    || (person && PERSONAL_NAMES.contains(&key.as_str()));
                if personal && !field.is_null() {
                    *field = Value::String(MASK.to_string());
                    changed = true;
                } else {
                    changed |= mask_personal(field);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                changed |= mask_personal(item);
            }
        }
        _ => {}
    }
    changed
}

/// A copy of `exchange` as shown on screen with secrets hidden: secrets
/// masked as in [`exchange`], and personal claims in JSON bodies and the
/// username of a password grant masked too.
pub fn on_screen(original: &Exchange) -> Exchange {
    let mut shown = exchange(original);
    let personal_body = |body: &mut Bytes| {
        if let Ok(mut value) = serde_json::from_slice::<Value>(body) {
            if mask_personal(&mut value) {
                *body = serde_json::to_vec(&value).unwrap_or_default().into();
            }
        } else if let Ok(text) = std::str::from_utf8(body)
            && looks_like_form(text)
            && text.split('&').any(|pair| pair.starts_with("username="))
        {
            let masked: Vec<String> = text
                .split('&')
                .map(|pair| {
                    if pair.starts_with("username=") {
                        format!("username={MASK}")
                    } else {
                        pair.to_string()
                    }
                })
                .collect();
            *body = masked.join("&").into();
        }
    };
    personal_body(&mut shown.request.body);
    if let Some(response) = shown.response.as_mut() {
        personal_body(&mut response.body);
    }
    shown
}

/// Masks secret fields anywhere in a JSON value; true when something changed.
pub fn mask_json(value: &mut Value) -> bool {
    let mut changed = false;
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if SECRET_FIELDS.contains(&key.as_str()) && field.is_string() {
                    *field = Value::String(MASK.to_string());
                    changed = true;
                } else {
                    changed |= mask_json(field);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                changed |= mask_json(item);
            }
        }
        _ => {}
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_headers_forms_json_and_queries() {
        let masked = headers(&[
            ("Authorization".into(), "Basic ZGVtbzpzZWNyZXQ=".into()),
            ("Accept".into(), "application/json".into()),
        ]);
        assert_eq!(masked[0].1, "Basic [redacted]");
        assert_eq!(masked[1].1, "application/json");
        assert_eq!(
            form("grant_type=password&username=alice&password=p%40ss&client_secret=x"),
            "grant_type=password&username=alice&password=[redacted]&client_secret=[redacted]"
        );
        let json = body(br#"{"access_token":"abc","expires_in":5,"nested":{"refresh_token":"r"}}"#);
        let text = String::from_utf8(json).expect("utf8");
        assert!(!text.contains("abc") && !text.contains("\"r\""), "{text}");
        assert!(text.contains("expires_in"));
        let u = url("http://h/api?format=JSON&access_token=abc#access_token=def&state=s");
        assert!(
            !u.contains("abc")
                && !u.contains("def")
                && u.contains("format=JSON")
                && u.contains("state=s"),
            "{u}"
        );
        assert_eq!(body(b"<html>hi there</html>"), b"<html>hi there</html>");
    }

    #[test]
    fn personal_claims_are_masked_on_screen_but_item_names_stay() {
        let mut value = serde_json::json!({
            "sub": "alice", "name": "Alice Example", "email": "alice@example.com",
            "items": [{"id": 1, "name": "Widget"}]
        });
        assert!(mask_personal(&mut value));
        assert_eq!(value["name"], MASK);
        assert_eq!(value["email"], MASK);
        assert_eq!(value["items"][0]["name"], "Widget");
    }

    #[test]
    fn a_body_without_secrets_stays_shared_and_one_with_secrets_is_new() {
        let plain = Bytes::from(br#"{"items":[1,2,3],"next":null}"#.repeat(1000));
        assert_eq!(shared_body(&plain).as_ptr(), plain.as_ptr());
        let form = Bytes::from_static(b"grant_type=client_credentials&scope=read");
        assert_eq!(shared_body(&form).as_ptr(), form.as_ptr());
        let html = Bytes::from_static(b"<html><body>hello</body></html>");
        assert_eq!(shared_body(&html).as_ptr(), html.as_ptr());

        let secret = Bytes::from_static(br#"{"access_token":"abc","expires_in":5}"#);
        let masked = shared_body(&secret);
        assert_ne!(masked.as_ptr(), secret.as_ptr());
        assert_eq!(
            &masked[..],
            br#"{"access_token":"[redacted]","expires_in":5}"#
        );
        let secret_form = Bytes::from_static(b"grant_type=password&password=p");
        assert_eq!(
            &shared_body(&secret_form)[..],
            b"grant_type=password&password=[redacted]"
        );
    }
}
