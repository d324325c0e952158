//! The Flow slice's state transitions, without egui.

use super::state::*;
use super::step::*;
use crate::app::bridge::GrantFailure;
use crate::engine::GrantType;
use crate::engine::grants::Progress;
use crate::engine::wire::http::{Exchange, ExchangeKind, TransportErrorKind};
use crate::engine::wire::http::{RecordedRequest, RecordedResponse, TransportError};
use chrono::Utc;

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
            body: bytes::Bytes::from_static(b"grant_type=client_credentials"),
        },
        response: response.map(|(status, body)| RecordedResponse {
            status,
            headers: Vec::new(),
            body: bytes::Bytes::copy_from_slice(body.as_bytes()),
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
        url: url::Url::parse("http://127.0.0.1:9/authorize?state=s&code_challenge=c").expect("url"),
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
    flow.apply_progress(Progress::AuthorizationUrl(request()), Utc::now());
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
    flow.apply_progress(
        Progress::BrowserOpened("http://127.0.0.1:9/authorize?x".into()),
        Utc::now(),
    );
    assert!(
        flow.steps
            .iter()
            .any(|s| s.label == "open /authorize" && s.status == StepStatus::Done)
    );
    flow.apply_progress(
        Progress::RedirectPasted(vec![("code".into(), "c".into())]),
        Utc::now(),
    );
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
fn steps_keep_the_order_things_happened_in_however_late_their_reports_come() {
    let mut flow = FlowState::default();
    flow.start(GrantType::AuthorizationCode, false);
    let built = Utc::now();
    // The token exchange's report arrives first, its request having left
    // after the redirect came back.
    let mut token = exchange(
        Some((200, r#"{"access_token":"x","token_type":"Bearer"}"#)),
        None,
    );
    token.started_at = built + chrono::TimeDelta::milliseconds(30);
    flow.add_exchange(&token);
    flow.apply_progress(Progress::AuthorizationUrl(request()), built);
    flow.apply_progress(
        Progress::RedirectAccepted(vec![("code".into(), "c".into())]),
        built + chrono::TimeDelta::milliseconds(20),
    );
    let labels: Vec<&str> = flow
        .steps
        .iter()
        .filter(|s| s.arrow.is_some())
        .map(|s| s.label.as_str())
        .collect();
    assert_eq!(labels, ["GET /callback (code)", "POST /token", "200 token"]);
}

#[test]
fn a_failed_run_drops_what_it_still_waited_for() {
    let mut flow = FlowState::default();
    flow.start(GrantType::AuthorizationCode, false);
    flow.apply_progress(Progress::AuthorizationUrl(request()), Utc::now());
    flow.finish(Err(GrantFailure::message("the sign-in was not completed")));
    assert!(!flow.steps.iter().any(|s| s.status == StepStatus::Waiting));
    assert!(flow.waiting.is_none());
    assert!(matches!(flow.run, GrantRun::Failed(_)));
}

#[test]
fn a_pushed_request_shows_when_its_request_uri_runs_out() {
    use crate::engine::grants::hardened::{Hardened, Pushed};
    let mut flow = FlowState::default();
    flow.start(GrantType::AuthorizationCode, false);
    flow.apply_progress(Progress::AuthorizationUrl(request()), Utc::now());
    let at = Utc::now();
    let url =
        url::Url::parse("http://127.0.0.1:9/authorize?client_id=c&request_uri=urn:x").expect("url");
    flow.apply_progress(
        Progress::Hardened(Box::new(Hardened {
            url: url.clone(),
            request_object: None,
            pushed: Some(Pushed {
                request_uri: "urn:x".to_string(),
                expires_in: Some(90),
                at,
            }),
        })),
        at,
    );
    let Some(Waiting::Browser {
        url: shown,
        request_uri_expires,
        ..
    }) = &flow.waiting
    else {
        panic!("still waiting for the browser");
    };
    assert_eq!(shown, url.as_str(), "the browser goes to the pushed URL");
    assert_eq!(
        *request_uri_expires,
        Some(at + chrono::Duration::seconds(90))
    );
    // Without expires_in there is no countdown to show.
    let mut flow = FlowState::default();
    flow.start(GrantType::AuthorizationCode, false);
    flow.apply_progress(Progress::AuthorizationUrl(request()), Utc::now());
    flow.apply_progress(
        Progress::Hardened(Box::new(Hardened {
            url,
            request_object: None,
            pushed: Some(Pushed {
                request_uri: "urn:x".to_string(),
                expires_in: None,
                at,
            }),
        })),
        at,
    );
    assert!(matches!(
        flow.waiting,
        Some(Waiting::Browser {
            request_uri_expires: None,
            ..
        })
    ));
}
