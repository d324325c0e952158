//! Minting what the token endpoint hands out: access and refresh tokens
//! (bound to a DPoP key or a client certificate when asked, RFC 9449,
//! RFC 8705), the response fields, and ID tokens (OIDC Core §2, §3.1.3.6).

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Binding;
use crate::demo::keys::SigningKey;
use crate::demo::rp_tests::RpCase;
use crate::demo::store::{self, AccessRecord, Client, RefreshRecord};
use crate::demo::{Demo, no_store_json, now, oauth_error};

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
pub(super) fn issue(
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
    crate::demo::rar::issue(
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
    store.sweep(iat);
    store.access.insert(
        jti.clone(),
        AccessRecord {
            client_id: client.id.to_string(),
            expires_at: iat + ttl,
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
                spent_at: None,
                revoked: false,
                iat,
                access_jtis: vec![jti.clone()],
                jkt: binding.bind_refresh.then(|| binding.jkt.clone()).flatten(),
                authentication: binding.authentication.clone(),
            },
        );
        if let Some(details) = &binding.authorization_details {
            crate::demo::rar::bind_refresh(&mut store.rar, &token, details);
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
pub(super) fn sign_id_token(
    demo: &Demo,
    client: &Client,
    sub: &str,
    scope: &str,
    access_token: &str,
    input: &IdTokenInput,
    signed_in: Option<&crate::demo::step_up::AuthEvent>,
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
    claims["sid"] = json!(crate::demo::logout::session_for(demo, sub, client.id));
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
