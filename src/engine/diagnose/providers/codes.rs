//! The providers' own error codes, as they put them in `error_description`:\nthe common AADSTS codes of Microsoft Entra, Okta's E0000… codes and Auth0's\nmessages, each with the provider's documented cause and fix.

use super::*;

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

pub(super) const fn entra(
    code: &'static str,
    cause: &'static str,
    fix: &'static str,
) -> ProviderCode {
    ProviderCode {
        provider: Provider::Entra,
        code,
        cause,
        fix,
    }
}

pub(super) const fn okta(
    code: &'static str,
    cause: &'static str,
    fix: &'static str,
) -> ProviderCode {
    ProviderCode {
        provider: Provider::Okta,
        code,
        cause,
        fix,
    }
}

pub(super) const fn auth0(
    code: &'static str,
    cause: &'static str,
    fix: &'static str,
) -> ProviderCode {
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
