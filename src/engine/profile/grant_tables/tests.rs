//! Unit tests of `grant_tables`.

use super::*;

#[test]
fn token_types_suggest_the_registered_urn() {
    assert_eq!(suggest_token_type("access_token"), Some(TOKEN_TYPES[0]));
    assert_eq!(
        suggest_token_type("urn:ietf:params:oauth:token-type:acess_token"),
        Some(TOKEN_TYPES[0])
    );
    assert_eq!(
        suggest_token_type("urn:ietf:params:oauth:token-type:id-token"),
        Some(TOKEN_TYPES[2])
    );
    assert_eq!(suggest_token_type("something else entirely"), None);
}

#[test]
fn a_subject_named_twice_and_a_relative_resource_are_problems() {
    let file = TokenExchangeFile {
        subject_token: Some(Secret::new("t")),
        from: Some("access_token".into()),
        resource: Some(OneOrMany::Many(vec!["api".into()])),
        subject_token_type: Some("access_token".into()),
        ..TokenExchangeFile::default()
    };
    let mut problems = Vec::new();
    token_exchange(&file, &mut problems);
    let keys: Vec<_> = problems.iter().filter_map(|p| p.key.clone()).collect();
    assert_eq!(
        keys,
        [
            "token_exchange.from",
            "token_exchange.subject_token_type",
            "token_exchange.resource"
        ]
    );
    assert!(
        problems[1]
            .message
            .contains("did you mean `urn:ietf:params:oauth:token-type:access_token`")
    );
}

#[test]
fn the_tables_round_trip_and_sharing_leaves_their_secrets_out() {
    use crate::engine::profile::ProfileFile;
    let text = r#"
[token_exchange]
subject_token = "subject-secret"
actor_token = "actor-secret"
audience = ["a", "b"]
resource = "https://api.example/x"

[jwt_bearer]
assertion = "assertion-secret"
sub = "alice"
lifetime = 60

[jwt_bearer.claims]
tenant = "acme"
level = 2
"#;
    let file = ProfileFile::parse(text, std::path::Path::new("t.toml")).expect("parses");
    let again =
        ProfileFile::parse(&file.to_toml(), std::path::Path::new("t.toml")).expect("written back");
    assert_eq!(again, file);
    let table = file.token_exchange.as_ref().expect("table");
    assert_eq!(
        table.audience,
        Some(OneOrMany::Many(vec!["a".into(), "b".into()]))
    );
    let shared = file.without_secrets().to_toml();
    for secret in ["subject-secret", "actor-secret", "assertion-secret"] {
        assert!(!shared.contains(secret), "{shared}");
    }
    assert!(shared.contains("tenant = \"acme\""), "{shared}");
}

#[test]
fn from_sets_the_subject_token_type() {
    let file = TokenExchangeFile {
        from: Some("id_token".into()),
        ..TokenExchangeFile::default()
    };
    let mut problems = Vec::new();
    let settings = token_exchange(&file, &mut problems);
    assert!(problems.is_empty());
    assert_eq!(settings.subject_token_type, TOKEN_TYPES[2]);
    assert_eq!(
        settings.subject,
        Some(TokenSource::Current(CurrentToken::IdToken))
    );
}

#[test]
fn ciba_takes_one_hint_a_known_mode_and_a_loopback_endpoint() {
    let file = CibaFile {
        backchannel_token_delivery_mode: Some("push".into()),
        backchannel_client_notification_endpoint: Some("https://rp.example/cb".into()),
        login_hint: Some("alice".into()),
        id_token_hint: Some(Secret::new("eyJ")),
        ..CibaFile::default()
    };
    let mut problems = Vec::new();
    ciba(&file, &mut problems);
    let keys: Vec<_> = problems.iter().filter_map(|p| p.key.clone()).collect();
    assert_eq!(
        keys,
        [
            "ciba.backchannel_token_delivery_mode",
            "ciba.backchannel_client_notification_endpoint",
            "ciba.login_hint"
        ]
    );
    let good = CibaFile {
        backchannel_token_delivery_mode: Some("ping".into()),
        backchannel_client_notification_endpoint: Some("http://127.0.0.1:9123/ciba/notify".into()),
        login_hint: Some("alice".into()),
        user_code: Some(Secret::new("1234")),
        ..CibaFile::default()
    };
    let mut problems = Vec::new();
    let settings = ciba(&good, &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(settings.mode, DeliveryMode::Ping);
    assert_eq!(settings.hint, Some(LoginHint::LoginHint("alice".into())));
    let shared = good.without_secrets();
    assert_eq!(shared.user_code, None);
    assert_eq!(shared.login_hint.as_deref(), Some("alice"));
}
