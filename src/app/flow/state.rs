//! A flow run as the steps that were observed: exchanges the recording
//! client saw, the browser opened, a redirect received on the listener or
//! pasted, a connection that failed. What has not happened yet is a
//! waiting step, and waiting steps go when the run ends — nothing is drawn
//! that was not seen. Pure transitions, tested without egui.

use chrono::{DateTime, Utc};

use crate::app::bridge::GrantFailure;
use crate::engine::grants::Progress;
use crate::engine::grants::device_code::DeviceCodeInfo;
use crate::engine::grants::step::PreparedRequest;
use crate::engine::http::{Exchange, ExchangeKind, TransportErrorKind};
use crate::engine::{Explanation, Finding, GrantType, TokenSet};

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

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    /// Observed, and as expected.
    Done,
    /// Observed, and wrong (an error, a refused connection).
    Failed,
    /// Not happened yet: what the run waits for.
    Waiting,
}

/// One step of a run: an arrow between two actors and its verdict, or a
/// verdict alone.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowStep {
    /// The arrow, when the step is a message.
    pub arrow: Option<(Actor, Actor)>,
    /// Arrow label ("POST /token", "200 token").
    pub label: String,
    /// What it meant ("state matched", the error).
    pub verdict: String,
    /// Observed and fine, observed and wrong, or still awaited.
    pub status: StepStatus,
    /// The exchange behind it.
    pub exchange_id: Option<u64>,
    /// What was odd about the server's answer.
    pub findings: Vec<Finding>,
    /// Why it failed, for an OAuth error.
    pub explanation: Option<Box<Explanation>>,
    /// When it was observed (exchanges: when the request left), to keep
    /// steps in order however their reports arrive.
    pub at: DateTime<Utc>,
}

impl FlowStep {
    /// An observed arrow.
    pub fn arrow(
        from: Actor,
        to: Actor,
        label: impl Into<String>,
        verdict: impl Into<String>,
    ) -> Self {
        Self {
            arrow: Some((from, to)),
            label: label.into(),
            ..Self::verdict(verdict, true)
        }
    }

    /// An arrow the run waits for.
    pub fn awaited(
        from: Actor,
        to: Actor,
        label: impl Into<String>,
        verdict: impl Into<String>,
    ) -> Self {
        Self {
            status: StepStatus::Waiting,
            ..Self::arrow(from, to, label, verdict)
        }
    }

    /// A verdict line with no arrow.
    pub fn verdict(verdict: impl Into<String>, ok: bool) -> Self {
        Self {
            arrow: None,
            label: String::new(),
            verdict: verdict.into(),
            status: if ok {
                StepStatus::Done
            } else {
                StepStatus::Failed
            },
            exchange_id: None,
            findings: Vec::new(),
            explanation: None,
            at: Utc::now(),
        }
    }

    /// True unless it failed.
    pub fn ok(&self) -> bool {
        self.status != StepStatus::Failed
    }

    /// The verdict of a failed run: the error, its findings and why.
    pub fn failure(failure: &GrantFailure) -> Self {
        Self {
            findings: failure.findings.clone(),
            explanation: failure.explanation.clone(),
            ..Self::verdict(failure.message.clone(), false)
        }
    }

