//! The demo provider's seed modes, checked at the HTTP level with plain
//! reqwest (not through the engine): each mode's paths, response shapes and
//! documented quirks, and `--tls`.

use std::time::Duration;

use base64::Engine as _;
use oauth_debugger::demo::user_agent::{self, Person};
use oauth_debugger::demo::{DemoConfig, DemoServer, Mode};
use reqwest::StatusCode;
use serde_json::Value;

async fn start(config: DemoConfig) -> DemoServer {
    DemoServer::start(DemoConfig { port: 0, ..config })
        .await
        .expect("demo provider starts")
}

async fn start_mode(mode: Mode) -> DemoServer {
    start(DemoConfig::for_mode(mode)).await
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

async fn json(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, value)
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn challenge(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// POSTs a form, with HTTP Basic credentials if given, and reads the JSON answer.
async fn post_form(
    url: &str,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut request = http().post(url).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    json(request.send().await.expect("send")).await
}

/// A query parameter of a URL.
fn param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Signs in and consents at `authorize` (absolute URL) and returns the redirect.
async fn browse(url: &str, approve: bool) -> String {
    let person = Person {
        approve,
        ..Person::default()
    };
    let visit = user_agent::visit(url, &person).await.expect("visit");
    visit
        .redirected_to
        .unwrap_or_else(|| panic!("no redirect; page {}: {}", visit.status, visit.page))
}

#[tokio::test]
async fn modes_have_names_labels_and_lifetimes() {
    assert_eq!(Mode::ALL[0], Mode::Standard);
    let names: Vec<&str> = Mode::ALL.iter().map(|m| m.as_str()).collect();
    assert_eq!(
        names,
        [
            "standard",
            "wapi",
            "orchestrator",
            "wordapp",
            "pingfederate",
            "github",
            "entra"
        ]
    );
    assert_eq!(Mode::parse("PingFederate"), Some(Mode::PingFederate));
    assert_eq!(Mode::PingFederate.label(), "Windchill / PingFederate");
    let ttls: Vec<u64> = Mode::ALL
        .iter()
        .map(|m| m.default_token_ttl().as_secs())
        .collect();
    assert_eq!(ttls, [3600, 3600, 899, 7200, 7, 8 * 3600, 3600]);
    assert_eq!(DemoConfig::default().mode, Mode::Standard);
    assert!(!DemoConfig::default().tls);
    let config = DemoConfig::for_mode(Mode::Wordapp);
    assert_eq!(config.token_ttl, Duration::from_secs(7200));

    let server = start_mode(Mode::Orchestrator).await;
    assert_eq!(server.mode(), Mode::Orchestrator);
    assert!(server.url().starts_with("http://127.0.0.1:"));
    // The standard server does not serve the seed paths.
    let standard = start_mode(Mode::Standard).await;
    let response = http()
        .post(format!("{}/api/token", standard.url()))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn wapi_token_endpoint_lowercase_bearer_and_rotation() {
    let server = start_mode(Mode::Wapi).await;
    let token_url = format!("{}/oauth2/token", server.url());
    let (status, body) = post_form(
        &token_url,
        None,
        &[
            ("client_id", "wapi-client"),
            ("client_secret", "wapi-secret"),
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "alice-password"),
            ("scope", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        keys(&body),
        [
            "access_token",
            "token_type",
            "expires_in",
            "refresh_token",
            "scope"
        ]
    );
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    let first = body["refresh_token"].as_str().expect("refresh").to_string();

    // Refresh with Basic: a new refresh token; the old one is spent.
    let refresh = |token: String| {
        http()
            .post(&token_url)
            .basic_auth("wapi-client", Some("wapi-secret"))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", &token)])
            .send()
    };
    let (status, body) = json(refresh(first.clone()).await.expect("send")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(body["refresh_token"].as_str(), Some(first.as_str()));
    let (status, body) = json(refresh(first).await.expect("send")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");

    // Client credentials: no refresh token.
    let (status, body) = post_form(
        &token_url,
        None,
        &[
            ("client_id", "wapi-client"),
            ("client_secret", "wapi-secret"),
            ("grant_type", "client_credentials"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        keys(&body),
        ["access_token", "token_type", "expires_in", "scope"]
    );
}

#[tokio::test]
async fn wapi_code_and_implicit_grants_and_the_flux_api() {
    let server = start_mode(Mode::Wapi).await;
    let base = server.url();
    let authorize = |response_type: &str| {
        format!(
            "{base}/oauth2/authorize?response_type={response_type}&client_id=wapi-client\
             &redirect_uri=https%3A%2F%2Fapp.example.com%2Foauth%2Fcallback&state=s-1"
        )
    };
    let redirect = browse(&authorize("code"), true).await;
    assert_eq!(param(&redirect, "state").as_deref(), Some("s-1"));
    assert_eq!(param(&redirect, "iss"), None);
    let code = param(&redirect, "code").expect("code");
    let (status, body) = post_form(
        &format!("{base}/oauth2/token"),
        None,
        &[
            ("client_id", "wapi-client"),
            ("client_secret", "wapi-secret"),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://app.example.com/oauth/callback"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["refresh_token"].is_string());

    // Implicit: the token comes back in the query string, not the fragment.
    let redirect = browse(&authorize("token"), true).await;
    assert!(!redirect.contains('#'), "{redirect}");
    assert_eq!(param(&redirect, "token_type").as_deref(), Some("bearer"));
    assert_eq!(param(&redirect, "expires_in").as_deref(), Some("3600"));
    assert_eq!(param(&redirect, "scope").as_deref(), Some("all"));
    assert_eq!(param(&redirect, "state").as_deref(), Some("s-1"));
    let token = param(&redirect, "access_token").expect("access_token");

    let flux = format!("{base}/WAC123456789012/flux/42");
    let (status, body) = json(
        http()
            .get(&flux)
            .bearer_auth(&token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Id"], 42);
    assert_eq!(body["Account"], "WAC123456789012");
    assert!(body["Values"].is_array());
    let (status, body) = json(
        http()
            .get(format!("{flux}?oauth_token={token}&format=JSON"))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["Id"], 42);
    let response = http()
        .get(format!("{flux}?access_token={token}&format=XML"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .contains("xml")
    );
    let xml = response.text().await.expect("body");
    assert!(xml.contains("<Id>42</Id>"), "{xml}");

    for request in [
        http().get(&flux),
        http().get(&flux).bearer_auth("not-a-token"),
    ] {
        let response = request.send().await.expect("send");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let challenge = challenge(&response);
        assert!(challenge.starts_with("Bearer "), "{challenge}");
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        assert!(challenge.contains("error_description="), "{challenge}");
        let (_, body) = json(response).await;
        assert_eq!(body["error"], "invalid_token");
    }
}

async fn orchestrator_login(base: &str) -> Value {
    let (status, body) = post_form(
        &format!("{base}/api/token"),
        None,
        &[
            ("grant_type", "password"),
            ("username", "VDRO\\administrator"),
            ("password", "Password1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn orchestrator_password_without_client_and_base64_refresh_tokens() {
    let server = start_mode(Mode::Orchestrator).await;
    let base = server.url();
    let body = orchestrator_login(&base).await;
    assert_eq!(
        keys(&body),
        ["access_token", "token_type", "expires_in", "refresh_token"]
    );
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 899);
    let access = body["access_token"].as_str().expect("access");
    assert!(access.len() >= 100, "{access}");
    assert!(
        access
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    let refresh = body["refresh_token"].as_str().expect("refresh").to_string();
    assert!(
        refresh.contains('+') && refresh.contains('/') && refresh.ends_with('='),
        "{refresh}"
    );

    // An unknown client_id is refused even for the password grant.
    let response = http()
        .post(format!("{base}/api/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", "VDRO\\administrator"),
            ("password", "Password1"),
            ("client_id", "nobody"),
            ("client_secret", "x"),
        ])
        .send()
        .await
        .expect("send");
    let (_, body) = json(response).await;
    assert_eq!(body["error"], "invalid_client");

    // Not form-encoded: `+` arrives as a space, and the token is unknown.
    let raw = http()
        .post(format!("{base}/api/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("grant_type=refresh_token&refresh_token={refresh}"))
        .send()
        .await
        .expect("send");
    let (status, body) = json(raw).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    // Encoded: a new pair; the old refresh token is spent.
    let refresh_with = |token: String| {
        http()
            .post(format!("{base}/api/token"))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", &token)])
            .send()
    };
    let (status, body) = json(refresh_with(refresh.clone()).await.expect("send")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(body["refresh_token"].as_str(), Some(refresh.as_str()));
    let (_, body) = json(refresh_with(refresh).await.expect("send")).await;
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn orchestrator_client_accounts_trailing_comma_and_logout() {
    let server = start_mode(Mode::Orchestrator).await;
    let base = server.url();
    let clients = format!("{base}/api/v7.1/Clients");
    let login = orchestrator_login(&base).await;
    let user_token = login["access_token"].as_str().expect("token").to_string();

    let response = http().post(&clients).send().await.expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(challenge(&response).starts_with("Bearer"));

    let (status, created) = json(
        http()
            .post(&clients)
            .bearer_auth(&user_token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["client_id"].as_str().expect("id").to_string();
    let secret = created["client_secret"]
        .as_str()
        .expect("secret")
        .to_string();
    assert_eq!(id.len(), 36);
    assert!(secret.contains('+') && secret.contains('/') && secret.ends_with('='));
    let (status, listed) = json(
        http()
            .get(&clients)
            .bearer_auth(&user_token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed, serde_json::json!([id]));

    // Client credentials: the documented body, trailing comma included.
    let response = http()
        .post(format!("{base}/api/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let text = response.text().await.expect("body");
    assert!(text.starts_with("{\n \"access_token\": \""), "{text}");
    assert!(text.contains("\"token_type\": \"bearer\""), "{text}");
    assert!(text.contains("\"expires_in\": 899"), "{text}");
    assert!(text.ends_with("\",\n}"), "{text}");
    assert!(serde_json::from_str::<Value>(&text).is_err());
    let client_token = text
        .split("\"access_token\": \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("access token in the body")
        .to_string();

    // A client sees only itself and may delete only itself.
    let (_, listed) = json(
        http()
            .get(&clients)
            .bearer_auth(&client_token)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(listed, serde_json::json!([id]));
    let response = http()
        .delete(format!("{clients}?clientId=someone-else"))
        .bearer_auth(&client_token)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // The user deletes it: 204, then 404; the client's token stops working.
    let delete = || {
        http()
            .delete(format!("{clients}?clientId={id}"))
            .bearer_auth(&user_token)
            .send()
    };
    assert_eq!(
        delete().await.expect("send").status(),
        StatusCode::NO_CONTENT
    );
    let response = delete().await.expect("send");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (_, body) = json(response).await;
    assert!(body["error"].is_string());
    let status_url = format!("{base}/api/v7.1/Status");
    let response = http()
        .get(&status_url)
        .bearer_auth(&client_token)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // Logout: the token works, DELETE /api/token → 204, then it does not.
    let status = |token: String| http().get(&status_url).bearer_auth(token).send();
    assert_eq!(
        status(user_token.clone()).await.expect("send").status(),
        StatusCode::OK
    );
    let response = http()
        .delete(format!("{base}/api/token"))
        .bearer_auth(&user_token)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = status(user_token).await.expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(challenge(&response).contains("invalid_token"));
    // The refresh token issued with it is gone too.
    let (_, body) = post_form(
        &format!("{base}/api/token"),
        None,
        &[
            ("grant_type", "refresh_token"),
            (
                "refresh_token",
                login["refresh_token"].as_str().expect("rt"),
            ),
        ],
    )
    .await;
    assert_eq!(body["error"], "invalid_grant");
}

async fn wordapp_password(base: &str, username: &str) -> Value {
    let (status, body) = post_form(
        &format!("{base}/oauth/token"),
        None,
        &[
            ("grant_type", "password"),
            ("username", username),
            ("password", "alice-password"),
            ("client_id", "wordapp-app"),
            ("client_secret", "wordapp-secret"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn wordapp_email_login_api_version_and_replaced_tokens() {
    let server = start_mode(Mode::Wordapp).await;
    let base = server.url();
    let first = wordapp_password(&base, "alice").await;
    assert_eq!(first["expires_in"], 7200);
    let second = wordapp_password(&base, "alice@example.com").await;
    let me = format!("{base}/api/v1/me");
    let call = |token: &Value, version: Option<&str>| {
        let mut request = http().get(&me).bearer_auth(token.as_str().expect("token"));
        if let Some(version) = version {
            request = request.header("X-Api-Version", version);
        }
        request.send()
    };
    // The second token replaced the first.
    let response = call(&first["access_token"], Some("1")).await.expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(challenge(&response).contains("error=\"invalid_token\""));
    let (status, body) = json(
        call(&second["access_token"], Some("1"))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["email"], "alice@example.com");
    let (status, body) = json(call(&second["access_token"], None).await.expect("send")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        serde_json::json!({
            "error": "invalid_request",
            "error_description": "X-Api-Version header is required"
        })
    );
    let response = http()
        .get(format!("{base}/api/v1/projects"))
        .bearer_auth(second["access_token"].as_str().expect("token"))
        .header("X-Api-Version", "1")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn wordapp_revocation_needs_the_header_and_the_field() {
    let server = start_mode(Mode::Wordapp).await;
    let base = server.url();
    let revoke = format!("{base}/oauth/revoke");
    let tokens = wordapp_password(&base, "alice").await;
    let token = tokens["access_token"].as_str().expect("token").to_string();

    let (status, body) = post_form(&revoke, None, &[("token", &token)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
    assert!(
        body["error_description"]
            .as_str()
            .expect("text")
            .contains("Authorization")
    );
    let (status, body) = json(
        http()
            .post(&revoke)
            .basic_auth("wordapp-app", Some("wordapp-secret"))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error_description"]
            .as_str()
            .expect("text")
            .contains("token")
    );
    let response = http()
        .post(&revoke)
        .basic_auth("wordapp-app", Some("wordapp-secret"))
        .form(&[("token", &token)])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let me = |token: String| {
        http()
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(token)
            .header("X-Api-Version", "1")
            .send()
    };
    assert_eq!(
        me(token).await.expect("send").status(),
        StatusCode::UNAUTHORIZED
    );

    // With the access token itself as the Authorization.
    let tokens = wordapp_password(&base, "alice").await;
    let token = tokens["access_token"].as_str().expect("token").to_string();
    let response = http()
        .post(&revoke)
        .bearer_auth(&token)
        .form(&[("token", &token)])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        me(token).await.expect("send").status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn wordapp_pages_code_grant_and_access_denied() {
    let server = start_mode(Mode::Wordapp).await;
    let base = server.url();
    let authorize = format!(
        "{base}/oauth/authorize?response_type=code&client_id=wordapp-app\
         &redirect_uri=https%3A%2F%2Fapp.example.com%2Foauth%2Fcallback&state=w-9"
    );
    let page = http()
        .get(&authorize)
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("page");
    assert!(page.contains("action=\"/oauth/authorize/login\""), "{page}");

    let redirect = browse(&authorize, false).await;
    assert_eq!(param(&redirect, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&redirect, "state").as_deref(), Some("w-9"));
    let description = param(&redirect, "error_description").expect("description");
    assert!(description.contains("refused"), "{description}");

    let redirect = browse(&authorize, true).await;
    let code = param(&redirect, "code").expect("code");
    let (status, body) = post_form(
        &format!("{base}/oauth/token"),
        Some(("wordapp-app", "wordapp-secret")),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://app.example.com/oauth/callback"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["expires_in"], 7200);
}

#[tokio::test]
async fn pingfederate_query_string_basic_only_and_short_lived_tokens() {
    let server = start(DemoConfig {
        token_ttl: Duration::from_secs(2),
        ..DemoConfig::for_mode(Mode::PingFederate)
    })
    .await;
    let base = server.url();
    let callback = "https://app.getpostman.com/oauth2/callback";
    let authorize = format!(
        "{base}/as/authorization.oauth2?response_type=code&state=my-client-state\
         &client_id=wnc-rp-client&scope=WINDCHILL_READ&redirect_uri={}",
        url::form_urlencoded::byte_serialize(callback.as_bytes()).collect::<String>()
    );
    let page = http()
        .get(&authorize)
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("page");
    assert!(page.contains("Sign On"), "{page}");
    let redirect = browse(&authorize, true).await;
    assert!(redirect.starts_with(callback), "{redirect}");
    assert_eq!(
        param(&redirect, "state").as_deref(),
        Some("my-client-state")
    );
    let code = param(&redirect, "code").expect("code");
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", &code)
        .append_pair("redirect_uri", callback)
        .finish();
    let token_url = format!("{base}/as/token.oauth2?{query}");

    // Credentials as parameters are refused, whatever else is right.
    let response = http()
        .post(format!("{token_url}&client_id=wnc-rp-client"))
        .basic_auth("wnc-rp-client", Some("wnc+secret/1="))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(challenge(&response).starts_with("Basic"));
    let (_, body) = json(response).await;
    assert_eq!(body["error"], "invalid_client");
    // A parameter in both the query and the body.
    let response = http()
        .post(&token_url)
        .basic_auth("wnc-rp-client", Some("wnc+secret/1="))
        .form(&[("grant_type", "authorization_code")])
        .send()
        .await
        .expect("send");
    let (status, body) = json(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
    // The secret form-encoded per RFC 6749 §2.3.1 is not what this server compares.
    let encoded =
        base64::engine::general_purpose::STANDARD.encode("wnc-rp-client:wnc%2Bsecret%2F1%3D");
    let response = http()
        .post(&token_url)
        .header("authorization", format!("Basic {encoded}"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (_, body) = json(response).await;
    assert_eq!(body["error"], "invalid_client");

    // Sent raw: tokens, without token_type, and no Cache-Control.
    let response = http()
        .post(&token_url)
        .basic_auth("wnc-rp-client", Some("wnc+secret/1="))
        .send()
        .await
        .expect("send");
    assert!(response.headers().get("cache-control").is_none());
    let (status, body) = json(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(keys(&body), ["access_token", "refresh_token", "expires_in"]);
    assert_eq!(body["expires_in"], 2);
    let access = body["access_token"].as_str().expect("access").to_string();
    let refresh = body["refresh_token"].as_str().expect("refresh").to_string();

    let parts = format!("{base}/Windchill/oauth/servlet/odata/ProdMgmt/Parts");
    let (status, body) = json(
        http()
            .get(&parts)
            .bearer_auth(&access)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["@odata.context"]
            .as_str()
            .expect("context")
            .ends_with("$metadata#Parts")
    );
    assert_eq!(body["value"][0]["ID"], "OR:wt.part.WTPart:1");

    tokio::time::sleep(Duration::from_millis(2200)).await;
    let response = http()
        .get(&parts)
        .bearer_auth(&access)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(challenge(&response).contains("error=\"invalid_token\""));

    // Refresh in the query string: "Bearer", and the same refresh token.
    let response = http()
        .post(format!(
            "{base}/as/token.oauth2?grant_type=refresh_token&refresh_token={refresh}"
        ))
        .basic_auth("wnc-rp-client", Some("wnc+secret/1="))
        .send()
        .await
        .expect("send");
    assert!(response.headers().get("cache-control").is_none());
    let (status, body) = json(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["refresh_token"].as_str(), Some(refresh.as_str()));
    let response = http()
        .get(&parts)
        .bearer_auth(body["access_token"].as_str().expect("access"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn tls_serves_a_self_signed_certificate() {
    let server = start(DemoConfig {
        tls: true,
        ..DemoConfig::for_mode(Mode::Wapi)
    })
    .await;
    let base = server.url();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let strict = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    assert!(strict.get(format!("{base}/")).send().await.is_err());
    let lenient = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let response = lenient.get(format!("{base}/")).send().await.expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    // The scripted person signs in over it too.
    let redirect = browse(
        &format!(
            "{base}/oauth2/authorize?response_type=code&client_id=wapi-client\
             &redirect_uri=https%3A%2F%2Fapp.example.com%2Foauth%2Fcallback"
        ),
        true,
    )
    .await;
    assert!(param(&redirect, "code").is_some(), "{redirect}");
    // A client that connects and never shakes hands holds up no one.
    let _idle = tokio::net::TcpStream::connect(server.addr())
        .await
        .expect("connect");
    let response = lenient.get(format!("{base}/")).send().await.expect("send");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn odd_requests_get_answers_not_panics() {
    for mode in Mode::ALL {
        let server = start_mode(mode).await;
        let base = server.url();
        for path in [
            "/oauth2/token",
            "/api/token",
            "/oauth/token",
            "/oauth/revoke",
            "/as/token.oauth2?grant_type=refresh_token&grant_type=x",
        ] {
            for (content_type, body, auth) in [
                ("text/plain", "\u{0}\u{1}", "Basic !!!"),
                (
                    "application/x-www-form-urlencoded",
                    "%%%&=&grant_type=",
                    "Basic Og==",
                ),
                (
                    "application/x-www-form-urlencoded",
                    "grant_type=refresh_token&refresh_token=%FF",
                    "Bearer",
                ),
            ] {
                let response = http()
                    .post(format!("{base}{path}"))
                    .header("content-type", content_type)
                    .header("authorization", auth)
                    .body(body)
                    .send()
                    .await
                    .expect("send");
                assert!(
                    response.status().is_client_error(),
                    "{mode} {path}: {}",
                    response.status()
                );
            }
        }
    }
}
