//! Step-up authentication (RFC 9470) against the demo provider: the
//! payments API's `insufficient_user_authentication` challenge read and
//! explained, the grant run again with its `acr_values` and `max_age`, the
//! new ID token's `acr` and `auth_time` checked, and each demo fault making
//! its check fail — in the engine, the CLI and the app.

use crate::support;

use oauth_debugger::demo::user_agent::{self, Person};
use oauth_debugger::engine::endpoints::api::{self, ApiRequest, ApiResponse};
use oauth_debugger::engine::grants;
use oauth_debugger::engine::jwt::claims::Verdict;
use oauth_debugger::engine::jwt::jwks::JwksCache;
use oauth_debugger::engine::jwt::verify::verify_token_set;
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType, TokenPlacement};
use oauth_debugger::engine::requests::step_up::{self, AuthRequirement};
use oauth_debugger::engine::{Profile, ProfileFile, TokenSet};

const MFA: &str = "urn:demo:acr:mfa";

fn code_profile(base: &str) -> Profile {
    support::profile(&support::browser_file(
        base,
        GrantType::AuthorizationCode,
        ClientAuthMethod::ClientSecretBasic,
    ))
}

async fn sign_in(profile: &Profile) -> (TokenSet, String) {
    let http = support::client(profile);
    let (options, seen) = support::played_by(Person::default());
    let tokens = grants::run(profile, &http, &options).await.expect("tokens");
    let url = seen.lock().expect("lock")[0].url.to_string();
    (tokens, url)
}

async fn pay(profile: &Profile, tokens: &TokenSet) -> ApiResponse {
    let base = profile.token_endpoint().expect("token endpoint");
    let request = ApiRequest {
        method: http::Method::POST,
        url: base.join("/api/payments").expect("url"),
        headers: Vec::new(),
        body: None,
        placement: TokenPlacement::Header {
            name: "Authorization".to_string(),
            prefix: "Bearer".to_string(),
        },
    };
    api::call(
        &support::client(profile),
        &request,
        Some(&tokens.access_token),
    )
    .await
    .expect("an answer")
}

/// The verdicts of the ID token's `acr` and `auth_time` checks.
async fn id_token_verdicts(profile: &Profile, tokens: &TokenSet) -> Vec<(String, Verdict)> {
    let verified = verify_token_set(
        &support::client(profile),
        &JwksCache::new(),
        profile,
        tokens,
        &["id_token"],
    )
    .await;
    verified[0]
        .checks
        .iter()
        .filter(|c| c.name == "acr" || c.name == "auth_time")
        .map(|c| (c.name.clone(), c.verdict))
        .collect()
}

fn stepped_up(profile: &Profile, requirement: &AuthRequirement) -> Profile {
    let mut profile = profile.clone();
    step_up::ask(&mut profile, requirement);
    profile
}

