//! `audit`: negative tests against a live authorization server.
//!
//! Each check asks the server to do something the RFCs forbid — spend a
//! code twice, take a wrong PKCE verifier, redirect to an unregistered URI,
//! accept a rotated-out refresh token, widen a scope on refresh, answer the
//! token endpoint on GET — and says whether it refused, citing the section
//! that says it must. A check runs only what the profile allows (a browser
//! check needs the authorization code grant, a refresh check a refresh
//! token), sends no more requests than it needs, and says when it is
//! intrusive (reusing a rotated refresh token revokes its family).
//!
//! The checks live by what they exercise: `server` (transport, method,
//! metadata, cache headers, redirect URIs at the authorization endpoint),
//! `client` (client authentication), `code` (the authorization code
//! and PKCE, one browser sign-in each) and `refresh`. [`report`] writes
//! the results as JSON, JUnit XML and Markdown.
//!
//! `code-lifetime` is slow (it holds a code for
//! [`AuditOptions::code_wait`], 610 s unless told), so it runs only when
//! named in [`AuditOptions::only`] or when a wait is given.

mod client;
mod code;
mod refresh;
pub mod report;
mod server;

use serde::Serialize;

use super::error::EngineError;
use super::grants::{BrowserOptions, GrantOptions};
use super::profile::{GrantType, Profile};
use crate::engine::endpoints::discovery::{self, ServerMetadata};
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::http::HttpClient;

/// What a check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The server did what it must.
    Pass,
    /// The server did what it must not.
    Fail,
    /// The check does not apply to this profile or server (and why is in
    /// `observed`).
    NotApplicable,
    /// The check could not run, or its answer was inconclusive.
    Error,
}

impl Verdict {
    /// The name used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::NotApplicable => "not_applicable",
            Self::Error => "error",
        }
    }
}

/// How much a failed check weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Weight {
    /// A MUST (or a SHOULD the BCP makes a must): a failure fails the audit.
    Required,
    /// Advice: reported, but the audit still passes.
    Warning,
}

/// One check: what it tests and where the rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    /// Stable ID (`code-replay`).
    pub id: &'static str,
    /// What a compliant server must do.
    pub expected: &'static str,
    /// The sections that say so.
    pub rfc: &'static str,
    /// It changes state at the server beyond issuing tokens (revokes them).
    pub intrusive: bool,
    /// It needs a person at the browser (the authorization code grant).
    pub browser: bool,
    /// What a failure weighs.
    pub weight: Weight,
}

/// Every check, in the order they run.
pub const CHECKS: &[Check] = &[
    server::TLS,
    server::IMPLICIT_AND_PASSWORD,
    server::TOKEN_ENDPOINT_GET,
    client::WRONG_SECRET,
    client::NONE_FOR_CONFIDENTIAL,
    server::CACHE_HEADERS,
    code::STATE_ECHO,
    code::ISS,
    code::REPLAY,
    code::VERIFIER_MISMATCH,
    code::VERIFIER_MISSING,
    code::DOWNGRADE,
    code::REQUIRED,
    server::REDIRECT_UNREGISTERED,
    code::REDIRECT_MISMATCH,
    code::LIFETIME,
    refresh::SCOPE_ESCALATION,
    refresh::ROTATION_REUSE,
];

/// The check with this ID.
pub fn check(id: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.id == id)
}

/// What one check found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    /// The check's ID.
    pub id: &'static str,
    /// The verdict.
    pub verdict: Verdict,
    /// The sections the rule comes from.
    pub rfc: &'static str,
    /// What a compliant server does.
    pub expected: &'static str,
    /// What this server did, or why the check did not apply.
    pub observed: String,
    /// The numbers of the exchanges the check made (HTTP log, HAR).
    pub exchanges: Vec<u64>,
    /// It revoked or spent something at the server.
    pub intrusive: bool,
    /// What a failure weighs.
    pub weight: Weight,
}

