//! Logout tokens (OpenID Connect Back-Channel Logout 1.0 §2.4) and their
//! validation (§2.6): [`validate_logout_token`] makes every check and says
//! each verdict — the signature against the issuer's JWKS, `iss`, `aud`,
//! `iat`, `exp`, `jti` (a replay is refused), the `events` claim naming
//! [`BACKCHANNEL_LOGOUT_EVENT`], no `nonce`, `sub` and/or `sid`, and `typ`.
//! [`LogoutTokenReport::ends`] says whether an accepted token ends a given
//! session. The receiver that serves the URI is [`super::back_channel`].

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::engine::diagnose::findings::Finding;
use crate::engine::jwt::claims::{Check, Expectations, Verdict, issuer_text};
use crate::engine::jwt::jwks::JwksCache;
use crate::engine::jwt::verify::verify_with_jwks;
use crate::engine::jwt::{self, DecodedJwt};
use crate::engine::profile::Profile;
use crate::engine::wire::http::HttpClient;

/// The member of the `events` claim that makes a JWT a logout token
/// (Back-Channel Logout §2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

const SPEC: &str = "Back-Channel Logout §2.4";

/// Which session a token set belongs to, read from its ID token: what a
/// logout token is matched against (§2.6, §2.7).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SessionRef {
    /// `iss` of the ID token.
    pub iss: Option<String>,
    /// `sub` of the ID token.
    pub sub: Option<String>,
    /// `sid` of the ID token (OpenID Connect Front-Channel Logout §3,
    /// Back-Channel Logout §2.1).
    pub sid: Option<String>,
}

impl SessionRef {
    /// The session an ID token names (its claims, read without checking
    /// the signature: the ID token was checked when it arrived).
    pub fn from_id_token(id_token: &str) -> Option<Self> {
        let decoded = jwt::decode("id_token", id_token).ok()?;
        let text = |name: &str| decoded.claims[name].as_str().map(str::to_string);
        Some(Self {
            iss: text("iss"),
            sub: text("sub"),
            sid: text("sid"),
        })
    }
}

/// One logout token received, with the verdict of every check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogoutTokenReport {
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// The token decoded, when it could be.
    pub jwt: Option<DecodedJwt>,
    /// Every check, in the order made.
    pub checks: Vec<Check>,
    /// What else was noticed (a JWKS fetched again, `alg: none`).
    pub findings: Vec<Finding>,
    /// The HTTP status the provider was answered (200 or 400, §2.8).
    pub status: u16,
}

impl LogoutTokenReport {
    /// True when every check held and the provider was answered 200.
    pub fn accepted(&self) -> bool {
        self.status == 200
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.verdict == Verdict::Fail)
    }

    /// A claim of the token, as text.
    pub fn claim(&self, name: &str) -> Option<&str> {
        self.jwt.as_ref()?.claims.get(name)?.as_str()
    }

    /// True when this token, accepted, ends `session`: the same issuer,
    /// and the same `sid` — or, without a `sid`, the same `sub` (every
    /// session of that user, §2.4).
    pub fn ends(&self, session: &SessionRef) -> bool {
        if !self.accepted() {
            return false;
        }
        let same = |a: Option<&str>, b: &Option<String>| a.is_some() && a == b.as_deref();
        let iss = self.claim("iss");
        if session.iss.is_some() && !same(iss, &session.iss) {
            return false;
        }
        match self.claim("sid") {
            Some(_) => same(self.claim("sid"), &session.sid),
            None => same(self.claim("sub"), &session.sub),
        }
    }

    /// The verdicts in one line, for people.
    pub fn summary(&self) -> String {
        let failed: Vec<&str> = self.failures().map(|c| c.name.as_str()).collect();
        if failed.is_empty() {
            format!(
                "The provider ended the session (logout token accepted; sub {}, sid {})",
                self.claim("sub").unwrap_or("—"),
                self.claim("sid").unwrap_or("—")
            )
        } else {
            format!(
                "A logout token was refused (HTTP 400): failed {}",
                failed.join(", ")
            )
        }
    }
}

/// What logout tokens are checked against: the profile's issuer, client
/// id, JWKS and clock skew, and the `jti`s already seen.
#[derive(Clone)]
pub struct LogoutTokenContext {
    http: HttpClient,
    cache: JwksCache,
    issuer: Option<String>,
    client_id: Option<String>,
    jwks_uri: Option<Url>,
    hmac_secret: Option<Vec<u8>>,
    clock_skew: Duration,
    seen: Arc<Mutex<HashSet<String>>>,
}

