//! The OpenID Connect hybrid flow, server side (OIDC Core §3.3): with
//! `response_type` `code id_token`, `code token` or `code id_token token`
//! the authorization response carries, beside the code, an access token
//! (§3.3.2.5, as in RFC 6749 §4.2.2) and/or an ID token whose `c_hash`
//! covers the code and `at_hash` the access token (§3.3.2.11), and — as
//! FAPI 1.0 Advanced §5.1 has it for the ID token as a detached signature —
//! `s_hash` the `state`. The default response mode of these types is the
//! fragment (OAuth 2.0 Multiple Response Type Encoding Practices §5).
//!
//! Written here from the specifications, with its own hashing: the demo
//! shares no code with the engine. The `hybrid-*` fault switches bend one
//! claim each so every client-side check can be seen to fail.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::store::Client;
use super::token::{Binding, link_code, mint_fields};
use super::{Demo, now};

/// What a fault switch puts where a hash belongs.
const BAD_HASH: &str = "AAAAAAAAAAAAAAAAAAAAAA";

/// The hybrid flow's fault switches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HybridFaults {
    /// `hybrid-bad-c-hash`: the front-channel ID token's `c_hash` covers
    /// another code.
    pub bad_c_hash: bool,
    /// `hybrid-no-c-hash`: it has no `c_hash`, which §3.3.2.11 requires.
    pub no_c_hash: bool,
    /// `hybrid-bad-at-hash`: its `at_hash` covers another access token.
    pub bad_at_hash: bool,
    /// `hybrid-bad-s-hash`: its `s_hash` covers another state.
    pub bad_s_hash: bool,
    /// `hybrid-sub-mismatch`: its `sub` is not the token endpoint's
    /// (§3.3.3.6 wants them identical).
    pub sub_mismatch: bool,
}

impl HybridFaults {
    /// The switch names.
    pub const NAMES: [&str; 5] = [
        "hybrid-bad-c-hash",
        "hybrid-no-c-hash",
        "hybrid-bad-at-hash",
        "hybrid-bad-s-hash",
        "hybrid-sub-mismatch",
    ];

    /// Turns on the switch called `name`; false when it is not one of these.
    pub fn switch_on(&mut self, name: &str) -> bool {
        let switch = match name {
            "hybrid-bad-c-hash" => &mut self.bad_c_hash,
            "hybrid-no-c-hash" => &mut self.no_c_hash,
            "hybrid-bad-at-hash" => &mut self.bad_at_hash,
            "hybrid-bad-s-hash" => &mut self.bad_s_hash,
            "hybrid-sub-mismatch" => &mut self.sub_mismatch,
            _ => return false,
        };
        *switch = true;
        true
    }
}

/// What a hybrid response type returns beside the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hybrid {
    /// An ID token.
    pub id_token: bool,
    /// An access token.
    pub token: bool,
}

/// The response types listed in discovery's `response_types_supported`.
pub const RESPONSE_TYPES: [&str; 3] = ["code id_token", "code token", "code id_token token"];

/// Reads `response_type` as a hybrid one: `code` with `id_token` and/or
/// `token`, each word once, in any order (Multiple Response Type Encoding
/// Practices §2.2); `None` for anything else.
pub fn parse(response_type: &str) -> Option<Hybrid> {
    let mut words: Vec<&str> = response_type.split(' ').collect();
    words.sort_unstable();
    match words.as_slice() {
        ["code", "id_token"] => Some(Hybrid {
            id_token: true,
            token: false,
        }),
        ["code", "token"] => Some(Hybrid {
            id_token: false,
            token: true,
        }),
        ["code", "id_token", "token"] => Some(Hybrid {
            id_token: true,
            token: true,
        }),
        _ => None,
    }
}

/// The left-most half of the SHA-256 of `value`, base64url: the hash
/// claims for RS256 and ES256, the algorithms the demo signs with (OIDC
/// Core §3.3.2.11).
pub fn half_sha256(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// What the authorization request said, for the response.
pub struct Request<'a> {
    /// The code just issued (stored already).
    pub code: &'a str,
    /// The `state` going back, if any.
    pub state: Option<&'a str>,
    /// The `nonce` of the request (required with an ID token; checked at
    /// the authorization endpoint).
    pub nonce: Option<&'a str>,
    /// When the user signed in.
    pub auth_time: i64,
    /// The granted scope.
    pub scope: &'a str,
}

