//! Server functions for the instructor dashboard.

use super::model::*;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "dashboard/overview")]
pub async fn load_dashboard(
    course_id: i64,
    below_percent: f64,
    inactive_days: u32,
    page: u32,
) -> Result<Overview, AppError> {
    let (state, actor, _) = signed_in()?;
    let risk = RiskQuery {
        below_percent,
        inactive_days,
        page,
    };
    respond(super::service::overview(&state, &actor, course_id, risk).await)
}

#[server(endpoint = "dashboard/quiz")]
pub async fn load_quiz_stats(item_id: i64) -> Result<QuizStats, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::quiz_stats(&state, &actor, item_id).await)
}
