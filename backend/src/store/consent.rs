//! Visit requests and consent records. Every query that reads them carries the viewer's scope
//! in its WHERE clause: a request outside the scope is not fetched at all, so it answers
//! `NotFound` exactly like a missing one.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Store, StoreError, audit::append_audit, current_area_region, scope_params, with_pool, write_tx};
use crate::domain::{
    InvalidInput,
    audit::NewAuditEvent,
    clock::canonical,
    consent::{
        Answer, ConsentOnRecord, ConsentRecord, DateRange, DocumentInfo, HistoryEntry, IllegalMove, Move,
        NewVisitRequest, RequestState, Term, VisitRequest, transition,
    },
    identity::{Person, Scope},
};

/// A change to a request refused by its state, or made stale by someone else's change.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// Not visible to the caller, or no such request.
    #[error("visit request not found")]
    NotFound,
    /// The state does not allow the move.
    #[error(transparent)]
    Illegal(#[from] IllegalMove),
    /// Someone else changed it since the caller read it.
    #[error("someone else changed this request meanwhile: it is now {}; reload it and try again", .0.as_str())]
    Stale(RequestState),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ChangeError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

/// Columns of a request; `$1`/`$2` are the scope, `$3` today (for expiry).
macro_rules! request_select {
    () => {
        "SELECT v.id, v.local_area_code, a.name AS local_area_name, v.region_code, r.name AS region_name, \
           v.term, v.academic_year, v.window_first, v.window_last, v.reply_by, v.note, \
           CASE WHEN v.state = 'requested' AND v.reply_by < $3 THEN 'expired' ELSE v.state END AS state, \
           v.version, v.safeguarding_concern, v.created_at \
         FROM visit_requests v \
         JOIN local_areas a ON a.ons_code = v.local_area_code \
         JOIN regions r ON r.code = v.region_code \
         WHERE ($1 = 'england' OR ($1 = 'region' AND v.region_code = $2) OR ($1 = 'area' AND v.local_area_code = $2)) "
    };
}

const GET_REQUEST: &str = concat!(request_select!(), "AND v.id = $4");
const LIST_REQUESTS: &str = concat!(
    request_select!(),
    "AND v.id < $4 AND ($5 = '' OR (CASE WHEN v.state = 'requested' AND v.reply_by < $3 THEN 'expired' ELSE v.state END) = $5) \
     ORDER BY v.id DESC LIMIT $6"
);

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
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

impl TryFrom<RequestRow> for VisitRequest {
    type Error = StoreError;

    fn try_from(r: RequestRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: r.id,
            local_area_code: r.local_area_code,
            local_area_name: r.local_area_name,
            region_code: r.region_code,
            region_name: r.region_name,
            term: Term::parse(&r.term).ok_or_else(|| corrupt("term"))?,
            academic_year: i32::try_from(r.academic_year).map_err(|_| corrupt("year"))?,
            window: DateRange { first: r.window_first, last: r.window_last },
            reply_by: r.reply_by,
            note: r.note,
            state: RequestState::parse(&r.state).ok_or_else(|| corrupt("state"))?,
            version: r.version,
            safeguarding_concern: r.safeguarding_concern,
            created_at: r.created_at,
            consent: None,
            history: Vec::new(),
        })
    }
}

#[derive(sqlx::FromRow)]
struct ConsentRow {
    signatory_name: String,
    signatory_role: String,
    organisation: String,
    date_signed: NaiveDate,
    unavailable: String,
    document_id: i64,
    content_type: String,
    size_bytes: i64,
    sha256: String,
}

