//! The LRS's SQL: clients, statements with their filter columns, activities, attachments and
//! documents.

use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_db_write, with_tx};

// ---- clients --------------------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClientRow {
    pub id: i64,
    pub name: String,
    pub key: String,
    pub secret_hash: String,
    pub scopes: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

pub async fn insert_client(
    tx: &mut Tx,
    name: &str,
    key: &str,
    secret_hash: &str,
    scopes: &str,
    created_by: i64,
    now: i64,
) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO xapi_clients (name, key, secret_hash, scopes, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(name)
    .bind(key)
    .bind(secret_hash)
    .bind(scopes)
    .bind(created_by)
    .bind(now)
    .fetch_one(c)
    .await?))
}

/// A live client by its key.
pub async fn client_by_key(db: &Db, key: &str) -> Result<Option<ClientRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT id, name, key, secret_hash, scopes, created_at, revoked_at FROM xapi_clients \
         WHERE key = $1 AND revoked_at IS NULL"
    )
    .bind(key)
    .fetch_optional(p)
    .await?))
}

/// One page of clients, newest first, revoked ones included (they stay on record).
pub async fn clients(db: &Db, limit: i64, offset: i64) -> Result<Vec<ClientRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT id, name, key, secret_hash, scopes, created_at, revoked_at FROM xapi_clients \
         ORDER BY id DESC LIMIT $1 OFFSET $2"
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(p)
    .await?))
}

pub async fn count_clients(db: &Db) -> Result<i64, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM xapi_clients"
    )
    .fetch_one(p)
    .await?))
}

/// Revokes a live client; whether there was one.
pub async fn revoke_client(tx: &mut Tx, id: i64, now: i64) -> Result<bool, AppError> {
    let done = with_tx!(tx, |c| sqlx::query(
        "UPDATE xapi_clients SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    Ok(done > 0)
}

// ---- statements -----------------------------------------------------------------------------

/// What a stored statement is filtered by.
pub struct NewStatement<'a> {
    pub id: &'a str,
    pub actor: &'a str,
    pub verb: &'a str,
    pub object_activity: Option<&'a str>,
    pub object_agent: Option<&'a str>,
    pub object_statement: Option<&'a str>,
    pub registration: Option<&'a str>,
    pub stored: i64,
    pub client_id: Option<i64>,
    pub statement: &'a str,
    pub related_activities: &'a [String],
    pub related_agents: &'a [String],
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatementRow {
    pub seq: i64,
    pub statement: String,
    pub voided: bool,
    pub client_id: Option<i64>,
}

pub async fn statement(db: &Db, id: &str) -> Result<Option<StatementRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT seq, statement, voided, client_id FROM xapi_statements WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await?))
}

/// The stored statements with these ids (for a batch: which are known already).
pub async fn statements_with_ids(
    tx: &mut Tx,
    ids: &[String],
) -> Result<Vec<(String, String)>, AppError> {
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String)> = with_tx!(tx, |c| {
            let mut query =
                sqlx::QueryBuilder::new("SELECT id, statement FROM xapi_statements WHERE id IN (");
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(id);
            }
            list.push_unseparated(")");
            query.build_query_as().fetch_all(c).await?
        });
        found.extend(rows);
    }
    Ok(found)
}

pub async fn insert_statement(tx: &mut Tx, s: &NewStatement<'_>) -> Result<i64, AppError> {
    let seq: i64 = with_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO xapi_statements (id, actor, verb, object_activity, object_agent, \
         object_statement, registration, stored, client_id, statement) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING seq"
    )
    .bind(s.id)
    .bind(s.actor)
    .bind(s.verb)
    .bind(s.object_activity)
    .bind(s.object_agent)
    .bind(s.object_statement)
    .bind(s.registration)
    .bind(s.stored)
    .bind(s.client_id)
    .bind(s.statement)
    .fetch_one(c)
    .await?);
    if !s.related_activities.is_empty() {
        with_tx!(tx, |c| {
            let mut query =
                sqlx::QueryBuilder::new("INSERT INTO xapi_statement_activities (activity, seq) ");
            query.push_values(s.related_activities, |mut row, activity| {
                row.push_bind(activity).push_bind(seq);
            });
            query.build().execute(c).await?;
        });
    }
    if !s.related_agents.is_empty() {
        with_tx!(tx, |c| {
            let mut query =
                sqlx::QueryBuilder::new("INSERT INTO xapi_statement_agents (agent, seq) ");
            query.push_values(s.related_agents, |mut row, agent| {
                row.push_bind(agent).push_bind(seq);
            });
            query.build().execute(c).await?;
        });
    }
    Ok(seq)
}

