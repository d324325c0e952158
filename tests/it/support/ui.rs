//! Driving the app through egui_kittest as a person would: start it on the
//! demo provider, wait for what a person waits for, read labels, click.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use oauth_debugger::app::http_log::LogBudget;
use oauth_debugger::app::{App, AppOptions};
use oauth_debugger::engine::store::keychain::Keychain;
use oauth_debugger::engine::store::workspace::Places;

/// Runs frames until `done` holds, failing after 30 s.
pub fn wait_for(
    harness: &mut Harness<'_, App>,
    what: &str,
    done: impl Fn(&Harness<'_, App>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        harness.step();
        if done(harness) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The app on `runtime`, with the demo provider running and profiles saved
/// in `dir` (settings in `dir/settings`), secrets in a fresh keyring mock store (never the OS keychain of
/// the machine running the tests). The browser is not opened: tests play the
/// person from the URL the app shows.
pub fn start_in(runtime: &tokio::runtime::Runtime, dir: &std::path::Path) -> Harness<'static, App> {
    let keychain = Keychain::with_store(keyring_core::mock::Store::new().expect("mock store"));
    start_with(runtime, dir, keychain)
}

/// [`start_in`] with secrets going to `keychain`.
pub fn start_with(
    runtime: &tokio::runtime::Runtime,
    dir: &std::path::Path,
    keychain: Keychain,
) -> Harness<'static, App> {
    start_with_budget(runtime, dir, keychain, LogBudget::default())
}

/// [`start_with`] keeping only `log_budget` of the HTTP log in memory.
pub fn start_with_budget(
    runtime: &tokio::runtime::Runtime,
    dir: &std::path::Path,
    keychain: Keychain,
    log_budget: LogBudget,
) -> Harness<'static, App> {
    let handle = runtime.handle().clone();
    let options = AppOptions {
        open_browser: false,
        places: Places {
            profile_dir: Some(dir.to_path_buf()),
            keychain,
            settings_dir: Some(dir.join("settings")),
        },
        log_budget,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| App::new(cc.egui_ctx.clone(), &handle, options));
    wait_for(&mut harness, "the demo provider and the profiles", |h| {
        shows(h, "Demo provider: http://127.0.0.1:")
            && h.state().state().profiles.selected.is_some()
    });
    // Let the first layout settle, as it has long before a person's first
    // click (a click in the very first frames of the profile list can miss).
    harness.run_steps(4);
    harness
}

/// True when some widget's label contains `text`.
pub fn shows(harness: &Harness<'_, App>, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

/// Clicks the widget labelled `label` and lets the app react.
pub fn click(harness: &mut Harness<'_, App>, label: &str) {
    harness.get_by_label(label).click();
    harness.run_steps(2);
}

/// Opens "New from preset" and picks the preset called `name` (the menu
/// entry: a profile or a demo mode may carry the same name).
pub fn new_from_preset(harness: &mut Harness<'_, App>, name: &str) {
    click(harness, "New from preset");
    harness
        .query_all_by_label(name)
        .last()
        .unwrap_or_else(|| panic!("no preset called {name}"))
        .click();
    harness.run_steps(2);
}

/// Picks `option` in the combo box labelled `label`.
pub fn choose(harness: &mut Harness<'_, App>, label: &str, option: &str) {
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, label)
        .click();
    harness.run_steps(2);
    harness
        .query_all_by_label(option)
        .last()
        .unwrap_or_else(|| panic!("no option {option}"))
        .click();
    harness.run_steps(2);
}

/// Types `path` into the HTTP log's "HAR file" field and presses Export HAR.
pub fn export_har(harness: &mut Harness<'_, App>, path: &std::path::Path) {
    harness.get_by_label("HAR file").focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_by_label("HAR file")
        .type_text(&path.display().to_string());
    harness.run_steps(2);
    click(harness, "Export HAR");
}
