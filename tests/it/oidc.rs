//! OpenID Connect and token tools against the demo provider: discovery that
//! fills a profile, ID token validation check by check, JWKS key rotation,
//! introspection around revocation, userinfo `sub` mismatches, clock skew.

use crate::support;

use std::time::Duration;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use oauth_debugger::demo::user_agent::Person;
use oauth_debugger::engine::endpoints::discovery;
use oauth_debugger::engine::endpoints::introspection;
use oauth_debugger::engine::endpoints::revoke::{self, TokenHint};
use oauth_debugger::engine::endpoints::userinfo;
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::jwt::jwks::JwksCache;
use oauth_debugger::engine::jwt::verify::{self, Expectations, Verdict, Verification};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType, HttpFile};
use oauth_debugger::engine::wire::http::ExchangeKind;
use oauth_debugger::engine::{Profile, ProfileFile, Secret, TokenSet};
use serde_json::{Value, json};
use support::{client, demo, demo_file, demo_with_ttl, played_by, profile, serve};

/// A profile with only an issuer and client settings: the endpoints come
/// from discovery.
fn bare_file(issuer: &str, client_id: &str, secret: &str) -> ProfileFile {
    ProfileFile {
        issuer: Some(issuer.to_string()),
        client_id: Some(client_id.to_string()),
        client_secret: Some(Secret::new(secret)),
        token_endpoint_auth_method: Some(ClientAuthMethod::ClientSecretBasic),
        grant_type: Some(GrantType::AuthorizationCode),
        scope: Some("openid profile read".into()),
        redirect_uri: Some("http://127.0.0.1/callback".into()),
        http: Some(HttpFile {
            timeout_secs: Some(5),
            ..HttpFile::default()
        }),
        ..ProfileFile::default()
    }
}

/// Discovers `file`'s issuer, fills it and runs the authorization code
/// grant with a scripted person signing in.
async fn discover_and_sign_in(file: &mut ProfileFile) -> (Profile, TokenSet) {
    let issuer = file.issuer.clone().expect("issuer");
    let http = client(&profile(file));
    let found = discovery::discover(&http, &issuer)
        .await
        .expect("discovery");
    assert!(found.findings.is_empty(), "{:?}", found.findings);
    discovery::fill_profile(file, &found.metadata);
    let p = profile(file);
    let (options, _) = played_by(Person::default());
    let tokens = grants::run(&p, &client(&p), &options)
        .await
        .expect("authorization code grant");
    (p, tokens)
}

async fn validate(p: &Profile, tokens: &TokenSet, expect: &Expectations) -> Verification {
    let id_token = tokens.id_token.as_ref().expect("an ID token");
    verify::verify_with_jwks(
        &client(p),
        &JwksCache::new(),
        "id_token",
        id_token.expose(),
        p.endpoints.jwks_uri.as_ref(),
        None,
        expect,
        Utc::now(),
    )
    .await
    .expect("a JWT")
}

fn verdict(v: &Verification, name: &str) -> Verdict {
    v.check(name)
        .unwrap_or_else(|| panic!("no {name} check in {:?}", v.checks))
        .verdict
}

