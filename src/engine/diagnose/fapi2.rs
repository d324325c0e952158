//! The FAPI 2.0 Security Profile, checked from the client's side
//! (`fapi2 = true` in a profile).
//!
//! [`check_profile`] reads the profile: the authorization code grant only,
//! PKCE with S256, pushed authorization requests, sender-constrained tokens
//! (DPoP or mutual TLS), client authentication by `private_key_jwt` or mutual
//! TLS, the algorithms PS256, ES256 and EdDSA, and a redirect URI that is
//! https or loopback. [`check_run`] reads what a run observed: `iss` in the
//! authorization response (RFC 9207), a `request_uri` that lives less than
//! 600 s, a token bound to the client. Each broken requirement is a finding
//! citing the FAPI 2.0 Security Profile (Final, 2025); [`summary`] says how
//! many.

use crate::engine::client::keys::{Alg, ClientKey};
use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::profile::{ClientAuthMethod, GrantType, PkceMode, Profile};
use crate::engine::tokens::response::TokenSet;

// Sections of the FAPI 2.0 Security Profile (Final, February 2025): §5.3.2
// is what authorization servers do (.1 general, .2 the authorization code
// flow), §5.3.3 what clients do (the same split), §5.4 the algorithms.
/// Clients, general: sender-constrained tokens, client authentication.
const CLIENTS: &str = "FAPI 2.0 Security Profile §5.3.3.1 (clients)";
/// Clients, authorization code flow: the grant, PAR, PKCE S256, `iss`.
const CLIENT_CODE_FLOW: &str =
    "FAPI 2.0 Security Profile §5.3.3.2 (clients, authorization code flow)";
/// Servers, general: no implicit, password or hybrid; bound tokens only.
const SERVERS: &str = "FAPI 2.0 Security Profile §5.3.2.1 (authorization servers)";
/// Servers, authorization code flow: `iss`, redirect URIs, `request_uri`
/// lifetime.
const SERVER_CODE_FLOW: &str =
    "FAPI 2.0 Security Profile §5.3.2.2 (authorization servers, authorization code flow)";
/// Where the algorithms are.
const CRYPTO: &str = "FAPI 2.0 Security Profile §5.4 (cryptography)";

/// The algorithms FAPI 2.0 allows for signatures.
pub const ALGORITHMS: [Alg; 3] = [Alg::Ps256, Alg::Es256, Alg::EdDsa];

fn broken(code: &str, message: impl Into<String>, reference: &str) -> Finding {
    Finding::new(Severity::Error, code, message, Some(reference))
}

