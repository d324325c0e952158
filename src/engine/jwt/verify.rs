//! Verifying JSON Web Tokens (RFC 7515, RFC 7519) and validating ID tokens
//! (OpenID Connect Core §3.1.3.7).
//!
//! [`verify`] is pure: given a token, the keys to try (a JWKS, or the client
//! secret for HMAC) and what to expect, it returns one [`Check`] per rule with
//! its [`Verdict`], so a debugger can show every check rather than stop at the
//! first failure. The cryptography is the `jsonwebtoken` crate's; fetching
//! the keys is [`crate::engine::jwt::jwks`].

use chrono::{DateTime, Utc};
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::jwt::claims::claim_checks;
pub use crate::engine::jwt::claims::{
    Check, DEFAULT_CLOCK_SKEW, Expectations, Verdict, issuer_text, left_half_hash,
};
use crate::engine::jwt::jwks::JwksCache;
use crate::engine::jwt::{self, DecodedJwt, JwtDecodeError};
use crate::engine::wire::http::HttpClient;

/// The keys a signature is checked against.
#[derive(Clone, Default)]
pub struct Keys {
    /// Public keys (from a JWKS), for RSA, ECDSA and EdDSA signatures.
    pub jwks: Vec<Jwk>,
    /// Where the JWKS came from, for messages.
    pub jwks_uri: Option<String>,
    /// The shared secret (the client secret), for HS256/384/512.
    pub hmac_secret: Option<Vec<u8>>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("jwks", &self.jwks.len())
            .field("jwks_uri", &self.jwks_uri)
            .field(
                "hmac_secret",
                &self.hmac_secret.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// A token with the verdict of every check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    /// The token, decoded.
    pub jwt: DecodedJwt,
    /// Every check, in the order made.
    pub checks: Vec<Check>,
    /// Findings worth raising beyond the checks (`alg: none`).
    pub findings: Vec<Finding>,
}

impl Verification {
    /// True when no check failed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.verdict != Verdict::Fail)
    }

    /// The check called `name`, if it was made.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.verdict == Verdict::Fail)
    }
}

