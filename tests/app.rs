//! The app as a person uses it, driven through egui_kittest: find widgets by
//! the label a person reads, click, run frames, check what is shown.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use oauth_debugger::app::App;

/// Runs frames until `done` holds, failing after 20 s.
fn wait_for(harness: &mut Harness<'_, App>, what: &str, done: impl Fn(&Harness<'_, App>) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        harness.step();
        if done(harness) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn first_launch_runs_the_demo_grant_and_shows_the_token_and_exchanges() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let handle = runtime.handle().clone();
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .build_eframe(move |cc| App::new(cc.egui_ctx.clone(), &handle));

    wait_for(&mut harness, "the demo provider", |h| {
        h.query_by_label_contains("Demo provider: http://127.0.0.1:")
            .is_some()
    });
    assert!(
        harness
            .query_by_label("Demo — client credentials")
            .is_some()
    );
    assert!(harness.query_by_label_contains("No requests yet").is_some());

    harness.get_by_label("Run grant").click();
    wait_for(&mut harness, "the token", |h| {
        h.query_by_label("Token received (client_credentials grant)")
            .is_some()
    });
    wait_for(&mut harness, "the exchange", |h| {
        h.query_by_label("HTTP exchanges (1)").is_some()
    });
    assert!(
        harness
            .query_by_label_contains("POST http://127.0.0.1:")
            .is_some()
    );
    assert_eq!(
        harness.query_all_by_label("read write").count(),
        2,
        "requested and granted scope"
    );
    assert!(
        harness
            .query_by_label_contains("access_token: ••••")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("Decoded access_token")
            .is_some()
    );

    // Secrets are masked until the user asks.
    let token = harness
        .state()
        .state()
        .run
        .tokens()
        .expect("tokens")
        .access_token
        .clone();
    assert!(
        harness
            .query_by_label_contains(&token.expose()[..24])
            .is_none()
    );
    harness.get_by_label("Show secrets").click();
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains(&token.expose()[..24])
            .is_some()
    );
}
