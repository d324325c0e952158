//! Hardened authorization requests (issue 15): pushed (PAR, RFC 9126),
//! signed (JAR, RFC 9101), answered as a signed JWT (JARM) or by form post,
//! and the `iss` response parameter (RFC 9207) — the authorization code
//! grant end to end against the demo provider on 127.0.0.1, its browser
//! played by the scripted person.

use crate::support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use oauth_debugger::demo::DemoServer;
use oauth_debugger::demo::user_agent::Person;
use oauth_debugger::engine::client::auth::sent_jwts;
use oauth_debugger::engine::grants::{self, Progress};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType};
use oauth_debugger::engine::wire::http::{ExchangeKind, HttpClient};
use oauth_debugger::engine::{EngineError, Profile, ProfileFile, Stage, TokenSet};
use support::{browser_file, client, demo, played_by, profile};

fn asset(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/demo-keys")
        .join(name)
}

/// The confidential demo client, authorization code grant.
fn code_file(base: &str) -> ProfileFile {
    ProfileFile {
        pushed_authorization_request_endpoint: Some(format!("{base}/par")),
        jwks_uri: Some(format!("{base}/jwks")),
        ..browser_file(
            base,
            GrantType::AuthorizationCode,
            ClientAuthMethod::ClientSecretBasic,
        )
    }
}

/// `demo-jwt`: private_key_jwt with the shipped key, request objects
/// signed with it.
fn jwt_file(base: &str) -> ProfileFile {
    ProfileFile {
        client_id: Some("demo-jwt".into()),
        client_secret: None,
        token_endpoint_auth_method: Some(ClientAuthMethod::PrivateKeyJwt),
        signing_key_file: Some(asset("demo-jwt-es256.pem").display().to_string()),
        signing_key_kid: Some("demo-jwt-1".into()),
        request_object_signing_alg: Some("ES256".into()),
        ..code_file(base)
    }
}

/// Runs the grant with the person at the browser; also returns what the
/// grant reported.
async fn run(
    profile: &Profile,
    http: &HttpClient,
) -> (Result<TokenSet, EngineError>, Vec<Progress>) {
    let (mut options, _) = played_by(Person::default());
    let reported: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let inner = options.browser.progress.clone().expect("progress");
    let log = reported.clone();
    options.browser.progress = Some(Arc::new(move |progress: Progress| {
        log.lock().expect("lock").push(progress.clone());
        inner(progress);
    }));
    let result = grants::run(profile, http, &options).await;
    let reported = reported.lock().expect("lock").clone();
    (result, reported)
}

fn hardened(reported: &[Progress]) -> Option<grants::hardened::Hardened> {
    reported.iter().find_map(|p| match p {
        Progress::Hardened(h) => Some((**h).clone()),
        _ => None,
    })
}

async fn demo_with(names: &[&str]) -> DemoServer {
    support::demo_with_faults(names, false).await
}

#[tokio::test]
async fn a_pushed_request_sends_the_browser_with_client_id_and_request_uri_only() {
    let server = demo().await;
    let base = server.url();
    let profile = profile(&ProfileFile {
        require_pushed_authorization_requests: Some(true),
        ..code_file(&base)
    });
    let http = client(&profile);
    let (result, reported) = run(&profile, &http).await;
    let tokens = result.expect("the grant with PAR");
    assert!(!tokens.access_token.expose().is_empty());

    let pushed = http
        .exchanges()
        .into_iter()
        .find(|e| e.kind == ExchangeKind::Par)
        .expect("the PAR exchange");
    assert_eq!(pushed.status(), Some(201));
    let body = String::from_utf8_lossy(&pushed.request.body).into_owned();
    assert!(
        body.contains("code_challenge="),
        "the parameters are pushed: {body}"
    );
    assert!(body.contains("redirect_uri="));
    assert!(
        pushed
            .request
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && v.starts_with("Basic ")),
        "the client authenticates at the PAR endpoint"
    );
    let hardened = hardened(&reported).expect("reported");
    let pairs: Vec<(String, String)> = hardened.url.query_pairs().into_owned().collect();
    let names: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["client_id", "request_uri"], "RFC 9126 §4");
    let pushed = hardened.pushed.expect("pushed");
    assert!(
        pushed
            .request_uri
            .starts_with("urn:ietf:params:oauth:request_uri:")
    );
    assert!(pushed.expires_in.is_some());
    // Nothing asked the authorization endpoint before the browser: the
    // request_uri is good for one use.
    assert!(
        !http
            .exchanges()
            .iter()
            .any(|e| e.kind == ExchangeKind::Authorize),
        "no preflight with PAR"
    );
}

