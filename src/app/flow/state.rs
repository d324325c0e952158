//! A flow run as the steps that were observed: exchanges the recording
//! client saw, the browser opened, a redirect received on the listener or
//! pasted, a connection that failed. What has not happened yet is a
//! waiting step, and waiting steps go when the run ends — nothing is drawn
//! that was not seen. Pure transitions, tested without egui.
//!
//! Here: the run's state and its life (start, prepare, exchanges, finish,
//! the MCP walk). `state/progress.rs` turns the engine's progress reports
//! into steps and waiting states.

mod progress;

use chrono::{DateTime, Utc};

use super::step::{Actor, FlowStep, StepStatus};
use crate::app::bridge::GrantFailure;
use crate::engine::grants::ciba::CibaInfo;
use crate::engine::grants::device_code::DeviceCodeInfo;
use crate::engine::grants::step::PreparedRequest;
use crate::engine::wire::http::{Exchange, ExchangeKind};
use crate::engine::{GrantType, TokenSet};

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
        /// When the pushed request's `request_uri` runs out (RFC 9126
        /// §2.2 `expires_in`): the browser must get there before.
        request_uri_expires: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// The device approval.
    Device(DeviceCodeInfo),
    /// CIBA: the user's approval on their own device, while the client
    /// polls or waits for the ping.
    Ciba {
        /// The acknowledgement: auth_req_id, expiry, interval.
        info: CibaInfo,
        /// Token requests answered so far.
        polls: u32,
        /// Seconds until the next poll, as last reported.
        next_in: Option<u64>,
    },
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
    /// What the next run asks of the user's sign-in (`acr_values`,
    /// `max_age`) beyond the profile: a step-up an API asked for (RFC 9470
    /// §4). Used once.
    pub ask: Option<crate::engine::requests::step_up::AuthRequirement>,
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
        // First whatever the clock says: the engine may report before the
        // UI has stamped this line.
        self.steps = vec![FlowStep {
            at: DateTime::<Utc>::MIN_UTC,
            ..FlowStep::verdict(format!("Running the {} grant", grant.label()), true)
        }];
        self.run_id
    }

    /// A walk of an MCP server's authorization chain begins (its grant is
    /// the authorization code); returns the run's number.
    pub fn start_mcp(&mut self, url: &str) -> u64 {
        let run = self.start(GrantType::AuthorizationCode, false);
        if let Some(first) = self.steps.first_mut() {
            first.verdict = format!("Walking the MCP authorization chain of {url}");
        }
        run
    }

    /// The MCP chain ended: each hop's verdict goes after the last arrow
    /// of its exchanges, then the tokens (or where it broke).
    pub fn finish_mcp(&mut self, hops: &[crate::engine::mcp::Hop], tokens: Option<&TokenSet>) {
        use crate::engine::jwt::claims::Verdict;
        for hop in hops {
            // A refusal the chain expects (the 401 challenge that starts it,
            // a 403 asking for more scope) is part of a hop that passed.
            if hop.verdict != Verdict::Fail {
                for step in &mut self.steps {
                    if step.status == StepStatus::Failed
                        && step
                            .exchange_id
                            .is_some_and(|id| hop.exchanges.contains(&id))
                    {
                        step.status = StepStatus::Done;
                        step.verdict = format!("{} — expected here: {}", step.verdict, hop.title);
                    }
                }
            }
            let after = self
                .steps
                .iter()
                .rposition(|s| s.exchange_id.is_some_and(|id| hop.exchanges.contains(&id)));
            let ok = hop.verdict != Verdict::Fail;
            let mut step =
                FlowStep::verdict(format!("{} — {}", hop.title, hop.verdict.as_str()), ok);
            step.findings = hop.findings.clone();
            match after {
                Some(index) => {
                    step.at = self.steps[index].at;
                    self.steps.insert(index + 1, step);
                }
                None => self.steps.push(step),
            }
        }
        match tokens {
            Some(tokens) => self.finish(Ok(tokens)),
            None => self.finish(Err(GrantFailure::message(match hops.last() {
                Some(hop) => format!("The MCP chain broke at: {}", hop.title),
                None => "The MCP chain did not start".to_string(),
            }))),
        }
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
        self.drop_waiting(Actor::Client, Actor::AuthorizationServer);
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

    /// [`Self::observe`] for a step seen at `at`.
    fn observe_at(&mut self, at: DateTime<Utc>, step: FlowStep) {
        self.observe(FlowStep { at, ..step });
    }

    /// Removes the awaited arrows from `from` to `to` (they happened, or
    /// will not).
    fn drop_waiting(&mut self, from: Actor, to: Actor) {
        self.steps
            .retain(|s| !(s.status == StepStatus::Waiting && s.arrow == Some((from, to))));
    }

    /// Adds the arrows of an exchange of this run.
    pub fn add_exchange(&mut self, exchange: &Exchange) {
        if exchange.kind == ExchangeKind::Token {
            self.drop_waiting(Actor::Client, Actor::AuthorizationServer);
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
}

/// The path of a URL, or the text when it is not one.
fn path_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| url.to_string())
}