/// How long `code-lifetime` holds a code when no wait is given: RFC 6749
/// §4.1.2's recommended 10-minute maximum, and 10 s of clock slack.
pub const DEFAULT_CODE_WAIT: std::time::Duration = std::time::Duration::from_secs(610);

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Only these check IDs (all but the slow `code-lifetime` when empty).
    pub only: Vec<String>,
    /// How long `code-lifetime` holds a code before exchanging it (the
    /// server's limit and a second; [`DEFAULT_CODE_WAIT`] when `None`).
    /// Giving one also turns the check on when `only` is empty.
    pub code_wait: Option<std::time::Duration>,
    /// How the browser checks reach the person.
    pub browser: BrowserOptions,
}

/// Whether the audit as a whole failed: a required check failed.
pub fn failed(results: &[CheckResult]) -> bool {
    results
        .iter()
        .any(|r| r.verdict == Verdict::Fail && r.weight == Weight::Required)
}

/// Whether `options` selects `check`: named in `only`, or `only` empty and
/// the check not the slow `code-lifetime` (unless a wait was given).
pub fn selected(check: &Check, options: &AuditOptions) -> bool {
    if options.only.is_empty() {
        check.id != code::LIFETIME.id || options.code_wait.is_some()
    } else {
        options.only.iter().any(|id| id == check.id)
    }
}

/// The IDs in `only` that name no check, for the caller to refuse.
pub fn unknown_ids(only: &[String]) -> Vec<String> {
    only.iter()
        .filter(|id| check(id).is_none())
        .cloned()
        .collect()
}

/// Runs the checks `options` selects, reporting each result to `each` as
/// it is known, and returns them all.
pub async fn run(
    profile: &Profile,
    http: &HttpClient,
    options: &AuditOptions,
    each: impl Fn(&CheckResult),
) -> Vec<CheckResult> {
    let mut audit = Audit {
        profile,
        options,
        metadata: None,
        metadata_read: false,
        browser_run: None,
    };
    let mut results = Vec::new();
    for check in CHECKS {
        if !selected(check, options) {
            continue;
        }
        let scoped = http.scoped();
        let outcome = audit.run_one(check, &scoped).await;
        let (verdict, observed) = match outcome {
            Ok(found) => found,
            Err(err) => (Verdict::Error, format!("the check could not run: {err}")),
        };
        let result = CheckResult {
            id: check.id,
            verdict,
            rfc: check.rfc,
            expected: check.expected,
            observed,
            exchanges: scoped.exchanges().iter().map(|e| e.id).collect(),
            intrusive: check.intrusive,
            weight: check.weight,
        };
        each(&result);
        results.push(result);
    }
    results
}

/// A verdict and what was observed.
type Found = (Verdict, String);

fn pass(observed: impl Into<String>) -> Result<Found, EngineError> {
    Ok((Verdict::Pass, observed.into()))
}

fn fail(observed: impl Into<String>) -> Result<Found, EngineError> {
    Ok((Verdict::Fail, observed.into()))
}

fn not_applicable(why: impl Into<String>) -> Result<Found, EngineError> {
    Ok((Verdict::NotApplicable, why.into()))
}

fn inconclusive(observed: impl Into<String>) -> Result<Found, EngineError> {
    Ok((Verdict::Error, observed.into()))
}

/// What the checks share: the profile, the server's metadata (read once)
/// and the first browser sign-in (its redirect answers two checks).
struct Audit<'a> {
    profile: &'a Profile,
    options: &'a AuditOptions,
    metadata: Option<ServerMetadata>,
    metadata_read: bool,
    browser_run: Option<Result<code::SignIn, code::SignInFailed>>,
}

