//! The app's plain state: what is shown, apart from the handles.

use crate::app::bridge::ApiAnswer;
use crate::app::bridge::GrantFailure;
use crate::app::widgets::json_tree::{JsonTree, JsonTreeView};
use crate::engine::api::ApiRequest;
use crate::engine::grants::device_code::DeviceCodeInfo;
use crate::engine::grants::step::PreparedRequest;
use crate::engine::http::{Exchange, ExchangeKind};
use crate::engine::profile::{Profile, parse_http_url};
use crate::engine::{Explanation, Finding, GrantType, ProfileFile, TokenSet};

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
}

impl Tab {
    /// In display order.
    pub const ALL: [Self; 4] = [Self::Flow, Self::Tokens, Self::Request, Self::HttpLog];

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Flow => "Flow",
            Self::Tokens => "Tokens",
            Self::Request => "Request",
            Self::HttpLog => "HTTP log",
        }
    }
}

/// What the user asked for this frame.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum Action {
    /// Select a profile.
    SelectProfile(usize),
    /// Run the selected grant.
    RunGrant,
    /// Prepare the next request of the grant for editing.
    NextStep,
    /// Open the authorization URL as edited (step mode).
    ApproveAuthorization,
    /// Send the prepared request as edited.
    SendPrepared,
    /// Drop the prepared request.
    DiscardPrepared,
    /// Use the refresh token.
    RefreshNow,
    /// Use the refresh token, then send the request again.
    RefreshAndRetry,
    /// Cancel the grant in flight.
    CancelGrant,
    /// Hand the pasted redirect URL to the grant.
    PasteRedirect,
    /// Send the API request.
    SendRequest,
    /// Open an exchange in the HTTP log.
    ShowExchange(u64),
    /// Save the selected profile.
    SaveProfile,
    /// A new empty profile.
    NewProfile,
    /// A copy of the selected profile.
    DuplicateProfile,
    /// Delete the selected profile (confirmed).
    DeleteProfile,
    /// A new profile from a preset.
    NewFromPreset(usize),
    /// Put text on the clipboard.
    Copy(String),
    /// Fill the Request tab from a ready-made request of the profile.
    LoadSaved(usize),
    /// A client_credentials profile from the client account in the response.
    ProfileFromResponse,
    /// Run the profile's grant again, then send the request again.
    ReauthorizeAndRetry,
    /// Send the profile's logout request with the access token.
    Logout,
    /// Revoke the access token (false) or the refresh token (true).
    Revoke(bool),
    /// Keep tokens across restarts (true), or stop and delete the kept ones.
    KeepTokens(bool),
    /// Restart the demo provider in another mode.
    SetDemoMode(crate::demo::Mode),
    /// Write the session's exchanges to the HAR file named in the HTTP log.
    ExportHar,
    /// Export the selected profile to the transfer file.
    ExportProfile,
    /// Import profiles from these files.
    ImportProfiles(Vec<std::path::PathBuf>),
    /// Verify the current token set's JWTs.
    VerifyTokens,
    /// Verify the JWT pasted in the Tokens tab.
    VerifyPasted,
    /// Introspect the current access token.
    Introspect,
    /// Fetch userinfo with the current access token.
    Userinfo,
    /// Discover the selected profile's endpoints from its issuer.
    Discover,
}

/// A grant run.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum GrantRun {
    /// Nothing run yet.
    #[default]
    Idle,
    /// In flight.
    Running,
    /// Tokens received (see the Tokens tab).
    Done,
    /// Failed.
    Failed(GrantFailure),
}

impl GrantRun {
    /// True while in flight.
    pub fn is_running(&self) -> bool {
        matches!(self, Self::Running)
    }
}

/// The four actors of a sequence diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The resource owner's browser.
    Browser,
    /// This app.
    Client,
    /// The authorization server.
    AuthorizationServer,
    /// The resource server (API).
    ResourceServer,
}

impl Actor {
    /// Left to right.
    pub const ALL: [Self; 4] = [
        Self::Browser,
        Self::Client,
        Self::AuthorizationServer,
        Self::ResourceServer,
    ];

    /// Column label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Browser => "Browser (resource owner)",
            Self::Client => "This app (client)",
            Self::AuthorizationServer => "Authorization server",
            Self::ResourceServer => "Resource server",
        }
    }

    /// Column index.
    pub fn column(self) -> usize {
        match self {
            Self::Browser => 0,
            Self::Client => 1,
            Self::AuthorizationServer => 2,
            Self::ResourceServer => 3,
        }
    }
}

