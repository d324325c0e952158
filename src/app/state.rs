//! The app's plain state: what is shown, apart from the handles. Each
//! slice's own state lives in its folder; this puts them together.

use crate::app::http_log::LogState;
use crate::app::profiles::ProfilesState;
use crate::app::session::{Session, Sessions};

/// The built-in demo provider, as far as the UI knows.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoStatus {
    /// Starting in the background.
    Starting,
    /// Listening at this base URL.
    Running(String),
    /// Could not start.
    Failed(String),
}

/// The tabs of the centre panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    /// Run a grant step by step.
    #[default]
    Flow,
    /// The current tokens.
    Tokens,
    /// Call an API.
    Request,
    /// Every exchange.
    HttpLog,
    /// Audit the profile's server.
    Audit,
}

impl Tab {
    /// In display order.
    pub const ALL: [Self; 5] = [
        Self::Flow,
        Self::Tokens,
        Self::Request,
        Self::HttpLog,
        Self::Audit,
    ];

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Flow => "Flow",
            Self::Tokens => "Tokens",
            Self::Request => "Request",
            Self::HttpLog => "HTTP log",
            Self::Audit => "Audit",
        }
    }
}

/// Everything the UI shows, apart from the handles.
#[derive(Debug, Default)]
pub struct AppState {
    /// The demo provider.
    pub demo: Option<DemoStatus>,
    /// The demo provider's behaviour mode (standard, or a seed provider's).
    pub demo_mode: crate::demo::Mode,
    /// The profiles.
    pub profiles: ProfilesState,
    /// Each profile's flow run, tokens, tools and requests.
    pub sessions: Sessions,
    /// The visible tab.
    pub tab: Tab,
    /// The HTTP log tab.
    pub log: LogState,
    /// Every exchange of the session: the newest in memory, the older in
    /// the session file.
    pub exchanges: crate::app::http_log::ExchangeLog,
    /// Secrets shown in clear.
    pub reveal: bool,
    /// Presentation mode: every secret, token and personal claim masked on
    /// screen, and Show secrets locked off, for screen sharing and demos.
    pub presenting: bool,
    /// Tokens are kept across restarts (the setting).
    pub keep_tokens: bool,
    /// Where kept tokens went, or why they could not be kept or read:
    /// (success, message).
    pub kept_note: Option<(bool, String)>,
    /// A message for the status bar.
    pub notice: Option<String>,
    /// Text to put on the clipboard at the next frame.
    pub clipboard: Option<String>,
    /// The window was asked to close with unsaved edits: asking.
    pub closing: Closing,
}

/// Closing the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Closing {
    /// Not asked.
    #[default]
    No,
    /// Asking what to do with unsaved edits.
    Asking,
    /// Saving everything, then closing.
    Saving,
    /// Close now.
    Confirmed,
}

impl AppState {
    /// The demo provider's URL, once it runs.
    pub fn demo_url(&self) -> Option<&str> {
        match &self.demo {
            Some(DemoStatus::Running(url)) => Some(url),
            _ => None,
        }
    }

    /// The selected profile's session, if it has one.
    pub fn selected_session(&self) -> Option<&Session> {
        self.profiles.selected.and_then(|id| self.sessions.get(id))
    }

    /// The selected profile's current tokens.
    pub fn current_tokens(&self) -> Option<&crate::engine::TokenSet> {
        self.selected_session().and_then(|s| s.tokens.current())
    }
}
