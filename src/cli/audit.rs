//! `audit`: the negative checks of [`crate::engine::audit`] against the
//! profile's server, printed as they finish; `--json`, `--junit FILE` and
//! `--markdown FILE` for machines, CI and tickets. Exit code 0 when no
//! required check failed, 1 when one did.

use std::sync::Arc;
use std::time::Duration;

use super::args::AuditArgs;
use super::exit::{Exit, Failure};
use super::output;
use super::support::{
    client, complete, finish_http, load, report_progress, stdin_lines, with_dpop,
};
use crate::engine::audit::{self, AuditOptions, CheckResult, Verdict, Weight};
use crate::engine::grants::BrowserOptions;
use crate::engine::profile::GrantType;

/// Runs the audit.
pub async fn run(args: AuditArgs) -> Result<Exit, Failure> {
    let unknown = audit::unknown_ids(&args.only);
    if !unknown.is_empty() {
        let known: Vec<&str> = audit::CHECKS.iter().map(|c| c.id).collect();
        return Err(Failure::new(
            Exit::Usage,
            format!(
                "no check called {}; the checks are: {}",
                unknown.join(", "),
                known.join(", ")
            ),
        ));
    }
    let profile = load(&args.profile)?;
    let (http, printer) = client(&profile.http, args.verbose)?;
    let http = with_dpop(http, &profile, false)?;
    let browser_grant = profile.grant == Some(GrantType::AuthorizationCode);
    let options = AuditOptions {
        only: args.only.clone(),
        code_wait: args.code_wait.map(Duration::from_secs),
        browser: BrowserOptions {
            open_browser: !args.no_browser,
            paste_only: args.no_browser,
            timeout: Duration::from_secs(args.browser_timeout.max(1)),
            progress: Some(Arc::new(report_progress)),
            paste: browser_grant.then(stdin_lines),
            cancel: None,
            approve_url: None,
            approve_request: None,
        },
    };
    let needs = profile.grant.map(GrantType::endpoints).unwrap_or_default();
    let completed = complete(&profile, &http, needs).await;
    let results = match completed {
        Ok(profile) => {
            let human = !args.json;
            audit::run(&profile, &http, &options, |result| {
                if human {
                    outln!("{}", line(result));
                }
            })
            .await
        }
        Err(failure) => {
            finish_http(http, printer, &args.har).await;
            return Err(failure);
        }
    };
    let har_saved = finish_http(http, printer, &args.har).await;
    let mut written = true;
    for (path, text) in [
        (
            &args.junit,
            args.junit.as_ref().map(|_| audit::report::junit(&results)),
        ),
        (
            &args.markdown,
            args.markdown
                .as_ref()
                .map(|_| audit::report::markdown(&results)),
        ),
    ] {
        if let (Some(path), Some(text)) = (path, text)
            && let Err(err) = std::fs::write(path, text)
        {
            eprintln!("error: cannot write {}: {err}", path.display());
            written = false;
        }
    }
    output::print(
        args.json,
        || audit::report::json(&results),
        || format!("{}\n", summary(&results)),
    );
    Ok(if audit::failed(&results) {
        Exit::Refused
    } else if !har_saved || !written {
        Exit::Usage
    } else {
        Exit::Success
    })
}

/// One check, as it finished: verdict, ID, the rule, what was observed.
fn line(result: &CheckResult) -> String {
    let verdict = match (result.verdict, result.weight) {
        (Verdict::Pass, _) => "PASS",
        (Verdict::Fail, Weight::Required) => "FAIL",
        (Verdict::Fail, Weight::Warning) => "WARN",
        (Verdict::NotApplicable, _) => "N/A ",
        (Verdict::Error, _) => "ERR ",
    };
    format!(
        "{verdict}  {:<34} {}{}\n      {}",
        result.id,
        result.rfc,
        if result.intrusive { " (intrusive)" } else { "" },
        result.observed
    )
}

/// "17 checks: 14 passed, 1 warned, 2 not applicable — no required check
/// failed".
fn summary(results: &[CheckResult]) -> String {
    format!(
        "\n{} check{}: {}.",
        results.len(),
        if results.len() == 1 { "" } else { "s" },
        audit::report::summary(results)
    )
}
