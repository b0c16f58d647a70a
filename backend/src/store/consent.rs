//! Visit requests and consent records. Every query that reads them carries the viewer's scope
//! in its WHERE clause: a request outside the scope is not fetched at all, so it answers
//! `NotFound` exactly like a missing one.

use chrono::{DateTime, NaiveDate, Utc};

use super::{
    Store, StoreError,
    audit::append_audit,
    current_area_region,
    notifications::{Audience, cancel_reminders, enqueue},
    scope_params, with_pool, write_tx,
};
use crate::domain::notifications::{EventKind, reminder_days, reminder_due_at};
use crate::domain::{
    Refusal,
    audit::NewAuditEvent,
    clock::canonical,
    consent::{
        ConsentOnRecord, ConsentRecord, ConsentTotal, DateRange, DocumentInfo, HistoryEntry, NewVisitRequest,
        RequestDecision, RequestFacts, RequestState, SafeguardingConcern, Term, VisitRequest, stale,
    },
    identity::{Person, Scope},
    public_id::new_public_id,
    start_page::Acknowledgement,
};

/// Columns of a request, its state as stored; `$1`/`$2` are the scope, `$3` today.
macro_rules! request_select {
    () => {
        "SELECT v.id, v.public_id, v.local_area_code, a.name AS local_area_name, v.region_code, r.name AS region_name, \
           v.term, v.academic_year, v.window_first, v.window_last, v.reply_by, v.note, v.state, \
           v.version, v.safeguarding_concern, v.created_at \
         FROM visit_requests v \
         JOIN local_areas a ON a.ons_code = v.local_area_code \
         JOIN regions r ON r.code = v.region_code \
         WHERE ($1 = 'england' OR ($1 = 'region' AND v.region_code = $2) OR ($1 = 'area' AND v.local_area_code = $2)) "
    };
}

/// One request by its public id (`$3`).
const GET_REQUEST: &str = concat!(request_select!(), "AND v.public_id = $3");
/// The state filter is the SQL form of [`RequestState::effective`] (a waiting request past its
/// reply-by date reads as expired), so a page holds only requests in the state asked for. `$4`
/// is the public id of the last request of the page before (empty for the first page): pages
/// follow creation order without any id revealing it.
const LIST_REQUESTS: &str = concat!(
    request_select!(),
    "AND ($4 = '' OR v.id < (SELECT b.id FROM visit_requests b WHERE b.public_id = $4)) AND ($5 = '' OR (CASE WHEN v.state = 'requested' AND v.reply_by < $3 THEN 'expired' ELSE v.state END) = $5) \
     ORDER BY v.id DESC LIMIT $6"
);

/// Requests waiting for an answer whose window has not ended (`$3` today).
const UNANSWERED: &str =
    concat!(request_select!(), "AND v.state = 'requested' AND v.window_last >= $3 ORDER BY v.reply_by, v.id");

/// Safeguarding concerns, newest first; `$1` one concern's public id, or empty for all.
const CONCERNS: &str = "SELECT s.public_id, v.public_id AS request_id, a.name AS local_area_name, \
       r.name AS region_name, p.display_name AS raised_by, s.note, s.raised_at, \
       k.display_name AS acknowledged_by, s.acknowledged_at \
     FROM safeguarding_concerns s \
     JOIN visit_requests v ON v.id = s.request_id \
     JOIN local_areas a ON a.ons_code = v.local_area_code \
     JOIN regions r ON r.code = v.region_code \
     JOIN people p ON p.id = s.raised_by \
     LEFT JOIN people k ON k.id = s.acknowledged_by \
     WHERE ($1 = '' OR s.public_id = $1) \
     ORDER BY s.id DESC";

#[derive(sqlx::FromRow)]
struct ConcernRow {
    public_id: String,
    request_id: String,
    local_area_name: String,
    region_name: String,
    raised_by: String,
    note: String,
    raised_at: String,
    acknowledged_by: Option<String>,
    acknowledged_at: Option<String>,
}

