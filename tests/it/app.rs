//! The app as a person uses it, driven through egui_kittest: find widgets by
//! the label a person reads, click, type, run frames, check what is shown.
//! The engine runs for real against the built-in demo provider.

use crate::support;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use oauth_debugger::app::App;
use oauth_debugger::demo::user_agent::{self, Person};
use support::ui::{click, export_har, new_from_preset, shows, start_in, wait_for};

/// Like [`start_in`], in a fresh temporary folder (kept alive by the caller).
fn start(runtime: &tokio::runtime::Runtime) -> (Harness<'static, App>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    (start_in(runtime, dir.path()), dir)
}

#[test]
fn first_launch_runs_the_demo_grant_and_shows_token_claims_and_countdown() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, _dir) = start(&runtime);
    assert!(
        harness
            .query_by_label("Demo — client credentials")
            .is_some()
    );

    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| {
        h.query_by_label_contains("Token received (Client credentials grant)")
            .is_some()
    });
    // The sequence diagram drew the token request and response.
    wait_for(&mut harness, "the token arrows", |h| {
        h.query_by_label("Arrow 1: POST /token").is_some()
    });
    assert!(shows(&harness, "200 token"));
    // The finished run exports as a diagram and as a replay script.
    harness.get_by_label("Copy as Mermaid").click();
    let diagram = copied_text(&mut harness).expect("a diagram was copied");
    assert!(diagram.starts_with("sequenceDiagram\n"), "{diagram}");
    assert!(diagram.contains("C->>AS: POST /token → 200"), "{diagram}");
    harness.get_by_label("Copy as curl script").click();
    let script = copied_text(&mut harness).expect("a script was copied");
    assert!(script.starts_with("#!/usr/bin/env bash"), "{script}");
    assert!(
        script.contains("BASIC_CREDENTIALS:?set BASIC_CREDENTIALS"),
        "secrets are variables, their values not copied: {script}"
    );

    click(&mut harness, "Tokens");
    assert!(
        harness
            .query_by_label_contains("access_token: ••••")
            .is_some(),
        "masked by default"
    );
    assert!(
        harness.query_by_label("client_id").is_some(),
        "claims are listed"
    );
    // The countdown ("in 59 min (at 14:03:10)") and the exp claim.
    assert!(shows(&harness, "in 59 min") || shows(&harness, "in 1 h"));
    assert!(shows(&harness, " (at "));
    assert!(shows(&harness, "% of the lifetime left"));

    let token = harness
        .state()
        .state()
        .selected_session()
        .expect("session")
        .tokens
        .current()
        .expect("tokens")
        .access_token
        .clone();
    assert!(
        harness
            .query_by_label_contains(&token.expose()[..24])
            .is_none()
    );
    click(&mut harness, "Show secrets");
    assert!(
        harness
            .query_by_label_contains(&token.expose()[..24])
            .is_some()
    );

    // The same token pasted: verified against the demo's JWKS.
    click(&mut harness, "Inspect a pasted JWT");
    harness.get_by_label("JWT").focus();
    harness.run_steps(1);
    harness.get_by_label("JWT").type_text(token.expose());
    harness.run_steps(2);
    click(&mut harness, "Verify pasted");
    wait_for(&mut harness, "the pasted token's verdicts", |h| {
        h.query_by_label("verified: no check failed").is_some()
    });
    assert!(shows(
        &harness,
        "RS256 signature verified with key demo-rs256-"
    ));
}

