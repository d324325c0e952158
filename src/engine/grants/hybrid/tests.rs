//! Unit tests of `hybrid`.

use super::*;

#[test]
fn response_types_are_read_in_any_order_and_refused_clearly() {
    for (text, kind) in [
        ("code", CodeResponseType::Code),
        ("", CodeResponseType::Code),
        ("code id_token", CodeResponseType::CodeIdToken),
        ("id_token code", CodeResponseType::CodeIdToken),
        ("  token   code ", CodeResponseType::CodeToken),
        ("token id_token code", CodeResponseType::CodeIdTokenToken),
        ("code id_token token", CodeResponseType::CodeIdTokenToken),
    ] {
        assert_eq!(CodeResponseType::parse(text), Ok(kind), "{text:?}");
    }
    for kind in CodeResponseType::ALL {
        assert_eq!(CodeResponseType::parse(kind.as_str()), Ok(kind));
    }
    let case = CodeResponseType::parse("Code ID_Token").expect_err("case");
    assert!(case.contains("did you mean `code id_token`?"), "{case}");
    let implicit = CodeResponseType::parse("id_token token").expect_err("implicit");
    assert!(implicit.contains("grant_type = \"implicit\""), "{implicit}");
    let twice = CodeResponseType::parse("code code").expect_err("twice");
    assert!(twice.contains("twice"), "{twice}");
    let other = CodeResponseType::parse("code none").expect_err("none");
    assert!(
        other.contains("`none`") && !other.contains("did you mean"),
        "{other}"
    );
    assert!(CodeResponseType::CodeIdTokenToken.has_access_token());
    assert!(!CodeResponseType::CodeToken.has_id_token());
    assert!(!CodeResponseType::Code.is_hybrid());
}

#[test]
fn c_hash_and_s_hash_are_the_left_half_of_the_alg_hash() {
    use crate::engine::jwt::claims::{claim_checks, left_half_hash};
    use jsonwebtoken::Algorithm;
    // OIDC Core §A.4: this code's c_hash (RS256).
    let code = "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk";
    assert_eq!(
        left_half_hash(Algorithm::RS256, code),
        "LDktKdoQak3Pk0cnXxCltA"
    );
    let claims = serde_json::json!({
        "c_hash": "LDktKdoQak3Pk0cnXxCltA",
        "s_hash": left_half_hash(Algorithm::RS256, "the-state"),
    });
    let expect = Expectations {
        code: Some(code.into()),
        state: Some("the-state".into()),
        ..Expectations::default()
    };
    let verdict = |expect: &Expectations, name: &str| {
        claim_checks(&claims, Some(Algorithm::RS256), expect, Utc::now())
            .into_iter()
            .find(|c| c.name == name)
            .map(|c| c.verdict)
    };
    assert_eq!(verdict(&expect, "c_hash"), Some(Verdict::Pass));
    assert_eq!(verdict(&expect, "s_hash"), Some(Verdict::Pass));
    let other = Expectations {
        state: Some("another-state".into()),
        code: Some("another-code".into()),
        ..expect
    };
    assert_eq!(verdict(&other, "s_hash"), Some(Verdict::Fail));
    assert_eq!(verdict(&other, "c_hash"), Some(Verdict::Fail));
}

fn front(checks: Vec<Check>) -> FrontChannel {
    FrontChannel {
        response_type: CodeResponseType::CodeIdToken,
        mode: "fragment",
        received: Vec::new(),
        checks,
        iss: Some("https://as.example".into()),
        sub: Some("alice".into()),
    }
}

#[test]
fn a_failed_check_is_a_refusal_citing_its_section() {
    let good = front(vec![Check::new(
        "c_hash",
        Verdict::Pass,
        "c_hash matches",
        "OIDC Core §3.3.2.11",
    )]);
    assert!(good.passed() && good.refusal().is_none());
    assert_eq!(good.findings()[0].code, "hybrid_c_hash");
    assert_eq!(good.findings()[0].severity, Severity::Info);
    let bad = front(vec![Check::failed(
        "c_hash",
        "c_hash is \"x\"",
        "OIDC Core §3.3.2.11",
    )]);
    let refusal = bad.refusal().expect("refused").to_string();
    assert!(
        refusal.contains("c_hash") && refusal.contains("OIDC Core §3.3.2.11"),
        "{refusal}"
    );
}

#[test]
fn the_token_endpoint_id_token_must_name_the_same_iss_and_sub() {
    let mut tokens = super::super::implicit::tokens_from_fragment(&[
        ("access_token".into(), "at".into()),
        ("token_type".into(), "Bearer".into()),
    ])
    .expect("a token set");
    tokens.jwts.push(crate::engine::jwt::DecodedJwt {
        source: "id_token".into(),
        header: serde_json::json!({"alg": "RS256"}),
        claims: serde_json::json!({"iss": "https://as.example", "sub": "mallory"}),
        signature: String::new(),
    });
    let findings = compare_with_token_endpoint(&front(Vec::new()), &tokens);
    let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["hybrid_iss_matches", "hybrid_sub_mismatch"]);
    assert_eq!(findings[1].severity, Severity::Error);
}
