//! Launching an AU (cmi5 §8, §10): a session in the learner's registration, the AU's address
//! with the launch parameters, `LMS.LaunchData` and the "launched" statement, and the one-time
//! fetch URL that hands the AU its credentials for the LRS.

use super::model::AuLaunch;
use super::moveon::{self, AuObject, Envelope, Launch};
use super::rules::{LaunchMode, context_template};
use super::service::{course_of, structure_of};
use super::store;
use super::structure::{Au, LaunchMethod};
use crate::auth::permissions::Actor;
use crate::auth::tokens;
use crate::courses::access;
use crate::db::{Tx, now};
use crate::error::{AppError, OrInternal};
use crate::jobs::daily::Daily;
use crate::state::AppState;
use crate::xapi::service::{self as lrs, Refusal};
use crate::xapi::store::DocKey;
use serde_json::{Value, json};

/// The state document the LMS writes at each launch and the AU may only read (cmi5 §10).
pub const LAUNCH_DATA: &str = "LMS.LaunchData";
/// The start of the LRS keys sessions hand out (`.` is never in a client's key).
pub const KEY_PREFIX: &str = "cmi5.";

/// The agent Lyceum launches a user as: an account of this site named by their id, which never
/// changes (cmi5 §8.1.3 wants an account, not an email).
pub fn actor_of(state: &AppState, user_id: i64) -> Value {
    json!({
        "objectType": "Agent",
        "account": {"homePage": state.config.origin(), "name": user_id.to_string()},
    })
}