/// One step of a run: an arrow between two actors and its verdict, or a
/// verdict alone.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowStep {
    /// The arrow, when the step is a message.
    pub arrow: Option<(Actor, Actor)>,
    /// Arrow label ("POST /token").
    pub label: String,
    /// What it meant ("state matched", the error).
    pub verdict: String,
    /// False for a failure.
    pub ok: bool,
    /// The exchange behind it.
    pub exchange_id: Option<u64>,
    /// What was odd about the server's answer.
    pub findings: Vec<Finding>,
    /// Why it failed, for an OAuth error.
    pub explanation: Option<Box<Explanation>>,
}

impl FlowStep {
    /// An arrow.
    pub fn arrow(
        from: Actor,
        to: Actor,
        label: String,
        verdict: String,
        exchange_id: Option<u64>,
    ) -> Self {
        Self {
            arrow: Some((from, to)),
            label,
            verdict,
            ok: true,
            exchange_id,
            findings: Vec::new(),
            explanation: None,
        }
    }

    /// A verdict line with no arrow.
    pub fn verdict(verdict: String, ok: bool) -> Self {
        Self {
            arrow: None,
            label: String::new(),
            verdict,
            ok,
            exchange_id: None,
            findings: Vec::new(),
            explanation: None,
        }
    }

    /// The verdict of a failed run: the error, its findings and why.
    pub fn failure(failure: &GrantFailure) -> Self {
        Self {
            findings: failure.findings.clone(),
            explanation: failure.explanation.clone(),
            ..Self::verdict(failure.message.clone(), false)
        }
    }

    /// The request and response arrows of an exchange with the authorization
    /// server.
    pub fn from_exchange(exchange: &Exchange) -> Vec<Self> {
        let path = url::Url::parse(&exchange.request.url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| exchange.request.url.clone());
        let request = Self::arrow(
            Actor::Client,
            Actor::AuthorizationServer,
            format!("{} {path}", exchange.request.method),
            format!("{} sent", exchange.kind.as_str()),
            Some(exchange.id),
        );
        let (label, verdict, ok) = match (&exchange.response, &exchange.error) {
            (_, Some(error)) => ("failed".to_string(), error.message.clone(), false),
            (Some(response), None) => {
                let error =
                    crate::engine::token::parse_oauth_error(response.status, &response.body);
                match error {
                    // The device grant's polling answers: expected, not failures.
                    Some(error)
                        if matches!(
                            error.error.as_str(),
                            "authorization_pending" | "slow_down"
                        ) =>
                    {
                        (
                            format!("{} {}", response.status, error.error),
                            format!("still waiting for the user: {error}"),
                            true,
                        )
                    }
                    Some(error) => (
                        format!("{} {}", response.status, error.error),
                        error.to_string(),
                        false,
                    ),
                    None => (
                        format!("{} {}", response.status, exchange.kind.as_str()),
                        format!(
                            "HTTP {} in {} ms",
                            response.status,
                            exchange.duration.as_millis()
                        ),
                        (200..300).contains(&response.status),
                    ),
                }
            }
            (None, None) => ("no answer".to_string(), "no answer".to_string(), false),
        };
        let mut response = Self::arrow(
            Actor::AuthorizationServer,
            Actor::Client,
            label,
            verdict,
            Some(exchange.id),
        );
        response.ok = ok;
        vec![request, response]
    }
}

/// What the run waits for.
#[derive(Debug, Clone, PartialEq)]
pub enum Waiting {
    /// The person in the browser.
    Browser {
        /// The authorization URL.
        url: String,
        /// Where the browser comes back.
        redirect_uri: String,
        /// The redirect must be pasted by hand.
        paste: bool,
        /// Why the browser did not open, if it did not.
        browser_failed: Option<String>,
    },
    /// The device approval.
    Device(DeviceCodeInfo),
}

/// The Flow tab.
#[derive(Debug, Clone, Default)]
pub struct FlowState {
    /// The grant to run.
    pub grant: GrantType,
    /// The run.
    pub run: GrantRun,
    /// Its steps, in order.
    pub steps: Vec<FlowStep>,
    /// What it waits for.
    pub waiting: Option<Waiting>,
    /// The redirect URL being pasted.
    pub paste: String,
    /// Why the last paste was not readable.
    pub paste_problem: Option<String>,
    /// Exchanges numbered above this belong to the current run (exchange
    /// events may arrive after the run's own result).
    pub exchanges_after: Option<u64>,
    /// The token request prepared by Next step, being edited.
    pub prepared: Option<PreparedRequest>,
    /// Waiting for the prepared request.
    pub preparing: bool,
    /// The run goes step by step.
    pub step_mode: bool,
    /// Step mode: the authorization request waiting for the user, as the
    /// endpoint and its parameters (editable).
    pub approval: Option<(String, Vec<(String, String)>)>,
}

