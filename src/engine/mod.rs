//! The engine: profiles, the recording HTTP client, grants, tokens and API
//! calls. Async functions and plain serde data; it knows nothing of the UI, so
//! everything it does is reachable from a test or from the command line.
//!
//! Its rooms, by responsibility:
//!
//! - [`profile`] — the profile file format, its validation into a
//!   [`Profile`], the grant tables, presets and the JSON Schema;
//! - [`wire`] — the recording HTTP client, compatibility rewriting, the
//!   loopback redirect listener, the browser, curl/HAR/Mermaid exports and
//!   redaction;
//! - [`grants`] — one file per grant, and what the front ends ask of a grant
//!   ([`GrantType`]);
//! - [`requests`] — what a request may carry beyond the basics: resource
//!   indicators, rich authorization requests, step-up;
//! - [`client`] — how the client proves itself: client authentication, key
//!   pairs, DPoP;
//! - [`tokens`] — token responses read tolerantly, and keeping tokens fresh;
//! - [`jwt`] — decoding, JWKS, signature and claim verification;
//! - [`endpoints`] — one call to one endpoint: the API, discovery,
//!   introspection, revocation, userinfo;
//! - [`diagnose`] — findings, the RFC rules checked on responses,
//!   explanations, FAPI 2.0;
//! - [`store`] — profile files, the keychain, secrets, sealed tokens,
//!   session files, settings;
//! - features with their own folder: [`audit`] (server audit), [`import`]
//!   (Postman, Insomnia, Bruno, curl), [`logout`] (OpenID logout, and the profile's own `[logout]` request), [`mcp`]
//!   (MCP authorization);
//! - [`error`] — the engine's error type, on the ground floor.

pub mod audit;
pub mod client;
pub mod diagnose;
pub mod endpoints;
pub mod error;
pub mod grants;
pub mod import;
pub mod jwt;
pub mod logout;
pub mod mcp;
pub mod oauth_error;
pub mod profile;
pub mod requests;
pub mod store;
pub mod tokens;
pub mod wire;

pub use diagnose::explain::{Explanation, Stage, explain};
pub use diagnose::findings::{Finding, Severity};
pub use error::EngineError;
pub use oauth_error::OAuthError;
pub use profile::{GrantType, Profile, ProfileFile};
pub use store::secret::Secret;
pub use tokens::response::TokenSet;
pub use wire::http::{Exchange, ExchangeKind, HttpClient, Recorder};
