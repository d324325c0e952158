//! `demo-server`: the built-in demo provider on its own, until interrupted.

use std::io::Write as _;
use std::time::Duration;

use super::args::DemoServerArgs;
use super::exit::{Exit, Failure};
use crate::demo::{DemoConfig, DemoServer, Mode};

pub(super) async fn run(args: DemoServerArgs) -> Result<Exit, Failure> {
    let defaults = DemoConfig::for_mode(args.mode.mode);
    let mut faults = crate::demo::Faults::default();
    if args.mode.vulnerable {
        faults.switch_on("vulnerable");
    }
    for name in &args.faults {
        faults.switch_on(name);
    }
    let server = DemoServer::start(DemoConfig {
        faults,
        port: args.port,
        token_ttl: args
            .token_ttl
            .map_or(defaults.token_ttl, |secs| Duration::from_secs(secs.max(1))),
        device_interval: Duration::from_secs(args.device_interval.max(1)),
        code_ttl: Duration::from_secs(args.code_ttl.max(1)),
        tls: args.tls,
        ..defaults
    })
    .await
    .map_err(|err| Failure::new(Exit::Network, err.to_string()))?;
    // One write, errors ignored: a reader that closes the pipe after the
    // first line (as scripts do) must not stop the server.
    let base = server.url();
    let mode = args.mode.mode;
    let mut banner = if args.mode.vulnerable {
        format!(
            "listening on {base}\nmode: vulnerable (the standard server with every weak-* fault on: {})\n",
            crate::demo::weak::Weaknesses::NAMES.join(", ")
        )
    } else {
        format!(
            "listening on {base}\nmode: {} ({})\n",
            mode.as_str(),
            mode.label()
        )
    };
    if mode != Mode::Standard {
        for (what, path) in mode.endpoints() {
            let line = match path.split_once(' ') {
                Some((method, path)) => format!("  {what:<14} {method} {base}{path}\n"),
                None => format!("  {what:<14} {base}{path}\n"),
            };
            banner.push_str(&line);
        }
    }
    let _ = std::io::stdout().write_all(banner.as_bytes());
    let _ = std::io::stdout().flush();
    if let Err(err) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl+C: {err}");
    }
    server.stop().await;
    Ok(Exit::Success)
}
