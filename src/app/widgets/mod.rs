//! Widgets shared by the panels.

pub mod copy;
pub mod countdown;
pub mod fields;
pub mod qr;
pub mod secret;
