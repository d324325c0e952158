//! What the engine's answers become for display: API answers laid out off
//! the UI thread, grant failures with their findings and explanation, and
//! ending a token (logout or revocation) as one call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::app::session::ProfileId;
use crate::app::widgets::json_tree::JsonTree;
use crate::engine::client::dpop::DpopKey;
use crate::engine::endpoints::api::ApiResponse;
use crate::engine::endpoints::revoke::{self, TokenHint};
use crate::engine::profile::DpopSettings;
use crate::engine::wire::http::{HttpClient, Recorder};
use crate::engine::{EngineError, Explanation, Finding, GrantType, Profile, Secret, Stage};

/// How to end a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndToken {
    /// The profile's `[logout]` request, with the access token.
    Logout,
    /// RFC 7009 revocation of this kind of token.
    Revoke(TokenHint),
}

/// An API response with its body laid out for display, prepared off the
/// UI thread so a large body never stalls a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiAnswer {
    /// The response.
    pub response: ApiResponse,
    /// The body, pretty-printed when it is JSON, one entry per line.
    pub lines: Vec<String>,
    /// True when the body parsed as JSON.
    pub json: bool,
    /// The JSON body as a tree, when it is JSON.
    pub tree: Option<JsonTree>,
    /// The body carries a `client_id` and a `client_secret` (a client
    /// account was created), so a profile can be made from it.
    pub client_account: bool,
    /// What a refusal's OAuth error code means.
    pub explanation: Option<Explanation>,
    /// The body with its secrets (tokens, client secrets…) masked, laid out
    /// the same way; `None` when it has none. Shown until secrets are revealed.
    pub masked: Option<Box<MaskedBody>>,
}

/// A response body with its secrets masked.
#[derive(Debug, Clone, PartialEq)]
pub struct MaskedBody {
    /// Pretty-printed lines.
    pub lines: Vec<String>,
    /// As a tree.
    pub tree: JsonTree,
}

impl ApiAnswer {
    /// The lines and tree to show: masked unless `reveal`.
    pub fn shown(&self, reveal: bool) -> (&[String], Option<&JsonTree>) {
        match &self.masked {
            Some(masked) if !reveal => (&masked.lines, Some(&masked.tree)),
            _ => (&self.lines, self.tree.as_ref()),
        }
    }

    /// Lays out `response`'s body (call off the UI thread).
    pub fn new(response: ApiResponse) -> Self {
        let body = response
            .exchange
            .response
            .as_ref()
            .map(|r| r.body.as_ref())
            .unwrap_or_default();
        let value = serde_json::from_slice::<serde_json::Value>(body).ok();
        let pretty = value
            .as_ref()
            .and_then(|value| serde_json::to_string_pretty(value).ok());
        let json = pretty.is_some();
        let text = pretty.unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
        let client_account = value.as_ref().is_some_and(|v| {
            v.get("client_id").is_some_and(serde_json::Value::is_string)
                && v.get("client_secret")
                    .is_some_and(serde_json::Value::is_string)
        });
        let masked = value.as_ref().and_then(|value| {
            let mut masked = value.clone();
            let secrets = crate::engine::wire::redact::mask_json(&mut masked);
            let personal = crate::engine::wire::redact::mask_personal(&mut masked);
            if !secrets && !personal {
                return None;
            }
            let pretty = serde_json::to_string_pretty(&masked).ok()?;
            Some(Box::new(MaskedBody {
                lines: pretty.lines().map(str::to_string).collect(),
                tree: JsonTree::build(&masked),
            }))
        });
        Self {
            lines: text.lines().map(str::to_string).collect(),
            masked,
            client_account,
            json,
            tree: value.as_ref().map(JsonTree::build),
            explanation: response.explanation(),
            response,
        }
    }
}

/// Why a grant produced no tokens, for display.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantFailure {
    /// The error, one line.
    pub message: String,
    /// What was odd about the response.
    pub findings: Vec<Finding>,
    /// The exchange that shows it, if any.
    pub exchange_id: Option<u64>,
    /// What an OAuth error means at the step where it came.
    pub explanation: Option<Box<Explanation>>,
}