/// What the profile itself breaks.
pub fn check_profile(profile: &Profile) -> Vec<Finding> {
    let mut findings = Vec::new();
    match profile.grant {
        Some(GrantType::AuthorizationCode) | Some(GrantType::RefreshToken) | None => {}
        Some(other) => findings.push(broken(
            "fapi2_grant",
            format!("the grant is {other}; FAPI 2.0 allows the authorization code grant (and refresh) only — no implicit, password or hybrid flows"),
            CLIENT_CODE_FLOW,
        )),
    }
    if profile.pkce != PkceMode::S256 {
        findings.push(broken(
            "fapi2_pkce",
            "PKCE must use S256 (set pkce = \"S256\")",
            CLIENT_CODE_FLOW,
        ));
    }
    if !profile.authz.par {
        findings.push(broken(
            "fapi2_par",
            "authorization requests must be pushed (set require_pushed_authorization_requests = true)",
            CLIENT_CODE_FLOW,
        ));
    }
    if profile.dpop.is_none() && profile.http.client_cert_file.is_none() {
        findings.push(broken(
            "fapi2_sender_constrained",
            "access tokens must be sender-constrained: turn on DPoP (dpop_bound_access_tokens) or present a client certificate ([http] client_cert_file)",
            CLIENTS,
        ));
    }
    if !matches!(
        profile.auth_method,
        ClientAuthMethod::PrivateKeyJwt
            | ClientAuthMethod::TlsClientAuth
            | ClientAuthMethod::SelfSignedTlsClientAuth
    ) {
        findings.push(broken(
            "fapi2_client_auth",
            format!(
                "the client authenticates with {}; FAPI 2.0 allows private_key_jwt or mutual TLS only",
                profile.auth_method.as_str()
            ),
            CLIENTS,
        ));
    }
    let key_alg = || {
        profile
            .assertion
            .key_file
            .as_ref()
            .and_then(|path| ClientKey::load(path).ok())
            .map(|key| key.default_alg())
    };
    let mut algs: Vec<(&str, Option<Alg>)> = Vec::new();
    if profile.auth_method == ClientAuthMethod::PrivateKeyJwt {
        algs.push((
            "the client assertion (token_endpoint_auth_signing_alg)",
            profile.assertion.alg.or_else(key_alg),
        ));
    }
    if let Some(alg) = profile.authz.request_object_alg {
        algs.push(("the request object (request_object_signing_alg)", Some(alg)));
    }
    if let Some(dpop) = &profile.dpop {
        algs.push((
            "DPoP proofs (dpop_signing_alg)",
            dpop.alg.or(if dpop.key_file.is_none() {
                Some(Alg::Es256)
            } else {
                None
            }),
        ));
    }
    for (what, alg) in algs {
        if let Some(alg) = alg
            && !ALGORITHMS.contains(&alg)
        {
            findings.push(broken(
                "fapi2_algorithm",
                format!("{what} is signed {alg}; FAPI 2.0 allows PS256, ES256 and EdDSA only"),
                CRYPTO,
            ));
        }
    }
    if let Some(uri) = &profile.redirect_uri {
        let loopback = uri.scheme() == "http" && crate::engine::wire::callback::is_loopback(uri);
        if uri.scheme() != "https" && !loopback {
            findings.push(broken(
                "fapi2_redirect_uri",
                format!("the redirect URI {uri} is neither https nor loopback"),
                SERVER_CODE_FLOW,
            ));
        }
    }
    findings
}

/// What a finished run of the authorization code grant broke: `iss` in the
/// authorization response, the `request_uri`'s lifetime, the token's binding.
pub fn check_run(
    iss_received: bool,
    request_uri_lifetime: Option<u64>,
    tokens: &TokenSet,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !iss_received {
        findings.push(broken(
            "fapi2_iss",
            "the authorization response carried no iss; FAPI 2.0 requires it (RFC 9207) so that a mix-up is detected",
            "FAPI 2.0 Security Profile §5.3.2.2, §5.3.3.2; RFC 9207",
        ));
    }
    if let Some(lifetime) = request_uri_lifetime
        && lifetime >= 600
    {
        findings.push(broken(
            "fapi2_request_uri_lifetime",
            format!("the request_uri lives {lifetime} s; FAPI 2.0 wants less than 600 s"),
            SERVER_CODE_FLOW,
        ));
    }
    if !tokens.is_dpop_bound() && !tokens.findings.iter().any(|f| f.code == "mtls_bound") {
        findings.push(broken(
            "fapi2_token_not_bound",
            format!(
                "the access token is a {} token bound to nothing; FAPI 2.0 wants sender-constrained tokens",
                tokens.effective_token_type()
            ),
            SERVERS,
        ));
    }
    findings
}

/// One line for the whole check: which requirements broke, or none.
pub fn summary(findings: &[Finding]) -> Finding {
    let broken: Vec<&str> = findings
        .iter()
        .filter(|f| f.code.starts_with("fapi2_") && f.code != "fapi2_summary")
        .map(|f| f.code.trim_start_matches("fapi2_"))
        .collect();
    if broken.is_empty() {
        Finding::new(
            Severity::Info,
            "fapi2_summary",
            "FAPI 2.0: every requirement checked here is met (grant, PKCE S256, PAR, sender-constrained tokens, client authentication, algorithms, redirect URI, iss, request_uri lifetime)",
            Some("FAPI 2.0 Security Profile"),
        )
    } else {
        Finding::new(
            Severity::Error,
            "fapi2_summary",
            format!(
                "FAPI 2.0: {} requirement{} broken ({})",
                broken.len(),
                if broken.len() == 1 { "" } else { "s" },
                broken.join(", ")
            ),
            Some("FAPI 2.0 Security Profile"),
        )
    }
}
