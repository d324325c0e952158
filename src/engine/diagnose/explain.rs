//! Plain-language explanations of OAuth error codes.
//!
//! The same code means different things at different steps: `invalid_grant`
//! at the code exchange is a reused code, a changed `redirect_uri` or a PKCE
//! verifier that does not match; at a refresh it is a rotated, revoked or
//! expired refresh token. [`explain`] takes the code and the [`Stage`] it came
//! from and says what it means, what probably caused it and what to try,
//! citing the section that defines it.

use serde::{Deserialize, Serialize};

use crate::engine::error::EngineError;
use crate::engine::profile::GrantType;
use crate::engine::wire::callback::CallbackError;
use crate::engine::wire::http::ExchangeKind;

/// Where in an OAuth conversation an error came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// The redirect back from the authorization endpoint (RFC 6749 §4.1.2.1).
    Authorization,
    /// A token endpoint request of this grant (RFC 6749 §5.2); for the device
    /// grant, its device authorization request (RFC 8628 §3.2).
    TokenRequest(GrantType),
    /// The device grant's polling of the token endpoint (RFC 8628 §3.5).
    DevicePolling,
    /// A call to the protected API (RFC 6750 §3.1).
    ApiCall,
    /// Token revocation (RFC 7009 §2.2.1).
    Revocation,
    /// Token introspection (RFC 7662 §2.3).
    Introspection,
    /// A pushed authorization request (RFC 9126 §2.3).
    PushedAuthorization,
}

/// Error codes of RFC 6749 §5.2, used by every endpoint that authenticates a
/// client.
const TOKEN_CODES: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    // RFC 8707 §2 (resource indicators).
    "invalid_target",
    // RFC 9396 §6 (rich authorization requests).
    "invalid_authorization_details",
    // RFC 9449 §5, §8 (DPoP).
    "invalid_dpop_proof",
    "use_dpop_nonce",
];

/// RFC 8628 §3.5: the device grant's polling answers.
const DEVICE_CODES: &[&str] = &[
    "authorization_pending",
    "slow_down",
    "access_denied",
    "expired_token",
];

/// OpenID CIBA Core §11 (token errors) and §13 (authentication errors).
const CIBA_CODES: &[&str] = &[
    "authorization_pending",
    "slow_down",
    "expired_token",
    "access_denied",
    "transaction_failed",
    "expired_login_hint_token",
    "unknown_user_id",
    "missing_user_code",
    "invalid_user_code",
    "invalid_binding_message",
];

/// RFC 6749 §4.1.2.1, with OpenID Connect Core §3.1.2.6 and RFC 8707 §2.
const AUTHORIZATION_CODES: &[&str] = &[
    "invalid_request",
    "unauthorized_client",
    "access_denied",
    "unsupported_response_type",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
    "interaction_required",
    "login_required",
    "account_selection_required",
    "consent_required",
    "invalid_request_uri",
    "invalid_request_object",
    "request_not_supported",
    "request_uri_not_supported",
    "registration_not_supported",
    "invalid_target",
    // RFC 9396 §5.
    "invalid_authorization_details",
];

/// RFC 6750 §3.1.
const BEARER_CODES: &[&str] = &[
    "invalid_request",
    "invalid_token",
    "insufficient_scope",
    // RFC 9470 §3 (step-up).
    "insufficient_user_authentication",
    // RFC 9449 §7.1 (the DPoP scheme's challenges).
    "invalid_dpop_proof",
    "use_dpop_nonce",
];

impl Stage {
    /// The stage of a failed grant: the redirect for callback errors, the
    /// device authorization request or the polling for the device grant,
    /// otherwise the grant's token request.
    pub fn of_grant_error(grant: GrantType, error: &EngineError) -> Self {
        if matches!(error, EngineError::Callback(_)) {
            return Self::Authorization;
        }
        match (grant, error.exchange().map(|e| e.kind)) {
            (_, Some(ExchangeKind::Device)) => Self::TokenRequest(GrantType::DeviceCode),
            (_, Some(ExchangeKind::Par)) => Self::PushedAuthorization,
            (GrantType::DeviceCode, _) => Self::DevicePolling,
            (grant, _) => Self::TokenRequest(grant),
        }
    }

    /// What the step is, for people ("the refresh_token request").
    pub fn describe(self) -> String {
        match self {
            Self::Authorization => "the authorization redirect".to_string(),
            Self::TokenRequest(GrantType::DeviceCode) => {
                "the device authorization request".to_string()
            }
            Self::TokenRequest(grant) => format!("the {grant} token request"),
            Self::DevicePolling => "device polling".to_string(),
            Self::ApiCall => "the API call".to_string(),
            Self::Revocation => "token revocation".to_string(),
            Self::Introspection => "token introspection".to_string(),
            Self::PushedAuthorization => "the pushed authorization request".to_string(),
        }
    }

