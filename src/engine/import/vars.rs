//! Template variables: `{{name}}` (Postman, Bruno) and `{{ _.name }}`
//! (Insomnia, dotted paths into nested environment data).
//!
//! A value may itself use variables; they are resolved in turn, a few
//! levels deep (a variable that refers to itself stays as it is). A
//! variable defined nowhere stays in the text as written and is reported.

use std::collections::BTreeMap;

/// Variables by name; later definitions win over earlier ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    values: BTreeMap<String, String>,
}

/// A resolved text and the variables it still uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The text, variables replaced where defined.
    pub text: String,
    /// Names defined nowhere, in order of appearance.
    pub unresolved: Vec<String>,
}

/// How deep a variable's value may refer to other variables.
const DEPTH: usize = 8;

impl Vars {
    /// Sets `name` (later calls win).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    /// Sets every leaf of a JSON object under its dotted path (`a.b.c`), and
    /// every top-level value under its own name.
    pub fn set_json(&mut self, prefix: &str, value: &serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    let name = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    self.set_json(&name, value);
                }
            }
            serde_json::Value::String(text) => self.set(prefix, text.clone()),
            serde_json::Value::Null => {}
            other if !prefix.is_empty() => self.set(prefix, other.to_string()),
            _ => {}
        }
    }

    /// Every variable, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.values.iter()
    }

    /// Whether `name` is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// How many are defined.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether none are.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `text` with its variables replaced.
    pub fn resolve(&self, text: &str) -> Resolved {
        let mut unresolved = Vec::new();
        let text = self.resolve_at(text, DEPTH, &mut unresolved);
        Resolved { text, unresolved }
    }

    fn resolve_at(&self, text: &str, depth: usize, unresolved: &mut Vec<String>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                out.push_str(&rest[start..]);
                return out;
            };
            let written = &rest[start..start + 2 + end + 2];
            let name = variable_name(&after[..end]);
            match self.values.get(&name) {
                Some(value) if depth > 0 => {
                    out.push_str(&self.resolve_at(value, depth - 1, unresolved));
                }
                _ => {
                    if !unresolved.contains(&name) {
                        unresolved.push(name);
                    }
                    out.push_str(written);
                }
            }
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        out
    }
}

/// `{{ _.base_url }}` and `{{base_url}}` both name `base_url`; Bruno's
/// `{{process.env.X}}` stays as written.
fn variable_name(inside: &str) -> String {
    let name = inside.trim();
    name.strip_prefix("_.").unwrap_or(name).trim().to_string()
}

/// Insomnia's template tags (`{% response ... %}`, `{% uuid %}`) in `text`.
pub(crate) fn template_tags(text: &str) -> Vec<String> {
    let mut tags = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{%") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("%}") else { break };
        tags.push(after[..end].trim().to_string());
        rest = &after[end + 2..];
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_nested_and_reports_the_undefined() {
        let mut vars = Vars::default();
        vars.set("host", "as.example");
        vars.set("base", "https://{{host}}");
        vars.set("loop", "{{loop}}");
        let resolved = vars.resolve("{{base}}/token?x={{ missing }}&y={{ _.host }}");
        assert_eq!(
            resolved.text,
            "https://as.example/token?x={{ missing }}&y=as.example"
        );
        assert_eq!(resolved.unresolved, vec!["missing"]);
        let looped = vars.resolve("{{loop}}");
        assert_eq!(looped.text, "{{loop}}");
        assert_eq!(vars.resolve("a {{ b").text, "a {{ b");
    }

    #[test]
    fn json_data_is_reachable_by_dotted_path() {
        let mut vars = Vars::default();
        vars.set_json(
            "",
            &serde_json::json!({"auth": {"client": "abc", "n": 3}, "url": "u"}),
        );
        assert_eq!(
            vars.resolve("{{ _.auth.client }}-{{auth.n}}-{{url}}").text,
            "abc-3-u"
        );
        assert_eq!(template_tags("a {% uuid 'v4' %} b"), vec!["uuid 'v4'"]);
    }
}
