//! The demo provider's server side of modern client authentication: JWT
//! client assertions (RFC 7523 §2.2, §3), DPoP (RFC 9449) and mutual TLS
//! (RFC 8705). Every request is built here by hand — JWTs signed with
//! jsonwebtoken and p256 directly, sent with reqwest — not by the engine,
//! so the server is checked against the RFCs and not against the client.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use oauth_debugger::demo::{DemoConfig, DemoServer, Faults};
use serde_json::{Value, json};

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const DEMO_JWT_KEY: &str = include_str!("../../assets/demo-keys/demo-jwt-es256.pem");

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
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

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

// ---- DPoP (RFC 9449) ----

/// A DPoP key pair and the proofs it signs.
struct DpopKey {
    key: P256,
}

impl DpopKey {
    fn new() -> Self {
        Self { key: p256_key() }
    }

    /// The RFC 7638 thumbprint, computed here from the members.
    fn jkt(&self) -> String {
        use base64::Engine as _;
        use sha2::Digest as _;
        let jwk = &self.key.jwk;
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            jwk["x"].as_str().expect("x"),
            jwk["y"].as_str().expect("y")
        );
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(canonical))
    }

    /// A proof with this header `jwk` (sent as given, private members
    /// included) and `typ`, signed with this key.
    fn proof_with(&self, header_jwk: &Value, typ: &str, claims: &Value) -> String {
        let header = json!({ "typ": typ, "alg": "ES256", "jwk": header_jwk });
        sign_raw(&header, claims, &self.key.encoding, Algorithm::ES256)
    }

    fn claims(htm: &str, htu: &str) -> Value {
        json!({ "htm": htm, "htu": htu, "iat": now(), "jti": random_jti() })
    }

    fn proof(&self, htm: &str, htu: &str) -> String {
        self.proof_with(&self.key.jwk, "dpop+jwt", &Self::claims(htm, htu))
    }

    fn proof_for(&self, htm: &str, htu: &str, nonce: Option<&str>, token: Option<&str>) -> String {
        let mut claims = Self::claims(htm, htu);
        if let Some(nonce) = nonce {
            claims["nonce"] = json!(nonce);
        }
        if let Some(token) = token {
            claims["ath"] = json!(sha256_b64(token.as_bytes()));
        }
        self.proof_with(&self.key.jwk, "dpop+jwt", &claims)
    }
}

/// A JWS with exactly this header JSON.
fn sign_raw(header: &Value, claims: &Value, key: &EncodingKey, alg: Algorithm) -> String {
    use base64::Engine as _;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let input = format!("{}.{}", b64(header), b64(claims));
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).expect("sign");
    format!("{input}.{signature}")
}

fn sha256_b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(bytes))
}

async fn token_with_proof(base: &str, form: &[(&str, &str)], proof: &str) -> Answer {
    answer(
        http()
            .post(format!("{base}/token"))
            .header("DPoP", proof)
            .form(form),
    )
    .await
}

const CLIENT_CREDENTIALS: &[(&str, &str)] = &[
    ("grant_type", "client_credentials"),
    ("client_id", "demo-client"),
    ("client_secret", "demo-secret"),
];

const PUBLIC_PASSWORD: &[(&str, &str)] = &[
    ("grant_type", "password"),
    ("client_id", "demo-public"),
    ("username", "alice"),
    ("password", "alice-password"),
];

