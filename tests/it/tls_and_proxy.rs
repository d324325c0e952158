//! TLS and network settings apply to every request of a profile, token
//! requests included: a custom CA file makes a self-signed server trusted
//! without turning certificate checks off, and a proxy carries the token
//! request. Real HTTP(S) on 127.0.0.1.

use crate::support;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::Uri;
use axum::routing::any;
use oauth_debugger::demo::{DemoConfig, DemoServer, Mode};
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType, HttpFile};
use oauth_debugger::engine::wire::http::TransportErrorKind;
use oauth_debugger::engine::{EngineError, ProfileFile};
use support::{client, demo_file, profile, serve};

fn wapi_password(base: &str) -> ProfileFile {
    ProfileFile {
        token_endpoint: Some(format!("{base}/oauth2/token")),
        client_id: Some("wapi-client".into()),
        client_secret: Some(oauth_debugger::engine::Secret::new("wapi-secret")),
        token_endpoint_auth_method: Some(ClientAuthMethod::ClientSecretPost),
        scope: None,
        ..demo_file(
            base,
            GrantType::Password,
            ClientAuthMethod::ClientSecretPost,
        )
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ca_file_trusts_a_self_signed_server_without_turning_checks_off() {
    let server = DemoServer::start(DemoConfig {
        port: 0,
        tls: true,
        ..DemoConfig::for_mode(Mode::Wapi)
    })
    .await
    .expect("demo provider");
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = dir.path().join("demo-ca.pem");
    std::fs::write(&ca, server.certificate_pem().expect("PEM")).expect("write");

    let mut file = wapi_password(&server.url());
    let p = profile(&file);
    let err = grants::run(&p, &client(&p), &GrantOptions::default())
        .await
        .expect_err("untrusted");
    assert!(
        matches!(&err, EngineError::Transport { error, .. } if error.kind == TransportErrorKind::Tls),
        "{err}"
    );

    file.http = Some(HttpFile {
        ca_file: Some(ca.display().to_string()),
        ..HttpFile::default()
    });
    let p = profile(&file);
    assert!(!p.http.accept_invalid_certs);
    grants::run(&p, &client(&p), &GrantOptions::default())
        .await
        .expect("trusted through the CA file");

    // A CA file that is not there, or not PEM, is a clear setup error.
    for (name, contents) in [
        ("missing.pem", None),
        ("junk.pem", Some("not a certificate")),
    ] {
        let path = dir.path().join(name);
        if let Some(contents) = contents {
            std::fs::write(&path, contents).expect("write");
        }
        file.http = Some(HttpFile {
            ca_file: Some(path.display().to_string()),
            ..HttpFile::default()
        });
        let p = profile(&file);
        let err = oauth_debugger::engine::wire::http::HttpClient::new(
            &p.http,
            oauth_debugger::engine::wire::http::Recorder::new(),
        )
        .err()
        .expect("refused");
        assert!(err.message.contains(name), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_profiles_proxy_carries_the_token_request() {
    // A "proxy" that answers every request itself, remembering what it was
    // asked for: a token request through it gets its token.
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    let proxy = serve(Router::new().fallback(any(move |uri: Uri| {
        let log = log.clone();
        async move {
            log.lock().expect("lock").push(uri.to_string());
            (
                [
                    ("content-type", "application/json"),
                    ("cache-control", "no-store"),
                ],
                r#"{"access_token":"from-the-proxy","token_type":"bearer","expires_in":60}"#,
            )
        }
    })))
    .await;
    // Nothing listens on this port: only the proxy can answer.
    let mut file = demo_file(
        "http://127.0.0.1:9",
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.http = Some(HttpFile {
        proxy: Some(proxy),
        ..HttpFile::default()
    });
    let p = profile(&file);
    let tokens = grants::run(&p, &client(&p), &GrantOptions::default())
        .await
        .expect("token through the proxy");
    assert_eq!(tokens.access_token.expose(), "from-the-proxy");
    assert_eq!(
        seen.lock().expect("lock").as_slice(),
        ["http://127.0.0.1:9/token"],
        "the proxy was asked for the token endpoint in absolute form"
    );

    // A proxy that is not a URL is a profile error naming the key.
    file.http = Some(HttpFile {
        proxy: Some("not a url".into()),
        ..HttpFile::default()
    });
    let err = oauth_debugger::engine::Profile::from_file(&file, "p").expect_err("invalid");
    assert!(err.message_for("http.proxy").is_some(), "{err}");
}
