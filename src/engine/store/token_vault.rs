//! Tokens kept across restarts — an opt-in setting — stored like secrets.
//!
//! With an OS keychain, the token sets are sealed with AES-256-GCM into
//! `tokens.sealed` (0600), and the key lives in the keychain (account
//! [`KEY_ACCOUNT`]): keychains limit the size of an entry (2.5 KB on
//! Windows), and a session's tokens, ID tokens and raw responses are larger.
//! Without a keychain they are written to `tokens.json`, readable only by the
//! user (0600), as secrets are. Turning the setting off deletes both.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom as _, SystemRandom};

use crate::engine::store::error::{StoreError, VaultError};
use crate::engine::store::keychain::Keychain;
use crate::engine::store::secret::Secret;
use crate::engine::store::storage::write_atomically;

/// The keychain account holding the key that seals kept tokens.
pub const KEY_ACCOUNT: &str = "kept tokens key";

/// How many token sets are kept, newest last.
pub const KEPT: usize = 20;

const SEALED: &str = "tokens.sealed";
const PLAIN: &str = "tokens.json";

/// Where kept tokens are written.
#[derive(Debug, Clone)]
pub struct TokenVault {
    dir: PathBuf,
    keychain: Keychain,
}

impl TokenVault {
    /// Kept tokens in `dir`, sealed with a key from `keychain` when it has one.
    pub fn new(dir: impl Into<PathBuf>, keychain: Keychain) -> Self {
        Self {
            dir: dir.into(),
            keychain,
        }
    }

    /// Writes the newest [`KEPT`] token sets; says where, for people.
    pub fn save<T: serde::Serialize>(&self, tokens: &[T]) -> Result<String, StoreError> {
        let start = tokens.len().saturating_sub(KEPT);
        let json = serde_json::to_vec(&tokens[start..]).map_err(|err| StoreError::Encode {
            what: "the tokens",
            message: err.to_string(),
        })?;
        std::fs::create_dir_all(&self.dir).map_err(StoreError::io("create", &self.dir))?;
        if self.keychain.is_available() {
            let key = self.key(true)?.ok_or(VaultError::KeyNotKept)?;
            let sealed = seal(&key, &json)?;
            write(&self.dir.join(SEALED), &sealed)?;
            remove(&self.dir.join(PLAIN))?;
            Ok("Tokens are kept across restarts, sealed with a key in the OS keychain.".into())
        } else {
            write(&self.dir.join(PLAIN), &json)?;
            Ok(format!(
                "Tokens are kept across restarts in {}, readable only by you (0600): no OS keychain here.",
                self.dir.join(PLAIN).display()
            ))
        }
    }

    /// The kept token sets, oldest first; none when nothing was kept.
    pub fn load<T: serde::de::DeserializeOwned>(&self) -> Result<Vec<T>, StoreError> {
        let sealed = self.dir.join(SEALED);
        let json = if sealed.exists() {
            let bytes = std::fs::read(&sealed).map_err(StoreError::io("read", &sealed))?;
            let key = self.key(false)?.ok_or(VaultError::KeyMissing)?;
            open(&key, &bytes)?
        } else {
            match std::fs::read(self.dir.join(PLAIN)) {
                Ok(bytes) => bytes,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
                Err(err) => return Err(VaultError::Read(err).into()),
            }
        };
        Ok(serde_json::from_slice(&json).map_err(VaultError::Parse)?)
    }

    /// Deletes the kept tokens and their key.
    pub fn clear(&self) -> Result<(), StoreError> {
        remove(&self.dir.join(SEALED))?;
        remove(&self.dir.join(PLAIN))?;
        if self.keychain.is_available() {
            self.keychain.delete(KEY_ACCOUNT)?;
        }
        Ok(())
    }

    /// The sealing key from the keychain; made and filed when `create` and
    /// there is none.
    fn key(&self, create: bool) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(stored) = self.keychain.get(KEY_ACCOUNT)? {
            let key = base64::engine::general_purpose::STANDARD
                .decode(stored.expose())
                .ok()
                .filter(|k| k.len() == AES_256_GCM.key_len())
                .ok_or(VaultError::KeyDamaged)?;
            return Ok(Some(key));
        }
        if !create {
            return Ok(None);
        }
        let mut key = vec![0u8; AES_256_GCM.key_len()];
        SystemRandom::new()
            .fill(&mut key)
            .map_err(|_| VaultError::NoRandom { what: "key" })?;
        let encoded = base64::engine::general_purpose::STANDARD.encode(&key);
        self.keychain.set(KEY_ACCOUNT, &Secret::new(encoded))?;
        Ok(Some(key))
    }
}

