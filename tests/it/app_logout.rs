//! OpenID logout in the app, as a person does it: the authorization code
//! preset signs alice in, the Tokens tab listens for back-channel logout
//! and logs out at the provider — and says what came back: the state
//! check of the return (RP-Initiated Logout §3) and the verdicts on the
//! demo provider's logout token (Back-Channel Logout §2.6). Driven through
//! egui_kittest against the demo provider the app runs.

use crate::support;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use oauth_debugger::app::App;
use oauth_debugger::demo::user_agent::{self, Person};
use support::ui::{click, shows, start_in, wait_for};

/// The URL the app shows whose label contains `part`.
fn shown_url(harness: &Harness<'_, App>, part: &str) -> String {
    let node = harness.get_by_label_contains(part);
    let node = node.accesskit_node();
    node.value()
        .or_else(|| node.label())
        .expect("URL label")
        .to_string()
}

/// The app with alice signed in through the authorization code preset,
/// on the Tokens tab.
fn signed_in(runtime: &tokio::runtime::Runtime, dir: &std::path::Path) -> Harness<'static, App> {
    let mut harness = start_in(runtime, dir);
    click(&mut harness, "Demo — authorization code");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the authorization URL", |h| {
        h.query_by_label_contains("/authorize?").is_some()
    });
    let url = shown_url(&harness, "/authorize?");
    runtime
        .block_on(user_agent::visit(&url, &Person::default()))
        .expect("signed in");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Authorization code grant)")
    });
    click(&mut harness, "Tokens");
    harness
}

#[test]
fn log_out_at_the_provider_from_the_tokens_tab() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = signed_in(&runtime, dir.path());

    // Listen first: the app registers its URI with the demo provider.
    click(&mut harness, "Listen for back-channel logout");
    wait_for(&mut harness, "the listener", |h| {
        shows(h, "Listening for logout tokens at http://127.0.0.1:")
    });
    assert!(shows(
        &harness,
        "Registered with the demo provider as the client's backchannel_logout_uri"
    ));

    click(&mut harness, "Log out at the provider");
    wait_for(&mut harness, "the logout request", |h| {
        shows(h, "Logout request (id_token_hint masked)")
    });
    // What is shown never carries the ID token.
    assert!(shows(&harness, "id_token_hint=%5Bredacted%5D"));
    // The person's browser follows the logout URL (the app does not open
    // one in tests); the URL to open is the one the engine handed over.
    let id = harness.state().state().profiles.selected.expect("selected");
    let (logout_url, _) = harness
        .state()
        .state()
        .sessions
        .get(id)
        .and_then(|s| s.oidc_logout.request.clone())
        .expect("logout request");
    runtime
        .block_on(user_agent::visit(&logout_url, &Person::default()))
        .expect("logged out");

    wait_for(&mut harness, "the logout result", |h| {
        shows(
            h,
            "Logged out at the provider: it sent the browser back with the same state",
        )
    });
    assert!(shows(&harness, "[pass] state: state came back unchanged"));
    wait_for(&mut harness, "the logout token", |h| {
        shows(h, "The provider ended the session (logout token accepted")
    });
    for verdict in [
        "[pass] events: events names http://schemas.openid.net/event/backchannel-logout",
        "[pass] nonce: no nonce, as required",
        "[pass] typ: typ is logout+jwt",
    ] {
        assert!(shows(&harness, verdict), "shows {verdict}");
    }
    assert!(shows(&harness, "Logout token verdicts (answered HTTP 200)"));
    // The tokens are marked ended, and the timeline says why.
    assert!(shows(&harness, "Revoked: the access token was revoked"));
    assert!(shows(
        &harness,
        "The provider ended the session (back-channel logout token accepted)"
    ));
}

#[test]
fn a_logout_whose_browser_never_comes_back_can_be_cancelled() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = signed_in(&runtime, dir.path());
    click(&mut harness, "Log out at the provider");
    wait_for(&mut harness, "the logout request", |h| {
        shows(h, "Logout request (id_token_hint masked)")
    });
    assert!(shows(&harness, "Copy logout URL"));
    // Nobody follows the URL; the person gives up.
    click(&mut harness, "Cancel logout");
    wait_for(&mut harness, "the cancelled logout", |h| {
        shows(h, "The logout did not complete: a check failed")
    });
    assert!(shows(
        &harness,
        "[fail] post_logout_redirect_uri: cancelled before the browser came back"
    ));
    // The tokens were not marked ended: nothing was seen to end them.
    assert!(!shows(&harness, "Revoked: the access token was revoked"));
    assert!(harness.query_by_label("Log out at the provider").is_some());
}