impl FlowState {
    /// The authorization URL the browser step waits on, if it is waiting.
    pub fn waiting_url(&self) -> Option<String> {
        match &self.waiting {
            Some(Waiting::Browser { url, .. }) => Some(url.clone()),
            _ => None,
        }
    }

    /// Back to the start: no steps, nothing prepared or awaited.
    pub fn reset(&mut self) {
        self.run = GrantRun::Idle;
        self.prepared = None;
        self.preparing = false;
        self.approval = None;
        self.steps.clear();
        self.waiting = None;
        self.paste.clear();
        self.paste_problem = None;
        self.exchanges_after = None;
    }

    /// A run of `grant` begins; `last_exchange` is the newest exchange before it.
    pub fn start(&mut self, grant: GrantType, last_exchange: u64) {
        self.run = GrantRun::Running;
        self.prepared = None;
        self.preparing = false;
        self.approval = None;
        self.steps = vec![FlowStep::verdict(
            format!("Running the {grant} grant"),
            true,
        )];
        self.waiting = None;
        self.paste_problem = None;
        self.exchanges_after = Some(last_exchange);
    }

    /// Adds the arrows of a token or device exchange of the current run, in
    /// order even when the run's verdict arrived first.
    pub fn add_exchange(&mut self, exchange: &Exchange) {
        let belongs = self
            .exchanges_after
            .is_some_and(|after| exchange.id > after)
            && matches!(exchange.kind, ExchangeKind::Token | ExchangeKind::Device);
        if !belongs {
            return;
        }
        let steps = FlowStep::from_exchange(exchange);
        let finished =
            !self.run.is_running() && self.steps.last().is_some_and(|s| s.arrow.is_none());
        let at = if finished {
            self.steps.len() - 1
        } else {
            self.steps.len()
        };
        self.steps.splice(at..at, steps);
    }
}

/// Seconds before expiry at which auto-refresh uses the refresh token.
pub const DEFAULT_REFRESH_THRESHOLD: &str = "30";

/// The Tokens tab: the current token set and the earlier ones.
#[derive(Debug, Clone)]
pub struct TokenState {
    /// Newest last.
    pub history: Vec<TokenSet>,
    /// Refresh by itself ahead of expiry.
    pub auto_refresh: bool,
    /// How many seconds ahead, as typed.
    pub threshold: String,
    /// The token set (by receipt time) auto-refresh already acted on.
    pub refreshed: Option<chrono::DateTime<chrono::Utc>>,
    /// The current raw response as a tree: for which token set (by receipt
    /// time) and whether secrets were shown.
    pub raw_tree: Option<(chrono::DateTime<chrono::Utc>, bool, JsonTree, JsonTreeView)>,
    /// Logout or revocation in flight.
    pub ending: bool,
    /// What the last logout or revocation did: (success, message).
    pub ended: Option<(bool, String)>,
    /// Where kept tokens went, or why they could not be kept or read:
    /// (success, message).
    pub kept_note: Option<(bool, String)>,
}

impl Default for TokenState {
    fn default() -> Self {
        Self {
            history: Vec::new(),
            auto_refresh: false,
            threshold: DEFAULT_REFRESH_THRESHOLD.to_string(),
            refreshed: None,
            raw_tree: None,
            ending: false,
            ended: None,
            kept_note: None,
        }
    }
}

impl TokenState {
    /// The newest token set.
    pub fn current(&self) -> Option<&TokenSet> {
        self.history.last()
    }

    /// Adds a new token set.
    pub fn push(&mut self, tokens: TokenSet) {
        self.history.push(tokens);
    }

    /// When auto-refresh should act on the current token set: `None` when it
    /// is off, already done, or impossible (no refresh token or no expiry).
    pub fn refresh_due(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        let current = self.current()?;
        if !self.auto_refresh
            || current.refresh_token.is_none()
            || self.refreshed == Some(current.obtained_at)
        {
            return None;
        }
        let threshold = self
            .threshold
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|t| t.is_finite() && *t >= 0.0)?;
        // Tokens that live no longer than the threshold are refreshed
        // half-way through (7-second tokens), never in a loop.
        crate::engine::session::refresh_at(current, std::time::Duration::from_secs_f64(threshold))
    }
}

