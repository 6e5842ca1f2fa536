//! Server functions for cartridge imports. Each: who is asking, one service call, the status.

use super::model::ImportReport;
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

/// One page of the course's cartridge imports with their reports, newest first.
#[server(endpoint = "cartridge/imports")]
pub async fn cartridge_imports(course_id: i64, page: u32) -> Result<Page<ImportReport>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::imports(&state, &actor, course_id, page).await)
}
