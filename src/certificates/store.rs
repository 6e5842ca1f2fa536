//! SQL for certificates: templates, which course issues which, and the certificates issued.

use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_db_write, with_tx};

#[derive(sqlx::FromRow)]
pub struct TemplateRow {
    pub id: i64,
    pub name: String,
    pub design: String,
    pub courses: i64,
    pub issued: i64,
}

const TEMPLATE_SELECT: &str = "SELECT t.id, t.name, t.design, \
    (SELECT COUNT(*) FROM course_certificates cc WHERE cc.template_id = t.id) \
      + (SELECT COUNT(*) FROM programme_certificates pc WHERE pc.template_id = t.id) AS courses, \
    (SELECT COUNT(*) FROM certificates c WHERE c.template_id = t.id) AS issued \
    FROM certificate_templates t";

/// Every template, by name (a site has a handful).
pub async fn templates(db: &Db) -> Result<Vec<TemplateRow>, AppError> {
    let sql = sqlx::AssertSqlSafe(format!("{TEMPLATE_SELECT} ORDER BY LOWER(t.name), t.id"));
    Ok(with_db!(db, |p| sqlx::query_as(sql).fetch_all(p).await?))
}

pub async fn template(db: &Db, id: i64) -> Result<Option<TemplateRow>, AppError> {
    let sql = sqlx::AssertSqlSafe(format!("{TEMPLATE_SELECT} WHERE t.id = $1"));
    Ok(with_db!(db, |p| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// Whether another template has this name (names are unique, ignoring case).
pub async fn name_taken(db: &Db, name: &str, except: Option<i64>) -> Result<bool, AppError> {
    let found: Option<i64> = with_db!(db, |p| sqlx::query_scalar(
        "SELECT id FROM certificate_templates WHERE LOWER(name) = LOWER($1) AND id <> $2"
    )
    .bind(name)
    .bind(except.unwrap_or(0))
    .fetch_optional(p)
    .await?);
    Ok(found.is_some())
}

pub async fn create_template(
    tx: &mut Tx,
    name: &str,
    design: &str,
    now: i64,
) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |p| sqlx::query_scalar(
        "INSERT INTO certificate_templates (name, design, created_at, updated_at) \
         VALUES ($1, $2, $3, $3) RETURNING id"
    )
    .bind(name)
    .bind(design)
    .bind(now)
    .fetch_one(p)
    .await?))
}

/// A template's name and design, its row locked until the transaction ends (PostgreSQL: `FOR
/// UPDATE`; SQLite's write transaction already keeps other writers out), so that changes made
/// at the same moment apply one after the other.
pub async fn lock_design(tx: &mut Tx, id: i64) -> Result<Option<(String, String)>, AppError> {
    const SQL: &str = "SELECT name, design FROM certificate_templates WHERE id = $1";
    Ok(match tx {
        Tx::Sqlite(c) => {
            sqlx::query_as(SQL)
                .bind(id)
                .fetch_optional(&mut **c)
                .await?
        }
        Tx::Postgres(c) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SQL} FOR UPDATE")))
                .bind(id)
                .fetch_optional(&mut **c)
                .await?
        }
    })
}

/// Every template's design (JSON), to see which images are still drawn.
pub async fn designs(tx: &mut Tx) -> Result<Vec<String>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT design FROM certificate_templates"
    )
    .fetch_all(c)
    .await?))
}

/// Saves a template; false when there is none with this id.
pub async fn update_template(
    tx: &mut Tx,
    id: i64,
    name: &str,
    design: &str,
    now: i64,
) -> Result<bool, AppError> {
    let n = with_tx!(tx, |p| sqlx::query(
        "UPDATE certificate_templates SET name = $2, design = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(name)
    .bind(design)
    .bind(now)
    .execute(p)
    .await?
    .rows_affected());
    Ok(n > 0)
}

/// Deletes a template no course issues and no certificate was drawn with; false otherwise.
pub async fn delete_unused_template(tx: &mut Tx, id: i64) -> Result<bool, AppError> {
    let n = with_tx!(tx, |p| sqlx::query(
        "DELETE FROM certificate_templates WHERE id = $1 \
         AND NOT EXISTS (SELECT 1 FROM course_certificates WHERE template_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM programme_certificates WHERE template_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM certificates WHERE template_id = $1)"
    )
    .bind(id)
    .execute(p)
    .await?
    .rows_affected());
    Ok(n > 0)
}

/// The template a course issues, if any.
pub async fn course_template(db: &Db, course_id: i64) -> Result<Option<i64>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT template_id FROM course_certificates WHERE course_id = $1"
    )
    .bind(course_id)
    .fetch_optional(p)
    .await?))
}

