//! Endpoints from the issuer, when the profile leaves them empty: one
//! function, [`complete`], that the CLI and the app both call before a
//! command that needs endpoints.
//!
//! A profile may name only its `issuer`. When an endpoint a command needs is
//! empty and the issuer is set, [`complete`] reads the issuer's metadata
//! (OpenID Connect Discovery §4 and RFC 8414 §3, merged by
//! [`discovery::discover`]), fills every empty endpoint of a copy of the
//! profile (never one the user typed) and says what it did in a
//! [`DiscoveryNote`]. What was found is kept per issuer in a
//! [`DiscoveryCache`] for the session, so a second command asks nothing.
//! Metadata whose `issuer` is not the one asked for is not used (RFC 8414
//! §3.3: it could come from an impostor).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use url::Url;

use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::endpoints::discovery::{self, Discovered, ServerMetadata};
use crate::engine::error::EngineError;
use crate::engine::jwt::claims::issuer_text;
use crate::engine::profile::{Endpoints, GrantType, Profile, ProfileError, parse_http_url};
use crate::engine::wire::http::{HttpClient, TransportError};

/// An endpoint a command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `authorization_endpoint`.
    Authorization,
    /// `token_endpoint`.
    Token,
    /// `device_authorization_endpoint`.
    DeviceAuthorization,
    /// `revocation_endpoint`.
    Revocation,
    /// `introspection_endpoint`.
    Introspection,
    /// `userinfo_endpoint`.
    Userinfo,
    /// `jwks_uri`.
    JwksUri,
    /// `pushed_authorization_request_endpoint`.
    Par,
    /// `end_session_endpoint` (RP-Initiated Logout §2.1).
    EndSession,
    /// `backchannel_authentication_endpoint` (OpenID CIBA Core §4).
    Backchannel,
}

impl Endpoint {
    /// Every endpoint discovery can fill, in the order of the profile.
    pub const ALL: [Endpoint; 10] = [
        Self::Authorization,
        Self::Token,
        Self::DeviceAuthorization,
        Self::Revocation,
        Self::Introspection,
        Self::Userinfo,
        Self::JwksUri,
        Self::Par,
        Self::EndSession,
        Self::Backchannel,
    ];

    /// The profile key (the RFC 8414 metadata name).
    pub fn key(self) -> &'static str {
        match self {
            Self::Authorization => "authorization_endpoint",
            Self::Token => "token_endpoint",
            Self::DeviceAuthorization => "device_authorization_endpoint",
            Self::Revocation => "revocation_endpoint",
            Self::Introspection => "introspection_endpoint",
            Self::Userinfo => "userinfo_endpoint",
            Self::JwksUri => "jwks_uri",
            Self::Par => "pushed_authorization_request_endpoint",
            Self::EndSession => "end_session_endpoint",
            Self::Backchannel => "backchannel_authentication_endpoint",
        }
    }

    fn slot(self, endpoints: &mut Endpoints) -> &mut Option<Url> {
        match self {
            Self::Authorization => &mut endpoints.authorization,
            Self::Token => &mut endpoints.token,
            Self::DeviceAuthorization => &mut endpoints.device_authorization,
            Self::Revocation => &mut endpoints.revocation,
            Self::Introspection => &mut endpoints.introspection,
            Self::Userinfo => &mut endpoints.userinfo,
            Self::JwksUri => &mut endpoints.jwks_uri,
            Self::Par => &mut endpoints.par,
            Self::EndSession => &mut endpoints.end_session,
            Self::Backchannel => &mut endpoints.backchannel_authentication,
        }
    }

    fn is_set(self, endpoints: &Endpoints) -> bool {
        match self {
            Self::Authorization => endpoints.authorization.is_some(),
            Self::Token => endpoints.token.is_some(),
            Self::DeviceAuthorization => endpoints.device_authorization.is_some(),
            Self::Revocation => endpoints.revocation.is_some(),
            Self::Introspection => endpoints.introspection.is_some(),
            Self::Userinfo => endpoints.userinfo.is_some(),
            Self::JwksUri => endpoints.jwks_uri.is_some(),
            Self::Par => endpoints.par.is_some(),
            Self::EndSession => endpoints.end_session.is_some(),
            Self::Backchannel => endpoints.backchannel_authentication.is_some(),
        }
    }

    fn in_metadata(self, metadata: &ServerMetadata) -> Option<&str> {
        match self {
            Self::Authorization => metadata.authorization_endpoint.as_deref(),
            Self::Token => metadata.token_endpoint.as_deref(),
            Self::DeviceAuthorization => metadata.device_authorization_endpoint.as_deref(),
            Self::Revocation => metadata.revocation_endpoint.as_deref(),
            Self::Introspection => metadata.introspection_endpoint.as_deref(),
            Self::Userinfo => metadata.userinfo_endpoint.as_deref(),
            Self::JwksUri => metadata.jwks_uri.as_deref(),
            Self::Par => metadata.pushed_authorization_request_endpoint.as_deref(),
            Self::EndSession => metadata.end_session_endpoint.as_deref(),
            Self::Backchannel => metadata.backchannel_authentication_endpoint.as_deref(),
        }
    }
}

