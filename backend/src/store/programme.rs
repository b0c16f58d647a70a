//! The inspection programme: inspectors, engagements, teams, history and the boards' data.
//! Engagement queries carry the viewer's scope in SQL, like visit requests.

use chrono::{DateTime, NaiveDate, Utc};

use super::notifications::{Audience, enqueue};
use super::{
    Db, Store, StoreError, audit::append_audit, consent::unavailable_from_json, current_area_region,
    scope_params, with_pool, write_tx,
};
use crate::domain::notifications::EventKind;
use crate::domain::{
    FieldViolation, Finding, InvalidInput, Refusal,
    audit::NewAuditEvent,
    clock::canonical,
    consent::{ConsentOnRecord, DateRange, RequestState},
    engagement::{
        Commitment, Conflict, Decision, EngagementChange, EngagementFacts, EngagementRecord, InspectorRecord,
        MemberRecord, NewEngagementFacts, TeamFacts,
    },
    identity::{Inspectorate, Person, Scope},
    programme::{
        AreaFacts, EngagementKind, EngagementState, NewEngagement, Outcome, TeamRole, busy_days, term_of,
        timeline,
    },
    public_id::new_public_id,
};

/// Engagement columns; `$1`/`$2` scope. Local area users see only confirmed engagements of
/// their own area (notified or later), never proposals; inspectors see the engagements whose
/// team they are on (`$2` is then their person id).
macro_rules! engagement_select {
    () => {
        "SELECT e.id, e.public_id, e.local_area_code, a.name AS local_area_name, e.region_code, r.name AS region_name, \
           e.kind, e.state, e.onsite_first, e.onsite_last, e.note, e.postponed_reason, e.outcome, e.version \
         FROM engagements e \
         JOIN local_areas a ON a.ons_code = e.local_area_code \
         JOIN regions r ON r.code = e.region_code \
         WHERE ($1 = 'england' OR ($1 = 'region' AND e.region_code = $2) \
           OR ($1 = 'area' AND e.local_area_code = $2 AND e.state IN ('notified', 'done')) \
           OR ($1 = 'inspector' AND EXISTS (SELECT 1 FROM engagement_team t JOIN inspectors i ON i.id = t.inspector_id \
                WHERE t.engagement_id = e.id AND CAST(i.person_id AS TEXT) = $2))) "
    };
}

pub(super) use engagement_select;

/// One engagement by its public id (`$3`).
const GET_ENGAGEMENT: &str = concat!(engagement_select!(), "AND e.public_id = $3");
const LIST_ENGAGEMENTS: &str = concat!(
    engagement_select!(),
    "AND ($3 = '' OR e.region_code = $3) AND e.academic_year = $4 ORDER BY e.onsite_first, e.id"
);

/// Proposed inspections whose stored notification date is on or before `$3`, earliest first.
const NOTICES_PENDING: &str = concat!(
    engagement_select!(),
    "AND e.state = 'proposed' AND e.notification_date IS NOT NULL AND e.notification_date <= $3 \
     ORDER BY e.notification_date, e.id"
);

#[derive(sqlx::FromRow)]
struct EngagementRow {
    id: i64,
    public_id: String,
    local_area_code: String,
    local_area_name: String,
    region_code: String,
    region_name: String,
    kind: String,
    state: String,
    onsite_first: NaiveDate,
    onsite_last: NaiveDate,
    note: String,
    postponed_reason: String,
    outcome: Option<String>,
    version: i64,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Unexpected(sqlx::Error::Protocol(format!("stored {what} is not valid")))
}

fn record(r: EngagementRow, today: NaiveDate) -> Result<EngagementRecord, StoreError> {
    let onsite = DateRange { first: r.onsite_first, last: r.onsite_last };
    Ok(EngagementRecord {
        id: r.id,
        public_id: r.public_id,
        local_area_code: r.local_area_code,
        local_area_name: r.local_area_name,
        region_code: r.region_code,
        region_name: r.region_name,
        kind: EngagementKind::parse(&r.kind).ok_or_else(|| corrupt("kind"))?,
        state: EngagementState::derive(&r.state, onsite, today).ok_or_else(|| corrupt("state"))?,
        onsite,
        note: r.note,
        postponed_reason: r.postponed_reason,
        outcome: r.outcome.as_deref().and_then(Outcome::parse),
        version: r.version,
        team: Vec::new(),
    })
}

