//! Checking an authorization request (RFC 6749 §4.1.1, §4.2.1; OIDC Core
//! §3.1.2.1): the client, its redirect URI, the response type and mode,
//! PKCE, scopes, `max_age`, `prompt`, RAR details and DPoP key binding.
//! What fails is a [`Refused`]: a page for a bad client or redirect URI
//! (RFC 6749 §4.1.2.1), an error on the redirect for everything else.

use axum::http::StatusCode;
use axum::response::Response;

use super::pages::error_page;
use crate::demo::client_auth::Form;
use crate::demo::modes::Flavor;
use crate::demo::response::{Redirect, ResponseMode};
use crate::demo::store::{self};
use crate::demo::token::scope_in;
use crate::demo::{Demo, oauth_error};

/// A parameter's value; empty values count as absent (RFC 6749 §3.1).
pub(super) fn param(params: &[(String, String)], name: &str) -> Option<String> {
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
    pub(super) fn page(message: impl Into<String>) -> Self {
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
pub(super) fn refusal(
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
    ) || crate::demo::hybrid::parse(&response_type).is_some();
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
        hybrid if crate::demo::hybrid::parse(hybrid).is_some() => "authorization_code",
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
                    crate::demo::hybrid::RESPONSE_TYPES.join(", ")
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
        crate::demo::rar::requested(&demo.faults.rar, get("authorization_details").as_deref())
            .map_err(|description| {
                Refused::back(&back, "invalid_authorization_details", description)
            })?;
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
