//! One panel per file; each `*_ui` function gets only the state it draws.

pub mod clients;
pub mod exchanges;
pub mod flow;
pub mod status;
pub mod tokens;
