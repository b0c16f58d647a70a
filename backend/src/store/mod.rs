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
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

/// Runs `$body` with `$pool` bound to the concrete pool of `$store`, whichever database it is.
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {{
        let store: &$crate::store::Store = $store;
        store.count_round_trip();
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
        store.count_round_trip();
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
    /// Anything else the database said.
    #[error("database error")]
    Unexpected(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict,
            _ => Self::Unexpected(e),
        }
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

/// The configured database, and a count of the round trips made through it.
#[derive(Debug, Clone)]
pub struct Store {
    /// The pool.
    pub db: Db,
    round_trips: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Store {
    fn new(db: Db) -> Self {
        Self { db, round_trips: Default::default() }
    }

    /// Counts one read query or one write transaction (done by `with_pool!` and `write_tx!`).
    pub(crate) fn count_round_trip(&self) {
        self.round_trips.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Read queries and write transactions made so far: tests compare it before and after a
    /// call to show that a list costs the same number of queries whatever its length.
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Opens a pool for `url` (`sqlite://path` creates the file if missing; `postgres://…`).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                // WAL with synchronous=FULL: an acknowledged commit survives a crash or power loss.
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
            Ok(Self::new(Db::Sqlite(pool)))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
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
