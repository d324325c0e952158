//! DPoP proofs (RFC 9449): checked at the token endpoint (§4.3, §5) and at
//! the API (§7), with server nonces when the `dpop-nonce` switch is on (§8,
//! §9) and replayed proofs refused (§11.1).

use axum::http::{HeaderMap, HeaderValue, Response};
use jsonwebtoken::Algorithm;

use super::jose::{self, Jws};
use super::{Demo, now, store};

/// The algorithms a proof may be signed with, as discovery lists them.
pub const ALGS: [&str; 4] = ["ES256", "RS256", "PS256", "EdDSA"];

/// How far `iat` may be from now, in seconds.
const WINDOW: i64 = 60;

/// The `DPoP-Nonce` response header.
pub const NONCE_HEADER: &str = "dpop-nonce";

/// A proof that checked out.
#[derive(Debug, Clone)]
pub struct Proof {
    /// The RFC 7638 thumbprint of its key, base64url.
    pub jkt: String,
}

/// Why a proof was refused.
#[derive(Debug)]
pub enum Refusal {
    /// `invalid_dpop_proof`, with the check that failed.
    Invalid(String),
    /// `use_dpop_nonce`: the server wants its nonce in the proof.
    UseNonce(String),
}

/// What a proof must match: the request's method and URL, and at the API
/// the access token it comes with.
pub struct Expected<'a> {
    /// `htm`.
    pub method: &'a str,
    /// The request path; `htu` is compared, without query and fragment,
    /// with the URL the request was sent to (its Host header) and with the
    /// issuer's URL for that path.
    pub path: &'a str,
    /// `ath` is checked when given.
    pub access_token: Option<&'a str>,
}

