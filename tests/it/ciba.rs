//! CIBA (OpenID CIBA Core 1.0) against the demo provider over real HTTP:
//! poll and ping modes, slow_down honoured, denial, expiry, a wrong
//! notification token refused, discovery of the endpoint, and the CLI.

use crate::support;

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oauth_debugger::demo::{DemoConfig, DemoServer};
use oauth_debugger::engine::grants::{self, BrowserOptions, GrantOptions, Progress};
use oauth_debugger::engine::profile::grant_tables::CibaFile;
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType};
use oauth_debugger::engine::wire::http::{Exchange, ExchangeKind};
use oauth_debugger::engine::{EngineError, ProfileFile, Secret, Stage, TokenSet};
use support::{client, demo_file, profile};

const BIN: &str = env!("CARGO_BIN_EXE_oauth-debugger");

/// A demo provider whose CIBA interval is one second, with `faults` on.
async fn demo(faults: &[&str], ttl: Duration) -> DemoServer {
    let mut switches = oauth_debugger::demo::Faults::default();
    for name in faults {
        assert!(switches.switch_on(name), "unknown fault {name}");
    }
    DemoServer::start(DemoConfig {
        port: 0,
        device_interval: Duration::from_secs(1),
        device_code_ttl: ttl,
        faults: switches,
        ..DemoConfig::default()
    })
    .await
    .expect("demo provider starts")
}

/// The demo's CIBA client in `mode` (`demo-ciba-ping` for ping).
fn ciba_file(base: &str, mode: &str, table: CibaFile) -> ProfileFile {
    let (id, secret) = if mode == "ping" {
        ("demo-ciba-ping", "ciba-ping-secret")
    } else {
        ("demo-ciba", "ciba-secret")
    };
    ProfileFile {
        issuer: Some(base.to_string()),
        backchannel_authentication_endpoint: Some(format!("{base}/bc-authorize")),
        jwks_uri: Some(format!("{base}/jwks")),
        client_id: Some(id.into()),
        client_secret: Some(Secret::new(secret)),
        scope: Some("openid profile".into()),
        ciba: Some(CibaFile {
            backchannel_token_delivery_mode: Some(mode.into()),
            ..table
        }),
        ..demo_file(base, GrantType::Ciba, ClientAuthMethod::ClientSecretBasic)
    }
}

fn alice() -> CibaFile {
    CibaFile {
        login_hint: Some("alice".into()),
        binding_message: Some("code 7741".into()),
        ..CibaFile::default()
    }
}

/// Runs the grant, keeping what it reported and every exchange.
async fn run(
    file: &ProfileFile,
    options: GrantOptions,
) -> (Result<TokenSet, EngineError>, Vec<Progress>, Vec<Exchange>) {
    let profile = profile(file);
    let http = client(&profile);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let options = GrantOptions {
        browser: BrowserOptions {
            open_browser: false,
            timeout: Duration::from_secs(60),
            progress: Some(Arc::new(move |p| sink.lock().expect("lock").push(p))),
            ..BrowserOptions::default()
        },
        ..options
    };
    let result = grants::run(&profile, &http, &options).await;
    let progress = seen.lock().expect("lock").clone();
    (result, progress, http.exchanges())
}

fn token_polls(exchanges: &[Exchange]) -> Vec<&Exchange> {
    exchanges
        .iter()
        .filter(|e| {
            e.kind == ExchangeKind::Token
                && String::from_utf8_lossy(&e.request.body).contains("grant-type%3Aciba")
        })
        .collect()
}

fn body(exchange: &Exchange) -> String {
    String::from_utf8_lossy(&exchange.response.as_ref().expect("answered").body).into_owned()
}

