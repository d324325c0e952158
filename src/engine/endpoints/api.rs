//! Calling a protected API with an access token (RFC 6750).
//!
//! The token goes where the profile says: a header (name and prefix), a query
//! parameter, or a form-encoded body parameter. A 401 or 403 answer has its
//! `WWW-Authenticate` challenge parsed (RFC 6750 §3).

use serde::{Deserialize, Serialize};
use url::Url;

use crate::engine::diagnose::explain::{
    Explanation, Stage, explain, explain_api_forbidden, with_description_hints,
};
use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::diagnose::spec::check_error_response;
use crate::engine::error::EngineError;
use crate::engine::oauth_error::parse_oauth_error;
use crate::engine::profile::{ApiConfig, LogoutConfig, SavedRequest, TokenPlacement};
use crate::engine::store::secret::Secret;
use crate::engine::wire::http::{
    Exchange, ExchangeKind, HttpClient, TransportError, TransportErrorKind,
};

/// One API request, before the token is placed.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRequest {
    /// Method.
    pub method: http::Method,
    /// URL (query included).
    pub url: Url,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body, if any.
    pub body: Option<String>,
    /// Where the token goes.
    pub placement: TokenPlacement,
}

impl ApiRequest {
    /// The request a profile's `[api]` table describes.
    pub fn from_config(api: &ApiConfig) -> Self {
        let mut url = api.url.clone();
        if !api.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &api.query {
                pairs.append_pair(name, value);
            }
        }
        Self {
            method: api.method.clone(),
            url,
            headers: api.headers.clone(),
            body: api.body.clone(),
            placement: api.placement.clone(),
        }
    }

    /// A ready-made request of the profile (`[[requests]]`): the API's
    /// default headers and token placement, then its own headers and query.
    pub fn from_saved(saved: &SavedRequest, api: Option<&ApiConfig>) -> Self {
        let mut url = saved.url.clone();
        if !saved.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&saved.query);
        }
        let mut headers = api.map(|api| api.headers.clone()).unwrap_or_default();
        for (name, value) in &saved.headers {
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
            headers.push((name.clone(), value.clone()));
        }
        Self {
            method: saved.method.clone(),
            url,
            headers,
            body: saved.body.clone(),
            placement: placement_of(api),
        }
    }

    /// The logout request (`[logout]`): the API's default headers and token
    /// placement, no body.
    pub fn logout(logout: &LogoutConfig, api: Option<&ApiConfig>) -> Self {
        Self {
            method: logout.method.clone(),
            url: logout.url.clone(),
            headers: api.map(|api| api.headers.clone()).unwrap_or_default(),
            body: None,
            placement: placement_of(api),
        }
    }

    /// The request as it goes on the wire, with `token` placed.
    pub fn build(&self, token: Option<&Secret>) -> Result<http::Request<Vec<u8>>, TransportError> {
        let mut url = self.url.clone();
        let mut headers = self.headers.clone();
        let mut body = self.body.clone();
        if let Some(token) = token {
            match &self.placement {
                TokenPlacement::Header { name, prefix } => {
                    let value = if prefix.is_empty() {
                        token.expose().to_string()
                    } else {
                        format!("{prefix} {}", token.expose())
                    };
                    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
                    headers.push((name.clone(), value));
                }
                TokenPlacement::Query { param } => {
                    url.query_pairs_mut().append_pair(param, token.expose());
                }
                TokenPlacement::Body { param } => {
                    let field: String = url::form_urlencoded::Serializer::new(String::new())
                        .append_pair(param, token.expose())
                        .finish();
                    body = Some(match body {
                        Some(existing) if !existing.is_empty() => format!("{existing}&{field}"),
                        _ => field,
                    });
                    if !headers
                        .iter()
                        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                    {
                        headers.push((
                            "Content-Type".to_string(),
                            "application/x-www-form-urlencoded".to_string(),
                        ));
                    }
                }
            }
        }
        let mut builder = http::Request::builder()
            .method(self.method.clone())
            .uri(url.as_str());
        for (name, value) in &headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder
            .body(body.unwrap_or_default().into_bytes())
            .map_err(|err| TransportError {
                kind: TransportErrorKind::InvalidRequest,
                message: format!("cannot build the API request: {err}"),
            })
    }
}

