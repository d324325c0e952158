//! CIBA in the app (issue 16), as a person does it: pick the demo's CIBA
//! profile, run it from the Flow tab, watch the auth_req_id and its
//! countdown while the "user" decides on their device, then the token.
//! Driven through egui_kittest against the demo provider the app runs.

use crate::support;

use egui_kittest::kittest::Queryable;
use support::ui::{choose, click, shows, start_in, wait_for};

#[test]
fn the_ciba_preset_shows_the_auth_req_id_while_polling_then_the_token() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    assert!(
        harness.query_by_label("Demo — CIBA").is_some(),
        "the preset is among the demo profiles"
    );
    click(&mut harness, "Demo — CIBA");
    click(&mut harness, "Flow");
    choose(&mut harness, "Grant to run", "CIBA (backchannel)");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the acknowledgement", |h| {
        shows(h, "Waiting for the user to approve on their device (CIBA)")
    });
    assert!(shows(&harness, "auth_req_id"));
    assert!(shows(&harness, "Expires: in "), "the countdown");
    assert!(shows(&harness, "poll: every 5 s"));
    // The exchange is delivered beside the progress, not before it.
    wait_for(&mut harness, "the request's arrow", |h| {
        shows(h, "POST /bc-authorize")
    });
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (CIBA (backchannel) grant)")
    });
    // The wait is over; the run's steps keep the acknowledgement, the
    // pending poll and the one that brought the token.
    assert!(!shows(
        &harness,
        "Waiting for the user to approve on their device (CIBA)"
    ));
    assert!(shows(
        &harness,
        "acknowledged, expires in 600 s; polling every 5 s"
    ));
    assert!(shows(&harness, "400 authorization_pending"));
}
