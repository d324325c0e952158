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
