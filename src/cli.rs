//! The command line: headless use of the engine for scripts, CI and QA.
//!
//! `oauth-debugger` with no command opens the app; the commands here run the
//! same engine functions the app does. Exit codes: 0 success, 1 the server
//! refused (OAuth error or HTTP status >= 400), 2 usage or profile error,
//! 3 network failure. See `docs/cli.md`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// `println!` that does not panic when stdout is closed early
/// (`oauth-debugger token … | head -1`): what cannot be written is dropped,
/// and the command still finishes and exits with its own code.
macro_rules! outln {
    () => {
        outln!("")
    };
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `print!`, likewise.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod audit;
mod generated;
mod import;
mod keys;
mod mcp;
mod oidc;
mod oidc_logout;

pub use oidc::{DiscoverArgs, InspectArgs, IntrospectArgs, UserinfoArgs};

use crate::demo::user_agent::Person;
use crate::demo::{DemoConfig, DemoServer, Mode};
use crate::engine::endpoints::api::{self, ApiRequest};
use crate::engine::endpoints::autodiscovery::{self, DiscoveryCache, Endpoint};
use crate::engine::endpoints::revoke::{self, TokenHint};
use crate::engine::grants::{self, BrowserOptions, GrantOptions, PasteSource, Progress};
use crate::engine::profile::{GrantType, HttpSettings, Profile, TokenPlacement};
use crate::engine::wire::callback::CallbackError;
use crate::engine::wire::http::{Exchange, HttpClient, Recorder};
use crate::engine::{EngineError, Explanation, Finding, Secret, Stage, TokenSet, wire::redact};

/// A native OAuth 2.0 / OpenID Connect debugger. With no command, opens the app.
#[derive(Debug, Parser)]
#[command(name = "oauth-debugger", version, about)]
pub struct Cli {
    /// What to do; with none, the desktop app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the built-in demo provider until interrupted.
    DemoServer(DemoServerArgs),
    /// Run a profile's grant and print the tokens.
    Token(TokenArgs),
    /// Call an API with a token (given, or obtained by running the profile's grant).
    Call(CallArgs),
    /// A scripted browser for the demo provider: signs in, consents and
    /// follows the redirect. Usable as $BROWSER for unattended runs.
    DemoBrowser(DemoBrowserArgs),
    /// Revoke a token at the profile's revocation endpoint (RFC 7009).
    Revoke(RevokeArgs),
    /// Log out: send the profile's [logout] request with the access token;
    /// with --oidc, log out at the OpenID provider (RP-initiated logout);
    /// with --listen, wait for a back-channel logout token (docs/logout.md).
    Logout(LogoutArgs),
    /// Fetch an issuer's discovery document (OpenID Connect Discovery,
    /// falling back to RFC 8414) and check it.
    Discover(DiscoverArgs),
    /// Decode a JWT and verify its signature and claims, check by check.
    Inspect(InspectArgs),
    /// Ask the profile's introspection endpoint about a token (RFC 7662).
    Introspect(IntrospectArgs),
    /// Fetch the OpenID Connect userinfo claims with an access token.
    Userinfo(UserinfoArgs),
    /// The OS keychain that profiles' `*_keychain` secrets live in.
    #[command(subcommand)]
    Keychain(KeychainCommand),
    /// The client's key pairs: generate one, or show a key's public JWK and
    /// thumbprint (private_key_jwt, DPoP, mutual TLS).
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Walk an MCP server's authorization chain from its URL to an
    /// authorized tools/list, each hop checked (docs/mcp.md).
    Mcp(mcp::McpArgs),
    /// Audit the profile's authorization server: negative tests (code
    /// replay, PKCE, redirect URIs, refresh rotation, client
    /// authentication…), each with its RFC section and a verdict.
    Audit(audit::AuditArgs),
    /// Import clients from a Postman collection, an Insomnia export, a
    /// Bruno collection or a curl command (`-`: stdin): one profile file
    /// each, paths printed.
    Import(import::ImportArgs),
    /// Print a shell completion script: bash, zsh, fish, powershell or
    /// elvish (e.g. `oauth-debugger completions bash > /etc/bash_completion.d/oauth-debugger`).
    Completions(generated::CompletionsArgs),
    /// Print the man page (roff), or with --out DIR write one page per
    /// command there.
    Man(generated::ManArgs),
    /// Print the profile format's JSON Schema (draft 7), the one shipped as
    /// assets/profile.schema.json.
    Schema,
}

/// `keychain` subcommands. Secrets are filed under the service
/// `oauth-debugger`; a profile names the account (`client_secret_keychain`).
#[derive(Debug, Subcommand)]
pub enum KeychainCommand {
    /// Say whether a keychain answers here (exit 0) or not (exit 1), and why.
    Status,
    /// File a secret, read from stdin (one line), under ACCOUNT.
    Set {
        /// The account, as a profile names it (`my-api/client_secret`).
        account: String,
    },
    /// Remove the secret filed under ACCOUNT.
    Delete {
        /// The account.
        account: String,
    },
}

/// `--har`: save the command's HTTP exchanges as a HAR 1.2 file.
#[derive(Debug, Args)]
pub struct HarArgs {
    /// Write every HTTP exchange of the command to FILE as HAR 1.2 (secrets
    /// masked), whatever the outcome.
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
    /// Keep secrets (tokens, client secrets, passwords, codes) in the HAR file.
    #[arg(long, requires = "har")]
    pub har_include_secrets: bool,
    /// Also write the command's exchanges as FORMAT to FILE (repeatable):
    /// `mermaid` (a sequence diagram, no secrets), `curl` (a bash script
    /// replaying the requests, secrets as variables) or `har`.
    #[arg(long, num_args = 2, value_names = ["FORMAT", "FILE"], action = clap::ArgAction::Append)]
    pub export: Vec<String>,
    /// Keep secrets in exports: the curl script sets its variables, the HAR
    /// file keeps them.
    #[arg(long, requires = "export")]
    pub export_include_secrets: bool,
}

/// `revoke` options.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The profile (TOML): revocation endpoint and client authentication.
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,
    /// The token to revoke (also from the environment).
    #[arg(
        long,
        value_name = "T",
        allow_hyphen_values = true,
        env = "OAUTH_DEBUGGER_TOKEN",
        hide_env_values = true
    )]
    pub token: String,
    /// Which kind of token it is (`token_type_hint`).
    #[arg(long, value_name = "HINT", default_value = "access_token", value_parser = ["access_token", "refresh_token"])]
    pub hint: String,
    /// Print one JSON object: `revoked`, `token_type_hint`, `status`, `findings`.
    #[arg(long)]
    pub json: bool,
    /// Print every HTTP exchange to stderr, secrets redacted.
    #[arg(short, long)]
    pub verbose: bool,
    /// HAR export.
    #[command(flatten)]
    pub har: HarArgs,
}

