//! The demo provider's metadata endpoints, checked as any client would:
//! discovery, the JWKS (its key really verifies the tokens), introspection.

use crate::support;

use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType};
use oauth_debugger::engine::wire::http::{Exchange, ExchangeKind, HttpClient};
use serde_json::Value;
use support::{client, demo, demo_file, profile};

async fn get(http: &HttpClient, url: &str) -> Value {
    let request = http::Request::get(url).body(Vec::new()).expect("request");
    let exchange = http.send(request, ExchangeKind::Discovery).await;
    assert_eq!(
        exchange.status(),
        Some(200),
        "{url}: {}",
        exchange.response_text()
    );
    serde_json::from_str(&exchange.response_text()).expect("JSON")
}

async fn post_form(http: &HttpClient, url: &str, basic: &str, form: &str) -> Exchange {
    let request = http::Request::post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", format!("Basic {basic}"))
        .body(form.as_bytes().to_vec())
        .expect("request");
    http.send(request, ExchangeKind::Introspection).await
}

/// base64("demo-client:demo-secret")
const DEMO_BASIC: &str = "ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=";

#[tokio::test(flavor = "multi_thread")]
async fn both_discovery_documents_name_this_server() {
    let server = demo().await;
    let base = server.url();
    let p = profile(&demo_file(
        &base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let http = client(&p);
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let doc = get(&http, &format!("{base}{path}")).await;
        assert_eq!(doc["issuer"], base.as_str(), "{path}");
        assert_eq!(doc["token_endpoint"], format!("{base}/token"));
        assert_eq!(doc["jwks_uri"], format!("{base}/jwks"));
        let methods = doc["token_endpoint_auth_methods_supported"]
            .as_array()
            .expect("methods");
        assert!(methods.iter().any(|m| m == "client_secret_basic"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn access_tokens_verify_against_the_published_jwks() {
    let server = demo().await;
    let base = server.url();
    let p = profile(&demo_file(
        &base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let http = client(&p);
    let tokens = grants::run(&p, &http, &GrantOptions::default())
        .await
        .expect("token");
    let jwks: jsonwebtoken::jwk::JwkSet =
        serde_json::from_value(get(&http, &format!("{base}/jwks")).await).expect("JWKS");
    let header = jsonwebtoken::decode_header(tokens.access_token.expose()).expect("JWT header");
    let jwk = jwks
        .find(header.kid.as_deref().expect("kid"))
        .expect("key for kid");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).expect("RSA key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&["demo-api"]);
    validation.set_issuer(&[base.as_str()]);
    let data = jsonwebtoken::decode::<Value>(tokens.access_token.expose(), &key, &validation)
        .expect("signature verifies");
    assert_eq!(data.claims["client_id"], "demo-client");

    // A token with a flipped signature byte does not verify.
    let mut forged = tokens.access_token.expose().to_string();
    let last = forged.pop().expect("char");
    forged.push(if last == 'A' { 'B' } else { 'A' });
    assert!(jsonwebtoken::decode::<Value>(&forged, &key, &validation).is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn introspection_is_active_until_revocation() {
    let server = demo().await;
    let base = server.url();
    let p = profile(&demo_file(
        &base,
        GrantType::Password,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let http = client(&p);
    let tokens = grants::run(&p, &http, &GrantOptions::default())
        .await
        .expect("token");
    let access = tokens.access_token.expose();
    let refresh = tokens.refresh_token.expect("refresh token");

    let introspect = |token: String| {
        let http = http.clone();
        let url = format!("{base}/introspect");
        async move {
            let exchange = post_form(&http, &url, DEMO_BASIC, &format!("token={token}")).await;
            assert_eq!(exchange.status(), Some(200));
            serde_json::from_str::<Value>(&exchange.response_text()).expect("JSON")
        }
    };
    let active = introspect(access.to_string()).await;
    assert_eq!(active["active"], true);
    assert_eq!(active["sub"], "alice");
    assert_eq!(active["scope"], "read write");
    assert_eq!(
        introspect(refresh.expose().to_string()).await["active"],
        true
    );
    assert_eq!(introspect("garbage".to_string()).await["active"], false);

    // Introspection needs client authentication.
    let anonymous = post_form(
        &http,
        &format!("{base}/introspect"),
        "eDp5",
        &format!("token={access}"),
    )
    .await;
    assert_eq!(anonymous.status(), Some(401));

    let revoked = post_form(
        &http,
        &format!("{base}/revoke"),
        DEMO_BASIC,
        &format!("token={}", refresh.expose()),
    )
    .await;
    assert_eq!(revoked.status(), Some(200));
    assert_eq!(
        introspect(refresh.expose().to_string()).await["active"],
        false
    );
    assert_eq!(
        introspect(access.to_string()).await["active"],
        false,
        "its access token goes too"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_token_requests_are_refused_per_the_rfc() {
    let server = demo().await;
    let base = server.url();
    let p = profile(&demo_file(
        &base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    ));
    let http = client(&p);
    let cases = [
        (
            "grant_type=client_credentials&grant_type=password",
            "invalid_request",
        ),
        ("scope=read", "invalid_request"),
        ("grant_type=magic", "unsupported_grant_type"),
        (
            "grant_type=client_credentials&client_secret=demo-secret",
            "invalid_request",
        ),
    ];
    for (form, expected) in cases {
        let exchange = post_form(&http, &format!("{base}/token"), DEMO_BASIC, form).await;
        let body: Value = serde_json::from_str(&exchange.response_text()).expect("JSON error");
        assert_eq!(body["error"], expected, "{form}: {body}");
        assert_eq!(exchange.status(), Some(400), "{form}");
    }
}
