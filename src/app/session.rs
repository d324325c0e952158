//! What a profile's work produces belongs to that profile: its flow run,
//! its tokens and their timeline, its API requests and its tool results. A
//! [`Session`] holds them; selecting another profile shows another session
//! and never changes which profile a token is used with.

use std::collections::BTreeMap;

use crate::app::audit::AuditState;
use crate::app::flow::FlowState;
use crate::app::request::RequestState;
use crate::app::tokens::TokenState;
use crate::app::tokens::tools::ToolsState;

/// A profile's identity for the app's lifetime: stable while profiles are
/// added, deleted and renamed (an index is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ProfileId(pub u64);

/// Which part of which profile's session an operation works for; the
/// bridge tags every event (and every exchange) with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A flow run: the profile and the run's number.
    Flow(ProfileId, u64),
    /// A token operation: refresh, revocation, logout, introspection,
    /// userinfo, verification.
    Token(ProfileId),
    /// An API request.
    Request(ProfileId),
    /// Discovery for the profile's editor.
    Discovery(ProfileId),
    /// The profile's server audit.
    Audit(ProfileId),
}

impl Origin {
    /// The profile it works for.
    pub fn owner(self) -> ProfileId {
        match self {
            Self::Flow(id, _)
            | Self::Token(id)
            | Self::Request(id)
            | Self::Discovery(id)
            | Self::Audit(id) => id,
        }
    }
}

/// One profile's work.
#[derive(Debug, Default)]
pub struct Session {
    /// The Flow tab's run.
    pub flow: FlowState,
    /// The tokens and their timeline.
    pub tokens: TokenState,
    /// Token tools and discovery results.
    pub tools: ToolsState,
    /// The Request tab.
    pub request: RequestState,
    /// The Audit tab.
    pub audit: AuditState,
    /// OpenID logout: RP-initiated and back-channel (Tokens tab).
    pub oidc_logout: crate::app::tokens::oidc_logout::OidcLogoutState,
}

/// Every profile's session.
#[derive(Debug, Default)]
pub struct Sessions {
    by_profile: BTreeMap<ProfileId, Session>,
}

impl Sessions {
    /// The session of `id`, made when first needed.
    pub fn of(&mut self, id: ProfileId) -> &mut Session {
        self.by_profile.entry(id).or_default()
    }

    /// The session of `id`, if it has one.
    pub fn get(&self, id: ProfileId) -> Option<&Session> {
        self.by_profile.get(&id)
    }

    /// Drops a deleted profile's session (its tokens go with it).
    pub fn remove(&mut self, id: ProfileId) {
        self.by_profile.remove(&id);
    }

    /// Every session, by profile.
    pub fn iter(&self) -> impl Iterator<Item = (ProfileId, &Session)> {
        self.by_profile.iter().map(|(id, s)| (*id, s))
    }

    /// Every session, mutably.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (ProfileId, &mut Session)> {
        self.by_profile.iter_mut().map(|(id, s)| (*id, s))
    }

    /// Operations in flight across all sessions.
    pub fn in_flight(&self) -> usize {
        self.by_profile
            .values()
            .map(|s| {
                usize::from(s.flow.run.is_running() || s.flow.preparing)
                    + s.tokens.in_flight()
                    + s.tools.in_flight()
                    + usize::from(s.request.answer.is_waiting())
                    + usize::from(s.audit.running)
            })
            .sum()
    }
}