#[test]
fn authorization_code_through_the_ui_shows_the_id_token_and_the_steps() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, _dir) = start(&runtime);
    click(&mut harness, "Demo — authorization code");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the browser step", |h| {
        h.query_by_label("Waiting for the browser").is_some()
    });
    // The authorization request is asked once before the browser opens
    // (the preflight): an exchange, drawn as observed.
    wait_for(&mut harness, "the preflight", |h| shows(h, "200 authorize"));
    assert!(shows(&harness, "Arrow 1: GET /authorize"));
    // Before the redirect, the sign-in is drawn as awaited, never as done.
    assert!(shows(&harness, "GET /authorize (waiting)"));
    assert!(!shows(&harness, "200 token"));

    // The person copies the URL the app shows into their browser.
    let url = harness
        .get_by_label_contains("/authorize?")
        .accesskit_node()
        .value()
        .or_else(|| {
            harness
                .get_by_label_contains("/authorize?")
                .accesskit_node()
                .label()
        })
        .expect("URL label");
    let visit = runtime
        .block_on(user_agent::visit(&url, &Person::default()))
        .expect("signed in");
    assert!(visit.redirected_to.is_some_and(|r| r.contains("code=")));

    wait_for(&mut harness, "the token", |h| {
        h.query_by_label_contains("Token received (Authorization code grant)")
            .is_some()
    });
    wait_for(&mut harness, "the token arrows", |h| shows(h, "200 token"));
    for arrow in ["GET /callback (code)", "POST /token"] {
        assert!(shows(&harness, arrow), "the diagram shows {arrow}");
    }
    // Only what was observed: the app never opened a browser here (the
    // person copied the URL), and it cannot see the sign-in itself — the
    // one GET /authorize it saw is its own preflight.
    for unseen in [
        "open /authorize",
        "GET /authorize (waiting)",
        "302 -> /callback",
    ] {
        assert!(
            !shows(&harness, unseen),
            "the diagram does not claim {unseen}"
        );
    }
    let arrows: Vec<String> = harness
        .query_all_by_label_contains("GET /authorize")
        .filter_map(|n| n.accesskit_node().label())
        .filter(|label| label.starts_with("Arrow "))
        .collect();
    assert_eq!(arrows, ["Arrow 1: GET /authorize"], "only the preflight");
    assert!(shows(
        &harness,
        "Redirect received on the loopback listener"
    ));
    assert!(shows(&harness, "PKCE S256 sent"));
    assert!(shows(&harness, "state matched"));

    click(&mut harness, "Tokens");
    assert!(harness.query_by_label_contains("id_token: ••••").is_some());
    assert!(harness.query_all_by_label("nonce").next().is_some());

    // The ID token is verified as it arrives (issue 19), with no click:
    // every check of both JWTs, the nonce against the one sent.
    wait_for(&mut harness, "the verdicts", |h| {
        h.query_by_label("Decoded id_token (JWT, verified: no check failed)")
            .is_some()
    });
    assert!(shows(&harness, "nonce matches the one sent"));
    assert!(shows(
        &harness,
        "RS256 signature verified with key demo-rs256-"
    ));

    click(&mut harness, "Userinfo");
    wait_for(&mut harness, "the userinfo claims", |h| {
        h.query_by_label("Userinfo claims").is_some()
    });

    // The preset has no introspection endpoint: Discover fills it (and the
    // other empty ones), keeping what was typed.
    click(&mut harness, "Discover");
    wait_for(&mut harness, "discovery", |h| {
        shows(h, "/.well-known/openid-configuration; filled")
    });
    assert!(shows(&harness, "introspection_endpoint"));
    harness
        .get_by_label("What the server supports")
        .scroll_to_me();
    harness.run_steps(10);
    click(&mut harness, "What the server supports");
    harness.run_steps(4);
    assert!(shows(
        &harness,
        "client_secret_basic client_secret_post private_key_jwt client_secret_jwt none"
    ));
    click(&mut harness, "Introspect");
    wait_for(&mut harness, "introspection", |h| {
        h.query_by_label("Introspection: active").is_some()
    });
}

#[test]
fn a_wrong_step_shows_the_error_verdict() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, _dir) = start(&runtime);
    click(&mut harness, "Demo — password");
    click(&mut harness, "Grant to run");
    click(&mut harness, "Refresh token");
    click(&mut harness, "Run all");
    assert!(
        harness
            .query_by_label_contains("There is no refresh token to use")
            .is_some(),
        "refresh without a token is explained, nothing is sent"
    );
    assert!(harness.state().state().exchanges.recent().is_empty());
}

