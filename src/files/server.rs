//! Server functions for files (uploads and downloads are plain routes: `handlers`).

use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

// The endpoint keeps the name it had when the course editor's server functions held it.
#[server(endpoint = "courses/delete_file")]
pub async fn delete_file(file_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::delete(&state, &actor, file_id).await)
}
