//! The identity providers people use, and what each does its own way.
//!
//! [`Provider::recognise`] tells a provider from an issuer or endpoint URL
//! (its host, or a path only it uses: Keycloak's `/realms/…`, Entra's
//! `/oauth2/v2.0/…`, GitHub's `/login/oauth/…`). [`check_tokens`] turns the
//! quirks that show after a grant into findings, each citing the provider's
//! own documentation; [`code_hints`] explains the provider error codes they
//! put in `error_description` (Entra's `AADSTS…`, Okta's `E0000…`, Auth0's
//! messages) with the documented cause and fix. The tables live here;
//! `explain` calls [`code_hints`] with one line.

use serde_json::Value;
use url::Url;

use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::profile::{ClientAuthMethod, GrantType, Profile};
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::http::RecordedRequest;

mod codes;
pub use codes::*;

/// A provider with known quirks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// Microsoft Entra ID (the Microsoft identity platform).
    Entra,
    /// Okta (org or custom authorization server).
    Okta,
    /// Auth0.
    Auth0,
    /// Google.
    Google,
    /// Keycloak.
    Keycloak,
    /// Amazon Cognito user pools.
    Cognito,
    /// GitHub OAuth apps.
    GitHub,
}

/// Microsoft's page of AADSTS codes.
pub const ENTRA_ERRORS_DOC: &str = "Microsoft Entra authentication and authorization error codes, https://learn.microsoft.com/entra/identity-platform/reference-error-codes";
/// Okta's page of error codes.
pub const OKTA_ERRORS_DOC: &str =
    "Okta error codes and descriptions, https://developer.okta.com/docs/reference/error-codes/";
/// Entra's access token reference (the `ver` claim).
const ENTRA_TOKENS_DOC: &str = "Microsoft identity platform access tokens, https://learn.microsoft.com/entra/identity-platform/access-tokens";
/// Google's web server guide (`access_type=offline`).
const GOOGLE_OFFLINE_DOC: &str = "Using OAuth 2.0 for Web Server Applications (Refresh access token offline access), https://developers.google.com/identity/protocols/oauth2/web-server#offline";
/// Auth0 on access tokens and `audience`.
const AUTH0_AUDIENCE_DOC: &str = "Auth0 Access Tokens (opaque without an audience), https://auth0.com/docs/secure/tokens/access-tokens";
/// Auth0's common errors.
const AUTH0_ERRORS_DOC: &str = "Auth0 Authentication API errors, https://auth0.com/docs/api/authentication#standard-error-responses";
/// GitHub's guide.
const GITHUB_DOC: &str = "GitHub Docs, Authorizing OAuth apps, https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps";
/// GitHub on expiring user tokens (refresh tokens).
const GITHUB_REFRESH_DOC: &str = "GitHub Docs, Refreshing user access tokens, https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens";
/// Cognito's token endpoint.
const COGNITO_TOKEN_DOC: &str = "Amazon Cognito, The token issuer endpoint, https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html";
/// Cognito's userInfo endpoint.
const COGNITO_USERINFO_DOC: &str = "Amazon Cognito, The user attributes endpoint, https://docs.aws.amazon.com/cognito/latest/developerguide/userinfo-endpoint.html";
/// Keycloak's OIDC endpoints.
const KEYCLOAK_DOC: &str = "Keycloak, Securing applications with OIDC (endpoints), https://www.keycloak.org/securing-apps/oidc-layers";
/// Okta's authorization servers.
const OKTA_AS_DOC: &str = "Okta, Authorization servers (org vs custom), https://developer.okta.com/docs/concepts/auth-servers/";

impl Provider {
    /// Every provider.
    pub const ALL: [Provider; 7] = [
        Provider::Entra,
        Provider::Okta,
        Provider::Auth0,
        Provider::Google,
        Provider::Keycloak,
        Provider::Cognito,
        Provider::GitHub,
    ];

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Entra => "Microsoft Entra ID",
            Self::Okta => "Okta",
            Self::Auth0 => "Auth0",
            Self::Google => "Google",
            Self::Keycloak => "Keycloak",
            Self::Cognito => "Amazon Cognito",
            Self::GitHub => "GitHub",
        }
    }

    /// The provider `url` belongs to, from its host or a path only that
    /// provider uses.
    pub fn recognise(url: &Url) -> Option<Provider> {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let path = url.path();
        let ends = |suffix: &str| host == suffix[1..] || host.ends_with(suffix);
        if matches!(
            host.as_str(),
            "login.microsoftonline.com"
                | "login.microsoftonline.us"
                | "login.partner.microsoftonline.cn"
        ) || ends(".ciamlogin.com")
            || path.contains("/oauth2/v2.0/")
        {
            return Some(Self::Entra);
        }
        if ends(".okta.com") || ends(".oktapreview.com") || ends(".okta-emea.com") {
            return Some(Self::Okta);
        }
        if ends(".auth0.com") {
            return Some(Self::Auth0);
        }
        if matches!(
            host.as_str(),
            "accounts.google.com" | "oauth2.googleapis.com" | "www.googleapis.com"
        ) {
            return Some(Self::Google);
        }
        if ends(".amazoncognito.com")
            || (host.starts_with("cognito-idp.") && host.ends_with(".amazonaws.com"))
        {
            return Some(Self::Cognito);
        }
        if host == "github.com" || path.starts_with("/login/oauth/") {
            return Some(Self::GitHub);
        }
        let mut segments = path.split('/').filter(|s| !s.is_empty());
        if segments.any(|s| s == "realms") && segments.next().is_some() {
            return Some(Self::Keycloak);
        }
        None
    }

    /// The provider of `profile`, from its issuer, token or authorization
    /// endpoint (the first that is recognised).
    pub fn of_profile(profile: &Profile) -> Option<Provider> {
        let e = &profile.endpoints;
        [&e.issuer, &e.token, &e.authorization]
            .into_iter()
            .flatten()
            .find_map(Self::recognise)
    }
}

