use super::model::{Job, JobCounts};
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;

#[server(endpoint = "jobs/list")]
pub async fn list_jobs(state: String, page: u32) -> Result<(JobCounts, Page<Job>), AppError> {
    let (app, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::list(&app, &actor, &state, page).await)
}

#[server(endpoint = "jobs/retry")]
pub async fn retry_job(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::retry(&state, &actor, id).await)
}

#[server(endpoint = "jobs/cancel")]
pub async fn cancel_job(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::cancel(&state, &actor, id).await)
}
