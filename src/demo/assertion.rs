//! Client authentication with a signed JWT (RFC 7523 §2.2 and §3, on the
//! framework of RFC 7521 §4.2): `private_key_jwt`, signed with a key the
//! client registered, and `client_secret_jwt`, an HMAC keyed with its
//! client secret (OpenID Connect Core §9).
//!
//! Every refusal says which check failed, so the debugger on the other end
//! can show it as it is.

use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

use super::jose::{self, Jws};
use super::store::Client;
use super::{Demo, now};

/// `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Clock skew allowed on `exp`, `iat` and `nbf`, in seconds.
const LEEWAY: i64 = 60;

/// Which of the two JWT methods the client used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtMethod {
    /// Signed with a registered public key's private half.
    PrivateKeyJwt,
    /// HMAC with the client secret.
    ClientSecretJwt,
}

/// The URLs an assertion's `aud` may name at one endpoint.
pub struct Audience<'a> {
    /// The issuer identifier.
    pub issuer: &'a str,
    /// The token endpoint URL.
    pub token_endpoint: String,
    /// The URL of the endpoint the assertion was sent to.
    pub endpoint: String,
}

impl Audience<'_> {
    /// The values accepted, as the fault switches narrow them.
    fn accepted(&self, demo: &Demo) -> Vec<&str> {
        let endpoints = [self.token_endpoint.as_str(), self.endpoint.as_str()];
        let mut accepted: Vec<&str> = if demo.faults.assertion_aud_issuer {
            vec![self.issuer]
        } else if demo.faults.assertion_aud_token_endpoint {
            endpoints.to_vec()
        } else {
            std::iter::once(self.issuer).chain(endpoints).collect()
        };
        accepted.dedup();
        accepted
    }

    /// What was expected, as a sentence part.
    fn expected(&self, demo: &Demo) -> String {
        let issuer = format!("the issuer {}", self.issuer);
        let mut endpoints = format!("the token endpoint {}", self.token_endpoint);
        if self.endpoint != self.token_endpoint {
            endpoints.push_str(&format!(" or this endpoint's URL {}", self.endpoint));
        }
        if demo.faults.assertion_aud_issuer {
            format!("{issuer} (this server takes no endpoint URL)")
        } else if demo.faults.assertion_aud_token_endpoint {
            format!("{endpoints} (this server takes no issuer)")
        } else {
            format!("{issuer} or {endpoints}")
        }
    }
}

/// The public keys registered for `client`: those sent to the admin
/// endpoint, else its seeded ones.
pub fn registered_jwks(demo: &Demo, client: &Client) -> Option<Value> {
    if let Some(jwks) = demo.store().client_jwks.get(client.id) {
        return Some(jwks.clone());
    }
    client.jwks.and_then(|text| serde_json::from_str(text).ok())
}

/// Verifies a JWT client assertion and returns the client it authenticates.
/// `body_client_id` is the request's `client_id`, which must equal `sub`
/// when sent. The error is an `error_description`.
pub fn verify(
    demo: &Demo,
    assertion: &str,
    body_client_id: Option<&str>,
    audience: &Audience<'_>,
    lookup: fn(&str) -> Option<&'static Client>,
) -> Result<(&'static Client, JwtMethod), String> {
    let jws = Jws::parse(assertion).map_err(|e| format!("the client assertion: {e}"))?;
    let Some(sub) = jws.claim("sub") else {
        return Err(
            "the client assertion has no sub; it must be the client_id (RFC 7523 §3)".into(),
        );
    };
    if let Some(id) = body_client_id
        && id != sub
    {
        return Err(format!(
            "client_id '{id}' in the body differs from the client assertion's sub '{sub}'"
        ));
    }
    match jws.claim("iss") {
        Some(iss) if iss == sub => {}
        Some(iss) => {
            return Err(format!(
                "the client assertion's iss is '{iss}'; it must equal sub, the client_id '{sub}' (RFC 7523 §3)"
            ));
        }
        None => {
            return Err(format!(
                "the client assertion has no iss; it must be the client_id '{sub}' (RFC 7523 §3)"
            ));
        }
    }
    let Some(client) = lookup(sub) else {
        return Err(format!(
            "unknown client_id '{sub}' (the client assertion's sub)"
        ));
    };
    let alg = jws
        .alg()
        .map_err(|e| format!("the client assertion: {e}"))?;
    let method = check_signature(demo, client, &jws, alg, "the client assertion")?;
    check_audience(demo, &jws, audience)?;
    check_times(&jws)?;
    check_jti(demo, client, &jws)?;
    Ok((client, method))
}

