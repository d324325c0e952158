//! Browser grants end to end against the demo provider: a scripted person
//! (the demo's user agent) signs in and consents over HTTP, the loopback
//! listener receives the redirect, and the engine exchanges what came back.

use crate::support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use oauth_debugger::demo::user_agent::{self, Person};
use oauth_debugger::engine::grants::authorization_code::{self, ResponseKind};
use oauth_debugger::engine::grants::{self, BrowserOptions, GrantOptions, Progress};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType, PkceMode};
use oauth_debugger::engine::wire::callback::{CallbackError, CallbackListener, Expect};
use oauth_debugger::engine::{EngineError, Profile, TokenSet};
use support::{browser_file, client, demo, demo_device, played_by, profile};

async fn run(p: &Profile, options: &GrantOptions) -> Result<TokenSet, EngineError> {
    grants::run(p, &client(p), options).await
}

#[tokio::test(flavor = "multi_thread")]
async fn authorization_code_with_pkce_s256_plain_and_off() {
    let server = demo().await;
    for pkce in [PkceMode::S256, PkceMode::Plain, PkceMode::None] {
        let mut file = browser_file(
            &server.url(),
            GrantType::AuthorizationCode,
            ClientAuthMethod::ClientSecretBasic,
        );
        file.pkce = Some(pkce);
        let p = profile(&file);
        let http = client(&p);
        let (options, seen) = played_by(Person::default());
        let tokens = grants::run(&p, &http, &options)
            .await
            .unwrap_or_else(|e| panic!("{pkce:?}: {e}"));
        assert_eq!(tokens.grant, GrantType::AuthorizationCode);
        assert!(tokens.refresh_token.is_some());

        let request = seen.lock().expect("lock")[0].clone();
        let params = request.params();
        let method = params
            .iter()
            .find(|(k, _)| k == "code_challenge_method")
            .map(|(_, v)| v.as_str());
        assert_eq!(
            method,
            match pkce {
                PkceMode::S256 => Some("S256"),
                PkceMode::Plain => Some("plain"),
                PkceMode::None => None,
            }
        );
        assert!(
            params
                .iter()
                .any(|(k, v)| k == "state" && v == &request.state)
        );
        assert!(
            request.redirect_uri.port().is_some_and(|p| p != 0),
            "the real port is sent"
        );
        let body = String::from_utf8(
            http.exchanges()
                .last()
                .expect("exchange")
                .request
                .body
                .to_vec(),
        )
        .expect("utf8");
        assert_eq!(
            body.contains("code_verifier="),
            pkce != PkceMode::None,
            "{body}"
        );
        assert!(body.contains("redirect_uri="), "{body}");

        // openid was asked for: an ID token carrying our nonce.
        let id = tokens
            .jwts
            .iter()
            .find(|j| j.source == "id_token")
            .expect("id_token decoded");
        assert_eq!(id.claims["nonce"].as_str(), request.nonce.as_deref());
        assert_eq!(id.claims["aud"], "demo-client");
        assert!(id.claims["at_hash"].is_string());
        assert_eq!(id.claims["name"], "Alice Example");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_public_client_uses_pkce_and_no_secret() {
    let server = demo().await;
    let p = profile(&browser_file(
        &server.url(),
        GrantType::AuthorizationCode,
        ClientAuthMethod::None,
    ));
    let (options, _) = played_by(Person::default());
    let tokens = run(&p, &options).await.expect("public client");
    assert!(tokens.id_token.is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn deny_is_access_denied_with_its_description() {
    let server = demo().await;
    let p = profile(&browser_file(
        &server.url(),
        GrantType::AuthorizationCode,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let (options, _) = played_by(Person {
        approve: false,
        ..Person::default()
    });
    let err = run(&p, &options).await.expect_err("denied");
    let EngineError::Callback(CallbackError::Authorization {
        error, description, ..
    }) = &err
    else {
        panic!("expected access_denied, got {err:?}");
    };
    assert_eq!(error, "access_denied");
    assert_eq!(description.as_deref(), Some("The user denied the request"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tampered_state_is_refused_showing_both_values_and_the_listener_keeps_waiting() {
    let mut listener = CallbackListener::bind(
        &"http://127.0.0.1/callback".parse().expect("url"),
        "the-real-state",
        None,
        Expect::Code,
    )
    .await
    .expect("listener");
    let mut refusals = listener.take_refusals().expect("refusals");
    let base = listener.redirect_uri().to_string();
    let waiting = tokio::spawn(listener.wait(Duration::from_secs(10), std::future::pending()));
    // Any local process can call the listener with a state of its own.
    let forged = reqwest::get(format!("{base}?code=abc&state=forged"))
        .await
        .expect("answer");
    assert_eq!(forged.status(), 400);
    let text = forged.text().await.expect("text");
    assert!(
        text.contains("Refused")
            && text.contains("&quot;forged&quot;")
            && text.contains("keeps waiting"),
        "{text}"
    );
    let refused = refusals.recv().await.expect("reported");
    assert_eq!(refused.status, 400);
    assert!(
        refused.reason.contains("state mismatch"),
        "{}",
        refused.reason
    );
    assert!(refused.reason.contains("\"forged\""), "{}", refused.reason);
    // Another Host (a page reaching the port under a rebound name) too.
    let client = reqwest::Client::new();
    let rebound = client
        .get(format!("{base}?code=abc&state=the-real-state"))
        .header("host", "attacker.example:80")
        .send()
        .await
        .expect("answer");
    assert_eq!(rebound.status(), 421);
    assert!(
        refusals
            .recv()
            .await
            .expect("reported")
            .reason
            .contains("attacker.example")
    );
    // The real redirect still completes the sign-in.
    let real = reqwest::get(format!("{base}?code=the-code&state=the-real-state"))
        .await
        .expect("answer");
    assert_eq!(real.status(), 200);
    let params = waiting.await.expect("join").expect("accepted");
    assert_eq!(params.code.as_deref(), Some("the-code"));
}

/// A forged request during a real sign-in is recorded (the HTTP log and the
/// diagram show it as a refused callback) and does not end the sign-in.
#[tokio::test(flavor = "multi_thread")]
async fn a_forged_callback_during_a_sign_in_is_recorded_and_the_sign_in_completes() {
    let server = demo().await;
    let p = profile(&browser_file(
        &server.url(),
        GrantType::AuthorizationCode,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let http = client(&p);
    let (urls_tx, mut urls) = tokio::sync::mpsc::channel::<String>(4);
    let options = GrantOptions {
        browser: BrowserOptions {
            open_browser: false,
            progress: Some(Arc::new(move |event: Progress| {
                if let Progress::AuthorizationUrl(request) = event {
                    let _ = urls_tx.try_send(request.url.to_string());
                }
            })),
            ..BrowserOptions::default()
        },
        ..GrantOptions::default()
    };
    let running = {
        let (p, http) = (p.clone(), http.clone());
        tokio::spawn(async move { grants::run(&p, &http, &options).await })
    };
    let url = urls.recv().await.expect("authorization URL");
    let redirect_uri = url::Url::parse(&url)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .expect("redirect_uri");
    let forged = reqwest::get(format!("{redirect_uri}?code=evil&state=guessed"))
        .await
        .expect("answer");
    assert_eq!(forged.status(), 400);
    let visit = user_agent::visit(&url, &Person::default())
        .await
        .expect("signed in");
    assert!(visit.redirected_to.is_some_and(|r| r.contains("code=")));
    let tokens = running
        .await
        .expect("join")
        .expect("the real sign-in completes");
    assert_eq!(tokens.grant, GrantType::AuthorizationCode);
    let refused: Vec<_> = http
        .exchanges()
        .into_iter()
        .filter(|e| e.kind == oauth_debugger::engine::wire::http::ExchangeKind::Callback)
        .collect();
    assert_eq!(refused.len(), 1, "the forged request is in the log");
    assert_eq!(refused[0].status(), Some(400));
    assert!(refused[0].request.url.contains("state=guessed"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_listener_404s_other_paths_answers_once_and_closes() {
    let listener = CallbackListener::bind(
        &"http://127.0.0.1:0/cb".parse().expect("url"),
        "s",
        None,
        Expect::Code,
    )
    .await
    .expect("listener");
    let base = listener.redirect_uri().clone();
    let other = reqwest::get(base.join("/favicon.ico").expect("url"))
        .await
        .expect("answer");
    assert_eq!(other.status(), 404);
    let callback = format!("{base}?code=c&state=s");
    let waiting = tokio::spawn(listener.wait(Duration::from_secs(10), std::future::pending()));
    let first = reqwest::get(&callback).await.expect("answer");
    assert_eq!(first.status(), 200);
    assert!(
        first
            .text()
            .await
            .expect("text")
            .contains("You can close this tab")
    );
    let params = waiting.await.expect("join").expect("accepted");
    assert_eq!(params.code.as_deref(), Some("c"));
    // Closed after one use.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        reqwest::get(&callback).await.is_err(),
        "the listener is closed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_listener_gives_up_after_its_timeout() {
    let listener = CallbackListener::bind(
        &"http://127.0.0.1/callback".parse().expect("url"),
        "s",
        None,
        Expect::Code,
    )
    .await
    .expect("listener");
    let err = listener
        .wait(Duration::from_millis(200), std::future::pending())
        .await
        .expect_err("timeout");
    assert_eq!(err, CallbackError::Timeout(Duration::from_millis(200)));
    assert!(err.to_string().contains("no redirect arrived"));
}

#[tokio::test(flavor = "multi_thread")]
async fn code_reuse_is_invalid_grant_and_revokes_the_tokens() {
    let server = demo().await;
    let base = server.url();
    let p = profile(&browser_file(
        &base,
        GrantType::AuthorizationCode,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let http = client(&p);
    let (mut options, seen) = played_by(Person::default());
    let code = Arc::new(Mutex::new(None));
    let progress = options.browser.progress.clone().expect("progress");
    let keep = code.clone();
    options.browser.progress = Some(Arc::new(move |event: Progress| {
        if let Progress::RedirectAccepted(params) = &event {
            *keep.lock().expect("lock") = params
                .iter()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.clone());
        }
        progress(event);
    }));
    let tokens = grants::run(&p, &http, &options)
        .await
        .expect("first exchange");
    let request = seen.lock().expect("lock")[0].clone();
    let code = code.lock().expect("lock").clone().expect("code seen");

    let err = authorization_code::exchange_code(&p, &http, &request, &code)
        .await
        .expect_err("reuse");
    let EngineError::OAuth { error, .. } = &err else {
        panic!("expected invalid_grant, got {err:?}")
    };
    assert_eq!(error.error, "invalid_grant");
    assert!(
        error
            .error_description
            .as_deref()
            .unwrap_or_default()
            .contains("already used")
    );

    let api = oauth_debugger::engine::endpoints::api::ApiRequest::from_config(
        p.api.as_ref().expect("api"),
    );
    let answer =
        oauth_debugger::engine::endpoints::api::call(&http, &api, Some(&tokens.access_token))
            .await
            .expect("answer");
    assert_eq!(
        answer.status(),
        401,
        "tokens from a replayed code are revoked"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_verifier_or_redirect_uri_is_invalid_grant() {
    let server = demo().await;
    let base = server.url();
    let mut file = browser_file(
        &base,
        GrantType::AuthorizationCode,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.redirect_uri = Some("https://app.example.com/oauth/callback".into());
    let p = profile(&file);
    let http = client(&p);
    for (tamper, expected) in [
        ("verifier", "code_verifier does not match"),
        ("redirect", "redirect_uri differs"),
    ] {
        let redirect = p.redirect_uri.clone().expect("redirect");
        let state = authorization_code::new_state();
        let mut request =
            authorization_code::authorization_request(&p, &redirect, ResponseKind::Code, &state)
                .expect("request");
        let visit = user_agent::visit(request.url.as_str(), &Person::default())
            .await
            .expect("visit");
        let back = visit
            .redirected_to
            .expect("redirected to the hosted callback");
        assert!(
            back.starts_with("https://app.example.com/oauth/callback?"),
            "{back}"
        );
        let params = oauth_debugger::engine::wire::callback::parse_pasted(&back).expect("parsed");
        let checked = oauth_debugger::engine::wire::callback::check_callback(
            params,
            &state,
            Some(base.as_str()),
            Expect::Code,
        )
        .expect("state matches");
        match tamper {
            "verifier" => {
                request.pkce_verifier = Some(oauth_debugger::engine::Secret::new("x".repeat(50)))
            }
            _ => request.redirect_uri = "https://app.example.com/other".parse().expect("url"),
        }
        let err = authorization_code::exchange_code(
            &p,
            &http,
            &request,
            checked.code.as_deref().expect("code"),
        )
        .await
        .expect_err("refused");
        let EngineError::OAuth { error, .. } = &err else {
            panic!("expected invalid_grant, got {err:?}")
        };
        assert_eq!(error.error, "invalid_grant");
        assert!(
            error
                .error_description
                .as_deref()
                .unwrap_or_default()
                .contains(expected),
            "{error}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unregistered_redirects_and_unknown_clients_get_an_error_page_not_a_redirect() {
    let server = demo().await;
    let base = server.url();
    for query in [
        "client_id=nobody&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&response_type=code&state=s",
        "client_id=demo-client&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&response_type=code&state=s",
    ] {
        let visit = user_agent::visit(&format!("{base}/authorize?{query}"), &Person::default())
            .await
            .expect("visit");
        assert_eq!(visit.redirected_to, None, "{query}");
        assert_eq!(visit.status, 400);
        assert!(visit.page.contains("Cannot sign in"), "{}", visit.page);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn implicit_tokens_come_back_through_the_fragment() {
    let server = demo().await;
    let p = profile(&browser_file(
        &server.url(),
        GrantType::Implicit,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let (options, seen) = played_by(Person::default());
    let tokens = run(&p, &options).await.expect("implicit");
    assert_eq!(tokens.grant, GrantType::Implicit);
    assert_eq!(
        tokens.refresh_token, None,
        "no refresh token in the implicit grant"
    );
    assert_eq!(tokens.expires_in, Some(3600));
    assert!(
        !tokens
            .findings
            .iter()
            .any(|f| f.code == "expires_in_string"),
        "fragment values are text by nature"
    );
    let request = seen.lock().expect("lock")[0].clone();
    assert!(
        request
            .params()
            .contains(&("response_type".into(), "id_token token".into()))
    );
    let id = tokens
        .jwts
        .iter()
        .find(|j| j.source == "id_token")
        .expect("id_token");
    assert_eq!(id.claims["nonce"].as_str(), request.nonce.as_deref());
}

/// Headless Chromium runs the listener page's script that posts the fragment
/// back. Skipped (with a note) where Chromium is not installed.
#[tokio::test(flavor = "multi_thread")]
async fn the_fragment_relay_script_works_in_a_real_browser() {
    let Some(chromium) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    else {
        // .ci/run installs Chromium, so in CI this must not skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is missing in CI"
        );
        eprintln!(
            "note: chromium is not installed; the fragment relay script was not run in a browser"
        );
        return;
    };
    let listener = CallbackListener::bind(
        &"http://127.0.0.1/callback".parse().expect("url"),
        "st",
        None,
        Expect::Tokens,
    )
    .await
    .expect("listener");
    let url = format!(
        "{}#access_token=tok&token_type=bearer&expires_in=60&state=st",
        listener.redirect_uri()
    );
    let profile_dir = tempfile::tempdir().expect("tempdir");
    let mut browser = tokio::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile_dir.path().display()))
        .arg(&url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromium starts");
    let params = listener
        .wait(Duration::from_secs(60), std::future::pending())
        .await
        .expect("fragment arrived");
    assert_eq!(params.get("access_token"), Some("tok"));
    let _ = browser.kill().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn device_grant_approved() {
    let server = demo_device(Duration::from_secs(1), Duration::from_secs(60)).await;
    let p = profile(&browser_file(
        &server.url(),
        GrantType::DeviceCode,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let http = client(&p);
    let (options, _) = played_by(Person::default());
    let tokens = grants::run(&p, &http, &options).await.expect("approved");
    assert_eq!(tokens.grant, GrantType::DeviceCode);
    assert!(tokens.id_token.is_some());
    // Every poll answered pending or slow_down until the token came (when
    // the person is quicker than the first poll there is none of either);
    // slow_down itself is checked on the wire in the test below.
    let polls: Vec<String> = http
        .exchanges()
        .iter()
        .skip(1)
        .map(|e| e.response_text().into_owned())
        .collect();
    let (last, waiting) = polls.split_last().expect("at least one poll");
    assert!(last.contains("access_token"), "{last}");
    assert!(
        waiting
            .iter()
            .all(|b| b.contains("authorization_pending") || b.contains("slow_down")),
        "{waiting:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn device_grant_denied() {
    let server = demo_device(Duration::from_secs(1), Duration::from_secs(60)).await;
    let p = profile(&browser_file(
        &server.url(),
        GrantType::DeviceCode,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let (options, _) = played_by(Person {
        approve: false,
        ..Person::default()
    });
    let err = run(&p, &options).await.expect_err("denied");
    assert!(
        matches!(&err, EngineError::OAuth { error, .. } if error.error == "access_denied"),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn device_grant_expired() {
    let server = demo_device(Duration::from_secs(1), Duration::from_secs(2)).await;
    let p = profile(&browser_file(
        &server.url(),
        GrantType::DeviceCode,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let options = GrantOptions {
        browser: BrowserOptions {
            open_browser: false,
            ..BrowserOptions::default()
        },
        ..GrantOptions::default()
    };
    let err = run(&p, &options).await.expect_err("expired");
    assert!(
        matches!(&err, EngineError::OAuth { error, .. } if error.error == "expired_token"),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn device_polling_pending_and_slow_down_on_the_wire() {
    let server = demo_device(Duration::from_secs(1), Duration::from_secs(60)).await;
    let base = server.url();
    let p = profile(&browser_file(
        &base,
        GrantType::DeviceCode,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let http = client(&p);
    let post = |path: &str, body: String| {
        http::Request::post(format!("{base}{path}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("authorization", "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=")
            .body(body.into_bytes())
            .expect("request")
    };
    use oauth_debugger::engine::wire::http::ExchangeKind;
    let device = http
        .send(
            post("/device_authorization", "scope=read".into()),
            ExchangeKind::Device,
        )
        .await;
    let device: serde_json::Value = serde_json::from_str(&device.response_text()).expect("json");
    let code = device["device_code"]
        .as_str()
        .expect("device_code")
        .to_string();
    let poll = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code={code}"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let first = http
        .send(post("/token", poll.clone()), ExchangeKind::Token)
        .await;
    assert!(
        first.response_text().contains("authorization_pending"),
        "{}",
        first.response_text()
    );
    let second = http.send(post("/token", poll), ExchangeKind::Token).await;
    assert!(
        second.response_text().contains("slow_down"),
        "{}",
        second.response_text()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_waiting_grant_can_be_cancelled() {
    let server = demo().await;
    let p = profile(&browser_file(
        &server.url(),
        GrantType::AuthorizationCode,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let (cancel_tx, cancel_rx) = tokio::sync::watch::channel(false);
    let options = GrantOptions {
        browser: BrowserOptions {
            open_browser: false,
            cancel: Some(cancel_rx),
            ..BrowserOptions::default()
        },
        ..GrantOptions::default()
    };
    let task = tokio::spawn(async move { run(&p, &options).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    cancel_tx.send(true).expect("send");
    let err = task.await.expect("join").expect_err("cancelled");
    assert!(
        matches!(err, EngineError::Callback(CallbackError::Cancelled)),
        "{err:?}"
    );
}

/// RFC 8628 §3.5: the client waits `interval` seconds between requests,
/// before the first poll too — polling at once earns `slow_down` from a
/// server that counts from the device authorization response.
#[tokio::test(flavor = "multi_thread")]
async fn the_first_device_poll_waits_one_interval_and_earns_no_slow_down() {
    let server = demo_device(Duration::from_secs(1), Duration::from_secs(60)).await;
    let p = profile(&browser_file(
        &server.url(),
        GrantType::DeviceCode,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let http = client(&p);
    let (cancel, cancelled) = tokio::sync::watch::channel(false);
    let options = GrantOptions {
        browser: BrowserOptions {
            open_browser: false,
            cancel: Some(cancelled),
            ..BrowserOptions::default()
        },
        ..GrantOptions::default()
    };
    let running = {
        let (p, http) = (p.clone(), http.clone());
        tokio::spawn(async move { grants::run(&p, &http, &options).await })
    };
    // Nobody approves: after two and a half intervals, give up.
    tokio::time::sleep(Duration::from_millis(2600)).await;
    cancel.send(true).expect("cancel");
    let _ = running.await;
    let exchanges = http.exchanges();
    assert!(exchanges.len() >= 2, "a device request and a poll");
    let device = &exchanges[0];
    let answered = device.started_at + device.duration;
    let gap = exchanges[1].started_at - answered;
    assert!(
        gap >= chrono::TimeDelta::milliseconds(950),
        "the first poll came {gap} after the device response"
    );
    for poll in &exchanges[1..] {
        assert!(
            poll.response_text().contains("authorization_pending"),
            "{}",
            poll.response_text()
        );
    }
}