#[test]
fn request_tab_calls_the_api_and_the_http_log_lists_every_exchange() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, _dir) = start(&runtime);
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| {
        h.query_by_label_contains("Token received").is_some()
    });

    click(&mut harness, "Request");
    click(&mut harness, "Send");
    wait_for(&mut harness, "the answer", |h| {
        h.query_by_label_contains("HTTP 200").is_some()
    });
    // The body as a tree: items unfolded, each item folded until asked.
    assert!(shows(&harness, "items: [2 items]"));
    click(&mut harness, "Unfold [0]");
    assert!(
        shows(&harness, "name: \"Widget\""),
        "the JSON body is shown"
    );
    click(&mut harness, "Text");
    assert!(shows(&harness, "\"name\": \"Widget\""), "and as text");

    click(&mut harness, "HTTP log");
    wait_for(&mut harness, "both exchanges", |h| {
        h.query_by_label("2 of 2 exchanges").is_some()
    });
    // Find: any part of the row, case aside.
    harness.get_by_label("Filter").focus();
    harness.get_by_label("Filter").type_text("get");
    harness.run_steps(2);
    assert!(shows(&harness, "1 of 2 exchanges"), "the API call only");
    assert!(harness.query_by_label_contains("POST   http").is_none());
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label("Filter").type_text("200");
    harness.run_steps(2);
    assert!(shows(&harness, "2 of 2 exchanges"), "both answered 200");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    harness.run_steps(2);
    harness.get_by_label_contains("GET    http").click();
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("authorization: Bearer [redacted]")
            .is_some()
    );
    // Masked, the copied command names the variable to set and holds no
    // token.
    harness.get_by_label("Copy as curl").click();
    let masked = copied_text(&mut harness).expect("a command was copied");
    assert!(shows(&harness, "Copied"), "the button says it copied");
    assert!(
        masked.starts_with("# Set ACCESS_TOKEN first") && masked.contains("Bearer ${ACCESS_TOKEN}"),
        "{masked}"
    );
    let token = harness
        .state()
        .state()
        .current_tokens()
        .expect("tokens")
        .access_token
        .clone();
    assert!(!masked.contains(token.expose()), "{masked}");
    harness.run_steps(100);
    // With secrets revealed, the copied script exports the token, runs as
    // it is and gets the same answer.
    click(&mut harness, "Show secrets");
    harness.get_by_label("Copy as curl").click();
    let copied = copied_text(&mut harness).expect("a command was copied");
    assert!(
        copied.starts_with("export ACCESS_TOKEN=")
            && copied.contains("\ncurl -sS -i")
            && copied.contains("/api/items"),
        "{copied}"
    );
    if std::path::Path::new("/usr/bin/curl").exists() {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(&copied)
            .output()
            .expect("curl runs");
        let head = String::from_utf8_lossy(&out.stdout);
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    }
}

/// Runs frames until the app put text on the clipboard; returns it.
fn copied_text(harness: &mut Harness<'_, App>) -> Option<String> {
    for _ in 0..4 {
        harness.step();
        let copied = harness
            .output()
            .platform_output
            .commands
            .iter()
            .find_map(|c| match c {
                egui::OutputCommand::CopyText(text) => Some(text.clone()),
                _ => None,
            });
        if copied.is_some() {
            return copied;
        }
    }
    None
}

#[test]
fn a_profile_edited_and_saved_is_there_in_a_new_app_instance() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let mut harness = start_in(&runtime, dir.path());
        // First launch wrote the Demo profiles as files.
        assert!(dir.path().join("demo-client-credentials.toml").exists());
        assert!(shows(&harness, "Profiles are saved in"));
        new_from_preset(&mut harness, "Demo — password");
        // Saved at once, as made.
        wait_for(&mut harness, "the new profile's file", |h| {
            !shows(h, "Saving…")
        });
        assert!(dir.path().join("demo-password-2.toml").exists());
        harness.get_by_label("Name").focus();
        harness.get_by_label("Name").type_text(" for QA");
        harness.run_steps(2);
        assert!(shows(&harness, "Unsaved changes"));
        click(&mut harness, "Save");
        wait_for(&mut harness, "the save", |h| {
            !shows(h, "Unsaved changes") && !shows(h, "Saving…")
        });
        assert!(shows(&harness, "Saved "));
    }
    let harness = start_in(&runtime, dir.path());
    assert!(
        harness.query_by_label("Demo — password for QA").is_some(),
        "the saved profile is listed again"
    );
}

#[test]
fn a_wrong_client_secret_shows_invalid_client_and_its_description() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, _dir) = start(&runtime);
    click(&mut harness, "Show secrets");
    harness.get_by_label("Client secret").focus();
    harness.get_by_label("Client secret").type_text("-typo");
    harness.run_steps(2);
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the verdict", |h| shows(h, "invalid_client"));
    assert!(shows(
        &harness,
        "wrong client_secret for client 'demo-client'"
    ));
    // The exchange event may come a frame after the verdict.
    wait_for(&mut harness, "the diagram's answer arrow", |h| {
        shows(h, "401 invalid_client")
    });
    // Beside the run's verdict, folded: why it happened and what to try.
    // The answer's arrow can be drawn a frame before the run's verdict.
    wait_for(&mut harness, "the run's verdict", |h| {
        h.query_by_label("Why?").is_some()
    });
    assert!(!shows(&harness, "Likely causes"));
    click(&mut harness, "Why?");
    wait_for(&mut harness, "the explanation", |h| {
        shows(h, "Likely causes") && shows(h, "The client_secret is wrong")
    });
    assert!(shows(&harness, "token_endpoint_auth_method"));
}

