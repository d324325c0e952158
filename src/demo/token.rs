//! The token endpoint (RFC 6749 §3.2): client_credentials, password,
//! refresh_token (with rotation), authorization_code (with PKCE, single-use
//! codes), the device grant (RFC 8628), token exchange (RFC 8693, in
//! `token_exchange.rs`) and the JWT bearer grant (RFC 7523, in
//! `jwt_bearer.rs`); ID tokens when `openid` is granted.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use base64::Engine as _;
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::client_auth::{Endpoint, Form, Method, authenticate_at};
use super::dpop::{self, Refusal};
use super::jose;
use super::keys::SigningKey;
use super::rp_tests::RpCase;
use super::store::{self, AccessRecord, Client, CodeRecord, DeviceStatus, RefreshRecord, SCOPES};
use super::tls::ClientCertificate;
use super::{Demo, ciba, jwt_bearer, no_store_json, now, oauth_error, token_exchange};

/// The device grant's `grant_type` (RFC 8628 §3.4).
const DEVICE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// `POST /token`.
pub async fn token(
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
    let Some(grant_type) = form.get("grant_type") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type is missing",
        );
    };
    // The proof first: a client told to use a nonce retries with the same
    // client assertion, which must not count as a replay.
    let proof = match proof_at_authorization_server(&demo, &headers, uri.path()) {
        Ok(proof) => proof,
        Err(refusal) => return refusal,
    };
    let endpoint = Endpoint {
        path: uri.path(),
        peer: peer.as_ref(),
    };
    let authenticated = match authenticate_at(&demo, &endpoint, &headers, &form) {
        Ok(authenticated) => authenticated,
        Err(response) => return demo.faults.client_refusal(&headers, response),
    };
    let client = authenticated.client;
    let certificate = peer.as_ref().filter(|_| {
        authenticated.method.is_mtls() || demo.faults.certificate_bound || demo.faults.fapi2
    });
    let mut binding = Binding {
        jkt: proof.map(|proof| proof.jkt),
        x5t: certificate.map(|cert| jose::sha256_b64(cert.der())),
        bind_refresh: authenticated.method == Method::None,
        audience: if demo.faults.mcp.any_audience {
            None
        } else {
            form.get("resource").map(str::to_string)
        },
        authentication: None,
        authorization_details: None,
    };
    // RFC 8707 §2: an absolute URI without a fragment.
    if let Some(resource) = form.get("resource")
        && url::Url::parse(resource).map_or(true, |u| u.fragment().is_some())
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_target",
            "resource must be an absolute URI without a fragment (RFC 8707 §2)",
        );
    }
    if !matches!(
        grant_type,
        "client_credentials"
            | "password"
            | "refresh_token"
            | "authorization_code"
            | DEVICE
            | token_exchange::GRANT
            | jwt_bearer::GRANT
            | ciba::GRANT
    ) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("the grant type '{grant_type}' is not supported here"),
        );
    }
    if demo.faults.fapi2 && grant_type == "password" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "FAPI 2.0 does not allow the password grant",
        );
    }
    if !client.grants.contains(&grant_type) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            &format!("client '{}' may not use the {grant_type} grant", client.id),
        );
    }
    // RFC 9396 §6: the authorization details this request is issued.
    binding.authorization_details = match super::rar::at_token_endpoint(&demo, grant_type, &form) {
        Ok(details) => details,
        Err(refusal) => return refusal,
    };
    // FAPI 2.0 Security Profile §5.3.2.1: sender-constrained tokens only.
    if demo.faults.fapi2 && binding.jkt.is_none() && binding.x5t.is_none() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "FAPI 2.0 issues sender-constrained access tokens only: send a DPoP proof, or connect with a client certificate (mutual TLS)",
        );
    }
    let response = match grant_type {
        "client_credentials" => client_credentials(&demo, client, &form, &binding),
        "password" => password(&demo, client, &form, &binding),
        "authorization_code" => authorization_code(&demo, client, &form, &binding),
        DEVICE => device_code(&demo, client, &form, &binding),
        token_exchange::GRANT => token_exchange::exchange(&demo, client, &form),
        ciba::GRANT => ciba::grant(&demo, client, &form, &binding),
        jwt_bearer::GRANT => {
            let token_endpoint = format!("{}{}", demo.issuer, uri.path());
            jwt_bearer::grant(&demo, client, &form, &token_endpoint, &binding)
        }
        _ => refresh(&demo, client, &form, &binding),
    };
    let mut response = if response.status().is_success() {
        dpop::with_nonce(&demo, response)
    } else {
        response
    };
    if demo.faults.weak.no_store_missing {
        response.headers_mut().remove(header::CACHE_CONTROL);
        response.headers_mut().remove(header::PRAGMA);
    }
    response
}

