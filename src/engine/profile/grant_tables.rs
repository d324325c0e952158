//! The profile tables of the extension grants: `[token_exchange]`
//! (RFC 8693 §2.1), `[jwt_bearer]` (RFC 7523 §2.1, §3) and `[ciba]`
//! (OpenID CIBA Core §4, §5, §7.1).
//!
//! As with the rest of a profile, the tables are read in two steps: the
//! `*File` structs are the TOML as written, and [`token_exchange`] /
//! [`jwt_bearer`] turn them into typed settings, collecting every problem
//! under its dotted key (`token_exchange.subject_token_type`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use crate::engine::profile::{AssertionAudience, Problem, SecretSource, non_empty, problem};
use crate::engine::store::secret::Secret;

mod ciba;
pub use ciba::*;

/// The token type identifiers of RFC 8693 §3 (and RFC 7519 §9 for `jwt`).
pub const TOKEN_TYPES: [&str; 6] = [
    "urn:ietf:params:oauth:token-type:access_token",
    "urn:ietf:params:oauth:token-type:refresh_token",
    "urn:ietf:params:oauth:token-type:id_token",
    "urn:ietf:params:oauth:token-type:saml1",
    "urn:ietf:params:oauth:token-type:saml2",
    "urn:ietf:params:oauth:token-type:jwt",
];

/// `urn:ietf:params:oauth:token-type:access_token`.
pub const ACCESS_TOKEN_TYPE: &str = TOKEN_TYPES[0];

/// One value or a list, as TOML lets a profile write `audience`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    /// `audience = "a"`.
    One(String),
    /// `audience = ["a", "b"]`.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values, trimmed, empty ones left out.
    pub fn values(&self) -> Vec<String> {
        match self {
            Self::One(one) => vec![one.clone()],
            Self::Many(many) => many.clone(),
        }
        .into_iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
    }
}

/// The `[token_exchange]` table as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenExchangeFile {
    /// The subject token itself, in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_token: Option<Secret>,
    /// The name of an environment variable that holds the subject token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_token_env: Option<String>,
    /// `access_token`, `id_token` or `refresh_token`: the subject is one of
    /// this profile's current tokens (in the app).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// An RFC 8693 §3 token type URN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_token_type: Option<String>,
    /// The actor token, in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_token: Option<Secret>,
    /// The name of an environment variable that holds the actor token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_token_env: Option<String>,
    /// The actor token's type URN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_token_type: Option<String>,
    /// The type of token asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_token_type: Option<String>,
    /// Logical names of the target services (one or a list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<OneOrMany>,
    /// Absolute URIs of the target resources (one or a list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<OneOrMany>,
}

/// Which of the profile's current tokens is the subject (`from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurrentToken {
    /// `access_token`.
    AccessToken,
    /// `id_token`.
    IdToken,
    /// `refresh_token`.
    RefreshToken,
}

impl CurrentToken {
    /// As written in `from`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccessToken => "access_token",
            Self::IdToken => "id_token",
            Self::RefreshToken => "refresh_token",
        }
    }

    /// Its token type URN (RFC 8693 §3).
    pub fn token_type(self) -> &'static str {
        match self {
            Self::AccessToken => TOKEN_TYPES[0],
            Self::RefreshToken => TOKEN_TYPES[1],
            Self::IdToken => TOKEN_TYPES[2],
        }
    }
}

/// Where the subject token comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenSource {
    /// The file or an environment variable.
    Given(SecretSource),
    /// One of the profile's current tokens.
    Current(CurrentToken),
}

/// `[token_exchange]`, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenExchangeSettings {
    /// The subject token, when the table names one (the CLI's
    /// `--subject-token` may give it instead).
    pub subject: Option<TokenSource>,
    /// Its type; the `from` token's type, else the access token type.
    pub subject_token_type: String,
    /// The actor token, when there is one.
    pub actor: Option<SecretSource>,
    /// Its type (the access token type when not written).
    pub actor_token_type: String,
    /// `requested_token_type`.
    pub requested_token_type: Option<String>,
    /// `audience` values.
    pub audience: Vec<String>,
    /// `resource` values.
    pub resource: Vec<String>,
}

impl Default for TokenExchangeSettings {
    fn default() -> Self {
        Self {
            subject: None,
            subject_token_type: ACCESS_TOKEN_TYPE.to_string(),
            actor: None,
            actor_token_type: ACCESS_TOKEN_TYPE.to_string(),
            requested_token_type: None,
            audience: Vec::new(),
            resource: Vec::new(),
        }
    }
}

