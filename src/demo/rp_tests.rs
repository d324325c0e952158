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
}

impl RpCase {
    /// Every case, with its fault name (`rp-…`) and the suite's test name.
    pub const ALL: [(Self, &'static str, &'static str); 14] = [
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
    ];

    /// The case a fault name turns on.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, fault, _)| *fault == name)
            .map(|(case, _, _)| *case)
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
