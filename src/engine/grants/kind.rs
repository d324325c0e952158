//! What the front ends ask of a grant, answered in one place: adding a
//! grant means answering these here, not in every front end.

use crate::engine::profile::GrantType;

/// What the front ends ask of a grant, answered in one place: adding a
/// grant means answering these here, not in every front end.
impl GrantType {
    /// A human name for menus and headings ("Device authorization").
    pub fn label(self) -> &'static str {
        match self {
            Self::ClientCredentials => "Client credentials",
            Self::Password => "Password (resource owner)",
            Self::AuthorizationCode => "Authorization code",
            Self::Implicit => "Implicit",
            Self::DeviceCode => "Device authorization",
            Self::RefreshToken => "Refresh token",
            Self::TokenExchange => "Token exchange",
            Self::JwtBearer => "JWT bearer",
            Self::Ciba => "CIBA (backchannel)",
        }
    }

    /// The person takes part in a browser (authorization request, redirect).
    pub fn needs_browser(self) -> bool {
        matches!(self, Self::AuthorizationCode | Self::Implicit)
    }

    /// The grant can run again with no one there: nothing to approve and
    /// no token of the user's to spend, so where no refresh token was issued
    /// auto-refresh renews the tokens by running it again (client
    /// credentials, password, JWT bearer).
    pub fn reruns_unattended(self) -> bool {
        matches!(
            self,
            Self::ClientCredentials | Self::Password | Self::JwtBearer
        )
    }

    /// The grant spends a refresh token.
    pub fn needs_refresh_token(self) -> bool {
        self == Self::RefreshToken
    }

    /// Step-by-step runs it: token endpoint grants are built and shown
    /// before sending (`step::prepare`); browser grants pause before the
    /// browser opens and (authorization code) before the code exchange; the
    /// device grant before its first poll. CIBA runs through: its polls
    /// and its notification follow the server's clock, not the person's.
    pub fn can_step(self) -> bool {
        self != Self::Ciba
    }

    /// The grant is one token request that `step::prepare` can build.
    pub fn is_single_token_request(self) -> bool {
        matches!(
            self,
            Self::ClientCredentials
                | Self::Password
                | Self::RefreshToken
                | Self::TokenExchange
                | Self::JwtBearer
        )
    }
}
