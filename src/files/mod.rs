//! Uploaded files: streamed to storage with a size limit and content sniffing, stored under random
//! names, served only to people who may see their course (with HTTP range requests, so videos seek).
//! Storage is a folder under the data dir; the object-store (S3) backend is not built yet.

pub mod handlers;
pub mod service;
pub mod sniff;
pub mod storage;
