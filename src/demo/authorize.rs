//! The authorization endpoint (RFC 6749 §3.1) with a login page, a consent
//! page and a session cookie; and the device verification page (RFC 8628
//! §3.3), which uses the same login and consent.
//!
//! Errors about the client or its redirect URI are shown as a page, never
//! redirected (RFC 6749 §4.1.2.1); every other error goes back to the client
//! on the redirect, in the query for codes and the fragment for tokens.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};

use super::client_auth::{Endpoint, Form, authenticate_at};
use super::modes::{self, Flavor, STANDARD};
use super::response::{Redirect, ResponseMode};
use super::store::{self, CodeRecord, DeviceRecord, DeviceStatus, Pending, PendingKind};
use super::tls::ClientCertificate;
use super::token::{Binding, IdTokenInput, mint_fields, requested_scope, scope_in};
use super::{Demo, Mode, no_store_json, now, oauth_error};
use super::{par, request_object};

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

/// A parameter's value; empty values count as absent (RFC 6749 §3.1).
fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| v.clone())
}

/// An authorization request that checked out.
#[derive(Debug)]
pub struct Checked {
    /// The client.
    pub client_id: String,
    /// The scope asked for (or the client's default).
    pub scope: String,
    /// Where the answer goes.
    pub redirect_uri: String,
    /// `code`, `token` or `id_token token`.
    pub response_type: String,
    /// How the answer travels.
    pub response_mode: ResponseMode,
    /// `state`.
    pub state: Option<String>,
    /// PKCE challenge and method.
    pub challenge: Option<(String, String)>,
    /// OpenID Connect nonce.
    pub nonce: Option<String>,
    /// RFC 9449 §10.
    pub dpop_jkt: Option<String>,
    /// `acr_values` (OIDC Core §3.1.2.1, RFC 9470 §4).
    pub acr_values: Option<String>,
    /// `max_age`, seconds.
    pub max_age: Option<u64>,
    /// Rich authorization requests (RFC 9396 §2), checked.
    pub authorization_details: Option<serde_json::Value>,
}

/// Why an authorization request was refused.
pub enum Refused {
    /// The client or its redirect URI cannot be trusted: shown as a page,
    /// never redirected (RFC 6749 §4.1.2.1).
    Page {
        /// The error code, for the JSON answer of the PAR endpoint.
        error: &'static str,
        /// What the page says.
        message: String,
    },
    /// Sent back to the client.
    Back {
        /// Where.
        back: Box<Redirect>,
        /// The error code.
        error: &'static str,
        /// `error_description`.
        description: String,
    },
}

impl Refused {
    fn page(message: impl Into<String>) -> Self {
        Self::Page {
            error: "invalid_request",
            message: message.into(),
        }
    }

    fn back(back: &Redirect, error: &'static str, description: impl Into<String>) -> Self {
        Self::Back {
            back: Box::new(back.clone()),
            error,
            description: description.into(),
        }
    }

    /// The refusal at the authorization endpoint: a page or a redirect.
    pub fn answer(self, demo: &Demo) -> Response {
        match self {
            Self::Page { message, .. } => error_page(StatusCode::BAD_REQUEST, &message),
            Self::Back {
                back,
                error,
                description,
            } => back.error(demo, error, &description),
        }
    }

    /// The refusal as a JSON error (RFC 9126 §2.3).
    pub fn json(self) -> Response {
        match self {
            Self::Page { error, message } => oauth_error(StatusCode::BAD_REQUEST, error, &message),
            Self::Back {
                error, description, ..
            } => oauth_error(StatusCode::BAD_REQUEST, error, &description),
        }
    }
}

/// Refuses with `error`, on the redirect when `params` name a client and
/// one of its registered redirect URIs, else on a page.
fn refusal(
    flavor: &Flavor,
    demo: &Demo,
    params: &[(String, String)],
    error: &'static str,
    description: &str,
) -> Refused {
    match destination(flavor, demo, params) {
        Ok((_, back, _)) => Refused::back(&back, error, description),
        Err(_) => Refused::Page {
            error,
            message: description.to_string(),
        },
    }
}

