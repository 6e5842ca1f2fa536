//! Server functions for cmi5 courses. Each: who is asking, one service call, the status.

use super::model::CourseInfo;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

/// The item's cmi5 course with the asking learner's progress (`None`: nothing uploaded yet),
/// for its player and its editor panel.
#[server(endpoint = "cmi5/course")]
pub async fn load_cmi5_course(item_id: i64) -> Result<Option<CourseInfo>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::find(&state, &actor, item_id).await)
}
