//! `oauth-debugger`: with no command, the desktop app; otherwise the CLI.

use std::process::ExitCode;

use clap::Parser as _;
use oauth_debugger::cli::{self, Cli, Exit};

fn main() -> ExitCode {
    let args = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    // The one tokio runtime of the process; its handle is passed down.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("oauth-engine")
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return Exit::Usage.into();
        }
    };
    match args.command {
        Some(command) => cli::run(command, runtime.handle()),
        None => match oauth_debugger::app::run(runtime.handle().clone()) {
            Ok(()) => Exit::Success.into(),
            Err(err) => {
                eprintln!("error: {err:#}");
                ExitCode::FAILURE
            }
        },
    }
}
