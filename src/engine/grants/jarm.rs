//! JWT Secured Authorization Response Mode (JARM): the authorization
//! response arrives as one signed JWT in `response`.
//!
//! The redirect listener reads the JWT's claims (unverified) only to check
//! `state` and take the code ([`crate::engine::wire::callback::check_callback`]);
//! before the code is used, [`verify`] checks the JWT as JARM §4.4 asks:
//! the signature against the server's JWKS (`alg: none` refused), `iss` the
//! issuer, `aud` the client id, `exp` not passed — each a verdict shown in
//! the step, and each required.

use chrono::Utc;

use crate::engine::error::EngineError;
use crate::engine::jwt::claims::{Check, Expectations, Verdict};
use crate::engine::jwt::jwks::JwksCache;
use crate::engine::jwt::verify::verify_with_jwks;
use crate::engine::profile::{Profile, ProfileError};
use crate::engine::wire::http::HttpClient;

/// The section of JARM that lists the checks.
pub const REFERENCE: &str = "JARM §4.4";

/// Verifies a JARM `response` JWT: every check, in order. A failed check
/// is a [`Verdict::Fail`]; the caller refuses the response when any failed.
pub async fn verify(
    profile: &Profile,
    http: &HttpClient,
    response: &str,
) -> Result<Vec<Check>, EngineError> {
    let jwks_uri = profile.endpoints.jwks_uri.as_ref().ok_or_else(|| {
        ProfileError::field(
            "jwks_uri",
            "is needed to verify the signed authorization response (JARM); set it, or an issuer whose metadata has it",
        )
    })?;
    let issuer = profile
        .endpoints
        .issuer
        .as_ref()
        .map(|i| i.as_str().trim_end_matches('/').to_string());
    let expect = Expectations {
        issuer: issuer.clone(),
        audience: profile.client_id.clone(),
        clock_skew: profile.clock_skew,
        ..Expectations::default()
    };
    let verification = verify_with_jwks(
        http,
        &JwksCache::new(),
        "response",
        response,
        Some(jwks_uri),
        None,
        &expect,
        Utc::now(),
    )
    .await
    .map_err(|err| {
        EngineError::Callback(crate::engine::wire::callback::CallbackError::Unreadable(
            format!("the JARM response is not a JWT: {err}"),
        ))
    })?;
    let mut checks = verification.checks;
    // JARM makes iss, aud and exp required (§4.4), where a plain JWT may
    // leave them out.
    for name in ["iss", "aud", "exp"] {
        match checks.iter_mut().find(|c| c.name == name) {
            Some(check)
                if check.verdict == Verdict::Skipped && check.message.contains("missing") =>
            {
                check.verdict = Verdict::Fail;
                check.message = format!("{name} is missing; a JARM response must have it");
                check.reference = Some(REFERENCE.to_string());
            }
            Some(_) => {}
            None => checks.push(Check::failed(
                name,
                format!("{name} is missing; a JARM response must have it"),
                REFERENCE,
            )),
        }
    }
    if let Some(alg) = &profile.authz.jarm_alg {
        let used = verification.jwt.header["alg"].as_str().unwrap_or_default();
        if used != alg {
            checks.push(Check::failed(
                "alg",
                format!("the response is signed with {used}, but the client is registered for {alg} (authorization_signed_response_alg)"),
                "JARM §3",
            ));
        }
    }
    Ok(checks)
}
