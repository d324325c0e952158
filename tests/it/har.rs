//! HAR 1.2 export of a session: the structure tools read, secrets masked by
//! default and kept only when asked — from the engine, the CLI's `--har` and
//! the app's "Export HAR".

use crate::support;

use std::process::Command;

use oauth_debugger::engine::endpoints::api::{self, ApiRequest};
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType};
use oauth_debugger::engine::wire::har;
use serde_json::Value;
use support::{client, demo, demo_file, profile};

#[tokio::test(flavor = "multi_thread")]
async fn a_session_becomes_har_with_secrets_masked_unless_asked() {
    let server = demo().await;
    let p = profile(&demo_file(
        &server.url(),
        GrantType::Password,
        ClientAuthMethod::ClientSecretPost,
    ));
    let http = client(&p);
    let tokens = grants::run(&p, &http, &GrantOptions::default())
        .await
        .expect("token");
    let request = ApiRequest::from_config(p.api.as_ref().expect("[api]"));
    api::call(&http, &request, Some(&tokens.access_token))
        .await
        .expect("API call");
    // And one that never got an answer.
    let mut dead = request.clone();
    dead.url = url::Url::parse("http://127.0.0.1:9/nothing").expect("url");
    let _ = api::call(&http, &dead, None).await;

    let exchanges = http.exchanges();
    let masked = har::har(&exchanges, false);
    let log = &masked["log"];
    assert_eq!(log["version"], "1.2");
    assert_eq!(log["creator"]["name"], "oauth-debugger");
    let entries = log["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 3);
    let token = &entries[0];
    assert_eq!(token["_kind"], "token");
    assert_eq!(token["request"]["method"], "POST");
    assert_eq!(token["response"]["status"], 200);
    assert!(
        token["startedDateTime"]
            .as_str()
            .is_some_and(|t| t.contains('T'))
    );
    let params = token["request"]["postData"]["params"]
        .as_array()
        .expect("params");
    assert!(
        params
            .iter()
            .any(|p| p["name"] == "grant_type" && p["value"] == "password")
    );
    assert_eq!(entries[2]["response"]["status"], 0);
    assert!(entries[2]["_error"].as_str().is_some());

    let text = masked.to_string();
    for secret in [
        "demo-secret",
        "alice-password",
        tokens.access_token.expose(),
        tokens.refresh_token.as_ref().expect("refresh").expose(),
    ] {
        assert!(!text.contains(secret), "a secret is in the masked HAR");
    }
    let full = har::har(&exchanges, true).to_string();
    assert!(full.contains("alice-password") && full.contains(tokens.access_token.expose()));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_writes_har_on_success_and_on_failure() {
    let server = demo().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut file = demo_file(
        &server.url(),
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    );
    let good = dir.path().join("good.toml");
    std::fs::write(&good, file.to_toml()).expect("profile");
    file.client_secret = Some(oauth_debugger::engine::Secret::new("wrong"));
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, file.to_toml()).expect("profile");

    for (profile, expected_exit, expected_status) in [(&good, 0, 200), (&bad, 1, 401)] {
        let har_path = dir.path().join("session.har");
        let out = Command::new(env!("CARGO_BIN_EXE_oauth-debugger"))
            .arg("token")
            .arg("--profile")
            .arg(profile)
            .arg("--har")
            .arg(&har_path)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(expected_exit), "{out:?}");
        let har: Value =
            serde_json::from_str(&std::fs::read_to_string(&har_path).expect("HAR written"))
                .expect("HAR is JSON");
        let entries = har["log"]["entries"].as_array().expect("entries");
        assert_eq!(entries[0]["response"]["status"], expected_status);
        let authorization = entries[0]["request"]["headers"]
            .as_array()
            .expect("headers")
            .iter()
            .find(|h| h["name"] == "authorization")
            .expect("authorization header")["value"]
            .clone();
        assert_eq!(authorization, "Basic [redacted]");
    }
}
