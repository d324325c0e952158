//! Client authentication with signed assertions (private_key_jwt,
//! client_secret_jwt: RFC 7523), mutual TLS (RFC 8705) and DPoP (RFC 9449),
//! end to end against the demo provider on 127.0.0.1 — real HTTP, and real
//! TLS for mutual TLS.

use crate::support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use oauth_debugger::engine::client::auth::sent_jwts;
use oauth_debugger::engine::client::dpop::DpopKey;
use oauth_debugger::engine::client::keys::{Alg, ClientKey};
use oauth_debugger::engine::endpoints::api::{self, ApiRequest};
use oauth_debugger::engine::endpoints::introspection;
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType, HttpFile};
use oauth_debugger::engine::wire::http::{Exchange, ExchangeKind, HttpClient};
use oauth_debugger::engine::{EngineError, Profile, ProfileFile, Secret, Stage, TokenSet};
use support::{client, demo, demo_file, profile};

const BIN: &str = env!("CARGO_BIN_EXE_oauth-debugger");

fn asset(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/demo-keys")
        .join(name)
}

/// A client-credentials profile for `client_id` authenticating with a
/// private key.
fn key_file(base: &str, client_id: &str, key: &Path) -> ProfileFile {
    ProfileFile {
        issuer: Some(base.to_string()),
        introspection_endpoint: Some(format!("{base}/introspect")),
        revocation_endpoint: Some(format!("{base}/revoke")),
        client_id: Some(client_id.into()),
        client_secret: None,
        token_endpoint_auth_method: Some(ClientAuthMethod::PrivateKeyJwt),
        signing_key_file: Some(key.display().to_string()),
        ..demo_file(base, GrantType::ClientCredentials, ClientAuthMethod::None)
    }
}

/// The demo client `demo-jwt` with the key pair shipped for it.
fn demo_jwt_file(base: &str) -> ProfileFile {
    ProfileFile {
        signing_key_kid: Some("demo-jwt-1".into()),
        ..key_file(base, "demo-jwt", &asset("demo-jwt-es256.pem"))
    }
}

async fn run(profile: &Profile, http: &HttpClient) -> Result<TokenSet, EngineError> {
    grants::run(profile, http, &GrantOptions::default()).await
}

fn token_exchanges(http: &HttpClient) -> Vec<Exchange> {
    http.exchanges()
        .into_iter()
        .filter(|e| e.kind == ExchangeKind::Token)
        .collect()
}

async fn register(base: &str, client_id: &str, jwks: &serde_json::Value) {
    let answer = reqwest::Client::new()
        .post(format!("{base}/admin/clients/{client_id}/jwks"))
        .header("content-type", "application/json")
        .body(jwks.to_string())
        .send()
        .await
        .expect("admin endpoint answers");
    assert!(
        answer.status().is_success(),
        "registration refused: {}",
        answer.text().await.unwrap_or_default()
    );
}

fn generated_key(dir: &Path, alg: Alg) -> (ClientKey, PathBuf) {
    let key = ClientKey::generate(alg).expect("key");
    let path = dir.join(format!("{}.pem", alg.as_str()));
    key.save(&path).expect("saved");
    (key, path)
}

#[tokio::test]
async fn the_shipped_demo_jwt_key_gets_a_token_and_the_request_carries_a_fresh_assertion() {
    let server = demo().await;
    let base = server.url();
    let file = demo_jwt_file(&base);
    let profile = profile(&file);
    let http = client(&profile);
    let tokens = run(&profile, &http).await.expect("private_key_jwt works");
    assert!(!tokens.access_token.expose().is_empty());

    let exchanges = token_exchanges(&http);
    let sent = sent_jwts(&exchanges[0].request);
    assert_eq!(sent.len(), 1, "one assertion: {sent:?}");
    assert_eq!(sent[0].label, "Client assertion (private_key_jwt)");
    let claims = &sent[0].decoded.claims;
    assert_eq!(claims["iss"], "demo-jwt");
    assert_eq!(claims["sub"], "demo-jwt");
    assert_eq!(
        claims["aud"],
        base.as_str(),
        "the issuer is the default audience"
    );
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));
    let lifetime = claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0);
    assert!((1..=300).contains(&lifetime), "a short exp: {lifetime} s");
    assert_eq!(sent[0].decoded.header["kid"], "demo-jwt-1");
    assert_eq!(sent[0].decoded.header["alg"], "ES256");
    assert_eq!(sent[0].decoded.header["typ"], "JWT");
    let body = String::from_utf8_lossy(&exchanges[0].request.body);
    assert!(body.contains(
        "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
    ));
    assert!(!body.contains("client_secret"));

    // A second run signs a new assertion (a replayed jti is refused).
    let again = run(&profile, &http).await.expect("a second run works too");
    assert_ne!(again.access_token.expose(), tokens.access_token.expose());
}

