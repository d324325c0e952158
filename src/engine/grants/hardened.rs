//! Hardened authorization requests: the parameters signed into a request
//! object (JAR, RFC 9101) and pushed to the server before the browser goes
//! (PAR, RFC 9126).
//!
//! The authorization request is built, shown and (in step mode) edited as
//! plain parameters first; [`harden`] then turns what was approved into what
//! the browser is sent to:
//! - JAR: the parameters become the claims of a JWT (`typ:
//!   oauth-authz-req+jwt`, `iss` = client_id, `aud` = the issuer, `iat`,
//!   `nbf`, `exp`, `jti`; RFC 9101 §4, §10.2; `authorization_details` as
//!   the JSON array itself, RFC 9396 §3) signed with the client's key
//!   (`signing_key_file`) or, for HS256/384/512, its secret; the browser gets
//!   `client_id`, `response_type` (and `scope` when it names `openid`, OIDC
//!   Core §6.1) and `request`;
//! - PAR: the parameters (or `client_id` and `request`) are POSTed to the PAR
//!   endpoint with the client's authentication (an assertion's `aud` is the
//!   issuer) and a DPoP proof when the profile has one; the `201` answer's
//!   `request_uri` goes to the browser with `client_id` alone (RFC 9126 §4).

use serde_json::{Map, Value, json};
use url::Url;

use super::{BrowserOptions, Progress};
use crate::engine::client::auth as client_auth;
use crate::engine::client::keys::{Alg, ClientKey, KeyError};
use crate::engine::error::EngineError;
use crate::engine::oauth_error::parse_oauth_error;
use crate::engine::profile::{Profile, ProfileError};
use crate::engine::wire::http::{ExchangeKind, HttpClient, TransportError, TransportErrorKind};

/// The JWT `typ` of a request object (RFC 9101 §10.8).
pub const REQUEST_OBJECT_TYP: &str = "oauth-authz-req+jwt";

/// How long a request object is valid. FAPI 2.0 Message Signing §5.3.2 asks
/// that `exp` be no more than 60 minutes after `nbf`; five minutes leaves
/// room for a person in step mode.
pub const REQUEST_OBJECT_LIFETIME_SECS: i64 = 300;

/// What a pushed authorization request gave back (RFC 9126 §2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The reference the browser carries instead of the parameters.
    pub request_uri: String,
    /// How long it is valid, in seconds.
    pub expires_in: Option<u64>,
    /// When it was received.
    pub at: chrono::DateTime<chrono::Utc>,
}

/// What [`harden`] did, for the step.
#[derive(Debug, Clone, PartialEq)]
pub struct Hardened {
    /// Where the browser is sent.
    pub url: Url,
    /// The request object the parameters were signed into (JAR).
    pub request_object: Option<RequestObject>,
    /// What the PAR endpoint answered.
    pub pushed: Option<Pushed>,
}

/// Whether the profile's authorization requests are signed or pushed.
pub fn applies(profile: &Profile) -> bool {
    profile.authz.par || profile.authz.request_object_alg.is_some()
}

/// Turns the approved authorization URL into the one the browser is sent
/// to: signed (JAR) and/or pushed (PAR), as the profile asks. Unchanged
/// when it asks for neither.
pub async fn harden(
    profile: &Profile,
    http: &HttpClient,
    url: &Url,
    options: &BrowserOptions,
) -> Result<Hardened, EngineError> {
    if !applies(profile) {
        return Ok(Hardened {
            url: url.clone(),
            request_object: None,
            pushed: None,
        });
    }
    let params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let client_id = profile.require_client_id()?.to_string();
    let mut front: Vec<(String, String)> = vec![("client_id".into(), client_id.clone())];
    let mut signed = None;
    let carried = match profile.authz.request_object_alg {
        Some(alg) => {
            let object = request_object(profile, alg, &params)?;
            signed = Some(object.clone());
            for name in ["response_type", "scope"] {
                if let Some((_, value)) = params.iter().find(|(n, _)| n == name)
                    && (name == "response_type" || value.split(' ').any(|s| s == "openid"))
                {
                    front.push((name.into(), value.clone()));
                }
            }
            vec![
                ("client_id".to_string(), client_id.clone()),
                ("request".to_string(), object.jwt),
            ]
        }
        None => params,
    };
    let mut browser = url.clone();
    browser.set_query(None);
    let mut pushed = None;
    if profile.authz.par {
        let answer = push(profile, http, carried).await?;
        browser
            .query_pairs_mut()
            .append_pair("client_id", &client_id)
            .append_pair("request_uri", &answer.request_uri);
        pushed = Some(answer);
    } else {
        let request = carried
            .into_iter()
            .find(|(name, _)| name == "request")
            .map(|(_, jwt)| jwt)
            .unwrap_or_default();
        front.push(("request".into(), request));
        browser.query_pairs_mut().extend_pairs(&front);
    }
    let hardened = Hardened {
        url: browser,
        request_object: signed,
        pushed,
    };
    options.report(Progress::Hardened(Box::new(hardened.clone())));
    Ok(hardened)
}

