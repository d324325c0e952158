//! What is kept: profile files, the OS keychain, secrets, sealed tokens, session files, settings and the app's folders.

pub mod error;
pub mod keychain;
pub mod secret;
pub mod session_file;
pub mod settings;
pub mod storage;
pub mod token_vault;
pub mod workspace;

pub use error::{StoreError, VaultError};