/// The Request tab.
#[derive(Debug, Clone, Default)]
pub struct RequestState {
    /// Method.
    pub method: String,
    /// URL.
    pub url: String,
    /// Headers, one `Name: value` per line.
    pub headers: String,
    /// Body.
    pub body: String,
    /// In flight.
    pub in_flight: bool,
    /// The last answer.
    pub response: Option<Box<ApiAnswer>>,
    /// Text to find in the response body.
    pub find: String,
    /// Show the body as a tree (otherwise as text).
    pub as_tree: bool,
    /// Folding of the body's tree.
    pub tree_view: JsonTreeView,
    /// The last failure.
    pub error: Option<String>,
    /// Send again once the refresh in flight brings a new token.
    pub retry_after_refresh: bool,
    /// Requests sent this session, newest last: method, URL, status.
    pub history: Vec<(String, String, Option<u16>)>,
    /// Where the token goes, overriding the profile's `[api]` placement.
    pub placement: Option<crate::engine::profile::TokenPlacementKind>,
}

impl RequestState {
    /// Fills the form from a profile's `[api]` (paths resolved against its
    /// base URL, its query parameters in the URL).
    pub fn load_from(&mut self, file: Option<&ProfileFile>) {
        let typed = file.and_then(|f| Profile::from_file(f, "profile").ok());
        if let Some(api) = typed.as_ref().and_then(|p| p.api.as_ref()) {
            self.fill(&ApiRequest::from_config(api));
            return;
        }
        let api = file.and_then(|f| f.api.as_ref());
        self.method = api
            .and_then(|a| a.method.clone())
            .unwrap_or_else(|| "GET".to_string());
        self.url = api.and_then(|a| a.url.clone()).unwrap_or_default();
        self.headers = api
            .map(|a| {
                a.headers
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        self.body = api.and_then(|a| a.body.clone()).unwrap_or_default();
        self.response = None;
        self.error = None;
    }

    /// Fills the form with `request`.
    pub fn fill(&mut self, request: &ApiRequest) {
        self.method = request.method.to_string();
        self.url = request.url.to_string();
        self.headers = request
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n");
        self.body = request.body.clone().unwrap_or_default();
        self.response = None;
        self.error = None;
    }

    /// The request the form describes, placed as the profile says.
    pub fn build(&self, profile: &Profile) -> Result<ApiRequest, String> {
        let url = parse_http_url(self.url.trim())?;
        let method = http::Method::from_bytes(self.method.trim().to_ascii_uppercase().as_bytes())
            .map_err(|_| format!("`{}` is not an HTTP method", self.method))?;
        let mut headers = Vec::new();
        for line in self.headers.lines().filter(|l| !l.trim().is_empty()) {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| format!("header line `{line}`: expected `Name: value`"))?;
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
        use crate::engine::profile::{TokenPlacement, TokenPlacementKind};
        let from_profile = profile
            .api
            .as_ref()
            .map(|api| api.placement.clone())
            .unwrap_or(TokenPlacement::Header {
                name: "Authorization".to_string(),
                prefix: "Bearer".to_string(),
            });
        let param = match &from_profile {
            TokenPlacement::Query { param } | TokenPlacement::Body { param } => param.clone(),
            TokenPlacement::Header { .. } => "access_token".to_string(),
        };
        let placement = match (self.placement, from_profile) {
            (None, placement) => placement,
            (Some(TokenPlacementKind::Header), header @ TokenPlacement::Header { .. }) => header,
            (Some(TokenPlacementKind::Header), _) => TokenPlacement::Header {
                name: "Authorization".to_string(),
                prefix: "Bearer".to_string(),
            },
            (Some(TokenPlacementKind::Query), _) => TokenPlacement::Query { param },
            (Some(TokenPlacementKind::Body), _) => TokenPlacement::Body { param },
        };
        Ok(ApiRequest {
            method,
            url,
            headers,
            body: (!self.body.is_empty()).then(|| self.body.clone()),
            placement,
        })
    }

    /// The request left.
    pub fn start(&mut self) {
        self.in_flight = true;
        self.error = None;
    }

    /// The answer came.
    pub fn finish(&mut self, result: Result<Box<ApiAnswer>, String>) {
        self.in_flight = false;
        let status = result.as_ref().ok().map(|answer| answer.response.status());
        self.history
            .push((self.method.clone(), self.url.clone(), status));
        match result {
            Ok(response) => {
                self.tree_view = response
                    .tree
                    .as_ref()
                    .map(|tree| JsonTreeView::folded_below(tree, 2))
                    .unwrap_or_default();
                self.as_tree = response.tree.is_some();
                self.response = Some(response);
                self.error = None;
            }
            Err(message) => self.error = Some(message),
        }
    }
}

/// The HTTP log tab.
#[derive(Debug, Clone, Default)]
pub struct LogState {
    /// Text filter (URL, method, status).
    pub filter: String,
    /// Kind filter.
    pub kind: Option<ExchangeKind>,
    /// The exchange in the detail pane.
    pub selected: Option<u64>,
    /// One row of text per exchange, made once when it arrives.
    pub rows: Vec<LogRow>,
    /// The detail pane's lines: for which exchange, revealed or not.
    pub detail: Option<(u64, bool, Vec<String>)>,
    /// Where "Export HAR" writes.
    pub har_path: String,
    /// Keep secrets in the HAR export.
    pub har_secrets: bool,
    /// What the last export did: (success, message).
    pub har_result: Option<(bool, String)>,
}

/// A table row of the HTTP log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRow {
    /// The exchange.
    pub id: u64,
    /// Its kind, for the filter.
    pub kind: ExchangeKind,
    /// What the row shows.
    pub text: String,
    /// The same in lower case, for the text filter.
    pub lower: String,
}

/// A profile as shown and edited, with where it is saved.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileEntry {
    /// The profile as being edited.
    pub file: ProfileFile,
    /// Its file, once saved.
    pub path: Option<std::path::PathBuf>,
    /// What the file holds, to tell unsaved changes.
    pub saved: Option<ProfileFile>,
}

