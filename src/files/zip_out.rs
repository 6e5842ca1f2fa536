//! Zips the server builds for people to download (a class's submissions, a course as a
//! cartridge): written to a file (never in memory) on a blocking thread, entries deflated,
//! stored files streamed in from disk or S3.

use super::storage::{Storage, io_error};
use crate::error::{AppError, internal};
use std::io::{BufWriter, Write};
use std::path::Path;

pub struct ZipOut {
    zip: zip::ZipWriter<BufWriter<std::fs::File>>,
    options: zip::write::SimpleFileOptions,
    /// What is being written, for the log when it fails ("the submissions zip").
    what: &'static str,
}

impl ZipOut {
    pub fn create(path: &Path, what: &'static str) -> Result<ZipOut, AppError> {
        let file = std::fs::File::create(path).map_err(io_error)?;
        Ok(ZipOut {
            zip: zip::ZipWriter::new(BufWriter::new(file)),
            options: zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .large_file(true),
            what,
        })
    }

    /// Starts an entry; what is written next goes in it.
    pub fn start(&mut self, name: &str) -> Result<(), AppError> {
        self.zip
            .start_file(name, self.options)
            .map_err(|e| internal(&format!("could not write {}", self.what), e))
    }

    pub fn write(&mut self, bytes: &[u8]) -> Result<(), AppError> {
        self.zip.write_all(bytes).map_err(io_error)
    }

    /// A stored file as the current entry's content.
    pub fn stored(
        &mut self,
        storage: &Storage,
        handle: &tokio::runtime::Handle,
        key: &str,
    ) -> Result<(), AppError> {
        storage.copy_into(handle, key, &mut self.zip)
    }

    pub fn finish(self) -> Result<(), AppError> {
        let what = self.what;
        let mut out = self
            .zip
            .finish()
            .map_err(|e| internal(&format!("could not write {what}"), e))?;
        out.flush().map_err(io_error)
    }
}

/// A name safe as one path segment in a zip (no slashes, no dot-dot, no control characters).
pub fn safe_segment(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned.trim().trim_matches('.').trim();
    if trimmed.is_empty() {
        "unnamed".into()
    } else {
        trimmed.chars().take(120).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_segment;

    #[test]
    fn segments_cannot_escape_their_folder() {
        assert_eq!(safe_segment("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_segment(".."), "unnamed");
        assert_eq!(safe_segment("Zoë O'Neil"), "Zoë O'Neil");
        assert_eq!(safe_segment("a\nb"), "a_b");
    }
}
