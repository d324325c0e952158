//! Client authentication at the token, introspection, revocation and
//! device authorization endpoints: client secrets (RFC 6749 §2.3), JWT
//! client assertions (RFC 7523 §2.2) and, over TLS, client certificates
//! (RFC 8705 §2).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;

use super::assertion::{self, Audience, JWT_BEARER, JwtMethod};
use super::store::{self, Client};
use super::tls::PeerCertificate;
use super::{Demo, mtls, oauth_error};

/// The parameters a token request may repeat (RFC 8693 §2.1).
const REPEATABLE: [&str; 2] = ["resource", "audience"];

/// A form body read strictly: each parameter at most once (RFC 6749 §3.2),
/// but for those a specification lets repeat ([`REPEATABLE`]).
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
            // `resource` and `audience` may repeat (RFC 8693 §2.1).
            if REPEATABLE.contains(&name.as_str()) {
                continue;
            }
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

    /// Every value of a parameter that may repeat, empty ones left out.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A parameter's value; empty values count as absent (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }
}

/// How a client authenticated (the names of RFC 8414's
/// `token_endpoint_auth_methods_supported`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `client_secret_basic`.
    ClientSecretBasic,
    /// `client_secret_post`.
    ClientSecretPost,
    /// `private_key_jwt` (RFC 7523 §2.2).
    PrivateKeyJwt,
    /// `client_secret_jwt`.
    ClientSecretJwt,
    /// `tls_client_auth` (RFC 8705 §2.1).
    TlsClientAuth,
    /// `self_signed_tls_client_auth` (RFC 8705 §2.2).
    SelfSignedTlsClientAuth,
    /// `none`: a public client.
    None,
}

impl Method {
    /// Whether the client proved who it is with its TLS certificate.
    pub fn is_mtls(self) -> bool {
        matches!(
            self,
            Method::TlsClientAuth | Method::SelfSignedTlsClientAuth
        )
    }
}

/// A client that authenticated, and how.
#[derive(Debug, Clone, Copy)]
pub struct Authenticated {
    /// The client.
    pub client: &'static Client,
    /// How.
    pub method: Method,
}

/// Where a client authenticates: the path of the endpoint it called and the
/// certificate its TLS connection presented, if any.
pub struct Endpoint<'a> {
    /// The request path, such as `/token` or `/mtls/introspect`.
    pub path: &'a str,
    /// The client certificate of the connection.
    pub peer: Option<&'a PeerCertificate>,
}

/// Authenticates one of the standard clients at `endpoint` by exactly one
/// method: HTTP Basic, `client_secret` in the body, a JWT client
/// assertion, a TLS client certificate, or none (a public client).
pub fn authenticate_at(
    demo: &Demo,
    endpoint: &Endpoint<'_>,
    headers: &HeaderMap,
    form: &Form,
) -> Result<Authenticated, Response> {
    let authenticated = authenticate_any(demo, endpoint, headers, form)?;
    // FAPI 2.0 Security Profile §5.3.2.1: private_key_jwt or mutual TLS.
    if demo.faults.fapi2
        && !(authenticated.method == Method::PrivateKeyJwt || authenticated.method.is_mtls())
    {
        return Err(invalid_client_401(&format!(
            "FAPI 2.0: client '{}' must authenticate with private_key_jwt or mutual TLS (tls_client_auth, self_signed_tls_client_auth)",
            authenticated.client.id
        )));
    }
    Ok(authenticated)
}

