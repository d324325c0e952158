//! The app tells the truth and loses nothing (issue 13): tokens are used
//! only with the profile that obtained them, the diagram shows only what
//! happened, nothing typed is lost, presentation mode masks every secret
//! in every view. Driven through egui_kittest against the demo provider.

use crate::support;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use oauth_debugger::app::App;
use oauth_debugger::demo::user_agent::{self, Person};
use oauth_debugger::demo::{DemoConfig, DemoServer};
use support::ui::{click, new_from_preset, shows, start_in, wait_for};

/// Every text the last frame laid out (painted galleys, the diagram's
/// labels included) and every accessible label and value.
fn every_text(harness: &Harness<'_, App>) -> Vec<String> {
    fn walk(shape: &egui::Shape, out: &mut Vec<String>) {
        match shape {
            egui::Shape::Text(text) => out.push(text.galley.text().to_string()),
            egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| walk(s, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for clipped in &harness.output().shapes {
        walk(&clipped.shape, &mut out);
    }
    for node in harness.query_all(egui_kittest::kittest::By::new().include_labels()) {
        let node = node.accesskit_node();
        out.extend(node.label());
        out.extend(node.value());
    }
    out
}

/// Types into the field labelled `label`, replacing what it held.
fn retype(harness: &mut Harness<'_, App>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run_steps(1);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    harness.get_by_label(label).type_text(text);
    harness.run_steps(2);
}

/// The URL the Flow tab shows for the browser step.
fn authorization_url(harness: &Harness<'_, App>) -> String {
    let node = harness.get_by_label_contains("/authorize?");
    let node = node.accesskit_node();
    node.value().or_else(|| node.label()).expect("URL label")
}

#[test]
fn a_token_is_refreshed_with_its_own_profile_whatever_is_selected() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    // A second provider, elsewhere: the selected profile points there.
    let elsewhere = runtime
        .block_on(DemoServer::start(DemoConfig {
            port: 0,
            ..DemoConfig::default()
        }))
        .expect("second demo provider");
    let password = include_str!("../../assets/presets/demo-password.toml");
    std::fs::write(dir.path().join("a-password.toml"), password).expect("write");
    let other = include_str!("../../assets/presets/demo-client-credentials.toml")
        .replace("http://127.0.0.1:7878", &elsewhere.url())
        .replace("Demo — client credentials", "Elsewhere")
        .replace("demo-client", "elsewhere-client");
    std::fs::write(dir.path().join("b-elsewhere.toml"), other).expect("write");
    let mut harness = start_in(&runtime, dir.path());
    let demo = harness
        .state()
        .state()
        .demo_url()
        .expect("demo")
        .to_string();

    click(&mut harness, "Demo — password");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Password (resource owner) grant)")
    });
    click(&mut harness, "Tokens");
    assert!(shows(&harness, "Tokens of Demo — password"));
    // Refresh when 3599 of the 3600 seconds are left: about a second from
    // now — by then another profile is selected.
    retype(&mut harness, "Seconds before expiry", "3599");
    click(&mut harness, "Auto-refresh");
    click(&mut harness, "Elsewhere");
    assert!(shows(&harness, "Tokens of Elsewhere"));
    assert!(shows(&harness, "No tokens yet"));
    wait_for(&mut harness, "the background refresh", |h| {
        h.state()
            .state()
            .exchanges
            .recent()
            .iter()
            .any(|e| String::from_utf8_lossy(&e.request.body).contains("grant_type=refresh_token"))
    });
    let refresh = harness
        .state()
        .state()
        .exchanges
        .recent()
        .iter()
        .find(|e| String::from_utf8_lossy(&e.request.body).contains("grant_type=refresh_token"))
        .expect("refresh exchange")
        .clone();
    assert_eq!(
        refresh.request.url,
        format!("{demo}/token"),
        "the owner's endpoint"
    );
    let body = String::from_utf8_lossy(&refresh.request.body).to_string();
    assert!(
        body.contains("client_id=demo-client"),
        "the owner's client: {body}"
    );
    assert!(!body.contains("elsewhere"), "{body}");
    // RFC 6749 §6: scope is optional on refresh; not resent.
    assert!(!body.contains("scope="), "{body}");
    // The refreshed tokens went to their profile, not to the selected one.
    wait_for(&mut harness, "the refreshed tokens", |h| {
        let state = h.state().state();
        state.profiles.entries.iter().any(|e| {
            e.name() == "Demo — password"
                && state
                    .sessions
                    .get(e.id)
                    .is_some_and(|s| s.tokens.history.len() == 2)
        })
    });
    assert!(harness.state().state().current_tokens().is_none());
    // And nothing went to the other server or showed in the Flow tab.
    click(&mut harness, "Flow");
    assert!(!shows(&harness, "Refresh token grant"));
    click(&mut harness, "Demo — password");
    click(&mut harness, "Tokens");
    assert!(shows(&harness, "Refreshed; the refresh token was rotated"));
    click(&mut harness, "Auto-refresh");
}

