//! The OpenID Connect hybrid flow in the app (issue 16), as a person does
//! it: pick a response type in the editor (or the "Demo — hybrid" preset),
//! run, sign in with the demo browser, and read in the Flow tab what came
//! in the fragment (masked) and the front-channel checks, drawn before the
//! code exchange — which step mode holds until Send.

use crate::support;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use oauth_debugger::app::App;
use oauth_debugger::demo::user_agent::{self, Person};
use support::ui::{choose, click, shows, start_in, wait_for};

/// The authorization URL the Flow tab shows.
fn authorization_url(harness: &Harness<'_, App>) -> String {
    let node = harness.get_by_label_contains("/authorize?");
    let node = node.accesskit_node();
    node.value()
        .or_else(|| node.label())
        .expect("the URL the browser goes to")
}

/// Where the first step of the selected profile's run whose arrow label
/// or verdict contains `text` stands.
fn position(harness: &Harness<'_, App>, text: &str) -> usize {
    let id = harness.state().state().profiles.selected.expect("selected");
    let session = harness.state().state().sessions.get(id).expect("session");
    session
        .flow
        .steps
        .iter()
        .position(|s| s.label.contains(text) || s.verdict.contains(text))
        .unwrap_or_else(|| panic!("a step says {text}"))
}

#[test]
fn a_response_type_chosen_in_the_editor_runs_the_hybrid_flow_with_its_checks_drawn() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    click(&mut harness, "Demo — authorization code");
    click(&mut harness, "Clients");
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, "Response type")
        .scroll_to_me();
    harness.run_steps(10);
    choose(&mut harness, "Response type", "code id_token token");
    let chosen = {
        let profiles = &harness.state().state().profiles;
        profiles
            .entries
            .iter()
            .find(|e| Some(e.id) == profiles.selected)
            .expect("selected")
            .file
            .response_type
            .clone()
    };
    assert_eq!(chosen.as_deref(), Some("code id_token token"));

    click(&mut harness, "Flow");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the browser step", |h| {
        h.query_by_label("Waiting for the browser").is_some()
    });
    let url = authorization_url(&harness);
    assert!(
        url.contains("response_type=code+id_token+token")
            || url.contains("response_type=code%20id_token%20token"),
        "{url}"
    );
    runtime
        .block_on(user_agent::visit(&url, &Person::default()))
        .expect("signed in");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Authorization code grant)")
    });
    wait_for(&mut harness, "the token arrows", |h| shows(h, "200 token"));
    // What came in the fragment, named on the redirect's arrow and shown
    // masked in its step; then the checks, before the code exchange.
    assert!(shows(
        &harness,
        "GET /callback (code, id_token, access_token)"
    ));
    assert!(shows(
        &harness,
        "Front-channel response (fragment, response_type code id_token token)"
    ));
    let front = {
        let node = harness.get_by_label_contains("Front-channel response (fragment");
        let node = node.accesskit_node();
        node.value()
            .or_else(|| node.label())
            .expect("the step's text")
    };
    assert!(
        front.contains("id_token eyJ") && front.contains("chars)"),
        "{front}"
    );
    assert!(!front.contains('.'), "no token shown whole: {front}");
    assert!(shows(
        &harness,
        "Front channel checked before the code exchange (OIDC Core §3.3.2.12)"
    ));
    for check in [
        "c_hash pass",
        "at_hash pass",
        "s_hash pass",
        "nonce pass",
        "signature pass",
    ] {
        assert!(shows(&harness, check), "{check}");
    }
    assert!(
        position(&harness, "Front channel checked before the code exchange")
            < position(&harness, "POST /token"),
        "the checks are drawn before the code exchange"
    );
}

#[test]
fn step_mode_holds_the_code_exchange_after_the_front_channel_checks() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    click(&mut harness, "Demo — hybrid");
    click(&mut harness, "Next step");
    wait_for(&mut harness, "the editable request", |h| {
        shows(h, "as it will be opened")
    });
    click(&mut harness, "Open in browser");
    let url = authorization_url(&harness);
    assert!(url.contains("response_type=code+id_token"), "{url}");
    runtime
        .block_on(user_agent::visit(&url, &Person::default()))
        .expect("signed in");
    wait_for(&mut harness, "the held code exchange", |h| {
        shows(h, "The token request is built, not sent")
    });
    assert!(shows(
        &harness,
        "Front channel checked before the code exchange (OIDC Core §3.3.2.12)"
    ));
    assert!(shows(&harness, "c_hash pass"));
    assert!(!shows(&harness, "200 token"), "nothing exchanged yet");
    click(&mut harness, "Send");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Authorization code grant)")
    });
    wait_for(&mut harness, "the token arrows", |h| shows(h, "200 token"));
}
