//! A flow run's steps from the engine's progress reports: each report
//! becomes the steps it shows (the authorization request, the browser, the
//! redirect, a prepared token request, the device or CIBA approval) and
//! the waiting state the Flow tab draws, in the order things happened.

use chrono::{DateTime, Utc};

use super::{FlowState, Waiting, path_of};
use crate::app::flow::step::{Actor, FlowStep};
use crate::engine::grants::Progress;

impl FlowState {
    /// Records a progress report, made at `at`, as steps and waiting
    /// states.
    pub fn apply_progress(&mut self, progress: Progress, at: DateTime<Utc>) {
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
                self.observe_at(
                    at,
                    FlowStep::verdict(
                        format!(
                            "Authorization request built (state {}{method})",
                            request.state
                        ),
                        true,
                    ),
                );
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
                    format!(
                        "Waiting for the person to sign in and consent (this app sees it only when the redirect comes back); {}",
                        crate::engine::grants::preflight::waiting_advice(&request.redirect_uri)
                    ),
                ));
                self.waiting = Some(Waiting::Browser {
                    url: request.url.to_string(),
                    redirect_uri: request.redirect_uri.to_string(),
                    paste: false,
                    browser_failed: None,
                    request_uri_expires: None,
                });
            }
            Progress::ResponsePosted => {
                self.observe_at(
                    at,
                    FlowStep::verdict(
                        "The response came by form post: the browser POSTed it to the redirect URI (OAuth 2.0 Form Post Response Mode)",
                        true,
                    ),
                );
            }
            Progress::JarmVerified(checks) => {
                let failed: Vec<&str> = checks
                    .iter()
                    .filter(|c| c.verdict == crate::engine::jwt::claims::Verdict::Fail)
                    .map(|c| c.name.as_str())
                    .collect();
                let summary = checks
                    .iter()
                    .map(|c| format!("{} {}", c.name, c.verdict.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.observe_at(
                    at,
                    FlowStep::verdict(
                        if failed.is_empty() {
                            format!("Signed authorization response (JARM) verified: {summary}")
                        } else {
                            format!(
                                "Signed authorization response (JARM) refused ({}): {summary}",
                                failed.join(", ")
                            )
                        },
                        failed.is_empty(),
                    ),
                );
            }
            Progress::HybridVerified(front) => self.front_channel(at, &front),
            Progress::Hardened(hardened) => {
                if let Some(object) = &hardened.request_object {
                    self.observe_at(
                        at,
                        FlowStep::verdict(
                            format!(
                                "Signed into a request object ({}, RFC 9101): the parameters travel inside it",
                                object.header["alg"].as_str().unwrap_or("?")
                            ),
                            true,
                        ),
                    );
                }
                if let Some(pushed) = &hardened.pushed {
                    self.observe_at(
                        at,
                        FlowStep::verdict(
                            format!(
                                "Pushed (RFC 9126): the browser carries request_uri {}{}",
                                pushed.request_uri,
                                pushed
                                    .expires_in
                                    .map(|s| format!(", valid {s} s"))
                                    .unwrap_or_default()
                            ),
                            true,
                        ),
                    );
                }
                if let Some(Waiting::Browser {
                    url,
                    request_uri_expires,
                    ..
                }) = &mut self.waiting
                {
                    *url = hardened.url.to_string();
                    *request_uri_expires = hardened.pushed.as_ref().and_then(|pushed| {
                        let secs = i64::try_from(pushed.expires_in?).ok()?;
                        Some(pushed.at + chrono::Duration::try_seconds(secs)?)
                    });
                }
            }
            Progress::BrowserOpened(url) => {
                self.drop_waiting(Actor::Client, Actor::Browser);
                let path = path_of(&url);
                self.observe_at(
                    at,
                    FlowStep::arrow(
                        Actor::Client,
                        Actor::Browser,
                        format!("open {path}"),
                        "The system browser was sent to the authorization URL",
                    ),
                );
            }
            Progress::BrowserFailed { reason, .. } => {
                self.drop_waiting(Actor::Client, Actor::Browser);
                self.observe_at(
                    at,
                    FlowStep::verdict(
                        format!("The browser did not open: {reason}; open the URL yourself"),
                        false,
                    ),
                );
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
                    at,
                    &params,
                    "GET /callback",
                    "Redirect received on the loopback listener; state matched",
                );
            }
            Progress::RedirectPasted(params) => {
                self.redirected(
                    at,
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
                    "The token request is built, not sent: edit it below, then Send",
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
            Progress::CibaAcknowledged(info) => {
                let how = match &info.notification_endpoint {
                    Some(url) => format!("waiting for the server's ping on {url}"),
                    None => format!("polling every {} s", info.interval),
                };
                self.observe_at(
                    at,
                    FlowStep::verdict(
                        format!(
                            "auth_req_id {} acknowledged{}; {how}",
                            info.auth_req_id,
                            info.expires_in
                                .map(|s| format!(", expires in {s} s"))
                                .unwrap_or_else(|| {
                                    ", no expires_in (OpenID CIBA Core §7.3 requires it)"
                                        .to_string()
                                })
                        ),
                        true,
                    ),
                );
                self.waiting = Some(Waiting::Ciba {
                    info,
                    polls: 0,
                    next_in: None,
                });
            }
            Progress::CibaPolled(poll) => {
                if let Some(Waiting::Ciba { polls, next_in, .. }) = &mut self.waiting {
                    *polls = poll.attempt;
                    *next_in = poll.next_in;
                }
            }
            // The notification is drawn from its recorded exchange.
            Progress::CibaNotified { .. } => {}
            Progress::EndpointsDiscovered(note) => {
                self.observe_at(at, FlowStep::verdict(note.to_string(), true));
            }
        }
    }

    /// The hybrid flow's front channel (OIDC Core §3.3.2.12): what came
    /// with the code, masked, then the ID token's checks — a step before
    /// the code exchange, failed when the code will not be exchanged.
    fn front_channel(
        &mut self,
        at: DateTime<Utc>,
        front: &crate::engine::grants::hybrid::FrontChannel,
    ) {
        let received = front
            .received
            .iter()
            .filter(|(name, _)| {
                matches!(
                    name.as_str(),
                    "code" | "id_token" | "access_token" | "token_type"
                )
            })
            .map(|(name, value)| format!("{name} {value}"))
            .collect::<Vec<_>>()
            .join(", ");
        self.observe_at(
            at,
            FlowStep::verdict(
                format!(
                    "Front-channel response ({}, response_type {}): {received}",
                    front.mode,
                    front.response_type.as_str()
                ),
                true,
            ),
        );
        let summary = front
            .checks
            .iter()
            .map(|c| format!("{} {}", c.name, c.verdict.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let failed: Vec<&str> = front
            .checks
            .iter()
            .filter(|c| c.verdict == crate::engine::jwt::claims::Verdict::Fail)
            .map(|c| c.name.as_str())
            .collect();
        let mut step = FlowStep::verdict(
            if failed.is_empty() {
                format!(
                    "Front channel checked before the code exchange (OIDC Core §3.3.2.12): {summary}"
                )
            } else {
                format!(
                    "Front channel refused ({}); the code is not exchanged: {summary}",
                    failed.join(", ")
                )
            },
            failed.is_empty(),
        );
        step.findings = front.findings();
        self.observe_at(at, step);
    }

    /// The redirect came back: the browser steps are over.
    fn redirected(
        &mut self,
        at: DateTime<Utc>,
        params: &[(String, String)],
        how: &str,
        verdict: &str,
    ) {
        // The person opened the URL themselves if the app never saw the
        // browser open: that arrow is not drawn.
        self.drop_waiting(Actor::Client, Actor::Browser);
        self.drop_waiting(Actor::Browser, Actor::AuthorizationServer);
        let tokens: Vec<&str> = ["id_token", "access_token"]
            .into_iter()
            .filter(|name| params.iter().any(|(k, _)| k == name))
            .collect();
        let hybrid = format!("code, {}", tokens.join(", "));
        let carries = if params.iter().any(|(k, _)| k == "code") && !tokens.is_empty() {
            hybrid.as_str()
        } else if params.iter().any(|(k, _)| k == "code") {
            "code"
        } else if params.iter().any(|(k, _)| k == "error") {
            "error"
        } else {
            "tokens in fragment"
        };
        self.observe_at(
            at,
            FlowStep::arrow(
                Actor::Browser,
                Actor::Client,
                format!("{how} ({carries})"),
                verdict,
            ),
        );
        self.waiting = None;
        self.approval = None;
        self.paste_problem = None;
    }
}
