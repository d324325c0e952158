//! The device authorization grant's two pages on the server side
//! (RFC 8628): `POST /device_authorization` (§3.1) hands out the device
//! and user codes, and `GET /device` (§3.3) is the verification page, which
//! signs the user in and asks for consent like the authorization endpoint.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

use super::next_page;
use super::pages::user_code_page;
use crate::demo::client_auth::{Endpoint, Form, authenticate_at};
use crate::demo::modes::STANDARD;
use crate::demo::store::{self, DeviceRecord, DeviceStatus, Pending, PendingKind};
use crate::demo::tls::ClientCertificate;
use crate::demo::token::requested_scope;
use crate::demo::{Demo, Mode, no_store_json, now, oauth_error};

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
