//! The profile file as written: [`ProfileFile`] and its tables, every
//! field optional and checked only for its TOML type; parsing, writing and
//! the shareable copy without secrets.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::store::secret::Secret;

use super::*;

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
