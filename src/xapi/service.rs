//! The LRS's use cases: who is calling (a client's credentials and scopes), storing and reading
//! statements, and the documents (state, activity and agent profiles) with their concurrency rules.

use super::agent::agent_key;
use super::delegate::{self, Binding, Delegate};
use super::format::{Format, format};
use super::multipart::Part;
use super::signature;
use super::statement::{Invalid, Prepared, Version, prepare, same_statement};
use super::store::{self, DocKey, DocRow, Filter};
use crate::auth::tokens;
use crate::db::{Tx, now};
use crate::error::{AppError, OrInternal};
use crate::state::AppState;
use serde_json::{Map, Value, json};

pub const VOIDED: &str = "http://adlnet.gov/expapi/verbs/voided";

/// The most statements one GET returns (a client may ask for fewer with `limit`).
pub const PAGE_MAX: i64 = 500;

/// Why the LRS refuses a request, each with the status xAPI names for it.
#[derive(Debug)]
pub enum Refusal {
    /// 400
    Bad(String),
    /// 401: no or wrong credentials.
    Unauthorized,
    /// 403: the client's scopes do not cover it.
    Forbidden,
    /// 403: a delegate refused what was sent under its credentials (a cmi5 rule), saying why.
    Rejected(String),
    /// 404
    NotFound,
    /// 409: a statement id taken by another statement; a document changed without a precondition.
    Conflict(String),
    /// 412: If-Match / If-None-Match not met.
    Precondition(String),
    App(AppError),
}

impl From<AppError> for Refusal {
    fn from(err: AppError) -> Self {
        Refusal::App(err)
    }
}

impl From<Invalid> for Refusal {
    fn from(err: Invalid) -> Self {
        Refusal::Bad(err.0)
    }
}

fn bad(message: impl Into<String>) -> Refusal {
    Refusal::Bad(message.into())
}

// ---- clients and scopes ---------------------------------------------------------------------

/// What a request needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    WriteStatements,
    ReadStatements,
    /// Reading the statements it stored itself (`statements/read/mine`) will do.
    ReadOwnStatements,
    State {
        write: bool,
    },
    Profile {
        write: bool,
    },
    Define,
}

/// Who is calling /xapi.
#[derive(Debug, Clone)]
pub struct Client {
    /// The client's row; `None` for delegated credentials.
    pub id: Option<i64>,
    pub name: String,
    pub key: String,
    pub scopes: Vec<String>,
    /// For delegated credentials: who they act for and who checks what they send.
    pub bound: Option<Bound>,
}

/// A delegated client's binding and the delegate that handed it out.
#[derive(Clone)]
pub struct Bound {
    pub delegate: std::sync::Arc<dyn Delegate>,
    pub binding: Binding,
}

impl std::fmt::Debug for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bound")
            .field("delegate", &self.delegate.prefix())
            .field("binding", &self.binding)
            .finish()
    }
}

impl Client {
    pub fn may(&self, need: Need) -> bool {
        let has = |scope: &str| self.scopes.iter().any(|s| s == scope);
        if has("all") {
            return true;
        }
        let read = has("all/read");
        match need {
            Need::WriteStatements => has("statements/write"),
            Need::ReadStatements => read || has("statements/read"),
            Need::ReadOwnStatements => {
                read || has("statements/read") || has("statements/read/mine")
            }
            Need::State { write } => has("state") || (!write && read),
            Need::Profile { write } => has("profile") || (!write && read),
            Need::Define => has("define") || read,
        }
    }

    /// `Some(id)` when the client may read only the statements it stored: its own id.
    fn reads_only_own(&self) -> Option<i64> {
        if self.may(Need::ReadStatements) {
            None
        } else {
            self.id
        }
    }

    fn require(&self, need: Need) -> Result<(), Refusal> {
        if self.may(need) {
            Ok(())
        } else {
            Err(Refusal::Forbidden)
        }
    }

