//! CSV downloads: UTF-8 with a byte-order mark (so spreadsheet programs read Chinese correctly),
//! streamed batch by batch so an export of a whole city never sits in memory at once.

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

/// Formats one CSV record.
pub fn record(fields: &[String]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(fields);
    w.into_inner().unwrap_or_default()
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
