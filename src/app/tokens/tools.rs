//! The OpenID Connect token tools as the app runs them: verify the decoded
//! JWTs of a token set, introspect the access token, fetch userinfo, and
//! discover a profile's endpoints. The commands run on the engine's runtime
//! (through the bridge); their results come back as a [`ToolEvent`] and are
//! kept in [`ToolsState`].

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::app::pending::Pending;
use crate::engine::endpoints::discovery::{self, ServerMetadata};
use crate::engine::jwt::jwks::JwksCache;
use crate::engine::jwt::verify::{self, Expectations, Verification};
use crate::engine::profile::HttpSettings;
use crate::engine::wire::http::{HttpClient, Recorder};
use crate::engine::{
    Finding, Profile, Secret, TokenSet, endpoints::introspection, endpoints::userinfo,
};

/// A token tool to run.
#[derive(Debug)]
pub enum ToolCommand {
    /// Verify every JWT of a token set (signature and claims).
    Verify {
        /// Issuer, JWKS, client id, secret and clock skew come from here.
        profile: Box<Profile>,
        /// The tokens.
        tokens: Box<TokenSet>,
    },
    /// Verify a pasted JWT as an access token (or, when it has a nonce, an
    /// ID token) of the profile.
    VerifyPasted {
        /// Issuer, JWKS, client id, secret and clock skew come from here.
        profile: Box<Profile>,
        /// The token as pasted.
        token: String,
    },
    /// Ask the introspection endpoint about the access token.
    Introspect {
        /// Endpoint and client authentication.
        profile: Box<Profile>,
        /// The token.
        token: Secret,
    },
    /// Fetch the userinfo claims.
    Userinfo {
        /// Endpoint.
        profile: Box<Profile>,
        /// The access token.
        token: Secret,
        /// The ID token's `sub`, to compare.
        id_token_sub: Option<String>,
    },
    /// Fetch the discovery document of an issuer for the profile being
    /// edited.
    Discover {
        /// The issuer identifier.
        issuer: String,
        /// The profile's HTTP settings.
        http: HttpSettings,
    },
}

/// A token tool's result.
#[derive(Debug)]
pub enum ToolEvent {
    /// The verifications of the token set received at this time.
    Verified(DateTime<Utc>, Vec<Verification>),
    /// The verification of a pasted token.
    PastedVerified(Result<Box<Verification>, String>),
    /// What introspection or userinfo answered.
    Looked(Result<ToolReport, String>),
    /// What discovery found.
    Discovered(Result<Box<Discovery>, String>),
}

/// What an introspection or userinfo call answered.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolReport {
    /// What was asked ("Introspection: active").
    pub title: String,
    /// The JSON that came back.
    pub json: Value,
    /// What was odd or wrong about it.
    pub findings: Vec<Finding>,
}

/// A discovery document, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    /// Where it was found.
    pub url: String,
    /// Its fields.
    pub metadata: ServerMetadata,
    /// What is wrong with it.
    pub findings: Vec<Finding>,
}

/// What discovery did to the profile, for the editor.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovered {
    /// The outcome, for people.
    pub message: String,
    /// Findings of the document and of the profile against it.
    pub findings: Vec<Finding>,
    /// What the document lists.
    pub metadata: ServerMetadata,
}

/// What a profile's session keeps of the tools' results.
#[derive(Debug, Clone, Default)]
pub struct ToolsState {
    /// Verifications of the token set received at this time.
    pub verified: Pending<(DateTime<Utc>, Vec<Verification>)>,
    /// A JWT pasted for inspection.
    pub pasted: String,
    /// Its verification.
    pub pasted_result: Pending<Result<Box<Verification>, String>>,
    /// The last introspection or userinfo answer.
    pub looked: Pending<Result<ToolReport, String>>,
    /// The last discovery.
    pub discovered: Pending<Result<Discovered, String>>,
}

impl ToolsState {
    /// The verifications of `tokens`, if they were made.
    pub fn verifications_of(&self, tokens: &TokenSet) -> Option<&[Verification]> {
        match self.verified.value() {
            Some((at, list)) if *at == tokens.obtained_at => Some(list),
            _ => None,
        }
    }

    /// Tools in flight.
    pub fn in_flight(&self) -> usize {
        [
            self.verified.is_waiting(),
            self.pasted_result.is_waiting(),
            self.looked.is_waiting(),
            self.discovered.is_waiting(),
        ]
        .into_iter()
        .filter(|w| *w)
        .count()
    }