#[tokio::test]
async fn a_generated_key_works_once_registered_and_is_explained_before() {
    let server = demo().await;
    let base = server.url();
    let dir = tempfile::tempdir().expect("dir");
    for alg in [Alg::Es256, Alg::EdDsa, Alg::Ps256] {
        let (key, path) = generated_key(dir.path(), alg);
        let file = ProfileFile {
            token_endpoint_auth_signing_alg: Some(alg.as_str().into()),
            ..key_file(&base, "demo-client", &path)
        };
        let profile = profile(&file);
        let http = client(&profile);
        let refused = run(&profile, &http).await.expect_err("unregistered key");
        let EngineError::OAuth { error, .. } = &refused else {
            panic!("an OAuth error, not {refused:?}");
        };
        assert_eq!(error.error, "invalid_client");
        let explanation = refused
            .explanation(Stage::TokenRequest(GrantType::ClientCredentials))
            .expect("explained");
        assert_eq!(explanation.reference.as_deref(), Some("RFC 7523 §3"));
        let causes = explanation.likely_causes.join("\n");
        assert!(causes.contains(&format!("kid {}", key.kid())), "{causes}");
        assert!(causes.contains(&format!("aud = {base}")), "{causes}");

        let mut jwks = key.public_jwks();
        jwks["keys"][0]["alg"] = alg.as_str().into();
        register(&base, "demo-client", &jwks).await;
        let tokens = run(&profile, &http).await.expect("registered key works");
        assert!(!tokens.access_token.expose().is_empty(), "{alg}");
    }
}

#[tokio::test]
async fn an_audience_the_server_refuses_is_explained_and_the_other_one_works() {
    let server = support::demo_with_faults(&["assertion-aud-token-endpoint"], false).await;
    let base = server.url();
    let file = demo_jwt_file(&base);
    let issuer_aud = profile(&file);
    let err = run(&issuer_aud, &client(&issuer_aud))
        .await
        .expect_err("the issuer is refused as audience");
    let explanation = err
        .explanation(Stage::TokenRequest(GrantType::ClientCredentials))
        .expect("explained");
    assert!(
        explanation
            .what_to_try
            .iter()
            .any(|t| t.contains("client_assertion_audience")),
        "{explanation:?}"
    );

    let token_aud = profile(&ProfileFile {
        client_assertion_audience: Some("token_endpoint".into()),
        ..file
    });
    let http = client(&token_aud);
    run(&token_aud, &http)
        .await
        .expect("token endpoint audience accepted");
    let sent = sent_jwts(&token_exchanges(&http)[0].request);
    assert_eq!(sent[0].decoded.claims["aud"], format!("{base}/token"));
}

#[tokio::test]
async fn client_secret_jwt_signs_with_the_secret_and_a_wrong_secret_is_refused() {
    let server = demo().await;
    let base = server.url();
    let file = ProfileFile {
        issuer: Some(base.clone()),
        token_endpoint_auth_method: Some(ClientAuthMethod::ClientSecretJwt),
        token_endpoint_auth_signing_alg: Some("HS512".into()),
        ..demo_file(
            &base,
            GrantType::ClientCredentials,
            ClientAuthMethod::ClientSecretBasic,
        )
    };
    let good = profile(&file);
    let http = client(&good);
    run(&good, &http).await.expect("client_secret_jwt works");
    let sent = sent_jwts(&token_exchanges(&http)[0].request);
    assert_eq!(sent[0].label, "Client assertion (client_secret_jwt)");
    assert_eq!(sent[0].decoded.header["alg"], "HS512");
    let body = String::from_utf8_lossy(&token_exchanges(&http)[0].request.body).into_owned();
    assert!(
        !body.contains("demo-secret"),
        "the secret never goes on the wire"
    );
    assert!(
        !token_exchanges(&http)[0]
            .request
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("authorization"))
    );

    let bad = profile(&ProfileFile {
        client_secret: Some(Secret::new("not-the-secret")),
        ..file
    });
    let err = run(&bad, &client(&bad)).await.expect_err("wrong secret");
    let causes = err
        .explanation(Stage::TokenRequest(GrantType::ClientCredentials))
        .expect("explained")
        .likely_causes
        .join("\n");
    assert!(causes.contains("client secret"), "{causes}");
}