    /// A document request: the scope, and for delegated credentials only their own learner's
    /// documents (state of their activity and registration; agent profiles), read-only states
    /// never written.
    fn require_document(&self, target: &DocTarget, write: bool) -> Result<(), Refusal> {
        self.require(target.need(write))?;
        let Some(bound) = &self.bound else {
            return Ok(());
        };
        let b = &bound.binding;
        let own = match target.key.kind {
            "state" => {
                target.key.agent == b.actor_key
                    && target.key.activity == b.activity_id
                    && target.key.registration == b.registration
            }
            "agent_profile" => target.key.agent == b.actor_key,
            _ => false,
        };
        let read_only = target.key.kind == "state"
            && target
                .doc_id
                .as_deref()
                .is_some_and(|id| b.read_only_states.contains(&id));
        if !own || (write && (read_only || target.doc_id.is_none())) {
            return Err(Refusal::Forbidden);
        }
        Ok(())
    }

    /// The authority the LRS writes on the client's statements: the client as an account of
    /// this site.
    pub fn authority(&self, state: &AppState) -> Value {
        // The LMS vouches for the credentials it handed out.
        if self.bound.is_some() {
            return lms_authority(state);
        }
        json!({
            "objectType": "Agent",
            "name": self.name,
            "account": {"homePage": state.config.origin(), "name": self.key},
        })
    }
}

/// The client behind an `Authorization: Basic key:secret` header.
pub async fn client_for(state: &AppState, authorization: Option<&str>) -> Result<Client, Refusal> {
    use base64::{Engine, engine::general_purpose::STANDARD};
    let Some(encoded) = authorization.and_then(|v| v.strip_prefix("Basic ")) else {
        return Err(Refusal::Unauthorized);
    };
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(Refusal::Unauthorized)?;
    let Some((key, secret)) = decoded.split_once(':') else {
        return Err(Refusal::Unauthorized);
    };
    let Some(row) = store::client_by_key(&state.db, key).await? else {
        return delegated(state, key, secret).await;
    };
    if tokens::hash(secret) != row.secret_hash {
        return Err(Refusal::Unauthorized);
    }
    Ok(Client {
        id: Some(row.id),
        name: row.name,
        key: row.key,
        scopes: row.scopes.split_whitespace().map(str::to_string).collect(),
        bound: None,
    })
}

/// Credentials another area handed out: they write statements and their learner's state and
/// profile, nothing else.
async fn delegated(state: &AppState, key: &str, secret: &str) -> Result<Client, Refusal> {
    let Some(delegate) = delegate::find(key) else {
        return Err(Refusal::Unauthorized);
    };
    let Some(binding) = delegate.authenticate(state, key, secret).await? else {
        return Err(Refusal::Unauthorized);
    };
    Ok(Client {
        id: None,
        name: delegate.prefix().trim_end_matches('.').to_string(),
        key: key.to_string(),
        scopes: ["statements/write", "state", "profile"]
            .map(str::to_string)
            .to_vec(),
        bound: Some(Bound { delegate, binding }),
    })
}

/// The authority on the statements the LMS records itself (cmi5's launched, satisfied, …).
pub fn lms_authority(state: &AppState) -> Value {
    json!({
        "objectType": "Agent",
        "name": "Lyceum",
        "account": {"homePage": state.config.origin(), "name": "lyceum"},
    })
}

/// Microseconds since the epoch, on the site's clock (the end-to-end tests move it).
pub fn now_micros() -> i64 {
    let sub = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::from(d.subsec_micros()))
        .unwrap_or(0);
    now() * 1_000_000 + sub
}

fn utc(micros: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// An xAPI timestamp as the LRS writes it (RFC 3339, UTC, milliseconds).
pub fn timestamp(micros: i64) -> String {
    utc(micros).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A timestamp parameter (`since`, `until`) in microseconds.
pub fn parse_timestamp(name: &str, text: &str) -> Result<i64, Refusal> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_micros())
        .map_err(|_| bad(format!("{name}: not an RFC 3339 timestamp: {text}")))
}

// ---- statements -----------------------------------------------------------------------------

