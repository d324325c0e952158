//! Widgets shared by the panels.

pub mod checks;
pub mod copy;
pub mod countdown;
pub mod explanation;
pub mod fields;
pub mod json_doc;
pub mod json_tree;
pub mod qr;
pub mod secret;
