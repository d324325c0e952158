//! The OpenID Foundation conformance suite's relying-party tests, served
//! by the demo provider: with `rp-<case>` on (`demo-server --fault
//! rp-nonce-invalid`), every ID token, userinfo answer or discovery
//! document it serves is the bad one that test sends, so the debugger's own
//! checks can be run against each (`tests/it/conformance.rs`, which writes
//! docs/CONFORMANCE.md).
//!
//! Written from the suite's test names and OpenID Connect Core §3.1.3.7
//! (ID token validation), §3.1.3.6 (`at_hash`), §5.3.2 (userinfo `sub`) and
//! Discovery §4.3 (`issuer`).

use base64::Engine as _;
use serde_json::{Value, json};

/// One relying-party test's bad response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RpCase {
    /// `oidcc-client-test-invalid-sig-rs256`: the ID token's RS256
    /// signature does not verify.
    InvalidSigRs256,
    /// `oidcc-client-test-invalid-sig-es256`: the same with ES256 (for
    /// `demo-es256`).
    InvalidSigEs256,
    /// `oidcc-client-test-invalid-sig-hs256`: signed HS256 with a key that
    /// is not the client secret.
    InvalidSigHs256,
    /// `oidcc-client-test-idtoken-sig-none`: unsigned (`alg: none`).
    SigNone,
    /// `oidcc-client-test-nonce-invalid`: another nonce.
    NonceInvalid,
    /// `oidcc-client-test-missing-iat`: no `iat`.
    MissingIat,
    /// `oidcc-client-test-invalid-aud`: another audience.
    InvalidAud,
    /// `oidcc-client-test-missing-aud`: no `aud`.
    MissingAud,
    /// `oidcc-client-test-invalid-iss`: another issuer.
    InvalidIss,
    /// `oidcc-client-test-missing-sub`: no `sub`.
    MissingSub,
    /// `oidcc-client-test-invalid-athash`: an `at_hash` of another token.
    InvalidAtHash,
    /// `oidcc-client-test-missing-athash`: no `at_hash` (optional in the
    /// code flow: a client must accept it).
    MissingAtHash,
    /// `oidcc-client-test-userinfo-invalid-sub`: userinfo names another
    /// `sub` than the ID token.
    UserinfoInvalidSub,
    /// `oidcc-client-test-discovery-issuer-mismatch`: the discovery
    /// document names another issuer.
    DiscoveryIssuerMismatch,
    /// `oidcc-client-test-kid-absent-single-jwks`: ID tokens without `kid`,
    /// and a JWKS with one key (the RS256 one): a client must use it.
    KidAbsentSingleJwks,
    /// `oidcc-client-test-kid-absent-multiple-jwks`: ID tokens without
    /// `kid`, and a JWKS with several RSA keys, the signing one not first
    /// (a client tries each key of the type, or refuses; Core §10.1 requires
    /// a `kid` then).
    KidAbsentMultipleJwks,
    /// `oidcc-client-test-signing-key-rotation`: a new signing key, made
    /// for each ID token; the old ones stay published.
    SigningKeyRotation,
    /// `oidcc-client-test-refresh-token-invalid-issuer`: a refresh
    /// response carries an ID token with another `iss` (Core §12.2).
    RefreshTokenInvalidIssuer,
    /// `oidcc-client-test-refresh-token-invalid-sub`: a refresh response
    /// carries an ID token with another `sub` (Core §12.2).
    RefreshTokenInvalidSub,
    /// `oidcc-client-test-invalid-chash`: the ID token of a hybrid
    /// response has a `c_hash` of another code (Core §3.3.2.11;
    /// `src/demo/hybrid.rs`).
    InvalidCHash,
}

