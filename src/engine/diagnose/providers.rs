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

/// One documented provider error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderCode {
    /// The provider.
    pub provider: Provider,
    /// The code as written (`AADSTS50011`, `E0000011`) or, for Auth0, the
    /// start of the message.
    pub code: &'static str,
    /// The documented cause.
    pub cause: &'static str,
    /// What to do, with the profile key where one applies.
    pub fix: &'static str,
}

const fn entra(code: &'static str, cause: &'static str, fix: &'static str) -> ProviderCode {
    ProviderCode {
        provider: Provider::Entra,
        code,
        cause,
        fix,
    }
}

const fn okta(code: &'static str, cause: &'static str, fix: &'static str) -> ProviderCode {
    ProviderCode {
        provider: Provider::Okta,
        code,
        cause,
        fix,
    }
}

const fn auth0(code: &'static str, cause: &'static str, fix: &'static str) -> ProviderCode {
    ProviderCode {
        provider: Provider::Auth0,
        code,
        cause,
        fix,
    }
}

/// The AADSTS codes met most, as Microsoft documents them.
pub const AADSTS: &[ProviderCode] = &[
    entra(
        "AADSTS50011",
        "InvalidReplyTo: the reply address (redirect URI) is missing, misconfigured, or does not match the reply addresses registered for the app",
        "Make redirect_uri in the profile exactly one registered under the app registration's Authentication (scheme, host, port, path and case), or register it",
    ),
    entra(
        "AADSTS7000215",
        "Invalid client secret provided: the secret sent is not a valid secret of the app (often the secret's ID was copied instead of its value)",
        "Put the secret's Value (not its Secret ID) from Certificates & secrets in client_secret / client_secret_env",
    ),
    entra(
        "AADSTS7000222",
        "InvalidClientSecretExpiredKeysProvided: the client secret has expired",
        "Create a new client secret under Certificates & secrets (or use a certificate credential) and update the profile",
    ),
    entra(
        "AADSTS7000218",
        "The request body must contain client_assertion or client_secret: a confidential client sent no credential",
        "Set client_secret (or private_key_jwt) in the profile, or mark the app as a public client to use token_endpoint_auth_method = \"none\"",
    ),
    entra(
        "AADSTS700016",
        "UnauthorizedClient_DoesNotMatchRequest: the application was not found in the directory/tenant — a wrong client_id, or the request went to the wrong tenant, or the app is not installed there",
        "Check client_id (the Application (client) ID) and the {tenant} in the endpoints",
    ),
    entra(
        "AADSTS700025",
        "InvalidClientPublicClientWithCredential: the client is public, so neither client_assertion nor client_secret may be sent",
        "Set token_endpoint_auth_method = \"none\" and remove the secret, or make the app confidential",
    ),
    entra(
        "AADSTS65001",
        "DelegationDoesNotExist: the user or administrator has not consented to the application using the resource",
        "Send an interactive authorization request so the user can consent, or have an admin grant consent in API permissions",
    ),
    entra(
        "AADSTS50076",
        "UserStrongAuthClientAuthNRequired: a Conditional Access policy, per-user enforcement or a new location requires multifactor authentication for this resource",
        "Run the authorization code grant (interactive) again so the user completes MFA; the password grant cannot satisfy it",
    ),
    entra(
        "AADSTS50079",
        "UserStrongAuthEnrollmentRequired: the user must register security information for multifactor authentication",
        "Have the user sign in interactively and register MFA methods, then run the grant again",
    ),
    entra(
        "AADSTS700082",
        "ExpiredOrRevokedGrantInactiveToken: the refresh token expired due to inactivity",
        "Run the original grant again to sign in and get a new refresh token",
    ),
    entra(
        "AADSTS70008",
        "ExpiredOrRevokedGrant: the refresh token or code has expired due to inactivity",
        "Run the original grant again",
    ),
    entra(
        "AADSTS50173",
        "FreshTokenNeeded: the grant was revoked (by an admin or the user), so a fresh sign-in is needed",
        "Run the original grant again so the user signs in",
    ),
    entra(
        "AADSTS54005",
        "The OAuth2 authorization code was already redeemed",
        "Run the authorization step again for a new code (codes are single-use); use the refresh token to renew",
    ),
    entra(
        "AADSTS70011",
        "InvalidScope: the scope requested by the app is invalid",
        "Fix scope in the profile; for client credentials Entra wants \"<resource App ID URI>/.default\"",
    ),
    entra(
        "AADSTS900144",
        "The request body must contain a required parameter (the description names it)",
        "Add the named parameter (often scope, grant_type or client_id) to the profile",
    ),
    entra(
        "AADSTS90002",
        "InvalidTenantName: the tenant was not found — a wrong tenant ID or domain, or the wrong cloud",
        "Check the {tenant} in the endpoints (Directory (tenant) ID or a verified domain)",
    ),
    entra(
        "AADSTS50194",
        "The application is not configured as multi-tenant, so the /common endpoint cannot be used for it",
        "Use the tenant-specific endpoints (your tenant ID instead of common), or make the app multi-tenant",
    ),
    entra(
        "AADSTS50126",
        "InvalidUserNameOrPassword: the user's credentials are wrong",
        "Check username and password in the profile",
    ),
    entra(
        "AADSTS50034",
        "UserAccountNotFound: the account does not exist in this tenant (mistyped, or the wrong tenant)",
        "Check the username and the {tenant}; add the user as a guest if they belong to another tenant",
    ),
    entra(
        "AADSTS50105",
        "EntitlementGrantsNotFound: the signed-in user is not assigned to a role for the app",
        "Assign the user (or a group) to the app in Enterprise applications › Users and groups",
    ),
    entra(
        "AADSTS53003",
        "BlockedByConditionalAccess: a Conditional Access policy does not allow token issuance",
        "See which policy applied in the sign-in logs, or ask the tenant administrator",
    ),
    entra(
        "AADSTS700054",
        "response_type id_token is not enabled for the application",
        "Enable ID tokens under Authentication › Implicit grant and hybrid flows, or use the authorization code grant",
    ),
    entra(
        "AADSTS501481",
        "The code_verifier does not match the code_challenge supplied in the authorization request",
        "Keep pkce = \"S256\" and run the whole grant again (do not reuse a code from another run)",
    ),
    entra(
        "AADSTS700005",
        "InvalidGrantRedeemAgainstWrongTenant: the authorization code was issued for another tenant",
        "Use the same {tenant} in the authorization and token endpoints",
    ),
];

