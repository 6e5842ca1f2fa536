//! The site's time zone: what day it is where the organisation is. Requirements fall due at
//! midnight there, not at midnight UTC. Server only (the zone table stays out of the WASM).

use chrono::{DateTime, NaiveDate};

/// The date at Unix time `now` in the time zone `zone` (an IANA name such as `Europe/Berlin`;
/// UTC when the name is unknown).
pub fn today_in(now: i64, zone: &str) -> NaiveDate {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    DateTime::from_timestamp(now, 0)
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive()
}

/// The Unix time of `hour`:`minute` on `date` in `zone` (the earlier one when clocks go back;
/// the hour after when they skip it).
pub fn at_local(date: NaiveDate, hour: u32, minute: u32, zone: &str) -> i64 {
    use chrono::TimeZone;
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let local = date.and_hms_opt(hour, minute, 0).unwrap_or_default();
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .map_or_else(|| local.and_utc().timestamp(), |t| t.timestamp())
}

/// Whether `zone` names a time zone.
pub fn is_zone(zone: &str) -> bool {
    zone.parse::<chrono_tz::Tz>().is_ok()
}

/// Every time zone name, in the order of the IANA database (for a choice of one).
pub fn names() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect()
}

/// Unix time `ts` as the site's people read it: "2026-12-06 17:00 (Europe/Berlin)".
pub fn local_datetime(ts: i64, zone: &str) -> String {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let at = DateTime::from_timestamp(ts, 0)
        .unwrap_or_default()
        .with_timezone(&tz);
    format!("{} ({})", at.format("%Y-%m-%d %H:%M"), tz.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnight_is_where_the_site_is() {
        // 23:30 UTC on 9 March 2025 is already 10 March in Berlin, still 9 March in Los Angeles
        // (15:30) and in UTC.
        let now = DateTime::parse_from_rfc3339("2025-03-09T23:30:00Z")
            .unwrap()
            .timestamp();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(today_in(now, "Europe/Berlin"), d("2025-03-10"));
        assert_eq!(today_in(now, "America/Los_Angeles"), d("2025-03-09"));
        assert_eq!(today_in(now, "UTC"), d("2025-03-09"));
        assert_eq!(today_in(now, "Mars/Olympus"), d("2025-03-09"));
        assert!(is_zone("Asia/Kolkata") && !is_zone("Mars/Olympus"));
        // Summer time: 22:30 UTC on 30 March 2025 (after the change) is 00:30 on 31 March in
        // Berlin (UTC+2), but the night before the change 22:30 UTC is still 23:30 on the 29th.
        let after = DateTime::parse_from_rfc3339("2025-03-30T22:30:00Z")
            .unwrap()
            .timestamp();
        let before = DateTime::parse_from_rfc3339("2025-03-29T22:30:00Z")
            .unwrap()
            .timestamp();
        assert_eq!(today_in(after, "Europe/Berlin"), d("2025-03-31"));
        assert_eq!(today_in(before, "Europe/Berlin"), d("2025-03-29"));
        // 00:05 on 31 March in Berlin is 22:05 UTC the day before; 02:30 on 30 March does not
        // exist there (clocks skip to 03:00), so it is taken as 03:30 (01:30 UTC).
        let five_past = at_local(d("2025-03-31"), 0, 5, "Europe/Berlin");
        assert_eq!(
            five_past,
            DateTime::parse_from_rfc3339("2025-03-30T22:05:00Z")
                .unwrap()
                .timestamp()
        );
        let skipped = at_local(d("2025-03-30"), 2, 30, "Europe/Berlin");
        assert_eq!(
            skipped,
            DateTime::parse_from_rfc3339("2025-03-30T01:30:00Z")
                .unwrap()
                .timestamp()
        );
    }
}