impl TokenPlacement {
    /// `Authorization: Bearer <token>` (RFC 6750 §2.1): where a token goes
    /// when nothing says otherwise.
    pub fn bearer() -> Self {
        Self::Header {
            name: "Authorization".to_string(),
            prefix: "Bearer".to_string(),
        }
    }
}

/// The profile's token placement, or `Authorization: Bearer` without an API.
pub fn placement_of(api: Option<&ApiConfig>) -> TokenPlacement {
    api.map(|api| api.placement.clone())
        .unwrap_or_else(TokenPlacement::bearer)
}

/// An HTTP method as a person types it (`get`, ` POST `), for the command
/// line's `-X` and the app's Request tab alike.
pub fn parse_method(text: &str) -> Result<http::Method, String> {
    http::Method::from_bytes(text.trim().to_ascii_uppercase().as_bytes())
        .map_err(|_| format!("`{text}` is not an HTTP method"))
}

/// A header as a person types it, `Name: value` (curl's `-H`, a line of
/// the app's Request tab): name and value trimmed. The error says what was
/// expected; the caller says where the text came from.
pub fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| "expected `Name: value`".to_string())?;
    Ok((name.trim().to_string(), value.trim().to_string()))
}

/// An API's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    /// The exchange (status, headers and body are in its response).
    pub exchange: Exchange,
    /// The parsed challenge of a 401 or 403.
    pub challenge: Option<Challenge>,
    /// What the challenge asks of the user's sign-in, when it is a step-up
    /// challenge (`insufficient_user_authentication`, RFC 9470 §3).
    pub step_up: Option<crate::engine::requests::step_up::StepUpChallenge>,
    /// What was odd about an error answer (RFC 6750 §3.1).
    pub findings: Vec<Finding>,
}

impl ApiResponse {
    /// Status code.
    pub fn status(&self) -> u16 {
        self.exchange.status().unwrap_or_default()
    }

    /// The OAuth error code of a refused call: the challenge's `error`, else
    /// the JSON body's.
    pub fn error_code(&self) -> Option<String> {
        let response = self.exchange.response.as_ref()?;
        if response.status < 400 {
            return None;
        }
        self.challenge
            .as_ref()
            .and_then(|c| c.error.clone())
            .or_else(|| parse_oauth_error(response.status, &response.body).map(|e| e.error))
    }

    /// What the refusal means: the API's OAuth error code (its
    /// `error_description` first among the causes when it names a header or
    /// a scheme), or, for a 403 without a challenge, the usual causes.
    pub fn explanation(&self) -> Option<Explanation> {
        if let Some(code) = self.error_code() {
            let description = self
                .challenge
                .as_ref()
                .and_then(|c| c.error_description.clone())
                .or_else(|| {
                    let response = self.exchange.response.as_ref()?;
                    parse_oauth_error(response.status, &response.body)?.error_description
                });
            return Some(with_description_hints(
                explain(&code, Stage::ApiCall),
                description.as_deref(),
                Stage::ApiCall,
            ));
        }
        let response = self.exchange.response.as_ref()?;
        (response.status == 403 && response.header("www-authenticate").is_none())
            .then(explain_api_forbidden)
    }
}