impl LogoutTokenContext {
    /// For tokens meant for `profile`'s client (its `jwks_uri` filled, by
    /// discovery if need be), keys fetched with `http` through `cache`.
    pub fn for_profile(profile: &Profile, http: HttpClient, cache: JwksCache) -> Self {
        let hmac_secret = profile
            .client_secret
            .as_ref()
            .and_then(|source| source.resolve("client_secret").ok())
            .map(|secret| secret.expose().as_bytes().to_vec());
        Self {
            http,
            cache,
            issuer: profile.endpoints.issuer.as_ref().map(issuer_text),
            client_id: profile.client_id.clone(),
            jwks_uri: profile.endpoints.jwks_uri.clone(),
            hmac_secret,
            clock_skew: profile.clock_skew,
            seen: Arc::default(),
        }
    }
}

/// Validates a logout token as Back-Channel Logout §2.6 says, every check
/// made; the status is 200 when none failed, 400 otherwise (§2.8).
pub async fn validate_logout_token(
    context: &LogoutTokenContext,
    token: &str,
    now: DateTime<Utc>,
) -> LogoutTokenReport {
    let expect = Expectations {
        issuer: context.issuer.clone(),
        audience: context.client_id.clone(),
        clock_skew: context.clock_skew,
        ..Expectations::default()
    };
    let verification = verify_with_jwks(
        &context.http,
        &context.cache,
        "logout_token",
        token,
        context.jwks_uri.as_ref(),
        context.hmac_secret.clone(),
        &expect,
        now,
    )
    .await;
    let verification = match verification {
        Ok(verification) => verification,
        Err(err) => {
            return LogoutTokenReport {
                received_at: now,
                jwt: None,
                checks: vec![Check::new(
                    "jwt",
                    Verdict::Fail,
                    format!("the logout token is not a signed JWT: {err}"),
                    SPEC,
                )],
                findings: Vec::new(),
                status: 400,
            };
        }
    };
    let claims = &verification.jwt.claims;
    // The signature and the claims an ID token shares with a logout token
    // (§2.6 step 3); sub, nonce and the hashes are judged below.
    let mut checks: Vec<Check> = verification
        .checks
        .iter()
        .filter(|c| {
            matches!(
                c.name.as_str(),
                "alg" | "signature" | "iss" | "aud" | "exp" | "nbf" | "iat"
            )
        })
        .cloned()
        .collect();
    for name in ["iss", "aud", "iat", "exp"] {
        if claims.get(name).is_none() {
            let missing = Check::new(
                name,
                Verdict::Fail,
                format!("{name} is missing; a logout token must have it"),
                SPEC,
            );
            match checks.iter_mut().find(|c| c.name == name) {
                Some(check) => *check = missing,
                None => checks.push(missing),
            }
        }
    }
    checks.push(typ_check(&verification.jwt.header));
    checks.push(jti_check(context, claims));
    checks.push(events_check(claims));
    checks.push(match claims.get("nonce") {
        Some(nonce) => Check::new(
            "nonce",
            Verdict::Fail,
            format!("the token has a nonce ({nonce}); a logout token must not, so it cannot pass for an ID token"),
            "Back-Channel Logout §2.4, §2.6",
        ),
        None => Check::new("nonce", Verdict::Pass, "no nonce, as required", "Back-Channel Logout §2.4"),
    });
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    checks.push(match (text("sub"), text("sid")) {
        (None, None) => Check::new(
            "sub_or_sid",
            Verdict::Fail,
            "neither sub nor sid: the token does not say whose session ends",
            "Back-Channel Logout §2.4, §2.6",
        ),
        (sub, sid) => Check::new(
            "sub_or_sid",
            Verdict::Pass,
            format!(
                "sub {}, sid {}",
                sub.unwrap_or("(none)"),
                sid.unwrap_or("(none: every session of the user)")
            ),
            SPEC,
        ),
    });
    let failed = checks.iter().any(|c| c.verdict == Verdict::Fail);
    LogoutTokenReport {
        received_at: now,
        jwt: Some(verification.jwt.clone()),
        checks,
        findings: verification.findings.clone(),
        status: if failed { 400 } else { 200 },
    }
}

fn typ_check(header: &Value) -> Check {
    match header.get("typ").and_then(Value::as_str) {
        Some(typ) if typ.eq_ignore_ascii_case("logout+jwt") => {
            Check::new("typ", Verdict::Pass, "typ is logout+jwt", SPEC)
        }
        other => Check::new(
            "typ",
            Verdict::Warn,
            format!(
                "typ is {}: explicit typing (logout+jwt) is RECOMMENDED so a logout token cannot be confused with another JWT",
                other.map_or("absent".to_string(), |t| format!("{t:?}"))
            ),
            SPEC,
        ),
    }
}

