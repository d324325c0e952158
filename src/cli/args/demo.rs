//! `demo-server` and `demo-browser` options.

use clap::Args;

use crate::demo::Mode;

/// `demo-server` options.
#[derive(Debug, Args)]
pub struct DemoServerArgs {
    /// Port on 127.0.0.1 (0 takes a free one).
    #[arg(long, default_value_t = crate::demo::DEFAULT_PORT)]
    pub port: u16,
    /// Access token lifetime in seconds; defaults to the mode's (standard
    /// 3600, wapi 3600, orchestrator 899, wordapp 7200, pingfederate 7).
    #[arg(long, value_name = "SECS")]
    pub token_ttl: Option<u64>,
    /// Device grant: seconds between polls the server asks for.
    #[arg(long, default_value_t = 5, value_name = "SECS")]
    pub device_interval: u64,
    /// How long an authorization code lives, in seconds (short ones let
    /// the `code-lifetime` audit check run fast).
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub code_ttl: u64,
    /// Behave like this provider: standard, wapi, orchestrator, wordapp or
    /// pingfederate; or vulnerable: standard with every weak-* fault on
    /// (what `audit` must catch).
    #[arg(long, value_name = "MODE", default_value = "standard", value_parser = parse_mode)]
    pub mode: DemoMode,
    /// Serve HTTPS with a self-signed certificate made at start.
    #[arg(long)]
    pub tls: bool,
    /// Turn on a fault switch (repeatable): empty-403, post-401,
    /// bearer-challenge, api-403, revocation-basic-only, split-discovery,
    /// exact-redirect-uri (see docs/demo-provider.md).
    #[arg(long = "fault", value_name = "NAME", value_parser = parse_fault)]
    pub faults: Vec<String>,
}

/// `demo-server --mode`: a provider's behaviour, or the standard server
/// with every weakness on.
#[derive(Debug, Clone, Copy)]
pub struct DemoMode {
    /// The behaviour.
    pub mode: Mode,
    /// `vulnerable`: every `weak-*` fault on.
    pub vulnerable: bool,
}

fn parse_mode(value: &str) -> Result<DemoMode, String> {
    if value.trim().eq_ignore_ascii_case("vulnerable") {
        return Ok(DemoMode {
            mode: Mode::Standard,
            vulnerable: true,
        });
    }
    Mode::parse(value)
        .map(|mode| DemoMode {
            mode,
            vulnerable: false,
        })
        .ok_or_else(|| {
            let known: Vec<&str> = Mode::ALL.iter().map(|m| m.as_str()).collect();
            format!(
                "unknown mode '{value}'; one of: {}, vulnerable",
                known.join(", ")
            )
        })
}

fn parse_fault(value: &str) -> Result<String, String> {
    if crate::demo::Faults::default().switch_on(value) {
        Ok(value.to_string())
    } else {
        let weak = crate::demo::weak::Weaknesses::NAMES;
        Err(format!(
            "unknown fault '{value}'; one of: {}, {}, {}, {}, {}, {}, {}, vulnerable",
            crate::demo::Faults::NAMES.join(", "),
            crate::demo::McpFaults::NAMES.join(", "),
            crate::demo::LogoutFaults::NAMES.join(", "),
            crate::demo::StepUpFaults::NAMES.join(", "),
            crate::demo::HybridFaults::NAMES.join(", "),
            crate::demo::RarFaults::NAMES.join(", "),
            weak.join(", ")
        ))
    }
}

/// `demo-browser` options.
#[derive(Debug, Args)]
pub struct DemoBrowserArgs {
    /// The URL the browser is sent to.
    pub url: String,
    /// Username typed into the login form.
    #[arg(long, default_value = "alice")]
    pub username: String,
    /// Password typed into the login form.
    #[arg(
        long,
        default_value = "alice-password",
        allow_hyphen_values = true,
        env = "DEMO_BROWSER_PASSWORD",
        hide_env_values = true
    )]
    pub password: String,
    /// Press Deny instead of Allow on the consent page.
    #[arg(long)]
    pub deny: bool,
}