/// Voids a statement, unless it is itself a voiding statement (those cannot be voided).
pub async fn void(tx: &mut Tx, target: &str, voided_verb: &str) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE xapi_statements SET voided = TRUE WHERE id = $1 AND verb <> $2"
    )
    .bind(target)
    .bind(voided_verb)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// The filters of GET /statements, already turned into the stored keys.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub agent: Option<String>,
    pub related_agents: bool,
    pub verb: Option<String>,
    pub activity: Option<String>,
    pub related_activities: bool,
    pub registration: Option<String>,
    /// Stored after (exclusive), in microseconds.
    pub since: Option<i64>,
    /// Stored at or before, in microseconds.
    pub until: Option<i64>,
    pub ascending: bool,
    /// Continue after this `seq` (the `more` link).
    pub after: Option<i64>,
    /// Only what this client stored (`statements/read/mine`).
    pub stored_by: Option<i64>,
}

impl Filter {
    /// Whether it filters by what a statement says (not only by when it was stored).
    fn selects(&self) -> bool {
        self.agent.is_some()
            || self.verb.is_some()
            || self.activity.is_some()
            || self.registration.is_some()
    }
}

/// Appends `AND` conditions on what the statement `$alias` says (agent, verb, activity,
/// registration). A macro, not a function: each database's query builder is its own type.
macro_rules! push_selection {
    ($query:expr, $filter:expr, $alias:literal) => {{
        let (query, filter) = (&mut $query, $filter);
        if let Some(agent) = &filter.agent {
            if filter.related_agents {
                query.push(concat!(
                    " AND ",
                    $alias,
                    ".seq IN (SELECT seq FROM xapi_statement_agents WHERE agent = "
                ));
                query.push_bind(agent.clone()).push(")");
            } else {
                // Two index lookups: an OR of the two columns would scan the table.
                query.push(concat!(
                    " AND ",
                    $alias,
                    ".seq IN (SELECT seq FROM xapi_statements WHERE actor = "
                ));
                query.push_bind(agent.clone());
                query.push(" UNION ALL SELECT seq FROM xapi_statements WHERE object_agent = ");
                query.push_bind(agent.clone()).push(")");
            }
        }
        if let Some(verb) = &filter.verb {
            query
                .push(concat!(" AND ", $alias, ".verb = "))
                .push_bind(verb.clone());
        }
        if let Some(activity) = &filter.activity {
            if filter.related_activities {
                query.push(concat!(
                    " AND ",
                    $alias,
                    ".seq IN (SELECT seq FROM xapi_statement_activities WHERE activity = "
                ));
                query.push_bind(activity.clone()).push(")");
            } else {
                query.push(concat!(" AND ", $alias, ".object_activity = "));
                query.push_bind(activity.clone());
            }
        }
        if let Some(registration) = &filter.registration {
            query.push(concat!(" AND ", $alias, ".registration = "));
            query.push_bind(registration.clone());
        }
    }};
}

/// Appends the conditions on when `s` was stored and where the page starts.
macro_rules! push_window {
    ($query:expr, $filter:expr) => {{
        let (query, filter) = (&mut $query, $filter);
        if let Some(since) = filter.since {
            query.push(" AND s.stored > ").push_bind(since);
        }
        if let Some(until) = filter.until {
            query.push(" AND s.stored <= ").push_bind(until);
        }
        if let Some(client) = filter.stored_by {
            query.push(" AND s.client_id = ").push_bind(client);
        }
        if let Some(after) = filter.after {
            query.push(if filter.ascending {
                " AND s.seq > "
            } else {
                " AND s.seq < "
            });
            query.push_bind(after);
        }
    }};
}

