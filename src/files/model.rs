//! A file as pages show it: what courses, items and kinds name files by.

use serde::{Deserialize, Serialize};

/// An uploaded file as pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: i64,
}

impl FileInfo {
    /// Where the file is downloaded from; the name is only for people and is not checked.
    pub fn url(&self) -> String {
        format!("/files/{}/{}", self.id, self.name)
    }
    pub fn is_pdf(&self) -> bool {
        self.content_type == "application/pdf"
    }
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
    pub fn is_video(&self) -> bool {
        self.content_type.starts_with("video/")
    }
    pub fn is_audio(&self) -> bool {
        self.content_type.starts_with("audio/")
    }
}