/// `logout` options.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// The profile (TOML) with a [logout] table (or, with --oidc / --listen,
    /// end_session_endpoint and [oidc_logout]).
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,
    /// The access token whose session ends (also from the environment).
    #[arg(
        long,
        value_name = "T",
        allow_hyphen_values = true,
        env = "OAUTH_DEBUGGER_ACCESS_TOKEN",
        hide_env_values = true,
        required_unless_present_any = ["oidc", "listen"]
    )]
    pub access_token: Option<String>,
    /// OpenID options: RP-initiated and back-channel logout.
    #[command(flatten)]
    pub oidc: oidc_logout::OidcLogoutArgs,
    /// Print every HTTP exchange to stderr, secrets redacted.
    #[arg(short, long)]
    pub verbose: bool,
    /// HAR export.
    #[command(flatten)]
    pub har: HarArgs,
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

fn parse_authorization_details(
    value: &str,
) -> Result<crate::engine::requests::rar::AuthorizationDetails, String> {
    crate::engine::requests::rar::parse_json(value)
        .map_err(|message| format!("the value {message}"))
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

/// `token` options.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The profile (TOML) to run.
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,
    /// Run this grant instead of the profile's grant_type.
    #[arg(long, value_name = "G", value_parser = parse_grant)]
    pub grant: Option<GrantType>,
    /// Refresh token for --grant refresh_token (also from the environment).
    #[arg(
        long,
        value_name = "T",
        allow_hyphen_values = true,
        env = "OAUTH_DEBUGGER_REFRESH_TOKEN",
        hide_env_values = true
    )]
    pub refresh_token: Option<String>,
    /// Subject token for the token exchange grant, instead of the profile's
    /// [token_exchange] (also from the environment).
    #[arg(
        long,
        value_name = "T",
        allow_hyphen_values = true,
        env = "OAUTH_DEBUGGER_SUBJECT_TOKEN",
        hide_env_values = true
    )]
    pub subject_token: Option<String>,
    /// Actor token for the token exchange grant (also from the environment).
    #[arg(
        long,
        value_name = "T",
        allow_hyphen_values = true,
        env = "OAUTH_DEBUGGER_ACTOR_TOKEN",
        hide_env_values = true
    )]
    pub actor_token: Option<String>,
    /// A ready-made assertion for the JWT bearer grant, instead of building
    /// one from [jwt_bearer] (also from the environment).
    #[arg(
        long,
        value_name = "JWT",
        allow_hyphen_values = true,
        env = "OAUTH_DEBUGGER_ASSERTION",
        hide_env_values = true
    )]
    pub assertion: Option<String>,
    /// Rich authorization requests (RFC 9396): the authorization_details
    /// to ask for, a JSON array of objects each with a type, instead of
    /// the profile's.
    #[arg(long, value_name = "JSON", value_parser = parse_authorization_details)]
    pub authorization_details: Option<crate::engine::requests::rar::AuthorizationDetails>,
    /// CIBA: the `login_hint` naming the user, instead of the profile's
    /// hint under [ciba].
    #[arg(long, value_name = "HINT")]
    pub login_hint: Option<String>,
    /// CIBA: the `binding_message` shown on both devices, instead of the
    /// profile's.
    #[arg(long, value_name = "TEXT")]
    pub binding_message: Option<String>,
    /// Step-up (RFC 9470): what to ask of the sign-in.
    #[command(flatten)]
    pub ask: StepUpArgs,
    /// Print one JSON object (the token set, tokens in full).
    #[arg(long)]
    pub json: bool,
    /// Print every HTTP exchange to stderr, secrets redacted.
    #[arg(short, long)]
    pub verbose: bool,
    /// Print tokens in full in the human output.
    #[arg(long)]
    pub show_secrets: bool,
    /// Do not open a browser: print the URL (or the device code) to stderr;
    /// for code and implicit, then read the redirect URL from stdin.
    #[arg(long)]
    pub no_browser: bool,
    /// How long to wait for the browser or the device approval, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub browser_timeout: u64,
    /// HAR export.
    #[command(flatten)]
    pub har: HarArgs,
}

