//! Resource indicators (RFC 8707) against the demo provider: `resource` on
//! the authorization request and on every token request (code exchange,
//! refresh, client credentials), and the finding on the token's `aud`.

use crate::support;

use oauth_debugger::demo::user_agent::Person;
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::profile::grant_tables::OneOrMany;
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType};
use oauth_debugger::engine::{Profile, ProfileFile, Secret, TokenSet};

const API: &str = "https://api.example.com/orders";

fn codes(tokens: &TokenSet) -> Vec<&str> {
    tokens.findings.iter().map(|f| f.code.as_str()).collect()
}

fn with_resource(file: ProfileFile) -> ProfileFile {
    ProfileFile {
        resource: Some(OneOrMany::One(API.to_string())),
        ..file
    }
}

fn sent_bodies(http: &oauth_debugger::engine::wire::http::HttpClient) -> Vec<String> {
    http.exchanges()
        .iter()
        .map(|e| String::from_utf8_lossy(&e.request.body).into_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_resource_goes_on_the_token_request_and_the_audience_is_checked() {
    let server = support::demo().await;
    let file = with_resource(support::demo_file(
        &server.url(),
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let profile = support::profile(&file);
    let http = support::client(&profile);
    let tokens = grants::run(&profile, &http, &GrantOptions::default())
        .await
        .expect("tokens");
    assert!(
        sent_bodies(&http)[0].contains("resource=https%3A%2F%2Fapi.example.com%2Forders"),
        "{:?}",
        sent_bodies(&http)
    );
    let aud = &tokens.jwts[0].claims["aud"];
    assert_eq!(aud, API, "the demo audience-restricts the token");
    assert!(
        codes(&tokens).contains(&"resource_audience_matches"),
        "{:?}",
        tokens.findings
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_ignores_the_resource_is_reported() {
    let server = support::demo_with_faults(&["mcp-any-audience"], false).await;
    let file = with_resource(support::demo_file(
        &server.url(),
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let profile = support::profile(&file);
    let tokens = grants::run(
        &profile,
        &support::client(&profile),
        &GrantOptions::default(),
    )
    .await
    .expect("tokens");
    let finding = tokens
        .findings
        .iter()
        .find(|f| f.code == "resource_audience_mismatch")
        .expect("the mismatch is a finding");
    assert!(finding.message.contains(API), "{}", finding.message);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_authorization_request_the_code_exchange_and_the_refresh_carry_it() {
    let server = support::demo().await;
    let file = with_resource(support::browser_file(
        &server.url(),
        GrantType::AuthorizationCode,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let profile: Profile = support::profile(&file);
    let http = support::client(&profile);
    let (options, seen) = support::played_by(Person::default());
    let tokens = grants::run(&profile, &http, &options)
        .await
        .expect("tokens");
    let url = seen.lock().expect("lock")[0].url.to_string();
    assert!(
        url.contains("resource=https%3A%2F%2Fapi.example.com%2Forders"),
        "{url}"
    );
    assert!(
        sent_bodies(&http)
            .iter()
            .any(|b| b.contains("grant_type=authorization_code") && b.contains("resource=")),
        "{:?}",
        sent_bodies(&http)
    );
    assert!(
        codes(&tokens).contains(&"resource_audience_matches"),
        "{:?}",
        tokens.findings
    );
    let refresh = GrantOptions {
        grant: Some(GrantType::RefreshToken),
        refresh_token: tokens
            .refresh_token
            .clone()
            .map(|t| Secret::new(t.expose())),
        ..GrantOptions::default()
    };
    let http = support::client(&profile);
    grants::run(&profile, &http, &refresh)
        .await
        .expect("refreshed");
    assert!(
        sent_bodies(&http)
            .iter()
            .any(|b| b.contains("grant_type=refresh_token") && b.contains("resource=")),
        "{:?}",
        sent_bodies(&http)
    );
}

#[test]
fn a_resource_that_is_not_an_absolute_uri_is_refused_in_the_profile() {
    let file = ProfileFile {
        resource: Some(OneOrMany::Many(vec!["orders".into()])),
        ..support::demo_file(
            "http://127.0.0.1:1",
            GrantType::ClientCredentials,
            ClientAuthMethod::ClientSecretBasic,
        )
    };
    let err = Profile::from_file(&file, "test").expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("resource") && text.contains("absolute URI"),
        "{text}"
    );
}

/// In the app: the editor's "Resource (RFC 8707)" field, typed as two
/// URIs separated by a space, goes into the run, and the Tokens tab says
/// what the token's audience makes of them.
#[test]
fn the_app_sends_the_resources_typed_in_the_editor_and_shows_the_verdict() {
    use egui_kittest::kittest::Queryable;
    use support::ui::{click, shows, start_in, wait_for};
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    let field = "Resource (RFC 8707)";
    harness.get_by_label(field).scroll_to_me();
    harness.run_steps(10);
    harness.get_by_label(field).focus();
    harness.run_steps(1);
    harness
        .get_by_label(field)
        .type_text(&format!("{API} https://other.example.com/"));
    harness.run_steps(2);
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
        sent.contains("resource=https%3A%2F%2Fapi.example.com%2Forders")
            && sent.contains("resource=https%3A%2F%2Fother.example.com%2F"),
        "{sent}"
    );
    click(&mut harness, "Tokens");
    // The demo names only the first resource in aud: the second is missing.
    wait_for(&mut harness, "the verdict", |h| {
        shows(
            h,
            "does not name the resource asked for (https://other.example.com/)",
        )
    });
}
