//! Secrets and the OS keychain, through the app as a person uses it: where
//! Save puts a client secret, what the app says when there is no keychain,
//! and a secret the keychain does not have. The keychain is keyring's mock
//! store (or none); the grants run for real against the demo provider.

use crate::support;

use egui_kittest::kittest::Queryable;
use oauth_debugger::engine::store::keychain::Keychain;
use support::ui::{click, shows, start_with, wait_for};

fn mock_keychain() -> Keychain {
    Keychain::with_store(keyring_core::mock::Store::new().expect("mock store"))
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).expect("read")
}

/// The Demo client-credentials profile's secret is `value`, in the keychain;
/// its file holds only the reference (its URLs follow the port the demo
/// provider got, so the rest may differ between runs).
fn assert_filed_in_keychain(profile: &std::path::Path, keychain: &Keychain, value: &str) {
    let text = read(profile);
    assert!(!text.contains("demo-secret"), "{text}");
    assert!(
        text.contains("client_secret_keychain = \"demo-client-credentials/client_secret\""),
        "{text}"
    );
    assert_eq!(
        keychain
            .get("demo-client-credentials/client_secret")
            .expect("keychain")
            .expect("filed")
            .expose(),
        value
    );
}

#[test]
fn saved_secrets_live_in_the_keychain_and_a_new_app_instance_runs_the_grant_with_them() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let keychain = mock_keychain();
    let profile = dir.path().join("demo-client-credentials.toml");
    {
        let harness = start_with(&runtime, dir.path(), keychain.clone());
        assert!(shows(
            &harness,
            "Secrets are kept in the OS keychain (mock store)."
        ));
    }
    // First launch saved the Demo profiles: the secret went to the keychain,
    // the file names where.
    assert_filed_in_keychain(&profile, &keychain, "demo-secret");

    // A new instance reads it back and the grant authenticates with it.
    let mut harness = start_with(&runtime, dir.path(), keychain.clone());
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Client credentials grant)")
    });

    // A changed secret is saved to the keychain, not to the file.
    click(&mut harness, "Show secrets");
    harness.get_by_label("Client secret").focus();
    harness.get_by_label("Client secret").type_text("-rotated");
    harness.run_steps(2);
    click(&mut harness, "Save");
    wait_for(&mut harness, "the message", |h| {
        !shows(h, "Saving…") && shows(h, "Client secret is in the OS keychain (mock store).")
    });
    assert_filed_in_keychain(&profile, &keychain, "demo-secret-rotated");

    // An export with secrets carries the value, not this machine's keychain
    // reference.
    let exported = dir.path().join("exported.toml");
    click(&mut harness, "Import / export");
    harness.get_by_label("Profile file").focus();
    harness
        .get_by_label("Profile file")
        .type_text(&exported.display().to_string());
    click(&mut harness, "Include secrets");
    click(&mut harness, "Export selected");
    wait_for(&mut harness, "the export", |h| {
        shows(h, "(secrets included)")
    });
    let text = read(&exported);
    assert!(
        text.contains("client_secret = \"demo-secret-rotated\""),
        "{text}"
    );
    assert!(!text.contains("_keychain"), "{text}");
}

#[test]
fn without_a_keychain_the_app_says_secrets_stay_in_the_private_profile_files() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_with(
        &runtime,
        dir.path(),
        Keychain::none("no Secret Service on this machine"),
    );
    assert!(shows(
        &harness,
        "No OS keychain here (no Secret Service on this machine); secrets are kept in the profile files, readable only by you (0600)."
    ));
    let profile = dir.path().join("demo-client-credentials.toml");
    assert!(read(&profile).contains("client_secret = \"demo-secret\""));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&profile)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    harness.get_by_label("Name").focus();
    harness.get_by_label("Name").type_text(" (edited)");
    harness.run_steps(2);
    click(&mut harness, "Save");
    wait_for(&mut harness, "the message", |h| {
        shows(
            h,
            "Client secret is in the profile file, readable only by you (0600): no OS keychain here (no Secret Service on this machine).",
        )
    });
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Client credentials grant)")
    });
}

#[test]
fn a_secret_missing_from_the_keychain_is_reported_and_can_be_typed_again() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let keychain = mock_keychain();
    {
        // First launch writes the Demo profiles.
        let _harness = start_with(&runtime, dir.path(), keychain.clone());
    }
    // The keychain lost the entry (another machine, a cleaned-up keyring).
    keychain
        .delete("demo-client-credentials/client_secret")
        .expect("delete");
    let mut harness = start_with(&runtime, dir.path(), keychain.clone());
    assert!(shows(
        &harness,
        "demo-client-credentials.toml: the client secret (keychain account `demo-client-credentials/client_secret`) could not be read: the OS keychain has no such entry."
    ));
    // The editor says it on the field; the file keeps its reference.
    assert!(shows(&harness, "could not be read from the OS keychain"));
    let profile = dir.path().join("demo-client-credentials.toml");
    assert!(read(&profile).contains("client_secret_keychain"));

    harness.get_by_label("Client secret").focus();
    harness
        .get_by_label("Client secret")
        .type_text("demo-secret");
    harness.run_steps(2);
    assert!(!shows(&harness, "could not be read from the OS keychain"));
    click(&mut harness, "Save");
    wait_for(&mut harness, "the save", |h| !shows(h, "Saving…"));
    assert_eq!(
        keychain
            .get("demo-client-credentials/client_secret")
            .expect("keychain")
            .expect("filed again")
            .expose(),
        "demo-secret"
    );
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Client credentials grant)")
    });
    assert!(harness.query_by_label_contains("invalid_client").is_none());
}