const GET_CONSENT: &str = "SELECT c.signatory_name, c.signatory_role, c.organisation, c.date_signed, c.unavailable, \
       d.id AS document_id, d.content_type, d.size_bytes, d.sha256 \
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
    /// Creates a request to a current local area. A regional lead may only ask areas in their
    /// region. Recorded in the history and the audit trail, in one transaction.
    pub async fn create_visit_request(
        &self,
        new: &NewVisitRequest,
        by: &Person,
        now: DateTime<Utc>,
        audit: impl Fn(i64) -> NewAuditEvent,
    ) -> Result<VisitRequest, StoreError> {
        let id: i64 = write_tx!(self, tx => {
            let region = current_area_region!(tx, &new.local_area_code);
            by.scope.may_plan_in(&region).map_err(InvalidInput::from)?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO visit_requests (local_area_code, region_code, term, academic_year, window_first, \
                   window_last, reply_by, note, state, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', $9, $10) RETURNING id",
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
            .fetch_one(&mut *tx)
            .await?;
            append_history!(tx, id, "requested", RequestState::Requested, by.id, now, &new.note);
            append_audit!(tx, now, &audit(id));
            id
        });
        self.visit_request_unaudited(id, &by.scope, now.date_naive()).await
    }

    async fn visit_request_unaudited(
        &self,
        id: i64,
        viewer: &Scope,
        today: NaiveDate,
    ) -> Result<VisitRequest, StoreError> {
        let (kind, code) = scope_params(viewer);
        let row: Option<RequestRow> = with_pool!(self, pool => {
            sqlx::query_as(GET_REQUEST).bind(kind).bind(code).bind(today).bind(id).fetch_optional(pool).await?
        });
        let mut request = VisitRequest::try_from(row.ok_or(StoreError::NotFound)?)?;
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
                    state_after: RequestState::parse(&state).ok_or_else(|| corrupt("state"))?,
                    note,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(request)
    }

    /// One request with its consent and history, if `viewer` may see it; the read is audited.
    pub async fn visit_request(
        &self,
        id: i64,
        viewer: &Scope,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<VisitRequest, StoreError> {
        let request = self.visit_request_unaudited(id, viewer, now.date_naive()).await?;
        self.append_audit(now, audit).await?;
        Ok(request)
    }

    /// Requests `viewer` may see, newest first, with ids below `before` (paging).
    pub async fn list_visit_requests(
        &self,
        viewer: &Scope,
        state: Option<RequestState>,
        before: i64,
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
        rows.into_iter().map(VisitRequest::try_from).collect()
    }

    /// Applies a move by `by` to request `id` read at `version`: the answer's records, the new
    /// state, a history step and the audit event, all in one transaction or not at all.
    #[expect(clippy::too_many_arguments, reason = "one transaction, each value distinct")]
    pub async fn change_visit_request(
        &self,
        id: i64,
        version: i64,
        m: Move,
        answer: Option<&Answer>,
        note: &str,
        by: &Person,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<VisitRequest, ChangeError> {
        let (kind, code) = scope_params(&by.scope);
        let today = now.date_naive();
        write_tx!(self, tx => {
            let row: Option<RequestRow> = sqlx::query_as(GET_REQUEST)
                .bind(kind)
                .bind(code)
                .bind(today)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let current = VisitRequest::try_from(row.ok_or(ChangeError::NotFound)?)?;
            if current.version != version {
                return Err(ChangeError::Stale(current.state));
            }
            let next = transition(current.state, m)?;
            let updated = sqlx::query(
                "UPDATE visit_requests SET state = $1, version = version + 1 WHERE id = $2 AND version = $3",
            )
            .bind(next.as_str())
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated != 1 {
                return Err(ChangeError::Stale(current.state));
            }
            if let Some(Answer::Consent(c)) = answer {
                let (document_id,): (i64,) = sqlx::query_as(
                    "INSERT INTO consent_documents (request_id, content_type, size_bytes, sha256, bytes, \
                       uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(id)
                .bind(c.content_type)
                .bind(i64::try_from(c.document.len()).unwrap_or(i64::MAX))
                .bind(&c.sha256)
                .bind(&c.document)
                .bind(by.id)
                .bind(canonical(now))
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
            append_history!(tx, id, next.as_str(), next, by.id, now, note);
            append_audit!(tx, now, audit);
        });
        Ok(self.visit_request_unaudited(id, &by.scope, today).await?)
    }

    /// Records a safeguarding concern on a request `by` may see, flags the request, and audits
    /// the escalation; one transaction.
    pub async fn record_safeguarding_concern(
        &self,
        id: i64,
        note: &str,
        by: &Person,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<VisitRequest, StoreError> {
        let (kind, code) = scope_params(&by.scope);
        let today = now.date_naive();
        write_tx!(self, tx => {
            let row: Option<RequestRow> = sqlx::query_as(GET_REQUEST)
                .bind(kind)
                .bind(code)
                .bind(today)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let current = VisitRequest::try_from(row.ok_or(StoreError::NotFound)?)?;
            sqlx::query("INSERT INTO safeguarding_concerns (request_id, raised_by, note, raised_at) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(by.id)
                .bind(note)
                .bind(canonical(now))
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE visit_requests SET safeguarding_concern = TRUE WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            append_history!(tx, id, "safeguarding_concern", current.state, by.id, now, note);
            append_audit!(tx, now, audit);
        });
        self.visit_request_unaudited(id, &by.scope, today).await
    }

    /// Every safeguarding concern, newest first: (request id, area, region, raised by, note, time).
    pub async fn safeguarding_concerns(
        &self,
    ) -> Result<Vec<(i64, String, String, String, String, String)>, StoreError> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT s.request_id, a.name, r.name, p.display_name, s.note, s.raised_at \
                 FROM safeguarding_concerns s \
                 JOIN visit_requests v ON v.id = s.request_id \
                 JOIN local_areas a ON a.ons_code = v.local_area_code \
                 JOIN regions r ON r.code = v.region_code \
                 JOIN people p ON p.id = s.raised_by \
                 ORDER BY s.id DESC",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// Counts by region, term, year and effective state, within `viewer`'s scope:
    /// (region code, region name, term, year, state, count).
    pub async fn consent_totals(
        &self,
        viewer: &Scope,
        today: NaiveDate,
    ) -> Result<Vec<(String, String, String, i64, String, i64)>, StoreError> {
        let (kind, code) = scope_params(viewer);
        Ok(with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT v.region_code, r.name, v.term, v.academic_year, \
                   CASE WHEN v.state = 'requested' AND v.reply_by < $3 THEN 'expired' ELSE v.state END AS st, \
                   COUNT(*) \
                 FROM visit_requests v JOIN regions r ON r.code = v.region_code \
                 WHERE ($1 = 'england' OR ($1 = 'region' AND v.region_code = $2)) \
                 GROUP BY v.region_code, r.name, r.sort_order, v.term, v.academic_year, st \
                 ORDER BY r.sort_order, v.academic_year, v.term, st",
            )
            .bind(kind)
            .bind(code)
            .bind(today)
            .fetch_all(pool)
            .await?
        }))
    }

    /// A signed document's type, name parts and bytes, if `viewer` may see its request; the
    /// read is audited in the same transaction.
    pub async fn consent_document(
        &self,
        document_id: i64,
        viewer: &Scope,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<(String, String, Vec<u8>), StoreError> {
        let (kind, code) = scope_params(viewer);
        let found: Option<(String, String, Vec<u8>)> = write_tx!(self, tx => {
            let found: Option<(String, String, Vec<u8>)> = sqlx::query_as(
                "SELECT d.content_type, d.sha256, d.bytes FROM consent_documents d \
                 JOIN visit_requests v ON v.id = d.request_id \
                 WHERE d.id = $3 AND ($1 = 'england' OR ($1 = 'region' AND v.region_code = $2) \
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
        let rows: Vec<(String, NaiveDate, NaiveDate, String)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT CASE WHEN v.state = 'requested' AND v.reply_by < $2 THEN 'expired' ELSE v.state END, \
                   v.window_first, v.window_last, c.unavailable \
                 FROM visit_requests v JOIN consents c ON c.request_id = v.id \
                 WHERE v.local_area_code = $1",
            )
            .bind(area)
            .bind(today)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(state, first, last, unavailable)| {
                Ok(ConsentOnRecord {
                    state: RequestState::parse(&state).ok_or_else(|| corrupt("state"))?,
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
