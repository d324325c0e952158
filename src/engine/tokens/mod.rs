//! Token responses, read tolerantly, and keeping tokens fresh.

pub mod renewal;
pub mod response;