/// Appends a step to an engagement's history inside `$tx`.
macro_rules! append_event {
    ($tx:ident, $id:expr, $kind:expr, $actor:expr, $now:expr, $reason:expr) => {{
        let (next,): (i64,) = sqlx::query_as(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM engagement_events WHERE engagement_id = $1",
        )
        .bind($id)
        .fetch_one(&mut *$tx)
        .await?;
        sqlx::query(
            "INSERT INTO engagement_events (engagement_id, seq, kind, actor_id, occurred_at, reason) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($id)
        .bind(next)
        .bind($kind)
        .bind($actor)
        .bind(canonical($now))
        .bind($reason)
        .execute(&mut *$tx)
        .await?;
    }};
}

/// Every inspector, by name, with unavailability and conflicts: three queries on `$exec` (a
/// pool or `&mut *tx`), counted on `$store`.
/// The account `$person` as the link rule reads it (its role, the entry linked to it), or
/// `None`. One query on `$exec`.
macro_rules! load_account {
    ($exec:ident, $person:expr) => {{
        let row: Option<(String, Option<i64>)> = sqlx::query_as(
            "SELECT p.role, i.id FROM people p LEFT JOIN inspectors i ON i.person_id = p.id WHERE p.id = $1",
        )
        .bind($person)
        .fetch_optional(&mut *$exec)
        .await?;
        row.map(|(role, linked_to)| crate::domain::inspectors::AccountFacts { role, linked_to })
    }};
}

macro_rules! load_inspectors {
    ($store:expr, $exec:expr) => {{
        $store.count_round_trip();
        let rows: Vec<InspectorRow> = sqlx::query_as(
            "SELECT i.id, i.name, i.inspectorate, i.social_care, i.home_region_code, i.person_id, \
               i.max_engagements_per_term, i.version, p.display_name, p.username \
             FROM inspectors i LEFT JOIN people p ON p.id = i.person_id ORDER BY i.name, i.id",
        )
        .fetch_all($exec)
        .await?;
        $store.count_round_trip();
        let unavailable: Vec<(i64, NaiveDate, NaiveDate)> = sqlx::query_as(
            "SELECT inspector_id, first_day, last_day FROM inspector_unavailability ORDER BY first_day",
        )
        .fetch_all($exec)
        .await?;
        $store.count_round_trip();
        let conflicts: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT c.inspector_id, c.local_area_code, COALESCE(a.name, c.local_area_code), c.reason \
             FROM inspector_conflicts c LEFT JOIN local_areas a ON a.ons_code = c.local_area_code \
             ORDER BY c.local_area_code",
        )
        .fetch_all($exec)
        .await?;
        inspector_records(rows, &unavailable, &conflicts)?
    }};
}

/// Every inspector and every place on a team that is not postponed: what the team rules need.
/// Four queries on `$exec`, whatever the size.
macro_rules! load_team_facts {
    ($store:expr, $exec:expr) => {{
        let inspectors = load_inspectors!($store, $exec);
        $store.count_round_trip();
        let rows: Vec<(i64, i64, String, NaiveDate, NaiveDate, NaiveDate, String)> = sqlx::query_as(
            "SELECT t.engagement_id, t.inspector_id, e.region_code, e.busy_first, e.onsite_last, e.onsite_first, \
               e.state FROM engagement_team t JOIN engagements e ON e.id = t.engagement_id WHERE e.state <> 'postponed'",
        )
        .fetch_all($exec)
        .await?;
        let commitments = rows
            .into_iter()
            .map(|(engagement_id, inspector_id, region_code, busy_first, onsite_last, onsite_first, state)| Commitment {
                engagement_id,
                inspector_id,
                region_code,
                busy: DateRange { first: busy_first, last: onsite_last },
                onsite_first,
                live: state == "proposed" || state == "notified",
            })
            .collect();
        TeamFacts { inspectors, commitments }
    }};
}

