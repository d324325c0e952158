//! Client authentication at the token, introspection and revocation
//! endpoints (RFC 6749 §2.3).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;

use super::oauth_error;
use super::store::{self, Client};

/// A form body read strictly: each parameter at most once (RFC 6749 §3.2).
pub struct Form(pub Vec<(String, String)>);

impl Form {
    /// Parses `application/x-www-form-urlencoded` bytes. Refuses another
    /// Content-Type and repeated parameters.
    pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self, Response> {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !content_type
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
        {
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "the request body must be application/x-www-form-urlencoded",
            ));
        }
        Self::from_pairs(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// Parameters gathered elsewhere (a query string, or a query string and
    /// a body together), refused when one is repeated.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<Self, Response> {
        for (i, (name, _)) in pairs.iter().enumerate() {
            if pairs[..i].iter().any(|(other, _)| other == name) {
                return Err(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    &format!("the parameter {name} is repeated"),
                ));
            }
        }
        Ok(Self(pairs))
    }

    /// A parameter's value; empty values count as absent (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }
}

/// Authenticates one of the standard clients by HTTP Basic or by body
/// parameters.
pub fn authenticate(headers: &HeaderMap, form: &Form) -> Result<&'static Client, Response> {
    authenticate_in(headers, form, store::client)
}

/// Authenticates a client found by `lookup` by HTTP Basic or by body
/// parameters.
pub fn authenticate_in(
    headers: &HeaderMap,
    form: &Form,
    lookup: fn(&str) -> Option<&'static Client>,
) -> Result<&'static Client, Response> {
    let basic = basic_header(headers);
    let body_id = form.get("client_id");
    let body_secret = form.get("client_secret");

    if let Some(encoded) = basic {
        if body_secret.is_some() {
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "the client authenticated twice (HTTP Basic and client_secret); use one method (RFC 6749 §2.3)",
            ));
        }
        let Some((id, secret)) = decode_basic(encoded) else {
            return Err(invalid_client(
                "the Authorization header is not valid HTTP Basic credentials",
                true,
            ));
        };
        if body_id.is_some_and(|body_id| body_id != id) {
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "client_id in the body differs from the one in the Authorization header",
            ));
        }
        return check(lookup, &id, Some(&secret), true);
    }
    match body_id {
        Some(id) => check(lookup, id, body_secret, false),
        None => Err(invalid_client(
            "no client authentication: send HTTP Basic credentials or client_id",
            false,
        )),
    }
}

fn check(
    lookup: fn(&str) -> Option<&'static Client>,
    id: &str,
    secret: Option<&str>,
    basic: bool,
) -> Result<&'static Client, Response> {
    let Some(client) = lookup(id) else {
        return Err(invalid_client(&format!("unknown client_id '{id}'"), basic));
    };
    match (client.secret, secret) {
        (None, None) => Ok(client),
        (None, Some(_)) => Err(invalid_client(
            &format!("client '{id}' is public and has no secret"),
            basic,
        )),
        (Some(_), None) => Err(invalid_client(
            &format!("client '{id}' is confidential: client_secret is required"),
            basic,
        )),
        (Some(expected), Some(given)) if expected == given => Ok(client),
        (Some(_), Some(_)) => Err(invalid_client(
            &format!("wrong client_secret for client '{id}'"),
            basic,
        )),
    }
}

/// The credentials of an `Authorization: Basic` header.
fn basic_header(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("basic").then(|| rest.trim())
        })
}

/// HTTP Basic client credentials, each part form-urldecoded (RFC 6749
/// §2.3.1): `None` without a Basic header, `Some(None)` when it is unreadable.
pub fn basic_credentials(headers: &HeaderMap) -> Option<Option<(String, String)>> {
    basic_header(headers).map(decode_basic)
}

/// HTTP Basic credentials taken as sent, without form-urldecoding — what
/// many servers do, against RFC 6749 §2.3.1.
pub fn raw_basic_credentials(headers: &HeaderMap) -> Option<Option<(String, String)>> {
    basic_header(headers).map(decode_basic_raw)
}

/// Decodes HTTP Basic credentials, each part form-urlencoded (RFC 6749 §2.3.1).
fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let (id, secret) = decode_basic_raw(encoded)?;
    Some((form_decode(&id), form_decode(&secret)))
}

/// Decodes HTTP Basic credentials (RFC 7617) as they are.
fn decode_basic_raw(encoded: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

fn form_decode(part: &str) -> String {
    url::form_urlencoded::parse(format!("x={part}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// `invalid_client`: 401 with a Basic challenge when Basic was tried
/// (RFC 6749 §5.2).
fn invalid_client(description: &str, basic: bool) -> Response {
    if basic {
        invalid_client_basic(description, "Basic realm=\"demo\"")
    } else {
        oauth_error(StatusCode::BAD_REQUEST, "invalid_client", description)
    }
}

/// `invalid_client`, 401, with the `WWW-Authenticate` challenge `challenge`.
pub fn invalid_client_basic(description: &str, challenge: &'static str) -> Response {
    let mut response = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", description);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    response
}