fn codes(tokens: &TokenSet) -> Vec<&str> {
    tokens.findings.iter().map(|f| f.code.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_mode_asks_for_alice_polls_at_the_interval_and_verifies_the_id_token() {
    let server = demo(&[], Duration::from_secs(120)).await;
    let base = server.url();
    let (result, progress, exchanges) =
        run(&ciba_file(&base, "poll", alice()), GrantOptions::default()).await;
    let tokens = result.expect("tokens");
    assert_eq!(tokens.grant, GrantType::Ciba);
    assert!(tokens.id_token.is_some(), "an ID token for openid");
    // Verified as every grant's ID token is (no nonce: CIBA sends none).
    let profile = support::profile(&ciba_file(&base, "poll", alice()));
    let verified = oauth_debugger::engine::jwt::verify::verify_token_set(
        &support::client(&profile),
        &oauth_debugger::engine::jwt::jwks::JwksCache::new(),
        &profile,
        &tokens,
        &["id_token"],
    )
    .await;
    assert!(verified.first().is_some_and(|v| v.passed()), "{verified:?}");

    // The authentication request: client authentication by HTTP Basic, the
    // hint, the binding message, no notification token in poll mode.
    let request = exchanges
        .iter()
        .find(|e| e.kind == ExchangeKind::Backchannel)
        .expect("the backchannel request");
    assert!(request.request.url.ends_with("/bc-authorize"));
    assert!(
        request
            .request
            .headers
            .iter()
            .any(|(k, v)| k == "authorization" && v.starts_with("Basic "))
    );
    let sent = String::from_utf8_lossy(&request.request.body).into_owned();
    assert!(sent.contains("login_hint=alice"), "{sent}");
    assert!(sent.contains("binding_message=code+7741"), "{sent}");
    assert!(!sent.contains("client_notification_token"), "{sent}");

    let Some(Progress::CibaAcknowledged(info)) = progress
        .iter()
        .find(|p| matches!(p, Progress::CibaAcknowledged(_)))
    else {
        panic!("the acknowledgement is reported: {progress:?}");
    };
    assert_eq!(info.interval, 1);
    assert_eq!(info.expires_in, Some(120));
    assert!(body(request).contains(&info.auth_req_id));

    // Pending at the first poll, tokens at the second, each after the
    // interval.
    let polls = token_polls(&exchanges);
    assert_eq!(polls.len(), 2, "two polls");
    assert!(body(polls[0]).contains("authorization_pending"));
    let polled: Vec<String> = progress
        .iter()
        .filter_map(|p| match p {
            Progress::CibaPolled(poll) => Some(poll.answer.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(polled, ["authorization_pending", "tokens"]);
    assert!(polls[0].started_at - request.started_at >= chrono::Duration::seconds(1));
    assert!(polls[1].started_at - polls[0].started_at >= chrono::Duration::seconds(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_down_adds_five_seconds_for_the_next_poll() {
    let server = demo(&["ciba-slow-down"], Duration::from_secs(120)).await;
    let (result, progress, exchanges) = run(
        &ciba_file(&server.url(), "poll", alice()),
        GrantOptions::default(),
    )
    .await;
    result.expect("tokens after slowing down");
    let polls = token_polls(&exchanges);
    assert!(body(polls[0]).contains("slow_down"));
    assert!(
        progress.iter().any(|p| matches!(p, Progress::CibaPolled(poll) if poll.answer == "slow_down" && poll.next_in == Some(6))),
        "{progress:?}"
    );
    // The demo answers slow_down again to a poll before 6 s: there is none.
    assert!(polls[1..].iter().all(|p| !body(p).contains("slow_down")));
    assert!(polls[1].started_at - polls[0].started_at >= chrono::Duration::seconds(6));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_denial_is_access_denied_explained() {
    let server = demo(&["ciba-denied"], Duration::from_secs(120)).await;
    let (result, _, _) = run(
        &ciba_file(&server.url(), "poll", alice()),
        GrantOptions::default(),
    )
    .await;
    let err = result.expect_err("denied");
    let EngineError::OAuth { error, .. } = &err else {
        panic!("an OAuth error: {err}");
    };
    assert_eq!(error.error, "access_denied");
    let explanation = err
        .explanation(Stage::of_grant_error(GrantType::Ciba, &err))
        .expect("explained");
    assert!(
        explanation
            .summary
            .contains("denied the request on their authentication device")
    );
    assert_eq!(
        explanation.reference.as_deref(),
        Some("OpenID CIBA Core §11")
    );
    assert!(Stage::TokenRequest(GrantType::Ciba).registers("unknown_user_id"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_auth_req_id_past_expires_in_is_expired_token() {
    let server = demo(&[], Duration::from_secs(120)).await;
    let table = CibaFile {
        requested_expiry: Some(1),
        ..alice()
    };
    let (result, progress, _) = run(
        &ciba_file(&server.url(), "poll", table),
        GrantOptions::default(),
    )
    .await;
    let err = result.expect_err("expired");
    let EngineError::OAuth { error, .. } = &err else {
        panic!("an OAuth error: {err}");
    };
    assert_eq!(error.error, "expired_token");
    assert!(
        progress
            .iter()
            .any(|p| matches!(p, Progress::CibaAcknowledged(i) if i.expires_in == Some(1)))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_user_is_refused_with_unknown_user_id() {
    let server = demo(&[], Duration::from_secs(120)).await;
    let (result, _, _) = run(
        &ciba_file(&server.url(), "poll", alice()),
        GrantOptions {
            login_hint: Some("mallory".into()),
            ..GrantOptions::default()
        },
    )
    .await;
    let err = result.expect_err("refused");
    let EngineError::OAuth {
        error, exchange, ..
    } = &err
    else {
        panic!("an OAuth error: {err}");
    };
    assert_eq!(error.error, "unknown_user_id");
    assert_eq!(exchange.kind, ExchangeKind::Backchannel);
    let explanation = err
        .explanation(Stage::of_grant_error(GrantType::Ciba, &err))
        .expect("explained");
    assert_eq!(
        explanation.reference.as_deref(),
        Some("OpenID CIBA Core §13")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_expires_in_is_a_finding_and_polling_goes_on() {
    let server = demo(&["ciba-no-expires-in"], Duration::from_secs(120)).await;
    let (result, _, _) = run(
        &ciba_file(&server.url(), "poll", alice()),
        GrantOptions::default(),
    )
    .await;
    let tokens = result.expect("tokens");
    let finding = tokens
        .findings
        .iter()
        .find(|f| f.code == "ciba_expires_in_missing")
        .expect("the finding");
    assert_eq!(finding.reference.as_deref(), Some("OpenID CIBA Core §7.3"));
}

#[tokio::test(flavor = "multi_thread")]
async fn ping_mode_waits_for_the_notification_then_asks_once() {
    let server = demo(&[], Duration::from_secs(120)).await;
    let (result, progress, exchanges) = run(
        &ciba_file(&server.url(), "ping", alice()),
        GrantOptions::default(),
    )
    .await;
    let tokens = result.expect("tokens");
    assert!(codes(&tokens).contains(&"ciba_notification_endpoint_sent"));
    let request = exchanges
        .iter()
        .find(|e| e.kind == ExchangeKind::Backchannel)
        .expect("the backchannel request");
    let sent: Vec<(String, String)> = url::form_urlencoded::parse(&request.request.body)
        .into_owned()
        .collect();
    let token = &sent
        .iter()
        .find(|(k, _)| k == "client_notification_token")
        .expect("a notification token")
        .1;
    assert!(token.len() >= 40, "enough entropy: {token}");
    let notifications: Vec<&Exchange> = exchanges
        .iter()
        .filter(|e| e.kind == ExchangeKind::Notification)
        .collect();
    assert_eq!(notifications.len(), 1);
    assert_eq!(notifications[0].status(), Some(204));
    assert!(
        notifications[0]
            .request
            .headers
            .iter()
            .any(|(k, v)| k == "authorization" && v == &format!("Bearer {token}"))
    );
    // One token request, after the notification.
    let polls = token_polls(&exchanges);
    assert_eq!(polls.len(), 1);
    assert!(polls[0].started_at >= notifications[0].started_at);
    assert!(
        progress
            .iter()
            .any(|p| matches!(p, Progress::CibaNotified { accepted: true, .. }))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_notification_with_the_wrong_bearer_is_refused() {
    let server = demo(&["ciba-wrong-notification-token"], Duration::from_secs(120)).await;
    let (result, progress, exchanges) = run(
        &ciba_file(&server.url(), "ping", alice()),
        GrantOptions::default(),
    )
    .await;
    // The demo sends the right one after the refusal.
    result.expect("tokens after the right notification");
    let statuses: Vec<Option<u16>> = exchanges
        .iter()
        .filter(|e| e.kind == ExchangeKind::Notification)
        .map(Exchange::status)
        .collect();
    assert_eq!(statuses, [Some(401), Some(204)]);
    let refused = progress
        .iter()
        .find_map(|p| match p {
            Progress::CibaNotified {
                accepted: false,
                detail,
            } => Some(detail.clone()),
            _ => None,
        })
        .expect("the refusal is reported");
    assert!(refused.contains("§10.2"), "{refused}");
    // No token request answered the refused one.
    let refused_at = exchanges
        .iter()
        .find(|e| e.kind == ExchangeKind::Notification)
        .map(|e| e.started_at)
        .expect("refused notification");
    let accepted_at = exchanges
        .iter()
        .filter(|e| e.kind == ExchangeKind::Notification)
        .nth(1)
        .map(|e| e.started_at)
        .expect("accepted notification");
    assert!(
        token_polls(&exchanges)
            .iter()
            .all(|p| p.started_at >= accepted_at && p.started_at > refused_at)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_endpoint_is_discovered_from_the_issuer() {
    let server = demo(&[], Duration::from_secs(120)).await;
    let base = server.url();
    let file = ProfileFile {
        backchannel_authentication_endpoint: None,
        token_endpoint: None,
        ..ciba_file(&base, "poll", alice())
    };
    let profile = profile(&file);
    let http = client(&profile);
    let cache = oauth_debugger::engine::endpoints::autodiscovery::DiscoveryCache::default();
    let (completed, _) = oauth_debugger::engine::endpoints::autodiscovery::complete(
        &profile,
        &http,
        &cache,
        GrantType::Ciba.endpoints(),
    )
    .await
    .expect("discovered");
    assert_eq!(
        completed
            .endpoints
            .backchannel_authentication
            .map(|u| u.to_string()),
        Some(format!("{base}/bc-authorize"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_prints_the_auth_req_id_each_poll_and_the_tokens() {
    let server = demo(&[], Duration::from_secs(120)).await;
    let base = server.url();
    let dir = tempfile::tempdir().expect("dir");
    let preset = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/presets/demo-ciba.toml"),
    )
    .expect("preset")
    .replace("http://127.0.0.1:7878", &base);
    let path = dir.path().join("ciba.toml");
    std::fs::write(&path, preset).expect("written");
    let output = tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args(["token", "--profile"])
            .arg(&path)
            .args([
                "--login-hint",
                "bob",
                "--binding-message",
                "cli 1234",
                "--json",
            ])
            .output()
            .expect("runs")
    })
    .await
    .expect("joined");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("CIBA request acknowledged: auth_req_id "),
        "{stderr}"
    );
    assert!(
        stderr.contains("token request 1: authorization_pending"),
        "{stderr}"
    );
    assert!(stderr.contains("token request 2: tokens"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert!(
        json["access_token"].as_str().is_some_and(|t| !t.is_empty()),
        "{json}"
    );
    let id_token = json["id_token"].as_str().expect("an id token");
    let claims = oauth_debugger::engine::jwt::decode("id_token", id_token).expect("a JWT");
    assert_eq!(claims.claims["sub"], "bob", "--login-hint named the user");
}