/// Okta's API error codes (`errorCode`, and in some descriptions).
pub const OKTA: &[ProviderCode] = &[
    okta(
        "E0000004",
        "Authentication exception (HTTP 401): authentication failed",
        "Check the credentials; a locked-out user or a sign-on policy also gives this",
    ),
    okta(
        "E0000005",
        "Invalid session exception (HTTP 403)",
        "Sign in again to get a new session",
    ),
    okta(
        "E0000006",
        "Access denied exception (HTTP 403): you do not have permission to perform the requested action",
        "Ask for the scopes (okta.*) or admin role the endpoint needs",
    ),
    okta(
        "E0000007",
        "Resource not found exception (HTTP 404)",
        "Check the URL: the org domain, the authorization server ID and the path",
    ),
    okta(
        "E0000011",
        "Invalid token provided (HTTP 401)",
        "Get a new token; check the Authorization header scheme (Bearer for OAuth tokens, SSWS for API tokens)",
    ),
    okta(
        "E0000047",
        "API call exceeded rate limit due to too many requests (HTTP 429)",
        "Wait for the time in the X-Rate-Limit-Reset header before trying again",
    ),
];

/// Auth0's common error messages (Auth0 puts no code in them).
pub const AUTH0: &[ProviderCode] = &[
    auth0(
        "Service not found",
        "the audience sent is not the identifier of an API registered in the tenant",
        "Set audience (under [authorize_params] / [token_params]) to an API identifier from Applications › APIs, exactly",
    ),
    auth0(
        "Grant type",
        "the application is not allowed to use this grant type (Application › Advanced Settings › Grant Types)",
        "Enable the grant for the application in the Auth0 dashboard",
    ),
    auth0(
        "Unknown or invalid refresh token",
        "the refresh token is unknown, revoked or rotated away",
        "Run the original grant again; with refresh token rotation use the newest refresh token",
    ),
    auth0(
        "Client is not authorized to access",
        "the application has no client grant for the API (audience) asked for",
        "Authorize the application for the API (Applications › APIs › Machine to Machine Applications)",
    ),
];

