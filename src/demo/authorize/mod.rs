//! The authorization endpoint (RFC 6749 §3.1) with a login page, a consent
//! page and a session cookie; and the device verification page (RFC 8628
//! §3.3), which uses the same login and consent.
//!
//! Errors about the client or its redirect URI are shown as a page, never
//! redirected (RFC 6749 §4.1.2.1); every other error goes back to the client
//! on the redirect, in the query for codes and the fragment for tokens.
//!
//! Here: the endpoint itself, the login and consent steps and the browser
//! session. Beside it: `check` (validating a request), `pages` (the HTML)
//! and `device` (RFC 8628's device authorization and verification page).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::client_auth::Form;
use super::modes::{self, Flavor, STANDARD};
use super::response::Redirect;
use super::store::{self, CodeRecord, DeviceStatus, Pending, PendingKind};
use super::token::{Binding, IdTokenInput, mint_fields};
use super::{Demo, now};
use super::{par, request_object};

mod check;
mod device;
mod pages;

pub use check::{Refused, check};
use check::{param, refusal};
pub use device::{device_authorization, device_page};
use pages::{consent_page, info_page, login_page};
pub(super) use pages::{error_page, escape};

/// `GET /authorize`.
pub async fn authorize(
    State(demo): State<Arc<Demo>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    start(&STANDARD, &demo, &headers, query)
}

/// An authorization request on `flavor`'s pages: checks it, then shows the
/// login page (or the consent page to a signed-in browser).
pub fn start(
    flavor: &'static Flavor,
    demo: &Demo,
    headers: &HeaderMap,
    query: Option<String>,
) -> Response {
    let outer: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let checked = match resolve(flavor, demo, outer).and_then(|params| check(flavor, demo, &params))
    {
        Ok(checked) => checked,
        Err(refused) => return refused.answer(demo),
    };
    let request_id = store::random_token(16);
    super::rar::hold(demo, &request_id, checked.authorization_details);
    demo.store().pending.insert(
        request_id.clone(),
        Pending {
            flavor: flavor.mode,
            client_id: checked.client_id,
            scope: checked.scope,
            kind: PendingKind::Authorize {
                redirect_uri: checked.redirect_uri,
                response_type: checked.response_type,
                state: checked.state,
                challenge: checked.challenge,
                nonce: checked.nonce,
                dpop_jkt: checked.dpop_jkt,
                response_mode: checked.response_mode,
                acr_values: checked.acr_values,
            },
        },
    );
    if super::step_up::sign_in_too_old(checked.max_age, signed_in_at(demo, headers)) {
        // OIDC Core §3.1.2.1: past max_age the user signs in again.
        return login_page(flavor, &request_id, None);
    }
    next_page(flavor, demo, headers, &request_id)
}

/// The parameters an authorization request stands for: those pushed
/// earlier (`request_uri`, RFC 9126 §4), those of a request object
/// (`request`, RFC 9101 §6.3), or the query's own.
fn resolve(
    flavor: &Flavor,
    demo: &Demo,
    outer: Vec<(String, String)>,
) -> Result<Vec<(String, String)>, Refused> {
    let get = |name: &str| param(&outer, name);
    if let Some(request_uri) = get("request_uri") {
        if get("request").is_some() {
            return Err(refusal(
                flavor,
                demo,
                &outer,
                "invalid_request",
                "the request has both request and request_uri; send one (RFC 9101 §5)",
            ));
        }
        if !request_uri.starts_with(par::URN_PREFIX) {
            return Err(refusal(
                flavor,
                demo,
                &outer,
                "request_uri_not_supported",
                &format!(
                    "this server takes only the request_uri values its pushed authorization request endpoint issued ({}…); it does not fetch request objects",
                    par::URN_PREFIX
                ),
            ));
        }
        return par::take(demo, &request_uri, get("client_id").as_deref()).map_err(|message| {
            Refused::Page {
                error: "invalid_request_uri",
                message,
            }
        });
    }
    if demo.faults.requires_par() {
        return Err(Refused::Page {
            error: "invalid_request",
            message: "This server requires pushed authorization requests (RFC 9126): push the request to /par, then send only client_id and request_uri here.".to_string(),
        });
    }
    if let Some(jwt) = get("request") {
        let Some(client_id) = get("client_id") else {
            return Err(Refused::page(
                "The request has no client_id; it must be sent beside the request object (RFC 9101 §5).",
            ));
        };
        let Some(client) = (flavor.client)(&client_id) else {
            return Err(Refused::page(format!("Unknown client_id '{client_id}'.")));
        };
        return request_object::verify(demo, client, &jwt).map_err(|description| {
            // Where to say so: the unverified object's redirect URI is used
            // only if it is registered for the client (RFC 6749 §4.1.2.1).
            let mut merged = request_object::unverified_params(&jwt);
            merged.extend(outer.iter().cloned());
            refusal(
                flavor,
                demo,
                &merged,
                "invalid_request_object",
                &description,
            )
        });
    }
    Ok(outer)
}