impl RpCase {
    /// Every case, with its fault name (`rp-…`) and the suite's test name.
    pub const ALL: [(Self, &'static str, &'static str); 20] = [
        (
            Self::InvalidSigRs256,
            "rp-invalid-sig-rs256",
            "oidcc-client-test-invalid-sig-rs256",
        ),
        (
            Self::InvalidSigEs256,
            "rp-invalid-sig-es256",
            "oidcc-client-test-invalid-sig-es256",
        ),
        (
            Self::InvalidSigHs256,
            "rp-invalid-sig-hs256",
            "oidcc-client-test-invalid-sig-hs256",
        ),
        (
            Self::SigNone,
            "rp-idtoken-sig-none",
            "oidcc-client-test-idtoken-sig-none",
        ),
        (
            Self::NonceInvalid,
            "rp-nonce-invalid",
            "oidcc-client-test-nonce-invalid",
        ),
        (
            Self::MissingIat,
            "rp-missing-iat",
            "oidcc-client-test-missing-iat",
        ),
        (
            Self::InvalidAud,
            "rp-invalid-aud",
            "oidcc-client-test-invalid-aud",
        ),
        (
            Self::MissingAud,
            "rp-missing-aud",
            "oidcc-client-test-missing-aud",
        ),
        (
            Self::InvalidIss,
            "rp-invalid-iss",
            "oidcc-client-test-invalid-iss",
        ),
        (
            Self::MissingSub,
            "rp-missing-sub",
            "oidcc-client-test-missing-sub",
        ),
        (
            Self::InvalidAtHash,
            "rp-invalid-athash",
            "oidcc-client-test-invalid-athash",
        ),
        (
            Self::MissingAtHash,
            "rp-missing-athash",
            "oidcc-client-test-missing-athash",
        ),
        (
            Self::UserinfoInvalidSub,
            "rp-userinfo-invalid-sub",
            "oidcc-client-test-userinfo-invalid-sub",
        ),
        (
            Self::DiscoveryIssuerMismatch,
            "rp-discovery-issuer-mismatch",
            "oidcc-client-test-discovery-issuer-mismatch",
        ),
        (
            Self::KidAbsentSingleJwks,
            "rp-kid-absent-single-jwks",
            "oidcc-client-test-kid-absent-single-jwks",
        ),
        (
            Self::KidAbsentMultipleJwks,
            "rp-kid-absent-multiple-jwks",
            "oidcc-client-test-kid-absent-multiple-jwks",
        ),
        (
            Self::SigningKeyRotation,
            "rp-signing-key-rotation",
            "oidcc-client-test-signing-key-rotation",
        ),
        (
            Self::RefreshTokenInvalidIssuer,
            "rp-refresh-token-invalid-issuer",
            "oidcc-client-test-refresh-token-invalid-issuer",
        ),
        (
            Self::RefreshTokenInvalidSub,
            "rp-refresh-token-invalid-sub",
            "oidcc-client-test-refresh-token-invalid-sub",
        ),
        (
            Self::InvalidCHash,
            "rp-invalid-chash",
            "oidcc-client-test-invalid-chash",
        ),
    ];

