//! `logout --oidc` and `logout --listen`: logging out at the OpenID
//! provider (RP-Initiated Logout 1.0) and receiving its back-channel logout
//! tokens (Back-Channel Logout 1.0), both through [`crate::engine::logout`].
//!
//! With `--oidc` and no `--id-token`, the profile's grant runs first and its
//! ID token is the `id_token_hint`. With `--listen` (alone or beside
//! `--oidc`), the profile's `backchannel_logout_uri` is served and the first
//! logout token received is validated and printed, check by check.

use std::sync::Arc;
use std::time::Duration;

use super::args::{LogoutArgs, OidcLogoutArgs};
use super::exit::{Exit, Failure};
use super::output;
use super::support::{
    client, complete, finish_http, load, report_progress, stdin_lines, with_dpop,
};
use crate::engine::endpoints::autodiscovery::Endpoint;
use crate::engine::grants::{self, BrowserOptions, GrantOptions};
use crate::engine::jwt::claims::Check;
use crate::engine::jwt::jwks::JwksCache;
use crate::engine::logout::{
    BackChannelListener, LogoutOptions, LogoutOutcome, LogoutProgress, LogoutTokenContext,
    LogoutTokenReport, rp_initiated,
};
use crate::engine::profile::GrantType;
use crate::engine::{Finding, Secret};

/// Where logout tokens are received when the profile names no
/// `[oidc_logout] backchannel_logout_uri`: a free port.
const DEFAULT_BACKCHANNEL_URI: &str = "http://127.0.0.1:0/backchannel-logout";

/// Runs `logout --oidc` and/or `--listen`.
pub(super) async fn run(args: LogoutArgs) -> Result<Exit, Failure> {
    let options = &args.oidc;
    let timeout = Duration::from_secs(options.timeout.max(1));
    let profile = load(&args.profile)?;
    let (http, printer) = client(&profile.http, args.verbose)?;
    let http = with_dpop(http, &profile, false)?;
    let result = async {
        let mut needs = vec![Endpoint::JwksUri];
        if options.oidc {
            needs.push(Endpoint::EndSession);
        }
        let profile = complete(&profile, &http, &needs).await?;
        // The listener first, so a token sent during the logout is caught.
        let mut listener = match options.listen {
            true => {
                let uri = profile
                    .oidc_logout
                    .backchannel_logout_uri
                    .clone()
                    .or_else(|| url::Url::parse(DEFAULT_BACKCHANNEL_URI).ok())
                    .ok_or_else(|| Failure::new(Exit::Usage, "no backchannel_logout_uri"))?;
                let context = LogoutTokenContext::for_profile(&profile, http.clone(), JwksCache::new());
                let listener = BackChannelListener::bind(&uri, context)
                    .await
                    .map_err(|message| Failure::new(Exit::Network, message))?;
                eprintln!(
                    "Listening for logout tokens at backchannel_logout_uri {} — it must be registered for the client at the provider (Back-Channel Logout §2.2)",
                    listener.uri()
                );
                Some(listener)
            }
            false => None,
        };
        let rp = match options.oidc {
            true => {
                let id_token = match &options.id_token {
                    Some(token) => Secret::new(token.trim()),
                    None => id_token_from_grant(&profile, &http, options, timeout).await?,
                };
                let progress: Arc<dyn Fn(LogoutProgress) + Send + Sync> = if options.no_browser {
                    Arc::new(report_logout_by_hand)
                } else {
                    Arc::new(report_logout)
                };
                let logout_options = LogoutOptions {
                    open_browser: !options.no_browser,
                    timeout,
                    progress: Some(progress),
                    cancel: None,
                };
                Some(
                    rp_initiated(&profile, Some(&id_token), &logout_options)
                        .await
                        .map_err(|err| Failure::new(Exit::Usage, err.to_string()))?,
                )
            }
            false => None,
        };
        let report = match &mut listener {
            Some(listener) => {
                eprintln!("Waiting up to {} s for a logout token …", timeout.as_secs());
                Some(listener.next(timeout).await.ok_or_else(|| {
                    Failure::new(
                        Exit::Network,
                        format!(
                            "no logout token arrived within {} s; is {} registered as the client's backchannel_logout_uri?",
                            timeout.as_secs(),
                            listener.uri()
                        ),
                    )
                })?)
            }
            None => None,
        };
        Ok::<_, Failure>((rp, report))
    }
    .await;
    let har_saved = finish_http(http, printer, &args.har).await;
    let (rp, report) = result?;
    output::print(
        options.json,
        || serde_json::json!({ "rp_initiated": rp, "back_channel": report }),
        || {
            let mut out = rp.as_ref().map(describe_rp).unwrap_or_default();
            out.push_str(&report.as_ref().map(describe_report).unwrap_or_default());
            out
        },
    );
    let passed = rp.as_ref().is_none_or(LogoutOutcome::passed)
        && report.as_ref().is_none_or(LogoutTokenReport::accepted);
    Ok(match (passed, har_saved) {
        (false, _) => Exit::Refused,
        (true, false) => Exit::Usage,
        (true, true) => Exit::Success,
    })
}

