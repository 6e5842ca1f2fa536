//! Where each item kind is plugged in: one `match` per hook, and the only code that names the
//! kinds' folders. A kind's own code lives in its folder; the lifecycle (`service`), course copy
//! (`copy`), the editor and the player call these hooks and never branch on a kind themselves.

use super::kind::ItemKind;
use crate::courses::model::ItemDetail;
use leptos::prelude::*;

// ---- the player and the editor ----------------------------------------------------------------

/// What a learner sees of an item in the course player.
pub fn player(item: ItemDetail) -> AnyView {
    let item_id = item.item.id;
    match item.item.kind {
        ItemKind::Lesson => view! { <crate::lessons::pages::LessonPlayer item /> }.into_any(),
        ItemKind::File => view! { <crate::resources::pages::FilePlayer item /> }.into_any(),
        ItemKind::Video => view! { <crate::resources::pages::VideoPlayer item /> }.into_any(),
        ItemKind::Link => view! { <crate::resources::pages::LinkPlayer item /> }.into_any(),
        ItemKind::Quiz => {
            view! { <crate::assessments::pages::QuizIntroPanel item_id /> }.into_any()
        }
        ItemKind::Assignment => view! {
            <crate::lessons::pages::LessonPlayer item />
            <crate::assignments::pages::AssignmentPanel item_id />
        }
        .into_any(),
        ItemKind::Acknowledgement => {
            view! { <crate::acknowledgements::pages::AcknowledgementPlayer item /> }.into_any()
        }
        ItemKind::Scorm => view! { <crate::scorm::pages::PackagePlayer item_id /> }.into_any(),
        ItemKind::Cmi5 => view! { <crate::cmi5::pages::CoursePlayer item_id /> }.into_any(),
    }
}

/// The kind's own part of the item editor page, below the fields every item has. `saved` counts
/// the saves of those fields; the panel sets `changed` when it changed the item itself (a lesson
/// revision restored), to reload it and say so.
pub fn editor_panel(
    kind: ItemKind,
    item_id: i64,
    can_edit: bool,
    saved: Signal<usize>,
    changed: RwSignal<crate::ui::Changed>,
) -> AnyView {
    match kind {
        ItemKind::Lesson => {
            view! { <crate::lessons::pages::Revisions item_id can_edit saved changed /> }.into_any()
        }
        ItemKind::Quiz => view! { <crate::assessments::pages::QuizSetup item_id /> }.into_any(),
        ItemKind::Assignment => {
            view! { <crate::assignments::pages::AssignmentSetup item_id /> }.into_any()
        }
        ItemKind::Acknowledgement => {
            view! { <crate::acknowledgements::pages::AcknowledgementSetup item_id can_edit /> }
                .into_any()
        }
        ItemKind::Scorm => {
            view! { <crate::scorm::pages::PackageSetup item_id can_edit /> }.into_any()
        }
        ItemKind::Cmi5 => {
            view! { <crate::cmi5::pages::PackageSetup item_id can_edit /> }.into_any()
        }
        ItemKind::File | ItemKind::Video | ItemKind::Link => ().into_any(),
    }
}

// ---- the lifecycle (server only) --------------------------------------------------------------

#[cfg(feature = "ssr")]
pub use lifecycle::*;

#[cfg(feature = "ssr")]
mod lifecycle {
    use super::ItemKind;
    use crate::auth::permissions::Actor;
    use crate::courses::model::ItemFields;
    use crate::db::Tx;
    use crate::error::AppError;
    use crate::state::AppState;
    use crate::{acknowledgements, assessments, assignments, cmi5, lessons, resources, scorm};
    use std::collections::HashMap;

    /// What a kind requires of the item row's shared columns (a file chosen, a valid address).
    pub fn check_content(fields: &mut ItemFields) -> Result<(), AppError> {
        match fields.kind {
            ItemKind::File => resources::check::file(fields),
            ItemKind::Video => resources::check::video(fields),
            ItemKind::Link => resources::check::link(fields),
            ItemKind::Lesson
            | ItemKind::Quiz
            | ItemKind::Assignment
            | ItemKind::Acknowledgement
            | ItemKind::Scorm
            | ItemKind::Cmi5 => Ok(()),
        }
    }

    /// The embeddable player address of an item's web address, for kinds that embed one.
    pub fn embed_url(kind: ItemKind, url: Option<&str>) -> Option<String> {
        match kind {
            ItemKind::Video => url.and_then(resources::check::video_embed),
            _ => None,
        }
    }

