//! Discovery (RFC 8414, OpenID Connect Discovery), the JWKS, introspection
//! (RFC 7662) and revocation (RFC 7009).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::client_auth::{Endpoint, Form, authenticate_at};
use super::keys::SigningKey;
use super::response::ResponseMode;
use super::store;
use super::store::SCOPES;
use super::tls::ClientCertificate;
use super::{Demo, no_store_json, now, oauth_error};
use super::{dpop, jose};

/// `GET /`: a short page saying what this is.
pub async fn index(State(demo): State<Arc<Demo>>) -> Response {
    axum::Json(json!({
        "server": "oauth-debugger demo provider",
        "issuer": demo.issuer,
        "discovery": format!("{}/.well-known/openid-configuration", demo.issuer),
    }))
    .into_response()
}

/// The client authentication methods (RFC 8414 §2), the TLS ones only when
/// serving TLS.
fn auth_methods(demo: &Demo, with_none: bool) -> Vec<&'static str> {
    let mut methods = vec![
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
        "client_secret_jwt",
    ];
    if demo.tls {
        methods.extend(["tls_client_auth", "self_signed_tls_client_auth"]);
    }
    if with_none {
        methods.push("none");
    }
    methods
}

/// The algorithms a client assertion may be signed with (RFC 7523 §2.2).
const ASSERTION_ALGS: [&str; 7] = [
    "RS256", "PS256", "ES256", "EdDSA", "HS256", "HS384", "HS512",
];

/// The discovery document, served at both well-known paths.
pub async fn discovery(State(demo): State<Arc<Demo>>) -> Response {
    let base = &demo.issuer;
    let mut doc = json!({
        "issuer": if demo.faults.rp_case == Some(super::rp_tests::RpCase::DiscoveryIssuerMismatch) {
            super::faults::WRONG_ISSUER.to_string()
        } else {
            base.clone()
        },
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "device_authorization_endpoint": format!("{base}/device_authorization"),
        "userinfo_endpoint": format!("{base}/userinfo"),
        "jwks_uri": format!("{base}/jwks"),
        "introspection_endpoint": format!("{base}/introspect"),
        "revocation_endpoint": format!("{base}/revoke"),
        "grant_types_supported": [
            "authorization_code", "implicit", "client_credentials", "password", "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code",
            "urn:ietf:params:oauth:grant-type:token-exchange",
            "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "urn:openid:params:grant-type:ciba"
        ],
        "code_challenge_methods_supported": ["S256", "plain"],
        "authorization_response_iss_parameter_supported": true,
        "token_endpoint_auth_methods_supported": auth_methods(&demo, true),
        "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "introspection_endpoint_auth_methods_supported": auth_methods(&demo, false),
        "introspection_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "revocation_endpoint_auth_methods_supported": auth_methods(&demo, true),
        "revocation_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "scopes_supported": SCOPES,
        // The hybrid flow's too (OIDC Core §3.3, src/demo/hybrid.rs).
        "response_types_supported": ["code", "token", "id_token token", "code id_token", "code token", "code id_token token"],
        "response_modes_supported": ResponseMode::NAMES,
        "pushed_authorization_request_endpoint": format!("{base}/par"),
        "require_pushed_authorization_requests": demo.faults.requires_par(),
        "request_parameter_supported": true,
        // Only the request_uri values of the PAR endpoint (RFC 9126 §4);
        // OpenID Discovery's default would be true.
        "request_uri_parameter_supported": false,
        "request_object_signing_alg_values_supported": ASSERTION_ALGS,
        "authorization_signing_alg_values_supported": ["RS256", "ES256"],
        "subject_types_supported": ["public"],
        // RFC 9470 §6 / OpenID Discovery: the authentication contexts.
        "acr_values_supported": super::step_up::SUPPORTED,
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "dpop_signing_alg_values_supported": dpop::ALGS,
        // Rich authorization requests (RFC 9396 §10).
        "authorization_details_types_supported": super::rar::types_supported(),
        // MCP client registration: RFC 7591 and Client ID Metadata Documents.
        "registration_endpoint": format!("{base}/register"),
        "client_id_metadata_document_supported": true,
        // OpenID logout: RP-Initiated Logout §2.1, Back-Channel Logout §2.1.
        "end_session_endpoint": format!("{base}/end_session"),
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        // OpenID CIBA Core §4.
        "backchannel_authentication_endpoint": format!("{base}/bc-authorize"),
        "backchannel_token_delivery_modes_supported": ["poll", "ping"],
        "backchannel_user_code_parameter_supported": false,
    });
    if demo.faults.mcp.no_s256 {
        doc["code_challenge_methods_supported"] = json!(["plain"]);
    }
    if demo.faults.weak.advertises_s256_only() {
        doc["code_challenge_methods_supported"] = json!(["S256"]);
    }
    if demo.faults.fapi2 {
        // FAPI 2.0 Security Profile §5.3.2: what remains allowed.
        let mut methods = vec!["private_key_jwt"];
        if demo.tls {
            methods.extend(["tls_client_auth", "self_signed_tls_client_auth"]);
        }
        for name in [
            "token_endpoint_auth_methods_supported",
            "introspection_endpoint_auth_methods_supported",
            "revocation_endpoint_auth_methods_supported",
        ] {
            doc[name] = json!(methods);
        }
        doc["response_types_supported"] = json!(["code"]);
        doc["code_challenge_methods_supported"] = json!(["S256"]);
        doc["grant_types_supported"] = json!([
            "authorization_code",
            "client_credentials",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code"
        ]);
    }
    if demo.tls {
        // RFC 8705 §5: the same endpoints, where client certificates are
        // expected; here the TLS layer asks for one everywhere.
        doc["mtls_endpoint_aliases"] = json!({
            "token_endpoint": format!("{base}/mtls/token"),
            "pushed_authorization_request_endpoint": format!("{base}/mtls/par"),
            "revocation_endpoint": format!("{base}/mtls/revoke"),
            "introspection_endpoint": format!("{base}/mtls/introspect"),
            "userinfo_endpoint": format!("{base}/mtls/userinfo"),
        });
        doc["tls_client_certificate_bound_access_tokens"] = json!(true);
    }
    axum::Json(doc).into_response()
}

