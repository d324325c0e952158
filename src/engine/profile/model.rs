//! The typed, validated profile ([`Profile`]) the rest of the engine sees,
//! and its parts.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::engine::store::secret::Secret;

use super::*;

/// Where a secret comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum SecretSource {
    /// Written in the profile.
    Inline(Secret),
    /// Read from this environment variable when the grant runs.
    Env(String),
}

impl SecretSource {
    /// The secret's value; `field` names the profile key in the error.
    pub fn resolve(&self, field: &str) -> Result<Secret, ProfileError> {
        match self {
            Self::Inline(secret) => Ok(secret.clone()),
            Self::Env(var) => std::env::var(var).map(Secret::new).map_err(|_| {
                ProfileError::field(
                    format!("{field}_env"),
                    format!("the environment variable {var} is not set"),
                )
            }),
        }
    }
}

/// The endpoints of the authorization server and its neighbours.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Endpoints {
    /// `issuer`.
    pub issuer: Option<Url>,
    /// `authorization_endpoint`.
    pub authorization: Option<Url>,
    /// `token_endpoint`.
    pub token: Option<Url>,
    /// `device_authorization_endpoint`.
    pub device_authorization: Option<Url>,
    /// `revocation_endpoint`.
    pub revocation: Option<Url>,
    /// `introspection_endpoint`.
    pub introspection: Option<Url>,
    /// `userinfo_endpoint`.
    pub userinfo: Option<Url>,
    /// `jwks_uri`.
    pub jwks_uri: Option<Url>,
    /// `pushed_authorization_request_endpoint`.
    pub par: Option<Url>,
    /// `end_session_endpoint` (RP-Initiated Logout §2.1).
    pub end_session: Option<Url>,
    /// `backchannel_authentication_endpoint` (OpenID CIBA Core §4).
    pub backchannel_authentication: Option<Url>,
}

/// How the access token is attached to API calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenPlacement {
    /// `{name}: {prefix} {token}`; an empty prefix sends the bare token.
    Header {
        /// Header name.
        name: String,
        /// Prefix before the token.
        prefix: String,
    },
    /// `?{param}={token}`.
    Query {
        /// Parameter name.
        param: String,
    },
    /// `{param}={token}` in a form-encoded body.
    Body {
        /// Parameter name.
        param: String,
    },
}

/// The protected API a profile calls.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiConfig {
    /// URL.
    pub url: Url,
    /// HTTP method.
    pub method: http::Method,
    /// Where the token goes.
    pub placement: TokenPlacement,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Extra query parameters.
    pub query: Vec<(String, String)>,
    /// Body, if any.
    pub body: Option<String>,
}

/// HTTP settings of one profile.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpSettings {
    /// Total time one exchange may take.
    pub timeout: Duration,
    /// Accept any TLS certificate. Dangerous; the app and the CLI keep a
    /// warning visible while it is on.
    pub accept_invalid_certs: bool,
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Largest response body read; the rest is cut and reported.
    pub max_response_bytes: usize,
    /// Extra certificate authorities (a PEM bundle), read when the client
    /// is built.
    pub ca_file: Option<PathBuf>,
    /// The proxy for every request; otherwise HTTP(S)_PROXY / NO_PROXY.
    pub proxy: Option<Url>,
    /// The client certificate for mutual TLS (PEM), read when the client is
    /// built.
    pub client_cert_file: Option<PathBuf>,
    /// Its private key (PEM), when not in the certificate file.
    pub client_key_file: Option<PathBuf>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            accept_invalid_certs: false,
            connect_timeout: Duration::from_secs(DEFAULT_CONNECT_TIMEOUT_SECS),
            max_response_bytes: crate::engine::wire::http::DEFAULT_MAX_BODY_BYTES,
            ca_file: None,
            proxy: None,
            client_cert_file: None,
            client_key_file: None,
        }
    }
}

/// The warning shown while a profile accepts invalid certificates.
pub const INVALID_CERTS_WARNING: &str = "TLS certificate checks are OFF for this profile (http.accept_invalid_certs = true): anyone on the network path can read and change these requests";

