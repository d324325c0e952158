//! Profiles on disk: one TOML file per profile in the OS config directory
//! (`directories`), so users can find, edit and version them.
//!
//! Writes are atomic — a temporary file beside the target, flushed to disk,
//! then renamed over it — and private (0600 on Unix). A file that cannot be
//! read is listed with its problem and never overwritten; the app sets it
//! aside ([`ProfileStore::set_aside`]) so new saves cannot touch it.
//!
//! Secrets go to the OS keychain when there is one ([`Keychain`]): a saved
//! file names the keychain account (`client_secret_keychain`) instead of
//! holding the value, and [`ProfileStore::list`] reads the values back into
//! memory. Without a keychain they stay in the (private) file, and
//! [`Saved::secrets`] says so. Files of an older profile format are upgraded
//! when they are listed ([`SCHEMA_VERSION`]).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::engine::profile::{
    ProfileError, ProfileFile, SCHEMA_VERSION, default_name, read_profile_text,
};
use crate::engine::store::error::StoreError;
use crate::engine::store::keychain::Keychain;
use crate::engine::store::secret::Secret;

/// A folder of profile files, and where their secrets go.
#[derive(Debug, Clone)]
pub struct ProfileStore {
    dir: PathBuf,
    keychain: Keychain,
}

/// One file of the store.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProfile {
    /// Where it lives.
    pub path: PathBuf,
    /// Its contents — secrets read from the keychain included — or why they
    /// cannot be used.
    pub file: Result<ProfileFile, ProfileError>,
    /// What happened while loading it that people should hear about: an
    /// upgrade from an older format, a secret the keychain did not give.
    pub notes: Vec<String>,
}

/// What a save did.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    /// The profile as the app should now hold it: the secrets' values, and
    /// the keychain accounts they were filed under.
    pub file: ProfileFile,
    /// Where the secrets went, for people; empty when the profile has none.
    pub secrets: String,
}

/// The two secrets a profile may hold, with the keys that describe them.
struct SecretField {
    key: &'static str,
    label: &'static str,
    value: fn(&mut ProfileFile) -> &mut Option<Secret>,
    account: fn(&mut ProfileFile) -> &mut Option<String>,
}

const SECRET_FIELDS: [SecretField; 2] = [
    SecretField {
        key: "client_secret",
        label: "client secret",
        value: |f| &mut f.client_secret,
        account: |f| &mut f.client_secret_keychain,
    },
    SecretField {
        key: "password",
        label: "password",
        value: |f| &mut f.password,
        account: |f| &mut f.password_keychain,
    },
];

impl ProfileStore {
    /// The store in the OS config directory
    /// (`~/.config/oauth-debugger/profiles` on Linux), secrets in the OS
    /// keychain when there is one.
    pub fn open_default() -> Result<Self, StoreError> {
        Self::open(config_dir()?.join("profiles"), Keychain::platform())
    }

