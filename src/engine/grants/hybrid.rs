//! The OpenID Connect hybrid flow (OIDC Core §3.3): the authorization code
//! grant with `response_type` `code id_token`, `code token` or
//! `code id_token token`, so some tokens come back from the authorization
//! endpoint with the code.
//!
//! Those come through the browser, not over TLS from the server, so they
//! are checked before the code is used ([`verify_front_channel`]): the ID
//! token as OIDC Core §3.3.2.12 asks — its signature against the JWKS (no
//! TLS exception here), `iss`, `aud`, `exp`, `iat`, the `nonce` sent,
//! `c_hash` over the code (REQUIRED with an ID token and a code, §3.3.2.11),
//! `at_hash` over a front-channel access token (REQUIRED for
//! `code id_token token`, §3.3.2.9), and `s_hash` over `state` when the
//! server sends it (FAPI 1.0 Advanced §5.1, the ID token as a detached
//! signature). A failed check ends the grant: the code is not exchanged.
//! After the exchange, the token endpoint's ID token must name the same
//! `iss` and `sub` (§3.3.3.6) ([`compare_with_token_endpoint`]).
//!
//! The default response mode of these types is the fragment, and the query
//! must not carry them (OAuth 2.0 Multiple Response Type Encoding Practices
//! §5): [`check_profile`] refuses `response_mode = "query"` before anything
//! is sent.

use chrono::Utc;
use serde_json::Value;

use super::BrowserOptions;
use super::authorization_code::AuthorizationRequest;
use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::error::EngineError;
use crate::engine::jwt::claims::{Check, Expectations, Verdict, issuer_text};
use crate::engine::jwt::jwks::JwksCache;
use crate::engine::jwt::verify::verify_with_jwks;
use crate::engine::profile::{Profile, ProfileError, ResponseMode};
use crate::engine::store::secret::abbreviate;
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::callback::{CallbackError, CallbackParams};
use crate::engine::wire::http::HttpClient;

/// The hybrid flow's section in OpenID Connect Core.
pub const REFERENCE: &str = "OIDC Core §3.3.2.12";

/// The `response_type` of the authorization code grant: `code`, or one of
/// the hybrid flow's (OIDC Core §3.3.2.1). The order of the words does not
/// matter (OAuth 2.0 Multiple Response Type Encoding Practices §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodeResponseType {
    /// `code`: the authorization code flow.
    #[default]
    Code,
    /// `code id_token`.
    CodeIdToken,
    /// `code token`.
    CodeToken,
    /// `code id_token token`.
    CodeIdTokenToken,
}

impl CodeResponseType {
    /// Every value, in the order a picker shows them.
    pub const ALL: [Self; 4] = [
        Self::Code,
        Self::CodeIdToken,
        Self::CodeToken,
        Self::CodeIdTokenToken,
    ];

    /// The registered value, words in the usual order.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::CodeIdToken => "code id_token",
            Self::CodeToken => "code token",
            Self::CodeIdTokenToken => "code id_token token",
        }
    }

    /// Reads a `response_type` value: its words in any order, each once;
    /// anything else is refused saying what would be right.
    pub fn parse(text: &str) -> Result<Self, String> {
        const ALLOWED: &str = "code, code id_token, code token or code id_token token";
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.is_empty() {
            return Ok(Self::Code);
        }
        let (mut code, mut id_token, mut token) = (false, false, false);
        for word in &words {
            let seen = match *word {
                "code" => &mut code,
                "id_token" => &mut id_token,
                "token" => &mut token,
                other => {
                    // Values are case-sensitive (RFC 6749 §3.1.1): a word
                    // in another case is not the same word.
                    let lower = text.to_ascii_lowercase();
                    let fixed = (lower != text).then(|| Self::parse(&lower).ok()).flatten();
                    let hint = fixed
                        .map(|fixed| {
                            format!(
                                "; did you mean `{}`? (values are case-sensitive)",
                                fixed.as_str()
                            )
                        })
                        .unwrap_or_default();
                    return Err(format!(
                        "\"{text}\": `{other}` is not a response type word; use {ALLOWED}{hint}"
                    ));
                }
            };
            if *seen {
                return Err(format!("\"{text}\" names `{word}` twice; use {ALLOWED}"));
            }
            *seen = true;
        }
        match (code, id_token, token) {
            (true, false, false) => Ok(Self::Code),
            (true, true, false) => Ok(Self::CodeIdToken),
            (true, false, true) => Ok(Self::CodeToken),
            (true, true, true) => Ok(Self::CodeIdTokenToken),
            _ => Err(format!(
                "\"{text}\" returns no code: it is the implicit grant's response type (set grant_type = \"implicit\"); the authorization code grant takes {ALLOWED}"
            )),
        }
    }

    /// More than a code comes back from the authorization endpoint.
    pub fn is_hybrid(self) -> bool {
        self != Self::Code
    }

    /// An ID token comes back from the authorization endpoint.
    pub fn has_id_token(self) -> bool {
        matches!(self, Self::CodeIdToken | Self::CodeIdTokenToken)
    }

    /// An access token comes back from the authorization endpoint.
    pub fn has_access_token(self) -> bool {
        matches!(self, Self::CodeToken | Self::CodeIdTokenToken)
    }
}