#[tokio::test]
async fn a_server_that_requires_par_refuses_a_plain_request_and_takes_a_pushed_one() {
    let server = demo_with(&["par-required"]).await;
    let base = server.url();
    let plain = support::profile(&code_file(&base));
    let (result, _) = run(&plain, &client(&plain)).await;
    let err = result.expect_err("PAR is required");
    assert!(
        err.to_string().to_ascii_lowercase().contains("push"),
        "the error page says why: {err}"
    );
    let pushed = profile(&ProfileFile {
        require_pushed_authorization_requests: Some(true),
        ..code_file(&base)
    });
    let (result, _) = run(&pushed, &client(&pushed)).await;
    result.expect("pushed works");
}

#[tokio::test]
async fn a_request_object_is_pushed_signed_with_the_clients_key() {
    let server = demo().await;
    let base = server.url();
    let profile = profile(&ProfileFile {
        require_pushed_authorization_requests: Some(true),
        ..jwt_file(&base)
    });
    let http = client(&profile);
    let (result, reported) = run(&profile, &http).await;
    result.expect("PAR + JAR + private_key_jwt");
    let pushed = http
        .exchanges()
        .into_iter()
        .find(|e| e.kind == ExchangeKind::Par)
        .expect("the PAR exchange");
    let sent = sent_jwts(&pushed.request);
    let object = sent
        .iter()
        .find(|j| j.label == "Request object (JAR)")
        .expect("the request object, decoded");
    assert_eq!(object.decoded.header["typ"], "oauth-authz-req+jwt");
    assert_eq!(object.decoded.header["kid"], "demo-jwt-1");
    assert_eq!(object.decoded.claims["iss"], "demo-jwt");
    assert_eq!(object.decoded.claims["client_id"], "demo-jwt");
    assert_eq!(object.decoded.claims["aud"], base.as_str());
    assert_eq!(object.decoded.claims["response_type"], "code");
    for claim in ["iat", "nbf", "exp", "jti", "state", "code_challenge"] {
        assert!(object.decoded.claims.get(claim).is_some(), "{claim}");
    }
    let assertion = sent
        .iter()
        .find(|j| j.label.starts_with("Client assertion"))
        .expect("the client authenticates with an assertion");
    assert_eq!(
        assertion.decoded.claims["aud"],
        base.as_str(),
        "aud = issuer"
    );
    let body = String::from_utf8_lossy(&pushed.request.body).into_owned();
    assert!(
        !body.contains("code_challenge="),
        "only inside the object: {body}"
    );
    assert!(hardened(&reported).and_then(|h| h.request_object).is_some());
}

#[tokio::test]
async fn a_request_object_by_value_travels_in_the_browser_url() {
    let server = demo().await;
    let base = server.url();
    let profile = profile(&jwt_file(&base));
    let http = client(&profile);
    let (result, reported) = run(&profile, &http).await;
    result.expect("JAR by value");
    let url = hardened(&reported).expect("reported").url;
    let names: Vec<String> = url.query_pairs().map(|(n, _)| n.into_owned()).collect();
    assert!(names.contains(&"request".to_string()), "{names:?}");
    assert!(names.contains(&"client_id".to_string()));
    assert!(
        !names.contains(&"code_challenge".to_string()),
        "the parameters are inside the object"
    );
}

#[tokio::test]
async fn a_push_the_server_refuses_is_an_explained_error_of_the_pushed_request() {
    let server = demo().await;
    let base = server.url();
    let profile = profile(&ProfileFile {
        require_pushed_authorization_requests: Some(true),
        redirect_uri: Some("https://elsewhere.example/callback".into()),
        ..code_file(&base)
    });
    let (options, _) = played_by(Person::default());
    let err = grants::run(&profile, &client(&profile), &options)
        .await
        .expect_err("an unregistered redirect URI is refused at the PAR endpoint");
    let EngineError::OAuth { exchange, .. } = &err else {
        panic!("an OAuth error, not {err:?}");
    };
    assert_eq!(exchange.kind, ExchangeKind::Par);
    assert_eq!(
        Stage::of_grant_error(GrantType::AuthorizationCode, &err),
        Stage::PushedAuthorization
    );
    let explanation = err
        .explanation(Stage::PushedAuthorization)
        .expect("explained");
    assert!(explanation.reference.is_some());
}

