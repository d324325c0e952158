//! Token exchange (RFC 8693) and the JWT bearer grant (RFC 7523 §2.1)
//! against the demo provider over real HTTP: the engine, the demo
//! provider's checks and fault switches, and the CLI.

use crate::support;

use std::path::Path;
use std::process::Command;

use oauth_debugger::engine::client::auth::sent_jwts;
use oauth_debugger::engine::client::keys::ClientKey;
use oauth_debugger::engine::grants::{self, CurrentTokens, GrantOptions};
use oauth_debugger::engine::profile::grant_tables::{
    ACCESS_TOKEN_TYPE, JwtBearerFile, OneOrMany, TokenExchangeFile,
};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType};
use oauth_debugger::engine::{EngineError, Profile, ProfileFile, Secret, Stage, TokenSet};
use serde_json::{Value, json};
use support::{client, demo, demo_file, demo_with_faults, profile};

const BIN: &str = env!("CARGO_BIN_EXE_oauth-debugger");

/// The demo provider's token exchange client, with `table` as its
/// `[token_exchange]`.
fn exchange_file(base: &str, table: Option<TokenExchangeFile>) -> ProfileFile {
    ProfileFile {
        client_id: Some("demo-token-exchange".into()),
        client_secret: Some(Secret::new("token-exchange-secret")),
        grant_type: Some(GrantType::TokenExchange),
        scope: None,
        token_exchange: table,
        ..demo_file(
            base,
            GrantType::TokenExchange,
            ClientAuthMethod::ClientSecretBasic,
        )
    }
}

