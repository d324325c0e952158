//! Unit tests of `keys`.

use super::*;

fn verify_with_jsonwebtoken(token: &str, key: &ClientKey, alg: jsonwebtoken::Algorithm) {
    let jwk: jsonwebtoken::jwk::Jwk =
        serde_json::from_value(key.public_jwk()).expect("a JWK jsonwebtoken reads");
    let decoding = jsonwebtoken::DecodingKey::from_jwk(&jwk).expect("a decoding key");
    let mut validation = jsonwebtoken::Validation::new(alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    jsonwebtoken::decode::<Value>(token, &decoding, &validation).expect("signature verifies");
}

#[test]
fn generated_keys_sign_what_an_independent_verifier_accepts() {
    let claims = json!({"sub": "me"});
    for (alg, theirs) in [
        (Alg::Es256, jsonwebtoken::Algorithm::ES256),
        (Alg::EdDsa, jsonwebtoken::Algorithm::EdDSA),
    ] {
        let key = ClientKey::generate(alg).expect("generated");
        let token = key.sign(alg, Map::new(), &claims).expect("signed");
        verify_with_jsonwebtoken(&token, &key, theirs);
    }
    let rsa = ClientKey::generate(Alg::Rs256).expect("generated");
    for (alg, theirs) in [
        (Alg::Rs256, jsonwebtoken::Algorithm::RS256),
        (Alg::Ps256, jsonwebtoken::Algorithm::PS256),
    ] {
        let token = rsa.sign(alg, Map::new(), &claims).expect("signed");
        verify_with_jsonwebtoken(&token, &rsa, theirs);
    }
}

#[test]
fn a_key_reads_back_from_pem_and_from_its_jwk_with_the_same_thumbprint() {
    let key = ClientKey::generate(Alg::Es256).expect("generated");
    let pem = key.to_pkcs8_pem().expect("pem");
    let again = ClientKey::parse(&pem).expect("read back");
    assert_eq!(again.thumbprint(), key.thumbprint());
    assert_eq!(
        again.kid(),
        key.thumbprint(),
        "a PEM key is named by its thumbprint"
    );

    let point = match &key.material {
        Material::P256(k) => k.to_bytes(),
        _ => unreachable!(),
    };
    let mut jwk = key.public_jwk();
    jwk["d"] = Value::String(b64(&point));
    jwk["kid"] = Value::String("mine".into());
    let jwks = json!({"keys": [jwk]}).to_string();
    let from_jwks = ClientKey::parse(&jwks).expect("read from a JWKS");
    assert_eq!(from_jwks.thumbprint(), key.thumbprint());
    assert_eq!(from_jwks.kid(), "mine");
}

#[test]
fn sec1_and_pkcs1_pem_are_read() {
    use p256::pkcs8::DecodePrivateKey as _;
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    let key = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let sec1 = key.to_sec1_pem(p256::pkcs8::LineEnding::LF).expect("sec1");
    let read = ClientKey::parse(&sec1).expect("SEC1 read");
    assert_eq!(read.default_alg(), Alg::Es256);

    let rsa = ClientKey::generate(Alg::Rs256).expect("generated");
    let pkcs8 = rsa.to_pkcs8_pem().expect("pem");
    let inner = rsa::RsaPrivateKey::from_pkcs8_pem(&pkcs8).expect("pkcs8");
    let pkcs1 = inner
        .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
        .expect("pkcs1");
    let read = ClientKey::parse(&pkcs1).expect("PKCS#1 read");
    assert_eq!(read.thumbprint(), rsa.thumbprint());
}

#[test]
fn the_rfc_7638_example_thumbprint() {
    // RFC 7638 §3.1.
    let jwk = json!({
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29"
    });
    assert_eq!(
        thumbprint_of(&jwk).as_deref(),
        Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    );
}

#[test]
fn hmac_signatures_match_an_independent_verifier_and_bad_files_say_why() {
    let token = sign_hmac(
        Alg::Hs256,
        b"0123456789abcdef0123456789abcdef",
        Map::new(),
        &json!({"a": 1}),
    )
    .expect("signed");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    jsonwebtoken::decode::<Value>(
        &token,
        &jsonwebtoken::DecodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        &validation,
    )
    .expect("verifies");

    let public = ClientKey::generate(Alg::Es256)
        .expect("key")
        .public_jwks()
        .to_string();
    assert!(
        ClientKey::parse(&public)
            .expect_err("refused")
            .0
            .contains("only public keys")
    );
    assert!(
        ClientKey::parse("hello")
            .expect_err("refused")
            .0
            .contains("neither a PEM")
    );
    let es = ClientKey::generate(Alg::Es256).expect("key");
    assert!(
        es.sign(Alg::Rs256, Map::new(), &json!({}))
            .expect_err("refused")
            .0
            .contains("cannot sign RS256")
    );
}