/// The `[jwt_bearer]` table as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JwtBearerFile {
    /// A ready-made assertion (a JWT), in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assertion: Option<Secret>,
    /// The name of an environment variable that holds the assertion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assertion_env: Option<String>,
    /// `iss`; the client_id when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// `sub`: the principal the token is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// `aud`: `issuer` (default), `token_endpoint`, or a value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// Seconds from `iat` to `exp`; 300 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifetime: Option<u64>,
    /// More claims, added as written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub claims: BTreeMap<String, Value>,
}

/// The assertion's lifetime when the table names none.
pub const DEFAULT_ASSERTION_LIFETIME: u64 = 300;

/// The longest lifetime a profile may give an assertion (one day).
pub const MAX_ASSERTION_LIFETIME: u64 = 86_400;

/// `[jwt_bearer]`, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct JwtBearerSettings {
    /// A ready-made assertion; otherwise one is built and signed.
    pub assertion: Option<SecretSource>,
    /// `iss` (the client_id when `None`).
    pub iss: Option<String>,
    /// `sub` (the client_id when `None`).
    pub sub: Option<String>,
    /// `aud`.
    pub audience: AssertionAudience,
    /// Seconds from `iat` to `exp`.
    pub lifetime: u64,
    /// Extra claims.
    pub claims: Map<String, Value>,
}

impl Default for JwtBearerSettings {
    fn default() -> Self {
        Self {
            assertion: None,
            iss: None,
            sub: None,
            audience: AssertionAudience::Issuer,
            lifetime: DEFAULT_ASSERTION_LIFETIME,
            claims: Map::new(),
        }
    }
}

/// A secret written inline or named by an environment variable, not both.
fn given(
    key: &str,
    inline: &Option<Secret>,
    env: &Option<String>,
    problems: &mut Vec<Problem>,
) -> Option<SecretSource> {
    let inline = inline.as_ref().filter(|s| !s.is_empty());
    match (inline, non_empty(env)) {
        (Some(_), Some(_)) => {
            problems.push(problem(
                key,
                format!("set either {key} or {key}_env, not both"),
            ));
            None
        }
        (Some(secret), None) => Some(SecretSource::Inline(secret.clone())),
        (None, Some(var)) => Some(SecretSource::Env(var)),
        (None, None) => None,
    }
}

/// A token type URN of RFC 8693 §3, or a problem with a suggestion.
fn token_type(key: &str, value: &Option<String>, problems: &mut Vec<Problem>) -> Option<String> {
    let value = non_empty(value)?;
    if TOKEN_TYPES.contains(&value.as_str()) {
        return Some(value);
    }
    let mut message = format!(
        "\"{value}\" is not a token type identifier of RFC 8693 §3 ({})",
        TOKEN_TYPES.join(", ")
    );
    if let Some(hint) = suggest_token_type(&value) {
        message.push_str(&format!("; did you mean `{hint}`?"));
    }
    problems.push(problem(key, message));
    None
}

