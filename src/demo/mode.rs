//! Behaviour modes: the standard server, or one that reproduces a provider
//! from `shared/seeds/` (its paths, its quirks, its token lifetimes).

use std::time::Duration;

/// Which provider the demo server behaves like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Mode {
    /// The standard, RFC-following server (`/authorize`, `/token`, ...).
    #[default]
    Standard,
    /// WAPI (WIT-DataCenter platform API): `/oauth2/authorize`, `/oauth2/token`,
    /// `/{WAC}/flux/{FLUXID}`.
    Wapi,
    /// Orchestrator REST API: `/api/token`, `/api/v7.1/Clients`.
    Orchestrator,
    /// Wordapp API: `/oauth/authorize`, `/oauth/token`, `/oauth/revoke`, `/api/v1/...`.
    Wordapp,
    /// Windchill REST Services behind PingFederate: `/as/authorization.oauth2`,
    /// `/as/token.oauth2`, `/Windchill/oauth/servlet/odata/ProdMgmt/Parts`.
    PingFederate,
    /// GitHub OAuth apps: `/login/oauth/authorize`, `/login/oauth/access_token`
    /// (form-encoded unless asked for JSON, no refresh token), `/user`.
    GitHub,
    /// Microsoft Entra ID, tenant `contoso`: `/contoso/oauth2/v2.0/token` with
    /// AADSTS errors and `ver`-stamped JWT access tokens.
    Entra,
}

impl Mode {
    /// Every mode, Standard first.
    pub const ALL: [Mode; 7] = [
        Mode::Standard,
        Mode::Wapi,
        Mode::Orchestrator,
        Mode::Wordapp,
        Mode::PingFederate,
        Mode::GitHub,
        Mode::Entra,
    ];

    /// The name used on the command line and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Standard => "standard",
            Mode::Wapi => "wapi",
            Mode::Orchestrator => "orchestrator",
            Mode::Wordapp => "wordapp",
            Mode::PingFederate => "pingfederate",
            Mode::GitHub => "github",
            Mode::Entra => "entra",
        }
    }

    /// Reads an [`Mode::as_str`] name, ignoring case.
    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL
            .into_iter()
            .find(|mode| mode.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The name shown to a person.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Standard => "Standard",
            Mode::Wapi => "WAPI",
            Mode::Orchestrator => "Orchestrator",
            Mode::Wordapp => "Wordapp",
            Mode::PingFederate => "Windchill / PingFederate",
            Mode::GitHub => "GitHub",
            Mode::Entra => "Microsoft Entra ID",
        }
    }

    /// The access token lifetime the provider's document gives.
    pub fn default_token_ttl(self) -> Duration {
        Duration::from_secs(match self {
            Mode::Standard | Mode::Wapi | Mode::Entra => 3600,
            // OAuth app tokens do not expire; the demo still ends them.
            Mode::GitHub => 8 * 3600,
            Mode::Orchestrator => 899,
            Mode::Wordapp => 7200,
            Mode::PingFederate => 7,
        })
    }

    /// The mode's main endpoints, as (what, path) pairs; the standard
    /// server's are in its discovery document.
    pub fn endpoints(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Mode::Standard => &[
                ("discovery", "/.well-known/openid-configuration"),
                ("authorization", "/authorize"),
                ("token", "/token"),
                ("api", "/api/me"),
            ],
            Mode::Wapi => &[
                ("authorization", "/oauth2/authorize"),
                ("token", "/oauth2/token"),
                ("api", "/WAC123456789012/flux/42"),
            ],
            Mode::Orchestrator => &[
                ("token", "/api/token"),
                ("logout", "DELETE /api/token"),
                ("clients", "/api/v7.1/Clients"),
                ("api", "/api/v7.1/Status"),
            ],
            Mode::Wordapp => &[
                ("authorization", "/oauth/authorize"),
                ("token", "/oauth/token"),
                ("revocation", "/oauth/revoke"),
                ("api", "/api/v1/me"),
            ],
            Mode::PingFederate => &[
                ("authorization", "/as/authorization.oauth2"),
                ("token", "/as/token.oauth2"),
                ("api", "/Windchill/oauth/servlet/odata/ProdMgmt/Parts"),
            ],
            Mode::GitHub => &[
                ("authorization", "/login/oauth/authorize"),
                ("token", "/login/oauth/access_token"),
                ("api", "/user"),
            ],
            Mode::Entra => &[
                ("authorization", "/contoso/oauth2/v2.0/authorize"),
                ("token", "/contoso/oauth2/v2.0/token"),
            ],
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for mode in Mode::ALL {
            assert_eq!(Mode::parse(mode.as_str()), Some(mode));
            assert_eq!(Mode::parse(&mode.as_str().to_uppercase()), Some(mode));
        }
        assert_eq!(Mode::parse("nope"), None);
        assert_eq!(Mode::ALL[0], Mode::default());
    }
}
