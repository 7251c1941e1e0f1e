//! Bulk writing for the city seeder, with a progress line on stderr. On PostgreSQL each batch is
//! one `COPY … FROM STDIN` (text format; several times faster than inserts: no statement to
//! parse and no parameters to bind per row); on SQLite, multi-row `INSERT`s of as many rows as
//! its bind-parameter limit allows (32,766), many statements to a transaction.

use sea_orm::{
    ActiveModelTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityName, EntityTrait, IdenStatic, Iterable,
    TransactionTrait, Value,
};
use std::io::Write;
use std::time::Instant;

/// Bind parameters per statement: under both databases' limits.
const PARAMS_PER_STATEMENT: usize = 30_000;
/// Rows kept before they are written in one transaction.
pub(super) const FLUSH_ROWS: usize = 50_000;

/// Writes batches and reports progress.
pub(super) struct Writer<'a> {
    db: &'a DatabaseConnection,
    progress: Progress,
}

impl<'a> Writer<'a> {
    pub(super) fn new(db: &'a DatabaseConnection, total_rows: u64, quiet: bool) -> Self {
        Writer { db, progress: Progress::new(total_rows, quiet) }
    }

    /// Writes `rows` of one table in one transaction, as few statements as the limits allow.
    pub(super) async fn put<A>(&mut self, table: &'static str, rows: Vec<A>) -> Result<(), DbErr>
    where
        A: ActiveModelTrait + Send + Clone,
    {
        if rows.is_empty() {
            return Ok(());
        }
        if self.db.get_database_backend() == DatabaseBackend::Postgres {
            let n = rows.len();
            copy_in(self.db, rows).await?;
            self.progress.advance(table, n as u64);
            return Ok(());
        }
        let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
        let per_statement = (PARAMS_PER_STATEMENT / columns).max(1);
        let txn = self.db.begin().await?;
        let mut done = 0;
        let mut rest = rows;
        while !rest.is_empty() {
            let tail = rest.split_off(rest.len().min(per_statement));
            let n = rest.len();
            <A::Entity as EntityTrait>::insert_many(rest).exec_without_returning(&txn).await?;
            done += n;
            rest = tail;
        }
        txn.commit().await?;
        self.progress.advance(table, done as u64);
        Ok(())
    }

    /// Rows written so far.
    pub(super) fn rows(&self) -> u64 {
        self.progress.done
    }

    /// Ends the progress line.
    pub(super) fn finish(&mut self) {
        self.progress.finish();
    }
}

/// Writes `rows` with one `COPY` in PostgreSQL's text format: the columns set in the first row,
/// tab-separated, `\N` for NULL. Every row must set the same columns.
async fn copy_in<A>(db: &DatabaseConnection, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait,
{
    let columns: Vec<_> = <A::Entity as EntityTrait>::Column::iter().filter(|c| rows[0].get(*c).is_set()).collect();
    let names: Vec<String> = columns.iter().map(|c| format!("\"{}\"", c.as_str())).collect();
    let table = <A::Entity as Default>::default().table_name().to_string();
    let mut text = String::with_capacity(rows.len() * 64 * columns.len().max(1));
    for row in rows {
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                text.push('\t');
            }
            let value = row.get(*c).into_value().ok_or_else(|| {
                DbErr::Custom(format!("seed-city: {table}.{} set in one row and not in another", c.as_str()))
            })?;
            copy_text(&mut text, &value)
                .map_err(|e| DbErr::Custom(format!("seed-city: {table}.{}: {e}", c.as_str())))?;
        }
        text.push('\n');
    }
    let statement = format!("COPY \"{table}\" ({}) FROM STDIN", names.join(", "));
    let mut conn = db.get_postgres_connection_pool().acquire().await.map_err(sql_err)?;
    let mut copy = conn.copy_in_raw(&statement).await.map_err(sql_err)?;
    copy.send(text.into_bytes()).await.map_err(sql_err)?;
    copy.finish().await.map_err(sql_err)?;
    Ok(())
}

fn sql_err(e: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Custom(format!("seed-city copy: {e}"))
}

/// Appends one value in `COPY`'s text format.
fn copy_text(out: &mut String, value: &Value) -> Result<(), &'static str> {
    use std::fmt::Write as _;
    let escaped = |out: &mut String, s: &str| {
        for ch in s.chars() {
            match ch {
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c => out.push(c),
            }
        }
    };
    macro_rules! shown {
        ($v:expr) => {
            match $v {
                Some(v) => {
                    let _ = write!(out, "{v}");
                }
                None => out.push_str("\\N"),
            }
        };
    }
    match value {
        Value::Bool(v) => shown!(v),
        Value::SmallInt(v) => shown!(v),
        Value::Int(v) => shown!(v),
        Value::BigInt(v) => shown!(v),
        Value::Float(v) => shown!(v),
        Value::Double(v) => shown!(v),
        Value::Uuid(v) => shown!(v),
        Value::ChronoDate(v) => shown!(v),
        Value::ChronoDateTime(v) => shown!(v),
        Value::ChronoDateTimeUtc(v) => shown!(v.map(|t| t.to_rfc3339())),
        Value::String(Some(s)) => escaped(out, s),
        Value::Json(Some(j)) => escaped(out, &j.to_string()),
        Value::String(None) | Value::Json(None) | Value::Bytes(None) => out.push_str("\\N"),
        Value::Bytes(Some(b)) => {
            out.push_str("\\\\x");
            out.push_str(&hex::encode(b));
        }
        _ => return Err("a value kind the seeder does not copy"),
    }
    Ok(())
}

/// A progress bar on stderr: `[#####.....]  42% hours_entries  840,000/2,000,000 rows  31 s`.
struct Progress {
    total: u64,
    done: u64,
    started: Instant,
    quiet: bool,
    last_drawn: Option<Instant>,
}

impl Progress {
    fn new(total: u64, quiet: bool) -> Self {
        Progress { total: total.max(1), done: 0, started: Instant::now(), quiet, last_drawn: None }
    }

    fn advance(&mut self, table: &str, rows: u64) {
        self.done += rows;
        // Redrawn at most ten times a second: drawing must not cost what it measures.
        if self.quiet || self.last_drawn.is_some_and(|t| t.elapsed().as_millis() < 100) {
            return;
        }
        self.last_drawn = Some(Instant::now());
        let share = (self.done as f64 / self.total as f64).min(1.0);
        let filled = (share * 30.0) as usize;
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r[{}{}] {:>3}% {:<24} {:>11}/{} rows {:>5} s",
            "#".repeat(filled),
            ".".repeat(30 - filled),
            (share * 100.0) as u32,
            table,
            thousands(self.done),
            thousands(self.total),
            self.started.elapsed().as_secs()
        );
        let _ = err.flush();
    }

    fn finish(&mut self) {
        if !self.quiet {
            self.last_drawn = None;
            self.advance("done", 0);
            eprintln!();
        }
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