/// The login page, or the consent page when the browser is signed in.
fn next_page(flavor: &Flavor, demo: &Demo, headers: &HeaderMap, request_id: &str) -> Response {
    match session_user(demo, headers) {
        Some(user) => consent_page(flavor, demo, request_id, &user),
        None => login_page(flavor, request_id, None),
    }
}

/// The pages a pending request is on.
fn flavor_of(demo: &Demo, request_id: &str) -> Option<&'static Flavor> {
    let mode = demo.store().pending.get(request_id)?.flavor;
    Some(modes::flavor(mode))
}

/// `POST /authorize/login`.
pub async fn login(State(demo): State<Arc<Demo>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match Form::parse(&headers, &body) {
        Ok(form) => form,
        Err(_) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "The login form was not sent as a form.",
            );
        }
    };
    let Some(request_id) = form.get("request") else {
        return error_page(StatusCode::BAD_REQUEST, "The login form has no request.");
    };
    let Some(flavor) = flavor_of(&demo, request_id) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in request is unknown or already finished.",
        );
    };
    let username = form.get("username").unwrap_or_default();
    match (flavor.user)(username) {
        Some(user) if Some(user.password) == form.get("password") => {
            let session = store::random_token(16);
            let mut store = demo.store();
            store
                .sessions
                .insert(session.clone(), user.username.to_string());
            store.signed_in_at.insert(session.clone(), now());
            drop(store);
            let mut response = consent_page(flavor, &demo, request_id, user.username);
            let cookie = format!("demo_session={session}; Path=/; HttpOnly; SameSite=Lax");
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        _ => login_page(flavor, request_id, Some("Wrong username or password.")),
    }
}

