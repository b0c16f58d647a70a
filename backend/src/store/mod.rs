//! The database: one `Store` over SQLite (embedded default) or PostgreSQL (production).
//!
//! Both databases run the same SQL text where the dialects agree (`$1` placeholders,
//! `ON CONFLICT`, `RETURNING`), so each query is written once and run by [`with_pool!`] on
//! whichever pool is configured. Migrations differ per dialect and live in
//! `migrations/{sqlite,postgres}`.

mod audit;
mod case_studies;
mod consent;
mod identity;
mod letters;
pub mod notifications;
mod programme;
mod proposals;
mod reference;
mod security;

pub use audit::AuditHead;
pub use programme::ReadFacts;
pub use proposals::{ProposalRecord, lease_until, started_at};
pub use security::SuspiciousCaller;

use std::{str::FromStr, time::Duration};

use sqlx::{
    PgPool, SqlitePool,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

/// Runs `$body` with `$pool` bound to the concrete pool of `$store`, whichever database it is.
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {{
        let store: &$crate::store::Store = $store;
        let _in_flight = store.enter();
        match &store.db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    }};
}
pub(crate) use with_pool;

/// Runs `$body` inside a write transaction `$tx` and commits it; an early return or `?` in the
/// body rolls everything back. SQLite write transactions start `IMMEDIATE`, taking the write
/// lock at once, so a transaction that reads before it writes can never fail to upgrade.
macro_rules! write_tx {
    ($store:expr, $tx:ident => $body:expr) => {{
        let store: &$crate::store::Store = $store;
        let _in_flight = store.enter();
        match &store.db {
            $crate::store::Db::Sqlite(pool) => {
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let value = $body;
                $tx.commit().await?;
                value
            }
            $crate::store::Db::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                let value = $body;
                $tx.commit().await?;
                value
            }
        }
    }};
}
pub(crate) use write_tx;

/// Inside the open transaction `$tx`: the region code of the current local area `$code`, or an
/// early return of `Invalid` naming `local_area_code`.
macro_rules! current_area_region {
    ($tx:ident, $code:expr) => {{
        let code: &str = $code;
        let found: Option<(String,)> =
            sqlx::query_as("SELECT region_code FROM local_areas WHERE ons_code = $1 AND retired_on IS NULL")
                .bind(code)
                .fetch_optional(&mut *$tx)
                .await?;
        match found {
            Some((region,)) => region,
            None => {
                let v = $crate::domain::FieldViolation::new("local_area_code", "Select a local area");
                return Err($crate::domain::InvalidInput::from(v).into());
            }
        }
    }};
}
pub(crate) use current_area_region;

/// A viewer's scope as SQL parameters `(kind, code)`, for queries that narrow confidential rows
/// in their WHERE clause: `england` sees all, `region` and `area` their own, `none` nothing.
fn scope_params(scope: &crate::domain::identity::Scope) -> (&'static str, &str) {
    use crate::domain::identity::Scope;
    match scope {
        Scope::England => ("england", ""),
        Scope::Region(code) => ("region", code),
        Scope::LocalArea(code) => ("area", code),
        Scope::Inspector { .. } | Scope::Body(_) | Scope::Accounts => ("none", ""),
    }
}

/// How long a database call may wait (for a connection, a lock or one statement) unless
/// configured otherwise (`--database-timeout-seconds`).
pub const DEFAULT_DATABASE_TIMEOUT: Duration = Duration::from_secs(10);

