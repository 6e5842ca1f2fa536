//! The site's own static files (`/pkg`: the hydration script, the WASM and the style sheet).
//!
//! Their addresses carry a build id, a hash of their contents taken when the server starts
//! (`/pkg/lyceum.1a2b….wasm`), so they are cached for a year (`immutable`) and a new build is
//! fetched at once. Brotli and gzip copies made at build time (`scripts/build-release.sh`) are
//! sent to browsers that accept them. (cargo-leptos' `hash-files` would read its hash file from
//! disk on every page render; this reads the files once.)

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
    stem: String,
    build_id: String,
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

impl Assets {
    /// Hashes the built files under `site_root/pkg_dir` named `output_name.{js,wasm,css}`.
    pub fn load(site_root: &str, pkg_dir: &str, output_name: &str) -> Assets {
        let dir = Path::new(site_root).join(pkg_dir);
        let mut hasher = Sha256::new();
        for ext in ["js", "wasm", "css"] {
            // A missing file (tests, a build without the front end) just adds nothing.
            if let Ok(bytes) = std::fs::read(dir.join(format!("{output_name}.{ext}"))) {
                hasher.update(ext.as_bytes());
                hasher.update(&bytes);
            }
        }
        let build_id: String = hasher
            .finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        Assets {
            dir,
            stem: output_name.to_string(),
            build_id,
        }
    }

    /// The name pages use for the files (`lyceum.{build id}`): Leptos' output name.
    pub fn versioned_name(&self) -> String {
        format!("{}.{}", self.stem, self.build_id)
    }

    /// The file a `/pkg/` name stands for, and whether the name carried this build's id.
    fn resolve(&self, name: &str) -> Option<(PathBuf, bool)> {
        if name.contains('/') || name.contains("..") || name.starts_with('.') {
            return None;
        }
        let versioned = format!("{}.", self.versioned_name());
        match name.strip_prefix(&versioned) {
            Some(ext) => Some((self.dir.join(format!("{}.{ext}", self.stem)), true)),
            None => Some((self.dir.join(name), false)),
        }
    }

    /// `GET /pkg/{name}`: the file, compressed as the browser accepts, cached for a year when
    /// its name carries the build id (and revalidated otherwise).
    pub async fn serve(&self, name: &str, req: Request) -> Response {
        let Some((path, versioned)) = self.resolve(name) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let service = ServeFile::new(path).precompressed_br().precompressed_gzip();
        let mut response = match service.oneshot(req).await {
            Ok(r) => r.map(Body::new),
            Err(e) => match e {},
        };
        if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
            let cache = if versioned { IMMUTABLE } else { "no-cache" };
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
    fn versioned_names_map_to_the_built_files_and_nothing_escapes_the_folder() {
        let assets = Assets {
            dir: PathBuf::from("/site/pkg"),
            stem: "lyceum".into(),
            build_id: "00ff".into(),
        };
        assert_eq!(assets.versioned_name(), "lyceum.00ff");
        assert_eq!(
            assets.resolve("lyceum.00ff.wasm"),
            Some((PathBuf::from("/site/pkg/lyceum.wasm"), true))
        );
        assert_eq!(
            assets.resolve("lyceum.css"),
            Some((PathBuf::from("/site/pkg/lyceum.css"), false))
        );
        assert_eq!(assets.resolve("../secret"), None);
        assert_eq!(assets.resolve(".hidden"), None);
    }
}
