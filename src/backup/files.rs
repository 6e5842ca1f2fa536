//! The files half of a backup: stored objects copied out of storage (a local folder or a bucket,
//! through `Storage`) into the backup's `files/`, under their own keys, and back.

use super::{BackupError, Progress};
use crate::files::storage::Storage;
use futures_util::StreamExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

/// Reports "N of M files" at most this often, and at the end.
const REPORT_EVERY: Duration = Duration::from_secs(2);

/// Counts work done and says so now and then.
struct Counter<'a> {
    what: &'static str,
    done: usize,
    total: usize,
    last: Instant,
    progress: Progress<'a>,
}

impl Counter<'_> {
    fn step(&mut self) {
        self.done += 1;
        if self.done == self.total || self.last.elapsed() >= REPORT_EVERY {
            (self.progress)(&format!(
                "{}: {} of {} files",
                self.what, self.done, self.total
            ));
            self.last = Instant::now();
        }
    }
}

/// Copies every key's object into `to`; returns the keys storage did not have.
pub(super) async fn copy_out(
    storage: &Storage,
    keys: &[String],
    to: &Path,
    progress: Progress<'_>,
) -> Result<Vec<String>, BackupError> {
    tokio::fs::create_dir_all(to)
        .await
        .map_err(|e| BackupError::io(format!("creating {}", to.display()), e))?;
    let mut counter = Counter {
        what: "backing up files",
        done: 0,
        total: keys.len(),
        last: Instant::now(),
        progress,
    };
    let mut missing = Vec::new();
    for key in keys {
        let dest = destination(to, storage, key)?;
        if storage
            .size(key)
            .await
            .map_err(|e| storage_failed(key, &e))?
            .is_none()
        {
            progress(&format!(
                "warning: stored file {key} is missing from storage; the backup goes on without it"
            ));
            missing.push(key.clone());
            counter.step();
            continue;
        }
        match storage
            .local_path(key)
            .map_err(|e| storage_failed(key, &e))?
        {
            Some(source) => copy_synced(&source, &dest).await,
            None => download(storage, key, &dest).await,
        }?;
        counter.step();
    }
    Ok(missing)
}

/// Copies every key's object from `from` into storage, skipping what storage already holds
/// (a restore run again) and what the backup itself lacked. Returns how many it copied.
pub(super) async fn copy_in(
    storage: &Storage,
    keys: &[String],
    from: &Path,
    missing_in_backup: &[String],
    progress: Progress<'_>,
) -> Result<u64, BackupError> {
    let mut counter = Counter {
        what: "restoring files",
        done: 0,
        total: keys.len(),
        last: Instant::now(),
        progress,
    };
    let mut copied = 0;
    for key in keys {
        let source = destination(from, storage, key)?;
        let size = match tokio::fs::metadata(&source).await {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !missing_in_backup.contains(key) {
                    progress(&format!(
                        "warning: stored file {key} is missing from the backup; downloads of it will fail"
                    ));
                }
                counter.step();
                continue;
            }
            Err(e) => return Err(BackupError::io(format!("reading {}", source.display()), e)),
        };
        if storage
            .size(key)
            .await
            .map_err(|e| storage_failed(key, &e))?
            != Some(size)
        {
            let temp = storage
                .temp_path()
                .await
                .map_err(|e| storage_failed(key, &e))?;
            tokio::fs::copy(&source, &temp)
                .await
                .map_err(|e| BackupError::io(format!("copying {}", source.display()), e))?;
            if let Err(e) = storage.commit(&temp, key).await {
                let _ = tokio::fs::remove_file(&temp).await;
                return Err(storage_failed(key, &e));
            }
            copied += 1;
        }
        counter.step();
    }
    Ok(copied)
}

/// Where a key's object lives in a backup's `files/`. The storage checks the key first: keys
/// are only ever made by `Storage::new_key`, and this one becomes a path.
fn destination(dir: &Path, storage: &Storage, key: &str) -> Result<PathBuf, BackupError> {
    storage.local_path(key).map_err(|e| {
        BackupError::Failed(format!(
            "the database holds a malformed storage key '{key}': {e}"
        ))
    })?;
    Ok(dir.join(key))
}

/// A storage call failed; its cause is in the log (the storage logs it).
fn storage_failed(key: &str, error: &crate::error::AppError) -> BackupError {
    BackupError::Failed(format!(
        "file storage failed on {key}: {error} (the cause is in the log above)"
    ))
}

/// Copies a file and syncs it, so a finished backup survives a power cut.
async fn copy_synced(source: &Path, dest: &Path) -> Result<(), BackupError> {
    let copy = async {
        if let Some(parent) = dest.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        let mut input = tokio::fs::File::open(source).await?;
        let mut output = tokio::fs::File::create(dest).await?;
        tokio::io::copy(&mut input, &mut output).await?;
        output.sync_all().await
    };
    copy.await
        .map_err(|e| BackupError::io(format!("copying {}", source.display()), e))
}

/// Streams an object out of the bucket into a file, one chunk at a time.
async fn download(storage: &Storage, key: &str, dest: &Path) -> Result<(), BackupError> {
    let mut chunks = storage
        .read_object(key, None)
        .await
        .map_err(|e| storage_failed(key, &e))?;
    let write = async {
        if let Some(parent) = dest.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        let mut output = tokio::fs::File::create(dest).await?;
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(std::io::Error::other)?;
            output.write_all(&chunk).await?;
        }
        output.sync_all().await
    };
    write
        .await
        .map_err(|e| BackupError::io(format!("downloading {key} from the bucket"), e))
}
