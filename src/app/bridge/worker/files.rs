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
    /// Runs `work` on the workspace off the async threads and sends the
    /// event `report` makes of its outcome, in the user's words —
    /// `unfinished` when the work did not come back. `written` counts the
    /// write done when the task ends, however it ends.
    pub(super) fn on_disk<T, E>(
        &self,
        written: Option<Written>,
        work: impl FnOnce(&crate::engine::store::workspace::Workspace) -> Result<T, E> + Send + 'static,
        unfinished: &'static str,
        report: impl FnOnce(Result<T, String>) -> Event + Send + 'static,
    ) where
        T: Send + 'static,
        E: std::fmt::Display + Send + 'static,
    {
        let events = self.events.clone();
        let workspace = self.workspace.clone();
        tokio::spawn(async move {
            let _written = written;
            let outcome = blocking(&workspace, move |w| work(w).map_err(|err| err.to_string()))
                .await
                .unwrap_or_else(|| Err(unfinished.to_string()));
            events.send(report(outcome)).await;
        });
    }

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
        self.on_disk(
            written,
            move |w| w.save_profile(path.as_deref(), &file),
            "the save did not finish",
            move |saved| Event::ProfileSaved(id, saved.map(Box::new)),
        );
    }

    /// Deletes a saved profile's file.
    pub(super) fn delete_profile(&self, id: ProfileId, path: PathBuf, written: Option<Written>) {
        self.on_disk(
            written,
            move |w| w.delete_profile(&path),
            "the deletion did not finish",
            move |deleted| Event::ProfileDeleted(id, deleted),
        );
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
        self.on_disk(
            None,
            move |w| w.import_clients(&source, &options),
            "the import did not finish",
            |result| Event::ClientsImported(result.map(Box::new)),
        );
    }

    /// Writes a profile to a file for another machine.
    pub(super) fn export(
        &self,
        path: PathBuf,
        file: Box<ProfileFile>,
        include_secrets: bool,
        written: Option<Written>,
    ) {
        self.on_disk(
            written,
            move |w| w.export(&path, &file, include_secrets),
            "the export did not finish",
            Event::Exported,
        );
    }

    /// Keeps tokens across restarts (writing these), or stops and deletes the
    /// kept ones.
    pub(super) fn keep_tokens(
        &self,
        keep: bool,
        tokens: Vec<KeptTokens>,
        written: Option<Written>,
    ) {
        self.on_disk(
            written,
            move |w| w.keep_tokens(keep, &tokens),
            "the tokens were not written",
            Event::TokensKept,
        );
    }

    /// Writes the kept tokens.
    pub(super) fn save_tokens(&self, tokens: Vec<KeptTokens>, written: Option<Written>) {
        self.on_disk(
            written,
            move |w| w.save_tokens(&tokens),
            "the tokens were not written",
            Event::TokensKept,
        );
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