    /// The section that lists the error codes of this step.
    pub fn reference(self) -> &'static str {
        match self {
            Self::Authorization => "RFC 6749 §4.1.2.1",
            Self::TokenRequest(_) => "RFC 6749 §5.2",
            Self::DevicePolling => "RFC 8628 §3.5",
            Self::ApiCall => "RFC 6750 §3.1",
            Self::Revocation => "RFC 7009 §2.2.1",
            Self::Introspection => "RFC 7662 §2.3",
            Self::PushedAuthorization => "RFC 9126 §2.3",
        }
    }

    /// True when the specifications register `code` for this step.
    pub fn registers(self, code: &str) -> bool {
        let lists: &[&[&str]] = match self {
            Self::Authorization => &[AUTHORIZATION_CODES],
            Self::TokenRequest(GrantType::DeviceCode) | Self::DevicePolling => {
                &[TOKEN_CODES, DEVICE_CODES]
            }
            Self::TokenRequest(GrantType::Ciba) => &[TOKEN_CODES, CIBA_CODES],
            Self::TokenRequest(_) => &[TOKEN_CODES],
            Self::ApiCall => &[BEARER_CODES],
            Self::Revocation => &[TOKEN_CODES, &["unsupported_token_type"]],
            Self::Introspection => &[TOKEN_CODES, BEARER_CODES],
            Self::PushedAuthorization => &[TOKEN_CODES, AUTHORIZATION_CODES],
        };
        lists.iter().any(|list| list.contains(&code))
    }
}

/// True when some OAuth specification registers `code` for some step.
pub fn is_known_code(code: &str) -> bool {
    [
        TOKEN_CODES,
        DEVICE_CODES,
        CIBA_CODES,
        AUTHORIZATION_CODES,
        BEARER_CODES,
        &["unsupported_token_type"],
    ]
    .iter()
    .any(|list| list.contains(&code))
}