pub async fn set_course_template(
    db: &Db,
    course_id: i64,
    template_id: Option<i64>,
) -> Result<(), AppError> {
    match template_id {
        Some(t) => with_db_write!(db, |p| sqlx::query(
            "INSERT INTO course_certificates (course_id, template_id) VALUES ($1, $2) \
             ON CONFLICT (course_id) DO UPDATE SET template_id = excluded.template_id"
        )
        .bind(course_id)
        .bind(t)
        .execute(p)
        .await
        .map(|_| ())?),
        None => with_db_write!(db, |p| sqlx::query(
            "DELETE FROM course_certificates WHERE course_id = $1"
        )
        .bind(course_id)
        .execute(p)
        .await
        .map(|_| ())?),
    }
    Ok(())
}

/// What a new certificate records.
pub struct NewCertificate<'a> {
    pub number: &'a str,
    pub user_id: i64,
    pub course_id: Option<i64>,
    pub programme_id: Option<i64>,
    pub template_id: i64,
    pub recipient_name: &'a str,
    pub title: &'a str,
    pub grade: Option<&'a str>,
    pub completed_on: &'a str,
    pub expires_on: Option<&'a str>,
    pub issued_by: Option<i64>,
}

pub async fn insert(tx: &mut Tx, c: &NewCertificate<'_>, now: i64) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |conn| sqlx::query_scalar(
        "INSERT INTO certificates (number, user_id, course_id, template_id, recipient_name, title, \
         grade, completed_on, expires_on, issued_at, issued_by, programme_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id"
    )
    .bind(c.number)
    .bind(c.user_id)
    .bind(c.course_id)
    .bind(c.template_id)
    .bind(c.recipient_name)
    .bind(c.title)
    .bind(c.grade)
    .bind(c.completed_on)
    .bind(c.expires_on)
    .bind(now)
    .bind(c.issued_by)
    .bind(c.programme_id)
    .fetch_one(conn)
    .await?))
}

/// Whether the person already holds a certificate for this course's completion on that day (a
/// job run twice, or a completion recorded again, issues one).
pub async fn issued_for(
    tx: &mut Tx,
    user_id: i64,
    course_id: Option<i64>,
    programme_id: Option<i64>,
    completed_on: &str,
) -> Result<bool, AppError> {
    let found: Option<i64> = with_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT id FROM certificates WHERE (course_id = $1 OR programme_id = $4) AND user_id = $2 \
         AND completed_on = $3 AND revoked_at IS NULL"
    )
    .bind(course_id)
    .bind(user_id)
    .bind(completed_on)
    .bind(programme_id)
    .fetch_optional(c)
    .await?
    });
    Ok(found.is_some())
}

#[derive(sqlx::FromRow)]
pub struct CertificateRow {
    pub id: i64,
    pub number: String,
    pub user_id: i64,
    pub recipient_name: String,
    pub email: String,
    pub course_id: Option<i64>,
    pub template_id: i64,
    pub title: String,
    pub grade: Option<String>,
    pub completed_on: String,
    pub expires_on: Option<String>,
    pub issued_at: i64,
    pub issued_by: Option<String>,
    pub revoked_at: Option<i64>,
    pub revoke_reason: Option<String>,
}

const CERTIFICATE_SELECT: &str = "SELECT c.id, c.number, c.user_id, c.recipient_name, u.email, \
    c.course_id, c.template_id, c.title, c.grade, c.completed_on, c.expires_on, c.issued_at, \
    ib.name AS issued_by, c.revoked_at, c.revoke_reason \
    FROM certificates c JOIN users u ON u.id = c.user_id LEFT JOIN users ib ON ib.id = c.issued_by";

pub async fn by_number(db: &Db, number: &str) -> Result<Option<CertificateRow>, AppError> {
    let sql = sqlx::AssertSqlSafe(format!("{CERTIFICATE_SELECT} WHERE c.number = $1"));
    Ok(with_db!(db, |p| sqlx::query_as(sql)
        .bind(number)
        .fetch_optional(p)
        .await?))
}

