//! Reading what people type into forms, the same way everywhere (compiles for the browser too):
//! numbers with a decimal comma, dates and date-times (with chrono), and the values date inputs
//! show. All times are Unix seconds, UTC.

use crate::error::AppError;
use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Reads a number as people type it: spaces ignored, a decimal comma accepted.
pub fn parse_number(input: &str) -> Option<f64> {
    let cleaned: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let cleaned = if cleaned.contains(',') && !cleaned.contains('.') {
        cleaned.replace(',', ".")
    } else {
        cleaned
    };
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A `YYYY-MM-DD` date input as the Unix time of that day's start (UTC); empty is `None`.
pub fn parse_date(field: &str, input: &str) -> Result<Option<i64>, AppError> {
    let value = input.trim();
    if value.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .filter(|d| (1970..=9999).contains(&chrono::Datelike::year(d)))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| Some(d.and_utc().timestamp()))
        .ok_or_else(|| AppError::invalid(field, "Enter a date as YYYY-MM-DD."))
}

/// The `YYYY-MM-DD` form of a Unix time (UTC), for date inputs.
pub fn format_date(ts: Option<i64>) -> String {
    ts.and_then(|t| DateTime::from_timestamp(t, 0))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A `datetime-local` input (UTC) as a Unix time; empty is `None`.
pub fn parse_datetime(field: &str, input: &str) -> Result<Option<i64>, AppError> {
    let value = input.trim();
    if value.is_empty() {
        return Ok(None);
    }
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .map(|d| Some(d.and_utc().timestamp()))
        .map_err(|_| AppError::invalid(field, "Enter a date and time."))
}

/// The `datetime-local` form of a Unix time (UTC).
pub fn format_datetime(ts: Option<i64>) -> String {
    ts.and_then(|t| DateTime::from_timestamp(t, 0))
        .map(|d| d.format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        let ts = parse_date("d", "2026-02-28").unwrap().unwrap();
        assert_eq!(format_date(Some(ts)), "2026-02-28");
        assert_eq!(parse_date("d", "1970-01-02").unwrap(), Some(86_400));
        assert!(parse_date("d", "2026-02-30").is_err());
        assert!(parse_date("d", "2024-02-29").is_ok());
        assert!(parse_date("d", "soon").is_err());
        assert_eq!(parse_date("d", " ").unwrap(), None);
    }

    #[test]
    fn numbers_and_date_times_as_people_type_them() {
        assert_eq!(parse_number(" 12,5 "), Some(12.5));
        assert_eq!(parse_number("1 000.25"), Some(1000.25));
        assert_eq!(parse_number("NaN"), None);
        let t = parse_datetime("d", "2026-12-03T14:05").unwrap();
        assert_eq!(format_datetime(t), "2026-12-03T14:05");
        assert!(parse_datetime("d", "tomorrow").is_err());
        assert_eq!(
            escape_html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
