//! Rich authorization requests (RFC 9396), the server's side: the
//! `authorization_details` of an authorization request (pushed or not) and
//! of a token request, checked against the types this server knows (§5),
//! kept with the code and the refresh token, returned as granted in the
//! token response (§7), in the access token (§9.1) and by introspection
//! (§9.2); the types listed in the metadata (§10).
//!
//! The switches show each check a client makes failing: `rar-widen` grants
//! a type (or an action) more than asked, `rar-drop` leaves the granted
//! details out of the token response, `rar-ignore-types` accepts types and
//! fields this server does not know instead of answering
//! `invalid_authorization_details`.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::client_auth::Form;
use super::{Demo, oauth_error};

/// The parameter (and claim, and response member).
pub const NAME: &str = "authorization_details";

/// The types this server knows, each with the fields it defines beyond
/// the common ones (§2.2) — anything else is refused (§5).
const TYPES: [(&str, &[&str]); 3] = [
    (
        "payment_initiation",
        &[
            "instructedAmount",
            "creditorName",
            "creditorAccount",
            "remittanceInformationUnstructured",
        ],
    ),
    ("account_information", &["accounts"]),
    (
        "openid_credential",
        &["credential_configuration_id", "format"],
    ),
];

/// The common data fields of RFC 9396 §2.2, and whether each is an array
/// of strings (the others: `identifier`, a string).
const COMMON: [(&str, bool); 5] = [
    ("locations", true),
    ("actions", true),
    ("datatypes", true),
    ("identifier", false),
    ("privileges", true),
];

/// `authorization_details_types_supported` (§10).
pub fn types_supported() -> Value {
    json!(TYPES.iter().map(|(name, _)| *name).collect::<Vec<_>>())
}

/// The `rar-*` switches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RarFaults {
    /// `rar-widen`: the token response grants a type the client did not
    /// ask for (or, when it asked for every type, an action more).
    pub widen: bool,
    /// `rar-drop`: the token response leaves `authorization_details` out
    /// (§7 says the server MUST return them).
    pub drop: bool,
    /// `rar-ignore-types`: unknown types and fields are accepted, not
    /// refused with `invalid_authorization_details` (§5).
    pub ignore_types: bool,
}

impl RarFaults {
    /// The switch names.
    pub const NAMES: [&str; 3] = ["rar-widen", "rar-drop", "rar-ignore-types"];

    /// Turns on the switch called `name`; false when there is none.
    pub fn switch_on(&mut self, name: &str) -> bool {
        let switch = match name {
            "rar-widen" => &mut self.widen,
            "rar-drop" => &mut self.drop,
            "rar-ignore-types" => &mut self.ignore_types,
            _ => return false,
        };
        *switch = true;
        true
    }
}

/// What the store keeps: the details of authorization requests waiting
/// for the user (by request id), of codes and of refresh tokens.
#[derive(Debug, Default)]
pub struct Held {
    pending: HashMap<String, Value>,
    codes: HashMap<String, Value>,
    refresh: HashMap<String, Value>,
}

impl Held {
    /// Keeps the details of the refresh tokens `kept` says the server still
    /// remembers.
    pub fn keep_refresh(&mut self, kept: impl Fn(&str) -> bool) {
        self.refresh.retain(|token, _| kept(token));
    }
}

/// Reads and checks a request's `authorization_details` (§2, §5): `None`
/// when it has none; the `error_description` of
/// `invalid_authorization_details` when it is refused.
pub fn requested(faults: &RarFaults, raw: Option<&str>) -> Result<Option<Value>, String> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(None);
    };
    let value: Value = serde_json::from_str(raw)
        .map_err(|err| format!("authorization_details is not JSON: {err}"))?;
    let Some(list) = value.as_array() else {
        return Err("authorization_details must be a JSON array (RFC 9396 §2)".to_string());
    };
    if list.is_empty() {
        return Err("authorization_details is an empty array".to_string());
    }
    for (index, entry) in list.iter().enumerate() {
        let n = index + 1;
        let Some(fields) = entry.as_object() else {
            return Err(format!("authorization_details entry {n} is not an object"));
        };
        let Some(kind) = fields.get("type").and_then(Value::as_str) else {
            return Err(format!(
                "authorization_details entry {n} has no string type (RFC 9396 §2)"
            ));
        };
        for (name, is_array) in COMMON {
            let fits = match fields.get(name) {
                None => true,
                Some(Value::Array(items)) if is_array => items.iter().all(Value::is_string),
                Some(Value::String(_)) => !is_array,
                Some(_) => false,
            };
            if !fits {
                return Err(format!(
                    "authorization_details entry {n}: {name} must be {} (RFC 9396 §2.2)",
                    if is_array {
                        "an array of strings"
                    } else {
                        "a string"
                    }
                ));
            }
        }
        if faults.ignore_types {
            continue;
        }
        let Some((_, own)) = TYPES.iter().find(|(name, _)| *name == kind) else {
            return Err(format!(
                "unknown authorization details type '{kind}'; this server knows {}",
                TYPES.map(|(name, _)| name).join(", ")
            ));
        };
        if let Some(unknown) = fields.keys().find(|key| {
            key.as_str() != "type"
                && !COMMON.iter().any(|(name, _)| name == key)
                && !own.contains(&key.as_str())
        }) {
            return Err(format!(
                "authorization details type '{kind}' has no field '{unknown}'"
            ));
        }
    }
    Ok(Some(value))
}