/// A ready-made API request.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedRequest {
    /// Name for people.
    pub name: String,
    /// HTTP method.
    pub method: http::Method,
    /// URL.
    pub url: Url,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Query parameters.
    pub query: Vec<(String, String)>,
    /// Body, if any.
    pub body: Option<String>,
}

/// How to log out.
#[derive(Debug, Clone, PartialEq)]
pub struct LogoutConfig {
    /// URL.
    pub url: Url,
    /// HTTP method.
    pub method: http::Method,
}

/// `[oidc_logout]`, typed (docs/logout.md).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OidcLogoutSettings {
    /// `post_logout_redirect_uri`.
    pub post_logout_redirect_uri: Option<Url>,
    /// `logout_hint`.
    pub logout_hint: Option<String>,
    /// `ui_locales`.
    pub ui_locales: Option<String>,
    /// `backchannel_logout_uri`: loopback http, served by the debugger.
    pub backchannel_logout_uri: Option<Url>,
}

/// One client's configuration, validated and typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Name for people.
    pub name: String,
    /// Server endpoints.
    pub endpoints: Endpoints,
    /// `client_id`, when the client has one.
    pub client_id: Option<String>,
    /// Where the client secret comes from.
    pub client_secret: Option<SecretSource>,
    /// Client authentication at the token endpoint.
    pub auth_method: ClientAuthMethod,
    /// Client authentication at the revocation endpoint.
    pub revocation_auth_method: ClientAuthMethod,
    /// Client authentication at the introspection endpoint.
    pub introspection_auth_method: ClientAuthMethod,
    /// JWT client authentication: key, alg, audience.
    pub assertion: AssertionSettings,
    /// DPoP, when on.
    pub dpop: Option<DpopSettings>,
    /// How the authorization request travels: pushed, signed, and how the
    /// response comes back.
    pub authz: AuthzRequestSettings,
    /// Check against the FAPI 2.0 Security Profile.
    pub fapi2: bool,
    /// Verify an ID token after each grant that returns one.
    pub verify_id_token: bool,
    /// Resource indicators (RFC 8707), also in `authorize_params` and
    /// `token_params` as `resource` pairs, so every request carries them.
    pub resources: Vec<String>,
    /// The `acr_values` and `max_age` asked for (profile keys, or the same
    /// names in `authorize_params`), also in `authorize_params`.
    pub auth_requirement: crate::engine::requests::step_up::AuthRequirement,
    /// Rich authorization requests (RFC 9396), also in `authorize_params`
    /// as compact JSON; the token request of the grants without an
    /// authorization request carries it too ([`crate::engine::requests::rar`]).
    pub authorization_details: Option<crate::engine::requests::rar::AuthorizationDetails>,
    /// The grant this profile runs, when it names one.
    pub grant: Option<GrantType>,
    /// Scopes, in the order written.
    pub scopes: Vec<String>,
    /// Resource owner's username.
    pub username: Option<String>,
    /// Where the resource owner's password comes from.
    pub password: Option<SecretSource>,
    /// Redirect URI.
    pub redirect_uri: Option<Url>,
    /// PKCE mode.
    pub pkce: PkceMode,
    /// How far clocks may disagree when token times are checked.
    pub clock_skew: Duration,
    /// Extra authorization request parameters.
    pub authorize_params: Vec<(String, String)>,
    /// Extra token request parameters.
    pub token_params: Vec<(String, String)>,
    /// The API to call.
    pub api: Option<ApiConfig>,
    /// HTTP settings.
    pub http: HttpSettings,
    /// Compatibility switches.
    pub compat: CompatFile,
    /// How to log out, when the server has a way.
    pub logout: Option<LogoutConfig>,
    /// `[oidc_logout]`: RP-initiated and back-channel logout.
    pub oidc_logout: OidcLogoutSettings,
    /// Ready-made API requests.
    pub requests: Vec<SavedRequest>,
    /// `[token_exchange]` (RFC 8693), when written.
    pub token_exchange: Option<crate::engine::profile::grant_tables::TokenExchangeSettings>,
    /// `[jwt_bearer]` (RFC 7523), when written.
    pub jwt_bearer: Option<crate::engine::profile::grant_tables::JwtBearerSettings>,
    /// `[ciba]` (OpenID CIBA Core), when written.
    pub ciba: Option<crate::engine::profile::grant_tables::CibaSettings>,
}
