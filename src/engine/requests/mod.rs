//! What a request may carry beyond the basics: resource indicators (RFC 8707), rich authorization requests (RFC 9396), step-up (RFC 9470).

pub mod rar;
pub mod resource;
pub mod step_up;
