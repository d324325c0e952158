//! Unit tests of `callback`.

use super::*;

fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn state_is_checked_before_anything_else() {
    let err = check_callback(
        params(&[("code", "c"), ("state", "evil")]),
        "good",
        None,
        Expect::Code,
    )
    .expect_err("mismatch");
    assert_eq!(
        err,
        CallbackError::StateMismatch {
            expected: "good".into(),
            received: "evil".into()
        }
    );
    assert!(err.to_string().contains("\"good\"") && err.to_string().contains("\"evil\""));
    let err = check_callback(
        params(&[("error", "access_denied")]),
        "good",
        None,
        Expect::Code,
    )
    .expect_err("missing");
    assert!(matches!(err, CallbackError::StateMissing { .. }));
    let ok = check_callback(
        params(&[("code", "c"), ("state", "good")]),
        "good",
        None,
        Expect::Code,
    )
    .expect("ok");
    assert_eq!(ok.code.as_deref(), Some("c"));
}

#[test]
fn errors_and_issuers_are_reported() {
    let err = check_callback(
        params(&[
            ("state", "s"),
            ("error", "access_denied"),
            ("error_description", "The user said no"),
        ]),
        "s",
        None,
        Expect::Code,
    )
    .expect_err("denied");
    assert_eq!(
        err.to_string(),
        "the authorization server answered access_denied: The user said no"
    );
    let err = check_callback(
        params(&[
            ("state", "s"),
            ("code", "c"),
            ("iss", "https://evil.example"),
        ]),
        "s",
        Some("https://as.example"),
        Expect::Code,
    )
    .expect_err("issuer");
    assert!(matches!(err, CallbackError::IssuerMismatch { .. }));
    // A promised iss that does not come: refused, error answers too
    // (RFC 9207 §2); without the promise the same answer is taken.
    let promised = Issuer {
        expected: Some("https://as.example"),
        required: true,
    };
    for answer in [
        &[("state", "s"), ("code", "c")][..],
        &[("state", "s"), ("error", "access_denied")][..],
    ] {
        let err = check_callback(params(answer), "s", promised, Expect::Code).expect_err("no iss");
        assert!(matches!(err, CallbackError::IssuerMissing { .. }), "{err}");
    }
    check_callback(
        params(&[("state", "s"), ("code", "c")]),
        "s",
        Some("https://as.example"),
        Expect::Code,
    )
    .expect("not promised");
    check_callback(
        params(&[("state", "s"), ("code", "c"), ("iss", "https://as.example")]),
        "s",
        promised,
        Expect::Code,
    )
    .expect("promised and sent");
}

#[test]
fn pasted_urls_queries_and_fragments_are_read() {
    for text in [
        "https://app.example/cb?code=abc&state=s",
        "?code=abc&state=s",
        "code=abc&state=s",
        "  https://app.example/cb#code=abc&state=s \n",
    ] {
        let p = parse_pasted(text).expect(text);
        assert_eq!(p[0], ("code".to_string(), "abc".to_string()), "{text}");
    }
    assert!(parse_pasted("").is_err());
    assert!(parse_pasted("https://app.example/cb").is_err());
    assert!(parse_pasted("hello world").is_err());
}

#[test]
fn loopback_is_recognised_and_html_is_escaped() {
    for (url, loopback) in [
        ("http://127.0.0.1/cb", true),
        ("http://[::1]:8080/cb", true),
        ("http://localhost/cb", true),
        ("https://app.example/cb", false),
    ] {
        assert_eq!(
            is_loopback(&Url::parse(url).expect("url")),
            loopback,
            "{url}"
        );
    }
    assert_eq!(
        html_escape("<b>\"x\" & 'y'</b>"),
        "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;"
    );
}