/// Runs the profile's grant for an ID token to send as `id_token_hint`.
async fn id_token_from_grant(
    profile: &crate::engine::Profile,
    http: &crate::engine::HttpClient,
    options: &OidcLogoutArgs,
    timeout: Duration,
) -> Result<Secret, Failure> {
    let grant = profile.grant;
    eprintln!(
        "No --id-token: running the profile's grant ({}) for one …",
        grant.map_or("none named", GrantType::as_str)
    );
    let browser_grant = grant.is_some_and(GrantType::needs_browser);
    let grant_options = GrantOptions {
        browser: BrowserOptions {
            open_browser: !options.no_browser,
            paste_only: options.no_browser,
            timeout,
            progress: Some(Arc::new(report_progress)),
            paste: browser_grant.then(stdin_lines),
            ..BrowserOptions::default()
        },
        ..GrantOptions::default()
    };
    let needs = grant.map(GrantType::endpoints).unwrap_or_default();
    let profile = complete(profile, http, needs).await?;
    let tokens = grants::run(&profile, http, &grant_options)
        .await
        .map_err(|err| Failure::grant(err, grant))?;
    tokens.id_token.clone().ok_or_else(|| {
        Failure::new(
            Exit::Refused,
            "the grant returned no ID token (is `openid` in the scope?): there is nothing to send as id_token_hint",
        )
    })
}

/// Tells the person at the terminal what the logout needs (stderr).
fn report_logout(progress: LogoutProgress) {
    match progress {
        LogoutProgress::Request { shown, .. } => {
            eprintln!("Logout request (id_token_hint masked):\n  {shown}");
        }
        LogoutProgress::BrowserFailed { reason } => {
            eprintln!(
                "{reason}; open the logout URL yourself (run again with --no-browser to have it printed whole — it carries the ID token)"
            );
        }
        LogoutProgress::WaitingForReturn(uri) => {
            eprintln!("Waiting for the provider to send the browser back to {uri} …");
        }
    }
}

/// With --no-browser: the person opens the logout URL, so it is printed
/// whole (stderr), ID token and all, and said so.
fn report_logout_by_hand(progress: LogoutProgress) {
    match progress {
        LogoutProgress::Request { url, .. } => {
            eprintln!(
                "Open this URL in the browser that is signed in (it carries the ID token as id_token_hint):\n  {url}"
            );
        }
        other => report_logout(other),
    }
}

/// The checks and notes of a logout, one line each.
fn describe_checks(checks: &[Check], findings: &[Finding]) -> String {
    let mut out = String::new();
    for check in checks {
        out.push_str(&format!("  {check}\n"));
    }
    for finding in findings {
        out.push_str(&format!(
            "  note [{}] {}{}\n",
            finding.severity.as_str(),
            finding.message,
            finding
                .reference
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ));
    }
    out
}

/// The human form of an RP-initiated logout.
fn describe_rp(outcome: &LogoutOutcome) -> String {
    let mut out = format!("RP-initiated logout at {}\n", outcome.endpoint);
    let sent: Vec<String> = outcome
        .sent
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    out.push_str(&format!("  sent: {}\n", sent.join(" ")));
    if let Some(returned) = &outcome.returned {
        let back: Vec<String> = returned.iter().map(|(k, v)| format!("{k}={v}")).collect();
        out.push_str(&format!("  came back with: {}\n", back.join(" ")));
    }
    out.push_str(&describe_checks(&outcome.checks, &outcome.findings));
    out.push_str(&format!("{}\n", outcome.summary()));
    out
}

/// The human form of a back-channel logout token received.
fn describe_report(report: &LogoutTokenReport) -> String {
    let mut out = format!(
        "Back-channel logout token received; answered HTTP {}\n",
        report.status
    );
    out.push_str(&describe_checks(&report.checks, &report.findings));
    out.push_str(&format!("{}\n", report.summary()));
    out
}