// ---------------------------------------------------------------------------
// Quirks after a grant.

/// What a grant sent and got back, as far as the provider quirks care.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// The grant.
    pub grant: Option<GrantType>,
    /// The token endpoint's path.
    pub token_path: String,
    /// Scopes asked for.
    pub scopes: Vec<String>,
    /// Scope granted, when the server said.
    pub granted_scope: Option<String>,
    /// Extra authorization and token parameters (name, value).
    pub params: Vec<(String, String)>,
    /// How the client authenticated.
    pub auth_method: Option<ClientAuthMethod>,
    /// The profile's issuer.
    pub issuer: Option<String>,
    /// The token request's Accept header.
    pub accept: Option<String>,
    /// Whether a refresh token came.
    pub refresh_token: bool,
    /// The access token's claims, when it is a JWT; `None` for an opaque one.
    pub access_claims: Option<Value>,
    /// The ID token's claims.
    pub id_claims: Option<Value>,
}

impl Observed {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The findings for the provider quirks that show in `tokens`, the token
/// response `profile`'s grant got, sent as `request`.
pub fn check_tokens(
    profile: &Profile,
    tokens: &TokenSet,
    request: Option<&RecordedRequest>,
) -> Vec<Finding> {
    let Some(provider) = Provider::of_profile(profile) else {
        return Vec::new();
    };
    let claims = |source: &str| {
        tokens
            .jwts
            .iter()
            .find(|jwt| jwt.source == source)
            .map(|jwt| jwt.claims.clone())
    };
    let observed = Observed {
        grant: Some(tokens.grant),
        token_path: profile
            .endpoints
            .token
            .as_ref()
            .map(|u| u.path().to_string())
            .unwrap_or_default(),
        scopes: profile.scopes.clone(),
        granted_scope: tokens.scope.clone(),
        params: profile
            .authorize_params
            .iter()
            .chain(&profile.token_params)
            .cloned()
            .collect(),
        auth_method: Some(profile.auth_method),
        issuer: profile.endpoints.issuer.as_ref().map(Url::to_string),
        accept: request.and_then(|r| {
            r.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("accept"))
                .map(|(_, v)| v.clone())
        }),
        refresh_token: tokens.refresh_token.is_some(),
        access_claims: claims("access_token"),
        id_claims: claims("id_token"),
    };
    quirks(provider, &observed)
}

fn finding(severity: Severity, code: &str, message: String, doc: &str) -> Finding {
    Finding::new(severity, code, message, Some(doc))
}