fn failed(v: &Verification) -> Vec<&str> {
    v.failures().map(|c| c.name.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_fills_a_profile_that_runs_the_code_grant_and_the_id_token_validates() {
    let server = demo().await;
    let base = server.url();
    let mut file = bare_file(&base, "demo-client", "demo-secret");
    file.token_endpoint = Some("/typed/by/hand".into());
    file.base_url = Some(base.clone());
    let before = file.clone();
    let http = client(&profile(&file));
    let found = discovery::discover(&http, &base).await.expect("discovery");
    let filled = discovery::fill_profile(&mut file, &found.metadata);
    assert!(!filled.contains(&"token_endpoint".to_string()));
    assert_eq!(
        file.token_endpoint, before.token_endpoint,
        "never overwritten"
    );
    assert!(filled.contains(&"jwks_uri".to_string()), "{filled:?}");
    // Both documents are read (RFC 8414 §5): the OpenID one, then RFC 8414's.
    assert_eq!(
        http.exchanges()
            .iter()
            .filter(|e| e.kind == ExchangeKind::Discovery)
            .count(),
        2
    );

    // A profile with only an issuer finds its JWKS by discovery.
    let jwks = discovery::jwks_uri(&http, &profile(&bare_file(&base, "c", "s")))
        .await
        .expect("discovery");
    assert_eq!(jwks.map(String::from), Some(format!("{base}/jwks")));

    let mut file = bare_file(&base, "demo-client", "demo-secret");
    let (p, tokens) = discover_and_sign_in(&mut file).await;
    assert_eq!(file.token_endpoint, Some(format!("{base}/token")));
    assert!(tokens.nonce.is_some(), "the nonce sent is kept");
    let v = validate(&p, &tokens, &Expectations::for_id_token(&p, &tokens)).await;
    assert!(v.passed(), "{:#?}", v.checks);
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
        assert_eq!(
            verdict(&v, name),
            Verdict::Pass,
            "{name}: {:?}",
            v.check(name)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn es256_id_tokens_verify_against_the_jwks() {
    let server = demo().await;
    let mut file = bare_file(&server.url(), "demo-es256", "es256-secret");
    let (p, tokens) = discover_and_sign_in(&mut file).await;
    let v = validate(&p, &tokens, &Expectations::for_id_token(&p, &tokens)).await;
    assert_eq!(v.jwt.header["alg"], "ES256");
    assert!(v.passed(), "{:#?}", v.checks);
    assert_eq!(verdict(&v, "signature"), Verdict::Pass);
    assert_eq!(verdict(&v, "at_hash"), Verdict::Pass);
}

#[tokio::test(flavor = "multi_thread")]
async fn each_broken_id_token_fails_the_right_check() {
    let server = demo().await;
    let mut file = bare_file(&server.url(), "demo-client", "demo-secret");
    let (p, tokens) = discover_and_sign_in(&mut file).await;
    let expect = Expectations::for_id_token(&p, &tokens);
    let id_token = tokens.id_token.clone().expect("id token");
    let parts: Vec<&str> = id_token.expose().split('.').collect();

    // A tampered payload: the signature no longer matches; the claims are
    // still read.
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    claims["sub"] = json!("mallory");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    let tampered_set = TokenSet {
        id_token: Some(Secret::new(tampered)),
        ..tokens.clone()
    };
    let v = validate(&p, &tampered_set, &expect).await;
    assert_eq!(failed(&v), vec!["signature"], "{:#?}", v.checks);

    // alg none: unsigned, critical.
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    let none_set = TokenSet {
        id_token: Some(Secret::new(none)),
        ..tokens.clone()
    };
    let v = validate(&p, &none_set, &expect).await;
    assert_eq!(failed(&v), vec!["alg", "signature"], "{:#?}", v.checks);
    assert!(v.findings.iter().any(|f| f.code == "jwt_alg_none"));

    // A wrong audience.
    let v = validate(
        &p,
        &tokens,
        &Expectations {
            audience: Some("another-client".into()),
            ..expect.clone()
        },
    )
    .await;
    assert_eq!(failed(&v), vec!["aud", "azp"], "{:#?}", v.checks);

    // A nonce other than the one sent.
    let v = validate(
        &p,
        &tokens,
        &Expectations {
            nonce: Some("not-the-nonce-sent".into()),
            ..expect.clone()
        },
    )
    .await;
    assert_eq!(failed(&v), vec!["nonce"], "{:#?}", v.checks);

    // An access token the ID token was not issued with.
    let v = validate(
        &p,
        &tokens,
        &Expectations {
            access_token: Some("another-access-token".into()),
            ..expect.clone()
        },
    )
    .await;
    assert_eq!(failed(&v), vec!["at_hash"], "{:#?}", v.checks);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_id_token_fails_exp_beyond_the_tolerance() {
    let server = demo_with_ttl(Duration::from_secs(1)).await;
    let mut file = bare_file(&server.url(), "demo-client", "demo-secret");
    file.clock_skew_secs = Some(0);
    let (p, tokens) = discover_and_sign_in(&mut file).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let v = validate(&p, &tokens, &Expectations::for_id_token(&p, &tokens)).await;
    assert_eq!(failed(&v), vec!["exp"], "{:#?}", v.checks);
    // The default tolerance (60 s) still accepts it.
    let lenient = Expectations {
        clock_skew: verify::DEFAULT_CLOCK_SKEW,
        ..Expectations::for_id_token(&p, &tokens)
    };
    let v = validate(&p, &tokens, &lenient).await;
    assert!(v.passed(), "{:#?}", v.checks);
}

#[tokio::test(flavor = "multi_thread")]
async fn key_rotation_refetches_the_jwks_once_without_a_restart() {
    let server = demo().await;
    let base = server.url();
    let file = ProfileFile {
        jwks_uri: Some(format!("{base}/jwks")),
        issuer: Some(base.clone()),
        ..demo_file(
            &base,
            GrantType::ClientCredentials,
            ClientAuthMethod::ClientSecretBasic,
        )
    };
    let p = profile(&file);
    let http = client(&p);
    let cache = JwksCache::new();
    let check = |token: String| {
        let (http, cache, p) = (http.clone(), cache.clone(), p.clone());
        async move {
            verify::verify_with_jwks(
                &http,
                &cache,
                "access_token",
                &token,
                p.endpoints.jwks_uri.as_ref(),
                None,
                &Expectations::for_access_token(&p),
                Utc::now(),
            )
            .await
            .expect("jwt")
        }
    };
    let jwks_fetches = || {
        http.exchanges()
            .iter()
            .filter(|e| e.kind == ExchangeKind::Discovery)
            .count()
    };

    let before = grants::run(&p, &http, &GrantOptions::default())
        .await
        .expect("token");
    let v = check(before.access_token.expose().to_string()).await;
    assert!(v.passed(), "{:#?}", v.checks);
    assert_eq!(jwks_fetches(), 1);
    let v = check(before.access_token.expose().to_string()).await;
    assert!(v.passed());
    assert_eq!(jwks_fetches(), 1, "the cached set is used");

    let rotation = http::Request::post(format!("{base}/admin/rotate-keys"))
        .body(Vec::new())
        .expect("request");
    let rotation = http.send(rotation, ExchangeKind::Api).await;
    assert_eq!(rotation.status(), Some(200), "{}", rotation.describe());
    let rotated: Value = serde_json::from_str(&rotation.response_text()).expect("json");
    let new_kid = rotated["kids"]["rs256"].as_str().expect("kid").to_string();

    let after = grants::run(&p, &http, &GrantOptions::default())
        .await
        .expect("token");
    let v = check(after.access_token.expose().to_string()).await;
    assert_eq!(v.jwt.header["kid"], new_kid.as_str());
    assert!(v.passed(), "{:#?}", v.checks);
    assert!(v.findings.iter().any(|f| f.code == "jwks_refetched"));
    assert_eq!(jwks_fetches(), 2, "fetched again once");

    // The old token is still signed by a published key.
    let v = check(before.access_token.expose().to_string()).await;
    assert!(v.passed(), "{:#?}", v.checks);
    assert_eq!(jwks_fetches(), 2);

    // A kid no JWKS has: one refetch, then the signature fails.
    let parts: Vec<String> = after
        .access_token
        .expose()
        .split('.')
        .map(str::to_string)
        .collect();
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"nobody"}"#);
    let v = check(format!("{header}.{}.{}", parts[1], parts[2])).await;
    assert_eq!(verdict(&v, "signature"), Verdict::Fail);
    assert_eq!(jwks_fetches(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn introspection_is_active_before_and_inactive_after_revocation() {
    let server = demo().await;
    let base = server.url();
    let file = ProfileFile {
        introspection_endpoint: Some(format!("{base}/introspect")),
        revocation_endpoint: Some(format!("{base}/revoke")),
        ..demo_file(
            &base,
            GrantType::Password,
            ClientAuthMethod::ClientSecretPost,
        )
    };
    let p = profile(&file);
    let http = client(&p);
    let tokens = grants::run(&p, &http, &GrantOptions::default())
        .await
        .expect("token");
    let found = introspection::introspect(&p, &http, &tokens.access_token, Some("access_token"))
        .await
        .expect("introspection");
    assert_eq!(found.active, Some(true));
    assert!(found.findings.is_empty(), "{:?}", found.findings);
    assert_eq!(found.value.expect("json")["sub"], "alice");

    revoke::revoke(&p, &http, &tokens.access_token, TokenHint::AccessToken)
        .await
        .expect("revoked");
    let found = introspection::introspect(&p, &http, &tokens.access_token, None)
        .await
        .expect("introspection");
    assert_eq!(found.active, Some(false));
    assert!(found.findings.is_empty(), "{:?}", found.findings);
    assert_eq!(
        http.exchanges()
            .iter()
            .filter(|e| e.kind == ExchangeKind::Introspection)
            .count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn userinfo_sub_must_be_the_id_tokens() {
    let server = demo().await;
    let mut file = bare_file(&server.url(), "demo-client", "demo-secret");
    let (p, tokens) = discover_and_sign_in(&mut file).await;
    let sub = verify::verify(
        "id_token",
        tokens.id_token.as_ref().expect("id").expose(),
        &verify::Keys::default(),
        &Expectations::default(),
        Utc::now(),
    )
    .expect("jwt")
    .jwt
    .claims["sub"]
        .as_str()
        .expect("sub")
        .to_string();
    assert_eq!(sub, "alice");
    let info = userinfo::userinfo(&p, &client(&p), &tokens.access_token, Some(&sub))
        .await
        .expect("userinfo");
    assert_eq!(info.claims["sub"], "alice");
    assert!(info.findings.is_empty(), "{:?}", info.findings);

    // A userinfo endpoint that answers for someone else.
    let other = serve(Router::new().route(
        "/userinfo",
        get(|| async { axum::Json(json!({"sub": "mallory", "name": "Mallory"})) }),
    ))
    .await;
    let swapped = ProfileFile {
        userinfo_endpoint: Some(format!("{other}/userinfo")),
        ..file.clone()
    };
    let p = profile(&swapped);
    let info = userinfo::userinfo(&p, &client(&p), &tokens.access_token, Some(&sub))
        .await
        .expect("userinfo");
    let codes: Vec<&str> = info.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, vec!["userinfo_sub_mismatch"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_falls_back_to_rfc_8414_and_reports_issuer_and_clock() {
    // Only the RFC 8414 document, naming another issuer, with a Date two
    // minutes behind.
    let router = Router::new().route(
        "/.well-known/oauth-authorization-server",
        get(|| async {
            let date = (Utc::now() - chrono::Duration::seconds(120))
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string();
            (
                [(header::DATE, date)],
                axum::Json(json!({
                    "issuer": "https://impostor.example",
                    "token_endpoint": "https://impostor.example/token",
                })),
            )
                .into_response()
        }),
    );
    let base = serve(router).await;
    let p = profile(&ProfileFile::default());
    let http = client(&p);
    let found = discovery::discover(&http, &base).await.expect("fallback");
    assert!(
        found
            .url
            .as_str()
            .ends_with("/.well-known/oauth-authorization-server"),
        "{}",
        found.url
    );
    assert_eq!(found.exchanges.len(), 2);
    assert_eq!(found.exchanges[0].status(), Some(404));
    let codes: Vec<&str> = found.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, vec!["discovery_issuer_mismatch", "clock_skew"]);

    // Nothing at either URL: an error quoting the last answer; a server
    // that is not there: a network error.
    let empty = serve(Router::new()).await;
    let err = discovery::discover(&http, &empty)
        .await
        .expect_err("no document");
    assert!(err.to_string().contains("HTTP 404"), "{err}");
    let err = discovery::discover(&http, "http://127.0.0.1:9")
        .await
        .expect_err("refused");
    assert!(matches!(
        err,
        oauth_debugger::engine::EngineError::Transport { .. }
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_response_from_a_server_whose_clock_is_off_is_reported() {
    let router = Router::new().route(
        "/token",
        axum::routing::post(|| async {
            let date = (Utc::now() + chrono::Duration::seconds(300))
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string();
            (
                [(header::DATE, date)],
                axum::Json(json!({"access_token": "t", "token_type": "Bearer", "expires_in": 60})),
            )
                .into_response()
        }),
    );
    let base = serve(router).await;
    let p = profile(&demo_file(
        &base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let tokens = grants::run(&p, &client(&p), &GrantOptions::default())
        .await
        .expect("tokens");
    let skew = tokens
        .findings
        .iter()
        .find(|f| f.code == "clock_skew")
        .expect("a clock_skew finding");
    assert!(skew.message.contains("ahead of"), "{skew}");
}
