//! Secrets in the OS keychain: the macOS Keychain, the Windows Credential
//! Manager, or the Secret Service (GNOME Keyring, KWallet) on Linux and the
//! BSDs, through the `keyring` crate's core API (`keyring-core`) and the
//! platform stores the `keyring` crate itself uses.
//!
//! A profile refers to a secret by an account name under the service
//! [`SERVICE`] (`client_secret_keychain = "my-api/client_secret"`); the store
//! ([`crate::engine::store::storage::ProfileStore`]) reads it into memory when it loads the
//! profile and writes it back when the profile is saved.
//!
//! Where no keychain answers — headless Linux without a Secret Service, a CI
//! machine — [`Keychain::status`] says why, and secrets stay in the profile
//! file, which is private to the user (0600). The platform keychain is looked
//! for once, on first use, so a program that never touches a secret never
//! talks to it.

use std::sync::{Arc, OnceLock};

use keyring_core::{CredentialStore, Entry};

use crate::engine::store::error::{StoreError, describe_keyring};
use crate::engine::store::secret::Secret;

/// The keychain service every entry of this app is filed under.
pub const SERVICE: &str = "oauth-debugger";

/// The account looked up (and never written) to tell whether the keychain
/// answers.
const PROBE_ACCOUNT: &str = "availability check";

/// Where secrets go: an OS keychain, or nowhere (they stay in the files).
/// Cheap to clone; clones share the store.
#[derive(Clone)]
pub struct Keychain {
    inner: Arc<Inner>,
}

struct Inner {
    /// How to reach the store; run once, on first use.
    open: fn() -> Result<Arc<CredentialStore>, String>,
    /// A store given up front (tests hand in keyring's mock store).
    given: Option<Arc<CredentialStore>>,
    /// The store, or why there is none.
    state: OnceLock<Result<Backend, String>>,
}

struct Backend {
    store: Arc<CredentialStore>,
    /// For people: "Secret Service", "macOS Keychain", "mock store".
    name: String,
}

/// Whether secrets can go to a keychain, for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Secrets go to this keychain.
    Available(String),
    /// Secrets stay in the profile files; the reason.
    Unavailable(String),
}

impl Status {
    /// One line for the UI and the CLI.
    pub fn describe(&self) -> String {
        match self {
            Self::Available(name) => format!("Secrets are kept in the OS keychain ({name})."),
            Self::Unavailable(reason) => format!(
                "No OS keychain here ({reason}); secrets are kept in the profile files, readable only by you (0600)."
            ),
        }
    }
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keychain")
            .field("status", &self.inner.state.get().map(|s| s.is_ok()))
            .finish()
    }
}

impl Keychain {
    /// The OS keychain, looked for on first use.
    pub fn platform() -> Self {
        Self::lazy(open_platform_store, None)
    }

    /// A keychain backed by `store` (tests use keyring's mock store:
    /// `keyring_core::mock::Store::new()`).
    pub fn with_store(store: Arc<CredentialStore>) -> Self {
        Self::lazy(|| Err("no store".into()), Some(store))
    }

    /// No keychain: every secret stays in the files; `reason` says why.
    pub fn none(reason: impl Into<String>) -> Self {
        let keychain = Self::lazy(|| Err("no store".into()), None);
        let _ = keychain.inner.state.set(Err(reason.into()));
        keychain
    }

    fn lazy(
        open: fn() -> Result<Arc<CredentialStore>, String>,
        given: Option<Arc<CredentialStore>>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                open,
                given,
                state: OnceLock::new(),
            }),
        }
    }

    fn backend(&self) -> Result<&Backend, &str> {
        self.inner
            .state
            .get_or_init(|| {
                let store = match &self.inner.given {
                    Some(store) => store.clone(),
                    None => (self.inner.open)()?,
                };
                let name = store_name(&store);
                // Reading an account that does not exist tells whether the
                // store answers at all, without writing anything.
                match build(&store, PROBE_ACCOUNT).and_then(|entry| entry.get_password()) {
                    Ok(_) | Err(keyring_core::Error::NoEntry) => Ok(Backend { store, name }),
                    Err(err) => Err(describe_keyring(&err)),
                }
            })
            .as_ref()
            .map_err(String::as_str)
    }

    /// Whether secrets go to a keychain.
    pub fn status(&self) -> Status {
        match self.backend() {
            Ok(backend) => Status::Available(backend.name.clone()),
            Err(reason) => Status::Unavailable(reason.to_string()),
        }
    }

    /// True when secrets go to a keychain.
    pub fn is_available(&self) -> bool {
        self.backend().is_ok()
    }

    /// The secret filed under `account`; `Ok(None)` when there is none.
    pub fn get(&self, account: &str) -> Result<Option<Secret>, StoreError> {
        let backend = self.backend().map_err(unavailable)?;
        match build(&backend.store, account)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// Files `secret` under `account`, replacing what was there.
    pub fn set(&self, account: &str, secret: &Secret) -> Result<(), StoreError> {
        let backend = self.backend().map_err(unavailable)?;
        Ok(build(&backend.store, account)?.set_password(secret.expose())?)
    }

    /// Removes the secret filed under `account`; no entry is not an error.
    pub fn delete(&self, account: &str) -> Result<(), StoreError> {
        let backend = self.backend().map_err(unavailable)?;
        match build(&backend.store, account)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }
}

