//! Step-up authentication (RFC 9470): a resource server's
//! `insufficient_user_authentication` challenge, the authorization request
//! that answers it, and the check of what came back.
//!
//! - The challenge (§3): HTTP 401 with `WWW-Authenticate: Bearer
//!   error="insufficient_user_authentication"` and `acr_values` (a
//!   space-separated list of authentication context class references, in
//!   order of preference — one of them is needed) and/or `max_age` (the
//!   seconds allowed since the user last actively authenticated).
//! - The request (§4): the client asks the authorization server again with
//!   the OpenID Connect parameters of the same names (OIDC Core §3.1.2.1).
//! - The check: the new ID token's `acr` against what was asked (OIDC Core
//!   §3.1.3.7 item 12; `acr_values` is a voluntary request, §5.5.1.1, so a
//!   server may not meet it — then the API will refuse again) and its
//!   `auth_time` against `max_age` (item 13; with `max_age` the ID token
//!   must carry `auth_time`, §3.1.2.1). A JWT access token is read the same
//!   way, since it is what the resource server decides on (§5.1: `acr` and
//!   `auth_time` in JWT access tokens, RFC 9068 §2.2.1).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::endpoints::api::Challenge;
use crate::engine::jwt::claims::{Check, Verdict};

/// The error code of the challenge (RFC 9470 §3).
pub const ERROR: &str = "insufficient_user_authentication";

/// What the user's authentication must meet: the `acr_values` and
/// `max_age` of an authorization request (OIDC Core §3.1.2.1, RFC 9470 §4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthRequirement {
    /// Authentication context class references, in order of preference;
    /// one of them is asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acr_values: Vec<String>,
    /// Seconds allowed since the user last actively authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u64>,
}

impl AuthRequirement {
    /// Reads the profile's `acr_values` (space-separated) and `max_age`.
    pub fn new(acr_values: Option<&str>, max_age: Option<u64>) -> Self {
        Self {
            acr_values: acr_values
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            max_age,
        }
    }

    /// Reads `acr_values` and `max_age` out of request parameters (a
    /// profile's `authorize_params`), ignoring a `max_age` that is not a
    /// number of seconds.
    pub fn from_params(params: &[(String, String)]) -> Self {
        let get = |name: &str| params.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v);
        Self::new(
            get("acr_values").map(String::as_str),
            get("max_age").and_then(|v| v.trim().parse().ok()),
        )
    }

    /// Nothing asked.
    pub fn is_empty(&self) -> bool {
        self.acr_values.is_empty() && self.max_age.is_none()
    }

    /// The authorization request parameters that ask for it.
    pub fn params(&self) -> Vec<(String, String)> {
        let mut params = Vec::new();
        if !self.acr_values.is_empty() {
            params.push(("acr_values".to_string(), self.acr_values.join(" ")));
        }
        if let Some(max_age) = self.max_age {
            params.push(("max_age".to_string(), max_age.to_string()));
        }
        params
    }

    /// `params` with this requirement in place of any `acr_values` and
    /// `max_age` they had.
    pub fn replace_in(&self, params: &[(String, String)]) -> Vec<(String, String)> {
        params
            .iter()
            .filter(|(k, _)| k != "acr_values" && k != "max_age")
            .cloned()
            .chain(self.params())
            .collect()
    }

    /// The checks of a token's `acr` and `auth_time` against what was
    /// asked, at `now` (seconds), allowing `skew`. `source` is
    /// `id_token` or `access_token`; nothing is checked when nothing was
    /// asked.
    pub fn claim_checks(&self, claims: &Value, source: &str, now: i64, skew: i64) -> Vec<Check> {
        let id_token = source == "id_token";
        let mut checks = Vec::new();
        if !self.acr_values.is_empty() {
            let asked = self.acr_values.join(" ");
            let reference = if id_token {
                "OIDC Core §3.1.3.7"
            } else {
                "RFC 9470 §5.1"
            };
            checks.push(match claims.get("acr") {
                Some(Value::String(acr)) if self.acr_values.contains(acr) => Check::new(
                    "acr",
                    Verdict::Pass,
                    format!("acr is {acr}, one of the acr_values asked ({asked})"),
                    reference,
                ),
                Some(Value::String(acr)) => Check::new(
                    "acr",
                    Verdict::Warn,
                    format!(
                        "acr is {acr}, none of the acr_values asked ({asked}): the server did not meet the authentication context (acr_values is a voluntary request, OIDC Core §5.5.1.1), so an API that asked for it will refuse this token too"
                    ),
                    reference,
                ),
                Some(other) => Check::new(
                    "acr",
                    Verdict::Warn,
                    format!("acr is {other}; it is a string (OIDC Core §2)"),
                    "OIDC Core §2",
                ),
                None => Check::new(
                    "acr",
                    Verdict::Warn,
                    if id_token {
                        format!(
                            "acr_values={asked} was asked, and the ID token has no acr: nothing says which authentication context was met"
                        )
                    } else {
                        format!(
                            "acr_values={asked} was asked, and the access token has no acr: a resource server reading it cannot tell which authentication context was met (RFC 9470 §5.1)"
                        )
                    },
                    reference,
                ),
            });
        }
        if let Some(max_age) = self.max_age {
            let reference = if id_token {
                "OIDC Core §3.1.2.1"
            } else {
                "RFC 9470 §5.1"
            };
            checks.push(match claims.get("auth_time").and_then(Value::as_i64) {
                Some(auth_time) => {
                    let elapsed = now - auth_time;
                    if elapsed > max_age as i64 + skew {
                        Check::new(
                            "auth_time",
                            Verdict::Fail,
                            format!(
                                "auth_time says the user authenticated {elapsed} s ago, more than max_age={max_age}: the server did not make the user authenticate again (OIDC Core §3.1.2.1)"
                            ),
                            "OIDC Core §3.1.3.7",
                        )
                    } else {
                        Check::new(
                            "auth_time",
                            Verdict::Pass,
                            format!(
                                "auth_time is {} s ago, within max_age={max_age}",
                                elapsed.max(0)
                            ),
                            "OIDC Core §3.1.3.7",
                        )
                    }
                }
                None if claims.get("auth_time").is_some() => Check::new(
                    "auth_time",
                    Verdict::Fail,
                    format!(
                        "auth_time is {}; it is a number of seconds since 1970",
                        claims["auth_time"]
                    ),
                    "OIDC Core §2",
                ),
                None => Check::new(
                    "auth_time",
                    if id_token {
                        Verdict::Fail
                    } else {
                        Verdict::Warn
                    },
                    if id_token {
                        format!(
                            "max_age={max_age} was asked, and the ID token has no auth_time; with max_age it must have one"
                        )
                    } else {
                        format!(
                            "max_age={max_age} was asked, and the access token has no auth_time: a resource server reading it cannot tell how recent the authentication was"
                        )
                    },
                    reference,
                ),
            });
        }
        checks
    }
}

