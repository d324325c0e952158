//! Unit tests of `explain`.

use super::*;
use crate::engine::wire::callback::CallbackError;

fn mentions(list: &[String], needle: &str) -> bool {
    list.iter().any(|line| line.contains(needle))
}

#[test]
fn invalid_grant_at_the_code_exchange_names_redirect_uri_and_pkce() {
    let e = explain(
        "invalid_grant",
        Stage::TokenRequest(GrantType::AuthorizationCode),
    );
    assert!(mentions(&e.likely_causes, "redirect_uri"), "{e:?}");
    assert!(mentions(&e.likely_causes, "PKCE"), "{e:?}");
    assert!(mentions(&e.likely_causes, "already used"), "{e:?}");
    assert!(!mentions(&e.likely_causes, "rotates"), "{e:?}");
}

#[test]
fn invalid_grant_at_refresh_names_rotation() {
    let e = explain(
        "invalid_grant",
        Stage::TokenRequest(GrantType::RefreshToken),
    );
    assert!(
        mentions(&e.likely_causes, "rotates refresh tokens"),
        "{e:?}"
    );
    assert!(!mentions(&e.likely_causes, "PKCE"), "{e:?}");
    assert_eq!(e.reference.as_deref(), Some("RFC 6749 §6"));
}

#[test]
fn invalid_grant_with_the_password_grant_names_credentials_and_domain_users() {
    let e = explain("invalid_grant", Stage::TokenRequest(GrantType::Password));
    assert!(mentions(&e.likely_causes, "username or password is wrong"));
    assert!(mentions(&e.likely_causes, "DOMAIN\\user"));
}

#[test]
fn invalid_client_points_at_the_auth_method_and_the_raw_basic_switch() {
    let e = explain(
        "invalid_client",
        Stage::TokenRequest(GrantType::ClientCredentials),
    );
    assert!(mentions(&e.likely_causes, "client_secret is wrong"));
    assert!(mentions(&e.what_to_try, "token_endpoint_auth_method"));
    assert!(mentions(&e.what_to_try, "basic_auth_raw"));
    assert!(mentions(&e.likely_causes, "public client"));
}

#[test]
fn invalid_token_at_an_api_call_names_expiry_revocation_and_placement() {
    let e = explain("invalid_token", Stage::ApiCall);
    for needle in ["expired", "revoked", "superseded", "wrong place"] {
        assert!(mentions(&e.likely_causes, needle), "{needle}: {e:?}");
    }
    assert_eq!(e.reference.as_deref(), Some("RFC 6750 §3.1"));
}

#[test]
fn access_denied_depends_on_where_it_came_from() {
    let redirect = explain("access_denied", Stage::Authorization);
    assert!(mentions(&redirect.likely_causes, "Deny or Cancel"));
    assert_eq!(redirect.reference.as_deref(), Some("RFC 6749 §4.1.2.1"));
    let device = explain("access_denied", Stage::DevicePolling);
    assert_eq!(device.reference.as_deref(), Some("RFC 8628 §3.5"));
}

#[test]
fn unknown_codes_get_the_fallback() {
    let e = explain("quota_exceeded", Stage::ApiCall);
    assert_eq!(e.code, "quota_exceeded");
    assert!(
        e.summary
            .contains("not an error code the OAuth specifications define")
    );
    assert!(mentions(&e.what_to_try, "error_description"));
    assert_eq!(e.reference.as_deref(), Some("RFC 6750 §3.1"));
    let misplaced = explain("invalid_target", Stage::ApiCall);
    assert!(
        misplaced
            .summary
            .contains("not one defined for the API call")
    );
}

#[test]
fn every_listed_code_has_causes_and_something_to_try() {
    let codes = [
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
        "access_denied",
        "unsupported_response_type",
        "server_error",
        "temporarily_unavailable",
        "authorization_pending",
        "slow_down",
        "expired_token",
        "invalid_token",
        "insufficient_scope",
    ];
    let stages = [
        Stage::Authorization,
        Stage::TokenRequest(GrantType::AuthorizationCode),
        Stage::TokenRequest(GrantType::RefreshToken),
        Stage::TokenRequest(GrantType::Password),
        Stage::DevicePolling,
        Stage::ApiCall,
        Stage::Revocation,
        Stage::Introspection,
    ];
    for code in codes {
        for stage in stages {
            let e = explain(code, stage);
            assert!(!e.likely_causes.is_empty(), "{code} at {stage:?}");
            assert!(!e.what_to_try.is_empty(), "{code} at {stage:?}");
            assert!(e.reference.is_some(), "{code} at {stage:?}");
            assert!(!e.summary.contains("not an error code"), "{code}");
        }
    }
}

#[test]
fn the_stage_of_a_grant_error_follows_the_exchange() {
    let callback = EngineError::Callback(CallbackError::Authorization {
        error: "access_denied".into(),
        description: None,
        uri: None,
    });
    assert_eq!(
        Stage::of_grant_error(GrantType::AuthorizationCode, &callback),
        Stage::Authorization
    );
    let explained = callback
        .explanation(Stage::TokenRequest(GrantType::AuthorizationCode))
        .expect("explained");
    assert!(mentions(&explained.likely_causes, "Deny or Cancel"));
    let unsupported = EngineError::Unsupported("no".into());
    assert_eq!(
        Stage::of_grant_error(GrantType::DeviceCode, &unsupported),
        Stage::DevicePolling
    );
    assert_eq!(unsupported.explanation(Stage::ApiCall), None);
}

#[test]
fn the_terminal_form_has_the_headings() {
    let text = explain("invalid_scope", Stage::Authorization).to_string();
    assert!(text.contains("Likely causes:\n  - "), "{text}");
    assert!(text.contains("Try:\n  - "), "{text}");
    assert!(text.ends_with("See RFC 6749 §4.1.2.1.\n"), "{text}");
}
