//! Where file contents live: a folder on disk or an S3-compatible bucket, addressed by random keys
//! (never by user-supplied names). Uploads are always first written to a local temporary file.

use crate::error::{AppError, internal};
use axum::body::Bytes;
use futures_util::Stream;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload};
use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::AsyncReadExt;

/// Size of each part of a multipart upload to S3 (S3 wants at least 5 MiB for all but the last).
const PART_SIZE: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Storage {
    /// The local folder: stored files (local backend) and temporary uploads (both backends).
    root: PathBuf,
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Local,
    S3(Arc<AmazonS3>),
}

impl Storage {
    pub fn local(root: PathBuf) -> Storage {
        Storage {
            root,
            backend: Backend::Local,
        }
    }

    /// Local storage under `root`, or the bucket named by `url` (see [`s3_store`]) with temporary
    /// uploads still under `root`.
    pub fn new(root: PathBuf, url: Option<&str>) -> Result<Storage, String> {
        let backend = match url {
            None => Backend::Local,
            Some(url) => Backend::S3(Arc::new(s3_store(url)?)),
        };
        Ok(Storage { root, backend })
    }

    /// A fresh random key like `ab/ab12…` (two-level fan-out keeps folders small).
    pub fn new_key() -> String {
        let bytes: [u8; 16] = rand::random();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("{}/{hex}", &hex[..2])
    }

    /// Keys are only ever made by `new_key`, but check anyway: they become paths.
    fn check_key(key: &str) -> Result<(), AppError> {
        let ok = key.len() == 35
            && key.as_bytes().get(2) == Some(&b'/')
            && key
                .chars()
                .enumerate()
                .all(|(i, c)| i == 2 || c.is_ascii_hexdigit());
        if !ok {
            return Err(internal(
                "refused a malformed storage key",
                format_args!("key {key}"),
            ));
        }
        Ok(())
    }

    /// The local path of a stored key; `None` when files are kept in S3.
    pub fn local_path(&self, key: &str) -> Result<Option<PathBuf>, AppError> {
        Self::check_key(key)?;
        Ok(match self.backend {
            Backend::Local => Some(self.root.join(key)),
            Backend::S3(_) => None,
        })
    }

    /// The local path of a stored key; an error when files are kept in S3.
    pub fn path(&self, key: &str) -> Result<PathBuf, AppError> {
        self.local_path(key)?.ok_or_else(|| {
            internal(
                "asked for the local path of a file kept in S3",
                format_args!("key {key}"),
            )
        })
    }

    /// A temporary path in the same file system as local storage, so finishing an upload is a rename.
    pub async fn temp_path(&self) -> Result<PathBuf, AppError> {
        let dir = self.root.join("tmp");
        tokio::fs::create_dir_all(&dir).await.map_err(io_error)?;
        let name: [u8; 16] = rand::random();
        Ok(dir.join(name.iter().map(|b| format!("{b:02x}")).collect::<String>()))
    }