fn cipher(key: &[u8]) -> Result<LessSafeKey, VaultError> {
    UnboundKey::new(&AES_256_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| VaultError::NotAKey)
}

/// A random nonce, then the ciphertext and its tag.
fn seal(key: &[u8], plain: &[u8]) -> Result<Vec<u8>, VaultError> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| VaultError::NoRandom { what: "nonce" })?;
    let mut data = plain.to_vec();
    cipher(key)?
        .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut data)
        .map_err(|_| VaultError::SealFailed)?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&data);
    Ok(out)
}

fn open(key: &[u8], sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
    if sealed.len() < NONCE_LEN {
        return Err(VaultError::CutShort);
    }
    let (nonce, data) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| VaultError::BadNonce)?;
    let mut data = data.to_vec();
    let plain = cipher(key)?
        .open_in_place(nonce, Aad::empty(), &mut data)
        .map_err(|_| VaultError::Damaged)?;
    Ok(plain.to_vec())
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    write_atomically(path, bytes).map_err(StoreError::io("write", path))
}

fn remove(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(StoreError::io("delete", path)(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::tokens::response::TokenSet;
    use crate::engine::tokens::response::parse_token_response;

    fn tokens(access: &str) -> TokenSet {
        let body = format!(
            r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":3600,"refresh_token":"refresh-{access}"}}"#
        );
        let response = crate::engine::wire::http::RecordedResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
            truncated: false,
        };
        parse_token_response(
            &response,
            crate::engine::GrantType::ClientCredentials,
            1,
            chrono::Utc::now(),
            None,
            &Default::default(),
            Vec::new(),
        )
        .expect("tokens")
    }

    #[test]
    fn with_a_keychain_tokens_are_sealed_and_the_key_is_in_the_keychain() {
        let dir = tempfile::tempdir().expect("tempdir");
        let keychain = Keychain::with_store(keyring_core::mock::Store::new().expect("mock"));
        let vault = TokenVault::new(dir.path(), keychain.clone());
        assert!(
            vault
                .load::<TokenSet>()
                .expect("nothing kept yet")
                .is_empty(),
            "nothing kept yet"
        );
        let kept = vec![tokens("first-access-token"), tokens("second-access-token")];
        let said = vault.save(&kept).expect("saved");
        assert!(
            said.contains("sealed with a key in the OS keychain"),
            "{said}"
        );

        let file = std::fs::read(dir.path().join(SEALED)).expect("sealed file");
        let text = String::from_utf8_lossy(&file);
        assert!(!text.contains("second-access-token"), "sealed: {text}");
        assert!(keychain.get(KEY_ACCOUNT).expect("keychain").is_some());
        assert_eq!(vault.load::<TokenSet>().expect("loads"), kept);

        // A damaged file is a clear error, not a panic or garbage.
        let mut damaged = file.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        std::fs::write(dir.path().join(SEALED), &damaged).expect("write");
        let err = vault.load::<TokenSet>().expect_err("damaged");
        assert!(
            matches!(err, StoreError::Vault(VaultError::Damaged)),
            "{err:?}"
        );
        assert!(err.to_string().contains("do not open"), "{err}");
        std::fs::write(dir.path().join(SEALED), &file[..4]).expect("write");
        let err = vault.load::<TokenSet>().expect_err("short");
        assert!(
            matches!(err, StoreError::Vault(VaultError::CutShort)),
            "{err:?}"
        );
        assert!(err.to_string().contains("cut short"), "{err}");

        // Turning the setting off removes the tokens and the key.
        vault.clear().expect("cleared");
        assert!(!dir.path().join(SEALED).exists());
        assert!(matches!(keychain.get(KEY_ACCOUNT), Ok(None)));
        assert!(vault.load::<TokenSet>().expect("nothing kept").is_empty());
    }

    #[test]
    fn without_a_keychain_tokens_are_in_a_private_file_and_only_the_newest_are_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let vault = TokenVault::new(dir.path(), Keychain::none("headless"));
        let many: Vec<TokenSet> = (0..KEPT + 5)
            .map(|n| tokens(&format!("token-{n}")))
            .collect();
        let said = vault.save(&many).expect("saved");
        assert!(said.contains("readable only by you (0600)"), "{said}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(PLAIN))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let loaded = vault.load::<TokenSet>().expect("loads");
        assert_eq!(loaded.len(), KEPT);
        assert_eq!(loaded, many[5..].to_vec());
        std::fs::write(dir.path().join(PLAIN), "{not json").expect("write");
        let err = vault.load::<TokenSet>().expect_err("bad");
        assert!(
            matches!(err, StoreError::Vault(VaultError::Parse(_))),
            "{err:?}"
        );
        assert!(err.to_string().contains("cannot be read"), "{err}");
    }
}
