//! A person's calendar: the dates of the items they see (each kind's through the item
//! registry) and of their mandatory training, by month in the site's time zone, and the same as
//! a private iCalendar feed for their calendar application.

use super::ics::{self, Calendar};
use super::model::{Dated, Entry, Feed, Month};
use super::store;
use crate::auth::permissions::Actor;
use crate::auth::tokens;
use crate::db::now;
use crate::error::AppError;
use crate::items::kind::ItemKind;
use crate::settings::time_zone::{at_local, today_in};
use crate::state::AppState;
use chrono::{DateTime, Datelike, NaiveDate};

/// The purpose a feed token is sealed for (`seal`).
const TOKEN: &str = "calendar_feeds.token";
/// What a feed holds: the last two months and the year ahead.
const FEED_PAST_DAYS: i64 = 60;
const FEED_AHEAD_DAYS: i64 = 400;

/// Everything dated a person sees in [`from`, `to`) (instants) and between the local dates
/// `from_day` and `to_day` (all-day ones), in time order.
async fn dates(
    state: &AppState,
    user_id: i64,
    (from, to): (i64, i64),
    (from_day, to_day): (NaiveDate, NaiveDate),
) -> Result<Vec<Dated>, AppError> {
    let mut all = Vec::new();
    for kind in ItemKind::ALL {
        all.extend(crate::items::registry::dated(&state.db, *kind, user_id, from, to).await?);
    }
    let ymd = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    all.extend(
        crate::compliance::service::calendar(&state.db, user_id, &ymd(from_day), &ymd(to_day))
            .await?,
    );
    all.sort_by(|a, b| (a.at, &a.title).cmp(&(b.at, &b.title)));
    Ok(all)
}

/// "2026-12" as (2026, 12); None when it is not a month.
pub fn parse_month(text: &str) -> Option<(i32, u32)> {
    let (y, m) = text.trim().split_once('-')?;
    let (y, m) = (y.parse().ok()?, m.parse().ok()?);
    NaiveDate::from_ymd_opt(y, m, 1).map(|_| (y, m))
}

/// A month of the actor's calendar; `month` "YYYY-MM", or empty for this month.
pub async fn month(state: &AppState, actor: &Actor, month: &str) -> Result<Month, AppError> {
    let zone = crate::auth::service::zone_of(state, actor.id).await?;
    let today = today_in(now(), &zone);
    let (year, m) = if month.trim().is_empty() {
        (today.year(), today.month())
    } else {
        parse_month(month)
            .ok_or_else(|| AppError::invalid("month", "Choose a month such as 2026-12."))?
    };
    let first = NaiveDate::from_ymd_opt(year, m, 1).ok_or(AppError::NotFound)?;
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or(AppError::NotFound)?;
    let range = (at_local(first, 0, 0, &zone), at_local(next, 0, 0, &zone));
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let entries = dates(state, actor.id, range, (first, next))
        .await?
        .into_iter()
        .map(|d| {
            let (date, time) = if d.all_day {
                let day = DateTime::from_timestamp(d.at, 0).unwrap_or_default();
                (day.format("%Y-%m-%d").to_string(), String::new())
            } else {
                let local = DateTime::from_timestamp(d.at, 0)
                    .unwrap_or_default()
                    .with_timezone(&tz);
                (
                    local.format("%Y-%m-%d").to_string(),
                    local.format("%H:%M").to_string(),
                )
            };
            Entry {
                date,
                time,
                dated: d,
            }
        })
        .collect::<Vec<_>>();
    let mut entries = entries;
    entries.sort_by(|a, b| (&a.date, &a.time).cmp(&(&b.date, &b.time)));
    Ok(Month {
        year,
        month: m,
        time_zone: zone,
        entries,
        today: today.format("%Y-%m-%d").to_string(),
    })
}

fn feed_url(state: &AppState, token: &str) -> String {
    let mut url = state.config.base_url.clone();
    url.set_path(&format!("/calendar/feed/{token}.ics"));
    url.set_query(None);
    url.to_string()
}

/// The actor's private feed address, made the first time it is asked for.
pub async fn feed(state: &AppState, actor: &Actor) -> Result<Feed, AppError> {
    match store::sealed_token(&state.db, actor.id).await? {
        Some(sealed) => {
            let token = state.sealer.open(TOKEN, &sealed)?;
            Ok(Feed {
                url: feed_url(state, &token),
            })
        }
        None => new_feed(state, actor).await,
    }
}

/// A new feed address for the actor; the old one stops working at once.
pub async fn new_feed(state: &AppState, actor: &Actor) -> Result<Feed, AppError> {
    let token = tokens::new_secret();
    let sealed = state.sealer.seal(TOKEN, &token)?;
    store::replace(&state.db, actor.id, &tokens::hash(&token), &sealed, now()).await?;
    Ok(Feed {
        url: feed_url(state, &token),
    })
}

/// The iCalendar text of the feed whose token is `token` (NotFound for an unknown or replaced
/// token, or an account that is no longer active).
pub async fn ics(state: &AppState, token: &str) -> Result<String, AppError> {
    let at = now();
    let (user_id, name) = store::owner(&state.db, &tokens::hash(token), at)
        .await?
        .ok_or(AppError::NotFound)?;
    let zone = crate::auth::service::zone_of(state, user_id).await?;
    let day = 24 * 60 * 60;
    let range = (at - FEED_PAST_DAYS * day, at + FEED_AHEAD_DAYS * day);
    let days = (today_in(range.0, &zone), today_in(range.1, &zone));
    let all = dates(state, user_id, range, days).await?;
    let site = crate::settings::service::current(state).await?.site_name;
    let base = state.config.base_url.to_string();
    Ok(ics::write(
        &Calendar {
            name: &format!("{site}: {name}"),
            host: state.config.base_url.host_str().unwrap_or("lyceum"),
            base_url: &base,
            time_zone: &zone,
            now: at,
        },
        &all,
    ))
}
