//! The JWT bearer authorization grant (RFC 7523 §2.1): a signed JWT — the
//! assertion — is the grant.
//!
//! The assertion is built from `[jwt_bearer]` (`iss`, `sub`, `aud`, a
//! lifetime and extra claims; RFC 7523 §3) and signed with the profile's
//! `signing_key_file`, or given ready-made (`assertion`, `assertion_env`,
//! `--assertion`). Client authentication is separate and optional (RFC 7521
//! §4.1): the profile's method applies as for every grant. The step shows
//! the assertion decoded ([`crate::engine::client::auth::sent_jwts`]).

use serde_json::{Map, Value, json};

use super::{
    GrantOptions, extension_grant, finish, token_client, token_sender, with_profile_params,
};
use crate::engine::client::auth::audience_value;
use crate::engine::client::keys::ClientKey;
use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::error::EngineError;
use crate::engine::profile::grant_tables::JwtBearerSettings;
use crate::engine::profile::{GrantType, Profile, ProfileError};
use crate::engine::store::secret::Secret;
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::http::{HttpClient, RecordedRequest};

/// Requests a token with a JWT assertion as the grant.
pub async fn run(
    profile: &Profile,
    http: &HttpClient,
    options: &GrantOptions,
) -> Result<TokenSet, EngineError> {
    let settings = profile.jwt_bearer.clone().unwrap_or_default();
    let assertion = match &options.assertion {
        Some(given) => given.clone(),
        None => match &settings.assertion {
            Some(source) => source.resolve("jwt_bearer.assertion")?,
            None => Secret::new(build(profile, &settings)?),
        },
    };
    let params = vec![
        (
            "grant_type".to_string(),
            GrantType::JwtBearer.as_str().to_string(),
        ),
        ("assertion".to_string(), assertion.expose().to_string()),
    ];
    let client = token_client(profile)?;
    let http = http.scoped();
    let (send, rewriter) = token_sender(&http, profile)?;
    let send = extension_grant(send, params);
    let request = with_profile_params!(client.exchange_client_credentials(), profile);
    let result = request.request_async(&send).await;
    finish(result, &http, GrantType::JwtBearer, profile, &rewriter)
}

/// Builds and signs an assertion from `[jwt_bearer]` (RFC 7523 §3): `iss`
/// and `sub` (the client_id when not written), `aud`, `exp`, `iat`, a fresh
/// `jti`, and the table's extra claims.
pub fn build(profile: &Profile, settings: &JwtBearerSettings) -> Result<String, EngineError> {
    let path = profile.assertion.key_file.as_ref().ok_or_else(|| {
        ProfileError::field(
            "signing_key_file",
            "the JWT bearer grant signs its assertion with the client's private key; set signing_key_file, or give [jwt_bearer] assertion",
        )
    })?;
    let mut key =
        ClientKey::load(path).map_err(|err| ProfileError::field("signing_key_file", err.0))?;
    if let Some(kid) = &profile.assertion.kid {
        key = key.with_kid(kid.clone());
    }
    // The client assertion's alg when the key can sign it; else the key's.
    let alg = profile
        .assertion
        .alg
        .filter(|alg| key.algs().contains(alg))
        .unwrap_or_else(|| key.default_alg());
    let client_id = profile.client_id.as_deref();
    let named = |value: &Option<String>, key: &str| {
        value
            .clone()
            .or_else(|| client_id.map(str::to_string))
            .ok_or_else(|| {
                ProfileError::field(
                    format!("jwt_bearer.{key}"),
                    "is required when the profile has no client_id (RFC 7523 §3)",
                )
            })
    };
    let now = chrono::Utc::now().timestamp();
    let mut claims = Map::new();
    claims.extend(settings.claims.clone());
    claims.insert("iss".into(), json!(named(&settings.iss, "iss")?));
    claims.insert("sub".into(), json!(named(&settings.sub, "sub")?));
    claims.insert(
        "aud".into(),
        json!(audience_value(profile, &settings.audience)?),
    );
    claims.insert(
        "jti".into(),
        json!(crate::engine::client::keys::b64(&rand::random::<[u8; 16]>())),
    );
    claims.insert("iat".into(), json!(now));
    claims.insert(
        "exp".into(),
        json!(now.saturating_add(settings.lifetime as i64)),
    );
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    header.insert("kid".into(), key.kid().into());
    let jwt = key
        .sign(alg, header, &Value::Object(claims))
        .map_err(|err| ProfileError::field("signing_key_file", err.0))?;
    Ok(jwt)
}

/// What the client can check in the response: the token is for the
/// principal the assertion named (RFC 7523 §3: `sub` identifies whom the
/// access token is requested for).
pub fn check_response(tokens: &mut TokenSet, request: &RecordedRequest) {
    let Some(assertion) = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .find(|(name, _)| name == "assertion")
        .and_then(|(_, jwt)| crate::engine::jwt::decode("assertion", &jwt).ok())
    else {
        return;
    };
    let asked = assertion.claims["sub"].as_str();
    let issued = tokens
        .jwts
        .iter()
        .find(|j| j.source == "access_token")
        .and_then(|j| j.claims["sub"].as_str());
    if let (Some(asked), Some(issued)) = (asked, issued)
        && asked != issued
    {
        let finding = Finding::new(
            Severity::Error,
            "jwt_bearer_sub_differs",
            format!(
                "the assertion's sub is '{asked}', but the issued access token is for '{issued}': the server did not issue the token for the principal the assertion names"
            ),
            Some("RFC 7523 §3"),
        );
        tokens.findings.push(finding);
    }
}
