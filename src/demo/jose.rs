//! The JOSE pieces a server needs to check what clients sign: a compact JWS
//! split into its JSON header and claims (RFC 7515 §7.1), public keys read
//! from JWKs (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2), which algorithms each
//! key may verify, and JWK thumbprints (RFC 7638).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A compact JWS, split but not yet verified.
pub struct Jws<'a> {
    /// The protected header.
    pub header: Value,
    /// The payload, as a JSON object.
    pub claims: Value,
    /// `BASE64URL(header) . BASE64URL(payload)`: what the signature covers.
    signing_input: &'a str,
    /// The signature, base64url.
    signature: &'a str,
}

impl<'a> Jws<'a> {
    /// Splits a compact JWS whose header and payload are JSON objects.
    pub fn parse(token: &'a str) -> Result<Self, String> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("it is not a compact JWS (three base64url parts joined by dots)".into());
        };
        let object = |part: &str, what: &str| -> Result<Value, String> {
            let bytes = URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| format!("its {what} is not base64url"))?;
            let value: Value =
                serde_json::from_slice(&bytes).map_err(|_| format!("its {what} is not JSON"))?;
            if value.is_object() {
                Ok(value)
            } else {
                Err(format!("its {what} is not a JSON object"))
            }
        };
        Ok(Self {
            header: object(header, "header")?,
            claims: object(payload, "payload")?,
            signing_input: &token[..header.len() + 1 + payload.len()],
            signature,
        })
    }

    /// The header's `alg`, if it names one this server knows.
    pub fn alg(&self) -> Result<Algorithm, String> {
        let Some(name) = self.header["alg"].as_str() else {
            return Err("its header has no alg".into());
        };
        name.parse::<Algorithm>()
            .map_err(|_| format!("its alg {name} is not one this server supports"))
    }

    /// A string claim.
    pub fn claim(&self, name: &str) -> Option<&str> {
        self.claims[name].as_str()
    }

    /// Whether the signature verifies with `key` under `alg`.
    pub fn verifies(&self, key: &DecodingKey, alg: Algorithm) -> bool {
        jsonwebtoken::crypto::verify(self.signature, self.signing_input.as_bytes(), key, alg)
            .unwrap_or(false)
    }
}

/// The kind of a public key, which fixes the algorithms it may verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `kty: RSA`: RS256 and PS256.
    Rsa,
    /// `kty: EC`, `crv: P-256`: ES256.
    P256,
    /// `kty: OKP`, `crv: Ed25519`: EdDSA.
    Ed25519,
}

impl KeyKind {
    /// The algorithms this server accepts for such a key.
    pub fn algs(self) -> &'static [Algorithm] {
        match self {
            KeyKind::Rsa => &[Algorithm::RS256, Algorithm::PS256],
            KeyKind::P256 => &[Algorithm::ES256],
            KeyKind::Ed25519 => &[Algorithm::EdDSA],
        }
    }

    /// The algorithms, as a person reads them.
    pub fn alg_names(self) -> &'static str {
        match self {
            KeyKind::Rsa => "RS256 or PS256",
            KeyKind::P256 => "ES256",
            KeyKind::Ed25519 => "EdDSA",
        }
    }
}

/// A public key read from a JWK.
pub struct PublicKey {
    /// What kind of key it is.
    pub kind: KeyKind,
    /// What verifies with it.
    pub decoding: DecodingKey,
}

/// The members that only a private (or symmetric) JWK has (RFC 7518 §6.2.2,
/// §6.3.2, §6.4; RFC 8037 §2).
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Whether `jwk` holds private key material.
pub fn is_private(jwk: &Value) -> bool {
    PRIVATE_MEMBERS.iter().any(|m| jwk.get(m).is_some())
}

