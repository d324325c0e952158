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

/// The `[ciba]` table as written: the authentication request's parameters
/// (CIBA Core §7.1) and how the result is delivered (§5; client metadata
/// of §4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CibaFile {
    /// `poll` (default) or `ping` (§5); `push` is not supported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_token_delivery_mode: Option<String>,
    /// Ping mode: the notification endpoint registered for the client
    /// (§4), a loopback `http://127.0.0.1:PORT/path` this debugger serves.
    /// Absent: it serves one on a free port and says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_client_notification_endpoint: Option<String>,
    /// `login_hint`: who is to authenticate, as the server knows them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_hint: Option<String>,
    /// `login_hint_token`: a token naming the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_hint_token: Option<Secret>,
    /// `id_token_hint`: an ID token the server issued for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_hint: Option<Secret>,
    /// `binding_message`: shown on both devices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding_message: Option<String>,
    /// `user_code`: a secret the user knows (§7.1.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_code: Option<Secret>,
    /// `requested_expiry`: seconds the client asks the auth_req_id to live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_expiry: Option<u64>,
}

impl CibaFile {
    /// The table without its secrets (`login_hint_token`, `id_token_hint`,
    /// `user_code`), for sharing.
    pub fn without_secrets(self) -> Self {
        Self {
            login_hint_token: None,
            id_token_hint: None,
            user_code: None,
            ..self
        }
    }
}

/// How the client learns the result (CIBA Core §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryMode {
    /// The client polls the token endpoint.
    #[default]
    Poll,
    /// The server calls the client's notification endpoint, then the
    /// client asks the token endpoint once.
    Ping,
}

impl DeliveryMode {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Poll => "poll",
            Self::Ping => "ping",
        }
    }
}

/// Who is to authenticate: exactly one hint (CIBA Core §7.1).
#[derive(Debug, Clone, PartialEq)]
pub enum LoginHint {
    /// `login_hint`.
    LoginHint(String),
    /// `login_hint_token`.
    LoginHintToken(Secret),
    /// `id_token_hint`.
    IdTokenHint(Secret),
}

impl LoginHint {
    /// The parameter's name and value.
    pub fn param(&self) -> (&'static str, String) {
        match self {
            Self::LoginHint(hint) => ("login_hint", hint.clone()),
            Self::LoginHintToken(token) => ("login_hint_token", token.expose().to_string()),
            Self::IdTokenHint(token) => ("id_token_hint", token.expose().to_string()),
        }
    }
}

/// The longest `binding_message` accepted here; the spec asks it be
/// "relatively short" (§7.1) and servers refuse long ones
/// (`invalid_binding_message`, §13).
pub const MAX_BINDING_MESSAGE: usize = 256;

/// `[ciba]`, validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CibaSettings {
    /// Poll or ping.
    pub mode: DeliveryMode,
    /// Ping: the registered loopback notification endpoint, when written.
    pub notification_endpoint: Option<Url>,
    /// The hint, when the table names one (`--login-hint` may give it).
    pub hint: Option<LoginHint>,
    /// `binding_message`.
    pub binding_message: Option<String>,
    /// `user_code`.
    pub user_code: Option<Secret>,
    /// `requested_expiry`.
    pub requested_expiry: Option<u64>,
}

/// Validates `[ciba]` (CIBA Core §4, §5, §7.1).
pub fn ciba(file: &CibaFile, problems: &mut Vec<Problem>) -> CibaSettings {
    let key = |name: &str| format!("ciba.{name}");
    let mode = match non_empty(&file.backchannel_token_delivery_mode).as_deref() {
        None | Some("poll") => DeliveryMode::Poll,
        Some("ping") => DeliveryMode::Ping,
        Some("push") => {
            problems.push(problem(
                &key("backchannel_token_delivery_mode"),
                "push is not supported here: the server would POST the tokens themselves to the client (CIBA Core §5, §10.3); use poll or ping",
            ));
            DeliveryMode::Poll
        }
        Some(other) => {
            problems.push(problem(
                &key("backchannel_token_delivery_mode"),
                format!("\"{other}\" is none of poll, ping (CIBA Core §5)"),
            ));
            DeliveryMode::Poll
        }
    };
    let notification_endpoint =
        non_empty(&file.backchannel_client_notification_endpoint).and_then(|value| {
            match loopback_endpoint(&value) {
                Ok(url) => Some(url),
                Err(message) => {
                    problems.push(problem(
                        &key("backchannel_client_notification_endpoint"),
                        message,
                    ));
                    None
                }
            }
        });
    let hints: Vec<LoginHint> = [
        non_empty(&file.login_hint).map(LoginHint::LoginHint),
        file.login_hint_token
            .clone()
            .filter(|s| !s.is_empty())
            .map(LoginHint::LoginHintToken),
        file.id_token_hint
            .clone()
            .filter(|s| !s.is_empty())
            .map(LoginHint::IdTokenHint),
    ]
    .into_iter()
    .flatten()
    .collect();
    if hints.len() > 1 {
        problems.push(problem(
            &key("login_hint"),
            "set exactly one of login_hint, login_hint_token, id_token_hint (CIBA Core §7.1)",
        ));
    }
    let binding_message = non_empty(&file.binding_message);
    if let Some(message) = &binding_message
        && message.chars().count() > MAX_BINDING_MESSAGE
    {
        problems.push(problem(
            &key("binding_message"),
            format!(
                "is {} characters; keep it short enough to show on a phone (at most {MAX_BINDING_MESSAGE}, CIBA Core §7.1)",
                message.chars().count()
            ),
        ));
    }
    if file.requested_expiry == Some(0) {
        problems.push(problem(
            &key("requested_expiry"),
            "must be a positive number of seconds (CIBA Core §7.1)",
        ));
    }
    CibaSettings {
        mode,
        notification_endpoint,
        hint: hints.into_iter().next(),
        binding_message,
        user_code: file.user_code.clone().filter(|s| !s.is_empty()),
        requested_expiry: file.requested_expiry.filter(|secs| *secs > 0),
    }
}

/// A notification endpoint this debugger can serve: `http` on a loopback
/// address with an explicit port.
fn loopback_endpoint(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|err| format!("\"{value}\" is not a URL: {err}"))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() != "http" || !loopback {
        return Err(format!(
            "\"{value}\": this debugger serves the notification endpoint itself, on http://127.0.0.1:PORT/path; a server on the internet cannot reach it, so register a loopback URL or use poll mode"
        ));
    }
    if url.port().is_none() {
        return Err(format!(
            "\"{value}\" names no port; write the port registered with the server"
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests;
