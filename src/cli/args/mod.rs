//! What the command line accepts, apart from what it does: every command's
//! clap options and the value parsers that turn what was typed into typed
//! values (ripgrep's flags/`HiArgs` split is the model). Nothing here sends
//! a request or prints; each command's execution is in its own file beside
//! this folder (`src/cli/token.rs`, `call.rs`…).
//!
//! - this file: the options several commands share (`--har`/`--export`,
//!   the step-up options, `--json`/`-v` of the OpenID Connect commands);
//! - `grants`: `token`, `call`, `revoke`, `logout`;
//! - `oidc`: `discover`, `inspect`, `introspect`, `userinfo`;
//! - `demo`: `demo-server`, `demo-browser`;
//! - `tools`: `keychain`, `keys`, `mcp`, `audit`, `import`,
//!   `completions`, `man`.

use std::path::PathBuf;

use clap::Args;

use crate::engine::profile::Profile;

mod demo;
mod grants;
mod oidc;
mod tools;

pub use demo::{DemoBrowserArgs, DemoMode, DemoServerArgs};
pub use grants::{CallArgs, LogoutArgs, OidcLogoutArgs, RevokeArgs, TokenArgs};
pub use oidc::{DiscoverArgs, InspectArgs, IntrospectArgs, UserinfoArgs};
pub use tools::{
    AuditArgs, CompletionsArgs, ImportArgs, KeychainCommand, KeysCommand, ManArgs, McpArgs,
};

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

/// How the OpenID Connect commands print.
#[derive(Debug, Args)]
pub struct Output {
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Print every HTTP exchange to stderr, secrets redacted.
    #[arg(short, long)]
    pub verbose: bool,
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
    pub(crate) fn apply(&self, mut profile: Profile) -> Profile {
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