#[tokio::test]
async fn introspection_and_revocation_authenticate_with_an_assertion_too() {
    let server = demo().await;
    let base = server.url();
    let file = demo_jwt_file(&base);
    let profile = profile(&file);
    let http = client(&profile);
    let tokens = run(&profile, &http).await.expect("token");
    let result = introspection::introspect(&profile, &http, &tokens.access_token, None)
        .await
        .expect("introspection answers");
    assert_eq!(result.active, Some(true), "{:?}", result.value);
    let introspected = http
        .exchanges()
        .into_iter()
        .find(|e| e.kind == ExchangeKind::Introspection)
        .expect("recorded");
    assert_eq!(sent_jwts(&introspected.request).len(), 1);

    oauth_debugger::engine::endpoints::revoke::revoke(
        &profile,
        &http,
        &tokens.access_token,
        oauth_debugger::engine::endpoints::revoke::TokenHint::AccessToken,
    )
    .await
    .expect("revoked");
    let revoked = http
        .exchanges()
        .into_iter()
        .find(|e| e.kind == ExchangeKind::Revocation)
        .expect("recorded");
    assert_eq!(revoked.status(), Some(200));
    assert_eq!(sent_jwts(&revoked.request).len(), 1);
}

fn dpop_file(base: &str) -> ProfileFile {
    ProfileFile {
        dpop_bound_access_tokens: Some(true),
        ..demo_file(
            base,
            GrantType::ClientCredentials,
            ClientAuthMethod::ClientSecretBasic,
        )
    }
}

fn dpop_client(profile: &Profile) -> (HttpClient, Arc<DpopKey>) {
    let key = Arc::new(
        DpopKey::for_profile(profile)
            .expect("a key")
            .expect("DPoP is on"),
    );
    (client(profile).with_dpop(Some(key.clone())), key)
}

/// The `DPoP-Nonce` a response carried.
fn nonce_sent(exchange: &Exchange) -> String {
    exchange
        .response
        .as_ref()
        .and_then(|r| r.header("dpop-nonce"))
        .expect("the server sent a nonce")
        .to_string()
}

/// The DPoP proof a request carried, decoded.
fn dpop_proof(exchange: &Exchange) -> oauth_debugger::engine::client::auth::SentJwt {
    sent_jwts(&exchange.request)
        .into_iter()
        .find(|j| j.label == "DPoP proof")
        .expect("a DPoP proof")
}

fn api_request(profile: &Profile) -> ApiRequest {
    ApiRequest::from_config(profile.api.as_ref().expect("api"))
}

#[tokio::test]
async fn dpop_binds_the_token_and_api_calls_prove_possession_with_ath() {
    let server = demo().await;
    let base = server.url();
    let profile = profile(&dpop_file(&base));
    let (http, key) = dpop_client(&profile);
    let tokens = run(&profile, &http).await.expect("token");
    assert!(tokens.is_dpop_bound(), "token_type {:?}", tokens.token_type);
    assert!(
        tokens.findings.iter().any(|f| f.code == "dpop_bound"),
        "{:?}",
        tokens.findings
    );
    let token_request = &token_exchanges(&http)[0].request;
    let proof = sent_jwts(token_request)
        .into_iter()
        .find(|j| j.label == "DPoP proof")
        .expect("a proof on the token request");
    assert_eq!(proof.decoded.header["typ"], "dpop+jwt");
    assert_eq!(proof.decoded.claims["htm"], "POST");
    assert_eq!(proof.decoded.claims["htu"], format!("{base}/token"));
    assert_eq!(
        oauth_debugger::engine::client::keys::thumbprint_of(&proof.decoded.header["jwk"]),
        Some(key.thumbprint())
    );

    let answer = api::call(&http, &api_request(&profile), Some(&tokens.access_token))
        .await
        .expect("answer");
    assert_eq!(answer.status(), 200, "{}", answer.exchange.response_text());
    let sent = &answer.exchange.request;
    let authorization = sent
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    assert!(authorization.starts_with("DPoP "), "{authorization}");
    let proof = sent_jwts(sent)
        .into_iter()
        .find(|j| j.label == "DPoP proof")
        .expect("a proof on the API call");
    assert_eq!(proof.decoded.claims["htm"], "GET");
    assert!(proof.decoded.claims["ath"].is_string());

    // The same token as a Bearer token is refused: it is bound.
    let bearer = api::call(
        &client(&profile),
        &api_request(&profile),
        Some(&tokens.access_token),
    )
    .await
    .expect("answer");
    assert_eq!(bearer.status(), 401);

    // Another key cannot use it either.
    let (stranger, _) = dpop_client(&profile);
    let stolen = api::call(
        &stranger,
        &api_request(&profile),
        Some(&tokens.access_token),
    )
    .await
    .expect("answer");
    assert_eq!(stolen.status(), 401);
}