/// Verifies `token`'s signature against `keys` and its claims against
/// `expect`, at `now`.
pub fn verify(
    source: &str,
    token: &str,
    keys: &Keys,
    expect: &Expectations,
    now: DateTime<Utc>,
) -> Result<Verification, JwtDecodeError> {
    let token = token.trim();
    let decoded = jwt::decode(source, token)?;
    let mut checks = Vec::new();
    let mut findings = Vec::new();
    let alg_name = decoded.header["alg"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let alg = algorithm(&alg_name);
    if alg_name.eq_ignore_ascii_case("none") {
        checks.push(Check::new(
            "alg",
            Verdict::Fail,
            "alg is \"none\": the token is unsigned and anyone can forge it",
            "RFC 8725 §3.1",
        ));
        findings.push(Finding::new(
            Severity::Error,
            "jwt_alg_none",
            format!("the {source} is unsigned (alg: none); never accept it"),
            Some("RFC 8725 §3.1"),
        ));
    } else if alg.is_none() {
        checks.push(Check::new(
            "alg",
            Verdict::Fail,
            format!("alg {alg_name:?} is not a JWS algorithm this debugger knows"),
            "RFC 7518 §3.1",
        ));
    } else {
        checks.push(Check::new(
            "alg",
            Verdict::Pass,
            format!("alg is {alg_name}"),
            "RFC 7518 §3.1",
        ));
    }
    checks.push(match alg {
        Some(alg) => signature_check(token, &decoded, alg, keys),
        None => Check::new(
            "signature",
            Verdict::Fail,
            "no signature to check: the algorithm is none or unknown",
            "RFC 7515 §5.2",
        ),
    });
    checks.extend(alg.and_then(|alg| kid_check(&decoded, alg, keys)));
    checks.extend(claim_checks(&decoded.claims, alg, expect, now));
    Ok(Verification {
        jwt: decoded,
        checks,
        findings,
    })
}

/// The JWS algorithm called `name`; `None` for `none` and unknown names.
pub fn algorithm(name: &str) -> Option<Algorithm> {
    Some(match name {
        "HS256" => Algorithm::HS256,
        "HS384" => Algorithm::HS384,
        "HS512" => Algorithm::HS512,
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "PS256" => Algorithm::PS256,
        "PS384" => Algorithm::PS384,
        "PS512" => Algorithm::PS512,
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        "EdDSA" => Algorithm::EdDSA,
        _ => return None,
    })
}

fn is_hmac(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

/// Whether `jwk` is of the key type `alg` needs (and names `alg`, if it
/// names one).
fn key_fits(jwk: &Jwk, alg: Algorithm) -> bool {
    let type_fits = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => matches!(
            alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
        ),
        AlgorithmParameters::EllipticCurve(_) => {
            matches!(alg, Algorithm::ES256 | Algorithm::ES384)
        }
        AlgorithmParameters::OctetKeyPair(_) => alg == Algorithm::EdDSA,
        AlgorithmParameters::OctetKey(_) => is_hmac(alg),
    };
    let named = jwk
        .common
        .key_algorithm
        .and_then(|k| algorithm(&k.to_string()));
    type_fits && named.is_none_or(|named| named == alg)
}

/// A token without `kid` checked against a JWKS holding several keys for
/// its algorithm: OIDC Core §10.1 requires a `kid` then. The debugger still
/// tries each key of the right type (the signature check says which one
/// verified), and warns here; with one such key there is nothing to say.
fn kid_check(decoded: &DecodedJwt, alg: Algorithm, keys: &Keys) -> Option<Check> {
    if is_hmac(alg) || decoded.header.get("kid").is_some() {
        return None;
    }
    let fitting = keys.jwks.iter().filter(|k| key_fits(k, alg)).count();
    (fitting > 1).then(|| {
        Check::new(
            "kid",
            Verdict::Warn,
            format!(
                "the token names no kid, and the JWKS has {fitting} {alg:?} keys: each was tried (a kid is required when the set has several keys)"
            ),
            "OIDC Core §10.1",
        )
    })
}

fn signature_check(token: &str, decoded: &DecodedJwt, alg: Algorithm, keys: &Keys) -> Check {
    const REFERENCE: &str = "RFC 7515 §5.2";
    let Some((message, signature)) = token.rsplit_once('.') else {
        return Check::new("signature", Verdict::Fail, "no signature part", REFERENCE);
    };
    let verifies = |key: &DecodingKey| {
        jsonwebtoken::crypto::verify(signature, message.as_bytes(), key, alg).unwrap_or(false)
    };
    if is_hmac(alg) {
        let Some(secret) = &keys.hmac_secret else {
            return Check::new(
                "signature",
                Verdict::Skipped,
                format!("{alg:?} is signed with a shared secret, and no client secret was given"),
                REFERENCE,
            );
        };
        return if verifies(&DecodingKey::from_secret(secret)) {
            Check::new(
                "signature",
                Verdict::Pass,
                format!("{alg:?} signature verified with the client secret"),
                REFERENCE,
            )
        } else {
            Check::new(
                "signature",
                Verdict::Fail,
                format!(
                    "the {alg:?} signature does not match the client secret: the token was changed, or signed with another secret"
                ),
                REFERENCE,
            )
        };
    }
    let from = keys
        .jwks_uri
        .as_deref()
        .map(|uri| format!(" from {uri}"))
        .unwrap_or_default();
    if keys.jwks.is_empty() {
        return Check::new(
            "signature",
            Verdict::Skipped,
            "no JWKS to check the signature against (give a jwks_uri or an issuer)",
            REFERENCE,
        );
    }
    let kid = decoded.header["kid"].as_str();
    // By kid; a token without one, or a set whose keys have none, tries
    // every key of the right type.
    let named_keys = keys.jwks.iter().any(|k| k.common.key_id.is_some());
    let candidates: Vec<&Jwk> = match kid {
        Some(kid) if named_keys => keys
            .jwks
            .iter()
            .filter(|k| k.common.key_id.as_deref() == Some(kid))
            .collect(),
        _ => keys.jwks.iter().filter(|k| key_fits(k, alg)).collect(),
    };
    if candidates.is_empty() {
        let message = match kid {
            Some(kid) => format!("no key with kid {kid:?} in the JWKS{from}"),
            None => format!("no {alg:?} key in the JWKS{from}, and the token names no kid"),
        };
        return Check::new("signature", Verdict::Fail, message, REFERENCE);
    }
    let mut last_problem = String::new();
    for jwk in candidates {
        if !key_fits(jwk, alg) {
            last_problem = format!("the key is not a key for {alg:?}");
            continue;
        }
        let key = match DecodingKey::from_jwk(jwk) {
            Ok(key) => key,
            Err(err) => {
                last_problem = format!("the key cannot be used: {err}");
                continue;
            }
        };
        if verifies(&key) {
            let name = jwk.common.key_id.as_deref().unwrap_or("(no kid)");
            return Check::new(
                "signature",
                Verdict::Pass,
                format!("{alg:?} signature verified with key {name}{from}"),
                REFERENCE,
            );
        }
        last_problem =
            "the signature does not verify: the token was changed, or signed with another key"
                .to_string();
    }
    Check::new("signature", Verdict::Fail, last_problem, REFERENCE)
}

/// Verifies `token` like [`verify`], taking the public keys from the JWKS
/// at `jwks_uri` through `cache` (fetched again once when the token's `kid`
/// is not in the cached set). A JWKS that cannot be fetched fails the
/// signature check, saying why.
#[allow(clippy::too_many_arguments)]
pub async fn verify_with_jwks(
    http: &HttpClient,
    cache: &JwksCache,
    source: &str,
    token: &str,
    jwks_uri: Option<&Url>,
    hmac_secret: Option<Vec<u8>>,
    expect: &Expectations,
    now: DateTime<Utc>,
) -> Result<Verification, JwtDecodeError> {
    let decoded = jwt::decode(source, token)?;
    let alg = decoded.header["alg"].as_str().and_then(algorithm);
    let kid = decoded.header["kid"].as_str();
    let mut keys = Keys {
        hmac_secret,
        jwks_uri: jwks_uri.map(Url::to_string),
        ..Keys::default()
    };
    let mut fetch_problem = None;
    let mut refetched = None;
    if let Some(uri) = jwks_uri
        && alg.is_some_and(|alg| !is_hmac(alg))
    {
        match cache.for_kid(http, uri, kid).await {
            Ok(lookup) => {
                if lookup.refetched {
                    refetched = Some(Finding::new(
                        Severity::Info,
                        "jwks_refetched",
                        format!(
                            "kid {} was not in the cached JWKS; fetched {uri} again (key rotation){}",
                            kid.unwrap_or_default(),
                            if lookup.jwks.has_kid(kid.unwrap_or_default()) {
                                ", and it is there now"
                            } else {
                                ", and it is still not there"
                            }
                        ),
                        Some("OIDC Core §10.1.1"),
                    ));
                }
                keys.jwks = lookup.jwks.keys.clone();
            }
            Err(err) => fetch_problem = Some(format!("cannot fetch the JWKS at {uri}: {err}")),
        }
    }
    let mut verification = verify(source, token, &keys, expect, now)?;
    if let Some(problem) = fetch_problem
        && let Some(check) = verification
            .checks
            .iter_mut()
            .find(|c| c.name == "signature")
    {
        check.verdict = Verdict::Fail;
        check.message = problem;
    }
    verification.findings.extend(refetched);
    Ok(verification)
}

/// Verifies the JWTs of a token set as its profile expects them: `which`
/// names the tokens to try (`access_token`, `id_token`); a token that is
/// not a JWT is left out. The keys come from the profile's `jwks_uri`, found
/// by discovery when the profile names only its issuer, and the client
/// secret for HMAC. One function for the app's Verify, the verification
/// after a grant, and the command line.
pub async fn verify_token_set(
    http: &HttpClient,
    cache: &JwksCache,
    profile: &crate::engine::Profile,
    tokens: &crate::engine::TokenSet,
    which: &[&str],
) -> Vec<Verification> {
    let secret = profile
        .client_secret
        .as_ref()
        .and_then(|s| s.resolve("client_secret").ok())
        .map(|s| s.expose().as_bytes().to_vec());
    // A profile with an issuer and no jwks_uri finds its keys by discovery.
    let jwks_uri = crate::engine::endpoints::discovery::jwks_uri(http, profile)
        .await
        .ok()
        .flatten();
    let mut results = Vec::new();
    let candidates = [
        ("access_token", Some(&tokens.access_token)),
        ("id_token", tokens.id_token.as_ref()),
    ];
    for (source, token) in candidates {
        let Some(token) = token.filter(|_| which.contains(&source)) else {
            continue;
        };
        let expect = if source == "id_token" {
            Expectations::for_id_token(profile, tokens)
        } else {
            Expectations {
                auth_requirement: tokens.auth_requirement.clone().unwrap_or_default(),
                ..Expectations::for_access_token(profile)
            }
        };
        if let Ok(verification) = verify_with_jwks(
            http,
            cache,
            source,
            token.expose(),
            jwks_uri.as_ref(),
            secret.clone(),
            &expect,
            Utc::now(),
        )
        .await
        {
            results.push(verification);
        }
    }
    results
}

#[cfg(test)]
mod tests;
