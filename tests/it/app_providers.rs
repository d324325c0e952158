//! Provider presets through the app: "New from preset" on a preset with
//! placeholders asks for each in the Clients panel before it makes the
//! profile (docs/providers.md).

use crate::support;

use egui_kittest::kittest::{NodeT, Queryable};
use support::ui::{click, new_from_preset, shows, start_in, wait_for};

#[test]
fn entra_preset_asks_for_the_tenant_and_makes_a_filled_profile() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    let before = harness.state().state().profiles.entries.len();

    new_from_preset(&mut harness, "Microsoft Entra ID");
    assert!(shows(&harness, "New from preset: Microsoft Entra ID"));
    assert_eq!(
        harness.state().state().profiles.entries.len(),
        before,
        "nothing is made before the values are given"
    );
    // Create waits for every value.
    assert!(
        harness
            .get_by_label("Create")
            .accesskit_node()
            .is_disabled()
    );
    harness.get_by_label("tenant").focus();
    harness.get_by_label("tenant").type_text("contoso");
    harness.run_steps(2);
    // Any other placeholder the preset has gets a value too.
    let others: Vec<String> = harness
        .state()
        .state()
        .profiles
        .preset_form
        .as_ref()
        .expect("the form is open")
        .fields
        .iter()
        .map(|f| f.name.clone())
        .filter(|name| name != "tenant")
        .collect();
    for name in &others {
        harness.get_by_label(name).focus();
        harness.get_by_label(name).type_text("api://contoso-api");
        harness.run_steps(2);
    }
    assert!(
        !harness
            .get_by_label("Create")
            .accesskit_node()
            .is_disabled()
    );
    click(&mut harness, "Create");
    wait_for(&mut harness, "the new profile's save", |h| {
        h.state()
            .state()
            .profiles
            .selected_entry()
            .is_some_and(|e| e.path.is_some() && !e.saving)
    });

    assert!(
        !shows(&harness, "New from preset: Microsoft Entra ID"),
        "the form closed"
    );
    let entry = harness
        .state()
        .state()
        .profiles
        .selected_entry()
        .cloned()
        .expect("the new profile is selected");
    assert_eq!(entry.name(), "Microsoft Entra ID");
    assert_eq!(
        entry.file.token_endpoint.as_deref(),
        Some("https://login.microsoftonline.com/contoso/oauth2/v2.0/token")
    );
    let saved = std::fs::read_to_string(entry.path.as_ref().expect("saved")).expect("file");
    assert!(
        saved.contains("login.microsoftonline.com/contoso/"),
        "{saved}"
    );
    assert!(!saved.contains("{tenant}"), "{saved}");
    assert!(!shows(&harness, "{tenant}"));
    // The editor shows the filled issuer.
    let issuer = harness.get_by_label("Issuer").accesskit_node().value();
    assert_eq!(
        issuer.as_deref(),
        Some("https://login.microsoftonline.com/contoso/v2.0")
    );
}

#[test]
fn cancel_makes_nothing_and_a_preset_without_placeholders_needs_no_form() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    let before = harness.state().state().profiles.entries.len();

    // Other parts of the window have a Cancel too: the form's is the one
    // that comes with it.
    let cancels = |h: &egui_kittest::Harness<'_, oauth_debugger::app::App>| -> Vec<_> {
        h.query_all_by_label("Cancel")
            .map(|n| n.accesskit_node().id())
            .collect()
    };
    let elsewhere = cancels(&harness);
    new_from_preset(&mut harness, "Keycloak");
    assert!(shows(&harness, "New from preset: Keycloak"));
    assert!(harness.query_by_label("realm").is_some());
    let form_cancel = cancels(&harness)
        .into_iter()
        .find(|id| !elsewhere.contains(id))
        .expect("the form's Cancel");
    harness
        .query_all_by_label("Cancel")
        .find(|n| n.accesskit_node().id() == form_cancel)
        .expect("Cancel")
        .click();
    harness.run_steps(2);
    assert!(harness.state().state().profiles.preset_form.is_none());
    assert_eq!(harness.state().state().profiles.entries.len(), before);

    new_from_preset(&mut harness, "Google");
    assert!(harness.state().state().profiles.preset_form.is_none());
    assert_eq!(harness.state().state().profiles.entries.len(), before + 1);
}