#[test]
fn editing_a_steps_client_secret_shows_invalid_client_in_its_verdict() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, _dir) = start(&runtime);
    click(&mut harness, "Next step");
    wait_for(&mut harness, "the prepared request", |h| {
        h.query_by_label("Basic client_secret").is_some()
    });
    // The request the oauth2 crate built, shown before it is sent.
    assert!(shows(&harness, "prepared; edit it below"));
    assert!(harness.query_by_label("grant_type").is_some());
    assert!(
        harness.state().state().exchanges.recent().is_empty(),
        "nothing was sent yet"
    );
    harness.get_by_label("Basic client_secret").focus();
    harness
        .get_by_label("Basic client_secret")
        .type_text("-wrong");
    harness.run_steps(2);
    click(&mut harness, "Send");
    wait_for(&mut harness, "the verdict", |h| shows(h, "invalid_client"));
    assert!(shows(
        &harness,
        "wrong client_secret for client 'demo-client'"
    ));
    // The exchange travels on its own channel and may trail the verdict.
    wait_for(&mut harness, "the exchange", |h| {
        !h.state().state().exchanges.recent().is_empty()
    });
    let sent = &harness.state().state().exchanges.recent()[0];
    assert!(
        sent.request
            .headers
            .iter()
            .any(|(k, v)| k == "authorization" && v.starts_with("Basic "))
    );
}

#[test]
fn auto_refresh_uses_the_refresh_token_ahead_of_expiry() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, _dir) = start(&runtime);
    click(&mut harness, "Demo — password");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Password (resource owner) grant)")
    });
    click(&mut harness, "Tokens");
    // Refresh when 3599 of the 3600 seconds are left: about a second from now.
    harness.get_by_label("Seconds before expiry").focus();
    harness.key_press(egui::Key::Backspace);
    harness.key_press(egui::Key::Backspace);
    harness
        .get_by_label("Seconds before expiry")
        .type_text("3599");
    click(&mut harness, "Auto-refresh");
    wait_for(&mut harness, "the refreshed token", |h| {
        shows(h, "Token received (Refresh token grant)")
    });
    click(&mut harness, "Auto-refresh");
    let history = &harness
        .state()
        .state()
        .selected_session()
        .expect("session")
        .tokens
        .history;
    assert_eq!(
        history[0].grant,
        oauth_debugger::engine::GrantType::Password
    );
    assert_eq!(
        history[1].grant,
        oauth_debugger::engine::GrantType::RefreshToken
    );
    assert_ne!(
        history[0].refresh_token, history[1].refresh_token,
        "rotated"
    );
    assert!(shows(&harness, "Earlier token sets (1)"));
    assert!(shows(&harness, "Refreshed; the refresh token was rotated"));
}

#[test]
fn the_device_grant_shows_the_user_code_and_a_qr_code_until_approved() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, _dir) = start(&runtime);
    click(&mut harness, "Demo — device code");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the user code", |h| {
        shows(h, "Waiting for the device to be approved")
    });
    let info = match &harness
        .state()
        .state()
        .selected_session()
        .expect("session")
        .flow
        .waiting
    {
        Some(oauth_debugger::app::flow::Waiting::Device(info)) => info.clone(),
        other => panic!("not waiting for a device: {other:?}"),
    };
    assert!(
        harness.query_by_label(&info.user_code).is_some(),
        "the code in large type"
    );
    let complete = info
        .verification_uri_complete
        .clone()
        .expect("complete URI");
    assert!(
        harness
            .query_by_label(&format!("QR code of {complete}"))
            .is_some()
    );
    // The person approves on "another device".
    runtime
        .block_on(user_agent::visit(&complete, &Person::default()))
        .expect("approved");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Device authorization grant)")
    });
}

