//! The audit trail: appended inside the transaction of the change it records.

use super::{Store, StoreError, with_pool, write_tx};
use crate::domain::{
    audit::{AuditEvent, NewAuditEvent},
    audit_text::{AuditEntry, EventNames},
};

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

/// An event with the names its sentence needs.
#[derive(sqlx::FromRow)]
struct EntryRow {
    #[sqlx(flatten)]
    event: EventRow,
    actor_name: String,
    object_name: String,
    area_name: String,
    engagement_kind: String,
}

/// The events with the names of their actor, their object and the local area they concern,
/// and that area's code (`area_code`, for the area filter). An event about a local area, a
/// visit request, its signed consent, an engagement (and its case studies), a letter, or a
/// conflict of interest declared with an area, concerns that area.
const ENTRIES: &str = "SELECT a.seq, a.occurred_at, a.actor_id, a.actor_username, a.actor_role, a.action, \
      a.object_type, a.object_id, a.outcome, a.request_id, a.detail, a.prev_hash, a.hash, \
      COALESCE(actor.display_name, '') AS actor_name, \
      COALESCE(op.display_name, i.name, '') AS object_name, \
      COALESCE(la.name, '') AS area_name, \
      COALESCE(e.kind, le.kind, '') AS engagement_kind \
    FROM audit_events a \
    LEFT JOIN people actor ON a.actor_id <> '' AND CAST(actor.id AS TEXT) = a.actor_id \
    LEFT JOIN people op ON a.object_type = 'person' AND CAST(op.id AS TEXT) = a.object_id \
    LEFT JOIN inspectors i ON a.object_type = 'inspector' AND CAST(i.id AS TEXT) = a.object_id \
    LEFT JOIN engagements e ON a.object_type = 'engagement' AND e.public_id = a.object_id \
    LEFT JOIN letters l ON a.object_type = 'letter' AND l.public_id = a.object_id \
    LEFT JOIN engagements le ON le.id = l.engagement_id \
    LEFT JOIN visit_requests r ON a.object_type = 'visit_request' AND r.public_id = a.object_id \
    LEFT JOIN consent_documents d ON a.object_type = 'consent_document' AND d.public_id = a.object_id \
    LEFT JOIN visit_requests dr ON dr.id = d.request_id \
    LEFT JOIN local_areas la ON la.ons_code = CASE a.object_type \
        WHEN 'local_area' THEN a.object_id \
        WHEN 'engagement' THEN e.local_area_code \
        WHEN 'letter' THEN le.local_area_code \
        WHEN 'visit_request' THEN r.local_area_code \
        WHEN 'consent_document' THEN dr.local_area_code \
        WHEN 'inspector' THEN CASE WHEN a.action = 'inspector.conflict' THEN a.detail END \
      END";

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

    /// Whether any event of `action` is in the trail.
    pub async fn audit_action_recorded(&self, action: &str) -> Result<bool, StoreError> {
        let found: Option<(i64,)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT seq FROM audit_events WHERE action = $1 LIMIT 1")
                .bind(action)
                .fetch_optional(pool)
                .await?
        });
        Ok(found.is_some())
    }

    /// Rows in each of `tables` (names of the schema's own tables, never input).
    pub async fn row_counts(&self, tables: &[&'static str]) -> Result<Vec<(&'static str, i64)>, StoreError> {
        let mut counts = Vec::new();
        for table in tables {
            let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
            let (n,): (i64,) = with_pool!(self, pool => sqlx::query_as(sql).fetch_one(pool).await?);
            counts.push((*table, n));
        }
        Ok(counts)
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

    /// Events by the person `actor_id` and/or about the local area `area_code` (empty: any),
    /// before `before_seq` (0: from the newest), most recent first, at most `limit`, each with
    /// the names its sentence needs; records the search itself (`read`) in the same transaction.
    pub async fn search_audit_trail(
        &self,
        actor_id: &str,
        area_code: &str,
        before_seq: i64,
        limit: i64,
        now: chrono::DateTime<chrono::Utc>,
        read: &NewAuditEvent,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{ENTRIES} WHERE ($1 = '' OR a.actor_id = $1) AND ($2 = '' OR la.ons_code = $2) \
               AND ($3 = 0 OR a.seq < $3) ORDER BY a.seq DESC LIMIT $4"
        ));
        let rows: Vec<EntryRow> = write_tx!(self, tx => {
            let rows = sqlx::query_as(sql)
                .bind(actor_id)
                .bind(area_code)
                .bind(before_seq)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            append_audit!(tx, now, read);
            rows
        });
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                event: r.event.into(),
                names: EventNames {
                    actor: r.actor_name,
                    object: r.object_name,
                    area: r.area_name,
                    engagement_kind: r.engagement_kind,
                },
            })
            .collect())
    }

    /// Everyone with an account, by display name: (id, display name, username, role).
    pub async fn audit_people(&self) -> Result<Vec<(i64, String, String, String)>, StoreError> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as("SELECT id, display_name, username, role FROM people ORDER BY display_name, username")
                .fetch_all(pool)
                .await?
        }))
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
