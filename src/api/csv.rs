//! CSV downloads: UTF-8 with a byte-order mark (so spreadsheet programs read Chinese correctly),
//! streamed batch by batch so an export of a whole city never sits in memory at once, every cell
//! neutralised against formulas ([`neutralise`]).

use futures::StreamExt;
use poem::Body;
use poem_openapi::ApiResponse;
use poem_openapi::payload::Binary;
use std::future::Future;

/// A CSV file download.
#[derive(ApiResponse)]
pub enum CsvFile {
    /// The file, streamed.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(Binary<Body>, #[oai(header = "Content-Disposition")] String),
}

/// Formats one CSV record, each cell [`neutralise`]d.
pub fn record(fields: &[String]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let cells: Vec<_> = fields.iter().map(|f| neutralise(f)).collect();
    let _ = w.write_record(cells.iter().map(|c| c.as_bytes()));
    w.into_inner().unwrap_or_default()
}

/// A cell a spreadsheet program shows as text, never runs as a formula: a cell starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading single quote (OWASP, "CSV
/// Injection", <https://owasp.org/www-community/attacks/CSV_Injection>; OWASP ASVS 1.2.10). A
/// name such as `=HYPERLINK(…)` typed by anyone would otherwise run in an administrator's
/// spreadsheet. A plain number (`-30`, a negative correction in minutes) is left as it is: it
/// cannot be a formula, and quoting it would turn it into text.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(cell) { format!("'{cell}").into() } else { cell.into() }
}

fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty() && !fraction.is_empty() && (whole.chars().chain(fraction.chars())).all(|c| c.is_ascii_digit())
}

/// A CSV download of rows already in hand (a small table, such as a statistics table).
pub fn whole(filename: &str, header: &[&str], rows: Vec<Vec<String>>) -> CsvFile {
    let mut once = Some(rows);
    stream(filename, header, move |_: Option<()>| {
        let rows = once.take().unwrap_or_default();
        async move { Ok((rows, None)) }
    })
}

/// A CSV download named `filename`: `header` first, then the rows of each batch `next` yields
/// (it is called with the cursor it last returned, and stops when it returns none).
pub fn stream<C, F, Fut>(filename: &str, header: &[&str], next: F) -> CsvFile
where
    C: Send + 'static,
    F: FnMut(Option<C>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(Vec<Vec<String>>, Option<C>), String>> + Send + 'static,
{
    let mut head = vec![0xEF, 0xBB, 0xBF];
    head.extend(record(&header.iter().map(|s| s.to_string()).collect::<Vec<_>>()));
    let first = futures::stream::once(async move { Ok::<_, std::io::Error>(head) });
    // State: the fetcher, the cursor to pass next, and whether the last batch said "more".
    let rows = futures::stream::unfold((next, None::<C>, true), |(mut next, cursor, more)| async move {
        if !more {
            return None;
        }
        match next(cursor).await {
            Ok((rows, cursor)) => {
                let more = cursor.is_some();
                let bytes: Vec<u8> = rows.iter().flat_map(|r| record(r)).collect();
                Some((Ok(bytes), (next, cursor, more)))
            }
            Err(e) => {
                tracing::error!(error = %e, "CSV export failed midway");
                Some((Err(std::io::Error::other("export failed")), (next, None, false)))
            }
        }
    });
    let body = Body::from_bytes_stream(first.chain(rows).map(|r| r.map(bytes::Bytes::from)));
    CsvFile::Ok(Binary(body), format!("attachment; filename=\"{filename}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_quoted_and_numbers_kept() {
        for risky in ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "-", "=1"] {
            assert_eq!(neutralise(risky), format!("'{risky}"), "{risky:?}");
        }
        for safe in ["张三", "a=b", "-30", "+5", "-1.5", "12", "", "'=x"] {
            assert_eq!(neutralise(safe), safe, "{safe:?}");
        }
        assert_eq!(record(&["=cmd".into(), "-15".into()]), b"'=cmd,-15\n");
    }
}
