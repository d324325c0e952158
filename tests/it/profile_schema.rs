//! The profile format's JSON Schema (assets/profile.schema.json) against
//! real profiles: every preset validates, as do the profiles the app
//! saves; an unknown key or a value of the wrong type does not — as the
//! loader refuses them.

use oauth_debugger::engine::ProfileFile;

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../assets/profile.schema.json")).expect("JSON");
    jsonschema::validator_for(&schema).expect("a valid schema")
}

fn as_json(toml_text: &str) -> serde_json::Value {
    let value: toml::Value = toml::from_str(toml_text).expect("TOML");
    serde_json::to_value(value).expect("JSON")
}

#[test]
fn every_preset_validates() {
    let validator = validator();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/presets");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).expect("presets") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        let errors: Vec<String> = validator
            .iter_errors(&as_json(&text))
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        checked += 1;
    }
    assert!(checked >= 8, "the presets were read ({checked})");
}

#[test]
fn unknown_keys_and_wrong_types_are_refused_as_the_loader_refuses_them() {
    let validator = validator();
    for (text, what) in [
        ("client_idd = \"x\"\n", "an unknown key"),
        (
            "[api]\nurll = \"https://api.example\"\n",
            "an unknown key in a table",
        ),
        ("max_age = \"soon\"\n", "a string for a number"),
        ("grant_type = \"magic\"\n", "an unknown grant"),
        ("pkce = \"s256\"\n", "a PKCE method in the wrong case"),
    ] {
        assert!(
            !validator.is_valid(&as_json(text)),
            "{what} is refused by the schema"
        );
        assert!(
            toml::from_str::<ProfileFile>(text).is_err(),
            "{what} is refused by the loader"
        );
    }
}

#[test]
fn a_profile_the_app_saves_validates_and_names_the_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = oauth_debugger::engine::store::storage::ProfileStore::open(
        dir.path().to_path_buf(),
        oauth_debugger::engine::store::keychain::Keychain::none("test"),
    )
    .expect("store");
    let file: ProfileFile = toml::from_str(include_str!(
        "../../assets/presets/demo-authorization-code.toml"
    ))
    .expect("preset");
    let path = store.new_path("code");
    store.save(&path, &file).expect("saved");
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(
        text.starts_with("#:schema ./profile.schema.json\n"),
        "{text}"
    );
    let errors: Vec<String> = validator()
        .iter_errors(&as_json(&text))
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(dir.path().join("profile.schema.json").exists());
}