    /// Moves a finished temporary file to its key (for S3: uploads it, then removes it).
    pub async fn commit(&self, temp: &Path, key: &str) -> Result<(), AppError> {
        Self::check_key(key)?;
        match &self.backend {
            Backend::Local => {
                let path = self.root.join(key);
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent).await.map_err(io_error)?;
                }
                tokio::fs::rename(temp, &path).await.map_err(io_error)
            }
            Backend::S3(store) => {
                upload(store, temp, &object_path(key)).await?;
                // The object is stored; a leftover temp file is only litter, not a failed upload.
                if let Err(e) = tokio::fs::remove_file(temp).await {
                    tracing::warn!(error = %e, "could not remove an uploaded temporary file");
                }
                Ok(())
            }
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), AppError> {
        Self::check_key(key)?;
        match &self.backend {
            Backend::Local => match tokio::fs::remove_file(self.root.join(key)).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(io_error(e)),
            },
            Backend::S3(store) => match store.delete(&object_path(key)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(s3_error(e)),
            },
        }
    }

    /// The stored object's size, `None` if it is missing.
    pub async fn size(&self, key: &str) -> Result<Option<u64>, AppError> {
        Self::check_key(key)?;
        match &self.backend {
            Backend::Local => match tokio::fs::metadata(self.root.join(key)).await {
                Ok(meta) => Ok(Some(meta.len())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(io_error(e)),
            },
            Backend::S3(store) => match store.head(&object_path(key)).await {
                Ok(meta) => Ok(Some(meta.size)),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(s3_error(e)),
            },
        }
    }

    /// Which of `keys` have no stored object (a lost disk, a cleaned bucket): downloads that
    /// gather many files leave those out rather than fail half-way. A few checks at a time.
    pub async fn missing(&self, keys: Vec<String>) -> Result<HashSet<String>, AppError> {
        use futures_util::{StreamExt, TryStreamExt};
        futures_util::stream::iter(keys)
            .map(|key| async move { Ok::<_, AppError>((self.size(&key).await?, key)) })
            .buffer_unordered(8)
            .try_filter_map(|(size, key)| async move { Ok(size.is_none().then_some(key)) })
            .try_collect()
            .await
    }

    /// Copies a stored file into `out` on a blocking thread (a zip being written): from disk,
    /// or streamed from S3 a chunk at a time through `handle`.
    pub fn copy_into(
        &self,
        handle: &tokio::runtime::Handle,
        key: &str,
        out: &mut impl std::io::Write,
    ) -> Result<(), AppError> {
        if let Some(path) = self.local_path(key)? {
            let mut file = std::fs::File::open(path).map_err(io_error)?;
            std::io::copy(&mut file, out).map_err(io_error)?;
            return Ok(());
        }
        handle.block_on(async {
            use futures_util::StreamExt;
            let mut stream = Box::pin(self.read_object(key, None).await?);
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| internal("could not read a stored file", e))?;
                out.write_all(&chunk).map_err(io_error)?;
            }
            Ok(())
        })
    }

    /// Streams an S3 object's bytes (all, or `range`) without holding it in memory. Local files
    /// are served from their path instead (see `local_path`).
    pub async fn read_object(
        &self,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<impl Stream<Item = Result<Bytes, object_store::Error>> + Send + 'static, AppError>
    {
        Self::check_key(key)?;
        let Backend::S3(store) = &self.backend else {
            return Err(internal(
                "read_object is for files kept in S3",
                format_args!("key {key}"),
            ));
        };
        let options = GetOptions::new().with_range(range.map(GetRange::Bounded));
        let result = store
            .get_opts(&object_path(key), options)
            .await
            .map_err(s3_error)?;
        Ok(result.into_stream())
    }
}

fn object_path(key: &str) -> object_store::path::Path {
    object_store::path::Path::from(key)
}

/// Uploads a local file in `PART_SIZE` parts, one at a time, so memory stays bounded.
async fn upload(
    store: &AmazonS3,
    temp: &Path,
    to: &object_store::path::Path,
) -> Result<(), AppError> {
    let mut file = tokio::fs::File::open(temp).await.map_err(io_error)?;
    let mut upload = store.put_multipart(to).await.map_err(s3_error)?;
    let result: Result<(), AppError> = async {
        loop {
            let mut part = vec![0u8; PART_SIZE];
            let mut filled = 0;
            // A read may return fewer bytes than asked for; fill the part before sending it.
            while filled < PART_SIZE {
                let Some(rest) = part.get_mut(filled..) else {
                    break;
                };
                let n = file.read(rest).await.map_err(io_error)?;
                if n == 0 {
                    break;
                }
                filled += n;
            }
            part.truncate(filled);
            if part.is_empty() {
                break;
            }
            let last = part.len() < PART_SIZE;
            upload
                .put_part(PutPayload::from(part))
                .await
                .map_err(s3_error)?;
            if last {
                break;
            }
        }
        upload.complete().await.map_err(s3_error)?;
        Ok(())
    }
    .await;
    if result.is_err() {
        // S3 keeps the parts of an unfinished upload (and bills for them) until it is aborted.
        if let Err(e) = upload.abort().await {
            tracing::warn!(error = %e, "could not abort a failed multipart upload");
        }
    }
    result
}

