//! Proposed programmes (issue 13, item 3): the scheduling facts of one scope turned into a
//! scheduler [`Instance`], and the engine's plan turned back into a change per engagement
//! (added, moved, unchanged, unplaced with the reason) that a planner reviews and accepts.
//!
//! Pure: the store loads the facts within the caller's scope; the service runs the engine.

use chrono::{Datelike as _, NaiveDate, TimeDelta, Weekday};
use serde::{Deserialize, Serialize};

use super::{
    consent::DateRange,
    identity::Scope,
    programme::{EngagementKind, TeamRole, timeline},
    scheduler::{self, Instance, Plan},
    working_days::easter_sunday,
};

/// Another proposal of the same scope is being worked out (on any replica).
pub const PROPOSAL_RUNNING: &str = "proposal.running";
/// This replica is already working out as many proposals as it may at once.
pub const PROPOSAL_BUSY: &str = "proposal.busy";
/// The proposal is not ready to be accepted (still running, cancelled or already accepted).
pub const PROPOSAL_NOT_READY: &str = "proposal.not_ready";
/// The programme has no engagement the scheduler can plan.
pub const PROPOSAL_NOTHING: &str = "proposal.nothing_to_plan";

/// Rule ids of this module.
pub const RULES: &[&str] = &[PROPOSAL_RUNNING, PROPOSAL_BUSY, PROPOSAL_NOT_READY, PROPOSAL_NOTHING];

/// Days a proposal plans: from today, a year.
pub const HORIZON_DAYS: i64 = 364;

/// The scope's key in the proposal and lease tables: `england` or the region's code; `None`
/// for a scope that plans nothing.
pub fn scope_key(scope: &Scope) -> Option<&str> {
    match scope {
        Scope::England => Some("england"),
        Scope::Region(code) => Some(code),
        _ => None,
    }
}

/// The days planned from `today`, and the Mondays of its term weeks. No school holiday dates
/// are on record, so a term week is any week but the summer holiday (Mondays from 21 July to
/// 31 August), the two weeks around Christmas and the week after Easter Sunday.
pub fn planning_weeks(today: NaiveDate) -> (DateRange, Vec<NaiveDate>) {
    let horizon = DateRange { first: today, last: today + TimeDelta::days(HORIZON_DAYS) };
    let mut monday = today;
    while monday.weekday() != Weekday::Mon {
        monday += TimeDelta::days(1);
    }
    let mut weeks = Vec::new();
    while monday <= horizon.last {
        let (m, d) = (monday.month(), monday.day());
        let summer = (m == 7 && d >= 21) || m == 8;
        let christmas = (m == 12 && d >= 19) || (m == 1 && d <= 1);
        let easter = easter_sunday(monday.year()) + TimeDelta::days(1) == monday;
        if !(summer || christmas || easter) {
            weeks.push(monday);
        }
        monday += TimeDelta::days(7);
    }
    (horizon, weeks)
}

/// An engagement of the programme the scheduler plans: proposed ones move, notified ones are
/// pinned where they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEngagement {
    /// Database id.
    pub id: i64,
    /// Public id.
    pub public_id: String,
    /// Its version, checked again when the proposal is accepted.
    pub version: i64,
    /// ONS code of the area.
    pub area_code: String,
    /// The area's name.
    pub area_name: String,
    /// The region's name.
    pub region_name: String,
    /// Its kind.
    pub kind: EngagementKind,
    /// Notified: stays exactly as it is.
    pub pinned: bool,
    /// Onsite days on record.
    pub onsite: DateRange,
    /// The team on record: inspector id, name and role.
    pub team: Vec<(i64, String, TeamRole)>,
    /// Interim visits: the current written consent's window and the days the area cannot host.
    pub consent: Option<(DateRange, Vec<DateRange>)>,
}

/// Everything a proposal plans from, loaded within the caller's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalFacts {
    /// Today.
    pub today: NaiveDate,
    /// The ten region codes.
    pub regions: Vec<String>,
    /// The areas of the scope.
    pub areas: Vec<scheduler::Area>,
    /// Every inspector: the commitments the proposal does not plan (other scopes', meetings,
    /// thematic visits) are among their unavailable days, indistinguishable from leave.
    pub inspectors: Vec<scheduler::Inspector>,
    /// The engagements to plan.
    pub engagements: Vec<PlannedEngagement>,
}

/// Whether the scheduler plans engagements of `kind`.
pub fn plannable(kind: EngagementKind) -> bool {
    matches!(
        kind,
        EngagementKind::FullInspection
            | EngagementKind::LegacyInspection
            | EngagementKind::MonitoringInspection
            | EngagementKind::InterimVisit
    )
}