#[tokio::test]
async fn a_server_nonce_is_answered_once_at_the_token_endpoint_and_at_the_api() {
    let server = support::demo_with_faults(&["dpop-nonce"], false).await;
    let base = server.url();
    let profile = profile(&dpop_file(&base));
    let (http, _) = dpop_client(&profile);
    let tokens = run(&profile, &http)
        .await
        .expect("token after the nonce retry");
    let tries = token_exchanges(&http);
    assert_eq!(tries.len(), 2, "the first try and the retry");
    assert_eq!(tries[0].status(), Some(400));
    assert!(tries[0].response_text().contains("use_dpop_nonce"));
    assert_eq!(tries[1].status(), Some(200));
    let nonce = nonce_sent(&tries[0]);
    let retry = dpop_proof(&tries[1]);
    assert_eq!(retry.decoded.claims["nonce"], nonce.as_str());

    // Other clients' requests move the server's nonces on, so the one we
    // hold goes stale and the API asks for a new one.
    for _ in 0..2 {
        let (other, _) = dpop_client(&profile);
        run(&profile, &other).await.expect("another client's token");
    }
    let before = http.exchanges().len();
    let answer = api::call(&http, &api_request(&profile), Some(&tokens.access_token))
        .await
        .expect("answer");
    assert_eq!(answer.status(), 200, "{}", answer.exchange.response_text());
    let calls: Vec<Exchange> = http.exchanges()[before..]
        .iter()
        .filter(|e| e.kind == ExchangeKind::Api)
        .cloned()
        .collect();
    assert_eq!(
        calls.iter().map(Exchange::status).collect::<Vec<_>>(),
        vec![Some(401), Some(200)],
        "the stale nonce refused, then the retry with the new one"
    );
    let demanded = nonce_sent(&calls[0]);
    let retry = dpop_proof(&calls[1]);
    assert_eq!(retry.decoded.claims["nonce"], demanded.as_str());
    assert!(retry.decoded.claims["ath"].is_string());
}

#[tokio::test]
async fn a_server_that_ignores_the_proof_is_reported() {
    let server = support::demo_with_faults(&["dpop-ignored"], false).await;
    let base = server.url();
    let profile = profile(&dpop_file(&base));
    let (http, _) = dpop_client(&profile);
    let tokens = run(&profile, &http).await.expect("token");
    assert!(!tokens.is_dpop_bound());
    let finding = tokens
        .findings
        .iter()
        .find(|f| f.code == "dpop_ignored")
        .expect("reported");
    assert_eq!(finding.reference.as_deref(), Some("RFC 9449 §5"));
}

