//! Rich authorization requests (RFC 9396) against the demo provider:
//! `authorization_details` on the authorization request (plain, pushed,
//! in a request object) and on the client credentials token request; what
//! the server granted compared with what was asked; each `rar-*` switch
//! caught by the check it defeats; the profile's value refused in the
//! profile's words; `invalid_authorization_details` explained.

use crate::support;

use std::path::Path;

use serde_json::{Value, json};

use oauth_debugger::demo::user_agent::Person;
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType};
use oauth_debugger::engine::wire::http::{ExchangeKind, HttpClient};
use oauth_debugger::engine::{EngineError, Profile, ProfileFile, Secret, Stage, TokenSet, explain};

fn asked() -> Value {
    json!([
        {
            "type": "payment_initiation",
            "actions": ["initiate", "status"],
            "locations": ["https://example.com/payments"],
            "instructedAmount": {"currency": "EUR", "amount": "123.50"}
        },
        {
            "type": "account_information",
            "actions": ["list_accounts"]
        }
    ])
}

fn codes(tokens: &TokenSet) -> Vec<&str> {
    tokens.findings.iter().map(|f| f.code.as_str()).collect()
}

fn finding<'a>(tokens: &'a TokenSet, code: &str) -> &'a oauth_debugger::engine::Finding {
    tokens
        .findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", tokens.findings))
}

/// The client credentials profile, asking for `details` (TOML tables: a
/// JSON array read as TOML would read them).
fn cc_file(base: &str, details: Value) -> ProfileFile {
    ProfileFile {
        authorization_details: Some(details),
        ..support::demo_file(
            base,
            GrantType::ClientCredentials,
            ClientAuthMethod::ClientSecretBasic,
        )
    }
}

fn sent_bodies(http: &HttpClient) -> Vec<String> {
    http.exchanges()
        .iter()
        .map(|e| String::from_utf8_lossy(&e.request.body).into_owned())
        .collect()
}

/// The `authorization_details` a form body or a query carried, as JSON.
fn carried(form: &str) -> Option<Value> {
    url::form_urlencoded::parse(form.as_bytes())
        .find(|(name, _)| name == "authorization_details")
        .and_then(|(_, value)| serde_json::from_str(&value).ok())
}

async fn cc_run(base: &str, details: Value) -> (Result<TokenSet, EngineError>, HttpClient) {
    let profile = support::profile(&cc_file(base, details));
    let http = support::client(&profile);
    let result = grants::run(&profile, &http, &GrantOptions::default()).await;
    (result, http)
}