#[test]
fn tokens_are_kept_across_restarts_only_when_asked_and_sealed_with_a_keychain_key() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let keychain = mock_keychain();
    let run_grant = |harness: &mut egui_kittest::Harness<'static, oauth_debugger::app::App>| {
        click(harness, "Run all");
        wait_for(harness, "the token", |h| {
            shows(h, "Token received (Client credentials grant)")
        });
    };
    {
        // Off by default: a token does not outlive the app.
        let mut harness = start_with(&runtime, dir.path(), keychain.clone());
        run_grant(&mut harness);
    }
    {
        let mut harness = start_with(&runtime, dir.path(), keychain.clone());
        click(&mut harness, "Tokens");
        assert!(shows(&harness, "No tokens yet"));
        click(&mut harness, "Keep tokens across restarts");
        wait_for(&mut harness, "the message", |h| {
            shows(
                h,
                "Tokens are kept across restarts, sealed with a key in the OS keychain.",
            )
        });
        click(&mut harness, "Flow");
        run_grant(&mut harness);
    }
    let settings = dir.path().join("settings");
    assert!(
        read(&settings.join("settings.toml"))
            .lines()
            .any(|l| l == "keep_tokens = true")
    );
    let sealed = std::fs::read(settings.join("tokens.sealed")).expect("sealed tokens");
    assert!(!String::from_utf8_lossy(&sealed).contains("access_token"));
    {
        let mut harness = start_with(&runtime, dir.path(), keychain.clone());
        click(&mut harness, "Tokens");
        assert!(shows(&harness, "1 token set kept from the last session."));
        assert!(shows(&harness, "Token received (Client credentials grant)"));
        // Turned off: the kept tokens and their key are deleted.
        click(&mut harness, "Keep tokens across restarts");
        wait_for(&mut harness, "the kept tokens deleted", |h| {
            shows(h, "Tokens are no longer kept; the kept ones are deleted.")
        });
    }
    assert!(!settings.join("tokens.sealed").exists());
    assert!(matches!(
        keychain.get(oauth_debugger::engine::store::token_vault::KEY_ACCOUNT),
        Ok(None)
    ));
    let mut harness = start_with(&runtime, dir.path(), keychain);
    click(&mut harness, "Tokens");
    assert!(shows(&harness, "No tokens yet"));
}

#[test]
fn a_duplicated_profile_files_its_secret_under_its_own_name() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let keychain = mock_keychain();
    let mut harness = start_with(&runtime, dir.path(), keychain.clone());
    click(&mut harness, "Duplicate");
    // Saved as soon as it is made, under its own name.
    wait_for(&mut harness, "the copy's first save", |h| {
        !shows(h, "Saving…")
            && h.query_by_label("Demo — client credentials (copy)")
                .is_some()
    });
    click(&mut harness, "Show secrets");
    harness.get_by_label("Client secret").focus();
    harness.get_by_label("Client secret").type_text("-copy");
    harness.run_steps(2);
    assert!(shows(&harness, "Unsaved changes"));
    click(&mut harness, "Save");
    wait_for(&mut harness, "the save", |h| {
        !shows(h, "Saving…")
            && !shows(h, "Unsaved changes")
            && shows(h, "Client secret is in the OS keychain")
    });

    // The original's secret is untouched; the copy has an entry of its own.
    assert_filed_in_keychain(
        &dir.path().join("demo-client-credentials.toml"),
        &keychain,
        "demo-secret",
    );
    let copy = read(&dir.path().join("demo-client-credentials-copy.toml"));
    assert!(
        copy.contains("client_secret_keychain = \"demo-client-credentials-copy/client_secret\""),
        "{copy}"
    );
    assert_eq!(
        keychain
            .get("demo-client-credentials-copy/client_secret")
            .expect("keychain")
            .expect("filed")
            .expose(),
        "demo-secret-copy"
    );
}

#[test]
fn an_imported_file_that_names_a_keychain_entry_brings_the_value_not_the_reference() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let keychain = mock_keychain();
    let mut harness = start_with(&runtime, dir.path(), keychain.clone());
    let original = read(&dir.path().join("demo-client-credentials.toml"));
    let shared = dir.path().join("outside").join("shared.toml");
    std::fs::create_dir_all(shared.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &shared,
        original.replace("Demo — client credentials", "Shared"),
    )
    .expect("write");
    click(&mut harness, "Import / export");
    harness.get_by_label("Profile file").focus();
    harness
        .get_by_label("Profile file")
        .type_text(&shared.display().to_string());
    click(&mut harness, "Import");
    // Imported profiles are saved at once, under their own name.
    wait_for(&mut harness, "the import", |h| {
        shows(h, "Imported and saved Shared") && !shows(h, "Saving…")
    });
    // Filed under its own name, with the value the keychain had.
    let saved = read(&dir.path().join("shared.toml"));
    assert!(
        saved.contains("client_secret_keychain = \"shared/client_secret\""),
        "{saved}"
    );
    assert_eq!(
        keychain
            .get("shared/client_secret")
            .expect("keychain")
            .expect("filed")
            .expose(),
        "demo-secret"
    );
}