#[tokio::test(flavor = "multi_thread")]
async fn the_challenge_is_read_and_a_stepped_up_sign_in_gets_through() {
    let server = support::demo().await;
    let profile = code_profile(&server.url());
    let (tokens, _) = sign_in(&profile).await;

    let refused = pay(&profile, &tokens).await;
    assert_eq!(refused.status(), 401);
    let challenge = refused.step_up.clone().expect("a step-up challenge");
    assert_eq!(challenge.requirement.acr_values, vec![MFA]);
    assert_eq!(challenge.requirement.max_age, Some(300));
    assert!(
        refused
            .findings
            .iter()
            .any(|f| f.code == "step_up_challenge"),
        "{:?}",
        refused.findings
    );
    let explanation = refused.explanation().expect("explained");
    assert!(
        explanation
            .summary
            .contains("not strong enough or not recent enough"),
        "{}",
        explanation.summary
    );

    let profile = stepped_up(&profile, &challenge.requirement);
    let (tokens, url) = sign_in(&profile).await;
    assert!(
        url.contains("acr_values=urn%3Ademo%3Aacr%3Amfa") && url.contains("max_age=300"),
        "{url}"
    );
    assert_eq!(
        id_token_verdicts(&profile, &tokens).await,
        vec![
            ("acr".to_string(), Verdict::Pass),
            ("auth_time".to_string(), Verdict::Pass)
        ]
    );
    let paid = pay(&profile, &tokens).await;
    assert_eq!(paid.status(), 200, "{}", paid.exchange.response_text());

    // A refreshed access token still stands for the same sign-in.
    let refresh = grants::GrantOptions {
        grant: Some(GrantType::RefreshToken),
        refresh_token: tokens.refresh_token.clone(),
        ..grants::GrantOptions::default()
    };
    let refreshed = grants::run(&profile, &support::client(&profile), &refresh)
        .await
        .expect("refreshed");
    assert_eq!(pay(&profile, &refreshed).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_ignores_acr_values_is_caught() {
    let server = support::demo_with_faults(&["step-up-ignore-acr"], false).await;
    let profile = stepped_up(
        &code_profile(&server.url()),
        &AuthRequirement::new(Some(MFA), None),
    );
    let (tokens, _) = sign_in(&profile).await;
    assert_eq!(
        id_token_verdicts(&profile, &tokens).await,
        vec![("acr".to_string(), Verdict::Warn)]
    );
    // And the API, reading the same acr, refuses again.
    assert!(pay(&profile, &tokens).await.step_up.is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_does_not_re_authenticate_is_caught() {
    let server = support::demo_with_faults(&["step-up-stale-auth-time"], false).await;
    let profile = stepped_up(
        &code_profile(&server.url()),
        &AuthRequirement::new(Some(MFA), Some(300)),
    );
    let (tokens, _) = sign_in(&profile).await;
    assert_eq!(
        id_token_verdicts(&profile, &tokens).await,
        vec![
            ("acr".to_string(), Verdict::Pass),
            ("auth_time".to_string(), Verdict::Fail)
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_auth_time_fails_the_id_token_and_warns_on_the_access_token() {
    let server = support::demo_with_faults(&["step-up-no-auth-time"], false).await;
    let profile = stepped_up(
        &code_profile(&server.url()),
        &AuthRequirement::new(None, Some(60)),
    );
    let (tokens, _) = sign_in(&profile).await;
    assert_eq!(
        id_token_verdicts(&profile, &tokens).await,
        vec![("auth_time".to_string(), Verdict::Fail)]
    );
    let verified = verify_token_set(
        &support::client(&profile),
        &JwksCache::new(),
        &profile,
        &tokens,
        &["access_token"],
    )
    .await;
    let check = verified[0].check("auth_time").expect("auth_time check");
    assert_eq!(check.verdict, Verdict::Warn, "{}", check.message);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_challenge_sent_with_403_is_a_finding() {
    let server = support::demo_with_faults(&["step-up-403"], false).await;
    let profile = code_profile(&server.url());
    let (tokens, _) = sign_in(&profile).await;
    let refused = pay(&profile, &tokens).await;
    assert_eq!(refused.status(), 403);
    assert!(refused.step_up.is_some());
    assert!(
        refused.findings.iter().any(|f| f.code == "step_up_status"),
        "{:?}",
        refused.findings
    );
}

#[test]
fn acr_values_and_max_age_are_profile_keys() {
    let base = support::browser_file(
        "http://127.0.0.1:1",
        GrantType::AuthorizationCode,
        ClientAuthMethod::ClientSecretBasic,
    );
    let profile = Profile::from_file(
        &ProfileFile {
            acr_values: Some(format!("{MFA} urn:demo:acr:password")),
            max_age: Some(0),
            ..base.clone()
        },
        "t",
    )
    .expect("valid");
    assert_eq!(profile.auth_requirement.acr_values.len(), 2);
    assert!(
        profile
            .authorize_params
            .contains(&("max_age".to_string(), "0".to_string()))
    );
    // Written as extra authorization parameters, they are read the same.
    let profile = Profile::from_file(
        &ProfileFile {
            authorize_params: [("max_age".to_string(), "120".to_string())]
                .into_iter()
                .collect(),
            ..base.clone()
        },
        "t",
    )
    .expect("valid");
    assert_eq!(profile.auth_requirement.max_age, Some(120));
    // Both at once is one too many.
    let err = Profile::from_file(
        &ProfileFile {
            max_age: Some(5),
            authorize_params: [("max_age".to_string(), "120".to_string())]
                .into_iter()
                .collect(),
            ..base
        },
        "t",
    )
    .expect_err("refused");
    assert!(err.to_string().contains("keep one"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_steps_up_when_asked() {
    let server = support::demo().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("code.toml");
    let file = ProfileFile {
        api: None,
        ..support::browser_file(
            &server.url(),
            GrantType::AuthorizationCode,
            ClientAuthMethod::ClientSecretBasic,
        )
    };
    std::fs::write(&path, toml::to_string(&file).expect("toml")).expect("write");
    let url = format!("{}/api/payments", server.url());
    let run = move |extra: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_oauth-debugger"));
        command
            .args(["call", "--profile"])
            .arg(&path)
            .arg(&url)
            .args(extra)
            .env(
                "BROWSER",
                format!("{} demo-browser", env!("CARGO_BIN_EXE_oauth-debugger")),
            );
        command.output().expect("runs")
    };
    let refused = tokio::task::spawn_blocking(move || {
        let first = run(&[]);
        let second = run(&["--step-up"]);
        (first, second)
    })
    .await
    .expect("joined");
    let (first, second) = refused;
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_eq!(first.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("run again with --step-up"), "{stderr}");
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(second.status.success(), "{stderr}");
    assert!(
        stderr.contains("step-up: pass — acr is urn:demo:acr:mfa"),
        "{stderr}"
    );
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("\"payment\": \"accepted\""),
        "{}",
        String::from_utf8_lossy(&second.stdout)
    );
}

/// In the app: the ready-made payment request is refused with a step-up
/// challenge, the Request tab explains it and offers to re-authorize with
/// what it names; the new sign-in's acr is verified and the request goes
/// through.
#[test]
fn the_app_offers_to_re_authorize_with_what_the_api_asks() {
    use egui_kittest::kittest::{NodeT as _, Queryable};
    use support::ui::{choose, click, shows, start_in, wait_for};
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    let visit = |harness: &egui_kittest::Harness<'_, oauth_debugger::app::App>| {
        let node = harness.get_by_label_contains("/authorize?");
        let node = node.accesskit_node();
        let url = node
            .value()
            .or_else(|| node.label())
            .expect("URL")
            .to_string();
        runtime
            .block_on(user_agent::visit(&url, &Person::default()))
            .expect("signed in");
        url
    };
    click(&mut harness, "Demo — authorization code");
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the authorization URL", |h| {
        h.query_by_label_contains("/authorize?").is_some()
    });
    visit(&harness);
    wait_for(&mut harness, "the token", |h| {
        shows(h, "Token received (Authorization code grant)")
    });

    click(&mut harness, "Request");
    choose(
        &mut harness,
        "Ready-made requests",
        "Make a payment (step-up)",
    );
    click(&mut harness, "Send");
    wait_for(&mut harness, "the refusal", |h| shows(h, "HTTP 401"));
    assert!(shows(&harness, "insufficient_user_authentication"));
    let button = "Re-authorize with acr_values=urn:demo:acr:mfa, max_age=300 and retry";
    assert!(shows(&harness, button));
    // A refresh keeps the same sign-in, so it is not offered.
    assert!(!shows(&harness, "Refresh token and retry"));
    click(&mut harness, button);

    wait_for(&mut harness, "the step-up authorization URL", |h| {
        h.query_by_label_contains("acr_values=urn%3Ademo%3Aacr%3Amfa")
            .is_some()
    });
    let url = visit(&harness);
    assert!(url.contains("max_age=300"), "{url}");
    click(&mut harness, "Request");
    wait_for(&mut harness, "the retried request", |h| {
        shows(h, "HTTP 200 ·")
    });
    assert!(shows(&harness, "accepted"));
    click(&mut harness, "Tokens");
    wait_for(&mut harness, "the ID token checks", |h| {
        shows(h, "acr is urn:demo:acr:mfa, one of the acr_values asked")
    });
    assert!(shows(&harness, "within max_age=300"));
}

/// In the editor: "ACR values" and "Max age (s)" go on the authorization
/// request; a max age that is not a number is said under the field and
/// changes nothing.
#[test]
fn the_editor_asks_for_acr_values_and_max_age() {
    use egui_kittest::kittest::{NodeT as _, Queryable};
    use support::ui::{click, shows, start_in, wait_for};
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    click(&mut harness, "Demo — authorization code");
    let type_into = |harness: &mut egui_kittest::Harness<'_, oauth_debugger::app::App>,
                     field: &str,
                     text: &str| {
        harness.get_by_label(field).scroll_to_me();
        harness.run_steps(10);
        harness.get_by_label(field).focus();
        harness.run_steps(1);
        harness.get_by_label(field).type_text(text);
        harness.run_steps(2);
    };
    type_into(&mut harness, "ACR values", MFA);
    type_into(&mut harness, "Max age (s)", "soon");
    assert!(shows(&harness, "a whole number of seconds, e.g. 300"));
    // Still focused: select what was typed and type over it.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run_steps(1);
    harness.get_by_label("Max age (s)").type_text("60");
    harness.run_steps(2);
    assert!(!shows(&harness, "a whole number of seconds, e.g. 300"));
    click(&mut harness, "Run all");
    wait_for(&mut harness, "the authorization URL", |h| {
        h.query_by_label_contains("/authorize?").is_some()
    });
    let node = harness.get_by_label_contains("/authorize?");
    let node = node.accesskit_node();
    let url = node
        .value()
        .or_else(|| node.label())
        .expect("URL")
        .to_string();
    assert!(
        url.contains("acr_values=urn%3Ademo%3Aacr%3Amfa") && url.contains("max_age=60"),
        "{url}"
    );
    runtime
        .block_on(user_agent::visit(&url, &Person::default()))
        .expect("signed in");
    click(&mut harness, "Tokens");
    wait_for(&mut harness, "the ID token checks", |h| {
        shows(h, "within max_age=60")
    });
}
