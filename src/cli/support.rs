//! What the commands that talk HTTP share: the recording client (with `-v`
//! printing each exchange, DPoP when the profile asks), the HAR and
//! `--export` files written at the end whatever the outcome, loading a
//! profile (secrets from the OS keychain), completing it by discovery, and
//! the lines that tell the person at the terminal what the browser step
//! needs.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::args::HarArgs;
use super::exit::{Exit, Failure};
use crate::engine::endpoints::autodiscovery::{self, DiscoveryCache, Endpoint};
use crate::engine::grants::{self, PasteSource, Progress};
use crate::engine::profile::{HttpSettings, Profile};
use crate::engine::wire::http::{Exchange, HttpClient, Recorder};
use crate::engine::{Stage, wire::redact};

/// The HTTP client for a profile's HTTP settings, and (with `-v`) a task
/// printing each exchange to stderr as it happens. Await the task after
/// dropping the client.
pub(super) fn client(
    settings: &HttpSettings,
    verbose: bool,
) -> Result<(HttpClient, Option<tokio::task::JoinHandle<()>>), Failure> {
    let (recorder, printer) = if verbose {
        let (tx, mut rx) = mpsc::channel::<Exchange>(64);
        let printer = tokio::spawn(async move {
            while let Some(exchange) = rx.recv().await {
                eprint!("{}", redact::exchange(&exchange).describe());
            }
        });
        (Recorder::with_live(tx), Some(printer))
    } else {
        (Recorder::new(), None)
    };
    if settings.accept_invalid_certs {
        eprintln!("warning: {}", crate::engine::profile::INVALID_CERTS_WARNING);
    }
    let http = HttpClient::new(settings, recorder)
        .map_err(|err| Failure::new(Exit::Usage, err.to_string()))?;
    Ok((http, printer))
}

/// The client proving possession of the profile's DPoP key, when the
/// profile asks for DPoP-bound tokens (said on stderr). A command that uses
/// a token obtained earlier needs the key it was bound to: `dpop_key_file`.
pub(super) fn with_dpop(
    http: HttpClient,
    profile: &Profile,
    earlier_token: bool,
) -> Result<HttpClient, Failure> {
    let key = crate::engine::client::dpop::DpopKey::for_profile(profile)
        .map_err(|err| Failure::new(Exit::Usage, err.to_string()))?;
    let Some(key) = key else {
        return Ok(http);
    };
    if earlier_token && profile.dpop.as_ref().is_some_and(|d| d.key_file.is_none()) {
        return Err(Failure::new(
            Exit::Usage,
            "the profile asks for DPoP-bound tokens (dpop_bound_access_tokens) but names no dpop_key_file, so a token obtained by an earlier command is bound to a key this one never had; set dpop_key_file (make one with: oauth-debugger keys generate --out dpop.pem)".to_string(),
        ));
    }
    eprintln!(
        "note: DPoP with {}, thumbprint {}",
        key.describe(),
        key.thumbprint()
    );
    Ok(http.with_dpop(Some(Arc::new(key))))
}

/// Ends a command's HTTP work: writes the HAR file when asked (whatever the
/// outcome, a failure being when it is most wanted), then lets the `-v`
/// printer finish. False when the HAR file could not be written (said on
/// stderr).
pub(super) async fn finish_http(
    http: HttpClient,
    printer: Option<tokio::task::JoinHandle<()>>,
    har: &HarArgs,
) -> bool {
    let mut saved = true;
    if let Some(path) = &har.har
        && let Err(err) =
            crate::engine::wire::har::write(path, &http.exchanges(), har.har_include_secrets)
    {
        eprintln!("error: cannot write the HAR file {}: {err}", path.display());
        saved = false;
    }
    saved &= write_exports(&http.exchanges(), har);
    finish_printer(http, printer).await;
    saved
}

/// Writes each `--export FORMAT FILE`; false (said on stderr) when a format
/// is unknown or a file cannot be written.
pub(super) fn write_exports(exchanges: &[Exchange], args: &HarArgs) -> bool {
    use crate::engine::wire::export::{self, Format};
    let mut saved = true;
    for pair in args.export.chunks(2) {
        let [format, path] = pair else {
            continue;
        };
        let path = PathBuf::from(path);
        let written = match Format::parse(format) {
            Some(Format::Mermaid) => {
                std::fs::write(&path, export::mermaid(exchanges)).map_err(|err| err.to_string())
            }
            Some(Format::Curl) => {
                let script = export::curl_script(exchanges, args.export_include_secrets);
                write_script(&path, &script).map_err(|err| err.to_string())
            }
            Some(Format::Har) => {
                crate::engine::wire::har::write(&path, exchanges, args.export_include_secrets)
                    .map_err(|err| err.to_string())
            }
            None => Err(format!(
                "no export format {format:?}; use one of {}",
                Format::NAMES.join(", ")
            )),
        };
        if let Err(err) = written {
            eprintln!("error: cannot export to {}: {err}", path.display());
            saved = false;
        }
    }
    saved
}

