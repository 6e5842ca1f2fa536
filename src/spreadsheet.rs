//! CSV that people open in spreadsheets. Every CSV Lyceum writes goes through `CsvOut`, which
//! neutralises cells a spreadsheet would run as a formula (OWASP "CSV injection": a name such as
//! `=HYPERLINK(…)` must arrive as text); readers of our own exports call `restore_cell` to undo it.

use crate::error::{AppError, OrInternal, internal};
use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula (or, for tab and carriage return,
/// that some spreadsheets skip before looking for one).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A plain number such as `-5` or `+2.5` is data, not a formula: it stays as it is.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    !digits.is_empty()
        && digits.chars().any(|c| c.is_ascii_digit())
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
}

/// The cell as a spreadsheet will show it: text that would start a formula gets a leading `'`.
pub fn safe_cell(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Undoes `safe_cell` for a cell read back from one of our exports.
pub fn restore_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) && !is_plain_number(rest) => rest,
        _ => cell,
    }
}

/// A CSV file built in memory, every cell made safe for spreadsheets.
pub struct CsvOut {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for CsvOut {
    fn default() -> Self {
        CsvOut::new()
    }
}

impl CsvOut {
    pub fn new() -> CsvOut {
        CsvOut {
            writer: csv::Writer::from_writer(Vec::new()),
        }
    }

    pub fn row<I, S>(&mut self, cells: I) -> Result<(), AppError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for cell in cells {
            self.writer
                .write_field(safe_cell(cell.as_ref()).as_bytes())
                .map_err(csv_error)?;
        }
        // An empty record ends the one the fields above started.
        self.writer
            .write_record(std::iter::empty::<&[u8]>())
            .map_err(csv_error)
    }

    pub fn finish(self) -> Result<String, AppError> {
        let bytes = self
            .writer
            .into_inner()
            .or_internal("finishing a CSV file failed")?;
        String::from_utf8(bytes).or_internal("a CSV file written from text is not UTF-8")
    }
}

fn csv_error(err: csv::Error) -> AppError {
    internal("writing a CSV row failed", err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_restored() {
        for cell in [
            "=HYPERLINK(\"http://evil.example\",\"open\")",
            "+1+2",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\r=1",
            "=",
        ] {
            let safe = safe_cell(cell);
            assert!(safe.starts_with('\''), "{cell:?} became {safe:?}");
            assert_eq!(restore_cell(&safe), cell);
        }
    }

    #[test]
    fn ordinary_cells_and_numbers_stay_as_they_are() {
        for cell in [
            "Ada Lovelace",
            "-5",
            "+2.5",
            "-0.75",
            "12",
            "",
            "a=b",
            "O'Brien",
            "'quoted",
        ] {
            assert_eq!(safe_cell(cell), cell);
            assert_eq!(restore_cell(cell), cell);
        }
    }

    #[test]
    fn the_writer_neutralises_every_cell() {
        let mut out = CsvOut::new();
        out.row(["name", "total"]).unwrap();
        out.row(["=HYPERLINK(\"http://x\",\"open\")", "-5"])
            .unwrap();
        let text = out.finish().unwrap();
        assert_eq!(
            text,
            "name,total\n\"'=HYPERLINK(\"\"http://x\"\",\"\"open\"\")\",-5\n"
        );
    }
}