/// The registered URN `value` most likely meant: the one it names without
/// the prefix (`access_token`), or the nearest by edit distance.
pub fn suggest_token_type(value: &str) -> Option<&'static str> {
    let short = value
        .trim()
        .rsplit([':', '/'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
        .replace('-', "_");
    if let Some(exact) = TOKEN_TYPES
        .iter()
        .find(|t| t.rsplit(':').next() == Some(short.as_str()))
    {
        return Some(exact);
    }
    TOKEN_TYPES
        .iter()
        .map(|t| (distance(&value.to_ascii_lowercase(), t), *t))
        .filter(|(d, _)| *d <= 4)
        .min_by_key(|(d, _)| *d)
        .map(|(_, t)| t)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substituted = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substituted.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// Validates `[token_exchange]` (RFC 8693 §2.1).
pub fn token_exchange(
    file: &TokenExchangeFile,
    problems: &mut Vec<Problem>,
) -> TokenExchangeSettings {
    let key = |name: &str| format!("token_exchange.{name}");
    let literal = given(
        &key("subject_token"),
        &file.subject_token,
        &file.subject_token_env,
        problems,
    );
    let from = non_empty(&file.from).and_then(|name| {
        let current = [
            CurrentToken::AccessToken,
            CurrentToken::IdToken,
            CurrentToken::RefreshToken,
        ]
        .into_iter()
        .find(|c| c.as_str() == name);
        if current.is_none() {
            problems.push(problem(
                &key("from"),
                format!("\"{name}\" is none of access_token, id_token, refresh_token"),
            ));
        }
        current
    });
    let subject = match (literal, from) {
        (Some(_), Some(_)) => {
            problems.push(problem(
                &key("from"),
                "name the subject token once: subject_token, subject_token_env or from",
            ));
            None
        }
        (Some(given), None) => Some(TokenSource::Given(given)),
        (None, Some(current)) => Some(TokenSource::Current(current)),
        (None, None) => None,
    };
    let subject_token_type = token_type(
        &key("subject_token_type"),
        &file.subject_token_type,
        problems,
    )
    .or_else(|| from.map(|c| c.token_type().to_string()))
    .unwrap_or_else(|| ACCESS_TOKEN_TYPE.to_string());
    let actor = given(
        &key("actor_token"),
        &file.actor_token,
        &file.actor_token_env,
        problems,
    );
    let actor_token_type = token_type(&key("actor_token_type"), &file.actor_token_type, problems)
        .unwrap_or_else(|| ACCESS_TOKEN_TYPE.to_string());
    let requested_token_type = token_type(
        &key("requested_token_type"),
        &file.requested_token_type,
        problems,
    );
    let audience = file
        .audience
        .as_ref()
        .map(OneOrMany::values)
        .unwrap_or_default();
    let resource = file
        .resource
        .as_ref()
        .map(OneOrMany::values)
        .unwrap_or_default();
    for value in &resource {
        // RFC 8693 §2.1: an absolute URI without a fragment.
        match Url::parse(value) {
            Ok(url) if url.fragment().is_some() => problems.push(problem(
                &key("resource"),
                format!("\"{value}\" has a fragment; a resource is an absolute URI without one (RFC 8693 §2.1)"),
            )),
            Ok(_) => {}
            Err(_) => problems.push(problem(
                &key("resource"),
                format!("\"{value}\" is not an absolute URI (RFC 8693 §2.1); a logical name goes in audience"),
            )),
        }
    }
    TokenExchangeSettings {
        subject,
        subject_token_type,
        actor,
        actor_token_type,
        requested_token_type,
        audience,
        resource,
    }
}

/// Validates `[jwt_bearer]` (RFC 7523 §2.1, §3). `key_file_given` says
/// whether the profile names `signing_key_file`, which signs a built
/// assertion.
pub fn jwt_bearer(
    file: &JwtBearerFile,
    key_file_given: bool,
    problems: &mut Vec<Problem>,
) -> JwtBearerSettings {
    let key = |name: &str| format!("jwt_bearer.{name}");
    let assertion = given(
        &key("assertion"),
        &file.assertion,
        &file.assertion_env,
        problems,
    );
    if assertion.is_none() && !key_file_given {
        problems.push(problem(
            "jwt_bearer",
            "a built assertion is signed with signing_key_file; set it, or give a ready-made assertion (assertion or assertion_env)",
        ));
    }
    let audience = match non_empty(&file.aud).as_deref() {
        None | Some("issuer") => AssertionAudience::Issuer,
        Some("token_endpoint") => AssertionAudience::TokenEndpoint,
        Some(other) => AssertionAudience::Url(other.to_string()),
    };
    let lifetime = match file.lifetime {
        Some(0) => {
            problems.push(problem(&key("lifetime"), "must be at least 1 second"));
            DEFAULT_ASSERTION_LIFETIME
        }
        Some(secs) if secs > MAX_ASSERTION_LIFETIME => {
            problems.push(problem(
                &key("lifetime"),
                format!("must be at most {MAX_ASSERTION_LIFETIME} seconds (one day); RFC 7523 §3 asks servers to refuse long-lived assertions"),
            ));
            DEFAULT_ASSERTION_LIFETIME
        }
        Some(secs) => secs,
        None => DEFAULT_ASSERTION_LIFETIME,
    };

    let reserved = ["iss", "sub", "aud", "exp", "iat", "jti"];
    for name in file.claims.keys() {
        if reserved.contains(&name.as_str()) {
            problems.push(problem(
                &key("claims"),
                format!(
                    "`{name}` is set by the table's own key or by the client; take it out of claims"
                ),
            ));
        }
    }
    JwtBearerSettings {
        assertion,
        iss: non_empty(&file.iss),
        sub: non_empty(&file.sub),
        audience,
        lifetime,
        claims: file
            .claims
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

#[cfg(test)]
mod tests;
