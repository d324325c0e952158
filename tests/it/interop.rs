//! Interop fixes found running the CLI against third-party servers (issue
//! 19): each behaviour reproduced on the demo provider — with a fault switch
//! where a server behaviour is needed — over real HTTP on 127.0.0.1.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use oauth_debugger::demo::user_agent::Person;
use oauth_debugger::demo::{DemoConfig, DemoServer, Mode};
use oauth_debugger::engine::endpoints::api::{self, ApiRequest};
use oauth_debugger::engine::endpoints::discovery;
use oauth_debugger::engine::endpoints::introspection;
use oauth_debugger::engine::endpoints::revoke::{self, TokenHint};
use oauth_debugger::engine::grants;
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType};
use oauth_debugger::engine::{EngineError, Profile, ProfileFile, Secret, Stage};
use support::{browser_file, client, demo_file, played_by, profile};

const BIN: &str = env!("CARGO_BIN_EXE_oauth-debugger");

async fn demo_with(names: &[&str]) -> DemoServer {
    support::demo_with_faults(names, false).await
}

/// Runs the built binary (asynchronously, so the demo provider on this
/// runtime keeps answering).
async fn cli(args: &[&str]) -> Output {
    tokio::process::Command::new(BIN)
        .args(args)
        .env_remove("OAUTH_DEBUGGER_TOKEN")
        .env_remove("OAUTH_DEBUGGER_ACCESS_TOKEN")
        .env_remove("OAUTH_DEBUGGER_REFRESH_TOKEN")
        .env_remove("OAUTH_DEBUGGER_ID_TOKEN")
        .env_remove("OAUTH_DEBUGGER_CLIENT_SECRET")
        .output()
        .await
        .expect("runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A client-credentials profile file for the demo at `base`, with `extra`
/// lines appended to the top-level keys.
fn profile_file(dir: &Path, base: &str, extra: &str) -> PathBuf {
    let text = format!(
        r#"name = "interop"
issuer = "{base}"
token_endpoint = "{base}/token"
introspection_endpoint = "{base}/introspect"
revocation_endpoint = "{base}/revoke"
userinfo_endpoint = "{base}/userinfo"
jwks_uri = "{base}/jwks"
client_id = "demo-client"
grant_type = "client_credentials"
scope = "read write"
{extra}

[api]
url = "{base}/api/items"

[logout]
url = "{base}/api/me"
method = "GET"

[http]
timeout_secs = 5
"#
    );
    let path = dir.join("interop.toml");
    std::fs::write(&path, text).expect("write profile");
    path
}

fn codes(findings: &[oauth_debugger::engine::Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

/// A client-credentials profile with this client authentication and secret.
fn with_secret(base: &str, auth: ClientAuthMethod, secret: &str) -> Profile {
    let mut file = demo_file(base, GrantType::ClientCredentials, auth);
    file.client_secret = Some(Secret::new(secret));
    file.introspection_endpoint = Some(format!("{base}/introspect"));
    file.revocation_endpoint = Some(format!("{base}/revoke"));
    profile(&file)
}

// 1. Tokens that start with `-`.

#[tokio::test(flavor = "multi_thread")]
async fn values_starting_with_a_dash_are_taken_by_every_token_option() {
    let server = demo_with(&[]).await;
    let dir = tempfile::tempdir().expect("dir");
    let path = profile_file(dir.path(), &server.url(), "client_secret = \"demo-secret\"");
    let path = path.to_str().expect("path");
    let token = "-nPV0pXbq4Dk";
    let runs: Vec<Vec<&str>> = vec![
        vec!["revoke", "--profile", path, "--token", token],
        vec!["introspect", "--profile", path, "--token", token],
        vec!["userinfo", "--profile", path, "--token", token],
        vec![
            "userinfo",
            "--profile",
            path,
            "--token",
            "abc",
            "--id-token",
            token,
        ],
        vec!["call", "--profile", path, "--access-token", token],
        vec!["logout", "--profile", path, "--access-token", token],
        vec![
            "token",
            "--profile",
            path,
            "--grant",
            "refresh_token",
            "--refresh-token",
            token,
        ],
        vec!["inspect", token],
        vec![
            "inspect",
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
            "--nonce",
            token,
            "--access-token",
            token,
            "--secret",
            token,
        ],
    ];
    for args in runs {
        let out = cli(&args).await;
        let stderr = text(&out.stderr);
        assert!(
            !stderr.contains("unexpected argument") && !stderr.contains("a value is required"),
            "{args:?} was refused by the argument parser: {stderr}"
        );
        assert!(
            !stderr.contains("Usage:"),
            "{args:?} printed usage: {stderr}"
        );
    }
    // The token really reached the server: revocation answers 200.
    let out = cli(&["revoke", "--profile", path, "--token", token]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

// 3. A challenge is owed only after the Authorization header.

#[tokio::test(flavor = "multi_thread")]
async fn no_challenge_warning_for_client_secret_post_and_a_finding_for_the_wrong_scheme() {
    let server = demo_with(&["post-401", "bearer-challenge"]).await;
    let base = server.url();
    let stage = Stage::TokenRequest(GrantType::ClientCredentials);

    let p = with_secret(&base, ClientAuthMethod::ClientSecretPost, "wrong");
    let err = grants::run(&p, &client(&p), &Default::default())
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, EngineError::OAuth { error, .. } if error.error == "invalid_client" && error.status == 401),
        "{err:?}"
    );
    let findings = err.findings(stage);
    assert!(
        !codes(&findings).contains(&"invalid_client_without_challenge"),
        "{findings:?}"
    );

    let p = with_secret(&base, ClientAuthMethod::ClientSecretBasic, "wrong");
    let err = grants::run(&p, &client(&p), &Default::default())
        .await
        .expect_err("refused");
    let findings = err.findings(stage);
    let mismatch = findings
        .iter()
        .find(|f| f.code == "challenge_scheme_mismatch")
        .unwrap_or_else(|| panic!("{findings:?}"));
    assert!(mismatch.message.contains("Basic"), "{}", mismatch.message);
    assert!(mismatch.message.contains("Bearer"), "{}", mismatch.message);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_standard_basic_refusal_has_no_challenge_finding() {
    let server = demo_with(&[]).await;
    let p = with_secret(&server.url(), ClientAuthMethod::ClientSecretBasic, "wrong");
    let err = grants::run(&p, &client(&p), &Default::default())
        .await
        .expect_err("refused");
    let findings = err.findings(Stage::TokenRequest(GrantType::ClientCredentials));
    assert!(
        !codes(&findings).contains(&"challenge_scheme_mismatch")
            && !codes(&findings).contains(&"invalid_client_without_challenge"),
        "{findings:?}"
    );
}

// 4. Discovery reads both documents.

#[tokio::test(flavor = "multi_thread")]
async fn discovery_merges_the_openid_and_the_path_inserted_rfc_8414_documents() {
    let server = demo_with(&["split-discovery"]).await;
    let base = server.url();
    let issuer = format!("{base}/o");
    let p = profile(&demo_file(
        &base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let http = client(&p);
    let found = discovery::discover(&http, &issuer).await.expect("found");
    assert_eq!(
        found.url.as_str(),
        format!("{base}/o/.well-known/openid-configuration")
    );
    assert_eq!(found.sources.len(), 2, "{:?}", found.sources);
    assert_eq!(
        found.sources[1].as_str(),
        format!("{base}/.well-known/oauth-authorization-server/o")
    );
    // The gaps of the OpenID document are filled from RFC 8414's.
    let m = &found.metadata;
    assert_eq!(m.revocation_endpoint, Some(format!("{base}/revoke")));
    assert_eq!(m.introspection_endpoint, Some(format!("{base}/introspect")));
    assert!(
        m.grant_types_supported
            .as_ref()
            .is_some_and(|g| g.iter().any(|g| g == "client_credentials"))
    );
    // The OpenID document wins where they disagree, and it is reported.
    assert_eq!(
        m.code_challenge_methods_supported,
        Some(vec!["S256".to_string()])
    );
    let disagree = found
        .findings
        .iter()
        .find(|f| f.code == "discovery_documents_disagree")
        .unwrap_or_else(|| panic!("{:?}", found.findings));
    assert!(
        disagree
            .message
            .contains("code_challenge_methods_supported")
    );
    assert!(codes(&found.findings).contains(&"discovery_filled_from_second_document"));
    assert!(!codes(&found.findings).contains(&"discovery_issuer_mismatch"));

    // What a profile gets from it.
    let mut file = ProfileFile::default();
    let filled = discovery::fill_profile(&mut file, &found.metadata);
    assert!(
        filled.contains(&"revocation_endpoint".to_string()),
        "{filled:?}"
    );
    assert!(
        filled.contains(&"introspection_endpoint".to_string()),
        "{filled:?}"
    );

    // The standard demo publishes the same document twice: nothing to report.
    let found = discovery::discover(&http, &base).await.expect("found");
    assert_eq!(found.sources.len(), 2);
    assert!(
        !codes(&found.findings).contains(&"discovery_documents_disagree"),
        "{:?}",
        found.findings
    );
}

#[test]
fn defaults_are_worded_as_defaults() {
    let metadata = discovery::ServerMetadata::default();
    let file = ProfileFile {
        grant_type: Some(GrantType::DeviceCode),
        ..ProfileFile::default()
    };
    let findings = discovery::check_profile(&file, &metadata);
    let grant = findings
        .iter()
        .find(|f| f.code == "discovery_grant_not_listed")
        .expect("finding");
    assert!(grant.message.contains("default"), "{}", grant.message);
    assert!(!grant.message.contains("it lists"), "{}", grant.message);
}

#[tokio::test(flavor = "multi_thread")]
async fn discover_on_the_command_line_names_both_documents() {
    let server = demo_with(&["split-discovery"]).await;
    let issuer = format!("{}/o", server.url());
    let out = cli(&["discover", &issuer]).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        stdout.contains("/.well-known/oauth-authorization-server/o"),
        "{stdout}"
    );
    assert!(
        stdout.contains("code_challenge_methods_supported is"),
        "{stdout}"
    );
    assert!(stdout.contains("the first is used"), "{stdout}");
    assert!(stdout.contains("revocation_endpoint"), "{stdout}");
}

// 5. "Bearer" is the registered form.

#[tokio::test(flavor = "multi_thread")]
async fn a_bearer_token_type_gets_no_finding() {
    let server = demo_with(&[]).await;
    let p = with_secret(
        &server.url(),
        ClientAuthMethod::ClientSecretBasic,
        "demo-secret",
    );
    let tokens = grants::run(&p, &client(&p), &Default::default())
        .await
        .expect("tokens");
    assert_eq!(tokens.token_type.as_deref(), Some("Bearer"));
    assert!(
        !codes(&tokens.findings).contains(&"token_type_case"),
        "{:?}",
        tokens.findings
    );
}

// 6. A refusal with an empty 403.

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_403_is_a_refusal_without_an_oauth_error_body() {
    let server = demo_with(&["empty-403"]).await;
    let p = with_secret(&server.url(), ClientAuthMethod::ClientSecretBasic, "wrong");
    let http = client(&p);

    let stage = Stage::TokenRequest(GrantType::ClientCredentials);
    let err = grants::run(&p, &http, &Default::default())
        .await
        .expect_err("refused");
    let message = err.to_string();
    assert!(
        message.contains("refused") && message.contains("without an OAuth error body"),
        "{message}"
    );
    assert!(!message.contains("is a JSON object"), "{message}");
    assert!(codes(&err.findings(stage)).contains(&"refusal_without_error_body"));
    let explanation = err.explanation(stage).expect("explained");
    assert!(
        explanation.likely_causes[0].contains("client credentials"),
        "{explanation:?}"
    );

    let err = introspection::introspect(&p, &http, &Secret::new("x"), None)
        .await
        .expect_err("refused");
    assert!(
        err.to_string().contains("without an OAuth error body"),
        "{err}"
    );
    assert!(codes(&err.findings(Stage::Introspection)).contains(&"refusal_without_error_body"));
    let explanation = err.explanation(Stage::Introspection).expect("explained");
    assert!(
        explanation
            .likely_causes
            .iter()
            .any(|c| c.contains("introspect")),
        "{explanation:?}"
    );

    let err = revoke::revoke(&p, &http, &Secret::new("x"), TokenHint::AccessToken)
        .await
        .expect_err("refused");
    assert!(
        err.to_string().contains("without an OAuth error body"),
        "{err}"
    );
    assert!(err.explanation(Stage::Revocation).is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_says_the_server_refused_without_an_error_body() {
    let server = demo_with(&["empty-403"]).await;
    let dir = tempfile::tempdir().expect("dir");
    let path = profile_file(dir.path(), &server.url(), "client_secret = \"wrong\"");
    let out = cli(&["token", "--profile", path.to_str().expect("path")]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("without an OAuth error body"), "{stderr}");
    // The finding, then the usual causes.
    assert!(
        stderr.contains("an error response is a JSON object"),
        "{stderr}"
    );
    assert!(stderr.contains("Likely causes"), "{stderr}");
    assert!(
        !stderr.contains("a token response is a JSON object"),
        "{stderr}"
    );
}

// 7. An API 403 without a challenge.

#[tokio::test(flavor = "multi_thread")]
async fn an_api_403_without_a_challenge_is_explained() {
    let server = demo_with(&["api-403"]).await;
    let base = server.url();
    let p = with_secret(&base, ClientAuthMethod::ClientSecretBasic, "demo-secret");
    let request = ApiRequest::from_config(p.api.as_ref().expect("api"));
    let response = api::call(&client(&p), &request, Some(&Secret::new("not-a-token")))
        .await
        .expect("answered");
    assert_eq!(response.status(), 403);
    assert!(response.challenge.is_none());
    assert!(
        codes(&response.findings).contains(&"forbidden_without_challenge"),
        "{:?}",
        response.findings
    );
    let explanation = response.explanation().expect("explained");
    assert!(
        explanation
            .what_to_try
            .iter()
            .any(|t| t.contains("Introspect")),
        "{explanation:?}"
    );

    let dir = tempfile::tempdir().expect("dir");
    let path = profile_file(dir.path(), &base, "client_secret = \"demo-secret\"");
    let out = cli(&[
        "call",
        "--profile",
        path.to_str().expect("path"),
        "--access-token",
        "not-a-token",
    ])
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("403 without a WWW-Authenticate challenge"),
        "{stderr}"
    );
    assert!(stderr.contains("Introspect"), "{stderr}");
}

// 9. The issuer-mismatch message.

#[tokio::test(flavor = "multi_thread")]
async fn the_issuer_mismatch_message_shows_the_issuer_without_an_added_slash() {
    let server = demo_with(&[]).await;
    let base = server.url();
    let port = server.addr().port();
    let issuer = format!("http://localhost:{port}");
    let mut file = browser_file(
        &base,
        GrantType::AuthorizationCode,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.issuer = Some(issuer.clone());
    let p = profile(&file);
    let (options, _) = played_by(Person::default());
    let err = grants::run(&p, &client(&p), &options)
        .await
        .expect_err("issuer mismatch");
    let message = err.to_string();
    assert!(message.contains("issuer mismatch"), "{message}");
    assert!(message.contains(&format!("{issuer:?}")), "{message}");
    assert!(!message.contains(&format!("{issuer}/")), "{message}");
}

// 10. The device endpoint's 404.

#[tokio::test(flavor = "multi_thread")]
async fn a_device_endpoint_404_is_said_in_plain_words() {
    let server = demo_with(&[]).await;
    let base = server.url();
    let mut file = browser_file(&base, GrantType::DeviceCode, ClientAuthMethod::None);
    file.device_authorization_endpoint = Some(format!("{base}/no-such-device-endpoint"));
    let p = profile(&file);
    let (options, _) = played_by(Person::default());
    let err = grants::run(&p, &client(&p), &options)
        .await
        .expect_err("404");
    let message = err.to_string();
    assert!(message.contains("404"), "{message}");
    assert!(
        message.contains("device_authorization_endpoint"),
        "{message}"
    );
    assert!(!message.contains("Other error"), "{message}");
    assert!(!message.contains("empty error response"), "{message}");
}

// 11. Profile words as people write them.

#[tokio::test(flavor = "multi_thread")]
async fn grant_type_device_code_runs_from_a_profile() {
    let server = support::demo_device(Duration::from_secs(1), Duration::from_secs(60)).await;
    let base = server.url();
    let source = format!(
        r#"client_id = "demo-public"
token_endpoint = "{base}/token"
device_authorization_endpoint = "{base}/device_authorization"
grant_type = "device_code"
scope = "read"
"#
    );
    let p = Profile::parse(&source, Path::new("device.toml")).expect("device_code is accepted");
    assert_eq!(p.grant, Some(GrantType::DeviceCode));
    let (options, _) = played_by(Person::default());
    let tokens = grants::run(&p, &client(&p), &options)
        .await
        .expect("tokens");
    assert_eq!(tokens.grant, GrantType::DeviceCode);
}

#[test]
fn pkce_in_the_wrong_case_and_urls_without_a_scheme_get_hints() {
    let err = Profile::parse(
        "token_endpoint = \"https://as.example/token\"\npkce = \"s256\"\n",
        Path::new("p.toml"),
    )
    .expect_err("s256 is not a value");
    assert!(err.to_string().contains("did you mean `S256`?"), "{err}");

    for url in ["as.example/token", "127.0.0.1:8080/token", "localhost:9000"] {
        let err = Profile::parse(
            &format!("token_endpoint = \"{url}\"\n"),
            Path::new("p.toml"),
        )
        .expect_err("no scheme");
        let message = err.to_string();
        assert!(message.contains("add https://"), "{url}: {message}");
        assert!(
            !message.contains("relative URL without a base"),
            "{message}"
        );
    }
}

// 12. An error_description naming a header.

#[tokio::test(flavor = "multi_thread")]
async fn a_description_naming_the_authorization_header_points_at_the_profile_key() {
    let server = demo_with(&["revocation-basic-only"]).await;
    let base = server.url();
    let mut file = demo_file(
        &base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretPost,
    );
    file.revocation_endpoint = Some(format!("{base}/revoke"));
    let p = profile(&file);
    let err = revoke::revoke(&p, &client(&p), &Secret::new("t"), TokenHint::AccessToken)
        .await
        .expect_err("refused");
    let explanation = err.explanation(Stage::Revocation).expect("explained");
    assert!(
        explanation.likely_causes[0].contains("Authorization header required"),
        "{explanation:?}"
    );
    assert!(
        explanation.what_to_try[0]
            .contains("revocation_endpoint_auth_method = \"client_secret_basic\""),
        "{explanation:?}"
    );
    // Credentials were in the body: no challenge was owed.
    assert!(!codes(&err.findings(Stage::Revocation)).contains(&"invalid_client_without_challenge"));

    // With the key set, the same server takes the revocation.
    file.revocation_endpoint_auth_method = Some(ClientAuthMethod::ClientSecretBasic);
    let p = profile(&file);
    revoke::revoke(&p, &client(&p), &Secret::new("t"), TokenHint::AccessToken)
        .await
        .expect("revoked");
}

// Issue 13 (demo provider): PingFederate mode's 7-second tokens.

#[tokio::test(flavor = "multi_thread")]
async fn pingfederate_mode_keeps_standard_lifetimes_for_the_demo_clients() {
    let server = DemoServer::start(DemoConfig {
        port: 0,
        ..DemoConfig::for_mode(Mode::PingFederate)
    })
    .await
    .expect("demo starts");
    let p = with_secret(
        &server.url(),
        ClientAuthMethod::ClientSecretBasic,
        "demo-secret",
    );
    let tokens = grants::run(&p, &client(&p), &Default::default())
        .await
        .expect("tokens");
    assert_eq!(tokens.expires_in, Some(3600));
}

// 2. An issuer-only profile.

/// A profile file that names the issuer and no endpoint.
fn issuer_only_file(dir: &Path, base: &str, grant: &str) -> PathBuf {
    let text = format!(
        r#"name = "issuer only"
issuer = "{base}"
client_id = "demo-client"
client_secret = "demo-secret"
grant_type = "{grant}"
username = "alice"
password = "alice-password"
scope = "openid profile read"

[api]
url = "{base}/api/items"

[http]
timeout_secs = 5
"#
    );
    let path = dir.join("issuer-only.toml");
    std::fs::write(&path, text).expect("write profile");
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn an_issuer_only_profile_runs_every_command_that_needs_endpoints() {
    let server = demo_with(&[]).await;
    let base = server.url();
    let dir = tempfile::tempdir().expect("dir");
    let path = issuer_only_file(dir.path(), &base, "password");
    let path = path.to_str().expect("path");
    let discovered = format!("Endpoints discovered from {base}");

    let out = cli(&["token", "--profile", path, "--json"]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains(&discovered), "{stderr}");
    assert!(stderr.contains("token_endpoint"), "{stderr}");
    let tokens: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let access = tokens["access_token"].as_str().expect("access token");
    let refresh = tokens["refresh_token"].as_str().expect("refresh token");

    let runs: Vec<Vec<&str>> = vec![
        vec!["token", "--profile", path, "--grant", "client_credentials"],
        vec![
            "token",
            "--profile",
            path,
            "--grant",
            "refresh_token",
            "--refresh-token",
            refresh,
        ],
        vec!["call", "--profile", path],
        vec!["introspect", "--profile", path, "--token", access],
        vec!["userinfo", "--profile", path, "--token", access],
        vec!["revoke", "--profile", path, "--token", access],
    ];
    for args in runs {
        let out = cli(&args).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&discovered),
            "{args:?} did not say so: {stderr}"
        );
        assert!(!stderr.contains("is required"), "{args:?}: {stderr}");
    }
    // The API call with a token given needs no endpoint: nothing discovered.
    let out = cli(&["call", "--profile", path, "--access-token", "x"]).await;
    assert!(!text(&out.stderr).contains(&discovered));
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_fills_only_empty_endpoints_once_per_issuer() {
    use oauth_debugger::engine::ExchangeKind;
    use oauth_debugger::engine::endpoints::autodiscovery::{self, DiscoveryCache};
    let server = demo_with(&[]).await;
    let base = server.url();
    let mut file = demo_file(
        &base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.issuer = Some(base.clone());
    file.token_endpoint = None;
    // Typed by hand: kept even though the document names another.
    file.userinfo_endpoint = Some(format!("{base}/api/me"));
    let p = profile(&file);
    let http = client(&p);
    let cache = DiscoveryCache::new();
    let needs = GrantType::ClientCredentials.endpoints();
    let (completed, note) = autodiscovery::complete(&p, &http, &cache, needs)
        .await
        .expect("discovered");
    let note = note.expect("a note");
    assert!(!note.cached);
    assert!(note.filled.contains(&"token_endpoint"), "{note}");
    assert!(!note.filled.contains(&"userinfo_endpoint"), "{note}");
    assert_eq!(
        completed.endpoints.token.as_ref().map(|u| u.as_str()),
        Some(format!("{base}/token").as_str())
    );
    assert_eq!(
        completed.endpoints.userinfo.as_ref().map(|u| u.as_str()),
        Some(format!("{base}/api/me").as_str())
    );
    let tokens = grants::run(&completed, &http, &Default::default())
        .await
        .expect("the grant runs with the discovered endpoint");
    assert!(!tokens.access_token.expose().is_empty());
    let asked = http.exchanges().len();
    assert!(
        http.exchanges()
            .iter()
            .any(|e| e.kind == ExchangeKind::Discovery),
        "discovery went through the recording client"
    );
    // Again in the same session: remembered, nothing asked.
    let (_, note) = autodiscovery::complete(&p, &http, &cache, needs)
        .await
        .expect("cached");
    assert!(note.expect("a note").cached);
    assert_eq!(http.exchanges().len(), asked);
    // Nothing missing: nothing asked, no note.
    let (_, note) = autodiscovery::complete(&completed, &http, &cache, needs)
        .await
        .expect("complete already");
    assert!(note.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn metadata_of_another_issuer_is_not_used_and_a_missing_endpoint_is_said() {
    use oauth_debugger::engine::endpoints::autodiscovery::{self, DiscoveryCache, Endpoint};
    let server = demo_with(&[]).await;
    let base = server.url();
    let port = server.addr().port();
    let mut file = demo_file(
        &base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.token_endpoint = None;
    // The document says 127.0.0.1: asked as localhost, it is another issuer.
    file.issuer = Some(format!("http://localhost:{port}"));
    let p = profile(&file);
    let err = autodiscovery::complete(&p, &client(&p), &DiscoveryCache::new(), &[Endpoint::Token])
        .await
        .expect_err("refused");
    let message = err.to_string();
    assert!(message.contains("were not taken from"), "{message}");
    assert!(message.contains("type them in the profile"), "{message}");

    // The split documents of `{base}/o` name no device endpoint.
    let server = demo_with(&["split-discovery"]).await;
    let issuer = format!("{}/o", server.url());
    let dir = tempfile::tempdir().expect("dir");
    let path = issuer_only_file(dir.path(), &issuer, "client_credentials");
    let path = path.to_str().expect("path");
    let out = cli(&["token", "--profile", path, "--grant", "device_code"]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("device_authorization_endpoint")
            && stderr.contains(&format!("the discovery document of {issuer}")),
        "{stderr}"
    );
    // Its RFC 8414 document fills what the OpenID one lacks: revocation.
    let out = cli(&["revoke", "--profile", path, "--token", "abc"]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("revocation_endpoint"), "{stderr}");
}

// 8. Authorization errors that never redirect.

/// Browser options with no browser and no person: only a redirect that the
/// preflight saw coming could end the grant before `timeout`.
fn nobody_signs_in(
    timeout: Duration,
) -> (
    grants::GrantOptions,
    std::sync::Arc<std::sync::Mutex<Vec<grants::Progress>>>,
) {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let options = grants::GrantOptions {
        browser: grants::BrowserOptions {
            open_browser: false,
            timeout,
            progress: Some(std::sync::Arc::new(move |p| {
                log.lock().expect("lock").push(p);
            })),
            ..grants::BrowserOptions::default()
        },
        ..grants::GrantOptions::default()
    };
    (options, seen)
}

/// Runs the grant, failing the test if it waits for the browser.
async fn run_without_waiting(
    p: &Profile,
    http: &oauth_debugger::engine::HttpClient,
    options: &grants::GrantOptions,
) -> EngineError {
    tokio::time::timeout(Duration::from_secs(20), grants::run(p, http, options))
        .await
        .expect("failed at once, not after the browser timeout")
        .expect_err("the grant fails")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_client_id_ends_the_grant_before_the_browser_with_the_page_text() {
    use oauth_debugger::engine::ExchangeKind;
    use oauth_debugger::engine::wire::callback::CallbackError;
    let server = demo_with(&[]).await;
    for grant in [GrantType::AuthorizationCode, GrantType::Implicit] {
        let mut file = browser_file(&server.url(), grant, ClientAuthMethod::ClientSecretBasic);
        file.client_id = Some("nobody".into());
        let p = profile(&file);
        let http = client(&p);
        let (options, seen) = nobody_signs_in(Duration::from_secs(120));
        let err = run_without_waiting(&p, &http, &options).await;
        let EngineError::Callback(CallbackError::ErrorPage { status, text, hint }) = &err else {
            panic!("{grant}: expected an error page, got {err:?}");
        };
        assert_eq!(*status, 400);
        assert!(text.contains("Unknown client_id 'nobody'."), "{text}");
        assert!(hint.contains("client_id \"nobody\""), "{hint}");
        let message = err.to_string();
        assert!(message.contains("would never come back"), "{message}");
        let kinds: Vec<ExchangeKind> = http.exchanges().iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [ExchangeKind::Authorize], "one request, recorded");
        assert!(
            !seen
                .lock()
                .expect("lock")
                .iter()
                .any(|p| matches!(p, grants::Progress::WaitingForRedirect(_))),
            "{grant}: no waiting"
        );
        // Said at the authorization step.
        assert_eq!(Stage::of_grant_error(grant, &err), Stage::Authorization);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_redirect_ends_the_grant_at_once_with_its_description() {
    use oauth_debugger::engine::wire::callback::CallbackError;
    let server = demo_with(&[]).await;
    let mut file = browser_file(
        &server.url(),
        GrantType::AuthorizationCode,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.scope = Some("openid nonsense".into());
    let p = profile(&file);
    let (options, _) = nobody_signs_in(Duration::from_secs(120));
    let err = run_without_waiting(&p, &client(&p), &options).await;
    let EngineError::Callback(CallbackError::Authorization {
        error, description, ..
    }) = &err
    else {
        panic!("expected invalid_scope, got {err:?}");
    };
    assert_eq!(error, "invalid_scope");
    assert_eq!(description.as_deref(), Some("unknown scope 'nonsense'"));
}

#[tokio::test(flavor = "multi_thread")]
async fn exact_redirect_uri_matching_gets_a_hint_to_fix_the_port() {
    use oauth_debugger::engine::wire::callback::CallbackError;
    let server = demo_with(&["exact-redirect-uri"]).await;
    let file = browser_file(
        &server.url(),
        GrantType::AuthorizationCode,
        ClientAuthMethod::ClientSecretBasic,
    );
    let p = profile(&file);
    let (options, _) = nobody_signs_in(Duration::from_secs(120));
    let err = run_without_waiting(&p, &client(&p), &options).await;
    let EngineError::Callback(CallbackError::ErrorPage {
        text: page, hint, ..
    }) = &err
    else {
        panic!("expected an error page, got {err:?}");
    };
    assert!(
        page.contains("is not registered for client 'demo-client'"),
        "{page}"
    );
    assert!(hint.contains("set redirect_uri in the profile"), "{hint}");
    assert!(hint.contains("RFC 8252 §7.3"), "{hint}");

    // On the command line: exit 1 at once, in the user's words.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("exact.toml");
    std::fs::write(&path, file.to_toml()).expect("write");
    let out = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::process::Command::new(BIN)
            .args(["token", "--profile", path.to_str().expect("path")])
            .args(["--browser-timeout", "120"])
            .env("BROWSER", "true")
            .output(),
    )
    .await
    .expect("did not wait for the browser")
    .expect("runs");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("instead of a sign-in page"), "{stderr}");
    assert!(stderr.contains("the listener took port"), "{stderr}");
    assert!(!stderr.contains("Waiting for the browser"), "{stderr}");
}
