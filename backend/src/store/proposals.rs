//! Proposed programmes: the scheduling facts of a scope, the programme's version, the proposals
//! themselves and the lease that lets one proposal per scope run at a time across replicas.
//!
//! The programme version is a sum of counters that only ever grow: every engagement's and
//! every visit request's version (each write bumps them, new rows start at 1), every
//! inspector's version, and the number of inspectors, declared unavailabilities and conflicts
//! (rows that are never deleted). Any write that can change what a proposal may do therefore
//! raises it, without a counter that each write path must remember to bump.

use chrono::{DateTime, NaiveDate, Utc};

use super::{
    Db, Store, StoreError, audit::append_audit, consent::unavailable_from_json, with_pool, write_tx,
};
use crate::domain::{
    Refusal,
    audit::Actor,
    clock::{canonical, parse_canonical},
    consent::DateRange,
    identity::{Inspectorate, Scope},
    programme::{EngagementKind, Outcome, TeamRole, busy_days, term_of},
    proposals::{
        ChangeKind, PROPOSAL_NOT_READY, PROPOSAL_RUNNING, PlannedEngagement, ProposalFacts, ProposedChange,
        notification, plannable,
    },
    public_id::new_public_id,
    scheduler,
};

/// The programme version (see the module documentation). One query.
const PROGRAMME_VERSION: &str = "SELECT \
    CAST((SELECT COALESCE(SUM(version), 0) FROM engagements) AS BIGINT) \
  + CAST((SELECT COALESCE(SUM(version), 0) FROM visit_requests) AS BIGINT) \
  + CAST((SELECT COALESCE(SUM(version), 0) FROM inspectors) AS BIGINT) \
  + (SELECT COUNT(*) FROM inspectors) \
  + (SELECT COUNT(*) FROM inspector_unavailability) \
  + (SELECT COUNT(*) FROM inspector_conflicts)";

/// A stored proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalRecord {
    /// Public id.
    pub public_id: String,
    /// `england` or a region code.
    pub scope: String,
    /// The scope in words ("England" or the region's name).
    pub scope_name: String,
    /// running, ready, cancelled or accepted.
    pub state: String,
    /// The programme version it began from.
    pub programme_version: i64,
    /// The plan's objective.
    pub score: i64,
    /// Each engagement's change (empty while running).
    pub changes: Vec<ProposedChange>,
    /// When it began.
    pub started_at: String,
}

type ProposalRow = (i64, String, String, String, i64, i64, String, String, Option<String>);

fn proposal_record(row: ProposalRow) -> Result<(i64, ProposalRecord), StoreError> {
    let (id, public_id, scope, state, programme_version, score, plan, started_at, region_name) = row;
    let changes = if plan.is_empty() {
        Vec::new()
    } else {
        serde_json::from_str(&plan).map_err(|_| {
            StoreError::Unexpected(sqlx::Error::Protocol("stored proposal is not valid".into()))
        })?
    };
    let scope_name = region_name.unwrap_or_else(|| "England".to_owned());
    Ok((
        id,
        ProposalRecord { public_id, scope, scope_name, state, programme_version, score, changes, started_at },
    ))
}

/// A proposal by public id (`$3`) within the viewer's scope (`$1` kind, `$2` code): national
/// planners see every scope's, a regional lead their region's.
const GET_PROPOSAL: &str = "SELECT p.id, p.public_id, p.scope, p.state, p.programme_version, p.score, p.plan, \
       p.started_at, r.name \
     FROM programme_proposals p LEFT JOIN regions r ON r.code = p.scope \
     WHERE ($1 = 'england' OR ($1 = 'region' AND p.scope = $2)) AND p.public_id = $3";

fn viewer_scope(scope: &Scope) -> (&'static str, &str) {
    match scope {
        Scope::England => ("england", ""),
        Scope::Region(code) => ("region", code),
        _ => ("none", ""),
    }
}

impl Store {
    /// The programme's current version (see the module documentation).
    pub async fn programme_version(&self) -> Result<i64, StoreError> {
        let (v,): (i64,) = with_pool!(self, pool => sqlx::query_as(PROGRAMME_VERSION).fetch_one(pool).await?);
        Ok(v)
    }