impl GrantFailure {
    /// A failure that is only a message (nothing was exchanged).
    pub fn message(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            findings: Vec::new(),
            exchange_id: None,
            explanation: None,
        }
    }

    /// The failure of a run of `grant`.
    pub fn new(err: EngineError, grant: GrantType) -> Self {
        let stage = Stage::of_grant_error(grant, &err);
        Self::at(err, stage)
    }

    /// A failure at `stage` (a revocation, a logout call).
    pub fn at(err: EngineError, stage: Stage) -> Self {
        Self {
            message: err.to_string(),
            findings: err.findings(stage),
            exchange_id: err.exchange().map(|e| e.id),
            explanation: err.explanation(stage).map(Box::new),
        }
    }
}

/// The HTTP client for a profile, proving possession of `dpop` when given;
/// one that cannot be built fails the step.
pub(super) fn client_for(
    profile: &Profile,
    recorder: Recorder,
    dpop: Option<Arc<DpopKey>>,
) -> Result<HttpClient, GrantFailure> {
    HttpClient::new(&profile.http, recorder)
        .map(|http| http.with_dpop(dpop))
        .map_err(|err| GrantFailure::message(err.to_string()))
}

/// Each profile's DPoP key for the session (RFC 9449): made on first use
/// (from `dpop_key_file`, or fresh), kept while the profile's DPoP settings
/// stay the same, so its tokens, refreshes and API calls share one key.
/// A profile's DPoP key, with the settings it was made for.
type KeptKey = (DpopSettings, Arc<DpopKey>);

#[derive(Clone)]
pub(super) struct DpopKeys {
    keys: Arc<Mutex<HashMap<ProfileId, KeptKey>>>,
    /// Told of each key made, so the editor can show it.
    events: super::worker::Events,
}

impl DpopKeys {
    pub(super) fn new(events: super::worker::Events) -> Self {
        Self {
            keys: Arc::default(),
            events,
        }
    }

    /// The key for `owner`'s profile; `None` when it asks for no DPoP.
    /// Runs on the worker (an RSA key takes a while to make).
    pub(super) async fn for_profile(
        &self,
        owner: ProfileId,
        profile: &Profile,
    ) -> Result<Option<Arc<DpopKey>>, GrantFailure> {
        let Some(settings) = profile.dpop.clone() else {
            return Ok(None);
        };
        if let Ok(keys) = self.keys.lock()
            && let Some((kept, key)) = keys.get(&owner)
            && *kept == settings
        {
            return Ok(Some(key.clone()));
        }
        let profile = profile.clone();
        let made = tokio::task::spawn_blocking(move || DpopKey::for_profile(&profile))
            .await
            .map_err(|err| GrantFailure::message(err.to_string()))?
            .map_err(|err| GrantFailure::message(err.to_string()))?;
        let Some(key) = made.map(Arc::new) else {
            return Ok(None);
        };
        if let Ok(mut keys) = self.keys.lock() {
            keys.insert(owner, (settings, key.clone()));
        }
        self.events
            .send(super::Event::DpopKeyMade(
                owner,
                format!("{}, thumbprint {}", key.describe(), key.thumbprint()),
            ))
            .await;
        Ok(Some(key))
    }
}

/// Logs out or revokes; says what happened.
pub(super) async fn end_token(
    profile: &Profile,
    http: &HttpClient,
    how: EndToken,
    token: &Secret,
) -> Result<String, EngineError> {
    match how {
        EndToken::Logout => {
            let response = crate::engine::logout::request::send(profile, http, token).await?;
            let sent = profile
                .logout
                .as_ref()
                .map(|logout| format!("{} {}", logout.method, logout.url.path()))
                .unwrap_or_default();
            Ok(format!(
                "Logged out: {sent} answered HTTP {}",
                response.status()
            ))
        }
        EndToken::Revoke(hint) => {
            let revoked = revoke::revoke(profile, http, token, hint).await?;
            let mut message = format!(
                "Revoked the {}: HTTP {}",
                hint.as_str().replace('_', " "),
                revoked.exchange.status().unwrap_or_default()
            );
            for finding in &revoked.findings {
                message.push_str(&format!("\n{finding}"));
            }
            Ok(message)
        }
    }
}