    /// After an item row was inserted or updated, in the same transaction: the kind creates its
    /// own rows (idempotently) or keeps a revision.
    pub async fn saved(
        tx: &mut Tx,
        actor: &Actor,
        course_id: i64,
        item_id: i64,
        fields: &ItemFields,
        now: i64,
    ) -> Result<(), AppError> {
        match fields.kind {
            ItemKind::Lesson => {
                lessons::service::keep_revision(
                    tx,
                    item_id,
                    &fields.title,
                    &fields.body,
                    actor.id,
                    now,
                )
                .await
            }
            ItemKind::Quiz => {
                assessments::quiz_store::insert_quiz(tx, item_id, course_id, now).await
            }
            ItemKind::Assignment => assignments::service::create(tx, item_id, course_id, now).await,
            ItemKind::Acknowledgement => acknowledgements::service::create(tx, item_id, now).await,
            // Its rows come with its first upload.
            ItemKind::File
            | ItemKind::Video
            | ItemKind::Link
            | ItemKind::Scorm
            | ItemKind::Cmi5 => Ok(()),
        }
    }

    /// What an import (a cartridge) brings for a kind besides the item row.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Imported {
        Nothing,
        /// A quiz's questions, in order (they go to the bank too).
        Questions(Vec<assessments::question::Question>),
        /// An assignment's points possible, when the source said.
        Points(Option<f64>),
    }

    /// After an imported item was `saved`, in the import's transaction: the kind takes what the
    /// import brought for it. What a kind does not take is ignored.
    pub async fn imported(
        tx: &mut Tx,
        actor: &Actor,
        course_id: i64,
        item_id: i64,
        fields: &ItemFields,
        content: &Imported,
        now: i64,
    ) -> Result<(), AppError> {
        match (fields.kind, content) {
            (ItemKind::Quiz, Imported::Questions(questions)) => {
                assessments::quiz::imported(
                    tx,
                    actor.id,
                    course_id,
                    item_id,
                    &fields.title,
                    questions,
                    now,
                )
                .await
            }
            (ItemKind::Assignment, Imported::Points(points)) => {
                assignments::service::imported(tx, course_id, item_id, *points, now).await
            }
            _ => Ok(()),
        }
    }

    /// What an export (a cartridge) carries of a kind besides the item row (title, text,
    /// address, file).
    #[derive(Debug, Clone, PartialEq)]
    pub enum Exported {
        /// The row is all there is.
        Row,
        /// A quiz's questions in order, each with its marks.
        Questions(Vec<(assessments::question::Question, f64)>),
        /// An assignment's points possible.
        Points(f64),
        /// A kind a cartridge cannot hold (packages, acknowledgements): left out.
        Nothing,
    }

    /// What `items` (all of `kind`, in one course) carry into an export beside their rows, by
    /// item: one query for a kind however many items it has. An item missing from the answer
    /// has nothing to export.
    pub async fn exported(
        state: &AppState,
        kind: ItemKind,
        course_id: i64,
        items: &[i64],
    ) -> Result<HashMap<i64, Exported>, AppError> {
        let each = |e: fn() -> Exported| items.iter().map(|id| (*id, e())).collect();
        match kind {
            ItemKind::Lesson | ItemKind::File | ItemKind::Video | ItemKind::Link => {
                Ok(each(|| Exported::Row))
            }
            ItemKind::Quiz => {
                let mut questions = assessments::quiz::exported(state, course_id).await?;
                Ok(items
                    .iter()
                    .map(|id| {
                        let found = questions.remove(id).unwrap_or_default();
                        (*id, Exported::Questions(found))
                    })
                    .collect())
            }
            ItemKind::Assignment => {
                let points = assignments::service::exported(state, course_id).await?;
                Ok(items
                    .iter()
                    .filter_map(|id| Some((*id, Exported::Points(*points.get(id)?))))
                    .collect())
            }
            ItemKind::Acknowledgement | ItemKind::Scorm | ItemKind::Cmi5 => {
                Ok(each(|| Exported::Nothing))
            }
        }
    }

    /// Before an item in the recycle bin is purged for good (its own rows go with it by cascade):
    /// what is not in the database, such as stored files, is removed here. Deleting an item (to
    /// the recycle bin) and restoring it need nothing of a kind: its rows are kept meanwhile.
    pub async fn purging(state: &AppState, kind: ItemKind, item_id: i64) -> Result<(), AppError> {
        match kind {
            // The learners' files are not course files: they go with the assignment.
            ItemKind::Assignment => assignments::service::delete_all_files(state, item_id).await,
            // The package's stored files, unless a course copy still plays them.
            ItemKind::Scorm => scorm::service::purging(state, item_id).await,
            ItemKind::Cmi5 => cmi5::service::purging(state, item_id).await,
            _ => Ok(()),
        }
    }

    /// A learner starts a course afresh for a new certification cycle, in that transaction: each
    /// kind archives what would stop them doing the item again, keeping it on record.
    pub async fn reset_learner(
        tx: &mut Tx,
        kind: ItemKind,
        item_id: i64,
        user_id: i64,
        now: i64,
    ) -> Result<(), AppError> {
        match kind {
            ItemKind::Quiz => {
                assessments::quiz_store::archive_attempts(tx, item_id, user_id, now).await
            }
            ItemKind::Assignment => {
                assignments::service::reopen_for_new_cycle(tx, item_id, user_id, now).await
            }
            ItemKind::Acknowledgement => {
                acknowledgements::store::archive_confirmation(tx, item_id, user_id, now).await
            }
            ItemKind::Scorm => scorm::runtime::reset_learner(tx, item_id, user_id, now).await,
            ItemKind::Cmi5 => cmi5::service::reset_learner(tx, item_id, user_id, now).await,
            ItemKind::Lesson | ItemKind::File | ItemKind::Video | ItemKind::Link => Ok(()),
        }
    }

    /// A learner's dates on an item changed (an override set or removed), in that transaction.
    pub async fn dates_changed(
        tx: &mut Tx,
        kind: ItemKind,
        item_id: i64,
        user_id: i64,
        now: i64,
    ) -> Result<(), AppError> {
        match kind {
            ItemKind::Assignment => {
                assignments::service::dates_changed(tx, item_id, user_id, now).await
            }
            ItemKind::Quiz => assessments::attempts::dates_changed(tx, item_id, user_id).await,
            _ => Ok(()),
        }
    }

    /// The dates of a kind's items that a person sees in [`from`, `to`), for their calendar and
    /// its feed: one query per kind, whatever the number of courses.
    pub async fn dated(
        db: &crate::db::Db,
        kind: ItemKind,
        user_id: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<crate::calendar::model::Dated>, AppError> {
        match kind {
            ItemKind::Assignment => assignments::store::calendar(db, user_id, from, to).await,
            ItemKind::Quiz => assessments::quiz_store::calendar(db, user_id, from, to).await,
            ItemKind::Lesson
            | ItemKind::File
            | ItemKind::Video
            | ItemKind::Link
            | ItemKind::Acknowledgement
            | ItemKind::Scorm
            | ItemKind::Cmi5 => Ok(Vec::new()),
        }
    }

    /// What kinds keep per course rather than per item, copied once before the items.
    #[derive(Debug, Default)]
    pub struct CourseContent {
        question_bank: assessments::quiz_store::BankCopy,
    }

    pub async fn copy_course_content(
        tx: &mut Tx,
        from_course: i64,
        to_course: i64,
        actor_id: i64,
        now: i64,
    ) -> Result<CourseContent, AppError> {
        // Quizzes in the copy draw on the copied bank.
        let question_bank =
            assessments::quiz_store::copy_bank(tx, from_course, to_course, actor_id, now).await?;
        Ok(CourseContent { question_bank })
    }

    /// An item of a course copy was inserted (`fields` as copied): the kind copies its own part.
    #[allow(clippy::too_many_arguments)]
    pub async fn copied(
        tx: &mut Tx,
        shared: &CourseContent,
        actor: &Actor,
        to_course: i64,
        from_item: i64,
        to_item: i64,
        fields: &ItemFields,
        now: i64,
    ) -> Result<(), AppError> {
        match fields.kind {
            ItemKind::Lesson => {
                lessons::service::keep_revision(
                    tx,
                    to_item,
                    &fields.title,
                    &fields.body,
                    actor.id,
                    now,
                )
                .await
            }
            ItemKind::Quiz => {
                assessments::quiz_store::copy_quiz(
                    tx,
                    from_item,
                    to_item,
                    to_course,
                    &shared.question_bank,
                    now,
                )
                .await
            }
            ItemKind::Assignment => {
                assignments::service::copy(tx, from_item, to_item, to_course, now).await
            }
            ItemKind::Acknowledgement => {
                acknowledgements::service::copy(tx, from_item, to_item, now).await
            }
            ItemKind::Scorm => scorm::service::copy(tx, from_item, to_item).await,
            ItemKind::Cmi5 => cmi5::service::copy(tx, from_item, to_item).await,
            ItemKind::File | ItemKind::Video | ItemKind::Link => Ok(()),
        }
    }

    /// Routes a kind serves itself (exports, uploads), merged into the server's router once.
    pub fn routes() -> axum::Router<AppState> {
        axum::Router::new()
            .merge(assessments::handlers::routes())
            .merge(assignments::handlers::routes())
            .merge(acknowledgements::handlers::routes())
            .merge(scorm::handlers::routes())
            .merge(cmi5::handlers::routes())
    }
}