#[test]
fn a_large_response_is_laid_out_off_the_ui_thread_and_searchable() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, _dir) = start(&runtime);
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| shows(h, "Token received"));
    click(&mut harness, "Request");
    let url = harness
        .state()
        .state()
        .selected_session()
        .expect("session")
        .request
        .url
        .replace("/api/items", "/api/large?mb=5");
    harness.get_by_label("URL").focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label("URL").type_text(&url);
    harness.run_steps(2);
    click(&mut harness, "Send");
    wait_for(&mut harness, "the large answer", |h| {
        shows(h, "lines of JSON")
    });
    let answer = harness
        .state()
        .state()
        .selected_session()
        .expect("session")
        .request
        .answer
        .value()
        .cloned()
        .expect("answer")
        .expect("an answer, not an error");
    assert!(
        answer
            .response
            .exchange
            .response
            .as_ref()
            .expect("body")
            .body
            .len()
            >= 5 * 1024 * 1024
    );
    assert!(
        answer.body.line_count() > 100_000,
        "pretty-printed: {} lines",
        answer.body.line_count()
    );
    click(&mut harness, "Text");
    // Only the visible lines become widgets.
    assert!(
        harness
            .query_all_by_label_contains("\"owner\": \"demo-client\"")
            .count()
            < 200
    );
    harness.get_by_label("Find").focus();
    harness.get_by_label("Find").type_text("\"item 4242\"");
    harness.run_steps(2);
    assert!(shows(&harness, "1 line matches"));

    // In the HTTP log the body is as it came, one line of megabytes: cut,
    // saying how much is left out, so no frame lays out megabytes.
    click(&mut harness, "HTTP log");
    harness.get_by_label_contains("/api/large?mb=5").click();
    harness.run_steps(2);
    assert!(shows(&harness, "more bytes)"));
}

#[test]
fn a_revoked_token_gets_401_and_refresh_and_retry_recovers() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, _dir) = start(&runtime);
    click(&mut harness, "Demo — password");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Password (resource owner) grant)")
    });
    let access = harness
        .state()
        .state()
        .selected_session()
        .expect("session")
        .tokens
        .current()
        .expect("tokens")
        .access_token
        .clone();
    let base = match &harness.state().state().demo {
        Some(oauth_debugger::app::DemoStatus::Running(url)) => url.clone(),
        other => panic!("demo not running: {other:?}"),
    };
    // Revoked elsewhere (RFC 7009): the API now refuses the token.
    let revoked = runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("{base}/revoke"))
            .basic_auth("demo-client", Some("demo-secret"))
            .form(&[("token", access.expose())])
            .send()
            .await
            .expect("revoke")
            .status()
    });
    assert_eq!(revoked, 200);

    click(&mut harness, "Request");
    click(&mut harness, "Send");
    wait_for(&mut harness, "the 401", |h| shows(h, "HTTP 401"));
    assert!(shows(
        &harness,
        "invalid_token: The access token was revoked"
    ));
    click(&mut harness, "Why?");
    wait_for(&mut harness, "the explanation", |h| {
        shows(h, "The token was revoked")
    });
    click(&mut harness, "Refresh token and retry");
    wait_for(&mut harness, "the retried answer", |h| shows(h, "HTTP 200"));
    assert_eq!(
        harness
            .state()
            .state()
            .selected_session()
            .expect("session")
            .tokens
            .history
            .len(),
        2,
        "refreshed once"
    );
}

#[test]
fn the_token_placement_can_be_overridden_per_request() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, _dir) = start(&runtime);
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| shows(h, "Token received"));
    click(&mut harness, "Request");
    click(&mut harness, "Token placement");
    click(&mut harness, "query parameter");
    click(&mut harness, "Send");
    wait_for(&mut harness, "the answer", |h| shows(h, "HTTP 200"));
    wait_for(&mut harness, "the API exchange", |h| {
        h.state().state().exchanges.recent().len() == 2
    });
    let sent = &harness
        .state()
        .state()
        .exchanges
        .recent()
        .back()
        .expect("exchange")
        .request;
    assert!(sent.url.contains("access_token=ey"), "{}", sent.url);
    assert!(!sent.headers.iter().any(|(k, _)| k == "authorization"));
}

