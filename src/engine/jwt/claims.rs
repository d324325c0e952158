//! The claims of a JSON Web Token checked one by one (RFC 7519 §4.1), and an
//! ID token's as OpenID Connect Core §3.1.3.7 asks: `iss`, `sub`, `aud`,
//! `azp`, `exp`, `nbf`, `iat`, `nonce`, `at_hash`, `c_hash` and `s_hash`
//! (FAPI 1.0 Advanced §5.1), each with its
//! [`Verdict`]. The signature is [`crate::engine::jwt::verify`]'s.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::Algorithm;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256, Sha384, Sha512};
use url::Url;

use crate::engine::profile::Profile;
use crate::engine::requests::step_up::AuthRequirement;
use crate::engine::tokens::response::TokenSet;

/// Default tolerance for clock differences when checking `exp`, `nbf` and
/// `iat`.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(60);

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The rule holds.
    Pass,
    /// Allowed, but worth a look.
    Warn,
    /// The rule is broken: a strict client rejects the token.
    Fail,
    /// Not checked (nothing to check against).
    Skipped,
}

impl Verdict {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Warn => "warn",
            Self::Fail => "fail",
            Self::Skipped => "skipped",
        }
    }
}

/// One rule checked against a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// What was checked: `alg`, `signature`, `iss`, `aud`, `azp`, `exp`,
    /// `nbf`, `iat`, `sub`, `nonce`, `at_hash`, `c_hash`.
    pub name: String,
    /// The outcome.
    pub verdict: Verdict,
    /// What was seen, for people.
    pub message: String,
    /// The rule concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl Check {
    /// A failed check.
    pub fn failed(name: &str, message: impl Into<String>, reference: &str) -> Self {
        Self::new(name, Verdict::Fail, message, reference)
    }

    pub(in crate::engine) fn new(
        name: &str,
        verdict: Verdict,
        message: impl Into<String>,
        reference: &str,
    ) -> Self {
        Self {
            name: name.to_string(),
            verdict,
            message: message.into(),
            reference: Some(reference.to_string()),
        }
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{}] {}: {}",
            self.verdict.as_str(),
            self.name,
            self.message
        )?;
        if let Some(reference) = &self.reference {
            write!(f, " ({reference})")?;
        }
        Ok(())
    }
}

/// What a token is checked against. Everything is optional: a check with
/// nothing to compare with is [`Verdict::Skipped`].
#[derive(Debug, Clone, PartialEq)]
pub struct Expectations {
    /// Validate as an OpenID Connect ID token: `iss`, `sub`, `aud`, `exp`
    /// and `iat` are required.
    pub id_token: bool,
    /// The issuer expected in `iss`.
    pub issuer: Option<String>,
    /// The audience expected in `aud` (for an ID token, the client id; it
    /// is also what `azp` must be).
    pub audience: Option<String>,
    /// The `nonce` sent in the authorization request.
    pub nonce: Option<String>,
    /// The access token issued with the ID token, for `at_hash`.
    pub access_token: Option<String>,
    /// The authorization code issued with the ID token, for `c_hash`.
    pub code: Option<String>,
    /// The `state` of the authorization response the ID token came in, for
    /// `s_hash` (FAPI 1.0 Advanced §5.1: the ID token as a detached
    /// signature).
    pub state: Option<String>,
    /// How far the clocks may disagree.
    pub clock_skew: Duration,
    /// The `acr_values` and `max_age` asked for, for `acr` and
    /// `auth_time` (RFC 9470 §4, OIDC Core §3.1.3.7).
    pub auth_requirement: AuthRequirement,
}

impl Default for Expectations {
    fn default() -> Self {
        Self {
            id_token: false,
            issuer: None,
            audience: None,
            nonce: None,
            access_token: None,
            code: None,
            state: None,
            clock_skew: DEFAULT_CLOCK_SKEW,
            auth_requirement: AuthRequirement::default(),
        }
    }
}

impl Expectations {
    /// What the ID token in `tokens`, obtained with `profile`, must say:
    /// the profile's issuer, its client id as audience, the nonce sent and
    /// the access token issued with it, within the profile's clock skew.
    pub fn for_id_token(profile: &Profile, tokens: &TokenSet) -> Self {
        Self {
            id_token: true,
            issuer: profile.endpoints.issuer.as_ref().map(issuer_text),
            audience: profile.client_id.clone(),
            nonce: tokens.nonce.clone(),
            access_token: Some(tokens.access_token.expose().to_string()),
            code: None,
            state: None,
            clock_skew: profile.clock_skew,
            auth_requirement: tokens.auth_requirement.clone().unwrap_or_default(),
        }
    }

