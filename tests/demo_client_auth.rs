//! The demo provider's server side of modern client authentication: JWT
//! client assertions (RFC 7523 §2.2, §3), DPoP (RFC 9449) and mutual TLS
//! (RFC 8705). Every request is built here by hand — JWTs signed with
//! jsonwebtoken and p256 directly, sent with reqwest — not by the engine,
//! so the server is checked against the RFCs and not against the client.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use oauth_debugger::demo::{DemoConfig, DemoServer, Faults};
use serde_json::{Value, json};

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const DEMO_JWT_KEY: &str = include_str!("../assets/demo-keys/demo-jwt-es256.pem");

async fn start(faults: &[&str], tls: bool) -> DemoServer {
    let mut switches = Faults::default();
    for name in faults {
        assert!(switches.switch_on(name), "fault {name}");
    }
    DemoServer::start(DemoConfig {
        port: 0,
        tls,
        faults: switches,
        ..DemoConfig::default()
    })
    .await
    .expect("demo provider")
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().build().expect("client")
}

/// A response: status, headers and the body as JSON (Null when it is not).
#[allow(dead_code)]
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

#[allow(dead_code)]
impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn description(&self) -> &str {
        self.body["error_description"].as_str().unwrap_or_default()
    }
}

async fn answer(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.expect("response");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

async fn post_form(http: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> Answer {
    answer(http.post(url).form(form)).await
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn random_jti() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The claims of a good assertion by `client_id` for `aud`.
fn assertion_claims(client_id: &str, aud: &str) -> Value {
    json!({
        "iss": client_id,
        "sub": client_id,
        "aud": aud,
        "iat": now(),
        "exp": now() + 120,
        "jti": random_jti(),
    })
}

fn sign(alg: Algorithm, kid: Option<&str>, claims: &Value, key: &EncodingKey) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&header, claims, key).expect("sign")
}

fn demo_jwt_key() -> EncodingKey {
    EncodingKey::from_ec_pem(DEMO_JWT_KEY.as_bytes()).expect("shipped key")
}

/// An assertion by `demo-jwt`, signed with its shipped key.
fn demo_jwt_assertion(claims: &Value) -> String {
    sign(
        Algorithm::ES256,
        Some("demo-jwt-1"),
        claims,
        &demo_jwt_key(),
    )
}

async fn client_credentials_with(base: &str, assertion: &str) -> Answer {
    post_form(
        &http(),
        &format!("{base}/token"),
        &[
            ("grant_type", "client_credentials"),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", assertion),
        ],
    )
    .await
}

fn assert_invalid_client(answer: &Answer, phrase: &str) {
    assert_eq!(answer.status, 401, "{:?}", answer.body);
    assert_eq!(answer.body["error"], "invalid_client", "{:?}", answer.body);
    assert!(
        answer.description().contains(phrase),
        "expected '{phrase}' in: {}",
        answer.description()
    );
}

/// The payload of a JWT, unverified.
fn payload(jwt: &str) -> Value {
    use base64::Engine as _;
    let part = jwt.split('.').nth(1).expect("payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON")
}

// ---- private_key_jwt and client_secret_jwt (RFC 7523) ----

#[tokio::test(flavor = "multi_thread")]
async fn private_key_jwt_with_the_shipped_key_gets_a_token() {
    let server = start(&[], false).await;
    let base = server.url();
    for aud in [base.clone(), format!("{base}/token")] {
        let got = client_credentials_with(
            &base,
            &demo_jwt_assertion(&assertion_claims("demo-jwt", &aud)),
        )
        .await;
        assert_eq!(got.status, 200, "aud {aud}: {:?}", got.body);
        let access = got.body["access_token"].as_str().expect("access_token");
        assert_eq!(payload(access)["client_id"], "demo-jwt");
    }
    // aud as an array that contains the token endpoint; client_id in the body.
    let claims = json!({
        "iss": "demo-jwt", "sub": "demo-jwt",
        "aud": ["https://elsewhere.example", format!("{base}/token")],
        "exp": now() + 60, "jti": random_jti(),
    });
    let got = post_form(
        &http(),
        &format!("{base}/token"),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-jwt"),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", &demo_jwt_assertion(&claims)),
        ],
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn private_key_jwt_works_at_introspection_revocation_and_device_authorization() {
    let server = start(&[], false).await;
    let base = server.url();
    let got = client_credentials_with(
        &base,
        &demo_jwt_assertion(&assertion_claims("demo-jwt", &base)),
    )
    .await;
    let access = got.body["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let http = http();
    let introspect = format!("{base}/introspect");
    let seen = post_form(
        &http,
        &introspect,
        &[
            ("token", &access),
            ("client_assertion_type", ASSERTION_TYPE),
            (
                "client_assertion",
                &demo_jwt_assertion(&assertion_claims("demo-jwt", &introspect)),
            ),
        ],
    )
    .await;
    assert_eq!(seen.status, 200, "{:?}", seen.body);
    assert_eq!(seen.body["active"], true);

    let device = format!("{base}/device_authorization");
    let started = post_form(
        &http,
        &device,
        &[
            ("client_assertion_type", ASSERTION_TYPE),
            (
                "client_assertion",
                &demo_jwt_assertion(&assertion_claims("demo-jwt", &device)),
            ),
        ],
    )
    .await;
    assert_eq!(started.status, 200, "{:?}", started.body);
    assert!(started.body["device_code"].is_string());

    let revoke = format!("{base}/revoke");
    let revoked = post_form(
        &http,
        &revoke,
        &[
            ("token", &access),
            ("client_assertion_type", ASSERTION_TYPE),
            (
                "client_assertion",
                &demo_jwt_assertion(&assertion_claims("demo-jwt", &revoke)),
            ),
        ],
    )
    .await;
    assert_eq!(revoked.status, 200, "{:?}", revoked.body);
    let seen = post_form(
        &http,
        &introspect,
        &[
            ("token", &access),
            ("client_assertion_type", ASSERTION_TYPE),
            (
                "client_assertion",
                &demo_jwt_assertion(&assertion_claims("demo-jwt", &introspect)),
            ),
        ],
    )
    .await;
    assert_eq!(seen.body["active"], false, "revoked");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_assertions_are_refused_saying_which_check_failed() {
    let server = start(&[], false).await;
    let base = server.url();

    let wrong_aud = assertion_claims("demo-jwt", "https://x.example");
    let got = client_credentials_with(&base, &demo_jwt_assertion(&wrong_aud)).await;
    assert_invalid_client(&got, "aud is https://x.example, expected the issuer");
    assert!(got.description().contains(&format!("{base}/token")));

    let mut expired = assertion_claims("demo-jwt", &base);
    expired["exp"] = json!(now() - 300);
    let got = client_credentials_with(&base, &demo_jwt_assertion(&expired)).await;
    assert_invalid_client(&got, "expired");

    let mut no_exp = assertion_claims("demo-jwt", &base);
    no_exp.as_object_mut().expect("object").remove("exp");
    let got = client_credentials_with(&base, &demo_jwt_assertion(&no_exp)).await;
    assert_invalid_client(&got, "no exp");

    let mut future = assertion_claims("demo-jwt", &base);
    future["iat"] = json!(now() + 600);
    let got = client_credentials_with(&base, &demo_jwt_assertion(&future)).await;
    assert_invalid_client(&got, "iat");

    let mut no_jti = assertion_claims("demo-jwt", &base);
    no_jti.as_object_mut().expect("object").remove("jti");
    let got = client_credentials_with(&base, &demo_jwt_assertion(&no_jti)).await;
    assert_invalid_client(&got, "no jti");

    let mut other_iss = assertion_claims("demo-jwt", &base);
    other_iss["iss"] = json!("someone-else");
    let got = client_credentials_with(&base, &demo_jwt_assertion(&other_iss)).await;
    assert_invalid_client(&got, "iss is 'someone-else'");

    let once = demo_jwt_assertion(&assertion_claims("demo-jwt", &base));
    assert_eq!(client_credentials_with(&base, &once).await.status, 200);
    let got = client_credentials_with(&base, &once).await;
    assert_invalid_client(&got, "already used");

    let claims = assertion_claims("demo-jwt", &base);
    let got = client_credentials_with(
        &base,
        &sign(Algorithm::ES256, Some("nope"), &claims, &demo_jwt_key()),
    )
    .await;
    assert_invalid_client(&got, "no key with kid 'nope'");

    // Another P-256 key under the registered kid.
    let other = p256_key();
    let got = client_credentials_with(
        &base,
        &sign(
            Algorithm::ES256,
            Some("demo-jwt-1"),
            &claims,
            &other.encoding,
        ),
    )
    .await;
    assert_invalid_client(&got, "does not verify with key 'demo-jwt-1'");

    // client_id in the body that is not the assertion's sub.
    let got = post_form(
        &http(),
        &format!("{base}/token"),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-client"),
            ("client_assertion_type", ASSERTION_TYPE),
            (
                "client_assertion",
                &demo_jwt_assertion(&assertion_claims("demo-jwt", &base)),
            ),
        ],
    )
    .await;
    assert_invalid_client(&got, "differs from the client assertion's sub");

    // demo-jwt has no secret: client_id alone is not enough.
    let got = post_form(
        &http(),
        &format!("{base}/token"),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-jwt"),
        ],
    )
    .await;
    assert_invalid_client(&got, "private_key_jwt");
}

#[tokio::test(flavor = "multi_thread")]
async fn client_secret_jwt_is_an_hmac_with_the_client_secret() {
    let server = start(&[], false).await;
    let base = server.url();
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let claims = assertion_claims("demo-client", &format!("{base}/token"));
        let jwt = sign(
            alg,
            None,
            &claims,
            &EncodingKey::from_secret(b"demo-secret"),
        );
        let got = client_credentials_with(&base, &jwt).await;
        assert_eq!(got.status, 200, "{alg:?}: {:?}", got.body);
    }
    let claims = assertion_claims("demo-client", &base);
    let jwt = sign(
        Algorithm::HS256,
        None,
        &claims,
        &EncodingKey::from_secret(b"not-the-secret"),
    );
    let got = client_credentials_with(&base, &jwt).await;
    assert_invalid_client(&got, "does not verify with client 'demo-client''s secret");
    // demo-jwt has no secret to key an HMAC with.
    let claims = assertion_claims("demo-jwt", &base);
    let jwt = sign(
        Algorithm::HS256,
        None,
        &claims,
        &EncodingKey::from_secret(b"x"),
    );
    let got = client_credentials_with(&base, &jwt).await;
    assert_invalid_client(&got, "no client secret");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_authentication_methods_at_once_are_refused() {
    let server = start(&[], false).await;
    let base = server.url();
    let jwt = sign(
        Algorithm::HS256,
        None,
        &assertion_claims("demo-client", &base),
        &EncodingKey::from_secret(b"demo-secret"),
    );
    let got = answer(
        http()
            .post(format!("{base}/token"))
            .basic_auth("demo-client", Some("demo-secret"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_assertion_type", ASSERTION_TYPE),
                ("client_assertion", jwt.as_str()),
            ]),
    )
    .await;
    assert_eq!(got.status, 400, "{:?}", got.body);
    assert_eq!(got.body["error"], "invalid_request");
    assert!(
        got.description()
            .contains("HTTP Basic and client_assertion"),
        "{}",
        got.description()
    );
}

/// A fresh P-256 key: for signing and as a public JWK.
struct P256 {
    encoding: EncodingKey,
    jwk: Value,
}

fn p256_key() -> P256 {
    use base64::Engine as _;
    use p256::pkcs8::EncodePrivateKey;
    let secret = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
    let der = secret.to_pkcs8_der().expect("PKCS#8");
    let point = secret.verifying_key().to_encoded_point(false);
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    P256 {
        encoding: EncodingKey::from_ec_der(der.as_bytes()),
        jwk: json!({
            "kty": "EC", "crv": "P-256",
            "x": b64(point.x().expect("x")), "y": b64(point.y().expect("y")),
        }),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_registered_jwks_makes_private_key_jwt_work_for_a_seeded_client() {
    let server = start(&[], false).await;
    let base = server.url();
    let http = http();
    let admin = format!("{base}/admin/clients/demo-readonly/jwks");

    // An Ed25519 key, registered as a public JWK.
    use base64::Engine as _;
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    let ed = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ed.verifying_key().as_bytes());
    let ed_encoding = EncodingKey::from_ed_der(ed.to_pkcs8_der().expect("PKCS#8").as_bytes());
    let mut p256 = p256_key();
    p256.jwk["kid"] = json!("p256-1");
    let jwks = json!({ "keys": [
        { "kty": "OKP", "crv": "Ed25519", "x": x, "kid": "ed-1" },
        p256.jwk,
    ]});
    let registered = answer(http.post(&admin).body(jwks.to_string())).await;
    assert_eq!(registered.status, 200, "{:?}", registered.body);
    assert_eq!(
        registered.body,
        json!({ "client_id": "demo-readonly", "keys": 2 })
    );

    let claims = assertion_claims("demo-readonly", &base);
    let got = client_credentials_with(
        &base,
        &sign(Algorithm::EdDSA, Some("ed-1"), &claims, &ed_encoding),
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    // Without a kid, the key that fits the alg is found.
    let claims = assertion_claims("demo-readonly", &base);
    let got = client_credentials_with(
        &base,
        &sign(Algorithm::ES256, None, &claims, &p256.encoding),
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    // An alg the selected key cannot verify.
    let claims = assertion_claims("demo-readonly", &base);
    let got = client_credentials_with(
        &base,
        &sign(Algorithm::ES256, Some("ed-1"), &claims, &p256.encoding),
    )
    .await;
    assert_invalid_client(&got, "takes EdDSA");

    // Refusals of the admin endpoint.
    let mut private = p256_key().jwk;
    private["d"] = json!("AAAA");
    let got = answer(
        http.post(&admin)
            .body(json!({ "keys": [private] }).to_string()),
    )
    .await;
    assert_eq!(got.status, 400);
    assert_eq!(
        got.description(),
        "this JWKS holds a private key; register the public keys only"
    );
    let got = answer(http.post(&admin).body(r#"{"kty":"EC"}"#)).await;
    assert_eq!(got.status, 400);
    assert!(
        got.description().contains("not a JWKS"),
        "{}",
        got.description()
    );
    let got = answer(
        http.post(format!("{base}/admin/clients/nobody/jwks"))
            .body(jwks.to_string()),
    )
    .await;
    assert_eq!(got.status, 404);

    // Replacing the keys drops the old ones.
    let only_p256 = json!({ "keys": [p256.jwk] });
    assert_eq!(
        answer(http.post(&admin).body(only_p256.to_string()))
            .await
            .status,
        200
    );
    let claims = assertion_claims("demo-readonly", &base);
    let got = client_credentials_with(
        &base,
        &sign(Algorithm::EdDSA, Some("ed-1"), &claims, &ed_encoding),
    )
    .await;
    assert_invalid_client(&got, "no key with kid 'ed-1'");
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_switches_narrow_the_accepted_audience() {
    let server = start(&["assertion-aud-token-endpoint"], false).await;
    let base = server.url();
    let got = client_credentials_with(
        &base,
        &demo_jwt_assertion(&assertion_claims("demo-jwt", &base)),
    )
    .await;
    assert_invalid_client(&got, "takes no issuer");
    let token = format!("{base}/token");
    let got = client_credentials_with(
        &base,
        &demo_jwt_assertion(&assertion_claims("demo-jwt", &token)),
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);

    let server = start(&["assertion-aud-issuer"], false).await;
    let base = server.url();
    let token = format!("{base}/token");
    let got = client_credentials_with(
        &base,
        &demo_jwt_assertion(&assertion_claims("demo-jwt", &token)),
    )
    .await;
    assert_invalid_client(&got, "takes no endpoint URL");
    let got = client_credentials_with(
        &base,
        &demo_jwt_assertion(&assertion_claims("demo-jwt", &base)),
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_lists_the_jwt_methods_and_their_algorithms() {
    let server = start(&[], false).await;
    let base = server.url();
    let doc = answer(http().get(format!("{base}/.well-known/oauth-authorization-server"))).await;
    for field in [
        "token_endpoint_auth_methods_supported",
        "revocation_endpoint_auth_methods_supported",
        "introspection_endpoint_auth_methods_supported",
    ] {
        let methods = doc.body[field].as_array().expect(field);
        for method in [
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt",
            "client_secret_jwt",
        ] {
            assert!(
                methods.iter().any(|m| m == method),
                "{field} lacks {method}"
            );
        }
        assert!(
            !methods.iter().any(|m| m == "tls_client_auth"),
            "no TLS here"
        );
    }
    assert_eq!(
        doc.body["token_endpoint_auth_signing_alg_values_supported"],
        json!([
            "RS256", "PS256", "ES256", "EdDSA", "HS256", "HS384", "HS512"
        ])
    );
}
