//! Setting and removing date overrides, once for every kind with dates: which fields an item has
//! comes from its kind's `Shape`, and the kind hears of a change through
//! `registry::dates_changed` (an assignment counts the late penalty again).

use super::registry;
use crate::audit::{self, Entry};
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::outline_store;
use crate::db::now;
use crate::error::AppError;
use crate::items::kind::ItemKind;
use crate::overrides::model::{LearnerDates, Override, OverrideForm, OverrideList, PER_PAGE};
use crate::overrides::store;
use crate::paging::Page;
use crate::state::AppState;

/// The item's course and kind, when it is an item with dates.
async fn dated_item(state: &AppState, item_id: i64) -> Result<(i64, ItemKind, String), AppError> {
    let (course_id, item, ..) = outline_store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if item.kind.shape().dates.is_empty() {
        return Err(AppError::invalid(
            "learners",
            "This kind of item has no dates to change.",
        ));
    }
    Ok((course_id, item.kind, item.title))
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    page: u32,
) -> Result<OverrideList, AppError> {
    let (course_id, kind, _) = dated_item(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let page = page.max(1);
    let offset = i64::from(page - 1) * i64::from(PER_PAGE);
    let (items, total) = store::list(&state.db, item_id, PER_PAGE.into(), offset).await?;
    Ok(OverrideList {
        groups: store::groups(&state.db, course_id).await?,
        fields: kind.shape().dates.to_vec(),
        page: Page {
            items,
            total,
            total_capped: false,
            page,
            per_page: PER_PAGE,
        },
    })
}

/// Gives the learners named in the form their own dates (replacing an override they had).
/// Returns how many learners it set.
pub async fn set(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    form: &OverrideForm,
) -> Result<usize, AppError> {
    let (course_id, kind, title) = dated_item(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let (dates, reason) = form.parse(kind.shape().dates)?;
    let emails = form.emails();
    let mut learners = store::learners_by_email(&state.db, course_id, &emails).await?;
    let unknown: Vec<&str> = emails
        .iter()
        .filter(|e| !learners.iter().any(|(_, found)| found == *e))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(AppError::invalid(
            "learners",
            format!("Not learners of this course: {}.", unknown.join(", ")),
        ));
    }
    if let Some(cohort_id) = form.cohort_id()? {
        let members = store::learners_in_cohort(&state.db, course_id, cohort_id).await?;
        if members.is_empty() {
            return Err(AppError::invalid(
                "cohort",
                "This group has no learners in the course.",
            ));
        }
        learners.extend(members);
        learners.sort();
        learners.dedup();
    }
    let item = Dated {
        item_id,
        course_id,
        kind,
        title,
    };
    apply(state, actor, &item, &learners, &dates, &reason).await?;
    Ok(learners.len())
}

/// One learner's override, by id (the REST API): the form's rules for the dates, and the
/// learner must be one of the course's.
pub async fn set_for(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    user_id: i64,
    form: &OverrideForm,
) -> Result<Override, AppError> {
    let (course_id, kind, title) = dated_item(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let learner = store::learner(&state.db, course_id, user_id)
        .await?
        .ok_or_else(|| {
            AppError::invalid("user_id", "This person is not a learner of this course.")
        })?;
    let form = OverrideForm {
        learners: learner.1.clone(),
        ..form.clone()
    };
    let (dates, reason) = form.parse(kind.shape().dates)?;
    let item = Dated {
        item_id,
        course_id,
        kind,
        title,
    };
    apply(state, actor, &item, &[learner], &dates, &reason).await?;
    // Only a removal in the moment since the save leaves nothing to read back.
    store::one(&state.db, item_id, user_id)
        .await?
        .ok_or(AppError::NotFound)
}

struct Dated {
    item_id: i64,
    course_id: i64,
    kind: ItemKind,
    title: String,
}

async fn apply(
    state: &AppState,
    actor: &Actor,
    item: &Dated,
    learners: &[(i64, String)],
    dates: &LearnerDates,
    reason: &str,
) -> Result<(), AppError> {
    let now = now();
    let mut tx = state.db.begin().await?;
    for (user_id, email) in learners {
        store::upsert(
            &mut tx,
            item.item_id,
            item.course_id,
            *user_id,
            dates,
            reason,
            actor.id,
            now,
        )
        .await?;
        registry::dates_changed(&mut tx, item.kind, item.item_id, *user_id, now).await?;
        audit::record(
            &mut tx,
            actor,
            Entry::new(
                "override.set",
                "item",
                Some(item.item_id),
                format!("{}: {email}", item.title),
            )
            .after(dates),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Takes a learner back to the item's own dates.
pub async fn remove(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    let (course_id, kind, title) = dated_item(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let before = store::for_learner_in_tx(&mut tx, item_id, user_id).await?;
    if !store::delete(&mut tx, item_id, user_id).await? {
        return Err(AppError::NotFound);
    }
    registry::dates_changed(&mut tx, kind, item_id, user_id, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "override.remove",
            "item",
            Some(item_id),
            format!("{title}: user {user_id}"),
        )
        .before(&before),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
