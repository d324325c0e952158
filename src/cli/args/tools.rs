//! `keychain`, `keys`, `mcp`, `audit`, `import`, `completions` and `man`
//! options.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::HarArgs;
use crate::engine::mcp::Registration;

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

/// `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a key pair: the private key goes to FILE (PKCS#8 PEM, readable
    /// only by you); the public JWKS to register with the server is printed.
    Generate {
        /// ES256 (EC P-256), RS256 or PS256 (RSA 2048), or EdDSA (Ed25519).
        #[arg(long, default_value = "ES256", value_parser = ["ES256", "RS256", "PS256", "EdDSA"])]
        alg: String,
        /// Where to write the private key; an existing file is never
        /// overwritten.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Publish the key under this `kid` instead of its thumbprint.
        #[arg(long)]
        kid: Option<String>,
    },
    /// Print a key file's public JWK and its thumbprint, or a certificate's
    /// `x5t#S256`. Never prints a private key.
    Show {
        /// A private key (PEM, JWK or JWKS) or a PEM certificate.
        file: PathBuf,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// `mcp` options.
#[derive(Debug, Args)]
pub struct McpArgs {
    /// The MCP server's URL (streamable HTTP), e.g. https://mcp.example.com/mcp.
    pub url: String,
    /// A profile with a client registered by hand (its client_id, secret,
    /// redirect_uri); without one, the client registers itself.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// How to register: pre-registered (needs --profile), cimd (Client ID
    /// Metadata Document) or dcr (RFC 7591). Default: the MCP
    /// specification's order.
    #[arg(long, value_name = "MODE", value_parser = parse_registration)]
    pub register: Option<Registration>,
    /// Go on when the authorization server does not list PKCE S256 (the
    /// specification says a client must refuse).
    #[arg(long)]
    pub allow_no_s256: bool,
    /// Save the profile the chain produced (client, endpoints, [mcp] url)
    /// to FILE; an existing file is never overwritten.
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// Print one JSON object: the hops, the tools, the profile.
    #[arg(long)]
    pub json: bool,
    /// Print every HTTP exchange to stderr, secrets redacted.
    #[arg(short, long)]
    pub verbose: bool,
    /// Do not open a browser: print the URL and read the redirect URL from
    /// stdin.
    #[arg(long)]
    pub no_browser: bool,
    /// How long to wait for the browser, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub browser_timeout: u64,
    /// HAR export.
    #[command(flatten)]
    pub har: HarArgs,
}

fn parse_registration(value: &str) -> Result<Registration, String> {
    Registration::parse(value)
        .ok_or_else(|| format!("unknown mode '{value}'; one of: pre-registered, cimd, dcr"))
}

/// `audit` options.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The profile (TOML) of a client registered at the server under test.
    #[arg(long)]
    pub profile: PathBuf,
    /// Run only these checks (comma-separated IDs, e.g.
    /// code-replay,pkce-verifier-missing).
    #[arg(long, value_name = "ID,…", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Print one JSON object: {"checks": [...], "failed": bool}.
    #[arg(long)]
    pub json: bool,
    /// Also write the results as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write the results as a Markdown table to FILE.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Print every HTTP exchange to stderr, secrets redacted.
    #[arg(short, long)]
    pub verbose: bool,
    /// Do not open a browser: print each authorization URL to stderr and
    /// read the redirect URL from stdin.
    #[arg(long)]
    pub no_browser: bool,
    /// code-lifetime: hold the code this many seconds before exchanging it
    /// (the server's code lifetime and one more; 610 when not given).
    /// Giving it also runs that slow check, which is otherwise left out
    /// unless named in --only.
    #[arg(long, value_name = "SECS")]
    pub code_wait: Option<u64>,
    /// How long to wait for each browser sign-in, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub browser_timeout: u64,
    /// HAR export.
    #[command(flatten)]
    pub har: HarArgs,
}

/// `import` options.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A Postman collection, an Insomnia export (v4 JSON or YAML, v5 YAML),
    /// a Bruno collection folder or .bru file, a file with a curl command —
    /// or `-` to read a curl command (or any of the files) from stdin.
    pub source: String,
    /// Where to write the profiles; default: the app's profile folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The environment: a Postman environment file, the name of an
    /// Insomnia sub-environment, or a Bruno environment's name.
    #[arg(long = "env", value_name = "FILE|NAME")]
    pub environment: Option<String>,
    /// Write secrets in the profile files (readable only by you) even
    /// where an OS keychain answers.
    #[arg(long)]
    pub no_keychain: bool,
    /// Print the report and the paths as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `completions` options.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `man` options.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command (oauth-debugger.1, oauth-debugger-token.1…)
    /// into this directory instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