/// `profile` asking for `requirement` on its authorization requests, in
/// place of the `acr_values` and `max_age` it had (RFC 9470 §4).
pub fn ask(profile: &mut crate::engine::Profile, requirement: &AuthRequirement) {
    profile.authorize_params = requirement.replace_in(&profile.authorize_params);
    profile.auth_requirement = requirement.clone();
}

impl std::fmt::Display for AuthRequirement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if !self.acr_values.is_empty() {
            parts.push(format!("acr_values={}", self.acr_values.join(" ")));
        }
        if let Some(max_age) = self.max_age {
            parts.push(format!("max_age={max_age}"));
        }
        write!(f, "{}", parts.join(", "))
    }
}

/// A resource server's step-up challenge (RFC 9470 §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepUpChallenge {
    /// What the API needs.
    pub requirement: AuthRequirement,
    /// Its `error_description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl StepUpChallenge {
    /// Reads an `insufficient_user_authentication` challenge from an API
    /// answer with `status`, with what is odd about it; `None` for any
    /// other challenge.
    pub fn read(status: u16, challenge: &Challenge) -> Option<(Self, Vec<Finding>)> {
        if challenge.error.as_deref() != Some(ERROR) {
            return None;
        }
        let param = |name: &str| {
            challenge
                .params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_string())
        };
        let mut findings = Vec::new();
        let max_age = match param("max_age") {
            None => None,
            Some(text) => match text.parse::<u64>() {
                Ok(secs) => Some(secs),
                Err(_) => {
                    findings.push(Finding::new(
                        Severity::Warning,
                        "step_up_max_age_invalid",
                        format!(
                            "the challenge's max_age is {text:?}; it is a number of seconds (RFC 9470 §3), so it cannot be asked for"
                        ),
                        Some("RFC 9470 §3"),
                    ));
                    None
                }
            },
        };
        let requirement = AuthRequirement::new(param("acr_values").as_deref(), max_age);
        if status != 401 {
            findings.push(Finding::new(
                Severity::Warning,
                "step_up_status",
                format!(
                    "the API sent insufficient_user_authentication with HTTP {status}; RFC 9470 §3 answers it with 401 Unauthorized"
                ),
                Some("RFC 9470 §3"),
            ));
        }
        if requirement.is_empty() {
            findings.push(Finding::new(
                Severity::Warning,
                "step_up_without_requirement",
                "the API asks for a stronger or more recent sign-in but names neither acr_values nor max_age, so there is nothing to ask the authorization server for (RFC 9470 §3)",
                Some("RFC 9470 §3"),
            ));
        } else {
            findings.push(Finding::new(
                Severity::Info,
                "step_up_challenge",
                format!(
                    "the API needs a stronger or more recent sign-in ({requirement}): authorize again asking for it"
                ),
                Some("RFC 9470 §3, §4"),
            ));
        }
        Some((
            Self {
                requirement,
                description: challenge.error_description.clone(),
            },
            findings,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::endpoints::api::parse_www_authenticate;
    use serde_json::json;

    fn read(status: u16, header: &str) -> Option<(StepUpChallenge, Vec<Finding>)> {
        StepUpChallenge::read(status, &parse_www_authenticate(header).expect("challenge"))
    }

    #[test]
    fn reads_the_rfc_examples() {
        let (challenge, findings) = read(
            401,
            r#"Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR""#,
        )
        .expect("step-up");
        assert_eq!(challenge.requirement.acr_values, vec!["myACR"]);
        assert_eq!(challenge.requirement.max_age, None);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, "step_up_challenge");
        let (challenge, _) = read(
            401,
            r#"Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="5""#,
        )
        .expect("step-up");
        assert_eq!(challenge.requirement.max_age, Some(5));
        assert_eq!(challenge.requirement.to_string(), "max_age=5");
    }

    #[test]
    fn other_errors_are_not_step_up() {
        assert!(read(401, r#"Bearer error="invalid_token""#).is_none());
        assert!(read(401, "Bearer").is_none());
    }

    #[test]
    fn odd_challenges_are_said() {
        let (challenge, findings) = read(
            403,
            r#"Bearer error="insufficient_user_authentication", max_age="soon""#,
        )
        .expect("step-up");
        assert!(challenge.requirement.is_empty());
        let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(
            codes,
            vec![
                "step_up_max_age_invalid",
                "step_up_status",
                "step_up_without_requirement"
            ]
        );
    }

    #[test]
    fn parameters_replace_earlier_ones() {
        let requirement = AuthRequirement::new(Some("mfa  hwk"), Some(0));
        let params = vec![
            ("prompt".to_string(), "login".to_string()),
            ("acr_values".to_string(), "pwd".to_string()),
        ];
        assert_eq!(
            requirement.replace_in(&params),
            vec![
                ("prompt".to_string(), "login".to_string()),
                ("acr_values".to_string(), "mfa hwk".to_string()),
                ("max_age".to_string(), "0".to_string()),
            ]
        );
        assert_eq!(
            AuthRequirement::from_params(&requirement.params()),
            requirement
        );
    }

    #[test]
    fn checks_acr_and_auth_time() {
        let asked = AuthRequirement::new(Some("mfa hwk"), Some(60));
        let now = 1_000_000;
        let verdicts = |claims: Value, source: &str| -> Vec<(String, Verdict)> {
            asked
                .claim_checks(&claims, source, now, 5)
                .into_iter()
                .map(|c| (c.name, c.verdict))
                .collect()
        };
        assert_eq!(
            verdicts(json!({"acr": "hwk", "auth_time": now - 10}), "id_token"),
            vec![
                ("acr".to_string(), Verdict::Pass),
                ("auth_time".to_string(), Verdict::Pass)
            ]
        );
        assert_eq!(
            verdicts(json!({"acr": "pwd", "auth_time": now - 3600}), "id_token"),
            vec![
                ("acr".to_string(), Verdict::Warn),
                ("auth_time".to_string(), Verdict::Fail)
            ]
        );
        assert_eq!(
            verdicts(json!({}), "id_token"),
            vec![
                ("acr".to_string(), Verdict::Warn),
                ("auth_time".to_string(), Verdict::Fail)
            ]
        );
        assert_eq!(
            verdicts(json!({}), "access_token"),
            vec![
                ("acr".to_string(), Verdict::Warn),
                ("auth_time".to_string(), Verdict::Warn)
            ]
        );
        // Within the clock skew is within.
        assert_eq!(
            verdicts(json!({"acr": "mfa", "auth_time": now - 64}), "id_token")[1].1,
            Verdict::Pass
        );
        assert!(
            AuthRequirement::default()
                .claim_checks(&json!({}), "id_token", now, 5)
                .is_empty()
        );
    }
}
