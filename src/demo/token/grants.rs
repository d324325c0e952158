//! The grants the token endpoint answers itself (RFC 6749 §4.1.3, §4.3.2,
//! §4.4.2, §6; RFC 8628 §3.4): client_credentials, password, refresh_token,
//! authorization_code and the device grant, each checking its request and
//! issuing through `mint`.

use axum::http::StatusCode;
use axum::response::Response;

use super::mint::{IdTokenInput, issue, mint};
use super::redeem::{link_code, take_code, take_refresh};
use super::{Binding, check_bound_key, requested_scope};
use crate::demo::client_auth::Form;
use crate::demo::store::{self, Client, DeviceStatus};
use crate::demo::{Demo, now, oauth_error};

pub(super) fn client_credentials(
    demo: &Demo,
    client: &Client,
    form: &Form,
    binding: &Binding,
) -> Response {
    let scope = match requested_scope(form, client.default_scope) {
        Ok(scope) => scope,
        Err(response) => return response,
    };
    // No refresh token for client credentials (RFC 6749 §4.4.3).
    issue(demo, client, client.id, &scope, false, None, binding)
}

pub(super) fn password(demo: &Demo, client: &Client, form: &Form, binding: &Binding) -> Response {
    let (Some(username), Some(password)) = (form.get("username"), form.get("password")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the password grant needs username and password",
        );
    };
    match store::user(username) {
        Some(user) if user.password == password => {}
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "wrong username or password",
            );
        }
    }
    let scope = match requested_scope(form, client.default_scope) {
        Ok(scope) => scope,
        Err(response) => return response,
    };
    issue(demo, client, username, &scope, true, None, binding)
}

pub(super) fn refresh(demo: &Demo, client: &Client, form: &Form, binding: &Binding) -> Response {
    let Some(presented) = form.get("refresh_token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "refresh_token is missing",
        );
    };
    let bound = demo
        .store()
        .refresh
        .get(presented)
        .and_then(|record| record.jkt.clone());
    if let Err(response) = check_bound_key(bound, binding, "the refresh token") {
        return response;
    }
    let record = match take_refresh(demo, Some(client.id), presented, true) {
        Ok(record) => record,
        Err(response) => return response,
    };
    // The sign-in is the one the refresh token came from (RFC 9470 §5.1).
    let binding = &Binding {
        authentication: record.authentication.clone(),
        ..binding.clone()
    };
    // A narrower scope may be asked for, never a wider one (RFC 6749 §6).
    let scope = match form.get("scope") {
        None => record.scope.clone(),
        Some(_) if demo.faults.weak.scope_escalation => {
            form.get("scope").unwrap_or_default().to_string()
        }
        Some(asked) => {
            let granted: Vec<&str> = record.scope.split_whitespace().collect();
            if let Some(extra) = asked.split_whitespace().find(|s| !granted.contains(s)) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    &format!("scope '{extra}' was not granted originally"),
                );
            }
            asked.to_string()
        }
    };
    // The `rp-refresh-token-*` faults answer with an ID token too (OIDC
    // Core §12.2), a bad one.
    let id_token = demo
        .faults
        .rp_case
        .filter(|case| case.id_token_on_refresh())
        .map(|_| IdTokenInput {
            nonce: None,
            auth_time: now(),
            refreshed: true,
        });
    match mint(
        demo,
        client,
        &record.sub,
        &scope,
        true,
        id_token.as_ref(),
        binding,
    ) {
        Ok((response, minted)) => {
            // The rotation's family: a reuse of `presented` ends the new
            // one too (RFC 9700 §4.14.2).
            if let Some(next) = minted.refresh_token {
                demo.store()
                    .refresh_successor
                    .insert(presented.to_string(), next);
            }
            response
        }
        Err(response) => response,
    }
}

pub(super) fn authorization_code(
    demo: &Demo,
    client: &Client,
    form: &Form,
    binding: &Binding,
) -> Response {
    let bound = form
        .get("code")
        .and_then(|code| demo.store().codes.get(code)?.dpop_jkt.clone());
    if let Err(response) = check_bound_key(
        bound,
        binding,
        "the authorization code (dpop_jkt of the authorization request)",
    ) {
        return response;
    }
    let (code, record) = match take_code(demo, client.id, form) {
        Ok(taken) => taken,
        Err(response) => return response,
    };
    let id_token = IdTokenInput {
        nonce: record.nonce.clone(),
        auth_time: record.auth_time,
        refreshed: false,
    };
    let binding = &Binding {
        authentication: Some(crate::demo::step_up::AuthEvent {
            acr: record.acr.clone(),
            auth_time: record.auth_time,
        }),
        ..binding.clone()
    };
    let (response, minted) = match mint(
        demo,
        client,
        &record.sub,
        &record.scope,
        true,
        Some(&id_token),
        binding,
    ) {
        Ok(done) => done,
        Err(response) => return response,
    };
    link_code(demo, &code, minted.jti, minted.refresh_token);
    response
}

pub(super) fn device_code(
    demo: &Demo,
    client: &Client,
    form: &Form,
    binding: &Binding,
) -> Response {
    let Some(device_code) = form.get("device_code") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "device_code is missing",
        );
    };
    let now_ms = chrono::Utc::now().timestamp_millis();
    let (sub, scope) = {
        let mut store = demo.store();
        let Some(record) = store.devices.get_mut(device_code) else {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "unknown device code",
            );
        };
        if record.client_id != client.id {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "the device code was issued to another client",
            );
        }
        if record.expires_at <= now() && record.status == DeviceStatus::Pending {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "expired_token",
                "the device code expired before it was approved",
            );
        }
        let too_soon = now_ms - record.last_poll_ms < (record.interval as i64) * 1000;
        record.last_poll_ms = now_ms;
        match record.status.clone() {
            DeviceStatus::Denied => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "access_denied",
                    "the user denied the device",
                );
            }
            DeviceStatus::Used => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the device code was already used",
                );
            }
            DeviceStatus::Pending if too_soon => {
                record.interval += 5;
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "slow_down",
                    &format!("polling too fast; wait {} s between polls", record.interval),
                );
            }
            DeviceStatus::Pending => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "authorization_pending",
                    "the user has not approved the device yet",
                );
            }
            DeviceStatus::Approved(sub) => {
                record.status = DeviceStatus::Used;
                (sub, record.scope.clone())
            }
        }
    };
    let id_token = scope
        .split_whitespace()
        .any(|s| s == "openid")
        .then_some(IdTokenInput {
            nonce: None,
            auth_time: now(),
            refreshed: false,
        });
    issue(demo, client, &sub, &scope, true, id_token.as_ref(), binding)
}
