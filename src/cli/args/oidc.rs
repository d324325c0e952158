//! `discover`, `inspect`, `introspect` and `userinfo` options.

use std::path::PathBuf;

use clap::Args;

use super::Output;

/// `discover` options.
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The issuer identifier (e.g. `https://as.example`); defaults to the
    /// profile's `issuer`.
    pub issuer: Option<String>,
    /// A profile to compare with the server's metadata: which of its empty
    /// endpoints discovery fills, and what it asks for that the server does
    /// not list.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Write the filled endpoints back into the --profile file (rewritten as
    /// TOML: comments are not kept).
    #[arg(long, requires = "profile")]
    pub write: bool,
    /// Output.
    #[command(flatten)]
    pub output: Output,
}

/// `inspect` options.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The token, a file holding it, or `-` for stdin.
    #[arg(value_name = "TOKEN_OR_FILE", allow_hyphen_values = true)]
    pub token: String,
    /// Check the signature against the JWKS at this URL.
    #[arg(long, value_name = "URL", conflicts_with = "issuer")]
    pub jwks: Option<String>,
    /// Discover this issuer: its JWKS for the signature, and `iss` must be it.
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// A profile: its issuer, jwks_uri, client id (the ID token's audience),
    /// client secret (HS256/384/512) and clock_skew_secs.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Validate as an OpenID Connect ID token (iss, sub, aud, exp and iat
    /// required).
    #[arg(long)]
    pub id_token: bool,
    /// The audience `aud` must include (an ID token's: the client id).
    #[arg(long, value_name = "AUD")]
    pub audience: Option<String>,
    /// The nonce sent in the authorization request.
    #[arg(long, value_name = "NONCE", allow_hyphen_values = true)]
    pub nonce: Option<String>,
    /// The access token issued with an ID token, to check `at_hash`.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub access_token: Option<String>,
    /// The secret of an HS256/384/512 signature (the client secret).
    #[arg(
        long,
        value_name = "S",
        allow_hyphen_values = true,
        env = "OAUTH_DEBUGGER_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub secret: Option<String>,
    /// Clock-skew tolerance in seconds (default: the profile's, else 60).
    #[arg(long, value_name = "SECS")]
    pub clock_skew: Option<u64>,
    /// Output.
    #[command(flatten)]
    pub output: Output,
}

/// `introspect` options.
#[derive(Debug, Args)]
pub struct IntrospectArgs {
    /// The profile (TOML): introspection endpoint and client authentication.
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,
    /// The token to ask about (also from the environment).
    #[arg(
        long,
        value_name = "T",
        allow_hyphen_values = true,
        env = "OAUTH_DEBUGGER_TOKEN",
        hide_env_values = true
    )]
    pub token: String,
    /// `token_type_hint`: access_token or refresh_token.
    #[arg(long, value_name = "HINT", value_parser = ["access_token", "refresh_token"])]
    pub hint: Option<String>,
    /// Output.
    #[command(flatten)]
    pub output: Output,
}

/// `userinfo` options.
#[derive(Debug, Args)]
pub struct UserinfoArgs {
    /// The profile (TOML) with a userinfo_endpoint.
    #[arg(long, value_name = "FILE")]
    pub profile: PathBuf,
    /// The access token (also from the environment).
    #[arg(
        long,
        value_name = "T",
        allow_hyphen_values = true,
        env = "OAUTH_DEBUGGER_TOKEN",
        hide_env_values = true
    )]
    pub token: String,
    /// The ID token of the same sign-in: its `sub` must be the userinfo's.
    #[arg(
        long,
        value_name = "T",
        allow_hyphen_values = true,
        env = "OAUTH_DEBUGGER_ID_TOKEN",
        hide_env_values = true
    )]
    pub id_token: Option<String>,
    /// Output.
    #[command(flatten)]
    pub output: Output,
}