#[test]
fn profiles_made_in_the_app_are_saved_at_once_and_closing_asks_about_edits() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    // The Demo profiles written on first launch, and the three made here.
    let demo_profiles = oauth_debugger::engine::profile::presets::demo_profiles(
        oauth_debugger::engine::profile::presets::DEMO_BASE,
    )
    .len();
    new_from_preset(&mut harness, "Orchestrator");
    click(&mut harness, "Duplicate");
    click(&mut harness, "New");
    wait_for(&mut harness, "the three files", |h| {
        !shows(h, "Saving…")
            && h.state()
                .state()
                .profiles
                .entries
                .iter()
                .filter(|e| e.path.is_some())
                .count()
                == demo_profiles + 3
    });
    for file in [
        "orchestrator.toml",
        "orchestrator-copy.toml",
        "new-profile.toml",
    ] {
        assert!(dir.path().join(file).exists(), "{file} is on disk");
    }
    // An edit, then the close button: the window stays and asks.
    retype(&mut harness, "Name", "Edited");
    harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    harness.run_steps(3);
    assert!(shows(&harness, "1 profile has unsaved changes: Edited"));
    click(&mut harness, "Don't close");
    assert!(!shows(&harness, "unsaved changes: Edited"));
    harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    harness.run_steps(3);
    click(&mut harness, "Save all and close");
    wait_for(&mut harness, "the save before closing", |h| {
        h.state().state().closing == oauth_debugger::app::Closing::Confirmed
    });
    let text = std::fs::read_to_string(dir.path().join("new-profile.toml")).expect("saved");
    assert!(text.contains("name = \"Edited\""), "{text}");
}

#[test]
fn a_revoked_token_shows_as_revoked_and_its_message_stays_with_its_profile() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    click(&mut harness, "Demo — password");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Password (resource owner) grant)")
    });
    click(&mut harness, "Tokens");
    assert!(shows(&harness, "% of the lifetime left"));
    click(&mut harness, "Revoke access token");
    wait_for(&mut harness, "the revocation", |h| {
        shows(h, "Revoked the access token")
    });
    assert!(shows(&harness, "Revoked: the access token was revoked"));
    assert!(!shows(&harness, "% of the lifetime left"), "no countdown");
    // Another profile's tokens carry no word of it.
    click(&mut harness, "Demo — client credentials");
    click(&mut harness, "Flow");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the other token", |h| {
        shows(h, "Token received (Client credentials grant)")
    });
    click(&mut harness, "Tokens");
    assert!(!shows(&harness, "Revoked the access token"));
    assert!(shows(&harness, "% of the lifetime left"));
}