/// The client and where to answer it; errors here are shown, not
/// redirected. Also says whether tokens travel in the response.
fn destination(
    flavor: &Flavor,
    demo: &Demo,
    params: &[(String, String)],
) -> Result<(&'static store::Client, Redirect, bool), Refused> {
    let get = |name: &str| param(params, name);
    let Some(client_id) = get("client_id") else {
        return Err(Refused::page("The request has no client_id."));
    };
    let Some(client) = (flavor.client)(&client_id) else {
        return Err(Refused::page(format!("Unknown client_id '{client_id}'.")));
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return Err(Refused::page("The request has no redirect_uri."));
    };
    if !demo.faults.redirect_allowed(client, &redirect_uri) {
        return Err(Refused::page(format!(
            "The redirect_uri '{redirect_uri}' is not registered for client '{client_id}'."
        )));
    }
    // Tokens travel in the response: the implicit grant's, and the hybrid
    // flow's (OIDC Core §3.3.2.5) — the fragment by default.
    let response_type = get("response_type").unwrap_or_default();
    let implicit = matches!(
        response_type.as_str(),
        "token" | "id_token token" | "token id_token"
    ) || super::hybrid::parse(&response_type).is_some();
    let default = default_mode(flavor, implicit);
    let mode =
        ResponseMode::parse(get("response_mode").as_deref(), implicit, default).unwrap_or(default);
    let back = Redirect::new(demo, flavor, client, redirect_uri, get("state"), mode);
    Ok((client, back, implicit))
}

/// The response mode when the request names none: the fragment for tokens
/// (unless the flavor answers them in the query), else the query.
fn default_mode(flavor: &Flavor, implicit: bool) -> ResponseMode {
    if implicit && !flavor.implicit_in_query {
        ResponseMode::Fragment
    } else {
        ResponseMode::Query
    }
}

/// Checks an authorization request's parameters (RFC 6749 §4.1.1, §4.2.1,
/// RFC 7636 §4.3, RFC 9449 §10), at the authorization endpoint and at the
/// pushed authorization request endpoint alike.
pub fn check(
    flavor: &Flavor,
    demo: &Demo,
    params: &[(String, String)],
) -> Result<Checked, Refused> {
    let get = |name: &str| param(params, name);
    let (client, mut back, implicit) = destination(flavor, demo, params)?;
    let client_id = client.id.to_string();
    let redirect_uri = back.uri.clone();
    // An unreadable response_mode is refused in the default mode.
    back.mode = default_mode(flavor, implicit);
    match ResponseMode::parse(get("response_mode").as_deref(), implicit, back.mode) {
        Ok(mode) => back.mode = mode,
        Err(description) => return Err(Refused::back(&back, "invalid_request", description)),
    }
    let response_type = get("response_type").unwrap_or_default();
    if demo.faults.fapi2 && response_type != "code" {
        return Err(Refused::back(
            &back,
            "unsupported_response_type",
            format!("response_type '{response_type}': FAPI 2.0 takes code only"),
        ));
    }
    let grant = match response_type.as_str() {
        "code" => "authorization_code",
        // The hybrid flow is the code grant with more in the response.
        hybrid if super::hybrid::parse(hybrid).is_some() => "authorization_code",
        _ if implicit => "implicit",
        "" => {
            return Err(Refused::back(
                &back,
                "invalid_request",
                "response_type is missing",
            ));
        }
        other => {
            return Err(Refused::back(
                &back,
                "unsupported_response_type",
                format!(
                    "response_type '{other}' is not supported; use code, token, id_token token, or a hybrid one: {}",
                    super::hybrid::RESPONSE_TYPES.join(", ")
                ),
            ));
        }
    };
    if !client.grants.contains(&grant) {
        return Err(Refused::back(
            &back,
            "unauthorized_client",
            format!("client '{client_id}' may not use the {grant} grant"),
        ));
    }
    let form = Form(params.to_vec());
    let scope = match scope_in(&form, client.default_scope, flavor.scopes) {
        Ok(scope) => scope,
        Err(_) => {
            let asked = get("scope").unwrap_or_default();
            let unknown = asked
                .split_whitespace()
                .find(|s| !flavor.scopes.contains(s))
                .unwrap_or_default();
            return Err(Refused::back(
                &back,
                "invalid_scope",
                format!("unknown scope '{unknown}'"),
            ));
        }
    };
    let challenge = match (get("code_challenge"), get("code_challenge_method")) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(Refused::back(
                &back,
                "invalid_request",
                "code_challenge_method without code_challenge",
            ));
        }
        (Some(challenge), method) => {
            let method = method.unwrap_or_else(|| "plain".to_string());
            if method != "S256" && method != "plain" {
                return Err(Refused::back(
                    &back,
                    "invalid_request",
                    format!("code_challenge_method '{method}' is not supported; use S256"),
                ));
            }
            Some((challenge, method))
        }
    };
    if demo.faults.fapi2
        && challenge
            .as_ref()
            .is_none_or(|(_, method)| method.as_str() != "S256")
    {
        return Err(Refused::back(
            &back,
            "invalid_request",
            "FAPI 2.0 requires PKCE with code_challenge_method S256",
        ));
    }
    if grant == "authorization_code"
        && client.is_public()
        && challenge.is_none()
        && !demo.faults.weak.pkce_optional
    {
        return Err(Refused::back(
            &back,
            "invalid_request",
            "public clients must use PKCE (code_challenge)",
        ));
    }
    let nonce = get("nonce");
    if response_type.contains("id_token") && nonce.is_none() {
        return Err(Refused::back(
            &back,
            "invalid_request",
            "nonce is required when an ID token is returned in the fragment",
        ));
    }
    // RFC 9449 §10: the code will be bound to this DPoP key.
    let dpop_jkt = get("dpop_jkt");
    if let Some(jkt) = &dpop_jkt
        && (jkt.len() != 43
            || !jkt
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return Err(Refused::back(
            &back,
            "invalid_request",
            "dpop_jkt is not a base64url SHA-256 JWK thumbprint (RFC 9449 §10)",
        ));
    }
    // OIDC Core §3.1.2.1: max_age is a number of seconds.
    let max_age = match get("max_age") {
        None => None,
        Some(text) => match text.trim().parse::<u64>() {
            Ok(secs) => Some(secs),
            Err(_) => {
                return Err(Refused::back(
                    &back,
                    "invalid_request",
                    "max_age is not a number of seconds (OpenID Connect Core 3.1.2.1)",
                ));
            }
        },
    };
    // RFC 9396 §5: unknown types and malformed details are refused.
    let authorization_details =
        super::rar::requested(&demo.faults.rar, get("authorization_details").as_deref()).map_err(
            |description| Refused::back(&back, "invalid_authorization_details", description),
        )?;
    Ok(Checked {
        client_id,
        scope,
        redirect_uri,
        response_type,
        response_mode: back.mode,
        state: back.state.clone(),
        challenge,
        nonce,
        dpop_jkt,
        acr_values: get("acr_values"),
        max_age,
        authorization_details,
    })
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

