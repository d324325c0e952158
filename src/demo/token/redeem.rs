//! What a grant redeems, once: refresh tokens (with rotation, a used one is
//! refused; RFC 6749 §6, §10.4), authorization codes (single use, RFC 6749
//! §4.1.2; PKCE, RFC 7636 §4.6) and the link from a code to the tokens it
//! gave, so a replayed code revokes them (RFC 6749 §4.1.2).

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::demo::client_auth::Form;
use crate::demo::store::{CodeRecord, RefreshRecord};
use crate::demo::{Demo, now, oauth_error};

/// Takes a refresh token for another exchange: refuses it when it is
/// unknown, revoked, issued to another client (when `client_id` is given)
/// or, with rotation, already used — and with rotation marks it used.
pub(crate) fn take_refresh(
    demo: &Demo,
    client_id: Option<&str>,
    presented: &str,
    rotate: bool,
) -> Result<RefreshRecord, Response> {
    let invalid = |description: &str| {
        Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            description,
        ))
    };
    let mut store = demo.store();
    let Some(record) = store.refresh.get(presented) else {
        return invalid("unknown refresh token");
    };
    if client_id.is_some_and(|id| record.client_id != id) {
        return invalid("the refresh token was issued to another client");
    }
    if record.revoked {
        return invalid("the refresh token was revoked");
    }
    if record.used && !demo.faults.weak.no_reuse_detection {
        // A rotated-out token came back: someone holds a copy. Its
        // successors are revoked with it (RFC 9700 §4.14.2).
        let mut next = store.refresh_successor.get(presented).cloned();
        while let Some(token) = next {
            let jtis = store
                .refresh
                .get_mut(&token)
                .map(|successor| {
                    successor.revoked = true;
                    successor.access_jtis.clone()
                })
                .unwrap_or_default();
            for jti in jtis {
                if let Some(access) = store.access.get_mut(&jti) {
                    access.revoked = true;
                }
            }
            next = store.refresh_successor.get(&token).cloned();
        }
        return invalid(
            "the refresh token was already used; this server rotates refresh tokens, so the newest one of its family is now revoked too (RFC 9700 §4.14.2)",
        );
    }
    let Some(record) = store.refresh.get_mut(presented) else {
        return invalid("unknown refresh token");
    };
    if rotate {
        record.used = true;
        record.spent_at = Some(super::super::now());
    }
    Ok(record.clone())
}

/// Takes the authorization code of a token request by `client_id`: single
/// use (a replay revokes what it produced), unexpired, same redirect_uri,
/// PKCE checked. Returns the code and its record.
pub(crate) fn take_code(
    demo: &Demo,
    client_id: &str,
    form: &Form,
) -> Result<(String, CodeRecord), Response> {
    let invalid = |description: &str| {
        Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            description,
        ))
    };
    let Some(code) = form.get("code") else {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "code is missing",
        ));
    };
    let mut store = demo.store();
    let Some(record) = store.codes.get_mut(code) else {
        return invalid("unknown authorization code");
    };
    if record.used && !demo.faults.weak.code_replay {
        // A replayed code: revoke what it produced (RFC 6749 §4.1.2).
        let record = record.clone();
        for token in &record.access_jtis {
            if let Some(access) = store.access.get_mut(token) {
                access.revoked = true;
            }
            if let Some(opaque) = store.opaque.get_mut(token) {
                opaque.revoked =
                    Some("The access token was revoked: its authorization code was replayed");
            }
        }
        for token in &record.refresh_tokens {
            if let Some(refresh) = store.refresh.get_mut(token) {
                refresh.revoked = true;
            }
        }
        return invalid(
            "the authorization code was already used; the tokens issued from it are now revoked",
        );
    }
    if record.client_id != client_id {
        return invalid("the authorization code was issued to another client");
    }
    if record.expires_at <= now() && !demo.faults.weak.code_lifetime {
        return invalid("the authorization code expired");
    }
    if form.get("redirect_uri") != Some(record.redirect_uri.as_str())
        && !demo.faults.weak.redirect_uri_unchecked
    {
        return invalid("redirect_uri differs from the one in the authorization request");
    }
    if let Err(description) = check_pkce(record.challenge.as_ref(), form.get("code_verifier"))
        && !demo.faults.weak.pkce_unchecked
    {
        return invalid(description);
    }
    record.used = true;
    Ok((code.to_string(), record.clone()))
}

/// Remembers the tokens issued from a code, to revoke them if it is replayed.
pub(crate) fn link_code(demo: &Demo, code: &str, access: String, refresh: Option<String>) {
    if let Some(stored) = demo.store().codes.get_mut(code) {
        stored.access_jtis.push(access);
        stored.refresh_tokens.extend(refresh);
    }
}

/// Verifies the PKCE code_verifier against the challenge (RFC 7636 §4.6).
fn check_pkce(
    challenge: Option<&(String, String)>,
    verifier: Option<&str>,
) -> Result<(), &'static str> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (None, Some(_)) => {
            Err("code_verifier sent, but the authorization request had no code_challenge")
        }
        (Some(_), None) => Err("code_verifier is missing; the authorization request used PKCE"),
        (Some((challenge, method)), Some(verifier)) => {
            let computed = if method == "S256" {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(Sha256::digest(verifier.as_bytes()))
            } else {
                verifier.to_string()
            };
            if &computed == challenge {
                Ok(())
            } else {
                Err("code_verifier does not match the code_challenge (PKCE)")
            }
        }
    }
}