    /// The arrows of an exchange: the request, and the reply when one came.
    /// A request that never reached the server (refused, timed out, TLS) is
    /// one failed arrow with no reply.
    pub fn from_exchange(exchange: &Exchange) -> Vec<Self> {
        let path = url::Url::parse(&exchange.request.url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| exchange.request.url.clone());
        let server = match exchange.kind {
            ExchangeKind::Api => Actor::ResourceServer,
            _ => Actor::AuthorizationServer,
        };
        let what = exchange.kind.as_str();
        let mut request = Self::arrow(
            Actor::Client,
            server,
            format!("{} {path}", exchange.request.method),
            format!("{what} request sent"),
        );
        request.exchange_id = Some(exchange.id);
        request.at = exchange.started_at;
        let Some(response) = &exchange.response else {
            let failure = exchange
                .error
                .as_ref()
                .map(|e| (e.kind, e.message.clone()))
                .unwrap_or((TransportErrorKind::Other, "no answer".to_string()));
            request.status = StepStatus::Failed;
            request.label = format!("{} — {}", request.label, transport_outcome(failure.0));
            request.verdict = format!("Never reached the server: {}", failure.1);
            return vec![request];
        };
        let error = crate::engine::token::parse_oauth_error(response.status, &response.body);
        let success = (200..300).contains(&response.status);
        let (label, verdict, ok) = match error {
            // The device grant's polling answers: expected, not failures.
            Some(error)
                if matches!(error.error.as_str(), "authorization_pending" | "slow_down") =>
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
            None if success => (
                format!("{} {what}", response.status),
                format!(
                    "HTTP {} in {} ms",
                    response.status,
                    exchange.duration.as_millis()
                ),
                true,
            ),
            None => (
                status_line(response.status),
                format!(
                    "HTTP {} in {} ms: not a {what} response",
                    response.status,
                    exchange.duration.as_millis()
                ),
                false,
            ),
        };
        let mut reply = Self::arrow(server, Actor::Client, label, verdict);
        reply.status = if ok && exchange.error.is_none() {
            StepStatus::Done
        } else {
            StepStatus::Failed
        };
        if let Some(error) = &exchange.error {
            reply.verdict = format!("{} — {}", reply.verdict, error.message);
        }
        reply.exchange_id = Some(exchange.id);
        reply.at = exchange.started_at + exchange.duration;
        vec![request, reply]
    }
}

/// "404 Not Found".
fn status_line(status: u16) -> String {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("{status} {reason}").trim_end().to_string()
}