/// `acr_values` and `max_age` for the authorization request (OIDC Core
/// §3.1.2.1, RFC 9470 §4), instead of the profile's.
#[derive(Debug, Args, Default)]
pub struct StepUpArgs {
    /// Authentication context class references to ask for, space-separated
    /// in order of preference (instead of the profile's acr_values).
    #[arg(long, value_name = "ACRS")]
    pub acr_values: Option<String>,
    /// Seconds allowed since the user last signed in (instead of the
    /// profile's max_age).
    #[arg(long, value_name = "SECS")]
    pub max_age: Option<u64>,
}

impl StepUpArgs {
    /// `profile` with these options applied.
    fn apply(&self, mut profile: Profile) -> Profile {
        if self.acr_values.is_none() && self.max_age.is_none() {
            return profile;
        }
        let mut requirement = profile.auth_requirement.clone();
        if let Some(acr_values) = &self.acr_values {
            requirement.acr_values = acr_values.split_whitespace().map(str::to_string).collect();
        }
        if let Some(max_age) = self.max_age {
            requirement.max_age = Some(max_age);
        }
        crate::engine::requests::step_up::ask(&mut profile, &requirement);
        profile
    }
}

/// `call` options.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// The profile (TOML): token endpoint and [api] defaults.
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,
    /// Use this access token instead of running the grant (also from the environment).
    #[arg(
        long,
        value_name = "T",
        allow_hyphen_values = true,
        env = "OAUTH_DEBUGGER_ACCESS_TOKEN",
        hide_env_values = true
    )]
    pub access_token: Option<String>,
    /// URL to call; defaults to the profile's [api] url.
    pub url: Option<String>,
    /// Start from one of the profile's ready-made requests ([[requests]]), by name.
    #[arg(long, value_name = "NAME", conflicts_with = "url")]
    pub saved: Option<String>,
    /// HTTP method; defaults to the profile's, else GET.
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub method: Option<String>,
    /// Extra header, `Name: value`; repeatable.
    #[arg(short = 'H', long = "header", value_name = "K: V")]
    pub headers: Vec<String>,
    /// Request body.
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub body: Option<String>,
    /// Step-up (RFC 9470): what to ask of the sign-in when the grant runs.
    #[command(flatten)]
    pub ask: StepUpArgs,
    /// When the API answers insufficient_user_authentication (RFC 9470
    /// §3), run the profile's grant again asking for what the challenge
    /// names, and call once more with the new token.
    #[arg(long)]
    pub step_up: bool,
    /// Print one JSON object (status, headers, body).
    #[arg(long)]
    pub json: bool,
    /// Print every HTTP exchange to stderr, secrets redacted.
    #[arg(short, long)]
    pub verbose: bool,
    /// HAR export.
    #[command(flatten)]
    pub har: HarArgs,
}

