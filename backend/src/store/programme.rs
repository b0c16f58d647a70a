//! The inspection programme: inspectors, engagements, teams, history and the boards' data.
//! Engagement queries carry the viewer's scope in SQL, like visit requests.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Store, StoreError, audit::append_audit, current_area_region, scope_params, with_pool, write_tx};
use crate::domain::{
    FieldViolation, InvalidInput,
    audit::NewAuditEvent,
    clock::canonical,
    consent::DateRange,
    identity::{Inspectorate, Person, Scope},
    programme::{
        Candidate, EngagementKind, EngagementState, NewEngagement, Outcome, TeamRole, busy_days, term_of,
    },
};

/// An inspector as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectorRecord {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Ofsted or CQC.
    pub inspectorate: Inspectorate,
    /// Social care specialism.
    pub social_care: bool,
    /// Home region.
    pub home_region: String,
    /// The inspector's own account.
    pub person_id: Option<i64>,
    /// Most engagements per term.
    pub max_per_term: u32,
    /// Declared unavailability.
    pub unavailable: Vec<DateRange>,
    /// (area, reason) conflicts of interest.
    pub conflicts: Vec<(String, String)>,
}

/// A team member as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    /// Inspector id.
    pub inspector_id: i64,
    /// Name.
    pub name: String,
    /// Role in the team.
    pub role: TeamRole,
}

/// An engagement as stored, with its derived state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngagementRecord {
    /// Id.
    pub id: i64,
    /// ONS code.
    pub local_area_code: String,
    /// Area name.
    pub local_area_name: String,
    /// Region code.
    pub region_code: String,
    /// Region name.
    pub region_name: String,
    /// Kind.
    pub kind: EngagementKind,
    /// State (onsite and reporting derived from the dates).
    pub state: EngagementState,
    /// Onsite days.
    pub onsite: DateRange,
    /// Note.
    pub note: String,
    /// Why postponed.
    pub postponed_reason: String,
    /// Recorded outcome.
    pub outcome: Option<Outcome>,
    /// Version.
    pub version: i64,
    /// The team.
    pub team: Vec<MemberRecord>,
}

/// A change to an engagement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngagementChange {
    /// New onsite days (back to proposed: the area is notified again).
    Reschedule(DateRange),
    /// Put off.
    Postpone,
    /// The area was told.
    Notify,
    /// A new team.
    Team(Vec<(i64, TeamRole)>),
    /// Finished, with the inspection's outcome (none for meetings and visits).
    Complete(Option<Outcome>),
}

