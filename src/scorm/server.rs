//! Server functions for SCORM packages. Each: who is asking, one service call, the status.

use super::model::PackageInfo;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

/// The item's package (`None`: nothing uploaded yet), for its player and its editor panel.
#[server(endpoint = "scorm/package")]
pub async fn load_package(item_id: i64) -> Result<Option<PackageInfo>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::find(&state, &actor, item_id).await)
}
