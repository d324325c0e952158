//! Fault switches: server behaviours seen at third-party providers, each
//! off by default, so a test (or a QA session, `demo-server --fault NAME`)
//! can reproduce what the debugger met in the field.
//!
//! Each is written from what the RFCs allow or forbid, as server code: a
//! refusal without an OAuth error body (RFC 6749 §5.2 wants one), a 401
//! without a challenge after client_secret_post (allowed: §5.2 asks for
//! `WWW-Authenticate` only after the Authorization header), a challenge in
//! another scheme than the one the client used, an API 403 without a
//! challenge (RFC 6750 §3 wants 401 with `WWW-Authenticate`), a revocation
//! endpoint that takes HTTP Basic only, metadata split between the
//! OpenID and the RFC 8414 documents of an issuer with a path, and redirect
//! URIs compared exactly (no loopback port freedom, RFC 8252 §7.3).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use super::{Demo, oauth_error, store};

/// Which fault switches are on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// `weak-*` and `vulnerable`: the security weaknesses a server audit
    /// looks for ([`super::weak`]).
    pub weak: super::weak::Weaknesses,
    /// `rp-*`: the bad response of one of the OpenID conformance suite's
    /// relying-party tests ([`super::rp_tests`]).
    pub rp_case: Option<super::rp_tests::RpCase>,
    /// `empty-403`: a client that fails to authenticate at the token,
    /// introspection or revocation endpoint gets HTTP 403 with an empty
    /// body (Glewlwyd; django-oauth-toolkit's introspection).
    pub empty_403_refusals: bool,
    /// `post-401`: a client that fails to authenticate with credentials in
    /// the body (client_secret_post) gets 401 `invalid_client` without a
    /// `WWW-Authenticate` header — which RFC 6749 §5.2 allows.
    pub post_refusal_401: bool,
    /// `bearer-challenge`: a failed HTTP Basic client authentication is
    /// answered with `WWW-Authenticate: Bearer`, not Basic.
    pub bearer_challenge_for_basic: bool,
    /// `api-403`: the API answers a bad access token with HTTP 403, an
    /// empty body and no challenge.
    pub api_403_without_challenge: bool,
    /// `revocation-basic-only`: the revocation endpoint refuses credentials
    /// in the body with 401 `invalid_request` "Authorization header
    /// required" (Wordapp).
    pub revocation_basic_only: bool,
    /// `split-discovery`: the issuer `{base}/o` publishes an OpenID
    /// document at `/o/.well-known/openid-configuration` without
    /// grant_types_supported, introspection or revocation endpoint, and an
    /// RFC 8414 document at `/.well-known/oauth-authorization-server/o`
    /// that has them (django-oauth-toolkit); the two disagree on
    /// `code_challenge_methods_supported`.
    pub split_discovery: bool,
    /// `exact-redirect-uri`: the authorization endpoint compares redirect
    /// URIs exactly, so a loopback URI registered without a port matches
    /// no port chosen by the client (no RFC 8252 §7.3 port freedom), and
    /// the refusal is an error page, as RFC 6749 §4.1.2.1 asks.
    pub exact_redirect_uri: bool,
    /// `assertion-aud-token-endpoint`: a client assertion (RFC 7523 §3)
    /// must name the token endpoint URL (or the URL of the endpoint it is
    /// sent to) as `aud`; the issuer is refused — as servers that read
    /// RFC 7523 §3 item 3 narrowly do.
    pub assertion_aud_token_endpoint: bool,
    /// `assertion-aud-issuer`: a client assertion must name the issuer as
    /// `aud`; endpoint URLs are refused.
    pub assertion_aud_issuer: bool,
    /// `dpop-nonce`: the token endpoint and the API demand a server nonce
    /// in DPoP proofs (RFC 9449 §8, §9), answering `use_dpop_nonce` with a
    /// `DPoP-Nonce` header.
    pub dpop_nonce: bool,
    /// `dpop-ignored`: the server ignores DPoP proofs and issues ordinary
    /// Bearer tokens, as a server that does not know DPoP does.
    pub dpop_ignored: bool,
    /// `certificate-bound`: with TLS, every access token issued on a
    /// connection that presented a client certificate is bound to it
    /// (`cnf.x5t#S256`, RFC 8705 §3), whatever the client authentication.
    pub certificate_bound: bool,
    /// `par-required`: `/authorize` refuses requests that were not pushed
    /// (RFC 9126 §5), and discovery says
    /// `require_pushed_authorization_requests: true`.
    pub par_required: bool,
    /// `iss-missing`: authorization responses carry no `iss`, though
    /// discovery still says `authorization_response_iss_parameter_supported`
    /// (RFC 9207 §3 wants it then on every response).
    pub iss_missing: bool,
    /// `iss-wrong`: authorization responses carry another server's `iss`
    /// (`WRONG_ISSUER`) — what a mix-up attack looks like (RFC 9207 §2.4).
    pub iss_wrong: bool,
    /// `jarm-bad-signature`: JARM responses' signatures do not verify.
    pub jarm_bad_signature: bool,
    /// `jarm-wrong-aud`: JARM responses name another client as `aud`.
    pub jarm_wrong_aud: bool,
    /// `jarm-wrong-iss`: JARM responses name another issuer as `iss`.
    pub jarm_wrong_iss: bool,
    /// `jarm-expired`: JARM responses expired ten minutes ago.
    pub jarm_expired: bool,
    /// `jarm-no-exp`: JARM responses have no `exp`.
    pub jarm_no_exp: bool,
    /// `jarm-no-iss`: JARM responses have no `iss`.
    pub jarm_no_iss: bool,
    /// `jarm-no-aud`: JARM responses have no `aud`.
    pub jarm_no_aud: bool,
    /// `jarm-alg-none`: JARM responses are unsigned JWTs (`alg: none`).
    pub jarm_alg_none: bool,
    /// `fapi2`: the FAPI 2.0 Security Profile (§5.3): pushed authorization
    /// requests only, `response_type=code` with PKCE S256 only, client
    /// authentication by private_key_jwt or mutual TLS only, no password
    /// grant, sender-constrained access tokens only (a DPoP proof or a
    /// client certificate at the token endpoint), codes that live 60 s and
    /// `iss` in authorization responses.
    pub fapi2: bool,
    /// The MCP authorization switches (`mcp-*`, see `src/demo/mcp.rs`).
    pub mcp: super::mcp::McpFaults,
    /// The OpenID logout switches (`logout-*`, see `src/demo/logout.rs`).
    pub logout: super::logout::LogoutFaults,
    /// `token-exchange-refuse-actor`: a token exchange with an actor token
    /// is refused with `invalid_request` (RFC 8693 §2.2.2), as a server
    /// that issues no delegation tokens does.
    pub token_exchange_refuse_actor: bool,
    /// `token-exchange-no-issued-type`: token exchange responses leave out
    /// `issued_token_type`, which RFC 8693 §2.2.1 requires.
    pub token_exchange_no_issued_type: bool,
    /// `jwt-bearer-wrong-sub`: the JWT bearer grant issues the token to the
    /// client, not to the assertion's `sub` (RFC 7523 §3).
    pub jwt_bearer_wrong_sub: bool,
    /// The CIBA switches (`ciba-*`, see `src/demo/ciba.rs`).
    pub ciba: super::ciba::CibaFaults,
    /// The step-up switches (`step-up-*`, see `src/demo/step_up.rs`).
    pub step_up: super::step_up::StepUpFaults,
    /// The hybrid flow switches (`hybrid-*`, see `src/demo/hybrid.rs`).
    pub hybrid: super::hybrid::HybridFaults,
    /// The rich authorization request switches (`rar-*`, see
    /// `src/demo/rar.rs`).
    pub rar: super::rar::RarFaults,
}

