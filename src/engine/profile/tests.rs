//! The profile's unit tests.

use std::path::Path;
use std::time::Duration;

use super::*;
use crate::engine::store::secret::Secret;

fn parse(source: &str) -> Result<Profile, ProfileError> {
    Profile::parse(source, Path::new("test.toml"))
}

#[test]
fn a_full_profile_parses_into_typed_values() {
    let profile = parse(
        r#"
name = "Full"
token_endpoint = "https://as.example/token"
client_id = "abc"
client_secret = "s3cret"
token_endpoint_auth_method = "client_secret_post"
grant_type = "client_credentials"
scope = "read  write"

[token_params]
audience = "api"

[api]
url = "https://api.example/me"
method = "post"
token_placement = "query"
query_param = "oauth_token"

[api.headers]
X-Api-Version = "2"

[http]
timeout_secs = 5
"#,
    )
    .expect("valid profile");
    assert_eq!(profile.name, "Full");
    assert_eq!(profile.auth_method, ClientAuthMethod::ClientSecretPost);
    assert_eq!(profile.grant, Some(GrantType::ClientCredentials));
    assert_eq!(profile.scopes, vec!["read", "write"]);
    assert_eq!(
        profile.token_params,
        vec![("audience".into(), "api".into())]
    );
    let api = profile.api.expect("api");
    assert_eq!(api.method, http::Method::POST);
    assert_eq!(
        api.placement,
        TokenPlacement::Query {
            param: "oauth_token".into()
        }
    );
    assert_eq!(profile.http.timeout, Duration::from_secs(5));
    assert_eq!(profile.clock_skew, Duration::from_secs(60));
}

#[test]
fn clock_skew_is_bounded() {
    let profile = parse("clock_skew_secs = 5\n").expect("valid");
    assert_eq!(profile.clock_skew, Duration::from_secs(5));
    let err = parse("clock_skew_secs = 86400\n").expect_err("too large");
    assert_eq!(err.problems[0].key.as_deref(), Some("clock_skew_secs"));
    assert_eq!(err.problems[0].line, Some(1));
}

#[test]
fn an_unknown_key_names_file_line_and_key() {
    let err = parse("client_id = \"a\"\n\nclient_sercet = \"x\"\n").expect_err("unknown key");
    let text = err.to_string();
    assert!(text.starts_with("test.toml:3: client_sercet: "), "{text}");
    assert!(text.contains("unknown field"), "{text}");
}

#[test]
fn a_wrong_value_names_file_line_and_key() {
    let err = parse("client_id = \"a\"\ngrant_type = \"magic\"\n").expect_err("bad grant");
    let text = err.to_string();
    assert!(text.starts_with("test.toml:2"), "{text}");
    assert!(text.contains("magic"), "{text}");

    let err = parse("[api]\nmethod = \"GET\"\nurl = \"ftp://x\"\n").expect_err("bad url");
    assert_eq!(err.problems[0].key.as_deref(), Some("api.url"));
    assert_eq!(err.problems[0].line, Some(3));
}

#[test]
fn a_newer_schema_version_is_refused_by_name() {
    assert!(parse("schema_version = 1\nclient_id = \"a\"\n").is_ok());
    assert!(parse("schema_version = 2\nclient_id = \"a\"\n").is_ok());
    let err = parse("schema_version = 3\nclient_id = \"a\"\n").expect_err("newer");
    assert_eq!(err.problems[0].key.as_deref(), Some("schema_version"));
    assert_eq!(err.problems[0].line, Some(1));
}

#[test]
fn secrets_cannot_be_given_twice() {
    let err = parse("client_secret = \"a\"\nclient_secret_env = \"B\"\n").expect_err("twice");
    assert_eq!(err.problems[0].key.as_deref(), Some("client_secret"));
    let err =
        parse("password_keychain = \"p/password\"\npassword_env = \"B\"\n").expect_err("twice");
    assert_eq!(err.problems[0].key.as_deref(), Some("password"));
    assert_eq!(
        err.problems[0].message,
        "set either password_keychain or password_env, not both"
    );
    // The value the store read from the keychain, with its reference,
    // is one secret, not two.
    let profile =
        parse("client_secret = \"from-keychain\"\nclient_secret_keychain = \"p/client_secret\"\n")
            .expect("one secret");
    assert!(matches!(
        profile.client_secret,
        Some(SecretSource::Inline(_))
    ));
}

#[test]
fn a_keychain_secret_that_was_not_read_is_one_problem_on_its_key() {
    let err = parse("client_secret_keychain = \"p/client_secret\"\ntoken_endpoint_auth_method = \"client_secret_post\"\n")
        .expect_err("no value");
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_eq!(
        err.problems[0].key.as_deref(),
        Some("client_secret_keychain")
    );
    assert_eq!(err.problems[0].line, Some(1));
}

#[test]
fn the_auth_method_defaults_from_the_secret() {
    let public = parse("client_id = \"a\"\n").expect("public");
    assert_eq!(public.auth_method, ClientAuthMethod::None);
    let confidential = parse("client_id = \"a\"\nclient_secret = \"b\"\n").expect("secret");
    assert_eq!(
        confidential.auth_method,
        ClientAuthMethod::ClientSecretBasic
    );
    let err =
        parse("token_endpoint_auth_method = \"client_secret_basic\"\n").expect_err("no secret");
    assert!(err.message_for("token_endpoint_auth_method").is_some());
}

#[test]
fn a_profile_survives_a_round_trip_through_toml() {
    let mut file = ProfileFile {
        name: Some("Round trip".into()),
        token_endpoint: Some("http://127.0.0.1:1/token".into()),
        client_secret: Some(Secret::new("x")),
        grant_type: Some(GrantType::DeviceCode),
        api: Some(ApiFile {
            url: Some("http://127.0.0.1:1/api".into()),
            ..ApiFile::default()
        }),
        ..ProfileFile::default()
    };
    file.token_params.insert("a".into(), "b".into());
    let text = file.to_toml();
    let back = ProfileFile::parse(&text, Path::new("x.toml")).expect("parses back");
    assert_eq!(back, file);
}

#[test]
fn env_secrets_resolve_or_name_the_variable() {
    let source = SecretSource::Env("OAUTH_DEBUGGER_TEST_UNSET_VARIABLE".into());
    let err = source.resolve("client_secret").expect_err("unset");
    assert!(
        err.to_string()
            .contains("OAUTH_DEBUGGER_TEST_UNSET_VARIABLE")
    );
}
