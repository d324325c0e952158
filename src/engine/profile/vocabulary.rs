//! The enumerations the file and the typed profile share: client
//! authentication methods, grant types, PKCE modes, response modes, token
//! placements.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

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