#[tokio::test]
async fn a_refused_proof_is_explained() {
    let server = demo().await;
    let base = server.url();
    let profile = profile(&dpop_file(&base));
    let (http, _) = dpop_client(&profile);
    let tokens = run(&profile, &http).await.expect("token");
    // A proof for another URL (the API path changed by hand) is refused.
    let request = api_request(&profile);
    let built = request.build(Some(&tokens.access_token)).expect("request");
    let (mut parts, body) = built.into_parts();
    let key = http.dpop().expect("key").clone();
    let wrong = url::Url::parse(&format!("{base}/api/elsewhere")).expect("url");
    let proof = key
        .proof("GET", &wrong, Some(tokens.access_token.expose()))
        .expect("proof");
    parts.headers.insert("dpop", proof.parse().expect("header"));
    let token = tokens.access_token.expose().to_string();
    parts.headers.insert(
        "authorization",
        format!("DPoP {token}").parse().expect("header"),
    );
    let exchange = client(&profile)
        .send(http::Request::from_parts(parts, body), ExchangeKind::Api)
        .await;
    assert_eq!(exchange.status(), Some(401));
    let challenge = exchange
        .response
        .as_ref()
        .and_then(|r| r.header("www-authenticate"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(challenge.contains("invalid_dpop_proof"), "{challenge}");
    let explanation = oauth_debugger::engine::explain("invalid_dpop_proof", Stage::ApiCall);
    assert!(explanation.likely_causes[0].contains("htu"));
}

#[tokio::test]
async fn mutual_tls_authenticates_the_client_and_binds_the_token_to_its_certificate() {
    let server = support::demo_with_faults(&[], true).await;
    let base = server.url();
    let dir = tempfile::tempdir().expect("dir");
    let ca = dir.path().join("demo-server.pem");
    std::fs::write(&ca, server.certificate_pem().expect("TLS")).expect("write");
    let file = ProfileFile {
        issuer: Some(base.clone()),
        client_id: Some("demo-mtls".into()),
        client_secret: None,
        token_endpoint_auth_method: Some(ClientAuthMethod::TlsClientAuth),
        http: Some(HttpFile {
            timeout_secs: Some(5),
            ca_file: Some(ca.display().to_string()),
            client_cert_file: Some(asset("demo-mtls-client.pem").display().to_string()),
            client_key_file: Some(asset("demo-mtls-client.key").display().to_string()),
            ..HttpFile::default()
        }),
        ..demo_file(&base, GrantType::ClientCredentials, ClientAuthMethod::None)
    };
    let with_cert = profile(&file);
    let http = client(&with_cert);
    let tokens = run(&with_cert, &http).await.expect("mTLS works");
    assert!(
        tokens.findings.iter().any(|f| f.code == "mtls_bound"),
        "{:?}",
        tokens.findings
    );
    let body = String::from_utf8_lossy(&token_exchanges(&http)[0].request.body).into_owned();
    assert!(body.contains("client_id=demo-mtls"));
    assert!(!body.contains("client_secret") && !body.contains("client_assertion"));

    // Without the certificate the same client is refused, and a bound
    // token is refused on a connection without it.
    let without = profile(&ProfileFile {
        token_endpoint_auth_method: Some(ClientAuthMethod::None),
        http: Some(HttpFile {
            timeout_secs: Some(5),
            ca_file: Some(ca.display().to_string()),
            ..HttpFile::default()
        }),
        ..file.clone()
    });
    assert!(run(&without, &client(&without)).await.is_err());
    let answer = api::call(
        &client(&without),
        &api_request(&with_cert),
        Some(&tokens.access_token),
    )
    .await
    .expect("answer");
    assert_eq!(answer.status(), 401);
    let with = api::call(&http, &api_request(&with_cert), Some(&tokens.access_token))
        .await
        .expect("answer");
    assert_eq!(with.status(), 200);
}

#[tokio::test]
async fn keys_generate_and_show_from_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("client.pem");
    let made = tokio::process::Command::new(BIN)
        .args(["keys", "generate", "--alg", "EdDSA", "--out"])
        .arg(&out)
        .output()
        .await
        .expect("runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let jwks: serde_json::Value = serde_json::from_slice(&made.stdout).expect("a JWKS on stdout");
    assert_eq!(jwks["keys"][0]["kty"], "OKP");
    assert!(jwks["keys"][0].get("d").is_none(), "never the private key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&out).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let shown = tokio::process::Command::new(BIN)
        .args(["keys", "show", "--json"])
        .arg(&out)
        .output()
        .await
        .expect("runs");
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("json");
    assert_eq!(shown["thumbprint"], jwks["keys"][0]["kid"]);

    let again = tokio::process::Command::new(BIN)
        .args(["keys", "generate", "--out"])
        .arg(&out)
        .output()
        .await
        .expect("runs");
    assert!(
        !again.status.success(),
        "an existing key is never overwritten"
    );

    let cert = tokio::process::Command::new(BIN)
        .args(["keys", "show"])
        .arg(asset("demo-mtls-client.pem"))
        .output()
        .await
        .expect("runs");
    assert!(String::from_utf8_lossy(&cert.stdout).contains("x5t#S256"));
}

#[tokio::test]
async fn the_cli_runs_private_key_jwt_and_dpop_from_a_profile() {
    let server = demo().await;
    let base = server.url();
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("p.toml");
    std::fs::write(
        &path,
        format!(
            r#"issuer = "{base}"
token_endpoint = "{base}/token"
client_id = "demo-jwt"
token_endpoint_auth_method = "private_key_jwt"
signing_key_file = "{}"
signing_key_kid = "demo-jwt-1"
grant_type = "client_credentials"
dpop_bound_access_tokens = true

[api]
url = "{base}/api/items"
"#,
            asset("demo-jwt-es256.pem").display()
        ),
    )
    .expect("profile");
    let output = tokio::process::Command::new(BIN)
        .args(["call", "--profile"])
        .arg(&path)
        .output()
        .await
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("DPoP with ES256"), "{stderr}");

    // A token from an earlier command cannot be proven without the key.
    let output = tokio::process::Command::new(BIN)
        .args(["call", "--profile"])
        .arg(&path)
        .args(["--access-token", "abc"])
        .output()
        .await
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("dpop_key_file"));
}

#[test]
fn profile_keys_are_checked_with_the_key_they_name() {
    let base = "http://127.0.0.1:1";
    let missing_key = Profile::from_file(
        &ProfileFile {
            signing_key_file: None,
            ..key_file(base, "demo-jwt", Path::new("x"))
        },
        "t",
    )
    .expect_err("private_key_jwt needs a key");
    assert!(
        missing_key
            .message_for("token_endpoint_auth_method")
            .is_some_and(|m| m.contains("signing_key_file"))
    );
    let hmac_for_key = Profile::from_file(
        &ProfileFile {
            token_endpoint_auth_signing_alg: Some("HS256".into()),
            ..key_file(base, "demo-jwt", Path::new("x"))
        },
        "t",
    )
    .expect_err("HS256 is not for private_key_jwt");
    assert!(
        hmac_for_key
            .message_for("token_endpoint_auth_signing_alg")
            .is_some()
    );
    let mtls = Profile::from_file(
        &ProfileFile {
            token_endpoint_auth_method: Some(ClientAuthMethod::SelfSignedTlsClientAuth),
            ..key_file(base, "demo-jwt", Path::new("x"))
        },
        "t",
    )
    .expect_err("mTLS needs a certificate");
    assert!(
        mtls.message_for("token_endpoint_auth_method")
            .is_some_and(|m| m.contains("client_cert_file"))
    );
    let audience = Profile::from_file(
        &ProfileFile {
            client_assertion_audience: Some("somewhere".into()),
            ..key_file(base, "demo-jwt", Path::new("x"))
        },
        "t",
    )
    .expect_err("an audience is issuer, token_endpoint or a URL");
    assert!(audience.message_for("client_assertion_audience").is_some());
}

#[tokio::test]
async fn the_shipped_private_key_jwt_example_runs_from_the_repository_root() {
    let server = demo().await;
    let dir = tempfile::tempdir().expect("dir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = std::fs::read_to_string(root.join("assets/presets/demo-private-key-jwt.toml"))
        .expect("the example")
        .replace("http://127.0.0.1:7878", &server.url());
    let path = dir.path().join("example.toml");
    std::fs::write(&path, example).expect("copy");
    let output = tokio::process::Command::new(BIN)
        .current_dir(root)
        .args(["call", "--profile"])
        .arg(&path)
        .output()
        .await
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn the_authorization_code_grant_binds_the_code_with_dpop_jkt_and_refreshes_with_a_proof() {
    use oauth_debugger::demo::user_agent::Person;
    let server = demo().await;
    let base = server.url();
    let file = ProfileFile {
        dpop_bound_access_tokens: Some(true),
        scope: Some("openid read offline_access".into()),
        ..support::browser_file(
            &base,
            GrantType::AuthorizationCode,
            ClientAuthMethod::ClientSecretBasic,
        )
    };
    let profile = profile(&file);
    let (http, key) = dpop_client(&profile);
    let (options, seen) = support::played_by(Person::default());
    let tokens = grants::run(&profile, &http, &options)
        .await
        .expect("the grant with DPoP");
    let requests = seen.lock().expect("lock").clone();
    let jkt = requests[0]
        .url
        .query_pairs()
        .find(|(name, _)| name == "dpop_jkt")
        .map(|(_, value)| value.into_owned());
    assert_eq!(jkt, Some(key.thumbprint()), "RFC 9449 §10");
    assert!(tokens.is_dpop_bound());

    // The refresh carries a proof by the same key.
    let refresh = tokens.refresh_token.clone().expect("a refresh token");
    let before = http.exchanges().len();
    let refreshed = grants::run(
        &profile,
        &http,
        &GrantOptions {
            grant: Some(GrantType::RefreshToken),
            refresh_token: Some(refresh),
            ..GrantOptions::default()
        },
    )
    .await
    .expect("refreshed");
    assert!(refreshed.is_dpop_bound());
    let sent = &http.exchanges()[before..];
    let proof = sent_jwts(&sent.last().expect("the refresh").request)
        .into_iter()
        .find(|j| j.label == "DPoP proof")
        .expect("a proof on the refresh");
    assert_eq!(
        oauth_debugger::engine::client::keys::thumbprint_of(&proof.decoded.header["jwk"]),
        Some(key.thumbprint())
    );
}

#[tokio::test]
async fn with_a_client_certificate_discovery_takes_the_mtls_endpoint_aliases() {
    use oauth_debugger::engine::endpoints::autodiscovery::{self, DiscoveryCache};
    let server = support::demo_with_faults(&[], true).await;
    let base = server.url();
    let dir = tempfile::tempdir().expect("dir");
    let ca = dir.path().join("demo-server.pem");
    std::fs::write(&ca, server.certificate_pem().expect("TLS")).expect("write");
    let file = ProfileFile {
        issuer: Some(base.clone()),
        token_endpoint: None,
        client_id: Some("demo-mtls".into()),
        client_secret: None,
        token_endpoint_auth_method: Some(ClientAuthMethod::TlsClientAuth),
        http: Some(HttpFile {
            timeout_secs: Some(5),
            ca_file: Some(ca.display().to_string()),
            client_cert_file: Some(asset("demo-mtls-client.pem").display().to_string()),
            client_key_file: Some(asset("demo-mtls-client.key").display().to_string()),
            ..HttpFile::default()
        }),
        ..demo_file(&base, GrantType::ClientCredentials, ClientAuthMethod::None)
    };
    let issuer_only = Profile::from_file(&file, "t").expect("valid");
    let http = client(&issuer_only);
    let (completed, note) = autodiscovery::complete(
        &issuer_only,
        &http,
        &DiscoveryCache::new(),
        GrantType::ClientCredentials.endpoints(),
    )
    .await
    .expect("discovered");
    assert_eq!(
        completed.endpoints.token.as_ref().map(url::Url::as_str),
        Some(format!("{base}/mtls/token").as_str()),
        "RFC 8705 §5"
    );
    let note = note.expect("a note");
    assert!(
        note.findings
            .iter()
            .any(|f| f.code == "mtls_endpoint_aliases"),
        "{note:?}"
    );
    let tokens = run(&completed, &http).await.expect("token at the alias");
    assert!(tokens.findings.iter().any(|f| f.code == "mtls_bound"));
    let completed = Profile {
        endpoints: oauth_debugger::engine::profile::Endpoints {
            introspection: Some(url::Url::parse(&format!("{base}/mtls/introspect")).expect("url")),
            ..completed.endpoints.clone()
        },
        ..completed
    };
    let introspected = introspection::introspect(&completed, &http, &tokens.access_token, None)
        .await
        .expect("introspected");
    assert!(
        introspected.findings.iter().any(|f| f.code == "mtls_bound"),
        "introspection's cnf is compared too: {:?}",
        introspected.findings
    );
}

#[tokio::test]
async fn the_device_grant_authenticates_its_device_authorization_request_with_an_assertion() {
    use oauth_debugger::demo::user_agent::Person;
    let server = support::demo_device(
        std::time::Duration::from_secs(1),
        std::time::Duration::from_secs(60),
    )
    .await;
    let base = server.url();
    let file = ProfileFile {
        device_authorization_endpoint: Some(format!("{base}/device_authorization")),
        grant_type: Some(GrantType::DeviceCode),
        scope: Some("read".into()),
        ..demo_jwt_file(&base)
    };
    let profile = profile(&file);
    let http = client(&profile);
    let (options, _) = support::played_by(Person::default());
    grants::run(&profile, &http, &options)
        .await
        .expect("the device grant with private_key_jwt");
    let device = http
        .exchanges()
        .into_iter()
        .find(|e| e.kind == ExchangeKind::Device)
        .expect("the device authorization request");
    assert_eq!(
        sent_jwts(&device.request).len(),
        1,
        "an assertion there too"
    );
    let polls = token_exchanges(&http);
    let jtis: std::collections::HashSet<String> = polls
        .iter()
        .flat_map(|e| sent_jwts(&e.request))
        .map(|j| {
            j.decoded.claims["jti"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(jtis.len(), polls.len(), "each poll signs a new assertion");
}

/// A TLS server on 127.0.0.1 that requires a client certificate issued by
/// the demo CA (as a bank's mTLS endpoint does) and answers `200 {}`; its
/// own certificate's PEM comes back for the client to trust.
async fn strict_mtls_server() -> (String, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).expect("cert");
    let server_pem = pem::encode(&pem::Pem::new("CERTIFICATE", made.cert.der().to_vec()));
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    let ca = std::fs::read_to_string(asset("demo-ca.pem")).expect("demo CA");
    let ca = pem::parse(ca).expect("PEM");
    roots
        .add(CertificateDer::from(ca.contents().to_vec()))
        .expect("root");
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .expect("verifier");
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![made.cert.der().clone()], key)
        .expect("config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(stream).await {
                    let mut buf = vec![0u8; 8192];
                    let _ = tls.read(&mut buf).await;
                    let _ = tls
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                        .await;
                    let _ = tls.shutdown().await;
                }
            });
        }
    });
    (format!("https://127.0.0.1:{}", addr.port()), server_pem)
}

