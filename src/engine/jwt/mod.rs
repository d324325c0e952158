//! JSON Web Tokens (RFC 7519): this module decodes them for display —
//! it only splits and decodes, verifying nothing — and its children do the
//! rest: [`jwks`] fetches and caches key sets, [`verify`] checks signatures
//! and claims, [`claims`] holds the claim checks (ID token rules of OIDC Core
//! §3.1.3.7), [`on_arrival`] verifies an ID token as a grant returns it.

pub mod claims;
pub mod jwks;
pub mod on_arrival;
pub mod verify;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A JWT split into its parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodedJwt {
    /// Which field it came from (`access_token`, `id_token`, …).
    pub source: String,
    /// The JOSE header.
    pub header: Value,
    /// The claims.
    pub claims: Value,
    /// The signature, still base64url-encoded.
    pub signature: String,
}

/// Why a string is not a decodable JWT.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtDecodeError {
    /// Not three dot-separated parts.
    #[error("a JWT has three parts separated by dots; this has {0}")]
    Parts(usize),
    /// A part is not base64url.
    #[error("the {0} is not base64url: {1}")]
    Base64(&'static str, String),
    /// A part is not a JSON object.
    #[error("the {0} is not a JSON object: {1}")]
    Json(&'static str, String),
}

/// Decodes `token` without verifying it.
pub fn decode(source: &str, token: &str) -> Result<DecodedJwt, JwtDecodeError> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    if parts.len() != 3 {
        return Err(JwtDecodeError::Parts(parts.len()));
    }
    Ok(DecodedJwt {
        source: source.to_string(),
        header: decode_part("header", parts[0])?,
        claims: decode_part("claims", parts[1])?,
        signature: parts[2].to_string(),
    })
}

fn decode_part(name: &'static str, part: &str) -> Result<Value, JwtDecodeError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|err| JwtDecodeError::Base64(name, err.to_string()))?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|err| JwtDecodeError::Json(name, err.to_string()))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(JwtDecodeError::Json(name, "not an object".to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_jwt_and_refuses_opaque_tokens() {
        // {"alg":"none"} . {"sub":"alice"} . sig
        let jwt = decode(
            "access_token",
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.c2ln",
        )
        .expect("jwt");
        assert_eq!(jwt.header["alg"], "none");
        assert_eq!(jwt.claims["sub"], "alice");
        assert_eq!(decode("x", "opaque-token"), Err(JwtDecodeError::Parts(1)));
        assert!(matches!(
            decode("x", "a.b.c"),
            Err(JwtDecodeError::Json(..) | JwtDecodeError::Base64(..))
        ));
    }
}
