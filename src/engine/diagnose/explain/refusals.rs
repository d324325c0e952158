//! What a refusal means beyond its error code: an engine error's\nexplanation, a refused client assertion, a refusal without an OAuth error\nbody, an API 403 without a challenge, and hints read from the server's\n`error_description`.

use crate::engine::error::EngineError;
use crate::engine::profile::GrantType;
use crate::engine::wire::callback::CallbackError;

use super::*;

impl EngineError {
    /// The explanation of an OAuth error, or of an error the authorization
    /// server sent on the redirect (always explained as
    /// [`Stage::Authorization`]); `None` for other failures.
    ///
    /// An `error_description` that names a header, a parameter or an
    /// authentication scheme puts what it says first among the likely
    /// causes, with the profile key that changes it. A refusal without an
    /// OAuth error body (an empty 403) gets the usual causes at its
    /// endpoint.
    pub fn explanation(&self, stage: Stage) -> Option<Explanation> {
        match self {
            Self::OAuth {
                error, exchange, ..
            } => {
                let explanation = match error.error.as_str() {
                    "invalid_client" => explain_assertion_refusal(exchange, stage)
                        .unwrap_or_else(|| explain(&error.error, stage)),
                    _ => explain(&error.error, stage),
                };
                Some(with_description_hints(
                    explanation,
                    error.error_description.as_deref(),
                    stage,
                ))
            }
            Self::Callback(CallbackError::Authorization {
                error, description, ..
            }) => Some(with_description_hints(
                explain(error, Stage::Authorization),
                description.as_deref(),
                Stage::Authorization,
            )),
            Self::BadResponse { exchange, .. } => exchange
                .response
                .as_ref()
                .and_then(|r| explain_refusal_without_error(r.status, &r.body, stage)),
            _ => None,
        }
    }
}

/// `invalid_client` after a client assertion (RFC 7523 §3, §3.1): the
/// usual causes, with what the assertion we sent actually said. `None`
/// when the request carried no assertion.
pub fn explain_assertion_refusal(
    exchange: &crate::engine::wire::http::Exchange,
    stage: Stage,
) -> Option<Explanation> {
    let sent = crate::engine::client::auth::sent_jwts(&exchange.request)
        .into_iter()
        .find(|jwt| jwt.label.starts_with("Client assertion"))?;
    let claims = &sent.decoded.claims;
    let header = &sent.decoded.header;
    let text = |value: &serde_json::Value| match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Null => "(none)".to_string(),
        other => other.to_string(),
    };
    let aud = text(&claims["aud"]);
    let alg = text(&header["alg"]);
    let kid = text(&header["kid"]);
    let secret_jwt = alg.starts_with("HS");
    let mut causes = vec![
        format!(
            "The audience: we sent aud = {aud}. RFC 7523 §3 lets a server want its issuer or its token endpoint URL; many accept only one of them."
        ),
        format!(
            "The clocks: we sent iat {} and exp {}; a server whose clock is ahead or behind (or that allows a shorter lifetime) refuses the assertion.",
            text(&claims["iat"]),
            text(&claims["exp"])
        ),
    ];
    let mut tries = vec![
        "Switch client_assertion_audience between \"issuer\" and \"token_endpoint\" (or set the exact URL the provider documents) and run again.".to_string(),
        "Compare the server's Date header with this machine's clock (the step's findings say when they differ).".to_string(),
    ];
    if secret_jwt {
        causes.push(format!("The secret or the algorithm: the assertion is {alg}, keyed with the client secret; a wrong secret, or a server that wants another HS algorithm, fails the signature."));
        tries.push("Copy the client_secret again, or set token_endpoint_auth_signing_alg to the algorithm the client is registered with.".to_string());
    } else {
        causes.push(format!("The key: the server has no public key with kid {kid} for this client, or the registered key is another one (keys generate / keys show print the public JWKS and thumbprint to register)."));
        causes.push(format!("The algorithm: the assertion is {alg}; a client registered with token_endpoint_auth_signing_alg set to another one is refused."));
        tries.push("Register the public JWKS of signing_key_file with the provider (oauth-debugger keys show FILE), or set signing_key_kid to the kid it was registered under.".to_string());
        tries.push(
            "Set token_endpoint_auth_signing_alg to the algorithm the client is registered with."
                .to_string(),
        );
    }
    causes.push("A replayed jti: each assertion must be used once; a proxy or a retry that resends the same request is refused (every request here signs a new one).".to_string());
    causes.push("The method: the client is not registered for private_key_jwt / client_secret_jwt at this provider.".to_string());
    tries.push(
        "Check the client's registered token_endpoint_auth_method at the provider.".to_string(),
    );
    Some(Explanation {
        code: "invalid_client".to_string(),
        summary: format!(
            "Client authentication with a signed assertion failed at {}: the server did not accept the JWT we signed.",
            stage.describe()
        ),
        likely_causes: causes,
        what_to_try: tries,
        reference: Some("RFC 7523 §3".to_string()),
    })
}