/// `POST /device_authorization` (RFC 8628 §3.1).
pub async fn device_authorization(
    State(demo): State<Arc<Demo>>,
    ClientCertificate(peer): ClientCertificate,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match Form::parse(&headers, &body) {
        Ok(form) => form,
        Err(response) => return response,
    };
    let endpoint = Endpoint {
        path: uri.path(),
        peer: peer.as_ref(),
    };
    let client = match authenticate_at(&demo, &endpoint, &headers, &form) {
        Ok(authenticated) => authenticated.client,
        Err(response) => return response,
    };
    if !client
        .grants
        .contains(&"urn:ietf:params:oauth:grant-type:device_code")
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            &format!("client '{}' may not use the device grant", client.id),
        );
    }
    let scope = match requested_scope(&form, client.default_scope) {
        Ok(scope) => scope,
        Err(response) => return response,
    };
    let device_code = store::random_token(32);
    let user_code = store::user_code();
    let interval = demo.device_interval.as_secs().max(1);
    let expires_in = demo.device_code_ttl.as_secs() as i64;
    demo.store().devices.insert(
        device_code.clone(),
        DeviceRecord {
            client_id: client.id.to_string(),
            user_code: user_code.clone(),
            scope,
            expires_at: now() + expires_in,
            interval,
            last_poll_ms: chrono::Utc::now().timestamp_millis(),
            status: DeviceStatus::Pending,
        },
    );
    let verification_uri = format!("{}/device", demo.issuer);
    no_store_json(
        StatusCode::OK,
        serde_json::json!({
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": verification_uri,
            "verification_uri_complete": format!("{verification_uri}?user_code={user_code}"),
            "expires_in": expires_in,
            "interval": interval,
        }),
    )
}