async fn api_with(base: &str, path: &str, authorization: &str, proof: Option<&str>) -> Answer {
    let mut request = http()
        .get(format!("{base}{path}"))
        .header("Authorization", authorization);
    if let Some(proof) = proof {
        request = request.header("DPoP", proof);
    }
    answer(request).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dpop_proof_at_the_token_endpoint_binds_the_access_token() {
    let server = start(&[], false).await;
    let base = server.url();
    let key = DpopKey::new();
    let got = token_with_proof(
        &base,
        CLIENT_CREDENTIALS,
        &key.proof("POST", &format!("{base}/token")),
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    assert_eq!(got.body["token_type"], "DPoP");
    let access = got.body["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    assert_eq!(payload(&access)["cnf"]["jkt"], key.jkt().as_str());

    // htu may name the host the request was sent to (its Host header).
    let port = server.addr().port();
    let got = answer(
        http()
            .post(format!("{base}/token"))
            .header("Host", format!("localhost:{port}"))
            .header(
                "DPoP",
                key.proof("POST", &format!("http://localhost:{port}/token")),
            )
            .form(CLIENT_CREDENTIALS),
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);

    // The query string of htu is ignored (RFC 9449 §4.3).
    let got = token_with_proof(
        &base,
        CLIENT_CREDENTIALS,
        &key.proof("POST", &format!("{base}/token?x=1")),
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);

    let seen = answer(
        http()
            .post(format!("{base}/introspect"))
            .basic_auth("demo-client", Some("demo-secret"))
            .form(&[("token", access.as_str())]),
    )
    .await;
    assert_eq!(seen.body["active"], true);
    assert_eq!(seen.body["token_type"], "DPoP");
    assert_eq!(seen.body["cnf"]["jkt"], key.jkt().as_str());

    // Without a proof: an ordinary Bearer token.
    let got = post_form(&http(), &format!("{base}/token"), CLIENT_CREDENTIALS).await;
    assert_eq!(got.body["token_type"], "Bearer");
    assert!(payload(got.body["access_token"].as_str().expect("token"))["cnf"].is_null());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_dpop_proofs_are_refused_saying_which_check_failed() {
    let server = start(&[], false).await;
    let base = server.url();
    let token_url = format!("{base}/token");
    let key = DpopKey::new();
    let refused = |got: &Answer, phrase: &str| {
        assert_eq!(got.status, 400, "{phrase}: {:?}", got.body);
        assert_eq!(
            got.body["error"], "invalid_dpop_proof",
            "{phrase}: {:?}",
            got.body
        );
        assert!(
            got.description().contains(phrase),
            "expected '{phrase}' in {}",
            got.description()
        );
    };

    let got = token_with_proof(&base, CLIENT_CREDENTIALS, &key.proof("GET", &token_url)).await;
    refused(&got, "htm is GET");
    let got = token_with_proof(
        &base,
        CLIENT_CREDENTIALS,
        &key.proof("POST", &format!("{base}/other")),
    )
    .await;
    refused(&got, "htu is");
    let mut old = DpopKey::claims("POST", &token_url);
    old["iat"] = json!(now() - 600);
    let got = token_with_proof(
        &base,
        CLIENT_CREDENTIALS,
        &key.proof_with(&key.key.jwk, "dpop+jwt", &old),
    )
    .await;
    refused(&got, "iat");
    let got = token_with_proof(
        &base,
        CLIENT_CREDENTIALS,
        &key.proof_with(&key.key.jwk, "JWT", &DpopKey::claims("POST", &token_url)),
    )
    .await;
    refused(&got, "typ is 'JWT'");
    let mut private = key.key.jwk.clone();
    private["d"] = json!("AAAA");
    let got = token_with_proof(
        &base,
        CLIENT_CREDENTIALS,
        &key.proof_with(&private, "dpop+jwt", &DpopKey::claims("POST", &token_url)),
    )
    .await;
    refused(&got, "private key");
    // Signed by this key, claiming another's public key.
    let other = DpopKey::new();
    let got = token_with_proof(
        &base,
        CLIENT_CREDENTIALS,
        &key.proof_with(
            &other.key.jwk,
            "dpop+jwt",
            &DpopKey::claims("POST", &token_url),
        ),
    )
    .await;
    refused(&got, "signature does not verify");
    // A symmetric alg.
    let header = json!({ "typ": "dpop+jwt", "alg": "HS256", "jwk": key.key.jwk });
    let hs = sign_raw(
        &header,
        &DpopKey::claims("POST", &token_url),
        &EncodingKey::from_secret(b"k"),
        Algorithm::HS256,
    );
    let got = token_with_proof(&base, CLIENT_CREDENTIALS, &hs).await;
    refused(&got, "asymmetric");
    // The same proof twice.
    let once = key.proof("POST", &token_url);
    assert_eq!(
        token_with_proof(&base, CLIENT_CREDENTIALS, &once)
            .await
            .status,
        200
    );
    let got = token_with_proof(&base, CLIENT_CREDENTIALS, &once).await;
    refused(&got, "already used");
    // Two DPoP headers.
    let got = answer(
        http()
            .post(&token_url)
            .header("DPoP", key.proof("POST", &token_url))
            .header("DPoP", key.proof("POST", &token_url))
            .form(CLIENT_CREDENTIALS),
    )
    .await;
    refused(&got, "more than one DPoP header");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_checks_the_proof_the_key_and_the_token_hash() {
    let server = start(&[], false).await;
    let base = server.url();
    let key = DpopKey::new();
    let got = token_with_proof(
        &base,
        CLIENT_CREDENTIALS,
        &key.proof("POST", &format!("{base}/token")),
    )
    .await;
    let access = got.body["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let me = format!("{base}/api/me");
    let authorization = format!("DPoP {access}");

    let got = api_with(
        &base,
        "/api/me",
        &authorization,
        Some(&key.proof_for("GET", &me, None, Some(&access))),
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    assert_eq!(got.body["client_id"], "demo-client");

    let challenge = |got: &Answer| {
        got.header("www-authenticate")
            .unwrap_or_default()
            .to_string()
    };
    // ath of another token.
    let got = api_with(
        &base,
        "/api/me",
        &authorization,
        Some(&key.proof_for("GET", &me, None, Some("other"))),
    )
    .await;
    assert_eq!(got.status, 401);
    assert!(challenge(&got).starts_with("DPoP "), "{}", challenge(&got));
    assert!(
        challenge(&got).contains(r#"error="invalid_dpop_proof""#),
        "{}",
        challenge(&got)
    );
    assert!(challenge(&got).contains("ath"), "{}", challenge(&got));
    // No ath at all.
    let got = api_with(
        &base,
        "/api/me",
        &authorization,
        Some(&key.proof_for("GET", &me, None, None)),
    )
    .await;
    assert!(
        challenge(&got).contains(r#"error="invalid_dpop_proof""#),
        "{}",
        challenge(&got)
    );
    // Another key.
    let other = DpopKey::new();
    let got = api_with(
        &base,
        "/api/me",
        &authorization,
        Some(&other.proof_for("GET", &me, None, Some(&access))),
    )
    .await;
    assert_eq!(got.status, 401);
    assert!(
        challenge(&got).contains("another key"),
        "{}",
        challenge(&got)
    );
    // htu of another resource.
    let got = api_with(
        &base,
        "/api/me",
        &authorization,
        Some(&key.proof_for("GET", &format!("{base}/api/items"), None, Some(&access))),
    )
    .await;
    assert!(challenge(&got).contains("htu"), "{}", challenge(&got));
    // No proof.
    let got = api_with(&base, "/api/me", &authorization, None).await;
    assert!(
        challenge(&got).contains(r#"error="invalid_dpop_proof""#),
        "{}",
        challenge(&got)
    );
    // The DPoP-bound token sent as a Bearer token.
    let got = api_with(&base, "/api/me", &format!("Bearer {access}"), None).await;
    assert_eq!(got.status, 401);
    assert!(
        challenge(&got).contains(r#"error="invalid_token""#),
        "{}",
        challenge(&got)
    );
    assert!(
        challenge(&got).contains(r#"algs="ES256 RS256 PS256 EdDSA""#),
        "{}",
        challenge(&got)
    );
    assert!(challenge(&got).starts_with("DPoP "), "{}", challenge(&got));

    // Plain Bearer tokens keep working as before.
    let plain = post_form(&http(), &format!("{base}/token"), CLIENT_CREDENTIALS).await;
    let plain = plain.body["access_token"].as_str().expect("token");
    let got = api_with(&base, "/api/me", &format!("Bearer {plain}"), None).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_public_clients_refresh_token_is_bound_to_its_dpop_key() {
    let server = start(&[], false).await;
    let base = server.url();
    let token_url = format!("{base}/token");
    let key = DpopKey::new();
    let got = token_with_proof(&base, PUBLIC_PASSWORD, &key.proof("POST", &token_url)).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    let refresh = got.body["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", "demo-public"),
        ("refresh_token", refresh.as_str()),
    ];
    let got = token_with_proof(&base, &form, &DpopKey::new().proof("POST", &token_url)).await;
    assert_eq!(got.status, 400);
    assert_eq!(got.body["error"], "invalid_grant", "{:?}", got.body);
    let got = post_form(&http(), &token_url, &form).await;
    assert_eq!(got.body["error"], "invalid_grant", "{:?}", got.body);
    // The refused attempts did not spend it.
    let got = token_with_proof(&base, &form, &key.proof("POST", &token_url)).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    assert_eq!(got.body["token_type"], "DPoP");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_dpop_nonce_the_token_endpoint_and_the_api_demand_the_servers_nonce() {
    let server = start(&["dpop-nonce"], false).await;
    let base = server.url();
    let token_url = format!("{base}/token");
    let key = DpopKey::new();

    let got = token_with_proof(&base, CLIENT_CREDENTIALS, &key.proof("POST", &token_url)).await;
    assert_eq!(got.status, 400);
    assert_eq!(got.body["error"], "use_dpop_nonce");
    let nonce = got.header("dpop-nonce").expect("DPoP-Nonce").to_string();
    let got = token_with_proof(
        &base,
        CLIENT_CREDENTIALS,
        &key.proof_for("POST", &token_url, Some("made-up"), None),
    )
    .await;
    assert_eq!(got.body["error"], "use_dpop_nonce", "{:?}", got.body);
    let nonce = got
        .header("dpop-nonce")
        .map(str::to_string)
        .unwrap_or(nonce);
    let got = token_with_proof(
        &base,
        CLIENT_CREDENTIALS,
        &key.proof_for("POST", &token_url, Some(&nonce), None),
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    assert_eq!(got.body["token_type"], "DPoP");
    let next = got
        .header("dpop-nonce")
        .expect("a fresh nonce with the tokens")
        .to_string();
    let access = got.body["access_token"]
        .as_str()
        .expect("token")
        .to_string();

    let me = format!("{base}/api/me");
    let authorization = format!("DPoP {access}");
    let got = api_with(
        &base,
        "/api/me",
        &authorization,
        Some(&key.proof_for("GET", &me, None, Some(&access))),
    )
    .await;
    assert_eq!(got.status, 401);
    let challenge = got.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.contains(r#"error="use_dpop_nonce""#),
        "{challenge}"
    );
    let api_nonce = got.header("dpop-nonce").expect("DPoP-Nonce").to_string();
    let got = api_with(
        &base,
        "/api/me",
        &authorization,
        Some(&key.proof_for("GET", &me, Some(&api_nonce), Some(&access))),
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    // The nonce of the token response is the previous one now: still good.
    let got = api_with(
        &base,
        "/api/me",
        &authorization,
        Some(&key.proof_for("GET", &me, Some(&next), Some(&access))),
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn with_dpop_ignored_the_server_issues_bearer_tokens() {
    let server = start(&["dpop-ignored"], false).await;
    let base = server.url();
    let key = DpopKey::new();
    let got = token_with_proof(
        &base,
        CLIENT_CREDENTIALS,
        &key.proof("POST", &format!("{base}/token")),
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    assert_eq!(got.body["token_type"], "Bearer");
    let access = got.body["access_token"].as_str().expect("token");
    assert!(payload(access)["cnf"].is_null());
    let got = api_with(&base, "/api/me", &format!("Bearer {access}"), None).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
}

/// Runs the browser part of an authorization code request (sign in as
/// alice, allow) and returns the code.
async fn authorization_code(base: &str, query: &[(&str, &str)]) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = http
        .get(format!("{base}/authorize"))
        .query(query)
        .send()
        .await
        .expect("authorize")
        .text()
        .await
        .expect("page");
    let request = page
        .split(r#"name="request" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no request id in {page}"))
        .to_string();
    let login = http
        .post(format!("{base}/authorize/login"))
        .form(&[
            ("request", request.as_str()),
            ("username", "alice"),
            ("password", "alice-password"),
        ])
        .send()
        .await
        .expect("login");
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_string();
    let consent = http
        .post(format!("{base}/authorize/consent"))
        .header("Cookie", cookie)
        .form(&[("request", request.as_str()), ("decision", "allow")])
        .send()
        .await
        .expect("consent");
    let location = consent
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("redirect")
        .to_string();
    url::Url::parse(&location)
        .expect("URL")
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no code in {location}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn dpop_jkt_binds_the_authorization_code_to_the_key() {
    let server = start(&[], false).await;
    let base = server.url();
    let token_url = format!("{base}/token");
    let key = DpopKey::new();
    let jkt = key.jkt();
    let redirect = "http://127.0.0.1:9/callback";
    let code = authorization_code(
        &base,
        &[
            ("response_type", "code"),
            ("client_id", "demo-client"),
            ("redirect_uri", redirect),
            ("dpop_jkt", jkt.as_str()),
        ],
    )
    .await;
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", "demo-client"),
        ("client_secret", "demo-secret"),
        ("code", code.as_str()),
        ("redirect_uri", redirect),
    ];
    let got = token_with_proof(&base, &form, &DpopKey::new().proof("POST", &token_url)).await;
    assert_eq!(got.body["error"], "invalid_grant", "{:?}", got.body);
    assert!(
        got.description().contains("dpop_jkt"),
        "{}",
        got.description()
    );
    let got = post_form(&http(), &token_url, &form).await;
    assert_eq!(got.body["error"], "invalid_grant", "{:?}", got.body);
    let got = token_with_proof(&base, &form, &key.proof("POST", &token_url)).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    assert_eq!(
        payload(got.body["access_token"].as_str().expect("token"))["cnf"]["jkt"],
        jkt.as_str()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_lists_the_dpop_algorithms() {
    let server = start(&[], false).await;
    let doc =
        answer(http().get(format!("{}/.well-known/openid-configuration", server.url()))).await;
    assert_eq!(
        doc.body["dpop_signing_alg_values_supported"],
        json!(["ES256", "RS256", "PS256", "EdDSA"])
    );
}

// ---- Mutual TLS (RFC 8705) ----

const MTLS_CERT: &str = include_str!("../../assets/demo-keys/demo-mtls-client.pem");
const MTLS_KEY: &str = include_str!("../../assets/demo-keys/demo-mtls-client.key");

/// A client that trusts the server's self-signed certificate and presents
/// `identity` (certificate and PKCS#8 key, PEM) when given.
fn tls_http(server: &DemoServer, identity: Option<(&str, &str)>) -> reqwest::Client {
    let root = reqwest::Certificate::from_pem(server.certificate_pem().expect("PEM").as_bytes())
        .expect("root");
    let mut builder = reqwest::Client::builder().add_root_certificate(root);
    if let Some((cert, key)) = identity {
        let pem = format!("{cert}\n{key}");
        builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).expect("identity"));
    }
    builder.build().expect("client")
}

fn to_pem(tag: &str, der: &[u8]) -> String {
    pem::encode(&pem::Pem::new(tag, der.to_vec()))
}

/// base64url(SHA-256(DER)) of a PEM certificate.
fn x5t_s256(cert_pem: &str) -> String {
    sha256_b64(pem::parse(cert_pem).expect("PEM").contents())
}

const MTLS_CLIENT_CREDENTIALS: &[(&str, &str)] = &[
    ("grant_type", "client_credentials"),
    ("client_id", "demo-mtls"),
];

#[tokio::test(flavor = "multi_thread")]
async fn tls_client_auth_with_the_shipped_certificate_gets_a_certificate_bound_token() {
    let server = start(&[], true).await;
    let base = server.url();
    let with_cert = tls_http(&server, Some((MTLS_CERT, MTLS_KEY)));
    let without_cert = tls_http(&server, None);

    let doc = answer(with_cert.get(format!("{base}/.well-known/openid-configuration"))).await;
    assert_eq!(doc.body["tls_client_certificate_bound_access_tokens"], true);
    assert_eq!(
        doc.body["mtls_endpoint_aliases"]["token_endpoint"],
        format!("{base}/mtls/token")
    );
    let methods = doc.body["token_endpoint_auth_methods_supported"]
        .as_array()
        .expect("methods");
    for method in ["tls_client_auth", "self_signed_tls_client_auth"] {
        assert!(methods.iter().any(|m| m == method), "{method}");
    }

    for path in ["/mtls/token", "/token"] {
        let got = post_form(
            &with_cert,
            &format!("{base}{path}"),
            MTLS_CLIENT_CREDENTIALS,
        )
        .await;
        assert_eq!(got.status, 200, "{path}: {:?}", got.body);
        let access = got.body["access_token"]
            .as_str()
            .expect("token")
            .to_string();
        assert_eq!(payload(&access)["client_id"], "demo-mtls");
        assert_eq!(
            payload(&access)["cnf"]["x5t#S256"],
            x5t_s256(MTLS_CERT).as_str()
        );

        // The API takes it on a connection with the certificate only.
        let got = answer(with_cert.get(format!("{base}/api/me")).bearer_auth(&access)).await;
        assert_eq!(got.status, 200, "{:?}", got.body);
        let got = answer(
            without_cert
                .get(format!("{base}/api/me"))
                .bearer_auth(&access),
        )
        .await;
        assert_eq!(got.status, 401);
        let challenge = got.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.contains(r#"error="invalid_token""#),
            "{challenge}"
        );
        assert!(challenge.contains("certificate"), "{challenge}");
    }

    // Introspection shows the binding; the alias works for it too.
    let got = post_form(
        &with_cert,
        &format!("{base}/mtls/token"),
        MTLS_CLIENT_CREDENTIALS,
    )
    .await;
    let access = got.body["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let seen = answer(
        without_cert
            .post(format!("{base}/mtls/introspect"))
            .basic_auth("demo-client", Some("demo-secret"))
            .form(&[("token", access.as_str())]),
    )
    .await;
    assert_eq!(
        seen.body["cnf"]["x5t#S256"],
        x5t_s256(MTLS_CERT).as_str(),
        "{:?}",
        seen.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_client_auth_refuses_no_certificate_and_one_the_demo_ca_did_not_issue() {
    let server = start(&[], true).await;
    let base = server.url();
    let got = post_form(
        &tls_http(&server, None),
        &format!("{base}/mtls/token"),
        MTLS_CLIENT_CREDENTIALS,
    )
    .await;
    assert_invalid_client(&got, "tls_client_auth");

    // Self-signed, with the right CN: not from the demo CA.
    let key = rcgen::KeyPair::generate().expect("key");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "demo-mtls");
    let cert = params.self_signed(&key).expect("cert");
    let (cert_pem, key_pem) = (
        to_pem("CERTIFICATE", cert.der()),
        to_pem("PRIVATE KEY", &key.serialize_der()),
    );
    let http = tls_http(&server, Some((&cert_pem, &key_pem)));
    let got = post_form(
        &http,
        &format!("{base}/mtls/token"),
        MTLS_CLIENT_CREDENTIALS,
    )
    .await;
    assert_invalid_client(&got, "demo CA");
}

#[tokio::test(flavor = "multi_thread")]
async fn self_signed_tls_client_auth_matches_a_registered_x5c_certificate() {
    use base64::Engine as _;
    let server = start(&[], true).await;
    let base = server.url();
    let made = rcgen::generate_simple_self_signed(vec!["demo-readonly".to_string()]).expect("cert");
    let point = made.signing_key.public_key_raw().to_vec();
    let b64url = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let jwks = json!({ "keys": [{
        "kty": "EC", "crv": "P-256", "x": b64url(&point[1..33]), "y": b64url(&point[33..]),
        "x5c": [base64::engine::general_purpose::STANDARD.encode(made.cert.der())],
    }]});
    let no_cert = tls_http(&server, None);
    let registered = answer(
        no_cert
            .post(format!("{base}/admin/clients/demo-readonly/jwks"))
            .body(jwks.to_string()),
    )
    .await;
    assert_eq!(registered.status, 200, "{:?}", registered.body);

    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "demo-readonly"),
    ];
    let (cert_pem, key_pem) = (
        to_pem("CERTIFICATE", made.cert.der()),
        to_pem("PRIVATE KEY", &made.signing_key.serialize_der()),
    );
    let got = post_form(
        &tls_http(&server, Some((&cert_pem, &key_pem))),
        &format!("{base}/token"),
        &form,
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    let access = got.body["access_token"].as_str().expect("token");
    assert_eq!(
        payload(access)["cnf"]["x5t#S256"],
        x5t_s256(&cert_pem).as_str()
    );

    let got = post_form(
        &tls_http(&server, Some((MTLS_CERT, MTLS_KEY))),
        &format!("{base}/token"),
        &form,
    )
    .await;
    assert_invalid_client(&got, "none of the certificates");
    let got = post_form(&no_cert, &format!("{base}/token"), &form).await;
    assert_invalid_client(&got, "self_signed_tls_client_auth");
    // Its secret still works, without a binding.
    let got = answer(
        no_cert
            .post(format!("{base}/token"))
            .basic_auth("demo-readonly", Some("readonly-secret"))
            .form(&[("grant_type", "client_credentials")]),
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    assert!(payload(got.body["access_token"].as_str().expect("token"))["cnf"].is_null());
}

#[tokio::test(flavor = "multi_thread")]
async fn with_certificate_bound_any_client_presenting_a_certificate_gets_a_bound_token() {
    for (faults, bound) in [(&[][..], false), (&["certificate-bound"][..], true)] {
        let server = start(faults, true).await;
        let base = server.url();
        let with_cert = tls_http(&server, Some((MTLS_CERT, MTLS_KEY)));
        let got = post_form(&with_cert, &format!("{base}/token"), CLIENT_CREDENTIALS).await;
        assert_eq!(got.status, 200, "{:?}", got.body);
        let access = got.body["access_token"].as_str().expect("token");
        assert_eq!(
            payload(access)["cnf"]["x5t#S256"].is_string(),
            bound,
            "{faults:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_jwt_runs_the_authorization_code_grant_with_its_assertion() {
    let server = start(&[], false).await;
    let base = server.url();
    let token_url = format!("{base}/token");
    let redirect = "http://127.0.0.1:9/callback";
    // A confidential client: no PKCE needed.
    let code = authorization_code(
        &base,
        &[
            ("response_type", "code"),
            ("client_id", "demo-jwt"),
            ("redirect_uri", redirect),
            ("scope", "openid read"),
        ],
    )
    .await;
    let assertion = demo_jwt_assertion(&assertion_claims("demo-jwt", &token_url));
    let got = post_form(
        &http(),
        &token_url,
        &[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", assertion.as_str()),
        ],
    )
    .await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    assert!(got.body["id_token"].is_string());
    assert!(got.body["refresh_token"].is_string());
}
