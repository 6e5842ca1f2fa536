/// A Unix timestamp as "2026-11-28 15:20 UTC".
pub fn datetime(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

pub fn optional_datetime(ts: Option<i64>) -> String {
    ts.map(datetime).unwrap_or_else(|| "Never".into())
}

pub fn human_size(bytes: i64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    let b = bytes as f64;
    if b >= MB {
        format!("{:.1} MB", b / MB)
    } else if b >= 1024.0 {
        format!("{:.0} KB", b / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}