/// `POST /authorize/consent`.
pub async fn consent(State(demo): State<Arc<Demo>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match Form::parse(&headers, &body) {
        Ok(form) => form,
        Err(_) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "The consent form was not sent as a form.",
            );
        }
    };
    let Some(user) = session_user(&demo, &headers) else {
        return error_page(
            StatusCode::UNAUTHORIZED,
            "Sign in first: the session cookie is missing.",
        );
    };
    let request_id = form.get("request").unwrap_or_default();
    let Some(pending) = demo.store().pending.remove(request_id) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in request is unknown or already finished.",
        );
    };
    let allow = form.get("decision") == Some("allow");
    match pending.kind {
        PendingKind::Device { device_code } => {
            let mut store = demo.store();
            let Some(device) = store.devices.get_mut(&device_code) else {
                return error_page(StatusCode::BAD_REQUEST, "The device code is unknown.");
            };
            device.status = if allow {
                DeviceStatus::Approved(user)
            } else {
                DeviceStatus::Denied
            };
            if allow {
                info_page("Device approved", "You can go back to your device.")
            } else {
                info_page("Access denied", "The device was not given access.")
            }
        }
        PendingKind::Authorize {
            redirect_uri,
            response_type,
            state,
            challenge,
            nonce,
            dpop_jkt,
            response_mode,
            acr_values,
        } => {
            let flavor = modes::flavor(pending.flavor);
            let hybrid = super::hybrid::parse(&response_type);
            let implicit = response_type != "code" && hybrid.is_none();
            let Some(client) = (flavor.client)(&pending.client_id) else {
                return error_page(StatusCode::BAD_REQUEST, "The client disappeared.");
            };
            let back = Redirect::new(
                &demo,
                flavor,
                client,
                redirect_uri.clone(),
                state,
                response_mode,
            );
            if !allow {
                return back.error(&demo, "access_denied", flavor.denied);
            }
            if let (true, Some(issue)) = (implicit, flavor.implicit) {
                return back.success(&demo, issue(&demo, client, &user, &pending.scope));
            }
            if implicit {
                let id_token = response_type.contains("id_token").then_some(IdTokenInput {
                    nonce,
                    auth_time: now(),
                    refreshed: false,
                });
                return match mint_fields(
                    &demo,
                    client,
                    &user,
                    &pending.scope,
                    false,
                    id_token.as_ref(),
                    &Binding::default(),
                ) {
                    Ok(minted) => {
                        let mut fields: Vec<(String, String)> = Vec::new();
                        if let Some(object) = minted.body.as_object() {
                            for (name, value) in object {
                                let text = match value {
                                    serde_json::Value::String(text) => text.clone(),
                                    other => other.to_string(),
                                };
                                fields.push((name.clone(), text));
                            }
                        }
                        back.success(&demo, fields)
                    }
                    Err(err) => back.error(&demo, "server_error", &err),
                };
            }
            let signed_in = super::step_up::AuthEvent::of_sign_in(
                &demo,
                acr_values.as_deref(),
                signed_in_at(&demo, &headers).unwrap_or_else(now),
            );
            let code = store::random_token(24);
            let auth_time = signed_in.auth_time;
            let front_nonce = nonce.clone();
            demo.store().codes.insert(
                code.clone(),
                CodeRecord {
                    client_id: pending.client_id.clone(),
                    redirect_uri,
                    scope: pending.scope.clone(),
                    sub: user.clone(),
                    challenge,
                    nonce,
                    dpop_jkt,
                    auth_time,
                    acr: signed_in.acr,
                    expires_at: now() + demo.code_ttl.as_secs() as i64,
                    used: false,
                    access_jtis: Vec::new(),
                    refresh_tokens: Vec::new(),
                },
            );
            super::rar::bind_code(&demo, request_id, &code);
            // The hybrid flow: tokens beside the code (OIDC Core §3.3.2.5).
            if let Some(kind) = hybrid {
                let request = super::hybrid::Request {
                    code: &code,
                    state: back.state.as_deref(),
                    nonce: front_nonce.as_deref(),
                    auth_time,
                    scope: &pending.scope,
                };
                return match super::hybrid::response_fields(&demo, client, &user, kind, &request) {
                    Ok(fields) => back.success(&demo, fields),
                    Err(err) => back.error(&demo, "server_error", &err),
                };
            }
            back.success(&demo, vec![("code".to_string(), code)])
        }
    }
}

/// The user signed in with this browser, if any.
fn session_user(demo: &Demo, headers: &HeaderMap) -> Option<String> {
    demo.store().sessions.get(session_id(headers)?).cloned()
}

/// When the browser's session signed in.
fn signed_in_at(demo: &Demo, headers: &HeaderMap) -> Option<i64> {
    demo.store().signed_in_at.get(session_id(headers)?).copied()
}

/// The browser's `demo_session` cookie.
fn session_id(headers: &HeaderMap) -> Option<&str> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    Some(
        cookies
            .split(';')
            .filter_map(|c| c.trim().split_once('='))
            .find(|(name, _)| *name == "demo_session")?
            .1,
    )
}
