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
        plural(bytes, "byte", "bytes")
    }
}

/// A count that can be written with a noun: whole numbers, and points or marks (`f64`, shown
/// with at most two decimals).
pub trait Count: Copy {
    fn is_one(self) -> bool;
    fn show(self) -> String;
}

macro_rules! whole_counts {
    ($($t:ty),*) => {$(
        impl Count for $t {
            fn is_one(self) -> bool {
                self == 1
            }
            fn show(self) -> String {
                self.to_string()
            }
        }
    )*};
}
whole_counts!(i32, i64, u32, u64, usize);

impl Count for f64 {
    fn is_one(self) -> bool {
        (self - 1.0).abs() < 1e-9
    }
    fn show(self) -> String {
        let s = format!("{self:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A count with its noun in the right number: `plural(1, "question", "questions")` is
/// "1 question", `plural(3, ..)` is "3 questions". The one place counts meet nouns, so the pages
/// never write "question(s)" or "1 results".
pub fn plural(n: impl Count, one: &str, many: &str) -> String {
    format!("{} {}", n.show(), if n.is_one() { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn one_takes_the_singular_and_every_other_count_the_plural() {
        assert_eq!(plural(1, "question", "questions"), "1 question");
        assert_eq!(plural(3, "question", "questions"), "3 questions");
        assert_eq!(plural(0_usize, "result", "results"), "0 results");
        assert_eq!(plural(1_u32, "result", "results"), "1 result");
        assert_eq!(plural(21_i64, "person", "people"), "21 people");
    }

    #[test]
    fn points_are_counted_with_their_decimals() {
        assert_eq!(plural(1.0, "mark", "marks"), "1 mark");
        assert_eq!(plural(2.5, "mark", "marks"), "2.5 marks");
        assert_eq!(plural(0.5, "point", "points"), "0.5 points");
        assert_eq!(plural(10.0, "point", "points"), "10 points");
    }
}
