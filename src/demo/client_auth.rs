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
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
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

/// Authenticates the client by HTTP Basic or by body parameters.
pub fn authenticate(headers: &HeaderMap, form: &Form) -> Result<&'static Client, Response> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("basic").then(|| rest.trim())
        });
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
        return check(&id, Some(&secret), true);
    }
    match body_id {
        Some(id) => check(id, body_secret, false),
        None => Err(invalid_client(
            "no client authentication: send HTTP Basic credentials or client_id",
            false,
        )),
    }
}

fn check(id: &str, secret: Option<&str>, basic: bool) -> Result<&'static Client, Response> {
    let Some(client) = store::client(id) else {
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

/// Decodes HTTP Basic credentials, each part form-urlencoded (RFC 6749 §2.3.1).
fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((form_decode(id), form_decode(secret)))
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
    let status = if basic {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut response = oauth_error(status, "invalid_client", description);
    if basic {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"demo\""),
        );
    }
    response
}
