//! How the client proves itself: client authentication (secrets, private_key_jwt, mutual TLS), its key pairs, DPoP proofs.

pub mod auth;
pub mod dpop;
pub mod keys;