/// The explanation of a refusal (HTTP 4xx) that carries no OAuth error
/// code: an empty body, a page, JSON without `error`. `None` for another
/// status, a body with an error code, or a step that authenticates no
/// client.
pub fn explain_refusal_without_error(
    status: u16,
    body: &[u8],
    stage: Stage,
) -> Option<Explanation> {
    if !crate::engine::diagnose::spec::is_refusal_status(status) || !authenticates_client(stage) {
        return None;
    }
    let has_error = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .is_some_and(|v| v.get("error").is_some());
    if has_error {
        return None;
    }
    let summary = format!(
        "The server refused {} (HTTP {status}) without an OAuth error body, so it does not say why; RFC 6749 §5.2 has it answer with a JSON object naming an error code. The usual reasons at this step follow.",
        stage.describe()
    );
    let credentials = match stage {
        Stage::Revocation => {
            "The client credentials are wrong or sent in a way the server does not take: check client_id and client_secret, and revocation_endpoint_auth_method (client_secret_basic or client_secret_post)."
        }
        _ => {
            "The client credentials are wrong or sent in a way the server does not take: check client_id and client_secret, and token_endpoint_auth_method (client_secret_basic or client_secret_post)."
        }
    };
    let mut causes = vec![credentials.to_string()];
    let specific: &[&str] = match stage {
        Stage::TokenRequest(GrantType::Password) => &[
            "The username or password is wrong, or the account is locked or disabled (some servers answer a wrong password with an empty 403).",
            "The client may not use the password grant: it is often off unless enabled for the client.",
        ],
        Stage::TokenRequest(GrantType::AuthorizationCode) => &[
            "The code was already used, expired, or was issued to another client or redirect_uri.",
            "The client may not use the authorization_code grant.",
        ],
        Stage::TokenRequest(GrantType::RefreshToken) => &[
            "The refresh token is expired, revoked, or was rotated away by an earlier refresh.",
            "The client may not use the refresh_token grant.",
        ],
        Stage::TokenRequest(_) | Stage::DevicePolling => {
            &["The client may not use this grant: it is enabled per client on many servers."]
        }
        Stage::Introspection => &[
            "The client may not introspect tokens: many servers allow it only to resource-server clients, or need a scope such as introspection.",
        ],
        Stage::Revocation => &["The token was issued to another client, which may not revoke it."],
        Stage::PushedAuthorization => &[
            "The client may not push authorization requests, or the PAR endpoint wants another client authentication (with an assertion, aud = the issuer).",
        ],
        Stage::Authorization | Stage::ApiCall => &[],
    };
    causes.extend(specific.iter().map(|c| c.to_string()));
    Some(Explanation {
        code: format!("HTTP {status}"),
        summary,
        likely_causes: causes,
        what_to_try: vec![
            "Run again with -v (or read the HTTP log) to see exactly what was sent.".to_string(),
            "Check the client's settings at the provider: its secret, its authentication method, the grants it may use.".to_string(),
            "Look in the server's log: a server that gives no error body usually logs the reason.".to_string(),
        ],
        reference: Some("RFC 6749 §5.2".to_string()),
    })
}

/// The explanation of an API refusal with HTTP 403 and no
/// `WWW-Authenticate` challenge (RFC 6750 §3 has an invalid token answered
/// with 401 and a Bearer challenge, an insufficient scope with 403 and a
/// challenge naming `insufficient_scope`).
pub fn explain_api_forbidden() -> Explanation {
    Explanation {
        code: "HTTP 403".to_string(),
        summary: "The API refused the call with HTTP 403 and no WWW-Authenticate challenge, so it does not say whether the token was bad or simply not enough. RFC 6750 §3 answers an invalid token with 401 and a Bearer challenge, and a missing scope with 403 and error=\"insufficient_scope\".".to_string(),
        likely_causes: vec![
            "The token is not valid here: expired, revoked, issued by another server or for another API (its aud) — some APIs say 403 where RFC 6750 says 401.".to_string(),
            "The token is valid but lacks a scope, role or group this call needs.".to_string(),
            "The token is not where the API looks for it (header name, prefix, query or body), so the API saw no token at all.".to_string(),
            "Something other than OAuth refused: an IP allow-list, a WAF, a missing API key or version header.".to_string(),
        ],
        what_to_try: vec![
            "Introspect the token (oauth-debugger introspect, or Introspect in the Tokens tab) to see whether the server still considers it active, and its scope and aud.".to_string(),
            "Decode the token (oauth-debugger inspect) and compare exp, aud and scope with what the API needs.".to_string(),
            "Check the profile's [api] token placement (token_placement, header_name, header_prefix).".to_string(),
        ],
        reference: Some("RFC 6750 §3".to_string()),
    }
}