    /// Keeps a tool's result. Discovery fills the empty fields of `file`,
    /// the profile as being edited.
    pub fn finish(&mut self, event: ToolEvent, file: Option<&mut crate::engine::ProfileFile>) {
        match event {
            ToolEvent::Verified(at, results) => self.verified.finish((at, results)),
            ToolEvent::PastedVerified(result) => self.pasted_result.finish(result),
            ToolEvent::Looked(result) => self.looked.finish(result),
            ToolEvent::Discovered(result) => {
                let outcome = match (result, file) {
                    (Ok(found), Some(file)) => {
                        let before = file.clone();
                        let filled = discovery::fill_profile(file, &found.metadata);
                        let mut findings = found.findings.clone();
                        findings.extend(discovery::check_profile(&before, &found.metadata));
                        Ok(Discovered {
                            message: if filled.is_empty() {
                                format!("Found {}; no empty endpoint to fill.", found.url)
                            } else {
                                format!("Found {}; filled {}.", found.url, filled.join(", "))
                            },
                            findings,
                            metadata: found.metadata,
                        })
                    }
                    (Ok(_), None) => Err("The profile is gone.".to_string()),
                    (Err(message), _) => Err(message),
                };
                self.discovered.finish(outcome);
            }
        }
    }
}

/// Runs a tool; `cache` keeps JWKS between runs.
/// `dpop` is the profile's DPoP key, for userinfo with a DPoP-bound token.
pub async fn run(
    command: ToolCommand,
    recorder: Recorder,
    cache: &JwksCache,
    dpop: Option<std::sync::Arc<crate::engine::client::dpop::DpopKey>>,
) -> ToolEvent {
    match command {
        ToolCommand::Verify { profile, tokens } => {
            let results = match HttpClient::new(&profile.http, recorder) {
                Ok(http) => verify_all(&http, cache, &profile, &tokens).await,
                Err(_) => Vec::new(),
            };
            ToolEvent::Verified(tokens.obtained_at, results)
        }
        ToolCommand::VerifyPasted { profile, token } => {
            let result = async {
                let http = HttpClient::new(&profile.http, recorder).map_err(|e| e.to_string())?;
                let decoded =
                    crate::engine::jwt::decode("token", &token).map_err(|e| e.to_string())?;
                // Claims of an ID token (a nonce, or the client as audience)
                // are checked as one.
                let id_token =
                    decoded.claims.get("nonce").is_some() || decoded.claims.get("azp").is_some();
                let expect = Expectations {
                    id_token,
                    audience: if id_token {
                        profile.client_id.clone()
                    } else {
                        None
                    },
                    ..Expectations::for_access_token(&profile)
                };
                let secret = profile
                    .client_secret
                    .as_ref()
                    .and_then(|s| s.resolve("client_secret").ok())
                    .map(|s| s.expose().as_bytes().to_vec());
                let jwks_uri = discovery::jwks_uri(&http, &profile).await.ok().flatten();
                verify::verify_with_jwks(
                    &http,
                    cache,
                    if id_token { "id_token" } else { "token" },
                    &token,
                    jwks_uri.as_ref(),
                    secret,
                    &expect,
                    Utc::now(),
                )
                .await
                .map(Box::new)
                .map_err(|e| e.to_string())
            }
            .await;
            ToolEvent::PastedVerified(result)
        }
        ToolCommand::Introspect { profile, token } => {
            let result = async {
                let http = HttpClient::new(&profile.http, recorder).map_err(|e| e.to_string())?;
                let found = introspection::introspect(&profile, &http, &token, None)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(ToolReport {
                    title: match found.active {
                        Some(true) => "Introspection: active".to_string(),
                        Some(false) => "Introspection: not active".to_string(),
                        None => "Introspection: active is not a boolean".to_string(),
                    },
                    json: found.value.unwrap_or(Value::Null),
                    findings: found.findings,
                })
            }
            .await;
            ToolEvent::Looked(result)
        }
        ToolCommand::Userinfo {
            profile,
            token,
            id_token_sub,
        } => {
            let result = async {
                let http = HttpClient::new(&profile.http, recorder)
                    .map_err(|e| e.to_string())?
                    .with_dpop(dpop);
                let info = userinfo::userinfo(&profile, &http, &token, id_token_sub.as_deref())
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(ToolReport {
                    title: "Userinfo claims".to_string(),
                    json: Value::Object(info.claims),
                    findings: info.findings,
                })
            }
            .await;
            ToolEvent::Looked(result)
        }
        ToolCommand::Discover { issuer, http } => {
            let result = async {
                let http = HttpClient::new(&http, recorder).map_err(|e| e.to_string())?;
                let found = discovery::discover(&http, &issuer)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Box::new(Discovery {
                    url: found.url.to_string(),
                    metadata: found.metadata,
                    findings: found.findings,
                }))
            }
            .await;
            ToolEvent::Discovered(result)
        }
    }
}

async fn verify_all(
    http: &HttpClient,
    cache: &JwksCache,
    profile: &Profile,
    tokens: &TokenSet,
) -> Vec<Verification> {
    verify::verify_token_set(http, cache, profile, tokens, &["access_token", "id_token"]).await
}
