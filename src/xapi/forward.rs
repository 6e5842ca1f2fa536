//! Forwarding every statement the LRS stores to another LRS (a company's Watershed, Learning
//! Locker, Ralph…), as administrators set it. Statements stored while forwarding is on are
//! queued in the storing transaction (`queue`), and the durable job `xapi.forward` sends them in
//! storing order, 50 to a request, with their attachments; with several instances the job runs
//! once. A send that fails for a reason that may pass (the other LRS down, credentials being
//! changed) is tried again by the job queue's back-off, keeping the order; a statement the other
//! LRS refuses for good (400, or 409: it holds another statement of that id) is dropped and its
//! reason shown to administrators.

use super::clients;
use super::forward_store as store;
use super::model::Forwarding;
use super::multipart::{self, Part};
use crate::audit::{self, Entry};
use crate::auth::permissions::Actor;
use crate::db::{Tx, now};
use crate::error::AppError;
use crate::state::AppState;
use serde_json::Value;

pub const FORWARD: &str = "xapi.forward";
const BATCH: i64 = 50;

pub async fn settings(state: &AppState, actor: &Actor) -> Result<Forwarding, AppError> {
    clients::require(actor)?;
    let row = store::settings(&state.db).await?;
    let queued = store::queued(&state.db).await?;
    Ok(row.map_or_else(Forwarding::default, |r| Forwarding {
        endpoint: r.endpoint,
        username: r.username,
        has_password: !r.password.is_empty(),
        enabled: r.enabled,
        queued,
        last_sent_at: r.last_sent_at,
        last_error: r.last_error,
    }))
}

/// Sets the destination; an empty password keeps the one kept. Turning forwarding on forwards
/// what is stored from then on (not what was stored before).
pub async fn save(
    state: &AppState,
    actor: &Actor,
    endpoint: &str,
    username: &str,
    password: &str,
    enabled: bool,
) -> Result<Forwarding, AppError> {
    clients::require(actor)?;
    let endpoint = endpoint.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(endpoint).ok();
    let web = parsed
        .as_ref()
        .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !web {
        return Err(AppError::invalid(
            "endpoint",
            "Give the other LRS's xAPI address, such as https://lrs.example.com/xapi.",
        ));
    }
    let username = username.trim();
    if username.is_empty() || username.contains(':') {
        return Err(AppError::invalid(
            "username",
            "Give the key (user name) the other LRS gave Lyceum, without a colon.",
        ));
    }
    let kept = store::settings(&state.db).await?.map(|r| r.password);
    let password = match (password, kept) {
        ("", Some(kept)) if !kept.is_empty() => opened(state, &kept)?,
        ("", _) => {
            return Err(AppError::invalid(
                "password",
                "Give the secret (password) the other LRS gave Lyceum.",
            ));
        }
        (given, _) => given.to_string(),
    };
    let password = state.sealer.seal(SECRET, &password)?;
    let at = now();
    let mut tx = state.db.begin().await?;
    store::save(&mut tx, endpoint, username, &password, enabled, at).await?;
    let entry = Entry::new(
        "xapi.forwarding_saved",
        "lrs",
        None,
        format!(
            "{endpoint} as {username}, {}",
            if enabled { "on" } else { "off" }
        ),
    );
    audit::record(&mut tx, actor, entry, at).await?;
    tx.commit().await?;
    settings(state, actor).await
}

/// The purpose the other LRS's secret is sealed for (`seal`).
const SECRET: &str = "xapi_forwarding.password";

/// The kept secret, opened; one kept before secrets were sealed is as it was typed (the next
/// save seals it: a migration cannot, the key is not in the database).
fn opened(state: &AppState, kept: &str) -> Result<String, AppError> {
    if crate::seal::Sealer::is_sealed(kept) {
        state.sealer.open(SECRET, kept)
    } else {
        Ok(kept.to_string())
    }
}

/// Statements just stored (by their `seq`), in the storing transaction: queued to be sent when
/// forwarding is on.
pub async fn queue(tx: &mut Tx, seqs: &[i64]) -> Result<(), AppError> {
    if seqs.is_empty() || !store::enabled_in(tx).await? {
        return Ok(());
    }
    store::queue(tx, seqs).await?;
    let at = now();
    crate::jobs::queue::enqueue_once(tx, FORWARD, at, at).await
}

