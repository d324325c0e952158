//! What can go wrong keeping things: one error type for the store room.
//!
//! Each variant says what failed in the user's words and keeps its cause
//! (the `std::io::Error`, the keyring error, the JSON error) for callers that
//! match on it or walk [`std::error::Error::source`]. `Display` is the message
//! people see, ready to show: the app and the CLI call `.to_string()`.
//! Secrets never appear in a message: the keyring errors that carry bytes are
//! described without them.

use std::path::PathBuf;
use std::sync::Arc;

/// Why something could not be kept, read back or removed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file or folder operation failed: `action` is the verb ("create",
    /// "read", "save", "write", "delete"), `path` what it was done to.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done, as a verb.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's answer.
        source: std::io::Error,
    },
    /// A file that cannot be loaded could not be moved aside either.
    #[error("cannot move {} aside: {source}", path.display())]
    SetAside {
        /// The file that stays where it is.
        path: PathBuf,
        /// The operating system's answer.
        source: std::io::Error,
    },
    /// The settings file is not valid TOML (or has unknown keys); the
    /// defaults apply, and the file was moved aside (or why it was not).
    #[error(
        "{}{}: {message} — the defaults apply; {}",
        path.display(),
        line.map(|l| format!(":{l}")).unwrap_or_default(),
        describe_aside(kept_as)
    )]
    Parse {
        /// The file.
        path: PathBuf,
        /// The line of the problem, 1-based, when the parser knows it.
        line: Option<usize>,
        /// The parser's words.
        message: String,
        /// Where every byte of the file was kept, or why it could not be.
        kept_as: Result<PathBuf, Box<StoreError>>,
    },
    /// Something could not be written out as text (`what`: "the tokens",
    /// "the settings").
    #[error("cannot write {what}: {message}")]
    Encode {
        /// What was being written.
        what: &'static str,
        /// The serializer's words.
        message: String,
    },
    /// There is no home directory to keep `purpose` in.
    #[error("cannot find a home directory for {purpose}")]
    NoHome {
        /// What the folder was for ("the settings", "the session files").
        purpose: &'static str,
    },
    /// Secrets cannot go to a keychain here; `reason` says why.
    #[error("no OS keychain: {reason}")]
    KeychainUnavailable {
        /// Why there is none, for people.
        reason: String,
    },
    /// The keychain answered with an error.
    #[error("{}", describe_keyring(source))]
    Keyring {
        /// The keyring crate's error (never printed as is: some kinds hold
        /// the entry's bytes).
        source: keyring_core::Error,
    },
    /// A profile's secret could not be filed in (`action` "save") or removed
    /// from (`action` "remove") the keychain.
    #[error(
        "cannot {action} the {label} {} the OS keychain: {source}",
        if *action == "save" { "to" } else { "from" }
    )]
    Keychain {
        /// "save" or "remove".
        action: &'static str,
        /// Which secret: "client secret", "password".
        label: &'static str,
        /// Why the keychain did not do it.
        source: Box<StoreError>,
    },
    /// A profile file was deleted but a keychain entry it named was not.
    #[error("{file} is deleted, but its keychain entry `{account}` is not: {source}")]
    EntryLeft {
        /// The profile file's name.
        file: String,
        /// The keychain account still there.
        account: String,
        /// Why it could not be removed.
        source: Box<StoreError>,
    },
    /// The kept tokens could not be sealed, opened or read.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// An exchange could not be written to the session file.
    #[error("cannot write exchange #{id}: {source}")]
    ExchangeNotWritten {
        /// The exchange.
        id: u64,
        /// The serializer's answer.
        source: serde_json::Error,
    },
    /// The session file holds no exchange with this id.
    #[error("exchange #{id} is not in the session file")]
    NotInSessionFile {
        /// The exchange asked for.
        id: u64,
    },
    /// An exchange's line in the session file is not what was written.
    #[error("exchange #{id} in {} cannot be read: {source}", path.display())]
    ExchangeUnreadable {
        /// The exchange.
        id: u64,
        /// The session file.
        path: PathBuf,
        /// The parser's answer.
        source: serde_json::Error,
    },
    /// There is no settings folder, so tokens cannot be kept.
    #[error("Tokens cannot be kept: there is no settings folder")]
    NoSettingsFolder,
    /// A folder the app needs could not be opened, so `what` cannot be done
    /// ("Cannot save", "Tokens cannot be kept"…).
    #[error("{what}: {source}")]
    Unusable {
        /// What cannot be done, for people.
        what: &'static str,
        /// Why the folder is not there.
        source: Arc<StoreError>,
    },
    /// The same problem, said again where it stopped something else.
    #[error(transparent)]
    Shared(Arc<StoreError>),
    /// The folder for generated keys could not be made.
    #[error("Cannot create {}: {source}", path.display())]
    KeyFolder {
        /// The `keys` folder beside the profiles.
        path: PathBuf,
        /// The operating system's answer.
        source: std::io::Error,
    },
    /// A profile could not be exported to `path`.
    #[error("Cannot export to {}: {source}", path.display())]
    Export {
        /// Where it was to go.
        path: PathBuf,
        /// The operating system's answer.
        source: std::io::Error,
    },
    /// A client key could not be made or written.
    #[error(transparent)]
    Key(#[from] crate::engine::client::keys::KeyError),
    /// Another tool's clients could not be read.
    #[error(transparent)]
    Import(#[from] crate::engine::import::ImportError),
}

/// Why the kept tokens could not be sealed, opened or read
/// (`engine::store::token_vault`).
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The keychain took the new key but does not give it back.
    #[error("the keychain did not keep the key")]
    KeyNotKept,
    /// The tokens are sealed, and the key is gone from the keychain.
    #[error("the key for the kept tokens is not in the OS keychain; they cannot be read")]
    KeyMissing,
    /// The keychain entry is not a 256-bit base64 key.
    #[error("the key for the kept tokens in the OS keychain is not a key")]
    KeyDamaged,
    /// The key was refused by the cipher.
    #[error("the key for the kept tokens is not a key")]
    NotAKey,
    /// The system's random source failed (`what`: "key", "nonce").
    #[error("cannot make a random {what}")]
    NoRandom {
        /// What was to be made.
        what: &'static str,
    },
    /// Sealing failed.
    #[error("cannot seal the tokens")]
    SealFailed,
    /// The sealed file is shorter than its nonce.
    #[error("the kept tokens file is cut short")]
    CutShort,
    /// The nonce at the start of the file is not one.
    #[error("bad nonce")]
    BadNonce,
    /// The file does not open with the key: changed, damaged, or another key.
    #[error("the kept tokens do not open with the key in the OS keychain (changed or damaged)")]
    Damaged,
    /// The plain file could not be read.
    #[error("cannot read the kept tokens: {0}")]
    Read(#[source] std::io::Error),
    /// What was read is not the token sets that were written.
    #[error("the kept tokens cannot be read: {0}")]
    Parse(#[source] serde_json::Error),
}

impl StoreError {
    /// A [`StoreError::Io`] for `action` on `path`, to hand to `map_err`.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}

impl From<keyring_core::Error> for StoreError {
    /// Keeps the keyring's error, minus the entry's bytes that two of its
    /// kinds carry (they may be a secret, and `Debug` would print them).
    fn from(source: keyring_core::Error) -> Self {
        use keyring_core::Error;
        let source = match source {
            Error::BadEncoding(_) => Error::BadEncoding(Vec::new()),
            Error::BadDataFormat(_, cause) => Error::BadDataFormat(Vec::new(), cause),
            other => other,
        };
        Self::Keyring { source }
    }
}

fn describe_aside(kept_as: &Result<PathBuf, Box<StoreError>>) -> String {
    match kept_as {
        Ok(aside) => format!(
            "the file is kept as {}",
            aside.file_name().unwrap_or_default().to_string_lossy()
        ),
        Err(err) => err.to_string(),
    }
}

/// A keyring error for people; never carries a secret (the error kinds that
/// hold bytes, `BadEncoding` and `BadDataFormat`, are described without them).
pub(crate) fn describe_keyring(err: &keyring_core::Error) -> String {
    use keyring_core::Error;
    match err {
        Error::PlatformFailure(inner) => {
            let detail = inner.to_string();
            // zbus's words for "there is no session bus" and "nothing on it
            // provides the Secret Service", said for people.
            if detail.contains("Failed to connect to address")
                || detail.contains("Address") && detail.contains("not found")
            {
                "no D-Bus session bus to reach a Secret Service on".to_string()
            } else if detail.contains("ServiceUnknown")
                || detail.contains("org.freedesktop.secrets")
            {
                "no Secret Service (GNOME Keyring, KWallet) is running".to_string()
            } else {
                format!("the keychain did not answer: {detail}")
            }
        }
        Error::NoStorageAccess(inner) => {
            format!("the keychain is locked or refused access: {inner}")
        }
        Error::NoEntry => "no such entry in the keychain".to_string(),
        Error::BadEncoding(_) => "the keychain entry is not UTF-8 text".to_string(),
        Error::BadDataFormat(_, _) => {
            "the keychain entry is not in the expected format".to_string()
        }
        Error::Ambiguous(entries) => format!("{} keychain entries match", entries.len()),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn denied() -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Permission denied")
    }

    /// The words people saw before the type existed, kept to the letter.
    #[test]
    fn messages_are_the_ones_people_already_read() {
        let io = StoreError::io("save", "/p/my-api.toml")(denied());
        assert_eq!(
            io.to_string(),
            "cannot save /p/my-api.toml: Permission denied"
        );
        let aside = StoreError::SetAside {
            path: "/p/x.toml".into(),
            source: denied(),
        };
        assert_eq!(
            aside.to_string(),
            "cannot move /p/x.toml aside: Permission denied"
        );
        let locked = || {
            Box::new(StoreError::from(keyring_core::Error::NoStorageAccess(
                "locked".into(),
            )))
        };
        let saved = StoreError::Keychain {
            action: "save",
            label: "client secret",
            source: locked(),
        };
        assert_eq!(
            saved.to_string(),
            "cannot save the client secret to the OS keychain: the keychain is locked or refused access: locked"
        );
        let removed = StoreError::Keychain {
            action: "remove",
            label: "password",
            source: locked(),
        };
        assert!(
            removed
                .to_string()
                .starts_with("cannot remove the password from the OS keychain: "),
            "{removed}"
        );
        let parse = |line, kept_as| StoreError::Parse {
            path: "/c/settings.toml".into(),
            line,
            message: "unknown field `x`".into(),
            kept_as,
        };
        assert_eq!(
            parse(Some(2), Ok("/c/settings.toml.broken-1".into())).to_string(),
            "/c/settings.toml:2: unknown field `x` — the defaults apply; the file is kept as settings.toml.broken-1"
        );
        let stuck = Box::new(StoreError::SetAside {
            path: "/c/settings.toml".into(),
            source: denied(),
        });
        assert_eq!(
            parse(None, Err(stuck)).to_string(),
            "/c/settings.toml: unknown field `x` — the defaults apply; cannot move /c/settings.toml aside: Permission denied"
        );
        let home = Arc::new(StoreError::NoHome {
            purpose: "the settings",
        });
        let unusable = StoreError::Unusable {
            what: "Tokens cannot be kept",
            source: home.clone(),
        };
        assert_eq!(
            unusable.to_string(),
            "Tokens cannot be kept: cannot find a home directory for the settings"
        );
        assert_eq!(
            StoreError::Shared(home).to_string(),
            "cannot find a home directory for the settings"
        );
        assert_eq!(
            StoreError::from(VaultError::KeyMissing).to_string(),
            "the key for the kept tokens is not in the OS keychain; they cannot be read"
        );
    }

    /// A keychain entry's bytes never reach a message.
    #[test]
    fn keyring_errors_that_hold_bytes_are_described_without_them() {
        let err = StoreError::from(keyring_core::Error::BadEncoding(b"s3cret\xff".to_vec()));
        assert_eq!(err.to_string(), "the keychain entry is not UTF-8 text");
        assert!(
            std::error::Error::source(&err).is_some(),
            "the cause is kept"
        );
        let debug = format!("{err:?}");
        assert!(!debug.contains("115, 51, 99"), "{debug}");
        assert!(matches!(
            &err,
            StoreError::Keyring { source: keyring_core::Error::BadEncoding(bytes) } if bytes.is_empty()
        ));
    }
}
