//! The session file: where the app puts the exchanges it no longer keeps in
//! memory, so a day-long session runs in bounded memory and loses nothing
//! (issue 20).
//!
//! One append-only file per app session, `session-YYYYMMDD-HHMMSS-PID.jsonl`
//! in the sessions folder (the OS data directory's `sessions`), one JSON
//! line per exchange (`http::Exchange` as serialized for HAR input). Secrets
//! are handled exactly as in a HAR export: masked by [`crate::engine::wire::redact`]
//! unless the user keeps them. The writer keeps an index (exchange id →
//! offset and length) so one exchange is read back without reading the
//! rest. Files older than a week are deleted when the app starts
//! ([`clean_up`]); the file is created only when something is spilled.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::engine::store::error::StoreError;
use crate::engine::wire::http::Exchange;
use crate::engine::wire::redact;

/// Session files older than this are deleted at start.
pub const KEPT_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

/// Where an exchange's line is in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    offset: u64,
    len: u64,
}

/// One app session's file of spilled exchanges.
#[derive(Debug)]
pub struct SessionFile {
    path: PathBuf,
    file: File,
    end: u64,
    /// Exchange id → place, sorted by id (24 bytes an exchange).
    index: Vec<(u64, Place)>,
    /// Exchanges written without their secrets.
    masked: usize,
}

impl SessionFile {
    /// Creates a new session file in `dir` (created if missing), 0600.
    pub fn create(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(StoreError::io("create", dir))?;
        let name = format!(
            "session-{}-{}.jsonl",
            chrono::Local::now().format("%Y%m%d-%H%M%S"),
            std::process::id()
        );
        let path = dir.join(name);
        let mut options = OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options
            .open(&path)
            .map_err(StoreError::io("create", &path))?;
        let end = file
            .metadata()
            .map_err(StoreError::io("read", &path))?
            .len();
        Ok(Self {
            path,
            file,
            end,
            index: Vec::new(),
            masked: 0,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many exchanges the file holds.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// How many of them were written with their secrets masked.
    pub fn masked(&self) -> usize {
        self.masked
    }

    /// True when the exchange `id` is in the file.
    pub fn holds(&self, id: u64) -> bool {
        self.place(id).is_some()
    }

    fn place(&self, id: u64) -> Option<Place> {
        let at = self.index.binary_search_by_key(&id, |(id, _)| *id).ok()?;
        Some(self.index[at].1)
    }

    /// Appends `exchanges`, secrets masked unless `keep_secrets`. Either all
    /// of them are written and indexed, or none is indexed (a failed write
    /// leaves the caller holding them).
    pub fn append(&mut self, exchanges: &[Exchange], keep_secrets: bool) -> Result<(), StoreError> {
        let mut buffer = Vec::new();
        let mut places = Vec::with_capacity(exchanges.len());
        for exchange in exchanges {
            let start = buffer.len() as u64;
            let written = if keep_secrets {
                serde_json::to_writer(&mut buffer, exchange)
            } else {
                serde_json::to_writer(&mut buffer, &redact::exchange(exchange))
            };
            written.map_err(|source| StoreError::ExchangeNotWritten {
                id: exchange.id,
                source,
            })?;
            buffer.push(b'\n');
            places.push((
                exchange.id,
                Place {
                    offset: self.end + start,
                    len: buffer.len() as u64 - start,
                },
            ));
        }
        if let Err(err) = self
            .file
            .write_all(&buffer)
            .and_then(|()| self.file.flush())
        {
            // Whatever part was written is not indexed; the next append
            // starts at the real end of the file.
            self.end = self.file.metadata().map(|m| m.len()).unwrap_or(self.end);
            return Err(StoreError::io("write", &self.path)(err));
        }
        self.end += buffer.len() as u64;
        for (id, place) in places {
            // Ids come nearly in order: the place is at or near the end. An
            // id written again replaces its place.
            match self.index.binary_search_by_key(&id, |(id, _)| *id) {
                Ok(at) => self.index[at].1 = place,
                Err(at) => self.index.insert(at, (id, place)),
            }
        }
        if !keep_secrets {
            self.masked += exchanges.len();
        }
        Ok(())
    }

    /// Reads the exchange `id` back.
    pub fn read(&mut self, id: u64) -> Result<Exchange, StoreError> {
        let place = self.place(id).ok_or(StoreError::NotInSessionFile { id })?;
        let mut line = vec![0; place.len as usize];
        self.file
            .seek(SeekFrom::Start(place.offset))
            .and_then(|_| self.file.read_exact(&mut line))
            .map_err(StoreError::io("read", &self.path))?;
        serde_json::from_slice(&line).map_err(|source| StoreError::ExchangeUnreadable {
            id,
            path: self.path.clone(),
            source,
        })
    }

    /// Every exchange of the file, oldest (lowest id) first.
    pub fn read_all(&mut self) -> Result<Vec<Exchange>, StoreError> {
        let ids: Vec<u64> = self.index.iter().map(|(id, _)| *id).collect();
        ids.into_iter().map(|id| self.read(id)).collect()
    }
}

impl Drop for SessionFile {
    /// The file is for this session's memory only: it goes with the app.
    /// (One left by a crash is deleted by [`clean_up`] a week later.)
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Deletes the session files in `dir` last written more than `age` ago;
/// returns how many went. A missing folder is nothing to clean.
pub fn clean_up(dir: &Path, age: Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = SystemTime::now();
    entries
        .flatten()
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with("session-") && name.ends_with(".jsonl")
        })
        .filter(|entry| {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| now.duration_since(modified).ok())
                .is_some_and(|elapsed| elapsed > age)
        })
        .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::wire::http::{ExchangeKind, RecordedRequest, RecordedResponse};

    fn exchange(id: u64, body: &str) -> Exchange {
        Exchange {
            id,
            kind: ExchangeKind::Token,
            started_at: chrono::Utc::now(),
            duration: Duration::from_millis(3),
            request: RecordedRequest {
                method: "POST".to_string(),
                url: "http://127.0.0.1:7878/token".to_string(),
                headers: vec![(
                    "authorization".to_string(),
                    "Basic ZGVtbzpzZWNyZXQ=".to_string(),
                )],
                body: bytes::Bytes::from_static(b"grant_type=client_credentials"),
            },
            response: Some(RecordedResponse {
                status: 200,
                headers: vec![("content-type".to_string(), "application/json".to_string())],
                body: bytes::Bytes::copy_from_slice(body.as_bytes()),
                truncated: false,
            }),
            error: None,
        }
    }

    #[test]
    fn exchanges_come_back_as_written_one_at_a_time_or_all() {
        let dir = tempfile::tempdir().expect("dir");
        let mut file = SessionFile::create(dir.path()).expect("file");
        let first = exchange(1, r#"{"ok":1}"#);
        let second = exchange(2, "binary \u{0} body");
        file.append(std::slice::from_ref(&first), true)
            .expect("append");
        file.append(std::slice::from_ref(&second), true)
            .expect("append");
        assert_eq!(file.len(), 2);
        assert_eq!(file.read(2).expect("read"), second);
        assert_eq!(file.read(1).expect("read"), first);
        assert_eq!(file.read_all().expect("all"), vec![first, second]);
        assert!(matches!(
            file.read(3),
            Err(StoreError::NotInSessionFile { id: 3 })
        ));
    }

    #[test]
    fn ids_written_out_of_order_are_found_and_read_back_in_id_order() {
        let dir = tempfile::tempdir().expect("dir");
        let mut file = SessionFile::create(dir.path()).expect("file");
        // Concurrent requests finish out of id order.
        let batch: Vec<Exchange> = [3, 1, 2].map(|id| exchange(id, "{}")).to_vec();
        file.append(&batch, true).expect("append");
        file.append(&[exchange(5, "{}"), exchange(4, "{}")], true)
            .expect("append");
        assert!((1..=5).all(|id| file.holds(id)) && !file.holds(6));
        let ids: Vec<u64> = file.read_all().expect("all").iter().map(|e| e.id).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5]);
        assert_eq!(file.read(4).expect("read").id, 4);
    }

