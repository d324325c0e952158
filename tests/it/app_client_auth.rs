//! Client authentication and DPoP in the app (issue 14), as a person does
//! it: generate a key in the editor, register it with the demo provider,
//! switch the method, run, and read the assertion and the proof in the Flow
//! tab. Driven through egui_kittest against the demo provider.

use crate::support;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use oauth_debugger::app::App;
use support::ui::{choose, click, shows, start_in, wait_for};

/// The URL the Flow tab says the browser goes to (pushed: with its
/// request_uri).
fn browser_url(harness: &Harness<'_, App>) -> String {
    let node = harness.get_by_label_contains("request_uri=");
    let node = node.accesskit_node();
    node.value()
        .or_else(|| node.label())
        .expect("the URL the browser goes to")
}

#[test]
fn a_generated_key_registered_with_the_demo_provider_signs_the_client_credentials_grant() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    assert!(
        harness
            .query_by_label("Demo — client credentials")
            .is_some()
    );

    click(&mut harness, "Keys and DPoP");
    click(&mut harness, "Generate ES256 key");
    wait_for(&mut harness, "the key", |h| shows(h, "Copy JWKS"));
    let keys: Vec<_> = std::fs::read_dir(dir.path().join("keys"))
        .expect("a keys folder beside the profiles")
        .flatten()
        .collect();
    assert_eq!(keys.len(), 1, "one key file");
    let key_path = keys[0].path();
    assert!(
        std::fs::read_to_string(&key_path)
            .expect("key")
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    assert!(shows(&harness, "Register its public JWKS with the server"));
    let profile = &harness.state().state().profiles;
    let entry = profile
        .entries
        .iter()
        .find(|e| Some(e.id) == profile.selected)
        .expect("selected");
    assert_eq!(
        entry.file.signing_key_file.as_deref(),
        Some(key_path.display().to_string().as_str()),
        "the profile signs with the new key"
    );

    // Before registration the server does not know the key.
    choose(&mut harness, "Client authentication", "private_key_jwt");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the refusal", |h| shows(h, "invalid_client"));

    click(&mut harness, "Clients");
    // Below the JWKS: scrolled to, as a person would.
    harness
        .get_by_label("Register with the demo provider")
        .scroll_to_me();
    harness.run_steps(3);
    click(&mut harness, "Register with the demo provider");
    wait_for(&mut harness, "the registration", |h| {
        shows(h, "Registered with the demo provider")
    });
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Client credentials grant)")
    });
    click(&mut harness, "Flow");
    assert!(
        shows(
            &harness,
            "Client assertion (private_key_jwt): ES256 signed with kid"
        ),
        "the step names the assertion and its key"
    );
    let line = harness
        .get_by_label_contains("Client assertion (private_key_jwt): ES256 signed with kid")
        .accesskit_node()
        .label()
        .unwrap_or_default();
    assert!(
        line.chars().count() <= 80,
        "the one-line summary fits a 1000-pixel window (the kid is cut, whole below): {line}"
    );
    harness
        .get_by_label_contains("Client assertion (private_key_jwt): ES256 signed with kid")
        .click();
    harness.run_steps(3);
    assert!(shows(&harness, "jti"), "the claims are shown");
    assert!(shows(&harness, "demo-client"), "iss and sub are the client");
}

#[test]
fn dpop_in_the_app_binds_the_token_shows_the_proof_and_calls_the_api_with_it() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    click(&mut harness, "Keys and DPoP");
    click(&mut harness, "DPoP-bound tokens");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Client credentials grant)")
    });
    assert!(shows(
        &harness,
        "DPoP proof: ES256 signed with key thumbprint"
    ));
    click(&mut harness, "Clients");
    assert!(
        shows(&harness, "a fresh key made for this session), thumbprint"),
        "the editor names the session's key"
    );
    click(&mut harness, "Tokens");
    assert!(shows(&harness, "bound to our DPoP key"));
    click(&mut harness, "Request");
    click(&mut harness, "Send");
    wait_for(&mut harness, "the API answer", |h| shows(h, "HTTP 200"));
}