/// The findings for `provider`'s quirks in what was observed.
pub fn quirks(provider: Provider, seen: &Observed) -> Vec<Finding> {
    let mut findings = Vec::new();
    let code_grant = seen.grant == Some(GrantType::AuthorizationCode);
    match provider {
        Provider::Entra => {
            let ver = seen
                .access_claims
                .as_ref()
                .and_then(|c| c.get("ver"))
                .and_then(Value::as_str);
            if ver == Some("1.0") {
                findings.push(finding(
                    Severity::Warning,
                    "entra_v1_access_token",
                    "Microsoft Entra ID issued a v1.0 access token (ver \"1.0\") although the v2.0 endpoint was used: the token's version follows the API's app registration (requestedAccessTokenVersion null or 1), not the endpoint. Its iss is https://sts.windows.net/{tenant}/ and its aud the API's App ID URI, so an API validating v2.0 tokens refuses it; set accessTokenAcceptedVersion = 2 in the API's manifest for v2.0 tokens".to_string(),
                    ENTRA_TOKENS_DOC,
                ));
            }
            if seen.grant == Some(GrantType::ClientCredentials)
                && !seen.scopes.iter().any(|s| s.ends_with("/.default"))
            {
                findings.push(finding(
                    Severity::Warning,
                    "entra_scope_without_default",
                    "Microsoft Entra ID's client credentials grant takes scope = \"<resource>/.default\" (the application permissions granted to the app); this profile's scope has no /.default".to_string(),
                    "Microsoft identity platform and the OAuth 2.0 client credentials flow, https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow",
                ));
            }
        }
        Provider::Google => {
            if code_grant && !seen.refresh_token {
                let offline = seen.param("access_type") == Some("offline");
                let consent = seen
                    .param("prompt")
                    .is_some_and(|p| p.split(' ').any(|v| v == "consent"));
                let message = if !offline {
                    "Google sent no refresh token: it returns one only when the authorization request has access_type=offline; add access_type = \"offline\" under [authorize_params]".to_string()
                } else if !consent {
                    "Google sent no refresh token although access_type=offline was asked: it returns one only the first time the user consents; add prompt = \"consent\" under [authorize_params] to get one again".to_string()
                } else {
                    "Google sent no refresh token although access_type=offline and prompt=consent were asked".to_string()
                };
                findings.push(finding(
                    Severity::Warning,
                    "google_no_refresh_token",
                    message,
                    GOOGLE_OFFLINE_DOC,
                ));
            }
        }
        Provider::Auth0 => {
            if seen.access_claims.is_none() && seen.param("audience").is_none() {
                findings.push(finding(
                    Severity::Warning,
                    "auth0_opaque_without_audience",
                    "Auth0 issued an opaque access token because no audience was sent: it is good only for Auth0's /userinfo. Add audience = \"<your API identifier>\" under [authorize_params] (and [token_params] for client credentials) to get a JWT for your API".to_string(),
                    AUTH0_AUDIENCE_DOC,
                ));
            }
        }
        Provider::GitHub => {
            let json = seen
                .accept
                .as_deref()
                .is_some_and(|a| a.to_ascii_lowercase().contains("application/json"));
            findings.push(if json {
                finding(
                    Severity::Info,
                    "github_accept_json",
                    "GitHub answers the token request form-encoded (access_token=…&scope=…) unless asked for JSON: this request sent Accept: application/json, so the answer was JSON".to_string(),
                    GITHUB_DOC,
                )
            } else {
                finding(
                    Severity::Warning,
                    "github_form_encoded",
                    "GitHub answers the token request form-encoded unless it carries Accept: application/json; this request did not".to_string(),
                    GITHUB_DOC,
                )
            });
            if !seen.refresh_token && seen.grant != Some(GrantType::RefreshToken) {
                findings.push(finding(
                    Severity::Info,
                    "github_no_refresh_token",
                    "GitHub sent no refresh token: OAuth app tokens do not expire and come without one; refresh tokens come only with expiring user access tokens (a GitHub App setting)".to_string(),
                    GITHUB_REFRESH_DOC,
                ));
            }
        }
        Provider::Cognito => {
            if seen.auth_method == Some(ClientAuthMethod::ClientSecretPost) {
                findings.push(finding(
                    Severity::Warning,
                    "cognito_basic_only",
                    "Amazon Cognito takes a client secret in the Authorization header (HTTP Basic); set token_endpoint_auth_method = \"client_secret_basic\"".to_string(),
                    COGNITO_TOKEN_DOC,
                ));
            }
            let granted = seen
                .granted_scope
                .clone()
                .unwrap_or_else(|| seen.scopes.join(" "));
            if code_grant && !granted.split(' ').any(|s| s == "openid") {
                findings.push(finding(
                    Severity::Warning,
                    "cognito_userinfo_needs_openid",
                    "Amazon Cognito's userInfo endpoint accepts only access tokens with the openid scope; this token has none, so userInfo will refuse it".to_string(),
                    COGNITO_USERINFO_DOC,
                ));
            }
        }
        Provider::Keycloak => {
            let iss = [&seen.id_claims, &seen.access_claims]
                .into_iter()
                .flatten()
                .find_map(|c| c.get("iss").and_then(Value::as_str).map(str::to_string));
            if let (Some(iss), Some(issuer)) = (iss, &seen.issuer)
                && iss.trim_end_matches('/') != issuer.trim_end_matches('/')
            {
                findings.push(finding(
                    Severity::Warning,
                    "keycloak_issuer_realm",
                    format!("Keycloak's iss includes the realm path (…/realms/<realm>): the token says {iss}, the profile's issuer is {issuer}; set issuer to the token's iss"),
                    KEYCLOAK_DOC,
                ));
            }
        }
        Provider::Okta => {
            if seen.token_path.starts_with("/oauth2/v1/") {
                findings.push(finding(
                    Severity::Info,
                    "okta_org_authorization_server",
                    "This is Okta's org authorization server (/oauth2/v1/…): its access tokens are for Okta's own APIs and cannot be validated by your API; use a custom authorization server (/oauth2/<id>/v1/…, e.g. default) for your own APIs".to_string(),
                    OKTA_AS_DOC,
                ));
            }
        }
    }
    findings
}

// ---------------------------------------------------------------------------
// Provider error codes in error_description.

#[cfg(test)]
mod tests;