    /// The case a fault name turns on.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, fault, _)| *fault == name)
            .map(|(case, _, _)| *case)
    }

    /// Whether ID tokens are signed without a `kid` header.
    pub fn without_kid(self) -> bool {
        matches!(
            self,
            Self::KidAbsentSingleJwks | Self::KidAbsentMultipleJwks
        )
    }

    /// Whether refresh responses carry an ID token (the refresh cases).
    pub fn id_token_on_refresh(self) -> bool {
        matches!(
            self,
            Self::RefreshTokenInvalidIssuer | Self::RefreshTokenInvalidSub
        )
    }

    /// Changes the claims of an ID token issued by a refresh as the case
    /// does; the ID token of the original authentication stays good.
    pub fn refreshed_claims(self, claims: &mut Value) {
        let Some(map) = claims.as_object_mut() else {
            return;
        };
        match self {
            Self::RefreshTokenInvalidIssuer => {
                map.insert("iss".into(), json!(super::faults::WRONG_ISSUER));
            }
            Self::RefreshTokenInvalidSub => {
                map.insert("sub".into(), json!("someone-else"));
            }
            _ => {}
        }
    }

    /// The JWKS published in place of `all` (every key, current first), or
    /// `None` to publish it as it is: one RSA key for
    /// `kid-absent-single-jwks`; for `kid-absent-multiple-jwks`, a decoy
    /// RSA key that signs nothing here (RFC 7517 Appendix A.1's example
    /// key) before the real ones.
    pub fn jwks(self, all: &Value) -> Option<Value> {
        let keys = all.get("keys").and_then(Value::as_array)?;
        match self {
            Self::KidAbsentSingleJwks => {
                let rsa = keys.iter().find(|k| k["kty"] == "RSA")?;
                Some(json!({ "keys": [rsa] }))
            }
            Self::KidAbsentMultipleJwks => {
                let mut listed = vec![decoy_rsa_key()];
                listed.extend(keys.iter().cloned());
                Some(json!({ "keys": listed }))
            }
            _ => None,
        }
    }

    /// Changes an ID token's claims as the case does.
    pub fn claims(self, claims: &mut Value) {
        let Some(map) = claims.as_object_mut() else {
            return;
        };
        match self {
            Self::NonceInvalid => {
                map.insert("nonce".into(), json!("a-nonce-this-client-never-sent"));
            }
            Self::MissingIat => {
                map.remove("iat");
            }
            Self::InvalidAud => {
                map.insert("aud".into(), json!("some-other-client"));
                map.insert("azp".into(), json!("some-other-client"));
            }
            Self::MissingAud => {
                map.remove("aud");
                map.remove("azp");
            }
            Self::InvalidIss => {
                map.insert("iss".into(), json!(super::faults::WRONG_ISSUER));
            }
            Self::MissingSub => {
                map.remove("sub");
            }
            Self::InvalidAtHash => {
                map.insert("at_hash".into(), json!("AAAAAAAAAAAAAAAAAAAAAA"));
            }
            Self::MissingAtHash => {
                map.remove("at_hash");
            }
            _ => {}
        }
    }

    /// Changes a signed ID token as the case does: a signature that does
    /// not verify, none at all, or HS256 with a key not the client's.
    pub fn token(self, signed: String, claims: &Value) -> String {
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        match self {
            Self::InvalidSigRs256 | Self::InvalidSigEs256 => {
                let Some((signing_input, signature)) = signed.rsplit_once('.') else {
                    return signed;
                };
                // Flip the signature's first character: same length, wrong bytes.
                let mut chars: Vec<char> = signature.chars().collect();
                if let Some(first) = chars.first_mut() {
                    *first = if *first == 'A' { 'B' } else { 'A' };
                }
                format!("{signing_input}.{}", chars.into_iter().collect::<String>())
            }
            Self::SigNone => {
                let header = b64(br#"{"alg":"none","typ":"JWT"}"#);
                format!("{header}.{}.", b64(claims.to_string().as_bytes()))
            }
            Self::InvalidSigHs256 => {
                let key = jsonwebtoken::EncodingKey::from_secret(b"not-the-client-secret");
                jsonwebtoken::encode(
                    &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
                    claims,
                    &key,
                )
                .unwrap_or(signed)
            }
            _ => signed,
        }
    }
}

/// The RSA public key of RFC 7517 Appendix A.1 (`kid` "2011-04-29"): a
/// valid key whose private half the demo does not have, so it verifies
/// none of its tokens.
fn decoy_rsa_key() -> Value {
    json!({
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": "2011-04-29",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_has_a_fault_name_that_reads_back() {
        for (case, fault, test) in RpCase::ALL {
            assert_eq!(RpCase::parse(fault), Some(case));
            assert!(test.starts_with("oidcc-client-test-"));
        }
        let mut claims = json!({"sub": "alice", "iat": 1, "aud": "c", "at_hash": "x"});
        RpCase::MissingIat.claims(&mut claims);
        assert!(claims.get("iat").is_none());
        let none = RpCase::SigNone.token("a.b.c".into(), &claims);
        assert!(none.ends_with('.'));
        let bent = RpCase::InvalidSigRs256.token("h.p.Qsig".into(), &claims);
        assert_eq!(bent, "h.p.Asig");
    }
}