/// `GET /token` (`weak-token-get` only): the query read as the form a POST
/// would carry — what RFC 6749 §3.2 forbids ("MUST use POST").
pub async fn token_by_get(
    state: State<Arc<Demo>>,
    peer: ClientCertificate,
    uri: Uri,
    mut headers: HeaderMap,
) -> Response {
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    let body = Bytes::from(uri.query().unwrap_or_default().to_string());
    token(state, peer, uri, headers, body).await
}

/// What the access token (and a public client's refresh token) is bound
/// to: a DPoP key (RFC 9449 §6) and a client certificate (RFC 8705 §3).
#[derive(Debug, Clone, Default)]
pub struct Binding {
    /// The DPoP key's thumbprint: `cnf.jkt`, `token_type` DPoP.
    pub jkt: Option<String>,
    /// The client certificate's SHA-256: `cnf.x5t#S256`.
    pub x5t: Option<String>,
    /// The refresh token is bound to the DPoP key too (public clients,
    /// RFC 9449 §5).
    pub bind_refresh: bool,
    /// The `resource` of the token request (RFC 8707 §2.2): the access
    /// token's `aud`; `demo-api` without one.
    pub audience: Option<String>,
    /// The user's sign-in the tokens stand for: `acr` and `auth_time` in
    /// the access token (RFC 9470 §5.1) and the ID token.
    pub authentication: Option<super::step_up::AuthEvent>,
    /// The authorization details issued with the token (RFC 9396 §7).
    pub authorization_details: Option<Value>,
}

/// A refused DPoP proof at the token endpoint (RFC 9449 §5, §8).
/// The DPoP proof of a POST to `path` on the authorization server (the
/// token and PAR endpoints), checked; `None` without one, or when the
/// `dpop-ignored` fault has the server ignore proofs.
pub(super) fn proof_at_authorization_server(
    demo: &Demo,
    headers: &HeaderMap,
    path: &str,
) -> Result<Option<dpop::Proof>, Response> {
    if demo.faults.dpop_ignored {
        return Ok(None);
    }
    let expected = dpop::Expected {
        method: "POST",
        path,
        access_token: None,
    };
    dpop::check(demo, headers, &expected).map_err(|refusal| dpop_refusal(demo, refusal))
}

pub(super) fn dpop_refusal(demo: &Demo, refusal: Refusal) -> Response {
    match refusal {
        Refusal::Invalid(description) => {
            oauth_error(StatusCode::BAD_REQUEST, "invalid_dpop_proof", &description)
        }
        Refusal::UseNonce(description) => {
            let mut response = oauth_error(StatusCode::BAD_REQUEST, "use_dpop_nonce", &description);
            if let Ok(value) = HeaderValue::from_str(&dpop::fresh_nonce(demo)) {
                response.headers_mut().insert(dpop::NONCE_HEADER, value);
            }
            response
        }
    }
}

/// Refuses a token request whose DPoP key is not the one `bound` names.
fn check_bound_key(bound: Option<String>, binding: &Binding, what: &str) -> Result<(), Response> {
    let Some(bound) = bound else {
        return Ok(());
    };
    let description = match &binding.jkt {
        Some(jkt) if *jkt == bound => return Ok(()),
        Some(_) => format!("{what} is bound to another DPoP key than this proof's"),
        None => format!("{what} is bound to a DPoP key; send a DPoP proof signed with it"),
    };
    Err(oauth_error(
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        &description,
    ))
}

fn client_credentials(demo: &Demo, client: &Client, form: &Form, binding: &Binding) -> Response {
    let scope = match requested_scope(form, client.default_scope) {
        Ok(scope) => scope,
        Err(response) => return response,
    };
    // No refresh token for client credentials (RFC 6749 §4.4.3).
    issue(demo, client, client.id, &scope, false, None, binding)
}

