//! oauth-debugger: a native desktop OAuth 2.0 / OpenID Connect debugger.
//!
//! - [`engine`]: profiles, grants, the recording HTTP client — no UI.
//! - [`demo`]: the built-in demo authorization server and protected API.
//! - [`cli`]: headless use of the engine.
//! - [`app`]: the egui desktop app.

pub mod app;
pub mod cli;
pub mod demo;
pub mod engine;
