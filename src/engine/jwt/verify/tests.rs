//! Unit tests of `verify`.

use super::*;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::Value;
use serde_json::json;
use std::time::Duration;

fn hs256(claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .expect("sign")
}

fn keys(secret: &[u8]) -> Keys {
    Keys {
        hmac_secret: Some(secret.to_vec()),
        ..Keys::default()
    }
}

fn verdict(v: &Verification, name: &str) -> Verdict {
    v.check(name)
        .unwrap_or_else(|| panic!("no {name} check in {:?}", v.checks))
        .verdict
}

fn id_claims(now: i64) -> Value {
    json!({
        "iss": "https://as.example", "sub": "alice", "aud": "client",
        "azp": "client", "iat": now, "exp": now + 300, "nonce": "n-1",
        "at_hash": left_half_hash(Algorithm::HS256, "the-access-token"),
    })
}

fn id_expect() -> Expectations {
    Expectations {
        id_token: true,
        issuer: Some("https://as.example".into()),
        audience: Some("client".into()),
        nonce: Some("n-1".into()),
        access_token: Some("the-access-token".into()),
        ..Expectations::default()
    }
}

#[test]
fn a_good_id_token_passes_every_check() {
    let now = Utc::now();
    let token = hs256(&id_claims(now.timestamp()), b"secret");
    let v = verify("id_token", &token, &keys(b"secret"), &id_expect(), now).expect("jwt");
    assert!(v.passed(), "{:?}", v.checks);
    for name in [
        "alg",
        "signature",
        "iss",
        "sub",
        "aud",
        "azp",
        "exp",
        "iat",
        "nonce",
        "at_hash",
    ] {
        assert_eq!(verdict(&v, name), Verdict::Pass, "{name}");
    }
}

#[test]
fn each_broken_rule_fails_its_own_check() {
    let now = Utc::now();
    let t = now.timestamp();
    let wrong_secret = verify(
        "id_token",
        &hs256(&id_claims(t), b"other"),
        &keys(b"secret"),
        &id_expect(),
        now,
    )
    .expect("jwt");
    assert_eq!(verdict(&wrong_secret, "signature"), Verdict::Fail);
    assert_eq!(verdict(&wrong_secret, "iss"), Verdict::Pass);

    let mut claims = id_claims(t);
    claims["aud"] = json!("someone-else");
    claims["exp"] = json!(t - 3600);
    claims["nonce"] = json!("replayed");
    claims["at_hash"] = json!("AAAA");
    let v = verify(
        "id_token",
        &hs256(&claims, b"secret"),
        &keys(b"secret"),
        &id_expect(),
        now,
    )
    .expect("jwt");
    assert_eq!(verdict(&v, "signature"), Verdict::Pass);
    for name in ["aud", "exp", "nonce", "at_hash"] {
        assert_eq!(verdict(&v, name), Verdict::Fail, "{name}");
    }
    assert!(!v.passed());
}

#[test]
fn clock_skew_is_tolerated_up_to_the_setting() {
    let now = Utc::now();
    let t = now.timestamp();
    let mut claims = id_claims(t);
    claims["exp"] = json!(t - 30);
    claims["iat"] = json!(t + 30);
    let token = hs256(&claims, b"secret");
    let v = verify("id_token", &token, &keys(b"secret"), &id_expect(), now).expect("jwt");
    assert_eq!(verdict(&v, "exp"), Verdict::Pass);
    assert_eq!(verdict(&v, "iat"), Verdict::Pass);
    let strict = Expectations {
        clock_skew: Duration::from_secs(10),
        ..id_expect()
    };
    let v = verify("id_token", &token, &keys(b"secret"), &strict, now).expect("jwt");
    assert_eq!(verdict(&v, "exp"), Verdict::Fail);
    assert_eq!(verdict(&v, "iat"), Verdict::Fail);
}

#[test]
fn alg_none_is_critical_and_missing_keys_skip() {
    let now = Utc::now();
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
    let body = URL_SAFE_NO_PAD.encode(id_claims(now.timestamp()).to_string());
    let token = format!("{header}.{body}.");
    let v = verify("id_token", &token, &Keys::default(), &id_expect(), now).expect("jwt");
    assert_eq!(verdict(&v, "alg"), Verdict::Fail);
    assert_eq!(verdict(&v, "signature"), Verdict::Fail);
    assert_eq!(v.findings[0].code, "jwt_alg_none");
    assert_eq!(v.findings[0].severity, Severity::Error);

    let token = hs256(&json!({"sub": "x"}), b"s");
    let v = verify(
        "access_token",
        &token,
        &Keys::default(),
        &Expectations::default(),
        now,
    )
    .expect("jwt");
    assert_eq!(verdict(&v, "signature"), Verdict::Skipped);
    assert!(v.passed(), "{:?}", v.checks);
}

#[test]
fn left_half_hash_matches_the_spec_example() {
    // OIDC Core §A.3: access token "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
    // has at_hash "77QmUPtjPfzWtF2AnpK9RQ" (RS256).
    assert_eq!(
        left_half_hash(
            Algorithm::RS256,
            "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
        ),
        "77QmUPtjPfzWtF2AnpK9RQ"
    );
}

