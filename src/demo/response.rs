//! Authorization responses (RFC 6749 §4.1.2, §4.2.2 and their errors) and
//! how they reach the client: in the query or the fragment, as a form the
//! browser posts (OAuth 2.0 Form Post Response Mode), or as one signed JWT
//! in any of those (JARM, the JWT Secured Authorization Response Mode) —
//! each carrying the issuer (RFC 9207).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use serde_json::{Map, Value, json};

use super::authorize::escape;
use super::faults::{WRONG_AUDIENCE, WRONG_ISSUER};
use super::modes::Flavor;
use super::store::Client;
use super::{Demo, now};

/// How long a JARM response is valid (JARM §2.1 asks for a short time).
const JARM_TTL_SECS: i64 = 600;

/// The `response_mode` of an authorization request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    /// `query`: the parameters in the redirect's query.
    Query,
    /// `fragment`: in the redirect's fragment.
    Fragment,
    /// `form_post`: an auto-submitted HTML form posted to the redirect URI.
    FormPost,
    /// `query.jwt` (also `jwt` for the code flow): one JWT, `response`, in
    /// the query.
    QueryJwt,
    /// `fragment.jwt` (also `jwt` for tokens in the response).
    FragmentJwt,
    /// `form_post.jwt`.
    FormPostJwt,
}

impl ResponseMode {
    /// Every `response_mode` accepted, as discovery lists them.
    pub const NAMES: [&str; 7] = [
        "query",
        "fragment",
        "form_post",
        "jwt",
        "query.jwt",
        "fragment.jwt",
        "form_post.jwt",
    ];

    /// Reads `response_mode`; `tokens` when the response carries tokens
    /// (the implicit grant), which must not travel in the query (OAuth 2.0
    /// Multiple Response Type Encoding Practices §3.0; JARM §2.3.1).
    /// `None` takes `default`.
    pub fn parse(name: Option<&str>, tokens: bool, default: Self) -> Result<Self, String> {
        let mode = match name {
            None => return Ok(default),
            Some("query") => Self::Query,
            Some("fragment") => Self::Fragment,
            Some("form_post") => Self::FormPost,
            Some("jwt") if tokens => Self::FragmentJwt,
            Some("jwt") => Self::QueryJwt,
            Some("query.jwt") => Self::QueryJwt,
            Some("fragment.jwt") => Self::FragmentJwt,
            Some("form_post.jwt") => Self::FormPostJwt,
            Some(other) => {
                return Err(format!(
                    "response_mode '{other}' is not supported; use one of {}",
                    Self::NAMES.join(", ")
                ));
            }
        };
        // A seed mode that answers implicit grants in the query keeps doing so.
        if tokens && default != Self::Query && matches!(mode, Self::Query | Self::QueryJwt) {
            return Err(format!(
                "response_mode '{}' would put tokens in the query; use fragment, form_post or their .jwt forms",
                name.unwrap_or_default()
            ));
        }
        Ok(mode)
    }

    /// Whether the answer is a JARM JWT.
    pub fn is_jwt(self) -> bool {
        matches!(self, Self::QueryJwt | Self::FragmentJwt | Self::FormPostJwt)
    }
}

/// The `iss` of `flavor`'s authorization responses (RFC 9207 §2), as the
/// fault switches shape it.
pub fn response_issuer(demo: &Demo, flavor: &Flavor) -> Option<String> {
    if !flavor.iss || demo.faults.iss_missing {
        None
    } else if demo.faults.iss_wrong {
        Some(WRONG_ISSUER.to_string())
    } else {
        Some(demo.issuer.clone())
    }
}

/// Where an authorization answer goes, and how.
#[derive(Debug, Clone)]
pub struct Redirect {
    /// The redirect URI.
    pub uri: String,
    /// `state`, echoed back.
    pub state: Option<String>,
    /// How the answer travels.
    pub mode: ResponseMode,
    /// Sent as `iss` (RFC 9207) when set; a JARM response has it as a
    /// claim instead.
    pub issuer: Option<String>,
    /// The client: a JARM response's `aud`.
    pub client_id: String,
    /// What a JARM response is signed with.
    pub jarm_alg: Algorithm,
}

impl Redirect {
    /// An answer to `client` at `uri` on `flavor`'s pages.
    pub fn new(
        demo: &Demo,
        flavor: &Flavor,
        client: &Client,
        uri: String,
        state: Option<String>,
        mode: ResponseMode,
    ) -> Self {
        Self {
            uri,
            state: state.filter(|_| !demo.faults.weak.state_dropped),
            mode,
            issuer: response_issuer(demo, flavor),
            client_id: client.id.to_string(),
            jarm_alg: if client.authorization_signed_response_alg == "ES256" {
                Algorithm::ES256
            } else {
                Algorithm::RS256
            },
        }
    }

    /// A successful answer carrying `fields` (`code`, or the tokens).
    pub fn success(&self, demo: &Demo, mut fields: Vec<(String, String)>) -> Response {
        if let Some(state) = &self.state {
            fields.push(("state".to_string(), state.clone()));
        }
        self.send(demo, fields)
    }

