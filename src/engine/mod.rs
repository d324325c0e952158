//! The engine: profiles, the recording HTTP client, grants, tokens and API
//! calls. Async functions and plain serde data; it knows nothing of the UI, so
//! everything it does is reachable from a test or from the command line.

pub mod api;
pub mod audit;
pub mod autodiscovery;
pub mod browser;
pub mod callback;
pub mod claims;
pub mod client_auth;
pub mod clock;
pub mod compat;
pub mod curl;
pub mod discovery;
pub mod dpop;
pub mod error;
pub mod explain;
pub mod export;
pub mod extension_grants;
pub mod fapi2;
pub mod findings;
pub mod grants;
pub mod har;
pub mod http;
pub mod import;
pub mod introspection;
pub mod jwks;
pub mod jwt;
pub mod keychain;
pub mod keys;
pub mod logout;
pub mod mcp;
pub mod presets;
pub mod profile;
pub mod rar;
pub mod redact;
pub mod resource;
pub mod revoke;
pub mod secret;
pub mod session;
pub mod session_file;
pub mod settings;
pub mod spec;
pub mod storage;
pub mod token;
pub mod token_vault;
pub mod userinfo;
pub mod verify;
pub mod workspace;

pub use error::EngineError;
pub use explain::{Explanation, Stage, explain};
pub use findings::{Finding, Severity};
pub use http::{Exchange, ExchangeKind, HttpClient, Recorder};
pub use profile::{GrantType, Profile, ProfileFile};
pub use secret::Secret;
pub use token::{OAuthError, TokenSet};