fn jti_check(context: &LogoutTokenContext, claims: &Value) -> Check {
    let Some(jti) = claims.get("jti").and_then(Value::as_str) else {
        return Check::new(
            "jti",
            Verdict::Fail,
            "jti is missing; a logout token must have it",
            SPEC,
        );
    };
    let fresh = context
        .seen
        .lock()
        .map(|mut seen| seen.insert(jti.to_string()))
        .unwrap_or(true);
    if fresh {
        Check::new(
            "jti",
            Verdict::Pass,
            format!("jti {jti}, not seen before"),
            SPEC,
        )
    } else {
        Check::new(
            "jti",
            Verdict::Fail,
            format!("jti {jti} was already received: a replayed logout token"),
            "Back-Channel Logout §2.6",
        )
    }
}

fn events_check(claims: &Value) -> Check {
    let reference = "Back-Channel Logout §2.4, §2.6";
    let Some(events) = claims.get("events") else {
        return Check::new(
            "events",
            Verdict::Fail,
            "the events claim is missing",
            reference,
        );
    };
    match events.get(BACKCHANNEL_LOGOUT_EVENT) {
        Some(Value::Object(_)) => Check::new(
            "events",
            Verdict::Pass,
            format!("events names {BACKCHANNEL_LOGOUT_EVENT}"),
            reference,
        ),
        Some(other) => Check::new(
            "events",
            Verdict::Fail,
            format!(
                "events names {BACKCHANNEL_LOGOUT_EVENT}, but its value is {other}, not a JSON object"
            ),
            reference,
        ),
        None => Check::new(
            "events",
            Verdict::Fail,
            format!(
                "events is {events}: it does not name {BACKCHANNEL_LOGOUT_EVENT}, so this is not a logout token"
            ),
            reference,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(claims: Value, status: u16) -> LogoutTokenReport {
        LogoutTokenReport {
            received_at: Utc::now(),
            jwt: Some(DecodedJwt {
                source: "logout_token".into(),
                header: json!({"alg": "RS256"}),
                claims,
                signature: String::new(),
            }),
            checks: Vec::new(),
            findings: Vec::new(),
            status,
        }
    }

    fn session(sid: Option<&str>) -> SessionRef {
        SessionRef {
            iss: Some("http://as".into()),
            sub: Some("alice".into()),
            sid: sid.map(str::to_string),
        }
    }

    #[test]
    fn a_token_ends_the_session_of_its_sid_or_without_one_every_session_of_its_sub() {
        let with_sid = report(
            json!({"iss": "http://as", "sub": "alice", "sid": "s1"}),
            200,
        );
        assert!(with_sid.ends(&session(Some("s1"))));
        assert!(!with_sid.ends(&session(Some("s2"))));
        assert!(!with_sid.ends(&session(None)));
        let sub_only = report(json!({"iss": "http://as", "sub": "alice"}), 200);
        assert!(sub_only.ends(&session(Some("s2"))));
        let other_issuer = report(json!({"iss": "http://other", "sub": "alice"}), 200);
        assert!(!other_issuer.ends(&session(None)));
        let refused = report(
            json!({"iss": "http://as", "sub": "alice", "sid": "s1"}),
            400,
        );
        assert!(!refused.ends(&session(Some("s1"))));
    }

    #[test]
    fn the_events_claim_must_name_the_logout_event_with_an_object() {
        let verdict = |claims: Value| events_check(&claims).verdict;
        assert_eq!(
            verdict(json!({"events": {BACKCHANNEL_LOGOUT_EVENT: {}}})),
            Verdict::Pass
        );
        assert_eq!(
            verdict(json!({"events": {BACKCHANNEL_LOGOUT_EVENT: "yes"}})),
            Verdict::Fail
        );
        assert_eq!(verdict(json!({"events": {"urn:other": {}}})), Verdict::Fail);
        assert_eq!(verdict(json!({"events": "logout"})), Verdict::Fail);
        assert_eq!(verdict(json!({})), Verdict::Fail);
    }

    #[test]
    fn explicit_typing_is_recommended_not_required() {
        assert_eq!(
            typ_check(&json!({"typ": "logout+jwt"})).verdict,
            Verdict::Pass
        );
        assert_eq!(typ_check(&json!({"typ": "JWT"})).verdict, Verdict::Warn);
        assert_eq!(typ_check(&json!({})).verdict, Verdict::Warn);
    }
}