    /// What an access token from `profile` can be checked against: its
    /// issuer, within its clock skew (audiences of access tokens are the
    /// APIs', not the client's).
    pub fn for_access_token(profile: &Profile) -> Self {
        Self {
            issuer: profile.endpoints.issuer.as_ref().map(issuer_text),
            clock_skew: profile.clock_skew,
            ..Self::default()
        }
    }
}

/// An issuer URL as issuers write it: `https://as.example`, not the
/// `https://as.example/` a parsed URL becomes.
pub fn issuer_text(url: &Url) -> String {
    if url.path() == "/" && url.query().is_none() {
        url.as_str().trim_end_matches('/').to_string()
    } else {
        url.to_string()
    }
}

/// A NumericDate claim as seconds; `Err` with a description when present
/// but not a number.
fn numeric(claims: &Value, name: &str) -> Option<Result<i64, String>> {
    let value = claims.get(name)?;
    Some(match value {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .ok_or_else(|| format!("{name} is {value}, not a NumericDate")),
        other => Err(format!(
            "{name} is {other}; it is a number of seconds since 1970 (NumericDate)"
        )),
    })
}

fn when(secs: i64) -> String {
    DateTime::<Utc>::from_timestamp(secs, 0)
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| secs.to_string())
}

pub(in crate::engine) fn claim_checks(
    claims: &Value,
    alg: Option<Algorithm>,
    expect: &Expectations,
    now: DateTime<Utc>,
) -> Vec<Check> {
    let ctx = Ctx {
        claims,
        alg,
        expect,
        core: if expect.id_token {
            "OIDC Core §3.1.3.7"
        } else {
            "RFC 7519 §4.1"
        },
        now_secs: now.timestamp(),
        skew: expect.clock_skew.as_secs() as i64,
    };
    let mut checks = Vec::new();
    identity_checks(&ctx, &mut checks);
    time_checks(&ctx, &mut checks);
    binding_checks(&ctx, &mut checks);
    let Ctx {
        claims,
        expect,
        now_secs,
        skew,
        ..
    } = ctx;
    // acr, auth_time against what was asked (RFC 9470 §4)
    checks.extend(expect.auth_requirement.claim_checks(
        claims,
        if expect.id_token {
            "id_token"
        } else {
            "access_token"
        },
        now_secs,
        skew,
    ));
    checks
}

/// What every claim check reads.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    claims: &'a Value,
    alg: Option<Algorithm>,
    expect: &'a Expectations,
    /// The rule a missing or wrong registered claim breaks.
    core: &'static str,
    now_secs: i64,
    skew: i64,
}

impl Ctx<'_> {
    /// The check of a registered claim that is missing: a failure for an ID
    /// token, which must have it; skipped otherwise.
    fn required(&self, name: &str) -> Check {
        Check::new(
            name,
            if self.expect.id_token {
                Verdict::Fail
            } else {
                Verdict::Skipped
            },
            format!(
                "{name} is missing{}",
                if self.expect.id_token {
                    "; an ID token must have it"
                } else {
                    ""
                }
            ),
            self.core,
        )
    }
}

