//! The notification outbox: rows written in each event's own transaction ([`enqueue`]), claimed
//! by the worker under a lease, and the record of every attempt; and people's email choices.

use chrono::{DateTime, Utc};

use super::{Db, Store, StoreError, with_pool, write_tx};
use crate::domain::{
    clock::canonical,
    notifications::{AttemptOutcome, EventKind},
};

/// Whom an event emails.
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    /// The users of one local area (ONS code).
    AreaUsers(&'a str),
    /// The lead of one region (code) and every national planner.
    RegionLeadAndPlanners(&'a str),
    /// Every national planner.
    Planners,
    /// One person (id).
    Person(i64),
    /// The people a letter (id) is issued to: its recipient bodies' users and, when the local
    /// area is a recipient, the area's users.
    LetterRecipients(i64),
}

impl Audience<'_> {
    /// The audience as the recipients query's parameters: (kind, code, id).
    pub(crate) fn params(&self) -> (&'static str, &str, i64) {
        match *self {
            Self::AreaUsers(code) => ("area", code, 0),
            Self::RegionLeadAndPlanners(code) => ("region", code, 0),
            Self::Planners => ("planners", "", 0),
            Self::Person(id) => ("person", "", id),
            Self::LetterRecipients(id) => ("letter", "", id),
        }
    }
}

/// The people an event emails: with an address, enabled, who have not turned this kind off.
pub(crate) const RECIPIENTS: &str = "SELECT p.id, p.email FROM people p \
    WHERE p.email IS NOT NULL AND p.email <> '' AND NOT p.disabled \
      AND NOT EXISTS (SELECT 1 FROM notification_preferences np \
                      WHERE np.person_id = p.id AND np.kind = $4 AND NOT np.email) \
      AND (($1 = 'area' AND p.role = 'local_area_user' AND p.local_area_code = $2) \
        OR ($1 = 'region' AND ((p.role = 'regional_lead' AND p.region_code = $2) OR p.role = 'national_planner')) \
        OR ($1 = 'planners' AND p.role = 'national_planner') \
        OR ($1 = 'person' AND p.id = $3) \
        OR ($1 = 'letter' AND ( \
             (p.role = 'recipient_body' AND p.recipient_body IN \
                (SELECT r.recipient FROM letter_recipients r WHERE r.letter_id = $3 AND r.revoked_at IS NULL)) \
          OR (p.role = 'local_area_user' AND EXISTS (SELECT 1 FROM letter_recipients r \
                JOIN letters l ON l.id = r.letter_id JOIN engagements e ON e.id = l.engagement_id \
                WHERE r.letter_id = $3 AND r.recipient = 'local_area' AND r.revoked_at IS NULL \
                  AND e.local_area_code = p.local_area_code))))) \
    ORDER BY p.id";

