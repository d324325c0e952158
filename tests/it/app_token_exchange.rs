//! Token exchange in the app (issue 16), as a person does it: a profile
//! with an actor token dropped on the window, a password grant for the
//! subject, then "Token exchange" from the Flow tab — and the Tokens tab
//! shows what was issued and who acts for whom. Driven through
//! egui_kittest against the demo provider the app runs.

use crate::support;

use egui_kittest::kittest::{NodeT as _, Queryable};
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType};
use support::ui::{choose, click, shows, start_in, wait_for};

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
fn token_exchange_runs_from_the_flow_tab_and_the_tokens_tab_shows_the_act_tree() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    assert!(
        harness.query_by_label("Demo — token exchange").is_some(),
        "the preset is among the demo profiles"
    );
    let status = {
        let node = harness.get_by_label_contains("Demo provider: http://127.0.0.1:");
        let node = node.accesskit_node();
        node.label().or_else(|| node.value()).unwrap_or_default()
    };
    let base = status
        .split_whitespace()
        .find(|word| word.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("the demo provider's URL in {status:?}"))
        .trim_end_matches(['.', ',', ')'])
        .to_string();

    // The actor: the demo client's own token, obtained elsewhere.
    let actor = runtime.block_on(async {
        let file = support::demo_file(
            &base,
            GrantType::ClientCredentials,
            ClientAuthMethod::ClientSecretBasic,
        );
        let profile = support::profile(&file);
        grants::run(
            &profile,
            &support::client(&profile),
            &GrantOptions::default(),
        )
        .await
        .expect("the actor's token")
        .access_token
    });
    let preset = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/presets/demo-token-exchange.toml"),
    )
    .expect("preset")
    .replace("http://127.0.0.1:7878", &base)
    .replace("Demo — token exchange", "Delegation")
    .replace(
        "[token_exchange]\n",
        &format!("[token_exchange]\nactor_token = \"{}\"\n", actor.expose()),
    );
    let path = dir.path().join("dropped").join("delegation.toml");
    std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    std::fs::write(&path, preset).expect("write");
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(path)));
    wait_for(&mut harness, "the import", |h| {
        h.query_by_label("Delegation").is_some() && !shows(h, "Saving…")
    });
    click(&mut harness, "Delegation");
    click(&mut harness, "Flow");

    // Token exchange before any token: the run says what is missing.
    choose(&mut harness, "Grant to run", "Token exchange");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the refusal", |h| {
        shows(h, "run a grant that issues one first")
    });

    // The subject: alice's token by the password grant.
    choose(&mut harness, "Grant to run", "Password (resource owner)");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "alice's token", |h| {
        shows(h, "Token received (Password (resource owner) grant)")
    });
    choose(&mut harness, "Grant to run", "Token exchange");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the exchanged token", |h| {
        shows(h, "Token received (Token exchange grant)")
    });
    click(&mut harness, "Tokens");
    assert!(shows(
        &harness,
        "issued_token_type: urn:ietf:params:oauth:token-type:access_token"
    ));
    assert!(shows(&harness, "Delegation (act claim, RFC 8693 §4.1)"));
    assert!(shows(&harness, "subject: alice"));
    assert!(shows(&harness, "actor: demo-client (current)"));

    // The step shows the subject and actor tokens it sent, decoded.
    click(&mut harness, "Flow");
    assert!(
        shows(&harness, "Subject token (RFC 8693)"),
        "the subject, decoded"
    );
    assert!(
        shows(&harness, "Actor token (RFC 8693)"),
        "the actor, decoded"
    );
}

/// The editor's "Token exchange" section edits `[token_exchange]`: the
/// preset's values are shown, a new requested token type and a second
/// audience are written to the profile file on Save.
#[test]
fn the_editor_edits_the_token_exchange_table() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    click(&mut harness, "Demo — token exchange");
    assert!(shows(&harness, "Token exchange"));
    let from = harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Subject token from");
    let from = from.accesskit_node();
    assert_eq!(from.value().as_deref(), Some("access_token"));
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, "Requested token type")
        .scroll_to_me();
    harness.run_steps(10);
    // Offered by the URN's last part; the whole URN is what is saved.
    choose(&mut harness, "Requested token type", "jwt");
    harness.get_by_label("Audience").focus();
    harness.run_steps(1);
    harness.get_by_label("Audience").type_text(" other-api");
    harness.run_steps(2);
    harness.get_by_label("Save").scroll_to_me();
    harness.run_steps(10);
    click(&mut harness, "Save");
    wait_for(&mut harness, "the save", |h| {
        !shows(h, "Unsaved changes") && !shows(h, "Saving…")
    });
    let saved = std::fs::read_dir(dir.path())
        .expect("profiles")
        .filter_map(Result::ok)
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .find(|text| text.contains("demo-token-exchange"))
        .expect("the saved profile");
    assert!(
        saved.contains("requested_token_type = \"urn:ietf:params:oauth:token-type:jwt\""),
        "{saved}"
    );
    let saved: toml::Value = toml::from_str(&saved).expect("TOML");
    assert_eq!(
        saved["token_exchange"]["audience"],
        toml::Value::Array(vec!["demo-api".into(), "other-api".into()])
    );
}

/// Choosing the JWT bearer grant for a new profile brings the "JWT bearer
/// assertion" section; its claims are typed as `name = value` lines, JSON
/// where they read as JSON.
#[test]
fn the_editor_edits_the_jwt_bearer_table() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    click(&mut harness, "New");
    assert!(!shows(&harness, "JWT bearer assertion"));
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, "Grant type")
        .scroll_to_me();
    harness.run_steps(10);
    choose(&mut harness, "Grant type", "JWT bearer");
    assert!(shows(&harness, "JWT bearer assertion"));
    for (field, text) in [
        ("Assertion subject (sub)", "alice"),
        ("Extra claims", "role = admin\nlevel = 3"),
    ] {
        harness.get_by_label(field).scroll_to_me();
        harness.run_steps(10);
        harness.get_by_label(field).focus();
        harness.run_steps(1);
        harness.get_by_label(field).type_text(text);
        harness.run_steps(2);
    }
    let state = harness.state().state();
    let id = state.profiles.selected.expect("selected");
    let table = state
        .profiles
        .entry(id)
        .and_then(|e| e.file.jwt_bearer.clone())
        .expect("the table");
    assert_eq!(table.sub.as_deref(), Some("alice"));
    assert_eq!(table.claims["role"], serde_json::json!("admin"));
    assert_eq!(table.claims["level"], serde_json::json!(3));
}