impl GrantType {
    /// The endpoints a run of this grant sends the person or requests to.
    pub fn endpoints(self) -> &'static [Endpoint] {
        match self {
            Self::AuthorizationCode => &[Endpoint::Authorization, Endpoint::Token],
            Self::Implicit => &[Endpoint::Authorization],
            Self::DeviceCode => &[Endpoint::DeviceAuthorization, Endpoint::Token],
            Self::Ciba => &[Endpoint::Backchannel, Endpoint::Token],
            Self::ClientCredentials
            | Self::Password
            | Self::RefreshToken
            | Self::TokenExchange
            | Self::JwtBearer => &[Endpoint::Token],
        }
    }
}

/// What [`complete`] did, for the front ends to say.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscoveryNote {
    /// The issuer, as the profile names it.
    pub issuer: String,
    /// The documents read (the OpenID one first).
    pub sources: Vec<Url>,
    /// The profile keys filled, in the profile's order.
    pub filled: Vec<&'static str>,
    /// The metadata was remembered from earlier in this session: nothing
    /// was requested this time.
    pub cached: bool,
    /// What was odd about the documents (merge notes, a trailing slash on
    /// the issuer, an endpoint that is not a URL).
    pub findings: Vec<Finding>,
}

impl fmt::Display for DiscoveryNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoints discovered from {}", self.issuer)?;
        if self.filled.is_empty() {
            write!(f, ": none filled")?;
        } else {
            write!(f, ": {}", self.filled.join(", "))?;
        }
        if self.cached {
            write!(f, " (remembered from earlier in this session)")
        } else {
            let sources: Vec<&str> = self.sources.iter().map(Url::as_str).collect();
            write!(f, " (read {})", sources.join(" and "))
        }
    }
}

/// The metadata found per issuer during a session. Cheap to clone; clones
/// share the entries.
#[derive(Debug, Clone, Default)]
pub struct DiscoveryCache {
    found: Arc<Mutex<HashMap<String, Arc<Discovered>>>>,
}

impl DiscoveryCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn get(&self, issuer: &str) -> Option<Arc<Discovered>> {
        self.found.lock().ok()?.get(issuer).cloned()
    }

    fn put(&self, issuer: &str, found: Arc<Discovered>) {
        if let Ok(mut map) = self.found.lock() {
            map.insert(issuer.to_string(), found);
        }
    }

    /// Forgets what was found for `issuer` (after the user rediscovers it).
    pub fn forget(&self, issuer: &str) {
        if let Ok(mut map) = self.found.lock() {
            map.remove(issuer);
        }
    }
}