impl ConcernRow {
    fn concern(self) -> SafeguardingConcern {
        SafeguardingConcern {
            id: self.public_id,
            request_id: self.request_id,
            local_area_name: self.local_area_name,
            region_name: self.region_name,
            raised_by: self.raised_by,
            note: self.note,
            raised_at: self.raised_at,
            acknowledged: self.acknowledged_by.zip(self.acknowledged_at),
        }
    }
}

/// The key and facts of one request for its rules, by public id alone: the decision judges the
/// scope.
const REQUEST_FACTS: &str = "SELECT id, local_area_code, region_code, state, reply_by, version FROM visit_requests WHERE public_id = $1";

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    public_id: String,
    local_area_code: String,
    local_area_name: String,
    region_code: String,
    region_name: String,
    term: String,
    academic_year: i64,
    window_first: NaiveDate,
    window_last: NaiveDate,
    reply_by: NaiveDate,
    note: String,
    state: String,
    version: i64,
    safeguarding_concern: bool,
    created_at: String,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Unexpected(sqlx::Error::Protocol(format!("stored {what} is not valid")))
}

fn stored_state(text: &str) -> Result<RequestState, StoreError> {
    RequestState::parse(text).ok_or_else(|| corrupt("state"))
}

impl RequestRow {
    /// The request as read on `today`.
    fn read_on(self, today: NaiveDate) -> Result<VisitRequest, StoreError> {
        let r = self;
        Ok(VisitRequest {
            id: r.public_id,
            local_area_code: r.local_area_code,
            local_area_name: r.local_area_name,
            region_code: r.region_code,
            region_name: r.region_name,
            term: Term::parse(&r.term).ok_or_else(|| corrupt("term"))?,
            academic_year: i32::try_from(r.academic_year).map_err(|_| corrupt("year"))?,
            window: DateRange { first: r.window_first, last: r.window_last },
            reply_by: r.reply_by,
            note: r.note,
            state: RequestState::effective(stored_state(&r.state)?, r.reply_by, today),
            version: r.version,
            safeguarding_concern: r.safeguarding_concern,
            created_at: r.created_at,
            consent: None,
            history: Vec::new(),
        })
    }
}

#[derive(sqlx::FromRow)]
struct TotalRow {
    region_code: String,
    region_name: String,
    sort_order: i64,
    term: String,
    academic_year: i64,
    state: String,
    past_reply_by: bool,
    n: i64,
}

#[derive(sqlx::FromRow)]
struct ConsentRow {
    signatory_name: String,
    signatory_role: String,
    organisation: String,
    date_signed: NaiveDate,
    unavailable: String,
    document_id: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
}

const GET_CONSENT: &str = "SELECT c.signatory_name, c.signatory_role, c.organisation, c.date_signed, c.unavailable, \
       d.public_id AS document_id, d.content_type, d.size_bytes, d.sha256 \
     FROM consents c JOIN consent_documents d ON d.id = c.document_id WHERE c.request_id = $1";

fn unavailable_to_json(ranges: &[DateRange]) -> String {
    let pairs: Vec<[String; 2]> = ranges.iter().map(|r| [r.first.to_string(), r.last.to_string()]).collect();
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".to_owned())
}

pub(super) fn unavailable_from_json(text: &str) -> Vec<DateRange> {
    let pairs: Vec<[String; 2]> = serde_json::from_str(text).unwrap_or_default();
    pairs.iter().filter_map(|[a, b]| DateRange::parse(a, b, "unavailable").ok()).collect()
}

impl From<ConsentRow> for ConsentRecord {
    fn from(r: ConsentRow) -> Self {
        Self {
            signatory_name: r.signatory_name,
            signatory_role: r.signatory_role,
            organisation: r.organisation,
            date_signed: r.date_signed,
            unavailable: unavailable_from_json(&r.unavailable),
            document: DocumentInfo {
                id: r.document_id,
                content_type: r.content_type,
                size_bytes: r.size_bytes,
                sha256: r.sha256,
            },
        }
    }
}