/// A page of statements that are not voided, in the filter's order; `limit + 1` rows are read so
/// that the caller knows whether there are more. A statement that targets one the filter selects
/// (a StatementRef, such as a voiding statement, followed to any depth) is selected too, even
/// when its target is voided, as xAPI requires; since, until and the page apply to it alone.
///
/// With a selection the page is the union of two pages, each read along an index: the statements
/// selected, and those that target them (found from the few statements that target any, by the
/// partial index `xapi_statements_refs`; CROSS JOIN keeps SQLite's join order).
pub async fn query(db: &Db, filter: &Filter, limit: i64) -> Result<Vec<(i64, String)>, AppError> {
    let order = if filter.ascending {
        " ORDER BY s.seq ASC LIMIT "
    } else {
        " ORDER BY s.seq DESC LIMIT "
    };
    Ok(with_db!(db, |p| {
        let mut query = sqlx::QueryBuilder::new("");
        if filter.selects() {
            query.push(
                "WITH RECURSIVE refs (id, seq) AS (\
                 SELECT t.id, t.seq FROM xapi_statements t CROSS JOIN xapi_statements g \
                 WHERE t.object_statement IS NOT NULL AND g.id = t.object_statement",
            );
            push_selection!(query, filter, "g");
            query.push(
                " UNION SELECT t.id, t.seq FROM refs CROSS JOIN xapi_statements t \
                 WHERE t.object_statement = refs.id) \
                 SELECT s.seq, s.statement FROM xapi_statements s WHERE s.seq IN (\
                 SELECT seq FROM (SELECT s.seq FROM xapi_statements s WHERE s.voided = FALSE",
            );
            push_selection!(query, filter, "s");
            push_window!(query, filter);
            query.push(order).push_bind(limit + 1);
            query.push(
                ") selected UNION SELECT seq FROM (SELECT s.seq FROM xapi_statements s \
                 WHERE s.voided = FALSE AND s.seq IN (SELECT seq FROM refs)",
            );
            push_window!(query, filter);
            query.push(order).push_bind(limit + 1);
            query.push(") targeting)");
        } else {
            query.push("SELECT s.seq, s.statement FROM xapi_statements s WHERE s.voided = FALSE");
            push_window!(query, filter);
        }
        query.push(order).push_bind(limit + 1);
        query.build_query_as().fetch_all(p).await?
    }))
}

// ---- activities and attachments -------------------------------------------------------------

pub async fn put_activity(tx: &mut Tx, id: &str, definition: &str) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO xapi_activities (id, definition) VALUES ($1, $2) \
         ON CONFLICT (id) DO UPDATE SET definition = excluded.definition"
    )
    .bind(id)
    .bind(definition)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

pub async fn activity_in(tx: &mut Tx, id: &str) -> Result<Option<String>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT definition FROM xapi_activities WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?))
}

pub async fn activity(db: &Db, id: &str) -> Result<Option<String>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT definition FROM xapi_activities WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await?))
}

pub async fn put_attachment(
    tx: &mut Tx,
    sha2: &str,
    content_type: &str,
    content: &[u8],
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO xapi_attachments (sha2, content_type, content) VALUES ($1, $2, $3) \
         ON CONFLICT (sha2) DO NOTHING"
    )
    .bind(sha2)
    .bind(content_type)
    .bind(content)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// Attachments by hash: (sha2, content type, bytes).
pub async fn attachments(
    db: &Db,
    hashes: &[String],
) -> Result<Vec<(String, String, Vec<u8>)>, AppError> {
    if hashes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(with_db!(db, |p| {
        let mut query = sqlx::QueryBuilder::new(
            "SELECT sha2, content_type, content FROM xapi_attachments WHERE sha2 IN (",
        );
        let mut list = query.separated(", ");
        for hash in hashes {
            list.push_bind(hash);
        }
        list.push_unseparated(")");
        query.build_query_as().fetch_all(p).await?
    }))
}

// ---- documents ------------------------------------------------------------------------------

/// Which document: state (activity, agent, registration), activity profile (activity) or agent
/// profile (agent); what does not apply is ''.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocKey {
    pub kind: &'static str,
    pub activity: String,
    pub agent: String,
    pub registration: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocRow {
    pub content_type: String,
    pub content: Vec<u8>,
    pub etag: String,
    pub updated: i64,
}

