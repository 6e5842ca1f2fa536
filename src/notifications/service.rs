//! Telling people things: `notify` stores a notification for each person and, as each chose for
//! its kind, queues an email at once or keeps it for the daily digest. The digest is a daily job.

use super::model::{Channel, Kind, Notification, PreferencesForm};
use super::store::{self, NewNotification};
use crate::auth::permissions::Actor;
use crate::db::{Tx, now};
use crate::error::{AppError, Problems};
use crate::jobs::daily::Daily;
use crate::mail::mailer::queue_in;
use crate::paging::Page;
use crate::state::AppState;

pub const PER_PAGE: u32 = 20;

/// One thing to tell one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub user_id: i64,
    pub subject: String,
    pub body: String,
    /// A path inside Lyceum ("/courses/3"), or empty.
    pub link: String,
}

/// The address of a path inside Lyceum, for emails.
fn url(state: &AppState, path: &str) -> String {
    let mut url = state.config.base_url.clone();
    url.set_path(path);
    url.to_string()
}

/// Tells each person of `notices` (all of `kind`) in their notification centre and, as they
/// chose, by email now or in tomorrow's digest; people who turned the kind off hear nothing.
/// In the caller's transaction: the notifications and emails exist only if it commits. Returns
/// how many people were told.
pub async fn notify(
    state: &AppState,
    tx: &mut Tx,
    kind: Kind,
    notices: &[Notice],
    now: i64,
) -> Result<usize, AppError> {
    if notices.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = notices.iter().map(|n| n.user_id).collect();
    let recipients: std::collections::HashMap<i64, store::Recipient> =
        store::recipients(tx, kind, &ids)
            .await?
            .into_iter()
            .map(|r| (r.user_id, r))
            .collect();
    let site = crate::settings::service::current(state).await?.site_name;
    let mut told = 0;
    for notice in notices {
        // Deleted or suspended: nobody to tell.
        let Some(recipient) = recipients.get(&notice.user_id) else {
            continue;
        };
        let channel = recipient
            .channel
            .as_deref()
            .and_then(Channel::parse)
            .unwrap_or(kind.default_channel());
        if channel == Channel::Off {
            continue;
        }
        store::insert(
            tx,
            &NewNotification {
                user_id: notice.user_id,
                kind,
                subject: &notice.subject,
                body: &notice.body,
                link: &notice.link,
                digest_pending: channel == Channel::Digest,
            },
            now,
        )
        .await?;
        if channel == Channel::Email {
            let mut text = notice.body.clone();
            if !notice.link.is_empty() {
                text.push_str(&format!("\n\n{}", url(state, &notice.link)));
            }
            text.push_str(&format!(
                "\n\n--\n{site}. Choose what you hear about, and how: {}\n",
                url(state, "/notifications/settings")
            ));
            queue_in(tx, &recipient.email, &notice.subject, &text, now).await?;
        }
        told += 1;
    }
    Ok(told)
}

/// One page of the signed-in person's notifications, the latest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    page: u32,
) -> Result<Page<Notification>, AppError> {
    let page = page.max(1);
    let (items, total) = store::list(
        &state.db,
        actor.id,
        PER_PAGE.into(),
        crate::db::page_offset(page, PER_PAGE),
    )
    .await?;
    Ok(Page {
        items,
        total,
        total_capped: false,
        page,
        per_page: PER_PAGE,
    })
}

pub async fn unread_count(state: &AppState, actor: &Actor) -> Result<i64, AppError> {
    store::unread_count(&state.db, actor.id).await
}

/// Marks one of the person's own notifications read, or all of them (`None`). Someone else's
/// notification is not theirs to mark: nothing changes.
pub async fn mark_read(state: &AppState, actor: &Actor, id: Option<i64>) -> Result<(), AppError> {
    store::mark_read(&state.db, actor.id, id, now()).await?;
    Ok(())
}

/// The person's channel for every kind, defaults filled in.
pub async fn preferences(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<(Kind, Channel)>, AppError> {
    let chosen = store::preferences(&state.db, actor.id).await?;
    Ok(Kind::ALL
        .iter()
        .map(|kind| {
            let channel = chosen
                .iter()
                .find(|(k, _)| k == kind)
                .map_or(kind.default_channel(), |(_, c)| *c);
            (*kind, channel)
        })
        .collect())
}

/// Saves the person's choices; a kind the form leaves out keeps its channel.
pub async fn save_preferences(
    state: &AppState,
    actor: &Actor,
    form: &PreferencesForm,
) -> Result<(), AppError> {
    let mut problems = Problems::default();
    let mut chosen = Vec::new();
    for (kind, channel) in &form.channels {
        match (Kind::parse(kind), Channel::parse(channel)) {
            (Some(kind), Some(channel)) => chosen.push((kind, channel)),
            (None, _) => problems.add("channels", format!("Lyceum sends no “{kind}”.")),
            (Some(kind), None) => problems.add(
                &format!("channels.{}", kind.as_str()),
                "Choose one of the ways listed.",
            ),
        }
    }
    problems.into_result()?;
    let mut tx = state.db.begin().await?;
    for (kind, channel) in chosen {
        store::set_preference(&mut tx, actor.id, kind, channel).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The daily digest: at seven in the morning, site time.
pub const DIGEST: Daily = Daily {
    kind: "notifications.digest",
    hour: 7,
    minute: 0,
};

/// How many digests one transaction of the run handles at most before the next.
const DIGEST_BATCH: i64 = 200;

/// Sends each person who chose the digest one email listing what waited for it, then queues
/// tomorrow's run. Returns how many emails were queued.
pub async fn digest(state: &AppState, now: i64) -> Result<usize, AppError> {
    let site = crate::settings::service::current(state).await?.site_name;
    let mut sent = 0;
    let mut after = 0;
    loop {
        let people = store::digest_people(&state.db, after, DIGEST_BATCH).await?;
        let Some(last) = people.last() else { break };
        after = *last;
        let mut tx = state.db.begin().await?;
        for user_id in people {
            let (email, notifications) = store::take_digest(&mut tx, user_id).await?;
            let Some(email) = email else { continue };
            if notifications.is_empty() {
                continue;
            }
            let subject = match notifications.len() {
                1 => format!("{site}: 1 notification"),
                n => format!("{site}: {n} notifications"),
            };
            let mut body = String::from("Since the last digest:\n");
            for n in &notifications {
                body.push_str(&format!("\n* {}\n  {}\n", n.subject, n.body));
                if !n.link.is_empty() {
                    body.push_str(&format!("  {}\n", url(state, &n.link)));
                }
            }
            body.push_str(&format!(
                "\n--\n{site}. Choose what you hear about, and how: {}\n",
                url(state, "/notifications/settings")
            ));
            queue_in(&mut tx, &email, &subject, &body, now).await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    crate::jobs::daily::queue_next(state, &DIGEST, now).await?;
    Ok(sent)
}