/// `GET /jwks`: the current keys first, then the rotated-out ones.
/// An `rp-kid-absent-*` fault publishes another set ([`RpCase::jwks`]).
///
/// [`RpCase::jwks`]: super::rp_tests::RpCase::jwks
pub async fn jwks(State(demo): State<Arc<Demo>>) -> Response {
    let jwks = demo.keys().jwks();
    let served = demo.faults.rp_case.and_then(|case| case.jwks(&jwks));
    axum::Json(served.unwrap_or(jwks)).into_response()
}

/// `POST /admin/rotate-keys`: new RS256 and ES256 keys sign from now on; the
/// old ones stay published. Answers with the new key ids.
pub async fn rotate_keys(State(demo): State<Arc<Demo>>) -> Response {
    let made = tokio::task::spawn_blocking(|| {
        Ok::<_, String>((SigningKey::generate()?, SigningKey::generate_es256()?))
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|made| made);
    match made {
        Ok((rs256, es256)) => {
            let kids = json!({ "rs256": rs256.kid, "es256": es256.kid });
            demo.keys().rotate(rs256, es256);
            no_store_json(StatusCode::OK, json!({ "rotated": true, "kids": kids }))
        }
        Err(err) => oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            &format!("cannot make the new keys: {err}"),
        ),
    }
}

/// `POST /admin/clients/{client_id}/jwks`: registers (replaces) the public
/// keys a client signs its assertions with (private_key_jwt) or whose
/// certificates (`x5c`) it presents (self_signed_tls_client_auth). No
/// authentication: the demo binds 127.0.0.1 only.
pub async fn register_jwks(
    State(demo): State<Arc<Demo>>,
    Path(client_id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(client) = store::client(&client_id) else {
        return oauth_error(
            StatusCode::NOT_FOUND,
            "invalid_client",
            &format!("unknown client '{client_id}'"),
        );
    };
    let refuse = |description: &str| {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            description,
        )
    };
    let jwks: Value = match serde_json::from_slice(&body) {
        Ok(jwks) => jwks,
        Err(err) => return refuse(&format!("the body is not JSON: {err}")),
    };
    let Some(keys) = jwks.get("keys").and_then(Value::as_array) else {
        return refuse(
            "this is not a JWKS: a JWKS is a JSON object with a \"keys\" array (RFC 7517 §5)",
        );
    };
    if keys.is_empty() {
        return refuse("the JWKS has no keys");
    }
    if keys.iter().any(jose::is_private) {
        return refuse("this JWKS holds a private key; register the public keys only");
    }
    for (i, key) in keys.iter().enumerate() {
        if let Err(err) = jose::public_key(key) {
            let name = key["kid"]
                .as_str()
                .map_or(format!("key {i}"), |kid| format!("key '{kid}'"));
            return refuse(&format!("{name} of the JWKS: {err}"));
        }
    }
    let count = keys.len();
    demo.store()
        .client_jwks
        .insert(client.id.to_string(), json!({ "keys": keys }));
    no_store_json(
        StatusCode::OK,
        json!({ "client_id": client.id, "keys": count }),
    )
}