/// A request object as it was signed.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestObject {
    /// The compact JWT.
    pub jwt: String,
    /// Its header.
    pub header: Value,
    /// Its claims: the authorization parameters and the JWT claims.
    pub claims: Value,
}

/// Signs `params` into a request object (RFC 9101 §4).
pub fn request_object(
    profile: &Profile,
    alg: Alg,
    params: &[(String, String)],
) -> Result<RequestObject, EngineError> {
    let client_id = profile.require_client_id()?.to_string();
    let audience = profile
        .endpoints
        .issuer
        .as_ref()
        .map(|issuer| issuer.as_str().trim_end_matches('/').to_string())
        .ok_or_else(|| {
            ProfileError::field(
                "issuer",
                "a request object is addressed to the issuer (aud, RFC 9101 §4): set issuer",
            )
        })?;
    let mut claims = Map::new();
    for (name, value) in params {
        // The JWT claims below are the client's own; a parameter of the
        // same name (an extra authorize parameter) does not replace them.
        if !matches!(name.as_str(), "iss" | "aud" | "iat" | "nbf" | "exp" | "jti") {
            claims.insert(name.clone(), claim_value(name, value));
        }
    }
    let now = chrono::Utc::now().timestamp();
    claims.insert("iss".into(), json!(client_id));
    claims.insert("aud".into(), json!(audience));
    claims.insert("client_id".into(), json!(client_id));
    claims.insert("iat".into(), json!(now));
    claims.insert("nbf".into(), json!(now));
    claims.insert("exp".into(), json!(now + REQUEST_OBJECT_LIFETIME_SECS));
    claims.insert(
        "jti".into(),
        json!(crate::engine::client::keys::b64(&rand::random::<[u8; 16]>())),
    );
    let claims = Value::Object(claims);
    let mut header = Map::new();
    header.insert("typ".into(), REQUEST_OBJECT_TYP.into());
    let field = |err: KeyError| ProfileError::field("request_object_signing_alg", err.0);
    let jwt = if alg.is_hmac() {
        let secret = profile
            .client_secret
            .as_ref()
            .ok_or_else(|| {
                ProfileError::field(
                    "request_object_signing_alg",
                    "an HMAC-signed request object needs the client secret",
                )
            })?
            .resolve("client_secret")?;
        crate::engine::client::keys::sign_hmac(
            alg,
            secret.expose().as_bytes(),
            header.clone(),
            &claims,
        )
        .map_err(field)?
    } else {
        let path = profile.assertion.key_file.as_ref().ok_or_else(|| {
            ProfileError::field(
                "signing_key_file",
                "a signed request object needs the client's private key",
            )
        })?;
        let mut key =
            ClientKey::load(path).map_err(|err| ProfileError::field("signing_key_file", err.0))?;
        if let Some(kid) = &profile.assertion.kid {
            key = key.with_kid(kid.clone());
        }
        header.insert("kid".into(), key.kid().into());
        key.sign(alg, header.clone(), &claims).map_err(field)?
    };
    header.insert("alg".into(), alg.as_str().into());
    Ok(RequestObject {
        jwt,
        header: Value::Object(header),
        claims,
    })
}