fn parse_grant(value: &str) -> Result<GrantType, String> {
    GrantType::parse(value).ok_or_else(|| {
        let known: Vec<&str> = GrantType::ALL.iter().map(|g| g.as_str()).collect();
        format!("unknown grant '{value}'; one of: {}", known.join(", "))
    })
}

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

/// A failure with its exit code; printed once, by [`run`].
struct Failure {
    exit: Exit,
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
    fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            refusal: None,
        }
    }

    /// An engine error that happened at `stage`, with its explanation.
    fn at(err: EngineError, stage: Stage) -> Self {
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
    fn grant(err: EngineError, grant: Option<GrantType>) -> Self {
        let stage = Stage::of_grant_error(grant.unwrap_or_default(), &err);
        Self::at(err, stage)
    }

    /// The human form, for stderr.
    fn describe(&self) -> String {
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
    fn to_json(&self) -> Value {
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

/// Runs a command on `runtime` and returns the exit code.
pub fn run(command: Command, runtime: &tokio::runtime::Handle) -> ExitCode {
    let json = match &command {
        Command::Token(args) => args.json,
        Command::Call(args) => args.json,
        Command::Discover(args) => args.output.json,
        Command::Inspect(args) => args.output.json,
        Command::Introspect(args) => args.output.json,
        Command::Userinfo(args) => args.output.json,
        Command::Revoke(args) => args.json,
        Command::Mcp(args) => args.json,
        Command::Audit(args) => args.json,
        Command::Import(args) => args.json,
        Command::Logout(args) => args.oidc.json,
        Command::DemoServer(_)
        | Command::Completions(_)
        | Command::Man(_)
        | Command::Schema
        | Command::DemoBrowser(_)
        | Command::Keychain(_)
        | Command::Keys(_) => false,
    };
    let result = match command {
        Command::DemoServer(args) => runtime.block_on(demo_server(args)),
        Command::Token(args) => runtime.block_on(token(args)),
        Command::Call(args) => runtime.block_on(call(args)),
        Command::DemoBrowser(args) => runtime.block_on(demo_browser(args)),
        Command::Revoke(args) => runtime.block_on(revoke(args)),
        Command::Logout(args) => runtime.block_on(logout(args)),
        Command::Discover(args) => runtime.block_on(oidc::discover(args)),
        Command::Inspect(args) => runtime.block_on(oidc::inspect(args)),
        Command::Introspect(args) => runtime.block_on(oidc::introspect(args)),
        Command::Userinfo(args) => runtime.block_on(oidc::userinfo(args)),
        Command::Keychain(command) => keychain(command),
        Command::Keys(command) => keys::run(command),
        Command::Mcp(args) => runtime.block_on(mcp::run(args)),
        Command::Audit(args) => runtime.block_on(audit::run(args)),
        Command::Import(args) => import::run(args),
        Command::Completions(args) => generated::completions(&args),
        Command::Man(args) => generated::man(&args),
        Command::Schema => generated::schema(),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(failure) => {
            eprint!("{}", failure.describe());
            if json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&failure.to_json()).unwrap_or_default()
                );
            }
            failure.exit.into()
        }
    }
}

