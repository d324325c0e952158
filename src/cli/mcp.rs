//! `mcp URL`: walk an MCP server's authorization chain (docs/mcp.md) —
//! challenge, protected resource metadata, authorization server metadata,
//! registration, authorization code + PKCE + resource, `initialize` and
//! `tools/list` — printing each hop with its verdict and findings.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::args::McpArgs;
use super::exit::{Exit, Failure};
use super::output;
use super::support::{client, finish_http, load, report_progress, stdin_lines};
use crate::engine::grants::BrowserOptions;
use crate::engine::mcp::{self, McpOptions, McpRun};
use crate::engine::profile::{HttpSettings, ProfileFile};

/// Runs `mcp`.
pub async fn run(args: McpArgs) -> Result<Exit, Failure> {
    let url = crate::engine::profile::parse_http_url(&args.url)
        .map_err(|message| Failure::new(Exit::Usage, format!("the MCP server URL: {message}")))?;
    if let Some(path) = &args.save
        && path.exists()
    {
        return Err(Failure::new(
            Exit::Usage,
            format!("{} exists; --save never overwrites a file", path.display()),
        ));
    }
    let (profile_file, settings, keychain) = match &args.profile {
        Some(path) => {
            // Read as a profile (secrets from the keychain included), and
            // kept as written so the chain can add to it.
            let profile = load(path)?;
            let text = std::fs::read_to_string(path).map_err(|err| {
                Failure::new(
                    Exit::Usage,
                    format!("cannot read {}: {err}", path.display()),
                )
            })?;
            let mut file = ProfileFile::parse(&text, path)
                .map_err(|err| Failure::new(Exit::Usage, err.to_string()))?;
            // A secret from the keychain goes in inline for this run only;
            // a saved profile names the keychain account again.
            let keychain = file.client_secret_keychain.take();
            if let Some(crate::engine::profile::SecretSource::Inline(secret)) =
                &profile.client_secret
                && keychain.is_some()
            {
                file.client_secret = Some(secret.clone());
            }
            (Some(file), profile.http, keychain)
        }
        None => (None, HttpSettings::default(), None),
    };
    let (http, printer) = client(&settings, args.verbose)?;
    let options = McpOptions {
        url,
        profile: profile_file,
        registration: args.register,
        allow_without_s256: args.allow_no_s256,
        browser: BrowserOptions {
            open_browser: !args.no_browser,
            paste_only: args.no_browser,
            timeout: Duration::from_secs(args.browser_timeout.max(1)),
            progress: Some(Arc::new(report_progress)),
            paste: Some(stdin_lines()),
            cancel: None,
            approve_url: None,
            approve_request: None,
        },
    };
    let run = mcp::run(&http, &options).await;
    let har_saved = finish_http(http, printer, &args.har).await;
    let mut saved_to = None;
    if let (Some(path), Some(file)) = (&args.save, &run.profile) {
        let mut file = file.clone();
        if keychain.is_some() {
            file.client_secret = None;
            file.client_secret_keychain = keychain;
        }
        std::fs::write(path, file.to_toml()).map_err(|err| {
            Failure::new(
                Exit::Usage,
                format!("cannot write {}: {err}", path.display()),
            )
        })?;
        saved_to = Some(path.display().to_string());
    }
    output::print(
        args.json,
        || to_json(&run, saved_to.as_deref()),
        || describe(&run, saved_to.as_deref()),
    );
    if !run.succeeded() {
        // Said here, not as a Failure: --json already printed its object.
        match run.hops.last() {
            Some(hop) => eprintln!("error: the MCP authorization chain broke at: {}", hop.title),
            None => eprintln!("error: the MCP authorization chain did not start"),
        }
        return Ok(Exit::Refused);
    }
    Ok(if har_saved {
        Exit::Success
    } else {
        Exit::Usage
    })
}

/// The human form.
fn describe(run: &McpRun, saved_to: Option<&str>) -> String {
    let mut out = format!("MCP server {}\n", run.url);
    for (index, hop) in run.hops.iter().enumerate() {
        out.push_str(&format!(
            "\n{}. [{}] {}\n",
            index + 1,
            hop.verdict.as_str(),
            hop.title
        ));
        for line in &hop.lines {
            out.push_str(&format!("   {line}\n"));
        }
        for finding in &hop.findings {
            out.push_str(&format!("   {} {finding}\n", finding.code));
        }
    }
    if let Some(tools) = run.tools.as_ref().and_then(Value::as_array) {
        out.push_str(&format!("\nTools ({}):\n", tools.len()));
        for tool in tools {
            out.push_str(&format!(
                "  {} — {}\n",
                tool["name"].as_str().unwrap_or("?"),
                tool["description"].as_str().unwrap_or("")
            ));
        }
    }
    if let Some(path) = saved_to {
        out.push_str(&format!("\nProfile saved to {path}\n"));
    }
    out
}

/// The `--json` form: secrets left out of the profile, the token set
/// described but not shown.
fn to_json(run: &McpRun, saved_to: Option<&str>) -> Value {
    let tokens = run.tokens.as_ref().map(|t| {
        json!({
            "token_type": t.token_type,
            "scope": t.scope,
            "expires_in": t.expires_in,
        })
    });
    json!({
        "url": run.url,
        "ok": run.succeeded(),
        "hops": run.hops,
        "findings": run.findings().collect::<Vec<_>>(),
        "tools": run.tools,
        "token": tokens,
        "profile": run.profile.as_ref().map(ProfileFile::without_secrets),
        "saved_to": saved_to,
    })
}