#[test]
fn flow_shows_only_the_selected_profiles_run_and_a_bad_url_replaces_the_old_run() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| shows(h, "200 token"));
    click(&mut harness, "Demo — password");
    assert!(
        !shows(&harness, "200 token"),
        "another profile: its own (empty) run"
    );
    click(&mut harness, "HTTP log");
    assert!(shows(&harness, "0 of 1 exchanges") || shows(&harness, "0 of 0 exchanges"));
    click(&mut harness, "Demo — client credentials");
    assert!(shows(&harness, "1 of 1 exchanges"));
    click(&mut harness, "Flow");
    assert!(shows(&harness, "200 token"));
    // A token endpoint without a scheme: the run says why, in place of the
    // old run, not in library words.
    retype(&mut harness, "Token endpoint", "127.0.0.1:1/token");
    click(&mut harness, "Run all");
    assert!(shows(&harness, "Cannot run:"));
    assert!(!shows(&harness, "200 token"), "the old run left the screen");
    assert!(!shows(&harness, "relative URL without a base"));
}

#[test]
fn next_step_pauses_before_the_code_exchange_which_can_be_edited() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    click(&mut harness, "Demo — authorization code");
    click(&mut harness, "Next step");
    wait_for(&mut harness, "the authorization request to approve", |h| {
        shows(h, "Open in browser")
    });
    assert!(shows(&harness, "Arrow 1: open /authorize (waiting)"));
    click(&mut harness, "Open in browser");
    let url = authorization_url(&harness);
    let visit = runtime
        .block_on(user_agent::visit(&url, &Person::default()))
        .expect("signed in");
    assert!(visit.redirected_to.is_some_and(|r| r.contains("code=")));
    wait_for(&mut harness, "the code exchange, paused", |h| {
        shows(h, "The token request, as it will be sent")
    });
    assert!(
        shows(&harness, "code_verifier"),
        "PKCE verifier in the request"
    );
    // Only the preflight of the authorization request went out; nothing
    // to the token endpoint yet.
    let kinds: Vec<_> = harness
        .state()
        .state()
        .exchanges
        .recent()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [oauth_debugger::engine::ExchangeKind::Authorize],
        "nothing sent to the token endpoint yet"
    );
    assert!(shows(&harness, "POST /token (waiting)"));
    // An extra parameter, added by hand.
    retype(&mut harness, "New name", "resource");
    click(&mut harness, "Add parameter");
    click(&mut harness, "Send");
    wait_for(&mut harness, "the token", |h| shows(h, "200 token"));
    let sent = String::from_utf8_lossy(&harness.state().state().exchanges.recent()[1].request.body)
        .to_string();
    assert!(sent.contains("resource="), "{sent}");
    assert!(sent.contains("grant_type=authorization_code"), "{sent}");
    assert!(shows(&harness, "Token received (Authorization code grant)"));
}

#[test]
fn run_all_and_next_step_keep_their_place_whatever_grant_is_picked() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    let place = |h: &Harness<'_, App>| {
        (
            h.get_by_label("Run all").rect().min,
            h.get_by_label("Next step").rect().min,
        )
    };
    let before = place(&harness);
    click(&mut harness, "Grant to run");
    click(&mut harness, "Device authorization");
    let texts = every_text(&harness);
    let grants: Vec<&String> = texts.iter().filter(|t| t.contains("evice")).collect();
    assert!(
        texts.iter().any(|t| t == "Device authorization"),
        "a human grant name: {grants:?}"
    );
    assert!(
        !texts
            .iter()
            .any(|t| t.contains("urn:ietf:params:oauth:grant-type")),
        "{grants:?}"
    );
    assert_eq!(place(&harness), before);
}

