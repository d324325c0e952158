//! The seed providers through the app, as a person would use them: switch
//! the demo provider's mode in the status bar, make a profile from the
//! provider's preset, and run its flows with the mouse and keyboard.

use crate::support;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use oauth_debugger::app::App;
use oauth_debugger::demo::user_agent::{self, Person};
use support::ui::{click, new_from_preset, shows, start_in, wait_for};

/// The app with the demo provider switched to `mode` (its label in the
/// status bar's picker) and a new profile made from `preset`.
fn start_with(
    runtime: &tokio::runtime::Runtime,
    dir: &std::path::Path,
    mode: &str,
    preset: &str,
) -> Harness<'static, App> {
    let mut harness = start_in(runtime, dir);
    click(&mut harness, "Demo mode");
    click(&mut harness, mode);
    wait_for(&mut harness, "the mode switch", |h| {
        shows(h, &format!("Demo provider now in {mode} mode"))
    });
    new_from_preset(&mut harness, preset);
    harness
}

#[test]
fn orchestrator_password_client_account_trailing_comma_and_logout() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_with(&runtime, dir.path(), "Orchestrator", "Orchestrator");

    click(&mut harness, "Run all");
    wait_for(&mut harness, "the user's token", |h| {
        shows(h, "Token received (Password (resource owner) grant)")
    });

    // A ready-made request creates a client account…
    click(&mut harness, "Request");
    click(&mut harness, "Ready-made requests");
    click(&mut harness, "Create client account");
    assert_eq!(
        harness
            .state()
            .state()
            .selected_session()
            .expect("session")
            .request
            .method,
        "POST"
    );
    click(&mut harness, "Send");
    wait_for(&mut harness, "the new account", |h| shows(h, "HTTP 200"));
    // The new client secret is masked until secrets are shown.
    assert!(shows(&harness, "client_secret: \"[redacted]\""));
    let secret = {
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
        let body: serde_json::Value =
            serde_json::from_slice(&answer.response.exchange.response.expect("response").body)
                .expect("JSON");
        body["client_secret"].as_str().expect("secret").to_string()
    };
    assert!(!shows(&harness, &secret));
    click(&mut harness, "Show secrets");
    assert!(shows(&harness, &secret));
    click(&mut harness, "Show secrets");
    // …and one click turns it into a client_credentials profile.
    click(&mut harness, "New client credentials profile");
    assert!(shows(&harness, "Orchestrator — client "));
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the client's token", |h| {
        shows(h, "Token received (Client credentials grant)")
    });

    // The documented response with a trailing comma: repaired, flagged,
    // and kept as received.
    click(&mut harness, "Tokens");
    assert!(shows(&harness, "a trailing comma"), "the finding is shown");
    assert!(shows(
        &harness,
        "As received (invalid JSON, repaired above)"
    ));

    // Log out: DELETE /api/token with the bearer token, 204.
    click(&mut harness, "Log out");
    wait_for(&mut harness, "the logout", |h| shows(h, "Logged out"));
    assert!(shows(&harness, "answered HTTP 204"));
}

#[test]
fn pingfederate_hosted_redirect_is_pasted_back_and_state_checked() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_with(
        &runtime,
        dir.path(),
        "Windchill / PingFederate",
        "Windchill / PingFederate",
    );
    // Its 7-second tokens are kept fresh: the preset's auto_refresh applies.
    assert!(
        harness
            .state()
            .state()
            .selected_session()
            .expect("session")
            .tokens
            .auto_refresh,
        "auto-refresh is on for the PingFederate preset"
    );
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the paste field", |h| {
        h.query_by_label("Redirect URL").is_some()
    });
    let url = harness
        .state()
        .state()
        .selected_session()
        .expect("session")
        .flow
        .waiting_url()
        .expect("the authorization URL is shown");
    assert!(url.contains("/as/authorization.oauth2?"), "{url}");

    // The person signs in; their browser lands on the hosted page, whose
    // address they paste into the app.
    let visit = runtime
        .block_on(user_agent::visit(&url, &Person::default()))
        .expect("signed in");
    let landed = visit.redirected_to.expect("redirected");
    assert!(landed.starts_with("https://app.getpostman.com/oauth2/callback?"));
    harness.get_by_label("Redirect URL").focus();
    harness.get_by_label("Redirect URL").type_text(&landed);
    harness.run_steps(2);
    click(&mut harness, "Continue");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Authorization code grant)")
    });
    assert!(shows(
        &harness,
        "You pasted the redirect URL; state matched"
    ));
    assert!(
        !shows(&harness, "loopback listener"),
        "a paste is drawn as a paste"
    );
    click(&mut harness, "Tokens");
    assert!(shows(&harness, "token_type missing; treated as Bearer"));
    assert!(shows(&harness, "compat.token_params_in_query"));
}

#[test]
fn accepting_invalid_certificates_keeps_a_warning_on_screen() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_with(&runtime, dir.path(), "WAPI", "WAPI");
    assert!(!shows(&harness, "TLS certificate checks are OFF"));
    // The HTTP group is far down the editor, by the status bar: use the
    // accessibility actions, as a screen reader would.
    harness.get_by_label("HTTP").click_accesskit();
    harness.run_steps(2);
    assert!(
        shows(&harness, "Timeout (seconds)"),
        "the HTTP group opened"
    );
    harness
        .get_by_label("Accept invalid certificates (dangerous)")
        .click_accesskit();
    harness.run_steps(2);
    assert!(shows(&harness, "TLS certificate checks are OFF"));
    click(&mut harness, "Request");
    assert!(
        shows(&harness, "TLS certificate checks are OFF"),
        "on every tab"
    );
}

#[test]
fn wapi_query_parameters_are_a_table_that_rewrites_the_url() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_with(&runtime, dir.path(), "WAPI", "WAPI");
    click(&mut harness, "Request");
    // The preset's format=JSON is in the URL and in the table.
    assert!(
        harness
            .state()
            .state()
            .selected_session()
            .expect("session")
            .request
            .url
            .ends_with("/flux/42?format=JSON")
    );
    assert!(shows(&harness, "Query parameters (1)"));
    click(&mut harness, "Add parameter");
    assert!(
        harness
            .state()
            .state()
            .selected_session()
            .expect("session")
            .request
            .url
            .contains("format=JSON&name="),
        "{}",
        harness
            .state()
            .state()
            .selected_session()
            .expect("session")
            .request
            .url
    );
    click(&mut harness, "Remove format");
    click(&mut harness, "Remove name");
    assert!(
        harness
            .state()
            .state()
            .selected_session()
            .expect("session")
            .request
            .url
            .ends_with("/flux/42")
    );
    // Flow: Reset clears the steps of a finished run.
    click(&mut harness, "Flow");
    harness.get_by_label("Grant to run").click();
    harness.run_steps(2);
    click(&mut harness, "Password (resource owner)");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Password (resource owner) grant)")
    });
    click(&mut harness, "Reset");
    assert!(
        harness
            .state()
            .state()
            .selected_session()
            .expect("session")
            .flow
            .steps
            .is_empty()
    );
    assert!(!shows(
        &harness,
        "Token received (Password (resource owner) grant)"
    ));
}