/// The fields of a hybrid authorization response beside `state` and
/// `iss`: the code, then the access token (linked to the code, so a
/// reused code revokes it too) and the ID token the response type asks
/// for.
pub fn response_fields(
    demo: &Demo,
    client: &Client,
    sub: &str,
    kind: Hybrid,
    request: &Request<'_>,
) -> Result<Vec<(String, String)>, String> {
    let mut fields = vec![("code".to_string(), request.code.to_string())];
    let mut access_token = None;
    if kind.token {
        let minted = mint_fields(
            demo,
            client,
            sub,
            request.scope,
            false,
            None,
            &Binding::default(),
        )?;
        link_code(demo, request.code, minted.jti.clone(), None);
        for name in ["access_token", "token_type", "expires_in", "scope"] {
            let text = match minted.body.get(name) {
                Some(Value::String(text)) => text.clone(),
                Some(other) => other.to_string(),
                None => continue,
            };
            if name == "access_token" {
                access_token = Some(text.clone());
            }
            fields.push((name.to_string(), text));
        }
    }
    if kind.id_token {
        let token = id_token(demo, client, sub, request, access_token.as_deref())?;
        fields.push(("id_token".to_string(), token));
    }
    Ok(fields)
}

/// The front-channel ID token (OIDC Core §3.3.2.11), as the fault switches
/// shape it.
fn id_token(
    demo: &Demo,
    client: &Client,
    sub: &str,
    request: &Request<'_>,
    access_token: Option<&str>,
) -> Result<String, String> {
    let faults = &demo.faults.hybrid;
    let iat = now();
    let mut claims = json!({
        "iss": demo.issuer,
        "sub": if faults.sub_mismatch { format!("{sub}-elsewhere") } else { sub.to_string() },
        "aud": client.id,
        "azp": client.id,
        "iat": iat,
        "exp": iat + demo.standard_token_ttl.as_secs() as i64,
        "auth_time": request.auth_time,
    });
    if let Some(nonce) = request.nonce {
        claims["nonce"] = json!(nonce);
    }
    let bad_c_hash =
        faults.bad_c_hash || demo.faults.rp_case == Some(super::rp_tests::RpCase::InvalidCHash);
    if !faults.no_c_hash {
        claims["c_hash"] = json!(if bad_c_hash {
            BAD_HASH.to_string()
        } else {
            half_sha256(request.code)
        });
    }
    if let Some(access_token) = access_token {
        claims["at_hash"] = json!(if faults.bad_at_hash {
            BAD_HASH.to_string()
        } else {
            half_sha256(access_token)
        });
    }
    if let Some(state) = request.state {
        claims["s_hash"] = json!(if faults.bad_s_hash {
            BAD_HASH.to_string()
        } else {
            half_sha256(state)
        });
    }
    let alg = if client.id_token_alg == "ES256" {
        Algorithm::ES256
    } else {
        Algorithm::RS256
    };
    demo.sign(&claims, "JWT", alg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hybrid_types_are_read_in_any_order() {
        assert_eq!(
            parse("id_token code"),
            Some(Hybrid {
                id_token: true,
                token: false
            })
        );
        assert_eq!(
            parse("token id_token code").map(|h| (h.id_token, h.token)),
            Some((true, true))
        );
        for other in [
            "code",
            "token",
            "id_token token",
            "code code",
            "Code token",
            "",
        ] {
            assert_eq!(parse(other), None, "{other:?}");
        }
        for name in RESPONSE_TYPES {
            assert!(parse(name).is_some(), "{name}");
        }
    }

    #[test]
    fn the_hash_is_the_left_half_of_sha256() {
        // OIDC Core §A.4's example: the code "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk"
        // has c_hash "LDktKdoQak3Pk0cnXxCltA" (RS256).
        assert_eq!(
            half_sha256("Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk"),
            "LDktKdoQak3Pk0cnXxCltA"
        );
        let mut faults = HybridFaults::default();
        for name in HybridFaults::NAMES {
            assert!(faults.switch_on(name), "{name}");
        }
        assert!(faults.bad_c_hash && faults.sub_mismatch);
        assert!(!faults.switch_on("hybrid-nothing"));
    }
}