/// The issuer that `iss-wrong` and `jarm-wrong-iss` name instead of the
/// demo's own.
pub const WRONG_ISSUER: &str = "https://other-issuer.example";

/// The client that `jarm-wrong-aud` names instead of the requesting one.
pub const WRONG_AUDIENCE: &str = "some-other-client";

impl Faults {
    /// The names accepted by [`Faults::switch_on`].
    pub const NAMES: [&str; 27] = [
        "empty-403",
        "post-401",
        "bearer-challenge",
        "api-403",
        "revocation-basic-only",
        "split-discovery",
        "exact-redirect-uri",
        "assertion-aud-token-endpoint",
        "assertion-aud-issuer",
        "dpop-nonce",
        "dpop-ignored",
        "certificate-bound",
        "par-required",
        "iss-missing",
        "iss-wrong",
        "jarm-bad-signature",
        "jarm-wrong-aud",
        "jarm-wrong-iss",
        "jarm-expired",
        "jarm-no-exp",
        "jarm-no-iss",
        "jarm-no-aud",
        "jarm-alg-none",
        "fapi2",
        "token-exchange-refuse-actor",
        "token-exchange-no-issued-type",
        "jwt-bearer-wrong-sub",
    ];

    /// Turns on the switch called `name`; false when there is none.
    pub fn switch_on(&mut self, name: &str) -> bool {
        if self.mcp.switch_on(name)
            || self.weak.switch_on(name)
            || self.logout.switch_on(name)
            || self.ciba.switch_on(name)
            || self.step_up.switch_on(name)
            || self.hybrid.switch_on(name)
            || self.rar.switch_on(name)
        {
            return true;
        }
        if let Some(case) = super::rp_tests::RpCase::parse(name) {
            self.rp_case = Some(case);
            return true;
        }
        let switch = match name {
            "empty-403" => &mut self.empty_403_refusals,
            "post-401" => &mut self.post_refusal_401,
            "bearer-challenge" => &mut self.bearer_challenge_for_basic,
            "api-403" => &mut self.api_403_without_challenge,
            "revocation-basic-only" => &mut self.revocation_basic_only,
            "split-discovery" => &mut self.split_discovery,
            "exact-redirect-uri" => &mut self.exact_redirect_uri,
            "assertion-aud-token-endpoint" => &mut self.assertion_aud_token_endpoint,
            "assertion-aud-issuer" => &mut self.assertion_aud_issuer,
            "dpop-nonce" => &mut self.dpop_nonce,
            "dpop-ignored" => &mut self.dpop_ignored,
            "certificate-bound" => &mut self.certificate_bound,
            "par-required" => &mut self.par_required,
            "iss-missing" => &mut self.iss_missing,
            "iss-wrong" => &mut self.iss_wrong,
            "jarm-bad-signature" => &mut self.jarm_bad_signature,
            "jarm-wrong-aud" => &mut self.jarm_wrong_aud,
            "jarm-wrong-iss" => &mut self.jarm_wrong_iss,
            "jarm-expired" => &mut self.jarm_expired,
            "jarm-no-exp" => &mut self.jarm_no_exp,
            "jarm-no-iss" => &mut self.jarm_no_iss,
            "jarm-no-aud" => &mut self.jarm_no_aud,
            "jarm-alg-none" => &mut self.jarm_alg_none,
            "fapi2" => &mut self.fapi2,
            "token-exchange-refuse-actor" => &mut self.token_exchange_refuse_actor,
            "token-exchange-no-issued-type" => &mut self.token_exchange_no_issued_type,
            "jwt-bearer-wrong-sub" => &mut self.jwt_bearer_wrong_sub,
            _ => return false,
        };
        *switch = true;
        true
    }

