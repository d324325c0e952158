//! Step-up authentication on the demo provider (RFC 9470), its own code.
//!
//! - The authorization endpoint reads `acr_values` and `max_age` (OIDC Core
//!   §3.1.2.1, RFC 9470 §4): a signed-in browser whose sign-in is older
//!   than `max_age` is asked to sign in again; the sign-in meets the first
//!   asked authentication context this server knows
//!   ([`ACR_PASSWORD`], [`ACR_MFA`]), else the password one.
//! - What the sign-in was (`acr`, `auth_time`) goes into the ID token and
//!   into the access token (RFC 9470 §5.1, RFC 9068 §2.2.1), and stays with
//!   the refresh token, so a refreshed access token still says it.
//! - `GET|POST /api/payments` needs [`ACR_MFA`] and a sign-in at most
//!   [`PAYMENTS_MAX_AGE`] seconds old; otherwise it answers 401
//!   `insufficient_user_authentication` with `acr_values` and `max_age`
//!   (RFC 9470 §3).
//!
//! Fault switches show each client check failing: `step-up-ignore-acr`
//! (the server ignores `acr_values`), `step-up-stale-auth-time` (it
//! reports a sign-in an hour old: it did not re-authenticate),
//! `step-up-no-auth-time` (no `auth_time` in the tokens, though `max_age`
//! asks for it) and `step-up-403` (the API answers the challenge with 403).

use axum::http::StatusCode;
use serde_json::Value;

use super::{Demo, now};

/// A password sign-in.
pub const ACR_PASSWORD: &str = "urn:demo:acr:password";
/// A multi-factor sign-in.
pub const ACR_MFA: &str = "urn:demo:acr:mfa";
/// The authentication contexts this server knows (`acr_values_supported`).
pub const SUPPORTED: [&str; 2] = [ACR_PASSWORD, ACR_MFA];
/// How recent a sign-in `/api/payments` needs, in seconds.
pub const PAYMENTS_MAX_AGE: i64 = 300;

/// How long ago `step-up-stale-auth-time` says the user signed in.
const STALE_SECS: i64 = 3600;

/// The step-up fault switches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepUpFaults {
    /// `step-up-ignore-acr`: every sign-in is a password one, whatever
    /// `acr_values` asks.
    pub ignore_acr: bool,
    /// `step-up-stale-auth-time`: `auth_time` says the user signed in an
    /// hour ago, whatever `max_age` asked.
    pub stale_auth_time: bool,
    /// `step-up-no-auth-time`: the tokens leave out `auth_time`.
    pub no_auth_time: bool,
    /// `step-up-403`: `/api/payments` sends its challenge with 403, not
    /// the 401 of RFC 9470 §3.
    pub challenge_403: bool,
}

impl StepUpFaults {
    /// The switch names.
    pub const NAMES: [&str; 4] = [
        "step-up-ignore-acr",
        "step-up-stale-auth-time",
        "step-up-no-auth-time",
        "step-up-403",
    ];

    /// Turns on the switch called `name`; false when it is not one of these.
    pub fn switch_on(&mut self, name: &str) -> bool {
        let switch = match name {
            "step-up-ignore-acr" => &mut self.ignore_acr,
            "step-up-stale-auth-time" => &mut self.stale_auth_time,
            "step-up-no-auth-time" => &mut self.no_auth_time,
            "step-up-403" => &mut self.challenge_403,
            _ => return false,
        };
        *switch = true;
        true
    }
}

/// What a sign-in was: its authentication context and when it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthEvent {
    /// `acr`.
    pub acr: String,
    /// `auth_time` (Unix seconds).
    pub auth_time: i64,
}

impl AuthEvent {
    /// The sign-in of a browser that signed in at `signed_in_at`, for an
    /// authorization request that asked `acr_values`.
    pub(super) fn of_sign_in(demo: &Demo, acr_values: Option<&str>, signed_in_at: i64) -> Self {
        let acr = if demo.faults.step_up.ignore_acr {
            ACR_PASSWORD
        } else {
            acr_values
                .unwrap_or_default()
                .split_whitespace()
                .find_map(|asked| SUPPORTED.into_iter().find(|known| *known == asked))
                .unwrap_or(ACR_PASSWORD)
        };
        let auth_time = if demo.faults.step_up.stale_auth_time {
            now() - STALE_SECS
        } else {
            signed_in_at
        };
        Self {
            acr: acr.to_string(),
            auth_time,
        }
    }

    /// Puts `acr` and `auth_time` into token claims.
    pub(super) fn add_to(&self, demo: &Demo, claims: &mut Value) {
        claims["acr"] = Value::String(self.acr.clone());
        if demo.faults.step_up.no_auth_time {
            if let Some(object) = claims.as_object_mut() {
                object.remove("auth_time");
            }
        } else {
            claims["auth_time"] = Value::from(self.auth_time);
        }
    }
}

/// Whether a browser that signed in at `signed_in_at` must sign in again
/// for an authorization request with `max_age` (OIDC Core §3.1.2.1: the
/// server must actively re-authenticate once that many seconds passed).
pub(super) fn sign_in_too_old(max_age: Option<u64>, signed_in_at: Option<i64>) -> bool {
    match (max_age, signed_in_at) {
        (Some(max_age), Some(at)) => now() - at > max_age as i64,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// What `/api/payments` needs of the token's `claims`: `None` when they
/// meet it, else the status and `WWW-Authenticate` value of the refusal
/// (RFC 9470 §3).
pub(super) fn payments_refusal(demo: &Demo, claims: &Value) -> Option<(StatusCode, String)> {
    let acr_ok = claims["acr"].as_str() == Some(ACR_MFA);
    let recent = claims["auth_time"]
        .as_i64()
        .is_some_and(|at| now() - at <= PAYMENTS_MAX_AGE);
    if acr_ok && recent {
        return None;
    }
    let description = match (acr_ok, recent) {
        (false, _) => "A multi-factor sign-in is required for payments",
        _ => "A more recent sign-in is required for payments",
    };
    let status = if demo.faults.step_up.challenge_403 {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::UNAUTHORIZED
    };
    Some((
        status,
        format!(
            "Bearer realm=\"demo\", error=\"insufficient_user_authentication\", error_description=\"{description}\", acr_values=\"{ACR_MFA}\", max_age=\"{PAYMENTS_MAX_AGE}\""
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_is_too_old_only_past_max_age() {
        assert!(!sign_in_too_old(None, Some(0)));
        assert!(sign_in_too_old(Some(60), Some(now() - 61)));
        assert!(!sign_in_too_old(Some(60), Some(now() - 10)));
        assert!(sign_in_too_old(Some(0), None));
    }

    #[test]
    fn switches_have_names() {
        for name in StepUpFaults::NAMES {
            assert!(StepUpFaults::default().switch_on(name), "{name}");
        }
        assert!(!StepUpFaults::default().switch_on("step-up-other"));
    }
}
