//! Profiles on disk: one TOML file per profile in the OS config directory
//! (`directories`), so users can find, edit and version them.
//!
//! Writes are atomic — a temporary file beside the target, flushed to disk,
//! then renamed over it — and private (0600 on Unix). A file that cannot be
//! read is listed with its problem and never overwritten; the app sets it
//! aside ([`ProfileStore::set_aside`]) so new saves cannot touch it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::profile::{ProfileError, ProfileFile};

/// A folder of profile files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileStore {
    dir: PathBuf,
}

/// One file of the store.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProfile {
    /// Where it lives.
    pub path: PathBuf,
    /// Its contents, or why they cannot be used.
    pub file: Result<ProfileFile, ProfileError>,
}

impl ProfileStore {
    /// The store in the OS config directory
    /// (`~/.config/oauth-debugger/profiles` on Linux).
    pub fn open_default() -> Result<Self, String> {
        let dirs = directories::ProjectDirs::from("dev", "oauth-debugger", "oauth-debugger")
            .ok_or("cannot find a home directory for the profiles")?;
        Self::open(dirs.config_dir().join("profiles"))
    }

    /// The store in `dir`, created if missing.
    pub fn open(dir: PathBuf) -> Result<Self, String> {
        std::fs::create_dir_all(&dir)
            .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
        Ok(Self { dir })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every `*.toml` file, sorted by name.
    pub fn list(&self) -> Result<Vec<StoredProfile>, String> {
        let entries = std::fs::read_dir(&self.dir)
            .map_err(|err| format!("cannot read {}: {err}", self.dir.display()))?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        Ok(paths
            .into_iter()
            .map(|path| {
                let file = std::fs::read_to_string(&path)
                    .map_err(|err| ProfileError {
                        path: Some(path.clone()),
                        problems: vec![super::profile::Problem {
                            key: None,
                            line: None,
                            message: format!("cannot read the file: {err}"),
                        }],
                    })
                    .and_then(|text| ProfileFile::parse(&text, &path));
                StoredProfile { path, file }
            })
            .collect())
    }

    /// A file name for a profile called `name` that no other file uses.
    pub fn new_path(&self, name: &str) -> PathBuf {
        let stem: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect::<String>()
            .split('-')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let stem = if stem.is_empty() {
            "profile".to_string()
        } else {
            stem
        };
        let mut path = self.dir.join(format!("{stem}.toml"));
        let mut n = 2;
        while path.exists() {
            path = self.dir.join(format!("{stem}-{n}.toml"));
            n += 1;
        }
        path
    }

    /// Writes `file` to `path` atomically.
    /// The file records the profile format it was written in.
    pub fn save(&self, path: &Path, file: &ProfileFile) -> Result<(), String> {
        let file = ProfileFile {
            schema_version: Some(super::profile::SCHEMA_VERSION),
            ..file.clone()
        };
        write_atomically(path, file.to_toml().as_bytes())
            .map_err(|err| format!("cannot save {}: {err}", path.display()))
    }

    /// Moves a file that cannot be loaded out of the way, keeping every byte
    /// of it: `NAME.toml` becomes `NAME.toml.broken-YYYYMMDD-HHMMSS` beside
    /// it, no longer listed, never overwritten. Returns the new path.
    pub fn set_aside(&self, path: &Path) -> Result<PathBuf, String> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "profile.toml".to_string());
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let mut aside = path.with_file_name(format!("{name}.broken-{stamp}"));
        let mut n = 2;
        while aside.exists() {
            aside = path.with_file_name(format!("{name}.broken-{stamp}-{n}"));
            n += 1;
        }
        std::fs::rename(path, &aside)
            .map_err(|err| format!("cannot move {} aside: {err}", path.display()))?;
        Ok(aside)
    }

    /// Deletes a profile file.
    pub fn delete(&self, path: &Path) -> Result<(), String> {
        std::fs::remove_file(path).map_err(|err| format!("cannot delete {}: {err}", path.display()))
    }
}

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk and
/// renames it over `path`, so a crash leaves the old file or the new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let result = (|| {
        let mut out = options.open(&temp)?;
        out.write_all(bytes)?;
        out.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_lists_and_keeps_broken_files_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = ProfileStore::open(dir.path().join("profiles")).expect("store");
        let file = ProfileFile {
            name: Some("My API".into()),
            client_id: Some("abc".into()),
            ..ProfileFile::default()
        };
        let path = store.new_path("My API");
        assert!(path.ends_with("my-api.toml"));
        store.save(&path, &file).expect("saved");
        std::fs::write(store.dir().join("broken.toml"), "client_id = [").expect("write");
        let listed = store.list().expect("list");
        assert_eq!(listed.len(), 2);
        assert!(
            listed[0].file.is_err(),
            "broken.toml sorts first and is reported"
        );
        // Saved files record the profile format.
        assert_eq!(
            listed[1].file.as_ref().expect("ok"),
            &ProfileFile {
                schema_version: Some(crate::engine::profile::SCHEMA_VERSION),
                ..file.clone()
            }
        );
        assert!(
            std::fs::read_to_string(&path)
                .expect("read")
                .starts_with("schema_version = 1\n")
        );
        assert_eq!(
            std::fs::read_to_string(store.dir().join("broken.toml")).expect("read"),
            "client_id = ["
        );
        assert!(store.new_path("My API").ends_with("my-api-2.toml"));

        // Set aside: renamed with every byte kept, no longer listed.
        let aside = store
            .set_aside(&store.dir().join("broken.toml"))
            .expect("set aside");
        let aside_name = aside
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(
            aside_name.starts_with("broken.toml.broken-"),
            "{aside_name}"
        );
        assert_eq!(
            std::fs::read_to_string(&aside).expect("read"),
            "client_id = ["
        );
        assert_eq!(store.list().expect("list").len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