/// A person's certificates, newest first (a person holds a few per course at most).
pub async fn of_user(db: &Db, user_id: i64) -> Result<Vec<CertificateRow>, AppError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{CERTIFICATE_SELECT} WHERE c.user_id = $1 ORDER BY c.issued_at DESC, c.id DESC"
    ));
    Ok(with_db!(db, |p| sqlx::query_as(sql)
        .bind(user_id)
        .fetch_all(p)
        .await?))
}

/// The filters of the administrators' list: `$1` search pattern (or empty), `$2` standing (or
/// empty), `$3` today (YYYY-MM-DD).
const FILTERS: &str = "WHERE ($1 = '' OR LOWER(c.recipient_name) LIKE $1 ESCAPE '\\' \
      OR LOWER(u.email) LIKE $1 ESCAPE '\\' OR LOWER(c.number) LIKE $1 ESCAPE '\\' \
      OR LOWER(c.title) LIKE $1 ESCAPE '\\') \
    AND ($2 = '' \
      OR ($2 = 'revoked' AND c.revoked_at IS NOT NULL) \
      OR ($2 = 'expired' AND c.revoked_at IS NULL AND c.expires_on <= $3) \
      OR ($2 = 'valid' AND c.revoked_at IS NULL AND (c.expires_on IS NULL OR c.expires_on > $3)))";

/// One page of the administrators' list, newest first, with the number of matches.
pub async fn page(
    db: &Db,
    search: &str,
    standing: &str,
    today: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CertificateRow>, i64), AppError> {
    let list = sqlx::AssertSqlSafe(format!(
        "{CERTIFICATE_SELECT} {FILTERS} ORDER BY c.issued_at DESC, c.id DESC LIMIT $4 OFFSET $5"
    ));
    let count = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM certificates c JOIN users u ON u.id = c.user_id {FILTERS}"
    ));
    Ok(with_db!(db, |p| {
        let rows = sqlx::query_as(list)
            .bind(search)
            .bind(standing)
            .bind(today)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await?;
        let total = sqlx::query_scalar(count)
            .bind(search)
            .bind(standing)
            .bind(today)
            .fetch_one(p)
            .await?;
        (rows, total)
    }))
}

/// Revokes a certificate not revoked yet; false when there is none such.
pub async fn revoke(db: &Db, id: i64, by: i64, reason: &str, now: i64) -> Result<bool, AppError> {
    let n = with_db_write!(db, |p| sqlx::query(
        "UPDATE certificates SET revoked_at = $2, revoked_by = $3, revoke_reason = $4 \
         WHERE id = $1 AND revoked_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .bind(by)
    .bind(reason)
    .execute(p)
    .await?
    .rows_affected());
    Ok(n > 0)
}

/// What a certificate issued for a course says about its holder and the course.
#[derive(sqlx::FromRow)]
pub struct Subject {
    pub recipient_name: String,
    pub title: String,
    pub completed_at: Option<i64>,
    /// The course total, as a percentage, when the course is graded.
    pub percent: Option<f64>,
}

/// The person's name, the course's title, when they completed it (if they did) and their total.
pub async fn subject(db: &Db, user_id: i64, course_id: i64) -> Result<Option<Subject>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT u.name AS recipient_name, co.title, e.completed_at, t.percent FROM users u \
         JOIN courses co ON co.id = $2 \
         LEFT JOIN enrolments e ON e.course_id = co.id AND e.user_id = u.id \
         LEFT JOIN course_totals t ON t.course_id = co.id AND t.user_id = u.id \
         WHERE u.id = $1"
    )
    .bind(user_id)
    .bind(course_id)
    .fetch_optional(p)
    .await?))
}

/// A site key's secret, if it was made.
pub async fn site_key(db: &Db, name: &str) -> Result<Option<String>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT secret FROM site_keys WHERE name = $1"
    )
    .bind(name)
    .fetch_optional(p)
    .await?))
}

/// Keeps a new site key unless another instance made one first (read it back after).
pub async fn add_site_key(db: &Db, name: &str, secret: &str, now: i64) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "INSERT INTO site_keys (name, secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING"
    )
    .bind(name)
    .bind(secret)
    .bind(now)
    .execute(p)
    .await
    .map(|_| ())?);
    Ok(())
}

/// A certificate whose holder is to be told it expires soon.
#[derive(sqlx::FromRow)]
pub struct Expiring {
    pub id: i64,
    pub user_id: i64,
    pub number: String,
    pub title: String,
    pub expires_on: String,
}