    /// An error answer (RFC 6749 §4.1.2.1).
    pub fn error(&self, demo: &Demo, error: &str, description: &str) -> Response {
        let mut fields = vec![
            ("error".to_string(), error.to_string()),
            ("error_description".to_string(), description.to_string()),
        ];
        if let Some(state) = &self.state {
            fields.push(("state".to_string(), state.clone()));
        }
        self.send(demo, fields)
    }

    fn send(&self, demo: &Demo, mut fields: Vec<(String, String)>) -> Response {
        if self.mode.is_jwt() {
            // JARM §2: every parameter goes in the JWT, `iss` as its claim
            // (RFC 9207 §2.4: no `iss` beside it).
            match jarm(demo, self, &fields) {
                Ok(jwt) => fields = vec![("response".to_string(), jwt)],
                Err(err) => {
                    return super::authorize::error_page(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &format!("Cannot sign the authorization response: {err}"),
                    );
                }
            }
        } else {
            // RFC 9207 §2: say who answered.
            fields.extend(self.issuer.clone().map(|iss| ("iss".to_string(), iss)));
        }
        match self.mode {
            ResponseMode::FormPost | ResponseMode::FormPostJwt => form_post(&self.uri, &fields),
            ResponseMode::Fragment | ResponseMode::FragmentJwt => self.redirect(&fields, true),
            ResponseMode::Query | ResponseMode::QueryJwt => self.redirect(&fields, false),
        }
    }

    fn redirect(&self, fields: &[(String, String)], fragment: bool) -> Response {
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let separator = if fragment {
            '#'
        } else if self.uri.contains('?') {
            '&'
        } else {
            '?'
        };
        let location = format!("{}{separator}{encoded}", self.uri);
        let mut response = StatusCode::FOUND.into_response();
        if let Ok(value) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, value);
        }
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

/// The page of the Form Post Response Mode (§2): a form of hidden fields
/// that the browser posts to the redirect URI as soon as it loads.
fn form_post(action: &str, fields: &[(String, String)]) -> Response {
    let inputs: String = fields
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(name),
                escape(value)
            )
        })
        .collect();
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Submit this form</title></head>\
         <body onload=\"document.forms[0].submit()\">\
         <form method=\"post\" action=\"{action}\">{inputs}\
         <noscript><button type=\"submit\">Continue</button></noscript></form></body></html>",
        action = escape(action)
    );
    let mut response = (StatusCode::OK, Html(html)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The JARM response JWT (§2.1): `iss`, `aud`, `exp` and the response's
/// parameters, signed with the demo's published key — with the defect a
/// `jarm-*` fault switch asks for.
fn jarm(demo: &Demo, back: &Redirect, fields: &[(String, String)]) -> Result<String, String> {
    let faults = &demo.faults;
    let mut claims = Map::new();
    if !faults.jarm_no_iss {
        let iss = if faults.jarm_wrong_iss {
            WRONG_ISSUER
        } else {
            demo.issuer.as_str()
        };
        claims.insert("iss".into(), json!(iss));
    }
    if !faults.jarm_no_aud {
        let aud = if faults.jarm_wrong_aud {
            WRONG_AUDIENCE
        } else {
            back.client_id.as_str()
        };
        claims.insert("aud".into(), json!(aud));
    }
    if !faults.jarm_no_exp {
        let exp = if faults.jarm_expired {
            now() - JARM_TTL_SECS
        } else {
            now() + JARM_TTL_SECS
        };
        claims.insert("exp".into(), json!(exp));
    }
    for (name, value) in fields {
        claims.insert(name.clone(), json!(value));
    }
    let claims = Value::Object(claims);
    if faults.jarm_alg_none {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        return Ok(format!("{header}.{payload}."));
    }
    let jwt = demo.sign(&claims, "JWT", back.jarm_alg)?;
    if faults.jarm_bad_signature {
        return Ok(spoil_signature(&jwt));
    }
    Ok(jwt)
}

/// The JWT with one bit of its signature flipped.
fn spoil_signature(jwt: &str) -> String {
    let Some((signed, signature)) = jwt.rsplit_once('.') else {
        return jwt.to_string();
    };
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap_or_default();
    if let Some(first) = bytes.first_mut() {
        *first ^= 1;
    }
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_is_the_default_jwt_mode_of_the_response_type() {
        let parse = |name, tokens, default| ResponseMode::parse(Some(name), tokens, default);
        assert_eq!(
            parse("jwt", false, ResponseMode::Query),
            Ok(ResponseMode::QueryJwt)
        );
        assert_eq!(
            parse("jwt", true, ResponseMode::Fragment),
            Ok(ResponseMode::FragmentJwt)
        );
        assert!(parse("query", true, ResponseMode::Fragment).is_err());
        assert!(parse("query.jwt", true, ResponseMode::Fragment).is_err());
        assert!(parse("nope", false, ResponseMode::Query).is_err());
        assert_eq!(
            ResponseMode::parse(None, false, ResponseMode::Query),
            Ok(ResponseMode::Query)
        );
    }

    #[test]
    fn a_spoiled_signature_differs_in_one_bit() {
        let jwt = "a.b.AAAA";
        assert_eq!(spoil_signature(jwt), "a.b.AQAA");
    }
}