/// A short stable name for a publisher id inside Lyceum's own IRIs.
fn short(publisher_id: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(publisher_id.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Lyceum's activity id for an AU of an item's course (cmi5 §8.1.5: the LMS's own, so that
/// the same AU in two courses keeps two records; the AU's IRI travels in the grouping).
pub fn au_activity_id(state: &AppState, item_id: i64, publisher_id: &str) -> String {
    format!(
        "{}/cmi5/{item_id}/au/{}",
        state.config.origin(),
        short(publisher_id)
    )
}

/// Lyceum's activity id for the course itself or one of its blocks.
pub fn object_id(state: &AppState, item_id: i64, publisher_id: &str, course_id: &str) -> String {
    if publisher_id == course_id {
        format!("{}/cmi5/{item_id}", state.config.origin())
    } else {
        format!(
            "{}/cmi5/{item_id}/block/{}",
            state.config.origin(),
            short(publisher_id)
        )
    }
}

/// Starts a session of the AU at `index` for the one asking: learners in Normal mode (their
/// statements count) or, for an AU they finished and asked to `review`, Review mode (nothing
/// counts); staff in Browse mode. A session of that AU still open is abandoned.
pub async fn launch(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    index: usize,
    review: bool,
) -> Result<AuLaunch, AppError> {
    let course_id = course_of(state, item_id).await?;
    let access = access::item_visible(&state.db, actor, course_id, item_id).await?;
    if !access.may_view_content() {
        return Err(AppError::Forbidden);
    }
    let row = store::find(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let course = structure_of(&row)?;
    let au = course
        .aus()
        .into_iter()
        .nth(index)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let mode = match (access.is_learner(), review) {
        (false, _) => LaunchMode::Browse,
        (true, false) => LaunchMode::Normal,
        (true, true) if finished(state, item_id, actor.id, &au.id).await? => LaunchMode::Review,
        (true, true) => {
            return Err(AppError::Conflict(
                "There is nothing to review in this part yet: open it to start.".into(),
            ));
        }
    };
    let now = now();
    let session_id = uuid::Uuid::new_v4().to_string();
    let fetch_token = tokens::new_secret();
    let actor_value = actor_of(state, actor.id);
    let activity_id = au_activity_id(state, item_id, &au.id);
    let au_url = au_address(state, item_id, row.revision, &au);

    let mut tx = state.db.begin().await?;
    let registration = store::registration_or_new(
        &mut tx,
        &uuid::Uuid::new_v4().to_string(),
        item_id,
        actor.id,
        now,
    )
    .await?;
    let timestamp = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default();
    let object = AuObject {
        activity_id: &activity_id,
        publisher_id: &au.id,
    };
    let mut statements = Vec::new();
    for open in store::open_sessions(&mut tx, &registration, &au.id).await? {
        statements.push(abandon(&mut tx, state, &open, now).await?);
    }
    store::insert_session(
        &mut tx,
        &store::NewSession {
            id: &session_id,
            registration: &registration,
            au_id: &au.id,
            launch_mode: mode.as_str(),
            fetch_hash: &tokens::hash(&fetch_token),
            now,
        },
    )
    .await?;
    let launched_id = uuid::Uuid::new_v4().to_string();
    statements.push(moveon::launched_statement(
        &Envelope {
            id: &launched_id,
            actor: &actor_value,
            registration: &registration,
            session_id: &session_id,
            timestamp,
        },
        &object,
        &Launch {
            mode,
            url: &au_url,
            move_on: au.move_on,
            mastery_score: au.mastery_score,
            launch_parameters: au.launch_parameters.as_deref(),
        },
    ));
    let return_url = format!(
        "{}/cmi5/{item_id}/returned",
        state.config.origin().trim_end_matches('/')
    );
    let mut launch_data = serde_json::Map::new();
    launch_data.insert(
        "contextTemplate".into(),
        context_template(&session_id, &au.id),
    );
    launch_data.insert("launchMode".into(), json!(mode.as_str()));
    launch_data.insert("moveOn".into(), json!(au.move_on.as_str()));
    launch_data.insert("returnURL".into(), json!(return_url));
    if let Some(score) = au.mastery_score {
        launch_data.insert("masteryScore".into(), json!(score));
    }
    if let Some(parameters) = &au.launch_parameters {
        launch_data.insert("launchParameters".into(), json!(parameters));
    }
    if let Some(key) = &au.entitlement_key {
        launch_data.insert("entitlementKey".into(), json!({ "courseStructure": key }));
    }
    let key = DocKey {
        kind: "state",
        activity: activity_id.clone(),
        agent: crate::xapi::agent::agent_key(&actor_value)
            .map_err(|e| e.0)
            .or_internal("the launch actor has no agent key")?,
        registration: registration.clone(),
    };
    lrs::put_lms_document(&mut tx, &key, LAUNCH_DATA, &Value::Object(launch_data))
        .await
        .map_err(refusal)?;
    lrs::record_lms_statements(&mut tx, state, statements)
        .await
        .map_err(refusal)?;
    tx.commit().await?;

    let endpoint = format!("{}/xapi", state.config.origin().trim_end_matches('/'));
    let fetch = format!(
        "{}/cmi5/fetch/{fetch_token}",
        state.config.origin().trim_end_matches('/')
    );
    let query = [
        ("endpoint", endpoint.as_str()),
        ("fetch", fetch.as_str()),
        ("actor", &actor_value.to_string()),
        ("registration", registration.as_str()),
        ("activityId", activity_id.as_str()),
    ];
    let mut url = url::Url::parse(&au_url).or_internal("an AU's address")?;
    url.query_pairs_mut().extend_pairs(query);
    Ok(AuLaunch {
        index,
        url: url.to_string(),
        own_window: au.launch_method == LaunchMethod::OwnWindow,
    })
}

/// Whether the learner's registration shows the AU completed, passed, failed or waived: what
/// there is to review.
async fn finished(
    state: &AppState,
    item_id: i64,
    user_id: i64,
    au_id: &str,
) -> Result<bool, AppError> {
    let Some(registration) = store::registration(&state.db, item_id, user_id).await? else {
        return Ok(false);
    };
    let records = store::records(&state.db, &registration).await?;
    Ok(records
        .iter()
        .any(|r| r.au_id == au_id && (r.completed || r.passed || r.failed || r.waived)))
}

/// An AU's absolute address: inside the package (served with its files) or on the web.
fn au_address(state: &AppState, item_id: i64, revision: i64, au: &Au) -> String {
    if au.package_path().is_some() {
        format!(
            "{}/packages/{item_id}/{revision}/{}",
            state.config.origin().trim_end_matches('/'),
            au.url.trim_start_matches("./")
        )
    } else {
        au.url.clone()
    }
}

/// The LMS ends a session the AU left open (cmi5 §9.3.6), in the caller's transaction:
/// answers its "abandoned" statement, with how long the session ran (from its launch to the
/// last the LRS heard of it).
async fn abandon(
    tx: &mut Tx,
    state: &AppState,
    session_id: &str,
    now: i64,
) -> Result<Value, AppError> {
    let row = store::lock_session(tx, session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::set_session_state(
        tx,
        session_id,
        store::SessionState {
            initialized: row.initialized,
            terminated: row.terminated,
            abandoned: true,
            failed_in_session: row.failed_in_session,
        },
        now,
    )
    .await?;
    let actor = actor_of(state, row.user_id);
    let activity_id = au_activity_id(state, row.item_id, &row.au_id);
    let statement_id = uuid::Uuid::new_v4().to_string();
    Ok(moveon::abandoned_statement(
        &Envelope {
            id: &statement_id,
            actor: &actor,
            registration: &row.registration,
            session_id,
            timestamp: chrono::DateTime::from_timestamp(now, 0).unwrap_or_default(),
        },
        &AuObject {
            activity_id: &activity_id,
            publisher_id: &row.au_id,
        },
        chrono::TimeDelta::seconds(row.last_at - row.launched_at),
    ))
}

/// Sessions nothing was heard from for this long are over: the learner closed the window
/// without the AU saying "terminated".
pub const STALE_AFTER: i64 = 24 * 3600;

/// The daily run that abandons sessions left open (and queues the next run).
pub const ABANDON: Daily = Daily {
    kind: "cmi5.abandon",
    hour: 3,
    minute: 30,
};

/// Abandons every session not heard from in [`STALE_AFTER`], each with its statement, in
/// batches; answers how many.
pub async fn abandon_stale(state: &AppState, now: i64) -> Result<usize, AppError> {
    let mut count = 0;
    loop {
        let stale = store::stale_sessions(&state.db, now - STALE_AFTER, 200).await?;
        if stale.is_empty() {
            break;
        }
        for session_id in stale {
            let mut tx = state.db.begin().await?;
            let statement = abandon(&mut tx, state, &session_id, now).await?;
            lrs::record_lms_statements(&mut tx, state, vec![statement])
                .await
                .map_err(refusal)?;
            tx.commit().await?;
            count += 1;
        }
    }
    crate::jobs::daily::queue_next(state, &ABANDON, now).await?;
    Ok(count)
}

pub(super) fn refusal(r: Refusal) -> AppError {
    match r {
        Refusal::App(e) => e,
        other => crate::error::internal("the LRS refused the LMS's own data", format!("{other:?}")),
    }
}

/// `POST /cmi5/fetch/{token}` (cmi5 §8.2): the session's LRS credentials, once.
pub async fn fetch(state: &AppState, token: &str) -> Result<Option<String>, AppError> {
    use base64::{Engine, engine::general_purpose::STANDARD};
    let secret = tokens::new_secret();
    let claimed =
        store::claim_fetch(&state.db, &tokens::hash(token), &tokens::hash(&secret)).await?;
    Ok(claimed.map(|session| STANDARD.encode(format!("{KEY_PREFIX}{session}:{secret}"))))
}
