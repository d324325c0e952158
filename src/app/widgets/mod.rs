//! Widgets shared by the panels.

pub mod countdown;
pub mod secret;