/// A JWT signed by `pair` (rcgen's PKCS#8 key) with `alg`, and the
/// public key as a JWK.
fn signed_with_rcgen(
    alg: Algorithm,
    pair: &rcgen::KeyPair,
    jwk: serde_json::Value,
) -> (String, Jwk) {
    let der = pair.serialize_der();
    let key = match alg {
        Algorithm::EdDSA => jsonwebtoken::EncodingKey::from_ed_der(&der),
        _ => jsonwebtoken::EncodingKey::from_ec_der(&der),
    };
    let mut header = Header::new(alg);
    header.kid = Some("k1".into());
    let token = jsonwebtoken::encode(&header, &json!({"sub": "x"}), &key).expect("sign");
    (token, serde_json::from_value(jwk).expect("jwk"))
}

#[test]
fn es384_eddsa_and_ps256_verify_against_their_jwks() {
    let p384 = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).expect("p384");
    let point = p384.public_key_raw();
    let (x, y) = point[1..].split_at(48);
    let es384 = signed_with_rcgen(
        Algorithm::ES384,
        &p384,
        json!({"kty": "EC", "kid": "k1", "crv": "P-384",
               "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y)}),
    );
    let ed = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).expect("ed25519");
    let eddsa = signed_with_rcgen(
        Algorithm::EdDSA,
        &ed,
        json!({"kty": "OKP", "kid": "k1", "crv": "Ed25519",
               "x": URL_SAFE_NO_PAD.encode(ed.public_key_raw())}),
    );
    let ps256 = {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::traits::PublicKeyParts;
        let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("rsa key");
        let der = private.to_pkcs1_der().expect("der");
        let mut header = Header::new(Algorithm::PS256);
        header.kid = Some("k1".into());
        let token = jsonwebtoken::encode(
            &header,
            &json!({"sub": "x"}),
            &jsonwebtoken::EncodingKey::from_rsa_der(der.as_bytes()),
        )
        .expect("sign");
        let jwk = json!({"kty": "RSA", "kid": "k1",
            "n": URL_SAFE_NO_PAD.encode(private.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(private.e().to_bytes_be())});
        (token, serde_json::from_value(jwk).expect("jwk"))
    };
    // A JWKS whose key has no kid still verifies a token naming one.
    let mut unnamed = es384.1.clone();
    unnamed.common.key_id = None;
    let keys = Keys {
        jwks: vec![unnamed],
        ..Keys::default()
    };
    let v = verify(
        "token",
        &es384.0,
        &keys,
        &Expectations::default(),
        Utc::now(),
    )
    .expect("jwt");
    assert_eq!(verdict(&v, "signature"), Verdict::Pass, "{:?}", v.checks);
    for (name, (token, jwk)) in [("ES384", es384), ("EdDSA", eddsa), ("PS256", ps256)] {
        let keys = Keys {
            jwks: vec![jwk],
            ..Keys::default()
        };
        let v = verify("token", &token, &keys, &Expectations::default(), Utc::now()).expect("jwt");
        assert_eq!(
            verdict(&v, "signature"),
            Verdict::Pass,
            "{name}: {:?}",
            v.checks
        );
        // One byte of the signature changed: it fails.
        let mut forged = token.clone();
        let last = forged.pop().expect("char");
        forged.push(if last == 'A' { 'B' } else { 'A' });
        let v = verify(
            "token",
            &forged,
            &keys,
            &Expectations::default(),
            Utc::now(),
        )
        .expect("jwt");
        assert_eq!(verdict(&v, "signature"), Verdict::Fail, "{name}");
    }
}

#[test]
fn a_token_without_kid_tries_each_key_of_its_type_and_warns_when_several() {
    let p256 = |pair: &rcgen::KeyPair, kid: &str| -> Jwk {
        let point = pair.public_key_raw();
        let (x, y) = point[1..].split_at(32);
        serde_json::from_value(json!({"kty": "EC", "kid": kid, "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y)}))
        .expect("jwk")
    };
    let signer = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let decoy = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::ES256),
        &json!({"sub": "x"}),
        &EncodingKey::from_ec_der(&signer.serialize_der()),
    )
    .expect("sign");
    let single = Keys {
        jwks: vec![p256(&signer, "only")],
        ..Keys::default()
    };
    let v = verify(
        "token",
        &token,
        &single,
        &Expectations::default(),
        Utc::now(),
    )
    .expect("jwt");
    assert_eq!(verdict(&v, "signature"), Verdict::Pass, "{:?}", v.checks);
    assert!(v.check("kid").is_none(), "{:?}", v.checks);
    // The signing key second: the first is tried, fails, the next verifies.
    let several = Keys {
        jwks: vec![p256(&decoy, "decoy"), p256(&signer, "signer")],
        ..Keys::default()
    };
    let v = verify(
        "token",
        &token,
        &several,
        &Expectations::default(),
        Utc::now(),
    )
    .expect("jwt");
    let signature = v.check("signature").expect("signature");
    assert_eq!(signature.verdict, Verdict::Pass, "{:?}", v.checks);
    assert!(
        signature.message.contains("key signer"),
        "{}",
        signature.message
    );
    assert_eq!(verdict(&v, "kid"), Verdict::Warn);
    // Neither key signed it: the signature fails.
    let wrong = Keys {
        jwks: vec![p256(&decoy, "decoy")],
        ..Keys::default()
    };
    let v = verify(
        "token",
        &token,
        &wrong,
        &Expectations::default(),
        Utc::now(),
    )
    .expect("jwt");
    assert_eq!(verdict(&v, "signature"), Verdict::Fail);
}