/// `GET /device`: enter the user code (or arrive with it filled in).
pub async fn device_page(
    State(demo): State<Arc<Demo>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let user_code = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "user_code")
        .map(|(_, v)| v.trim().to_ascii_uppercase());
    let Some(user_code) = user_code.filter(|c| !c.is_empty()) else {
        return user_code_page(None);
    };
    let found = {
        let store = demo.store();
        store
            .devices
            .iter()
            .find(|(_, d)| {
                d.user_code == user_code
                    && d.status == DeviceStatus::Pending
                    && d.expires_at > now()
            })
            .map(|(code, d)| (code.clone(), d.client_id.clone(), d.scope.clone()))
    };
    let Some((device_code, client_id, scope)) = found else {
        return user_code_page(Some("That code is unknown, expired or already used."));
    };
    let request_id = store::random_token(16);
    demo.store().pending.insert(
        request_id.clone(),
        Pending {
            flavor: Mode::Standard,
            client_id,
            scope,
            kind: PendingKind::Device { device_code },
        },
    );
    next_page(&STANDARD, &demo, &headers, &request_id)
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

/// Escapes text for HTML (and XML).
pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn html_page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title} — Demo provider</title></head>\
         <body style=\"font-family:sans-serif;max-width:28em;margin:3em auto\">\
         <p style=\"color:#666\">oauth-debugger demo provider</p><h1>{title}</h1>{body}</body></html>",
        title = escape(title)
    );
    let mut response = (status, Html(html)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn login_page(flavor: &Flavor, request_id: &str, problem: Option<&str>) -> Response {
    let problem = problem
        .map(|p| format!("<p role=\"alert\" style=\"color:#b00\">{}</p>", escape(p)))
        .unwrap_or_default();
    html_page(
        StatusCode::OK,
        flavor.sign_in,
        &format!(
            "{problem}<form method=\"post\" action=\"{path}/login\">\
             <input type=\"hidden\" name=\"request\" value=\"{request}\">\
             <p><label>Username <input name=\"username\" autocomplete=\"username\" autofocus></label></p>\
             <p><label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\"></label></p>\
             <p><button type=\"submit\">{sign_in}</button></p></form>\
             <p style=\"color:#666\">{hint}</p>",
            path = flavor.path,
            sign_in = escape(flavor.sign_in),
            hint = escape(flavor.hint),
            request = escape(request_id)
        ),
    )
}

fn consent_page(flavor: &Flavor, demo: &Demo, request_id: &str, user: &str) -> Response {
    let (client, scope) = demo
        .store()
        .pending
        .get(request_id)
        .map(|p| (p.client_id.clone(), p.scope.clone()))
        .unwrap_or_default();
    html_page(
        StatusCode::OK,
        "Allow access?",
        &format!(
            "<p>Signed in as <b>{user}</b>.</p><p><b>{client}</b> asks for: <code>{scope}</code></p>\
             <form method=\"post\" action=\"{path}/consent\">\
             <input type=\"hidden\" name=\"request\" value=\"{request}\">\
             <button type=\"submit\" name=\"decision\" value=\"allow\">{allow}</button> \
             <button type=\"submit\" name=\"decision\" value=\"deny\">{deny}</button></form>",
            path = flavor.path,
            allow = escape(flavor.allow),
            deny = escape(flavor.deny),
            user = escape(user),
            client = escape(&client),
            scope = escape(&scope),
            request = escape(request_id)
        ),
    )
}

fn user_code_page(problem: Option<&str>) -> Response {
    let problem = problem
        .map(|p| format!("<p role=\"alert\" style=\"color:#b00\">{}</p>", escape(p)))
        .unwrap_or_default();
    html_page(
        StatusCode::OK,
        "Connect a device",
        &format!(
            "{problem}<form method=\"get\" action=\"/device\">\
             <p><label>Code shown on your device <input name=\"user_code\" autofocus></label></p>\
             <p><button type=\"submit\">Continue</button></p></form>"
        ),
    )
}

fn info_page(title: &str, message: &str) -> Response {
    html_page(
        StatusCode::OK,
        title,
        &format!("<p>{}</p>", escape(message)),
    )
}

pub(super) fn error_page(status: StatusCode, message: &str) -> Response {
    html_page(
        status,
        "Cannot sign in",
        &format!("<p role=\"alert\">{}</p>", escape(message)),
    )
}
