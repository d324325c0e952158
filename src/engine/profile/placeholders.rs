//! Placeholders in presets: `{tenant}`, `{realm}`, `{domain}`… written in a
//! preset's values where each user's own value goes (a provider preset
//! cannot know your Entra tenant or your Keycloak realm).
//!
//! A placeholder is `{name}` with `name` made of lower-case letters, digits
//! and `_`, starting with a letter — so JSON objects (`{"type": …}`) are
//! never mistaken for one. A profile that still has one is refused by
//! [`super::Profile::from_file`] with a message naming each; the app asks
//! for them on "New from preset" and [`fill`] substitutes them.

use std::path::Path;

use super::{Problem, ProfileError, ProfileFile};

/// One placeholder found in a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// The name between the braces (`tenant`).
    pub name: String,
    /// The profile key it was first found in (`token_endpoint`, `api.url`).
    pub key: Option<String>,
}

impl Placeholder {
    /// `{name}`, as written in the profile.
    pub fn written(&self) -> String {
        format!("{{{}}}", self.name)
    }

    /// What to type for it, for people.
    pub fn hint(&self) -> &'static str {
        hint(&self.name)
    }
}

/// What to type for placeholder `name`.
pub fn hint(name: &str) -> &'static str {
    match name {
        "tenant" => {
            "Your Microsoft Entra directory (tenant) ID or a verified domain (contoso.onmicrosoft.com); organizations or common for multi-tenant apps"
        }
        "realm" => "The Keycloak realm name, as in /realms/<realm>",
        "host" => "The server's host and port, e.g. keycloak.example.com or localhost:8080",
        "domain" => {
            "Your tenant's domain as the provider's console shows it, e.g. dev-123456.okta.com or example.us.auth0.com"
        }
        "authorization_server" => {
            "The Okta custom authorization server's ID, e.g. default (Security › API › Authorization Servers)"
        }
        "audience" => "The API identifier the access token is for (Auth0: Applications › APIs)",
        "domain_prefix" => {
            "The user pool's domain prefix (Cognito: App integration › Domain), the part before .auth."
        }
        "region" => "The AWS region of the user pool, e.g. eu-west-1",
        "user_pool_id" => "The user pool ID, e.g. eu-west-1_AbCdEf123",
        "api_scope" => {
            "The application ID URI of the API to call, e.g. api://<app-id> (client credentials ask for <uri>/.default)"
        }
        _ => "The value this preset needs here",
    }
}

/// The placeholders in `file`, each once, in the order they first appear.
pub fn find(file: &ProfileFile) -> Vec<Placeholder> {
    find_in_text(&file.to_toml())
}

/// The placeholders in profile TOML text.
fn find_in_text(text: &str) -> Vec<Placeholder> {
    let mut found: Vec<Placeholder> = Vec::new();
    let mut table = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') {
            continue;
        }
        if let Some(header) = trimmed.strip_prefix('[') {
            table = header
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_string();
            continue;
        }
        let key = trimmed.split_once('=').map(|(lhs, _)| {
            let lhs = lhs.trim().trim_matches('"');
            if table.is_empty() {
                lhs.to_string()
            } else {
                format!("{table}.{lhs}")
            }
        });
        for name in names_in(trimmed) {
            if !found.iter().any(|p| p.name == name) {
                found.push(Placeholder {
                    name,
                    key: key.clone(),
                });
            }
        }
    }
    found
}

/// Every `{name}` in `text`.
fn names_in(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            break;
        };
        let name = &after[..close];
        let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if valid {
            names.push(name.to_string());
            rest = &after[close + 1..];
        } else {
            rest = after;
        }
    }
    names
}

/// `file` with each `(name, value)` substituted for `{name}`. Values are
/// trimmed; an empty value is refused, as is a value that itself looks like
/// a placeholder or would break the TOML (a quote or a line break).
pub fn fill(file: &ProfileFile, values: &[(String, String)]) -> Result<ProfileFile, ProfileError> {
    let mut text = file.to_toml();
    let mut problems = Vec::new();
    for (name, value) in values {
        let value = value.trim();
        if value.is_empty() {
            problems.push(Problem {
                key: None,
                line: None,
                message: format!("{{{name}}} is empty: {}", hint(name)),
            });
            continue;
        }
        if value.contains(['"', '\\', '\n', '\r', '{', '}']) {
            problems.push(Problem {
                key: None,
                line: None,
                message: format!(
                    "{{{name}}} may not contain quotes, backslashes, braces or line breaks"
                ),
            });
            continue;
        }
        text = text.replace(&format!("{{{name}}}"), value);
    }
    if !problems.is_empty() {
        return Err(ProfileError {
            path: None,
            problems,
        });
    }
    ProfileFile::parse(&text, Path::new("profile.toml"))
}

/// Refuses a profile that still has placeholders, naming each, where it is
/// and what to type.
pub fn refuse_unfilled(file: &ProfileFile) -> Result<(), ProfileError> {
    let found = find(file);
    if found.is_empty() {
        return Ok(());
    }
    let problems = found
        .iter()
        .map(|p| Problem {
            key: p.key.clone(),
            line: None,
            message: format!(
                "the placeholder {} is not filled in: replace it with your value ({}); the app asks for it on New from preset",
                p.written(),
                p.hint()
            ),
        })
        .collect();
    Err(ProfileError {
        path: None,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> ProfileFile {
        ProfileFile::parse(text, Path::new("p.toml")).expect("parses")
    }

    #[test]
    fn placeholders_are_found_once_with_their_key() {
        let p = file(
            "issuer = \"https://login.microsoftonline.com/{tenant}/v2.0\"\n\
             token_endpoint = \"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token\"\n\
             scope = \"{api_scope}/.default\"\n\
             [api]\nurl = \"https://{host}/x\"\n",
        );
        let found = find(&p);
        let names: Vec<_> = found.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["tenant", "api_scope", "host"]);
        assert_eq!(found[0].key.as_deref(), Some("issuer"));
        assert_eq!(found[2].key.as_deref(), Some("api.url"));
    }

    #[test]
    fn json_and_empty_braces_are_not_placeholders() {
        assert!(names_in(r#"x = '{"type":"a"}' {} {Tenant} {9x}"#).is_empty());
        assert_eq!(names_in("a {realm} b {x_1}"), ["realm", "x_1"]);
    }

    #[test]
    fn unfilled_profiles_are_refused_naming_the_placeholders() {
        let p = file("token_endpoint = \"https://{domain}/oauth/token\"\nclient_id = \"x\"\n");
        let err = refuse_unfilled(&p).expect_err("refused");
        let text = err.to_string();
        assert!(text.contains("token_endpoint"), "{text}");
        assert!(text.contains("{domain}"), "{text}");
        let filled = fill(&p, &[("domain".into(), " dev-1.okta.com ".into())]).expect("filled");
        assert_eq!(
            filled.token_endpoint.as_deref(),
            Some("https://dev-1.okta.com/oauth/token")
        );
        refuse_unfilled(&filled).expect("no placeholders left");
    }

    #[test]
    fn empty_or_unsafe_values_are_refused() {
        let p = file("issuer = \"https://{host}/realms/{realm}\"\n");
        let err = fill(
            &p,
            &[("host".into(), " ".into()), ("realm".into(), "a\"b".into())],
        )
        .expect_err("refused");
        assert_eq!(err.problems.len(), 2);
    }
}
