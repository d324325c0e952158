//! Identity provider quirks and error codes (issue 21), against the demo
//! provider's `github` and `entra` modes: the findings after a grant, the
//! explanations of AADSTS codes, and presets with placeholders refused by the
//! loader and the CLI until filled.

use std::process::Command;
use std::time::Duration;

use oauth_debugger::demo::user_agent::Person;
use oauth_debugger::demo::{DemoConfig, DemoServer, Mode};
use oauth_debugger::engine::diagnose::explain::{Stage, explain, with_description_hints};
use oauth_debugger::engine::error::EngineError;
use oauth_debugger::engine::grants;
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType, ProfileFile, placeholders};
use oauth_debugger::engine::store::secret::Secret;
use serde_json::Value;

use crate::support::{client, played_by, profile};

const BIN: &str = env!("CARGO_BIN_EXE_oauth-debugger");

async fn start(mode: Mode) -> DemoServer {
    DemoServer::start(DemoConfig {
        port: 0,
        ..DemoConfig::for_mode(mode)
    })
    .await
    .expect("demo provider starts")
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

fn codes(findings: &[oauth_debugger::engine::diagnose::findings::Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.code.as_str()).collect()
}

// ---------------------------------------------------------------------------
// GitHub.

#[tokio::test]
async fn github_answers_form_encoded_unless_json_is_asked() {
    let server = start(Mode::GitHub).await;
    let url = format!("{}/login/oauth/access_token", server.url());
    let form = [
        ("client_id", "Iv1.demo0github0app"),
        ("client_secret", "wrong"),
        ("code", "x"),
    ];
    let plain = http().post(&url).form(&form).send().await.expect("answers");
    assert!(
        plain.headers()["content-type"]
            .to_str()
            .expect("text")
            .starts_with("application/x-www-form-urlencoded")
    );
    let body = plain.text().await.expect("body");
    assert!(
        body.starts_with("error=incorrect_client_credentials&"),
        "{body}"
    );

    let json: Value = http()
        .post(&url)
        .header("accept", "application/json")
        .form(&form)
        .send()
        .await
        .expect("answers")
        .bytes()
        .await
        .map(|b| serde_json::from_slice(&b).expect("JSON when asked"))
        .expect("body");
    assert_eq!(json["error"], "incorrect_client_credentials");
}

fn github_file(base: &str) -> ProfileFile {
    ProfileFile {
        name: Some("GitHub (demo)".into()),
        authorization_endpoint: Some(format!("{base}/login/oauth/authorize")),
        token_endpoint: Some(format!("{base}/login/oauth/access_token")),
        client_id: Some("Iv1.demo0github0app".into()),
        client_secret: Some(Secret::new("github-secret")),
        token_endpoint_auth_method: Some(ClientAuthMethod::ClientSecretPost),
        grant_type: Some(GrantType::AuthorizationCode),
        scope: Some("read:user".into()),
        redirect_uri: Some("http://127.0.0.1/callback".into()),
        ..ProfileFile::default()
    }
}

#[tokio::test]
async fn a_github_grant_says_json_was_asked_for_and_no_refresh_token_came() {
    let server = start(Mode::GitHub).await;
    let p = profile(&github_file(&server.url()));
    let (options, _) = played_by(Person::default());
    let tokens = grants::run(&p, &client(&p), &options)
        .await
        .expect("the code grant works against GitHub's form-encoding default");
    assert!(tokens.refresh_token.is_none());
    let found = codes(&tokens.findings);
    assert!(found.contains(&"github_accept_json"), "{found:?}");
    assert!(found.contains(&"github_no_refresh_token"), "{found:?}");
    let note = tokens
        .findings
        .iter()
        .find(|f| f.code == "github_accept_json")
        .expect("finding");
    assert!(
        note.reference
            .as_deref()
            .unwrap_or("")
            .contains("docs.github.com")
    );
    // The token works at the API.
    let me: Value = http()
        .get(format!("{}/user", server.url()))
        .bearer_auth(tokens.access_token.expose())
        .send()
        .await
        .expect("answers")
        .bytes()
        .await
        .map(|b| serde_json::from_slice(&b).expect("JSON"))
        .expect("body");
    assert_eq!(me["login"], "alice");
}

// ---------------------------------------------------------------------------
// Entra.

fn entra_file(base: &str, secret: &str, scope: &str) -> ProfileFile {
    ProfileFile {
        name: Some("Entra (demo)".into()),
        token_endpoint: Some(format!("{base}/contoso/oauth2/v2.0/token")),
        client_id: Some("11111111-2222-3333-4444-555555555555".into()),
        client_secret: Some(Secret::new(secret)),
        token_endpoint_auth_method: Some(ClientAuthMethod::ClientSecretPost),
        grant_type: Some(GrantType::ClientCredentials),
        scope: Some(scope.into()),
        ..ProfileFile::default()
    }
}

async fn entra_grant(
    server: &DemoServer,
    secret: &str,
    scope: &str,
) -> Result<oauth_debugger::engine::tokens::response::TokenSet, EngineError> {
    let p = profile(&entra_file(&server.url(), secret, scope));
    grants::run(&p, &client(&p), &grants::GrantOptions::default()).await
}

#[tokio::test]
async fn a_wrong_entra_secret_is_explained_by_its_aadsts_code() {
    let server = start(Mode::Entra).await;
    let err = entra_grant(&server, "the-secret-id", "api://demo-api/.default")
        .await
        .expect_err("refused");
    let explanation = err
        .explanation(Stage::TokenRequest(GrantType::ClientCredentials))
        .expect("an OAuth error");
    let first = &explanation.likely_causes[0];
    assert!(
        first.contains("Microsoft Entra ID says AADSTS7000215"),
        "{first}"
    );
    assert!(first.contains("reference-error-codes"), "{first}");
    assert!(explanation.what_to_try[0].contains("Secret ID"));
}

#[tokio::test]
async fn entra_client_credentials_without_default_scope_is_explained() {
    let server = start(Mode::Entra).await;
    let err = entra_grant(&server, "entra-secret", "api://demo-api/read")
        .await
        .expect_err("refused");
    let explanation = err
        .explanation(Stage::TokenRequest(GrantType::ClientCredentials))
        .expect("an OAuth error");
    assert!(explanation.likely_causes[0].contains("AADSTS70011"));
    assert!(explanation.what_to_try[0].contains("/.default"));
}

#[tokio::test]
async fn entra_v2_tokens_pass_and_v1_tokens_are_flagged() {
    let server = start(Mode::Entra).await;
    let v2 = entra_grant(&server, "entra-secret", "api://demo-api/.default")
        .await
        .expect("v2 token");
    let claims = &v2
        .jwts
        .iter()
        .find(|j| j.source == "access_token")
        .expect("a JWT")
        .claims;
    assert_eq!(claims["ver"], "2.0");
    assert!(!codes(&v2.findings).contains(&"entra_v1_access_token"));
    assert!(!codes(&v2.findings).contains(&"entra_scope_without_default"));

    let v1 = entra_grant(&server, "entra-secret", "api://legacy-api/.default")
        .await
        .expect("v1 token");
    let finding = v1
        .findings
        .iter()
        .find(|f| f.code == "entra_v1_access_token")
        .expect("v1 flagged");
    assert!(finding.message.contains("requestedAccessTokenVersion"));
    assert!(
        finding
            .reference
            .as_deref()
            .unwrap_or("")
            .contains("learn.microsoft.com")
    );
}

#[tokio::test]
async fn entra_redirect_mismatch_comes_as_aadsts50011_with_error_codes() {
    let server = start(Mode::Entra).await;
    let body: Value = http()
        .post(format!("{}/contoso/oauth2/v2.0/token", server.url()))
        .form(&[
            ("client_id", "11111111-2222-3333-4444-555555555555"),
            ("client_secret", "entra-secret"),
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("redirect_uri", "https://wrong.example/callback"),
        ])
        .send()
        .await
        .expect("answers")
        .bytes()
        .await
        .map(|b| serde_json::from_slice(&b).expect("JSON"))
        .expect("body");
    assert_eq!(body["error_codes"], serde_json::json!([50011]));
    let description = body["error_description"].as_str().expect("description");
    assert!(description.starts_with("AADSTS50011: "));
    assert!(description.contains("\r\nTrace ID: "));
    let stage = Stage::TokenRequest(GrantType::AuthorizationCode);
    let explained = with_description_hints(
        explain(body["error"].as_str().expect("error"), stage),
        Some(description),
        stage,
    );
    assert!(explained.likely_causes[0].contains("AADSTS50011"));
    assert!(explained.what_to_try[0].contains("redirect_uri"));
}

// ---------------------------------------------------------------------------
// Placeholders.

#[test]
fn presets_with_placeholders_are_refused_by_the_cli_naming_them() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("entra.toml");
    std::fs::write(&path, include_str!("../../assets/presets/entra-id.toml")).expect("write");
    let out = Command::new(BIN)
        .args(["token", "--profile"])
        .arg(&path)
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("{tenant}"), "{err}");
    assert!(err.contains("not filled in"), "{err}");

    let file = ProfileFile::parse(
        include_str!("../../assets/presets/keycloak.toml"),
        std::path::Path::new("keycloak.toml"),
    )
    .expect("parses");
    let names: Vec<_> = placeholders::find(&file)
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["host", "realm"]);
    let filled = placeholders::fill(
        &file,
        &[
            ("host".into(), "kc.example.com".into()),
            ("realm".into(), "acme".into()),
        ],
    )
    .expect("filled");
    assert_eq!(
        filled.issuer.as_deref(),
        Some("https://kc.example.com/realms/acme")
    );
}
