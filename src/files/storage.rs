//! Where file contents live: a folder on disk, addressed by random keys (never by user-supplied names).

use crate::error::AppError;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Storage {
    root: PathBuf,
}

impl Storage {
    pub fn local(root: PathBuf) -> Storage {
        Storage { root }
    }

    /// A fresh random key like `ab/ab12…` (two-level fan-out keeps folders small).
    pub fn new_key() -> String {
        let bytes: [u8; 16] = rand::random();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("{}/{hex}", &hex[..2])
    }

    /// The path of a stored key; keys are only ever made by `new_key`, but check anyway.
    pub fn path(&self, key: &str) -> Result<PathBuf, AppError> {
        let ok = key.len() == 35
            && key.as_bytes()[2] == b'/'
            && key.chars().enumerate().all(|(i, c)| i == 2 || c.is_ascii_hexdigit());
        if !ok {
            tracing::error!(key, "refused a malformed storage key");
            return Err(AppError::Internal);
        }
        Ok(self.root.join(key))
    }

    /// A temporary path in the same file system, so finishing an upload is a rename.
    pub async fn temp_path(&self) -> Result<PathBuf, AppError> {
        let dir = self.root.join("tmp");
        tokio::fs::create_dir_all(&dir).await.map_err(io_error)?;
        let name: [u8; 16] = rand::random();
        Ok(dir.join(name.iter().map(|b| format!("{b:02x}")).collect::<String>()))
    }

    /// Moves a finished temporary file to its key.
    pub async fn commit(&self, temp: &Path, key: &str) -> Result<(), AppError> {
        let path = self.path(key)?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(io_error)?;
        }
        tokio::fs::rename(temp, &path).await.map_err(io_error)
    }

    pub async fn delete(&self, key: &str) -> Result<(), AppError> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error(e)),
        }
    }
}

pub fn io_error(e: std::io::Error) -> AppError {
    tracing::error!(error = %e, "file storage failed");
    AppError::Internal
}
