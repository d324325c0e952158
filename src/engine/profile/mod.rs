//! Profiles: one client's whole configuration.
//!
//! A profile is read in two steps. [`ProfileFile`] is the TOML file as written
//! — strings and optional values, field names from RFC 8414 / RFC 7591 — and is
//! what an editor holds while the user types. [`Profile::from_file`] turns it
//! into typed, validated values in one step (parse, don't validate); the rest of
//! the engine only ever sees a [`Profile`]. Every problem names its key, and
//! when the profile came from a file, the file and the line.
//!
//! The format is documented field by field in `docs/profiles.md`.

pub mod grant_tables;
pub mod placeholders;
pub mod presets;
pub mod schema;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::engine::store::secret::Secret;

/// The profile format this version reads and writes.
///
/// - 1: the first recorded format.
/// - 2: secrets may live in the OS keychain (`client_secret_keychain`,
///   `password_keychain`). Format 1 files read unchanged; the store moves
///   their inline secrets to the keychain when one is available
///   ([`crate::engine::store::storage::ProfileStore::list`]).
pub const SCHEMA_VERSION: u32 = 2;

/// Default total timeout of one HTTP exchange.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// Default time to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 10;

/// Default response size limit, in megabytes.
pub const DEFAULT_MAX_RESPONSE_MB: u64 = 50;

/// The largest response size limit a profile may set, in megabytes.
pub const MAX_RESPONSE_MB: u64 = 1024;

/// Default clock-skew tolerance when token times are checked.
pub const DEFAULT_CLOCK_SKEW_SECS: u64 = 60;

/// Largest clock-skew tolerance a profile may set (one hour).
pub const MAX_CLOCK_SKEW_SECS: u64 = 3600;

// ---------------------------------------------------------------------------
// The file as written.

/// A profile as it is written in TOML: every field optional, nothing checked
/// beyond its TOML type. Unknown keys are refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    /// The profile format's version; absent means the current one. Files
    /// the app saves carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<u32>,
    /// A name for people; defaults to the file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The server's base URL; endpoints written as paths (`/oauth2/token`)
    /// are resolved against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// The authorization server's issuer identifier (RFC 8414 §2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Where the browser is sent to sign in (RFC 6749 §3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// Where tokens are requested (RFC 6749 §3.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// Device authorization endpoint (RFC 8628 §3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<String>,
    /// CIBA backchannel authentication endpoint (OpenID CIBA Core §4,
    /// server metadata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_authentication_endpoint: Option<String>,
    /// Token revocation endpoint (RFC 7009).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    /// Token introspection endpoint (RFC 7662).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    /// OpenID Connect userinfo endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    /// Where the browser is sent to log out at the provider (OpenID
    /// Connect RP-Initiated Logout 1.0 §2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<String>,
    /// Where the server publishes its signing keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// Where authorization requests are pushed (RFC 9126 §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// The client identifier (RFC 6749 §2.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The client secret, in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// The name of an environment variable that holds the client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_env: Option<String>,
    /// The OS keychain account (service `oauth-debugger`) that holds the
    /// client secret (format 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_keychain: Option<String>,
    /// How the client authenticates at the token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<ClientAuthMethod>,
    /// How the client authenticates at the revocation endpoint; the token
    /// endpoint's method when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint_auth_method: Option<ClientAuthMethod>,
    /// How the client authenticates at the introspection endpoint; the
    /// token endpoint's method when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint_auth_method: Option<ClientAuthMethod>,
    /// The `alg` of client assertions (`private_key_jwt`,
    /// `client_secret_jwt`; RFC 7591 §2): RS256, PS256, ES256, EdDSA, or
    /// HS256/384/512. Absent: the key's own (HS256 with the secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_signing_alg: Option<String>,
    /// The client's private key (PEM or JWK / JWKS JSON) for client
    /// assertions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key_file: Option<String>,
    /// The `kid` to sign under, instead of the key file's own (or its
    /// thumbprint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key_kid: Option<String>,
    /// The `aud` of client assertions: `issuer` (default), `token_endpoint`,
    /// or a URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_assertion_audience: Option<String>,
    /// The `typ` header of client assertions: `JWT` (default) or
    /// `client-authentication+jwt` (draft-ietf-oauth-rfc7523bis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_assertion_typ: Option<String>,
    /// Ask for DPoP-bound access tokens (RFC 9449 §5.2): every token request
    /// and API call carries a DPoP proof.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_bound_access_tokens: Option<bool>,
    /// The DPoP key (PEM or JWK); absent: a fresh ES256 key per session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_key_file: Option<String>,
    /// The `alg` of DPoP proofs; absent: the key's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_signing_alg: Option<String>,
    /// Push the authorization request to the PAR endpoint first (RFC 9126
    /// §6, client metadata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_pushed_authorization_requests: Option<bool>,
    /// Send the authorization request as a request object signed with this
    /// alg (RFC 9101; OIDC registration `request_object_signing_alg`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_object_signing_alg: Option<String>,
    /// How the authorization response comes back: `query`, `fragment`,
    /// `form_post` (OAuth 2.0 Form Post Response Mode), or the JARM modes
    /// `jwt`, `query.jwt`, `fragment.jwt`, `form_post.jwt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_mode: Option<String>,
    /// The authorization code grant's `response_type`: `code` (default),
    /// or the OpenID Connect hybrid flow's `code id_token`, `code token`,
    /// `code id_token token` (OIDC Core §3.3.2.1; words in any order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_type: Option<String>,
    /// The alg the server signs JARM responses with (JARM §3, client
    /// metadata); checked on the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_signed_response_alg: Option<String>,
    /// The server sends `iss` in every authorization response (RFC 9207
    /// §3, server metadata; filled by discovery): a response without it is
    /// refused (§2.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_response_iss_parameter_supported: Option<bool>,
    /// Check the profile and every run of the authorization code grant
    /// against the FAPI 2.0 Security Profile (not an RFC key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fapi2: Option<bool>,
    /// Verify an ID token the grant returns (signature via the JWKS, iss,
    /// aud, exp, iat, nonce, at_hash — OpenID Connect Core §3.1.3.7); on
    /// unless `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_id_token: Option<bool>,
    /// Resource indicators (RFC 8707): the protected resources the tokens
    /// are for, sent as `resource` on the authorization and every token
    /// request; one URI or a list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<crate::engine::profile::grant_tables::OneOrMany>,
    /// Authentication context class references to ask for, space-separated
    /// in order of preference (`acr_values`, OIDC Core §3.1.2.1; RFC 9470
    /// §4): sent on the authorization request, and the ID token's `acr`
    /// checked against them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr_values: Option<String>,
    /// Seconds allowed since the user last actively authenticated
    /// (`max_age`, OIDC Core §3.1.2.1; RFC 9470 §4): sent on the
    /// authorization request, and the ID token's `auth_time` checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u64>,
    /// Rich authorization requests (RFC 9396): what the client asks to be
    /// allowed, as a TOML array of tables (`[[authorization_details]]`,
    /// each with a `type`) or a JSON string holding the array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details: Option<serde_json::Value>,
    /// The grant this profile runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_type: Option<GrantType>,
    /// The desktop app refreshes this profile's tokens by itself ahead of
    /// expiry (its Auto-refresh starts on): for providers whose tokens live
    /// seconds. Not an RFC key; the CLI ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_refresh: Option<bool>,
    /// Scopes, space-separated as on the wire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Resource owner's username (password grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Resource owner's password, in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// The name of an environment variable that holds the password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_env: Option<String>,
    /// The OS keychain account (service `oauth-debugger`) that holds the
    /// password (format 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_keychain: Option<String>,
    /// Redirect URI registered for this client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// PKCE mode for the authorization code grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkce: Option<PkceMode>,
    /// How far clocks may disagree when token times (`exp`, `iat`, `nbf`)
    /// are checked, in seconds; 60 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_skew_secs: Option<u64>,
    /// Extra parameters added to the authorization request.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub authorize_params: BTreeMap<String, String>,
    /// Extra parameters added to every token request.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub token_params: BTreeMap<String, String>,
    /// The protected API this profile calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<ApiFile>,
    /// HTTP settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpFile>,
    /// Switches for servers that break the standard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compat: Option<CompatFile>,
    /// How to log out (end the token's session on the server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logout: Option<LogoutFile>,
    /// Logging out at the OpenID provider: RP-initiated logout's
    /// parameters and the back-channel logout receiver (docs/logout.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_logout: Option<OidcLogoutFile>,
    /// Ready-made API requests, shown in the Request tab.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<RequestFile>,
    /// The token exchange grant's request (RFC 8693 §2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_exchange: Option<crate::engine::profile::grant_tables::TokenExchangeFile>,
    /// The JWT bearer grant's assertion (RFC 7523 §2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_bearer: Option<crate::engine::profile::grant_tables::JwtBearerFile>,
    /// The MCP server this client was set up for (`oauth-debugger mcp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp: Option<McpFile>,
    /// The CIBA grant's authentication request (OpenID CIBA Core §7.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ciba: Option<crate::engine::profile::grant_tables::CibaFile>,
}