/// Who issued the token, for whom, to whom: `iss`, `sub`, `aud`, `azp`.
fn identity_checks(ctx: &Ctx<'_>, checks: &mut Vec<Check>) {
    let Ctx {
        claims,
        expect,
        core,
        ..
    } = *ctx;
    let required = |name: &str| ctx.required(name);

    // iss
    match (claims.get("iss").and_then(Value::as_str), &expect.issuer) {
        (Some(iss), Some(issuer)) if iss == issuer => checks.push(Check::new(
            "iss",
            Verdict::Pass,
            format!("iss is {iss}, the expected issuer"),
            core,
        )),
        (Some(iss), Some(issuer)) if iss.trim_end_matches('/') == issuer.trim_end_matches('/') => {
            checks.push(Check::new(
                "iss",
                Verdict::Warn,
                format!(
                    "iss is {iss:?} and the issuer {issuer:?}: they differ by a trailing slash, and strict clients compare exactly"
                ),
                core,
            ));
        }
        (Some(iss), Some(issuer)) => checks.push(Check::new(
            "iss",
            Verdict::Fail,
            format!("iss is {iss:?}, but the issuer is {issuer:?}"),
            core,
        )),
        (Some(iss), None) => checks.push(Check::new(
            "iss",
            Verdict::Skipped,
            format!("iss is {iss}; no issuer to compare with"),
            core,
        )),
        (None, _) if claims.get("iss").is_some() => {
            checks.push(Check::new(
                "iss",
                Verdict::Fail,
                "iss is not a string",
                core,
            ));
        }
        (None, _) => checks.push(required("iss")),
    }

    // sub
    if expect.id_token {
        match claims.get("sub") {
            Some(Value::String(sub)) if !sub.is_empty() => {
                checks.push(Check::new(
                    "sub",
                    Verdict::Pass,
                    format!("sub is {sub}"),
                    core,
                ));
            }
            Some(other) => checks.push(Check::new(
                "sub",
                Verdict::Fail,
                format!("sub is {other}, not a non-empty string"),
                core,
            )),
            None => checks.push(required("sub")),
        }
    }

    // aud and azp
    let audiences: Option<Vec<&str>> = match claims.get("aud") {
        Some(Value::String(aud)) => Some(vec![aud.as_str()]),
        Some(Value::Array(list)) => Some(list.iter().filter_map(Value::as_str).collect()),
        _ => None,
    };
    match (&audiences, &expect.audience) {
        (Some(list), Some(expected)) if list.contains(&expected.as_str()) => {
            checks.push(Check::new(
                "aud",
                Verdict::Pass,
                format!("aud includes {expected}"),
                core,
            ));
        }
        (Some(list), Some(expected)) => checks.push(Check::new(
            "aud",
            Verdict::Fail,
            format!(
                "aud is {}, which does not include {expected:?}{}",
                list.join(", "),
                if expect.id_token {
                    " (the client id)"
                } else {
                    ""
                }
            ),
            core,
        )),
        (Some(list), None) => checks.push(Check::new(
            "aud",
            Verdict::Skipped,
            format!("aud is {}; no audience to compare with", list.join(", ")),
            core,
        )),
        (None, _) if claims.get("aud").is_some() => checks.push(Check::new(
            "aud",
            Verdict::Fail,
            "aud is neither a string nor an array of strings",
            "RFC 7519 §4.1.3",
        )),
        (None, _) => checks.push(required("aud")),
    }
    let azp = claims.get("azp").and_then(Value::as_str);
    if expect.id_token {
        let several = audiences.as_ref().is_some_and(|l| l.len() > 1);
        match (azp, &expect.audience) {
            (Some(azp), Some(client)) if azp == client => checks.push(Check::new(
                "azp",
                Verdict::Pass,
                format!("azp is {azp}, the client id"),
                core,
            )),
            (Some(azp), Some(client)) => checks.push(Check::new(
                "azp",
                Verdict::Fail,
                format!("azp is {azp:?}, not the client id {client:?}"),
                core,
            )),
            (None, _) if several => checks.push(Check::new(
                "azp",
                Verdict::Warn,
                "aud names several audiences and there is no azp",
                core,
            )),
            _ => {}
        }
    }
}

/// When: `exp`, `nbf`, `iat`, within the clock skew.
fn time_checks(ctx: &Ctx<'_>, checks: &mut Vec<Check>) {
    let Ctx {
        claims,
        core,
        now_secs,
        skew,
        ..
    } = *ctx;
    let required = |name: &str| ctx.required(name);

    // exp
    match numeric(claims, "exp") {
        Some(Ok(exp)) if now_secs <= exp + skew => checks.push(Check::new(
            "exp",
            Verdict::Pass,
            format!("expires at {} (in {} s)", when(exp), exp - now_secs),
            core,
        )),
        Some(Ok(exp)) => checks.push(Check::new(
            "exp",
            Verdict::Fail,
            format!(
                "expired at {} ({} s ago, beyond the {skew} s tolerance)",
                when(exp),
                now_secs - exp
            ),
            core,
        )),
        Some(Err(message)) => checks.push(Check::new("exp", Verdict::Fail, message, core)),
        None => checks.push(required("exp")),
    }

    // nbf
    match numeric(claims, "nbf") {
        Some(Ok(nbf)) if nbf <= now_secs + skew => checks.push(Check::new(
            "nbf",
            Verdict::Pass,
            format!("valid since {}", when(nbf)),
            "RFC 7519 §4.1.5",
        )),
        Some(Ok(nbf)) => checks.push(Check::new(
            "nbf",
            Verdict::Fail,
            format!(
                "not valid before {} ({} s from now, beyond the {skew} s tolerance)",
                when(nbf),
                nbf - now_secs
            ),
            "RFC 7519 §4.1.5",
        )),
        Some(Err(message)) => {
            checks.push(Check::new("nbf", Verdict::Fail, message, "RFC 7519 §4.1.5"));
        }
        None => {}
    }

    // iat
    match numeric(claims, "iat") {
        Some(Ok(iat)) if iat <= now_secs + skew => checks.push(Check::new(
            "iat",
            Verdict::Pass,
            format!("issued at {}", when(iat)),
            core,
        )),
        Some(Ok(iat)) => checks.push(Check::new(
            "iat",
            Verdict::Fail,
            format!(
                "issued at {}, {} s in the future (beyond the {skew} s tolerance): a clock is wrong",
                when(iat),
                iat - now_secs
            ),
            core,
        )),
        Some(Err(message)) => checks.push(Check::new("iat", Verdict::Fail, message, core)),
        None => checks.push(required("iat")),
    }
}