/// Why a send did not go through.
enum Failure {
    /// The other LRS refused what was sent (400, 409): sending it again will not help.
    Refused(String),
    /// Anything else (no answer, 401, 5xx): it may pass.
    Later(String),
}

/// The job: sends what is queued, batch by batch, until nothing is left.
pub async fn run(state: &AppState) -> Result<(), String> {
    let text = |e: AppError| e.to_string();
    let Some(settings) = store::settings(&state.db).await.map_err(text)? else {
        return Ok(());
    };
    if !settings.enabled {
        return Ok(());
    }
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| format!("Lyceum could not make an HTTP client: {e}"))?;
    loop {
        let batch = store::next(&state.db, BATCH).await.map_err(text)?;
        if batch.is_empty() {
            return Ok(());
        }
        let seqs: Vec<i64> = batch.iter().map(|(seq, _)| *seq).collect();
        let statements: Vec<Value> = batch.iter().map(|(_, s)| outgoing(s)).collect();
        match send(state, &client, &settings, &statements).await {
            Ok(()) => {
                store::done(&state.db, &seqs).await.map_err(text)?;
                store::outcome(&state.db, Some(now()), None)
                    .await
                    .map_err(text)?;
            }
            Err(Failure::Later(why)) => {
                store::outcome(&state.db, None, Some(&why))
                    .await
                    .map_err(text)?;
                return Err(why);
            }
            Err(Failure::Refused(_)) => {
                // One statement spoils a batch: send them one by one, dropping those refused.
                let mut refused = Vec::new();
                for (seq, statement) in seqs.iter().zip(&statements) {
                    match send(state, &client, &settings, std::slice::from_ref(statement)).await {
                        Ok(()) => {}
                        Err(Failure::Refused(why)) => refused.push(why),
                        Err(Failure::Later(why)) => {
                            store::outcome(&state.db, None, Some(&why))
                                .await
                                .map_err(text)?;
                            return Err(why);
                        }
                    }
                    store::done(&state.db, &[*seq]).await.map_err(text)?;
                }
                let why = refused.join(" ");
                let error = (!why.is_empty()).then_some(why.as_str());
                store::outcome(&state.db, Some(now()), error)
                    .await
                    .map_err(text)?;
            }
        }
    }
}

/// A statement as another LRS takes it: what the LRS sets itself (`stored`, `authority`,
/// `version`) is left for that LRS to set.
/// (Stored statements are JSON; one that were not would go as `null`, which the other LRS
/// refuses with a 400, so it is dropped with that reason rather than holding up the queue.)
fn outgoing(text: &str) -> Value {
    let mut statement: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    if let Some(map) = statement.as_object_mut() {
        map.remove("stored");
        map.remove("authority");
        map.remove("version");
    }
    statement
}

async fn send(
    state: &AppState,
    client: &reqwest::Client,
    settings: &store::ForwardRow,
    statements: &[Value],
) -> Result<(), Failure> {
    let url = format!("{}/statements", settings.endpoint);
    let json = Value::Array(statements.to_vec());
    // Attachments carried in the request (no fileUrl) go with it, as multipart/mixed.
    let parts: Vec<Part> = super::service::attachments_of(state, statements)
        .await
        .map_err(|e| {
            Failure::Later(format!(
                "Lyceum could not read the statements' attachments: {e:?}"
            ))
        })?;
    let password = opened(state, &settings.password).map_err(|_| {
        Failure::Later(
            "Lyceum could not open the kept secret (was LYCEUM_SECRET_KEY changed?): save it again"
                .into(),
        )
    })?;
    let request = client
        .post(&url)
        .basic_auth(&settings.username, Some(&password))
        .header("X-Experience-API-Version", "1.0.3");
    let request = if parts.is_empty() {
        request
            .header("Content-Type", "application/json")
            .body(json.to_string())
    } else {
        let (body, boundary) = multipart::write(&json, &parts);
        request
            .header(
                "Content-Type",
                format!("multipart/mixed; boundary={boundary}"),
            )
            .body(body)
    };
    let response = request
        .send()
        .await
        .map_err(|e| Failure::Later(format!("{url} did not answer: {e}.")))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let body: String = response
        .text()
        .await
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect();
    let why = format!("{url} answered {status}: {body}");
    match status.as_u16() {
        400 | 409 => Err(Failure::Refused(why)),
        _ => Err(Failure::Later(why)),
    }
}