/// Refuses a hybrid profile that cannot work, before anything is sent: a
/// query response mode (the tokens would travel in the URL, which the
/// Multiple Response Type Encoding Practices §5 forbid for these types), or
/// an ID token asked for without the `openid` scope (OIDC Core §3.3.2.1).
pub fn check_profile(profile: &Profile) -> Result<(), EngineError> {
    let kind = profile.authz.response_type;
    if matches!(
        profile.authz.response_mode,
        ResponseMode::Query | ResponseMode::QueryJwt
    ) {
        return Err(ProfileError::field(
            "response_mode",
            format!(
                "response_type \"{}\" returns tokens from the authorization endpoint, and the query encoding must not be used for it: URLs end up in logs, history and Referer headers (OAuth 2.0 Multiple Response Type Encoding Practices §5; JARM §2.3.1 for query.jwt). Leave response_mode out (the fragment), or use form_post",
                kind.as_str()
            ),
        )
        .into());
    }
    if kind.has_id_token() && !profile.scopes.iter().any(|s| s == "openid") {
        return Err(ProfileError::field(
            "scope",
            format!(
                "response_type \"{}\" asks for an ID token, which only an OpenID Connect request (scope openid) gets (OIDC Core §3.3.2.1)",
                kind.as_str()
            ),
        )
        .into());
    }
    Ok(())
}

/// What came back from the authorization endpoint, and its checks.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontChannel {
    /// The response type asked for.
    pub response_type: CodeResponseType,
    /// How it travelled: `fragment`, `form_post` or `query`.
    pub mode: &'static str,
    /// The parameters received, tokens and code masked, in order.
    pub received: Vec<(String, String)>,
    /// Every check, in order; a [`Verdict::Fail`] ends the grant.
    pub checks: Vec<Check>,
    /// The front-channel ID token's `iss` and `sub`, for §3.3.3.6.
    pub iss: Option<String>,
    /// See [`FrontChannel::iss`].
    pub sub: Option<String>,
}

impl FrontChannel {
    /// True when no check failed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.verdict != Verdict::Fail)
    }

    /// Every check as a finding (`hybrid_<check>`), so they travel with
    /// the token set (or the refusal) like the other checks.
    pub fn findings(&self) -> Vec<Finding> {
        let mut findings: Vec<Finding> = self
            .checks
            .iter()
            .map(|check| {
                let severity = match check.verdict {
                    Verdict::Pass | Verdict::Skipped => Severity::Info,
                    Verdict::Warn => Severity::Warning,
                    Verdict::Fail => Severity::Error,
                };
                Finding::new(
                    severity,
                    &format!("hybrid_{}", check.name),
                    format!(
                        "front channel ({}): {} — {}",
                        check.verdict.as_str(),
                        check.name,
                        check.message
                    ),
                    check.reference.as_deref(),
                )
            })
            .collect();
        if self.mode == "query" {
            findings.push(Finding::new(
                Severity::Warning,
                "hybrid_response_in_query",
                format!(
                    "the {} response came in the redirect's query string; tokens from the authorization endpoint belong in the fragment (the default) or a form post, never the query",
                    self.response_type.as_str()
                ),
                Some("OAuth 2.0 Multiple Response Type Encoding Practices §5"),
            ));
        }
        findings
    }

    /// The refusal when a check failed: every failed check, with its
    /// section, and their findings.
    pub fn refusal(&self) -> Option<CallbackError> {
        let failed: Vec<String> = self
            .checks
            .iter()
            .filter(|c| c.verdict == Verdict::Fail)
            .map(|c| match &c.reference {
                Some(reference) => format!("{}: {} ({reference})", c.name, c.message),
                None => format!("{}: {}", c.name, c.message),
            })
            .collect();
        (!failed.is_empty()).then(|| CallbackError::HybridRejected {
            message: failed.join("; "),
            findings: self.findings(),
        })
    }
}