/// What binds the token to this run: `nonce`, and the hashes of the tokens it came with (`at_hash`, `c_hash`, `s_hash`).
fn binding_checks(ctx: &Ctx<'_>, checks: &mut Vec<Check>) {
    let Ctx {
        claims,
        alg,
        expect,
        ..
    } = *ctx;

    // nonce
    let nonce = claims.get("nonce").and_then(Value::as_str);
    match (nonce, &expect.nonce) {
        (Some(got), Some(sent)) if got == sent => checks.push(Check::new(
            "nonce",
            Verdict::Pass,
            "nonce matches the one sent",
            "OIDC Core §3.1.3.7 (11)",
        )),
        (Some(got), Some(sent)) => checks.push(Check::new(
            "nonce",
            Verdict::Fail,
            format!("nonce is {got:?}, but {sent:?} was sent: the ID token may be replayed"),
            "OIDC Core §3.1.3.7 (11)",
        )),
        (None, Some(_)) => checks.push(Check::new(
            "nonce",
            Verdict::Fail,
            "a nonce was sent, and the ID token has none",
            "OIDC Core §3.1.3.7 (11)",
        )),
        (Some(got), None) => checks.push(Check::new(
            "nonce",
            Verdict::Skipped,
            format!("nonce is {got:?}; no nonce to compare with"),
            "OIDC Core §3.1.3.7 (11)",
        )),
        (None, None) => {}
    }

    // at_hash, c_hash
    for (name, value, reference) in [
        (
            "at_hash",
            expect.access_token.as_deref(),
            "OIDC Core §3.1.3.8",
        ),
        ("c_hash", expect.code.as_deref(), "OIDC Core §3.3.2.11"),
        ("s_hash", expect.state.as_deref(), "FAPI 1.0 Advanced §5.1"),
    ] {
        let Some(claim) = claims.get(name) else {
            continue;
        };
        let Some(claim) = claim.as_str() else {
            checks.push(Check::new(
                name,
                Verdict::Fail,
                format!("{name} is not a string"),
                reference,
            ));
            continue;
        };
        let Some(value) = value else {
            checks.push(Check::new(
                name,
                Verdict::Skipped,
                format!("{name} is present; nothing to compare it with"),
                reference,
            ));
            continue;
        };
        let Some(alg) = alg else {
            checks.push(Check::new(
                name,
                Verdict::Skipped,
                format!("{name} cannot be checked without a known alg"),
                reference,
            ));
            continue;
        };
        let expected = left_half_hash(alg, value);
        checks.push(if expected == claim {
            Check::new(name, Verdict::Pass, format!("{name} matches"), reference)
        } else {
            Check::new(
                name,
                Verdict::Fail,
                format!("{name} is {claim:?}; the token it covers hashes to {expected:?}"),
                reference,
            )
        });
    }
}

/// The left-most half of the hash of `value` with the hash of `alg`,
/// base64url-encoded: `at_hash`, `c_hash` (OIDC Core §3.1.3.6, §3.3.2.11)
/// and `s_hash` (FAPI 1.0 Advanced §5.1). EdDSA
/// (Ed25519) uses SHA-512.
pub fn left_half_hash(alg: Algorithm, value: &str) -> String {
    let digest: Vec<u8> = match alg {
        Algorithm::HS384 | Algorithm::RS384 | Algorithm::PS384 | Algorithm::ES384 => {
            Sha384::digest(value.as_bytes()).to_vec()
        }
        Algorithm::HS512 | Algorithm::RS512 | Algorithm::PS512 | Algorithm::EdDSA => {
            Sha512::digest(value.as_bytes()).to_vec()
        }
        _ => Sha256::digest(value.as_bytes()).to_vec(),
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}
