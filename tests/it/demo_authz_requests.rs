//! The demo provider's server side of hardened authorization requests:
//! pushed authorization requests (RFC 9126), request objects (RFC 9101),
//! the `iss` authorization response parameter (RFC 9207), the Form Post
//! Response Mode and JARM. Every request is built here by hand — JWTs signed
//! with jsonwebtoken and p256 directly, sent with reqwest without following
//! redirects — not by the engine, so the server is checked against the
//! specifications and not against the client.

use std::sync::{Arc, Mutex};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use oauth_debugger::demo::user_agent::{self, Person};
use oauth_debugger::demo::{DemoConfig, DemoServer, Faults};
use serde_json::{Value, json};

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const DEMO_JWT_KEY: &str = include_str!("../../assets/demo-keys/demo-jwt-es256.pem");
const URN: &str = "urn:ietf:params:oauth:request_uri:";
/// Registered for every seeded client without a port: any port matches.
/// Nothing listens on port 9, so a browser's visit ends at the redirect.
const REDIRECT: &str = "http://127.0.0.1:9/callback";
/// A PKCE code verifier and its S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K1uhbF1MWkbNZT9BOPPyq0uu5I";
const CHALLENGE: &str = "3Gt5zpR6HmcldTpGhBKMJ0u6cyNkGs5rn56wXICPMxE";

async fn start(faults: &[&str]) -> DemoServer {
    let mut switches = Faults::default();
    for name in faults {
        assert!(switches.switch_on(name), "fault {name}");
    }
    DemoServer::start(DemoConfig {
        port: 0,
        faults: switches,
        ..DemoConfig::default()
    })
    .await
    .expect("demo provider")
}

/// A client that does not follow redirects: what the server answers is
/// what the test sees.
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A response: status, headers and the body as text and JSON.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
    body: Value,
}

impl Answer {
    fn location(&self) -> url::Url {
        let location = self
            .headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no Location ({}): {}", self.status, self.text));
        url::Url::parse(location).expect("absolute Location")
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
        text,
    }
}

/// `GET /authorize` with `query`.
async fn authorize(base: &str, query: &[(&str, &str)]) -> Answer {
    answer(http().get(format!("{base}/authorize")).query(query)).await
}

/// `POST /par` with `form`, authenticated as `demo-client` with HTTP Basic.
async fn push(base: &str, form: &[(&str, &str)]) -> Answer {
    answer(
        http()
            .post(format!("{base}/par"))
            .basic_auth("demo-client", Some("demo-secret"))
            .form(form),
    )
    .await
}

/// The parameters of a redirect's query, or of its fragment.
fn pairs(url: &url::Url, fragment: bool) -> Vec<(String, String)> {
    let text = if fragment {
        url.fragment().unwrap_or_default()
    } else {
        url.query().unwrap_or_default()
    };
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
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

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWS with exactly this header JSON.
fn sign_raw(header: &Value, claims: &Value, key: &EncodingKey, alg: Algorithm) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).expect("sign");
    format!("{input}.{signature}")
}

/// The header and payload of a JWT, unverified.
fn decode_parts(jwt: &str) -> (Value, Value) {
    use base64::Engine as _;
    let part = |i: usize| -> Value {
        let text = jwt.split('.').nth(i).expect("JWT part");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .expect("base64url");
        serde_json::from_slice(&bytes).expect("JSON")
    };
    (part(0), part(1))
}

fn demo_jwt_key() -> EncodingKey {
    EncodingKey::from_ec_pem(DEMO_JWT_KEY.as_bytes()).expect("shipped key")
}

/// A fresh P-256 key: for signing and as a public JWK.
struct P256 {
    encoding: EncodingKey,
    jwk: Value,
}

fn p256_key() -> P256 {
    use p256::pkcs8::EncodePrivateKey;
    let secret = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
    let der = secret.to_pkcs8_der().expect("PKCS#8");
    let point = secret.verifying_key().to_encoded_point(false);
    P256 {
        encoding: EncodingKey::from_ec_der(der.as_bytes()),
        jwk: json!({
            "kty": "EC", "crv": "P-256",
            "x": b64(point.x().expect("x")), "y": b64(point.y().expect("y")),
        }),
    }
}

/// A client assertion by `demo-jwt` for `aud`, signed with its shipped key.
fn demo_jwt_assertion(aud: &str) -> String {
    let claims = json!({
        "iss": "demo-jwt", "sub": "demo-jwt", "aud": aud,
        "iat": now(), "exp": now() + 120, "jti": random_jti(),
    });
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("demo-jwt-1".into());
    jsonwebtoken::encode(&header, &claims, &demo_jwt_key()).expect("sign")
}

/// The claims of a good request object by `client_id` for `issuer`.
fn request_claims(client_id: &str, issuer: &str) -> Value {
    json!({
        "iss": client_id,
        "aud": issuer,
        "client_id": client_id,
        "iat": now(),
        "nbf": now(),
        "exp": now() + 300,
        "jti": random_jti(),
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": "read write",
        "state": "inner-state",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    })
}

/// A request object signed with `demo-jwt`'s shipped key.
fn demo_jwt_request(claims: &Value) -> String {
    let header = json!({ "alg": "ES256", "kid": "demo-jwt-1", "typ": "oauth-authz-req+jwt" });
    sign_raw(&header, claims, &demo_jwt_key(), Algorithm::ES256)
}