#[tokio::test(flavor = "multi_thread")]
async fn client_credentials_sends_them_and_the_grant_is_as_asked() {
    let server = support::demo().await;
    let (result, http) = cc_run(&server.url(), asked()).await;
    let tokens = result.expect("tokens");
    assert_eq!(
        carried(&sent_bodies(&http)[0]),
        Some(asked()),
        "the token request carries them as JSON (RFC 9396 §6)"
    );
    let pair = tokens
        .authorization_details
        .as_ref()
        .expect("asked/granted");
    assert_eq!(pair.asked, Some(asked()));
    assert_eq!(pair.granted, Some(asked()), "the demo saw and granted them");
    assert!(
        finding(&tokens, "authorization_details_as_asked")
            .message
            .contains("payment_initiation, account_information")
    );
    // §9.1: the access token carries them too.
    assert_eq!(tokens.jwts[0].claims["authorization_details"], asked());

    // §9.2: so does introspection.
    let profile = support::profile(&ProfileFile {
        introspection_endpoint: Some(format!("{}/introspect", server.url())),
        ..cc_file(&server.url(), asked())
    });
    let introspected = oauth_debugger::engine::endpoints::introspection::introspect(
        &profile,
        &support::client(&profile),
        &Secret::new(tokens.access_token.expose()),
        None,
    )
    .await
    .expect("introspected");
    let body: Value = serde_json::from_slice(
        &introspected
            .exchange
            .response
            .as_ref()
            .expect("response")
            .body,
    )
    .expect("json");
    assert_eq!(body["authorization_details"], asked());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_authorization_request_carries_them_and_the_code_and_refresh_keep_them() {
    let server = support::demo().await;
    let file = ProfileFile {
        authorization_details: Some(json!(asked().to_string())),
        ..support::browser_file(
            &server.url(),
            GrantType::AuthorizationCode,
            ClientAuthMethod::ClientSecretBasic,
        )
    };
    let profile: Profile = support::profile(&file);
    let http = support::client(&profile);
    let (options, seen) = support::played_by(Person::default());
    let tokens = grants::run(&profile, &http, &options)
        .await
        .expect("tokens");
    let url = seen.lock().expect("lock")[0].url.clone();
    assert_eq!(
        carried(url.query().unwrap_or_default()),
        Some(asked()),
        "{url}"
    );
    let exchange = sent_bodies(&http)
        .into_iter()
        .find(|b| b.contains("grant_type=authorization_code"))
        .expect("the code exchange");
    assert_eq!(carried(&exchange), None, "the code stands for them already");
    assert!(
        codes(&tokens).contains(&"authorization_details_as_asked"),
        "{:?}",
        tokens.findings
    );

    // A refresh is issued what the refresh token stands for (§6).
    let refresh = GrantOptions {
        grant: Some(GrantType::RefreshToken),
        refresh_token: tokens
            .refresh_token
            .clone()
            .map(|t| Secret::new(t.expose())),
        ..GrantOptions::default()
    };
    let refreshed = grants::run(&profile, &support::client(&profile), &refresh)
        .await
        .expect("refreshed");
    assert_eq!(
        refreshed
            .authorization_details
            .as_ref()
            .and_then(|d| d.granted.clone()),
        Some(asked())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pushed_request_object_carries_them_as_a_json_array_claim() {
    let server = support::demo().await;
    let base = server.url();
    let key = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-keys/demo-jwt-es256.pem");
    let file = ProfileFile {
        client_id: Some("demo-jwt".into()),
        client_secret: None,
        token_endpoint_auth_method: Some(ClientAuthMethod::PrivateKeyJwt),
        signing_key_file: Some(key.display().to_string()),
        signing_key_kid: Some("demo-jwt-1".into()),
        request_object_signing_alg: Some("ES256".into()),
        require_pushed_authorization_requests: Some(true),
        pushed_authorization_request_endpoint: Some(format!("{base}/par")),
        authorization_details: Some(asked()),
        ..support::browser_file(
            &base,
            GrantType::AuthorizationCode,
            ClientAuthMethod::PrivateKeyJwt,
        )
    };
    let profile = support::profile(&file);
    let http = support::client(&profile);
    let (options, _) = support::played_by(Person::default());
    let tokens = grants::run(&profile, &http, &options)
        .await
        .expect("tokens");
    let pushed = http
        .exchanges()
        .into_iter()
        .find(|e| e.kind == ExchangeKind::Par)
        .expect("the PAR exchange");
    let body = String::from_utf8_lossy(&pushed.request.body).into_owned();
    let object = url::form_urlencoded::parse(body.as_bytes())
        .find(|(n, _)| n == "request")
        .map(|(_, v)| v.into_owned())
        .expect("a request object was pushed");
    let claims = oauth_debugger::engine::jwt::decode("request", &object)
        .expect("decodes")
        .claims;
    assert_eq!(
        claims["authorization_details"],
        asked(),
        "a JSON array claim, not a string (RFC 9396 §3)"
    );
    assert_eq!(
        tokens
            .authorization_details
            .as_ref()
            .and_then(|d| d.granted.clone()),
        Some(asked()),
        "the demo read them from the pushed request object"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_grants_more_is_caught() {
    let server = support::demo_with_faults(&["rar-widen"], false).await;
    let (result, _) = cc_run(&server.url(), json!([{"type": "payment_initiation"}])).await;
    let tokens = result.expect("tokens");
    let widened = finding(&tokens, "authorization_details_widened");
    assert!(
        widened
            .message
            .contains("type account_information was not asked for"),
        "{}",
        widened.message
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_does_not_say_what_it_granted_is_caught() {
    let server = support::demo_with_faults(&["rar-drop"], false).await;
    let (result, _) = cc_run(&server.url(), asked()).await;
    let tokens = result.expect("tokens");
    assert!(
        finding(&tokens, "authorization_details_missing")
            .message
            .contains("MUST")
    );
    let pair = tokens.authorization_details.expect("asked is kept");
    assert_eq!(pair.granted, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_type_is_refused_and_explained_unless_the_server_ignores_types() {
    use oauth_debugger::engine::endpoints::discovery;
    let unknown = json!([{"type": "crypto_mining", "actions": ["mine"]}]);

    let server = support::demo().await;
    let (result, _) = cc_run(&server.url(), unknown.clone()).await;
    let Err(EngineError::OAuth { error, .. }) = result else {
        panic!("refused with an OAuth error: {result:?}");
    };
    assert_eq!(error.error, "invalid_authorization_details");
    assert!(
        error
            .error_description
            .as_deref()
            .is_some_and(|d| d.contains("crypto_mining")),
        "{error}"
    );
    let explained = explain(
        &error.error,
        Stage::TokenRequest(GrantType::ClientCredentials),
    );
    assert_eq!(explained.reference.as_deref(), Some("RFC 9396 §6"));
    assert!(
        explained
            .likely_causes
            .iter()
            .any(|c| c.contains("authorization_details_types_supported")),
        "{explained:?}"
    );
    let at_authorization = explain(&error.error, Stage::Authorization);
    assert_eq!(at_authorization.reference.as_deref(), Some("RFC 9396 §5"));

    // The lenient server takes it; the client's own check against the
    // metadata still says the type is not listed (§10).
    let lenient = support::demo_with_faults(&["rar-ignore-types"], false).await;
    let (result, _) = cc_run(&lenient.url(), unknown.clone()).await;
    let tokens = result.expect("accepted");
    assert!(codes(&tokens).contains(&"authorization_details_as_asked"));
    let found = discovery::discover(
        &support::client(&support::profile(&cc_file(&lenient.url(), unknown.clone()))),
        &lenient.url(),
    )
    .await
    .expect("discovered");
    assert_eq!(
        found.metadata.authorization_details_types_supported,
        Some(vec![
            "payment_initiation".to_string(),
            "account_information".to_string(),
            "openid_credential".to_string()
        ])
    );
    let checked = discovery::check_profile(&cc_file(&lenient.url(), unknown), &found.metadata);
    let not_listed = checked
        .iter()
        .find(|f| f.code == "authorization_details_type_not_listed")
        .expect("the type is not listed");
    assert!(not_listed.message.contains("crypto_mining"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_authorization_endpoint_refuses_malformed_details_on_the_redirect() {
    let server = support::demo().await;
    let file = ProfileFile {
        authorize_params: [(
            "authorization_details".to_string(),
            r#"[{"type":"account_information","actions":"read"}]"#.to_string(),
        )]
        .into(),
        ..support::browser_file(
            &server.url(),
            GrantType::AuthorizationCode,
            ClientAuthMethod::ClientSecretBasic,
        )
    };
    let profile = support::profile(&file);
    let (options, _) = support::played_by(Person::default());
    let err = grants::run(&profile, &support::client(&profile), &options)
        .await
        .expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("invalid_authorization_details"), "{text}");
}

#[test]
fn a_malformed_profile_value_is_refused_in_the_profiles_words() {
    let base = "http://127.0.0.1:1";
    for (value, expected) in [
        (
            json!({"type": "x"}),
            "write each entry as [[authorization_details]]",
        ),
        (json!(r#"{"type": "x"}"#), "wrap the object in [ ]"),
        (json!("[{\"type\": }]"), "is not valid JSON"),
        (json!([{"actions": ["read"]}]), "entry 1 has no type"),
        (
            json!([{"type": "a", "locations": "https://x"}]),
            "locations must be an array of strings",
        ),
        (json!([]), "empty array"),
    ] {
        let err = Profile::from_file(&cc_file(base, value.clone()), "test").expect_err("refused");
        assert_eq!(
            err.problems[0].key.as_deref(),
            Some("authorization_details"),
            "{err}"
        );
        let message = err.message_for("authorization_details").unwrap_or_default();
        assert!(message.contains(expected), "{value}: {message}");
        assert!(message.contains("RFC 9396"), "{message}");
    }
    // A TOML file: tables, and a JSON string, both read.
    let tables = r#"
token_endpoint = "http://127.0.0.1:1/token"
client_id = "c"
grant_type = "client_credentials"

[[authorization_details]]
type = "account_information"
actions = ["list_accounts"]
"#;
    let profile = Profile::parse(tables, Path::new("t.toml")).expect("tables");
    assert_eq!(
        profile.authorization_details.map(|d| d.types().join(",")),
        Some("account_information".to_string())
    );
    let broken = "token_endpoint = \"http://127.0.0.1:1/token\"\nauthorization_details = '[{\"type\": 1}]'\n";
    let err = Profile::parse(broken, Path::new("b.toml")).expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("authorization_details") && text.contains("type is a number"),
        "{text}"
    );
}

#[test]
fn the_cli_overrides_them_and_prints_asked_and_granted() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(support::demo());
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/presets/demo-rar.toml"),
    )
    .expect("preset")
    .replace("http://127.0.0.1:7878", &server.url());
    let path = dir.path().join("rar.toml");
    std::fs::write(&path, text).expect("write");
    let bin = env!("CARGO_BIN_EXE_oauth-debugger");
    let run = |extra: &[&str]| {
        std::process::Command::new(bin)
            .args(["token", "--profile", path.to_str().expect("path"), "--json"])
            .args(extra)
            .output()
            .expect("runs")
    };
    let out = run(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let pair = &json["authorization_details"];
    assert_eq!(pair["asked"], pair["granted"], "{json}");
    assert_eq!(pair["asked"][0]["type"], "payment_initiation");

    let override_value =
        r#"[{"type":"openid_credential","credential_configuration_id":"UniversityDegree"}]"#;
    let out = run(&["--authorization-details", override_value]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        json["authorization_details"]["granted"],
        serde_json::from_str::<Value>(override_value).expect("json")
    );

    let out = run(&["--authorization-details", r#"{"type":"x"}"#]);
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("wrap the object in [ ]"), "{stderr}");
    drop(runtime);
}

/// Step by step: the request shown before it goes carries the details, and
/// what it asked — as edited — is what the grant is compared with.
#[tokio::test(flavor = "multi_thread")]
async fn a_stepped_request_is_compared_with_what_it_asked_as_edited() {
    use oauth_debugger::engine::grants::step;
    let server = support::demo().await;
    let profile = support::profile(&cc_file(&server.url(), asked()));
    let http = support::client(&profile);
    let mut prepared = step::prepare(&profile, &http, &GrantOptions::default())
        .await
        .expect("prepared");
    let (_, sent) = prepared
        .params
        .iter()
        .find(|(name, _)| name == "authorization_details")
        .expect("the request shown carries them");
    assert_eq!(serde_json::from_str::<Value>(sent).ok(), Some(asked()));
    // The person narrows the request before sending it.
    let narrowed = json!([{"type": "account_information", "actions": ["list_accounts"]}]);
    for (name, value) in &mut prepared.params {
        if name == "authorization_details" {
            *value = narrowed.to_string();
        }
    }
    let tokens = step::send(&http, &prepared).await.expect("tokens");
    let pair = tokens
        .authorization_details
        .as_ref()
        .expect("asked/granted");
    assert_eq!(pair.asked, Some(narrowed.clone()));
    assert_eq!(pair.granted, Some(narrowed));
    assert!(
        codes(&tokens).contains(&"authorization_details_as_asked"),
        "{:?}",
        tokens.findings
    );
}