/// The scheduler's instance for `facts`.
pub fn instance(facts: &ProposalFacts) -> Instance {
    let (horizon, term_weeks) = planning_weeks(facts.today);
    let engagements = facts
        .engagements
        .iter()
        .map(|e| scheduler::Engagement {
            id: e.id,
            kind: e.kind,
            area: e.area_code.clone(),
            due: horizon,
            priority: e.kind == EngagementKind::MonitoringInspection,
            consent: e.consent.as_ref().map(|c| c.0),
            unavailable: e.consent.as_ref().map(|c| c.1.clone()).unwrap_or_default(),
            pin: e.pinned.then(|| scheduler::Pin {
                onsite: e.onsite,
                team: e.team.iter().map(|(id, _, role)| (*id, *role)).collect(),
            }),
        })
        .collect();
    Instance {
        today: facts.today,
        horizon,
        term_weeks,
        regions: facts.regions.clone(),
        areas: facts.areas.clone(),
        inspectors: facts.inspectors.clone(),
        engagements,
    }
}

/// What a proposal does to one engagement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeKind {
    /// Had no team; gets dates and a team.
    Added,
    /// Its dates or team change.
    Moved,
    /// Stays as it is.
    Unchanged,
    /// Could not be placed: keeps its dates, loses its team.
    Unplaced,
}

/// One engagement's change, as stored with the proposal and shown in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedChange {
    /// Database id.
    pub engagement: i64,
    /// Public id.
    pub public_id: String,
    /// The version the proposal read: accepting it changes only this version.
    pub version: i64,
    /// The area's name.
    pub area_name: String,
    /// The region's name.
    pub region_name: String,
    /// Kind (stored name).
    pub kind: String,
    /// What changes.
    pub change: ChangeKind,
    /// Notified: kept where it is.
    pub pinned: bool,
    /// Onsite days on record.
    pub current_onsite: DateRange,
    /// Team on record: id, name, role.
    pub current_team: Vec<(i64, String, TeamRole)>,
    /// Proposed onsite days (as on record when unplaced).
    pub proposed_onsite: DateRange,
    /// Proposed team (empty when unplaced).
    pub proposed_team: Vec<(i64, String, TeamRole)>,
    /// Why it could not be placed, in a sentence.
    pub reason: String,
}

fn same_team(a: &[(i64, String, TeamRole)], b: &[(i64, String, TeamRole)]) -> bool {
    let key = |t: &[(i64, String, TeamRole)]| {
        let mut k: Vec<(i64, &'static str)> = t.iter().map(|m| (m.0, m.2.as_str())).collect();
        k.sort_unstable();
        k
    };
    key(a) == key(b)
}

/// The plan as a change to each engagement of `facts`, in the order of the facts.
pub fn changes(facts: &ProposalFacts, plan: &Plan) -> Vec<ProposedChange> {
    let name_of =
        |id: i64| facts.inspectors.iter().find(|i| i.id == id).map(|i| i.name.clone()).unwrap_or_default();
    facts
        .engagements
        .iter()
        .map(|e| {
            let assigned = plan.assignments.iter().find(|a| a.engagement == e.id);
            let (change, onsite, team, reason) = match assigned {
                Some(a) => {
                    let team: Vec<(i64, String, TeamRole)> =
                        a.team.iter().map(|(id, role)| (*id, name_of(*id), *role)).collect();
                    let change = if e.team.is_empty() {
                        ChangeKind::Added
                    } else if a.onsite == e.onsite && same_team(&team, &e.team) {
                        ChangeKind::Unchanged
                    } else {
                        ChangeKind::Moved
                    };
                    (change, a.onsite, team, String::new())
                }
                None => {
                    let why = plan.unplaced.iter().find(|u| u.engagement == e.id);
                    let reason = match why {
                        Some(u) => match &u.near_miss {
                            Some(near) => format!("{}. Nearest: {near}.", u.message),
                            None => format!("{}.", u.message),
                        },
                        None => "It could not be placed.".to_owned(),
                    };
                    (ChangeKind::Unplaced, e.onsite, Vec::new(), reason)
                }
            };
            ProposedChange {
                engagement: e.id,
                public_id: e.public_id.clone(),
                version: e.version,
                area_name: e.area_name.clone(),
                region_name: e.region_name.clone(),
                kind: e.kind.as_str().to_owned(),
                change,
                pinned: e.pinned,
                current_onsite: e.onsite,
                current_team: e.team.clone(),
                proposed_onsite: onsite,
                proposed_team: team,
                reason,
            }
        })
        .collect()
}

/// The notification Monday of an engagement of `kind` onsite from `onsite.first` (inspections).
pub fn notification(kind: EngagementKind, onsite: DateRange) -> Option<NaiveDate> {
    timeline(kind, onsite.first).map(|t| t.notification)
}

/// How many of each change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Given a team.
    pub added: u32,
    /// Dates or team changed.
    pub moved: u32,
    /// As they are.
    pub unchanged: u32,
    /// Not placed.
    pub unplaced: u32,
}

