//! Compatibility switches: the `[compat]` section of a profile.
//!
//! Real servers break the standard in a handful of recurring ways. Each
//! switch makes the engine accept one of them; whenever a switch changes what
//! is sent or how a response is read, a [`Finding`] says so, so the user
//! knows their production client needs the same workaround.
//!
//! Request side ([`Rewriter`]) — applied to the token requests the oauth2
//! crate builds, on their way to the recording HTTP client:
//! - `token_params_in_query`: the form parameters go in the POST's query
//!   string instead of the body;
//! - `basic_auth_raw`: HTTP Basic credentials without the form-urlencoding of
//!   RFC 6749 §2.3.1;
//! - a profile without a `client_id` sends none at all.
//!
//! Response side ([`repair_json`] and the checks in
//! [`crate::engine::tokens::response::parse_token_response`]): a 2xx other than 200, a
//! Content-Type that is not JSON, and invalid JSON with trailing commas.

use std::sync::{Arc, Mutex};

use base64::Engine as _;

use crate::engine::client::auth::Assertions;
use crate::engine::client::dpop::DpopKey;
use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::error::EngineError;
use crate::engine::profile::{CompatFile, Profile};
use crate::engine::wire::http::{TransportError, TransportErrorKind};

/// Rewrites token requests per a profile's switches and remembers the
/// findings of what it changed. It also signs what must be signed afresh
/// for each request sent: the client assertion (RFC 7523 §3) and the DPoP
/// proof (RFC 9449 §4.2).
#[derive(Debug, Default)]
pub struct Rewriter {
    compat: CompatFile,
    omit_client_id: bool,
    params_in_query: bool,
    assertions: Option<Arc<Assertions>>,
    dpop: Option<Arc<DpopKey>>,
    notes: Mutex<Vec<Finding>>,
}

impl Rewriter {
    /// The rewrites for token-endpoint requests of `profile`; DPoP proofs
    /// with `dpop` when given.
    pub fn for_token_requests(
        profile: &Profile,
        dpop: Option<Arc<DpopKey>>,
    ) -> Result<Self, EngineError> {
        let assertions = if profile.auth_method.is_assertion() {
            Some(Arc::new(Assertions::new(profile, profile.auth_method)?))
        } else {
            None
        };
        Ok(Self {
            compat: profile.compat,
            omit_client_id: profile.client_id.is_none(),
            params_in_query: profile.compat.token_params_in_query,
            assertions,
            dpop,
            notes: Mutex::default(),
        })
    }

    /// The rewrites for other requests to the authorization server (device
    /// authorization): client authentication only, no DPoP.
    pub fn for_client_requests(profile: &Profile) -> Result<Self, EngineError> {
        Ok(Self {
            params_in_query: false,
            ..Self::for_token_requests(profile, None)?
        })
    }

    /// Whether requests carry DPoP proofs (and so may be retried once with
    /// the server's nonce).
    pub fn dpop(&self) -> Option<&Arc<DpopKey>> {
        self.dpop.as_ref()
    }

    /// What was changed so far (each change once).
    pub fn findings(&self) -> Vec<Finding> {
        self.notes.lock().map(|n| n.clone()).unwrap_or_default()
    }

    fn note(&self, finding: Finding) {
        if let Ok(mut notes) = self.notes.lock()
            && !notes.iter().any(|n| n.code == finding.code)
        {
            notes.push(finding);
        }
    }

