//! iCalendar (RFC 5545) text of a person's dates, for their calendar application's
//! subscription. Times are written in UTC (`…Z`), which every client places in its own zone;
//! all-day dates (training due) as `VALUE=DATE`. Lines end in CRLF and are folded at 75 octets
//! without splitting a character; text values are escaped.

use super::model::Dated;
use chrono::{DateTime, Utc};

/// The feed's header fields.
pub struct Calendar<'a> {
    pub name: &'a str,
    /// The site's host, which makes the events' UIDs unique among every calendar's.
    pub host: &'a str,
    /// The site's address, before each event's path.
    pub base_url: &'a str,
    pub time_zone: &'a str,
    pub now: i64,
}

fn utc(ts: i64) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

fn day(ts: i64, offset_days: i64) -> String {
    (DateTime::<Utc>::from_timestamp(ts, 0).unwrap_or_default()
        + chrono::Duration::days(offset_days))
    .format("%Y%m%d")
    .to_string()
}

/// A TEXT value with its special characters escaped (RFC 5545 3.3.11).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded at 75 octets (RFC 5545 3.1), with its CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

pub fn write(cal: &Calendar<'_>, dates: &[Dated]) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Lyceum//Lyceum LMS//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        line(&mut out, l);
    }
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(cal.name)));
    line(
        &mut out,
        &format!("X-WR-TIMEZONE:{}", escape(cal.time_zone)),
    );
    line(&mut out, "REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    line(&mut out, "X-PUBLISHED-TTL:PT1H");
    let stamp = utc(cal.now);
    for d in dates {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}@{}", d.uid, cal.host));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        if d.all_day {
            line(&mut out, &format!("DTSTART;VALUE=DATE:{}", day(d.at, 0)));
            line(&mut out, &format!("DTEND;VALUE=DATE:{}", day(d.at, 1)));
        } else {
            line(&mut out, &format!("DTSTART:{}", utc(d.at)));
            line(&mut out, &format!("DTEND:{}", utc(d.at)));
        }
        line(&mut out, &format!("SUMMARY:{}", escape(&d.summary())));
        line(&mut out, &format!("DESCRIPTION:{}", escape(&d.context)));
        line(
            &mut out,
            &format!("URL:{}{}", cal.base_url.trim_end_matches('/'), d.href),
        );
        line(&mut out, &format!("CATEGORIES:{}", escape(d.kind.label())));
        line(&mut out, "TRANSP:TRANSPARENT");
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::model::DateKind;

    #[test]
    fn escapes_text_and_folds_long_lines_between_characters() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        let long = "SUMMARY:".to_string() + &"é".repeat(60);
        let mut out = String::new();
        line(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{l}");
        }
        assert_eq!(out.replace("\r\n ", ""), long + "\r\n");
    }

    #[test]
    fn writes_timed_and_all_day_events() {
        let dates = [
            Dated::of_item(
                DateKind::Due,
                7,
                3,
                "Essay".into(),
                "History, 101".into(),
                1_765_130_400,
            ),
            Dated {
                uid: "requirement-2-due".into(),
                kind: DateKind::TrainingDue,
                at: 1_765_065_600,
                all_day: true,
                title: "Fire safety".into(),
                context: "Fire safety".into(),
                href: "/compliance".into(),
            },
        ];
        let text = write(
            &Calendar {
                name: "Lyceum: Ada",
                host: "lms.example.com",
                base_url: "https://lms.example.com/",
                time_zone: "Europe/Berlin",
                now: 1_765_000_000,
            },
            &dates,
        );
        assert!(text.contains("UID:item-7-due@lms.example.com\r\n"));
        assert!(text.contains("DTSTART:20251207T180000Z\r\n"));
        assert!(text.contains("DESCRIPTION:History\\, 101\r\n"));
        assert!(text.contains("URL:https://lms.example.com/courses/3/learn/7\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20251207\r\nDTEND;VALUE=DATE:20251208\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
    }
}
