//! The worker's HTTP log commands: exporting a HAR file, spilling old
//! exchanges to the session file and reading them back, saving the log's
//! settings.

use std::path::{Path, PathBuf};

use super::{Worker, Written, blocking};
use crate::app::bridge::Event;
use crate::engine::store::StoreError;
use crate::engine::store::session_file::SessionFile;
use crate::engine::wire::http::Exchange;

impl Worker {
    /// Writes exchanges (and, if asked, the session file's first) to a HAR
    /// file.
    pub(super) fn export_har(
        &self,
        path: PathBuf,
        exchanges: Vec<Exchange>,
        include_secrets: bool,
        with_spilled: bool,
        written: Option<Written>,
    ) {
        let Self {
            events,
            session_file,
            ..
        } = self;
        let events = events.clone();
        let session_file = session_file.clone();
        tokio::spawn(async move {
            let _written = written;
            let written = tokio::task::spawn_blocking(move || {
                let (mut all, masked) = if with_spilled {
                    read_spilled(&session_file)?
                } else {
                    (Vec::new(), 0)
                };
                all.extend(exchanges);
                crate::engine::wire::har::write(&path, &all, include_secrets)
                    .map_err(|err| format!("Cannot write the HAR file: {err}"))?;
                Ok::<_, String>((path, all.len(), masked))
            })
            .await;
            let result = match written {
                Ok(Ok((path, count, masked))) => Ok(format!(
                    "Wrote {count} exchanges to {}{}{}",
                    path.display(),
                    if include_secrets {
                        " (secrets included)"
                    } else {
                        " (secrets masked)"
                    },
                    if include_secrets && masked > 0 {
                        format!(
                            "; {masked} of them came from the session file, where their secrets were not kept"
                        )
                    } else {
                        String::new()
                    }
                )),
                Ok(Err(message)) => Err(message),
                Err(err) => Err(format!("The export failed: {err}")),
            };
            events.send(Event::HarExported(result)).await;
        });
    }

    /// Appends exchanges to the session file (made at the first spill); the
    /// event gives them back if it cannot.
    pub(super) async fn spill(&self, exchanges: Vec<Exchange>, keep_secrets: bool) {
        let Self {
            events,
            workspace,
            session_file,
            ..
        } = self;
        // Written before the next command is taken, so an export
        // sent after this finds them in the file.
        let dir = workspace.session_dir().map(Path::to_path_buf);
        let file = session_file.clone();
        let written = tokio::task::spawn_blocking(move || {
            let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
            let appended = match (&mut *file, dir) {
                (Some(file), _) => file.append(&exchanges, keep_secrets),
                (None, Ok(dir)) => SessionFile::create(&dir).and_then(|mut new| {
                    let appended = new.append(&exchanges, keep_secrets);
                    *file = Some(new);
                    appended
                }),
                (None, Err(err)) => Err(err),
            };
            match appended {
                Ok(()) => Ok(!keep_secrets),
                Err(err) => Err((exchanges, err.to_string())),
            }
        })
        .await;
        let result = match written {
            Ok(result) => result,
            // The blocking task died with the exchanges: nothing to
            // give back, but say so.
            Err(err) => Err((Vec::new(), format!("the session file writer failed: {err}"))),
        };
        events.send(Event::Spilled(result)).await;
    }

    /// Reads one exchange back from the session file.
    pub(super) fn read_spilled(&self, id: u64) {
        let Self {
            events,
            session_file,
            ..
        } = self;
        let events = events.clone();
        let file = session_file.clone();
        tokio::spawn(async move {
            let read = tokio::task::spawn_blocking(move || {
                let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
                match &mut *file {
                    Some(file) => file.read(id).map_err(|err| err.to_string()),
                    None => Err(StoreError::NotInSessionFile { id }.to_string()),
                }
            })
            .await
            .unwrap_or_else(|err| Err(format!("reading the session file failed: {err}")));
            events.send(Event::SpilledRead(id, read)).await;
        });
    }

    /// Saves the HTTP log's settings.
    pub(super) fn save_log_settings(
        &self,
        keep_in_memory: bool,
        keep_secrets: bool,
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
                w.update_settings(|s| {
                    s.keep_log_in_memory = keep_in_memory;
                    s.session_file_secrets = keep_secrets;
                })
            })
            .await;
            if let Some(Err(err)) = saved {
                events.send(Event::HarExported(Err(err.to_string()))).await;
            }
        });
    }
}

/// Every exchange of the session file, oldest first, and how many of them
/// were written with their secrets masked.
fn read_spilled(
    file: &std::sync::Mutex<Option<SessionFile>>,
) -> Result<(Vec<Exchange>, usize), String> {
    let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
    match &mut *file {
        Some(file) => Ok((
            file.read_all()
                .map_err(|message| format!("Cannot read the session file: {message}"))?,
            file.masked(),
        )),
        None => Ok((Vec::new(), 0)),
    }
}
