//! Rich authorization requests (RFC 9396): the profile's
//! `authorization_details`, what the server granted, and what differs.
//!
//! - [`parse`] reads the profile's value — a TOML array of tables or a JSON
//!   string — into [`AuthorizationDetails`], checking the shape §2 gives
//!   it: a JSON array of objects, each with a string `type`, the common
//!   fields of §2.2 (`locations`, `actions`, `datatypes`, `privileges`:
//!   arrays of strings; `identifier`: a string) of the right JSON type.
//! - The value goes wherever the grant sends `scope` (§3): on the
//!   authorization request (pushed too; a request object carries it as a
//!   JSON array claim), and on the token request of the grants that have no
//!   authorization request (client credentials, password, JWT bearer, token
//!   exchange; §6). The code exchange does not repeat it: the code already
//!   stands for what was granted.
//! - [`check_types`] compares the types asked for with the server's
//!   `authorization_details_types_supported` (§10).
//! - [`attach`] puts what was asked beside what the token response granted
//!   (§7) into the token set, with one finding that says how they compare:
//!   as asked, narrowed, enriched (§7.1), widened, missing or malformed.
//!   Nothing a server sends makes it panic.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::tokens::response::TokenSet;

/// The common fields that are arrays of strings (RFC 9396 §2.2).
pub const ARRAY_FIELDS: [&str; 4] = ["locations", "actions", "datatypes", "privileges"];

/// The parameter's name, on the wire and in the profile.
pub const PARAMETER: &str = "authorization_details";

/// A checked `authorization_details` value: a non-empty JSON array of
/// objects, each with a non-empty string `type` (RFC 9396 §2).
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizationDetails(Value);

impl AuthorizationDetails {
    /// The JSON array.
    pub fn value(&self) -> &Value {
        &self.0
    }

    /// As sent on the wire: compact JSON (form-encoded by the request).
    pub fn compact(&self) -> String {
        self.0.to_string()
    }

    /// Indented, for the editor.
    pub fn pretty(&self) -> String {
        serde_json::to_string_pretty(&self.0).unwrap_or_else(|_| self.compact())
    }

    /// The `type` of each entry, in order.
    pub fn types(&self) -> Vec<&str> {
        entries(&self.0)
            .iter()
            .filter_map(|entry| entry.get("type").and_then(Value::as_str))
            .collect()
    }
}

/// Reads the profile's value: an array (TOML tables) or a string holding
/// JSON. `Ok(None)` for an empty string (nothing asked). Problems are said
/// in the profile's words, citing RFC 9396 §2.
pub fn parse(value: &Value) -> Result<Option<AuthorizationDetails>, String> {
    match value {
        Value::String(text) if text.trim().is_empty() => Ok(None),
        Value::String(text) => parse_json(text).map(Some),
        Value::Array(_) => check_shape(value.clone()).map(Some),
        Value::Object(_) => Err(
            "is one table; RFC 9396 §2 asks for an array: write each entry as [[authorization_details]] (two brackets), or give a JSON string holding the array"
                .to_string(),
        ),
        other => Err(format!(
            "must be an array of tables ([[authorization_details]]) or a JSON string; it is {} (RFC 9396 §2)",
            kind(other)
        )),
    }
}

/// Makes `profile` ask for `details` instead of its own (the CLI's
/// `--authorization-details`): on the authorization request and wherever
/// else the profile's would go.
pub fn ask(profile: &mut crate::engine::Profile, details: AuthorizationDetails) {
    profile
        .authorize_params
        .retain(|(name, _)| name != PARAMETER);
    profile
        .authorize_params
        .push((PARAMETER.to_string(), details.compact()));
    profile.authorization_details = Some(details);
}

/// Reads JSON text (the editor's, the CLI's `--authorization-details`).
pub fn parse_json(text: &str) -> Result<AuthorizationDetails, String> {
    let value: Value = serde_json::from_str(text).map_err(|err| {
        format!("is not valid JSON ({err}); RFC 9396 §2 asks for a JSON array of objects")
    })?;
    check_shape(value)
}

