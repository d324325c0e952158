//! Rich authorization requests (RFC 9396) in the app: JSON typed into the
//! editor's "Authorization details" (RFC 9396) is checked as it is typed
//! (a message under it, Save held back), and once valid it goes with the
//! client credentials grant to the demo provider; the Tokens tab shows
//! what was asked beside what was granted.

use crate::support;

use egui_kittest::kittest::{NodeT as _, Queryable};
use support::ui::{click, shows, start_in, wait_for};

const FIELD: &str = "Authorization details";

#[test]
fn typed_details_are_checked_sent_and_shown_beside_the_grant() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    harness.get_by_label(FIELD).scroll_to_me();
    harness.run_steps(10);
    harness.get_by_label(FIELD).focus();
    harness.run_steps(1);
    // Not yet closed: invalid JSON, said under the field.
    harness
        .get_by_label(FIELD)
        .type_text(r#"[{"type": "account_information", "actions": ["list_accounts"]"#);
    harness.run_steps(2);
    wait_for(&mut harness, "the JSON problem", |h| {
        shows(h, "is not valid JSON")
    });
    assert!(
        harness.get_by_label("Save").accesskit_node().is_disabled(),
        "invalid details cannot be saved"
    );
    // Closed: the message goes, Save comes back.
    harness.get_by_label(FIELD).type_text("}]");
    harness.run_steps(2);
    wait_for(&mut harness, "the problem to go", |h| {
        !shows(h, "is not valid JSON")
    });
    assert!(!harness.get_by_label("Save").accesskit_node().is_disabled());

    click(&mut harness, "Run all");
    wait_for(&mut harness, "the token", |h| shows(h, "Token received"));
    let sent = harness
        .state()
        .state()
        .exchanges
        .recent()
        .back()
        .map(|e| String::from_utf8_lossy(&e.request.body).into_owned())
        .expect("the token request");
    assert!(
        sent.contains("authorization_details=%5B%7B%22type%22%3A%22account_information%22"),
        "{sent}"
    );
    click(&mut harness, "Tokens");
    wait_for(&mut harness, "asked beside granted", |h| {
        shows(h, "Authorization details (RFC 9396)")
            && shows(h, "Asked for")
            && shows(h, "Granted by the server")
            && shows(
                h,
                "granted the authorization_details as asked (account_information)",
            )
    });
}