/// The `[mcp]` table as written: the MCP server a profile was made for,
/// so the chain can be walked again (docs/mcp.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct McpFile {
    /// The MCP server's URL (its canonical URI, the `resource` of RFC 8707).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The `[api]` table as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiFile {
    /// The URL to call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// HTTP method, `GET` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Where the access token goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_placement: Option<TokenPlacementKind>,
    /// Header carrying the token, `Authorization` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_name: Option<String>,
    /// Prefix before the token in that header, `Bearer` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_prefix: Option<String>,
    /// Query or form parameter carrying the token, `access_token` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_param: Option<String>,
    /// A request body to send (form-encoded fields or any text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Headers sent with every API call.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Query parameters added to every API call.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
}

/// The `[http]` table as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpFile {
    /// Total time one exchange may take, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u64>,
    /// Accept any TLS certificate (self-signed, expired, wrong host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_invalid_certs: Option<bool>,
    /// Time to establish a connection, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_timeout_secs: Option<u64>,
    /// Largest response body read, in megabytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_response_mb: Option<u64>,
    /// A PEM file of certificate authorities to trust besides the usual ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// A proxy for every request of the profile (`http://host:port`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// The client certificate (PEM) presented on every connection of the
    /// profile: mutual TLS (RFC 8705).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert_file: Option<String>,
    /// The certificate's private key (PEM); absent when the certificate
    /// file holds it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key_file: Option<String>,
}

/// The `[compat]` table as written: each switch makes the engine accept one
/// way a server breaks the standard, and says so in a finding whenever it
/// changes what happens.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct CompatFile {
    /// Send the token request's parameters in the POST's query string.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub token_params_in_query: bool,
    /// Send HTTP Basic client credentials without form-urlencoding them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub basic_auth_raw: bool,
    /// Accept a token response with a 2xx status other than 200.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub accept_any_2xx: bool,
    /// Accept a token response whose Content-Type is not JSON.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub accept_non_json_content_type: bool,
    /// Repair invalid JSON where that is unambiguous (trailing commas).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repair_json: bool,
}

/// The `[logout]` table as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutFile {
    /// The URL (or a path under `base_url`) that ends the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// HTTP method, `DELETE` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

/// The `[oidc_logout]` table as written (docs/logout.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OidcLogoutFile {
    /// Where the provider sends the browser after logging out
    /// (RP-Initiated Logout §3); a loopback URI is captured by the debugger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_logout_redirect_uri: Option<String>,
    /// `logout_hint` sent with the logout request (RP-Initiated Logout §2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logout_hint: Option<String>,
    /// `ui_locales` sent with the logout request, space-separated
    /// (RP-Initiated Logout §2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui_locales: Option<String>,
    /// The loopback URI the debugger serves for logout tokens
    /// (Back-Channel Logout §2.2, client metadata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_logout_uri: Option<String>,
}

/// One `[[requests]]` entry as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestFile {
    /// A name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// HTTP method, `GET` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The URL, or a path under `base_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A request body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Headers (added to the `[api.headers]`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Query parameters.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
}

// ---------------------------------------------------------------------------
// Enumerations shared by the file and the typed profile.

/// Client authentication at the token endpoint (RFC 7591 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum ClientAuthMethod {
    /// HTTP Basic with the form-urlencoded client id and secret (RFC 6749 §2.3.1).
    #[serde(rename = "client_secret_basic")]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the request body.
    #[serde(rename = "client_secret_post")]
    ClientSecretPost,
    /// A public client: only `client_id` in the body.
    #[serde(rename = "none")]
    None,
    /// A JWT signed with the client's private key (RFC 7523 §2.2, OIDC
    /// Core §9).
    #[serde(rename = "private_key_jwt")]
    PrivateKeyJwt,
    /// A JWT signed with HMAC keyed by the client secret (OIDC Core §9).
    #[serde(rename = "client_secret_jwt")]
    ClientSecretJwt,
    /// A certificate from a PKI on the TLS connection (RFC 8705 §2.1).
    #[serde(rename = "tls_client_auth")]
    TlsClientAuth,
    /// A self-signed certificate on the TLS connection (RFC 8705 §2.2).
    #[serde(rename = "self_signed_tls_client_auth")]
    SelfSignedTlsClientAuth,
}

impl ClientAuthMethod {
    /// Every method, in the order a picker shows them.
    pub const ALL: [Self; 7] = [
        Self::ClientSecretBasic,
        Self::ClientSecretPost,
        Self::PrivateKeyJwt,
        Self::ClientSecretJwt,
        Self::TlsClientAuth,
        Self::SelfSignedTlsClientAuth,
        Self::None,
    ];

    /// The registered name (RFC 7591).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::None => "none",
            Self::PrivateKeyJwt => "private_key_jwt",
            Self::ClientSecretJwt => "client_secret_jwt",
            Self::TlsClientAuth => "tls_client_auth",
            Self::SelfSignedTlsClientAuth => "self_signed_tls_client_auth",
        }
    }

    /// Whether the client secret is needed.
    pub fn needs_secret(self) -> bool {
        matches!(
            self,
            Self::ClientSecretBasic | Self::ClientSecretPost | Self::ClientSecretJwt
        )
    }

    /// Whether the client authenticates with a signed assertion
    /// (`client_assertion`, RFC 7521 §4.2).
    pub fn is_assertion(self) -> bool {
        matches!(self, Self::PrivateKeyJwt | Self::ClientSecretJwt)
    }

    /// Whether the client authenticates with its TLS certificate.
    pub fn is_mtls(self) -> bool {
        matches!(self, Self::TlsClientAuth | Self::SelfSignedTlsClientAuth)
    }
}

/// The `aud` of a client assertion.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AssertionAudience {
    /// The authorization server's issuer identifier: what the RFC 7523
    /// update (draft-ietf-oauth-rfc7523bis) asks for, so an assertion cannot
    /// be replayed at another endpoint.
    #[default]
    Issuer,
    /// The token endpoint's URL (RFC 7523 §3 allows it; many servers still
    /// want it).
    TokenEndpoint,
    /// Exactly this value.
    Url(String),
}

impl AssertionAudience {
    /// As written in a profile.
    pub fn as_written(&self) -> &str {
        match self {
            Self::Issuer => "issuer",
            Self::TokenEndpoint => "token_endpoint",
            Self::Url(url) => url,
        }
    }
}

