//! The audit trail: appended inside the transaction of the change it records.

use super::{Store, StoreError, with_pool, write_tx};
use crate::domain::audit::{AuditEvent, NewAuditEvent};

/// Appends `$event` (a `NewAuditEvent`) at time `$now` inside the open transaction `$tx`,
/// evaluating to the stored event's number. The head row is updated first: it takes the row
/// lock (PostgreSQL) or the write lock (SQLite), so concurrent appenders queue and events get
/// consecutive numbers.
macro_rules! append_audit {
    ($tx:ident, $now:expr, $event:expr) => {{
        let event: &$crate::domain::audit::NewAuditEvent = $event;
        let (seq, prev_hash): (i64, String) =
            sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *$tx)
                .await?;
        let occurred_at = $crate::domain::clock::canonical($now);
        let hash = $crate::domain::audit::chain_hash(&prev_hash, seq, &occurred_at, event);
        sqlx::query(
            "INSERT INTO audit_events (seq, occurred_at, actor_id, actor_username, actor_role, \
               action, object_type, object_id, outcome, request_id, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(seq)
        .bind(&occurred_at)
        .bind(&event.actor_id)
        .bind(&event.actor_username)
        .bind(&event.actor_role)
        .bind(&event.action)
        .bind(&event.object_type)
        .bind(&event.object_id)
        .bind(&event.outcome)
        .bind(&event.request_id)
        .bind(&event.detail)
        .bind(&prev_hash)
        .bind(&hash)
        .execute(&mut *$tx)
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&hash).execute(&mut *$tx).await?;
        seq
    }};
}
pub(crate) use append_audit;

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    occurred_at: String,
    actor_id: String,
    actor_username: String,
    actor_role: String,
    action: String,
    object_type: String,
    object_id: String,
    outcome: String,
    request_id: String,
    detail: String,
    prev_hash: String,
    hash: String,
}

impl From<EventRow> for AuditEvent {
    fn from(r: EventRow) -> Self {
        Self {
            seq: r.seq,
            occurred_at: r.occurred_at,
            event: NewAuditEvent {
                actor_id: r.actor_id,
                actor_username: r.actor_username,
                actor_role: r.actor_role,
                action: r.action,
                object_type: r.object_type,
                object_id: r.object_id,
                outcome: r.outcome,
                request_id: r.request_id,
                detail: r.detail,
            },
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

const EVENT_COLUMNS: &str = "seq, occurred_at, actor_id, actor_username, actor_role, action, \
    object_type, object_id, outcome, request_id, detail, prev_hash, hash";

/// The recorded end of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    /// How many events there are.
    pub seq: i64,
    /// The last event's hash.
    pub hash: String,
}

impl Store {
    /// Appends one event on its own (for events with no other change to go with).
    pub async fn append_audit(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        event: &NewAuditEvent,
    ) -> Result<i64, StoreError> {
        Ok(write_tx!(self, tx => append_audit!(tx, now, event)))
    }

    /// Events about one object after `after_seq`, oldest first, at most `limit`; records the
    /// read itself (`read`) in the same transaction.
    pub async fn read_audit_trail(
        &self,
        object_type: &str,
        object_id: &str,
        after_seq: i64,
        limit: i64,
        now: chrono::DateTime<chrono::Utc>,
        read: &NewAuditEvent,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events \
             WHERE object_type = $1 AND object_id = $2 AND seq > $3 ORDER BY seq LIMIT $4"
        ));
        let rows: Vec<EventRow> = write_tx!(self, tx => {
            let rows = sqlx::query_as(sql)
                .bind(object_type)
                .bind(object_id)
                .bind(after_seq)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            append_audit!(tx, now, read);
            rows
        });
        Ok(rows.into_iter().map(AuditEvent::from).collect())
    }

    /// Every event after `after_seq` in order, at most `limit` (for verification).
    pub async fn audit_events_after(
        &self,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
        ));
        let rows: Vec<EventRow> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(after_seq).bind(limit).fetch_all(pool).await?);
        Ok(rows.into_iter().map(AuditEvent::from).collect())
    }

    /// The recorded head of the chain.
    pub async fn audit_head(&self) -> Result<AuditHead, StoreError> {
        let (seq, hash): (i64, String) = with_pool!(self, pool => {
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(pool).await?
        });
        Ok(AuditHead { seq, hash })
    }
}
