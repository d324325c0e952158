//! What the engine's answers become for display: API answers laid out off
//! the UI thread, grant failures with their findings and explanation, and
//! ending a token (logout or revocation) as one call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use crate::app::session::ProfileId;
use crate::app::widgets::json_doc::BodyDoc;
use crate::app::widgets::json_tree::JsonTreeView;
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

/// An API response with its body indexed for display, prepared off the
/// UI thread so a large body never stalls a frame. The views share the
/// response's bytes; nothing is laid out until it is on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiAnswer {
    /// The response.
    pub response: ApiResponse,
    /// The body as it came, for the text and tree views.
    pub body: BodyDoc,
    /// The body with its secrets (tokens, client secrets…) and personal
    /// claims masked; `None` when it has none. Shown until secrets are
    /// revealed.
    pub masked: Option<BodyDoc>,
    /// The tree first shown (of the masked body when there is one), its
    /// first two levels found off the UI thread; the Request tab takes it.
    pub tree: Option<JsonTreeView>,
    /// The body carries a `client_id` and a `client_secret` (a client
    /// account was created), so a profile can be made from it.
    pub client_account: bool,
    /// What a refusal's OAuth error code means.
    pub explanation: Option<Explanation>,
}

impl ApiAnswer {
    /// The body to show: masked unless `reveal`.
    pub fn shown(&self, reveal: bool) -> &BodyDoc {
        match &self.masked {
            Some(masked) if !reveal => masked,
            _ => &self.body,
        }
    }

    /// Indexes `response`'s body (call off the UI thread).
    pub fn new(response: ApiResponse) -> Self {
        let body = BodyDoc::new(response.exchange.response_body());
        let mut client_account = false;
        let mut masked = None;
        // Only a body with a key worth masking is parsed (and copied).
        if let Some(doc) = body.json().filter(|doc| doc.maskable())
            && let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(doc.bytes())
        {
            client_account = value
                .get("client_id")
                .is_some_and(serde_json::Value::is_string)
                && value
                    .get("client_secret")
                    .is_some_and(serde_json::Value::is_string);
            let secrets = crate::engine::wire::redact::mask_json(&mut value);
            let personal = crate::engine::wire::redact::mask_personal(&mut value);
            if (secrets || personal)
                && let Ok(bytes) = serde_json::to_vec(&value)
            {
                masked = Some(BodyDoc::new(Bytes::from(bytes)));
            }
        }
        let shown = masked.as_ref().unwrap_or(&body);
        let tree = shown.json().map(|doc| JsonTreeView::new(doc, 2));
        Self {
            body,
            masked,
            tree,
            client_account,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::wire::http::{Exchange, ExchangeKind, RecordedRequest, RecordedResponse};

    fn answer(body: &str) -> ApiAnswer {
        ApiAnswer::new(ApiResponse {
            exchange: Exchange {
                id: 1,
                kind: ExchangeKind::Api,
                started_at: chrono::Utc::now(),
                duration: std::time::Duration::from_millis(1),
                request: RecordedRequest {
                    method: "GET".into(),
                    url: "http://127.0.0.1:1/api".into(),
                    headers: Vec::new(),
                    body: Default::default(),
                },
                response: Some(RecordedResponse {
                    status: 200,
                    headers: Vec::new(),
                    body: bytes::Bytes::copy_from_slice(body.as_bytes()),
                    truncated: false,
                }),
                error: None,
            },
            challenge: None,
            step_up: None,
            findings: Vec::new(),
        })
    }

    #[test]
    fn secrets_are_masked_in_text_and_tree_until_revealed() {
        let mut answer = answer(
            r#"{"client_id":"c-1","client_secret":"s3cr3t","items":[{"sub":"u","name":"Ann"}]}"#,
        );
        assert!(answer.client_account);
        let masked = answer.shown(false);
        let text = masked.lines(0..masked.line_count()).join("\n");
        assert!(text.contains(r#""client_secret": "[redacted]""#), "{text}");
        assert!(
            text.contains(r#""name": "[redacted]""#),
            "a person's name: {text}"
        );
        assert!(!text.contains("s3cr3t") && !text.contains("Ann"));
        let mut tree = answer.tree.take().expect("the first tree");
        assert!(
            tree.rows_text()
                .contains(&"client_secret: \"[redacted]\"".to_string()),
            "the first tree is of the masked body"
        );
        let revealed = answer.shown(true);
        assert_eq!(revealed.find("s3cr3t"), [2]);
    }

    #[test]
    fn a_body_with_nothing_to_mask_is_not_parsed_or_copied() {
        let answer = answer(r#"{"items":[{"id":1,"name":"item 1","owner":"alice"}]}"#);
        assert!(answer.masked.is_none());
        let received = answer
            .response
            .exchange
            .response
            .as_ref()
            .expect("response");
        assert_eq!(
            answer.body.json().expect("JSON").bytes().as_ptr(),
            received.body.as_ptr(),
            "the views share the exchange's bytes"
        );
        assert!(!answer.client_account);
        assert_eq!(answer.shown(false).line_count(), 9);
        // A name is not personal outside an object that describes a person.
        assert_eq!(answer.shown(false).find("item 1"), [4]);
    }
}
