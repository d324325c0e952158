//! The four seed providers end to end: each preset in `assets/presets/`
//! against the demo provider in the matching mode, running every flow the
//! provider's document describes — through the engine, over real HTTP on
//! 127.0.0.1.

use crate::support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use oauth_debugger::demo::user_agent::{self, Person};
use oauth_debugger::demo::{DemoConfig, DemoServer, Mode};
use oauth_debugger::engine::endpoints::api::{self, ApiRequest};
use oauth_debugger::engine::endpoints::revoke::{self, TokenHint};
use oauth_debugger::engine::grants::{self, BrowserOptions, GrantOptions, Progress};
use oauth_debugger::engine::profile::GrantType;
use oauth_debugger::engine::profile::presets::{self, PRESETS};
use oauth_debugger::engine::tokens::renewal::Session;
use oauth_debugger::engine::wire::callback::CallbackError;
use oauth_debugger::engine::wire::http::{Exchange, ExchangeKind, HttpClient, TransportErrorKind};
use oauth_debugger::engine::{EngineError, Profile, ProfileFile, Secret, TokenSet};
use support::client;

async fn demo_in(mode: Mode) -> DemoServer {
    demo_with(DemoConfig {
        port: 0,
        ..DemoConfig::for_mode(mode)
    })
    .await
}

async fn demo_with(config: DemoConfig) -> DemoServer {
    DemoServer::start(config)
        .await
        .expect("demo provider starts")
}

/// The preset `name`, its base URL pointed at `base`.
fn preset(name: &str, base: &str) -> ProfileFile {
    let index = PRESETS
        .iter()
        .position(|(file, _)| *file == name)
        .expect("preset exists");
    let file = presets::preset(index).expect("preset parses");
    assert_eq!(file.base_url.as_deref(), Some(presets::DEMO_BASE));
    presets::point_at_demo(&file, base)
}

fn typed(file: &ProfileFile) -> Profile {
    Profile::from_file(file, "preset").unwrap_or_else(|err| panic!("{err}"))
}

fn codes(tokens: &TokenSet) -> Vec<&str> {
    tokens.findings.iter().map(|f| f.code.as_str()).collect()
}

/// Grant options whose browser is `person`. With `paste`, the redirect is
/// not caught by a listener: the person's browser ends on the hosted
/// callback page and the URL it shows is pasted back, as a user would.
fn played_by(person: Person, paste: bool) -> GrantOptions {
    let (paste_tx, paste_rx) = tokio::sync::mpsc::channel::<String>(4);
    let progress = move |progress: Progress| {
        let Progress::AuthorizationUrl(request) = progress else {
            return;
        };
        let person = person.clone();
        let paste_tx = paste_tx.clone();
        tokio::spawn(async move {
            let visit = user_agent::visit(request.url.as_str(), &person).await;
            if paste
                && let Ok(visit) = visit
                && let Some(landed) = visit.redirected_to
            {
                let _ = paste_tx.send(landed).await;
            }
        });
    };
    GrantOptions {
        browser: BrowserOptions {
            open_browser: false,
            timeout: Duration::from_secs(30),
            progress: Some(Arc::new(progress)),
            paste: Some(Arc::new(tokio::sync::Mutex::new(paste_rx))),
            ..BrowserOptions::default()
        },
        ..GrantOptions::default()
    }
}

async fn run(p: &Profile, http: &HttpClient, grant: GrantType) -> Result<TokenSet, EngineError> {
    grants::run(
        p,
        http,
        &GrantOptions {
            grant: Some(grant),
            ..played_by(Person::default(), false)
        },
    )
    .await
}

async fn refresh(p: &Profile, http: &HttpClient, token: &Secret) -> Result<TokenSet, EngineError> {
    grants::run(
        p,
        http,
        &GrantOptions {
            grant: Some(GrantType::RefreshToken),
            refresh_token: Some(token.clone()),
            ..GrantOptions::default()
        },
    )
    .await
}

fn last_token_request(http: &HttpClient) -> Exchange {
    http.exchanges()
        .into_iter()
        .rev()
        .find(|e| e.kind == ExchangeKind::Token)
        .expect("a token exchange")
}

fn body_text(exchange: &Exchange) -> String {
    String::from_utf8_lossy(&exchange.request.body).into_owned()
}

