//! `/calendar`: one month of a person's dates, as a grid or as a list, and the address of their
//! private feed for Google, Outlook or Apple Calendar.

use super::model::{Entry, Feed, Month};
use super::server::{NewCalendarFeed, calendar_feed, calendar_month};
use crate::error::AppError;
use crate::ui::{ErrorPage, FormAlert};
use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn month_name(year: i32, month: u32) -> String {
    let name = MONTHS
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("");
    format!("{name} {year}")
}

/// The month before or after, as "YYYY-MM".
fn shift(year: i32, month: u32, by: i32) -> String {
    let index = year * 12 + month as i32 - 1 + by;
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let query = use_query_map();
    let month_param = Memo::new(move |_| query.with(|q| q.get("month").unwrap_or_default()));
    let list_view = Memo::new(move |_| query.with(|q| q.get("view").as_deref() == Some("list")));
    // The view is part of the key, so that switching it draws the other one.
    let month = Resource::new(
        move || (month_param.get(), list_view.get()),
        |(month, _)| calendar_month(month),
    );
    view! {
        <Title text="Calendar" />
        <div class="page-header">
            <div>
                <h1>"Calendar"</h1>
                <p class="lead">"Due dates, quiz windows and mandatory training in your courses."</p>
            </div>
        </div>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match month.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(m) => view! { <MonthView m list=list_view.get_untracked() /> }.into_any(),
                }
            })}
        </Transition>
        <FeedSection />
    }
}

#[component]
fn MonthView(m: Month, list: bool) -> impl IntoView {
    let this = format!("{:04}-{:02}", m.year, m.month);
    let view_param = if list { "&view=list" } else { "" };
    let previous = shift(m.year, m.month, -1);
    let next = shift(m.year, m.month, 1);
    let (py, pm) = super_parse(&previous);
    let (ny, nm) = super_parse(&next);
    let title = month_name(m.year, m.month);
    let zone = m.time_zone.clone();
    view! {
        <nav class="calendar-nav" aria-label="Months">
            <a href=format!("/calendar?month={previous}{view_param}")>{format!("← {}", month_name(py, pm))}</a>
            <h2 id="month-heading">{title.clone()}</h2>
            <a href=format!("/calendar?month={next}{view_param}")>{format!("{} →", month_name(ny, nm))}</a>
        </nav>
        <nav class="tabs" aria-label="Calendar views">
            <a href=format!("/calendar?month={this}") aria-current=(!list).then_some("page")>"Month"</a>
            <a href=format!("/calendar?month={this}&view=list") aria-current=list.then_some("page")>"List"</a>
        </nav>
        <p class="hint">{format!("Times are in {zone}.")}</p>
        {if list {
            view! { <Agenda entries=m.entries /> }.into_any()
        } else {
            view! { <Grid m title /> }.into_any()
        }}
    }
}

fn super_parse(text: &str) -> (i32, u32) {
    let (y, m) = text.split_once('-').unwrap_or(("1970", "1"));
    (y.parse().unwrap_or(1970), m.parse().unwrap_or(1))
}

fn entry_link(e: &Entry) -> impl IntoView + use<> {
    let time = if e.time.is_empty() {
        String::new()
    } else {
        format!("{} ", e.time)
    };
    view! {
        <a href=e.dated.href.clone() class=format!("calendar-entry calendar-{}", e.dated.kind.as_str())>
            {time}{e.dated.summary()}
            <span class="visually-hidden">{format!(" ({})", e.dated.context)}</span>
        </a>
    }
}