#[test]
fn a_tampered_state_in_the_authorization_step_is_caught_on_the_way_back() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, _dir) = start(&runtime);
    click(&mut harness, "Demo — authorization code");
    click(&mut harness, "Next step");
    wait_for(&mut harness, "the editable request", |h| {
        shows(h, "as it will be opened")
    });
    let state_field = harness.get_by_role_and_label(egui::accesskit::Role::TextInput, "state");
    state_field.focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "state")
        .type_text("tampered");
    harness.run_steps(2);
    click(&mut harness, "Open in browser");
    let url = harness
        .get_by_label_contains("/authorize?")
        .accesskit_node()
        .value()
        .or_else(|| {
            harness
                .get_by_label_contains("/authorize?")
                .accesskit_node()
                .label()
        })
        .expect("URL label");
    assert!(url.contains("state=tampered"), "{url}");
    let _ = runtime.block_on(user_agent::visit(&url, &Person::default()));
    wait_for(&mut harness, "the verdict", |h| shows(h, "state mismatch"));
    assert!(shows(&harness, "received \"tampered\""));
    // Refused and drawn as such; the sign-in itself still waits for a
    // redirect with its own state (a forged one must not end it).
    assert!(shows(&harness, "GET /callback — refused"));
    assert!(shows(&harness, "Waiting for the browser"));
    click(&mut harness, "HTTP log");
    assert!(shows(&harness, "callback"));
    click(&mut harness, "Flow");
    click(&mut harness, "Cancel");
    wait_for(&mut harness, "the cancelled run", |h| shows(h, "cancelled"));
}

#[test]
fn the_http_log_exports_the_session_as_har_with_secrets_masked() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, dir) = start(&runtime);
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| {
        h.query_by_label_contains("Token received").is_some()
    });
    click(&mut harness, "HTTP log");
    wait_for(&mut harness, "the exchange in the log", |h| {
        h.query_by_label("1 of 1 exchanges").is_some()
    });
    let path = dir.path().join("session.har");
    export_har(&mut harness, &path);
    wait_for(&mut harness, "the export", |h| {
        shows(h, "Wrote 1 exchanges")
    });
    let text = std::fs::read_to_string(&path).expect("HAR written");
    let har: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(har["log"]["version"], "1.2");
    let token = harness
        .state()
        .state()
        .selected_session()
        .expect("session")
        .tokens
        .current()
        .expect("tokens")
        .access_token
        .clone();
    assert!(!text.contains(token.expose()), "masked by default");
    assert!(text.contains("[redacted]"));
}

#[test]
fn a_broken_profile_file_is_set_aside_and_reported_with_its_line() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    {
        // First launch writes the Demo profiles.
        let _harness = start_in(&runtime, dir.path());
    }
    std::fs::write(
        dir.path().join("work.toml"),
        "name = \"Work\"\nclient_sercet = \"x\"\n",
    )
    .expect("write");
    let harness = start_in(&runtime, dir.path());
    assert!(shows(&harness, "work.toml:2: client_sercet: unknown field"));
    assert!(shows(&harness, "the file is kept as work.toml.broken-"));
    let kept: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("work.toml.broken-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(&kept[0])).expect("read"),
        "name = \"Work\"\nclient_sercet = \"x\"\n",
        "every byte kept"
    );
    assert!(!dir.path().join("work.toml").exists());
}

/// A file dropped on the window, as the windowing layer hands it over.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|err| err.to_string())
    }
}

#[test]
fn a_profile_is_exported_without_secrets_and_imported_back_by_dropping_it() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, dir) = start(&runtime);
    let exported = dir.path().join("shared.toml");
    click(&mut harness, "Import / export");
    harness.get_by_label("Profile file").focus();
    harness
        .get_by_label("Profile file")
        .type_text(&exported.display().to_string());
    harness.run_steps(2);
    click(&mut harness, "Export selected");
    wait_for(&mut harness, "the export", |h| {
        shows(h, "(secrets left out)")
    });
    let text = std::fs::read_to_string(&exported).expect("exported");
    assert!(text.contains("client_id = \"demo-client\""), "{text}");
    assert!(
        !text.contains("demo-secret"),
        "the secret stays home: {text}"
    );
    assert!(
        !text.contains("_keychain"),
        "so does this machine's keychain reference: {text}"
    );

    // Renamed, then dropped on the window: it is listed, unsaved.
    std::fs::write(
        &exported,
        text.replace("Demo — client credentials", "Shared with QA"),
    )
    .expect("write");
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(exported.clone())));
    // Imported profiles are saved at once: nothing to lose on closing.
    wait_for(&mut harness, "the import", |h| {
        shows(h, "Imported and saved Shared with QA")
    });
    wait_for(&mut harness, "its file", |h| {
        h.query_by_label("Shared with QA").is_some() && !shows(h, "Saving…")
    });
    assert!(dir.path().join("shared-with-qa.toml").exists());

    // A broken file is reported with its line, and nothing else changes.
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "name = \"x\"\nscope = [\n").expect("write");
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(broken)));
    wait_for(&mut harness, "the broken file's report", |h| {
        shows(h, "broken.toml:")
    });
}