/// Writes a script readable and runnable by its owner only (it may hold
/// secrets).
pub(super) fn write_script(path: &std::path::Path, script: &str) -> std::io::Result<()> {
    std::fs::write(path, script)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

pub(super) async fn finish_printer(http: HttpClient, printer: Option<tokio::task::JoinHandle<()>>) {
    drop(http);
    if let Some(printer) = printer {
        let _ = printer.await;
    }
}

/// Reads a profile; secrets it keeps in the OS keychain are read from there,
/// and what could not be read is said on stderr.
pub(super) fn load(path: &std::path::Path) -> Result<Profile, Failure> {
    let keychain = crate::engine::store::keychain::Keychain::platform();
    let (profile, notes) = crate::engine::store::storage::load_profile(path, &keychain)
        .map_err(|err| Failure::new(Exit::Usage, err.to_string()))?;
    for note in notes {
        eprintln!("note: {note}");
    }
    Ok(profile)
}

/// The profile with the empty endpoints a command `needs` discovered from
/// its issuer (said on stderr); unchanged when none is missing or it has no
/// issuer. One run of the CLI is one session: nothing is kept after it.
pub(super) async fn complete(
    profile: &Profile,
    http: &HttpClient,
    needs: &[Endpoint],
) -> Result<Profile, Failure> {
    let (profile, note) = autodiscovery::complete(profile, http, &DiscoveryCache::new(), needs)
        .await
        .map_err(|err| Failure::at(err, Stage::ApiCall))?;
    if let Some(note) = note {
        report_progress(Progress::EndpointsDiscovered(note));
    }
    Ok(profile)
}

/// Tells the person at the terminal what the browser step needs (stderr).
pub(super) fn report_progress(progress: Progress) {
    match progress {
        Progress::AuthorizationUrl(request) => {
            eprintln!(
                "Authorization request (state {}):\n  {}",
                request.state, request.url
            );
        }
        Progress::BrowserFailed { url, reason } => {
            eprintln!("{reason}; open this URL yourself:\n  {url}");
        }
        Progress::WaitingForRedirect(uri) => {
            eprintln!(
                "Waiting for the browser to come back to {uri} …\n  ({})",
                grants::preflight::waiting_advice(&uri)
            );
        }
        Progress::WaitingForPaste(uri) => {
            eprintln!(
                "After signing in, the browser is sent to {uri}?… — paste that whole URL here and press Enter:"
            );
        }
        Progress::PasteRejected(reason) => eprintln!("{reason}; paste again:"),
        Progress::RedirectAccepted(_) => eprintln!("Redirect received; state matched."),
        Progress::RedirectPasted(_) => eprintln!("Pasted redirect read; state matched."),
        Progress::ResponsePosted => {
            eprintln!(
                "The response came by form post (the browser POSTed it to the redirect URI)."
            );
        }
        Progress::JarmVerified(checks) => {
            eprintln!("Signed authorization response (JARM):");
            for check in &checks {
                eprintln!(
                    "  {} {}: {}",
                    check.verdict.as_str(),
                    check.name,
                    check.message
                );
            }
        }
        Progress::HybridVerified(front) => {
            eprintln!(
                "Front channel ({}, response_type {}), checked before the code exchange (OIDC Core §3.3.2.12):",
                front.mode,
                front.response_type.as_str()
            );
            for (name, value) in &front.received {
                eprintln!("  {name} = {value}");
            }
            for check in &front.checks {
                eprintln!("  {check}");
            }
        }
        Progress::Hardened(hardened) => {
            if let Some(object) = &hardened.request_object {
                eprintln!(
                    "Signed the authorization request as a request object ({}, RFC 9101).",
                    object.header["alg"].as_str().unwrap_or("?")
                );
            }
            if let Some(pushed) = &hardened.pushed {
                eprintln!(
                    "Pushed the authorization request (RFC 9126): request_uri {}{}.",
                    pushed.request_uri,
                    pushed
                        .expires_in
                        .map(|s| format!(", valid {s} s"))
                        .unwrap_or_default()
                );
            }
            eprintln!("The browser goes to:\n  {}", hardened.url);
        }
        // The CLI neither steps nor says more than the waiting lines above.
        Progress::BrowserOpened(_) | Progress::TokenRequestReady(_) | Progress::Polling => {}
        Progress::EndpointsDiscovered(note) => {
            eprintln!("note: {note}");
            for finding in &note.findings {
                eprintln!("  {finding}");
            }
        }
        Progress::CibaAcknowledged(info) => {
            eprintln!(
                "CIBA request acknowledged: auth_req_id {}",
                info.auth_req_id
            );
            eprintln!(
                "  expires in {}; {}",
                info.expires_in
                    .map(|s| format!("{s} s"))
                    .unwrap_or_else(|| "(not said: expires_in missing)".to_string()),
                match &info.notification_endpoint {
                    Some(url) => format!("waiting for the ping on {url}"),
                    None => format!("polling every {} s", info.interval),
                }
            );
            eprintln!("Approve the request on the user's device.");
        }
        Progress::CibaPolled(poll) => {
            eprintln!(
                "  token request {}: {}{}",
                poll.attempt,
                poll.answer,
                poll.next_in
                    .map(|s| format!(" — next in {s} s"))
                    .unwrap_or_default()
            );
        }
        Progress::CibaNotified { accepted, detail } => {
            eprintln!(
                "  notification {}: {detail}",
                if accepted { "accepted" } else { "refused" }
            );
        }
        Progress::DeviceCode(info) => {
            eprintln!(
                "To sign in, visit {} and enter the code {}",
                info.verification_uri, info.user_code
            );
            if let Some(complete) = &info.verification_uri_complete {
                eprintln!("  (or open {complete})");
            }
            eprintln!(
                "Polling every {} s; the code expires in {} s.",
                info.interval, info.expires_in
            );
        }
    }
}

/// Lines typed or piped on stdin, read on a thread of their own (a detached
/// thread, so a process that never needs them is not held up at exit).
pub(super) fn stdin_lines() -> PasteSource {
    let (tx, rx) = mpsc::channel::<String>(4);
    std::thread::Builder::new()
        .name("stdin-paste".to_string())
        .spawn(move || {
            for line in std::io::stdin().lines() {
                let Ok(line) = line else { break };
                if line.trim().is_empty() {
                    continue;
                }
                if tx.blocking_send(line).is_err() {
                    break;
                }
            }
        })
        .ok();
    Arc::new(tokio::sync::Mutex::new(rx))
}