/// [`authenticate_at`] by any method the client may use.
fn authenticate_any(
    demo: &Demo,
    endpoint: &Endpoint<'_>,
    headers: &HeaderMap,
    form: &Form,
) -> Result<Authenticated, Response> {
    let assertion_type = form.get("client_assertion_type");
    let assertion = form.get("client_assertion");
    let used: Vec<&str> = [
        (basic_header(headers).is_some(), "HTTP Basic"),
        (form.get("client_secret").is_some(), "client_secret"),
        (
            assertion_type.is_some() || assertion.is_some(),
            "client_assertion",
        ),
    ]
    .into_iter()
    .filter_map(|(present, name)| present.then_some(name))
    .collect();
    if used.len() > 1 {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!(
                "the client authenticated twice ({}); use one method (RFC 6749 §2.3)",
                used.join(" and ")
            ),
        ));
    }
    if used.first() == Some(&"client_assertion") {
        return by_assertion(demo, endpoint, form, assertion_type, assertion);
    }
    if used.is_empty()
        && let Some(id) = form.get("client_id")
        && let Some(client) = store::client(id)
    {
        if client.tls_client_auth_subject_cn.is_some() {
            return mtls::tls_client_auth(client, endpoint.peer)
                .map(|()| Authenticated {
                    client,
                    method: Method::TlsClientAuth,
                })
                .map_err(|description| invalid_client_401(&description));
        }
        if let Some(jwks) = assertion::registered_jwks(demo, client)
            && mtls::has_x5c(&jwks)
        {
            return mtls::self_signed_tls_client_auth(client, &jwks, endpoint.peer)
                .map(|()| Authenticated {
                    client,
                    method: Method::SelfSignedTlsClientAuth,
                })
                .map_err(|description| invalid_client_401(&description));
        }
        if client.secret.is_none() && client.jwks.is_some() {
            return Err(invalid_client_401(&format!(
                "client '{id}' authenticates with private_key_jwt: send client_assertion_type={JWT_BEARER} and a client_assertion signed with its key"
            )));
        }
    }
    if let Some(weakly) = weakly_authenticated(demo, headers, form) {
        return Ok(weakly);
    }
    let client = authenticate_in(headers, form, store::client)?;
    let method = if used.first() == Some(&"HTTP Basic") {
        Method::ClientSecretBasic
    } else if client.secret.is_some() {
        Method::ClientSecretPost
    } else {
        Method::None
    };
    Ok(Authenticated { client, method })
}

/// A confidential client let in by a weakness: a wrong secret
/// (`weak-secret-unchecked`) or none at all (`weak-auth-optional`).
fn weakly_authenticated(demo: &Demo, headers: &HeaderMap, form: &Form) -> Option<Authenticated> {
    let weak = &demo.faults.weak;
    if !weak.secret_unchecked && !weak.auth_optional {
        return None;
    }
    let (id, secret, method) = match basic_header(headers).and_then(decode_basic) {
        Some((id, secret)) => (id, Some(secret), Method::ClientSecretBasic),
        None => (
            form.get("client_id")?.to_string(),
            form.get("client_secret").map(str::to_string),
            Method::ClientSecretPost,
        ),
    };
    let client = store::client(&id)?;
    let expected = client.secret?;
    let let_in = match secret {
        Some(given) => given != expected && weak.secret_unchecked,
        None => weak.auth_optional,
    };
    let_in.then_some(Authenticated { client, method })
}

/// A JWT client assertion (RFC 7523 §2.2): the type checked, the JWT
/// verified for this endpoint.
fn by_assertion(
    demo: &Demo,
    endpoint: &Endpoint<'_>,
    form: &Form,
    assertion_type: Option<&str>,
    assertion: Option<&str>,
) -> Result<Authenticated, Response> {
    let invalid_request =
        |description: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description);
    let Some(assertion_type) = assertion_type else {
        return Err(invalid_request(
            "client_assertion without client_assertion_type",
        ));
    };
    let Some(assertion) = assertion else {
        return Err(invalid_request(
            "client_assertion_type without client_assertion",
        ));
    };
    if assertion_type != JWT_BEARER {
        return Err(invalid_client_401(&format!(
            "client_assertion_type '{assertion_type}' is not supported; use {JWT_BEARER}"
        )));
    }
    let mtls_prefix = if endpoint.path.starts_with("/mtls/") {
        "/mtls"
    } else {
        ""
    };
    let audience = Audience {
        issuer: &demo.issuer,
        token_endpoint: format!("{}{mtls_prefix}/token", demo.issuer),
        endpoint: format!("{}{}", demo.issuer, endpoint.path),
    };
    match assertion::verify(
        demo,
        assertion,
        form.get("client_id"),
        &audience,
        store::client,
    ) {
        Ok((client, JwtMethod::PrivateKeyJwt)) => Ok(Authenticated {
            client,
            method: Method::PrivateKeyJwt,
        }),
        Ok((client, JwtMethod::ClientSecretJwt)) => Ok(Authenticated {
            client,
            method: Method::ClientSecretJwt,
        }),
        Err(description) => Err(invalid_client_401(&description)),
    }
}

/// `invalid_client`, 401, without a challenge: the client used no HTTP
/// authentication scheme (RFC 6749 §5.2 asks for one only after the
/// Authorization header).
fn invalid_client_401(description: &str) -> Response {
    oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", description)
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