/// Verifies the signature of `jws`, signed by `client` with its registered
/// key or (HS256/384/512) its client secret; `what` names the JWT in the
/// error ("the client assertion", "the request object").
pub(super) fn check_signature(
    demo: &Demo,
    client: &Client,
    jws: &Jws<'_>,
    alg: Algorithm,
    what: &str,
) -> Result<JwtMethod, String> {
    let id = client.id;
    if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
        let Some(secret) = client.secret else {
            return Err(format!(
                "client '{id}' has no client secret, so this server cannot verify {what} signed {alg:?} (client_secret_jwt); sign with its registered key (private_key_jwt)"
            ));
        };
        return if jws.verifies(&DecodingKey::from_secret(secret.as_bytes()), alg) {
            Ok(JwtMethod::ClientSecretJwt)
        } else {
            Err(format!(
                "{what}'s {alg:?} signature does not verify with client '{id}''s secret"
            ))
        };
    }
    if !matches!(
        alg,
        Algorithm::RS256 | Algorithm::PS256 | Algorithm::ES256 | Algorithm::EdDSA
    ) {
        return Err(format!(
            "{what} is signed {alg:?}; this server takes RS256, PS256, ES256, EdDSA, HS256, HS384 or HS512"
        ));
    }
    let Some(jwks) = registered_jwks(demo, client) else {
        return Err(format!(
            "client '{id}' has no registered public keys for private_key_jwt; register a JWKS with POST /admin/clients/{id}/jwks"
        ));
    };
    let keys: Vec<&Value> = jwks["keys"]
        .as_array()
        .map(|keys| keys.iter().collect())
        .unwrap_or_default();
    let kid = jws.header["kid"].as_str();
    let candidates: Vec<&Value> = match kid {
        Some(kid) => {
            let found: Vec<&Value> = keys
                .iter()
                .copied()
                .filter(|k| k["kid"].as_str() == Some(kid))
                .collect();
            if found.is_empty() {
                let known: Vec<&str> = keys.iter().filter_map(|k| k["kid"].as_str()).collect();
                return Err(format!(
                    "no key with kid '{kid}' is registered for client '{id}' (registered: {})",
                    if known.is_empty() {
                        "keys without kid".to_string()
                    } else {
                        known.join(", ")
                    }
                ));
            }
            found
        }
        None => keys,
    };
    let mut fitting = 0;
    for jwk in candidates.iter() {
        let Ok(key) = jose::public_key(jwk) else {
            continue;
        };
        if !key.kind.algs().contains(&alg) {
            if let Some(kid) = kid {
                return Err(format!(
                    "{what} is signed {alg:?}, but key '{kid}' of client '{id}' takes {}",
                    key.kind.alg_names()
                ));
            }
            continue;
        }
        fitting += 1;
        if jws.verifies(&key.decoding, alg) {
            return Ok(JwtMethod::PrivateKeyJwt);
        }
    }
    Err(match (kid, fitting) {
        (Some(kid), _) => format!(
            "{what}'s signature does not verify with key '{kid}' registered for client '{id}'"
        ),
        (None, 0) => {
            format!("client '{id}' has no registered key for {alg:?} ({what}'s alg)")
        }
        (None, _) => {
            format!("{what}'s signature does not verify with any key registered for client '{id}'")
        }
    })
}

fn check_audience(demo: &Demo, jws: &Jws<'_>, audience: &Audience<'_>) -> Result<(), String> {
    let aud: Vec<&str> = match &jws.claims["aud"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if aud.is_empty() {
        return Err(format!(
            "the client assertion has no aud; expected {}",
            audience.expected(demo)
        ));
    }
    let accepted = audience.accepted(demo);
    if aud.iter().any(|a| accepted.contains(a)) {
        return Ok(());
    }
    Err(format!(
        "the client assertion's aud is {}, expected {}",
        aud.join(", "),
        audience.expected(demo)
    ))
}

fn check_times(jws: &Jws<'_>) -> Result<(), String> {
    jose::check_times(jws, "the client assertion", now(), LEEWAY)
        .map_err(|err| format!("{err} (RFC 7523 §3)"))
}

fn check_jti(demo: &Demo, client: &Client, jws: &Jws<'_>) -> Result<(), String> {
    let Some(jti) = jws.claim("jti") else {
        return Err(
            "the client assertion has no jti; this server needs one to refuse replays (RFC 7523 §3)"
                .into(),
        );
    };
    let exp = jws.claims["exp"].as_i64().unwrap_or_default();
    let now = now();
    let mut store = demo.store();
    // Assertions past their exp (and leeway) are refused anyway.
    store.assertion_jtis.retain(|_, exp| *exp + LEEWAY >= now);
    let key = (client.id.to_string(), jti.to_string());
    if store.assertion_jtis.contains_key(&key) {
        return Err(format!(
            "the client assertion's jti '{jti}' was already used; an assertion is good for one request"
        ));
    }
    store.assertion_jtis.insert(key, exp);
    Ok(())
}