/// What an error code means at a step, for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// The error code as sent.
    pub code: String,
    /// One or two sentences: what the server is saying.
    pub summary: String,
    /// The usual reasons, most likely first.
    pub likely_causes: Vec<String>,
    /// What to change or check, in order.
    pub what_to_try: Vec<String>,
    /// The section that defines the code, e.g. `RFC 6749 §5.2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl std::fmt::Display for Explanation {
    /// The terminal form: summary, "Likely causes:", "Try:", reference.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}", self.summary)?;
        if !self.likely_causes.is_empty() {
            writeln!(f, "Likely causes:")?;
            for cause in &self.likely_causes {
                writeln!(f, "  - {cause}")?;
            }
        }
        if !self.what_to_try.is_empty() {
            writeln!(f, "Try:")?;
            for step in &self.what_to_try {
                writeln!(f, "  - {step}")?;
            }
        }
        if let Some(reference) = &self.reference {
            writeln!(f, "See {reference}.")?;
        }
        Ok(())
    }
}

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
fn description_hints(description: &str, stage: Stage) -> Vec<(String, String)> {
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

/// Explains `code` as answered at `stage`. Unknown codes get a general
/// explanation that points at the server's own description.
pub fn explain(code: &str, stage: Stage) -> Explanation {
    let code = code.trim();
    let ciba = (stage == Stage::TokenRequest(GrantType::Ciba))
        .then(|| ciba_text(code))
        .flatten();
    let text = if let Some(text) = ciba {
        text
    } else {
        match code {
            "invalid_request" => invalid_request(stage),
            "invalid_client" => invalid_client(stage),
            "invalid_grant" => invalid_grant(stage),
            "unauthorized_client" => unauthorized_client(stage),
            "unsupported_grant_type" => unsupported_grant_type(stage),
            "invalid_scope" => invalid_scope(stage),
            "access_denied" => access_denied(stage),
            "unsupported_response_type" => unsupported_response_type(),
            "server_error" => server_error(stage),
            "temporarily_unavailable" => temporarily_unavailable(),
            "authorization_pending" => authorization_pending(stage),
            "slow_down" => slow_down(),
            "expired_token" => expired_token(stage),
            "invalid_token" => invalid_token(stage),
            "insufficient_scope" => insufficient_scope(),
            "insufficient_user_authentication" => insufficient_user_authentication(),
            "invalid_dpop_proof" => invalid_dpop_proof(stage),
            "invalid_request_object" => invalid_request_object(),
            "invalid_request_uri" | "request_uri_not_supported" | "request_not_supported" => {
                request_uri_refused(code)
            }
            "use_dpop_nonce" => use_dpop_nonce(),
            "invalid_target" if stage.registers(code) => invalid_target(stage),
            "invalid_authorization_details" if stage.registers(code) => {
                invalid_authorization_details(stage)
            }
            other => unknown(other, stage),
        }
    };
    let reference = text
        .reference
        .map(str::to_string)
        .or_else(|| Some(stage.reference().to_string()));
    Explanation {
        code: code.to_string(),
        summary: text.summary,
        likely_causes: text.causes.into_iter().map(String::from).collect(),
        what_to_try: text.tries.into_iter().map(String::from).collect(),
        reference,
    }
}

/// An explanation before it is owned; `reference: None` means the stage's.
struct Text {
    summary: String,
    causes: Vec<&'static str>,
    tries: Vec<&'static str>,
    reference: Option<&'static str>,
}

impl Text {
    fn new(summary: impl Into<String>) -> Self {
        Self {
            summary: summary.into(),
            causes: Vec::new(),
            tries: Vec::new(),
            reference: None,
        }
    }

    fn causes(mut self, causes: &[&'static str]) -> Self {
        self.causes.extend_from_slice(causes);
        self
    }

    fn tries(mut self, tries: &[&'static str]) -> Self {
        self.tries.extend_from_slice(tries);
        self
    }

    fn reference(mut self, reference: &'static str) -> Self {
        self.reference = Some(reference);
        self
    }
}

/// Endpoints where the client authenticates (RFC 6749 §2.3).
fn authenticates_client(stage: Stage) -> bool {
    matches!(
        stage,
        Stage::TokenRequest(_)
            | Stage::DevicePolling
            | Stage::Revocation
            | Stage::Introspection
            | Stage::PushedAuthorization
    )
}

/// Where a code defined for both the redirect and the token endpoint is
/// defined for `stage`.
fn authorization_or_token(stage: Stage) -> &'static str {
    if stage == Stage::Authorization {
        "RFC 6749 §4.1.2.1"
    } else {
        "RFC 6749 §5.2"
    }
}

fn invalid_request(stage: Stage) -> Text {
    let text = Text::new(
        "The request is malformed: a required parameter is missing, a parameter is repeated or has a value the server does not accept.",
    );
    let text = match stage {
        Stage::Authorization => text.causes(&[
            "A required parameter is missing or wrong: response_type, client_id, redirect_uri.",
            "The server requires PKCE and no code_challenge was sent, or the code_challenge_method is not one it supports (RFC 7636 §4.4.1).",
            "A parameter is repeated, e.g. added both by the grant and as an extra authorize parameter.",
        ]),
        Stage::TokenRequest(GrantType::AuthorizationCode) => text.causes(&[
            "code, redirect_uri or code_verifier is missing: the verifier is required when the authorization request carried a code_challenge.",
            "The parameters were sent in the query string instead of the form-encoded body, or without Content-Type: application/x-www-form-urlencoded.",
            "The client authenticated in two ways at once (HTTP Basic and client_secret in the body), which RFC 6749 §2.3 forbids.",
        ]),
        Stage::TokenRequest(GrantType::Password) => text.causes(&[
            "username or password is missing or empty.",
            "The parameters were sent in the query string instead of the form-encoded body.",
            "The client authenticated in two ways at once (HTTP Basic and client_secret in the body).",
        ]),
        Stage::TokenRequest(GrantType::TokenExchange) => text.causes(&[
            "The subject token or the actor token is not valid for the server: unknown to it, expired, revoked, or of another type than subject_token_type / actor_token_type says (RFC 8693 §2.2.2).",
            "The server's policy does not allow this exchange: many servers refuse actor tokens (delegation), or exchanges between these clients.",
            "subject_token or subject_token_type is missing, or actor_token_type was sent without actor_token (or the other way round) (RFC 8693 §2.1).",
        ]),
        Stage::TokenRequest(GrantType::JwtBearer) => text.causes(&[
            "assertion is missing, or holds more than one JWT (RFC 7523 §2.1).",
            "The parameters were sent in the query string instead of the form-encoded body.",
        ]),
        Stage::TokenRequest(GrantType::RefreshToken) => text.causes(&[
            "refresh_token is missing or empty.",
            "The refresh token contains +, / or = and was not form-encoded, so it arrived changed.",
            "The client authenticated in two ways at once (HTTP Basic and client_secret in the body).",
        ]),
        Stage::TokenRequest(_) | Stage::DevicePolling => text.causes(&[
            "A required parameter is missing (grant_type, device_code, client_id) or repeated.",
            "The parameters were sent in the query string instead of the form-encoded body, or without Content-Type: application/x-www-form-urlencoded.",
            "The client authenticated in two ways at once (HTTP Basic and client_secret in the body), which RFC 6749 §2.3 forbids.",
        ]),
        Stage::PushedAuthorization => text.causes(&[
            "A pushed parameter is missing or wrong: response_type, redirect_uri, scope, code_challenge — the PAR endpoint checks them as the authorization endpoint would (RFC 9126 §2.1).",
            "A request_uri was pushed: RFC 9126 §2.1 forbids it.",
            "The request object in `request` is not accepted (then the code is invalid_request_object).",
        ]),
        Stage::ApiCall => text.causes(&[
            "The token was sent in more than one way at once (header and query or body), which RFC 6750 §3.1 calls invalid_request.",
            "A parameter the API requires is missing or malformed, e.g. a version header or a format parameter.",
        ]),
        Stage::Revocation | Stage::Introspection => text.causes(&[
            "The token parameter is missing or empty.",
            "The parameters were sent in the query string instead of the form-encoded body.",
        ]),
    };
    let text = match stage {
        Stage::TokenRequest(GrantType::TokenExchange) => text.tries(&[
            "Check the subject token is one this server issued and still valid, and that subject_token_type names its real type ([token_exchange]).",
            "Run again without the actor token: if that works, the server refuses delegation for this client.",
        ]),
        _ => text,
    };
    text.reference(match stage {
        Stage::Authorization => "RFC 6749 §4.1.2.1",
        Stage::ApiCall => "RFC 6750 §3.1",
        Stage::TokenRequest(GrantType::TokenExchange) => "RFC 8693 §2.2.2",
        _ => "RFC 6749 §5.2",
    })
    .tries(&[
        "Read the error_description: servers usually name the parameter.",
        "Compare the request as sent (HTTP log, or -v) with the provider's documentation, parameter by parameter.",
        "Remove extra parameters one at a time to find the one the server rejects.",
    ])
}

fn invalid_client(stage: Stage) -> Text {
    if !authenticates_client(stage) {
        return Text::new(
            "The server does not accept this client. invalid_client is defined for the token endpoint; here it usually means the client_id is unknown.",
        )
        .causes(&[
            "The client_id is wrong, or belongs to another environment or tenant.",
            "The client was deleted or disabled at the provider.",
        ])
        .tries(&[
            "Copy the client_id again from the provider's console.",
            "Check that the endpoints and the client belong to the same environment.",
        ])
        .reference("RFC 6749 §5.2");
    }
    Text::new(
        "Client authentication failed: the server does not know this client, or the credentials are wrong, or they came in a way it does not accept.",
    )
    .causes(&[
        "The client_secret is wrong: mistyped, rotated, with stray whitespace, or from another environment.",
        "The server wants the other authentication method: HTTP Basic (client_secret_basic) rather than the body (client_secret_post), or the other way round.",
        "HTTP Basic credentials are form-encoded before base64 (RFC 6749 §2.3.1); a server that does not decode them rejects a secret containing characters such as + / = % or :.",
        "A public client sent a secret, or a confidential client sent none (token_endpoint_auth_method = \"none\").",
        "The client_id is unknown to this server.",
    ])
    .tries(&[
        "Copy the client_secret again from the provider's console.",
        "Switch token_endpoint_auth_method between client_secret_basic and client_secret_post and run again.",
        "If the secret contains special characters and Basic is used, set basic_auth_raw = true under [compat] in the profile to send them unencoded.",
        "Check the Authorization header and the body of the request as sent (HTTP log, or -v).",
    ])
    .reference("RFC 6749 §5.2")
}

fn invalid_dpop_proof(stage: Stage) -> Text {
    Text::new(format!(
        "The server refused the DPoP proof sent with {}: the signed JWT in the DPoP header did not pass its checks.",
        stage.describe()
    ))
    .causes(&[
        "htu or htm: the proof names another URL or method than the request's (a proxy or a rewritten path changes what the server sees).",
        "The clock: the proof's iat is too far from the server's time.",
        "The algorithm: the server does not accept the proof's alg (see its dpop_signing_alg_values_supported).",
        "ath: at an API, the proof's ath must be the SHA-256 of the very access token sent.",
        "The key: a token bound to another key (cnf.jkt) cannot be used with this one — a new session made a new key.",
    ])
    .tries(&[
        "Read the proof decoded in the step (header and claims) and compare htu with the request URL.",
        "Set dpop_signing_alg to one the server lists.",
        "Keep one key across runs with dpop_key_file, so tokens stay usable.",
    ])
    .reference("RFC 9449 §4.3, §7.1")
}

fn invalid_request_object() -> Text {
    Text::new(
        "The server refused the signed request object (JAR): its signature, claims or algorithm did not pass.",
    )
    .causes(&[
        "The key: the server has no public key with the request object's kid for this client (register the JWKS of signing_key_file).",
        "aud: it must be the server's issuer identifier (RFC 9101 §4).",
        "iss or client_id: both must be the client_id, and client_id must also be sent outside the object.",
        "exp, nbf or iat: expired, not yet valid, or too far in the past (FAPI 2.0 wants nbf within the last 60 minutes).",
        "alg: request_object_signing_alg is not one the server lists in request_object_signing_alg_values_supported.",
    ])
    .tries(&[
        "Open the request object in the step (header and claims) and compare aud with the issuer.",
        "Set request_object_signing_alg to an algorithm the client is registered with.",
    ])
    .reference("RFC 9101 §6.3, §7")
}

fn request_uri_refused(code: &str) -> Text {
    Text::new(format!(
        "The server does not take this way of passing the request ({code}): it refused the request object or the request_uri."
    ))
    .causes(&[
        "The server does not support request objects by value (request_not_supported) or by reference (request_uri_not_supported).",
        "A pushed request_uri was used twice or after it expired (RFC 9126 §4: it is good for one use, briefly).",
    ])
    .tries(&[
        "Turn PAR on (require_pushed_authorization_requests) when the server pushes, or off when it has no PAR endpoint.",
        "Run the grant again: each run pushes a new request.",
    ])
    .reference("RFC 9101 §7; RFC 9126 §4")
}

fn use_dpop_nonce() -> Text {
    Text::new(
        "The server wants a nonce of its own in the DPoP proof. It sent one in the DPoP-Nonce header; the request is signed again with it and retried once.",
    )
    .causes(&[
        "The server demands nonces (RFC 9449 §8 and §9); the first request cannot have known one.",
        "The nonce went stale between requests and the server sent a new one.",
    ])
    .tries(&[
        "Nothing, usually: the retry carries the nonce. If the retry is refused too, the server's nonce handling is at fault: compare the DPoP-Nonce it sent with the nonce claim of the second proof.",
    ])
    .reference("RFC 9449 §8")
}

fn invalid_grant(stage: Stage) -> Text {
    let summary = "The grant is not valid: the code, refresh token or credentials are wrong, expired, revoked, already used, or were issued to another client.";
    let text = Text::new(summary).reference("RFC 6749 §5.2");
    match stage {
        Stage::TokenRequest(GrantType::AuthorizationCode) => text
            .causes(&[
                "The code was already used: codes are single-use, and a retry or a second tab spends it (RFC 6749 §4.1.2).",
                "The code expired: they live seconds to minutes (at most 10 minutes is recommended).",
                "The redirect_uri differs from the one sent in the authorization request; it must be identical (RFC 6749 §4.1.3).",
                "The PKCE code_verifier does not match the code_challenge of that authorization request (RFC 7636 §4.6).",
                "The code was issued to another client_id.",
            ])
            .tries(&[
                "Run the whole grant again: every run gets a fresh code, state and verifier.",
                "Compare redirect_uri in the authorization request and the token request, character by character.",
                "Exchange the code at once, and only once.",
            ]),
        Stage::TokenRequest(GrantType::RefreshToken) => text
            .causes(&[
                "The refresh token was already used: the server rotates refresh tokens, so each refresh returns a new one and the old one stops working.",
                "The refresh token was revoked: sign-out, password change, consent withdrawn or an administrator.",
                "The refresh token expired (idle or absolute lifetime).",
                "The refresh token was issued to another client, or it contains + / = and was not form-encoded.",
            ])
            .tries(&[
                "Use the newest refresh token: each refresh returns one that replaces the last.",
                "Run the original grant again to get a new refresh token.",
            ])
            .reference("RFC 6749 §6"),
        Stage::TokenRequest(GrantType::Password) => text
            .causes(&[
                "The username or password is wrong.",
                "The account is locked, disabled, needs a password change or a second factor the password grant cannot give.",
                "The username was changed on the way: names like DOMAIN\\user must be sent exactly as typed (the backslash is form-encoded, never doubled).",
            ])
            .tries(&[
                "Sign in with the same username and password on the provider's own login page.",
                "Send the username exactly as the provider expects it (DOMAIN\\user, user@domain or e-mail).",
            ]),
        Stage::TokenRequest(GrantType::DeviceCode) | Stage::DevicePolling => text
            .causes(&[
                "The device_code is unknown, already exchanged, or belongs to another client.",
            ])
            .tries(&["Start the device grant again."]),
        Stage::TokenRequest(GrantType::JwtBearer) => text
            .causes(&[
                "The assertion's signature does not verify with the key the server has for its issuer (signing_key_file, signing_key_kid).",
                "aud does not name this server: RFC 7523 §3 wants its issuer or its token endpoint URL ([jwt_bearer] aud).",
                "The assertion expired, or its iat or nbf lies in the future by the server's clock (a lifetime too long is refused too).",
                "iss or sub is not one the server accepts for this client ([jwt_bearer] iss, sub).",
                "Its jti was used before: an assertion is good for one request.",
            ])
            .tries(&[
                "Read the assertion as sent (the step shows it decoded) against the provider's documentation, claim by claim.",
                "Run again: a built assertion gets a fresh jti, iat and exp every time.",
            ])
            .reference("RFC 7523 §3.1"),
        _ => text
            .causes(&[
                "The grant or token was issued to another client, or has expired or been revoked.",
            ])
            .tries(&["Run the grant again and use what it returns."]),
    }
}

fn unauthorized_client(stage: Stage) -> Text {
    let text =
        Text::new("The client is known, but not allowed to use this grant type or response type.");
    let text = match stage {
        Stage::Authorization => text.causes(&[
            "The client is not registered for this response_type (code, or token for the implicit grant).",
            "The client is a different kind (e.g. a machine-to-machine client) from what the authorization endpoint serves.",
        ]),
        Stage::TokenRequest(GrantType::Password) => text.causes(&[
            "The password grant is not enabled for this client; many providers turn it off by default.",
        ]),
        Stage::TokenRequest(GrantType::ClientCredentials) => text.causes(&[
            "The client_credentials grant is not enabled for this client, or the client is public (it needs a secret).",
        ]),
        _ => text.causes(&[
            "This grant type is not enabled for this client in the provider's settings.",
        ]),
    };
    text.reference(authorization_or_token(stage)).tries(&[
        "Enable the grant (or response type) for the client in the provider's console.",
        "Use a client registered for this grant, or a grant this client may use.",
    ])
}

fn unsupported_grant_type(stage: Stage) -> Text {
    let grant = match stage {
        Stage::TokenRequest(grant) => format!(" ({grant})"),
        _ => String::new(),
    };
    Text::new(format!(
        "The server does not support this grant_type{grant}."
    ))
    .causes(&[
        "The server does not implement this grant (the password and implicit grants are often switched off).",
        "The server did not find grant_type at all: the body was not form-encoded, lacked Content-Type: application/x-www-form-urlencoded, or the parameters went in the query string.",
        "grant_type is misspelled; the device grant's is urn:ietf:params:oauth:grant-type:device_code.",
    ])
    .tries(&[
        "Check grant_types_supported in the provider's discovery document.",
        "Look at the request body as sent (HTTP log, or -v): grant_type must be there, form-encoded.",
    ])
    .reference("RFC 6749 §5.2")
}

fn invalid_scope(stage: Stage) -> Text {
    let text = Text::new(
        "The requested scope is invalid, unknown, malformed, or more than this client or grant may have.",
    );
    let text = match stage {
        Stage::TokenRequest(GrantType::RefreshToken) => text.causes(&[
            "The refresh asked for a scope that was not in the original grant; a refresh may only narrow the scope (RFC 6749 §6).",
        ]),
        _ => text,
    };
    text.causes(&[
        "A scope name is unknown to the provider or misspelled (names are case-sensitive).",
        "The client is not allowed this scope.",
        "Scopes were separated by commas; they are separated by spaces (RFC 6749 §3.3).",
    ])
    .reference(authorization_or_token(stage))
    .tries(&[
        "Use the exact scope names from the provider's documentation.",
        "Remove scopes one at a time to find the one refused, or send no scope to get the default.",
    ])
}

fn access_denied(stage: Stage) -> Text {
    match stage {
        Stage::DevicePolling | Stage::TokenRequest(GrantType::DeviceCode) => {
            Text::new("The person denied the device request on the verification page.")
                .causes(&[
                    "Deny was pressed on the verification page.",
                    "A policy refused it: the user is not allowed to use this client.",
                ])
                .tries(&["Start the device grant again and approve it."])
                .reference("RFC 8628 §3.5")
        }
        Stage::Authorization => Text::new(
            "The resource owner or the authorization server denied the request.",
        )
        .causes(&[
            "The person pressed Deny or Cancel on the sign-in or consent page.",
            "A policy refused it: the user is not assigned to the application, an administrator must consent first, or conditional access blocked it.",
        ])
        .tries(&[
            "Run the grant again and press Allow.",
            "Ask an administrator to grant consent or assign the user to the application.",
            "Read the error_description: policies usually say which rule refused.",
        ])
        .reference("RFC 6749 §4.1.2.1"),
        _ => Text::new(
            "The server refused access. access_denied is defined for the authorization redirect and device polling; here it is the server's own usage.",
        )
        .causes(&[
            "A policy refused the request: the client or the user may not access this.",
        ])
        .tries(&["Read the error_description and check the client's permissions at the provider."])
        .reference("RFC 6749 §4.1.2.1"),
    }
}

fn unsupported_response_type() -> Text {
    Text::new(
        "The authorization server does not support obtaining a response of this type (response_type).",
    )
    .causes(&[
        "The implicit grant (response_type=token) is switched off or not supported; OAuth 2.1 removes it.",
        "response_type is misspelled, or asks for a combination (e.g. code id_token) the server does not offer.",
    ])
    .tries(&[
        "Use the authorization code grant with PKCE instead of the implicit grant.",
        "Check response_types_supported in the provider's discovery document.",
    ])
    .reference("RFC 6749 §4.1.2.1")
}

fn server_error(stage: Stage) -> Text {
    let text = Text::new(
        "The server hit an unexpected condition. It is the server's fault, though an unusual request can trigger it.",
    )
    .reference("RFC 6749 §4.1.2.1");
    let text = if stage == Stage::Authorization {
        text
    } else {
        text.causes(&[
            "server_error is defined for the authorization redirect (which cannot carry an HTTP 500); elsewhere servers use it for their own failures.",
        ])
    };
    text.causes(&[
        "A bug or an outage at the provider.",
        "A parameter value the server does not handle: an extra parameter, a very long value, unusual characters.",
    ])
    .tries(&[
        "Try again in a moment.",
        "Remove extra parameters to see whether one of them triggers it.",
        "Send the exchange (Copy as curl, or the -v output) to the provider's support.",
    ])
}

fn temporarily_unavailable() -> Text {
    Text::new("The server is overloaded or under maintenance and cannot handle the request now.")
        .causes(&["High load or maintenance at the provider."])
        .tries(&["Wait and try again.", "Check the provider's status page."])
        .reference("RFC 6749 §4.1.2.1")
}

fn authorization_pending(stage: Stage) -> Text {
    let text = Text::new(
        "The person has not approved or denied the device request yet. This is not a failure: the client keeps polling.",
    )
    .reference("RFC 8628 §3.5");
    let text = if matches!(stage, Stage::DevicePolling | Stage::TokenRequest(_)) {
        text.causes(&["The person has not finished on the verification page yet."])
    } else {
        text.causes(&["authorization_pending only belongs to device polling."])
    };
    text.tries(&[
        "Open the verification URI, enter the user code and approve.",
        "Keep polling at the interval the server gave.",
    ])
}

fn slow_down() -> Text {
    Text::new(
        "The client polls too fast. The interval grows by 5 seconds for this and every later request.",
    )
    .causes(&[
        "Polls came faster than the interval the server asked for.",
        "Several clients poll with the same device_code.",
    ])
    .tries(&["Nothing, unless it repeats: the engine adds 5 seconds to the interval by itself."])
    .reference("RFC 8628 §3.5")
}

fn expired_token(stage: Stage) -> Text {
    match stage {
        Stage::ApiCall => Text::new(
            "The server says the token expired. RFC 6750 calls this invalid_token; expired_token is the server's own usage.",
        )
        .causes(&["The access token's lifetime is over."])
        .tries(&[
            "Check the token's expiry and refresh it.",
            "Run the grant again if there is no refresh token.",
        ])
        .reference("RFC 6750 §3.1"),
        _ => Text::new(
            "The device_code expired before the person approved the request.",
        )
        .causes(&["The verification page was not completed within expires_in seconds."])
        .tries(&["Start the device grant again and approve it sooner."])
        .reference("RFC 8628 §3.5"),
    }
}

fn invalid_token(stage: Stage) -> Text {
    let text = Text::new(
        "The access token is expired, revoked, malformed, or not valid for this resource.",
    )
    .reference("RFC 6750 §3.1");
    match stage {
        Stage::ApiCall => text
            .causes(&[
                "The token expired: compare its expiry (the countdown, or expires_at) with the time of the call.",
                "The token was revoked: sign-out, password change, or a revocation request.",
                "A newer token superseded it: some servers invalidate the previous access token when a refresh issues a new one.",
                "The token is in the wrong place or form: the API expects Authorization: Bearer <token> and got it in the query or body, or with another prefix.",
                "The token was issued for another API (its aud) or another environment, or the ID token was sent instead of the access token.",
            ])
            .tries(&[
                "Refresh the token and call again (Refresh token and retry, or the refresh_token grant), or run the grant again.",
                "Check exp and aud in the decoded access token.",
                "Place the token as the API documents (the profile's token_placement, or Token placement in the Request tab).",
            ]),
        _ => text
            .causes(&[
                "The token sent is not one this server issued, or it is expired or revoked.",
            ])
            .tries(&["Run the grant again and use the new token."]),
    }
}

fn insufficient_scope() -> Text {
    Text::new(
        "The token is valid but does not carry the scope this request needs. The challenge's scope attribute, when present, names it.",
    )
    .causes(&[
        "The grant asked for fewer scopes than this call needs.",
        "The server granted less than was asked: the person or a policy declined some scopes.",
    ])
    .tries(&[
        "Add the scope named in the challenge to the profile's scope and run the grant again.",
        "Compare the granted scope (scope in the token response) with what the API documents.",
    ])
    .reference("RFC 6750 §3.1")
}

fn insufficient_user_authentication() -> Text {
    Text::new(
        "The token is valid, but the sign-in behind it is not strong enough or not recent enough for this call. The challenge's acr_values names the authentication contexts the API accepts (one of them is needed) and max_age how many seconds may have passed since the user last signed in.",
    )
    .causes(&[
        "The user signed in with less than this call needs (e.g. a password where the API wants multi-factor).",
        "The sign-in is older than the API allows for this call (max_age).",
        "The authorization server did not put acr / auth_time in the access token, so the API cannot tell and refuses.",
    ])
    .tries(&[
        "Authorize again asking for what the challenge names: acr_values and max_age on the authorization request (RFC 9470 §4), then repeat the call with the new token.",
        "Check the new ID token's acr and auth_time: a server may not meet acr_values (it is a voluntary request), and then the API refuses again.",
        "Check that the server lists the asked acr in acr_values_supported (discovery).",
    ])
    .reference("RFC 9470 §3")
}

fn invalid_target(stage: Stage) -> Text {
    let text = Text::new(
        "The server will not issue a token for the target asked for: an audience or resource it does not know, or one this client may not have tokens for.",
    )
    .causes(&[
        "An audience (a logical name) or resource (an absolute URI) the server does not serve, spelled differently from what it knows, or with a trailing slash it does not expect.",
        "The client is not allowed tokens for that target.",
    ])
    .tries(&[
        "Read the error_description, then use the audience / resource values the provider documents.",
        "Run again with no audience or resource: the server then picks its default target.",
    ]);
    if stage == Stage::TokenRequest(GrantType::TokenExchange) {
        text.reference("RFC 8693 §2.2.2")
    } else {
        text.reference("RFC 8707 §2")
    }
}

fn invalid_authorization_details(stage: Stage) -> Text {
    let text = Text::new(
        "The server refused the authorization_details (rich authorization request): a type it does not know, or an entry that does not follow that type's definition.",
    )
    .causes(&[
        "A type the server does not support: compare each type with authorization_details_types_supported in its metadata (RFC 9396 §10).",
        "A field the type does not define, a field of the wrong JSON type, a value the type does not allow, or a field the type requires left out.",
        "The value is not a JSON array of objects each with a type, or it was sent as JSON inside a string where a JSON array was expected (in a request object the claim is the array itself).",
        "At the token endpoint: more than the grant allows — details the user did not approve for this code or refresh token, or that the client's policy does not permit for client credentials (RFC 9396 §6).",
    ])
    .tries(&[
        "Read the error_description: servers usually name the entry or field they refused.",
        "Run discovery and use only the types listed in authorization_details_types_supported; check the type's documentation for the fields it requires.",
        "Ask for fewer entries, actions or locations until the request is accepted, then add back one at a time.",
    ]);
    if matches!(stage, Stage::TokenRequest(_)) {
        text.reference("RFC 9396 §6")
    } else {
        text.reference("RFC 9396 §5")
    }
}

fn unknown(code: &str, stage: Stage) -> Text {
    let summary = if code.is_empty() {
        "The server sent an empty error code.".to_string()
    } else if is_known_code(code) {
        format!(
            "{code} is an OAuth error code, but not one defined for {}.",
            stage.describe()
        )
    } else {
        format!(
            "{code} is not an error code the OAuth specifications define: it is this provider's own."
        )
    };
    Text::new(summary)
        .causes(&["The provider's own condition; its error_description usually says which."])
        .tries(&[
            "Read the error_description and the error_uri page, if the server sent them.",
            "Look the code up in the provider's documentation.",
        ])
}

/// The CIBA meanings of the codes of OpenID CIBA Core §11 and §13; `None`
/// for the codes the general explanations cover.
fn ciba_text(code: &str) -> Option<Text> {
    let text = match code {
        "authorization_pending" => Text::new(
            "The user has not approved or denied the request on their device yet. Not a failure: the client polls again after the interval.",
        )
        .causes(&["The person has not answered the prompt on their authentication device yet."])
        .tries(&["Approve the request on the device.", "Keep polling at the interval the server gave."])
        .reference("OpenID CIBA Core §11"),
        "slow_down" => Text::new(
            "The client polls too fast: the interval grows by at least 5 seconds for this and every later poll.",
        )
        .causes(&["A poll came before the interval was up.", "Another client polls with the same auth_req_id."])
        .tries(&["Nothing, unless it repeats: the engine adds 5 seconds to the interval by itself."])
        .reference("OpenID CIBA Core §11"),
        "expired_token" => Text::new(
            "The auth_req_id expired before the user answered: its expires_in is over.",
        )
        .causes(&["The person did not answer the prompt in time."])
        .tries(&["Start the CIBA request again and approve it sooner (or ask a longer requested_expiry)."])
        .reference("OpenID CIBA Core §11"),
        "access_denied" => Text::new("The user denied the request on their authentication device.")
            .causes(&["The person pressed deny, or the binding message did not match what they expected."])
            .tries(&["Start again and approve on the device; check the binding_message shown on both devices."])
            .reference("OpenID CIBA Core §11"),
        "transaction_failed" => Text::new("The server could not complete the authentication (an error on its side or on the device).")
            .tries(&["Start again; if it repeats, ask the provider."])
            .reference("OpenID CIBA Core §11"),
        "unknown_user_id" => Text::new("The server cannot find a user for the hint sent (login_hint, login_hint_token or id_token_hint).")
            .causes(&["The login_hint is not a user of this server, or is in a format it does not read (e-mail, phone, username)."])
            .tries(&["Check the hint under [ciba] (or --login-hint) against the server's users."])
            .reference("OpenID CIBA Core §13"),
        "expired_login_hint_token" => Text::new("The login_hint_token sent has expired.")
            .tries(&["Obtain a fresh login_hint_token."])
            .reference("OpenID CIBA Core §13"),
        "missing_user_code" => Text::new("The server requires a user_code for this user, and none was sent.")
            .tries(&["Set user_code under [ciba]."])
            .reference("OpenID CIBA Core §13"),
        "invalid_user_code" => Text::new("The user_code sent is not the user's.")
            .tries(&["Check user_code under [ciba]."])
            .reference("OpenID CIBA Core §13"),
        "invalid_binding_message" => Text::new("The server refuses the binding_message: too long, or characters it cannot show.")
            .tries(&["Shorten the binding_message and keep to plain text."])
            .reference("OpenID CIBA Core §13"),
        _ => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests;