/// Stores statements (one POST or PUT): all of them or none. A statement whose id is stored
/// already with the same content is not stored again; with other content the whole request is
/// refused (409). Returns the ids in the order sent.
pub async fn store_statements(
    state: &AppState,
    client: &Client,
    version: Version,
    statements: Vec<Value>,
    parts: Vec<Part>,
) -> Result<Vec<String>, Refusal> {
    client.require(Need::WriteStatements)?;
    check_attachments(&statements, &parts)?;
    let stored = now_micros();
    // A delegate checks them as they arrived, before the LRS fills anything in.
    let sent = client.bound.as_ref().map(|_| statements.clone());
    let prepared = prepare_all(statements, version, &client.authority(state), stored)?;
    let ids: Vec<String> = prepared.iter().map(|p| p.id.clone()).collect();

    let mut tx = state.db.begin().await.map_err(AppError::from)?;
    for part in &parts {
        store::put_attachment(&mut tx, &part.hash, &part.content_type, &part.body).await?;
    }
    let lms = match (&client.bound, sent) {
        (Some(bound), Some(sent)) => {
            // A request sent again (a retry after a dropped connection) stores nothing new, so
            // the delegate checks only the statements not stored yet.
            let stored: std::collections::HashSet<String> =
                store::statements_with_ids(&mut tx, &ids)
                    .await?
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect();
            let fresh: Vec<Value> = sent
                .into_iter()
                .zip(&ids)
                .filter(|(_, id)| !stored.contains(*id))
                .map(|(statement, _)| statement)
                .collect();
            if fresh.is_empty() {
                Vec::new()
            } else {
                bound
                    .delegate
                    .admit(&mut tx, state, &bound.binding, &fresh)
                    .await?
            }
        }
        _ => Vec::new(),
    };
    insert_prepared(&mut tx, &prepared, stored, client.id).await?;
    if !lms.is_empty() {
        let lms = prepare_all(lms, version, &lms_authority(state), stored)?;
        insert_prepared(&mut tx, &lms, stored, None).await?;
    }
    tx.commit().await.map_err(AppError::from)?;
    Ok(ids)
}

/// Statements the LMS records itself (cmi5's launched, satisfied, abandoned), in the caller's
/// transaction, with the LMS as their authority.
pub async fn record_lms_statements(
    tx: &mut Tx,
    state: &AppState,
    statements: Vec<Value>,
) -> Result<(), Refusal> {
    let stored = now_micros();
    let prepared = prepare_all(statements, Version::V1, &lms_authority(state), stored)?;
    insert_prepared(tx, &prepared, stored, None).await
}

/// Validates and completes statements (id, timestamp, stored, authority); refuses a request that
/// names one id twice.
fn prepare_all(
    statements: Vec<Value>,
    version: Version,
    authority: &Value,
    stored: i64,
) -> Result<Vec<Prepared>, Refusal> {
    let mut prepared: Vec<Prepared> = Vec::with_capacity(statements.len());
    for (i, statement) in statements.into_iter().enumerate() {
        let p = prepare(statement, version, authority, utc(stored))
            .map_err(|e| bad(format!("statement {}: {}", i + 1, e.0)))?;
        if prepared.iter().any(|q| q.id == p.id) {
            return Err(bad(format!(
                "statement {}: the id {} is sent twice",
                i + 1,
                p.id
            )));
        }
        prepared.push(p);
    }
    Ok(prepared)
}