/// The month as a table of weeks (Monday first), each day with its entries.
#[component]
fn Grid(m: Month, title: String) -> impl IntoView {
    let Some(first) = NaiveDate::from_ymd_opt(m.year, m.month, 1) else {
        return ().into_any();
    };
    let lead = first.weekday().num_days_from_monday() as i64;
    let start = first - chrono::Duration::days(lead);
    let mut weeks = Vec::new();
    let mut day = start;
    loop {
        let week: Vec<NaiveDate> = (0..7).map(|i| day + chrono::Duration::days(i)).collect();
        day += chrono::Duration::days(7);
        weeks.push(week);
        if day.month() != m.month || day.year() != m.year {
            break;
        }
    }
    let entries = StoredValue::new(m.entries);
    let today = m.today.clone();
    view! {
        <div class="table-wrap">
            <table class="calendar-grid">
                <caption class="visually-hidden">{title}</caption>
                <thead><tr>
                    {WEEKDAYS.iter().map(|d| view! { <th scope="col" abbr=*d>{d.get(..3).unwrap_or(d)}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {weeks.into_iter().map(|week| view! {
                        <tr>
                            {week.into_iter().map(|d| {
                                let key = d.format("%Y-%m-%d").to_string();
                                let outside = d.month() != m.month;
                                let current = key == today;
                                let todays: Vec<Entry> = entries.with_value(|all| all.iter().filter(|e| e.date == key).cloned().collect());
                                view! {
                                    <td class:outside=outside aria-current=current.then_some("date")>
                                        <span class="day-number">{d.day()}</span>
                                        {(!todays.is_empty()).then(|| view! {
                                            <ul>{todays.iter().map(|e| view! { <li>{entry_link(e)}</li> }).collect_view()}</ul>
                                        })}
                                    </td>
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The month as a list of days that have something.
#[component]
fn Agenda(entries: Vec<Entry>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="empty-state">"Nothing dated this month."</p> }.into_any();
    }
    let mut days: Vec<(String, Vec<Entry>)> = Vec::new();
    for e in entries {
        match days.last_mut() {
            Some((date, list)) if *date == e.date => list.push(e),
            _ => days.push((e.date.clone(), vec![e])),
        }
    }
    view! {
        <ol class="agenda">
            {days.into_iter().map(|(date, list)| {
                let heading = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                    .map(|d| format!("{} {} {}", WEEKDAYS.get(d.weekday().num_days_from_monday() as usize).copied().unwrap_or(""), d.day(), month_name(d.year(), d.month())))
                    .unwrap_or(date);
                view! {
                    <li>
                        <h3>{heading}</h3>
                        <ul>{list.iter().map(|e| view! {
                            <li>{entry_link(e)}" · "<span class="hint">{e.dated.context.clone()}</span></li>
                        }).collect_view()}</ul>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// The private feed address: shown on demand, replaceable.
#[component]
fn FeedSection() -> impl IntoView {
    let shown: RwSignal<Option<Feed>> = RwSignal::new(None);
    let show = Action::new(|_: &()| calendar_feed());
    let renew = ServerAction::<NewCalendarFeed>::new();
    Effect::new(move |_| {
        if let Some(Ok(feed)) = show.value().get() {
            shown.set(Some(feed));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(feed)) = renew.value().get() {
            shown.set(Some(feed));
        }
    });
    let shown_result: Signal<Option<Result<Feed, AppError>>> = show.value().into();
    let renewed: Signal<Option<Result<Feed, AppError>>> = renew.value().into();
    view! {
        <section class="card" aria-labelledby="feed-heading">
            <h2 id="feed-heading">"Subscribe in your calendar app"</h2>
            <p>"Add these dates to Google Calendar, Outlook or Apple Calendar: they follow changes by themselves. The address is private: anyone who has it sees your dates. Make a new one if it got out; the old one stops working."</p>
            <FormAlert result=shown_result />
            <FormAlert result=renewed success="A new address is ready; the old one no longer works." />
            <div hidden=move || shown.get().is_some()>
                <button type="button" class="btn btn-secondary" on:click=move |_| { show.dispatch(()); }>"Show my calendar address"</button>
            </div>
            <div class="field" hidden=move || shown.get().is_none()>
                <label for="feed-url">"Your private calendar address"</label>
                <input id="feed-url" type="text" readonly
                    prop:value=move || shown.get().map(|f| f.url).unwrap_or_default()
                    on:focus=move |ev| { select_all(&ev); } />
                <div class="form-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| { renew.dispatch(NewCalendarFeed {}); }>"Make a new address"</button>
                </div>
            </div>
        </section>
    }
}

/// Selects the address when it gets the focus, ready to copy.
fn select_all(_ev: &leptos::ev::FocusEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(input) = _ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            input.select();
        }
    }
}
