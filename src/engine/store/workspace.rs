//! The desktop app's files in one place: the profile folder, the settings
//! and the kept tokens, with the keychain behind them.
//!
//! Every method blocks (disk, keychain): the app calls them on the engine's
//! runtime through `spawn_blocking`, never on its UI thread. Failures are
//! [`StoreError`]s, whose `Display` is for people, ready to show.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::engine::profile::ProfileFile;
use crate::engine::profile::presets;
use crate::engine::store::error::StoreError;
use crate::engine::store::keychain::Keychain;
use crate::engine::store::settings::Settings;
use crate::engine::store::storage::{self, ProfileStore};
use crate::engine::store::token_vault::TokenVault;

/// Where the app's files live.
#[derive(Debug, Clone)]
pub struct Places {
    /// The profile folder; `None` for the OS config directory's `profiles`.
    pub profile_dir: Option<PathBuf>,
    /// Where the settings and kept tokens live; `None` for the OS config
    /// directory. Not the profile folder: every `.toml` there is a profile.
    pub settings_dir: Option<PathBuf>,
    /// Where secrets go.
    pub keychain: Keychain,
}

impl Default for Places {
    fn default() -> Self {
        Self {
            profile_dir: None,
            settings_dir: None,
            keychain: Keychain::platform(),
        }
    }
}

/// A profile file as loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedProfile {
    /// Its contents, secrets included.
    pub file: ProfileFile,
    /// Where it lives.
    pub path: PathBuf,
}

/// Everything the app shows about its files after start-up.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The readable profiles, the built-in Demo ones first.
    pub profiles: Vec<LoadedProfile>,
    /// Profiles that could not be saved anywhere (no profile folder): used
    /// unsaved.
    pub unsaved: Vec<ProfileFile>,
    /// Files that could not be read, each with why and where it was kept.
    pub broken: Vec<String>,
    /// Format upgrades, secrets the keychain did not give.
    pub notes: Vec<String>,
    /// Something about the folder itself (cannot be created, cannot save).
    pub notice: Option<String>,
    /// Where secrets are kept: (a keychain is there, one line for people).
    pub secret_storage: Option<(bool, String)>,
    /// Where profiles are saved, for people.
    pub location: Option<String>,
    /// The settings.
    pub settings: Settings,
}

/// What saving a profile did.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedProfile {
    /// Where it went.
    pub path: PathBuf,
    /// The profile as now saved (keychain references filled in).
    pub file: ProfileFile,
    /// What happened, for people.
    pub message: String,
}

/// A key pair made for a profile.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedKey {
    /// Where the private key was written.
    pub path: PathBuf,
    /// The public JWKS to register with the server, pretty-printed.
    pub jwks: String,
    /// The key's RFC 7638 thumbprint (also its `kid`).
    pub thumbprint: String,
    /// "EC P-256", "RSA 2048"…
    pub describe: String,
}

/// The app's files.
pub struct Workspace {
    store: Result<ProfileStore, Arc<StoreError>>,
    settings_dir: Result<PathBuf, Arc<StoreError>>,
    /// Where the session files of spilled exchanges go.
    session_dir: Result<PathBuf, Arc<StoreError>>,
    vault: Option<TokenVault>,
}

impl Workspace {
    /// Opens the places (creating the profile folder); nothing is read yet.
    pub fn open(places: Places) -> Self {
        let store = match places.profile_dir {
            Some(dir) => ProfileStore::open(dir, places.keychain.clone()),
            None => storage::config_dir()
                .and_then(|dir| ProfileStore::open(dir.join("profiles"), places.keychain.clone())),
        }
        .map_err(Arc::new);
        // Session files sit beside settings given by a caller (tests), in
        // the OS data directory otherwise.
        let session_dir = match &places.settings_dir {
            Some(dir) => Ok(dir.join("sessions")),
            None => storage::data_dir().map(|dir| dir.join("sessions")),
        }
        .map_err(Arc::new);
        let settings_dir = match places.settings_dir {
            Some(dir) => Ok(dir),
            None => storage::config_dir(),
        }
        .map_err(Arc::new);
        let vault = settings_dir
            .as_ref()
            .ok()
            .map(|dir| TokenVault::new(dir.clone(), places.keychain.clone()));
        Self {
            store,
            settings_dir,
            session_dir,
            vault,
        }
    }

