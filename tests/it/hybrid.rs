//! The OpenID Connect hybrid flow (issue 16) against the demo provider:
//! each hybrid response type runs through, its front channel checked
//! before the code exchange (OIDC Core §3.3.2.12); each `hybrid-*` fault
//! stops the grant before any token request, with the check that failed
//! and its section; a `sub` that differs between the two ID tokens is an
//! error finding (§3.3.3.6); a query response mode is refused before
//! anything is sent; and the CLI's `token --json` carries the checks.

use crate::support;

use oauth_debugger::demo::user_agent::Person;
use oauth_debugger::engine::diagnose::findings::Severity;
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType};
use oauth_debugger::engine::wire::callback::CallbackError;
use oauth_debugger::engine::wire::http::{ExchangeKind, HttpClient};
use oauth_debugger::engine::{EngineError, Profile, ProfileFile, TokenSet, grants};
use support::{browser_file, client, played_by, profile};

fn hybrid_file(base: &str, response_type: &str) -> ProfileFile {
    ProfileFile {
        jwks_uri: Some(format!("{base}/jwks")),
        response_type: Some(response_type.into()),
        ..browser_file(
            base,
            GrantType::AuthorizationCode,
            ClientAuthMethod::ClientSecretBasic,
        )
    }
}

/// Runs the grant as alice; the result, the client (its exchanges) and
/// the authorization URLs sent.
async fn run(profile: &Profile) -> (Result<TokenSet, EngineError>, HttpClient, Vec<String>) {
    let http = client(profile);
    let (options, seen) = played_by(Person::default());
    let result = grants::run(profile, &http, &options).await;
    let urls = seen
        .lock()
        .expect("lock")
        .iter()
        .map(|r| r.url.to_string())
        .collect();
    (result, http, urls)
}

fn token_requests(http: &HttpClient) -> usize {
    http.exchanges()
        .iter()
        .filter(|e| e.kind == ExchangeKind::Token)
        .count()
}

fn finding<'a>(tokens: &'a TokenSet, code: &str) -> Option<&'a oauth_debugger::engine::Finding> {
    tokens.findings.iter().find(|f| f.code == code)
}

