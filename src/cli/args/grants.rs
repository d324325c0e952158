//! `token`, `call`, `revoke` and `logout` options.

use std::path::PathBuf;

use clap::Args;

use super::{HarArgs, StepUpArgs};
use crate::engine::profile::GrantType;
use crate::engine::requests::rar::AuthorizationDetails;

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
    pub authorization_details: Option<AuthorizationDetails>,
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
    pub oidc: OidcLogoutArgs,
    /// Print every HTTP exchange to stderr, secrets redacted.
    #[arg(short, long)]
    pub verbose: bool,
    /// HAR export.
    #[command(flatten)]
    pub har: HarArgs,
}

/// The OpenID options of `logout`.
#[derive(Debug, Args)]
pub struct OidcLogoutArgs {
    /// Log out at the OpenID provider: send the browser to its
    /// end_session_endpoint with the ID token as id_token_hint
    /// (RP-Initiated Logout 1.0).
    #[arg(long)]
    pub oidc: bool,
    /// With --oidc: the ID token to send as id_token_hint (also from the
    /// environment); without it, the profile's grant runs first.
    #[arg(
        long,
        value_name = "T",
        allow_hyphen_values = true,
        env = "OAUTH_DEBUGGER_ID_TOKEN",
        hide_env_values = true
    )]
    pub id_token: Option<String>,
    /// Serve the profile's backchannel_logout_uri and wait for one logout
    /// token (Back-Channel Logout 1.0); with --oidc, while logging out.
    #[arg(long)]
    pub listen: bool,
    /// Do not open a browser: print the URLs to open by hand.
    #[arg(long)]
    pub no_browser: bool,
    /// How long to wait for the browser, and for a logout token, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub timeout: u64,
    /// Print one JSON object: `rp_initiated` and/or `back_channel`.
    #[arg(long)]
    pub json: bool,
}

fn parse_grant(value: &str) -> Result<GrantType, String> {
    GrantType::parse(value).ok_or_else(|| {
        let known: Vec<&str> = GrantType::ALL.iter().map(|g| g.as_str()).collect();
        format!("unknown grant '{value}'; one of: {}", known.join(", "))
    })
}

fn parse_authorization_details(value: &str) -> Result<AuthorizationDetails, String> {
    crate::engine::requests::rar::parse_json(value)
        .map_err(|message| format!("the value {message}"))
}