async fn demo_server(args: DemoServerArgs) -> Result<Exit, Failure> {
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

/// The HTTP client for a profile's HTTP settings, and (with `-v`) a task
/// printing each exchange to stderr as it happens. Await the task after
/// dropping the client.
fn client(
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
fn with_dpop(
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
async fn finish_http(
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
fn write_exports(exchanges: &[Exchange], args: &HarArgs) -> bool {
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
fn write_script(path: &std::path::Path, script: &str) -> std::io::Result<()> {
    std::fs::write(path, script)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

async fn finish_printer(http: HttpClient, printer: Option<tokio::task::JoinHandle<()>>) {
    drop(http);
    if let Some(printer) = printer {
        let _ = printer.await;
    }
}

/// Reads a profile; secrets it keeps in the OS keychain are read from there,
/// and what could not be read is said on stderr.
fn load(path: &std::path::Path) -> Result<Profile, Failure> {
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
async fn complete(
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

async fn token(args: TokenArgs) -> Result<Exit, Failure> {
    let mut profile = args.ask.apply(load(&args.profile)?);
    if let Some(details) = args.authorization_details.clone() {
        crate::engine::requests::rar::ask(&mut profile, details);
    }
    let (http, printer) = client(&profile.http, args.verbose)?;
    let http = with_dpop(http, &profile, false)?;
    let grant = args.grant.or(profile.grant);
    let browser_grant = grant.is_some_and(GrantType::needs_browser);
    let options = GrantOptions {
        grant: args.grant,
        refresh_token: args.refresh_token.map(Secret::new),
        subject_token: args.subject_token.map(Secret::new),
        actor_token: args.actor_token.map(Secret::new),
        assertion: args.assertion.map(Secret::new),
        // One run of the CLI holds no earlier tokens: `from` in
        // [token_exchange] is said to need --subject-token.
        current: Default::default(),
        login_hint: args.login_hint,
        binding_message: args.binding_message,
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
    let result = async {
        let needs = grant.map(GrantType::endpoints).unwrap_or_default();
        let profile = complete(&profile, &http, needs).await?;
        let tokens = grants::run(&profile, &http, &options)
            .await
            .map_err(|err| Failure::grant(err, grant))?;
        // An ID token is verified as it arrives (OpenID Connect Core
        // §3.1.3.7) unless the profile says `verify_id_token = false`.
        let verified = if profile.verify_id_token && tokens.id_token.is_some() {
            let cache = crate::engine::jwt::jwks::JwksCache::new();
            crate::engine::jwt::verify::verify_token_set(
                &http,
                &cache,
                &profile,
                &tokens,
                &["id_token"],
            )
            .await
            .pop()
        } else {
            None
        };
        Ok::<_, Failure>((tokens, verified))
    }
    .await;
    let har_saved = finish_http(http, printer, &args.har).await;
    let (tokens, verified) = result?;
    if args.json {
        outln!("{}", token_json_verified(&tokens, verified.as_ref()));
    } else {
        out!("{}", describe_tokens(&tokens, args.show_secrets));
        if let Some(verification) = &verified {
            out!("{}", describe_id_token_checks(verification));
        }
    }
    Ok(if har_saved {
        Exit::Success
    } else {
        Exit::Usage
    })
}

/// Tells the person at the terminal what the browser step needs (stderr).
fn report_progress(progress: Progress) {
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
fn stdin_lines() -> PasteSource {
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

async fn demo_browser(args: DemoBrowserArgs) -> Result<Exit, Failure> {
    let person = Person {
        username: args.username,
        password: args.password,
        approve: !args.deny,
    };
    let visit = crate::demo::user_agent::visit(&args.url, &person)
        .await
        .map_err(|message| Failure::new(Exit::Refused, message))?;
    match &visit.redirected_to {
        Some(target) => outln!("redirected to {}", redact::url(target)),
        None => outln!("finished on a page with HTTP {}", visit.status),
    }
    Ok(Exit::Success)
}

/// The `--json` form of a token set.
pub fn token_json(tokens: &TokenSet) -> String {
    serde_json::to_string_pretty(tokens)
        .unwrap_or_else(|err| json!({ "error": err.to_string() }).to_string())
}

/// [`token_json`] with the ID token's verification, when one was made, as
/// `id_token_verification`.
pub fn token_json_verified(
    tokens: &TokenSet,
    verification: Option<&crate::engine::jwt::verify::Verification>,
) -> String {
    let Some(verification) = verification else {
        return token_json(tokens);
    };
    let mut value =
        serde_json::to_value(tokens).unwrap_or_else(|err| json!({ "error": err.to_string() }));
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "id_token_verification".to_string(),
            json!({
                "passed": verification.passed(),
                "checks": verification.checks,
                "findings": verification.findings,
            }),
        );
    }
    serde_json::to_string_pretty(&value)
        .unwrap_or_else(|err| json!({ "error": err.to_string() }).to_string())
}

/// The ID token's checks after a grant, one line each, and the verdict.
pub fn describe_id_token_checks(verification: &crate::engine::jwt::verify::Verification) -> String {
    let mut out = String::from("ID token verification (OpenID Connect Core §3.1.3.7):\n");
    for check in &verification.checks {
        out.push_str(&format!("  {check}\n"));
    }
    for finding in &verification.findings {
        out.push_str(&format!("  {finding}\n"));
    }
    let failed = verification
        .checks
        .iter()
        .filter(|c| c.verdict == crate::engine::jwt::verify::Verdict::Fail)
        .count();
    out.push_str(&if failed == 0 {
        "  Verdict: the ID token verified (verify_id_token = false turns this off)\n".to_string()
    } else {
        format!("  Verdict: {failed} check(s) failed — do not trust this ID token\n")
    });
    out
}

/// The human form of a token set.
pub fn describe_tokens(tokens: &TokenSet, show_secrets: bool) -> String {
    let shown = |secret: &Secret| {
        if show_secrets {
            secret.expose().to_string()
        } else {
            secret.abbreviated()
        }
    };
    let dash = || "—".to_string();
    let mut out = format!("Token received ({} grant)\n", tokens.grant);
    let mut row = |name: &str, value: String| out.push_str(&format!("  {name:<14} {value}\n"));
    row("access_token", shown(&tokens.access_token));
    row(
        "token_type",
        tokens
            .token_type
            .clone()
            .unwrap_or_else(|| "(missing — treated as Bearer)".to_string()),
    );
    row(
        "expires_in",
        match (tokens.expires_in, tokens.expires_at) {
            (Some(secs), Some(at)) => format!("{secs} s (expires at {})", at.to_rfc3339()),
            (Some(secs), None) => format!("{secs} s"),
            _ => "(unknown)".to_string(),
        },
    );
    row(
        "refresh_token",
        tokens
            .refresh_token
            .as_ref()
            .map(shown)
            .unwrap_or_else(dash),
    );
    row("scope", tokens.scope.clone().unwrap_or_else(dash));
    row(
        "id_token",
        tokens.id_token.as_ref().map(shown).unwrap_or_else(dash),
    );
    if let Some(issued) = &tokens.issued_token_type {
        row("issued_token_type", issued.clone());
    }
    for (name, value) in &tokens.other {
        row(name, value.to_string());
    }
    // RFC 9396 §7: what was asked, beside the granted value above.
    if let Some(asked) = tokens
        .authorization_details
        .as_ref()
        .and_then(|d| d.asked.as_ref())
    {
        row("authorization_details asked", asked.to_string());
    }
    if !tokens.delegation.is_empty() {
        // RFC 8693 §4.1: the current actor first, prior actors nested.
        out.push_str("Delegation (act):\n");
        for (depth, actor) in tokens.delegation.iter().enumerate() {
            let name = actor
                .get("sub")
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .unwrap_or_else(|| serde_json::Value::Object(actor.clone()).to_string());
            let role = if depth == 0 { "current" } else { "prior" };
            out.push_str(&format!("  {}{name} ({role} actor)\n", "  ".repeat(depth)));
        }
    }
    if !tokens.findings.is_empty() {
        out.push_str("Findings:\n");
        for finding in &tokens.findings {
            out.push_str(&format!("  {finding}\n"));
        }
    }
    out
}

async fn call(args: CallArgs) -> Result<Exit, Failure> {
    let profile = args.ask.apply(load(&args.profile)?);
    let usage = |message: String| Failure::new(Exit::Usage, message);
    let saved = match &args.saved {
        Some(name) => Some(
            profile
                .requests
                .iter()
                .find(|r| r.name.eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    let known: Vec<&str> =
                        profile.requests.iter().map(|r| r.name.as_str()).collect();
                    usage(format!(
                        "{}: no ready-made request named {name:?}; the profile has: {}",
                        args.profile.display(),
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ))
                })?,
        ),
        None => None,
    };
    let mut request = match (saved, &profile.api, &args.url) {
        (Some(saved), api, _) => ApiRequest::from_saved(saved, api.as_ref()),
        (None, Some(api), _) => ApiRequest::from_config(api),
        (None, None, Some(_)) => ApiRequest {
            method: http::Method::GET,
            url: url::Url::parse("http://127.0.0.1/").map_err(|e| usage(e.to_string()))?,
            headers: Vec::new(),
            body: None,
            placement: TokenPlacement::Header {
                name: "Authorization".to_string(),
                prefix: "Bearer".to_string(),
            },
        },
        (None, None, None) => {
            return Err(usage(format!(
                "{}: no URL given and the profile has no [api] url",
                args.profile.display()
            )));
        }
    };
    if let Some(url) = &args.url {
        request.url = crate::engine::profile::parse_http_url(url).map_err(usage)?;
    }
    if let Some(method) = &args.method {
        request.method = http::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
            .map_err(|_| usage(format!("`{method}` is not an HTTP method")))?;
    }
    for header in &args.headers {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| usage(format!("-H `{header}`: expected `Name: value`")))?;
        request
            .headers
            .push((name.trim().to_string(), value.trim().to_string()));
    }
    if let Some(body) = &args.body {
        request.body = Some(body.clone());
    }

    let (http, printer) = client(&profile.http, args.verbose)?;
    let http = with_dpop(http, &profile, args.access_token.is_some())?;
    let outcome = async {
        let needs = profile.grant.map(GrantType::endpoints).unwrap_or_default();
        let token = match &args.access_token {
            Some(token) => Secret::new(token.clone()),
            None => {
                let profile = complete(&profile, &http, needs).await?;
                grants::run(&profile, &http, &GrantOptions::default())
                    .await
                    .map_err(|err| Failure::grant(err, profile.grant))?
                    .access_token
            }
        };
        let response = api::call(&http, &request, Some(&token))
            .await
            .map_err(|err| Failure::at(err, Stage::ApiCall))?;
        let Some(step_up) = response
            .step_up
            .as_ref()
            .filter(|s| args.step_up && !s.requirement.is_empty())
        else {
            return Ok(response);
        };
        // RFC 9470 §4: authorize again asking for what the API named,
        // then repeat the call with the new token.
        eprintln!(
            "step-up: the API needs {}; authorizing again asking for it",
            step_up.requirement
        );
        let mut profile = complete(&profile, &http, needs).await?;
        crate::engine::requests::step_up::ask(&mut profile, &step_up.requirement);
        let tokens = grants::run(&profile, &http, &GrantOptions::default())
            .await
            .map_err(|err| Failure::grant(err, profile.grant))?;
        if tokens.id_token.is_some() && profile.verify_id_token {
            let cache = crate::engine::jwt::jwks::JwksCache::new();
            for verification in crate::engine::jwt::verify::verify_token_set(
                &http,
                &cache,
                &profile,
                &tokens,
                &["id_token"],
            )
            .await
            {
                for check in verification
                    .checks
                    .iter()
                    .filter(|c| matches!(c.name.as_str(), "acr" | "auth_time"))
                {
                    eprintln!("step-up: {} — {}", check.verdict.as_str(), check.message);
                }
            }
        }
        api::call(&http, &request, Some(&tokens.access_token))
            .await
            .map_err(|err| Failure::at(err, Stage::ApiCall))
    }
    .await;
    let har_saved = finish_http(http, printer, &args.har).await;
    let response = outcome?;
    let explanation = response.explanation();
    let exchange = &response.exchange;
    let status = response.status();
    let body = exchange
        .response
        .as_ref()
        .map(|r| r.body.as_slice())
        .unwrap_or_default();
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    if args.json {
        let headers: Vec<Value> = exchange
            .response
            .iter()
            .flat_map(|r| &r.headers)
            .map(|(k, v)| json!([k, v]))
            .collect();
        let out = json!({
            "status": status,
            "duration_ms": exchange.duration.as_secs_f64() * 1000.0,
            "headers": headers,
            "body": parsed.clone().unwrap_or_else(|| Value::String(exchange.response_text())),
            "www_authenticate": response.challenge,
            "step_up": response.step_up,
            "findings": response.findings,
            "explanation": explanation,
        });
        outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        outln!("HTTP {status} ({} ms)", exchange.duration.as_millis());
        for (name, value) in exchange.response.iter().flat_map(|r| &r.headers) {
            outln!("{name}: {value}");
        }
        outln!();
        match &parsed {
            Some(value) => outln!(
                "{}",
                serde_json::to_string_pretty(value).unwrap_or_default()
            ),
            None => outln!("{}", exchange.response_text()),
        }
    }
    if status >= 400 {
        let mut message = format!("the API answered HTTP {status}");
        if let Some(challenge) = &response.challenge {
            message.push_str(&format!(" — WWW-Authenticate: {challenge}"));
        }
        eprintln!("error: {message}");
        for finding in &response.findings {
            eprintln!("  {finding}");
        }
        if let Some(explanation) = &explanation {
            eprint!("\n{explanation}");
        }
        if let Some(step_up) = response
            .step_up
            .as_ref()
            .filter(|s| !s.requirement.is_empty())
        {
            eprintln!(
                "\nStep up: run again with --step-up to authorize asking for {} and repeat the call.",
                step_up.requirement
            );
        }
        return Ok(Exit::Refused);
    }
    Ok(if har_saved {
        Exit::Success
    } else {
        Exit::Usage
    })
}

async fn revoke(args: RevokeArgs) -> Result<Exit, Failure> {
    let profile = load(&args.profile)?;
    let hint = if args.hint == "refresh_token" {
        TokenHint::RefreshToken
    } else {
        TokenHint::AccessToken
    };
    let (http, printer) = client(&profile.http, args.verbose)?;
    let result = async {
        let profile = complete(&profile, &http, &[Endpoint::Revocation]).await?;
        revoke::revoke(&profile, &http, &Secret::new(args.token), hint)
            .await
            .map_err(|err| Failure::at(err, Stage::Revocation))
    }
    .await;
    let har_saved = finish_http(http, printer, &args.har).await;
    let revoked = result?;
    let status = revoked.exchange.status().unwrap_or_default();
    if args.json {
        let out = json!({
            "revoked": true,
            "token_type_hint": hint.as_str(),
            "status": status,
            "findings": revoked.findings,
        });
        outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        outln!(
            "Revoked the {} (HTTP {status})",
            hint.as_str().replace('_', " ")
        );
        for finding in &revoked.findings {
            outln!("  {finding}");
        }
    }
    Ok(if har_saved {
        Exit::Success
    } else {
        Exit::Usage
    })
}

/// `keychain status|set|delete`. The secret is read from stdin so it stays
/// out of the shell history and the process list, and is never printed.
fn keychain(command: KeychainCommand) -> Result<Exit, Failure> {
    use crate::engine::store::keychain::{Keychain, Status};
    let keychain = Keychain::platform();
    let unavailable =
        |reason: String| Failure::new(Exit::Usage, format!("no OS keychain here: {reason}"));
    match command {
        KeychainCommand::Status => {
            let status = keychain.status();
            outln!("{}", status.describe());
            Ok(match status {
                Status::Available(_) => Exit::Success,
                Status::Unavailable(_) => Exit::Refused,
            })
        }
        KeychainCommand::Set { account } => {
            if let Status::Unavailable(reason) = keychain.status() {
                return Err(unavailable(reason));
            }
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map_err(|err| {
                Failure::new(
                    Exit::Usage,
                    format!("cannot read the secret from stdin: {err}"),
                )
            })?;
            let secret = line.trim_end_matches(['\r', '\n']);
            if secret.is_empty() {
                return Err(Failure::new(Exit::Usage, "no secret on stdin".to_string()));
            }
            keychain
                .set(&account, &Secret::new(secret))
                .map_err(|message| Failure::new(Exit::Usage, message))?;
            eprintln!(
                "Filed under `{account}` (service `oauth-debugger`); a profile uses it with client_secret_keychain = \"{account}\" or password_keychain = \"{account}\"."
            );
            Ok(Exit::Success)
        }
        KeychainCommand::Delete { account } => {
            if let Status::Unavailable(reason) = keychain.status() {
                return Err(unavailable(reason));
            }
            keychain
                .delete(&account)
                .map_err(|message| Failure::new(Exit::Usage, message))?;
            eprintln!("Removed `{account}` from the keychain.");
            Ok(Exit::Success)
        }
    }
}

async fn logout(args: LogoutArgs) -> Result<Exit, Failure> {
    if args.oidc.oidc || args.oidc.listen {
        return oidc_logout::run(args).await;
    }
    let Some(access_token) = args.access_token.clone() else {
        return Err(Failure::new(
            Exit::Usage,
            "--access-token is required (or --oidc / --listen)",
        ));
    };
    let profile = load(&args.profile)?;
    let Some(config) = &profile.logout else {
        return Err(Failure::new(
            Exit::Usage,
            format!(
                "{}: the profile has no [logout] table",
                args.profile.display()
            ),
        ));
    };
    let request = ApiRequest::logout(config, profile.api.as_ref());
    let (http, printer) = client(&profile.http, args.verbose)?;
    let http = with_dpop(http, &profile, true)?;
    let result = api::call(&http, &request, Some(&Secret::new(access_token))).await;
    let har_saved = finish_http(http, printer, &args.har).await;
    let response = result.map_err(|err| Failure::at(err, Stage::ApiCall))?;
    let status = response.status();
    if (200..300).contains(&status) {
        outln!("Logged out (HTTP {status})");
        return Ok(if har_saved {
            Exit::Success
        } else {
            Exit::Usage
        });
    }
    eprintln!(
        "error: the logout request answered HTTP {status}: {}",
        crate::engine::diagnose::findings::excerpt(
            &response
                .exchange
                .response
                .map(|r| r.body)
                .unwrap_or_default(),
            300
        )
    );
    Ok(Exit::Refused)
}