/// Counts of `changes` by kind.
pub fn counts(changes: &[ProposedChange]) -> Counts {
    let mut c = Counts::default();
    for ch in changes {
        match ch.change {
            ChangeKind::Added => c.added += 1,
            ChangeKind::Moved => c.moved += 1,
            ChangeKind::Unchanged => c.unchanged += 1,
            ChangeKind::Unplaced => c.unplaced += 1,
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        identity::Inspectorate,
        scheduler::{Budget, Engine, validate},
    };

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn term_weeks_leave_out_summer_christmas_and_easter() {
        let (horizon, weeks) = planning_weeks(d("2026-11-23"));
        assert_eq!(horizon.last, d("2027-11-22"));
        assert_eq!(weeks.first(), Some(&d("2026-11-23")));
        assert!(!weeks.contains(&d("2026-12-21")) && !weeks.contains(&d("2026-12-28")));
        assert!(weeks.contains(&d("2027-01-04")));
        assert!(!weeks.contains(&d("2027-03-29")), "Easter Monday 2027");
        assert!(!weeks.contains(&d("2027-08-02")) && !weeks.contains(&d("2027-07-26")));
        assert!(weeks.contains(&d("2027-09-06")));
        assert!(weeks.iter().all(|m| m.weekday() == Weekday::Mon));
    }

    fn inspector(id: i64, name: &str, inspectorate: Inspectorate, social_care: bool) -> scheduler::Inspector {
        scheduler::Inspector {
            id,
            name: name.into(),
            inspectorate,
            social_care,
            region: "E13000001".into(),
            max_per_term: 4,
            unavailable: vec![],
            conflicts: vec![],
        }
    }

    #[test]
    fn a_plan_becomes_one_change_per_engagement_with_reasons_for_what_is_left_out() {
        let visit = |id: i64, team: Vec<(i64, String, TeamRole)>, consent: bool| PlannedEngagement {
            id,
            public_id: format!("e{id}"),
            version: 1,
            area_code: "E09000007".into(),
            area_name: "Camden".into(),
            region_name: "Inner London".into(),
            kind: EngagementKind::InterimVisit,
            pinned: false,
            onsite: DateRange { first: d("2027-01-12"), last: d("2027-01-13") },
            team,
            consent: consent.then(|| (DateRange { first: d("2027-01-04"), last: d("2027-03-26") }, vec![])),
        };
        let facts = ProposalFacts {
            today: d("2026-11-23"),
            regions: vec!["E13000001".into()],
            areas: vec![scheduler::Area {
                code: "E09000007".into(),
                name: "Camden".into(),
                region: "E13000001".into(),
                urban: true,
                did_well: None,
                blackouts: vec![],
            }],
            inspectors: vec![
                inspector(1, "Ann Ofsted", Inspectorate::Ofsted, false),
                inspector(2, "Bea Care", Inspectorate::Ofsted, true),
                inspector(3, "Cy CQC", Inspectorate::Cqc, false),
            ],
            engagements: vec![visit(10, vec![], true), visit(11, vec![], false)],
        };
        let inst = instance(&facts);
        let mut engine = Engine::new(inst.clone()).expect("plannable");
        let plan = engine.solve(Budget::iterations(50, 1));
        assert!(validate(&inst, &plan).is_empty());
        let changes = changes(&facts, &plan);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].change, ChangeKind::Added);
        assert_eq!(changes[0].proposed_team.len(), 3);
        assert!(changes[0].proposed_team.iter().all(|m| !m.1.is_empty()), "members are named");
        assert_eq!(changes[1].change, ChangeKind::Unplaced);
        assert!(changes[1].reason.ends_with('.') && changes[1].reason.len() > 10, "{}", changes[1].reason);
        assert_eq!(counts(&changes), Counts { added: 1, moved: 0, unchanged: 0, unplaced: 1 });
    }
}