/// A change refused by the engagement's state or made stale.
#[derive(Debug, thiserror::Error)]
pub enum EngagementError {
    /// Not visible or missing.
    #[error("engagement not found")]
    NotFound,
    /// The state does not allow it.
    #[error("the engagement is {}; it cannot be {}", .0.as_str(), .1)]
    Illegal(EngagementState, &'static str),
    /// Someone else changed it.
    #[error("someone else changed this engagement meanwhile: it is now {}; reload it and try again", .0.as_str())]
    Stale(EngagementState),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for EngagementError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

/// Engagement columns; `$1`/`$2` scope. Local area users see only confirmed engagements of
/// their own area (notified or later), never proposals; inspectors see the engagements whose
/// team they are on (`$2` is then their person id).
macro_rules! engagement_select {
    () => {
        "SELECT e.id, e.local_area_code, a.name AS local_area_name, e.region_code, r.name AS region_name, \
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

const GET_ENGAGEMENT: &str = concat!(engagement_select!(), "AND e.id = $3");
const LIST_ENGAGEMENTS: &str = concat!(
    engagement_select!(),
    "AND ($3 = '' OR e.region_code = $3) AND e.academic_year = $4 ORDER BY e.onsite_first, e.id"
);

#[derive(sqlx::FromRow)]
struct EngagementRow {
    id: i64,
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

/// A national board row's raw facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaFacts {
    /// ONS code.
    pub code: String,
    /// DfE code.
    pub dfe_code: Option<String>,
    /// Name.
    pub name: String,
    /// Region code.
    pub region_code: String,
    /// Region name.
    pub region_name: String,
    /// Kind of area (stored name).
    pub kind: String,
    /// Latest recorded outcome and its date.
    pub last: Option<(Outcome, NaiveDate)>,
    /// Due-date override and its reason.
    pub override_due: Option<(NaiveDate, String)>,
    /// This academic year's engagements: (kind, stored state, first onsite day).
    pub engagements: Vec<(EngagementKind, String, NaiveDate)>,
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
                let v = FieldViolation::new("home_region_code", format!("no region has code {:?}", inspector.home_region));
                return Err(InvalidInput::from(v).into());
            }
            if let Some(person) = inspector.person_id {
                let account: Option<(String,)> = sqlx::query_as("SELECT role FROM people WHERE id = $1")
                    .bind(person)
                    .fetch_optional(&mut *tx)
                    .await?;
                if account.as_ref().is_none_or(|(role,)| role != "inspector") {
                    let v = FieldViolation::new("person_id", "is not the account of an inspector");
                    return Err(InvalidInput::from(v).into());
                }
                let linked: Option<(i64,)> = sqlx::query_as("SELECT id FROM inspectors WHERE person_id = $1")
                    .bind(person)
                    .fetch_optional(&mut *tx)
                    .await?;
                if linked.is_some() {
                    return Err(StoreError::AlreadyExists(FieldViolation::new(
                        "person_id",
                        "is already linked to another inspector",
                    )));
                }
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

    /// Every inspector, by name, with unavailability and conflicts.
    pub async fn inspectors(&self) -> Result<Vec<InspectorRecord>, StoreError> {
        type Row = (i64, String, String, bool, String, Option<i64>, i64);
        let rows: Vec<Row> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, name, inspectorate, social_care, home_region_code, person_id, max_engagements_per_term \
                 FROM inspectors ORDER BY name, id",
            )
            .fetch_all(pool)
            .await?
        });
        let unavailable: Vec<(i64, NaiveDate, NaiveDate)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT inspector_id, first_day, last_day FROM inspector_unavailability ORDER BY first_day")
                .fetch_all(pool)
                .await?
        });
        let conflicts: Vec<(i64, String, String)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT inspector_id, local_area_code, reason FROM inspector_conflicts ORDER BY local_area_code")
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(id, name, inspectorate, social_care, home_region, person_id, max)| {
                Ok(InspectorRecord {
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
                        .map(|c| (c.1.clone(), c.2.clone()))
                        .collect(),
                })
            })
            .collect()
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

    /// Proposes an engagement with a current area; a regional lead only in their region.
    pub async fn schedule_engagement(
        &self,
        new: &NewEngagement,
        by: &Person,
        now: DateTime<Utc>,
        audit: impl Fn(i64) -> NewAuditEvent,
    ) -> Result<i64, StoreError> {
        let busy = busy_days(new.kind, new.onsite);
        let (year, term) = term_of(new.onsite.first);
        Ok(write_tx!(self, tx => {
            let region = current_area_region!(tx, &new.local_area_code);
            by.scope.may_plan_in(&region).map_err(InvalidInput::from)?;
            let notification = crate::domain::programme::timeline(new.kind, new.onsite.first).map(|t| t.notification);
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO engagements (local_area_code, region_code, kind, state, onsite_first, onsite_last, \
                   busy_first, notification_date, academic_year, term, note, created_by, created_at) \
                 VALUES ($1, $2, $3, 'proposed', $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
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
            .fetch_one(&mut *tx)
            .await?;
            append_event!(tx, id, "proposed", by.id, now, &new.note);
            append_audit!(tx, now, &audit(id));
            id
        }))
    }

    async fn team(&self, id: i64) -> Result<Vec<MemberRecord>, StoreError> {
        let rows: Vec<(i64, String, String)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT t.inspector_id, i.name, t.team_role FROM engagement_team t \
                 JOIN inspectors i ON i.id = t.inspector_id WHERE t.engagement_id = $1 ORDER BY t.team_role, i.name",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(inspector_id, name, role)| {
                Ok(MemberRecord {
                    inspector_id,
                    name,
                    role: TeamRole::parse(&role).ok_or_else(|| corrupt("team role"))?,
                })
            })
            .collect()
    }

    /// One engagement `viewer` may see, with its team.
    pub async fn engagement(
        &self,
        id: i64,
        viewer: &Person,
        today: NaiveDate,
    ) -> Result<EngagementRecord, StoreError> {
        let (kind, code) = engagement_scope(viewer);
        let row: Option<EngagementRow> = with_pool!(self, pool => {
            sqlx::query_as(GET_ENGAGEMENT).bind(kind).bind(code).bind(id).fetch_optional(pool).await?
        });
        let mut found = record(row.ok_or(StoreError::NotFound)?, today)?;
        found.team = self.team(id).await?;
        Ok(found)
    }

    /// Engagements `viewer` may see in an academic year, optionally of one region, with teams.
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
        let members: Vec<(i64, i64, String, String)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT t.engagement_id, t.inspector_id, i.name, t.team_role FROM engagement_team t \
                 JOIN inspectors i ON i.id = t.inspector_id \
                 JOIN engagements e ON e.id = t.engagement_id WHERE e.academic_year = $1",
            )
            .bind(i64::from(academic_year))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|row| {
                let mut r = record(row, today)?;
                r.team = members
                    .iter()
                    .filter(|m| m.0 == r.id)
                    .filter_map(|m| {
                        Some(MemberRecord {
                            inspector_id: m.1,
                            name: m.2.clone(),
                            role: TeamRole::parse(&m.3)?,
                        })
                    })
                    .collect();
                Ok(r)
            })
            .collect()
    }

    /// What the team rules need of the given inspectors, for an engagement holding them over
    /// `busy` in the term `term` (other engagements only), and the average load that term.
    pub async fn team_candidates(
        &self,
        ids: &[i64],
        engagement_id: i64,
        term: DateRange,
    ) -> Result<(Vec<Candidate>, f64), StoreError> {
        let inspectors = self.inspectors().await?;
        let booked: Vec<(i64, NaiveDate, NaiveDate)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT t.inspector_id, e.busy_first, e.onsite_last FROM engagement_team t \
                 JOIN engagements e ON e.id = t.engagement_id \
                 WHERE e.id <> $1 AND e.state IN ('proposed', 'notified')",
            )
            .bind(engagement_id)
            .fetch_all(pool)
            .await?
        });
        let loads: Vec<(i64, i64)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT t.inspector_id, COUNT(*) FROM engagement_team t JOIN engagements e ON e.id = t.engagement_id \
                 WHERE e.id <> $1 AND e.state <> 'postponed' AND e.onsite_first BETWEEN $2 AND $3 \
                 GROUP BY t.inspector_id",
            )
            .bind(engagement_id)
            .bind(term.first)
            .bind(term.last)
            .fetch_all(pool)
            .await?
        });
        let total: i64 = loads.iter().map(|l| l.1).sum();
        let average = if inspectors.is_empty() { 0.0 } else { total as f64 / inspectors.len() as f64 };
        let mut candidates = Vec::new();
        for id in ids {
            let Some(i) = inspectors.iter().find(|i| i.id == *id) else {
                let v = FieldViolation::new("members", format!("no inspector has id {id}"));
                return Err(InvalidInput::from(v).into());
            };
            candidates.push(Candidate {
                id: i.id,
                name: i.name.clone(),
                inspectorate: i.inspectorate,
                social_care: i.social_care,
                home_region: i.home_region.clone(),
                max_per_term: i.max_per_term,
                unavailable: i.unavailable.clone(),
                conflicts: i.conflicts.iter().map(|c| c.0.clone()).collect(),
                booked: booked
                    .iter()
                    .filter(|b| b.0 == i.id)
                    .map(|b| DateRange { first: b.1, last: b.2 })
                    .collect(),
                load_this_term: u32::try_from(loads.iter().find(|l| l.0 == i.id).map_or(0, |l| l.1))
                    .unwrap_or(0),
            });
        }
        Ok((candidates, average))
    }

    /// Applies a change to engagement `id` read at `version`, with its history step and audit
    /// event, in one transaction.
    #[expect(clippy::too_many_arguments, reason = "one transaction, each value distinct")]
    pub async fn change_engagement(
        &self,
        id: i64,
        version: i64,
        change: &EngagementChange,
        reason: &str,
        by: &Person,
        now: DateTime<Utc>,
        audit: &NewAuditEvent,
    ) -> Result<EngagementRecord, EngagementError> {
        let (kind, code) = scope_params(&by.scope);
        let today = now.date_naive();
        write_tx!(self, tx => {
            let row: Option<EngagementRow> =
                sqlx::query_as(GET_ENGAGEMENT).bind(kind).bind(code).bind(id).fetch_optional(&mut *tx).await?;
            let current = record(row.ok_or(EngagementError::NotFound)?, today)?;
            if current.version != version {
                return Err(EngagementError::Stale(current.state));
            }
            use EngagementState as S;
            let live = matches!(current.state, S::Proposed | S::Notified);
            let (state, what): (&str, &'static str) = match change {
                EngagementChange::Reschedule(_) if live || current.state == S::Postponed => ("proposed", "rescheduled"),
                EngagementChange::Postpone if live => ("postponed", "postponed"),
                EngagementChange::Notify if current.state == S::Proposed => ("notified", "notified"),
                EngagementChange::Team(_) if live => (stored_state(current.state), "given a new team"),
                EngagementChange::Complete(_) if matches!(current.state, S::Onsite | S::Reporting) => ("done", "completed"),
                EngagementChange::Reschedule(_) => return Err(EngagementError::Illegal(current.state, "rescheduled")),
                EngagementChange::Postpone => return Err(EngagementError::Illegal(current.state, "postponed")),
                EngagementChange::Notify => return Err(EngagementError::Illegal(current.state, "notified again")),
                EngagementChange::Team(_) => return Err(EngagementError::Illegal(current.state, "given a new team")),
                EngagementChange::Complete(_) => return Err(EngagementError::Illegal(current.state, "completed")),
            };
            let updated = sqlx::query(
                "UPDATE engagements SET state = $1, version = version + 1, \
                   postponed_reason = CASE WHEN $1 = 'postponed' THEN $4 ELSE postponed_reason END \
                 WHERE id = $2 AND version = $3",
            )
            .bind(state)
            .bind(id)
            .bind(version)
            .bind(reason)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated != 1 {
                return Err(EngagementError::Stale(current.state));
            }
            match change {
                EngagementChange::Reschedule(onsite) => {
                    let busy = busy_days(current.kind, *onsite);
                    let (year, term) = term_of(onsite.first);
                    let notification =
                        crate::domain::programme::timeline(current.kind, onsite.first).map(|t| t.notification);
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
                EngagementChange::Team(members) => {
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
                EngagementChange::Complete(Some(outcome)) => {
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
                EngagementChange::Complete(None) | EngagementChange::Postpone | EngagementChange::Notify => {}
            }
            append_event!(tx, id, what, by.id, now, reason);
            append_audit!(tx, now, audit);
        });
        self.engagement(id, by, today).await.map_err(EngagementError::from)
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
                let v = FieldViolation::new("local_area_code", format!("no local area has ONS code {area:?}"));
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
fn engagement_scope(viewer: &Person) -> (&'static str, String) {
    match viewer.scope {
        Scope::Inspector { .. } => ("inspector", viewer.id.to_string()),
        ref scope => {
            let (kind, code) = scope_params(scope);
            (kind, code.to_owned())
        }
    }
}

fn stored_state(state: EngagementState) -> &'static str {
    match state {
        EngagementState::Proposed => "proposed",
        EngagementState::Done => "done",
        EngagementState::Postponed => "postponed",
        EngagementState::Notified | EngagementState::Onsite | EngagementState::Reporting => "notified",
    }
}