    /// Reads the settings and the profiles; on first launch writes the Demo
    /// ones. Files that point at the demo provider follow `demo_url`, the
    /// port it really got. A file that cannot be read is set aside, every
    /// byte kept, and reported.
    pub fn load(&self, demo_url: &str) -> Loaded {
        let mut loaded = Loaded::default();
        if let Ok(dir) = &self.settings_dir {
            let (settings, problem) = Settings::load(dir);
            loaded.settings = settings;
            loaded.notice = problem.map(|err| err.to_string());
        }
        let store = match &self.store {
            Ok(store) => store,
            Err(message) => {
                loaded.notice = Some(format!("Profiles cannot be saved: {message}"));
                loaded.unsaved = presets::demo_profiles(demo_url);
                return loaded;
            }
        };
        let status = store.keychain().status();
        loaded.secret_storage = Some((
            matches!(status, crate::engine::store::keychain::Status::Available(_)),
            status.describe(),
        ));
        loaded.location = Some(format!("Profiles are saved in {}", store.dir().display()));
        let mut listed = store.list().unwrap_or_default();
        if listed.is_empty() {
            for file in presets::demo_profiles(presets::DEMO_BASE) {
                let path = store.new_path(file.name.as_deref().unwrap_or("demo"));
                if let Err(err) = store.save(&path, &file) {
                    loaded.notice = Some(err.to_string());
                }
            }
            listed = store.list().unwrap_or_default();
        }
        for stored in listed {
            loaded.notes.extend(stored.notes);
            match stored.file {
                Ok(file) => loaded.profiles.push(LoadedProfile {
                    file: presets::point_at_demo(&file, demo_url),
                    path: stored.path,
                }),
                Err(err) => loaded.broken.push(match store.set_aside(&stored.path) {
                    Ok(aside) => format!(
                        "{err} — the file is kept as {}",
                        aside.file_name().unwrap_or_default().to_string_lossy()
                    ),
                    Err(aside) => format!("{err} ({aside})"),
                }),
            }
        }
        // The built-in Demo profiles first, in preset order.
        let demo_names: Vec<Option<String>> = presets::demo_profiles(presets::DEMO_BASE)
            .into_iter()
            .map(|f| f.name)
            .collect();
        loaded.profiles.sort_by_key(|entry| {
            demo_names
                .iter()
                .position(|name| *name == entry.file.name)
                .unwrap_or(usize::MAX)
        });
        if loaded.profiles.is_empty() {
            loaded.unsaved = presets::demo_profiles(demo_url);
        }
        loaded
    }

    /// Saves `file` at `path`, or under a new file named after the profile.
    pub fn save_profile(
        &self,
        path: Option<&Path>,
        file: &ProfileFile,
    ) -> Result<SavedProfile, StoreError> {
        let store = self.store.as_ref().map_err(|err| StoreError::Unusable {
            what: "Cannot save",
            source: err.clone(),
        })?;
        let path = path
            .map(Path::to_path_buf)
            .unwrap_or_else(|| store.new_path(file.name.as_deref().unwrap_or("profile")));
        let saved = store.save(&path, file)?;
        let mut message = format!("Saved {}.", path.display());
        if !saved.secrets.is_empty() {
            message.push(' ');
            message.push_str(&saved.secrets);
        }
        Ok(SavedProfile {
            path,
            file: saved.file,
            message,
        })
    }

    /// Makes a key pair for the profile called `name` and writes its private
    /// key (PKCS#8 PEM, 0600) beside the profiles, under `keys/`, in a new
    /// file. RSA keys take a while: call this off the UI thread.
    pub fn generate_key(
        &self,
        name: &str,
        alg: crate::engine::client::keys::Alg,
    ) -> Result<GeneratedKey, StoreError> {
        let store = self.store.as_ref().map_err(|err| StoreError::Unusable {
            what: "Cannot write the key",
            source: err.clone(),
        })?;
        let dir = store.dir().join("keys");
        std::fs::create_dir_all(&dir).map_err(|source| StoreError::KeyFolder {
            path: dir.clone(),
            source,
        })?;
        let words: Vec<String> = name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        let stem = if words.is_empty() {
            "client".to_string()
        } else {
            words.join("-")
        };
        let stem = format!("{stem}-{}", alg.as_str().to_ascii_lowercase());
        let mut path = dir.join(format!("{stem}.pem"));
        let mut n = 2;
        while path.exists() {
            path = dir.join(format!("{stem}-{n}.pem"));
            n += 1;
        }
        let key = crate::engine::client::keys::ClientKey::generate(alg)?;
        key.save(&path)?;
        let mut jwks = key.public_jwks();
        jwks["keys"][0]["alg"] = alg.as_str().into();
        Ok(GeneratedKey {
            path,
            jwks: serde_json::to_string_pretty(&jwks).unwrap_or_default(),
            thumbprint: key.thumbprint(),
            describe: key.describe(),
        })
    }

