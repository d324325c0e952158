//! The profile format's JSON Schema, generated from the profile types
//! ([`ProfileFile`] and the tables in it) with `schemars`, so it cannot
//! drift from what the loader reads: unknown keys are refused
//! (`additionalProperties: false`) as the loader refuses them.
//!
//! It is shipped as `assets/profile.schema.json` (a test keeps the two
//! equal) and written beside the profiles the app saves, whose first line
//! is the Taplo directive `#:schema ./profile.schema.json`, so editors with
//! Taplo (VS Code's Even Better TOML, Helix, Zed) validate and complete
//! profile files. Draft 7, which those editors read.

use serde_json::Value;

use crate::engine::ProfileFile;

/// The schema's file name beside the profiles.
pub const FILE_NAME: &str = "profile.schema.json";

/// The first line of a saved profile: where editors find the schema.
pub const DIRECTIVE: &str = "#:schema ./profile.schema.json";

/// The schema, pretty-printed, ending with a newline.
pub fn profile_schema() -> String {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let mut schema = generator.into_root_schema_for::<ProfileFile>().to_value();
    schema["title"] = "oauth-debugger profile".into();
    drop_null(&mut schema);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// TOML has no null (a value is left out by leaving out its key): takes
/// `null` out of `type` lists and `anyOf` alternatives, which `Option`
/// fields bring.
fn drop_null(value: &mut Value) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            items.iter_mut().for_each(drop_null);
        }
        return;
    };
    if let Some(Value::Array(types)) = map.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            map.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(choices)) = map.get_mut("anyOf") {
        choices.retain(|c| c.get("type").is_none_or(|t| t != "null"));
        if choices.len() == 1 {
            let only = choices.remove(0);
            map.remove("anyOf");
            if let Value::Object(only) = only {
                for (key, value) in only {
                    map.entry(key).or_insert(value);
                }
            }
        }
    }
    map.values_mut().for_each(drop_null);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_schema_is_the_generated_one() {
        let shipped = include_str!("../../../assets/profile.schema.json");
        assert!(
            shipped == profile_schema(),
            "assets/profile.schema.json is out of date: run `cargo run -- schema > assets/profile.schema.json`"
        );
    }

    #[test]
    fn unknown_keys_are_refused_and_tables_are_described() {
        let schema: serde_json::Value = serde_json::from_str(&profile_schema()).expect("JSON");
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        let properties = schema["properties"].as_object().expect("properties");
        for key in [
            "client_id",
            "grant_type",
            "acr_values",
            "token_exchange",
            "api",
        ] {
            assert!(properties.contains_key(key), "{key}");
        }
    }
}
