//! API calls with the token in a header, the query or the body, and the 401s
//! of RFC 6750 §3 — against the demo provider over real HTTP.

use crate::support;

use std::time::Duration;

use oauth_debugger::engine::endpoints::api::{self, ApiRequest};
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType, TokenPlacement};
use oauth_debugger::engine::wire::http::{ExchangeKind, HttpClient};
use oauth_debugger::engine::{Profile, Secret, TokenSet};
use support::{client, demo, demo_file, demo_with_ttl, profile};

async fn token(profile: &Profile, http: &HttpClient) -> TokenSet {
    grants::run(profile, http, &GrantOptions::default())
        .await
        .expect("token")
}

fn items(base: &str, placement: TokenPlacement) -> ApiRequest {
    ApiRequest {
        method: http::Method::GET,
        url: format!("{base}/api/items").parse().expect("url"),
        headers: vec![],
        body: None,
        placement,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_works_in_a_header_the_query_and_a_form_body() {
    let server = demo().await;
    let base = server.url();
    let p = profile(&demo_file(
        &base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let http = client(&p);
    let tokens = token(&p, &http).await;

    let header = items(
        &base,
        TokenPlacement::Header {
            name: "Authorization".into(),
            prefix: "Bearer".into(),
        },
    );
    let query = items(
        &base,
        TokenPlacement::Query {
            param: "access_token".into(),
        },
    );
    let mut body = items(
        &base,
        TokenPlacement::Body {
            param: "access_token".into(),
        },
    );
    body.method = http::Method::POST;
    body.body = Some("name=thing".into());
    for (request, status) in [(header, 200), (query, 200), (body, 201)] {
        let response = api::call(&http, &request, Some(&tokens.access_token))
            .await
            .expect("answer");
        assert_eq!(
            response.status(),
            status,
            "{:?}: {}",
            request.placement,
            response.exchange.response_text()
        );
        assert_eq!(response.exchange.kind, ExchangeKind::Api);
        assert!(response.challenge.is_none());
    }
    // The profile's [api] table builds the same request.
    let from_profile = ApiRequest::from_config(p.api.as_ref().expect("api"));
    let response = api::call(&http, &from_profile, Some(&tokens.access_token))
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
    let json: serde_json::Value =
        serde_json::from_slice(&response.exchange.response.expect("r").body).expect("json");
    assert_eq!(json["items"][0]["owner"], "demo-client");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_token_a_bad_token_and_a_revoked_token_get_a_parsed_challenge() {
    let server = demo().await;
    let base = server.url();
    let p = profile(&demo_file(
        &base,
        GrantType::Password,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let http = client(&p);
    let header = items(
        &base,
        TokenPlacement::Header {
            name: "Authorization".into(),
            prefix: "Bearer".into(),
        },
    );

    let none = api::call(&http, &header, None).await.expect("answer");
    assert_eq!(none.status(), 401);
    let challenge = none.challenge.expect("challenge");
    assert_eq!(challenge.scheme, "Bearer");
    assert_eq!(challenge.realm.as_deref(), Some("demo"));
    assert_eq!(
        challenge.error, None,
        "no error code when no token was sent (RFC 6750 §3.1)"
    );

    let forged = api::call(&http, &header, Some(&Secret::new("not-a-token")))
        .await
        .expect("answer");
    assert_eq!(forged.status(), 401);
    assert_eq!(
        forged.challenge.expect("challenge").error.as_deref(),
        Some("invalid_token")
    );

    // Revoke the refresh token (RFC 7009); its access token goes with it.
    let tokens = token(&p, &http).await;
    assert_eq!(
        api::call(&http, &header, Some(&tokens.access_token))
            .await
            .expect("ok")
            .status(),
        200
    );
    let revoke = http::Request::builder()
        .method("POST")
        .uri(format!("{base}/revoke"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=")
        .body(
            format!(
                "token={}&token_type_hint=refresh_token",
                tokens.refresh_token.expect("rt").expose()
            )
            .into_bytes(),
        )
        .expect("request");
    assert_eq!(
        http.send(revoke, ExchangeKind::Revocation).await.status(),
        Some(200)
    );
    let revoked = api::call(&http, &header, Some(&tokens.access_token))
        .await
        .expect("answer");
    assert_eq!(revoked.status(), 401);
    let challenge = revoked.challenge.expect("challenge");
    assert_eq!(challenge.error.as_deref(), Some("invalid_token"));
    assert_eq!(
        challenge.error_description.as_deref(),
        Some("The access token was revoked")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_gets_invalid_token_expired() {
    let server = demo_with_ttl(Duration::from_secs(1)).await;
    let base = server.url();
    let p = profile(&demo_file(
        &base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let http = client(&p);
    let tokens = token(&p, &http).await;
    assert_eq!(tokens.expires_in, Some(1));
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let query = items(
        &base,
        TokenPlacement::Query {
            param: "access_token".into(),
        },
    );
    let expired = api::call(&http, &query, Some(&tokens.access_token))
        .await
        .expect("answer");
    assert_eq!(expired.status(), 401);
    let challenge = expired.challenge.expect("challenge");
    assert_eq!(challenge.error.as_deref(), Some("invalid_token"));
    assert_eq!(
        challenge.error_description.as_deref(),
        Some("The access token expired")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_scope_is_403_insufficient_scope() {
    let server = demo().await;
    let base = server.url();
    let mut file = demo_file(
        &base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.scope = Some("read".into());
    let p = profile(&file);
    let http = client(&p);
    let tokens = token(&p, &http).await;
    let mut create = items(
        &base,
        TokenPlacement::Header {
            name: "Authorization".into(),
            prefix: "Bearer".into(),
        },
    );
    create.method = http::Method::POST;
    let response = api::call(&http, &create, Some(&tokens.access_token))
        .await
        .expect("answer");
    assert_eq!(response.status(), 403);
    let challenge = response.challenge.expect("challenge");
    assert_eq!(challenge.error.as_deref(), Some("insufficient_scope"));
    assert_eq!(challenge.scope.as_deref(), Some("write"));
}
