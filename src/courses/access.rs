//! What one person may do in one course: the course-level half of the permission rules. Every
//! course, content, file and enrolment service starts by loading a `CourseAccess`.

use super::model::{CourseRole, CourseState};
use crate::auth::permissions::Actor;
use crate::db::{Db, now};
use crate::error::AppError;
use crate::users::model::Role;
use crate::with_db;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseAccess {
    pub course_id: i64,
    pub state: CourseState,
    /// The actor's role through an active enrolment whose dates include today.
    pub role: Option<CourseRole>,
    admin: bool,
    manager: bool,
}

impl CourseAccess {
    /// Change settings, structure and content: the course's instructors and administrators.
    pub fn may_edit(&self) -> bool {
        self.admin || self.role == Some(CourseRole::Instructor)
    }
    /// See the staff view (outline with hidden items, participants, progress): instructors,
    /// teaching assistants, managers and administrators.
    pub fn may_see_learners(&self) -> bool {
        self.admin
            || self.manager
            || matches!(
                self.role,
                Some(CourseRole::Instructor | CourseRole::Assistant)
            )
    }
    /// Enrol and unenrol people: instructors, managers and administrators.
    pub fn may_manage_enrolments(&self) -> bool {
        self.admin || self.manager || self.role == Some(CourseRole::Instructor)
    }
    /// Open the content: staff always; learners once the course is published (or archived).
    pub fn may_view_content(&self) -> bool {
        self.may_see_learners()
            || (self.role == Some(CourseRole::Learner) && self.state != CourseState::Draft)
    }
    /// See the course page in the catalogue: anyone signed in once published, staff always.
    pub fn may_see_course(&self) -> bool {
        self.state == CourseState::Published || self.may_view_content()
    }
    pub fn is_learner(&self) -> bool {
        self.role == Some(CourseRole::Learner)
    }
}

#[derive(sqlx::FromRow)]
struct AccessRow {
    state: String,
    role: Option<String>,
}

/// Loads the actor's access to a course; `NotFound` when there is no such course.
pub async fn load(db: &Db, actor: &Actor, course_id: i64) -> Result<CourseAccess, AppError> {
    let now = now();
    let row: Option<AccessRow> = with_db!(db, |p| {
        sqlx::query_as(concat!(
            "SELECT c.state, e.role FROM courses c",
            crate::active_enrolment_join!("$2", "$3"),
            " WHERE c.id = $1"
        ))
        .bind(course_id)
        .bind(actor.id)
        .bind(now)
        .fetch_optional(p)
        .await?
    });
    let row = row.ok_or(AppError::NotFound)?;
    Ok(CourseAccess {
        course_id,
        state: CourseState::parse(&row.state).unwrap_or(CourseState::Draft),
        role: row.role.as_deref().and_then(CourseRole::parse),
        admin: actor.has_role(Role::Administrator),
        manager: actor.has_role(Role::Manager),
    })
}

/// Access from a row another query read (the course's state and the actor's active role in it),
/// for queries that read access along with what they are about.
pub fn from_row(actor: &Actor, course_id: i64, state: &str, role: Option<&str>) -> CourseAccess {
    CourseAccess {
        course_id,
        state: CourseState::parse(state).unwrap_or(CourseState::Draft),
        role: role.and_then(CourseRole::parse),
        admin: actor.has_role(Role::Administrator),
        manager: actor.has_role(Role::Manager),
    }
}

/// The SQL that reads the actor's active enrolment (`e.role`) with a course `c`: `$actor` and
/// `$now` are the placeholders it uses. Kept with `load` so both read enrolments the same way.
#[macro_export]
macro_rules! active_enrolment_join {
    ($actor:literal, $now:literal) => {
        concat!(
            " LEFT JOIN enrolments e ON e.course_id = c.id AND e.user_id = ",
            $actor,
            " AND e.status = 'active' AND (e.starts_at IS NULL OR e.starts_at <= ",
            $now,
            ") AND (e.ends_at IS NULL OR e.ends_at > ",
            $now,
            ")"
        )
    };
}

/// The item rule: hidden items do not exist for anyone who does not see the staff view.
pub fn check_item(access: &CourseAccess, hidden: bool) -> Result<(), AppError> {
    if !access.may_view_content() {
        return Err(AppError::Forbidden);
    }
    if hidden && !access.may_see_learners() {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Loads access and requires `allowed` (403 otherwise; 404 only when there is no such course).
pub async fn require(
    db: &Db,
    actor: &Actor,
    course_id: i64,
    allowed: impl Fn(&CourseAccess) -> bool,
) -> Result<CourseAccess, AppError> {
    let access = load(db, actor, course_id).await?;
    if allowed(&access) {
        Ok(access)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Access to one item: anyone who may see the course content, except learners when the item is
/// hidden (for them it does not exist); an item in the recycle bin exists for nobody. One query:
/// it runs on every quiz and player request.
pub async fn item_visible(
    db: &Db,
    actor: &Actor,
    course_id: i64,
    item_id: i64,
) -> Result<CourseAccess, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        state: String,
        role: Option<String>,
        hidden: bool,
    }
    let now = now();
    let row: Option<Row> = with_db!(db, |p| {
        sqlx::query_as(concat!(
            "SELECT c.state, e.role, i.hidden FROM items i JOIN courses c ON c.id = i.course_id",
            crate::active_enrolment_join!("$3", "$4"),
            " WHERE i.id = $1 AND i.course_id = $2 AND i.deleted_at IS NULL"
        ))
        .bind(item_id)
        .bind(course_id)
        .bind(actor.id)
        .bind(now)
        .fetch_optional(p)
        .await?
    });
    let row = row.ok_or(AppError::NotFound)?;
    let access = from_row(actor, course_id, &row.state, row.role.as_deref());
    check_item(&access, row.hidden)?;
    Ok(access)
}
