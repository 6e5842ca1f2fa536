/// A Unix timestamp as "2026-11-28 15:20 UTC".
pub fn datetime(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

pub fn optional_datetime(ts: Option<i64>) -> String {
    ts.map(datetime).unwrap_or_else(|| "Never".into())
}