fn unavailable(reason: &str) -> StoreError {
    StoreError::KeychainUnavailable {
        reason: reason.to_string(),
    }
}

fn build(store: &Arc<CredentialStore>, account: &str) -> Result<Entry, keyring_core::Error> {
    store.build(SERVICE, account, None)
}

fn store_name(store: &Arc<CredentialStore>) -> String {
    let vendor = store.vendor();
    if vendor.contains("Mock") {
        "mock store".to_string()
    } else if vendor.contains("secret-service") || vendor.contains("Secret Service") {
        "Secret Service".to_string()
    } else if vendor.contains("apple") || vendor.contains("Keychain") {
        "macOS Keychain".to_string()
    } else if vendor.contains("windows") || vendor.contains("Windows") {
        "Windows Credential Manager".to_string()
    } else {
        vendor
    }
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn open_platform_store() -> Result<Arc<CredentialStore>, String> {
    let store =
        zbus_secret_service_keyring_store::Store::new().map_err(|err| describe_keyring(&err))?;
    Ok(store)
}

#[cfg(target_os = "macos")]
fn open_platform_store() -> Result<Arc<CredentialStore>, String> {
    let store =
        apple_native_keyring_store::keychain::Store::new().map_err(|err| describe_keyring(&err))?;
    Ok(store)
}

#[cfg(target_os = "windows")]
fn open_platform_store() -> Result<Arc<CredentialStore>, String> {
    let store = windows_native_keyring_store::Store::new().map_err(|err| describe_keyring(&err))?;
    Ok(store)
}

#[cfg(not(any(
    all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    ),
    target_os = "macos",
    target_os = "windows"
)))]
fn open_platform_store() -> Result<Arc<CredentialStore>, String> {
    Err("this platform has no keychain support in oauth-debugger".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyring_core::api::CredentialStoreApi as _;

    fn mock() -> Keychain {
        Keychain::with_store(keyring_core::mock::Store::new().expect("mock store"))
    }

    #[test]
    fn secrets_round_trip_through_the_store() {
        let keychain = mock();
        assert_eq!(keychain.status(), Status::Available("mock store".into()));
        assert!(matches!(keychain.get("p/client_secret"), Ok(None)));
        keychain
            .set("p/client_secret", &Secret::new("s3cret"))
            .expect("set");
        assert_eq!(
            keychain
                .get("p/client_secret")
                .expect("get")
                .map(|s| s.expose().to_string()),
            Some("s3cret".to_string())
        );
        keychain.delete("p/client_secret").expect("delete");
        keychain
            .delete("p/client_secret")
            .expect("deleting twice is fine");
        assert!(matches!(keychain.get("p/client_secret"), Ok(None)));
    }

    #[test]
    fn a_store_that_fails_is_unavailable_with_its_reason() {
        let store = keyring_core::mock::Store::new().expect("mock store");
        let probe = store.build(SERVICE, PROBE_ACCOUNT, None).expect("entry");
        let cred: &keyring_core::mock::Cred = probe.as_any().downcast_ref().expect("mock cred");
        cred.set_error(keyring_core::Error::NoStorageAccess(
            "locked by test".into(),
        ));
        let keychain = Keychain::with_store(store);
        match keychain.status() {
            Status::Unavailable(reason) => assert!(reason.contains("locked by test"), "{reason}"),
            other => panic!("expected unavailable, got {other:?}"),
        }
        let err = keychain
            .set("a", &Secret::new("x"))
            .expect_err("unavailable");
        assert!(
            matches!(&err, StoreError::KeychainUnavailable { reason } if reason.contains("locked by test")),
            "{err:?}"
        );
        assert!(err.to_string().starts_with("no OS keychain"), "{err}");
    }

    #[test]
    fn none_says_why() {
        let keychain = Keychain::none("turned off for this test");
        assert!(!keychain.is_available());
        assert!(
            keychain
                .status()
                .describe()
                .contains("turned off for this test")
        );
    }
}