/// Keys and choices for JWT client authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionSettings {
    /// `token_endpoint_auth_signing_alg`.
    pub alg: Option<crate::engine::client::keys::Alg>,
    /// `signing_key_file`.
    pub key_file: Option<PathBuf>,
    /// `signing_key_kid`.
    pub kid: Option<String>,
    /// `client_assertion_audience`.
    pub audience: AssertionAudience,
    /// `client_assertion_typ`: the `typ` header.
    pub typ: String,
}

/// How the authorization response comes back (`response_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseMode {
    /// The server's default for the response type (query for code).
    #[default]
    Default,
    /// `query`.
    Query,
    /// `fragment`.
    Fragment,
    /// `form_post`: an auto-submitted form POSTs the response to the
    /// redirect URI (OAuth 2.0 Form Post Response Mode §2).
    FormPost,
    /// `jwt` (JARM §2.3.4: the response type's default, as a JWT).
    Jwt,
    /// `query.jwt`.
    QueryJwt,
    /// `fragment.jwt`.
    FragmentJwt,
    /// `form_post.jwt`.
    FormPostJwt,
}

impl ResponseMode {
    /// Every mode, in the order a picker shows them.
    pub const ALL: [Self; 7] = [
        Self::Query,
        Self::Fragment,
        Self::FormPost,
        Self::Jwt,
        Self::QueryJwt,
        Self::FragmentJwt,
        Self::FormPostJwt,
    ];

    /// The registered value; `None` for the default (not sent).
    pub fn as_str(self) -> Option<&'static str> {
        Some(match self {
            Self::Default => return None,
            Self::Query => "query",
            Self::Fragment => "fragment",
            Self::FormPost => "form_post",
            Self::Jwt => "jwt",
            Self::QueryJwt => "query.jwt",
            Self::FragmentJwt => "fragment.jwt",
            Self::FormPostJwt => "form_post.jwt",
        })
    }

    /// The mode called `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == Some(name))
    }

    /// Whether the response is a JARM JWT.
    pub fn is_jwt(self) -> bool {
        matches!(
            self,
            Self::Jwt | Self::QueryJwt | Self::FragmentJwt | Self::FormPostJwt
        )
    }

    /// Whether the response is POSTed to the redirect URI.
    pub fn is_form_post(self) -> bool {
        matches!(self, Self::FormPost | Self::FormPostJwt)
    }
}

/// How the authorization request travels and its response comes back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthzRequestSettings {
    /// Push it first (RFC 9126).
    pub par: bool,
    /// Sign it as a request object with this alg (RFC 9101).
    pub request_object_alg: Option<crate::engine::client::keys::Alg>,
    /// `response_mode`.
    pub response_mode: ResponseMode,
    /// `response_type` of the authorization code grant: `code` or a hybrid
    /// one (OIDC Core §3.3).
    pub response_type: crate::engine::grants::hybrid::CodeResponseType,
    /// `authorization_signed_response_alg` (JARM).
    pub jarm_alg: Option<String>,
    /// `authorization_response_iss_parameter_supported`: `iss` must come
    /// back (RFC 9207 §2.4); `None`: the profile does not say (discovery
    /// may).
    pub iss_parameter_supported: Option<bool>,
}

impl Default for AssertionSettings {
    fn default() -> Self {
        Self {
            alg: None,
            key_file: None,
            kid: None,
            audience: AssertionAudience::default(),
            typ: "JWT".to_string(),
        }
    }
}

/// DPoP (RFC 9449), when the profile asks for bound tokens.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DpopSettings {
    /// `dpop_key_file`; `None`: a fresh ES256 key per session.
    pub key_file: Option<PathBuf>,
    /// `dpop_signing_alg`.
    pub alg: Option<crate::engine::client::keys::Alg>,
}

/// The OAuth grants this debugger knows.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum GrantType {
    /// RFC 6749 §4.4.
    #[default]
    #[serde(rename = "client_credentials")]
    ClientCredentials,
    /// RFC 6749 §4.3.
    #[serde(rename = "password")]
    Password,
    /// RFC 6749 §4.1.
    #[serde(rename = "authorization_code")]
    AuthorizationCode,
    /// RFC 6749 §4.2.
    #[serde(rename = "implicit")]
    Implicit,
    /// RFC 8628.
    /// `device_code` is read as this too, as `--grant device_code` is.
    #[serde(
        rename = "urn:ietf:params:oauth:grant-type:device_code",
        alias = "device_code"
    )]
    DeviceCode,
    /// RFC 6749 §6.
    #[serde(rename = "refresh_token")]
    RefreshToken,
    /// RFC 8693 (token exchange); `token-exchange` is read as this too.
    #[serde(
        rename = "urn:ietf:params:oauth:grant-type:token-exchange",
        alias = "token-exchange"
    )]
    TokenExchange,
    /// RFC 7523 §2.1 (JWT bearer); `jwt-bearer` is read as this too.
    #[serde(
        rename = "urn:ietf:params:oauth:grant-type:jwt-bearer",
        alias = "jwt-bearer"
    )]
    JwtBearer,
    /// OpenID CIBA Core (client-initiated backchannel authentication);
    /// `ciba` is read as this too.
    #[serde(rename = "urn:openid:params:grant-type:ciba", alias = "ciba")]
    Ciba,
}

impl GrantType {
    /// Every grant, in the order a picker shows them.
    pub const ALL: [Self; 9] = [
        Self::AuthorizationCode,
        Self::ClientCredentials,
        Self::Password,
        Self::RefreshToken,
        Self::DeviceCode,
        Self::Implicit,
        Self::TokenExchange,
        Self::JwtBearer,
        Self::Ciba,
    ];

    /// The value as it is written in a profile and sent as `grant_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientCredentials => "client_credentials",
            Self::Password => "password",
            Self::AuthorizationCode => "authorization_code",
            Self::Implicit => "implicit",
            Self::DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
            Self::RefreshToken => "refresh_token",
            Self::TokenExchange => "urn:ietf:params:oauth:grant-type:token-exchange",
            Self::JwtBearer => "urn:ietf:params:oauth:grant-type:jwt-bearer",
            Self::Ciba => "urn:openid:params:grant-type:ciba",
        }
    }

    /// Parses the written form; also accepts the short names
    /// `device_code`, `token-exchange`, `jwt-bearer` and `ciba`.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "device_code" => return Some(Self::DeviceCode),
            "token-exchange" => return Some(Self::TokenExchange),
            "jwt-bearer" => return Some(Self::JwtBearer),
            "ciba" => return Some(Self::Ciba),
            _ => {}
        }
        Self::ALL.into_iter().find(|g| g.as_str() == value)
    }
}

impl fmt::Display for GrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// PKCE mode (RFC 7636).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum PkceMode {
    /// `code_challenge_method=S256`.
    #[default]
    S256,
    /// `code_challenge_method=plain`.
    #[serde(rename = "plain")]
    Plain,
    /// No PKCE.
    #[serde(rename = "none")]
    None,
}

/// Where the access token goes on an API call, as written.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum TokenPlacementKind {
    /// An HTTP header (RFC 6750 §2.1).
    #[default]
    Header,
    /// A query parameter (RFC 6750 §2.3).
    Query,
    /// A form-encoded body parameter (RFC 6750 §2.2).
    Body,
}

// ---------------------------------------------------------------------------
// The typed profile.

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

// ---------------------------------------------------------------------------
// Errors.

/// One thing wrong with a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The key, dotted for tables (`api.url`); `None` for a syntax error.
    pub key: Option<String>,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// What is wrong, for people.
    pub message: String,
}

/// A profile that cannot be used, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ProfileError {
    /// The file, when the profile came from one.
    pub path: Option<PathBuf>,
    /// What is wrong; never empty.
    pub problems: Vec<Problem>,
}