/// Appends a history step inside `$tx`: the next number for the request.
macro_rules! append_history {
    ($tx:ident, $request:expr, $kind:expr, $state:expr, $actor:expr, $now:expr, $note:expr) => {{
        let (next,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(seq), 0) + 1 FROM request_events WHERE request_id = $1")
                .bind($request)
                .fetch_one(&mut *$tx)
                .await?;
        sqlx::query(
            "INSERT INTO request_events (request_id, seq, kind, state_after, actor_id, occurred_at, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($request)
        .bind(next)
        .bind($kind)
        .bind($state.as_str())
        .bind($actor)
        .bind(canonical($now))
        .bind($note)
        .execute(&mut *$tx)
        .await?;
    }};
}

impl Store {
    /// Creates a request to a current local area if `decide`, given the area's region (read in
    /// the same transaction), allows it. Recorded in the history and the audit trail, in one
    /// transaction.
    pub async fn create_visit_request(
        &self,
        new: &NewVisitRequest,
        by: &Person,
        now: DateTime<Utc>,
        audit: impl Fn(&str) -> NewAuditEvent,
        decide: impl FnOnce(&str) -> Result<(), Refusal>,
    ) -> Result<VisitRequest, StoreError> {
        let public_id = new_public_id();
        write_tx!(self, tx => {
            let region = current_area_region!(tx, &new.local_area_code);
            decide(&region)?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO visit_requests (local_area_code, region_code, term, academic_year, window_first, \
                   window_last, reply_by, note, state, created_by, created_at, public_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', $9, $10, $11) RETURNING id",
            )
            .bind(&new.local_area_code)
            .bind(&region)
            .bind(new.term.as_str())
            .bind(i64::from(new.academic_year))
            .bind(new.window.first)
            .bind(new.window.last)
            .bind(new.reply_by)
            .bind(&new.note)
            .bind(by.id)
            .bind(canonical(now))
            .bind(&public_id)
            .fetch_one(&mut *tx)
            .await?;
            append_history!(tx, id, "requested", RequestState::Requested, by.id, now, &new.note);
            // The area's users hear of it at once, and again 5 and 1 working days before the reply.
            let link = format!("/requests/{public_id}");
            enqueue!(tx, now, EventKind::NewRequest, Audience::AreaUsers(&new.local_area_code), &link, &public_id, now);
            for day in reminder_days(new.reply_by, now.date_naive()) {
                let due = reminder_due_at(day).max(now);
                enqueue!(tx, now, EventKind::ReplyReminder, Audience::AreaUsers(&new.local_area_code), &link, &public_id, due);
            }
            append_audit!(tx, now, &audit(&public_id));
        });
        self.visit_request_unaudited(&public_id, &by.scope, now.date_naive()).await
    }

    async fn visit_request_unaudited(
        &self,
        public_id: &str,
        viewer: &Scope,
        today: NaiveDate,
    ) -> Result<VisitRequest, StoreError> {
        let (kind, code) = scope_params(viewer);
        let row: Option<RequestRow> = with_pool!(self, pool => {
            sqlx::query_as(GET_REQUEST).bind(kind).bind(code).bind(public_id).fetch_optional(pool).await?
        });
        let row = row.ok_or(StoreError::NotFound)?;
        let id = row.id;
        let mut request = row.read_on(today)?;
        let consent: Option<ConsentRow> =
            with_pool!(self, pool => sqlx::query_as(GET_CONSENT).bind(id).fetch_optional(pool).await?);
        request.consent = consent.map(ConsentRecord::from);
        let history: Vec<(i64, String, String, String, String, String)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT e.seq, e.occurred_at, p.display_name, e.kind, e.state_after, e.note \
                 FROM request_events e JOIN people p ON p.id = e.actor_id \
                 WHERE e.request_id = $1 ORDER BY e.seq",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        request.history = history
            .into_iter()
            .map(|(seq, occurred_at, actor_display_name, kind, state, note)| {
                Ok(HistoryEntry {
                    seq,
                    occurred_at,
                    actor_display_name,
                    kind,
                    state_after: stored_state(&state)?,
                    note,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(request)
    }

    /// One request (by its public id) with its consent and history, if `viewer` may see it;
    /// the read is audited.
    pub async fn visit_request(
        &self,
        id: &str,
        viewer: &Scope,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<VisitRequest, StoreError> {
        let request = self.visit_request_unaudited(id, viewer, now.date_naive()).await?;
        self.append_audit(now, audit).await?;
        Ok(request)
    }

    /// Requests `viewer` may see, newest first, made before the one whose public id is `before`
    /// (paging; empty for the first page): one query whatever the page size.
    pub async fn list_visit_requests(
        &self,
        viewer: &Scope,
        state: Option<RequestState>,
        before: &str,
        limit: i64,
        today: NaiveDate,
    ) -> Result<Vec<VisitRequest>, StoreError> {
        let (kind, code) = scope_params(viewer);
        let rows: Vec<RequestRow> = with_pool!(self, pool => {
            sqlx::query_as(LIST_REQUESTS)
                .bind(kind)
                .bind(code)
                .bind(today)
                .bind(before)
                .bind(state.map(RequestState::as_str).unwrap_or_default())
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(|row| row.read_on(today)).collect()
    }

    /// Changes request `id` (its public id) as `decide` rules on its facts, read in the same transaction: the
    /// new state (its version guarded), the consent and its document, a safeguarding concern,
    /// a history step and the audit event, all or nothing. A missing request is `NotFound`.
    pub async fn change_visit_request<'a>(
        &self,
        public_id: &str,
        by: &Person,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
        decide: impl FnOnce(&RequestFacts) -> Result<RequestDecision<'a>, Refusal>,
    ) -> Result<VisitRequest, StoreError> {
        let today = now.date_naive();
        write_tx!(self, tx => {
            let found: Option<(i64, String, String, String, NaiveDate, i64)> =
                sqlx::query_as(REQUEST_FACTS).bind(public_id).fetch_optional(&mut *tx).await?;
            let (id, local_area_code, region_code, state, reply_by, version) = found.ok_or(StoreError::NotFound)?;
            let state = RequestState::effective(stored_state(&state)?, reply_by, today);
            let facts = RequestFacts { local_area_code, region_code, state, reply_by, version };
            let decision = decide(&facts)?;
            if decision.moves {
                let updated = sqlx::query(
                    "UPDATE visit_requests SET state = $1, version = version + 1 WHERE id = $2 AND version = $3",
                )
                .bind(decision.state.as_str())
                .bind(id)
                .bind(version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated != 1 {
                    // Someone else's change committed first (PostgreSQL re-checks the row).
                    let (now_state,): (String,) = sqlx::query_as("SELECT state FROM visit_requests WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                    return Err(stale(RequestState::effective(stored_state(&now_state)?, reply_by, today)).into());
                }
            }
            if let Some(c) = decision.consent {
                let (document_id,): (i64,) = sqlx::query_as(
                    "INSERT INTO consent_documents (request_id, content_type, size_bytes, sha256, bytes, \
                       uploaded_by, uploaded_at, public_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(id)
                .bind(c.content_type)
                .bind(i64::try_from(c.document.len()).unwrap_or(i64::MAX))
                .bind(&c.sha256)
                .bind(&c.document)
                .bind(by.id)
                .bind(canonical(now))
                .bind(new_public_id())
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO consents (request_id, signatory_name, signatory_role, organisation, date_signed, \
                       document_id, unavailable, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(id)
                .bind(&c.signatory_name)
                .bind(&c.signatory_role)
                .bind(&c.organisation)
                .bind(c.date_signed)
                .bind(document_id)
                .bind(unavailable_to_json(&c.unavailable))
                .bind(by.id)
                .bind(canonical(now))
                .execute(&mut *tx)
                .await?;
            }
            if decision.escalate {
                sqlx::query(
                    "INSERT INTO safeguarding_concerns (request_id, raised_by, note, raised_at, public_id) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(by.id)
                .bind(&decision.note)
                .bind(canonical(now))
                .bind(new_public_id())
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE visit_requests SET safeguarding_concern = TRUE WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            append_history!(tx, id, decision.kind, decision.state, by.id, now, &decision.note);
            // Notifications of the change: an answer reaches the region's lead and planners; any
            // end of the wait ends its reminders; a concern reaches planners.
            if decision.moves && decision.state != RequestState::Requested {
                cancel_reminders!(tx, public_id);
            }
            if decision.moves && matches!(decision.state, RequestState::Consented | RequestState::Declined) {
                let link = format!("/requests/{public_id}");
                let audience = Audience::RegionLeadAndPlanners(&facts.region_code);
                enqueue!(tx, now, EventKind::RequestAnswered, audience, &link, public_id, now);
            }
            if decision.escalate {
                enqueue!(tx, now, EventKind::SafeguardingConcern, Audience::Planners, "/safeguarding", public_id, now);
            }
            append_audit!(tx, now, audit);
        });
        self.visit_request_unaudited(public_id, &by.scope, today).await
    }

    /// Every safeguarding concern, newest first, in one query.
    pub async fn safeguarding_concerns(&self) -> Result<Vec<SafeguardingConcern>, StoreError> {
        let rows: Vec<ConcernRow> =
            with_pool!(self, pool => sqlx::query_as(CONCERNS).bind("").fetch_all(pool).await?);
        Ok(rows.into_iter().map(ConcernRow::concern).collect())
    }

    /// Records that `by` acknowledged the concern whose public id is `id`, if `decide` (told
    /// whether someone already has) says so, with the audit event, in one transaction; the
    /// first acknowledgement stands. `NotFound` for a missing concern.
    pub async fn acknowledge_safeguarding_concern(
        &self,
        id: &str,
        by: &Person,
        now: DateTime<Utc>,
        audit: impl FnOnce(Acknowledgement) -> NewAuditEvent,
        decide: impl FnOnce(bool) -> Result<Acknowledgement, Refusal>,
    ) -> Result<SafeguardingConcern, StoreError> {
        write_tx!(self, tx => {
            let found: Option<(i64, Option<String>)> =
                sqlx::query_as("SELECT id, acknowledged_at FROM safeguarding_concerns WHERE public_id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let (key, acknowledged_at) = found.ok_or(StoreError::NotFound)?;
            let decision = decide(acknowledged_at.is_some())?;
            if decision == Acknowledgement::Record {
                // Guarded: of two planners acknowledging at once, the first stands.
                sqlx::query(
                    "UPDATE safeguarding_concerns SET acknowledged_by = $2, acknowledged_at = $3 \
                     WHERE id = $1 AND acknowledged_at IS NULL",
                )
                .bind(key)
                .bind(by.id)
                .bind(canonical(now))
                .execute(&mut *tx)
                .await?;
            }
            append_audit!(tx, now, &audit(decision));
        });
        let row: Option<ConcernRow> =
            with_pool!(self, pool => sqlx::query_as(CONCERNS).bind(id).fetch_optional(pool).await?);
        row.map(ConcernRow::concern).ok_or(StoreError::NotFound)
    }

    /// Requests within `viewer`'s scope still stored as waiting for an answer whose window has
    /// not ended, as read on `today`, reply-by date first: one query.
    pub async fn unanswered_requests(
        &self,
        viewer: &Scope,
        today: NaiveDate,
    ) -> Result<Vec<VisitRequest>, StoreError> {
        let (kind, code) = scope_params(viewer);
        let rows: Vec<RequestRow> = with_pool!(self, pool => {
            sqlx::query_as(UNANSWERED).bind(kind).bind(code).bind(today).fetch_all(pool).await?
        });
        rows.into_iter().map(|row| row.read_on(today)).collect()
    }

    /// Counts by region, term, year and state as read on `today`, within `viewer`'s scope, in
    /// one query; in region order, then year, term and state.
    pub async fn consent_totals(
        &self,
        viewer: &Scope,
        today: NaiveDate,
    ) -> Result<Vec<ConsentTotal>, StoreError> {
        let (kind, code) = scope_params(viewer);
        let rows: Vec<TotalRow> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT v.region_code, r.name AS region_name, r.sort_order, v.term, v.academic_year, v.state, \
                   v.reply_by < $3 AS past_reply_by, COUNT(*) AS n \
                 FROM visit_requests v JOIN regions r ON r.code = v.region_code \
                 WHERE ($1 = 'england' OR ($1 = 'region' AND v.region_code = $2)) \
                 GROUP BY v.region_code, r.name, r.sort_order, v.term, v.academic_year, v.state, past_reply_by",
            )
            .bind(kind)
            .bind(code)
            .bind(today)
            .fetch_all(pool)
            .await?
        });
        // Waiting requests past their reply-by date count as expired: the day before today
        // stands for any such date, as the rule only asks whether it has passed.
        let passed = today.pred_opt().unwrap_or(today);
        let mut totals: Vec<(i64, ConsentTotal)> = Vec::new();
        for row in rows {
            let reply_by = if row.past_reply_by { passed } else { today };
            let total = ConsentTotal {
                state: RequestState::effective(stored_state(&row.state)?, reply_by, today),
                term: Term::parse(&row.term).ok_or_else(|| corrupt("term"))?,
                academic_year: i32::try_from(row.academic_year).map_err(|_| corrupt("year"))?,
                region_code: row.region_code,
                region_name: row.region_name,
                count: row.n,
            };
            let same = |(_, t): &&mut (i64, ConsentTotal)| {
                (&t.region_code, t.term, t.academic_year, t.state)
                    == (&total.region_code, total.term, total.academic_year, total.state)
            };
            match totals.iter_mut().find(same) {
                Some((_, t)) => t.count += total.count,
                None => totals.push((row.sort_order, total)),
            }
        }
        totals.sort_by(|(a_order, a), (b_order, b)| {
            (a_order, a.academic_year, a.term.as_str(), a.state.as_str()).cmp(&(
                b_order,
                b.academic_year,
                b.term.as_str(),
                b.state.as_str(),
            ))
        });
        Ok(totals.into_iter().map(|(_, t)| t).collect())
    }

    /// A signed document's (by its public id) type, name parts and bytes, if `viewer` may see
    /// its request; the read is audited in the same transaction.
    pub async fn consent_document(
        &self,
        document_id: &str,
        viewer: &Scope,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<(String, String, Vec<u8>), StoreError> {
        let (kind, code) = scope_params(viewer);
        let found: Option<(String, String, Vec<u8>)> = write_tx!(self, tx => {
            let found: Option<(String, String, Vec<u8>)> = sqlx::query_as(
                "SELECT d.content_type, d.sha256, d.bytes FROM consent_documents d \
                 JOIN visit_requests v ON v.id = d.request_id \
                 WHERE d.public_id = $3 AND ($1 = 'england' OR ($1 = 'region' AND v.region_code = $2) \
                   OR ($1 = 'area' AND v.local_area_code = $2))",
            )
            .bind(kind)
            .bind(code)
            .bind(document_id)
            .fetch_optional(&mut *tx)
            .await?;
            if found.is_some() {
                append_audit!(tx, now, audit);
            }
            found
        });
        found.ok_or(StoreError::NotFound)
    }

    /// Every consent to visit `area` as the visit rule needs it.
    pub async fn consents_for_area(
        &self,
        area: &str,
        today: NaiveDate,
    ) -> Result<Vec<ConsentOnRecord>, StoreError> {
        type Row = (String, NaiveDate, NaiveDate, NaiveDate, String, String, String, NaiveDate);
        let rows: Vec<Row> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT v.state, v.reply_by, v.window_first, v.window_last, c.unavailable, v.public_id, \
                   c.signatory_name, c.date_signed \
                 FROM visit_requests v JOIN consents c ON c.request_id = v.id \
                 WHERE v.local_area_code = $1 ORDER BY c.date_signed DESC, v.id DESC",
            )
            .bind(area)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(state, reply_by, first, last, unavailable, request_id, signatory_name, date_signed)| {
                Ok(ConsentOnRecord {
                    request_id,
                    signatory_name,
                    date_signed,
                    state: RequestState::effective(stored_state(&state)?, reply_by, today),
                    window: DateRange { first, last },
                    unavailable: unavailable_from_json(&unavailable),
                })
            })
            .collect()
    }
}

impl Store {
    /// The rule scheduling relies on: may an interim visit to `area` take place on `dates`?
    /// Yes only with a current written consent whose window and unavailable dates allow it.
    pub async fn may_visit(
        &self,
        area: &str,
        dates: DateRange,
        today: NaiveDate,
    ) -> Result<Result<(), crate::domain::consent::VisitRefused>, StoreError> {
        let consents = self.consents_for_area(area, today).await?;
        Ok(crate::domain::consent::visit_allowed(&consents, dates))
    }
}