#[test]
fn presentation_mode_masks_secrets_and_personal_data_everywhere() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, _dir) = start(&runtime);
    click(&mut harness, "Demo — password");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Password (resource owner) grant)")
    });
    click(&mut harness, "Show secrets");
    assert!(harness.state().state().reveal);
    click(&mut harness, "Presentation mode");
    assert!(!harness.state().state().reveal, "secrets hidden at once");
    click(&mut harness, "Show secrets");
    assert!(!harness.state().state().reveal, "and they stay hidden");
    assert!(shows(&harness, "•••• (presentation mode)"), "the username");
    assert!(!shows(&harness, "alice-password"));

    // The API's answer about the user: name and e-mail masked.
    click(&mut harness, "Request");
    click(&mut harness, "Send");
    wait_for(&mut harness, "the answer", |h| shows(h, "HTTP 200"));
    assert!(!shows(&harness, "alice@example.com"), "e-mail masked");
    assert!(!shows(&harness, "Alice Example"), "name masked");
    // (They are there: out of presentation mode, Show secrets reveals them.)
    click(&mut harness, "Presentation mode");
    click(&mut harness, "Show secrets");
    assert!(shows(&harness, "alice@example.com"));
    click(&mut harness, "Presentation mode");

    // The HTTP log's raw request: the username is masked as well.
    click(&mut harness, "HTTP log");
    wait_for(&mut harness, "the token exchange in the log", |h| {
        h.query_by_label_contains("POST   http").is_some()
    });
    harness.get_by_label_contains("POST   http").click();
    harness.run_steps(2);
    assert!(shows(&harness, "username=[redacted]"));
    assert!(!shows(&harness, "username=alice"));
}

#[test]
fn the_audit_tab_runs_the_checks_and_opens_their_exchanges() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut harness, _dir) = start(&runtime);
    click(&mut harness, "Demo — password");
    click(&mut harness, "Audit");
    assert!(shows(
        &harness,
        "Audit the authorization server of Demo — password"
    ));
    click(&mut harness, "Run audit");
    wait_for(&mut harness, "the audit", |h| {
        shows(h, "no required check failed")
    });
    let audit = &harness
        .state()
        .state()
        .sessions
        .get(harness.state().state().profiles.selected.expect("selected"))
        .expect("session")
        .audit;
    // Every check but the slow, opt-in code-lifetime one.
    let default_run = oauth_debugger::engine::audit::CHECKS
        .iter()
        .filter(|c| oauth_debugger::engine::audit::selected(c, &Default::default()))
        .count();
    assert_eq!(default_run, oauth_debugger::engine::audit::CHECKS.len() - 1);
    assert_eq!(audit.results.len(), default_run, "every check reported");
    // Each check is a row; the browser ones do not apply to the password
    // grant and say so.
    for shown in [
        "refresh-rotation-reuse",
        "client-auth-wrong-secret",
        "needs the authorization code grant",
        "PASS",
        "WARN",
    ] {
        assert!(shows(&harness, shown), "{shown}");
    }
    assert!(!shows(&harness, "FAIL"));
    // A row opens to its rule and exchanges; one opens in the HTTP log.
    harness
        .get_by_label("refresh-rotation-reuse")
        .scroll_to_me();
    harness.run_steps(10);
    click(&mut harness, "refresh-rotation-reuse");
    assert!(shows(&harness, "Rule: RFC 9700 §4.14.2"));
    assert!(shows(&harness, "Intrusive"));
    let button = harness
        .query_all_by_label_contains("Show exchange #")
        .next()
        .expect("the check's exchanges")
        .accesskit_node()
        .label()
        .expect("label");
    harness.get_by_label(&button).scroll_to_me();
    harness.run_steps(10);
    click(&mut harness, &button);
    assert_eq!(
        harness.state().state().tab,
        oauth_debugger::app::Tab::HttpLog
    );
}
