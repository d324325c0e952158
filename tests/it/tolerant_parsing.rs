//! Token endpoints that bend or break the rules: each response still gives a
//! TokenSet with the right finding, or a clear error quoting what came back —
//! never a panic. Real HTTP against small axum servers on 127.0.0.1.

use crate::support;

use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType, HttpFile};
use oauth_debugger::engine::wire::http::TransportErrorKind;
use oauth_debugger::engine::{EngineError, TokenSet};
use support::{client, demo_file, profile, serve};

/// A token endpoint that always answers `status`, `content_type`, `body`.
async fn endpoint(status: u16, content_type: &'static str, body: &'static str) -> String {
    let router = Router::new().route(
        "/token",
        post(move || async move {
            let mut response: Response =
                (StatusCode::from_u16(status).expect("status"), body).into_response();
            if !content_type.is_empty() {
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, content_type.parse().expect("ct"));
            }
            response
        }),
    );
    serve(router).await
}

async fn run_against(base: &str, timeout_secs: u64) -> Result<TokenSet, EngineError> {
    let mut file = demo_file(
        base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.http = Some(HttpFile {
        timeout_secs: Some(timeout_secs),
        ..HttpFile::default()
    });
    let p = profile(&file);
    grants::run(&p, &client(&p), &GrantOptions::default()).await
}

fn codes(tokens: &TokenSet) -> Vec<&str> {
    tokens.findings.iter().map(|f| f.code.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn no_token_type_gives_tokens_and_a_finding() {
    let base = endpoint(
        200,
        "application/json",
        r#"{"access_token":"abc","expires_in":3600}"#,
    )
    .await;
    let tokens = run_against(&base, 5).await.expect("tolerated");
    assert_eq!(tokens.access_token.expose(), "abc");
    assert_eq!(tokens.token_type, None);
    assert_eq!(tokens.effective_token_type(), "Bearer");
    let finding = tokens
        .findings
        .iter()
        .find(|f| f.code == "token_type_missing")
        .expect("finding");
    assert_eq!(finding.reference.as_deref(), Some("RFC 6749 §5.1"));
    assert!(finding.message.contains("token_type missing"));
    // The oauth2 crate's strict parse rejected it; that is reported too.
    assert!(
        codes(&tokens).contains(&"strict_parse_failed"),
        "{:?}",
        codes(&tokens)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn capital_bearer_is_the_registered_form_and_gets_no_finding() {
    // RFC 6750 §6.1.1 registers "Bearer"; RFC 6749 §5.1 compares the value
    // case-insensitively. Only spellings that are neither get a note.
    let base = endpoint(
        200,
        "application/json",
        r#"{"access_token":"abc","token_type":"Bearer","expires_in":60}"#,
    )
    .await;
    let tokens = run_against(&base, 5).await.expect("accepted");
    assert_eq!(tokens.token_type.as_deref(), Some("Bearer"));
    assert!(
        !codes(&tokens).contains(&"token_type_case"),
        "{:?}",
        codes(&tokens)
    );
    assert!(!codes(&tokens).contains(&"strict_parse_failed"));

    let base = endpoint(
        200,
        "application/json",
        r#"{"access_token":"abc","token_type":"BEARER","expires_in":60}"#,
    )
    .await;
    let tokens = run_against(&base, 5).await.expect("accepted");
    let finding = tokens
        .findings
        .iter()
        .find(|f| f.code == "token_type_case")
        .expect("finding");
    assert_eq!(finding.severity, oauth_debugger::engine::Severity::Info);
    assert_eq!(finding.reference.as_deref(), Some("RFC 6750 §6.1.1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn expires_in_as_a_string_is_read_and_flagged() {
    let base = endpoint(
        200,
        "application/json",
        r#"{"access_token":"abc","token_type":"bearer","expires_in":"899"}"#,
    )
    .await;
    let tokens = run_against(&base, 5).await.expect("tolerated");
    assert_eq!(tokens.expires_in, Some(899));
    let left = tokens
        .seconds_left(tokens.obtained_at)
        .expect("expiry computed");
    assert_eq!(left, 899);
    assert!(
        codes(&tokens).contains(&"expires_in_string"),
        "{:?}",
        codes(&tokens)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_html_page_is_a_clear_error_quoting_it() {
    let base = endpoint(
        200,
        "text/html",
        "<html><body><h1>Sign in to continue</h1></body></html>",
    )
    .await;
    let err = run_against(&base, 5).await.expect_err("html");
    let EngineError::BadResponse { message, exchange } = &err else {
        panic!("expected BadResponse, got {err:?}");
    };
    assert!(message.contains("HTML page"), "{message}");
    assert!(
        message.contains("Sign in to continue"),
        "quotes the body: {message}"
    );
    assert_eq!(exchange.status(), Some(200));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_body_is_a_clear_error() {
    let base = endpoint(200, "application/json", "").await;
    let err = run_against(&base, 5).await.expect_err("empty");
    assert!(matches!(err, EngineError::BadResponse { .. }), "{err:?}");
    assert!(err.to_string().contains("empty body"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_500_page_is_a_clear_error_with_its_status_and_body() {
    let base = endpoint(500, "text/html", "<h1>Internal Server Error</h1>").await;
    let err = run_against(&base, 5).await.expect_err("500");
    let text = err.to_string();
    assert!(
        text.contains("HTTP 500") && text.contains("Internal Server Error"),
        "{text}"
    );
    assert_eq!(err.exchange().and_then(|e| e.status()), Some(500));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oauth_error_with_status_200_is_an_error_and_a_finding() {
    let base = endpoint(
        200,
        "application/json",
        r#"{"error":"invalid_scope","error_description":"nope"}"#,
    )
    .await;
    let err = run_against(&base, 5).await.expect_err("error");
    let EngineError::OAuth {
        error, findings, ..
    } = &err
    else {
        panic!("expected an OAuth error, got {err:?}");
    };
    assert_eq!(error.error, "invalid_scope");
    assert!(
        findings
            .iter()
            .any(|f| f.code == "error_with_success_status")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_answers_times_out_with_a_clear_message() {
    let router = Router::new().route(
        "/token",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "too late"
        }),
    );
    let base = serve(router).await;
    let started = Instant::now();
    let err = run_against(&base, 1).await.expect_err("timeout");
    let EngineError::Transport { error, exchange } = &err else {
        panic!("expected a transport error, got {err:?}");
    };
    assert_eq!(error.kind, TransportErrorKind::Timeout);
    assert!(err.to_string().contains("did not answer in time"), "{err}");
    assert!(exchange.is_some(), "the request is still shown");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_port_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let err = run_against(&base, 5).await.expect_err("refused");
    let EngineError::Transport { error, .. } = &err else {
        panic!("expected a transport error, got {err:?}");
    };
    assert_eq!(error.kind, TransportErrorKind::Connect);
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_bodies_never_panic() {
    let bodies: &[&'static str] = &[
        "null",
        "[]",
        "42",
        "\"str\"",
        "{",
        "{\"access_token\":null}",
        "{\"access_token\":5}",
        "{\"access_token\":\"a\",\"expires_in\":-5}",
        "{\"access_token\":\"a\",\"expires_in\":1e308}",
        "{\"access_token\":\"a\",\"expires_in\":18446744073709551615}",
        "{\"access_token\":\"a\",\"scope\":[\"x\",1]}",
        "{\"access_token\":\"a\",\"id_token\":\"not.a.jwt\"}",
        "{\"error\":{}}",
        "\u{feff}{}",
    ];
    for body in bodies {
        let base = endpoint(200, "application/json", body).await;
        // Either outcome is fine; what matters is a value, not a panic.
        match run_against(&base, 5).await {
            Ok(tokens) => assert!(!tokens.access_token.is_empty()),
            Err(err) => assert!(!err.to_string().is_empty()),
        }
    }
}

async fn run_with_compat(
    base: &str,
    compat: Option<oauth_debugger::engine::profile::CompatFile>,
) -> Result<TokenSet, EngineError> {
    let mut file = demo_file(
        base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.compat = compat;
    let p = profile(&file);
    grants::run(&p, &client(&p), &GrantOptions::default()).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_201_is_refused_naming_the_switch_and_accepted_with_it() {
    use oauth_debugger::engine::profile::CompatFile;
    let base = endpoint(
        201,
        "application/json",
        r#"{"access_token":"abc","token_type":"bearer","expires_in":60}"#,
    )
    .await;
    let err = run_with_compat(&base, None).await.expect_err("refused");
    assert!(err.to_string().contains("accept_any_2xx"), "{err}");
    assert_eq!(err.exchange().and_then(|e| e.status()), Some(201), "kept");
    let tokens = run_with_compat(
        &base,
        Some(CompatFile {
            accept_any_2xx: true,
            ..CompatFile::default()
        }),
    )
    .await
    .expect("accepted");
    assert!(codes(&tokens).contains(&"success_status_not_200"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_non_json_content_type_is_refused_naming_the_switch_and_accepted_with_it() {
    use oauth_debugger::engine::profile::CompatFile;
    let base = endpoint(
        200,
        "text/plain",
        r#"{"access_token":"abc","token_type":"bearer","expires_in":60}"#,
    )
    .await;
    let err = run_with_compat(&base, None).await.expect_err("refused");
    assert!(
        err.to_string().contains("accept_non_json_content_type"),
        "{err}"
    );
    let tokens = run_with_compat(
        &base,
        Some(CompatFile {
            accept_non_json_content_type: true,
            ..CompatFile::default()
        }),
    )
    .await
    .expect("accepted");
    assert!(codes(&tokens).contains(&"content_type_not_json"));
}

#[tokio::test(flavor = "multi_thread")]
async fn trailing_commas_are_repaired_only_with_the_switch() {
    use oauth_debugger::engine::profile::CompatFile;
    let base = endpoint(
        200,
        "application/json",
        "{\n \"access_token\": \"abc\",\n \"token_type\": \"bearer\",\n}",
    )
    .await;
    let err = run_with_compat(&base, None).await.expect_err("refused");
    assert!(err.to_string().contains("repair_json"), "{err}");
    let tokens = run_with_compat(
        &base,
        Some(CompatFile {
            repair_json: true,
            ..CompatFile::default()
        }),
    )
    .await
    .expect("repaired");
    assert!(codes(&tokens).contains(&"json_repaired"));
    assert!(tokens.raw_text.is_some_and(|raw| raw.contains(",\n}")));
}
