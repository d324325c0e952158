//! Unit tests of `discovery`.

use super::*;
use serde_json::json;

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[test]
fn well_known_urls_for_issuers_with_and_without_a_path() {
    let urls = well_known_urls("https://as.example/").expect("urls");
    let urls: Vec<&str> = urls.iter().map(Url::as_str).collect();
    assert_eq!(
        urls,
        vec![
            "https://as.example/.well-known/openid-configuration",
            "https://as.example/.well-known/oauth-authorization-server",
        ]
    );
    let urls = well_known_urls("https://as.example/tenant/v2").expect("urls");
    let urls: Vec<&str> = urls.iter().map(Url::as_str).collect();
    assert_eq!(
        urls,
        vec![
            "https://as.example/tenant/v2/.well-known/openid-configuration",
            "https://as.example/.well-known/oauth-authorization-server/tenant/v2",
            "https://as.example/tenant/v2/.well-known/oauth-authorization-server",
        ]
    );
    assert!(well_known_urls("ftp://x").is_err());
}

#[test]
fn the_issuer_must_match() {
    let doc = object(json!({"issuer": "https://evil.example", "token_endpoint": "https://x/t"}));
    let (_, findings) = read_metadata(&doc, "https://as.example");
    assert_eq!(findings[0].code, "discovery_issuer_mismatch");
    assert_eq!(findings[0].severity, Severity::Error);
    let doc = object(json!({"issuer": "https://as.example", "token_endpoint": "https://x/t"}));
    let (metadata, findings) = read_metadata(&doc, "https://as.example");
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(metadata.token_endpoint.as_deref(), Some("https://x/t"));
}

#[test]
fn wrong_types_are_findings_not_failures() {
    let doc = object(json!({
        "issuer": "i", "token_endpoint": 7, "scopes_supported": "openid profile",
        "grant_types_supported": ["client_credentials"],
    }));
    let (metadata, findings) = read_metadata(&doc, "i");
    assert_eq!(metadata.token_endpoint, None);
    assert_eq!(metadata.scopes_supported, None);
    assert_eq!(
        metadata.grant_types_supported,
        Some(vec!["client_credentials".to_string()])
    );
    let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(
        codes,
        vec![
            "discovery_field_type",
            "discovery_field_type",
            "discovery_token_endpoint_missing"
        ]
    );
}

#[test]
fn fill_profile_only_fills_empty_fields() {
    let metadata = ServerMetadata {
        issuer: Some("https://as.example".into()),
        token_endpoint: Some("https://as.example/token".into()),
        jwks_uri: Some("https://as.example/jwks".into()),
        userinfo_endpoint: Some("https://as.example/userinfo".into()),
        ..ServerMetadata::default()
    };
    let mut file = ProfileFile {
        token_endpoint: Some("/custom/token".into()),
        jwks_uri: Some("  ".into()),
        ..ProfileFile::default()
    };
    let filled = fill_profile(&mut file, &metadata);
    assert_eq!(filled, vec!["issuer", "userinfo_endpoint", "jwks_uri"]);
    assert_eq!(file.token_endpoint.as_deref(), Some("/custom/token"));
    assert_eq!(file.jwks_uri.as_deref(), Some("https://as.example/jwks"));
    assert!(fill_profile(&mut file, &metadata).is_empty());
}

#[test]
fn fill_profile_takes_the_par_endpoint_and_the_iss_promise() {
    let metadata = ServerMetadata {
        pushed_authorization_request_endpoint: Some("https://as.example/par".into()),
        authorization_response_iss_parameter_supported: Some(true),
        ..ServerMetadata::default()
    };
    let mut file = ProfileFile::default();
    let filled = fill_profile(&mut file, &metadata);
    assert_eq!(
        filled,
        vec![
            "pushed_authorization_request_endpoint",
            "authorization_response_iss_parameter_supported"
        ]
    );
    assert_eq!(
        file.authorization_response_iss_parameter_supported,
        Some(true)
    );
    // What the user set stays, even against the server's word.
    let mut file = ProfileFile {
        authorization_response_iss_parameter_supported: Some(false),
        ..ProfileFile::default()
    };
    fill_profile(&mut file, &metadata);
    assert_eq!(
        file.authorization_response_iss_parameter_supported,
        Some(false)
    );
}

#[test]
fn a_server_that_requires_pushed_requests_is_reported_for_a_profile_that_does_not_push() {
    let metadata = ServerMetadata {
        require_pushed_authorization_requests: Some(true),
        ..ServerMetadata::default()
    };
    let codes = |file: &ProfileFile| -> Vec<String> {
        check_profile(file, &metadata)
            .into_iter()
            .map(|f| f.code)
            .filter(|c| c == "par_required_by_server")
            .collect()
    };
    let code_grant = ProfileFile {
        grant_type: Some(GrantType::AuthorizationCode),
        ..ProfileFile::default()
    };
    assert_eq!(codes(&code_grant), ["par_required_by_server"]);
    let pushing = ProfileFile {
        require_pushed_authorization_requests: Some(true),
        ..code_grant
    };
    assert!(codes(&pushing).is_empty());
    // No authorization request, nothing to push.
    let machine = ProfileFile {
        grant_type: Some(GrantType::ClientCredentials),
        ..ProfileFile::default()
    };
    assert!(codes(&machine).is_empty());
}

#[test]
fn what_the_server_does_not_list_is_a_warning() {
    let metadata = ServerMetadata {
        grant_types_supported: Some(vec!["authorization_code".into()]),
        token_endpoint_auth_methods_supported: Some(vec!["client_secret_post".into()]),
        code_challenge_methods_supported: Some(vec!["S256".into()]),
        scopes_supported: Some(vec!["openid".into(), "profile".into()]),
        ..ServerMetadata::default()
    };
    let file = ProfileFile {
        grant_type: Some(GrantType::AuthorizationCode),
        client_secret: Some(crate::engine::Secret::new("s")),
        pkce: Some(PkceMode::Plain),
        scope: Some("openid email".into()),
        ..ProfileFile::default()
    };
    let codes: Vec<String> = check_profile(&file, &metadata)
        .into_iter()
        .map(|f| f.code)
        .collect();
    assert_eq!(
        codes,
        vec![
            "discovery_auth_method_not_listed",
            "discovery_pkce_not_listed",
            "discovery_scope_not_listed"
        ]
    );
    // Defaults when the server lists nothing: code and implicit grants.
    let file = ProfileFile {
        grant_type: Some(GrantType::ClientCredentials),
        ..ProfileFile::default()
    };
    let codes: Vec<String> = check_profile(&file, &ServerMetadata::default())
        .into_iter()
        .map(|f| f.code)
        .collect();
    assert_eq!(
        codes,
        vec![
            "discovery_grant_not_listed",
            "discovery_auth_method_not_listed"
        ]
    );
}