impl ProfileError {
    /// A problem with one field, not tied to a file.
    pub fn field(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: None,
            problems: vec![Problem {
                key: Some(key.into()),
                line: None,
                message: message.into(),
            }],
        }
    }

    /// The message of the problem with `key`, if there is one (for inline
    /// validation beside a field).
    pub fn message_for(&self, key: &str) -> Option<&str> {
        self.problems
            .iter()
            .find(|p| p.key.as_deref() == Some(key))
            .map(|p| p.message.as_str())
    }

    pub(crate) fn located(mut self, path: &Path, source: &str) -> Self {
        for problem in &mut self.problems {
            if problem.line.is_none()
                && let Some(key) = &problem.key
            {
                problem.line = locate_key(source, key);
            }
        }
        self.path = Some(path.to_path_buf());
        self
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if let Some(path) = &self.path {
                write!(f, "{}", path.display())?;
                if let Some(line) = problem.line {
                    write!(f, ":{line}")?;
                }
                write!(f, ": ")?;
            }
            if let Some(key) = &problem.key {
                write!(f, "{key}: ")?;
            }
            write!(f, "{}", problem.message)?;
        }
        Ok(())
    }
}

/// The 1-based line on which `key` (dotted for tables) is assigned.
fn locate_key(source: &str, dotted: &str) -> Option<usize> {
    let (table, key) = match dotted.rsplit_once('.') {
        Some((table, key)) => (table, key),
        None => ("", dotted),
    };
    let mut current = String::new();
    for (index, line) in source.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[') {
            current = header.trim_end_matches(']').trim().to_string();
            continue;
        }
        let Some((lhs, _)) = trimmed.split_once('=') else {
            continue;
        };
        let lhs = lhs.trim().trim_matches('"');
        if current == table && lhs == key {
            return Some(index + 1);
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Parsing.

impl ProfileFile {
    /// Parses TOML text; `path` is only used in messages.
    pub fn parse(source: &str, path: &Path) -> Result<Self, ProfileError> {
        toml::from_str(source).map_err(|err| {
            let line = err.span().map(|span| line_at(source, span.start));
            let key = unknown_field(err.message()).map(str::to_string);
            let mut message = err.message().trim().to_string();
            if let Some(hint) = did_you_mean(&message) {
                message.push_str(&format!("; did you mean `{hint}`?"));
            }
            ProfileError {
                path: Some(path.to_path_buf()),
                problems: vec![Problem { key, line, message }],
            }
        })
    }

    /// The TOML text of this profile.
    pub fn to_toml(&self) -> String {
        // Serialising plain strings, maps and options cannot fail; should a
        // future field make it fail, say so in the file rather than panic.
        toml::to_string_pretty(self).unwrap_or_else(|err| format!("# could not serialise: {err}\n"))
    }
}

impl ProfileFile {
    /// This profile with its secrets left out, for sharing: the client
    /// secret and the password, the token exchange's subject and actor
    /// tokens and the JWT bearer assertion, and the references to this
    /// machine's keychain (`*_env` references stay).
    pub fn without_secrets(&self) -> ProfileFile {
        ProfileFile {
            client_secret: None,
            password: None,
            token_exchange: self.token_exchange.clone().map(|table| {
                crate::engine::profile::grant_tables::TokenExchangeFile {
                    subject_token: None,
                    actor_token: None,
                    ..table
                }
            }),
            jwt_bearer: self.jwt_bearer.clone().map(|table| {
                crate::engine::profile::grant_tables::JwtBearerFile {
                    assertion: None,
                    ..table
                }
            }),
            ciba: self
                .ciba
                .clone()
                .map(crate::engine::profile::grant_tables::CibaFile::without_secrets),
            ..self.with_secrets_inline()
        }
    }

    /// This profile with its secrets written in it, for a file that leaves
    /// this machine: references to this machine's keychain are dropped, the
    /// values the store read from it stay.
    pub fn with_secrets_inline(&self) -> ProfileFile {
        ProfileFile {
            client_secret_keychain: None,
            password_keychain: None,
            ..self.clone()
        }
    }

    /// A client_credentials profile for a client account that an API call
    /// created (a JSON body with `client_id` and `client_secret`, as
    /// Orchestrator's `POST /api/v7.1/Clients` answers): this profile's
    /// server settings with the new credentials sent in the body. `None`
    /// when the body has no such pair.
    pub fn for_client_account(&self, body: &serde_json::Value) -> Option<ProfileFile> {
        let id = body.get("client_id")?.as_str()?.trim();
        let secret = body.get("client_secret")?.as_str()?;
        if id.is_empty() || secret.is_empty() {
            return None;
        }
        let short: String = id.chars().take(8).collect();
        Some(ProfileFile {
            name: Some(format!(
                "{} — client {short}",
                self.name.as_deref().unwrap_or("Profile")
            )),
            client_id: Some(id.to_string()),
            client_secret: Some(Secret::new(secret)),
            client_secret_env: None,
            client_secret_keychain: None,
            token_endpoint_auth_method: Some(ClientAuthMethod::ClientSecretPost),
            grant_type: Some(GrantType::ClientCredentials),
            username: None,
            password: None,
            password_env: None,
            password_keychain: None,
            ..self.clone()
        })
    }
}

/// The text of a profile file, or a problem naming the file.
pub(crate) fn read_profile_text(path: &Path) -> Result<String, ProfileError> {
    std::fs::read_to_string(path).map_err(|err| ProfileError {
        path: Some(path.to_path_buf()),
        problems: vec![Problem {
            key: None,
            line: None,
            message: format!("cannot read the file: {err}"),
        }],
    })
}

/// The name of a profile whose file does not give one: the file's stem.
pub(crate) fn default_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "profile".to_string())
}