/// Stores prepared statements in the transaction: all of them or none. One whose id is stored
/// already with the same content is not stored again; with other content, 409.
async fn insert_prepared(
    tx: &mut Tx,
    prepared: &[Prepared],
    stored: i64,
    client_id: Option<i64>,
) -> Result<(), Refusal> {
    let ids: Vec<String> = prepared.iter().map(|p| p.id.clone()).collect();
    let targets: Vec<String> = prepared
        .iter()
        .filter_map(|p| p.keys.voids.clone())
        .collect();
    let known: std::collections::HashMap<String, String> = store::statements_with_ids(tx, &ids)
        .await?
        .into_iter()
        .collect();
    // A voiding statement may not void another voiding statement (one sent now or stored).
    let stored_targets = store::statements_with_ids(tx, &targets).await?;
    for target in &targets {
        let voiding_now = prepared
            .iter()
            .any(|p| &p.id == target && p.keys.voids.is_some());
        let voiding_stored = stored_targets.iter().any(|(id, text)| {
            id == target
                && serde_json::from_str::<Value>(text)
                    .ok()
                    .and_then(|v| {
                        v.pointer("/verb/id")
                            .and_then(Value::as_str)
                            .map(|s| s == VOIDED)
                    })
                    .unwrap_or(false)
        });
        if voiding_now || voiding_stored {
            return Err(bad(format!(
                "object.id: {target} is a voiding statement, which cannot be voided"
            )));
        }
    }
    let mut seqs = Vec::with_capacity(prepared.len());
    for p in prepared {
        if let Some(existing) = known.get(&p.id) {
            let existing: Value =
                serde_json::from_str(existing).or_internal("a stored statement is not JSON")?;
            if same_statement(&existing, &p.statement) {
                continue;
            }
            return Err(Refusal::Conflict(format!(
                "A different statement with the id {} is stored already.",
                p.id
            )));
        }
        let text = p.statement.to_string();
        let seq = store::insert_statement(
            tx,
            &store::NewStatement {
                id: &p.id,
                actor: &p.keys.actor,
                verb: &p.keys.verb,
                object_activity: p.keys.object_activity.as_deref(),
                object_agent: p.keys.object_agent.as_deref(),
                object_statement: p.keys.object_statement.as_deref(),
                registration: p.keys.registration.as_deref(),
                stored,
                client_id,
                statement: &text,
                related_activities: &p.keys.related_activities,
                related_agents: &p.keys.related_agents,
            },
        )
        .await?;
        seqs.push(seq);
        if let Some(target) = &p.keys.voids {
            store::void(tx, target, VOIDED).await?;
        }
        // The activity's definition as last sent (GET /activities).
        if let Some(activity) = p.statement.get("object").filter(|o| {
            o.get("objectType")
                .and_then(Value::as_str)
                .unwrap_or("Activity")
                == "Activity"
        }) && let (Some(id), Some(definition)) = (
            activity.get("id").and_then(Value::as_str),
            activity.get("definition"),
        ) {
            let known = store::activity_in(tx, id)
                .await?
                .and_then(|text| serde_json::from_str::<Value>(&text).ok());
            let merged = merge_definition(known, definition);
            store::put_activity(tx, id, &merged.to_string()).await?;
        }
    }
    super::forward::queue(tx, &seqs).await?;
    Ok(())
}

