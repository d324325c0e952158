//! Unit tests of `response`.

use super::*;

fn response(status: u16, content_type: &str, body: &str) -> RecordedResponse {
    RecordedResponse {
        status,
        headers: vec![
            ("content-type".into(), content_type.into()),
            ("cache-control".into(), "no-store".into()),
        ],
        body: bytes::Bytes::copy_from_slice(body.as_bytes()),
        truncated: false,
    }
}

fn parse(r: &RecordedResponse) -> Result<TokenSet, TokenResponseError> {
    parse_with(r, &CompatFile::default())
}

fn parse_with(r: &RecordedResponse, compat: &CompatFile) -> Result<TokenSet, TokenResponseError> {
    parse_token_response(
        r,
        GrantType::ClientCredentials,
        1,
        Utc::now(),
        None,
        compat,
        Vec::new(),
    )
}

fn codes(set: &TokenSet) -> Vec<&str> {
    set.findings.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn a_clean_response_has_no_findings() {
    let set = parse(&response(
        200,
        "application/json;charset=UTF-8",
        r#"{"access_token":"abc","token_type":"bearer","expires_in":60,"scope":"a b"}"#,
    ))
    .expect("token");
    assert!(set.findings.is_empty(), "{:?}", set.findings);
    assert_eq!(set.expires_in, Some(60));
    let left = set.seconds_left(set.obtained_at).expect("expiry");
    assert_eq!(left, 60);
}

#[test]
fn deviations_become_findings() {
    let text_plain = response(
        200,
        "text/plain",
        r#"{"access_token":"abc","expires_in":"3600"}"#,
    );
    let err = parse(&text_plain).expect_err("refused without the switch");
    assert!(
        err.to_string().contains("accept_non_json_content_type"),
        "{err}"
    );
    let compat = CompatFile {
        accept_non_json_content_type: true,
        ..CompatFile::default()
    };
    let set = parse_with(&text_plain, &compat).expect("token");
    assert_eq!(
        codes(&set),
        vec![
            "content_type_not_json",
            "token_type_missing",
            "expires_in_string"
        ]
    );
    assert_eq!(set.expires_in, Some(3600));
    assert_eq!(set.effective_token_type(), "Bearer");
}

#[test]
fn errors_are_typed_and_garbage_is_quoted() {
    let err = parse(&response(
        200,
        "application/json",
        r#"{"error":"invalid_grant","error_description":"no"}"#,
    ))
    .expect_err("error");
    let TokenResponseError::OAuth(oauth, findings) = err else {
        panic!("not an OAuth error");
    };
    assert_eq!(oauth.error, "invalid_grant");
    assert_eq!(findings[0].code, "error_with_success_status");

    let err = parse(&response(
        502,
        "text/html",
        "<html><body>Bad gateway</body></html>",
    ))
    .expect_err("html");
    let text = err.to_string();
    assert!(
        text.contains("HTML page") && text.contains("Bad gateway"),
        "{text}"
    );
}

#[test]
fn a_trailing_comma_is_repaired_only_when_asked_and_the_raw_body_kept() {
    let body =
        "{\n \"access_token\": \"abc\",\n \"token_type\": \"bearer\",\n \"expires_in\": 899,\n}";
    let invalid = response(200, "application/json", body);
    let err = parse(&invalid).expect_err("refused without the switch");
    assert!(err.to_string().contains("repair_json"), "{err}");
    let compat = CompatFile {
        repair_json: true,
        ..CompatFile::default()
    };
    let set = parse_with(&invalid, &compat).expect("repaired");
    assert_eq!(set.expires_in, Some(899));
    assert_eq!(set.raw_text.as_deref(), Some(body));
    assert!(codes(&set).contains(&"json_repaired"), "{:?}", codes(&set));
}

#[test]
fn a_2xx_other_than_200_needs_the_switch() {
    let created = response(
        201,
        "application/json",
        r#"{"access_token":"abc","token_type":"bearer"}"#,
    );
    let err = parse(&created).expect_err("refused");
    assert!(err.to_string().contains("accept_any_2xx"), "{err}");
    let compat = CompatFile {
        accept_any_2xx: true,
        ..CompatFile::default()
    };
    let set = parse_with(&created, &compat).expect("accepted");
    assert!(codes(&set).contains(&"success_status_not_200"));
}