/// `POST /introspect` (RFC 7662).
pub async fn introspect(
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
    if let Err(response) = authenticate_at(&demo, &endpoint, &headers, &form) {
        return demo.faults.client_refusal(&headers, response);
    }
    let Some(token) = form.get("token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is missing",
        );
    };
    no_store_json(StatusCode::OK, introspection(&demo, token))
}

fn introspection(demo: &Demo, token: &str) -> Value {
    let inactive = json!({ "active": false });
    let store = demo.store();
    if let Some(record) = store.refresh.get(token) {
        if record.used || record.revoked {
            return inactive;
        }
        return json!({
            "active": true,
            "token_type": "refresh_token",
            "client_id": record.client_id,
            "sub": record.sub,
            "scope": record.scope,
            "iat": record.iat,
            "iss": demo.issuer,
        });
    }
    let Some(claims) = demo.verify(token) else {
        return inactive;
    };
    let jti = claims["jti"].as_str().unwrap_or_default();
    let live = store.access.get(jti).is_some_and(|r| !r.revoked)
        && claims["exp"].as_i64().is_some_and(|exp| exp > now());
    if !live {
        return inactive;
    }
    // A DPoP-bound token is of type DPoP (RFC 9449 §6.2).
    let token_type = if claims["cnf"]["jkt"].is_string() {
        "DPoP"
    } else {
        "Bearer"
    };
    let mut answer = json!({ "active": true, "token_type": token_type });
    for name in [
        "scope",
        "client_id",
        "sub",
        "aud",
        "iss",
        "exp",
        "iat",
        "jti",
    ] {
        answer[name] = claims[name].clone();
    }
    // The confirmation of a bound token (RFC 9449 §6.2, RFC 8705 §3.2).
    if claims["cnf"].is_object() {
        answer["cnf"] = claims["cnf"].clone();
    }
    // The token's authorization details, top-level (RFC 9396 §9.2).
    if claims["authorization_details"].is_array() {
        answer["authorization_details"] = claims["authorization_details"].clone();
    }
    answer
}

/// `POST /revoke` (RFC 7009): always 200 for a token it does not know.
pub async fn revoke(
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
    if let Some(refusal) = demo.faults.revocation_refusal(&headers) {
        return refusal;
    }
    let endpoint = Endpoint {
        path: uri.path(),
        peer: peer.as_ref(),
    };
    let client = match authenticate_at(&demo, &endpoint, &headers, &form) {
        Ok(authenticated) => authenticated.client,
        Err(response) => return demo.faults.client_refusal(&headers, response),
    };
    let Some(token) = form.get("token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is missing",
        );
    };
    let mut store = demo.store();
    if let Some(record) = store.refresh.get_mut(token) {
        if record.client_id != client.id {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "the token was issued to another client",
            );
        }
        record.revoked = true;
        // Revoking a refresh token revokes the access tokens it produced.
        let jtis = record.access_jtis.clone();
        for jti in jtis {
            if let Some(access) = store.access.get_mut(&jti) {
                access.revoked = true;
            }
        }
    } else if let Some(claims) = demo.verify(token) {
        let jti = claims["jti"].as_str().unwrap_or_default();
        if let Some(record) = store.access.get_mut(jti) {
            if record.client_id != client.id {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "the token was issued to another client",
                );
            }
            record.revoked = true;
        }
    }
    StatusCode::OK.into_response()
}