/// The written consents on record for areas (`$area`, or every area when empty), as the visit
/// rule reads them on `$today`: (area code, consent). One query on `$exec`.
macro_rules! load_consents {
    ($store:expr, $exec:expr, $area:expr, $today:expr) => {{
        $store.count_round_trip();
        let rows: Vec<ConsentRow> = sqlx::query_as(
            "SELECT v.local_area_code, \
               CASE WHEN v.state = 'requested' AND v.reply_by < $2 THEN 'expired' ELSE v.state END, \
               v.window_first, v.window_last, c.unavailable, v.public_id, c.signatory_name, c.date_signed \
             FROM visit_requests v JOIN consents c ON c.request_id = v.id \
             WHERE $1 = '' OR v.local_area_code = $1 ORDER BY c.date_signed DESC, v.id DESC",
        )
        .bind($area)
        .bind($today)
        .fetch_all($exec)
        .await?;
        consents_by_area(rows)?
    }};
}

/// The team of engagement `$id`, with each member's account. One query on `$exec`.
macro_rules! load_team {
    ($store:expr, $exec:expr, $id:expr) => {{
        $store.count_round_trip();
        let rows: Vec<(i64, i64, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT t.engagement_id, t.inspector_id, i.name, t.team_role, i.person_id FROM engagement_team t \
             JOIN inspectors i ON i.id = t.inspector_id WHERE t.engagement_id = $1 ORDER BY t.team_role, i.name",
        )
        .bind($id)
        .fetch_all($exec)
        .await?;
        members(&rows, $id)?
    }};
}

type InspectorRow =
    (i64, String, String, bool, String, Option<i64>, i64, i64, Option<String>, Option<String>);

fn inspector_records(
    rows: Vec<InspectorRow>,
    unavailable: &[(i64, NaiveDate, NaiveDate)],
    conflicts: &[(i64, String, String, String)],
) -> Result<Vec<InspectorRecord>, StoreError> {
    rows.into_iter()
        .map(
            |(
                id,
                name,
                inspectorate,
                social_care,
                home_region,
                person_id,
                max,
                version,
                display,
                username,
            )| {
                let account_label = match (display, username) {
                    (Some(display), Some(username)) => format!("{display} ({username})"),
                    _ => String::new(),
                };
                Ok(InspectorRecord {
                    version,
                    account_label,
                    id,
                    name,
                    inspectorate: Inspectorate::parse(&inspectorate).map_err(|_| corrupt("inspectorate"))?,
                    social_care,
                    home_region,
                    person_id,
                    max_per_term: u32::try_from(max).unwrap_or(0),
                    unavailable: unavailable
                        .iter()
                        .filter(|u| u.0 == id)
                        .map(|u| DateRange { first: u.1, last: u.2 })
                        .collect(),
                    conflicts: conflicts
                        .iter()
                        .filter(|c| c.0 == id)
                        .map(|c| Conflict::new(&c.1, &c.2, &c.3))
                        .collect(),
                })
            },
        )
        .collect()
}

type ConsentRow = (String, String, NaiveDate, NaiveDate, String, String, String, NaiveDate);

fn consents_by_area(
    rows: Vec<ConsentRow>,
) -> Result<std::collections::HashMap<String, Vec<ConsentOnRecord>>, StoreError> {
    let mut out: std::collections::HashMap<String, Vec<ConsentOnRecord>> = Default::default();
    for (area, state, first, last, unavailable, request_id, signatory_name, date_signed) in rows {
        out.entry(area).or_default().push(ConsentOnRecord {
            request_id,
            signatory_name,
            date_signed,
            state: RequestState::parse(&state).ok_or_else(|| corrupt("request state"))?,
            window: DateRange { first, last },
            unavailable: unavailable_from_json(&unavailable),
        });
    }
    Ok(out)
}

/// The members of engagement `id` among `(engagement, inspector, name, role, account)` rows.
fn members(
    rows: &[(i64, i64, String, String, Option<i64>)],
    id: i64,
) -> Result<Vec<MemberRecord>, StoreError> {
    rows.iter()
        .filter(|m| m.0 == id)
        .map(|m| {
            Ok(MemberRecord {
                inspector_id: m.1,
                name: m.2.clone(),
                role: TeamRole::parse(&m.3).ok_or_else(|| corrupt("team role"))?,
                person_id: m.4,
            })
        })
        .collect()
}

