//! What a calendar shows: dated things a person can see (an item's due date or window, a
//! mandatory training's due date), from whichever area keeps them.

use serde::{Deserialize, Serialize};

crate::string_enum!(
    DateKind {
        Due = "due" / "Due",
        CutOff = "cutoff" / "Last day to hand in",
        Opens = "opens" / "Opens",
        Closes = "closes" / "Closes",
        TrainingDue = "training_due" / "Training due",
        Renewal = "renewal" / "Certificate expires",
    }
);

/// One dated thing. `at` is UTC seconds; an all-day one (`all_day`) is that day, and `at` its
/// midnight UTC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dated {
    /// Stable across feeds and edits: what a calendar application updates rather than adds.
    pub uid: String,
    pub kind: DateKind,
    pub at: i64,
    pub all_day: bool,
    pub title: String,
    /// The course's title or the training's.
    pub context: String,
    /// Where to go, a path on this site.
    pub href: String,
}

impl Dated {
    /// "Due: Essay 1".
    pub fn summary(&self) -> String {
        format!("{}: {}", self.kind.label(), self.title)
    }
}

/// One month of a person's calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Month {
    pub year: i32,
    pub month: u32,
    /// The person's time zone (else the site's), in which days are drawn and times shown.
    pub time_zone: String,
    /// Local date (YYYY-MM-DD) and time (HH:MM, empty for all-day) of each, in order.
    pub entries: Vec<Entry>,
    /// Today in that zone (YYYY-MM-DD).
    pub today: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub date: String,
    pub time: String,
    pub dated: Dated,
}

/// The person's private feed address (to paste into Google, Outlook or Apple Calendar).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feed {
    pub url: String,
}

impl Dated {
    /// A date of a course item, linked to the item in the course player.
    pub fn of_item(
        kind: DateKind,
        item_id: i64,
        course_id: i64,
        title: String,
        course_title: String,
        at: i64,
    ) -> Dated {
        Dated {
            uid: format!("item-{item_id}-{}", kind.as_str()),
            kind,
            at,
            all_day: false,
            title,
            context: course_title,
            href: format!("/courses/{course_id}/learn/{item_id}"),
        }
    }
}

/// An item's row of dates (such as due and cut-off) as calendar entries: those in [`from`,
/// `to`), the same moment once.
pub fn item_dates(
    item_id: i64,
    course_id: i64,
    title: &str,
    course_title: &str,
    dates: &[(DateKind, Option<i64>)],
    (from, to): (i64, i64),
) -> Vec<Dated> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for (kind, at) in dates {
        let Some(at) = at.filter(|t| *t >= from && *t < to) else {
            continue;
        };
        if seen.contains(&at) {
            continue;
        }
        seen.push(at);
        out.push(Dated::of_item(
            *kind,
            item_id,
            course_id,
            title.to_string(),
            course_title.to_string(),
            at,
        ));
    }
    out
}