/// A parameter as a request object claim: a string, except
/// `authorization_details`, which a request object carries as the JSON
/// array itself (RFC 9396 §3), not as a string holding it.
fn claim_value(name: &str, value: &str) -> Value {
    if name == crate::engine::requests::rar::PARAMETER
        && let Ok(array @ Value::Array(_)) = serde_json::from_str::<Value>(value)
    {
        return array;
    }
    Value::String(value.to_string())
}

/// POSTs the authorization parameters to the PAR endpoint (RFC 9126 §2.1)
/// and reads its `201` answer (§2.2); an error answer (§2.3) is an OAuth
/// error of the pushed request.
async fn push(
    profile: &Profile,
    http: &HttpClient,
    params: Vec<(String, String)>,
) -> Result<Pushed, EngineError> {
    let endpoint = profile.endpoints.par.clone().ok_or_else(|| {
        ProfileError::field(
            "pushed_authorization_request_endpoint",
            "is required to push the authorization request (require_pushed_authorization_requests); set it, or an issuer whose metadata has one",
        )
    })?;
    let mut findings = Vec::new();
    let request = |params: Vec<(String, String)>, findings: &mut Vec<_>| {
        client_auth::form_post(profile, profile.auth_method, &endpoint, params, findings)
    };
    let mut exchange = send_with_proof(http, request(params.clone(), &mut findings)?).await?;
    // A server that wants a DPoP nonce says so once (RFC 9449 §8); the
    // request (with a fresh assertion) is signed again and resent.
    if let Some(dpop) = http.dpop() {
        dpop.learn_from(&exchange);
        if crate::engine::client::dpop::authorization_server_wants_nonce(&exchange) {
            exchange = send_with_proof(http, request(params, &mut findings)?).await?;
            dpop.learn_from(&exchange);
        }
    }
    let exchange = EngineError::require_response(exchange)?;
    let Some(response) = exchange.response.as_ref() else {
        return Err(EngineError::Unsupported("no response".to_string()));
    };
    if response.status >= 400
        && let Some(error) = parse_oauth_error(response.status, &response.body)
    {
        return Err(EngineError::OAuth {
            error,
            findings,
            exchange: Box::new(exchange),
        });
    }
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    let request_uri = body
        .as_ref()
        .and_then(|b| b.get("request_uri"))
        .and_then(Value::as_str)
        .map(str::to_string);
    match (response.status, request_uri) {
        (200..=299, Some(request_uri)) => Ok(Pushed {
            request_uri,
            expires_in: body
                .as_ref()
                .and_then(|b| b.get("expires_in"))
                .and_then(Value::as_u64),
            at: exchange.started_at + exchange.duration,
        }),
        (status, _) => Err(EngineError::BadResponse {
            message: format!(
                "the PAR endpoint answered HTTP {status} without a request_uri (RFC 9126 §2.2 asks for 201 with request_uri and expires_in): {}",
                crate::engine::diagnose::findings::excerpt(&response.body, 300)
            ),
            exchange: Box::new(exchange),
        }),
    }
}

/// Sends a request to the PAR endpoint, with a DPoP proof when the client
/// has a key (RFC 9449 §10.1).
async fn send_with_proof(
    http: &HttpClient,
    request: http::Request<Vec<u8>>,
) -> Result<crate::engine::wire::http::Exchange, EngineError> {
    let (mut parts, body) = request.into_parts();
    if let Some(dpop) = http.dpop()
        && let Ok(url) = Url::parse(&parts.uri.to_string())
    {
        match dpop.proof("POST", &url, None) {
            Ok(proof) => {
                if let Ok(value) = http::HeaderValue::from_str(&proof) {
                    parts.headers.insert("dpop", value);
                }
            }
            Err(err) => {
                return Err(EngineError::Transport {
                    error: TransportError {
                        kind: TransportErrorKind::InvalidRequest,
                        message: format!("cannot sign the DPoP proof: {err}"),
                    },
                    exchange: None,
                });
            }
        }
    }
    Ok(http
        .send(http::Request::from_parts(parts, body), ExchangeKind::Par)
        .await)
}
