//! How a command ends: its [`Exit`] code, and the [`Failure`] it returns
//! instead of printing an error itself — [`run`](super::run) prints it
//! once, on stderr, and as one JSON object on stdout with `--json`.

use std::process::ExitCode;

use serde_json::{Value, json};

use crate::engine::profile::GrantType;
use crate::engine::wire::callback::CallbackError;
use crate::engine::{EngineError, Explanation, Finding, Stage};

/// Process exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0.
    Success = 0,
    /// 1: the server refused.
    Refused = 1,
    /// 2: usage or profile error.
    Usage = 2,
    /// 3: network failure.
    Network = 3,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// A failure with its exit code; printed once, by [`run`](super::run).
pub(super) struct Failure {
    /// The exit code.
    pub(super) exit: Exit,
    /// What went wrong, in a sentence.
    message: String,
    /// The server's refusal, when it sent an OAuth error.
    refusal: Option<Box<Refusal>>,
}

/// An OAuth error as the server sent it, and what it means.
struct Refusal {
    /// The error fields, for `--json`.
    oauth: Value,
    /// What was odd about the error response.
    findings: Vec<Finding>,
    /// What the code means at the step where it came.
    explanation: Option<Explanation>,
}

impl Failure {
    pub(super) fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            refusal: None,
        }
    }

    /// An engine error that happened at `stage`, with its explanation.
    pub(super) fn at(err: EngineError, stage: Stage) -> Self {
        let exit = match &err {
            EngineError::Profile(_) | EngineError::Unsupported(_) => Exit::Usage,
            EngineError::OAuth { .. } | EngineError::BadResponse { .. } => Exit::Refused,
            EngineError::Transport { .. } => Exit::Network,
            EngineError::Callback(callback) => match callback {
                CallbackError::Timeout(_) | CallbackError::Listener(_) => Exit::Network,
                CallbackError::Unreadable(_) | CallbackError::Cancelled => Exit::Usage,
                _ => Exit::Refused,
            },
        };
        let sent = match &err {
            EngineError::OAuth { error, .. } => Some(json!(error)),
            EngineError::Callback(CallbackError::Authorization {
                error,
                description,
                uri,
            }) => {
                Some(json!({ "error": error, "error_description": description, "error_uri": uri }))
            }
            _ => None,
        };
        // A refusal without an OAuth error body (an empty 403) is still a
        // refusal: its findings and the usual causes are shown too.
        let findings = err.findings(stage);
        let explanation = err.explanation(stage);
        let refusal =
            (sent.is_some() || !findings.is_empty() || explanation.is_some()).then(|| {
                Box::new(Refusal {
                    oauth: sent.unwrap_or(Value::Null),
                    findings,
                    explanation,
                })
            });
        Self {
            exit,
            message: err.to_string(),
            refusal,
        }
    }

    /// A grant's failure.
    pub(super) fn grant(err: EngineError, grant: Option<GrantType>) -> Self {
        let stage = Stage::of_grant_error(grant.unwrap_or_default(), &err);
        Self::at(err, stage)
    }

    /// The human form, for stderr.
    pub(super) fn describe(&self) -> String {
        let mut out = format!("error: {}\n", self.message);
        if let Some(refusal) = &self.refusal {
            for finding in &refusal.findings {
                out.push_str(&format!("  {finding}\n"));
            }
            if let Some(explanation) = &refusal.explanation {
                out.push_str(&format!("\n{explanation}"));
            }
        }
        out
    }

    /// The `--json` form, for stdout.
    pub(super) fn to_json(&self) -> Value {
        let refusal = self.refusal.as_deref();
        json!({
            "error": {
                "message": self.message,
                "exit_code": self.exit as u8,
                "oauth": refusal.map(|r| &r.oauth),
                "findings": refusal.map(|r| r.findings.as_slice()).unwrap_or_default(),
            },
            "explanation": refusal.and_then(|r| r.explanation.as_ref()),
        })
    }
}