    /// Deletes a saved profile and its keychain entries.
    pub fn delete_profile(&self, path: &Path) -> Result<(), StoreError> {
        match &self.store {
            Ok(store) => store.delete(path),
            Err(err) => Err(StoreError::Shared(err.clone())),
        }
    }

    /// Reads profile files to import: the readable ones (secrets this
    /// machine's keychain holds for them read in, named after the file when
    /// they name nothing) and a message per problem.
    pub fn import(&self, paths: &[PathBuf]) -> (Vec<ProfileFile>, Vec<String>) {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        for path in paths {
            let loaded = std::fs::read_to_string(path)
                .map_err(|err| format!("{}: cannot read the file: {err}", path.display()))
                .and_then(|text| ProfileFile::parse(&text, path).map_err(|err| err.to_string()));
            match loaded {
                Ok(file) => {
                    let mut file = match &self.store {
                        Ok(store) => {
                            let (file, notes) = store.resolve_secrets(file);
                            let name = path.file_name().unwrap_or_default().to_string_lossy();
                            problems
                                .extend(notes.into_iter().map(|note| format!("{name}: {note}")));
                            file
                        }
                        Err(_) => file,
                    };
                    if file.name.is_none() {
                        file.name = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                    }
                    files.push(file);
                }
                Err(message) => problems.push(message),
            }
        }
        (files, problems)
    }

    /// Reads clients from another tool (Postman, Insomnia, Bruno, a curl
    /// line) as profiles, with the report of what was taken and left out.
    /// Nothing is saved here: the app saves each profile as it adds it.
    pub fn import_clients(
        &self,
        source: &crate::engine::import::ImportSource,
        options: &crate::engine::import::ImportOptions,
    ) -> Result<crate::engine::import::ImportReport, StoreError> {
        Ok(crate::engine::import::import(source, options)?)
    }

    /// Writes `file` to `path` for another machine, secrets left out unless
    /// `include_secrets`.
    pub fn export(
        &self,
        path: &Path,
        file: &ProfileFile,
        include_secrets: bool,
    ) -> Result<String, StoreError> {
        let file = if include_secrets {
            file.with_secrets_inline()
        } else {
            file.without_secrets()
        };
        storage::write_atomically(path, file.to_toml().as_bytes()).map_err(|source| {
            StoreError::Export {
                path: path.to_path_buf(),
                source,
            }
        })?;
        Ok(format!(
            "Exported to {}{}",
            path.display(),
            if include_secrets {
                " (secrets included)"
            } else {
                " (secrets left out)"
            }
        ))
    }

    /// The tokens kept from the last session, when the settings keep them.
    pub fn kept_tokens<T: DeserializeOwned>(&self) -> Result<Vec<T>, StoreError> {
        match &self.vault {
            Some(vault) => vault.load(),
            None => Ok(Vec::new()),
        }
    }

    /// Turns keeping tokens on (writing `tokens` now) or off (deleting the
    /// kept ones); says what happened.
    pub fn keep_tokens<T: Serialize>(
        &self,
        keep: bool,
        tokens: &[T],
    ) -> Result<String, StoreError> {
        let dir = self
            .settings_dir
            .as_ref()
            .map_err(|err| StoreError::Unusable {
                what: "Tokens cannot be kept",
                source: err.clone(),
            })?;
        let (mut settings, _) = Settings::load(dir);
        settings.keep_tokens = keep;
        settings.save(dir)?;
        let Some(vault) = &self.vault else {
            return Err(StoreError::NoSettingsFolder);
        };
        if keep {
            vault.save(tokens)
        } else {
            vault.clear()?;
            Ok("Tokens are no longer kept; the kept ones are deleted.".to_string())
        }
    }

    /// Changes the settings with `change` and writes them (the others stay
    /// as they are in the file).
    pub fn update_settings(&self, change: impl FnOnce(&mut Settings)) -> Result<(), StoreError> {
        let dir = self
            .settings_dir
            .as_ref()
            .map_err(|err| StoreError::Unusable {
                what: "The settings cannot be saved",
                source: err.clone(),
            })?;
        let (mut settings, _) = Settings::load(dir);
        change(&mut settings);
        settings.save(dir)
    }

    /// Where this session's file of spilled exchanges goes.
    pub fn session_dir(&self) -> Result<&Path, StoreError> {
        self.session_dir
            .as_deref()
            .map_err(|err| StoreError::Shared(err.clone()))
    }

    /// Writes the kept tokens.
    pub fn save_tokens<T: Serialize>(&self, tokens: &[T]) -> Result<String, StoreError> {
        match &self.vault {
            Some(vault) => vault.save(tokens),
            None => Err(StoreError::NoSettingsFolder),
        }
    }
}