/// Puts what an `error_description` names first among the likely causes:
/// a header, a parameter or an authentication scheme, with the profile key
/// that changes it.
pub fn with_description_hints(
    mut explanation: Explanation,
    description: Option<&str>,
    stage: Stage,
) -> Explanation {
    let Some(description) = description.map(str::trim).filter(|d| !d.is_empty()) else {
        return explanation;
    };
    let hints = description_hints(description, stage);
    if hints.is_empty() {
        return explanation;
    }
    let mut causes = Vec::new();
    let mut tries = Vec::new();
    for (cause, try_) in hints {
        causes.push(cause);
        tries.push(try_);
    }
    causes.append(&mut explanation.likely_causes);
    tries.append(&mut explanation.what_to_try);
    explanation.likely_causes = causes;
    explanation.what_to_try = tries;
    explanation
}

/// (cause, what to try) for each thing `description` names.
pub(super) fn description_hints(description: &str, stage: Stage) -> Vec<(String, String)> {
    let lower = description.to_ascii_lowercase();
    let has = |word: &str| lower.contains(word);
    let auth_key = if stage == Stage::Revocation {
        "revocation_endpoint_auth_method"
    } else {
        "token_endpoint_auth_method"
    };
    let said = format!("The server says \"{description}\"");
    let mut hints = crate::engine::diagnose::providers::code_hints(description);
    if authenticates_client(stage)
        && (has("authorization header")
            || has("basic auth")
            || has("http basic")
            || has("client_secret_basic"))
    {
        hints.push((
            format!("{said}: it wants the client credentials in the Authorization header (HTTP Basic), not in the body."),
            format!("Set {auth_key} = \"client_secret_basic\" in the profile."),
        ));
    } else if authenticates_client(stage)
        && (has("in the body")
            || has("request body")
            || has("form body")
            || has("client_secret_post"))
    {
        hints.push((
            format!("{said}: it wants client_id (and client_secret) as form parameters in the body."),
            format!("Set {auth_key} = \"client_secret_post\" in the profile (or \"none\" for a public client with client_id only)."),
        ));
    }
    if stage == Stage::ApiCall && (has("authorization header") || has("bearer")) {
        hints.push((
            format!("{said}: it wants the token in the Authorization header as Bearer."),
            "Set token_placement = \"header\", header_name = \"Authorization\" and header_prefix = \"Bearer\" under [api].".to_string(),
        ));
    }
    if has("code_verifier") || has("code_challenge") || has("pkce") {
        hints.push((
            format!("{said}: it is about PKCE (RFC 7636)."),
            "Check pkce in the profile: \"S256\" unless the server only takes \"plain\" (or \"none\" when it refuses PKCE).".to_string(),
        ));
    }
    if has("redirect_uri") || has("redirect uri") {
        hints.push((
            format!("{said}: it is about the redirect URI."),
            "Make redirect_uri in the profile exactly the one registered for the client (scheme, host, port and path).".to_string(),
        ));
    }
    if has("scope") {
        hints.push((
            format!("{said}: it is about the scopes asked for."),
            "Change scope in the profile to scopes the client may ask for.".to_string(),
        ));
    }
    if has("grant_type") || has("grant type") {
        hints.push((
            format!("{said}: it is about the grant type."),
            "Check grant_type in the profile (or --grant) and which grants the client may use at the provider.".to_string(),
        ));
    }
    if has("content-type") || has("content type") {
        hints.push((
            format!("{said}: it is about the request's Content-Type."),
            "Token, revocation and introspection requests are sent as application/x-www-form-urlencoded; a server wanting JSON is not following RFC 6749 §3.2.".to_string(),
        ));
    }
    hints
}