#[test]
fn a_pushed_authorization_request_in_the_app_shows_the_push_and_sends_the_browser_with_its_request_uri()
 {
    use oauth_debugger::demo::user_agent::{self, Person};
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    click(&mut harness, "Demo — authorization code");
    harness
        .get_by_label("Push the authorization request")
        .scroll_to_me();
    harness.run_steps(10);
    click(&mut harness, "Push the authorization request");
    assert!(shows(&harness, "Unsaved changes"), "PAR ticked");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the push", |h| {
        shows(
            h,
            "Pushed (RFC 9126): the browser carries request_uri urn:ietf:params:oauth:request_uri:",
        )
    });
    // The exchange comes on its own channel, beside the progress report.
    wait_for(&mut harness, "the PAR exchange drawn", |h| {
        shows(h, "201 par")
    });
    // While the browser is awaited, the request_uri counts down.
    assert!(shows(&harness, "The pushed request's request_uri expires"));
    assert!(
        harness
            .query_all_by_label_contains("Expires: in ")
            .any(|node| {
                let node = node.accesskit_node();
                node.value()
                    .or_else(|| node.label())
                    .is_some_and(|text| text.contains(" s (at "))
            }),
        "a live countdown in seconds"
    );
    let url = browser_url(&harness);
    assert!(
        !url.contains("code_challenge"),
        "only client_id and request_uri: {url}"
    );
    runtime
        .block_on(user_agent::visit(&url, &Person::default()))
        .expect("signed in");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Authorization code grant)")
    });
}

#[test]
fn a_fapi2_run_in_the_app_pushes_a_signed_request_with_a_generated_key_and_says_it_passes() {
    use oauth_debugger::demo::user_agent::{self, Person};
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    click(&mut harness, "Demo — authorization code");
    click(&mut harness, "Keys and DPoP");
    click(&mut harness, "Generate ES256 key");
    wait_for(&mut harness, "the key", |h| shows(h, "Copy JWKS"));
    harness
        .get_by_label("Register with the demo provider")
        .scroll_to_me();
    harness.run_steps(10);
    click(&mut harness, "Register with the demo provider");
    wait_for(&mut harness, "the registration", |h| {
        shows(h, "Registered with the demo provider")
    });
    harness.get_by_label("DPoP-bound tokens").scroll_to_me();
    harness.run_steps(10);
    click(&mut harness, "DPoP-bound tokens");
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, "Client authentication")
        .scroll_to_me();
    harness.run_steps(10);
    choose(&mut harness, "Client authentication", "private_key_jwt");
    for label in ["Push the authorization request", "Check against FAPI 2.0"] {
        harness.get_by_label(label).scroll_to_me();
        harness.run_steps(10);
        click(&mut harness, label);
    }
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, "Request object alg")
        .scroll_to_me();
    harness.run_steps(10);
    choose(&mut harness, "Request object alg", "ES256");
    let entry = {
        let profiles = &harness.state().state().profiles;
        profiles
            .entries
            .iter()
            .find(|e| Some(e.id) == profiles.selected)
            .expect("selected")
            .file
            .clone()
    };
    assert_eq!(entry.require_pushed_authorization_requests, Some(true));
    assert_eq!(entry.request_object_signing_alg.as_deref(), Some("ES256"));
    assert_eq!(entry.fapi2, Some(true));
    assert_eq!(entry.dpop_bound_access_tokens, Some(true));

    click(&mut harness, "Run all");
    wait_for(&mut harness, "the push", |h| shows(h, "201 par"));
    assert!(shows(
        &harness,
        "Signed into a request object (ES256, RFC 9101)"
    ));
    let url = browser_url(&harness);
    runtime
        .block_on(user_agent::visit(&url, &Person::default()))
        .expect("signed in");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Authorization code grant)")
    });
    click(&mut harness, "Tokens");
    assert!(
        shows(&harness, "FAPI 2.0: every requirement checked here is met"),
        "the summary in the Tokens tab"
    );
    assert!(shows(&harness, "bound to our DPoP key"));
}