/// The §2 shape: a non-empty array of objects with a string `type` and
/// common fields of the right JSON type.
fn check_shape(value: Value) -> Result<AuthorizationDetails, String> {
    let Value::Array(list) = &value else {
        let hint = if value.is_object() {
            " — wrap the object in [ ]"
        } else {
            ""
        };
        return Err(format!(
            "must be a JSON array of objects; it is {}{hint} (RFC 9396 §2)",
            kind(&value)
        ));
    };
    if list.is_empty() {
        return Err(
            "is an empty array, which asks for nothing: give at least one object with a type, or leave it out (RFC 9396 §2)"
                .to_string(),
        );
    }
    for (index, entry) in list.iter().enumerate() {
        let n = index + 1;
        let Value::Object(fields) = entry else {
            return Err(format!(
                "entry {n} is {}, not an object (RFC 9396 §2)",
                kind(entry)
            ));
        };
        match fields.get("type") {
            None => {
                return Err(format!(
                    "entry {n} has no type; every authorization detail needs one (RFC 9396 §2)"
                ));
            }
            Some(Value::String(t)) if t.trim().is_empty() => {
                return Err(format!("entry {n} has an empty type (RFC 9396 §2)"));
            }
            Some(Value::String(_)) => {}
            Some(other) => {
                return Err(format!(
                    "entry {n}'s type is {}, not a string (RFC 9396 §2)",
                    kind(other)
                ));
            }
        }
        for name in ARRAY_FIELDS {
            match fields.get(name) {
                None => {}
                Some(Value::Array(items)) if items.iter().all(Value::is_string) => {}
                Some(Value::Array(_)) => {
                    return Err(format!(
                        "entry {n}'s {name} must hold strings only (RFC 9396 §2.2)"
                    ));
                }
                Some(other) => {
                    return Err(format!(
                        "entry {n}'s {name} must be an array of strings; it is {} (RFC 9396 §2.2)",
                        kind(other)
                    ));
                }
            }
        }
        if let Some(identifier) = fields.get("identifier")
            && !identifier.is_string()
        {
            return Err(format!(
                "entry {n}'s identifier must be a string; it is {} (RFC 9396 §2.2)",
                kind(identifier)
            ));
        }
    }
    Ok(AuthorizationDetails(value))
}

/// What a JSON value is, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The objects of an array; nothing for anything else.
fn entries(value: &Value) -> Vec<&Map<String, Value>> {
    match value {
        Value::Array(list) => list.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    }
}

/// The types asked for against the server's
/// `authorization_details_types_supported` (RFC 9396 §10): a warning for
/// each type it does not list, a note when it publishes no list.
pub fn check_types(asked: &AuthorizationDetails, supported: Option<&[String]>) -> Vec<Finding> {
    let Some(supported) = supported else {
        return vec![Finding::new(
            Severity::Info,
            "authorization_details_types_unknown",
            "the profile asks for authorization_details; the server's metadata has no authorization_details_types_supported, so it may not support rich authorization requests",
            Some("RFC 9396 §10"),
        )];
    };
    let mut seen = Vec::new();
    asked
        .types()
        .into_iter()
        .filter(|t| !supported.iter().any(|s| s == t))
        .filter(|t| {
            let new = !seen.contains(t);
            seen.push(*t);
            new
        })
        .map(|t| {
            Finding::new(
                Severity::Warning,
                "authorization_details_type_not_listed",
                format!(
                    "the profile asks for the authorization details type {t}, which the server does not list in authorization_details_types_supported (it lists: {}); it will answer invalid_authorization_details (RFC 9396 §5)",
                    if supported.is_empty() {
                        "nothing".to_string()
                    } else {
                        supported.join(", ")
                    }
                ),
                Some("RFC 9396 §10"),
            )
        })
        .collect()
}

