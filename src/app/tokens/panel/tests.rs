//! The Tokens tab drawn with kittest and a bare egui context: the
//! timeline's pages, and what the tab costs at rest.

use super::*;
use crate::engine::TokenSet;

/// A password-grant token set from the response `body`, received now.
fn received(body: &str) -> TokenSet {
    let response = crate::engine::wire::http::RecordedResponse {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: bytes::Bytes::copy_from_slice(body.as_bytes()),
        truncated: false,
    };
    crate::engine::tokens::response::parse_token_response(
        &response,
        crate::engine::GrantType::Password,
        1,
        chrono::Utc::now(),
        None,
        &Default::default(),
        Vec::new(),
    )
    .expect("tokens")
}

/// The `n`th token response of a day of 7-second refreshes.
fn refreshed(n: usize) -> String {
    format!(
        r#"{{"access_token":"a{n}","token_type":"Bearer","expires_in":7,"refresh_token":"r{n}"}}"#
    )
}

/// The Tokens tab of `tokens`, drawn at 1000×650.
fn tab(tokens: TokenState) -> egui_kittest::Harness<'static, (TokenState, ToolsState)> {
    egui_kittest::Harness::builder()
        .with_size(egui::vec2(1000.0, 650.0))
        .build_ui_state(
            |ui, (tokens, tools): &mut (TokenState, ToolsState)| {
                let view = TokensView {
                    profile: "Demo",
                    reveal: false,
                    offered: TokenActions::default(),
                    keep_tokens: false,
                    kept_note: None,
                    oidc_logout: &Default::default(),
                };
                let _ = tokens_ui(ui, tokens, tools, &view);
            },
            (tokens, ToolsState::default()),
        )
}

/// A day of refreshes: the timeline lays out its newest page, and
/// older pages on request.
#[test]
fn the_timeline_shows_its_newest_page_and_older_ones_on_request() {
    use egui_kittest::kittest::Queryable;
    let mut tokens = TokenState::default();
    tokens.issued(received(&refreshed(0)));
    for n in 1..=200 {
        tokens.refreshing.start();
        tokens.refresh_finished(Ok(received(&refreshed(n))));
    }
    let mut harness = tab(tokens);
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label("Showing the newest 50 of 201")
            .is_some()
    );
    harness.get_by_label("Show 50 older").scroll_to_me();
    harness.run_steps(4);
    harness.get_by_label("Show 50 older").click();
    harness.run_steps(4);
    assert!(
        harness
            .query_by_label("Showing the newest 100 of 201")
            .is_some()
    );
}

/// Past [`TIMELINE_KEPT`] entries the oldest leave memory: the count still
/// says how many there were, and the last page says where they went.
#[test]
fn the_timeline_counts_entries_that_left_memory_and_says_where_they_are() {
    use crate::app::tokens::state::TIMELINE_KEPT;
    use egui_kittest::kittest::Queryable;
    let mut tokens = TokenState::default();
    tokens.issued(received(&refreshed(0)));
    let refreshes = TIMELINE_KEPT + TIMELINE_KEPT / 10;
    for n in 1..=refreshes {
        tokens.refreshing.start();
        tokens.refresh_finished(Ok(received(&refreshed(n))));
    }
    let (kept, dropped) = (tokens.timeline.len(), tokens.timeline_dropped);
    assert!(dropped > 0 && kept + dropped == refreshes + 1);
    // Every page the tab has, as after clicking "Show older" until the end.
    tokens.timeline_shown = kept;
    let mut harness = tab(tokens);
    harness.run_steps(2);
    let header = format!("Timeline ({})", refreshes + 1);
    assert!(
        harness.query_by_label_contains(&header).is_some(),
        "{header}"
    );
    let gone =
        format!("The {dropped} older entries left memory; their exchanges are in the HTTP log.");
    assert!(harness.query_by_label(&gone).is_some(), "{gone}");
}

/// The Tokens tab at rest costs what its countdown costs (issue 20):
/// with a 7-second token on screen (PingFederate's lifetime) nothing on
/// the tab asks for a repaint sooner than the countdown's second.
#[test]
fn a_short_lived_token_repaints_the_tab_once_a_second() {
    let mut tokens = TokenState::default();
    tokens.issued(received(
        r#"{"access_token":"eyJhbGciOiJub25lIn0.eyJzdWIiOiJkZW1vIn0.","token_type":"Bearer","expires_in":7,"refresh_token":"r-1","scope":"read"}"#,
    ));
    tokens.auto_refresh = true;
    let mut tools = ToolsState::default();
    let view = TokensView {
        profile: "Demo — password",
        reveal: false,
        offered: TokenActions {
            logout: true,
            revoke: true,
            introspect: true,
            userinfo: true,
            end_session: true,
        },
        keep_tokens: false,
        kept_note: None,
        oidc_logout: &Default::default(),
    };
    let ctx = egui::Context::default();
    let mut delay = std::time::Duration::ZERO;
    // The first passes lay out (and may ask for another pass at once).
    for _ in 0..4 {
        let output = ctx.run_ui(egui::RawInput::default(), |ui| {
            let _ = tokens_ui(ui, &mut tokens, &mut tools, &view);
        });
        delay = output.viewport_output[&egui::ViewportId::ROOT].repaint_delay;
        let mut output = output;
        output.textures_delta.clear();
    }
    // The countdown's next tick: when its whole seconds change (the old
    // lifetime bar asked for one every 100 ms).
    let expires_at = tokens.current().and_then(|t| t.expires_at).expect("expiry");
    let tick = crate::app::widgets::countdown::next_tick(
        (expires_at - chrono::Utc::now()).num_milliseconds(),
    );
    assert!(
        delay + std::time::Duration::from_millis(50) >= tick
            && delay <= std::time::Duration::from_millis(1001),
        "the tab asks for a repaint after {delay:?}, the tick is in {tick:?}"
    );
}
