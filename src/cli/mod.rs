//! The command line: headless use of the engine for scripts, CI and QA.
//!
//! `oauth-debugger` with no command opens the app; the commands here run the
//! same engine functions the app does. Exit codes: 0 success, 1 the server
//! refused (OAuth error or HTTP status >= 400), 2 usage or profile error,
//! 3 network failure. See `docs/cli.md`.
//!
//! Where things are:
//!
//! - this file: [`Cli`] and [`Command`] (the clap entry points) and [`run`],
//!   which hands each command to its file and prints a failure once;
//! - [`args`]: every command's options and value parsers — what is
//!   accepted, never what is done;
//! - one file per command for what it does: `token.rs`, `call.rs`,
//!   `revoke.rs`, `logout.rs` (with `oidc_logout.rs` for `--oidc` and
//!   `--listen`), `oidc.rs` (`discover`, `inspect`, `introspect`,
//!   `userinfo`), `keychain.rs`, `keys.rs`, `mcp.rs`, `audit.rs`,
//!   `import.rs`, `generated.rs` (`completions`, `man`, `schema`),
//!   `demo_server.rs`, `demo_browser.rs`;
//! - `exit.rs`: [`Exit`] codes and the failure a command returns, in its
//!   human and `--json` forms;
//! - `output.rs`: printing to stdout — `--json` or human text, one way for
//!   every command — and the token set's two forms;
//! - `support.rs`: what the commands that talk HTTP share — the client with
//!   `-v` and DPoP, the HAR and `--export` files, loading a profile,
//!   completing it by discovery, the browser-step progress lines.
//!
//! A command only translates what was typed into engine calls and presents
//! what comes back; the use cases themselves (running a grant, calling an
//! API, revoking, logging out, verifying…) are engine functions the app
//! calls too.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

// The output macros (`outln!`, `out!`) first, so every module below has them.
#[macro_use]
mod output;

pub mod args;
mod audit;
mod call;
mod demo_browser;
mod demo_server;
mod exit;
mod generated;
mod import;
mod keychain;
mod keys;
mod logout;
mod mcp;
mod oidc;
mod oidc_logout;
mod revoke;
mod support;
mod token;

pub use args::{DiscoverArgs, InspectArgs, IntrospectArgs, UserinfoArgs};
pub use exit::Exit;
pub use output::{describe_id_token_checks, describe_tokens, token_json, token_json_verified};

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
    DemoServer(args::DemoServerArgs),
    /// Run a profile's grant and print the tokens.
    Token(args::TokenArgs),
    /// Call an API with a token (given, or obtained by running the profile's grant).
    Call(args::CallArgs),
    /// A scripted browser for the demo provider: signs in, consents and
    /// follows the redirect. Usable as $BROWSER for unattended runs.
    DemoBrowser(args::DemoBrowserArgs),
    /// Revoke a token at the profile's revocation endpoint (RFC 7009).
    Revoke(args::RevokeArgs),
    /// Log out: send the profile's [logout] request with the access token;
    /// with --oidc, log out at the OpenID provider (RP-initiated logout);
    /// with --listen, wait for a back-channel logout token (docs/logout.md).
    Logout(args::LogoutArgs),
    /// Fetch an issuer's discovery document (OpenID Connect Discovery,
    /// falling back to RFC 8414) and check it.
    Discover(args::DiscoverArgs),
    /// Decode a JWT and verify its signature and claims, check by check.
    Inspect(args::InspectArgs),
    /// Ask the profile's introspection endpoint about a token (RFC 7662).
    Introspect(args::IntrospectArgs),
    /// Fetch the OpenID Connect userinfo claims with an access token.
    Userinfo(args::UserinfoArgs),
    /// The OS keychain that profiles' `*_keychain` secrets live in.
    #[command(subcommand)]
    Keychain(args::KeychainCommand),
    /// The client's key pairs: generate one, or show a key's public JWK and
    /// thumbprint (private_key_jwt, DPoP, mutual TLS).
    #[command(subcommand)]
    Keys(args::KeysCommand),
    /// Walk an MCP server's authorization chain from its URL to an
    /// authorized tools/list, each hop checked (docs/mcp.md).
    Mcp(args::McpArgs),
    /// Audit the profile's authorization server: negative tests (code
    /// replay, PKCE, redirect URIs, refresh rotation, client
    /// authentication…), each with its RFC section and a verdict.
    Audit(args::AuditArgs),
    /// Import clients from a Postman collection, an Insomnia export, a
    /// Bruno collection or a curl command (`-`: stdin): one profile file
    /// each, paths printed.
    Import(args::ImportArgs),
    /// Print a shell completion script: bash, zsh, fish, powershell or
    /// elvish (e.g. `oauth-debugger completions bash > /etc/bash_completion.d/oauth-debugger`).
    Completions(args::CompletionsArgs),
    /// Print the man page (roff), or with --out DIR write one page per
    /// command there.
    Man(args::ManArgs),
    /// Print the profile format's JSON Schema (draft 7), the one shipped as
    /// assets/profile.schema.json.
    Schema,
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
        Command::DemoServer(args) => runtime.block_on(demo_server::run(args)),
        Command::Token(args) => runtime.block_on(token::run(args)),
        Command::Call(args) => runtime.block_on(call::run(args)),
        Command::DemoBrowser(args) => runtime.block_on(demo_browser::run(args)),
        Command::Revoke(args) => runtime.block_on(revoke::run(args)),
        Command::Logout(args) => runtime.block_on(logout::run(args)),
        Command::Discover(args) => runtime.block_on(oidc::discover(args)),
        Command::Inspect(args) => runtime.block_on(oidc::inspect(args)),
        Command::Introspect(args) => runtime.block_on(oidc::introspect(args)),
        Command::Userinfo(args) => runtime.block_on(oidc::userinfo(args)),
        Command::Keychain(command) => keychain::run(command),
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
                output::print_json(&failure.to_json());
            }
            failure.exit.into()
        }
    }
}