/// The refusal of a token request's details (§6).
fn refusal(description: &str) -> Response {
    oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_authorization_details",
        description,
    )
}

/// Keeps an authorization request's details until the user answers.
pub fn hold(demo: &Demo, request_id: &str, details: Option<Value>) {
    if let Some(details) = details {
        demo.store()
            .rar
            .pending
            .insert(request_id.to_string(), details);
    }
}

/// The details of the request `request_id` now stand for `code`.
pub fn bind_code(demo: &Demo, request_id: &str, code: &str) {
    let mut store = demo.store();
    if let Some(details) = store.rar.pending.remove(request_id) {
        store.rar.codes.insert(code.to_string(), details);
    }
}

/// The details a refresh token stands for.
pub fn bind_refresh(held: &mut Held, refresh_token: &str, details: &Value) {
    held.refresh
        .insert(refresh_token.to_string(), details.clone());
}

/// What the token endpoint issues for a request with `grant_type`: the
/// details the code or refresh token stands for, narrowed to the types
/// the request asks for (§6: never more than the grant), or — for grants
/// without an authorization request — those the request asks for; widened
/// by `rar-widen`.
pub fn at_token_endpoint(
    demo: &Demo,
    grant_type: &str,
    form: &Form,
) -> Result<Option<Value>, Response> {
    let faults = &demo.faults.rar;
    let asked = requested(faults, form.get(NAME)).map_err(|d| refusal(&d))?;
    let held = {
        let store = demo.store();
        match grant_type {
            "authorization_code" => form.get("code").and_then(|c| store.rar.codes.get(c)),
            "refresh_token" => form
                .get("refresh_token")
                .and_then(|t| store.rar.refresh.get(t)),
            _ => None,
        }
        .cloned()
    };
    let issued = match (held, asked) {
        (Some(held), Some(asked)) => {
            let granted: Vec<&str> = types(&held);
            if let Some(extra) = types(&asked).into_iter().find(|t| !granted.contains(t)) {
                return Err(refusal(&format!(
                    "type '{extra}' was not granted with this {}",
                    if grant_type == "refresh_token" {
                        "refresh token"
                    } else {
                        "code"
                    }
                )));
            }
            Some(asked)
        }
        (Some(held), None) => Some(held),
        (None, asked) if matches!(grant_type, "authorization_code" | "refresh_token") => {
            // Details appear only where the grant had them (§6).
            if asked.is_some() {
                return Err(refusal(
                    "this grant was authorized without authorization_details",
                ));
            }
            None
        }
        (None, asked) => asked,
    };
    Ok(issued.map(|details| {
        if faults.widen {
            widen(details)
        } else {
            details
        }
    }))
}

fn types(details: &Value) -> Vec<&str> {
    details
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.get("type").and_then(Value::as_str))
        .collect()
}

/// `rar-widen`: a type not asked for, or an action more on the first entry.
fn widen(mut details: Value) -> Value {
    let asked: Vec<String> = types(&details).into_iter().map(str::to_string).collect();
    let Some(list) = details.as_array_mut() else {
        return details;
    };
    if let Some((extra, _)) = TYPES
        .iter()
        .find(|(name, _)| !asked.iter().any(|a| a == name))
    {
        list.push(json!({ "type": extra, "actions": ["read"] }));
    } else if let Some(Value::Object(first)) = list.first_mut() {
        let actions = first
            .entry("actions")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(actions) = actions {
            actions.push(json!("delete_all"));
        }
    }
    details
}

/// Puts the issued details into the access token's claims (§9.1) and the
/// token response (§7, unless `rar-drop`).
pub fn issue(demo: &Demo, details: Option<&Value>, claims: &mut Value, body: &mut Value) {
    let Some(details) = details else {
        return;
    };
    claims[NAME] = details.clone();
    if !demo.faults.rar.drop {
        body[NAME] = details.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str) -> Result<Option<Value>, String> {
        requested(&RarFaults::default(), Some(raw))
    }

    #[test]
    fn requests_are_checked_as_section_5_says() {
        assert!(check(r#"[{"type":"payment_initiation","actions":["initiate"]}]"#).is_ok());
        assert!(check("{").is_err_and(|e| e.contains("not JSON")));
        assert!(check(r#"{"type":"x"}"#).is_err_and(|e| e.contains("array")));
        assert!(check(r#"[{"type":"unknown"}]"#).is_err_and(|e| e.contains("unknown")));
        assert!(
            check(r#"[{"type":"account_information","color":"red"}]"#)
                .is_err_and(|e| e.contains("no field 'color'"))
        );
        assert!(
            check(r#"[{"type":"account_information","actions":"read"}]"#)
                .is_err_and(|e| e.contains("actions must be an array"))
        );
        let lenient = RarFaults {
            ignore_types: true,
            ..RarFaults::default()
        };
        assert!(requested(&lenient, Some(r#"[{"type":"unknown","x":1}]"#)).is_ok());
        assert_eq!(check(""), Ok(None));
    }

    #[test]
    fn widening_adds_a_type_or_an_action() {
        let one = widen(json!([{"type": "payment_initiation"}]));
        assert_eq!(
            types(&one),
            vec!["payment_initiation", "account_information"]
        );
        let all = json!([
            {"type": "payment_initiation"},
            {"type": "account_information"},
            {"type": "openid_credential"}
        ]);
        assert_eq!(widen(all)[0]["actions"], json!(["delete_all"]));
    }
}
