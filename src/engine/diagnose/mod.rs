//! Telling the user what happened: findings, the RFC rules checked on responses, explanations of OAuth errors, FAPI 2.0 checks.

pub mod explain;
pub mod fapi2;
pub mod findings;
pub mod providers;
pub mod spec;
