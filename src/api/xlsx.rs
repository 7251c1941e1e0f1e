//! XLSX downloads: Office Open XML workbooks (ECMA-376), written by `rust_xlsxwriter`, of the
//! statistics tables. Those are small (a unit and the units one level below it, at most 36 months
//! by six action lines each), so a workbook is built in memory, unlike the streamed CSV exports
//! of whole rosters and ledgers. Text goes into text cells, which a spreadsheet program never
//! evaluates, so the CSV exports' formula neutralising is not needed here; numbers go into number
//! cells, so totals can be summed at once.

use crate::api::error::ApiError;
use poem_openapi::ApiResponse;
use poem_openapi::payload::Binary;
use rust_xlsxwriter::{Format, Workbook};

/// An XLSX file download.
#[derive(ApiResponse)]
pub enum XlsxFile {
    /// The workbook.
    #[oai(status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    Ok(Binary<Vec<u8>>, #[oai(header = "Content-Disposition")] String),
}

/// One cell of a downloadable table: text, or a number with the text a CSV file shows for it.
pub enum Cell {
    Text(String),
    Number { value: f64, text: String },
}

impl Cell {
    /// A whole number.
    pub fn int(n: impl Into<i64>) -> Cell {
        let n = n.into();
        Cell::Number { value: n as f64, text: n.to_string() }
    }

    /// A number shown with `decimals` places.
    pub fn fixed(value: f64, decimals: usize) -> Cell {
        Cell::Number { value, text: format!("{value:.decimals$}") }
    }

    /// The cell as CSV text.
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number { text, .. } => text.clone(),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

/// A workbook of one sheet named `sheet`: the header in bold, frozen above the rows.
pub fn workbook(filename: &str, sheet: &str, header: &[&str], rows: &[Vec<Cell>]) -> Result<XlsxFile, ApiError> {
    let fail = |e: rust_xlsxwriter::XlsxError| ApiError::internal(&e);
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(fail)?;
    let bold = Format::new().set_bold();
    for (col, name) in header.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, *name, &bold).map_err(fail)?;
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(s) => ws.write_string(r, col as u16, s).map_err(fail)?,
                Cell::Number { value, .. } => ws.write_number(r, col as u16, *value).map_err(fail)?,
            };
        }
    }
    let bytes = book.save_to_buffer().map_err(fail)?;
    Ok(XlsxFile::Ok(Binary(bytes), format!("attachment; filename=\"{filename}\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_the_same_in_csv_as_before() {
        assert_eq!(Cell::int(90).csv(), "90");
        assert_eq!(Cell::fixed(1.5, 2).csv(), "1.50");
        assert_eq!(Cell::from("帮扶").csv(), "帮扶");
    }

    #[test]
    fn a_workbook_is_a_zip_of_the_sheet() {
        let rows = vec![vec![Cell::from("=HYPERLINK(\"x\")"), Cell::int(3)]];
        let XlsxFile::Ok(Binary(bytes), disposition) = workbook("t.xlsx", "表", &["名称", "数"], &rows).unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"), "an Office Open XML file is a zip archive");
        assert_eq!(disposition, "attachment; filename=\"t.xlsx\"");
    }
}