/// What was asked and what the token response granted, side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AskedGranted {
    /// The `authorization_details` the client sent (RFC 9396 §3, §6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked: Option<Value>,
    /// The token response's `authorization_details` as sent (§7), whatever
    /// its shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted: Option<Value>,
}

/// Puts what was asked beside what the response granted into `tokens`,
/// with the finding comparing them. Nothing when neither is there.
pub fn attach(tokens: &mut TokenSet, asked: Option<&Value>) {
    let granted = tokens.raw.get(PARAMETER).cloned();
    if asked.is_none() && granted.is_none() {
        return;
    }
    tokens.findings.push(compare(asked, granted.as_ref()));
    tokens.authorization_details = Some(AskedGranted {
        asked: asked.cloned(),
        granted,
    });
}

/// The `authorization_details` of a form-encoded request body, as JSON
/// (what a step-by-step request, edited or not, actually asked).
pub fn asked_in_form(body: &[u8]) -> Option<Value> {
    url::form_urlencoded::parse(body)
        .find(|(name, _)| name == PARAMETER)
        .and_then(|(_, value)| serde_json::from_str(&value).ok())
}

/// How the granted details compare with those asked (RFC 9396 §7, §7.1).
pub fn compare(asked: Option<&Value>, granted: Option<&Value>) -> Finding {
    const REFERENCE: Option<&str> = Some("RFC 9396 §7");
    let (asked, granted) = match (asked, granted) {
        (None, Some(granted)) => {
            return Finding::new(
                Severity::Info,
                "authorization_details_unasked",
                format!(
                    "the token response carries authorization_details ({} entr{}) though none were asked: the server chose them (§7 lets it when the request has none)",
                    entries(granted).len(),
                    if entries(granted).len() == 1 {
                        "y"
                    } else {
                        "ies"
                    }
                ),
                REFERENCE,
            );
        }
        (Some(_), None | Some(Value::Null)) => {
            return Finding::new(
                Severity::Warning,
                "authorization_details_missing",
                "authorization_details were asked, but the token response does not say which were granted: RFC 9396 §7 says the server MUST return them; the token's rights are unknown to the client",
                REFERENCE,
            );
        }
        (None, None) => {
            return Finding::new(
                Severity::Info,
                "authorization_details_unasked",
                "no authorization_details were asked or granted",
                REFERENCE,
            );
        }
        (Some(asked), Some(granted)) => (asked, granted),
    };
    if let Some(problem) = malformed(granted) {
        return Finding::new(
            Severity::Warning,
            "authorization_details_malformed",
            format!(
                "the token response's authorization_details {problem}; RFC 9396 §7 returns them in the structure of §2 (an array of objects with a type)"
            ),
            REFERENCE,
        );
    }
    let asked_entries = entries(asked);
    let granted_entries = entries(granted);
    let mut wider = Vec::new();
    let mut enriched = Vec::new();
    for entry in &granted_entries {
        let kind = type_of(entry);
        let same_type: Vec<&&Map<String, Value>> = asked_entries
            .iter()
            .filter(|a| type_of(a) == kind)
            .collect();
        if same_type.is_empty() {
            wider.push(format!("type {kind} was not asked for"));
            continue;
        }
        if !same_type.iter().any(|a| within(entry, a)) {
            wider.push(extra_values(entry, &same_type));
        } else if !same_type
            .iter()
            .any(|a| entry.keys().all(|k| a.contains_key(k)))
        {
            enriched.push(kind.to_string());
        }
    }
    let mut narrower = Vec::new();
    for entry in &asked_entries {
        let kind = type_of(entry);
        let same_type: Vec<&&Map<String, Value>> = granted_entries
            .iter()
            .filter(|g| type_of(g) == kind)
            .collect();
        if same_type.is_empty() {
            narrower.push(format!("type {kind} was not granted"));
        } else if !same_type.iter().any(|g| within(entry, g)) {
            narrower.push(format!("{kind} was granted with less than asked"));
        }
    }
    if !wider.is_empty() {
        return Finding::new(
            Severity::Warning,
            "authorization_details_widened",
            format!(
                "the server granted more than was asked: {}. A token must not carry rights the client did not ask for and the user did not approve",
                wider.join("; ")
            ),
            REFERENCE,
        );
    }
    if !narrower.is_empty() {
        return Finding::new(
            Severity::Info,
            "authorization_details_narrowed",
            format!(
                "the server granted less than was asked: {}. The user or the server's policy narrowed the request (§7); calls that need the rest will be refused",
                narrower.join("; ")
            ),
            REFERENCE,
        );
    }
    if !enriched.is_empty() {
        return Finding::new(
            Severity::Info,
            "authorization_details_enriched",
            format!(
                "the server granted what was asked and added fields to {} — enrichment, which §7.1 allows where the type defines it",
                enriched.join(", ")
            ),
            Some("RFC 9396 §7.1"),
        );
    }
    Finding::new(
        Severity::Info,
        "authorization_details_as_asked",
        format!(
            "the server granted the authorization_details as asked ({})",
            asked_entries
                .iter()
                .map(|e| type_of(e))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        REFERENCE,
    )
}

/// What is wrong with the shape of granted details, if anything.
fn malformed(granted: &Value) -> Option<String> {
    let Value::Array(list) = granted else {
        return Some(format!("is {}, not an array", kind(granted)));
    };
    list.iter()
        .enumerate()
        .find_map(|(index, entry)| match entry {
            Value::Object(fields) if fields.get("type").is_some_and(Value::is_string) => None,
            Value::Object(_) => Some(format!("entry {} has no string type", index + 1)),
            other => Some(format!("entry {} is {}", index + 1, kind(other))),
        })
}

fn type_of(entry: &Map<String, Value>) -> &str {
    entry
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Whether `inner` asks for no more than `outer` in the common fields
/// both carry (RFC 9396 §2.2): each array's values among `outer`'s, the
/// same identifier. A field only one of them carries neither widens nor
/// narrows: the server may omit values (§7) or enrich (§7.1).
fn within(inner: &Map<String, Value>, outer: &Map<String, Value>) -> bool {
    let arrays_within = ARRAY_FIELDS.iter().all(|name| {
        match (
            inner.get(*name).and_then(Value::as_array),
            outer.get(*name).and_then(Value::as_array),
        ) {
            (Some(inner), Some(outer)) => inner.iter().all(|v| outer.contains(v)),
            _ => true,
        }
    });
    let identifier_same = match (inner.get("identifier"), outer.get("identifier")) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    arrays_within && identifier_same
}

/// The values of `entry` that none of the asked entries of its type has.
fn extra_values(entry: &Map<String, Value>, asked: &[&&Map<String, Value>]) -> String {
    let kind = type_of(entry);
    let mut extra = Vec::new();
    for name in ARRAY_FIELDS {
        let Some(values) = entry.get(name).and_then(Value::as_array) else {
            continue;
        };
        for value in values {
            let asked_somewhere = asked.iter().any(|a| {
                a.get(name)
                    .and_then(Value::as_array)
                    .is_none_or(|list| list.contains(value))
            });
            if !asked_somewhere {
                extra.push(format!("{name} {}", value.as_str().unwrap_or_default()));
            }
        }
    }
    if let Some(identifier) = entry.get("identifier").and_then(Value::as_str)
        && !asked.iter().any(|a| {
            a.get("identifier")
                .is_none_or(|i| i.as_str() == Some(identifier))
        })
    {
        extra.push(format!("identifier {identifier}"));
    }
    if extra.is_empty() {
        format!("{kind} goes beyond any one entry asked")
    } else {
        format!("{kind} has {}", extra.join(", "))
    }
}

#[cfg(test)]
mod tests;
