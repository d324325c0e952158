//! The `[ciba]` table (OpenID CIBA Core): as written, and validated into\n[`CibaSettings`].

use crate::engine::profile::{Problem, non_empty, problem};
use crate::engine::store::secret::Secret;
use serde::{Deserialize, Serialize};
use url::Url;

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
pub(super) fn loopback_endpoint(value: &str) -> Result<Url, String> {
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