async fn call_api(p: &Profile, http: &HttpClient, token: &Secret) -> (u16, String) {
    let api = p.api.as_ref().expect("[api]");
    let response = api::call(http, &ApiRequest::from_config(api), Some(token))
        .await
        .expect("API answers");
    (
        response.status(),
        response.exchange.response_text().into_owned(),
    )
}

fn invalid_grant(err: EngineError) -> String {
    match err {
        EngineError::OAuth { error, .. } => {
            assert_eq!(error.error, "invalid_grant", "{error}");
            error.to_string()
        }
        other => panic!("expected invalid_grant, got {other}"),
    }
}

// ---------------------------------------------------------------------------
// WAPI

#[tokio::test(flavor = "multi_thread")]
async fn wapi_runs_code_implicit_password_and_client_flows() {
    let server = demo_in(Mode::Wapi).await;
    let p = typed(&preset("wapi.toml", &server.url()));
    let http = client(&p);
    for grant in [
        GrantType::AuthorizationCode,
        GrantType::Implicit,
        GrantType::Password,
        GrantType::ClientCredentials,
    ] {
        let tokens = run(&p, &http, grant)
            .await
            .unwrap_or_else(|e| panic!("{grant}: {e}"));
        assert_eq!(tokens.token_type.as_deref(), Some("bearer"), "{grant}");
        assert_eq!(tokens.expires_in, Some(3600), "{grant}");
        let (status, body) = call_api(&p, &http, &tokens.access_token).await;
        assert_eq!(status, 200, "{grant}: {body}");
        match grant {
            GrantType::Implicit => {
                assert!(tokens.refresh_token.is_none());
                assert!(
                    codes(&tokens).contains(&"implicit_tokens_in_query"),
                    "WAPI returns implicit tokens in the query: {:?}",
                    codes(&tokens)
                );
            }
            GrantType::ClientCredentials => assert!(tokens.refresh_token.is_none()),
            _ => assert!(tokens.refresh_token.is_some(), "{grant}"),
        }
    }
    // The client flow sends the credentials in the body, as WAPI's curl does.
    let body = body_text(&last_token_request(&http));
    assert!(body.contains("client_secret=wapi-secret"), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn wapi_refresh_rotates_and_the_old_refresh_token_is_refused() {
    let server = demo_in(Mode::Wapi).await;
    let p = typed(&preset("wapi.toml", &server.url()));
    let http = client(&p);
    let first = run(&p, &http, GrantType::Password).await.expect("password");
    let old = first.refresh_token.clone().expect("refresh token");
    let second = refresh(&p, &http, &old).await.expect("refresh");
    let new = second.refresh_token.clone().expect("rotated");
    assert_ne!(new.expose(), old.expose());
    let message = invalid_grant(refresh(&p, &http, &old).await.expect_err("old refused"));
    assert!(!message.is_empty());
    refresh(&p, &http, &new)
        .await
        .expect("the newest one works");
}

#[tokio::test(flavor = "multi_thread")]
async fn wapi_api_takes_the_token_in_the_header_or_as_oauth_token_or_access_token() {
    let server = demo_in(Mode::Wapi).await;
    let mut file = preset("wapi.toml", &server.url());
    let tokens = run(&typed(&file), &client(&typed(&file)), GrantType::Password)
        .await
        .expect("token");
    for (placement, param) in [
        ("header", None),
        ("query", Some("oauth_token")),
        ("query", Some("access_token")),
    ] {
        let api = file.api.as_mut().expect("[api]");
        api.token_placement = Some(if placement == "header" {
            oauth_debugger::engine::profile::TokenPlacementKind::Header
        } else {
            oauth_debugger::engine::profile::TokenPlacementKind::Query
        });
        api.query_param = param.map(str::to_string);
        let p = typed(&file);
        let http = client(&p);
        let (status, body) = call_api(&p, &http, &tokens.access_token).await;
        assert_eq!(status, 200, "{placement} {param:?}: {body}");
        let sent = http.exchanges().pop().expect("exchange").request.url;
        assert!(sent.contains("format=JSON"), "{sent}");
        if let Some(param) = param {
            assert!(sent.contains(&format!("{param}=")), "{sent}");
        }
        let value: serde_json::Value = serde_json::from_str(&body).expect("JSON body");
        assert!(value.is_object(), "{body}");
    }
    // Without a token: 401 with a challenge.
    let p = typed(&file);
    let response = api::call(
        &client(&p),
        &ApiRequest::from_config(p.api.as_ref().expect("api")),
        None,
    )
    .await
    .expect("answer");
    assert_eq!(response.status(), 401);
    assert!(response.challenge.is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn wapi_over_self_signed_tls_needs_accept_invalid_certs() {
    let server = demo_with(DemoConfig {
        port: 0,
        tls: true,
        ..DemoConfig::for_mode(Mode::Wapi)
    })
    .await;
    assert!(server.url().starts_with("https://"), "{}", server.url());
    let mut file = preset("wapi.toml", &server.url());
    let p = typed(&file);
    let err = run(&p, &client(&p), GrantType::Password)
        .await
        .expect_err("an untrusted certificate is refused");
    match &err {
        EngineError::Transport { error, .. } => {
            assert_eq!(error.kind, TransportErrorKind::Tls, "{error}")
        }
        other => panic!("expected a TLS failure, got {other}"),
    }
    file.http
        .get_or_insert_with(Default::default)
        .accept_invalid_certs = Some(true);
    let p = typed(&file);
    assert!(p.http.accept_invalid_certs);
    let http = client(&p);
    let tokens = run(&p, &http, GrantType::Password).await.expect("accepted");
    let (status, _) = call_api(&p, &http, &tokens.access_token).await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn wapi_refreshes_ahead_of_expiry() {
    // Tokens that live 40 s, refreshed 30 s ahead (the document's advice):
    // after 11 s the session refreshes before calling the API.
    let server = demo_with(DemoConfig {
        port: 0,
        token_ttl: Duration::from_secs(40),
        ..DemoConfig::for_mode(Mode::Wapi)
    })
    .await;
    let p = typed(&preset("wapi.toml", &server.url()));
    let http = client(&p);
    let tokens = run(&p, &http, GrantType::Password).await.expect("token");
    let first = tokens.access_token.clone();
    let mut session = Session::new(&p, &http, tokens);
    let request = ApiRequest::from_config(p.api.as_ref().expect("api"));
    assert_eq!(session.call(&request).await.expect("call").status(), 200);
    assert_eq!(session.refreshes(), 0, "not due yet");
    tokio::time::sleep(Duration::from_secs(11)).await;
    assert_eq!(session.call(&request).await.expect("call").status(), 200);
    assert_eq!(session.refreshes(), 1, "refreshed 30 s ahead");
    assert_ne!(session.tokens().access_token.expose(), first.expose());
}

// ---------------------------------------------------------------------------
// Orchestrator

#[tokio::test(flavor = "multi_thread")]
async fn orchestrator_password_grant_sends_no_client_and_a_domain_username() {
    let server = demo_in(Mode::Orchestrator).await;
    let p = typed(&preset("orchestrator.toml", &server.url()));
    assert!(p.client_id.is_none());
    let http = client(&p);
    let tokens = run(&p, &http, GrantType::Password).await.expect("token");
    assert_eq!(tokens.expires_in, Some(899));
    assert!(
        codes(&tokens).contains(&"no_client"),
        "{:?}",
        codes(&tokens)
    );
    let request = &last_token_request(&http).request;
    let body = body_text(&last_token_request(&http));
    assert!(!body.contains("client_id"), "{body}");
    assert!(
        !request
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("authorization")),
        "{:?}",
        request.headers
    );
    assert!(body.contains("username=VDRO%5Cadministrator"), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn orchestrator_refresh_tokens_with_plus_slash_equals_are_form_encoded() {
    let server = demo_in(Mode::Orchestrator).await;
    let p = typed(&preset("orchestrator.toml", &server.url()));
    let http = client(&p);
    let tokens = run(&p, &http, GrantType::Password).await.expect("token");
    let old = tokens.refresh_token.clone().expect("refresh token");
    for c in ['+', '/', '='] {
        assert!(old.expose().contains(c), "{c} in the refresh token");
    }
    let fresh = refresh(&p, &http, &old).await.expect("refresh works");
    let body = body_text(&last_token_request(&http));
    assert!(
        body.contains("%2B") && body.contains("%2F") && body.contains("%3D"),
        "{body}"
    );
    assert!(!body.contains('+'), "{body}");
    assert_ne!(fresh.refresh_token.expect("rotated").expose(), old.expose());
    invalid_grant(refresh(&p, &http, &old).await.expect_err("old refused"));
}

#[tokio::test(flavor = "multi_thread")]
async fn orchestrator_client_accounts_become_client_credentials_profiles() {
    let server = demo_in(Mode::Orchestrator).await;
    let file = preset("orchestrator.toml", &server.url());
    let p = typed(&file);
    let http = client(&p);
    let user = run(&p, &http, GrantType::Password)
        .await
        .expect("user token");
    let saved = |name: &str| {
        let saved = p
            .requests
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("ready-made request {name}"));
        ApiRequest::from_saved(saved, p.api.as_ref())
    };

    // Create a client account: its id and secret come back.
    let created = api::call(
        &http,
        &saved("Create client account"),
        Some(&user.access_token),
    )
    .await
    .expect("created");
    assert_eq!(
        created.status(),
        200,
        "{}",
        created.exchange.response_text()
    );
    let body: serde_json::Value =
        serde_json::from_str(&created.exchange.response_text()).expect("JSON");
    let client_id = body["client_id"].as_str().expect("client_id").to_string();

    // One action: a client_credentials profile with them.
    let client_file = file.for_client_account(&body).expect("a client account");
    assert_eq!(client_file.grant_type, Some(GrantType::ClientCredentials));
    let client_profile = typed(&client_file);
    let client_http = client(&client_profile);
    let tokens = grants::run(&client_profile, &client_http, &GrantOptions::default())
        .await
        .expect("client credentials with the new account");
    // The documented response has a trailing comma: repaired, kept, flagged.
    assert!(
        codes(&tokens).contains(&"json_repaired"),
        "{:?}",
        codes(&tokens)
    );
    let raw = tokens.raw_text.clone().expect("raw body kept");
    assert!(
        raw.trim_end().ends_with(",\n}") || raw.contains(",\n}"),
        "{raw}"
    );
    assert_eq!(tokens.expires_in, Some(899));

    // Without repair_json the same response is refused, naming the switch.
    let mut strict = client_file.clone();
    strict.compat = None;
    let strict = typed(&strict);
    let err = grants::run(&strict, &client(&strict), &GrantOptions::default())
        .await
        .expect_err("invalid JSON refused");
    assert!(err.to_string().contains("repair_json"), "{err}");
    assert!(err.exchange().is_some(), "the raw exchange stays visible");

    // List, then delete it.
    let listed = api::call(
        &http,
        &saved("List client accounts"),
        Some(&user.access_token),
    )
    .await
    .expect("listed");
    assert!(listed.exchange.response_text().contains(&client_id));
    let mut delete = saved("Delete client account");
    delete
        .url
        .query_pairs_mut()
        .clear()
        .append_pair("clientId", &client_id);
    let deleted = api::call(&http, &delete, Some(&user.access_token))
        .await
        .expect("deleted");
    assert_eq!(deleted.status(), 204);
}

#[tokio::test(flavor = "multi_thread")]
async fn orchestrator_logout_ends_the_token() {
    let server = demo_in(Mode::Orchestrator).await;
    let p = typed(&preset("orchestrator.toml", &server.url()));
    let http = client(&p);
    let tokens = run(&p, &http, GrantType::Password).await.expect("token");
    let request = ApiRequest::from_config(p.api.as_ref().expect("api"));
    let before = api::call(&http, &request, Some(&tokens.access_token))
        .await
        .expect("call");
    assert_eq!(before.status(), 200);
    let logout = ApiRequest::logout(p.logout.as_ref().expect("[logout]"), p.api.as_ref());
    assert_eq!(logout.method, http::Method::DELETE);
    let out = api::call(&http, &logout, Some(&tokens.access_token))
        .await
        .expect("logout");
    assert_eq!(out.status(), 204);
    let after = api::call(&http, &request, Some(&tokens.access_token))
        .await
        .expect("call");
    assert_eq!(after.status(), 401);
}

// ---------------------------------------------------------------------------
// Wordapp

#[tokio::test(flavor = "multi_thread")]
async fn wordapp_password_grant_takes_a_username_or_an_email() {
    let server = demo_in(Mode::Wordapp).await;
    let mut file = preset("wordapp.toml", &server.url());
    for username in ["alice@example.com", "alice"] {
        file.username = Some(username.to_string());
        let p = typed(&file);
        let http = client(&p);
        let tokens = run(&p, &http, GrantType::Password)
            .await
            .unwrap_or_else(|e| panic!("{username}: {e}"));
        assert_eq!(tokens.expires_in, Some(7200));
        let (status, body) = call_api(&p, &http, &tokens.access_token).await;
        assert_eq!(status, 200, "{body}");
        let sent = http.exchanges().pop().expect("api exchange").request;
        assert!(
            sent.headers
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case("x-api-version") && v == "1"),
            "{:?}",
            sent.headers
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn wordapp_code_flow_allowed_and_refused() {
    let server = demo_in(Mode::Wordapp).await;
    let p = typed(&preset("wordapp.toml", &server.url()));
    let http = client(&p);
    let tokens = run(&p, &http, GrantType::AuthorizationCode)
        .await
        .expect("authorized");
    assert!(tokens.refresh_token.is_some());
    refresh(&p, &http, tokens.refresh_token.as_ref().expect("refresh"))
        .await
        .expect("refresh");

    let refused = grants::run(
        &p,
        &http,
        &GrantOptions {
            grant: Some(GrantType::AuthorizationCode),
            ..played_by(
                Person {
                    approve: false,
                    ..Person::default()
                },
                false,
            )
        },
    )
    .await
    .expect_err("the user refused");
    match refused {
        EngineError::Callback(CallbackError::Authorization {
            error, description, ..
        }) => {
            assert_eq!(error, "access_denied");
            assert!(description.is_some_and(|d| !d.is_empty()));
        }
        other => panic!("expected access_denied, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn wordapp_client_credentials_and_api_needs_x_api_version() {
    let server = demo_in(Mode::Wordapp).await;
    let mut file = preset("wordapp.toml", &server.url());
    let p = typed(&file);
    let http = client(&p);
    let tokens = run(&p, &http, GrantType::ClientCredentials)
        .await
        .expect("client credentials");
    let (status, _) = call_api(&p, &http, &tokens.access_token).await;
    assert_eq!(status, 200);
    file.api.as_mut().expect("api").headers.clear();
    let bare = typed(&file);
    let (status, body) = call_api(&bare, &http, &tokens.access_token).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("X-Api-Version"), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn wordapp_revocation_sends_the_authorization_header_and_the_token_field() {
    let server = demo_in(Mode::Wordapp).await;
    let p = typed(&preset("wordapp.toml", &server.url()));
    let http = client(&p);
    let tokens = run(&p, &http, GrantType::Password).await.expect("token");
    let revoked = revoke::revoke(&p, &http, &tokens.access_token, TokenHint::AccessToken)
        .await
        .expect("revoked");
    let request = &revoked.exchange.request;
    assert!(
        request
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("authorization") && v.starts_with("Basic ")),
        "{:?}",
        request.headers
    );
    assert!(body_text(&revoked.exchange).contains("token="));
    let (status, _) = call_api(&p, &http, &tokens.access_token).await;
    assert_eq!(status, 401, "a revoked token means: authorize again");

    // The same revocation without the Authorization header is refused.
    let mut file = preset("wordapp.toml", &server.url());
    file.revocation_endpoint_auth_method = None;
    let body_only = typed(&file);
    let other = run(&body_only, &http, GrantType::Password)
        .await
        .expect("token");
    let err = revoke::revoke(
        &body_only,
        &http,
        &other.access_token,
        TokenHint::AccessToken,
    )
    .await
    .expect_err("refused");
    assert!(matches!(err, EngineError::OAuth { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn wordapp_a_newer_token_supersedes_the_older_one() {
    let server = demo_in(Mode::Wordapp).await;
    let p = typed(&preset("wordapp.toml", &server.url()));
    let http = client(&p);
    let first = run(&p, &http, GrantType::Password).await.expect("first");
    let second = run(&p, &http, GrantType::Password).await.expect("second");
    assert_eq!(call_api(&p, &http, &second.access_token).await.0, 200);
    assert_eq!(call_api(&p, &http, &first.access_token).await.0, 401);
}

// ---------------------------------------------------------------------------
// Windchill / PingFederate

#[tokio::test(flavor = "multi_thread")]
async fn pingfederate_code_flow_with_a_pasted_redirect_basic_only_and_params_in_the_query() {
    let server = demo_in(Mode::PingFederate).await;
    let p = typed(&preset("pingfederate.toml", &server.url()));
    assert_eq!(
        p.redirect_uri.as_ref().map(|u| u.host_str()),
        Some(Some("app.getpostman.com"))
    );
    let http = client(&p);
    let tokens = grants::run(&p, &http, &played_by(Person::default(), true))
        .await
        .expect("code flow through the pasted redirect");
    // No token_type in the code exchange's answer: treated as Bearer, flagged.
    assert_eq!(tokens.token_type, None);
    assert_eq!(tokens.effective_token_type(), "Bearer");
    assert!(
        codes(&tokens).contains(&"token_type_missing"),
        "{:?}",
        codes(&tokens)
    );
    assert!(codes(&tokens).contains(&"compat_token_params_in_query"));
    assert!(codes(&tokens).contains(&"compat_basic_auth_raw"));
    let exchange = last_token_request(&http);
    assert!(exchange.request.body.is_empty(), "parameters in the query");
    assert!(
        exchange
            .request
            .url
            .contains("grant_type=authorization_code")
    );
    assert!(!exchange.request.url.contains("client_secret"));
    assert!(
        exchange
            .request
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("authorization") && v.starts_with("Basic "))
    );
    let (status, body) = call_api(&p, &http, &tokens.access_token).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("@odata.context"), "{body}");

    // The refresh answer says "Bearer" with a capital B: the registered
    // form (RFC 6750 §6.1.1), so no finding.
    let again = refresh(&p, &http, tokens.refresh_token.as_ref().expect("refresh"))
        .await
        .expect("refresh");
    assert_eq!(again.token_type.as_deref(), Some("Bearer"));
    assert!(
        !codes(&again).contains(&"token_type_case"),
        "{:?}",
        codes(&again)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pingfederate_refuses_form_encoded_basic_credentials_without_the_switch() {
    let server = demo_in(Mode::PingFederate).await;
    let mut file = preset("pingfederate.toml", &server.url());
    if let Some(compat) = file.compat.as_mut() {
        compat.basic_auth_raw = false;
    }
    let p = typed(&file);
    let err = grants::run(&p, &client(&p), &played_by(Person::default(), true))
        .await
        .expect_err("form-encoded secret refused");
    match err {
        EngineError::OAuth { error, .. } => assert_eq!(error.error, "invalid_client"),
        other => panic!("expected invalid_client, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pingfederate_a_pasted_redirect_with_another_state_is_refused() {
    let server = demo_in(Mode::PingFederate).await;
    let p = typed(&preset("pingfederate.toml", &server.url()));
    let (paste_tx, paste_rx) = tokio::sync::mpsc::channel::<String>(4);
    let seen = Arc::new(Mutex::new(None));
    let seen_in = seen.clone();
    let progress = move |progress: Progress| {
        if let Progress::AuthorizationUrl(request) = progress {
            *seen_in.lock().expect("lock") = Some(request.state.clone());
            let paste_tx = paste_tx.clone();
            tokio::spawn(async move {
                let visit = user_agent::visit(request.url.as_str(), &Person::default())
                    .await
                    .expect("visit");
                let landed = visit.redirected_to.expect("redirected");
                let tampered = landed.replace(&request.state, "forged-state");
                let _ = paste_tx.send(tampered).await;
            });
        }
    };
    let options = GrantOptions {
        browser: BrowserOptions {
            open_browser: false,
            timeout: Duration::from_secs(30),
            progress: Some(Arc::new(progress)),
            paste: Some(Arc::new(tokio::sync::Mutex::new(paste_rx))),
            ..BrowserOptions::default()
        },
        ..GrantOptions::default()
    };
    let err = grants::run(&p, &client(&p), &options)
        .await
        .expect_err("forged state refused");
    assert!(
        matches!(
            err,
            EngineError::Callback(CallbackError::StateMismatch { ref received, .. }) if received == "forged-state"
        ),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pingfederate_seven_second_tokens_stay_usable_with_auto_refresh() {
    // Short tokens (3 s here, 7 s in the document) expire between calls;
    // the session refreshes them ahead of expiry so every call succeeds.
    let server = demo_with(DemoConfig {
        port: 0,
        token_ttl: Duration::from_secs(3),
        ..DemoConfig::for_mode(Mode::PingFederate)
    })
    .await;
    let p = typed(&preset("pingfederate.toml", &server.url()));
    let http = client(&p);
    let tokens = grants::run(&p, &http, &played_by(Person::default(), true))
        .await
        .expect("token");
    let first = tokens.access_token.clone();
    let request = ApiRequest::from_config(p.api.as_ref().expect("api"));

    // Without refreshing, the first token stops working.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(call_api(&p, &http, &first).await.0, 401, "expired");

    let mut session = Session::new(&p, &http, tokens);
    for _ in 0..4 {
        let response = session.call(&request).await.expect("call");
        assert_eq!(
            response.status(),
            200,
            "{}",
            response.exchange.response_text()
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    assert!(session.refreshes() >= 1, "refreshed along the way");
}