#[tokio::test(flavor = "multi_thread")]
async fn each_hybrid_response_type_is_checked_then_exchanged() {
    let server = support::demo().await;
    let base = server.url();
    for (response_type, front_tokens) in [
        ("code id_token", &["id_token"][..]),
        ("code token", &["access_token"][..]),
        ("code id_token token", &["id_token", "access_token"][..]),
    ] {
        let profile = profile(&hybrid_file(&base, response_type));
        let (result, http, urls) = run(&profile).await;
        let tokens = result.unwrap_or_else(|err| panic!("{response_type}: {err}"));
        let sent = url::Url::parse(&urls[0]).expect("url");
        let asked = sent
            .query_pairs()
            .find(|(k, _)| k == "response_type")
            .map(|(_, v)| v.into_owned());
        assert_eq!(asked.as_deref(), Some(response_type));
        assert!(sent.query_pairs().any(|(k, _)| k == "nonce"));
        assert_eq!(
            token_requests(&http),
            1,
            "{response_type}: one code exchange"
        );
        // Every front-channel check passed and travels with the tokens.
        let failed: Vec<&str> = tokens
            .findings
            .iter()
            .filter(|f| f.code.starts_with("hybrid_") && f.severity == Severity::Error)
            .map(|f| f.message.as_str())
            .collect();
        assert!(failed.is_empty(), "{response_type}: {failed:?}");
        assert!(finding(&tokens, "hybrid_response_in_query").is_none());
        if front_tokens.contains(&"access_token") {
            assert!(finding(&tokens, "hybrid_access_token").is_some());
        }
        if front_tokens.contains(&"id_token") {
            for check in [
                "hybrid_signature",
                "hybrid_iss",
                "hybrid_aud",
                "hybrid_exp",
                "hybrid_nonce",
                "hybrid_c_hash",
                "hybrid_s_hash",
            ] {
                let found = finding(&tokens, check)
                    .unwrap_or_else(|| panic!("{response_type}: {check} in {:?}", tokens.findings));
                assert!(found.message.contains("(pass)"), "{}", found.message);
            }
            assert!(
                finding(&tokens, "hybrid_c_hash")
                    .is_some_and(|f| f.reference.as_deref() == Some("OIDC Core §3.3.2.11"))
            );
            assert!(finding(&tokens, "hybrid_sub_matches").is_some());
            assert!(finding(&tokens, "hybrid_iss_matches").is_some());
        }
        if front_tokens.len() == 2 {
            assert!(
                finding(&tokens, "hybrid_at_hash").is_some_and(|f| f.message.contains("(pass)"))
            );
        }
        // The token endpoint's own tokens are the token set's.
        assert!(tokens.id_token.is_some() && tokens.refresh_token.is_some());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_fault_stops_the_grant_before_the_code_exchange() {
    for (fault, response_type, check, section) in [
        (
            "hybrid-bad-c-hash",
            "code id_token",
            "c_hash",
            "OIDC Core §3.3.2.11",
        ),
        (
            "hybrid-no-c-hash",
            "code id_token",
            "c_hash",
            "OIDC Core §3.3.2.11",
        ),
        (
            "hybrid-bad-at-hash",
            "code id_token token",
            "at_hash",
            "OIDC Core §3.1.3.8",
        ),
        (
            "hybrid-bad-s-hash",
            "code id_token",
            "s_hash",
            "FAPI 1.0 Advanced §5.1",
        ),
    ] {
        let server = support::demo_with_faults(&[fault], false).await;
        let profile = profile(&hybrid_file(&server.url(), response_type));
        let (result, http, _) = run(&profile).await;
        let err = result.expect_err(fault);
        let EngineError::Callback(CallbackError::HybridRejected { message, findings }) = &err
        else {
            panic!("{fault}: {err}");
        };
        assert!(
            message.contains(&format!("{check}:")) && message.contains(section),
            "{fault}: {message}"
        );
        assert!(
            err.to_string().contains("before its code was exchanged"),
            "{err}"
        );
        assert!(
            findings
                .iter()
                .any(|f| f.code == format!("hybrid_{check}") && f.severity == Severity::Error),
            "{fault}: {findings:?}"
        );
        assert_eq!(
            token_requests(&http),
            0,
            "{fault}: the code was not exchanged"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_front_channel_sub_not_the_token_endpoints_is_an_error_finding() {
    let server = support::demo_with_faults(&["hybrid-sub-mismatch"], false).await;
    let profile = profile(&hybrid_file(&server.url(), "code id_token"));
    let (result, http, _) = run(&profile).await;
    // §3.3.3.6 can only be checked after the exchange.
    let tokens = result.expect("the grant runs; the comparison is a finding");
    assert_eq!(token_requests(&http), 1);
    let mismatch = finding(&tokens, "hybrid_sub_mismatch").expect("sub mismatch");
    assert_eq!(mismatch.severity, Severity::Error);
    assert_eq!(mismatch.reference.as_deref(), Some("OIDC Core §3.3.3.6"));
    assert!(
        mismatch.message.contains("alice-elsewhere"),
        "{}",
        mismatch.message
    );
    assert!(finding(&tokens, "hybrid_iss_matches").is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_query_response_mode_or_a_missing_openid_is_refused_before_anything_is_sent() {
    let server = support::demo().await;
    let base = server.url();
    let query = profile(&ProfileFile {
        response_mode: Some("query".into()),
        ..hybrid_file(&base, "code token")
    });
    let (result, http, urls) = run(&query).await;
    let err = result.expect_err("query").to_string();
    assert!(
        err.contains("response_mode")
            && err.contains("Multiple Response Type Encoding Practices §5"),
        "{err}"
    );
    assert!(urls.is_empty() && http.exchanges().is_empty());

    let no_openid = profile(&ProfileFile {
        scope: Some("read".into()),
        ..hybrid_file(&base, "code id_token")
    });
    let (result, http, _) = run(&no_openid).await;
    let err = result.expect_err("no openid").to_string();
    assert!(err.contains("openid") && err.contains("§3.3.2.1"), "{err}");
    assert!(http.exchanges().is_empty());

    // Without openid, `code token` is plain OAuth: it runs.
    let plain = profile(&ProfileFile {
        scope: Some("read".into()),
        ..hybrid_file(&base, "code token")
    });
    let (result, _, _) = run(&plain).await;
    let tokens = result.expect("code token without openid");
    assert!(finding(&tokens, "hybrid_access_token").is_some());
}

#[test]
fn response_types_are_read_in_any_order_and_others_are_refused() {
    let base = "http://127.0.0.1:7878";
    let read = |text: &str| Profile::from_file(&hybrid_file(base, text), "t");
    assert_eq!(
        read("id_token code")
            .expect("any order")
            .authz
            .response_type,
        oauth_debugger::engine::grants::hybrid::CodeResponseType::CodeIdToken
    );
    let err = read("Code Token").expect_err("case").to_string();
    assert!(
        err.contains("response_type") && err.contains("did you mean `code token`?"),
        "{err}"
    );
    let err = read("id_token").expect_err("implicit").to_string();
    assert!(err.contains("implicit"), "{err}");
}

/// The CLI runs the hybrid flow from a profile, the scripted demo browser
/// as `$BROWSER`; `--json` has the front-channel checks among the findings.
#[test]
fn the_cli_token_json_carries_the_front_channel_checks() {
    const BIN: &str = env!("CARGO_BIN_EXE_oauth-debugger");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(support::demo());
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hybrid.toml");
    std::fs::write(
        &path,
        hybrid_file(&server.url(), "code id_token token").to_toml(),
    )
    .expect("write");
    let out = std::process::Command::new(BIN)
        .args(["token", "--profile", path.to_str().expect("path"), "--json"])
        .env("BROWSER", format!("{BIN} demo-browser"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    assert!(
        stderr.contains("Front channel (fragment, response_type code id_token token)"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    for code in [
        "hybrid_c_hash",
        "hybrid_at_hash",
        "hybrid_s_hash",
        "hybrid_sub_matches",
    ] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
}