/// Secrets and personal values the demo run puts on screen somewhere.
fn secrets_in_play(harness: &Harness<'_, App>) -> Vec<String> {
    let state = harness.state().state();
    let mut secrets = vec![
        "demo-secret".to_string(),
        "alice-password".to_string(),
        "alice@example.com".to_string(),
        "Alice Example".to_string(),
    ];
    for session in state.sessions.iter().map(|(_, s)| s) {
        for tokens in &session.tokens.history {
            secrets.push(tokens.access_token.expose().to_string());
            secrets.extend(
                tokens
                    .refresh_token
                    .as_ref()
                    .map(|t| t.expose().to_string()),
            );
            secrets.extend(tokens.id_token.as_ref().map(|t| t.expose().to_string()));
        }
    }
    secrets
}

/// Fails on any text on screen holding a secret or its first 8 characters.
fn assert_nothing_secret(harness: &Harness<'_, App>, view: &str) {
    let texts = every_text(harness);
    for secret in secrets_in_play(harness) {
        let prefix: String = secret.chars().take(8).collect();
        for text in &texts {
            assert!(
                !text.contains(&prefix),
                "{view}: `{prefix}…` of a secret is on screen in {text:?}"
            );
        }
    }
    // The username is personal: never in a form field or a request.
    for text in &texts {
        assert!(!text.contains("username=alice"), "{view}: {text:?}");
        assert!(!text.contains("alice-password"), "{view}: {text:?}");
    }
}

#[test]
fn presentation_mode_shows_no_secret_in_any_view() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    click(&mut harness, "Presentation mode");
    click(&mut harness, "Demo — password");
    assert_nothing_secret(&harness, "the editor");
    // The step editor with the token request.
    click(&mut harness, "Next step");
    wait_for(&mut harness, "the prepared request", |h| {
        shows(h, "The token request, as it will be sent")
    });
    assert_nothing_secret(&harness, "the step editor");
    click(&mut harness, "Send");
    wait_for(&mut harness, "the token", |h| shows(h, "200 token"));
    assert_nothing_secret(&harness, "the flow");
    // A refresh for history and timeline.
    click(&mut harness, "Tokens");
    click(&mut harness, "Refresh now");
    wait_for(&mut harness, "the refresh", |h| {
        shows(h, "Refreshed; the refresh token was rotated")
    });
    click(&mut harness, "Earlier token sets (1)");
    click(&mut harness, "Raw response (text)");
    click(&mut harness, "Verify");
    wait_for(&mut harness, "the verification", |h| {
        shows(h, "verified") || shows(h, "FAILED")
    });
    assert_nothing_secret(&harness, "the Tokens tab");
    click(&mut harness, "Request");
    click(&mut harness, "Send");
    wait_for(&mut harness, "the answer", |h| shows(h, "HTTP 200"));
    assert_nothing_secret(&harness, "the Request tab");
    click(&mut harness, "HTTP log");
    for index in 0..3 {
        let rows: Vec<_> = harness
            .query_all_by_label_contains("http://127.0.0.1")
            .collect();
        if let Some(row) = rows.get(index) {
            row.click();
            harness.run_steps(2);
            assert_nothing_secret(&harness, "the HTTP log");
        }
    }
    assert!(shows(&harness, "(secrets masked: presentation mode)"));
    assert!(!shows(&harness, "tick Show secrets"));
    // The check sees what is on screen: with secrets shown, it finds them.
    click(&mut harness, "Presentation mode");
    click(&mut harness, "Show secrets");
    click(&mut harness, "Tokens");
    let texts = every_text(&harness);
    let token = harness.state().state().current_tokens().expect("tokens");
    let prefix: String = token.access_token.expose().chars().take(8).collect();
    assert!(
        texts.iter().any(|t| t.contains(&prefix)),
        "the collector sees tokens"
    );
}