/// Checks what the authorization endpoint returned with the code, as OIDC
/// Core §3.3.2.8–§3.3.2.12 ask, before the code is used: the tokens the
/// response type promises are there, and the ID token (when one came)
/// passes every check of [`verify_with_jwks`] plus the hybrid flow's own —
/// a signature actually verified, `c_hash` present when required, `at_hash`
/// present for `code id_token token`.
pub async fn verify_front_channel(
    profile: &Profile,
    http: &HttpClient,
    request: &AuthorizationRequest,
    params: &CallbackParams,
) -> Result<FrontChannel, EngineError> {
    let kind = profile.authz.response_type;
    let code = params.code.clone().unwrap_or_default();
    let id_token = params.get("id_token").map(str::to_string);
    let access_token = params.get("access_token").map(str::to_string);
    let mut checks = Vec::new();
    let mode = if params.form_post {
        "form_post"
    } else if params.from_query {
        "query"
    } else {
        "fragment"
    };
    if kind.has_access_token() {
        checks.push(match (&access_token, params.get("token_type")) {
            (Some(_), Some(token_type)) => Check::new(
                "access_token",
                Verdict::Pass,
                format!("an access token came with the code (token_type {token_type})"),
                "OIDC Core §3.3.2.5",
            ),
            (Some(_), None) => Check::failed(
                "access_token",
                "an access token came with the code, but no token_type (required with it)",
                "RFC 6749 §4.2.2",
            ),
            (None, _) => Check::failed(
                "access_token",
                format!(
                    "response_type \"{}\" returns an access token with the code, and none came",
                    kind.as_str()
                ),
                "OIDC Core §3.3.2.5",
            ),
        });
    }
    let mut iss = None;
    let mut sub = None;
    match (&id_token, kind.has_id_token()) {
        (None, true) => checks.push(Check::failed(
            "id_token",
            format!(
                "response_type \"{}\" returns an ID token with the code, and none came",
                kind.as_str()
            ),
            "OIDC Core §3.3.2.5",
        )),
        (None, false) => {}
        (Some(token), _) => {
            let verified = verify_id_token(profile, http, request, params, token, &code).await;
            match verified {
                Ok((id_checks, claims)) => {
                    iss = claims
                        .get("iss")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    sub = claims
                        .get("sub")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    checks.extend(id_checks);
                }
                Err(message) => checks.push(Check::failed("id_token", message, REFERENCE)),
            }
        }
    }
    let mut received: Vec<(String, String)> = params
        .all
        .iter()
        .map(|(name, value)| {
            let shown = match name.as_str() {
                "code" | "id_token" | "access_token" | "refresh_token" => abbreviate(value),
                _ => value.clone(),
            };
            (name.clone(), shown)
        })
        .collect();
    received.retain(|(name, _)| name != "response");
    Ok(FrontChannel {
        response_type: kind,
        mode,
        received,
        checks,
        iss,
        sub,
    })
}

