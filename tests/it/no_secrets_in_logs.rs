//! Logging never carries secrets: a whole session — password grant, refresh,
//! API call, revocation — against the demo provider with every log line the
//! process emits captured at TRACE level (the engine's, the demo provider's
//! and the HTTP stack's), then searched for every secret involved.

use crate::support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use oauth_debugger::engine::endpoints::api::{self, ApiRequest};
use oauth_debugger::engine::endpoints::revoke::{self, TokenHint};
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType};
use support::{client, demo, demo_file, profile};

/// Everything logged, in one buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut buffer) = self.0.lock() {
            buffer.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_session_at_trace_level_logs_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let server = demo().await;
    let mut file = demo_file(
        &server.url(),
        GrantType::Password,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.revocation_endpoint = Some(format!("{}/revoke", server.url()));
    let p = profile(&file);
    let http = client(&p);
    let first = grants::run(&p, &http, &GrantOptions::default())
        .await
        .expect("password grant");
    let refresh_token = first.refresh_token.clone().expect("refresh token");
    let second = grants::run(
        &p,
        &http,
        &GrantOptions {
            grant: Some(GrantType::RefreshToken),
            refresh_token: Some(refresh_token.clone()),
            ..GrantOptions::default()
        },
    )
    .await
    .expect("refresh");
    let request = ApiRequest::from_config(p.api.as_ref().expect("[api]"));
    let answer = api::call(&http, &request, Some(&second.access_token))
        .await
        .expect("API call");
    assert_eq!(answer.status(), 200);
    revoke::revoke(&p, &http, &second.access_token, TokenHint::AccessToken)
        .await
        .expect("revoked");

    let logged = String::from_utf8_lossy(&captured.0.lock().expect("lock")).into_owned();
    assert!(
        logged.contains("exchange"),
        "the engine did log at TRACE: {} bytes",
        logged.len()
    );
    let secrets = [
        ("client secret", "demo-secret".to_string()),
        ("password", "alice-password".to_string()),
        (
            "first access token",
            first.access_token.expose().to_string(),
        ),
        ("refresh token", refresh_token.expose().to_string()),
        (
            "second access token",
            second.access_token.expose().to_string(),
        ),
        (
            "second refresh token",
            second
                .refresh_token
                .as_ref()
                .map(|t| t.expose().to_string())
                .expect("rotated"),
        ),
        // HTTP Basic of demo-client:demo-secret.
        (
            "Basic credentials",
            "ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ".to_string(),
        ),
    ];
    for (what, secret) in secrets {
        assert!(
            !logged.contains(&secret),
            "the {what} appears in the TRACE log"
        );
    }
}
