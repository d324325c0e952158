//! Errors explained where they happen, and error responses that break the
//! rules reported as findings. Real HTTP on 127.0.0.1: the built-in demo
//! provider, small axum servers, and the built binary.

use crate::support;

use axum::Router;
use axum::http::{HeaderName, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use oauth_debugger::engine::endpoints::api::{self, ApiRequest};
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType};
use oauth_debugger::engine::{EngineError, Explanation, Finding, Secret, Stage};
use support::{client, demo, demo_file, profile, serve};

const BIN: &str = env!("CARGO_BIN_EXE_oauth-debugger");

fn mentions(list: &[String], needle: &str) -> bool {
    list.iter().any(|line| line.contains(needle))
}

fn codes(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

/// The OAuth error of a failed grant: its code, findings and explanation.
fn refused(err: &EngineError, grant: GrantType) -> (String, Vec<Finding>, Explanation) {
    let EngineError::OAuth { error, .. } = err else {
        panic!("not an OAuth error: {err}");
    };
    let stage = Stage::of_grant_error(grant, err);
    let explanation = err.explanation(stage).expect("OAuth errors are explained");
    // Every finding: those read from the response, and those only the
    // request shows (a challenge owed after the Authorization header).
    (error.error.clone(), err.findings(stage), explanation)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_client_secret_is_explained_as_invalid_client() {
    let server = demo().await;
    let mut file = demo_file(
        &server.url(),
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.client_secret = Some(Secret::new("wrong"));
    let p = profile(&file);
    let err = grants::run(&p, &client(&p), &GrantOptions::default())
        .await
        .expect_err("refused");
    let (code, findings, explanation) = refused(&err, GrantType::ClientCredentials);
    assert_eq!(code, "invalid_client");
    assert_eq!(explanation.code, "invalid_client");
    assert!(mentions(
        &explanation.likely_causes,
        "client_secret is wrong"
    ));
    assert!(mentions(
        &explanation.what_to_try,
        "token_endpoint_auth_method"
    ));
    assert_eq!(explanation.reference.as_deref(), Some("RFC 6749 §5.2"));
    // The demo provider answers by the book: 401 with a Basic challenge.
    assert!(findings.is_empty(), "{findings:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reused_refresh_token_is_explained_as_rotation() {
    let server = demo().await;
    let file = demo_file(
        &server.url(),
        GrantType::Password,
        ClientAuthMethod::ClientSecretBasic,
    );
    let p = profile(&file);
    let http = client(&p);
    let first = grants::run(&p, &http, &GrantOptions::default())
        .await
        .expect("password grant")
        .refresh_token
        .expect("a refresh token");
    let refresh = GrantOptions {
        grant: Some(GrantType::RefreshToken),
        refresh_token: Some(first),
        ..GrantOptions::default()
    };
    grants::run(&p, &http, &refresh)
        .await
        .expect("first refresh");
    let err = grants::run(&p, &http, &refresh)
        .await
        .expect_err("the rotated token is refused");
    let (code, _, explanation) = refused(&err, GrantType::RefreshToken);
    assert_eq!(code, "invalid_grant");
    assert!(
        mentions(&explanation.likely_causes, "rotates refresh tokens"),
        "{explanation:?}"
    );
    assert!(mentions(&explanation.what_to_try, "newest refresh token"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_explains_a_wrong_secret_and_keeps_exit_1() {
    let server = demo().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut file = demo_file(
        &server.url(),
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.client_secret = Some(Secret::new("wrong"));
    let path = dir.path().join("wrong.toml");
    std::fs::write(&path, file.to_toml()).expect("write profile");
    let path = path.to_str().expect("path");

    let run = |json: bool| {
        let mut command = tokio::process::Command::new(BIN);
        command.args(["token", "--profile", path]);
        if json {
            command.arg("--json");
        }
        async move { command.output().await }
    };
    let out = run(false).await.expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: the server refused: invalid_client"),
        "{stderr}"
    );
    assert!(stderr.contains("Likely causes:\n  - "), "{stderr}");
    assert!(stderr.contains("client_secret is wrong"), "{stderr}");
    assert!(stderr.contains("Try:\n  - "), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout without --json");

    let out = run(true).await.expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(json["error"]["oauth"]["error"], "invalid_client");
    assert_eq!(json["error"]["oauth"]["status"], 401);
    assert_eq!(json["error"]["exit_code"], 1);
    assert!(json["error"]["findings"].is_array());
    assert_eq!(json["explanation"]["code"], "invalid_client");
    assert!(
        json["explanation"]["likely_causes"]
            .as_array()
            .is_some_and(|causes| !causes.is_empty())
    );
    assert_eq!(json["explanation"]["reference"], "RFC 6749 §5.2");
}

/// A server whose token endpoints break RFC 6749 §5.2 one way each, and whose
/// API refuses with a JSON error body.
async fn rule_breaker() -> String {
    let json = |status: StatusCode, body: &'static str| {
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    };
    let router = Router::new()
        .route(
            "/status-500",
            post(move || async move {
                json(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    r#"{"error":"invalid_request","error_description":"boom"}"#,
                )
            }),
        )
        .route(
            "/characters",
            post(move || async move {
                json(
                    StatusCode::BAD_REQUEST,
                    r#"{"error":"invalid_grant","error_description":"mot de passe \"incorrect\" — réessayez"}"#,
                )
            }),
        )
        .route(
            "/no-challenge",
            post(move || async move {
                json(
                    StatusCode::UNAUTHORIZED,
                    r#"{"error":"invalid_client","error_uri":"see the docs"}"#,
                )
            }),
        )
        .route(
            "/api",
            get(move || async move {
                let mut response = json(
                    StatusCode::UNAUTHORIZED,
                    r#"{"error":"token_expired","error_description":"expired"}"#,
                );
                response.headers_mut().insert(
                    HeaderName::from_static("www-authenticate"),
                    "Bearer error=\"invalid_token\"".parse().expect("header"),
                );
                response
            }),
        );
    serve(router).await
}

async fn token_findings(base: &str, path: &str) -> Vec<String> {
    let mut file = demo_file(
        base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.token_endpoint = Some(format!("{base}{path}"));
    let p = profile(&file);
    let err = grants::run(&p, &client(&p), &GrantOptions::default())
        .await
        .expect_err("refused");
    let (_, findings, _) = refused(&err, GrantType::ClientCredentials);
    for finding in &findings {
        assert!(finding.reference.is_some(), "{finding}");
    }
    codes(&findings).into_iter().map(String::from).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn error_responses_that_break_the_rules_become_findings() {
    let base = rule_breaker().await;
    assert_eq!(
        token_findings(&base, "/status-500").await,
        vec!["error_status_unexpected"]
    );
    assert_eq!(
        token_findings(&base, "/characters").await,
        vec!["error_description_characters"]
    );
    assert_eq!(
        token_findings(&base, "/no-challenge").await,
        vec!["error_uri_invalid", "invalid_client_without_challenge"]
    );

    // An API refusal: the JSON body's code is checked and explained, and the
    // challenge's code wins for the explanation.
    let p = profile(&demo_file(
        &base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let mut request = ApiRequest::from_config(p.api.as_ref().expect("api"));
    request.url = format!("{base}/api").parse().expect("url");
    let answer = api::call(&client(&p), &request, Some(&Secret::new("t")))
        .await
        .expect("an answer");
    assert_eq!(answer.status(), 401);
    assert_eq!(codes(&answer.findings), vec!["error_code_unregistered"]);
    let explanation = answer.explanation().expect("explained");
    assert_eq!(explanation.code, "invalid_token");
    assert!(mentions(&explanation.likely_causes, "expired"));
}