/// Reads a public JWK of a kind this server verifies; refuses private keys.
pub fn public_key(jwk: &Value) -> Result<PublicKey, String> {
    if !jwk.is_object() {
        return Err("the key is not a JSON object".into());
    }
    if is_private(jwk) {
        return Err("the key holds private key material (d or k)".into());
    }
    let member = |name: &str| {
        jwk[name]
            .as_str()
            .ok_or_else(|| format!("the key has no {name}"))
    };
    let kty = member("kty")?;
    let (kind, decoding) = match kty {
        "RSA" => (
            KeyKind::Rsa,
            DecodingKey::from_rsa_components(member("n")?, member("e")?),
        ),
        "EC" => {
            let crv = member("crv")?;
            if crv != "P-256" {
                return Err(format!("the EC key is on {crv}; this server takes P-256"));
            }
            let (x, y) = (member("x")?, member("y")?);
            for (name, value) in [("x", x), ("y", y)] {
                if URL_SAFE_NO_PAD.decode(value).map(|b| b.len()) != Ok(32) {
                    return Err(format!(
                        "the P-256 key's {name} is not 32 bytes of base64url"
                    ));
                }
            }
            (KeyKind::P256, DecodingKey::from_ec_components(x, y))
        }
        "OKP" => {
            let crv = member("crv")?;
            if crv != "Ed25519" {
                return Err(format!(
                    "the OKP key is on {crv}; this server takes Ed25519"
                ));
            }
            let x = member("x")?;
            if URL_SAFE_NO_PAD.decode(x).map(|b| b.len()) != Ok(32) {
                return Err("the Ed25519 key's x is not 32 bytes of base64url".into());
            }
            (KeyKind::Ed25519, DecodingKey::from_ed_components(x))
        }
        other => {
            return Err(format!(
                "the key type {other} is not one this server verifies"
            ));
        }
    };
    Ok(PublicKey {
        kind,
        decoding: decoding.map_err(|e| format!("the key is unreadable: {e}"))?,
    })
}

/// The RFC 7638 SHA-256 thumbprint of a public JWK, base64url: the required
/// members only, in lexicographic order, no whitespace.
pub fn thumbprint(jwk: &Value) -> Result<String, String> {
    let members: &[&str] = match jwk["kty"].as_str() {
        Some("RSA") => &["e", "kty", "n"],
        Some("EC") => &["crv", "kty", "x", "y"],
        Some("OKP") => &["crv", "kty", "x"],
        _ => return Err("the key type has no thumbprint here".into()),
    };
    let mut canonical = String::from("{");
    for (i, name) in members.iter().enumerate() {
        let Some(value) = jwk[*name].as_str() else {
            return Err(format!("the key has no {name}"));
        };
        if i > 0 {
            canonical.push(',');
        }
        // Serialising the strings through serde_json escapes them as JSON.
        canonical.push_str(&format!("\"{name}\":{}", Value::from(value)));
    }
    canonical.push('}');
    Ok(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())))
}

/// base64url(SHA-256(bytes)): `ath` (RFC 9449 §4.2) and `x5t#S256`.
/// Checks a signed JWT's times at `now`, with `leeway` seconds for clock
/// differences: `exp` present and not passed, `iat` and `nbf` not in the
/// future. `what` names the JWT in the messages ("the client assertion").
pub fn check_times(jws: &Jws<'_>, what: &str, now: i64, leeway: i64) -> Result<(), String> {
    let Some(exp) = jws.claims["exp"].as_i64() else {
        return Err(format!("{what} has no exp"));
    };
    if exp + leeway < now {
        return Err(format!(
            "{what} expired {} s ago (exp {exp}; {leeway} s leeway)",
            now - exp
        ));
    }
    if let Some(iat) = jws.claims["iat"].as_i64()
        && iat > now + leeway
    {
        return Err(format!(
            "{what}'s iat is {} s in the future ({leeway} s leeway)",
            iat - now
        ));
    }
    if let Some(nbf) = jws.claims["nbf"].as_i64()
        && nbf > now + leeway
    {
        return Err(format!(
            "{what} is not valid before nbf, {} s from now",
            nbf - now
        ));
    }
    Ok(())
}

pub fn sha256_b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc_7638_example_thumbprint() {
        // RFC 7638 §3.1.
        let jwk = json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        assert_eq!(
            thumbprint(&jwk).expect("thumbprint"),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn private_keys_are_refused() {
        let jwk = json!({"kty": "EC", "crv": "P-256", "x": "a", "y": "b", "d": "c"});
        assert!(is_private(&jwk));
        assert!(public_key(&jwk).is_err());
    }

    #[test]
    fn the_shipped_client_key_reads() {
        let jwks: Value = serde_json::from_str(include_str!(
            "../../assets/demo-keys/demo-jwt-es256.jwks.json"
        ))
        .expect("JSON");
        let key = public_key(&jwks["keys"][0]).expect("key");
        assert_eq!(key.kind, KeyKind::P256);
        assert_eq!(jwks["keys"][0]["kid"], "demo-jwt-1");
    }
}