/// What became of a request that got no response.
fn transport_outcome(kind: TransportErrorKind) -> &'static str {
    match kind {
        TransportErrorKind::Connect => "connection refused",
        TransportErrorKind::Timeout => "no answer in time",
        TransportErrorKind::Tls => "TLS failed",
        TransportErrorKind::TooLarge => "response too large",
        TransportErrorKind::InvalidRequest => "not sent (invalid request)",
        TransportErrorKind::NotSent => "not sent",
        TransportErrorKind::Other => "failed",
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

/// A profile's Flow tab.
#[derive(Debug, Clone, Default)]
pub struct FlowState {
    /// The grant to run.
    pub grant: GrantType,
    /// The run's number; reports of earlier runs are ignored.
    pub run_id: u64,
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
    /// The token request being edited before it is sent: prepared by Next
    /// step, or the code exchange a step-mode run paused at.
    pub prepared: Option<PreparedRequest>,
    /// The prepared request belongs to the running grant (it goes back to
    /// it) rather than standing alone.
    pub prepared_in_run: bool,
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

    /// Back to the start: no steps, nothing prepared or awaited. Reports
    /// of the run that was on screen are ignored from now on.
    pub fn reset(&mut self) {
        self.run_id += 1;
        self.run = GrantRun::Idle;
        self.prepared = None;
        self.prepared_in_run = false;
        self.preparing = false;
        self.approval = None;
        self.steps.clear();
        self.waiting = None;
        self.paste.clear();
        self.paste_problem = None;
    }

    /// A run of `grant` begins; returns its number.
    pub fn start(&mut self, grant: GrantType, step: bool) -> u64 {
        self.reset();
        self.run = GrantRun::Running;
        self.step_mode = step;
        self.steps = vec![FlowStep::verdict(
            format!("Running the {} grant", grant.label()),
            true,
        )];
        self.run_id
    }

    /// Next step on a token endpoint grant: the request is being built.
    pub fn start_preparing(&mut self) -> u64 {
        self.reset();
        self.preparing = true;
        self.run_id
    }

    /// The request Next step built, or why it could not be.
    pub fn prepared(&mut self, result: Result<PreparedRequest, GrantFailure>) {
        self.preparing = false;
        match result {
            Ok(prepared) => {
                self.steps = vec![FlowStep::verdict(
                    format!(
                        "Step 1: {} {} prepared; edit it below, then Send",
                        prepared.method, prepared.url
                    ),
                    true,
                )];
                self.steps.push(FlowStep::awaited(
                    Actor::Client,
                    Actor::AuthorizationServer,
                    format!("{} {}", prepared.method, path_of(&prepared.url)),
                    "Waiting for you to send it",
                ));
                self.run = GrantRun::Idle;
                self.prepared = Some(prepared);
                self.prepared_in_run = false;
            }
            Err(failure) => {
                self.steps = vec![FlowStep::failure(&failure)];
                self.run = GrantRun::Failed(failure);
            }
        }
    }

    /// The prepared request was sent (on its own or back to its run).
    pub fn sent_prepared(&mut self) {
        self.prepared = None;
        self.drop_waiting_to(Actor::AuthorizationServer);
        if !self.prepared_in_run {
            self.run = GrantRun::Running;
        }
        self.prepared_in_run = false;
    }

    /// Inserts a step in the order things happened; awaited steps stay last.
    fn observe(&mut self, step: FlowStep) {
        let at = self
            .steps
            .iter()
            .rposition(|s| s.status != StepStatus::Waiting && s.at <= step.at)
            .map_or(0, |i| i + 1);
        self.steps.insert(at, step);
    }

    /// Removes the awaited arrows towards `to` (they happened, or will not).
    fn drop_waiting_to(&mut self, to: Actor) {
        self.steps.retain(|s| {
            !(s.status == StepStatus::Waiting && s.arrow.is_some_and(|(_, t)| t == to))
        });
    }

    /// Adds the arrows of an exchange of this run.
    pub fn add_exchange(&mut self, exchange: &Exchange) {
        if exchange.kind == ExchangeKind::Token {
            self.drop_waiting_to(Actor::AuthorizationServer);
        }
        for step in FlowStep::from_exchange(exchange) {
            self.observe(step);
        }
    }

    /// The run ended: tokens, or why not. Whatever it still waited for did
    /// not happen and is no longer drawn.
    pub fn finish(&mut self, result: Result<&TokenSet, GrantFailure>) {
        self.steps.retain(|s| s.status != StepStatus::Waiting);
        self.waiting = None;
        self.approval = None;
        if self.prepared_in_run {
            self.prepared = None;
            self.prepared_in_run = false;
        }
        match result {
            Ok(tokens) => {
                self.steps.push(FlowStep::verdict(
                    format!("Token received ({} grant)", tokens.grant.label()),
                    true,
                ));
                self.run = GrantRun::Done;
            }
            Err(failure) => {
                self.steps.push(FlowStep::failure(&failure));
                self.run = GrantRun::Failed(failure);
            }
        }
    }

    /// Records a progress report as steps and waiting states.
    pub fn apply_progress(&mut self, progress: Progress) {
        match progress {
            Progress::AuthorizationUrl(request) => {
                if self.step_mode {
                    let mut endpoint = request.url.clone();
                    endpoint.set_query(None);
                    self.approval = Some((endpoint.to_string(), request.params()));
                }
                let method = request
                    .pkce_method
                    .map(|m| format!(", PKCE {m} sent"))
                    .unwrap_or_default();
                self.observe(FlowStep::verdict(
                    format!(
                        "Authorization request built (state {}{method})",
                        request.state
                    ),
                    true,
                ));
                let opening = if self.step_mode {
                    "Waiting for you to approve the request, then it opens in the browser"
                } else {
                    "Waiting for the browser to open (or for you to open the URL)"
                };
                self.steps.push(FlowStep::awaited(
                    Actor::Client,
                    Actor::Browser,
                    format!("open {}", request.url.path()),
                    opening,
                ));
                self.steps.push(FlowStep::awaited(
                    Actor::Browser,
                    Actor::AuthorizationServer,
                    format!("GET {}", request.url.path()),
                    "Waiting for the person to sign in and consent (this app sees it only when the redirect comes back)",
                ));
                self.waiting = Some(Waiting::Browser {
                    url: request.url.to_string(),
                    redirect_uri: request.redirect_uri.to_string(),
                    paste: false,
                    browser_failed: None,
                });
            }
            Progress::BrowserOpened(url) => {
                self.drop_waiting_to(Actor::Browser);
                let path = path_of(&url);
                self.observe(FlowStep::arrow(
                    Actor::Client,
                    Actor::Browser,
                    format!("open {path}"),
                    "The system browser was sent to the authorization URL",
                ));
            }
            Progress::BrowserFailed { reason, .. } => {
                self.drop_waiting_to(Actor::Browser);
                self.observe(FlowStep::verdict(
                    format!("The browser did not open: {reason}; open the URL yourself"),
                    false,
                ));
                if let Some(Waiting::Browser { browser_failed, .. }) = &mut self.waiting {
                    *browser_failed = Some(reason);
                }
            }
            Progress::WaitingForRedirect(_) => {}
            Progress::WaitingForPaste(_) => {
                if let Some(Waiting::Browser { paste, .. }) = &mut self.waiting {
                    *paste = true;
                }
            }
            Progress::PasteRejected(reason) => self.paste_problem = Some(reason),
            Progress::RedirectAccepted(params) => {
                self.redirected(
                    &params,
                    "GET /callback",
                    "Redirect received on the loopback listener; state matched",
                );
            }
            Progress::RedirectPasted(params) => {
                self.redirected(
                    &params,
                    "pasted redirect",
                    "You pasted the redirect URL; state matched",
                );
            }
            Progress::TokenRequestReady(prepared) => {
                self.steps.push(FlowStep::awaited(
                    Actor::Client,
                    Actor::AuthorizationServer,
                    format!("{} {}", prepared.method, path_of(&prepared.url)),
                    "The code exchange is ready: edit it below, then Send",
                ));
                self.prepared = Some(*prepared);
                self.prepared_in_run = true;
            }
            Progress::DeviceCode(info) => {
                self.steps.push(FlowStep::awaited(
                    Actor::Browser,
                    Actor::AuthorizationServer,
                    "approve the device",
                    format!(
                        "Waiting for the person to enter {} at {}",
                        info.user_code, info.verification_uri
                    ),
                ));
                self.waiting = Some(Waiting::Device(info));
            }
            Progress::Polling => {}
        }
    }

    /// The redirect came back: the browser steps are over.
    fn redirected(&mut self, params: &[(String, String)], how: &str, verdict: &str) {
        // The person opened the URL themselves if the app never saw the
        // browser open: that arrow is not drawn.
        self.drop_waiting_to(Actor::Browser);
        self.drop_waiting_to(Actor::AuthorizationServer);
        let carries = if params.iter().any(|(k, _)| k == "code") {
            "code"
        } else if params.iter().any(|(k, _)| k == "error") {
            "error"
        } else {
            "tokens in fragment"
        };
        self.observe(FlowStep::arrow(
            Actor::Browser,
            Actor::Client,
            format!("{how} ({carries})"),
            verdict,
        ));
        self.waiting = None;
        self.approval = None;
        self.paste_problem = None;
    }
}

/// The path of a URL, or the text when it is not one.
fn path_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::http::{RecordedRequest, RecordedResponse, TransportError};

    fn exchange(response: Option<(u16, &str)>, error: Option<TransportErrorKind>) -> Exchange {
        Exchange {
            id: 7,
            kind: ExchangeKind::Token,
            started_at: Utc::now(),
            duration: std::time::Duration::from_millis(3),
            request: RecordedRequest {
                method: "POST".to_string(),
                url: "http://127.0.0.1:1/token".to_string(),
                headers: Vec::new(),
                body: b"grant_type=client_credentials".to_vec(),
            },
            response: response.map(|(status, body)| RecordedResponse {
                status,
                headers: Vec::new(),
                body: body.as_bytes().to_vec(),
                truncated: false,
            }),
            error: error.map(|kind| TransportError {
                kind,
                message: "connection refused (os error 111)".to_string(),
            }),
        }
    }

    #[test]
    fn a_refused_connection_is_one_failed_arrow_with_no_reply() {
        let steps = FlowStep::from_exchange(&exchange(None, Some(TransportErrorKind::Connect)));
        assert_eq!(steps.len(), 1, "no reply arrow from a server never reached");
        assert_eq!(
            steps[0].arrow,
            Some((Actor::Client, Actor::AuthorizationServer))
        );
        assert_eq!(steps[0].status, StepStatus::Failed);
        assert_eq!(steps[0].label, "POST /token — connection refused");
        assert!(!steps[0].verdict.contains("sent OK"));
    }

    #[test]
    fn a_reply_names_its_outcome() {
        let not_found = FlowStep::from_exchange(&exchange(Some((404, "<html>nope</html>")), None));
        assert_eq!(not_found[1].label, "404 Not Found");
        assert_eq!(not_found[1].status, StepStatus::Failed);
        let ok = FlowStep::from_exchange(&exchange(
            Some((200, r#"{"access_token":"x","token_type":"Bearer"}"#)),
            None,
        ));
        assert_eq!(ok[1].label, "200 token");
        assert_eq!(
            ok[1].arrow,
            Some((Actor::AuthorizationServer, Actor::Client))
        );
        let refused =
            FlowStep::from_exchange(&exchange(Some((400, r#"{"error":"invalid_grant"}"#)), None));
        assert_eq!(refused[1].label, "400 invalid_grant");
    }

    fn request() -> crate::engine::grants::authorization_code::AuthorizationRequest {
        crate::engine::grants::authorization_code::AuthorizationRequest {
            url: url::Url::parse("http://127.0.0.1:9/authorize?state=s&code_challenge=c")
                .expect("url"),
            redirect_uri: url::Url::parse("http://127.0.0.1:9/callback").expect("url"),
            state: "s".to_string(),
            pkce_verifier: None,
            pkce_method: Some("S256"),
            nonce: None,
        }
    }

    #[test]
    fn the_browser_steps_wait_until_observed_and_a_paste_is_drawn_as_a_paste() {
        let mut flow = FlowState::default();
        flow.start(GrantType::AuthorizationCode, false);
        flow.apply_progress(Progress::AuthorizationUrl(request()));
        let waiting: Vec<_> = flow
            .steps
            .iter()
            .filter(|s| s.status == StepStatus::Waiting)
            .map(|s| s.label.as_str())
            .collect();
        assert_eq!(waiting, ["open /authorize", "GET /authorize"]);
        assert!(
            !flow
                .steps
                .iter()
                .any(|s| s.status == StepStatus::Done && s.arrow.is_some()),
            "no arrow is done before anything was observed"
        );
        flow.apply_progress(Progress::BrowserOpened(
            "http://127.0.0.1:9/authorize?x".into(),
        ));
        assert!(
            flow.steps
                .iter()
                .any(|s| s.label == "open /authorize" && s.status == StepStatus::Done)
        );
        flow.apply_progress(Progress::RedirectPasted(vec![("code".into(), "c".into())]));
        assert!(
            flow.steps
                .iter()
                .any(|s| s.label == "pasted redirect (code)"
                    && s.verdict.contains("You pasted")
                    && s.arrow == Some((Actor::Browser, Actor::Client)))
        );
        assert!(!flow.steps.iter().any(|s| s.verdict.contains("listener")));
        assert!(!flow.steps.iter().any(|s| s.status == StepStatus::Waiting));
    }

    #[test]
    fn a_failed_run_drops_what_it_still_waited_for() {
        let mut flow = FlowState::default();
        flow.start(GrantType::AuthorizationCode, false);
        flow.apply_progress(Progress::AuthorizationUrl(request()));
        flow.finish(Err(GrantFailure::message("the sign-in was not completed")));
        assert!(!flow.steps.iter().any(|s| s.status == StepStatus::Waiting));
        assert!(flow.waiting.is_none());
        assert!(matches!(flow.run, GrantRun::Failed(_)));
    }
}
