//! The site's own static files (`/pkg`: the hydration script, the WASM with its per-page chunks
//! and the loader that fetches them, and the style sheet).
//!
//! Pages name them under a build id, a hash of their contents taken when the server starts
//! (`/v/1a2b…/pkg/lyceum.wasm`), so they are cached for a year (`immutable`) and a new build is
//! fetched at once. The id is a folder rather than part of each name because the split loader
//! imports `./lyceum.js` and fetches `./chunk_N.wasm` relative to itself: under one folder they
//! are the very modules the page loaded. Brotli and gzip copies made at build time
//! (`scripts/build-release.sh`) are sent to browsers that accept them.

use axum::{
    body::Body,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tower::ServiceExt;
use tower_http::services::ServeFile;

/// Where the files are and the build id their addresses carry.
#[derive(Clone, Debug)]
pub struct Assets {
    dir: PathBuf,
    build_id: String,
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

impl Assets {
    /// Hashes every built file under `site_root/pkg_dir` (not the compressed copies).
    pub fn load(site_root: &str, pkg_dir: &str) -> Assets {
        let dir = Path::new(site_root).join(pkg_dir);
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        !matches!(p.extension().and_then(|e| e.to_str()), Some("br" | "gz"))
                    })
                    .collect()
            })
            // A missing folder (tests, a build without the front end) just hashes nothing.
            .unwrap_or_default();
        names.sort();
        let mut hasher = Sha256::new();
        for path in names {
            if let Ok(bytes) = std::fs::read(&path) {
                hasher.update(path.file_name().unwrap_or_default().as_encoded_bytes());
                hasher.update(&bytes);
            }
        }
        let build_id: String = hasher
            .finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        Assets { dir, build_id }
    }

    /// What pages put before `/pkg/…`: `/v/{build id}`.
    pub fn root(&self) -> String {
        format!("/v/{}", self.build_id)
    }

    /// The file a `/pkg/` name stands for.
    fn resolve(&self, name: &str) -> Option<PathBuf> {
        if name.contains('/') || name.contains('\\') || name.contains("..") || name.starts_with('.')
        {
            return None;
        }
        Some(self.dir.join(name))
    }

    /// `GET /v/{build}/pkg/{name}` (`build` is the id pages were given) and `GET /pkg/{name}`:
    /// the file, compressed as the browser accepts, cached for a year under this build's id and
    /// revalidated otherwise (an old page after an upgrade still gets today's file).
    pub async fn serve(&self, build: Option<&str>, name: &str, req: Request) -> Response {
        let Some(path) = self.resolve(name) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let service = ServeFile::new(path).precompressed_br().precompressed_gzip();
        let mut response = match service.oneshot(req).await {
            Ok(r) => r.map(Body::new),
            Err(e) => match e {},
        };
        if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
            let cache = if build == Some(self.build_id.as_str()) {
                IMMUTABLE
            } else {
                "no-cache"
            };
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_in_the_folder_and_the_id_follows_the_contents() {
        let dir = std::env::temp_dir().join(format!("lyceum-assets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("lyceum.wasm"), b"one").unwrap();
        let first = Assets::load(dir.to_str().unwrap(), ".");
        std::fs::write(
            dir.join("lyceum.wasm.br"),
            b"compressed copies do not count",
        )
        .unwrap();
        assert_eq!(
            Assets::load(dir.to_str().unwrap(), ".").root(),
            first.root()
        );
        std::fs::write(dir.join("chunk_1.wasm"), b"a page's chunk").unwrap();
        let second = Assets::load(dir.to_str().unwrap(), ".");
        assert_ne!(second.root(), first.root(), "any built file changes the id");
        assert!(second.root().starts_with("/v/"));
        assert_eq!(
            second.resolve("chunk_1.wasm"),
            Some(dir.join("./chunk_1.wasm"))
        );
        assert_eq!(second.resolve("../secret"), None);
        assert_eq!(second.resolve("a/b"), None);
        assert_eq!(second.resolve(".hidden"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