/// Checks the request's DPoP proof, if it has one (RFC 9449 §4.3).
pub fn check(
    demo: &Demo,
    headers: &HeaderMap,
    expected: &Expected<'_>,
) -> Result<Option<Proof>, Refusal> {
    let invalid = |description: String| Refusal::Invalid(description);
    let mut values = headers.get_all("dpop").iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(invalid("the request has more than one DPoP header".into()));
    }
    let Ok(text) = value.to_str() else {
        return Err(invalid("the DPoP header is not text".into()));
    };
    let jws = Jws::parse(text.trim()).map_err(|e| invalid(format!("the DPoP proof: {e}")))?;
    match jws.header["typ"].as_str() {
        Some("dpop+jwt") => {}
        Some(other) => {
            return Err(invalid(format!(
                "the DPoP proof's typ is '{other}'; it must be dpop+jwt"
            )));
        }
        None => {
            return Err(invalid(
                "the DPoP proof has no typ; it must be dpop+jwt".into(),
            ));
        }
    }
    let asymmetric = "an asymmetric algorithm (ES256, RS256, PS256 or EdDSA)";
    let alg = match jws.alg() {
        Ok(alg @ (Algorithm::ES256 | Algorithm::RS256 | Algorithm::PS256 | Algorithm::EdDSA)) => {
            alg
        }
        _ => {
            let name = jws.header["alg"].as_str().unwrap_or("(none)");
            return Err(invalid(format!(
                "the DPoP proof's alg is {name}; it must be {asymmetric}"
            )));
        }
    };
    let jwk = &jws.header["jwk"];
    if !jwk.is_object() {
        return Err(invalid(
            "the DPoP proof's header has no jwk (the public key)".into(),
        ));
    }
    if jose::is_private(jwk) {
        return Err(invalid(
            "the DPoP proof's jwk holds a private key; it must be the public key".into(),
        ));
    }
    let key = jose::public_key(jwk).map_err(|e| invalid(format!("the DPoP proof's jwk: {e}")))?;
    if !key.kind.algs().contains(&alg) {
        return Err(invalid(format!(
            "the DPoP proof is signed {alg:?}, which its jwk cannot verify (it takes {})",
            key.kind.alg_names()
        )));
    }
    if !jws.verifies(&key.decoding, alg) {
        return Err(invalid(
            "the DPoP proof's signature does not verify with its jwk".into(),
        ));
    }
    match jws.claim("htm") {
        Some(htm) if htm == expected.method => {}
        Some(htm) => {
            return Err(invalid(format!(
                "the DPoP proof's htm is {htm}; this request is {}",
                expected.method
            )));
        }
        None => return Err(invalid("the DPoP proof has no htm".into())),
    }
    let Some(htu) = jws.claim("htu") else {
        return Err(invalid("the DPoP proof has no htu".into()));
    };
    let issuer_url = format!("{}{}", demo.issuer, expected.path);
    let sent_to = headers
        .get(axum::http::header::HOST)
        .and_then(|host| host.to_str().ok())
        .map(|host| {
            let scheme = if demo.tls { "https" } else { "http" };
            format!("{scheme}://{host}{}", expected.path)
        })
        .unwrap_or_else(|| issuer_url.clone());
    let htu_sans_query = without_query(htu);
    if htu_sans_query.is_none()
        || (htu_sans_query != without_query(&sent_to)
            && htu_sans_query != without_query(&issuer_url))
    {
        return Err(invalid(format!(
            "the DPoP proof's htu is {htu}; this request is to {sent_to}"
        )));
    }
    let Some(iat) = jws.claims["iat"].as_i64() else {
        return Err(invalid("the DPoP proof has no iat".into()));
    };
    let now = now();
    if (now - iat).abs() > WINDOW {
        let (by, when) = if iat < now {
            (now - iat, "old")
        } else {
            (iat - now, "in the future")
        };
        return Err(invalid(format!(
            "the DPoP proof's iat is {by} s {when}; this server accepts {WINDOW} s either way"
        )));
    }
    let Some(jti) = jws.claim("jti") else {
        return Err(invalid("the DPoP proof has no jti".into()));
    };
    if let Some(token) = expected.access_token {
        match jws.claim("ath") {
            Some(ath) if ath == jose::sha256_b64(token.as_bytes()) => {}
            Some(_) => {
                return Err(invalid(
                    "the DPoP proof's ath is not the SHA-256 hash of this access token".into(),
                ));
            }
            None => {
                return Err(invalid(
                    "the DPoP proof has no ath (the access token's hash)".into(),
                ));
            }
        }
    }
    if demo.faults.dpop_nonce {
        match jws.claim("nonce") {
            None => {
                return Err(Refusal::UseNonce(
                    "this server demands a nonce in DPoP proofs; use the one in the DPoP-Nonce header"
                        .into(),
                ));
            }
            Some(nonce) if !demo.store().dpop_nonces.iter().any(|n| n == nonce) => {
                return Err(Refusal::UseNonce(
                    "the DPoP proof's nonce is stale or unknown; use the one in the DPoP-Nonce header"
                        .into(),
                ));
            }
            Some(_) => {}
        }
    }
    let jkt = jose::thumbprint(jwk).map_err(|e| invalid(format!("the DPoP proof's jwk: {e}")))?;
    let mut store = demo.store();
    store.dpop_jtis.retain(|_, seen| *seen >= now - 2 * WINDOW);
    let key = (jkt.clone(), jti.to_string());
    if store.dpop_jtis.contains_key(&key) {
        return Err(invalid(format!(
            "the DPoP proof's jti '{jti}' was already used; every request needs a new proof"
        )));
    }
    store.dpop_jtis.insert(key, iat);
    Ok(Some(Proof { jkt }))
}

/// A URL without its query and fragment (RFC 9449 §4.3 item 9).
fn without_query(url: &str) -> Option<String> {
    let mut parsed = url::Url::parse(url).ok()?;
    parsed.set_query(None);
    parsed.set_fragment(None);
    Some(parsed.to_string())
}

/// A fresh nonce; it and the one before it are accepted from now on.
pub fn fresh_nonce(demo: &Demo) -> String {
    let nonce = store::random_token(16);
    let mut store = demo.store();
    store.dpop_nonces.push(nonce.clone());
    let excess = store.dpop_nonces.len().saturating_sub(2);
    store.dpop_nonces.drain(..excess);
    nonce
}

/// Adds a fresh `DPoP-Nonce` header to `response` when nonces are demanded
/// (RFC 9449 §8.2: any response may carry the next one).
pub fn with_nonce<B>(demo: &Demo, mut response: Response<B>) -> Response<B> {
    if demo.faults.dpop_nonce
        && let Ok(value) = HeaderValue::from_str(&fresh_nonce(demo))
    {
        response.headers_mut().insert(NONCE_HEADER, value);
    }
    response
}