    /// The store in `dir`, created if missing, secrets in `keychain`.
    pub fn open(dir: PathBuf, keychain: Keychain) -> Result<Self, StoreError> {
        std::fs::create_dir_all(&dir).map_err(StoreError::io("create", &dir))?;
        Ok(Self { dir, keychain })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where secrets go.
    pub fn keychain(&self) -> &Keychain {
        &self.keychain
    }

    /// Every `*.toml` file, sorted by name, with its keychain secrets read
    /// into memory. A file of an older format that holds secrets has them
    /// moved to the keychain (when there is one) and is rewritten in the
    /// current format.
    pub fn list(&self) -> Result<Vec<StoredProfile>, StoreError> {
        let entries = std::fs::read_dir(&self.dir).map_err(StoreError::io("read", &self.dir))?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        Ok(paths
            .into_iter()
            .map(|path| {
                let mut notes = Vec::new();
                let file = read_profile_text(&path)
                    .and_then(|text| ProfileFile::parse(&text, &path))
                    .map(|file| {
                        let file = self.upgrade(&path, file, &mut notes);
                        let mut missing = Vec::new();
                        let file = read_secrets(&self.keychain, file, &mut missing);
                        let name = file_name(&path);
                        notes.extend(missing.into_iter().map(|note| format!("{name}: {note}")));
                        file
                    });
                StoredProfile { path, file, notes }
            })
            .collect())
    }

    /// Format 1 files predate the keychain: their inline secrets move to it
    /// and the file is rewritten as format 2. Without a keychain, or without
    /// secrets, nothing needs to change and the file is left as it is.
    fn upgrade(&self, path: &Path, file: ProfileFile, notes: &mut Vec<String>) -> ProfileFile {
        let version = file.schema_version.unwrap_or(SCHEMA_VERSION);
        let has_inline = file.client_secret.as_ref().is_some_and(|s| !s.is_empty())
            || file.password.as_ref().is_some_and(|s| !s.is_empty());
        if version >= SCHEMA_VERSION || !has_inline || !self.keychain.is_available() {
            return file;
        }
        let name = file_name(path);
        match self.save(path, &file) {
            Ok(saved) => {
                notes.push(format!(
                    "{name} was upgraded from profile format {version} to {SCHEMA_VERSION}. {}",
                    saved.secrets
                ));
                saved.file
            }
            Err(message) => {
                notes.push(format!(
                    "{name} is in profile format {version} and could not be upgraded ({message}); it is used as it is."
                ));
                file
            }
        }
    }

    /// `file` with the secrets it keeps in this store's keychain read into
    /// it (an imported file), and a note per secret that could not be read.
    pub fn resolve_secrets(&self, file: ProfileFile) -> (ProfileFile, Vec<String>) {
        let mut notes = Vec::new();
        let file = read_secrets(&self.keychain, file, &mut notes);
        (file, notes)
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

    /// Writes `file` to `path` atomically, in the current format. With a
    /// keychain, the secrets are filed in it first (under the file's stem,
    /// `my-api/client_secret`) and the file names them; a secret the editor
    /// emptied is removed from the keychain. Without one, they are written
    /// in the file, which only the user can read.
    pub fn save(&self, path: &Path, file: &ProfileFile) -> Result<Saved, StoreError> {
        let mut held = ProfileFile {
            schema_version: Some(SCHEMA_VERSION),
            ..file.clone()
        };
        let mut written = held.clone();
        let mut in_keychain = Vec::new();
        let mut in_file = Vec::new();
        let stem = default_name(path);
        let keychain = self.keychain.is_available();
        for field in &SECRET_FIELDS {
            let value = (field.value)(&mut held).clone().filter(|s| !s.is_empty());
            let account = (field.account)(&mut held)
                .clone()
                .filter(|a| !a.trim().is_empty());
            match (value, keychain) {
                (Some(secret), true) => {
                    let account = account.unwrap_or_else(|| format!("{stem}/{}", field.key));
                    self.keychain
                        .set(&account, &secret)
                        .map_err(|err| StoreError::Keychain {
                            action: "save",
                            label: field.label,
                            source: Box::new(err),
                        })?;
                    *(field.account)(&mut held) = Some(account.clone());
                    *(field.account)(&mut written) = Some(account);
                    *(field.value)(&mut written) = None;
                    in_keychain.push(field.label);
                }
                (Some(_), false) => {
                    // The value is in the file now; a keychain entry it once
                    // had is no longer what the profile uses.
                    *(field.account)(&mut held) = None;
                    *(field.account)(&mut written) = None;
                    in_file.push(field.label);
                }
                (None, true) => {
                    // Emptied in the editor (or moved to a variable): the
                    // keychain entry goes too.
                    if let Some(account) = account {
                        self.keychain
                            .delete(&account)
                            .map_err(|err| StoreError::Keychain {
                                action: "remove",
                                label: field.label,
                                source: Box::new(err),
                            })?;
                        *(field.account)(&mut held) = None;
                        *(field.account)(&mut written) = None;
                    }
                }
                // No keychain to ask: a reference is kept as it is, so a
                // secret filed on a machine with a keychain is not lost.
                (None, false) => {}
            }
        }
        // The first line tells editors (Taplo) where the schema is; the
        // schema is kept beside the profiles, current with this build.
        let text = format!(
            "{}\n{}",
            crate::engine::profile::schema::DIRECTIVE,
            written.to_toml()
        );
        write_atomically(path, text.as_bytes()).map_err(StoreError::io("save", path))?;
        self.write_schema();
        let secrets = describe_secrets(&in_keychain, &in_file, &self.keychain);
        Ok(Saved {
            file: held,
            secrets,
        })
    }

    /// Writes the profile schema beside the profiles unless it is there
    /// already, as this build generates it. Editors only read it, so a
    /// failure to write it (a read-only folder) is not the save's failure.
    fn write_schema(&self) {
        let schema = crate::engine::profile::schema::profile_schema();
        let path = self.dir.join(crate::engine::profile::schema::FILE_NAME);
        if std::fs::read_to_string(&path).is_ok_and(|text| text == schema) {
            return;
        }
        if let Err(err) = write_atomically(&path, schema.as_bytes()) {
            tracing::warn!("cannot write {}: {err}", path.display());
        }
    }

    /// Moves a file that cannot be loaded out of the way, keeping every byte
    /// of it: `NAME.toml` becomes `NAME.toml.broken-YYYYMMDD-HHMMSS` beside
    /// it, no longer listed, never overwritten. Returns the new path.
    pub fn set_aside(&self, path: &Path) -> Result<PathBuf, StoreError> {
        set_aside(path)
    }

    /// Deletes a profile file and the keychain entries it names.
    pub fn delete(&self, path: &Path) -> Result<(), StoreError> {
        let accounts: Vec<String> = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| ProfileFile::parse(&text, path).ok())
            .map(|mut file| {
                SECRET_FIELDS
                    .iter()
                    .filter_map(|field| (field.account)(&mut file).clone())
                    .collect()
            })
            .unwrap_or_default();
        std::fs::remove_file(path).map_err(StoreError::io("delete", path))?;
        if self.keychain.is_available() {
            for account in accounts {
                if let Err(err) = self.keychain.delete(&account) {
                    return Err(StoreError::EntryLeft {
                        file: file_name(path),
                        account,
                        source: Box::new(err),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Reads and validates one profile file outside a store (the command line):
/// the secrets it keeps in the keychain are read from `keychain`, which is
/// only asked when the file names one. The notes say what could not be read.
pub fn load_profile(
    path: &Path,
    keychain: &Keychain,
) -> Result<(crate::engine::profile::Profile, Vec<String>), ProfileError> {
    let text = read_profile_text(path)?;
    let file = ProfileFile::parse(&text, path)?;
    let mut notes = Vec::new();
    let file = read_secrets(keychain, file, &mut notes);
    match crate::engine::profile::Profile::from_file(&file, &default_name(path)) {
        Ok(profile) => Ok((profile, notes)),
        Err(err) => {
            let mut err = err.located(path, &text);
            // Why the keychain did not give a secret, beside the problem.
            err.problems.extend(
                notes
                    .into_iter()
                    .map(|message| crate::engine::profile::Problem {
                        key: None,
                        line: None,
                        message,
                    }),
            );
            Err(err)
        }
    }
}

/// Fills in the secrets the file keeps in the keychain; `notes` gets
/// one line per secret that could not be read.
fn read_secrets(
    keychain: &Keychain,
    mut file: ProfileFile,
    notes: &mut Vec<String>,
) -> ProfileFile {
    for field in &SECRET_FIELDS {
        let Some(account) = (field.account)(&mut file)
            .clone()
            .filter(|a| !a.trim().is_empty())
        else {
            continue;
        };
        if (field.value)(&mut file).is_some() {
            continue;
        }
        let problem = match keychain.get(&account) {
            Ok(Some(secret)) => {
                *(field.value)(&mut file) = Some(secret);
                continue;
            }
            Ok(None) => "the OS keychain has no such entry".to_string(),
            Err(err) => err.to_string(),
        };
        notes.push(format!(
            "the {} (keychain account `{account}`) could not be read: {problem}.",
            field.label
        ));
    }
    file
}

/// Moves a file that cannot be loaded out of the way, keeping every byte of
/// it: `NAME` becomes `NAME.broken-YYYYMMDD-HHMMSS` beside it. Returns the
/// new path.
pub fn set_aside(path: &Path) -> Result<PathBuf, StoreError> {
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
    std::fs::rename(path, &aside).map_err(|source| StoreError::SetAside {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(aside)
}

/// The app's folder in the OS config directory
/// (`~/.config/oauth-debugger` on Linux).
pub fn config_dir() -> Result<PathBuf, StoreError> {
    directories::ProjectDirs::from("dev", "oauth-debugger", "oauth-debugger")
        .map(|dirs| dirs.config_dir().to_path_buf())
        .ok_or(StoreError::NoHome {
            purpose: "the settings",
        })
}

/// The app's data directory (`~/.local/share/oauth-debugger` on Linux).
pub fn data_dir() -> Result<PathBuf, StoreError> {
    directories::ProjectDirs::from("dev", "oauth-debugger", "oauth-debugger")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or(StoreError::NoHome {
            purpose: "the session files",
        })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// "The client secret is in the OS keychain (Secret Service)." and the like.
fn describe_secrets(in_keychain: &[&str], in_file: &[&str], keychain: &Keychain) -> String {
    let list = |labels: &[&str]| {
        let mut text = labels.join(" and ");
        if let Some(first) = text.get(..1) {
            text = first.to_uppercase() + &text[1..];
        }
        text
    };
    let verb = |labels: &[&str]| if labels.len() > 1 { "are" } else { "is" };
    let mut parts = Vec::new();
    if !in_keychain.is_empty() {
        let name = match keychain.status() {
            crate::engine::store::keychain::Status::Available(name) => name,
            crate::engine::store::keychain::Status::Unavailable(_) => "keychain".to_string(),
        };
        parts.push(format!(
            "{} {} in the OS keychain ({name}).",
            list(in_keychain),
            verb(in_keychain)
        ));
    }
    if !in_file.is_empty() {
        let reason = match keychain.status() {
            crate::engine::store::keychain::Status::Unavailable(reason) => reason,
            crate::engine::store::keychain::Status::Available(_) => String::new(),
        };
        parts.push(format!(
            "{} {} in the profile file, readable only by you (0600): no OS keychain here ({reason}).",
            list(in_file),
            verb(in_file)
        ));
    }
    parts.join(" ")
}

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk and
/// renames it over `path`, so a crash leaves the old file or the new one;
/// on Unix the folder is flushed too, so the rename itself survives a crash.
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
        return result;
    }
    #[cfg(unix)]
    {
        // The file is in place already; a folder that cannot be flushed
        // (some network file systems) is not a failed save.
        if let Ok(folder) = std::fs::File::open(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        }) {
            let _ = folder.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