    /// The programme version, then everything a proposal for `scope` plans from: the scope's
    /// areas and its proposed and notified engagements (with their teams and, for interim
    /// visits, the written consent), and every inspector, whose commitments outside the
    /// proposal count as days they are unavailable. The version is read first, so a write
    /// that lands while the facts load makes the proposal stale rather than wrong.
    pub async fn proposal_facts(
        &self,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<(i64, ProposalFacts), StoreError> {
        let version = self.programme_version().await?;
        let (kind, code) = viewer_scope(scope);
        let regions: Vec<(String,)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT code FROM regions ORDER BY code").fetch_all(pool).await?
        });
        let areas: Vec<(String, String, String, String)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT ons_code, name, region_code, kind FROM local_areas \
                 WHERE retired_on IS NULL AND ($1 = 'england' OR ($1 = 'region' AND region_code = $2)) ORDER BY ons_code",
            )
            .bind(kind)
            .bind(code)
            .fetch_all(pool)
            .await?
        });
        let inspectors: Vec<(i64, String, String, bool, String, i64)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, name, inspectorate, social_care, home_region_code, max_engagements_per_term \
                 FROM inspectors ORDER BY id",
            )
            .fetch_all(pool)
            .await?
        });
        let unavailable: Vec<(i64, NaiveDate, NaiveDate)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT inspector_id, first_day, last_day FROM inspector_unavailability")
                .fetch_all(pool)
                .await?
        });
        let conflicts: Vec<(i64, String)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT inspector_id, local_area_code FROM inspector_conflicts").fetch_all(pool).await?
        });
        type Row = (i64, String, i64, String, String, String, String, String, NaiveDate, NaiveDate);
        let engagements: Vec<Row> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT e.id, e.public_id, e.version, e.local_area_code, a.name, r.name, e.kind, e.state, \
                   e.onsite_first, e.onsite_last \
                 FROM engagements e JOIN local_areas a ON a.ons_code = e.local_area_code \
                 JOIN regions r ON r.code = e.region_code \
                 WHERE (e.state = 'proposed' OR (e.state = 'notified' AND e.onsite_first > $3)) \
                   AND a.retired_on IS NULL AND ($1 = 'england' OR ($1 = 'region' AND e.region_code = $2)) \
                 ORDER BY e.onsite_first, e.id",
            )
            .bind(kind)
            .bind(code)
            .bind(today)
            .fetch_all(pool)
            .await?
        });
        let team: Vec<(i64, i64, String, String, NaiveDate, NaiveDate)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT t.engagement_id, t.inspector_id, i.name, t.team_role, e.busy_first, e.onsite_last \
                 FROM engagement_team t JOIN inspectors i ON i.id = t.inspector_id \
                 JOIN engagements e ON e.id = t.engagement_id WHERE e.state <> 'postponed'",
            )
            .fetch_all(pool)
            .await?
        });
        let consents: Vec<(String, NaiveDate, NaiveDate, String)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT v.local_area_code, v.window_first, v.window_last, c.unavailable \
                 FROM visit_requests v JOIN consents c ON c.request_id = v.id \
                 WHERE v.state = 'consented' ORDER BY c.date_signed DESC, v.id DESC",
            )
            .fetch_all(pool)
            .await?
        });
        let outcomes: Vec<(String, String)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT local_area_code, outcome FROM inspection_history ORDER BY completed_on, id")
                .fetch_all(pool)
                .await?
        });
        // The latest outcome of each area: whether it did well at its last inspection.
        let did_well: std::collections::HashMap<String, bool> = outcomes
            .into_iter()
            .filter_map(|(area, outcome)| Outcome::parse(&outcome).map(|o| (area, o.did_well())))
            .collect();
        let corrupt =
            |what: &str| StoreError::Unexpected(sqlx::Error::Protocol(format!("stored {what} is not valid")));
        let mut planned = Vec::new();
        for (id, public_id, version, area_code, area_name, region_name, kind, state, first, last) in
            engagements
        {
            let kind = EngagementKind::parse(&kind).ok_or_else(|| corrupt("kind"))?;
            if !plannable(kind) {
                continue;
            }
            let members = team
                .iter()
                .filter(|m| m.0 == id)
                .map(|m| Ok((m.1, m.2.clone(), TeamRole::parse(&m.3).ok_or_else(|| corrupt("team role"))?)))
                .collect::<Result<Vec<_>, StoreError>>()?;
            let pinned = state == "notified";
            if pinned && members.is_empty() {
                continue;
            }
            let consent = (kind == EngagementKind::InterimVisit)
                .then(|| consents.iter().find(|c| c.0 == area_code))
                .flatten()
                .map(|c| (DateRange { first: c.1, last: c.2 }, unavailable_from_json(&c.3)));
            planned.push(PlannedEngagement {
                id,
                public_id,
                version,
                area_code,
                area_name,
                region_name,
                kind,
                pinned,
                onsite: DateRange { first, last },
                team: members,
                consent,
            });
        }
        let planned_ids: std::collections::HashSet<i64> = planned.iter().map(|e| e.id).collect();
        let inspectors = inspectors
            .into_iter()
            .map(|(id, name, inspectorate, social_care, region, max)| {
                let mut days: Vec<DateRange> = unavailable
                    .iter()
                    .filter(|u| u.0 == id)
                    .map(|u| DateRange { first: u.1, last: u.2 })
                    .collect();
                // Commitments the proposal does not plan: to the scheduler, days away.
                days.extend(
                    team.iter()
                        .filter(|m| m.1 == id && !planned_ids.contains(&m.0) && m.5 >= today)
                        .map(|m| DateRange { first: m.4, last: m.5 }),
                );
                Ok(scheduler::Inspector {
                    id,
                    name,
                    inspectorate: Inspectorate::parse(&inspectorate).map_err(|_| corrupt("inspectorate"))?,
                    social_care,
                    region,
                    max_per_term: u32::try_from(max).unwrap_or(0),
                    unavailable: days,
                    conflicts: conflicts.iter().filter(|c| c.0 == id).map(|c| c.1.clone()).collect(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let areas = areas
            .into_iter()
            .map(|(code, name, region, kind)| scheduler::Area {
                did_well: did_well.get(&code).copied(),
                code,
                name,
                region,
                urban: kind == "london_borough" || kind == "metropolitan_district",
                blackouts: Vec::new(),
            })
            .collect();
        let facts = ProposalFacts {
            today,
            regions: regions.into_iter().map(|r| r.0).collect(),
            areas,
            inspectors,
            engagements: planned,
        };
        Ok((version, facts))
    }

    /// Records a new running proposal for scope `scope` and takes the scope's lease until
    /// `lease_until`, in one transaction; refused while another proposal of the scope holds an
    /// unexpired lease (on any replica). Answers the proposal's public id.
    pub async fn start_proposal(
        &self,
        scope: &str,
        version: i64,
        by: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let public_id = new_public_id();
        write_tx!(self, tx => {
            sqlx::query("DELETE FROM programme_proposal_leases WHERE scope = $1 AND expires_at <= $2")
                .bind(scope)
                .bind(canonical(now))
                .execute(&mut *tx)
                .await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO programme_proposals (public_id, scope, state, programme_version, started_by, started_at) \
                 VALUES ($1, $2, 'running', $3, $4, $5) RETURNING id",
            )
            .bind(&public_id)
            .bind(scope)
            .bind(version)
            .bind(by)
            .bind(canonical(now))
            .fetch_one(&mut *tx)
            .await?;
            let taken = sqlx::query(
                "INSERT INTO programme_proposal_leases (scope, proposal_id, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (scope) DO NOTHING",
            )
            .bind(scope)
            .bind(id)
            .bind(canonical(lease_until))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if taken != 1 {
                return Err(Refusal::rule(
                    PROPOSAL_RUNNING,
                    "proposal",
                    "A proposal for this programme is already being worked out. Wait for it to finish, or \
                     cancel it, then start again",
                )
                .into());
            }
        });
        Ok(public_id)
    }

    /// Where proposal `public_id` stands (`running`, `ready`, ...), whatever its scope: for the
    /// replica working it out, to notice a cancellation made through another replica.
    pub async fn proposal_state(&self, public_id: &str) -> Result<String, StoreError> {
        let row: Option<(String,)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT state FROM programme_proposals WHERE public_id = $1")
                .bind(public_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(|r| r.0).ok_or(StoreError::NotFound)
    }

    /// Ends running proposal `public_id`: with its plan (`ready`), or without (`cancelled`, when
    /// `changes` is `None`); releases its lease either way.
    pub async fn finish_proposal(
        &self,
        public_id: &str,
        outcome: Option<(i64, &[ProposedChange])>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (state, score, plan) = match outcome {
            Some((score, changes)) => (
                "ready",
                score,
                serde_json::to_string(changes)
                    .map_err(|e| StoreError::Unexpected(sqlx::Error::Protocol(e.to_string())))?,
            ),
            None => ("cancelled", 0, String::new()),
        };
        write_tx!(self, tx => {
            sqlx::query(
                "UPDATE programme_proposals SET state = $2, score = $3, plan = $4, finished_at = $5 \
                 WHERE public_id = $1 AND state = 'running'",
            )
            .bind(public_id)
            .bind(state)
            .bind(score)
            .bind(&plan)
            .bind(canonical(now))
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "DELETE FROM programme_proposal_leases WHERE proposal_id = \
                   (SELECT id FROM programme_proposals WHERE public_id = $1)",
            )
            .bind(public_id)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Proposal `public_id` as `viewer` may see it; `NotFound` for another scope's, exactly as
    /// for one that does not exist.
    pub async fn proposal(&self, public_id: &str, viewer: &Scope) -> Result<ProposalRecord, StoreError> {
        let (kind, code) = viewer_scope(viewer);
        let row: Option<ProposalRow> = with_pool!(self, pool => {
            sqlx::query_as(GET_PROPOSAL).bind(kind).bind(code).bind(public_id).fetch_optional(pool).await?
        });
        Ok(proposal_record(row.ok_or(StoreError::NotFound)?)?.1)
    }

    /// Cancels proposal `public_id` (running or ready) within `viewer`'s scope and releases its
    /// lease. An accepted one stays accepted.
    pub async fn cancel_proposal(
        &self,
        public_id: &str,
        viewer: &Scope,
        now: DateTime<Utc>,
    ) -> Result<ProposalRecord, StoreError> {
        let (kind, code) = viewer_scope(viewer);
        write_tx!(self, tx => {
            let row: Option<ProposalRow> =
                sqlx::query_as(GET_PROPOSAL).bind(kind).bind(code).bind(public_id).fetch_optional(&mut *tx).await?;
            let (id, _) = proposal_record(row.ok_or(StoreError::NotFound)?)?;
            sqlx::query(
                "UPDATE programme_proposals SET state = 'cancelled', finished_at = $2 \
                 WHERE id = $1 AND state IN ('running', 'ready')",
            )
            .bind(id)
            .bind(canonical(now))
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM programme_proposal_leases WHERE proposal_id = $1").bind(id).execute(&mut *tx).await?;
        });
        self.proposal(public_id, viewer).await
    }

    /// Applies ready proposal `public_id` in one transaction: refused as stale unless the
    /// programme is still at `version` (the proposal's own), and each engagement it changes
    /// still at the version the proposal read. Every change gets its history step and audit
    /// event, and the acceptance one more.
    pub async fn accept_proposal(
        &self,
        public_id: &str,
        version: i64,
        actor: &Actor,
        viewer: &Scope,
        now: DateTime<Utc>,
    ) -> Result<ProposalRecord, StoreError> {
        let (kind, code) = viewer_scope(viewer);
        let stale = || {
            StoreError::Refused(Refusal::Stale(
                "The programme has changed since this proposal began, so it cannot be accepted. Start a new \
                 proposal"
                    .to_owned(),
            ))
        };
        let by: i64 = actor.id.parse().unwrap_or_default();
        write_tx!(self, tx => {
            let row: Option<ProposalRow> =
                sqlx::query_as(GET_PROPOSAL).bind(kind).bind(code).bind(public_id).fetch_optional(&mut *tx).await?;
            let (id, proposal) = proposal_record(row.ok_or(StoreError::NotFound)?)?;
            if proposal.state != "ready" {
                let why = match proposal.state.as_str() {
                    "running" => "This proposal is still being worked out",
                    "accepted" => "This proposal has already been accepted",
                    _ => "This proposal was cancelled",
                };
                return Err(Refusal::rule(PROPOSAL_NOT_READY, "proposal", why).into());
            }
            // PostgreSQL: hold every inspector the proposal books or frees until the end, in id
            // order as the other booking writes do, so a concurrent booking runs before (and
            // then shows in the version) or after (and then sees this one's teams).
            if matches!(self.db, Db::Postgres(_)) {
                let mut ids: Vec<i64> = proposal
                    .changes
                    .iter()
                    .flat_map(|c| c.current_team.iter().chain(&c.proposed_team).map(|m| m.0))
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                for inspector in ids {
                    sqlx::query("SELECT id FROM inspectors WHERE id = $1 FOR UPDATE")
                        .bind(inspector)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            let (current,): (i64,) = sqlx::query_as(PROGRAMME_VERSION).fetch_one(&mut *tx).await?;
            if version != proposal.programme_version || current != proposal.programme_version {
                return Err(stale());
            }
            for change in &proposal.changes {
                let releases = change.change == ChangeKind::Unplaced && !change.current_team.is_empty();
                if change.pinned || !(matches!(change.change, ChangeKind::Added | ChangeKind::Moved) || releases) {
                    continue;
                }
                let kind = EngagementKind::parse(&change.kind).unwrap_or(EngagementKind::FullInspection);
                let onsite = change.proposed_onsite;
                let busy = busy_days(kind, onsite);
                let (year, term) = term_of(onsite.first);
                let updated = sqlx::query(
                    "UPDATE engagements SET onsite_first = $3, onsite_last = $4, busy_first = $5, \
                       notification_date = $6, academic_year = $7, term = $8, version = version + 1 \
                     WHERE id = $1 AND version = $2 AND state = 'proposed'",
                )
                .bind(change.engagement)
                .bind(change.version)
                .bind(onsite.first)
                .bind(onsite.last)
                .bind(busy.first)
                .bind(notification(kind, onsite))
                .bind(i64::from(year))
                .bind(term.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated != 1 {
                    return Err(stale());
                }
                sqlx::query("DELETE FROM engagement_team WHERE engagement_id = $1")
                    .bind(change.engagement)
                    .execute(&mut *tx)
                    .await?;
                for (inspector, _, role) in &change.proposed_team {
                    sqlx::query("INSERT INTO engagement_team (engagement_id, inspector_id, team_role) VALUES ($1, $2, $3)")
                        .bind(change.engagement)
                        .bind(inspector)
                        .bind(role.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                let (next,): (i64,) = sqlx::query_as(
                    "SELECT COALESCE(MAX(seq), 0) + 1 FROM engagement_events WHERE engagement_id = $1",
                )
                .bind(change.engagement)
                .fetch_one(&mut *tx)
                .await?;
                let step = if releases { "left without a team by an accepted proposal" } else { "planned by an accepted proposal" };
                sqlx::query(
                    "INSERT INTO engagement_events (engagement_id, seq, kind, actor_id, occurred_at, reason) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(change.engagement)
                .bind(next)
                .bind(step)
                .bind(by)
                .bind(canonical(now))
                .bind(&change.reason)
                .execute(&mut *tx)
                .await?;
                let detail = format!("proposal {public_id}");
                append_audit!(tx, now, &actor.event("engagement.plan", "engagement", &change.public_id, "ok", &detail));
            }
            sqlx::query("UPDATE programme_proposals SET state = 'accepted', finished_at = $2 WHERE id = $1")
                .bind(id)
                .bind(canonical(now))
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, now, &actor.event("proposal.accept", "programme_proposal", public_id, "ok", ""));
        });
        self.proposal(public_id, viewer).await
    }
}

/// When a lease taken at `now` for a search of `budget` ends: the budget and a minute's margin
/// (a replica that stops mid-proposal holds the scope no longer than that).
pub fn lease_until(now: DateTime<Utc>, budget: std::time::Duration) -> DateTime<Utc> {
    now + chrono::TimeDelta::from_std(budget).unwrap_or_default() + chrono::TimeDelta::seconds(60)
}

/// Reads a proposal's start time back (for the browser: RFC 3339).
pub fn started_at(record: &ProposalRecord) -> String {
    parse_canonical(&record.started_at).map(|t| t.to_rfc3339()).unwrap_or_default()
}
