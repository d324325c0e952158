//! The desktop app's settings, kept apart from the profiles: `settings.toml` in the OS
//! config directory (`~/.config/oauth-debugger/settings.toml` on Linux).
//!
//! Every field has a default, so an older or partial file keeps loading. A
//! file that cannot be read is set aside like a broken profile
//! (`settings.toml.broken-TIMESTAMP`, every byte kept) and the defaults apply.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::profile::line_at;
use crate::engine::store::error::StoreError;
use crate::engine::store::storage::{set_aside, write_atomically};

/// The settings file's name in the config directory.
pub const FILE: &str = "settings.toml";

/// What the app remembers between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Keep tokens across restarts (off unless the user turns it on); they
    /// are stored like secrets (`engine::store::token_vault`).
    pub keep_tokens: bool,
    /// Keep every exchange of a session in memory instead of moving the
    /// older ones to a session file (`engine::store::session_file`).
    pub keep_log_in_memory: bool,
    /// Keep secrets in the session file (masked otherwise, as in a HAR
    /// export without secrets).
    pub session_file_secrets: bool,
}

impl Settings {
    /// Reads the settings in `dir`; the defaults when there is no file. A
    /// file that cannot be read is set aside, and the error says so
    /// ([`StoreError::Parse`] names where the file was kept).
    pub fn load(dir: &Path) -> (Self, Option<StoreError>) {
        let path = dir.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return (Self::default(), None);
            }
            Err(err) => return (Self::default(), Some(StoreError::io("read", path)(err))),
        };
        match toml::from_str(&text) {
            Ok(settings) => (settings, None),
            Err(err) => {
                let line = err.span().map(|span| line_at(&text, span.start));
                let kept_as = set_aside(&path).map_err(Box::new);
                (
                    Self::default(),
                    Some(StoreError::Parse {
                        path,
                        line,
                        message: err.message().to_string(),
                        kept_as,
                    }),
                )
            }
        }
    }

    /// Writes the settings to `dir` atomically (0600).
    pub fn save(&self, dir: &Path) -> Result<(), StoreError> {
        let path = dir.join(FILE);
        std::fs::create_dir_all(dir).map_err(StoreError::io("create", dir))?;
        let text = toml::to_string(self).map_err(|err| StoreError::Encode {
            what: "the settings",
            message: err.to_string(),
        })?;
        write_atomically(&path, text.as_bytes()).map_err(StoreError::io("save", path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_default_when_missing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (settings, problem) = Settings::load(dir.path());
        assert_eq!(settings, Settings::default());
        assert!(problem.is_none(), "{problem:?}");
        let on = Settings {
            keep_tokens: true,
            ..Settings::default()
        };
        on.save(dir.path()).expect("saved");
        let (settings, problem) = Settings::load(dir.path());
        assert_eq!(settings, on);
        assert!(problem.is_none(), "{problem:?}");
    }

    #[test]
    fn a_broken_settings_file_is_set_aside_and_the_defaults_apply() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join(FILE),
            "keep_tokens = true\nkeep_tokns = 1\n",
        )
        .expect("write");
        let (settings, message) = Settings::load(dir.path());
        assert_eq!(settings, Settings::default());
        let err = message.expect("a message");
        match &err {
            StoreError::Parse {
                path,
                line,
                kept_as,
                ..
            } => {
                assert_eq!(path, &dir.path().join(FILE));
                assert_eq!(*line, Some(2));
                assert!(kept_as.is_ok(), "{kept_as:?}");
            }
            other => panic!("expected a parse error, got {other:?}"),
        }
        let message = err.to_string();
        assert!(
            message.contains("settings.toml:2: unknown field `keep_tokns`"),
            "{message}"
        );
        assert!(
            message.contains("the file is kept as settings.toml.broken-"),
            "{message}"
        );
        assert!(!dir.path().join(FILE).exists());
    }
}