/// The attachments' content sent with statements: each attachment without a `fileUrl` has its
/// part, each part belongs to an attachment and holds what its hash says, and a signature is a
/// JWS of its statement.
fn check_attachments(statements: &[Value], parts: &[Part]) -> Result<(), Refusal> {
    use sha2::{Digest, Sha256};
    let mut named = std::collections::HashSet::new();
    for (i, statement) in statements.iter().enumerate() {
        let list = statement.get("attachments").and_then(Value::as_array);
        for attachment in list.into_iter().flatten() {
            let Some(sha2) = attachment.get("sha2").and_then(Value::as_str) else {
                continue; // validation names it
            };
            let sha2 = sha2.to_ascii_lowercase();
            let part = parts.iter().find(|p| p.hash == sha2);
            let usage = attachment.get("usageType").and_then(Value::as_str);
            if usage == Some(signature::USAGE) {
                let content_type = attachment.get("contentType").and_then(Value::as_str);
                if content_type != Some("application/octet-stream") {
                    return Err(bad(format!(
                        "statement {}: a signature's contentType is application/octet-stream",
                        i + 1
                    )));
                }
                let Some(part) = part else {
                    return Err(bad(format!(
                        "statement {}: the signature is not attached",
                        i + 1
                    )));
                };
                signature::check(statement, &part.body)
                    .map_err(|e| bad(format!("statement {}: {}", i + 1, e.0)))?;
            }
            if part.is_none() && attachment.get("fileUrl").is_none() {
                return Err(bad(format!(
                    "statement {}: attachment {sha2} has no fileUrl and its content was not sent",
                    i + 1
                )));
            }
            named.insert(sha2);
        }
    }
    for part in parts {
        if !named.contains(&part.hash) {
            return Err(bad(format!(
                "A part with hash {} belongs to no attachment of the statements.",
                part.hash
            )));
        }
        let actual: String = Sha256::digest(&part.body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if actual != part.hash {
            return Err(bad(format!(
                "The part with hash {} holds other content (its SHA-256 is {actual}).",
                part.hash
            )));
        }
    }
    Ok(())
}

/// The content of the attachments these statements name, for a GET with `attachments=true`.
pub async fn attachments_of(state: &AppState, statements: &[Value]) -> Result<Vec<Part>, Refusal> {
    let mut hashes: Vec<String> = statements
        .iter()
        .filter_map(|s| s.get("attachments").and_then(Value::as_array))
        .flatten()
        .filter_map(|a| a.get("sha2").and_then(Value::as_str))
        .map(str::to_ascii_lowercase)
        .collect();
    hashes.sort();
    hashes.dedup();
    Ok(store::attachments(&state.db, &hashes)
        .await?
        .into_iter()
        .map(|(hash, content_type, body)| Part {
            content_type,
            hash,
            body,
        })
        .collect())
}

/// What the LRS knows of an activity: the last definition sent, with the languages of its name
/// and description (and its extensions) gathered from every statement that defined it.
fn merge_definition(known: Option<Value>, sent: &Value) -> Value {
    let mut merged = known
        .and_then(|k| k.as_object().cloned())
        .unwrap_or_default();
    let Some(sent) = sent.as_object() else {
        return Value::Object(merged);
    };
    for (key, value) in sent {
        let gathered = matches!(key.as_str(), "name" | "description" | "extensions");
        match (merged.get_mut(key), value) {
            (Some(Value::Object(old)), Value::Object(new)) if gathered => {
                old.extend(new.clone());
            }
            _ => {
                merged.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(merged)
}

/// PUT /statements?statementId=: the statement's own id, if it names one, must be the same.
pub async fn put_statement(
    state: &AppState,
    client: &Client,
    version: Version,
    id: &str,
    mut statement: Value,
    parts: Vec<Part>,
) -> Result<(), Refusal> {
    let Some(object) = statement.as_object_mut() else {
        return Err(bad("A PUT sends one statement, a JSON object."));
    };
    if let Some(own) = object.get("id") {
        if own.as_str().is_none_or(|own| !own.eq_ignore_ascii_case(id)) {
            return Err(bad("id: differs from the statementId parameter"));
        }
    } else {
        object.insert("id".to_string(), Value::String(id.to_string()));
    }
    store_statements(state, client, version, vec![statement], parts).await?;
    Ok(())
}

/// One statement by id: `voided` asks for a voided one (voidedStatementId), else one that is not.
pub async fn statement(
    state: &AppState,
    client: &Client,
    id: &str,
    voided: bool,
    shape: Format,
    languages: &[String],
) -> Result<Value, Refusal> {
    client.require(Need::ReadOwnStatements)?;
    let own = client.reads_only_own();
    let row = store::statement(&state.db, &id.to_ascii_lowercase())
        .await?
        .filter(|row| row.voided == voided)
        .filter(|row| own.is_none_or(|id| row.client_id == Some(id)))
        .ok_or(Refusal::NotFound)?;
    let value: Value =
        serde_json::from_str(&row.statement).or_internal("a stored statement is not JSON")?;
    Ok(format(&value, shape, languages))
}

/// A page of statements and, when there are more, the `seq` to continue after.
pub struct Page {
    pub statements: Vec<Value>,
    pub next: Option<i64>,
}

pub async fn statements(
    state: &AppState,
    client: &Client,
    filter: &Filter,
    limit: i64,
    shape: Format,
    languages: &[String],
) -> Result<Page, Refusal> {
    client.require(Need::ReadOwnStatements)?;
    let filter = &Filter {
        stored_by: client.reads_only_own(),
        ..filter.clone()
    };
    let limit = if limit <= 0 {
        PAGE_MAX
    } else {
        limit.min(PAGE_MAX)
    };
    let mut rows = store::query(&state.db, filter, limit).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if more {
        rows.last().map(|(seq, _)| *seq)
    } else {
        None
    };
    let statements = rows
        .iter()
        .map(|(_, text)| {
            serde_json::from_str::<Value>(text)
                .or_internal("a stored statement is not JSON")
                .map(|v| format(&v, shape, languages))
        })
        .collect::<Result<_, _>>()?;
    Ok(Page { statements, next })
}

/// The agent parameter's key, or a 400 naming the problem.
pub fn agent_param(text: &str) -> Result<String, Refusal> {
    let value: Value = serde_json::from_str(text).map_err(|_| bad("agent: not a JSON object"))?;
    agent_key(&value).map_err(|e| bad(format!("agent: {}", e.0)))
}

// ---- activities and agents ------------------------------------------------------------------

pub async fn activity(state: &AppState, client: &Client, id: &str) -> Result<Value, Refusal> {
    client.require(Need::Define)?;
    let mut activity = json!({"objectType": "Activity", "id": id});
    if let Some(definition) = store::activity(&state.db, id).await?
        && let Ok(definition) = serde_json::from_str::<Value>(&definition)
        && let Some(object) = activity.as_object_mut()
    {
        object.insert("definition".to_string(), definition);
    }
    Ok(activity)
}

pub fn person(client: &Client, agent: &Value) -> Result<Value, Refusal> {
    client.require(Need::Define)?;
    agent_key(agent).map_err(|e| bad(format!("agent: {}", e.0)))?;
    Ok(super::agent::person(agent))
}

// ---- documents ------------------------------------------------------------------------------

/// What a document request names.
#[derive(Debug, Clone)]
pub struct DocTarget {
    pub key: DocKey,
    pub doc_id: Option<String>,
}

impl DocTarget {
    fn need(&self, write: bool) -> Need {
        if self.key.kind == "state" {
            Need::State { write }
        } else {
            Need::Profile { write }
        }
    }
}

/// If-Match / If-None-Match as sent.
#[derive(Debug, Clone, Default)]
pub struct Preconditions {
    pub if_match: Option<String>,
    pub if_none_match: Option<String>,
}

impl Preconditions {
    fn given(&self) -> bool {
        self.if_match.is_some() || self.if_none_match.is_some()
    }

    /// Whether the stored document (if any) meets them.
    fn check(&self, current: Option<&DocRow>) -> Result<(), Refusal> {
        let lists = |header: &str, etag: &str| {
            header
                .split(',')
                .map(|t| t.trim().trim_start_matches("W/").trim_matches('"'))
                .any(|t| t == "*" || t == etag.trim_matches('"'))
        };
        if let Some(header) = &self.if_match {
            let met = current.is_some_and(|doc| lists(header, &doc.etag));
            if !met {
                return Err(Refusal::Precondition(
                    "If-Match: the document has changed (or does not exist).".to_string(),
                ));
            }
        }
        if let Some(header) = &self.if_none_match
            && let Some(doc) = current
            && lists(header, &doc.etag)
        {
            return Err(Refusal::Precondition(
                "If-None-Match: the document exists already.".to_string(),
            ));
        }
        Ok(())
    }
}

/// A document's ETag: the SHA-1 of its content in hex, quoted (what xAPI clients and the
/// conformance suite expect; it names a version, it protects nothing).
pub fn etag_of(content: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    let digest = Sha1::digest(content);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

pub enum DocAnswer {
    One(DocRow),
    Ids(Vec<String>),
}

pub async fn get_document(
    state: &AppState,
    client: &Client,
    target: &DocTarget,
    since: Option<i64>,
) -> Result<DocAnswer, Refusal> {
    client.require_document(target, false)?;
    match &target.doc_id {
        Some(doc_id) => store::document(&state.db, &target.key, doc_id)
            .await?
            .map(DocAnswer::One)
            .ok_or(Refusal::NotFound),
        None => Ok(DocAnswer::Ids(
            store::document_ids(&state.db, &target.key, since).await?,
        )),
    }
}

/// PUT replaces a document; POST merges a JSON object into a stored JSON object (or stores it).
/// Profiles (and, in xAPI 2.0, state too) may only be replaced with a precondition when they
/// exist (409 otherwise), so that two clients do not overwrite each other unknowingly.
#[allow(clippy::too_many_arguments)]
pub async fn write_document(
    state: &AppState,
    client: &Client,
    version: Version,
    target: &DocTarget,
    merge: bool,
    preconditions: &Preconditions,
    content_type: &str,
    content: &[u8],
) -> Result<String, Refusal> {
    client.require_document(target, true)?;
    let Some(doc_id) = &target.doc_id else {
        return Err(bad(if target.key.kind == "state" {
            "stateId: missing"
        } else {
            "profileId: missing"
        }));
    };
    let json_sent = is_json(content_type);
    if merge && json_sent && !serde_json::from_slice::<Value>(content).is_ok_and(|v| v.is_object())
    {
        return Err(bad("A POST of a JSON document sends a JSON object."));
    }
    let mut tx = state.db.begin().await.map_err(AppError::from)?;
    let current = store::document_in(&mut tx, &target.key, doc_id).await?;
    preconditions.check(current.as_ref())?;
    let must_have_precondition = target.key.kind != "state" || version == Version::V2;
    if !merge && !preconditions.given() && must_have_precondition {
        if current.is_some() {
            return Err(Refusal::Conflict(
                "The document exists: send If-Match with its ETag (or If-None-Match: *)."
                    .to_string(),
            ));
        }
        // xAPI 1.0.3 asks for a precondition on every PUT of a profile, new ones too.
        if version == Version::V1 && target.key.kind != "state" {
            return Err(bad(
                "A PUT of a profile sends If-None-Match: * (new) or If-Match with its ETag.",
            ));
        }
    }
    let (content_type, content): (String, Vec<u8>) = match (&current, merge) {
        (Some(old), true) => {
            if !json_sent || !is_json(&old.content_type) {
                return Err(bad(
                    "A POST merges JSON objects: the stored document and the one sent must both be application/json.",
                ));
            }
            let mut merged: Map<String, Value> = serde_json::from_slice::<Value>(&old.content)
                .ok()
                .and_then(|v| v.as_object().cloned())
                .ok_or_else(|| bad("The stored document is not a JSON object."))?;
            if let Ok(Value::Object(sent)) = serde_json::from_slice::<Value>(content) {
                merged.extend(sent);
            }
            (
                "application/json".to_string(),
                Value::Object(merged).to_string().into_bytes(),
            )
        }
        _ => (content_type.to_string(), content.to_vec()),
    };
    let etag = etag_of(&content);
    let doc = store::DocWrite {
        content_type: &content_type,
        content: &content,
        etag: &etag,
        updated: now_micros(),
    };
    // Written only if nobody changed it since it was read (optimistic, on both databases).
    let written = match &current {
        Some(old) => store::replace_document(&mut tx, &target.key, doc_id, &old.etag, &doc).await?,
        None => store::insert_document(&mut tx, &target.key, doc_id, &doc).await?,
    };
    if !written {
        return Err(Refusal::Precondition(
            "The document changed while it was being written: read it again.".to_string(),
        ));
    }
    tx.commit().await.map_err(AppError::from)?;
    Ok(etag)
}

/// A state document the LMS writes itself (cmi5's `LMS.LaunchData`), in the caller's
/// transaction: it replaces whatever is there.
pub async fn put_lms_document(
    tx: &mut Tx,
    key: &DocKey,
    doc_id: &str,
    content: &Value,
) -> Result<(), Refusal> {
    let content = content.to_string().into_bytes();
    let etag = etag_of(&content);
    let doc = store::DocWrite {
        content_type: "application/json",
        content: &content,
        etag: &etag,
        updated: now_micros(),
    };
    match store::document_in(tx, key, doc_id).await? {
        Some(old) => store::replace_document(tx, key, doc_id, &old.etag, &doc).await?,
        None => store::insert_document(tx, key, doc_id, &doc).await?,
    };
    Ok(())
}

pub async fn delete_document(
    state: &AppState,
    client: &Client,
    target: &DocTarget,
    preconditions: &Preconditions,
) -> Result<(), Refusal> {
    client.require_document(target, true)?;
    if target.doc_id.is_none() && target.key.kind != "state" {
        return Err(bad("profileId: missing"));
    }
    if let Some(doc_id) = &target.doc_id
        && preconditions.given()
    {
        let current = store::document(&state.db, &target.key, doc_id).await?;
        preconditions.check(current.as_ref())?;
    }
    store::delete_documents(&state.db, &target.key, target.doc_id.as_deref()).await?;
    Ok(())
}

pub fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}
