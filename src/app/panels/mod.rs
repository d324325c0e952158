//! One panel per file; each `*_ui` function gets only the state it draws.

pub mod clients;
pub mod flow;
pub mod http_log;
pub mod request;
pub mod status;
pub mod tokens;