/// An access token for `client` (`demo-client` by the password grant for
/// alice, or a client credentials token whose sub is the client).
async fn token_of(base: &str, client_id: &str, secret: &str, grant: GrantType) -> TokenSet {
    let file = ProfileFile {
        client_id: Some(client_id.into()),
        client_secret: Some(Secret::new(secret)),
        scope: Some("read".into()),
        ..demo_file(base, grant, ClientAuthMethod::ClientSecretBasic)
    };
    let profile = profile(&file);
    grants::run(&profile, &client(&profile), &GrantOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{grant} for {client_id}: {e}"))
}

async fn alice(base: &str) -> Secret {
    token_of(base, "demo-client", "demo-secret", GrantType::Password)
        .await
        .access_token
}

async fn client_token(base: &str, id: &str, secret: &str) -> Secret {
    token_of(base, id, secret, GrantType::ClientCredentials)
        .await
        .access_token
}

fn access_claims(tokens: &TokenSet) -> &Value {
    &tokens
        .jwts
        .iter()
        .find(|j| j.source == "access_token")
        .expect("a JWT access token")
        .claims
}

fn sent_params(
    profile: &Profile,
    http: &oauth_debugger::engine::HttpClient,
) -> Vec<(String, String)> {
    let _ = profile;
    let exchange = http.exchanges().pop().expect("exchange");
    url::form_urlencoded::parse(&exchange.request.body)
        .into_owned()
        .collect()
}

fn has(params: &[(String, String)], name: &str, value: &str) -> bool {
    params.iter().any(|(n, v)| n == name && v == value)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subject_token_alone_is_exchanged_for_an_access_token() {
    let server = demo().await;
    let base = server.url();
    let subject = alice(&base).await;
    let table = TokenExchangeFile {
        audience: Some(OneOrMany::One("demo-api".into())),
        resource: Some(OneOrMany::Many(vec![format!("{base}/api/me")])),
        requested_token_type: Some(ACCESS_TOKEN_TYPE.into()),
        ..TokenExchangeFile::default()
    };
    let profile = profile(&exchange_file(&base, Some(table)));
    let http = client(&profile);
    let options = GrantOptions {
        subject_token: Some(subject.clone()),
        ..GrantOptions::default()
    };
    let tokens = grants::run(&profile, &http, &options)
        .await
        .expect("exchanged");
    assert_eq!(tokens.grant, GrantType::TokenExchange);
    assert_eq!(tokens.issued_token_type.as_deref(), Some(ACCESS_TOKEN_TYPE));
    assert!(tokens.delegation.is_empty(), "{:?}", tokens.delegation);
    assert_eq!(access_claims(&tokens)["sub"], "alice");
    assert_eq!(access_claims(&tokens)["client_id"], "demo-token-exchange");
    assert!(
        !tokens
            .findings
            .iter()
            .any(|f| f.code.starts_with("issued_token_type")),
        "{:?}",
        tokens.findings
    );
    assert_ne!(tokens.access_token, subject, "a new token was issued");

    let params = sent_params(&profile, &http);
    assert_eq!(
        params[0].0, "grant_type",
        "grant_type goes first: {params:?}"
    );
    assert!(has(
        &params,
        "grant_type",
        GrantType::TokenExchange.as_str()
    ));
    assert!(has(&params, "subject_token", subject.expose()));
    assert!(has(&params, "subject_token_type", ACCESS_TOKEN_TYPE));
    assert!(has(&params, "audience", "demo-api"));
    assert!(has(&params, "resource", &format!("{base}/api/me")));
    assert!(
        !params.iter().any(|(n, _)| n.starts_with("actor_token")),
        "no actor_token_type without an actor token (RFC 8693 §2.1): {params:?}"
    );
    // The token set as `token --json` prints it.
    let json: Value =
        serde_json::from_str(&oauth_debugger::cli::token_json(&tokens)).expect("json");
    assert_eq!(json["issued_token_type"], ACCESS_TOKEN_TYPE);
}

#[tokio::test(flavor = "multi_thread")]
async fn from_takes_the_profiles_current_access_token() {
    let server = demo().await;
    let base = server.url();
    let table = TokenExchangeFile {
        from: Some("access_token".into()),
        ..TokenExchangeFile::default()
    };
    let profile = profile(&exchange_file(&base, Some(table)));
    // Without current tokens, the run says what is missing.
    let err = grants::run(&profile, &client(&profile), &GrantOptions::default())
        .await
        .expect_err("no current token");
    let EngineError::Profile(problem) = &err else {
        panic!("expected a profile problem: {err:?}");
    };
    assert_eq!(
        problem.problems[0].key.as_deref(),
        Some("token_exchange.from")
    );
    assert!(err.to_string().contains("--subject-token"), "{err}");

    let current = token_of(
        &base,
        "demo-token-exchange",
        "token-exchange-secret",
        GrantType::Password,
    )
    .await;
    let options = GrantOptions {
        current: CurrentTokens::of(&current),
        ..GrantOptions::default()
    };
    let http = client(&profile);
    let tokens = grants::run(&profile, &http, &options)
        .await
        .expect("exchanged");
    assert_eq!(access_claims(&tokens)["sub"], "alice");
    assert!(has(
        &sent_params(&profile, &http),
        "subject_token",
        current.access_token.expose()
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_actor_token_makes_an_act_claim_and_a_second_exchange_nests_it() {
    let server = demo().await;
    let base = server.url();
    let profile = profile(&exchange_file(&base, None));
    let first_actor = client_token(&base, "demo-client", "demo-secret").await;
    let options = GrantOptions {
        subject_token: Some(alice(&base).await),
        actor_token: Some(first_actor),
        ..GrantOptions::default()
    };
    let http = client(&profile);
    let delegated = grants::run(&profile, &http, &options)
        .await
        .expect("delegated");
    assert!(has(
        &sent_params(&profile, &http),
        "actor_token_type",
        ACCESS_TOKEN_TYPE
    ));
    assert_eq!(access_claims(&delegated)["sub"], "alice");
    assert_eq!(
        access_claims(&delegated)["act"],
        json!({ "sub": "demo-client" })
    );
    assert_eq!(delegated.delegation.len(), 1);
    assert_eq!(delegated.delegation[0]["sub"], "demo-client");
    assert!(!delegated.findings.iter().any(|f| f.code == "act_missing"));

    // The delegated token exchanged again by another actor: the earlier
    // actor becomes a prior actor, nested (RFC 8693 §4.1).
    let options = GrantOptions {
        subject_token: Some(delegated.access_token.clone()),
        actor_token: Some(client_token(&base, "demo-readonly", "readonly-secret").await),
        ..GrantOptions::default()
    };
    let chained = grants::run(&profile, &client(&profile), &options)
        .await
        .expect("chained");
    assert_eq!(
        access_claims(&chained)["act"],
        json!({ "sub": "demo-readonly", "act": { "sub": "demo-client" } })
    );
    let chain: Vec<&str> = chained
        .delegation
        .iter()
        .filter_map(|actor| actor["sub"].as_str())
        .collect();
    assert_eq!(chain, ["demo-readonly", "demo-client"]);
    let json: Value =
        serde_json::from_str(&oauth_debugger::cli::token_json(&chained)).expect("json");
    assert_eq!(json["delegation"][1]["sub"], "demo-client");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_actor_is_explained_with_rfc_8693() {
    let server = demo_with_faults(&["token-exchange-refuse-actor"], false).await;
    let base = server.url();
    let profile = profile(&exchange_file(&base, None));
    let options = GrantOptions {
        subject_token: Some(alice(&base).await),
        actor_token: Some(client_token(&base, "demo-client", "demo-secret").await),
        ..GrantOptions::default()
    };
    let err = grants::run(&profile, &client(&profile), &options)
        .await
        .expect_err("refused");
    let EngineError::OAuth { error, .. } = &err else {
        panic!("expected an OAuth error: {err:?}");
    };
    assert_eq!(error.error, "invalid_request");
    let stage = Stage::of_grant_error(GrantType::TokenExchange, &err);
    let explanation = err.explanation(stage).expect("explained");
    assert_eq!(explanation.reference.as_deref(), Some("RFC 8693 §2.2.2"));
    assert!(
        explanation
            .likely_causes
            .iter()
            .any(|c| c.contains("actor tokens (delegation)")),
        "{explanation:?}"
    );

    // Without the actor the same exchange goes through.
    let options = GrantOptions {
        actor_token: None,
        ..options
    };
    grants::run(&profile, &client(&profile), &options)
        .await
        .expect("no actor, no refusal");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_audience_is_invalid_target() {
    let server = demo().await;
    let base = server.url();
    let table = TokenExchangeFile {
        audience: Some(OneOrMany::Many(vec!["demo-api".into(), "payroll".into()])),
        ..TokenExchangeFile::default()
    };
    let profile = profile(&exchange_file(&base, Some(table)));
    let options = GrantOptions {
        subject_token: Some(alice(&base).await),
        ..GrantOptions::default()
    };
    let err = grants::run(&profile, &client(&profile), &options)
        .await
        .expect_err("refused");
    let EngineError::OAuth { error, .. } = &err else {
        panic!("expected an OAuth error: {err:?}");
    };
    assert_eq!(error.error, "invalid_target");
    assert!(
        error
            .error_description
            .as_deref()
            .is_some_and(|d| d.contains("payroll")),
        "{error:?}"
    );
    let explanation = err
        .explanation(Stage::of_grant_error(GrantType::TokenExchange, &err))
        .expect("explained");
    assert_eq!(explanation.reference.as_deref(), Some("RFC 8693 §2.2.2"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subject_token_the_server_never_issued_is_refused() {
    let server = demo().await;
    let base = server.url();
    let profile = profile(&exchange_file(&base, None));
    let options = GrantOptions {
        subject_token: Some(Secret::new("not-a-token")),
        ..GrantOptions::default()
    };
    let err = grants::run(&profile, &client(&profile), &options)
        .await
        .expect_err("refused");
    let EngineError::OAuth { error, .. } = &err else {
        panic!("expected an OAuth error: {err:?}");
    };
    assert_eq!(error.error, "invalid_request");
    assert!(
        error
            .error_description
            .as_deref()
            .is_some_and(|d| d.contains("subject_token")),
        "{error:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_issued_token_type_is_a_finding() {
    let server = demo_with_faults(&["token-exchange-no-issued-type"], false).await;
    let base = server.url();
    let profile = profile(&exchange_file(&base, None));
    let options = GrantOptions {
        subject_token: Some(alice(&base).await),
        ..GrantOptions::default()
    };
    let tokens = grants::run(&profile, &client(&profile), &options)
        .await
        .expect("the token is still shown");
    assert_eq!(tokens.issued_token_type, None);
    let finding = tokens
        .findings
        .iter()
        .find(|f| f.code == "issued_token_type_missing")
        .expect("finding");
    assert_eq!(finding.reference.as_deref(), Some("RFC 8693 §2.2.1"));
}

#[test]
fn a_misspelt_token_type_is_refused_with_a_suggestion() {
    let text = "client_id = \"c\"\ntoken_endpoint = \"http://127.0.0.1:1/token\"\ngrant_type = \"token-exchange\"\n\n[token_exchange]\nsubject_token_env = \"T\"\nsubject_token_type = \"urn:ietf:params:oauth:token-type:acces_token\"\n";
    let err = Profile::parse(text, Path::new("tx.toml")).expect_err("refused");
    let message = err.to_string();
    assert!(message.contains("tx.toml:7"), "{message}");
    assert!(
        message.contains("did you mean `urn:ietf:params:oauth:token-type:access_token`"),
        "{message}"
    );
    let profile = Profile::parse(
        &text.replace("acces_token", "access_token"),
        Path::new("tx.toml"),
    )
    .expect("valid");
    assert_eq!(profile.grant, Some(GrantType::TokenExchange));
}

// ---------------------------------------------------------------------------
// JWT bearer.

const DEMO_KEY: &str = "assets/demo-keys/demo-jwt-es256.pem";

fn key_path() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(DEMO_KEY)
        .display()
        .to_string()
}

/// The JWT bearer preset, pointed at `base`, its key path absolute.
fn bearer_file(base: &str) -> ProfileFile {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/presets/demo-jwt-bearer.toml"),
    )
    .expect("preset")
    .replace("http://127.0.0.1:7878", base)
    .replace(DEMO_KEY, &key_path());
    ProfileFile::parse(&text, Path::new("demo-jwt-bearer.toml")).expect("preset parses")
}

/// An assertion signed with the demo client's key, with `claims`.
fn signed(claims: Value) -> String {
    let key = ClientKey::load(Path::new(&key_path()))
        .expect("key")
        .with_kid("demo-jwt-1");
    key.sign(key.default_alg(), serde_json::Map::new(), &claims)
        .expect("signed")
}

fn assertion_claims(base: &str, exp_offset: i64, aud: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": "demo-jwt-bearer",
        "sub": "bob",
        "aud": aud.replace("BASE", base),
        "iat": now,
        "exp": now + exp_offset,
        "jti": format!("test-{}", rand_suffix()),
    })
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_built_assertion_is_traded_for_a_token_and_shown_decoded() {
    let server = demo().await;
    let base = server.url();
    let profile = profile(&bearer_file(&base));
    let http = client(&profile);
    let tokens = grants::run(&profile, &http, &GrantOptions::default())
        .await
        .expect("token");
    assert_eq!(tokens.grant, GrantType::JwtBearer);
    assert_eq!(access_claims(&tokens)["sub"], "alice");
    assert!(
        tokens
            .findings
            .iter()
            .all(|f| f.code != "jwt_bearer_sub_differs")
    );

    let exchange = http.exchanges().pop().expect("exchange");
    let sent = sent_jwts(&exchange.request);
    let assertion = sent
        .iter()
        .find(|j| j.label.starts_with("Authorization grant assertion"))
        .expect("the assertion, decoded");
    let claims = &assertion.decoded.claims;
    assert_eq!(
        claims["iss"], "demo-jwt-bearer",
        "iss defaults to client_id"
    );
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["aud"], base.as_str(), "aud defaults to the issuer");
    assert_eq!(
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
        300
    );
    assert!(claims["jti"].is_string());
    assert_eq!(assertion.decoded.header["alg"], "ES256");
    assert_eq!(assertion.decoded.header["kid"], "demo-jwt-1");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_or_misaddressed_assertion_is_refused_clearly() {
    let server = demo().await;
    let base = server.url();
    let profile = profile(&bearer_file(&base));
    let refused = |assertion: String| {
        let profile = profile.clone();
        async move {
            let options = GrantOptions {
                assertion: Some(Secret::new(assertion)),
                ..GrantOptions::default()
            };
            let err = grants::run(&profile, &client(&profile), &options)
                .await
                .expect_err("refused");
            let EngineError::OAuth { error, .. } = &err else {
                panic!("expected an OAuth error: {err:?}");
            };
            assert_eq!(error.error, "invalid_grant");
            let explanation = err
                .explanation(Stage::of_grant_error(GrantType::JwtBearer, &err))
                .expect("explained");
            assert_eq!(explanation.reference.as_deref(), Some("RFC 7523 §3.1"));
            error.error_description.clone().unwrap_or_default()
        }
    };
    let expired = refused(signed(assertion_claims(&base, -600, "BASE"))).await;
    assert!(expired.contains("expired"), "{expired}");
    let elsewhere = refused(signed(assertion_claims(
        &base,
        300,
        "https://elsewhere.example",
    )))
    .await;
    assert!(
        elsewhere.contains("aud is https://elsewhere.example"),
        "{elsewhere}"
    );

    // The same assertion twice: the second is a replay.
    let once = signed(assertion_claims(&base, 300, "BASE/token"));
    let options = GrantOptions {
        assertion: Some(Secret::new(once.clone())),
        ..GrantOptions::default()
    };
    let tokens = grants::run(&profile, &client(&profile), &options)
        .await
        .expect("first use");
    assert_eq!(access_claims(&tokens)["sub"], "bob");
    let replay = refused(once).await;
    assert!(replay.contains("already used"), "{replay}");

    // Built with a wrong aud from the table.
    let file = ProfileFile {
        jwt_bearer: Some(JwtBearerFile {
            sub: Some("alice".into()),
            aud: Some("https://elsewhere.example".into()),
            ..JwtBearerFile::default()
        }),
        ..bearer_file(&base)
    };
    let profile = support::profile(&file);
    let err = grants::run(&profile, &client(&profile), &GrantOptions::default())
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("must name this server"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_for_another_principal_is_a_finding() {
    let server = demo_with_faults(&["jwt-bearer-wrong-sub"], false).await;
    let base = server.url();
    let profile = profile(&bearer_file(&base));
    let tokens = grants::run(&profile, &client(&profile), &GrantOptions::default())
        .await
        .expect("token");
    let finding = tokens
        .findings
        .iter()
        .find(|f| f.code == "jwt_bearer_sub_differs")
        .expect("finding");
    assert!(finding.message.contains("'alice'"), "{}", finding.message);
    assert_eq!(finding.reference.as_deref(), Some("RFC 7523 §3"));
}

// ---------------------------------------------------------------------------
// The CLI.

async fn cli(args: Vec<String>, envs: Vec<(String, String)>) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(BIN);
        command
            .args(&args)
            .env_remove("OAUTH_DEBUGGER_SUBJECT_TOKEN")
            .env_remove("OAUTH_DEBUGGER_ACTOR_TOKEN")
            .env_remove("OAUTH_DEBUGGER_ASSERTION");
        for (k, v) in envs {
            command.env(k, v);
        }
        command.output().expect("runs")
    })
    .await
    .expect("joined")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_exchanges_tokens_and_reads_an_assertion_from_the_environment() {
    let server = demo().await;
    let base = server.url();
    let dir = tempfile::tempdir().expect("dir");
    let preset = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/presets/demo-token-exchange.toml"),
    )
    .expect("preset")
    .replace("http://127.0.0.1:7878", &base);
    let path = dir.path().join("tx.toml");
    std::fs::write(&path, preset).expect("write");
    let path = path.display().to_string();

    // `from` with no current tokens: said, and how to give one.
    let out = cli(
        vec!["token".into(), "--profile".into(), path.clone()],
        vec![],
    )
    .await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--subject-token"), "{stderr}");

    // A token value that starts with '-' is still a value.
    let subject = alice(&base).await;
    let actor = client_token(&base, "demo-client", "demo-secret").await;
    let out = cli(
        vec![
            "token".into(),
            "--profile".into(),
            path.clone(),
            "--grant".into(),
            "token-exchange".into(),
            "--subject-token".into(),
            subject.expose().to_string(),
            "--actor-token".into(),
            actor.expose().to_string(),
            "--json".into(),
        ],
        vec![],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["issued_token_type"], ACCESS_TOKEN_TYPE);
    assert_eq!(json["delegation"][0]["sub"], "demo-client");
    let out = cli(
        vec![
            "token".into(),
            "--profile".into(),
            path,
            "--subject-token".into(),
            "-not-a-token".into(),
        ],
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "refused by the server");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("invalid_request"), "{stderr}");

    // JWT bearer with the assertion in an environment variable.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/presets/demo-jwt-bearer.toml"),
    )
    .expect("preset")
    .replace("http://127.0.0.1:7878", &base)
    .replace(
        "[jwt_bearer]\n",
        "[jwt_bearer]\nassertion_env = \"TX_TEST_ASSERTION\"\n",
    );
    let path = dir.path().join("bearer.toml");
    std::fs::write(&path, text).expect("write");
    let assertion = signed(assertion_claims(&base, 300, "BASE"));
    let out = cli(
        vec![
            "token".into(),
            "--profile".into(),
            path.display().to_string(),
            "--json".into(),
        ],
        vec![("TX_TEST_ASSERTION".into(), assertion)],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["grant"], GrantType::JwtBearer.as_str());
    let access = json["jwts"]
        .as_array()
        .and_then(|jwts| jwts.iter().find(|j| j["source"] == "access_token"))
        .expect("decoded access token");
    assert_eq!(access["claims"]["sub"], "bob", "the env assertion's sub");
}