impl Audit<'_> {
    async fn run_one(&mut self, check: &Check, http: &HttpClient) -> Result<Found, EngineError> {
        if check.browser && self.profile.grant != Some(GrantType::AuthorizationCode) {
            return not_applicable(
                "needs the authorization code grant (the profile's grant_type is another)",
            );
        }
        match check.id {
            "tls" => server::tls(self.profile),
            "implicit-and-password-offered" => {
                let metadata = self.metadata(http).await;
                server::implicit_and_password(metadata)
            }
            "token-endpoint-get" => server::token_endpoint_get(self.profile, http).await,
            "client-auth-wrong-secret" => client::wrong_secret(self.profile, http).await,
            "client-auth-none-for-confidential" => {
                client::none_for_confidential(self.profile, http).await
            }
            "token-response-cache-headers" => {
                let tokens = self.fresh_tokens(http).await?;
                server::cache_headers(&tokens, http)
            }
            "state-echo" => {
                let signed_in = self.sign_in(http).await;
                code::state_echo(signed_in)
            }
            "iss-response-parameter" => {
                let metadata = self.metadata(http).await.cloned();
                let issuer = self.profile.endpoints.issuer.clone();
                let signed_in = self.sign_in(http).await;
                code::iss(signed_in, metadata.as_ref(), issuer.as_ref())
            }
            "code-replay" => code::replay(self.profile, http, &self.options.browser).await,
            "pkce-verifier-mismatch" => {
                code::verifier(self.profile, http, &self.options.browser, true).await
            }
            "pkce-verifier-missing" => {
                code::verifier(self.profile, http, &self.options.browser, false).await
            }
            "pkce-downgrade" => {
                let metadata = self.metadata(http).await.cloned();
                code::downgrade(self.profile, http, &self.options.browser, metadata.as_ref()).await
            }
            "pkce-required" => code::required(self.profile, http, &self.options.browser).await,
            "redirect-uri-unregistered" => server::redirect_unregistered(self.profile, http).await,
            "redirect-uri-mismatch-at-token" => {
                code::redirect_mismatch(self.profile, http, &self.options.browser).await
            }
            "code-lifetime" => {
                let wait = self.options.code_wait.unwrap_or(DEFAULT_CODE_WAIT);
                code::lifetime(self.profile, http, &self.options.browser, wait).await
            }
            "refresh-scope-escalation" => {
                let metadata = self.metadata(http).await.cloned();
                let tokens = self.fresh_tokens(http).await?;
                refresh::scope_escalation(self.profile, http, &tokens, metadata.as_ref()).await
            }
            "refresh-rotation-reuse" => {
                let tokens = self.fresh_tokens(http).await?;
                refresh::rotation_reuse(self.profile, http, &tokens).await
            }
            other => inconclusive(format!("no such check: {other}")),
        }
    }

    /// The server's metadata, read once (none without an issuer or when
    /// discovery fails).
    async fn metadata(&mut self, http: &HttpClient) -> Option<&ServerMetadata> {
        if !self.metadata_read {
            self.metadata_read = true;
            if let Some(issuer) = &self.profile.endpoints.issuer {
                let issuer = crate::engine::jwt::claims::issuer_text(issuer);
                self.metadata = discovery::discover(http, &issuer)
                    .await
                    .ok()
                    .map(|found| found.metadata);
            }
        }
        self.metadata.as_ref()
    }

    /// A fresh token set from the profile's own grant (each check that
    /// spends tokens gets its own).
    async fn fresh_tokens(&self, http: &HttpClient) -> Result<TokenSet, EngineError> {
        super::grants::run(
            self.profile,
            http,
            &GrantOptions {
                browser: self.options.browser.clone(),
                ..GrantOptions::default()
            },
        )
        .await
    }

    /// The first browser sign-in of the audit (made once; state and iss
    /// are read from its redirect).
    async fn sign_in(&mut self, http: &HttpClient) -> &Result<code::SignIn, code::SignInFailed> {
        let run = match self.browser_run.take() {
            Some(run) => run,
            None => code::sign_in(self.profile, http, &self.options.browser).await,
        };
        self.browser_run.insert(run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_lifetime_runs_only_when_named_or_given_a_wait() {
        let lifetime = check("code-lifetime").expect("listed");
        let replay = check("code-replay").expect("listed");
        let mut options = AuditOptions::default();
        assert!(!selected(lifetime, &options));
        assert!(selected(replay, &options));
        options.code_wait = Some(std::time::Duration::from_secs(2));
        assert!(selected(lifetime, &options) && selected(replay, &options));
        options.only = vec!["code-lifetime".to_string()];
        options.code_wait = None;
        assert!(selected(lifetime, &options));
        assert!(!selected(replay, &options));
    }
}