/// Sends an API request with `token` placed as the request says.
///
/// An HTTP error status is an answer, not an error: the response is returned
/// for the caller to show. Only a failure on the wire is an error.
pub async fn call(
    http: &HttpClient,
    request: &ApiRequest,
    token: Option<&Secret>,
) -> Result<ApiResponse, EngineError> {
    let wire = request
        .build(token)
        .map_err(|error| EngineError::Transport {
            error,
            exchange: None,
        })?;
    let exchange = match token {
        Some(token) => {
            http.send_with_token(wire, ExchangeKind::Api, token.expose())
                .await
        }
        None => http.send(wire, ExchangeKind::Api).await,
    };
    let Some(response) = &exchange.response else {
        return Err(EngineError::Transport {
            error: exchange.error.clone().unwrap_or(TransportError {
                kind: TransportErrorKind::Other,
                message: "no response".to_string(),
            }),
            exchange: Some(Box::new(exchange)),
        });
    };
    if let Some(error) = &exchange.error {
        return Err(EngineError::Transport {
            error: error.clone(),
            exchange: Some(Box::new(exchange.clone())),
        });
    }
    let challenge = if matches!(response.status, 401 | 403) {
        response
            .header("www-authenticate")
            .and_then(parse_www_authenticate)
    } else {
        None
    };
    let mut findings = if response.status >= 400 {
        check_error_response(response, Stage::ApiCall)
    } else {
        Vec::new()
    };
    if response.status == 403 && response.header("www-authenticate").is_none() {
        findings.push(Finding::new(
            Severity::Warning,
            "forbidden_without_challenge",
            "HTTP 403 without a WWW-Authenticate challenge: the API does not say whether the token is invalid (RFC 6750 §3: 401 with a Bearer challenge) or lacks a scope (403 with error=\"insufficient_scope\"); introspect the token to tell",
            Some("RFC 6750 §3"),
        ));
    }
    let step_up = challenge
        .as_ref()
        .and_then(|c| crate::engine::requests::step_up::StepUpChallenge::read(response.status, c))
        .map(|(step_up, found)| {
            findings.extend(found);
            step_up
        });
    Ok(ApiResponse {
        exchange,
        challenge,
        step_up,
        findings,
    })
}

/// A parsed `WWW-Authenticate` challenge (RFC 7235 §4.1, RFC 6750 §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// Auth scheme, e.g. `Bearer`.
    pub scheme: String,
    /// `realm`.
    pub realm: Option<String>,
    /// `error`, e.g. `invalid_token`.
    pub error: Option<String>,
    /// `error_description`.
    pub error_description: Option<String>,
    /// `scope` needed.
    pub scope: Option<String>,
    /// Every parameter as sent.
    pub params: Vec<(String, String)>,
}

impl std::fmt::Display for Challenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.scheme)?;
        match (&self.error, &self.error_description) {
            (Some(error), Some(description)) => write!(f, " {error}: {description}")?,
            (Some(error), None) => write!(f, " {error}")?,
            (None, _) => write!(f, " (no error: the request carried no token)")?,
        }
        if let Some(scope) = &self.scope {
            write!(f, " — scope needed: {scope}")?;
        }
        Ok(())
    }
}