impl ProfileEntry {
    /// A profile not saved yet.
    pub fn unsaved(file: ProfileFile) -> Self {
        Self {
            file,
            path: None,
            saved: None,
        }
    }

    /// True when the editor holds changes the file does not.
    pub fn is_dirty(&self) -> bool {
        self.saved.as_ref() != Some(&self.file)
    }
}

/// Profile import and export in the Clients panel.
#[derive(Debug, Clone, Default)]
pub struct TransferState {
    /// The file to export to or import from.
    pub path: String,
    /// Keep secrets in an export.
    pub include_secrets: bool,
    /// What the last import or export did: (success, message).
    pub result: Option<(bool, String)>,
}

/// Everything the UI shows, apart from the handles.
#[derive(Debug, Default)]
pub struct AppState {
    /// The demo provider.
    pub demo: Option<DemoStatus>,
    /// The demo provider's behaviour mode (standard, or a seed provider's).
    pub demo_mode: crate::demo::Mode,
    /// The profiles (the built-in Demo ones first).
    pub profiles: Vec<ProfileEntry>,
    /// Profile files that could not be read, with why.
    pub broken_profiles: Vec<String>,
    /// What loading the profiles did that people should hear about: format
    /// upgrades, secrets the keychain did not give.
    pub profile_notes: Vec<String>,
    /// Where secrets are kept, once the store has asked the keychain.
    pub secret_storage: Option<crate::engine::keychain::Status>,
    /// Asking whether to delete the selected profile.
    pub confirm_delete: bool,
    /// Profile import and export.
    pub transfer: TransferState,
    /// The selected profile.
    pub selected: usize,
    /// The visible tab.
    pub tab: Tab,
    /// The Flow tab.
    pub flow: FlowState,
    /// The Tokens tab.
    pub tokens: TokenState,
    /// Verification, introspection, userinfo and discovery results.
    pub tools: crate::app::tools::ToolsState,
    /// The Request tab.
    pub request: RequestState,
    /// The HTTP log tab.
    pub log: LogState,
    /// Every exchange of the session, oldest first.
    pub exchanges: Vec<Exchange>,
    /// Secrets shown in clear.
    pub reveal: bool,
    /// Presentation mode: every secret, token and personal claim masked on
    /// screen, and Show secrets locked off, for screen sharing and demos.
    pub presenting: bool,
    /// A message for the status bar.
    pub notice: Option<String>,
    /// Operations in flight.
    pub in_flight: usize,
    /// Text to put on the clipboard at the next frame.
    pub clipboard: Option<String>,
}
