//! Profiles: one client's whole configuration.
//!
//! A profile is read in two steps. [`ProfileFile`] is the TOML file as written
//! — strings and optional values, field names from RFC 8414 / RFC 7591 — and is
//! what an editor holds while the user types. [`Profile::from_file`] turns it
//! into typed, validated values in one step (parse, don't validate); the rest of
//! the engine only ever sees a [`Profile`]. Every problem names its key, and
//! when the profile came from a file, the file and the line.
//!
//! The format is documented field by field in `docs/profiles.md`.

pub mod grant_tables;
pub mod placeholders;
pub mod presets;
pub mod schema;

mod error;
mod fields;
mod file;
mod load;
mod model;
mod vocabulary;

pub use error::*;
pub use fields::parse_http_url;
use fields::*;
pub(crate) use fields::{non_empty, problem};
pub use file::*;
pub use load::*;
pub use model::*;
pub use vocabulary::*;

#[cfg(test)]
mod tests;
