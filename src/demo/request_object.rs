//! Request objects (RFC 9101, JAR): an authorization request sent as one
//! signed JWT in the `request` parameter, at the authorization endpoint or
//! pushed (RFC 9126 §3). Signed with a key the client registered (its JWKS,
//! `kid` chosen) or, HS256/384/512, with its client secret; never `none`.
//! The object's claims replace every other parameter (RFC 9101 §6.3).

use jsonwebtoken::Algorithm;
use serde_json::Value;

use super::assertion::check_signature;
use super::jose::Jws;
use super::store::Client;
use super::{Demo, now};

/// The `typ` of a request object (RFC 9101 §10.2).
pub const TYP: &str = "oauth-authz-req+jwt";

/// Clock skew allowed on `exp`, `iat` and `nbf`, in seconds.
const LEEWAY: i64 = 60;

/// How far in the past `nbf` may be (FAPI 2.0 Message Signing §5.3.2: no
/// more than 60 minutes).
const NBF_MAX_AGE: i64 = 3600;

/// The claims that are about the JWT, not authorization parameters.
const JWT_CLAIMS: [&str; 6] = ["iss", "aud", "exp", "iat", "nbf", "jti"];

/// Verifies `client`'s request object and returns the authorization
/// request's parameters: its claims, with `client_id` (RFC 9101 §6.3). The
/// error is an `error_description` for `invalid_request_object`.
pub fn verify(demo: &Demo, client: &Client, jwt: &str) -> Result<Vec<(String, String)>, String> {
    let id = client.id;
    let jws = Jws::parse(jwt).map_err(|e| format!("the request object: {e}"))?;
    if jws.header["alg"]
        .as_str()
        .is_some_and(|alg| alg.eq_ignore_ascii_case("none"))
    {
        return Err(
            "the request object is unsigned (alg none); this server takes signed request objects only"
                .into(),
        );
    }
    match jws.header["typ"].as_str() {
        None => {}
        Some(typ)
            if typ.eq_ignore_ascii_case(TYP)
                || typ.eq_ignore_ascii_case(&format!("application/{TYP}")) => {}
        Some(other) => {
            return Err(format!(
                "the request object's typ is '{other}'; it must be {TYP} (RFC 9101 §10.2)"
            ));
        }
    }
    let alg = jws.alg().map_err(|e| format!("the request object: {e}"))?;
    if !matches!(
        alg,
        Algorithm::RS256
            | Algorithm::PS256
            | Algorithm::ES256
            | Algorithm::EdDSA
            | Algorithm::HS256
            | Algorithm::HS384
            | Algorithm::HS512
    ) {
        return Err(format!(
            "the request object is signed {alg:?}; this server takes RS256, PS256, ES256, EdDSA, HS256, HS384 or HS512"
        ));
    }
    check_signature(demo, client, &jws, alg, "the request object")?;
    match jws.claim("iss") {
        Some(iss) if iss == id => {}
        Some(iss) => {
            return Err(format!(
                "the request object's iss is '{iss}'; it must be the client_id '{id}'"
            ));
        }
        None => {
            return Err(format!(
                "the request object has no iss; it must be the client_id '{id}'"
            ));
        }
    }
    let aud: Vec<&str> = match &jws.claims["aud"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if aud.is_empty() {
        return Err(format!(
            "the request object has no aud; it must be the issuer {}",
            demo.issuer
        ));
    }
    if !aud.contains(&demo.issuer.as_str()) {
        return Err(format!(
            "the request object's aud is {}; it must be the issuer {}",
            aud.join(", "),
            demo.issuer
        ));
    }
    check_times(&jws)?;
    match jws.claims.get("client_id") {
        None => {}
        Some(Value::String(inner)) if inner == id => {}
        Some(other) => {
            let inner = other.as_str().map_or(other.to_string(), str::to_string);
            return Err(format!(
                "the request object's client_id is '{inner}', but the request's client_id is '{id}' (RFC 9101 §5)"
            ));
        }
    }
    for nested in ["request", "request_uri"] {
        if jws.claims.get(nested).is_some() {
            return Err(format!(
                "the request object holds {nested}, which it must not (RFC 9101 §4)"
            ));
        }
    }
    let mut params = claims_as_params(&jws.claims);
    params.retain(|(name, _)| name != "client_id");
    params.push(("client_id".to_string(), id.to_string()));
    Ok(params)
}

fn check_times(jws: &Jws<'_>) -> Result<(), String> {
    let now = now();
    super::jose::check_times(jws, "the request object", now, LEEWAY)?;
    if let Some(nbf) = jws.claims["nbf"].as_i64()
        && nbf < now - NBF_MAX_AGE
    {
        return Err(format!(
            "the request object's nbf is {} s in the past; this server takes request objects at most {NBF_MAX_AGE} s old (FAPI 2.0)",
            now - nbf
        ));
    }
    Ok(())
}

/// The claims of a request object as request parameters: strings as they
/// are, other JSON values (`claims`, `authorization_details`, numbers) as
/// JSON text.
fn claims_as_params(claims: &Value) -> Vec<(String, String)> {
    claims
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(name, _)| !JWT_CLAIMS.contains(&name.as_str()))
        .map(|(name, value)| {
            let text = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            (name.clone(), text)
        })
        .collect()
}

/// The parameters a request object claims, before it is verified — only to
/// find where to send its refusal.
pub fn unverified_params(jwt: &str) -> Vec<(String, String)> {
    Jws::parse(jwt)
        .map(|jws| claims_as_params(&jws.claims))
        .unwrap_or_default()
}
