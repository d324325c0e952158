//! "New from MCP server URL" as a person uses it: the Clients panel walks
//! the demo provider's MCP server to an authorized `tools/list` and leaves
//! a saved profile that remembers the server.

use crate::support;

use egui_kittest::kittest::{NodeT as _, Queryable};
use oauth_debugger::demo::user_agent::{self, Person};
use oauth_debugger::engine::ProfileFile;
use support::ui::{click, shows, start_in, wait_for};

#[test]
fn new_from_mcp_server_url_reaches_an_authorized_tools_list() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    let demo = harness
        .state()
        .state()
        .demo_url()
        .expect("demo running")
        .to_string();
    let mcp_url = format!("{demo}/mcp");

    click(&mut harness, "New from MCP server URL");
    harness.get_by_label("MCP server URL").focus();
    harness.get_by_label("MCP server URL").type_text(&mcp_url);
    harness.run_steps(2);
    click(&mut harness, "Walk the chain");

    // The chain stops at the sign-in; the person opens the URL shown.
    wait_for(&mut harness, "the sign-in", |h| shows(h, "/authorize?"));
    let url = harness
        .query_all_by_label_contains("/authorize?")
        .find_map(|node| {
            let node = node.accesskit_node();
            node.value()
                .or_else(|| node.label())
                .filter(|text| text.starts_with("http"))
        })
        .expect("URL label");
    assert!(url.contains("resource="), "{url}");
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let visit = runtime
        .block_on(user_agent::visit(&url, &Person::default()))
        .expect("signed in");
    assert!(visit.redirected_to.is_some_and(|r| r.contains("code=")));

    wait_for(&mut harness, "the tools", |h| {
        shows(h, "Tools: echo, add, time")
    });
    for hop in [
        "1. [pass] MCP initialize without a token",
        "2. [pass] Protected resource metadata (RFC 9728)",
        "4. [pass] Client registration",
        "7. [pass] MCP tools/list",
    ] {
        assert!(shows(&harness, hop), "{hop}");
    }
    assert!(shows(&harness, "Authorized: the profile is saved."));
    // The Flow tab drew the chain: the resource server's challenge and
    // metadata, the authorization server, each hop's verdict, the tokens —
    // which belong to the new profile now.
    assert_eq!(harness.state().state().tab, oauth_debugger::app::Tab::Flow);
    let id = harness.state().state().profiles.selected.expect("selected");
    let session = harness.state().state().sessions.get(id).expect("session");
    let steps = &session.flow.steps;
    let text: Vec<String> = steps
        .iter()
        .map(|s| format!("{} | {}", s.label, s.verdict))
        .collect();
    assert!(
        steps.iter().any(|s| s.label.starts_with("POST /mcp")
            && s.arrow
                == Some((
                    oauth_debugger::app::flow::step::Actor::Client,
                    oauth_debugger::app::flow::step::Actor::ResourceServer
                ))),
        "{text:#?}"
    );
    for verdict in [
        "Walking the MCP authorization chain of",
        "Protected resource metadata (RFC 9728) — pass",
        "MCP tools/list — pass",
        "Token received (Authorization code grant)",
    ] {
        assert!(
            text.iter().any(|t| t.contains(verdict)),
            "{verdict}: {text:#?}"
        );
    }
    assert!(
        session.tokens.current().is_some(),
        "the tokens are the profile's"
    );
    let challenge = steps
        .iter()
        .find(|s| s.label.starts_with("401"))
        .expect("the challenge");
    assert_eq!(
        challenge.status,
        oauth_debugger::app::flow::step::StepStatus::Done,
        "the challenge that starts the chain is expected, not a failure"
    );
    assert!(challenge.verdict.contains("expected here"));
    // The chain's exchanges are in the HTTP log.
    let logged = &harness.state().state().exchanges.recent();
    assert!(logged.iter().any(|e| {
        e.request
            .url
            .ends_with("/.well-known/oauth-protected-resource/mcp")
    }));

    // A normal profile, saved, that remembers the server.
    wait_for(&mut harness, "the saved profile", |h| {
        h.state()
            .state()
            .profiles
            .selected_entry()
            .is_some_and(|e| e.path.is_some() && !e.is_dirty())
    });
    let entry = harness
        .state()
        .state()
        .profiles
        .selected_entry()
        .expect("selected")
        .clone();
    assert_eq!(
        entry.file.mcp.as_ref().and_then(|m| m.url.as_deref()),
        Some(mcp_url.as_str())
    );
    let written = std::fs::read_to_string(entry.path.as_ref().expect("path")).expect("file");
    let file = ProfileFile::parse(&written, entry.path.as_ref().expect("path")).expect("parses");
    assert_eq!(file.token_endpoint, Some(format!("{demo}/token")));
    assert_eq!(
        file.authorize_params.get("resource").map(String::as_str),
        Some(mcp_url.as_str())
    );
}