    #[test]
    fn secrets_are_masked_unless_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let mut file = SessionFile::create(dir.path()).expect("file");
        let token = r#"{"access_token":"secret-token-value","token_type":"Bearer"}"#;
        file.append(&[exchange(1, token)], false).expect("append");
        let text = std::fs::read_to_string(file.path()).expect("text");
        assert!(!text.contains("secret-token-value"), "{text}");
        assert!(!text.contains("ZGVtbzpzZWNyZXQ="), "{text}");
        assert_eq!(file.masked(), 1);
        file.append(&[exchange(2, token)], true).expect("append");
        let back = file.read(2).expect("read");
        assert_eq!(back.response.expect("response").body, token.as_bytes());
    }

    #[test]
    fn the_file_goes_with_the_session_and_old_ones_are_cleaned_up() {
        let dir = tempfile::tempdir().expect("dir");
        let path = {
            let mut file = SessionFile::create(dir.path()).expect("file");
            file.append(&[exchange(1, "{}")], false).expect("append");
            file.path().to_path_buf()
        };
        assert!(!path.exists(), "dropped with the session");
        let old = dir.path().join("session-20260101-000000-1.jsonl");
        std::fs::write(&old, "{}\n").expect("write");
        let other = dir.path().join("notes.txt");
        std::fs::write(&other, "keep").expect("write");
        assert_eq!(clean_up(dir.path(), Duration::from_secs(3600)), 0, "fresh");
        assert_eq!(clean_up(dir.path(), Duration::ZERO), 1);
        assert!(!old.exists() && other.exists());
    }
}
