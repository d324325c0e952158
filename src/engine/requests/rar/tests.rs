//! Unit tests of `rar`.

use super::*;
use serde_json::json;

fn problem(value: Value) -> String {
    parse(&value).expect_err("refused")
}

#[test]
fn the_profile_value_is_an_array_of_typed_objects() {
    let ok = parse(&json!([{"type": "payment_initiation", "actions": ["initiate"]}]))
        .expect("parsed")
        .expect("some");
    assert_eq!(ok.types(), vec!["payment_initiation"]);
    assert!(!ok.compact().contains([' ', '\n']), "{}", ok.compact());
    assert_eq!(
        serde_json::from_str::<Value>(&ok.compact()).ok(),
        Some(json!([{"type": "payment_initiation", "actions": ["initiate"]}]))
    );
    let from_string = parse(&json!(r#"[{"type":"account_information"}]"#))
        .expect("parsed")
        .expect("some");
    assert_eq!(from_string.types(), vec!["account_information"]);
    assert_eq!(parse(&json!("  ")), Ok(None));

    assert!(problem(json!("[{")).contains("not valid JSON"));
    assert!(problem(json!(r#"{"type":"x"}"#)).contains("wrap the object in [ ]"));
    assert!(problem(json!("[]")).contains("empty array"));
    assert!(problem(json!(["x"])).contains("entry 1 is a string, not an object"));
    assert!(problem(json!([{"actions": []}])).contains("entry 1 has no type"));
    assert!(problem(json!([{"type": ""}])).contains("empty type"));
    assert!(problem(json!([{"type": 3}])).contains("type is a number"));
    assert!(
        problem(json!([{"type": "a"}, {"type": "b", "actions": "read"}]))
            .contains("entry 2's actions must be an array of strings; it is a string")
    );
    assert!(problem(json!([{"type": "a", "locations": [1]}])).contains("strings only"));
    assert!(
        problem(json!([{"type": "a", "identifier": ["x"]}]))
            .contains("identifier must be a string")
    );
    assert!(problem(json!(3)).contains("array of tables"));
}

#[test]
fn types_are_checked_against_the_metadata() {
    let asked =
        parse_json(r#"[{"type":"payment_initiation"},{"type":"x"},{"type":"x"}]"#).expect("parsed");
    let listed = vec!["payment_initiation".to_string()];
    let found = check_types(&asked, Some(&listed));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, "authorization_details_type_not_listed");
    assert!(found[0].message.contains("type x"));
    assert_eq!(
        check_types(&asked, None)[0].code,
        "authorization_details_types_unknown"
    );
}

fn code(asked: Option<Value>, granted: Option<Value>) -> String {
    compare(asked.as_ref(), granted.as_ref()).code
}

#[test]
fn granted_is_compared_with_asked() {
    let asked = json!([{"type": "account_information", "actions": ["list_accounts", "read_balances"], "locations": ["https://bank.example/"]}]);
    assert_eq!(
        code(Some(asked.clone()), Some(asked.clone())),
        "authorization_details_as_asked"
    );
    assert_eq!(
        code(
            Some(asked.clone()),
            Some(json!([{"type": "account_information", "actions": ["list_accounts"]}]))
        ),
        "authorization_details_narrowed"
    );
    assert_eq!(
        code(
            Some(asked.clone()),
            Some(
                json!([{"type": "account_information", "actions": ["list_accounts", "read_balances", "transfer"]}])
            )
        ),
        "authorization_details_widened"
    );
    let widened = compare(
        Some(&asked),
        Some(&json!([asked[0].clone(), {"type": "payment_initiation"}])),
    );
    assert!(
        widened
            .message
            .contains("type payment_initiation was not asked for")
    );
    assert_eq!(
        code(Some(asked.clone()), Some(json!([]))),
        "authorization_details_narrowed"
    );
    let mut enriched = asked.clone();
    enriched[0]["accounts"] = json!(["DE1234"]);
    assert_eq!(
        code(Some(asked.clone()), Some(enriched)),
        "authorization_details_enriched"
    );
    assert_eq!(
        code(Some(asked.clone()), None),
        "authorization_details_missing"
    );
    assert_eq!(
        code(Some(asked.clone()), Some(Value::Null)),
        "authorization_details_missing"
    );
    assert_eq!(code(None, Some(asked)), "authorization_details_unasked");
}

#[test]
fn any_shape_from_a_server_is_reported_not_panicked_on() {
    let asked = json!([{"type": "a"}]);
    for granted in [
        json!("[{\"type\":\"a\"}]"),
        json!({"type": "a"}),
        json!([null]),
        json!([{"type": null}]),
        json!(42),
        json!([{"type": "a", "actions": "x"}, 1]),
    ] {
        assert_eq!(
            code(Some(asked.clone()), Some(granted.clone())),
            "authorization_details_malformed",
            "{granted}"
        );
    }
    // Odd field types inside well-formed entries do not panic either.
    let odd = json!([{"type": "a", "actions": "x", "identifier": 3, "locations": [null]}]);
    let _ = compare(Some(&asked), Some(&odd));
    let _ = compare(Some(&odd), Some(&asked));
}

#[test]
fn the_asked_value_is_read_from_a_form_body() {
    let body =
        b"grant_type=client_credentials&authorization_details=%5B%7B%22type%22%3A%22a%22%7D%5D";
    assert_eq!(asked_in_form(body), Some(json!([{"type": "a"}])));
    assert_eq!(asked_in_form(b"grant_type=x"), None);
}