/// The 1-based line of byte offset `offset` in `source`.
pub fn line_at(source: &str, offset: usize) -> usize {
    let end = offset.min(source.len());
    source.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The field named by a serde "unknown field `x`" message.
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

impl Profile {
    /// Reads and validates a profile file.
    pub fn load(path: &Path) -> Result<Self, ProfileError> {
        Self::parse(&read_profile_text(path)?, path)
    }

    /// Parses and validates profile text; `path` is used in messages and for
    /// the default name.
    pub fn parse(source: &str, path: &Path) -> Result<Self, ProfileError> {
        let file = ProfileFile::parse(source, path)?;
        Self::from_file(&file, &default_name(path)).map_err(|err| err.located(path, source))
    }

    /// Validates a profile as written, collecting every problem.
    pub fn from_file(file: &ProfileFile, default_name: &str) -> Result<Self, ProfileError> {
        placeholders::refuse_unfilled(file)?;
        let mut problems = Vec::new();
        if let Some(version) = file.schema_version.filter(|v| *v > SCHEMA_VERSION) {
            problems.push(problem(
                "schema_version",
                format!(
                    "the file was written for profile format {version}; this oauth-debugger reads format {SCHEMA_VERSION} — update it to use this file"
                ),
            ));
        }
        let base = non_empty(&file.base_url).and_then(|value| match parse_http_url(&value) {
            Ok(url) => Some(url),
            Err(message) => {
                problems.push(problem("base_url", message));
                None
            }
        });
        let base_given = file
            .base_url
            .as_deref()
            .is_some_and(|v| !v.trim().is_empty());
        let base = base.as_ref();
        let mut url = |key: &str, value: &Option<String>| -> Option<Url> {
            let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
            match resolve_url(value, base, base_given) {
                Ok(url) => Some(url),
                Err(message) => {
                    problems.push(problem(key, message));
                    None
                }
            }
        };
        let endpoints = Endpoints {
            issuer: url("issuer", &file.issuer),
            authorization: url("authorization_endpoint", &file.authorization_endpoint),
            token: url("token_endpoint", &file.token_endpoint),
            device_authorization: url(
                "device_authorization_endpoint",
                &file.device_authorization_endpoint,
            ),
            revocation: url("revocation_endpoint", &file.revocation_endpoint),
            introspection: url("introspection_endpoint", &file.introspection_endpoint),
            userinfo: url("userinfo_endpoint", &file.userinfo_endpoint),
            jwks_uri: url("jwks_uri", &file.jwks_uri),
            par: url(
                "pushed_authorization_request_endpoint",
                &file.pushed_authorization_request_endpoint,
            ),
            end_session: url("end_session_endpoint", &file.end_session_endpoint),
            backchannel_authentication: url(
                "backchannel_authentication_endpoint",
                &file.backchannel_authentication_endpoint,
            ),
        };
        let redirect_uri = url("redirect_uri", &file.redirect_uri);

        let client_secret = secret_source(
            "client_secret",
            &file.client_secret,
            &file.client_secret_env,
            &file.client_secret_keychain,
            &mut problems,
        );
        let password = secret_source(
            "password",
            &file.password,
            &file.password_env,
            &file.password_keychain,
            &mut problems,
        );
        // A secret the keychain did not give is reported once, on its own key.
        let secret_missing =
            file.client_secret.is_none() && non_empty(&file.client_secret_keychain).is_some();

        let auth_method = file
            .token_endpoint_auth_method
            .unwrap_or(if client_secret.is_some() {
                ClientAuthMethod::ClientSecretBasic
            } else {
                ClientAuthMethod::None
            });
        let client_cert_given = file
            .http
            .as_ref()
            .and_then(|h| non_empty(&h.client_cert_file))
            .is_some();
        let key_file_given = non_empty(&file.signing_key_file).is_some();
        let mut method_needs = |key: &str, method: ClientAuthMethod| {
            if method.needs_secret() && client_secret.is_none() && !secret_missing {
                problems.push(problem(
                    key,
                    format!(
                        "{} needs client_secret or client_secret_env",
                        method.as_str()
                    ),
                ));
            }
            if method == ClientAuthMethod::PrivateKeyJwt && !key_file_given {
                problems.push(problem(
                    key,
                    "private_key_jwt needs signing_key_file (the client's private key)",
                ));
            }
            if method.is_mtls() && !client_cert_given {
                problems.push(problem(
                    key,
                    format!(
                        "{} needs http.client_cert_file (the client's certificate)",
                        method.as_str()
                    ),
                ));
            }
        };
        method_needs("token_endpoint_auth_method", auth_method);
        let revocation_auth_method = file.revocation_endpoint_auth_method.unwrap_or(auth_method);
        if file.revocation_endpoint_auth_method.is_some() {
            method_needs("revocation_endpoint_auth_method", revocation_auth_method);
        }
        let introspection_auth_method = file
            .introspection_endpoint_auth_method
            .unwrap_or(auth_method);
        if file.introspection_endpoint_auth_method.is_some() {
            method_needs(
                "introspection_endpoint_auth_method",
                introspection_auth_method,
            );
        }
        let uses = |method: ClientAuthMethod| {
            [
                auth_method,
                revocation_auth_method,
                introspection_auth_method,
            ]
            .contains(&method)
        };
        let alg = |key: &str, value: &Option<String>, problems: &mut Vec<Problem>| {
            let value = non_empty(value)?;
            match crate::engine::client::keys::Alg::parse(&value) {
                Some(alg) => Some(alg),
                None => {
                    problems.push(problem(
                        key,
                        format!(
                            "\"{value}\" is not one of {}",
                            crate::engine::client::keys::Alg::ALL
                                .map(|a| a.as_str())
                                .join(", ")
                        ),
                    ));
                    None
                }
            }
        };
        let assertion_alg = alg(
            "token_endpoint_auth_signing_alg",
            &file.token_endpoint_auth_signing_alg,
            &mut problems,
        );
        if let Some(signing_alg) = assertion_alg {
            if signing_alg.is_hmac() && uses(ClientAuthMethod::PrivateKeyJwt) {
                problems.push(problem(
                    "token_endpoint_auth_signing_alg",
                    format!("{signing_alg} signs with the client secret; private_key_jwt signs with the key (RS256, PS256, ES256 or EdDSA)"),
                ));
            } else if !signing_alg.is_hmac() && uses(ClientAuthMethod::ClientSecretJwt) {
                problems.push(problem(
                    "token_endpoint_auth_signing_alg",
                    format!(
                        "client_secret_jwt signs with HS256, HS384 or HS512, not {signing_alg}"
                    ),
                ));
            }
        }
        let audience = match non_empty(&file.client_assertion_audience).as_deref() {
            None | Some("issuer") => AssertionAudience::Issuer,
            Some("token_endpoint") => AssertionAudience::TokenEndpoint,
            Some(other) => match Url::parse(other) {
                Ok(_) => AssertionAudience::Url(other.to_string()),
                Err(_) => {
                    problems.push(problem(
                        "client_assertion_audience",
                        format!("\"{other}\" is none of issuer, token_endpoint or a URL"),
                    ));
                    AssertionAudience::Issuer
                }
            },
        };
        let typ = match non_empty(&file.client_assertion_typ).as_deref() {
            None | Some("JWT") => "JWT".to_string(),
            Some("client-authentication+jwt") => "client-authentication+jwt".to_string(),
            Some(other) => {
                problems.push(problem(
                    "client_assertion_typ",
                    format!("\"{other}\" is neither JWT nor client-authentication+jwt"),
                ));
                "JWT".to_string()
            }
        };
        let assertion = AssertionSettings {
            alg: assertion_alg,
            key_file: non_empty(&file.signing_key_file).map(PathBuf::from),
            kid: non_empty(&file.signing_key_kid),
            audience,
            typ,
        };
        let dpop_alg = alg("dpop_signing_alg", &file.dpop_signing_alg, &mut problems);
        if let Some(hmac) = dpop_alg.filter(|a| a.is_hmac()) {
            problems.push(problem(
                "dpop_signing_alg",
                format!("DPoP proofs are signed with a key pair (RFC 9449 §4.2), not {hmac}"),
            ));
        }
        let request_object_alg = alg(
            "request_object_signing_alg",
            &file.request_object_signing_alg,
            &mut problems,
        );
        if request_object_alg.is_some_and(|a| !a.is_hmac())
            && non_empty(&file.signing_key_file).is_none()
        {
            problems.push(problem(
                "request_object_signing_alg",
                "a signed request object needs signing_key_file (the client's private key)",
            ));
        }
        if request_object_alg.is_some_and(|a| a.is_hmac())
            && client_secret.is_none()
            && !secret_missing
        {
            problems.push(problem(
                "request_object_signing_alg",
                "an HMAC-signed request object needs the client secret",
            ));
        }
        let response_mode = match non_empty(&file.response_mode) {
            None => ResponseMode::Default,
            Some(name) => ResponseMode::parse(&name).unwrap_or_else(|| {
                problems.push(problem(
                    "response_mode",
                    format!(
                        "\"{name}\" is not one of {}",
                        ResponseMode::ALL
                            .iter()
                            .filter_map(|m| m.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
                ResponseMode::Default
            }),
        };
        // The hybrid flow (OIDC Core §3.3): words in any order.
        let response_type = non_empty(&file.response_type)
            .map(|text| {
                crate::engine::grants::hybrid::CodeResponseType::parse(&text).unwrap_or_else(
                    |message| {
                        problems.push(problem("response_type", message));
                        Default::default()
                    },
                )
            })
            .unwrap_or_default();
        let authz = AuthzRequestSettings {
            par: file.require_pushed_authorization_requests.unwrap_or(false),
            request_object_alg,
            response_mode,
            response_type,
            jarm_alg: non_empty(&file.authorization_signed_response_alg),
            iss_parameter_supported: file.authorization_response_iss_parameter_supported,
        };
        let dpop = file
            .dpop_bound_access_tokens
            .unwrap_or(false)
            .then(|| DpopSettings {
                key_file: non_empty(&file.dpop_key_file).map(PathBuf::from),
                alg: dpop_alg,
            });
        let api = file
            .api
            .as_ref()
            .and_then(|api| api_config(api, base, base_given, &mut problems));
        if let Some(url) = file.mcp.as_ref().and_then(|mcp| mcp.url.as_deref())
            && let Err(message) = parse_http_url(url)
        {
            problems.push(problem("mcp.url", message));
        }
        let logout = file.logout.as_ref().and_then(|logout| {
            let url = required_url(&logout.url, "logout.url", base, base_given, &mut problems)?;
            let method = method_or(&logout.method, "DELETE", "logout.method", &mut problems)?;
            Some(LogoutConfig { url, method })
        });
        let oidc_logout = oidc_logout_settings(file.oidc_logout.as_ref(), &mut problems);
        let requests = file
            .requests
            .iter()
            .enumerate()
            .filter_map(|(index, request)| {
                let key = |field: &str| format!("requests[{index}].{field}");
                let url = required_url(&request.url, &key("url"), base, base_given, &mut problems)?;
                let method = method_or(&request.method, "GET", &key("method"), &mut problems)?;
                header_names(request.headers.keys(), &key("headers"), &mut problems);
                Some(SavedRequest {
                    name: non_empty(&request.name)
                        .unwrap_or_else(|| format!("{method} {}", url.path())),
                    method,
                    url,
                    headers: pairs(&request.headers),
                    query: pairs(&request.query),
                    body: request.body.clone(),
                })
            })
            .collect();
        let http = HttpSettings {
            accept_invalid_certs: file
                .http
                .as_ref()
                .and_then(|h| h.accept_invalid_certs)
                .unwrap_or(false),
            timeout: match file.http.as_ref().and_then(|h| h.timeout_secs) {
                Some(0) => {
                    problems.push(problem("http.timeout_secs", "must be at least 1"));
                    Duration::from_secs(DEFAULT_TIMEOUT_SECS)
                }
                Some(secs) => Duration::from_secs(secs),
                None => Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            },
            connect_timeout: match file.http.as_ref().and_then(|h| h.connect_timeout_secs) {
                Some(0) => {
                    problems.push(problem("http.connect_timeout_secs", "must be at least 1"));
                    Duration::from_secs(DEFAULT_CONNECT_TIMEOUT_SECS)
                }
                Some(secs) => Duration::from_secs(secs),
                None => Duration::from_secs(DEFAULT_CONNECT_TIMEOUT_SECS),
            },
            max_response_bytes: match file.http.as_ref().and_then(|h| h.max_response_mb) {
                Some(mb) if mb == 0 || mb > MAX_RESPONSE_MB => {
                    problems.push(problem(
                        "http.max_response_mb",
                        format!("must be from 1 to {MAX_RESPONSE_MB}"),
                    ));
                    crate::engine::wire::http::DEFAULT_MAX_BODY_BYTES
                }
                Some(mb) => mb as usize * 1024 * 1024,
                None => crate::engine::wire::http::DEFAULT_MAX_BODY_BYTES,
            },
            ca_file: file
                .http
                .as_ref()
                .and_then(|h| non_empty(&h.ca_file))
                .map(PathBuf::from),
            proxy: file
                .http
                .as_ref()
                .and_then(|h| non_empty(&h.proxy))
                .and_then(|value| {
                    parse_http_url(&value)
                        .map_err(|message| problems.push(problem("http.proxy", message)))
                        .ok()
                }),
            client_cert_file: file
                .http
                .as_ref()
                .and_then(|h| non_empty(&h.client_cert_file))
                .map(PathBuf::from),
            client_key_file: file
                .http
                .as_ref()
                .and_then(|h| non_empty(&h.client_key_file))
                .map(PathBuf::from),
        };

        let clock_skew = match file.clock_skew_secs {
            Some(secs) if secs > MAX_CLOCK_SKEW_SECS => {
                problems.push(problem(
                    "clock_skew_secs",
                    format!("must be at most {MAX_CLOCK_SKEW_SECS} (one hour)"),
                ));
                Duration::from_secs(DEFAULT_CLOCK_SKEW_SECS)
            }
            Some(secs) => Duration::from_secs(secs),
            None => Duration::from_secs(DEFAULT_CLOCK_SKEW_SECS),
        };

        let resources = match crate::engine::requests::resource::parse(
            &file
                .resource
                .as_ref()
                .map(crate::engine::profile::grant_tables::OneOrMany::values)
                .unwrap_or_default(),
        ) {
            Ok(resources) => resources,
            Err(message) => {
                problems.push(problem("resource", message));
                Vec::new()
            }
        };
        let resource_pairs = resources
            .iter()
            .map(|r| ("resource".to_string(), r.clone()));
        // RFC 9396 §2: checked here, sent as compact JSON (§3).
        let authorization_details = match file
            .authorization_details
            .as_ref()
            .map(crate::engine::requests::rar::parse)
            .transpose()
        {
            Ok(details) => details.flatten(),
            Err(message) => {
                problems.push(problem(crate::engine::requests::rar::PARAMETER, message));
                None
            }
        };
        let details_pair = authorization_details.as_ref().map(|d| {
            (
                crate::engine::requests::rar::PARAMETER.to_string(),
                d.compact(),
            )
        });
        let authorize_params: Vec<(String, String)> = pairs(&file.authorize_params)
            .into_iter()
            .chain(resource_pairs.clone())
            .chain(details_pair)
            .collect();
        // acr_values and max_age: the profile keys, else the same names
        // written as extra authorization parameters.
        let auth_requirement = if file.acr_values.is_some() || file.max_age.is_some() {
            for name in ["acr_values", "max_age"] {
                if authorize_params.iter().any(|(k, _)| k == name) {
                    problems.push(problem(
                        name,
                        format!(
                            "{name} is written both as a profile key and in authorize_params; keep one"
                        ),
                    ));
                }
            }
            crate::engine::requests::step_up::AuthRequirement::new(
                file.acr_values.as_deref(),
                file.max_age,
            )
        } else {
            crate::engine::requests::step_up::AuthRequirement::from_params(&authorize_params)
        };
        let authorize_params = auth_requirement.replace_in(&authorize_params);
        let token_params = pairs(&file.token_params)
            .into_iter()
            .chain(resource_pairs)
            .collect();

        let token_exchange = file.token_exchange.as_ref().map(|table| {
            crate::engine::profile::grant_tables::token_exchange(table, &mut problems)
        });
        let jwt_bearer = file.jwt_bearer.as_ref().map(|table| {
            crate::engine::profile::grant_tables::jwt_bearer(table, key_file_given, &mut problems)
        });
        let ciba = file
            .ciba
            .as_ref()
            .map(|table| crate::engine::profile::grant_tables::ciba(table, &mut problems));

        if !problems.is_empty() {
            return Err(ProfileError {
                path: None,
                problems,
            });
        }
        Ok(Profile {
            name: non_empty(&file.name).unwrap_or_else(|| default_name.to_string()),
            endpoints,
            client_id: non_empty(&file.client_id),
            client_secret,
            auth_method,
            revocation_auth_method,
            introspection_auth_method,
            assertion,
            dpop,
            authz,
            fapi2: file.fapi2.unwrap_or(false),
            verify_id_token: file.verify_id_token.unwrap_or(true),
            resources,
            auth_requirement,
            authorization_details,
            grant: file.grant_type,
            scopes: file
                .scope
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            username: non_empty(&file.username),
            password,
            redirect_uri,
            pkce: file.pkce.unwrap_or_default(),
            clock_skew,
            authorize_params,
            token_params,
            api,
            http,
            compat: file.compat.unwrap_or_default(),
            logout,
            oidc_logout,
            requests,
            token_exchange,
            jwt_bearer,
            ciba,
        })
    }

    /// The token endpoint, or an error naming the missing field.
    pub fn token_endpoint(&self) -> Result<&Url, ProfileError> {
        self.endpoints
            .token
            .as_ref()
            .ok_or_else(|| ProfileError::field("token_endpoint", "is required for this grant"))
    }

    /// The client id, or an error naming the missing field.
    pub fn require_client_id(&self) -> Result<&str, ProfileError> {
        self.client_id
            .as_deref()
            .ok_or_else(|| ProfileError::field("client_id", "is required for this grant"))
    }

    /// The scope as sent on the wire, if any.
    pub fn scope_string(&self) -> Option<String> {
        (!self.scopes.is_empty()).then(|| self.scopes.join(" "))
    }
}

/// A problem with the profile key `key`.
pub(crate) fn problem(key: &str, message: impl Into<String>) -> Problem {
    Problem {
        key: Some(key.to_string()),
        line: None,
        message: message.into(),
    }
}

/// The value, trimmed, when it is not empty.
pub(crate) fn non_empty(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn pairs(map: &BTreeMap<String, String>) -> Vec<(String, String)> {
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Parses an absolute http(s) URL.
pub fn parse_http_url(value: &str) -> Result<Url, String> {
    let missing_scheme = || {
        format!(
            "`{value}` has no scheme; add https:// in front (`https://{value}`), or http:// for a server without TLS"
        )
    };
    let url = match Url::parse(value) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => return Err(missing_scheme()),
        Err(err) => return Err(format!("`{value}` is not a valid URL: {err}")),
    };
    match url.scheme() {
        "http" | "https" => Ok(url),
        // `localhost:8080/token` reads as the scheme `localhost`.
        _ if !value.contains("://") && looks_like_host_and_port(value) => Err(missing_scheme()),
        other => Err(format!(
            "`{value}` uses the scheme `{other}`; only http and https are supported"
        )),
    }
}

/// The expected value that differs from the one written only in case
/// (`pkce = "s256"` → `S256`), read from serde's "unknown variant `x`,
/// expected one of `A`, `B`" message.
fn did_you_mean(message: &str) -> Option<String> {
    let rest = message.split_once("unknown variant `")?.1;
    let (given, rest) = rest.split_once('`')?;
    rest.split('`')
        .skip(1)
        .step_by(2)
        .find(|expected| expected.eq_ignore_ascii_case(given) && *expected != given)
        .map(str::to_string)
}

/// `host:port` or `host:port/path`: a URL written without its scheme.
fn looks_like_host_and_port(value: &str) -> bool {
    value.split_once(':').is_some_and(|(_, rest)| {
        let port = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !port.is_empty() && port.chars().all(|c| c.is_ascii_digit())
    })
}

/// Where a secret comes from. `inline` is the value in the file, or — for a
/// keychain secret — the value the store read from the keychain into memory;
/// a keychain reference with no value means the keychain did not give it.
fn secret_source(
    key: &str,
    inline: &Option<Secret>,
    env: &Option<String>,
    keychain: &Option<String>,
    problems: &mut Vec<Problem>,
) -> Option<SecretSource> {
    let env = non_empty(env);
    let keychain = non_empty(keychain);
    if env.is_some() && (inline.is_some() || keychain.is_some()) {
        let other = if keychain.is_some() {
            format!("{key}_keychain")
        } else {
            key.to_string()
        };
        problems.push(problem(
            key,
            format!("set either {other} or {key}_env, not both"),
        ));
        return None;
    }
    match (inline, env, keychain) {
        (Some(secret), None, _) if !secret.is_empty() => Some(SecretSource::Inline(secret.clone())),
        (_, Some(var), _) => Some(SecretSource::Env(var)),
        (None, None, Some(account)) => {
            problems.push(problem(
                &format!("{key}_keychain"),
                format!(
                    "the secret `{account}` could not be read from the OS keychain (service `oauth-debugger`); type it again in the app and save, or set {key}_env"
                ),
            ));
            None
        }
        _ => None,
    }
}

/// Resolves an endpoint: an absolute http(s) URL, or a path (starting with
/// `/`) under `base_url`. `base_given` says whether a base URL was written
/// (it may have been invalid, which is reported on its own key).
fn resolve_url(value: &str, base: Option<&Url>, base_given: bool) -> Result<Url, String> {
    if !value.starts_with('/') {
        return parse_http_url(value);
    }
    match base {
        Some(base) => parse_http_url(&format!("{}{value}", base.as_str().trim_end_matches('/'))),
        None if base_given => Err(format!("`{value}` is a path, and base_url is not valid")),
        None => Err(format!(
            "`{value}` is a path; set base_url to the server's address, or write the whole URL"
        )),
    }
}

/// `[oidc_logout]` typed: the redirect URI any absolute http(s) URL, the
/// back-channel URI loopback http (the debugger serves it on 127.0.0.1).
fn oidc_logout_settings(
    file: Option<&OidcLogoutFile>,
    problems: &mut Vec<Problem>,
) -> OidcLogoutSettings {
    let Some(file) = file else {
        return OidcLogoutSettings::default();
    };
    let mut absolute = |key: &str, value: &Option<String>| {
        let value = non_empty(value)?;
        match parse_http_url(&value) {
            Ok(url) => Some(url),
            Err(message) => {
                problems.push(problem(key, message));
                None
            }
        }
    };
    let post_logout_redirect_uri = absolute(
        "oidc_logout.post_logout_redirect_uri",
        &file.post_logout_redirect_uri,
    );
    let backchannel_logout_uri = absolute(
        "oidc_logout.backchannel_logout_uri",
        &file.backchannel_logout_uri,
    )
    .filter(|url| {
        let loopback = url.scheme() == "http"
            && matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback());
        if !loopback {
            problems.push(problem(
                "oidc_logout.backchannel_logout_uri",
                format!(
                    "{url} is not a loopback http URI; the debugger receives logout tokens on 127.0.0.1 only (write http://127.0.0.1:PORT/PATH, port 0 for any)"
                ),
            ));
        }
        loopback
    });
    OidcLogoutSettings {
        post_logout_redirect_uri,
        logout_hint: non_empty(&file.logout_hint),
        ui_locales: non_empty(&file.ui_locales),
        backchannel_logout_uri,
    }
}

fn required_url(
    value: &Option<String>,
    key: &str,
    base: Option<&Url>,
    base_given: bool,
    problems: &mut Vec<Problem>,
) -> Option<Url> {
    let Some(value) = non_empty(value) else {
        problems.push(problem(key, "is required"));
        return None;
    };
    resolve_url(&value, base, base_given)
        .map_err(|message| problems.push(problem(key, message)))
        .ok()
}

fn method_or(
    value: &Option<String>,
    default: &str,
    key: &str,
    problems: &mut Vec<Problem>,
) -> Option<http::Method> {
    let text = non_empty(value).unwrap_or_else(|| default.to_string());
    http::Method::from_bytes(text.to_ascii_uppercase().as_bytes())
        .map_err(|_| problems.push(problem(key, format!("`{text}` is not an HTTP method"))))
        .ok()
}

fn header_names<'a>(
    names: impl Iterator<Item = &'a String>,
    key: &str,
    problems: &mut Vec<Problem>,
) {
    for name in names {
        if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            problems.push(problem(key, format!("`{name}` is not a valid header name")));
        }
    }
}

fn api_config(
    api: &ApiFile,
    base: Option<&Url>,
    base_given: bool,
    problems: &mut Vec<Problem>,
) -> Option<ApiConfig> {
    let url = match non_empty(&api.url) {
        None => {
            problems.push(problem("api.url", "is required in [api]"));
            return None;
        }
        Some(url) => match resolve_url(&url, base, base_given) {
            Ok(url) => url,
            Err(message) => {
                problems.push(problem("api.url", message));
                return None;
            }
        },
    };
    let method = method_or(&api.method, "GET", "api.method", problems)?;
    let param = non_empty(&api.query_param).unwrap_or_else(|| "access_token".to_string());
    let placement = match api.token_placement.unwrap_or_default() {
        TokenPlacementKind::Header => {
            let name = non_empty(&api.header_name).unwrap_or_else(|| "Authorization".to_string());
            if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                problems.push(problem(
                    "api.header_name",
                    format!("`{name}` is not a valid header name"),
                ));
            }
            TokenPlacement::Header {
                name,
                prefix: api
                    .header_prefix
                    .clone()
                    .unwrap_or_else(|| "Bearer".to_string()),
            }
        }
        TokenPlacementKind::Query => TokenPlacement::Query { param },
        TokenPlacementKind::Body => TokenPlacement::Body { param },
    };
    header_names(api.headers.keys(), "api.headers", problems);
    Some(ApiConfig {
        url,
        method,
        placement,
        headers: pairs(&api.headers),
        query: pairs(&api.query),
        body: api.body.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(source: &str) -> Result<Profile, ProfileError> {
        Profile::parse(source, Path::new("test.toml"))
    }

    #[test]
    fn a_full_profile_parses_into_typed_values() {
        let profile = parse(
            r#"
name = "Full"
token_endpoint = "https://as.example/token"
client_id = "abc"
client_secret = "s3cret"
token_endpoint_auth_method = "client_secret_post"
grant_type = "client_credentials"
scope = "read  write"

[token_params]
audience = "api"

[api]
url = "https://api.example/me"
method = "post"
token_placement = "query"
query_param = "oauth_token"

[api.headers]
X-Api-Version = "2"

[http]
timeout_secs = 5
"#,
        )
        .expect("valid profile");
        assert_eq!(profile.name, "Full");
        assert_eq!(profile.auth_method, ClientAuthMethod::ClientSecretPost);
        assert_eq!(profile.grant, Some(GrantType::ClientCredentials));
        assert_eq!(profile.scopes, vec!["read", "write"]);
        assert_eq!(
            profile.token_params,
            vec![("audience".into(), "api".into())]
        );
        let api = profile.api.expect("api");
        assert_eq!(api.method, http::Method::POST);
        assert_eq!(
            api.placement,
            TokenPlacement::Query {
                param: "oauth_token".into()
            }
        );
        assert_eq!(profile.http.timeout, Duration::from_secs(5));
        assert_eq!(profile.clock_skew, Duration::from_secs(60));
    }

    #[test]
    fn clock_skew_is_bounded() {
        let profile = parse("clock_skew_secs = 5\n").expect("valid");
        assert_eq!(profile.clock_skew, Duration::from_secs(5));
        let err = parse("clock_skew_secs = 86400\n").expect_err("too large");
        assert_eq!(err.problems[0].key.as_deref(), Some("clock_skew_secs"));
        assert_eq!(err.problems[0].line, Some(1));
    }

    #[test]
    fn an_unknown_key_names_file_line_and_key() {
        let err = parse("client_id = \"a\"\n\nclient_sercet = \"x\"\n").expect_err("unknown key");
        let text = err.to_string();
        assert!(text.starts_with("test.toml:3: client_sercet: "), "{text}");
        assert!(text.contains("unknown field"), "{text}");
    }

    #[test]
    fn a_wrong_value_names_file_line_and_key() {
        let err = parse("client_id = \"a\"\ngrant_type = \"magic\"\n").expect_err("bad grant");
        let text = err.to_string();
        assert!(text.starts_with("test.toml:2"), "{text}");
        assert!(text.contains("magic"), "{text}");

        let err = parse("[api]\nmethod = \"GET\"\nurl = \"ftp://x\"\n").expect_err("bad url");
        assert_eq!(err.problems[0].key.as_deref(), Some("api.url"));
        assert_eq!(err.problems[0].line, Some(3));
    }

    #[test]
    fn a_newer_schema_version_is_refused_by_name() {
        assert!(parse("schema_version = 1\nclient_id = \"a\"\n").is_ok());
        assert!(parse("schema_version = 2\nclient_id = \"a\"\n").is_ok());
        let err = parse("schema_version = 3\nclient_id = \"a\"\n").expect_err("newer");
        assert_eq!(err.problems[0].key.as_deref(), Some("schema_version"));
        assert_eq!(err.problems[0].line, Some(1));
    }

    #[test]
    fn secrets_cannot_be_given_twice() {
        let err = parse("client_secret = \"a\"\nclient_secret_env = \"B\"\n").expect_err("twice");
        assert_eq!(err.problems[0].key.as_deref(), Some("client_secret"));
        let err =
            parse("password_keychain = \"p/password\"\npassword_env = \"B\"\n").expect_err("twice");
        assert_eq!(err.problems[0].key.as_deref(), Some("password"));
        assert_eq!(
            err.problems[0].message,
            "set either password_keychain or password_env, not both"
        );
        // The value the store read from the keychain, with its reference,
        // is one secret, not two.
        let profile = parse(
            "client_secret = \"from-keychain\"\nclient_secret_keychain = \"p/client_secret\"\n",
        )
        .expect("one secret");
        assert!(matches!(
            profile.client_secret,
            Some(SecretSource::Inline(_))
        ));
    }

    #[test]
    fn a_keychain_secret_that_was_not_read_is_one_problem_on_its_key() {
        let err = parse("client_secret_keychain = \"p/client_secret\"\ntoken_endpoint_auth_method = \"client_secret_post\"\n")
            .expect_err("no value");
        assert_eq!(err.problems.len(), 1, "{err}");
        assert_eq!(
            err.problems[0].key.as_deref(),
            Some("client_secret_keychain")
        );
        assert_eq!(err.problems[0].line, Some(1));
    }

    #[test]
    fn the_auth_method_defaults_from_the_secret() {
        let public = parse("client_id = \"a\"\n").expect("public");
        assert_eq!(public.auth_method, ClientAuthMethod::None);
        let confidential = parse("client_id = \"a\"\nclient_secret = \"b\"\n").expect("secret");
        assert_eq!(
            confidential.auth_method,
            ClientAuthMethod::ClientSecretBasic
        );
        let err =
            parse("token_endpoint_auth_method = \"client_secret_basic\"\n").expect_err("no secret");
        assert!(err.message_for("token_endpoint_auth_method").is_some());
    }

    #[test]
    fn a_profile_survives_a_round_trip_through_toml() {
        let mut file = ProfileFile {
            name: Some("Round trip".into()),
            token_endpoint: Some("http://127.0.0.1:1/token".into()),
            client_secret: Some(Secret::new("x")),
            grant_type: Some(GrantType::DeviceCode),
            api: Some(ApiFile {
                url: Some("http://127.0.0.1:1/api".into()),
                ..ApiFile::default()
            }),
            ..ProfileFile::default()
        };
        file.token_params.insert("a".into(), "b".into());
        let text = file.to_toml();
        let back = ProfileFile::parse(&text, Path::new("x.toml")).expect("parses back");
        assert_eq!(back, file);
    }

    #[test]
    fn env_secrets_resolve_or_name_the_variable() {
        let source = SecretSource::Env("OAUTH_DEBUGGER_TEST_UNSET_VARIABLE".into());
        let err = source.resolve("client_secret").expect_err("unset");
        assert!(
            err.to_string()
                .contains("OAUTH_DEBUGGER_TEST_UNSET_VARIABLE")
        );
    }
}
