//! A profile's audit: the results as they come in, and whether it runs.

use crate::engine::audit::CheckResult;

/// The Audit tab of one profile.
#[derive(Debug, Clone, Default)]
pub struct AuditState {
    /// An audit is running.
    pub running: bool,
    /// The results so far, in the order the checks ran.
    pub results: Vec<CheckResult>,
    /// The sign-in the running audit waits for: the URL the browser was
    /// sent to.
    pub waiting: Option<String>,
    /// How the last audit ended: its summary, or why it could not run.
    pub ended: Option<Result<String, String>>,
}

impl AuditState {
    /// A new audit starts: the last one's results go.
    pub fn start(&mut self) {
        *self = Self {
            running: true,
            ..Self::default()
        };
    }

    /// One check finished.
    pub fn checked(&mut self, result: CheckResult) {
        self.waiting = None;
        self.results.push(result);
    }

    /// The audit waits for the person to sign in at `url`.
    pub fn waiting_for(&mut self, url: String) {
        self.waiting = Some(url);
    }

    /// The audit ended (`Err`: it could not run at all).
    pub fn finish(&mut self, result: Result<(), String>) {
        self.running = false;
        self.waiting = None;
        self.ended = Some(result.map(|()| crate::engine::audit::report::summary(&self.results)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::audit::{Verdict, Weight};

    fn result(id: &'static str, verdict: Verdict, weight: Weight) -> CheckResult {
        CheckResult {
            id,
            verdict,
            rfc: "RFC",
            expected: "",
            observed: String::new(),
            exchanges: Vec::new(),
            intrusive: false,
            weight,
        }
    }

    #[test]
    fn a_run_collects_results_and_ends_with_a_summary() {
        let mut audit = AuditState::default();
        audit
            .results
            .push(result("old", Verdict::Fail, Weight::Required));
        audit.start();
        assert!(
            audit.running && audit.results.is_empty(),
            "a new run starts clean"
        );
        audit.waiting_for("http://as/authorize".to_string());
        audit.checked(result("tls", Verdict::Pass, Weight::Required));
        assert_eq!(audit.waiting, None, "a result ends the wait");
        audit.checked(result("implicit", Verdict::Fail, Weight::Warning));
        audit.finish(Ok(()));
        assert!(!audit.running);
        assert_eq!(
            audit.ended,
            Some(Ok(
                "1 passed, 1 warned — no required check failed".to_string()
            ))
        );
        audit.start();
        audit.checked(result("code-replay", Verdict::Fail, Weight::Required));
        audit.finish(Ok(()));
        assert_eq!(
            audit.ended,
            Some(Ok(
                "0 passed, 1 failed — the server failed the audit".to_string()
            ))
        );
    }
}