/// Builds the S3 client for a storage URL:
/// `s3://bucket[?endpoint=http://host:port&region=us-east-1&allow_http=true]`.
/// Credentials and other defaults come from the standard `AWS_*` environment variables.
/// Nothing is contacted here, so this also serves as start-up validation.
pub fn s3_store(url: &str) -> Result<AmazonS3, String> {
    const SETTING: &str = "LYCEUM_STORAGE_URL / --storage-url";
    let parsed =
        url::Url::parse(url).map_err(|_| format!("{SETTING}: not a URL like s3://bucket"))?;
    if parsed.scheme() != "s3" {
        return Err(format!(
            "{SETTING}: must start with s3:// (leave it unset to keep files in the data dir)"
        ));
    }
    let bucket = parsed
        .host_str()
        .filter(|b| !b.is_empty())
        .ok_or_else(|| format!("{SETTING}: name the bucket, as in s3://bucket"))?;
    if !matches!(parsed.path(), "" | "/")
        || parsed.username() != ""
        || parsed.password().is_some()
        || parsed.port().is_some()
    {
        return Err(format!(
            "{SETTING}: only s3://bucket and query options are supported (no path, port or credentials; credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)"
        ));
    }
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
    let mut endpoint_is_http = false;
    let mut allow_http = false;
    for (name, value) in parsed.query_pairs() {
        match &*name {
            "endpoint" => {
                let endpoint = url::Url::parse(&value)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                    .ok_or_else(|| {
                        format!("{SETTING}: endpoint '{value}' is not an http(s) URL")
                    })?;
                endpoint_is_http = endpoint.scheme() == "http";
                builder = builder.with_endpoint(value.trim_end_matches('/'));
            }
            "region" if !value.is_empty() => builder = builder.with_region(&*value),
            "allow_http" => {
                allow_http = match &*value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(format!("{SETTING}: allow_http must be true or false")),
                };
                builder = builder.with_allow_http(allow_http);
            }
            _ => {
                return Err(format!(
                    "{SETTING}: unknown option '{name}' (known: endpoint, region, allow_http)"
                ));
            }
        }
    }
    if endpoint_is_http && !allow_http {
        return Err(format!(
            "{SETTING}: the endpoint is plain http; add allow_http=true to allow that"
        ));
    }
    builder.build().map_err(|e| format!("{SETTING}: {e}"))
}

pub fn io_error(e: std::io::Error) -> AppError {
    internal("file storage failed", e)
}

fn s3_error(e: object_store::Error) -> AppError {
    internal("S3 file storage failed", e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_urls_are_validated_with_the_setting_named() {
        assert!(s3_store("s3://bucket").is_ok());
        assert!(
            s3_store("s3://bucket?endpoint=http://127.0.0.1:9000&region=us-east-1&allow_http=true")
                .is_ok()
        );
        for bad in [
            "bucket",
            "https://bucket",
            "s3://",
            "s3://bucket/prefix",
            "s3://bucket?endpoint=ftp://x",
            "s3://bucket?endpoint=http://127.0.0.1:9000",
            "s3://bucket?allow_http=yes",
            "s3://bucket?colour=blue",
        ] {
            let err = s3_store(bad)
                .err()
                .unwrap_or_else(|| panic!("{bad} should be refused"));
            assert!(
                err.starts_with("LYCEUM_STORAGE_URL / --storage-url: "),
                "{err}"
            );
        }
    }
}