    /// Applies the switches to one request, and signs its assertion and
    /// DPoP proof.
    pub fn rewrite(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Request<Vec<u8>>, TransportError> {
        let (mut parts, mut body) = request.into_parts();
        let failed = |message: String| TransportError {
            kind: TransportErrorKind::InvalidRequest,
            message,
        };
        if let Some(assertions) = &self.assertions {
            let mut params: Vec<(String, String)> =
                url::form_urlencoded::parse(&body).into_owned().collect();
            assertions
                .add_to(&mut params)
                .map_err(|err| failed(err.to_string()))?;
            body = encode_form(&params).into_bytes();
        }
        if let Some(dpop) = &self.dpop {
            let url = url::Url::parse(&parts.uri.to_string())
                .map_err(|err| failed(format!("the token endpoint is not a URL: {err}")))?;
            let proof = dpop
                .proof(parts.method.as_str(), &url, None)
                .map_err(|err| failed(format!("cannot sign the DPoP proof: {err}")))?;
            let value = http::HeaderValue::from_str(&proof)
                .map_err(|err| failed(format!("the DPoP proof is not a header value: {err}")))?;
            parts.headers.insert("dpop", value);
        }
        if self.omit_client_id && !body.is_empty() {
            let params: Vec<(String, String)> = url::form_urlencoded::parse(&body)
                .into_owned()
                .filter(|(name, _)| name != "client_id")
                .collect();
            body = encode_form(&params).into_bytes();
            self.note(Finding::new(
                Severity::Info,
                "no_client",
                "no client_id sent: the profile has no client (the server must accept requests without client authentication)",
                Some("RFC 6749 §3.2.1"),
            ));
        }
        if self.compat.basic_auth_raw
            && let Some(value) = parts.headers.get(http::header::AUTHORIZATION)
            && let Some(raw) = value.to_str().ok().and_then(basic_without_form_encoding)
            && raw != value.as_bytes()
            && let Ok(raw) = http::HeaderValue::from_bytes(&raw)
        {
            parts.headers.insert(http::header::AUTHORIZATION, raw);
            self.note(basic_raw_finding());
        }
        if self.params_in_query && !body.is_empty() {
            let mut url = url::Url::parse(&parts.uri.to_string()).ok();
            if let Some(url) = url.as_mut() {
                url.query_pairs_mut()
                    .extend_pairs(url::form_urlencoded::parse(&body));
            }
            if let Some(uri) = url.and_then(|u| u.as_str().parse::<http::Uri>().ok()) {
                parts.uri = uri;
                body.clear();
                parts.headers.remove(http::header::CONTENT_TYPE);
                self.note(params_in_query_finding());
            }
        }
        Ok(http::Request::from_parts(parts, body))
    }
}

/// The finding for `compat.basic_auth_raw` when it changed the header.
pub fn basic_raw_finding() -> Finding {
    Finding::new(
        Severity::Warning,
        "compat_basic_auth_raw",
        "compat.basic_auth_raw: HTTP Basic credentials sent without form-urlencoding the client id and secret",
        Some("RFC 6749 §2.3.1"),
    )
}

/// The finding for `compat.token_params_in_query`.
pub fn params_in_query_finding() -> Finding {
    Finding::new(
        Severity::Warning,
        "compat_token_params_in_query",
        "compat.token_params_in_query: the token request's parameters were sent in the URL's query string, where they can end up in server logs; the standard puts them in the form body",
        Some("RFC 6749 §3.2"),
    )
}

/// `Basic base64(id:secret)`, form-urlencoding both parts first unless `raw`
/// (RFC 6749 §2.3.1 asks for the encoding; some servers expect none).
pub fn encode_basic(id: &str, secret: &str, raw: bool) -> String {
    let encode = |part: &str| {
        if raw {
            part.to_string()
        } else {
            url::form_urlencoded::byte_serialize(part.as_bytes()).collect()
        }
    };
    let text = format!("{}:{}", encode(id), encode(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

fn encode_form(params: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

/// `Basic base64(id:secret)` from `Basic base64(urlenc(id):urlenc(secret))`.
fn basic_without_form_encoding(value: &str) -> Option<Vec<u8>> {
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let engine = base64::engine::general_purpose::STANDARD;
    let decoded = String::from_utf8(engine.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let raw = format!("{}:{}", form_decode(id), form_decode(secret));
    Some(format!("Basic {}", engine.encode(raw)).into_bytes())
}

/// Undoes `application/x-www-form-urlencoded` on one value.
pub fn form_decode(part: &str) -> String {
    url::form_urlencoded::parse(format!("x={part}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Removes trailing commas (a `,` followed only by white space before `}` or
/// `]`) outside strings. Returns `None` when there is none to remove: any
/// other breakage is ambiguous and is not guessed at.
pub fn repair_json(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut removed = false;
    for (index, c) in text.char_indices() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            ',' => {
                let next = bytes[index + 1..].iter().find(|b| !b.is_ascii_whitespace());
                if matches!(next, Some(b'}') | Some(b']')) {
                    removed = true;
                } else {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    removed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_commas_are_removed_outside_strings_only() {
        let repaired = repair_json("{\n \"a\": \"x,}\",\n \"b\": [1, 2,],\n}").expect("repaired");
        assert_eq!(repaired, "{\n \"a\": \"x,}\",\n \"b\": [1, 2]\n}");
        let value: serde_json::Value = serde_json::from_str(&repaired).expect("valid now");
        assert_eq!(value["a"], "x,}");
        assert_eq!(repair_json("{\"a\": 1}"), None);
        assert_eq!(repair_json("{\"a\": \"\\\",}\"}"), None);
    }

    #[test]
    fn basic_credentials_lose_their_form_encoding() {
        let engine = base64::engine::general_purpose::STANDARD;
        let encoded = format!("Basic {}", engine.encode("my%2Bclient:s%2Fe+c%3D"));
        let raw = basic_without_form_encoding(&encoded).expect("basic");
        assert_eq!(
            String::from_utf8(raw).expect("text"),
            format!("Basic {}", engine.encode("my+client:s/e c="))
        );
    }
}
