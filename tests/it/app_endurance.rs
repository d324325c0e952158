//! Issue 20 through the app: the HTTP log keeps only its memory budget of
//! exchanges in memory, moves the older ones to the session file, reads
//! one back when it is selected, exports all of them, and counts all.

use crate::support;

use egui_kittest::kittest::Queryable;
use oauth_debugger::app::http_log::LogBudget;
use oauth_debugger::engine::store::keychain::Keychain;
use support::ui::{click, export_har, shows, start_with_budget, wait_for};

#[test]
fn older_exchanges_move_to_the_session_file_and_nothing_is_lost() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let keychain = Keychain::with_store(keyring_core::mock::Store::new().expect("mock store"));
    let budget = LogBudget {
        exchanges: 3,
        body_bytes: 10 * 1024 * 1024,
    };
    let mut harness = start_with_budget(&runtime, dir.path(), keychain, budget);
    let mut tokens = Vec::new();
    for run in 1..=6 {
        click(&mut harness, "Run all");
        wait_for(&mut harness, "the token", |h| {
            h.state().state().exchanges.len() == run
                && h.state()
                    .state()
                    .selected_session()
                    .and_then(|s| s.tokens.current())
                    .is_some_and(|t| t.exchange_id == Some(run as u64))
        });
        let current = harness.state().state().selected_session().expect("session");
        let token = current.tokens.current().expect("tokens");
        tokens.push(token.access_token.expose().to_string());
    }
    let log = &harness.state().state().exchanges;
    assert_eq!(log.spilled_count(), 3, "the newest 3 stay in memory");
    assert_eq!(log.recent().len(), 3);
    assert!(log.is_spilled(1) && log.get(1).is_none());

    // The session file holds the three oldest, their secrets masked.
    let sessions = dir.path().join("settings").join("sessions");
    let session_file = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(&sessions)
            .map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    // The last batch may still be on its way to the disk.
    wait_for(&mut harness, "three exchanges written", |_| {
        session_file()
            .first()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .is_some_and(|text| text.lines().count() == 3)
    });
    let files = session_file();
    assert_eq!(files.len(), 1, "one session file");
    let text = std::fs::read_to_string(&files[0]).expect("session file");
    assert!(
        tokens.iter().all(|t| !text.contains(t.as_str())),
        "no token in clear on disk"
    );
    assert!(!text.contains("demo-secret"), "no client secret on disk");

    // The log counts all, and reads the oldest back when it is selected.
    click(&mut harness, "HTTP log");
    click(&mut harness, "All profiles");
    wait_for(&mut harness, "every row", |h| shows(h, "6 of 6 exchanges"));
    assert!(shows(&harness, "3 in the session file"));
    harness
        .query_all_by_label_contains("POST")
        .next()
        .expect("a row")
        .click();
    harness.run_steps(2);
    wait_for(&mut harness, "the exchange read back", |h| {
        shows(h, "Exchange #1")
    });
    assert!(shows(&harness, "grant_type=client_credentials"));

    // A HAR export has all six, the spilled ones read back.
    let path = dir.path().join("all.har");
    export_har(&mut harness, &path);
    wait_for(&mut harness, "the export", |h| {
        shows(h, "Wrote 6 exchanges")
    });
    let har: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("HAR")).expect("JSON");
    assert_eq!(har["log"]["entries"].as_array().map(Vec::len), Some(6));

    // Turning the spill off is a setting kept for the next launch.
    click(&mut harness, "Keep every exchange in memory");
    wait_for(&mut harness, "the setting saved", |_| {
        std::fs::read_to_string(dir.path().join("settings").join("settings.toml"))
            .is_ok_and(|s| s.contains("keep_log_in_memory = true"))
    });
    drop(harness);
    // The engine's side ends a moment after the window.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !session_file().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        session_file().is_empty(),
        "the session file goes with the app"
    );
}

/// Client credentials issues no refresh token: Refresh now (and
/// auto-refresh, which says so) runs the grant again, on the timeline as
/// such (issue 16); a grant that needs a person is not re-run.
#[test]
fn tokens_without_a_refresh_token_are_renewed_by_running_an_unattended_grant_again() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let keychain = Keychain::with_store(keyring_core::mock::Store::new().expect("mock store"));
    let mut harness = start_with_budget(&runtime, dir.path(), keychain, LogBudget::default());
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| shows(h, "Token received"));
    click(&mut harness, "Tokens");
    click(&mut harness, "Auto-refresh");
    assert!(shows(
        &harness,
        "No refresh token: auto-refresh runs the Client credentials grant again ahead of expiry."
    ));
    let first = harness
        .state()
        .state()
        .selected_session()
        .and_then(|s| s.tokens.current())
        .map(|t| t.access_token.expose().to_string())
        .expect("tokens");
    click(&mut harness, "Refresh now");
    wait_for(&mut harness, "the renewal", |h| {
        shows(
            h,
            "Renewed by running the Client credentials grant again (it issued no refresh token)",
        )
    });
    let session = harness.state().state().selected_session().expect("session");
    let renewed = session.tokens.current().expect("tokens");
    assert_ne!(renewed.access_token.expose(), first, "a new access token");
    assert_eq!(session.tokens.history.len(), 2);
}