/// Parses the first challenge of a `WWW-Authenticate` value, preferring a
/// Bearer challenge when several are given. Returns `None` for an empty or
/// unreadable value.
pub fn parse_www_authenticate(value: &str) -> Option<Challenge> {
    let challenges = split_challenges(value);
    let chosen = challenges
        .iter()
        .find(|c| c.0.eq_ignore_ascii_case("bearer"))
        .or_else(|| challenges.first())?;
    let param = |name: &str| {
        chosen
            .1
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    Some(Challenge {
        scheme: chosen.0.clone(),
        realm: param("realm"),
        error: param("error"),
        error_description: param("error_description"),
        scope: param("scope"),
        params: chosen.1.clone(),
    })
}

type RawChallenge = (String, Vec<(String, String)>);

/// Splits a header value into challenges with their parameters.
fn split_challenges(value: &str) -> Vec<RawChallenge> {
    let mut challenges: Vec<RawChallenge> = Vec::new();
    let mut rest = value.trim();
    while !rest.is_empty() {
        rest = rest.trim_start_matches([',', ' ', '\t']);
        if rest.is_empty() {
            break;
        }
        // A token followed by '=' is a parameter of the current challenge;
        // a token followed by a space or the end starts a new challenge.
        let token_end = rest
            .find(|c: char| c == '=' || c == ',' || c.is_whitespace())
            .unwrap_or(rest.len());
        let token = &rest[..token_end];
        let after = rest[token_end..].trim_start();
        if token.is_empty() {
            // Stray punctuation: skip one character.
            let mut chars = rest.chars();
            chars.next();
            rest = chars.as_str();
            continue;
        }
        if let Some(value_part) = after.strip_prefix('=')
            && !challenges.is_empty()
            && !value_part.starts_with('=')
        {
            let value_part = value_part.trim_start();
            let (param_value, remaining) = if let Some(quoted) = value_part.strip_prefix('"') {
                read_quoted(quoted)
            } else {
                let end = value_part.find(',').unwrap_or(value_part.len());
                (value_part[..end].trim().to_string(), &value_part[end..])
            };
            if let Some(current) = challenges.last_mut() {
                current.1.push((token.to_string(), param_value));
            }
            rest = remaining;
        } else if after.starts_with('=') {
            // token68 (e.g. base64) of the current challenge: skip it.
            let end = after.find(',').unwrap_or(after.len());
            rest = &after[end..];
        } else {
            challenges.push((token.to_string(), Vec::new()));
            rest = &rest[token_end..];
        }
    }
    challenges
}

/// Reads a quoted-string body (after the opening quote), handling `\"`.
fn read_quoted(input: &str) -> (String, &str) {
    let mut out = String::new();
    let mut chars = input.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    out.push(escaped);
                }
            }
            '"' => return (out, &input[i + 1..]),
            other => out.push(other),
        }
    }
    (out, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_typed_method_and_header() {
        assert_eq!(parse_method(" post "), Ok(http::Method::POST));
        assert_eq!(
            parse_method("GE T"),
            Err("`GE T` is not an HTTP method".to_string())
        );
        assert_eq!(
            parse_header(" X-Trace :  a:b "),
            Ok(("X-Trace".to_string(), "a:b".to_string()))
        );
        assert_eq!(
            parse_header("no colon"),
            Err("expected `Name: value`".to_string())
        );
        assert_eq!(placement_of(None), TokenPlacement::bearer());
    }

    #[test]
    fn parses_an_rfc_6750_challenge() {
        let c = parse_www_authenticate(
            r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#,
        )
        .expect("challenge");
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(c.realm.as_deref(), Some("example"));
        assert_eq!(c.error.as_deref(), Some("invalid_token"));
        assert_eq!(
            c.error_description.as_deref(),
            Some("The access token expired")
        );
    }

    #[test]
    fn prefers_bearer_among_several_challenges_and_survives_junk() {
        let c = parse_www_authenticate(
            r#"Basic realm="x", Bearer error=insufficient_scope, scope="a b""#,
        )
        .expect("challenge");
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
        assert_eq!(c.scope.as_deref(), Some("a b"));
        assert_eq!(parse_www_authenticate(""), None);
        for junk in [
            "=",
            "\"",
            ",,,",
            "Bearer realm=\"unterminated",
            "a=b=c",
            "Negotiate abc==",
        ] {
            let _ = parse_www_authenticate(junk);
        }
        let quoted =
            parse_www_authenticate(r#"Bearer error_description="say \"hi\"""#).expect("quoted");
        assert_eq!(quoted.error_description.as_deref(), Some("say \"hi\""));
    }

    #[test]
    fn places_the_token_as_configured() {
        let token = Secret::new("tok en");
        let mut request = ApiRequest {
            method: http::Method::GET,
            url: Url::parse("http://127.0.0.1/api?format=JSON").expect("url"),
            headers: vec![],
            body: None,
            placement: TokenPlacement::bearer(),
        };
        let wire = request.build(Some(&token)).expect("header");
        assert_eq!(wire.headers()["authorization"], "Bearer tok en");

        request.placement = TokenPlacement::Query {
            param: "oauth_token".into(),
        };
        let wire = request.build(Some(&token)).expect("query");
        assert_eq!(wire.uri().query(), Some("format=JSON&oauth_token=tok+en"));

        request.placement = TokenPlacement::Body {
            param: "access_token".into(),
        };
        request.body = Some("a=1".into());
        let wire = request.build(Some(&token)).expect("body");
        assert_eq!(wire.body(), b"a=1&access_token=tok+en");
        assert_eq!(
            wire.headers()["content-type"],
            "application/x-www-form-urlencoded"
        );
    }
}