/// The front-channel ID token's checks and claims; `Err` when it is not a
/// JWT at all.
async fn verify_id_token(
    profile: &Profile,
    http: &HttpClient,
    request: &AuthorizationRequest,
    params: &CallbackParams,
    token: &str,
    code: &str,
) -> Result<(Vec<Check>, Value), String> {
    let kind = profile.authz.response_type;
    let secret = profile
        .client_secret
        .as_ref()
        .and_then(|s| s.resolve("client_secret").ok())
        .map(|s| s.expose().as_bytes().to_vec());
    let jwks_uri = crate::engine::endpoints::discovery::jwks_uri(http, profile)
        .await
        .ok()
        .flatten();
    let expect = Expectations {
        id_token: true,
        issuer: profile.endpoints.issuer.as_ref().map(issuer_text),
        audience: profile.client_id.clone(),
        nonce: request.nonce.clone(),
        access_token: params.get("access_token").map(str::to_string),
        code: Some(code.to_string()),
        state: params.state.clone(),
        clock_skew: profile.clock_skew,
        auth_requirement: profile.auth_requirement.clone(),
    };
    let verification = verify_with_jwks(
        http,
        &JwksCache::new(),
        "id_token",
        token,
        jwks_uri.as_ref(),
        secret,
        &expect,
        Utc::now(),
    )
    .await
    .map_err(|err| format!("the ID token that came with the code is not a JWT: {err}"))?;
    let claims = verification.jwt.claims.clone();
    let mut checks = verification.checks;
    // The TLS exception of §3.1.3.7 item 6 is for the token endpoint: a
    // token that came through the browser must have its signature checked.
    if let Some(check) = checks
        .iter_mut()
        .find(|c| c.name == "signature" && c.verdict == Verdict::Skipped)
    {
        check.verdict = Verdict::Fail;
        check.message = format!(
            "{}; an ID token from the authorization endpoint must have its signature checked (the TLS exception is only for the token endpoint)",
            check.message
        );
        check.reference = Some("OIDC Core §3.3.2.12, §3.1.3.7 item 6".to_string());
    }
    // c_hash and at_hash are required with a code and an access token
    // from the authorization endpoint; claim_checks only compares them
    // when present.
    let mut required = vec![("c_hash", "OIDC Core §3.3.2.11", "code")];
    if kind.has_access_token() {
        required.push(("at_hash", "OIDC Core §3.3.2.11", "access token"));
    }
    for (name, reference, what) in required {
        if claims.get(name).is_none() {
            checks.push(Check::failed(
                name,
                format!(
                    "{name} is missing; an ID token issued from the authorization endpoint with a {what} (response_type \"{}\") must have it",
                    kind.as_str()
                ),
                reference,
            ));
        }
    }
    if claims.get("s_hash").is_none() && params.state.is_some() {
        checks.push(Check::new(
            "s_hash",
            Verdict::Skipped,
            "no s_hash: state is not covered by the ID token (only FAPI 1.0 Advanced requires it)",
            "FAPI 1.0 Advanced §5.1",
        ));
    }
    Ok((checks, claims))
}

/// Checks the front channel and reports it; refuses (without exchanging
/// the code) when a check failed.
pub(super) async fn check_before_exchange(
    profile: &Profile,
    http: &HttpClient,
    options: &BrowserOptions,
    request: &AuthorizationRequest,
    params: &CallbackParams,
) -> Result<FrontChannel, EngineError> {
    let front = verify_front_channel(profile, http, request, params).await?;
    options.report(super::Progress::HybridVerified(Box::new(front.clone())));
    match front.refusal() {
        Some(refusal) => Err(refusal.into()),
        None => Ok(front),
    }
}

/// The token endpoint's ID token against the front channel's: the same
/// `iss` and `sub` (OIDC Core §3.3.3.6). An error finding when they differ.
pub fn compare_with_token_endpoint(front: &FrontChannel, tokens: &TokenSet) -> Vec<Finding> {
    const SECTION: &str = "OIDC Core §3.3.3.6";
    let (Some(front_iss), Some(front_sub)) = (&front.iss, &front.sub) else {
        return Vec::new();
    };
    let Some(back) = tokens.jwts.iter().find(|j| j.source == "id_token") else {
        return vec![Finding::new(
            Severity::Info,
            "hybrid_no_token_endpoint_id_token",
            "the token endpoint returned no ID token: nothing to compare with the front channel's",
            Some(SECTION),
        )];
    };
    let text = |name: &str| back.claims.get(name).and_then(Value::as_str).unwrap_or("");
    let mut findings = Vec::new();
    for (name, front_value) in [("iss", front_iss), ("sub", front_sub)] {
        let back_value = text(name);
        findings.push(if back_value == front_value {
            Finding::new(
                Severity::Info,
                &format!("hybrid_{name}_matches"),
                format!(
                    "the token endpoint's ID token has the front channel's {name} ({front_value})"
                ),
                Some(SECTION),
            )
        } else {
            Finding::new(
                Severity::Error,
                &format!("hybrid_{name}_mismatch"),
                format!(
                    "the token endpoint's ID token has {name} {back_value:?}, the one from the authorization endpoint {front_value:?}: they must be identical, so these tokens are not about the same sign-in"
                ),
                Some(SECTION),
            )
        });
    }
    findings
}

#[cfg(test)]
mod tests;