pub async fn document(db: &Db, key: &DocKey, doc_id: &str) -> Result<Option<DocRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT content_type, content, etag, updated FROM xapi_documents \
         WHERE kind = $1 AND activity = $2 AND agent = $3 AND registration = $4 AND doc_id = $5"
    )
    .bind(key.kind)
    .bind(&key.activity)
    .bind(&key.agent)
    .bind(&key.registration)
    .bind(doc_id)
    .fetch_optional(p)
    .await?))
}

/// The same, inside a transaction that is about to change it.
pub async fn document_in(
    tx: &mut Tx,
    key: &DocKey,
    doc_id: &str,
) -> Result<Option<DocRow>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_as(
        "SELECT content_type, content, etag, updated FROM xapi_documents \
         WHERE kind = $1 AND activity = $2 AND agent = $3 AND registration = $4 AND doc_id = $5"
    )
    .bind(key.kind)
    .bind(&key.activity)
    .bind(&key.agent)
    .bind(&key.registration)
    .bind(doc_id)
    .fetch_optional(c)
    .await?))
}

/// The ids of the documents under a key, changed after `since` (microseconds) if given.
pub async fn document_ids(
    db: &Db,
    key: &DocKey,
    since: Option<i64>,
) -> Result<Vec<String>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT doc_id FROM xapi_documents \
         WHERE kind = $1 AND activity = $2 AND agent = $3 AND registration = $4 AND updated > $5 \
         ORDER BY doc_id LIMIT 10000"
    )
    .bind(key.kind)
    .bind(&key.activity)
    .bind(&key.agent)
    .bind(&key.registration)
    .bind(since.unwrap_or(i64::MIN))
    .fetch_all(p)
    .await?))
}

pub struct DocWrite<'a> {
    pub content_type: &'a str,
    pub content: &'a [u8],
    pub etag: &'a str,
    pub updated: i64,
}

/// Stores a new document; false when one appeared meanwhile (another client was first).
pub async fn insert_document(
    tx: &mut Tx,
    key: &DocKey,
    doc_id: &str,
    doc: &DocWrite<'_>,
) -> Result<bool, AppError> {
    let done = with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO xapi_documents (kind, activity, agent, registration, doc_id, content_type, \
         content, etag, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (kind, activity, agent, registration, doc_id) DO NOTHING"
    )
    .bind(key.kind)
    .bind(&key.activity)
    .bind(&key.agent)
    .bind(&key.registration)
    .bind(doc_id)
    .bind(doc.content_type)
    .bind(doc.content)
    .bind(doc.etag)
    .bind(doc.updated)
    .execute(c)
    .await?
    .rows_affected()
    });
    Ok(done > 0)
}

/// Replaces a document that still has the ETag read; false when it changed meanwhile.
pub async fn replace_document(
    tx: &mut Tx,
    key: &DocKey,
    doc_id: &str,
    read_etag: &str,
    doc: &DocWrite<'_>,
) -> Result<bool, AppError> {
    let done = with_tx!(tx, |c| sqlx::query(
        "UPDATE xapi_documents SET content_type = $1, content = $2, etag = $3, updated = $4 \
         WHERE kind = $5 AND activity = $6 AND agent = $7 AND registration = $8 AND doc_id = $9 \
         AND etag = $10"
    )
    .bind(doc.content_type)
    .bind(doc.content)
    .bind(doc.etag)
    .bind(doc.updated)
    .bind(key.kind)
    .bind(&key.activity)
    .bind(&key.agent)
    .bind(&key.registration)
    .bind(doc_id)
    .bind(read_etag)
    .execute(c)
    .await?
    .rows_affected());
    Ok(done > 0)
}

/// Deletes one document, or every one under the key when `doc_id` is `None` (state only).
pub async fn delete_documents(
    db: &Db,
    key: &DocKey,
    doc_id: Option<&str>,
) -> Result<u64, AppError> {
    Ok(with_db_write!(db, |p| sqlx::query(
        "DELETE FROM xapi_documents WHERE kind = $1 AND activity = $2 AND agent = $3 \
         AND registration = $4 AND ($5 IS NULL OR doc_id = $5)"
    )
    .bind(key.kind)
    .bind(&key.activity)
    .bind(&key.agent)
    .bind(&key.registration)
    .bind(doc_id)
    .execute(p)
    .await?
    .rows_affected()))
}