/// Locks the rows of inspectors `ids` until the transaction ends (PostgreSQL), so two
/// transactions booking the same inspector run one after the other and the second sees the
/// first's booking. SQLite needs nothing: its write transactions already run one at a time.
macro_rules! lock_inspectors {
    ($store:expr, $tx:ident, $ids:expr) => {{
        if matches!($store.db, Db::Postgres(_)) {
            let mut ids: Vec<i64> = $ids;
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                sqlx::query("SELECT id FROM inspectors WHERE id = $1 FOR UPDATE")
                    .bind(id)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
    }};
}

/// What a reader of engagements is shown beside them: each area's consents and every
/// inspector's commitments.
#[derive(Debug, Clone, Default)]
pub struct ReadFacts {
    /// Consents by area code.
    pub consents: std::collections::HashMap<String, Vec<ConsentOnRecord>>,
    /// Inspectors and commitments.
    pub team: TeamFacts,
}

impl ReadFacts {
    /// The facts for one engagement of this read.
    pub fn of<'a>(&'a self, engagement: &'a EngagementRecord, today: NaiveDate) -> EngagementFacts<'a> {
        EngagementFacts {
            engagement,
            today,
            consents: self.consents.get(&engagement.local_area_code).map_or(&[], Vec::as_slice),
            team: &self.team,
        }
    }
}

impl Store {
    /// Creates an inspector (audited).
    pub async fn create_inspector(
        &self,
        inspector: &InspectorRecord,
        now: DateTime<Utc>,
        audit: impl Fn(i64) -> NewAuditEvent,
    ) -> Result<i64, StoreError> {
        Ok(write_tx!(self, tx => {
            let region: Option<(String,)> = sqlx::query_as("SELECT code FROM regions WHERE code = $1")
                .bind(&inspector.home_region)
                .fetch_optional(&mut *tx)
                .await?;
            if region.is_none() {
                let v = FieldViolation::new("home_region_code", "Select the inspector's home region");
                return Err(InvalidInput::from(v).into());
            }
            if let Some(person) = inspector.person_id {
                let account = load_account!(tx, person);
                crate::domain::inspectors::account_may_link(account.as_ref()).map_err(InvalidInput::from)?;
            }
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO inspectors (name, inspectorate, social_care, home_region_code, person_id, \
                   max_engagements_per_term, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&inspector.name)
            .bind(inspector.inspectorate.as_str())
            .bind(inspector.social_care)
            .bind(&inspector.home_region)
            .bind(inspector.person_id)
            .bind(i64::from(inspector.max_per_term))
            .bind(canonical(now))
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(tx, now, &audit(id));
            id
        }))
    }

    /// Links inspector `id`'s entry to the account `person` (`None`: a person id that names no
    /// account), if `decide` allows it on the facts read in the same transaction; records
    /// `audit` with the change.
    pub async fn link_inspector_account(
        &self,
        id: i64,
        person: Option<i64>,
        now: DateTime<Utc>,
        decide: impl FnOnce(
            Option<crate::domain::inspectors::EntryFacts>,
            Option<&crate::domain::inspectors::AccountFacts>,
        ) -> Result<(), crate::domain::Refusal>,
        audit: &NewAuditEvent,
    ) -> Result<(), StoreError> {
        write_tx!(self, tx => {
            let entry: Option<(i64, Option<i64>)> =
                sqlx::query_as("SELECT version, person_id FROM inspectors WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let entry = entry.map(|(version, person_id)| crate::domain::inspectors::EntryFacts { version, person_id });
            let account = match person {
                Some(person) => load_account!(tx, person),
                None => None,
            };
            decide(entry, account.as_ref())?;
            let version = entry.map(|e| e.version).unwrap_or_default();
            let changed = sqlx::query(
                "UPDATE inspectors SET person_id = $1, version = version + 1 \
                 WHERE id = $2 AND version = $3 AND person_id IS NULL",
            )
            .bind(person)
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?;
            if changed.rows_affected() != 1 {
                return Err(StoreError::Conflict);
            }
            append_audit!(tx, now, audit);
        });
        Ok(())
    }

    /// Accounts with the role inspector that no inspector's entry is linked to, by name:
    /// (person id, display name, username).
    pub async fn unlinked_inspector_accounts(&self) -> Result<Vec<(i64, String, String)>, StoreError> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT p.id, p.display_name, p.username FROM people p \
                 WHERE p.role = 'inspector' AND NOT p.disabled \
                   AND NOT EXISTS (SELECT 1 FROM inspectors i WHERE i.person_id = p.id) \
                 ORDER BY p.display_name, p.username",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// Every inspector, by name, with unavailability and conflicts.
    pub async fn inspectors(&self) -> Result<Vec<InspectorRecord>, StoreError> {
        Ok(with_pool!(self, pool => load_inspectors!(self, pool)))
    }

    /// Every inspector and their commitments: four queries, whatever the size.
    pub async fn team_facts(&self) -> Result<TeamFacts, StoreError> {
        Ok(with_pool!(self, pool => load_team_facts!(self, pool)))
    }

    /// Records a period an inspector cannot work (audited); `NotFound` for an unknown inspector.
    pub async fn add_unavailability(
        &self,
        inspector_id: i64,
        period: DateRange,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<(), StoreError> {
        write_tx!(self, tx => {
            let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM inspectors WHERE id = $1")
                .bind(inspector_id)
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                return Err(StoreError::NotFound);
            }
            sqlx::query("INSERT INTO inspector_unavailability (inspector_id, first_day, last_day) VALUES ($1, $2, $3)")
                .bind(inspector_id)
                .bind(period.first)
                .bind(period.last)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, now, audit);
        });
        Ok(())
    }

    /// Records a conflict of interest with a current local area (audited).
    pub async fn declare_conflict(
        &self,
        inspector_id: i64,
        area: &str,
        reason: &str,
        by: &Person,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<(), StoreError> {
        write_tx!(self, tx => {
            let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM inspectors WHERE id = $1")
                .bind(inspector_id)
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                return Err(StoreError::NotFound);
            }
            current_area_region!(tx, area);
            sqlx::query(
                "INSERT INTO inspector_conflicts (inspector_id, local_area_code, reason, declared_by, declared_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (inspector_id, local_area_code) DO UPDATE SET reason = excluded.reason, \
                   declared_by = excluded.declared_by, declared_at = excluded.declared_at",
            )
            .bind(inspector_id)
            .bind(area)
            .bind(reason)
            .bind(by.id)
            .bind(canonical(now))
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, now, audit);
        });
        Ok(())
    }

    /// Proposes an engagement with a current area, once `decide` (given the area's region and
    /// consents, read in this transaction) allows it. Answers its new public id, which the audit
    /// event is given too.
    pub async fn schedule_engagement(
        &self,
        new: &NewEngagement,
        by: &Person,
        now: DateTime<Utc>,
        audit: impl Fn(&str) -> NewAuditEvent,
        decide: impl FnOnce(&NewEngagementFacts<'_>) -> Result<(), Refusal>,
    ) -> Result<String, StoreError> {
        let public_id = new_public_id();
        let busy = busy_days(new.kind, new.onsite);
        let (year, term) = term_of(new.onsite.first);
        let today = now.date_naive();
        write_tx!(self, tx => {
            let area: Option<(String, String)> = sqlx::query_as(
                "SELECT region_code, name FROM local_areas WHERE ons_code = $1 AND retired_on IS NULL",
            )
            .bind(&new.local_area_code)
            .fetch_optional(&mut *tx)
            .await?;
            let consents = match &area {
                Some(_) if new.kind == EngagementKind::InterimVisit => {
                    load_consents!(self, &mut *tx, &new.local_area_code, today)
                }
                _ => Default::default(),
            };
            let facts = NewEngagementFacts {
                region: area.as_ref().map(|a| a.0.as_str()),
                area_name: area.as_ref().map_or("", |a| a.1.as_str()),
                consents: consents.get(&new.local_area_code).map_or(&[], Vec::as_slice),
            };
            decide(&facts)?;
            let region = area.map(|a| a.0).unwrap_or_default();
            let notification = timeline(new.kind, new.onsite.first).map(|t| t.notification);
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO engagements (local_area_code, region_code, kind, state, onsite_first, onsite_last, \
                   busy_first, notification_date, academic_year, term, note, created_by, created_at, public_id) \
                 VALUES ($1, $2, $3, 'proposed', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            )
            .bind(&new.local_area_code)
            .bind(&region)
            .bind(new.kind.as_str())
            .bind(new.onsite.first)
            .bind(new.onsite.last)
            .bind(busy.first)
            .bind(notification)
            .bind(i64::from(year))
            .bind(term.as_str())
            .bind(&new.note)
            .bind(by.id)
            .bind(canonical(now))
            .bind(&public_id)
            .fetch_one(&mut *tx)
            .await?;
            append_event!(tx, id, "proposed", by.id, now, &new.note);
            append_audit!(tx, now, &audit(&public_id));
        });
        Ok(public_id)
    }

    /// One engagement `viewer` may see, by its public id, with its team; `NotFound` for one
    /// they may not see, missing or not.
    pub async fn engagement(
        &self,
        id: &str,
        viewer: &Person,
        today: NaiveDate,
    ) -> Result<EngagementRecord, StoreError> {
        let (kind, code) = engagement_scope(viewer);
        let row: Option<EngagementRow> = with_pool!(self, pool => {
            sqlx::query_as(GET_ENGAGEMENT).bind(kind).bind(code).bind(id).fetch_optional(pool).await?
        });
        let mut found = record(row.ok_or(StoreError::NotFound)?, today)?;
        found.team = with_pool!(self, pool => load_team!(self, pool, found.id));
        Ok(found)
    }

    /// Engagements `viewer` may see in an academic year, optionally of one region, with teams.
    /// Two queries, whatever the number.
    pub async fn engagements(
        &self,
        viewer: &Person,
        region: &str,
        academic_year: i32,
        today: NaiveDate,
    ) -> Result<Vec<EngagementRecord>, StoreError> {
        let (kind, code) = engagement_scope(viewer);
        let rows: Vec<EngagementRow> = with_pool!(self, pool => {
            sqlx::query_as(LIST_ENGAGEMENTS)
                .bind(kind)
                .bind(code)
                .bind(region)
                .bind(i64::from(academic_year))
                .fetch_all(pool)
                .await?
        });
        let team: Vec<(i64, i64, String, String, Option<i64>)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT t.engagement_id, t.inspector_id, i.name, t.team_role, i.person_id FROM engagement_team t \
                 JOIN inspectors i ON i.id = t.inspector_id \
                 JOIN engagements e ON e.id = t.engagement_id WHERE e.academic_year = $1 ORDER BY t.team_role, i.name",
            )
            .bind(i64::from(academic_year))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|row| {
                let mut r = record(row, today)?;
                r.team = members(&team, r.id)?;
                Ok(r)
            })
            .collect()
    }

    /// Proposed inspections `viewer` may see whose local area is to be told by `until`, with
    /// their teams: two queries.
    pub async fn notices_pending(
        &self,
        viewer: &Person,
        until: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<EngagementRecord>, StoreError> {
        let (kind, code) = engagement_scope(viewer);
        let rows: Vec<EngagementRow> = with_pool!(self, pool => {
            sqlx::query_as(NOTICES_PENDING).bind(kind).bind(code).bind(until).fetch_all(pool).await?
        });
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let team: Vec<(i64, i64, String, String, Option<i64>)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT t.engagement_id, t.inspector_id, i.name, t.team_role, i.person_id FROM engagement_team t \
                 JOIN inspectors i ON i.id = t.inspector_id \
                 JOIN engagements e ON e.id = t.engagement_id \
                 WHERE e.state = 'proposed' AND e.notification_date <= $1 ORDER BY t.team_role, i.name",
            )
            .bind(until)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|row| {
                let mut r = record(row, today)?;
                r.team = members(&team, r.id)?;
                Ok(r)
            })
            .collect()
    }

    /// What readers of engagements in `area` (every area when empty) are shown beside them:
    /// consents and inspectors' commitments. Five queries, whatever the number.
    pub async fn read_facts(&self, area: &str, today: NaiveDate) -> Result<ReadFacts, StoreError> {
        Ok(with_pool!(self, pool => ReadFacts {
            consents: load_consents!(self, pool, area, today),
            team: load_team_facts!(self, pool),
        }))
    }

    /// Applies `change` to engagement `id` (its public id): reads it, its area's consents and every inspector's
    /// commitments inside the write's own transaction (locking the inspectors it books), lets
    /// `decide` judge, then writes the change, its history step and audit event. Returns the
    /// engagement as it now stands, with the decision's warnings.
    pub async fn change_engagement(
        &self,
        public_id: &str,
        change: &EngagementChange,
        by: &Person,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
        decide: impl FnOnce(&EngagementFacts<'_>) -> Result<Decision, Refusal>,
    ) -> Result<(EngagementRecord, Vec<Finding>), StoreError> {
        let (kind, code) = engagement_scope(by);
        let today = now.date_naive();
        let warnings = write_tx!(self, tx => {
            let row: Option<EngagementRow> = sqlx::query_as(GET_ENGAGEMENT)
                .bind(kind)
                .bind(&code)
                .bind(public_id)
                .fetch_optional(&mut *tx)
                .await?;
            let mut current = record(row.ok_or(StoreError::NotFound)?, today)?;
            let id = current.id;
            current.team = load_team!(self, &mut *tx, id);
            let booking: Vec<i64> = match change {
                EngagementChange::AssignTeam { members, .. } => members.iter().map(|m| m.0).collect(),
                EngagementChange::Reschedule { .. } => current.team.iter().map(|m| m.inspector_id).collect(),
                _ => Vec::new(),
            };
            lock_inspectors!(self, tx, booking.clone());
            let team = if booking.is_empty() && !matches!(change, EngagementChange::AssignTeam { .. }) {
                TeamFacts::default()
            } else {
                load_team_facts!(self, &mut *tx)
            };
            let consents = if current.kind == EngagementKind::InterimVisit {
                load_consents!(self, &mut *tx, &current.local_area_code, today)
            } else {
                Default::default()
            };
            let facts = EngagementFacts {
                engagement: &current,
                today,
                consents: consents.get(&current.local_area_code).map_or(&[], Vec::as_slice),
                team: &team,
            };
            let decision = decide(&facts)?;
            sqlx::query(
                "UPDATE engagements SET state = $1, version = version + 1, \
                   postponed_reason = CASE WHEN $1 = 'postponed' THEN $4 ELSE postponed_reason END \
                 WHERE id = $2 AND version = $3",
            )
            .bind(decision.state)
            .bind(id)
            .bind(current.version)
            .bind(&decision.reason)
            .execute(&mut *tx)
            .await?;
            match change {
                EngagementChange::Reschedule { onsite, .. } => {
                    let busy = busy_days(current.kind, *onsite);
                    let (year, term) = term_of(onsite.first);
                    let notification = timeline(current.kind, onsite.first).map(|t| t.notification);
                    sqlx::query(
                        "UPDATE engagements SET onsite_first = $2, onsite_last = $3, busy_first = $4, \
                           notification_date = $5, academic_year = $6, term = $7 WHERE id = $1",
                    )
                    .bind(id)
                    .bind(onsite.first)
                    .bind(onsite.last)
                    .bind(busy.first)
                    .bind(notification)
                    .bind(i64::from(year))
                    .bind(term.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
                EngagementChange::AssignTeam { members, .. } => {
                    sqlx::query("DELETE FROM engagement_team WHERE engagement_id = $1").bind(id).execute(&mut *tx).await?;
                    for (inspector, role) in members {
                        sqlx::query("INSERT INTO engagement_team (engagement_id, inspector_id, team_role) VALUES ($1, $2, $3)")
                            .bind(id)
                            .bind(inspector)
                            .bind(role.as_str())
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                EngagementChange::Complete { outcome: Some(outcome) } => {
                    sqlx::query("UPDATE engagements SET outcome = $2 WHERE id = $1")
                        .bind(id)
                        .bind(outcome.as_str())
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                        "INSERT INTO inspection_history (local_area_code, kind, completed_on, outcome) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(&current.local_area_code)
                    .bind(current.kind.as_str())
                    .bind(current.onsite.last)
                    .bind(outcome.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
                EngagementChange::Complete { outcome: None } | EngagementChange::Postpone { .. } | EngagementChange::Notify => {}
            }
            append_event!(tx, id, decision.event, by.id, now, &decision.reason);
            if matches!(change, EngagementChange::Notify) {
                let audience = Audience::AreaUsers(&current.local_area_code);
                enqueue!(tx, now, EventKind::VisitNotified, audience, "/local-area", public_id, now);
            }
            append_audit!(tx, now, audit);
            decision.warnings
        });
        Ok((self.engagement(public_id, by, today).await?, warnings))
    }

    /// Records a completed inspection from the past (audited).
    pub async fn record_past_inspection(
        &self,
        area: &str,
        kind: EngagementKind,
        completed_on: NaiveDate,
        outcome: Outcome,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<(), StoreError> {
        write_tx!(self, tx => {
            let found: Option<(String,)> = sqlx::query_as("SELECT ons_code FROM local_areas WHERE ons_code = $1")
                .bind(area)
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                let v = FieldViolation::new("local_area_code", "Select a local area");
                return Err(InvalidInput::from(v).into());
            }
            sqlx::query("INSERT INTO inspection_history (local_area_code, kind, completed_on, outcome) VALUES ($1, $2, $3, $4)")
                .bind(area)
                .bind(kind.as_str())
                .bind(completed_on)
                .bind(outcome.as_str())
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, now, audit);
        });
        Ok(())
    }

    /// Sets a due date by hand, with its reason (audited).
    pub async fn override_due_date(
        &self,
        area: &str,
        due_by: NaiveDate,
        reason: &str,
        by: &Person,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<(), StoreError> {
        write_tx!(self, tx => {
            current_area_region!(tx, area);
            sqlx::query(
                "INSERT INTO due_date_overrides (local_area_code, due_by, reason, set_by, set_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (local_area_code) DO UPDATE SET due_by = excluded.due_by, reason = excluded.reason, \
                   set_by = excluded.set_by, set_at = excluded.set_at",
            )
            .bind(area)
            .bind(due_by)
            .bind(reason)
            .bind(by.id)
            .bind(canonical(now))
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, now, audit);
        });
        Ok(())
    }

    /// The facts the national board is built from: every current area with its latest outcome,
    /// override and this academic year's engagements. Four queries, whatever the size.
    pub async fn national_facts(&self, academic_year: i32) -> Result<Vec<AreaFacts>, StoreError> {
        type AreaRow = (String, Option<String>, String, String, String, String);
        let areas: Vec<AreaRow> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT a.ons_code, a.dfe_code, a.name, a.region_code, r.name, a.kind FROM local_areas a \
                 JOIN regions r ON r.code = a.region_code WHERE a.retired_on IS NULL ORDER BY r.sort_order, a.name_key",
            )
            .fetch_all(pool)
            .await?
        });
        let history: Vec<(String, NaiveDate, String)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT local_area_code, completed_on, outcome FROM inspection_history \
                 WHERE kind IN ('full_inspection', 'legacy_inspection') ORDER BY completed_on",
            )
            .fetch_all(pool)
            .await?
        });
        let overrides: Vec<(String, NaiveDate, String)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT local_area_code, due_by, reason FROM due_date_overrides").fetch_all(pool).await?
        });
        let engagements: Vec<(String, String, String, NaiveDate)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT local_area_code, kind, state, onsite_first FROM engagements WHERE academic_year = $1 ORDER BY onsite_first",
            )
            .bind(i64::from(academic_year))
            .fetch_all(pool)
            .await?
        });
        let mut by_area: std::collections::HashMap<&str, Vec<(EngagementKind, String, NaiveDate)>> =
            Default::default();
        for (area, kind, state, first) in &engagements {
            if let Some(kind) = EngagementKind::parse(kind) {
                by_area.entry(area.as_str()).or_default().push((kind, state.clone(), *first));
            }
        }
        let mut last: std::collections::HashMap<&str, (Outcome, NaiveDate)> = Default::default();
        for (area, day, outcome) in &history {
            if let Some(outcome) = Outcome::parse(outcome) {
                last.insert(area.as_str(), (outcome, *day));
            }
        }
        Ok(areas
            .into_iter()
            .map(|(code, dfe_code, name, region_code, region_name, kind)| AreaFacts {
                last: last.get(code.as_str()).copied(),
                override_due: overrides.iter().find(|o| o.0 == code).map(|o| (o.1, o.2.clone())),
                engagements: by_area.remove(code.as_str()).unwrap_or_default(),
                code,
                dfe_code,
                name,
                region_code,
                region_name,
                kind,
            })
            .collect())
    }
}

/// Who may read which engagements, as SQL parameters: the viewer's scope, or for inspectors
/// their own person id (engagements whose team they are on).
pub(super) fn engagement_scope(viewer: &Person) -> (&'static str, String) {
    match viewer.scope {
        Scope::Inspector { .. } => ("inspector", viewer.id.to_string()),
        ref scope => {
            let (kind, code) = scope_params(scope);
            (kind, code.to_owned())
        }
    }
}