/// The profile with the endpoints in `needs` filled from its issuer's
/// metadata when any of them is empty and the profile has an issuer; every
/// other empty endpoint is filled too, never one the user typed. Returns
/// the profile unchanged and no note when nothing is missing or there is
/// no issuer (the command then says which key is required). Discovery is
/// asked once per issuer per `cache`; its exchanges go through `http`.
pub async fn complete(
    profile: &Profile,
    http: &HttpClient,
    cache: &DiscoveryCache,
    needs: &[Endpoint],
) -> Result<(Profile, Option<DiscoveryNote>), EngineError> {
    // A browser grant that pushes its request needs the PAR endpoint; one
    // whose answer is a signed JWT (JARM) needs the server's keys.
    let mut needs = needs.to_vec();
    if needs.contains(&Endpoint::Authorization) {
        if profile.authz.par {
            needs.push(Endpoint::Par);
        }
        if profile.authz.response_mode.is_jwt() {
            needs.push(Endpoint::JwksUri);
        }
    }
    let missing: Vec<Endpoint> = needs
        .iter()
        .copied()
        .filter(|e| !e.is_set(&profile.endpoints))
        .collect();
    let Some(issuer) = profile.endpoints.issuer.as_ref().map(issuer_text) else {
        return Ok((profile.clone(), None));
    };
    if missing.is_empty() {
        return Ok((profile.clone(), None));
    }
    let (found, cached) = match cache.get(&issuer) {
        Some(found) => (found, true),
        None => {
            let found = discovery::discover(http, &issuer)
                .await
                .map_err(|err| in_context(err, &issuer))?;
            (Arc::new(found), false)
        }
    };
    // Metadata for another issuer (or none named) must not be used.
    if let Some(refusal) = found.findings.iter().find(|f| {
        f.severity == Severity::Error
            && matches!(
                f.code.as_str(),
                "discovery_issuer_mismatch" | "discovery_issuer_missing"
            )
    }) {
        return Err(EngineError::Unsupported(format!(
            "the endpoints were not taken from {}: {}; type them in the profile instead",
            found.url, refusal.message
        )));
    }
    if !cached {
        cache.put(&issuer, found.clone());
    }
    let mut completed = profile.clone();
    let mut filled = Vec::new();
    let mut findings: Vec<Finding> = if cached {
        Vec::new()
    } else {
        found.findings.clone()
    };
    // With a client certificate, the endpoints that authenticate it (or
    // bind tokens to it) are taken from mtls_endpoint_aliases when the
    // server publishes them (RFC 8705 §5).
    let mtls = profile.http.client_cert_file.is_some();
    let mut aliased = Vec::new();
    for endpoint in Endpoint::ALL {
        let slot = endpoint.slot(&mut completed.endpoints);
        if slot.is_some() {
            continue;
        }
        let alias = found
            .document
            .get("mtls_endpoint_aliases")
            .and_then(|aliases| aliases.get(endpoint.key()))
            .and_then(serde_json::Value::as_str)
            .filter(|_| mtls);
        if alias.is_some() {
            aliased.push(endpoint.key());
        }
        let Some(value) = alias
            .or_else(|| endpoint.in_metadata(&found.metadata))
            .filter(|v| !v.trim().is_empty())
        else {
            continue;
        };
        match parse_http_url(value) {
            Ok(url) => {
                *slot = Some(url);
                filled.push(endpoint.key());
            }
            Err(message) => findings.push(Finding::new(
                Severity::Warning,
                "discovery_endpoint_not_a_url",
                format!("the document's {} {value:?}: {message}", endpoint.key()),
                Some("RFC 8414 §2"),
            )),
        }
    }
    // The server's promise to send iss (RFC 9207 §3), unless the profile
    // says otherwise: the redirect is then refused without it (§2.4).
    if completed.authz.iss_parameter_supported.is_none()
        && found
            .metadata
            .authorization_response_iss_parameter_supported
            == Some(true)
    {
        completed.authz.iss_parameter_supported = Some(true);
        filled.push("authorization_response_iss_parameter_supported");
    }
    // What the server requires that the profile does not do.
    if found.metadata.require_pushed_authorization_requests == Some(true)
        && !profile.authz.par
        && needs.contains(&Endpoint::Authorization)
    {
        findings.push(Finding::new(
            Severity::Warning,
            "par_required_by_server",
            "the server's metadata says require_pushed_authorization_requests: it refuses authorization requests that are not pushed; set require_pushed_authorization_requests = true in the profile",
            Some("RFC 9126 §5"),
        ));
    }
    if !aliased.is_empty() {
        findings.push(Finding::new(
            Severity::Info,
            "mtls_endpoint_aliases",
            format!(
                "the profile has a client certificate, so {} came from mtls_endpoint_aliases",
                aliased.join(", ")
            ),
            Some("RFC 8705 §5"),
        ));
    }
    if let Some(still) = missing.iter().find(|e| !e.is_set(&completed.endpoints)) {
        return Err(ProfileError::field(
            still.key(),
            format!(
                "is required here, and the discovery document of {issuer} ({}) has none either",
                found.url
            ),
        )
        .into());
    }
    let note = DiscoveryNote {
        issuer,
        sources: found.sources.clone(),
        filled,
        cached,
        findings,
    };
    Ok((completed, Some(note)))
}

/// A discovery failure, said as what it was for.
fn in_context(err: EngineError, issuer: &str) -> EngineError {
    let prefix =
        format!("the profile's endpoints are empty and discovering them from {issuer} failed");
    match err {
        EngineError::Transport { error, exchange } => EngineError::Transport {
            error: TransportError {
                message: format!("{prefix}: {}", error.message),
                ..error
            },
            exchange,
        },
        EngineError::BadResponse { message, exchange } => EngineError::BadResponse {
            message: format!("{prefix}: {message}"),
            exchange,
        },
        EngineError::Unsupported(message) => {
            EngineError::Unsupported(format!("{prefix}: {message}"))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_name_the_endpoints_they_need() {
        assert_eq!(
            GrantType::AuthorizationCode.endpoints(),
            &[Endpoint::Authorization, Endpoint::Token]
        );
        assert_eq!(GrantType::Implicit.endpoints(), &[Endpoint::Authorization]);
        assert_eq!(GrantType::ClientCredentials.endpoints(), &[Endpoint::Token]);
    }

    #[test]
    fn the_note_says_what_was_filled_and_from_where() {
        let note = DiscoveryNote {
            issuer: "https://as.example".into(),
            sources: vec![
                Url::parse("https://as.example/.well-known/openid-configuration").expect("url"),
            ],
            filled: vec!["token_endpoint", "jwks_uri"],
            cached: false,
            findings: Vec::new(),
        };
        assert_eq!(
            note.to_string(),
            "Endpoints discovered from https://as.example: token_endpoint, jwks_uri (read https://as.example/.well-known/openid-configuration)"
        );
        let cached = DiscoveryNote {
            cached: true,
            ..note
        };
        assert!(
            cached
                .to_string()
                .ends_with("(remembered from earlier in this session)")
        );
    }
}