/// A failure of the store that callers may act on. Database details stay inside.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such row.
    #[error("not found")]
    NotFound,
    /// A unique constraint or version check refused the write.
    #[error("conflict")]
    Conflict,
    /// The request names something that does not exist or breaks a rule the store checks.
    #[error(transparent)]
    Invalid(#[from] crate::domain::InvalidInput),
    /// A decision, run on facts read in the write's own transaction, refused the change.
    #[error(transparent)]
    Refused(#[from] crate::domain::Refusal),
    /// A unique field already holds this value.
    #[error("{0}")]
    AlreadyExists(crate::domain::FieldViolation),
    /// The database URL names no supported database.
    #[error("database url must start with sqlite: or postgres: (got {0:?})")]
    UnsupportedUrl(String),
    /// The reference data shipped with the binary is broken.
    #[error(transparent)]
    ReferenceData(#[from] crate::domain::reference_data::ReferenceDataError),
    /// The database cannot be reached or cannot take the write just now (connection refused or
    /// lost, server shutting down, no connection free within the timeout, disk full, read-only
    /// file, a statement past its timeout): nothing was acknowledged; trying again later may work.
    #[error("database unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// Anything else the database said.
    #[error("database error")]
    Unexpected(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict,
            _ if is_unavailable(&e) => Self::Unavailable(e),
            _ => Self::Unexpected(e),
        }
    }
}

/// Whether `e` says the database is out of reach or out of room rather than that the request
/// or the code is wrong: the caller hears `UNAVAILABLE` and may retry.
fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // The primary result code is the low byte of SQLite's extended code.
                let primary = db.code().and_then(|c| c.parse::<i64>().ok()).map(|c| c & 0xff);
                // BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN.
                matches!(primary, Some(5 | 6 | 8 | 10 | 13 | 14))
            } else {
                // PostgreSQL SQLSTATEs: connection exceptions (08), insufficient resources (53:
                // disk full, out of memory, too many connections), operator intervention (57:
                // shutdown, crash, cannot connect now, statement timeout), a lock not granted within
                // `lock_timeout` (55P03), read-only transaction (25006, a standby after fail-over).
                db.code().is_some_and(|c| {
                    c.starts_with("08")
                        || c.starts_with("53")
                        || c.starts_with("57")
                        || c == "55P03"
                        || c == "25006"
                })
            }
        }
        _ => false,
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::Unexpected(e.into())
    }
}

/// The configured database's pool.
#[derive(Debug, Clone)]
pub enum Db {
    /// Embedded SQLite, one file.
    Sqlite(SqlitePool),
    /// PostgreSQL, for several replicas behind a load balancer.
    Postgres(PgPool),
}

/// The configured database, a count of the round trips made through it and of those under way.
#[derive(Debug, Clone)]
pub struct Store {
    /// The pool.
    pub db: Db,
    round_trips: std::sync::Arc<std::sync::atomic::AtomicU64>,
    in_flight: std::sync::Arc<std::sync::atomic::AtomicU32>,
}

