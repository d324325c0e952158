//! The worker's file commands: loading the workspace, saving, deleting,
//! importing and exporting profiles, keeping tokens across restarts and
//! writing generated keys. Disk and keychain work runs on blocking threads.

use std::path::PathBuf;

use super::{Worker, Written, blocking};
use crate::app::bridge::Event;
use crate::app::session::ProfileId;
use crate::app::tokens::KeptTokens;
use crate::engine::ProfileFile;
use crate::engine::client::keys::Alg;
use crate::engine::import::{ImportOptions, ImportSource};

impl Worker {
    /// Reads the settings, the profiles and the kept tokens.
    pub(super) fn load(&self, demo_url: String) {
        let Self {
            events, workspace, ..
        } = self;
        let events = events.clone();
        let workspace = workspace.clone();
        tokio::spawn(async move {
            let loaded = blocking(&workspace, move |w| {
                let loaded = w.load(&demo_url);
                let kept = if loaded.settings.keep_tokens {
                    w.kept_tokens().map_err(|err| err.to_string())
                } else {
                    Ok(Vec::new())
                };
                (loaded, kept)
            })
            .await;
            if let Some((loaded, kept)) = loaded {
                events.send(Event::Loaded(Box::new(loaded), kept)).await;
            }
        });
    }

    /// Saves a profile (under a new file when it has none).
    pub(super) fn save_profile(
        &self,
        id: ProfileId,
        path: Option<PathBuf>,
        file: Box<ProfileFile>,
        written: Option<Written>,
    ) {
        let Self {
            events, workspace, ..
        } = self;
        let events = events.clone();
        let workspace = workspace.clone();
        tokio::spawn(async move {
            let _written = written;
            let saved = blocking(&workspace, move |w| {
                w.save_profile(path.as_deref(), &file)
                    .map_err(|err| err.to_string())
            })
            .await
            .unwrap_or_else(|| Err("the save did not finish".to_string()));
            events
                .send(Event::ProfileSaved(id, saved.map(Box::new)))
                .await;
        });
    }

    /// Deletes a saved profile's file.
    pub(super) fn delete_profile(&self, id: ProfileId, path: PathBuf, written: Option<Written>) {
        let Self {
            events, workspace, ..
        } = self;
        let events = events.clone();
        let workspace = workspace.clone();
        tokio::spawn(async move {
            let _written = written;
            let deleted = blocking(&workspace, move |w| {
                w.delete_profile(&path).map_err(|err| err.to_string())
            })
            .await
            .unwrap_or_else(|| Err("the deletion did not finish".to_string()));
            events.send(Event::ProfileDeleted(id, deleted)).await;
        });
    }

    /// Reads profile files to import.
    pub(super) fn import(&self, paths: Vec<PathBuf>) {
        let Self {
            events, workspace, ..
        } = self;
        let events = events.clone();
        let workspace = workspace.clone();
        tokio::spawn(async move {
            let (files, problems) = blocking(&workspace, move |w| w.import(&paths))
                .await
                .unwrap_or_default();
            events.send(Event::Imported(files, problems)).await;
        });
    }

    /// Reads clients from another tool's files.
    pub(super) fn import_clients(&self, source: ImportSource, options: ImportOptions) {
        let Self {
            events, workspace, ..
        } = self;
        let events = events.clone();
        let workspace = workspace.clone();
        tokio::spawn(async move {
            let result = blocking(&workspace, move |w| {
                w.import_clients(&source, &options)
                    .map_err(|err| err.to_string())
            })
            .await
            .unwrap_or_else(|| Err("the import did not finish".to_string()));
            events
                .send(Event::ClientsImported(result.map(Box::new)))
                .await;
        });
    }

    /// Writes a profile to a file for another machine.
    pub(super) fn export(
        &self,
        path: PathBuf,
        file: Box<ProfileFile>,
        include_secrets: bool,
        written: Option<Written>,
    ) {
        let Self {
            events, workspace, ..
        } = self;
        let events = events.clone();
        let workspace = workspace.clone();
        tokio::spawn(async move {
            let _written = written;
            let result = blocking(&workspace, move |w| {
                w.export(&path, &file, include_secrets)
                    .map_err(|err| err.to_string())
            })
            .await
            .unwrap_or_else(|| Err("the export did not finish".to_string()));
            events.send(Event::Exported(result)).await;
        });
    }

    /// Keeps tokens across restarts (writing these), or stops and deletes the
    /// kept ones.
    pub(super) fn keep_tokens(
        &self,
        keep: bool,
        tokens: Vec<KeptTokens>,
        written: Option<Written>,
    ) {
        let Self {
            events, workspace, ..
        } = self;
        let events = events.clone();
        let workspace = workspace.clone();
        tokio::spawn(async move {
            let _written = written;
            let result = blocking(&workspace, move |w| {
                w.keep_tokens(keep, &tokens).map_err(|err| err.to_string())
            })
            .await
            .unwrap_or_else(|| Err("the tokens were not written".to_string()));
            events.send(Event::TokensKept(result)).await;
        });
    }

    /// Writes the kept tokens.
    pub(super) fn save_tokens(&self, tokens: Vec<KeptTokens>, written: Option<Written>) {
        let Self {
            events, workspace, ..
        } = self;
        let events = events.clone();
        let workspace = workspace.clone();
        tokio::spawn(async move {
            let _written = written;
            let result = blocking(&workspace, move |w| {
                w.save_tokens(&tokens).map_err(|err| err.to_string())
            })
            .await
            .unwrap_or_else(|| Err("the tokens were not written".to_string()));
            events.send(Event::TokensKept(result)).await;
        });
    }

    /// Makes a key pair and writes its private key beside the profiles.
    pub(super) fn generate_key(
        &self,
        id: ProfileId,
        name: String,
        alg: Alg,
        written: Option<Written>,
    ) {
        let Self {
            events, workspace, ..
        } = self;
        let events = events.clone();
        let workspace = workspace.clone();
        tokio::spawn(async move {
            let _written = written;
            // RSA keys take a while to make: never on the UI thread.
            let made = tokio::task::spawn_blocking(move || {
                workspace
                    .generate_key(&name, alg)
                    .map_err(|err| err.to_string())
            })
            .await
            .unwrap_or_else(|err| Err(err.to_string()));
            events.send(Event::KeyGenerated(id, made)).await;
        });
    }
}
