//! Non-browser grants against the demo provider over real HTTP.

use crate::support;

use oauth_debugger::engine::EngineError;
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType};
use oauth_debugger::engine::wire::http::ExchangeKind;
use support::{client, demo, demo_file, profile};

const AUTH_METHODS: [ClientAuthMethod; 3] = [
    ClientAuthMethod::ClientSecretBasic,
    ClientAuthMethod::ClientSecretPost,
    ClientAuthMethod::None,
];

#[tokio::test(flavor = "multi_thread")]
async fn every_grant_with_every_client_auth_method() {
    let server = demo().await;
    for grant in [GrantType::ClientCredentials, GrantType::Password] {
        for auth in AUTH_METHODS {
            let profile = profile(&demo_file(&server.url(), grant, auth));
            let http = client(&profile);
            let result = grants::run(&profile, &http, &GrantOptions::default()).await;
            if grant == GrantType::ClientCredentials && auth == ClientAuthMethod::None {
                // A public client has no credentials to grant on.
                let Err(EngineError::OAuth { error, .. }) = result else {
                    panic!("public client got client_credentials: {result:?}");
                };
                assert_eq!(error.error, "unauthorized_client");
                continue;
            }
            let tokens = result.unwrap_or_else(|e| panic!("{grant} with {auth:?}: {e}"));
            assert_eq!(tokens.grant, grant);
            assert_eq!(tokens.scope.as_deref(), Some("read write"));
            assert!(tokens.expires_at.is_some());
            assert_eq!(tokens.refresh_token.is_some(), grant == GrantType::Password);
            assert!(tokens.jwts.iter().any(|j| j.source == "access_token"));

            // What went on the wire matches the method.
            let exchange = http.exchanges().pop().expect("exchange");
            assert_eq!(Some(exchange.id), tokens.exchange_id);
            assert_eq!(exchange.kind, ExchangeKind::Token);
            let body = String::from_utf8_lossy(&exchange.request.body).into_owned();
            let basic = exchange
                .request
                .headers
                .iter()
                .any(|(k, v)| k == "authorization" && v.starts_with("Basic "));
            assert_eq!(
                basic,
                auth == ClientAuthMethod::ClientSecretBasic,
                "{auth:?}"
            );
            assert_eq!(
                body.contains("client_secret="),
                auth == ClientAuthMethod::ClientSecretPost,
                "{body}"
            );
            assert!(body.contains(&format!("grant_type={grant}")), "{body}");

            // Refresh with the same client auth method.
            if let Some(refresh) = tokens.refresh_token.clone() {
                let options = GrantOptions {
                    grant: Some(GrantType::RefreshToken),
                    refresh_token: Some(refresh),
                    ..GrantOptions::default()
                };
                let refreshed = grants::run(&profile, &http, &options)
                    .await
                    .unwrap_or_else(|e| panic!("refresh with {auth:?}: {e}"));
                assert_eq!(refreshed.grant, GrantType::RefreshToken);
                assert_ne!(refreshed.access_token, tokens.access_token);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_secret_is_invalid_client_with_its_description() {
    let server = demo().await;
    for auth in [
        ClientAuthMethod::ClientSecretBasic,
        ClientAuthMethod::ClientSecretPost,
    ] {
        let mut file = demo_file(&server.url(), GrantType::ClientCredentials, auth);
        file.client_secret = Some(oauth_debugger::engine::Secret::new("wrong"));
        let profile = profile(&file);
        let err = grants::run(&profile, &client(&profile), &GrantOptions::default())
            .await
            .expect_err("wrong secret");
        let EngineError::OAuth {
            error, exchange, ..
        } = &err
        else {
            panic!("expected an OAuth error, got {err:?}");
        };
        assert_eq!(error.error, "invalid_client");
        assert_eq!(
            error.error_description.as_deref(),
            Some("wrong client_secret for client 'demo-client'")
        );
        assert_eq!(exchange.status(), Some(error.status));
        assert!(err.to_string().contains("invalid_client"), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_tokens_rotate_and_a_reused_old_one_ends_the_family() {
    let server = demo().await;
    let profile = profile(&demo_file(
        &server.url(),
        GrantType::Password,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let http = client(&profile);
    let first = grants::run(&profile, &http, &GrantOptions::default())
        .await
        .expect("password grant");
    let old = first.refresh_token.expect("refresh token");
    let refresh = |token| GrantOptions {
        grant: Some(GrantType::RefreshToken),
        refresh_token: Some(token),
        ..GrantOptions::default()
    };
    let second = grants::run(&profile, &http, &refresh(old.clone()))
        .await
        .expect("first refresh");
    assert!(
        second
            .findings
            .iter()
            .any(|f| f.code == "refresh_token_rotated"),
        "the refresh says the token rotated: {:?}",
        second.findings
    );
    let new = second.refresh_token.expect("rotated refresh token");
    assert_ne!(new, old);

    let err = grants::run(&profile, &http, &refresh(old))
        .await
        .expect_err("old refresh token reused");
    let EngineError::OAuth { error, .. } = err else {
        panic!("expected invalid_grant, got {err:?}");
    };
    assert_eq!(error.error, "invalid_grant");
    assert!(
        error
            .error_description
            .unwrap_or_default()
            .contains("already used"),
        "the description says why"
    );
    // The reuse was a theft signal: the newest token of the family is
    // revoked with it (RFC 9700 §4.14.2).
    let err = grants::run(&profile, &http, &refresh(new))
        .await
        .expect_err("the family is revoked");
    assert!(err.to_string().contains("revoked"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_scope_and_missing_fields_are_explained() {
    let server = demo().await;
    let mut file = demo_file(
        &server.url(),
        GrantType::Password,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.password = Some(oauth_debugger::engine::Secret::new("nope"));
    let p = profile(&file);
    let err = grants::run(&p, &client(&p), &GrantOptions::default())
        .await
        .expect_err("bad password");
    assert!(
        matches!(&err, EngineError::OAuth { error, .. } if error.error == "invalid_grant"),
        "{err}"
    );

    let mut file = demo_file(
        &server.url(),
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.scope = Some("read admin".into());
    let p = profile(&file);
    let err = grants::run(&p, &client(&p), &GrantOptions::default())
        .await
        .expect_err("bad scope");
    assert!(
        matches!(&err, EngineError::OAuth { error, .. } if error.error == "invalid_scope"),
        "{err}"
    );

    // A missing required field is named, and nothing is sent.
    let mut file = demo_file(
        &server.url(),
        GrantType::Password,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.username = None;
    let p = profile(&file);
    let http = client(&p);
    let err = grants::run(&p, &http, &GrantOptions::default())
        .await
        .expect_err("no username");
    let EngineError::Profile(problem) = &err else {
        panic!("expected a profile error, got {err:?}");
    };
    assert!(problem.message_for("username").is_some(), "{err}");
    assert!(http.exchanges().is_empty());

    let mut file = demo_file(
        &server.url(),
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.token_endpoint = None;
    let p = profile(&file);
    let err = grants::run(&p, &client(&p), &GrantOptions::default())
        .await
        .expect_err("no endpoint");
    assert!(err.to_string().contains("token_endpoint"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn extra_token_parameters_reach_the_wire() {
    let server = demo().await;
    let mut file = demo_file(
        &server.url(),
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretPost,
    );
    file.token_params
        .insert("audience".into(), "demo-api".into());
    let p = profile(&file);
    let http = client(&p);
    grants::run(&p, &http, &GrantOptions::default())
        .await
        .expect("token");
    let body = String::from_utf8(http.exchanges()[0].request.body.to_vec()).expect("utf8");
    assert!(body.contains("audience=demo-api"), "{body}");
    assert!(body.contains("scope=read+write"), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_prepared_step_is_not_sent_until_sent_and_edits_reach_the_wire() {
    use oauth_debugger::engine::grants::step;
    let server = demo().await;
    let p = profile(&demo_file(
        &server.url(),
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let http = client(&p);
    let mut prepared = step::prepare(&p, &http, &GrantOptions::default())
        .await
        .expect("prepared");
    assert!(http.exchanges().is_empty(), "preparing sends nothing");
    assert_eq!(
        prepared.basic,
        Some(("demo-client".to_string(), "demo-secret".to_string()))
    );
    assert!(
        prepared
            .params
            .contains(&("grant_type".to_string(), "client_credentials".to_string()))
    );

    // Narrow the scope by hand: the server grants what was sent.
    for (name, value) in &mut prepared.params {
        if name == "scope" {
            *value = "read".to_string();
        }
    }
    let tokens = step::send(&http, &prepared).await.expect("sent");
    assert_eq!(tokens.scope.as_deref(), Some("read"));
    assert_eq!(http.exchanges().len(), 1);

    // A wrong secret typed into the step is refused with its description.
    prepared.basic = Some(("demo-client".to_string(), "typo".to_string()));
    let err = step::send(&http, &prepared).await.expect_err("refused");
    assert!(err.to_string().contains("invalid_client"), "{err}");
}