fn password(demo: &Demo, client: &Client, form: &Form, binding: &Binding) -> Response {
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

fn refresh(demo: &Demo, client: &Client, form: &Form, binding: &Binding) -> Response {
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

fn authorization_code(demo: &Demo, client: &Client, form: &Form, binding: &Binding) -> Response {
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
        authentication: Some(super::step_up::AuthEvent {
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

/// Takes a refresh token for another exchange: refuses it when it is
/// unknown, revoked, issued to another client (when `client_id` is given)
/// or, with rotation, already used — and with rotation marks it used.
pub(super) fn take_refresh(
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
    }
    Ok(record.clone())
}

/// Takes the authorization code of a token request by `client_id`: single
/// use (a replay revokes what it produced), unexpired, same redirect_uri,
/// PKCE checked. Returns the code and its record.
pub(super) fn take_code(
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
pub(super) fn link_code(demo: &Demo, code: &str, access: String, refresh: Option<String>) {
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

fn device_code(demo: &Demo, client: &Client, form: &Form, binding: &Binding) -> Response {
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

/// The scope asked for, checked against the known scopes.
pub(super) fn requested_scope(form: &Form, default: &str) -> Result<String, Response> {
    scope_in(form, default, SCOPES)
}

/// The scope asked for, checked against `known`.
pub(super) fn scope_in(form: &Form, default: &str, known: &[&str]) -> Result<String, Response> {
    let Some(asked) = form.get("scope") else {
        return Ok(default.to_string());
    };
    if let Some(unknown) = asked.split_whitespace().find(|s| !known.contains(s)) {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            &format!("unknown scope '{unknown}'; known: {}", known.join(" ")),
        ));
    }
    Ok(asked.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// What an ID token needs beyond the access token's claims.
pub struct IdTokenInput {
    /// The nonce of the authorization request.
    pub nonce: Option<String>,
    /// When the user signed in.
    pub auth_time: i64,
    /// Issued by a refresh (only under the `rp-refresh-token-*` faults).
    pub refreshed: bool,
}

/// What [`mint`] issued, to link it to a code.
pub struct Minted {
    /// The access token's jti.
    pub jti: String,
    /// The refresh token, if one was issued.
    pub refresh_token: Option<String>,
    /// The response fields.
    pub body: Value,
}

/// Issues tokens and answers with them.
fn issue(
    demo: &Demo,
    client: &Client,
    sub: &str,
    scope: &str,
    with_refresh: bool,
    id_token: Option<&IdTokenInput>,
    binding: &Binding,
) -> Response {
    match mint(demo, client, sub, scope, with_refresh, id_token, binding) {
        Ok((response, _)) => response,
        Err(response) => response,
    }
}

/// Issues an access token (a signed JWT), a refresh token if asked, and an
/// ID token when `openid` was granted and `id_token` is given.
pub fn mint(
    demo: &Demo,
    client: &Client,
    sub: &str,
    scope: &str,
    with_refresh: bool,
    id_token: Option<&IdTokenInput>,
    binding: &Binding,
) -> Result<(Response, Minted), Response> {
    let minted =
        mint_fields(demo, client, sub, scope, with_refresh, id_token, binding).map_err(|err| {
            oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                &format!("cannot sign the token: {err}"),
            )
        })?;
    Ok((no_store_json(StatusCode::OK, minted.body.clone()), minted))
}

/// The token fields, recorded in the store.
pub fn mint_fields(
    demo: &Demo,
    client: &Client,
    sub: &str,
    scope: &str,
    with_refresh: bool,
    id_token: Option<&IdTokenInput>,
    binding: &Binding,
) -> Result<Minted, String> {
    let iat = now();
    let ttl = demo.standard_token_ttl.as_secs() as i64;
    let jti = store::random_token(12);
    let mut claims: Value = json!({
        "iss": demo.issuer,
        "sub": sub,
        "aud": binding.audience.as_deref().unwrap_or("demo-api"),
        "client_id": client.id,
        "scope": scope,
        "iat": iat,
        "exp": iat + ttl,
        "jti": jti,
    });
    // The confirmation claim (RFC 7800 §3.1) of a bound token.
    let mut cnf = serde_json::Map::new();
    if let Some(jkt) = &binding.jkt {
        cnf.insert("jkt".into(), json!(jkt));
    }
    if let Some(x5t) = &binding.x5t {
        cnf.insert("x5t#S256".into(), json!(x5t));
    }
    if !cnf.is_empty() {
        claims["cnf"] = Value::Object(cnf);
    }
    if let Some(signed_in) = &binding.authentication {
        signed_in.add_to(demo, &mut claims);
    }
    // RFC 9396 §7, §9.1: in the response and in the token.
    let mut details_member = json!({});
    super::rar::issue(
        demo,
        binding.authorization_details.as_ref(),
        &mut claims,
        &mut details_member,
    );
    let access_token = demo.sign(&claims, "at+jwt", Algorithm::RS256)?;
    let token_type = if binding.jkt.is_some() {
        "DPoP"
    } else {
        "Bearer"
    };
    let mut body = json!({
        "access_token": access_token,
        "token_type": token_type,
        "expires_in": ttl,
        "scope": scope,
    });
    if let (Some(fields), Value::Object(details)) = (body.as_object_mut(), details_member) {
        fields.extend(details);
    }
    if let Some(input) = id_token
        && scope.split_whitespace().any(|s| s == "openid")
    {
        body["id_token"] = Value::String(sign_id_token(
            demo,
            client,
            sub,
            scope,
            &access_token,
            input,
            binding.authentication.as_ref(),
        )?);
    }
    let mut store = demo.store();
    store.access.insert(
        jti.clone(),
        AccessRecord {
            client_id: client.id.to_string(),
            revoked: false,
        },
    );
    let mut refresh_token = None;
    if with_refresh {
        let token = store::random_token(32);
        store.refresh.insert(
            token.clone(),
            RefreshRecord {
                client_id: client.id.to_string(),
                sub: sub.to_string(),
                scope: scope.to_string(),
                used: false,
                revoked: false,
                iat,
                access_jtis: vec![jti.clone()],
                jkt: binding.bind_refresh.then(|| binding.jkt.clone()).flatten(),
                authentication: binding.authentication.clone(),
            },
        );
        if let Some(details) = &binding.authorization_details {
            super::rar::bind_refresh(&mut store.rar, &token, details);
        }
        body["refresh_token"] = Value::String(token.clone());
        refresh_token = Some(token);
    }
    Ok(Minted {
        jti,
        refresh_token,
        body,
    })
}

/// An OpenID Connect ID token (Core §2) with `at_hash` (§3.1.3.6).
fn sign_id_token(
    demo: &Demo,
    client: &Client,
    sub: &str,
    scope: &str,
    access_token: &str,
    input: &IdTokenInput,
    signed_in: Option<&super::step_up::AuthEvent>,
) -> Result<String, String> {
    let iat = now();
    // Both RS256 and ES256 hash with SHA-256 (OIDC Core §3.1.3.6).
    let digest = Sha256::digest(access_token.as_bytes());
    let at_hash = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]);
    let mut claims = json!({
        "iss": demo.issuer,
        "sub": sub,
        "aud": client.id,
        "azp": client.id,
        "iat": iat,
        "exp": iat + demo.standard_token_ttl.as_secs() as i64,
        "auth_time": input.auth_time,
        "at_hash": at_hash,
    });
    if let Some(nonce) = &input.nonce {
        claims["nonce"] = json!(nonce);
    }
    if let Some(signed_in) = signed_in {
        signed_in.add_to(demo, &mut claims);
    }
    // The session the ID token belongs to (Back-Channel Logout §2.1).
    claims["sid"] = json!(super::logout::session_for(demo, sub, client.id));
    if let Some(user) = store::user(sub) {
        let scopes: Vec<&str> = scope.split_whitespace().collect();
        if scopes.contains(&"profile") {
            claims["name"] = json!(user.name);
        }
        if scopes.contains(&"email") {
            claims["email"] = json!(user.email);
            claims["email_verified"] = json!(true);
        }
    }
    let alg = if client.id_token_alg == "ES256" {
        Algorithm::ES256
    } else {
        Algorithm::RS256
    };
    match demo.faults.rp_case {
        Some(case) if case.id_token_on_refresh() => {
            if input.refreshed {
                case.refreshed_claims(&mut claims);
            }
            demo.sign(&claims, "JWT", alg)
        }
        Some(case) if case.without_kid() => {
            demo.keys().current(alg).sign_without_kid(&claims, "JWT")
        }
        Some(RpCase::SigningKeyRotation) => {
            // A key made for this ID token; the previous ones stay
            // published, as after `POST /admin/rotate-keys`.
            let (rs256, es256) = (SigningKey::generate()?, SigningKey::generate_es256()?);
            demo.keys().rotate(rs256, es256);
            demo.sign(&claims, "JWT", alg)
        }
        Some(case) => {
            case.claims(&mut claims);
            let signed = demo.sign(&claims, "JWT", alg)?;
            Ok(case.token(signed, &claims))
        }
        None => demo.sign(&claims, "JWT", alg),
    }
}