/// Certificates valid today (`$1`) that expire on or before `$2`, not revoked, not renewed (no
/// later certificate for the same course and person) and whose holder was not told yet.
pub async fn expiring(
    db: &Db,
    today: &str,
    until: &str,
    limit: i64,
) -> Result<Vec<Expiring>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT c.id, c.user_id, c.number, c.title, c.expires_on FROM certificates c \
         WHERE c.revoked_at IS NULL AND c.expiry_notified_at IS NULL \
         AND c.expires_on > $1 AND c.expires_on <= $2 \
         AND NOT EXISTS (SELECT 1 FROM certificates n WHERE n.user_id = c.user_id \
             AND n.course_id = c.course_id AND n.revoked_at IS NULL AND n.completed_on > c.completed_on) \
         ORDER BY c.id LIMIT $3"
    )
    .bind(today)
    .bind(until)
    .bind(limit)
    .fetch_all(p)
    .await?
    }))
}

/// Records that the holders of these certificates were told.
pub async fn mark_expiry_notified(tx: &mut Tx, ids: &[i64], now: i64) -> Result<(), AppError> {
    for id in ids {
        with_tx!(tx, |c| sqlx::query(
            "UPDATE certificates SET expiry_notified_at = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?);
    }
    Ok(())
}

/// The template a programme issues, if any.
pub async fn programme_template(db: &Db, programme_id: i64) -> Result<Option<i64>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT template_id FROM programme_certificates WHERE programme_id = $1"
    )
    .bind(programme_id)
    .fetch_optional(p)
    .await?))
}

/// Whether there is a programme with this id.
pub async fn programme_exists(db: &Db, programme_id: i64) -> Result<bool, AppError> {
    let found: Option<i64> = with_db!(db, |p| sqlx::query_scalar(
        "SELECT id FROM programmes WHERE id = $1"
    )
    .bind(programme_id)
    .fetch_optional(p)
    .await?);
    Ok(found.is_some())
}

pub async fn set_programme_template(
    db: &Db,
    programme_id: i64,
    template_id: Option<i64>,
) -> Result<(), AppError> {
    match template_id {
        Some(t) => with_db_write!(db, |p| sqlx::query(
            "INSERT INTO programme_certificates (programme_id, template_id) VALUES ($1, $2) \
             ON CONFLICT (programme_id) DO UPDATE SET template_id = excluded.template_id"
        )
        .bind(programme_id)
        .bind(t)
        .execute(p)
        .await
        .map(|_| ())?),
        None => with_db_write!(db, |p| sqlx::query(
            "DELETE FROM programme_certificates WHERE programme_id = $1"
        )
        .bind(programme_id)
        .execute(p)
        .await
        .map(|_| ())?),
    }
    Ok(())
}

/// The person's name, the programme's name and when they completed it (if they did).
pub async fn programme_subject(
    db: &Db,
    user_id: i64,
    programme_id: i64,
) -> Result<Option<Subject>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT u.name AS recipient_name, pr.name AS title, m.completed_at, \
         CAST(NULL AS DOUBLE PRECISION) AS percent FROM users u \
         JOIN programmes pr ON pr.id = $2 \
         LEFT JOIN programme_members m ON m.programme_id = pr.id AND m.user_id = u.id \
         WHERE u.id = $1"
    )
    .bind(user_id)
    .bind(programme_id)
    .fetch_optional(p)
    .await?))
}

// --- Images templates draw ---

pub async fn add_image(
    tx: &mut Tx,
    content_type: &str,
    (width, height): (u32, u32),
    data: &[u8],
    now: i64,
) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |p| sqlx::query_scalar(
        "INSERT INTO certificate_images (content_type, width, height, data, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(content_type)
    .bind(i64::from(width))
    .bind(i64::from(height))
    .bind(data)
    .bind(now)
    .fetch_one(p)
    .await?))
}

pub async fn delete_image(tx: &mut Tx, id: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM certificate_images WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// The images with these ids (type and bytes), in one query (a design names up to three).
pub async fn images(db: &Db, ids: &[i64]) -> Result<Vec<(i64, String, Vec<u8>)>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(with_db!(db, |p| {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT id, content_type, data FROM certificate_images WHERE id IN (",
        );
        let mut sep = qb.separated(", ");
        for id in ids {
            sep.push_bind(*id);
        }
        qb.push(")");
        qb.build_query_as().fetch_all(p).await
    })?)
}