#[test]
fn next_step_on_the_device_grant_pauses_before_the_first_poll() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    click(&mut harness, "Demo — device code");
    click(&mut harness, "Next step");
    wait_for(&mut harness, "the first poll, paused", |h| {
        shows(h, "The token request, as it will be sent")
    });
    let kinds: Vec<_> = harness
        .state()
        .state()
        .exchanges
        .recent()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [oauth_debugger::engine::ExchangeKind::Device],
        "only the device authorization request went out"
    );
    assert!(shows(&harness, "device_code"));
    assert!(shows(&harness, "Waiting for the device to be approved"));
    let complete = match &harness
        .state()
        .state()
        .selected_session()
        .expect("session")
        .flow
        .waiting
    {
        Some(oauth_debugger::app::flow::Waiting::Device(info)) => info
            .verification_uri_complete
            .clone()
            .expect("complete URI"),
        other => panic!("not waiting for the device: {other:?}"),
    };
    runtime
        .block_on(user_agent::visit(&complete, &Person::default()))
        .expect("approved");
    click(&mut harness, "Send");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Device authorization grant)")
    });
    wait_for(&mut harness, "the token exchange drawn", |h| {
        shows(h, "200 token")
    });
}

#[test]
fn an_issuer_only_profile_runs_and_the_flow_says_where_its_endpoints_came_from() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    click(&mut harness, "Demo — client credentials");
    // The issuer stays; the token endpoint goes.
    retype(&mut harness, "Token endpoint", "");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| shows(h, "200 token"));
    assert!(shows(
        &harness,
        "Endpoints discovered from http://127.0.0.1:"
    ));
    assert!(shows(&harness, "token_endpoint"));
    let kinds: Vec<_> = harness
        .state()
        .state()
        .exchanges
        .recent()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds.first(),
        Some(&oauth_debugger::engine::ExchangeKind::Discovery),
        "discovered first, through the recorder: {kinds:?}"
    );
    // The discovery exchange is in the diagram, as observed.
    assert!(shows(&harness, "GET /.well-known/openid-configuration"));
    // Run again once the first run has finished (Run all is off while a
    // run is in flight): remembered for the session, nothing asked.
    wait_for(&mut harness, "the first run to finish", |h| {
        let state = h.state().state();
        state
            .profiles
            .selected
            .and_then(|id| state.sessions.get(id))
            .is_some_and(|s| !s.flow.run.is_running())
    });
    let before = harness.state().state().exchanges.recent().len();
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the second token", |h| {
        h.state().state().exchanges.recent().len() > before && shows(h, "200 token")
    });
    assert!(shows(&harness, "remembered from earlier in this session"));
    let kinds: Vec<_> = harness
        .state()
        .state()
        .exchanges
        .recent()
        .range(before..)
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, [oauth_debugger::engine::ExchangeKind::Token]);
}

#[test]
fn a_save_clicked_just_before_closing_is_on_disk() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let mut harness = start_in(&runtime, dir.path());
        retype(&mut harness, "Name", "Saved at the last moment");
        harness.get_by_label("Save").click();
        harness.run_steps(1);
        // The window closes at once: the app waits for the write.
    }
    let text = std::fs::read_to_string(dir.path().join("demo-client-credentials.toml"))
        .expect("the profile file");
    assert!(
        text.contains("name = \"Saved at the last moment\""),
        "{text}"
    );
}

#[test]
fn at_1000_by_650_the_buttons_are_whole() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    harness.set_size(egui::vec2(1000.0, 650.0));
    harness.run_steps(3);
    let inside = |h: &Harness<'_, App>, label: &str| {
        let rect = h.get_by_label(label).rect();
        assert!(
            rect.min.x >= 0.0 && rect.max.x <= 1000.0 && rect.max.y <= 650.0,
            "{label} is cut by the window edge: {rect:?}"
        );
    };
    click(&mut harness, "Demo — authorization code");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the browser step", |h| {
        shows(h, "Waiting for the browser")
    });
    inside(&harness, "Copy URL");
    inside(&harness, "Run all");
    inside(&harness, "Cancel");
    click(&mut harness, "Cancel");
    click(&mut harness, "HTTP log");
    inside(&harness, "Export HAR");
    inside(&harness, "All profiles");
    click(&mut harness, "Request");
    inside(&harness, "Send");
}