/// Inside the open transaction `$tx`: an outbox row of `$kind` for each person of `$audience`,
/// linking to `$link` (a path), about `$subject` (an id, or ""), due at `$due`.
macro_rules! enqueue {
    ($tx:ident, $now:expr, $kind:expr, $audience:expr, $link:expr, $subject:expr, $due:expr) => {{
        let kind: $crate::domain::notifications::EventKind = $kind;
        let audience: $crate::store::notifications::Audience<'_> = $audience;
        let (who, code, id) = audience.params();
        let recipients: Vec<(i64, String)> = sqlx::query_as($crate::store::notifications::RECIPIENTS)
            .bind(who)
            .bind(code)
            .bind(id)
            .bind(kind.as_str())
            .fetch_all(&mut *$tx)
            .await?;
        let now_text = $crate::domain::clock::canonical($now);
        let due_text = $crate::domain::clock::canonical($due);
        let link: &str = $link;
        let subject: &str = $subject;
        for (person, email) in recipients {
            sqlx::query(
                "INSERT INTO notification_outbox (reference, kind, person_id, email_address, link_path, \
                   subject_id, created_at, due_at, status, next_attempt_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $8)",
            )
            .bind($crate::domain::public_id::new_public_id())
            .bind(kind.as_str())
            .bind(person)
            .bind(&email)
            .bind(link)
            .bind(subject)
            .bind(&now_text)
            .bind(&due_text)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}
pub(crate) use enqueue;

/// Inside the open transaction `$tx`: cancels the pending reminders about `$subject`.
macro_rules! cancel_reminders {
    ($tx:ident, $subject:expr) => {{
        sqlx::query(
            "UPDATE notification_outbox SET status = 'cancelled', lease_until = NULL \
             WHERE subject_id = $1 AND kind = 'reply_reminder' AND status = 'pending'",
        )
        .bind($subject)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use cancel_reminders;

/// A message the worker has claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// Outbox row.
    pub id: i64,
    /// Sent to Notify as `reference`; finds the message there again.
    pub reference: String,
    /// Its event kind.
    pub kind: EventKind,
    /// The recipient's name, for the greeting.
    pub display_name: String,
    /// Where to send it.
    pub email_address: String,
    /// The path the email links to.
    pub link_path: String,
    /// This attempt's number (1 for the first).
    pub attempt: i64,
    /// A claim of an earlier worker lapsed mid-send: Notify may already have it.
    pub reclaimed: bool,
    /// This claim's end: the attempt is recorded only while it holds.
    pub lease_until: DateTime<Utc>,
}

/// One outbox message as national planners see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxEntry {
    /// Its event kind.
    pub kind: String,
    /// The recipient's name.
    pub recipient: String,
    /// Their address.
    pub email_address: String,
    /// pending, sending, sent, failed or cancelled.
    pub status: String,
    /// When the event happened.
    pub created_at: String,
    /// When it is due.
    pub due_at: String,
    /// Attempts so far.
    pub attempts: i64,
    /// The last failure, if any.
    pub last_error: String,
    /// Notify's last word on delivery.
    pub delivery_status: String,
}

type ClaimRow = (i64, String, String, String, String, String, String, i64);

impl Store {
    /// Claims up to `limit` messages due at `now` (pending ones past their due and retry times,
    /// and sending ones whose claim lapsed), each until `lease_until`, in one transaction; on
    /// PostgreSQL other workers skip the rows claimed.
    pub async fn claim_notifications(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        let lock = if matches!(self.db, Db::Postgres(_)) { " FOR UPDATE OF o SKIP LOCKED" } else { "" };
        let select = sqlx::AssertSqlSafe(format!(
            "SELECT o.id, o.reference, o.kind, p.display_name, o.email_address, o.link_path, o.status, o.attempts \
             FROM notification_outbox o JOIN people p ON p.id = o.person_id \
             WHERE (o.status = 'pending' AND o.next_attempt_at <= $1 AND o.due_at <= $1) \
                OR (o.status = 'sending' AND o.lease_until <= $1) \
             ORDER BY o.id LIMIT $2{lock}"
        ));
        let now_text = canonical(now);
        let lease_text = canonical(lease_until);
        let rows: Vec<ClaimRow> = write_tx!(self, tx => {
            let rows: Vec<ClaimRow> = sqlx::query_as(select).bind(&now_text).bind(limit).fetch_all(&mut *tx).await?;
            for row in &rows {
                sqlx::query(
                    "UPDATE notification_outbox SET status = 'sending', lease_until = $2, attempts = attempts + 1 \
                     WHERE id = $1",
                )
                .bind(row.0)
                .bind(&lease_text)
                .execute(&mut *tx)
                .await?;
            }
            rows
        });
        Ok(rows
            .into_iter()
            .filter_map(|(id, reference, kind, display_name, email_address, link_path, status, attempts)| {
                Some(Claimed {
                    id,
                    reference,
                    kind: EventKind::parse(&kind)?,
                    display_name,
                    email_address,
                    link_path,
                    attempt: attempts + 1,
                    reclaimed: status == "sending",
                    lease_until,
                })
            })
            .collect())
    }

    /// Records what came of `claimed`'s attempt at `now`, with Notify's HTTP status if it
    /// answered, while the claim still holds; whether it did (a lapsed claim records nothing:
    /// another worker owns the message now).
    pub async fn record_notification_attempt(
        &self,
        claimed: &Claimed,
        now: DateTime<Utc>,
        outcome: &AttemptOutcome,
        http_status: Option<u16>,
        found: bool,
    ) -> Result<bool, StoreError> {
        let now_text = canonical(now);
        let (status, next, notify_id, delivery, error, label) = match outcome {
            AttemptOutcome::Sent { id, status } => (
                "sent",
                now_text.clone(),
                Some(id.clone()),
                status.clone(),
                String::new(),
                if found { "found" } else { "sent" },
            ),
            AttemptOutcome::Retry { at, error } => {
                ("pending", canonical(*at), None, String::new(), error.clone(), "retry")
            }
            AttemptOutcome::Failed { error } => {
                ("failed", now_text.clone(), None, String::new(), error.clone(), "failed")
            }
        };
        let recorded = write_tx!(self, tx => {
            let changed = sqlx::query(
                "UPDATE notification_outbox SET status = $3, next_attempt_at = $4, lease_until = NULL, \
                   notify_id = COALESCE($5, notify_id), delivery_status = $6, last_error = $7, \
                   sent_at = CASE WHEN $3 = 'sent' THEN $8 ELSE sent_at END \
                 WHERE id = $1 AND status = 'sending' AND lease_until = $2",
            )
            .bind(claimed.id)
            .bind(canonical(claimed.lease_until))
            .bind(status)
            .bind(&next)
            .bind(notify_id.as_deref())
            .bind(&delivery)
            .bind(&error)
            .bind(&now_text)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 1 {
                sqlx::query(
                    "INSERT INTO notification_attempts (outbox_id, attempt, at, outcome, http_status, detail) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(claimed.id)
                .bind(claimed.attempt)
                .bind(&now_text)
                .bind(label)
                .bind(http_status.map(i32::from))
                .bind(&error)
                .execute(&mut *tx)
                .await?;
            }
            changed == 1
        });
        Ok(recorded)
    }

    /// Sent messages whose delivery Notify has not yet settled: (outbox id, Notify id).
    pub async fn notifications_in_flight(&self, limit: i64) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, notify_id FROM notification_outbox \
                 WHERE status = 'sent' AND notify_id IS NOT NULL \
                   AND delivery_status IN ('', 'created', 'sending', 'pending') \
                 ORDER BY id LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Records Notify's delivery status of a sent message.
    pub async fn record_delivery_status(&self, id: i64, status: &str) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE notification_outbox SET delivery_status = $2 WHERE id = $1")
                .bind(id)
                .bind(status)
                .execute(pool)
                .await
                .map(|_| ())?
        });
        Ok(())
    }

    /// The most recent `limit` outbox messages, newest first.
    pub async fn outbox(&self, limit: i64) -> Result<Vec<OutboxEntry>, StoreError> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as::<_, OutboxEntry>(
                "SELECT o.kind, p.display_name AS recipient, o.email_address, o.status, o.created_at, o.due_at, o.attempts, \
                   o.last_error, o.delivery_status \
                 FROM notification_outbox o JOIN people p ON p.id = o.person_id ORDER BY o.id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Outbox messages by status: (status, how many).
    pub async fn outbox_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as("SELECT status, COUNT(*) FROM notification_outbox GROUP BY status ORDER BY status")
                .fetch_all(pool)
                .await?
        }))
    }

    /// The kinds a person has turned off or on (no row: on).
    pub async fn email_preferences(&self, person: i64) -> Result<Vec<(String, bool)>, StoreError> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as("SELECT kind, email FROM notification_preferences WHERE person_id = $1 ORDER BY kind")
                .bind(person)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Sets whether `person` gets emails of `kind`.
    pub async fn set_email_preference(
        &self,
        person: i64,
        kind: EventKind,
        email: bool,
    ) -> Result<(), StoreError> {
        write_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO notification_preferences (person_id, kind, email) VALUES ($1, $2, $3) \
                 ON CONFLICT (person_id, kind) DO UPDATE SET email = $3",
            )
            .bind(person)
            .bind(kind.as_str())
            .bind(email)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }
}