/// One database operation under way (a read in `with_pool!` or a write transaction in
/// `write_tx!`), counted until dropped.
pub(crate) struct InFlight(std::sync::Arc<std::sync::atomic::AtomicU32>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Store {
    fn new(db: Db) -> Self {
        Self { db, round_trips: Default::default(), in_flight: Default::default() }
    }

    /// Counts one read query or one write transaction (done by `with_pool!` and `write_tx!`),
    /// under way until the guard is dropped.
    pub(crate) fn enter(&self) -> InFlight {
        self.count_round_trip();
        self.in_flight.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        InFlight(self.in_flight.clone())
    }

    /// Counts one more statement of an operation already under way.
    pub(crate) fn count_round_trip(&self) {
        self.round_trips.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Read queries and write transactions made so far: tests compare it before and after a
    /// call to show that a list costs the same number of queries whatever its length.
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Opens a pool for `url` (`sqlite://path` creates the file if missing; `postgres://…`) with
    /// the default [`DEFAULT_DATABASE_TIMEOUT`].
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with_timeout(url, DEFAULT_DATABASE_TIMEOUT).await
    }

    /// Opens a pool for `url` where no database call waits longer than `timeout`: for a free
    /// connection (also while the server is down and refusing), for a lock (SQLite's busy
    /// timeout; PostgreSQL's `lock_timeout`) or for one statement (PostgreSQL's
    /// `statement_timeout`). Past it the call fails as [`StoreError::Unavailable`].
    pub async fn connect_with_timeout(url: &str, timeout: Duration) -> Result<Self, StoreError> {
        let timeout = timeout.max(Duration::from_millis(100));
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                // WAL with synchronous=FULL: an acknowledged commit survives a crash or power loss.
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(timeout);
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(timeout)
                // A transaction dropped without its commit queues a rollback. When SQLite had
                // already rolled it back itself (a full disk, an I/O error), that rollback fails
                // and sqlx still counts the transaction open, so every later BEGIN on the
                // connection would be refused: such a connection is closed, not reused. The
                // ping only runs after a rollback, to let the queued one finish first.
                .after_release(|conn, _| {
                    Box::pin(async move {
                        use sqlx::Connection as _;
                        if !conn.is_in_transaction() {
                            return Ok(true);
                        }
                        conn.ping().await?;
                        Ok(!conn.is_in_transaction())
                    })
                })
                .connect_with(options)
                .await?;
            Ok(Self::new(Db::Sqlite(pool)))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let millis = timeout.as_millis().to_string();
            let options = PgConnectOptions::from_str(url)?
                .options([("statement_timeout", millis.as_str()), ("lock_timeout", millis.as_str())]);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(timeout)
                .connect_with(options)
                .await?;
            Ok(Self::new(Db::Postgres(pool)))
        } else {
            Err(StoreError::UnsupportedUrl(url.chars().take(40).collect()))
        }
    }

    /// Applies the embedded migrations for this database, then loads the reference data.
    /// Safe to run from several replicas at once (sqlx takes a migration lock on PostgreSQL).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await?,
            Db::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
        }
        self.load_reference_data().await
    }

    /// The pool's connections: (open, idle).
    pub fn pool_sizes(&self) -> (u32, u32) {
        match &self.db {
            Db::Sqlite(pool) => (pool.size(), u32::try_from(pool.num_idle()).unwrap_or(u32::MAX)),
            Db::Postgres(pool) => (pool.size(), u32::try_from(pool.num_idle()).unwrap_or(u32::MAX)),
        }
    }

    /// Database operations under way beyond the connections in use: those waiting for a free
    /// connection (sqlx counts no waiters itself, so this is operations started and not ended,
    /// less the connections handed out).
    pub fn waiting(&self) -> u32 {
        let (size, idle) = self.pool_sizes();
        self.in_flight.load(std::sync::atomic::Ordering::Relaxed).saturating_sub(size.saturating_sub(idle))
    }

    /// `sqlite` or `postgres`, for logs.
    pub fn kind(&self) -> &'static str {
        match &self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Answers whether the database is reachable, for health checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ())?);
        Ok(())
    }

    /// Waits for in-use connections and closes the pool.
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_or_full_database_is_unavailable_and_nothing_else_is() {
        let unavailable = |e: sqlx::Error| matches!(StoreError::from(e), StoreError::Unavailable(_));
        assert!(unavailable(sqlx::Error::PoolTimedOut));
        assert!(unavailable(sqlx::Error::PoolClosed));
        assert!(unavailable(sqlx::Error::Io(std::io::ErrorKind::ConnectionRefused.into())));
        assert!(unavailable(sqlx::Error::Io(std::io::ErrorKind::ConnectionReset.into())));
        assert!(!unavailable(sqlx::Error::Protocol("unexpected message".into())));
        assert!(!unavailable(sqlx::Error::ColumnNotFound("x".into())));
        assert!(matches!(StoreError::from(sqlx::Error::RowNotFound), StoreError::NotFound));
    }

    #[tokio::test]
    async fn sqlite_says_unavailable_for_a_read_only_database_and_unexpected_for_bad_sql() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("ro.db").display());
        let store = Store::connect(&url).await.expect("open");
        with_pool!(&store, pool => sqlx::query("CREATE TABLE t (x INTEGER)").execute(pool).await.map(drop).expect("create"));
        store.close().await;
        let read_only = Store::connect(&format!("{url}?mode=ro")).await.expect("open read-only");
        let write: Result<_, StoreError> = with_pool!(&read_only, pool => sqlx::query("INSERT INTO t VALUES (1)").execute(pool).await.map(drop).map_err(Into::into));
        assert!(matches!(write, Err(StoreError::Unavailable(_))), "{write:?}");
        let bad: Result<_, StoreError> = with_pool!(&read_only, pool => sqlx::query("SELECT nothing FROM t").execute(pool).await.map(drop).map_err(Into::into));
        assert!(matches!(bad, Err(StoreError::Unexpected(_))), "{bad:?}");
    }
}