/// The login page's request id.
fn request_id(page: &str) -> String {
    page.split(r#"name="request" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no login form in {page}"))
        .to_string()
}

/// Signs in as alice and allows, from the login page `page`; answers with
/// the consent's response (the authorization response).
async fn sign_in_and_allow(base: &str, page: &str) -> Answer {
    let http = http();
    let request = request_id(page);
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
    answer(
        http.post(format!("{base}/authorize/consent"))
            .header("Cookie", cookie)
            .form(&[("request", request.as_str()), ("decision", "allow")]),
    )
    .await
}

/// The whole authorization request `query`: login page, sign in, allow.
async fn authorize_and_allow(base: &str, query: &[(&str, &str)]) -> Answer {
    let page = authorize(base, query).await;
    assert_eq!(page.status, 200, "{}", page.text);
    sign_in_and_allow(base, &page.text).await
}

/// Exchanges `code` for tokens as `demo-client`.
async fn exchange(base: &str, code: &str) -> Answer {
    answer(
        http()
            .post(format!("{base}/token"))
            .basic_auth("demo-client", Some("demo-secret"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ]),
    )
    .await
}

async fn discovery(base: &str) -> Value {
    answer(http().get(format!("{base}/.well-known/openid-configuration")))
        .await
        .body
}

/// The pushed parameters of a good code request by `demo-client`.
fn pushed_code_request<'a>() -> Vec<(&'a str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", "demo-client"),
        ("redirect_uri", REDIRECT),
        ("scope", "read write"),
        ("state", "pushed-state"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

// ---- PAR (RFC 9126) ----

#[tokio::test(flavor = "multi_thread")]
async fn a_pushed_request_is_used_once_and_its_parameters_win() {
    let server = start(&[]).await;
    let base = server.url();
    let pushed = push(&base, &pushed_code_request()).await;
    assert_eq!(pushed.status, 201, "{}", pushed.text);
    assert_eq!(
        pushed.headers.get("cache-control").map(|v| v.as_bytes()),
        Some(&b"no-store"[..])
    );
    assert_eq!(pushed.body["expires_in"], 60);
    let request_uri = pushed.body["request_uri"].as_str().expect("request_uri");
    assert!(request_uri.starts_with(URN), "{request_uri}");
    assert!(request_uri.len() > URN.len() + 20, "{request_uri}");

    // Parameters beside client_id and request_uri are ignored.
    let query = [
        ("client_id", "demo-client"),
        ("request_uri", request_uri),
        ("state", "outer-state"),
        ("scope", "no-such-scope"),
        ("redirect_uri", "https://evil.example/cb"),
    ];
    let done = authorize_and_allow(&base, &query).await;
    let back = done.location();
    assert!(back.as_str().starts_with(REDIRECT), "{back}");
    let fields = pairs(&back, false);
    assert_eq!(field(&fields, "state"), Some("pushed-state"));
    let code = field(&fields, "code").expect("code");
    let tokens = exchange(&base, code).await;
    assert_eq!(tokens.status, 200, "{}", tokens.text);
    assert_eq!(tokens.body["scope"], "read write");

    // One use only.
    let again = authorize(&base, &query[..2]).await;
    assert_eq!(again.status, 400);
    assert!(again.text.contains("already used"), "{}", again.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_request_uris_and_other_clients_get_an_error_page() {
    let server = start(&[]).await;
    let base = server.url();
    let unknown = authorize(
        &base,
        &[
            ("client_id", "demo-client"),
            ("request_uri", &format!("{URN}nothing-pushed")),
        ],
    )
    .await;
    assert_eq!(unknown.status, 400);
    assert!(unknown.headers.get("location").is_none());
    assert!(unknown.text.contains("unknown"), "{}", unknown.text);

    let pushed = push(&base, &pushed_code_request()).await;
    let request_uri = pushed.body["request_uri"].as_str().expect("request_uri");
    let other = authorize(
        &base,
        &[("client_id", "demo-public"), ("request_uri", request_uri)],
    )
    .await;
    assert_eq!(other.status, 400);
    assert!(other.text.contains("another client"), "{}", other.text);
    let without_client = authorize(&base, &[("request_uri", request_uri)]).await;
    assert_eq!(without_client.status, 400);
    assert!(
        without_client.text.contains("no client_id"),
        "{}",
        without_client.text
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_par_endpoint_authenticates_the_client_as_the_token_endpoint_does() {
    let server = start(&[]).await;
    let base = server.url();
    let par = format!("{base}/par");
    let request = pushed_code_request();

    let anonymous = answer(http().post(&par).form(&request)).await;
    assert_eq!(
        anonymous.body["error"], "invalid_client",
        "{}",
        anonymous.text
    );
    let wrong = answer(
        http()
            .post(&par)
            .basic_auth("demo-client", Some("wrong"))
            .form(&request),
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.body["error"], "invalid_client");

    let mut posted: Vec<(&str, &str)> = request.clone();
    posted.push(("client_secret", "demo-secret"));
    let secret_post = answer(http().post(&par).form(&posted)).await;
    assert_eq!(secret_post.status, 201, "{}", secret_post.text);

    // private_key_jwt, aud the issuer or the PAR endpoint's URL.
    for aud in [base.clone(), par.clone()] {
        let assertion = demo_jwt_assertion(&aud);
        let form = [
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("state", "s"),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", assertion.as_str()),
        ];
        let got = answer(http().post(&par).form(&form)).await;
        assert_eq!(got.status, 201, "aud {aud}: {}", got.text);
    }
    let assertion = demo_jwt_assertion("https://elsewhere.example");
    let form = [
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", assertion.as_str()),
    ];
    let refused = answer(http().post(&par).form(&form)).await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert_eq!(refused.body["error"], "invalid_client");
}

#[tokio::test(flavor = "multi_thread")]
async fn pushed_requests_are_checked_as_the_authorization_endpoint_checks_them() {
    let server = start(&[]).await;
    let base = server.url();
    let with = |name: &'static str, value: &'static str| {
        let mut request = pushed_code_request();
        request.retain(|(k, _)| *k != name);
        request.push((name, value));
        request
    };
    let cases = [
        (
            with("request_uri", "urn:ietf:params:oauth:request_uri:x"),
            "invalid_request",
            "request_uri",
        ),
        (
            with("scope", "no-such-scope"),
            "invalid_scope",
            "no-such-scope",
        ),
        (
            with("redirect_uri", "https://evil.example/cb"),
            "invalid_request",
            "not registered",
        ),
        (
            with("response_type", "nonsense"),
            "unsupported_response_type",
            "nonsense",
        ),
        (
            with("code_challenge_method", "S512"),
            "invalid_request",
            "code_challenge_method",
        ),
        (
            with("response_mode", "nonsense"),
            "invalid_request",
            "response_mode",
        ),
    ];
    for (request, error, phrase) in cases {
        let got = push(&base, &request).await;
        assert_eq!(got.status, 400, "{request:?}: {}", got.text);
        assert_eq!(got.body["error"], error, "{request:?}: {}", got.text);
        assert!(
            got.description().contains(phrase),
            "'{phrase}' in {}",
            got.description()
        );
    }
    // A public client must use PKCE there too.
    let public = answer(http().post(format!("{base}/par")).form(&[
        ("client_id", "demo-public"),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
    ]))
    .await;
    assert_eq!(public.status, 400, "{}", public.text);
    assert!(public.description().contains("PKCE"), "{}", public.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dpop_proof_at_the_par_endpoint_binds_the_code() {
    let server = start(&[]).await;
    let base = server.url();
    let par = format!("{base}/par");
    let key = p256_key();
    let proof = |htu: &str| {
        let header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": key.jwk });
        let claims = json!({ "htm": "POST", "htu": htu, "iat": now(), "jti": random_jti() });
        sign_raw(&header, &claims, &key.encoding, Algorithm::ES256)
    };
    let wrong_htu = answer(
        http()
            .post(&par)
            .basic_auth("demo-client", Some("demo-secret"))
            .header("DPoP", proof(&format!("{base}/token")))
            .form(&pushed_code_request()),
    )
    .await;
    assert_eq!(wrong_htu.status, 400);
    assert_eq!(wrong_htu.body["error"], "invalid_dpop_proof");

    let pushed = answer(
        http()
            .post(&par)
            .basic_auth("demo-client", Some("demo-secret"))
            .header("DPoP", proof(&par))
            .form(&pushed_code_request()),
    )
    .await;
    assert_eq!(pushed.status, 201, "{}", pushed.text);
    let request_uri = pushed.body["request_uri"].as_str().expect("request_uri");
    let done = authorize_and_allow(
        &base,
        &[("client_id", "demo-client"), ("request_uri", request_uri)],
    )
    .await;
    let code = field(&pairs(&done.location(), false), "code")
        .expect("code")
        .to_string();
    // The code is bound to the proof's key: no proof, no tokens.
    let refused = exchange(&base, &code).await;
    assert_eq!(refused.body["error"], "invalid_grant", "{}", refused.text);
    assert!(refused.description().contains("DPoP"), "{}", refused.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn par_required_refuses_requests_that_were_not_pushed() {
    let server = start(&["par-required"]).await;
    let base = server.url();
    let meta = discovery(&base).await;
    assert_eq!(meta["require_pushed_authorization_requests"], true);
    let plain = authorize(
        &base,
        &[
            ("response_type", "code"),
            ("client_id", "demo-client"),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(plain.status, 400);
    assert!(plain.headers.get("location").is_none());
    assert!(
        plain
            .text
            .contains("requires pushed authorization requests"),
        "{}",
        plain.text
    );
    let pushed = push(&base, &pushed_code_request()).await;
    let request_uri = pushed.body["request_uri"].as_str().expect("request_uri");
    let page = authorize(
        &base,
        &[("client_id", "demo-client"), ("request_uri", request_uri)],
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("name=\"password\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_lists_par_jar_iss_and_the_response_modes() {
    let server = start(&[]).await;
    let base = server.url();
    let meta = discovery(&base).await;
    assert_eq!(
        meta["pushed_authorization_request_endpoint"],
        format!("{base}/par")
    );
    assert_eq!(meta["require_pushed_authorization_requests"], false);
    assert_eq!(meta["request_parameter_supported"], true);
    assert_eq!(meta["request_uri_parameter_supported"], false);
    let algs = meta["request_object_signing_alg_values_supported"]
        .as_array()
        .expect("algs");
    for alg in ["RS256", "ES256", "HS256"] {
        assert!(algs.contains(&json!(alg)), "{alg}");
    }
    assert!(!algs.contains(&json!("none")));
    assert_eq!(meta["authorization_response_iss_parameter_supported"], true);
    assert_eq!(
        meta["response_modes_supported"],
        json!([
            "query",
            "fragment",
            "form_post",
            "jwt",
            "query.jwt",
            "fragment.jwt",
            "form_post.jwt"
        ])
    );
    assert_eq!(
        meta["authorization_signing_alg_values_supported"],
        json!(["RS256", "ES256"])
    );
}

// ---- JAR (RFC 9101) ----

#[tokio::test(flavor = "multi_thread")]
async fn a_request_object_by_value_replaces_the_other_parameters() {
    let server = start(&[]).await;
    let base = server.url();
    let object = demo_jwt_request(&request_claims("demo-jwt", &base));
    let page = authorize(
        &base,
        &[
            ("client_id", "demo-jwt"),
            ("request", &object),
            // Outside the object: ignored (RFC 9101 §6.3).
            ("state", "outer-state"),
            ("scope", "no-such-scope"),
            ("response_type", "token"),
        ],
    )
    .await;
    // The outer scope would have been refused: the object's counts.
    assert_eq!(page.status, 200, "{}", page.text);
    let done = sign_in_and_allow(&base, &page.text).await;
    let fields = pairs(&done.location(), false);
    assert_eq!(field(&fields, "state"), Some("inner-state"));
    assert!(field(&fields, "code").is_some(), "{fields:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_object_may_be_an_hmac_with_the_client_secret() {
    let server = start(&[]).await;
    let base = server.url();
    let claims = request_claims("demo-client", &base);
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let header = json!({ "alg": format!("{alg:?}"), "typ": "oauth-authz-req+jwt" });
        let object = sign_raw(
            &header,
            &claims,
            &EncodingKey::from_secret(b"demo-secret"),
            alg,
        );
        let done = authorize_and_allow(
            &base,
            &[
                ("client_id", "demo-client"),
                ("request", &object),
                ("scope", "openid"),
            ],
        )
        .await;
        let fields = pairs(&done.location(), false);
        let code = field(&fields, "code").expect("code");
        let tokens = exchange(&base, code).await;
        assert_eq!(
            tokens.body["scope"], "read write",
            "{alg:?}: {}",
            tokens.text
        );
        let wrong = sign_raw(&header, &claims, &EncodingKey::from_secret(b"wrong"), alg);
        let refused = authorize(&base, &[("client_id", "demo-client"), ("request", &wrong)]).await;
        let fields = pairs(&refused.location(), false);
        assert_eq!(field(&fields, "error"), Some("invalid_request_object"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_request_objects_are_refused_on_the_redirect_saying_why() {
    let server = start(&[]).await;
    let base = server.url();
    let good = request_claims("demo-jwt", &base);
    let with = |name: &str, value: Value| {
        let mut claims = good.clone();
        claims[name] = value;
        claims
    };
    let without = |name: &str| {
        let mut claims = good.clone();
        claims.as_object_mut().expect("object").remove(name);
        claims
    };
    let other_key = p256_key();
    let es256 = |typ: Option<&str>, claims: &Value, key: &EncodingKey| {
        let mut header = json!({ "alg": "ES256", "kid": "demo-jwt-1" });
        if let Some(typ) = typ {
            header["typ"] = json!(typ);
        }
        sign_raw(&header, claims, key, Algorithm::ES256)
    };
    let typ = Some("oauth-authz-req+jwt");
    let unsigned = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"oauth-authz-req+jwt"}"#),
        b64(good.to_string().as_bytes())
    );
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "bad signature",
            es256(typ, &good, &other_key.encoding),
            "does not verify",
        ),
        (
            "wrong aud",
            demo_jwt_request(&with("aud", json!("https://elsewhere.example"))),
            "aud",
        ),
        ("no aud", demo_jwt_request(&without("aud")), "no aud"),
        (
            "wrong iss",
            demo_jwt_request(&with("iss", json!("demo-client"))),
            "iss",
        ),
        ("no iss", demo_jwt_request(&without("iss")), "no iss"),
        (
            "expired",
            demo_jwt_request(&with("exp", json!(now() - 600))),
            "expired",
        ),
        ("no exp", demo_jwt_request(&without("exp")), "no exp"),
        (
            "nbf too old",
            demo_jwt_request(&with("nbf", json!(now() - 2 * 3600))),
            "nbf",
        ),
        (
            "nbf in the future",
            demo_jwt_request(&with("nbf", json!(now() + 600))),
            "nbf",
        ),
        ("alg none", unsigned, "alg none"),
        (
            "wrong typ",
            es256(Some("JWT"), &good, &demo_jwt_key()),
            "typ",
        ),
        (
            "client_id mismatch",
            demo_jwt_request(&with("client_id", json!("demo-client"))),
            "client_id",
        ),
        (
            "nested request_uri",
            demo_jwt_request(&with("request_uri", json!(format!("{URN}x")))),
            "request_uri",
        ),
    ];
    for (what, object, phrase) in cases {
        let refused = authorize(
            &base,
            &[
                ("client_id", "demo-jwt"),
                ("request", &object),
                ("state", "outer-state"),
            ],
        )
        .await;
        assert_eq!(refused.status, 302, "{what}: {}", refused.text);
        let back = refused.location();
        assert!(back.as_str().starts_with(REDIRECT), "{what}: {back}");
        let fields = pairs(&back, false);
        assert_eq!(
            field(&fields, "error"),
            Some("invalid_request_object"),
            "{what}: {fields:?}"
        );
        let description = field(&fields, "error_description").unwrap_or_default();
        assert!(
            description.contains(phrase),
            "{what}: '{phrase}' in {description}"
        );
        assert_eq!(field(&fields, "iss"), Some(base.as_str()), "{what}");
    }
    // Without a typ it is accepted.
    let page = authorize(
        &base,
        &[
            ("client_id", "demo-jwt"),
            ("request", &es256(None, &good, &demo_jwt_key())),
        ],
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_request_object_with_no_registered_redirect_uri_gets_an_error_page() {
    let server = start(&[]).await;
    let base = server.url();
    let mut claims = request_claims("demo-jwt", &base);
    claims["redirect_uri"] = json!("https://evil.example/cb");
    claims["aud"] = json!("https://elsewhere.example");
    let refused = authorize(
        &base,
        &[
            ("client_id", "demo-jwt"),
            ("request", &demo_jwt_request(&claims)),
        ],
    )
    .await;
    assert_eq!(refused.status, 400);
    assert!(refused.headers.get("location").is_none());
    assert!(refused.text.contains("aud"), "{}", refused.text);
    // No client_id outside the object: a page too.
    let no_client = authorize(
        &base,
        &[(
            "request",
            &demo_jwt_request(&request_claims("demo-jwt", &base)),
        )],
    )
    .await;
    assert_eq!(no_client.status, 400);
    assert!(no_client.text.contains("client_id"), "{}", no_client.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_uri_that_was_not_pushed_is_not_supported() {
    let server = start(&[]).await;
    let base = server.url();
    let refused = authorize(
        &base,
        &[
            ("client_id", "demo-client"),
            ("redirect_uri", REDIRECT),
            ("state", "s"),
            ("request_uri", "https://client.example/request.jwt"),
        ],
    )
    .await;
    let fields = pairs(&refused.location(), false);
    assert_eq!(field(&fields, "error"), Some("request_uri_not_supported"));
    assert_eq!(field(&fields, "state"), Some("s"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_object_can_be_pushed() {
    let server = start(&[]).await;
    let base = server.url();
    let par = format!("{base}/par");
    let push_object = |object: String| {
        let assertion = demo_jwt_assertion(&par);
        let form = vec![
            ("client_id".to_string(), "demo-jwt".to_string()),
            ("request".to_string(), object),
            (
                "client_assertion_type".to_string(),
                ASSERTION_TYPE.to_string(),
            ),
            ("client_assertion".to_string(), assertion),
        ];
        answer(http().post(&par).form(&form))
    };
    let pushed = push_object(demo_jwt_request(&request_claims("demo-jwt", &base))).await;
    assert_eq!(pushed.status, 201, "{}", pushed.text);
    let request_uri = pushed.body["request_uri"].as_str().expect("request_uri");
    let page = authorize(
        &base,
        &[("client_id", "demo-jwt"), ("request_uri", request_uri)],
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let done = sign_in_and_allow(&base, &page.text).await;
    let fields = pairs(&done.location(), false);
    assert_eq!(field(&fields, "state"), Some("inner-state"));

    let mut expired = request_claims("demo-jwt", &base);
    expired["exp"] = json!(now() - 600);
    let refused = push_object(demo_jwt_request(&expired)).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["error"], "invalid_request_object");
    assert!(
        refused.description().contains("expired"),
        "{}",
        refused.text
    );
}

// ---- iss (RFC 9207) ----

/// An error response without signing in: an unknown scope.
async fn error_response(base: &str, extra: &[(&str, &str)]) -> Answer {
    let mut query = vec![
        ("response_type", "code"),
        ("client_id", "demo-client"),
        ("redirect_uri", REDIRECT),
        ("state", "s"),
        ("scope", "no-such-scope"),
    ];
    query.extend_from_slice(extra);
    authorize(base, &query).await
}

fn code_query<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut query = vec![
        ("response_type", "code"),
        ("client_id", "demo-client"),
        ("redirect_uri", REDIRECT),
        ("state", "s"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    query.extend_from_slice(extra);
    query
}

#[tokio::test(flavor = "multi_thread")]
async fn every_authorization_response_says_who_answered() {
    let server = start(&[]).await;
    let base = server.url();
    let error = pairs(&error_response(&base, &[]).await.location(), false);
    assert_eq!(field(&error, "error"), Some("invalid_scope"));
    assert_eq!(field(&error, "iss"), Some(base.as_str()));
    let success = pairs(
        &authorize_and_allow(&base, &code_query(&[]))
            .await
            .location(),
        false,
    );
    assert!(field(&success, "code").is_some());
    assert_eq!(field(&success, "iss"), Some(base.as_str()));
    // The implicit grant: in the fragment.
    let implicit = authorize_and_allow(
        &base,
        &[
            ("response_type", "token"),
            ("client_id", "demo-client"),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    let fragment = pairs(&implicit.location(), true);
    assert!(field(&fragment, "access_token").is_some());
    assert_eq!(field(&fragment, "iss"), Some(base.as_str()));
}

#[tokio::test(flavor = "multi_thread")]
async fn iss_missing_leaves_iss_out_though_discovery_promises_it() {
    let server = start(&["iss-missing"]).await;
    let base = server.url();
    assert_eq!(
        discovery(&base).await["authorization_response_iss_parameter_supported"],
        true
    );
    let error = pairs(&error_response(&base, &[]).await.location(), false);
    assert_eq!(field(&error, "error"), Some("invalid_scope"));
    assert_eq!(field(&error, "iss"), None);
    let success = pairs(
        &authorize_and_allow(&base, &code_query(&[]))
            .await
            .location(),
        false,
    );
    assert!(field(&success, "code").is_some());
    assert_eq!(field(&success, "iss"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn iss_wrong_names_another_issuer() {
    let server = start(&["iss-wrong"]).await;
    let base = server.url();
    let error = pairs(&error_response(&base, &[]).await.location(), false);
    let iss = field(&error, "iss").expect("iss");
    assert_ne!(iss, base);
    assert!(iss.starts_with("https://"), "{iss}");
    let success = pairs(
        &authorize_and_allow(&base, &code_query(&[]))
            .await
            .location(),
        false,
    );
    assert!(field(&success, "code").is_some());
    assert_eq!(field(&success, "iss"), Some(iss));
}

// ---- form_post ----

/// The hidden fields of a form_post page, after checking its shape.
fn form_post_fields(page: &Answer, action: &str) -> Vec<(String, String)> {
    assert_eq!(page.status, 200, "{}", page.text);
    let content_type = page
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(
        page.text
            .contains(r#"<body onload="document.forms[0].submit()">"#),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains(&format!(r#"<form method="post" action="{action}">"#)),
        "{}",
        page.text
    );
    page.text
        .split(r#"<input type="hidden" name=""#)
        .skip(1)
        .map(|rest| {
            let (name, rest) = rest.split_once('"').expect("name");
            let value = rest
                .split_once(r#"value=""#)
                .and_then(|(_, v)| v.split_once('"'))
                .map(|(v, _)| v.replace("&amp;", "&"))
                .expect("value");
            (name.to_string(), value)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn form_post_answers_with_a_page_that_posts_itself() {
    let server = start(&[]).await;
    let base = server.url();
    let error = error_response(&base, &[("response_mode", "form_post")]).await;
    assert!(error.headers.get("location").is_none());
    let fields = form_post_fields(&error, REDIRECT);
    assert_eq!(field(&fields, "error"), Some("invalid_scope"));
    assert_eq!(field(&fields, "state"), Some("s"));
    assert_eq!(field(&fields, "iss"), Some(base.as_str()));

    let done = authorize_and_allow(&base, &code_query(&[("response_mode", "form_post")])).await;
    let fields = form_post_fields(&done, REDIRECT);
    let code = field(&fields, "code").expect("code");
    assert_eq!(field(&fields, "iss"), Some(base.as_str()));
    assert_eq!(exchange(&base, code).await.status, 200);
}

/// A callback listener that records the forms posted to it.
async fn callback_listener() -> (String, Arc<Mutex<Vec<Vec<(String, String)>>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let router = axum::Router::new().route(
        "/callback",
        axum::routing::post(move |body: String| {
            let log = log.clone();
            async move {
                let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
                    .into_owned()
                    .collect();
                log.lock().expect("lock").push(form);
                "received"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{addr}/callback"), seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scripted_browser_posts_a_form_post_page_to_the_client() {
    let server = start(&[]).await;
    let base = server.url();
    let (callback, seen) = callback_listener().await;
    let url = url::Url::parse_with_params(
        &format!("{base}/authorize"),
        &[
            ("response_type", "code"),
            ("client_id", "demo-client"),
            ("redirect_uri", callback.as_str()),
            ("state", "st"),
            ("response_mode", "form_post"),
        ],
    )
    .expect("URL");
    let visit = user_agent::visit(url.as_str(), &Person::default())
        .await
        .expect("visit");
    assert_eq!(visit.redirected_to.as_deref(), Some(callback.as_str()));
    assert_eq!(visit.status, 200);
    assert_eq!(visit.page, "received");
    let posted = visit.posted.expect("posted fields");
    assert!(field(&posted, "code").is_some(), "{posted:?}");
    assert_eq!(field(&posted, "state"), Some("st"));
    assert_eq!(field(&posted, "iss"), Some(base.as_str()));
    assert_eq!(seen.lock().expect("lock").as_slice(), &[posted]);
}

// ---- JARM ----

/// The demo's published key `kid`, as a decoding key.
async fn published_key(base: &str, kid: &str) -> DecodingKey {
    let jwks = answer(http().get(format!("{base}/jwks"))).await.body;
    let jwk = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap_or_else(|| panic!("no key {kid} in {jwks}"));
    let text = |name: &str| jwk[name].as_str().expect("member");
    match text("kty") {
        "RSA" => DecodingKey::from_rsa_components(text("n"), text("e")).expect("RSA key"),
        _ => DecodingKey::from_ec_components(text("x"), text("y")).expect("EC key"),
    }
}

/// Whether the JARM response verifies with the published key its header
/// names.
async fn verifies(base: &str, jwt: &str) -> bool {
    let (header, _) = decode_parts(jwt);
    let Some(kid) = header["kid"].as_str() else {
        return false;
    };
    let alg: Algorithm = header["alg"].as_str().expect("alg").parse().expect("alg");
    let key = published_key(base, kid).await;
    let (signed, signature) = jwt.rsplit_once('.').expect("JWS");
    jsonwebtoken::crypto::verify(signature, signed.as_bytes(), &key, alg).unwrap_or(false)
}

/// The `response` JWT of a JARM answer in `mode`, and the answer.
async fn jarm_error(base: &str, mode: &str) -> String {
    let got = error_response(base, &[("response_mode", mode)]).await;
    match mode {
        "form_post.jwt" => {
            let fields = form_post_fields(&got, REDIRECT);
            assert_eq!(fields.len(), 1, "{fields:?}");
            field(&fields, "response").expect("response").to_string()
        }
        _ => {
            let fragment = mode == "fragment.jwt";
            let fields = pairs(&got.location(), fragment);
            assert_eq!(fields.len(), 1, "only response: {fields:?}");
            field(&fields, "response").expect("response").to_string()
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn jarm_puts_the_response_in_one_signed_jwt_in_each_mode() {
    let server = start(&[]).await;
    let base = server.url();
    for mode in ["jwt", "query.jwt", "fragment.jwt", "form_post.jwt"] {
        let jwt = jarm_error(&base, mode).await;
        assert!(verifies(&base, &jwt).await, "{mode}");
        let (header, claims) = decode_parts(&jwt);
        assert_eq!(header["alg"], "RS256", "{mode}");
        assert_eq!(claims["iss"], base, "{mode}");
        assert_eq!(claims["aud"], "demo-client", "{mode}");
        let exp = claims["exp"].as_i64().expect("exp");
        assert!((now() + 540..=now() + 660).contains(&exp), "{mode}: {exp}");
        assert_eq!(claims["error"], "invalid_scope", "{mode}");
        assert_eq!(claims["state"], "s", "{mode}");
    }
    // A success, through sign-in.
    let done = authorize_and_allow(&base, &code_query(&[("response_mode", "jwt")])).await;
    let fields = pairs(&done.location(), false);
    assert_eq!(field(&fields, "iss"), None, "iss only inside the JWT");
    let jwt = field(&fields, "response").expect("response");
    assert!(verifies(&base, jwt).await);
    let (_, claims) = decode_parts(jwt);
    assert_eq!(claims["iss"], base);
    assert_eq!(claims["state"], "s");
    let code = claims["code"].as_str().expect("code");
    assert_eq!(exchange(&base, code).await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn jarm_is_signed_es256_for_a_client_registered_so() {
    let server = start(&[]).await;
    let base = server.url();
    let got = authorize(
        &base,
        &[
            ("response_type", "code"),
            ("client_id", "demo-es256"),
            ("redirect_uri", REDIRECT),
            ("scope", "no-such-scope"),
            ("response_mode", "jwt"),
        ],
    )
    .await;
    let jwt = field(&pairs(&got.location(), false), "response")
        .expect("response")
        .to_string();
    let (header, claims) = decode_parts(&jwt);
    assert_eq!(header["alg"], "ES256");
    assert_eq!(claims["aud"], "demo-es256");
    assert!(verifies(&base, &jwt).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_never_go_in_the_query() {
    let server = start(&[]).await;
    let base = server.url();
    for mode in ["query", "query.jwt"] {
        let got = authorize(
            &base,
            &[
                ("response_type", "token"),
                ("client_id", "demo-client"),
                ("redirect_uri", REDIRECT),
                ("response_mode", mode),
            ],
        )
        .await;
        let back = got.location();
        // Refused, in the fragment.
        let fields = pairs(&back, true);
        assert_eq!(field(&fields, "error"), Some("invalid_request"), "{mode}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_jarm_fault_produces_its_defect() {
    type Check = fn(&str, &Value, &Value) -> bool;
    let cases: [(&str, Check); 8] = [
        ("jarm-bad-signature", |_, _, _| true),
        ("jarm-wrong-aud", |_, _, c| {
            c["aud"].is_string() && c["aud"] != "demo-client"
        }),
        ("jarm-wrong-iss", |base, _, c| {
            c["iss"].is_string() && c["iss"] != base
        }),
        ("jarm-expired", |_, _, c| {
            c["exp"].as_i64().is_some_and(|exp| exp < now())
        }),
        ("jarm-no-exp", |_, _, c| c.get("exp").is_none()),
        ("jarm-no-iss", |_, _, c| c.get("iss").is_none()),
        ("jarm-no-aud", |_, _, c| c.get("aud").is_none()),
        ("jarm-alg-none", |_, h, _| h["alg"] == "none"),
    ];
    for (fault, defect) in cases {
        let server = start(&[fault]).await;
        let base = server.url();
        let jwt = jarm_error(&base, "query.jwt").await;
        let (header, claims) = decode_parts(&jwt);
        assert!(
            defect(&base, &header, &claims),
            "{fault}: {header} {claims}"
        );
        // Only the intended defect: the rest is as it should be.
        assert_eq!(claims["error"], "invalid_scope", "{fault}");
        assert_eq!(claims["state"], "s", "{fault}");
        for (claim, spoiled_by) in [
            ("iss", ["jarm-wrong-iss", "jarm-no-iss"]),
            ("aud", ["jarm-wrong-aud", "jarm-no-aud"]),
        ] {
            if !spoiled_by.contains(&fault) {
                let expected = if claim == "iss" {
                    json!(base)
                } else {
                    json!("demo-client")
                };
                assert_eq!(claims[claim], expected, "{fault}: {claim}");
            }
        }
        if !["jarm-expired", "jarm-no-exp"].contains(&fault) {
            assert!(
                claims["exp"].as_i64().is_some_and(|exp| exp > now()),
                "{fault}"
            );
        }
        match fault {
            "jarm-alg-none" => assert!(jwt.ends_with('.'), "{fault}: no signature"),
            "jarm-bad-signature" => assert!(!verifies(&base, &jwt).await, "{fault}"),
            _ => assert!(verifies(&base, &jwt).await, "{fault}"),
        }
    }
}

// ---- FAPI 2.0 ----

#[tokio::test(flavor = "multi_thread")]
async fn fapi2_discovery_says_what_remains_allowed() {
    let server = start(&["fapi2"]).await;
    let base = server.url();
    let meta = discovery(&base).await;
    assert_eq!(meta["require_pushed_authorization_requests"], true);
    assert_eq!(
        meta["token_endpoint_auth_methods_supported"],
        json!(["private_key_jwt"])
    );
    assert_eq!(meta["response_types_supported"], json!(["code"]));
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
    let grants = meta["grant_types_supported"].as_array().expect("grants");
    assert!(!grants.contains(&json!("password")));
    assert!(!grants.contains(&json!("implicit")));
    assert_eq!(meta["authorization_response_iss_parameter_supported"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn fapi2_takes_pushed_pkce_requests_by_private_key_jwt_clients_and_binds_the_tokens() {
    let server = start(&["fapi2"]).await;
    let base = server.url();
    let par = format!("{base}/par");
    let token = format!("{base}/token");

    // Not pushed: refused.
    let plain = authorize(&base, &code_query(&[])).await;
    assert_eq!(plain.status, 400);
    assert!(plain.text.contains("pushed authorization requests"));
    // A client secret is not enough.
    let secret = push(&base, &pushed_code_request()).await;
    assert_eq!(secret.status, 401, "{}", secret.text);
    assert_eq!(secret.body["error"], "invalid_client");
    assert!(secret.description().contains("FAPI 2.0"), "{}", secret.text);

    let push_jwt = |extra: Vec<(&'static str, &'static str)>| {
        let assertion = demo_jwt_assertion(&par);
        let mut form: Vec<(String, String)> = vec![
            ("response_type".into(), "code".into()),
            ("redirect_uri".into(), REDIRECT.into()),
            ("state".into(), "s".into()),
            ("client_assertion_type".into(), ASSERTION_TYPE.into()),
            ("client_assertion".into(), assertion),
        ];
        for (name, value) in extra {
            form.retain(|(k, _)| k != name);
            form.push((name.into(), value.into()));
        }
        answer(http().post(&par).form(&form))
    };
    // PKCE S256 is required.
    let no_pkce = push_jwt(vec![]).await;
    assert_eq!(no_pkce.status, 400, "{}", no_pkce.text);
    assert!(no_pkce.description().contains("S256"), "{}", no_pkce.text);
    let plain_pkce = push_jwt(vec![
        ("code_challenge", VERIFIER),
        ("code_challenge_method", "plain"),
    ])
    .await;
    assert_eq!(plain_pkce.status, 400, "{}", plain_pkce.text);
    let implicit = push_jwt(vec![
        ("response_type", "token"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ])
    .await;
    assert_eq!(implicit.body["error"], "unsupported_response_type");

    let pushed = push_jwt(vec![
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ])
    .await;
    assert_eq!(pushed.status, 201, "{}", pushed.text);
    let request_uri = pushed.body["request_uri"].as_str().expect("request_uri");
    let done = authorize_and_allow(
        &base,
        &[("client_id", "demo-jwt"), ("request_uri", request_uri)],
    )
    .await;
    let fields = pairs(&done.location(), false);
    assert_eq!(field(&fields, "iss"), Some(base.as_str()));
    let code = field(&fields, "code").expect("code");

    let exchange = |proof: Option<String>| {
        let assertion = demo_jwt_assertion(&token);
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", assertion.as_str()),
        ];
        let mut request = http().post(&token).form(&form);
        if let Some(proof) = proof {
            request = request.header("DPoP", proof);
        }
        answer(request)
    };
    // Without a proof (and without a certificate) no token: not sender-constrained.
    let unbound = exchange(None).await;
    assert_eq!(unbound.status, 400, "{}", unbound.text);
    assert!(
        unbound.description().contains("sender-constrained"),
        "{}",
        unbound.text
    );
    let key = p256_key();
    let header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": key.jwk });
    let claims = json!({ "htm": "POST", "htu": token, "iat": now(), "jti": random_jti() });
    let proof = sign_raw(&header, &claims, &key.encoding, Algorithm::ES256);
    let bound = exchange(Some(proof)).await;
    assert_eq!(bound.status, 200, "{}", bound.text);
    assert_eq!(bound.body["token_type"], "DPoP");

    // No password grant.
    let assertion = demo_jwt_assertion(&token);
    let password = answer(http().post(&token).form(&[
        ("grant_type", "password"),
        ("username", "alice"),
        ("password", "alice-password"),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", assertion.as_str()),
    ]))
    .await;
    assert_eq!(password.body["error"], "unsupported_grant_type");
}
