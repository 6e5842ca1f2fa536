//! Learner use cases: the course page, opening items (which records progress), marking items done,
//! and "My learning".

use super::model::*;
use super::store;
use crate::auth::permissions::{Action, Actor, can};
use crate::completion::model::{CourseProgress, Progress};
use crate::completion::{service as completion, store as progress_store};
use crate::courses::access;
use crate::courses::model::{CatalogueQuery, Completion, EnrolmentStatus, Section};
use crate::courses::outline_store;
use crate::courses::{content, store as course_store};
use crate::db::now;
use crate::enrolments::service::enrol_option;
use crate::error::AppError;
use crate::state::AppState;

pub async fn course_page(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<CoursePage, AppError> {
    let access = access::load(&state.db, actor, course_id).await?;
    if !access.may_see_course() {
        return Err(AppError::Forbidden);
    }
    let mut course = course_store::find(&state.db, course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let enrol = enrol_option(state, actor, &course).await?;
    course.enrolment.enrol_key = None;
    let progress = if access.is_learner() {
        progress_store::progress(&state.db, course_id, actor.id).await?
    } else {
        None
    };
    Ok(CoursePage {
        description_html: content::render_markdown(&course.description),
        outline: outline_store::outline(&state.db, course_id, access.may_see_learners()).await?,
        instructors: course_store::instructor_names(&state.db, course_id).await?,
        enrol,
        progress,
        can_open: access.may_view_content(),
        is_staff: access.may_see_learners(),
        course,
    })
}

fn neighbours(outline: &[Section], item_id: i64) -> (Option<i64>, Option<i64>) {
    let ids: Vec<i64> = outline
        .iter()
        .flat_map(|s| s.items.iter().map(|i| i.id))
        .collect();
    let Some(pos) = ids.iter().position(|&id| id == item_id) else {
        return (None, None);
    };
    (
        pos.checked_sub(1).and_then(|p| ids.get(p).copied()),
        ids.get(pos + 1).copied(),
    )
}

/// Opens an item: staff preview it; a learner's view is recorded (and completes "on view" items).
pub async fn open_item(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<PlayerView, AppError> {
    open(state, actor, item_id, true).await
}

/// Shows an item without recording the view: for a page another site sent the learner to, so
/// that no site can mark things viewed (or complete a course) by linking to them.
pub async fn show_item(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<PlayerView, AppError> {
    open(state, actor, item_id, false).await
}

async fn open(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    record: bool,
) -> Result<PlayerView, AppError> {
    let (course_id, item, ..) = outline_store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let access = access::load(&state.db, actor, course_id).await?;
    if !access.may_view_content() {
        return Err(AppError::Forbidden);
    }
    let staff = access.may_see_learners();
    if item.hidden && !staff {
        return Err(AppError::NotFound);
    }
    let learner = access.is_learner();
    if learner && record {
        let now = now();
        let complete = item.completion == Completion::View && !item.kind.completes_itself();
        let seen = store::view_state(&state.db, course_id, actor.id, item_id).await?;
        if view_changes(seen, item_id, complete, now) {
            let mut tx = state.db.begin().await?;
            completion::item_done(&mut tx, course_id, actor.id, item_id, complete, now).await?;
            tx.commit().await?;
        }
    }
    player_view(state, actor, course_id, item_id, staff, learner).await
}

/// The enrolment's last activity is kept to this many seconds: a learner paging back and forth
/// within a minute does not write on every page.
const ACTIVITY_GRANULARITY_SECS: i64 = 60;

/// Whether recording a view changes anything: the first view, a completion, another item than the
/// last one, or activity older than the granularity. Reopening the same item writes nothing.
fn view_changes(seen: Option<store::ViewState>, item_id: i64, complete: bool, now: i64) -> bool {
    let Some(seen) = seen else {
        return true;
    };
    seen.first_viewed_at.is_none()
        || (complete && seen.completed_at.is_none())
        || seen.last_item_id != Some(item_id)
        || seen
            .last_activity_at
            .is_none_or(|at| now - at >= ACTIVITY_GRANULARITY_SECS)
}

async fn player_view(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    item_id: i64,
    staff: bool,
    learner: bool,
) -> Result<PlayerView, AppError> {
    let course = course_store::find(&state.db, course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let outline = outline_store::outline(&state.db, course_id, staff).await?;
    let (previous, next) = neighbours(&outline, item_id);
    let (completed, progress) = if learner {
        (
            progress_store::completed_items(&state.db, course_id, actor.id).await?,
            progress_store::progress(&state.db, course_id, actor.id).await?,
        )
    } else {
        (Vec::new(), None)
    };
    let total = outline
        .iter()
        .flat_map(|s| &s.items)
        .filter(|i| i.required && !i.hidden)
        .count() as i64;
    Ok(PlayerView {
        course_id,
        course_code: course.code,
        course_title: course.title,
        item: crate::items::service::detail(state, item_id).await?,
        outline,
        completed,
        previous,
        next,
        progress: progress.unwrap_or(Progress {
            done: 0,
            total,
            completed_at: None,
            last_item_id: None,
        }),
        is_learner: learner,
    })
}

/// "Mark as done" on an item.
pub async fn mark_done(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<PlayerView, AppError> {
    let (course_id, item, ..) = outline_store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let access = access::load(&state.db, actor, course_id).await?;
    if !access.may_view_content()
        || !access.is_learner()
        || item.hidden
        || item.kind.completes_itself()
    {
        return Err(AppError::Forbidden);
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    completion::item_done(&mut tx, course_id, actor.id, item_id, true, now).await?;
    tx.commit().await?;
    player_view(state, actor, course_id, item_id, false, true).await
}

/// Where the learner stands in a course (the player's outline and progress bar); nothing for
/// staff, whose progress is not recorded.
pub async fn course_progress(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<CourseProgress, AppError> {
    let access = access::load(&state.db, actor, course_id).await?;
    if !access.may_view_content() {
        return Err(AppError::Forbidden);
    }
    let (completed, progress) = if access.is_learner() {
        (
            progress_store::completed_items(&state.db, course_id, actor.id).await?,
            progress_store::progress(&state.db, course_id, actor.id).await?,
        )
    } else {
        (Vec::new(), None)
    };
    Ok(CourseProgress {
        completed,
        progress: progress.unwrap_or(Progress {
            done: 0,
            total: 0,
            completed_at: None,
            last_item_id: None,
        }),
    })
}

/// The item to resume a course at: the last one opened, else the first visible one.
pub async fn resume_item(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<Option<i64>, AppError> {
    let access = access::load(&state.db, actor, course_id).await?;
    if !access.may_view_content() {
        return Err(AppError::Forbidden);
    }
    let outline = outline_store::outline(&state.db, course_id, access.may_see_learners()).await?;
    let visible: Vec<i64> = outline
        .iter()
        .flat_map(|s| s.items.iter().map(|i| i.id))
        .collect();
    let last = if access.is_learner() {
        progress_store::progress(&state.db, course_id, actor.id)
            .await?
            .and_then(|p| p.last_item_id)
    } else {
        None
    };
    Ok(last
        .filter(|id| visible.contains(id))
        .or_else(|| visible.first().copied()))
}

pub async fn my_learning(state: &AppState, actor: &Actor) -> Result<MyLearning, AppError> {
    let cards = store::learning_cards(&state.db, actor.id, 200).await?;
    let mut out = MyLearning {
        in_progress: Vec::new(),
        completed: Vec::new(),
        waiting: Vec::new(),
        teaching: Vec::new(),
    };
    for card in cards {
        if card.status != EnrolmentStatus::Active {
            out.waiting.push(card);
        } else if card.progress.completed_at.is_some() {
            out.completed.push(card);
        } else {
            out.in_progress.push(card);
        }
    }
    out.completed
        .sort_by_key(|c| std::cmp::Reverse(c.progress.completed_at));
    if can(actor, Action::CreateCourse) || can(actor, Action::ViewUsers) {
        out.teaching = crate::courses::service::teaching(state, actor, &CatalogueQuery::default())
            .await?
            .items;
    } else {
        // Teaching assistants without the instructor role still see the courses they help in.
        out.teaching = course_store::search(
            &state.db,
            &CatalogueQuery::default(),
            crate::courses::model::CourseState::ALL,
            Some(actor.id),
        )
        .await?
        .items;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(
        last_item: i64,
        activity: i64,
        viewed: bool,
        completed: bool,
    ) -> Option<store::ViewState> {
        Some(store::ViewState {
            last_item_id: Some(last_item),
            last_activity_at: Some(activity),
            first_viewed_at: viewed.then_some(activity),
            completed_at: completed.then_some(activity),
        })
    }

    #[test]
    fn reopening_the_same_item_within_a_minute_writes_nothing() {
        assert!(!view_changes(seen(7, 1000, true, true), 7, true, 1059));
        assert!(!view_changes(seen(7, 1000, true, false), 7, false, 1010));
    }

    #[test]
    fn a_view_writes_when_it_changes_something() {
        assert!(view_changes(None, 7, false, 1000), "no enrolment row read");
        assert!(
            view_changes(seen(7, 1000, false, false), 7, false, 1001),
            "first view"
        );
        assert!(
            view_changes(seen(7, 1000, true, false), 7, true, 1001),
            "completes on view"
        );
        assert!(
            view_changes(seen(6, 1000, true, true), 7, false, 1001),
            "another item"
        );
        assert!(
            view_changes(seen(7, 1000, true, true), 7, false, 1060),
            "activity a minute old"
        );
    }
}