#[tokio::test]
async fn a_server_that_wants_a_client_certificate_says_so_in_plain_words() {
    let (base, server_pem) = strict_mtls_server().await;
    let dir = tempfile::tempdir().expect("dir");
    let ca = dir.path().join("server.pem");
    std::fs::write(&ca, server_pem).expect("write");
    let http_file = |cert: Option<(String, String)>| HttpFile {
        timeout_secs: Some(5),
        ca_file: Some(ca.display().to_string()),
        client_cert_file: cert.as_ref().map(|c| c.0.clone()),
        client_key_file: cert.map(|c| c.1),
        ..HttpFile::default()
    };
    let call = |file: HttpFile| {
        let base = base.clone();
        async move {
            let settings = profile(&ProfileFile {
                http: Some(file),
                ..demo_file(&base, GrantType::ClientCredentials, ClientAuthMethod::None)
            })
            .http;
            let http = HttpClient::new(
                &settings,
                oauth_debugger::engine::wire::http::Recorder::new(),
            )
            .expect("client");
            let request = http::Request::builder()
                .uri(format!("{base}/api"))
                .body(Vec::new())
                .expect("request");
            http.send(request, ExchangeKind::Api).await
        }
    };

    let without = call(http_file(None)).await;
    let error = without.error.expect("refused without a certificate");
    assert!(
        error.message.contains("wants a client certificate"),
        "{}",
        error.message
    );

    // A certificate from a CA the server does not trust.
    let stranger = rcgen::generate_simple_self_signed(vec!["stranger".to_string()]).expect("cert");
    let cert_path = dir.path().join("stranger.pem");
    let key_path = dir.path().join("stranger.key");
    std::fs::write(
        &cert_path,
        pem::encode(&pem::Pem::new("CERTIFICATE", stranger.cert.der().to_vec())),
    )
    .expect("write");
    std::fs::write(
        &key_path,
        pem::encode(&pem::Pem::new(
            "PRIVATE KEY",
            stranger.signing_key.serialize_der(),
        )),
    )
    .expect("write");
    let refused = call(http_file(Some((
        cert_path.display().to_string(),
        key_path.display().to_string(),
    ))))
    .await;
    let error = refused
        .error
        .expect("refused with an untrusted certificate");
    assert!(
        error.message.contains("refused the client certificate"),
        "{}",
        error.message
    );

    let accepted = call(http_file(Some((
        asset("demo-mtls-client.pem").display().to_string(),
        asset("demo-mtls-client.key").display().to_string(),
    ))))
    .await;
    assert_eq!(accepted.status(), Some(200), "{:?}", accepted.error);
}
