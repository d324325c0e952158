//! OpenID logout against the demo provider: RP-initiated logout with its
//! `state` checked on the loopback return (RP-Initiated Logout 1.0 §3), and
//! the back-channel receiver's verdicts on the demo's logout tokens
//! (Back-Channel Logout 1.0 §2.6) — good ones and each `logout-*` fault.

use std::sync::Arc;
use std::time::Duration;

use oauth_debugger::demo::DemoServer;
use oauth_debugger::demo::user_agent::{self, Person};
use oauth_debugger::engine::endpoints::autodiscovery::{self, DiscoveryCache, Endpoint};
use oauth_debugger::engine::grants;
use oauth_debugger::engine::jwt::claims::Verdict;
use oauth_debugger::engine::jwt::jwks::JwksCache;
use oauth_debugger::engine::logout::{
    BackChannelListener, LogoutOptions, LogoutOutcome, LogoutProgress, LogoutTokenContext,
    SessionRef, rp_initiated, validate_logout_token,
};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType, OidcLogoutFile};
use oauth_debugger::engine::{Profile, Secret, TokenSet};

use crate::support::{browser_file, client, demo, demo_with_faults, played_by, profile};

const BIN: &str = env!("CARGO_BIN_EXE_oauth-debugger");

/// The demo's authorization code profile with logout set up, discovered
/// endpoints filled (jwks_uri, end_session_endpoint).
async fn logout_profile(base: &str) -> Profile {
    let mut file = browser_file(
        base,
        GrantType::AuthorizationCode,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.oidc_logout = Some(OidcLogoutFile {
        post_logout_redirect_uri: Some("http://127.0.0.1/logged-out".into()),
        logout_hint: Some("alice".into()),
        ui_locales: Some("en fr".into()),
        ..OidcLogoutFile::default()
    });
    let plain = profile(&file);
    let http = client(&plain);
    let (complete, _) = autodiscovery::complete(
        &plain,
        &http,
        &DiscoveryCache::new(),
        &[Endpoint::EndSession, Endpoint::JwksUri],
    )
    .await
    .expect("discovery");
    complete
}

/// Signs alice in through the demo's pages: tokens with an ID token.
async fn sign_in(profile: &Profile) -> TokenSet {
    let (options, _) = played_by(Person::default());
    let tokens = grants::run(profile, &client(profile), &options)
        .await
        .expect("grant");
    assert!(tokens.id_token.is_some(), "an ID token");
    tokens
}

/// Logs out, a scripted browser following the logout URL.
async fn log_out(profile: &Profile, id_token: Option<&Secret>) -> LogoutOutcome {
    let progress = move |progress: LogoutProgress| {
        if let LogoutProgress::Request { url, shown } = progress {
            assert!(
                !shown.contains("eyJ"),
                "the shown URL masks the ID token: {shown}"
            );
            tokio::spawn(async move {
                let _ = user_agent::visit(url.as_str(), &Person::default()).await;
            });
        }
    };
    let options = LogoutOptions {
        open_browser: false,
        timeout: Duration::from_secs(20),
        progress: Some(Arc::new(progress)),
        ..LogoutOptions::default()
    };
    rp_initiated(profile, id_token, &options)
        .await
        .expect("logout starts")
}

fn verdict(outcome: &LogoutOutcome, name: &str) -> Option<Verdict> {
    outcome
        .checks
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.verdict)
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_fills_the_end_session_endpoint() {
    let demo = demo().await;
    let profile = logout_profile(&demo.url()).await;
    assert_eq!(
        profile.endpoints.end_session.as_ref().map(|u| u.as_str()),
        Some(format!("{}/end_session", demo.url()).as_str())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rp_initiated_logout_comes_back_with_the_same_state() {
    let demo = demo().await;
    let profile = logout_profile(&demo.url()).await;
    let tokens = sign_in(&profile).await;
    let outcome = log_out(&profile, tokens.id_token.as_ref()).await;
    assert!(outcome.ended(), "{outcome:#?}");
    assert_eq!(verdict(&outcome, "state"), Some(Verdict::Pass));
    assert_eq!(
        verdict(&outcome, "post_logout_redirect_uri"),
        Some(Verdict::Pass)
    );
    let returned = outcome.returned.clone().expect("returned");
    assert!(returned.contains(&("state".to_string(), outcome.state.clone())));
    // Every parameter of §2 went out; the ID token masked in what is shown.
    let sent: Vec<&str> = outcome.sent.iter().map(|(k, _)| k.as_str()).collect();
    for name in [
        "id_token_hint",
        "client_id",
        "post_logout_redirect_uri",
        "state",
        "logout_hint",
        "ui_locales",
    ] {
        assert!(sent.contains(&name), "{name} sent: {sent:?}");
    }
    assert!(
        outcome
            .sent
            .iter()
            .any(|(k, v)| k == "id_token_hint" && v == "[redacted]")
    );
    // The listener got a port of its own.
    let uri = outcome.post_logout_redirect_uri.expect("uri");
    assert_eq!(uri.path(), "/logged-out");
    assert_ne!(uri.port(), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_different_state_on_the_return_is_flagged() {
    let demo = demo_with_faults(&["logout-wrong-state"], false).await;
    let profile = logout_profile(&demo.url()).await;
    let tokens = sign_in(&profile).await;
    let outcome = log_out(&profile, tokens.id_token.as_ref()).await;
    assert!(!outcome.ended());
    let check = outcome
        .checks
        .iter()
        .find(|c| c.name == "state")
        .expect("state check");
    assert_eq!(check.verdict, Verdict::Fail);
    assert!(
        check.message.contains("state mismatch"),
        "{}",
        check.message
    );
    assert!(
        check.message.contains(&format!("not-{}", outcome.state)),
        "{}",
        check.message
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_an_id_token_the_hint_is_said_to_be_missing() {
    let demo = demo().await;
    let profile = logout_profile(&demo.url()).await;
    let outcome = log_out(&profile, None).await;
    assert!(
        outcome
            .findings
            .iter()
            .any(|f| f.code == "logout_without_id_token_hint")
    );
    // client_id is enough for the demo to send the browser back.
    assert!(outcome.ended(), "{outcome:#?}");
}

/// A listener for `profile`'s logout tokens, registered at the demo.
async fn listen(demo: &DemoServer, profile: &Profile) -> BackChannelListener {
    let context = LogoutTokenContext::for_profile(profile, client(profile), JwksCache::new());
    let uri = url::Url::parse("http://127.0.0.1:0/backchannel-logout").expect("uri");
    let listener = BackChannelListener::bind(&uri, context)
        .await
        .expect("listens");
    let registered = reqwest::Client::new()
        .post(format!(
            "{}/admin/clients/demo-client/backchannel_logout_uri",
            demo.url()
        ))
        .body(listener.uri().to_string())
        .send()
        .await
        .expect("registers");
    assert_eq!(registered.status(), 200);
    listener
}

/// Signs in, listens, logs out: the logout token the demo sent.
async fn logout_token_report(
    faults: &[&str],
) -> (
    oauth_debugger::engine::logout::LogoutTokenReport,
    SessionRef,
) {
    let demo = demo_with_faults(faults, false).await;
    let profile = logout_profile(&demo.url()).await;
    let mut listener = listen(&demo, &profile).await;
    let tokens = sign_in(&profile).await;
    let session =
        SessionRef::from_id_token(tokens.id_token.as_ref().expect("id").expose()).expect("session");
    assert!(session.sid.is_some(), "the demo's ID tokens carry sid");
    let _ = log_out(&profile, tokens.id_token.as_ref()).await;
    let report = listener
        .next(Duration::from_secs(20))
        .await
        .expect("a logout token arrives");
    (report, session)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_good_logout_token_is_accepted_and_ends_the_session() {
    let (report, session) = logout_token_report(&[]).await;
    assert!(report.accepted(), "{:#?}", report.checks);
    assert_eq!(report.status, 200);
    for name in [
        "signature",
        "iss",
        "aud",
        "iat",
        "exp",
        "jti",
        "events",
        "nonce",
        "sub_or_sid",
        "typ",
    ] {
        let check = report
            .checks
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no {name} check"));
        assert_eq!(check.verdict, Verdict::Pass, "{check}");
    }
    assert!(report.ends(&session));
    assert!(!report.ends(&SessionRef {
        sid: Some("another-session".into()),
        ..session.clone()
    }));
}

#[tokio::test(flavor = "multi_thread")]
async fn each_bad_logout_token_is_refused_with_its_verdict() {
    for (fault, check_name) in [
        ("logout-token-nonce", "nonce"),
        ("logout-token-wrong-events", "events"),
        ("logout-token-wrong-aud", "aud"),
    ] {
        let (report, session) = logout_token_report(&[fault]).await;
        assert_eq!(report.status, 400, "{fault}");
        assert!(!report.ends(&session), "{fault}");
        let failed: Vec<&str> = report.failures().map(|c| c.name.as_str()).collect();
        assert_eq!(failed, vec![check_name], "{fault}: {:#?}", report.checks);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_post_without_a_logout_token_is_answered_400() {
    let demo = demo().await;
    let profile = logout_profile(&demo.url()).await;
    let mut listener = listen(&demo, &profile).await;
    let answer = reqwest::Client::new()
        .post(listener.uri().as_str())
        .form(&[("something", "else")])
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status(), 400);
    let body: serde_json::Value =
        serde_json::from_slice(&answer.bytes().await.expect("body")).expect("json");
    assert_eq!(body["error"], "invalid_request");
    let report = listener.next(Duration::from_secs(5)).await.expect("report");
    assert_eq!(
        report.failures().next().map(|c| c.name.as_str()),
        Some("logout_token")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_logs_out_after_running_the_grant_and_hears_the_back_channel() {
    let demo = demo().await;
    let base = demo.url();
    // A fixed port for the back-channel URI, registered before the run.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let backchannel = format!("http://127.0.0.1:{port}/bc");
    let registered = reqwest::Client::new()
        .post(format!(
            "{base}/admin/clients/demo-client/backchannel_logout_uri"
        ))
        .body(backchannel.clone())
        .send()
        .await
        .expect("registers");
    assert_eq!(registered.status(), 200);
    let dir = tempfile::tempdir().expect("tempdir");
    let preset = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/presets/demo-authorization-code.toml"),
    )
    .expect("preset")
    .replace("http://127.0.0.1:7878", &base);
    let text = format!("{preset}\n").replace(
        "[oidc_logout]\n",
        &format!("[oidc_logout]\nbackchannel_logout_uri = \"{backchannel}\"\n"),
    );
    let path = dir.path().join("code.toml");
    std::fs::write(&path, text).expect("write");
    let browser = format!("{BIN} demo-browser");
    let out = tokio::process::Command::new(BIN)
        .args(["logout", "--oidc", "--listen", "--json", "--timeout", "30"])
        .arg("--profile")
        .arg(&path)
        .env("BROWSER", &browser)
        .env_remove("OAUTH_DEBUGGER_ID_TOKEN")
        .env_remove("OAUTH_DEBUGGER_ACCESS_TOKEN")
        .output()
        .await
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    assert!(stderr.contains("running the profile's grant"), "{stderr}");
    assert!(!stderr.contains("id_token_hint=eyJ"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let checks = json["rp_initiated"]["checks"].as_array().expect("checks");
    assert!(
        checks
            .iter()
            .any(|c| c["name"] == "state" && c["verdict"] == "pass"),
        "{json:#}"
    );
    assert_eq!(json["back_channel"]["status"], 200, "{json:#}");

    // The human form, with the ID token given and a refused state.
    let wrong = demo_with_faults(&["logout-wrong-state"], false).await;
    let wrong_path = dir.path().join("wrong.toml");
    std::fs::write(
        &wrong_path,
        std::fs::read_to_string(&path)
            .expect("read")
            .replace(&base, &wrong.url())
            .replace(&format!("backchannel_logout_uri = \"{backchannel}\"\n"), ""),
    )
    .expect("write");
    let wrong_profile = Profile::load(&wrong_path).expect("profile");
    let tokens = sign_in(&wrong_profile).await;
    let out = tokio::process::Command::new(BIN)
        .args(["logout", "--oidc", "--timeout", "30"])
        .arg("--profile")
        .arg(&wrong_path)
        .env("BROWSER", &browser)
        .env(
            "OAUTH_DEBUGGER_ID_TOKEN",
            tokens.id_token.as_ref().expect("id").expose(),
        )
        .output()
        .await
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("[fail] state: state mismatch"), "{stdout}");
}

/// A logout token as the demo sends it, caught by a plain server standing
/// in for the client's back-channel URI.
async fn captured_logout_token() -> (DemoServer, Profile, String) {
    let demo = demo().await;
    let profile = logout_profile(&demo.url()).await;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<String>(4);
    let router = axum::Router::new().route(
        "/capture",
        axum::routing::post(move |body: String| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(body).await;
                "ok"
            }
        }),
    );
    let base = crate::support::serve(router).await;
    let registered = reqwest::Client::new()
        .post(format!(
            "{}/admin/clients/demo-client/backchannel_logout_uri",
            demo.url()
        ))
        .body(format!("{base}/capture"))
        .send()
        .await
        .expect("registers");
    assert_eq!(registered.status(), 200);
    let tokens = sign_in(&profile).await;
    let _ = log_out(&profile, tokens.id_token.as_ref()).await;
    let body = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("in time")
        .expect("a POST");
    let token = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "logout_token")
        .map(|(_, v)| v.into_owned())
        .expect("logout_token in the form");
    (demo, profile, token)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replayed_logout_token_is_refused() {
    let (_demo, profile, token) = captured_logout_token().await;
    let context = LogoutTokenContext::for_profile(&profile, client(&profile), JwksCache::new());
    let uri = url::Url::parse("http://127.0.0.1:0/bc").expect("uri");
    let mut listener = BackChannelListener::bind(&uri, context)
        .await
        .expect("listens");
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let answer = http
            .post(listener.uri().as_str())
            .form(&[("logout_token", token.as_str())])
            .send()
            .await
            .expect("answered");
        statuses.push(answer.status().as_u16());
    }
    assert_eq!(statuses, vec![200, 400]);
    let first = listener.next(Duration::from_secs(5)).await.expect("first");
    assert!(first.accepted());
    let second = listener.next(Duration::from_secs(5)).await.expect("second");
    let failed: Vec<&str> = second.failures().map(|c| c.name.as_str()).collect();
    assert_eq!(failed, vec!["jti"], "{:#?}", second.checks);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tampered_logout_token_fails_the_signature_check() {
    let (_demo, profile, token) = captured_logout_token().await;
    let (rest, signature) = token.rsplit_once('.').expect("three parts");
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let tampered = format!("{rest}.{flipped}{}", &signature[1..]);
    let context = LogoutTokenContext::for_profile(&profile, client(&profile), JwksCache::new());
    let report = validate_logout_token(&context, &tampered, chrono::Utc::now()).await;
    assert_eq!(report.status, 400);
    let failed: Vec<&str> = report.failures().map(|c| c.name.as_str()).collect();
    assert_eq!(failed, vec!["signature"], "{:#?}", report.checks);
    // Not a JWT at all: one failed check saying so, never a panic.
    let report = validate_logout_token(&context, "not-a-jwt", chrono::Utc::now()).await;
    assert_eq!(report.status, 400);
    assert_eq!(
        report.failures().next().map(|c| c.name.as_str()),
        Some("jwt")
    );
}

#[test]
fn a_back_channel_uri_off_this_machine_is_refused_in_the_profile() {
    let mut file = browser_file(
        "http://127.0.0.1:7878",
        GrantType::AuthorizationCode,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.oidc_logout = Some(OidcLogoutFile {
        backchannel_logout_uri: Some("https://rp.example.com/logout".into()),
        ..OidcLogoutFile::default()
    });
    let err = Profile::from_file(&file, "test").expect_err("refused");
    let message = err
        .message_for("oidc_logout.backchannel_logout_uri")
        .expect("names the key");
    assert!(message.contains("not a loopback http URI"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_refuses_bad_logout_requests_with_a_page_not_a_redirect() {
    let demo = demo().await;
    let base = demo.url();
    let profile = logout_profile(&base).await;
    let tokens = sign_in(&profile).await;
    let id_token = tokens.id_token.as_ref().expect("id").expose().to_string();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let ask = |params: Vec<(&'static str, String)>| {
        let http = http.clone();
        let url = format!("{base}/end_session");
        async move {
            let answer = http
                .get(&url)
                .query(&params)
                .send()
                .await
                .expect("answered");
            let status = answer.status().as_u16();
            let page = answer.text().await.unwrap_or_default();
            (status, page)
        }
    };
    // An unregistered post_logout_redirect_uri (RP-Initiated Logout §3).
    let (status, page) = ask(vec![
        ("id_token_hint", id_token.clone()),
        (
            "post_logout_redirect_uri",
            "http://127.0.0.1:9/elsewhere".into(),
        ),
        ("state", "s".into()),
    ])
    .await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("not registered"), "{page}");
    // A hint this provider did not sign.
    let (status, page) = ask(vec![("id_token_hint", "e30.e30.c2ln".into())]).await;
    assert_eq!(status, 400);
    assert!(
        page.contains("not an ID token this provider issued"),
        "{page}"
    );
    // client_id naming another client than the hint's audience.
    let (status, _) = ask(vec![
        ("id_token_hint", id_token.clone()),
        ("client_id", "demo-public".into()),
    ])
    .await;
    assert_eq!(status, 400);
    // A redirect URI without anything naming the client.
    let (status, page) = ask(vec![(
        "post_logout_redirect_uri",
        "http://127.0.0.1/logged-out".into(),
    )])
    .await;
    assert_eq!(status, 400);
    assert!(page.contains("needs id_token_hint or client_id"), "{page}");
    // A good one redirects with the state, on any loopback port.
    let (status, _) = ask(vec![
        ("id_token_hint", id_token),
        (
            "post_logout_redirect_uri",
            "http://127.0.0.1:4321/logged-out".into(),
        ),
        ("state", "s-1".into()),
    ])
    .await;
    assert_eq!(status, 302);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_return_uri_the_debugger_does_not_serve_is_only_sent() {
    let demo = demo().await;
    let mut profile = logout_profile(&demo.url()).await;
    profile.oidc_logout.post_logout_redirect_uri =
        Some(url::Url::parse("https://rp.example.com/bye").expect("uri"));
    let outcome = log_out(&profile, None).await;
    assert!(outcome.returned.is_none());
    assert!(!outcome.ended());
    assert_eq!(
        verdict(&outcome, "post_logout_redirect_uri"),
        Some(Verdict::Skipped)
    );
    assert!(
        outcome
            .findings
            .iter()
            .any(|f| f.code == "logout_return_not_captured")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_browser_the_cli_prints_the_url_to_open() {
    use tokio::io::AsyncBufReadExt as _;

    let demo = demo().await;
    let base = demo.url();
    let dir = tempfile::tempdir().expect("tempdir");
    let preset = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/presets/demo-authorization-code.toml"),
    )
    .expect("preset")
    .replace("http://127.0.0.1:7878", &base);
    let path = dir.path().join("code.toml");
    std::fs::write(&path, preset).expect("write");
    let profile = Profile::load(&path).expect("profile");
    let tokens = sign_in(&profile).await;
    let mut child = tokio::process::Command::new(BIN)
        .args(["logout", "--oidc", "--no-browser", "--timeout", "30"])
        .arg("--profile")
        .arg(&path)
        .env(
            "OAUTH_DEBUGGER_ID_TOKEN",
            tokens.id_token.as_ref().expect("id").expose(),
        )
        .env_remove("BROWSER")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = tokio::io::BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next_line()
            .await
            .expect("reads")
            .expect("a line with the URL");
        if let Some(url) = line.trim().strip_prefix(&format!("{base}/end_session?")) {
            break format!("{base}/end_session?{url}");
        }
    };
    assert!(url.contains("id_token_hint=eyJ"), "{url}");
    user_agent::visit(&url, &Person::default())
        .await
        .expect("the person follows it");
    let out = child.wait_with_output().await.expect("ends");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("[pass] state: state came back unchanged"),
        "{stdout}"
    );
    assert!(stdout.contains("id_token_hint=[redacted]"), "{stdout}");
}
