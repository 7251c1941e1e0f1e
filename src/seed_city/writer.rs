//! Bulk writing for the city seeder: rows go to the database as multi-row `INSERT`s of as many
//! rows as the bind-parameter limits allow (PostgreSQL 65,535, SQLite 32,766), many statements
//! to a transaction, with a progress line on stderr.

use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, EntityTrait, Iterable, TransactionTrait};
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