    /// Whether `/authorize` takes pushed requests only (RFC 9126 §5).
    pub fn requires_par(&self) -> bool {
        self.par_required || self.fapi2
    }

    /// A client authentication refusal as the switches shape it.
    pub fn client_refusal(&self, headers: &HeaderMap, mut refusal: Response) -> Response {
        if self.empty_403_refusals {
            return StatusCode::FORBIDDEN.into_response();
        }
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let used_basic = authorization.is_some_and(|v| {
            v.split_once(' ')
                .is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        });
        if self.bearer_challenge_for_basic
            && used_basic
            && refusal.status() == StatusCode::UNAUTHORIZED
        {
            refusal.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"demo\""),
            );
        }
        if self.post_refusal_401 && authorization.is_none() {
            *refusal.status_mut() = StatusCode::UNAUTHORIZED;
            refusal.headers_mut().remove(header::WWW_AUTHENTICATE);
        }
        refusal
    }

    /// The revocation endpoint's refusal of a request without an
    /// Authorization header, when `revocation-basic-only` is on.
    pub fn revocation_refusal(&self, headers: &HeaderMap) -> Option<Response> {
        (self.revocation_basic_only && !headers.contains_key(header::AUTHORIZATION)).then(|| {
            oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_request",
                "Authorization header required",
            )
        })
    }

    /// Whether `uri` is registered for `client`, as the switches compare.
    pub fn redirect_allowed(&self, client: &store::Client, uri: &str) -> bool {
        if self.weak.open_redirect {
            return true;
        }
        if self.exact_redirect_uri {
            return client.redirect_uris.contains(&uri);
        }
        store::redirect_allowed(client, uri)
    }

    /// An API refusal of a bad token as the switches shape it.
    pub fn api_refusal(&self, refusal: Response) -> Response {
        if self.api_403_without_challenge && refusal.status() == StatusCode::UNAUTHORIZED {
            return StatusCode::FORBIDDEN.into_response();
        }
        refusal
    }
}

/// The routes the switches add.
pub fn routes(faults: &Faults) -> Router<Arc<Demo>> {
    let mut router = Router::new();
    if faults.split_discovery {
        router = router
            .route("/o/.well-known/openid-configuration", get(openid_document))
            .route(
                "/.well-known/oauth-authorization-server/o",
                get(oauth_document),
            );
    }
    router
}

/// OpenID Connect Discovery §4: appended to the issuer `{base}/o`. Has no
/// grant_types_supported, introspection or revocation endpoint.
async fn openid_document(State(demo): State<Arc<Demo>>) -> Response {
    let base = &demo.issuer;
    axum::Json(json!({
        "issuer": format!("{base}/o"),
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "userinfo_endpoint": format!("{base}/userinfo"),
        "jwks_uri": format!("{base}/jwks"),
        "response_types_supported": ["code", "token", "id_token token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
    }))
    .into_response()
}

/// RFC 8414 §3: inserted between the host and the issuer's path `/o`.
async fn oauth_document(State(demo): State<Arc<Demo>>) -> Response {
    let base = &demo.issuer;
    axum::Json(json!({
        "issuer": format!("{base}/o"),
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "introspection_endpoint": format!("{base}/introspect"),
        "revocation_endpoint": format!("{base}/revoke"),
        "response_types_supported": ["code", "token", "id_token token"],
        "grant_types_supported": [
            "authorization_code", "implicit", "client_credentials", "password", "refresh_token"
        ],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "code_challenge_methods_supported": ["plain", "S256"],
    }))
    .into_response()
}