fn jarm_file(base: &str, mode: &str) -> ProfileFile {
    ProfileFile {
        response_mode: Some(mode.into()),
        ..code_file(base)
    }
}

#[tokio::test]
async fn a_signed_authorization_response_is_verified_before_its_code_is_used() {
    let server = demo().await;
    let base = server.url();
    for mode in ["jwt", "query.jwt", "fragment.jwt", "form_post.jwt"] {
        let profile = profile(&jarm_file(&base, mode));
        let http = client(&profile);
        let (result, reported) = run(&profile, &http).await;
        result.unwrap_or_else(|err| panic!("{mode}: {err}"));
        let checks = reported
            .iter()
            .find_map(|p| match p {
                Progress::JarmVerified(checks) => Some(checks.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{mode}: the JARM checks are reported"));
        for name in ["signature", "iss", "aud", "exp"] {
            let check = checks
                .iter()
                .find(|c| c.name == name)
                .unwrap_or_else(|| panic!("{mode}: {name} checked: {checks:?}"));
            assert_eq!(check.verdict.as_str(), "pass", "{mode}: {check:?}");
        }
    }
}

#[tokio::test]
async fn each_bad_signed_response_fails_its_own_check() {
    for (fault, check) in [
        ("jarm-bad-signature", "signature"),
        ("jarm-wrong-aud", "aud"),
        ("jarm-wrong-iss", "iss"),
        ("jarm-expired", "exp"),
        ("jarm-no-exp", "exp"),
        ("jarm-no-iss", "iss"),
        ("jarm-no-aud", "aud"),
        ("jarm-alg-none", "alg"),
    ] {
        let server = demo_with(&[fault]).await;
        let base = server.url();
        for mode in ["jwt", "query.jwt", "fragment.jwt", "form_post.jwt"] {
            let profile = profile(&jarm_file(&base, mode));
            let (result, _) = run(&profile, &client(&profile)).await;
            let err = result.expect_err(fault);
            let text = err.to_string();
            assert!(
                text.contains(&format!("{check}:"))
                    || (check == "iss" && text.contains("issuer mismatch")),
                "{fault} in {mode} should fail the {check} check: {text}"
            );
        }
    }
}

#[tokio::test]
async fn a_form_post_response_is_taken_from_the_posted_form() {
    let server = demo().await;
    let base = server.url();
    let profile = profile(&jarm_file(&base, "form_post"));
    let http = client(&profile);
    let (result, reported) = run(&profile, &http).await;
    result.expect("form_post");
    assert!(
        reported
            .iter()
            .any(|p| matches!(p, Progress::ResponsePosted)),
        "the step says the response came by form post"
    );
    // A plain redirect is not called a form post.
    let plain = support::profile(&code_file(&base));
    let (result, plain_reported) = run(&plain, &client(&plain)).await;
    result.expect("query");
    assert!(
        !plain_reported
            .iter()
            .any(|p| matches!(p, Progress::ResponsePosted))
    );
    let url = reported
        .iter()
        .find_map(|p| match p {
            Progress::AuthorizationUrl(request) => Some(request.url.clone()),
            _ => None,
        })
        .expect("the authorization request");
    assert!(
        url.query_pairs()
            .any(|(n, v)| n == "response_mode" && v == "form_post")
    );
}

#[tokio::test]
async fn an_iss_that_names_another_issuer_ends_the_grant() {
    let server = demo_with(&["iss-wrong"]).await;
    let base = server.url();
    let profile = profile(&code_file(&base));
    let (result, _) = run(&profile, &client(&profile)).await;
    let err = result.expect_err("RFC 9207 §2.4");
    assert!(err.to_string().contains("issuer mismatch"), "{err}");
}

#[tokio::test]
async fn a_missing_iss_ends_the_grant_when_the_server_promised_it() {
    use oauth_debugger::engine::endpoints::autodiscovery::{self, DiscoveryCache};
    use oauth_debugger::engine::wire::callback::CallbackError;
    let server = demo_with(&["iss-missing"]).await;
    let base = server.url();
    // The profile does not say: a response without iss is taken.
    let silent = profile(&code_file(&base));
    let (result, _) = run(&silent, &client(&silent)).await;
    result.expect("no promise, no refusal");
    // The profile says the server sends iss (RFC 9207 §2.4).
    let promised = profile(&ProfileFile {
        authorization_response_iss_parameter_supported: Some(true),
        ..code_file(&base)
    });
    let (result, _) = run(&promised, &client(&promised)).await;
    let err = result.expect_err("RFC 9207 §2.4");
    assert!(
        matches!(
            err,
            EngineError::Callback(CallbackError::IssuerMissing { .. })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("no iss"), "{err}");
    // Discovery learns the promise for a profile that names only its
    // issuer, and the run refuses the same way.
    let issuer_only = profile(&ProfileFile {
        authorization_endpoint: None,
        token_endpoint: None,
        ..code_file(&base)
    });
    let (completed, note) = autodiscovery::complete(
        &issuer_only,
        &client(&issuer_only),
        &DiscoveryCache::new(),
        GrantType::AuthorizationCode.endpoints(),
    )
    .await
    .expect("discovered");
    assert!(
        note.expect("a note")
            .filled
            .contains(&"authorization_response_iss_parameter_supported")
    );
    let (result, _) = run(&completed, &client(&completed)).await;
    assert!(
        matches!(
            result,
            Err(EngineError::Callback(CallbackError::IssuerMissing { .. }))
        ),
        "{result:?}"
    );
    // The same profile against a server that sends iss runs through.
    let honest = demo().await;
    let promised = profile(&ProfileFile {
        authorization_response_iss_parameter_supported: Some(true),
        ..code_file(&honest.url())
    });
    let (result, _) = run(&promised, &client(&promised)).await;
    result.expect("iss present");
}

#[tokio::test]
async fn par_jar_private_key_jwt_dpop_and_pkce_together() {
    let server = demo().await;
    let base = server.url();
    let profile = profile(&ProfileFile {
        require_pushed_authorization_requests: Some(true),
        dpop_bound_access_tokens: Some(true),
        response_mode: Some("jwt".into()),
        ..jwt_file(&base)
    });
    let key = Arc::new(
        oauth_debugger::engine::client::dpop::DpopKey::for_profile(&profile)
            .expect("key")
            .expect("DPoP on"),
    );
    let http = client(&profile).with_dpop(Some(key.clone()));
    let (result, _) = run(&profile, &http).await;
    let tokens = result.expect("the whole hardened grant");
    assert!(tokens.is_dpop_bound(), "{:?}", tokens.token_type);
    assert!(tokens.findings.iter().any(|f| f.code == "dpop_bound"));
    let pushed = http
        .exchanges()
        .into_iter()
        .find(|e| e.kind == ExchangeKind::Par)
        .expect("pushed");
    let sent = sent_jwts(&pushed.request);
    let labels: Vec<&str> = sent.iter().map(|j| j.label.as_str()).collect();
    assert!(labels.contains(&"Request object (JAR)"), "{labels:?}");
    assert!(
        labels.contains(&"DPoP proof"),
        "a proof at the PAR endpoint: {labels:?}"
    );
    assert!(labels.iter().any(|l| l.starts_with("Client assertion")));
    let object = &sent[labels
        .iter()
        .position(|l| *l == "Request object (JAR)")
        .expect("jar")];
    assert_eq!(object.decoded.claims["code_challenge_method"], "S256");
    assert_eq!(object.decoded.claims["dpop_jkt"], key.thumbprint().as_str());
}

/// A profile that meets FAPI 2.0: PAR + JAR + private_key_jwt + DPoP + PKCE
/// S256, checked.
fn fapi2_file(base: &str) -> ProfileFile {
    ProfileFile {
        require_pushed_authorization_requests: Some(true),
        dpop_bound_access_tokens: Some(true),
        fapi2: Some(true),
        ..jwt_file(base)
    }
}

async fn fapi2_run(server: &DemoServer, file: ProfileFile) -> Result<TokenSet, EngineError> {
    let profile = profile(&file);
    let key = oauth_debugger::engine::client::dpop::DpopKey::for_profile(&profile)
        .expect("key")
        .map(Arc::new);
    let http = client(&profile).with_dpop(key);
    let _ = server;
    run(&profile, &http).await.0
}

fn fapi2_codes(tokens: &TokenSet) -> Vec<String> {
    tokens
        .findings
        .iter()
        .filter(|f| f.code.starts_with("fapi2_") && f.code != "fapi2_summary")
        .map(|f| f.code.clone())
        .collect()
}

#[tokio::test]
async fn a_fapi2_run_against_a_fapi2_server_passes_with_no_finding() {
    let server = demo_with(&["fapi2"]).await;
    let base = server.url();
    let tokens = fapi2_run(&server, fapi2_file(&base))
        .await
        .expect("the FAPI 2.0 grant");
    assert_eq!(fapi2_codes(&tokens), Vec::<String>::new());
    let summary = tokens
        .findings
        .iter()
        .find(|f| f.code == "fapi2_summary")
        .expect("a summary");
    assert!(
        summary.message.contains("every requirement"),
        "{}",
        summary.message
    );

    // The same server refuses a run without PAR.
    let err = fapi2_run(
        &server,
        ProfileFile {
            require_pushed_authorization_requests: None,
            ..fapi2_file(&base)
        },
    )
    .await
    .expect_err("a fapi2 server wants PAR");
    assert!(!err.to_string().is_empty());
}

#[tokio::test]
async fn each_broken_fapi2_requirement_is_its_own_finding() {
    let server = demo().await;
    let base = server.url();
    let cases: Vec<(&str, ProfileFile)> = vec![
        (
            "fapi2_pkce",
            ProfileFile {
                pkce: Some(oauth_debugger::engine::profile::PkceMode::Plain),
                ..fapi2_file(&base)
            },
        ),
        (
            "fapi2_par",
            ProfileFile {
                require_pushed_authorization_requests: None,
                ..fapi2_file(&base)
            },
        ),
        (
            "fapi2_sender_constrained",
            ProfileFile {
                dpop_bound_access_tokens: None,
                ..fapi2_file(&base)
            },
        ),
        (
            "fapi2_algorithm",
            ProfileFile {
                dpop_signing_alg: Some("RS256".into()),
                ..fapi2_file(&base)
            },
        ),
        (
            "fapi2_client_auth",
            ProfileFile {
                client_id: Some("demo-client".into()),
                client_secret: Some(oauth_debugger::engine::Secret::new("demo-secret")),
                token_endpoint_auth_method: Some(ClientAuthMethod::ClientSecretBasic),
                request_object_signing_alg: None,
                ..fapi2_file(&base)
            },
        ),
    ];
    for (code, file) in cases {
        let codes = match fapi2_run(&server, file).await {
            Ok(tokens) => fapi2_codes(&tokens),
            Err(err) => panic!("{code}: the run should still finish: {err}"),
        };
        assert!(codes.contains(&code.to_string()), "{code}: {codes:?}");
    }
    // A server that leaves iss out of its answers.
    let quiet = demo_with(&["iss-missing"]).await;
    let tokens = fapi2_run(&quiet, fapi2_file(&quiet.url()))
        .await
        .expect("the run");
    assert_eq!(fapi2_codes(&tokens), vec!["fapi2_iss".to_string()]);
}

#[tokio::test]
async fn discovery_says_when_the_server_requires_pushed_requests_and_the_profile_does_not_push() {
    use oauth_debugger::engine::endpoints::autodiscovery::{self, DiscoveryCache};
    let server = demo_with(&["par-required"]).await;
    let base = server.url();
    let issuer_only = profile(&ProfileFile {
        authorization_endpoint: None,
        token_endpoint: None,
        pushed_authorization_request_endpoint: None,
        ..code_file(&base)
    });
    let (_, note) = autodiscovery::complete(
        &issuer_only,
        &client(&issuer_only),
        &DiscoveryCache::new(),
        GrantType::AuthorizationCode.endpoints(),
    )
    .await
    .expect("discovered");
    let note = note.expect("a note");
    assert!(
        note.findings
            .iter()
            .any(|f| f.code == "par_required_by_server"),
        "{:?}",
        note.findings
    );
}
