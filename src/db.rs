//! Database connection and transaction helpers that hide the differences between PostgreSQL
//! and SQLite from the domain code.

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, SqlErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::time::Duration;

/// Opens a pool. SQLite runs in WAL mode with a busy timeout and foreign keys on, so concurrent
/// writers wait for each other instead of failing.
///
/// `acquire_timeout` bounds how long a caller waits for a connection, reconnecting included: while
/// PostgreSQL restarts, requests fail after it (503, see [`is_unavailable`]) instead of hanging,
/// and the pool reconnects by itself once the server is back (broken connections are dropped
/// when they fail).
pub async fn connect(url: &str, max_connections: u32, acquire_timeout: Duration) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = sqlite_file(url) {
        private_database_file(&path).map_err(|e| DbErr::Custom(format!("cannot prepare {}: {e}", path.display())))?;
    }
    let mut opts = ConnectOptions::new(url.to_string());
    opts.max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(acquire_timeout)
        .acquire_timeout(acquire_timeout)
        // A dead connection surfaces as an error on use; pinging before every checkout would
        // double the round trips of every short query.
        .test_before_acquire(false)
        .sqlx_logging(false);
    if url.starts_with("postgres") {
        // A runaway statement must not hold a connection forever.
        opts.statement_timeout(Duration::from_secs(30));
    }
    opts.map_sqlx_sqlite_opts(|o| {
        o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true)
            // Deleted and overwritten rows are zeroed on disk, so erased personal data does not
            // linger in free pages of the database file.
            .pragma("secure_delete", "on")
    });
    Database::connect(opts).await
}

/// The file of a SQLite URL (`sqlite://data/wushe.db?mode=rwc`), or `None` for PostgreSQL and
/// in-memory databases.
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:" && !url.contains("mode=memory")).then(|| path.into())
}

/// Creates the SQLite database file readable by its owner only (0600; its directory, when
/// created here, 0700) before SQLite opens it: SQLite would create it world-readable under the
/// usual umask, and it holds everyone's personal data. SQLite gives the `-wal` and `-shm` files
/// the database file's permissions, so they follow. Files left looser by an older version are
/// tightened.
#[cfg(unix)]
fn private_database_file(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    std::fs::OpenOptions::new().append(true).create(true).mode(0o600).open(path)?;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn private_database_file(_: &std::path::Path) -> std::io::Result<()> {
    Ok(())
}

/// Begins a transaction that will write. On SQLite it starts `IMMEDIATE`: a deferred
/// transaction that reads and then writes fails with SQLITE_BUSY instead of waiting its turn.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let mut options = TransactionOptions::default();
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        options.sqlite_transaction_mode = Some(SqliteTransactionMode::Immediate);
    }
    db.begin_with_options(options).await
}

/// Whether an error means the database cannot be reached right now (see
/// [`jobs::job::is_unavailable`]): requests answer 503 with `Retry-After`, jobs are deferred.
pub fn is_unavailable(err: &DbErr) -> bool {
    jobs::job::is_unavailable(err)
}

/// Whether an error is a unique-constraint violation.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// After erasing personal data on SQLite, copies the write-ahead log into the database file and
/// truncates it, so no old page images of the erased rows remain on disk. Best effort (a busy
/// reader delays it to the next checkpoint); nothing to do on PostgreSQL.
pub async fn flush_erased(db: &DatabaseConnection) {
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        let _ = db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await;
    }
}

/// Whether the database answers a trivial query.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

/// Runs `f` in a write transaction (see [`begin_write`]): committed when it returns `Ok`,
/// rolled back when it returns `Err` or panics. The people whose rows or sessions it wrote
/// (`auth::session_cache::person_changed`) are announced to every session cache after the
/// commit.
pub async fn write<T, E, F>(db: &DatabaseConnection, f: F) -> Result<T, E>
where
    F: AsyncFnOnce(&DatabaseTransaction) -> Result<T, E>,
    E: From<DbErr>,
{
    crate::auth::session_cache::announcing(Box::pin(async {
        let txn = begin_write(db).await?;
        let out = f(&txn).await?;
        txn.commit().await?;
        Ok(out)
    }))
    .await
}