/// The documented provider codes `description` carries.
pub fn codes_in(description: &str) -> Vec<&'static ProviderCode> {
    let mut found = Vec::new();
    for word in description.split(|c: char| !c.is_ascii_alphanumeric()) {
        let table = if word.starts_with("AADSTS") {
            AADSTS
        } else if word.starts_with("E0000") {
            OKTA
        } else {
            continue;
        };
        if let Some(code) = table.iter().find(|c| c.code == word)
            && !found.contains(&code)
        {
            found.push(code);
        }
    }
    let lower = description.to_ascii_lowercase();
    for code in AUTH0 {
        let hit = if code.code == "Grant type" {
            lower.contains("grant type") && lower.contains("not allowed for the client")
        } else {
            lower.contains(&code.code.to_ascii_lowercase())
        };
        if hit {
            found.push(code);
        }
    }
    found
}

/// (cause, what to try) for each provider code in `description`, citing
/// the provider's page; hooked into `explain`'s description hints.
pub fn code_hints(description: &str) -> Vec<(String, String)> {
    codes_in(description)
        .into_iter()
        .map(|code| {
            let doc = match code.provider {
                Provider::Okta => OKTA_ERRORS_DOC,
                Provider::Auth0 => AUTH0_ERRORS_DOC,
                _ => ENTRA_ERRORS_DOC,
            };
            (
                format!(
                    "{} says {}: {} ({doc}).",
                    code.provider.label(),
                    code.code,
                    code.cause
                ),
                format!("{}.", code.fix),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn providers_are_recognised_from_hosts_and_paths() {
        let cases = [
            (
                "https://login.microsoftonline.com/contoso/v2.0",
                Some(Provider::Entra),
            ),
            (
                "http://127.0.0.1:9/t/oauth2/v2.0/token",
                Some(Provider::Entra),
            ),
            (
                "https://dev-1.okta.com/oauth2/default",
                Some(Provider::Okta),
            ),
            ("https://example.us.auth0.com/", Some(Provider::Auth0)),
            ("https://accounts.google.com", Some(Provider::Google)),
            (
                "https://oauth2.googleapis.com/token",
                Some(Provider::Google),
            ),
            (
                "https://kc.example.com/realms/acme",
                Some(Provider::Keycloak),
            ),
            (
                "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab",
                Some(Provider::Cognito),
            ),
            (
                "https://my.auth.eu-west-1.amazoncognito.com/oauth2/token",
                Some(Provider::Cognito),
            ),
            (
                "https://github.com/login/oauth/access_token",
                Some(Provider::GitHub),
            ),
            (
                "http://127.0.0.1:9/login/oauth/access_token",
                Some(Provider::GitHub),
            ),
            ("https://example.com/realms", None),
            ("https://notokta.com/x", None),
            ("https://evil-github.com/x", None),
            ("http://127.0.0.1:7878/token", None),
        ];
        for (u, want) in cases {
            assert_eq!(Provider::recognise(&url(u)), want, "{u}");
        }
    }

    #[test]
    fn the_tables_hold_documented_codes_once_each() {
        assert!(AADSTS.len() >= 20);
        for table in [AADSTS, OKTA, AUTH0] {
            for (i, code) in table.iter().enumerate() {
                assert!(!code.cause.is_empty() && !code.fix.is_empty());
                assert!(
                    table[i + 1..].iter().all(|c| c.code != code.code),
                    "{} twice",
                    code.code
                );
            }
        }
        for required in [
            "AADSTS50011",
            "AADSTS7000215",
            "AADSTS700016",
            "AADSTS65001",
            "AADSTS50076",
            "AADSTS50079",
            "AADSTS700082",
        ] {
            assert!(AADSTS.iter().any(|c| c.code == required), "{required}");
        }
    }

    #[test]
    fn codes_are_found_in_descriptions() {
        let d = "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x";
        let found = codes_in(d);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "AADSTS7000215");
        // AADSTS700016 is not mistaken for AADSTS7000 prefixes of others.
        assert_eq!(
            codes_in("AADSTS700016: Application not found")[0].code,
            "AADSTS700016"
        );
        assert!(codes_in("AADSTS1: nothing known").is_empty());
        assert_eq!(
            codes_in("E0000011: Invalid token")[0].provider,
            Provider::Okta
        );
        assert_eq!(
            codes_in("Grant type 'password' not allowed for the client.")[0].provider,
            Provider::Auth0
        );
        assert_eq!(
            codes_in("Service not found: https://api")[0].code,
            "Service not found"
        );
        let hints = code_hints(d);
        assert!(hints[0].0.contains("Microsoft Entra ID says AADSTS7000215"));
        assert!(hints[0].0.contains("reference-error-codes"));
        assert!(hints[0].1.contains("client_secret"));
    }

    #[test]
    fn each_quirk_shows_where_it_applies() {
        let codes = |provider, seen: &Observed| {
            quirks(provider, seen)
                .into_iter()
                .map(|f| f.code)
                .collect::<Vec<_>>()
        };
        let code = Observed {
            grant: Some(GrantType::AuthorizationCode),
            ..Observed::default()
        };
        assert_eq!(codes(Provider::Google, &code), ["google_no_refresh_token"]);
        let offline = Observed {
            params: vec![("access_type".into(), "offline".into())],
            ..code.clone()
        };
        let message = &quirks(Provider::Google, &offline)[0].message;
        assert!(message.contains("prompt"), "{message}");
        let with_refresh = Observed {
            refresh_token: true,
            ..code.clone()
        };
        assert!(codes(Provider::Google, &with_refresh).is_empty());

        assert_eq!(
            codes(Provider::Auth0, &code),
            ["auth0_opaque_without_audience"]
        );
        let jwt = Observed {
            access_claims: Some(serde_json::json!({"aud": "x"})),
            ..code.clone()
        };
        assert!(codes(Provider::Auth0, &jwt).is_empty());

        let cognito = Observed {
            auth_method: Some(ClientAuthMethod::ClientSecretPost),
            scopes: vec!["email".into()],
            ..code.clone()
        };
        assert_eq!(
            codes(Provider::Cognito, &cognito),
            ["cognito_basic_only", "cognito_userinfo_needs_openid"]
        );

        let keycloak = Observed {
            issuer: Some("https://kc.example.com/".into()),
            id_claims: Some(serde_json::json!({"iss": "https://kc.example.com/realms/acme"})),
            ..code.clone()
        };
        assert_eq!(
            codes(Provider::Keycloak, &keycloak),
            ["keycloak_issuer_realm"]
        );

        let org = Observed {
            token_path: "/oauth2/v1/token".into(),
            ..code.clone()
        };
        assert_eq!(
            codes(Provider::Okta, &org),
            ["okta_org_authorization_server"]
        );
        let custom = Observed {
            token_path: "/oauth2/default/v1/token".into(),
            ..code.clone()
        };
        assert!(codes(Provider::Okta, &custom).is_empty());

        let cc = Observed {
            grant: Some(GrantType::ClientCredentials),
            scopes: vec!["api://x/read".into()],
            access_claims: Some(serde_json::json!({"ver": "1.0"})),
            ..Observed::default()
        };
        assert_eq!(
            codes(Provider::Entra, &cc),
            ["entra_v1_access_token", "entra_scope_without_default"]
        );
    }
}
