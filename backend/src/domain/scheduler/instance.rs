//! What the scheduler is asked to plan, and the compiled form the engine, the validator's
//! explanations and the CP-SAT export share: every engagement's candidate start weeks (the
//! calendar rules already applied) and the inspectors eligible for each role in its team.

use std::collections::HashMap;

use chrono::{Datelike as _, NaiveDate, TimeDelta, Weekday};
use serde::{Deserialize, Serialize};

use super::rules;
use crate::domain::{
    consent::{DateRange, Term},
    identity::Inspectorate,
    programme::{EngagementKind, TeamRole, busy_days, check_onsite, term_of, timeline},
    timetable::INTERIM_SURVEY_WORKING_DAYS,
    working_days::{add_working_days, is_working_day, notification_monday},
};

/// A local area as the scheduler sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    /// ONS code.
    pub code: String,
    /// Name.
    pub name: String,
    /// One of the ten regions (code).
    pub region: String,
    /// An urban borough (London borough or metropolitan district) rather than a county or
    /// unitary authority.
    pub urban: bool,
    /// Whether it did well at its last inspection, if it had one.
    pub did_well: Option<bool>,
    /// Days nothing may take place in the area at all (elections, for example).
    pub blackouts: Vec<DateRange>,
}

/// A team already on record for a pinned engagement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    /// Onsite days, as notified.
    pub onsite: DateRange,
    /// Inspector ids and their roles.
    pub team: Vec<(i64, TeamRole)>,
}

/// One engagement that needs a start week and a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Engagement {
    /// Caller's id.
    pub id: i64,
    /// Full, legacy or monitoring inspection, or interim visit.
    pub kind: EngagementKind,
    /// ONS code of the area.
    pub area: String,
    /// The first onsite day must fall inside this window. An area whose window ended before
    /// today is overdue: it may go anywhere from today on, and goes first.
    pub due: DateRange,
    /// After systemic failings (or overdue): placed as early as possible.
    pub priority: bool,
    /// Interim visits: the days the area agreed to in writing. None: no consent on record.
    pub consent: Option<DateRange>,
    /// Interim visits: days the area said it cannot host the team.
    pub unavailable: Vec<DateRange>,
    /// Already notified: it stays exactly where it is with this team.
    pub pin: Option<Pin>,
}

/// An inspector as the scheduler sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspector {
    /// Caller's id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Ofsted or CQC.
    pub inspectorate: Inspectorate,
    /// Ofsted social care specialism.
    pub social_care: bool,
    /// Home region code.
    pub region: String,
    /// Most engagements per term.
    pub max_per_term: u32,
    /// Declared unavailability (the engine treats a week with any of these days as lost).
    pub unavailable: Vec<DateRange>,
    /// ONS codes of areas with a declared conflict of interest.
    pub conflicts: Vec<String>,
}

/// One scheduling problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    /// Today: nothing is proposed inside a notice period counted from it.
    pub today: NaiveDate,
    /// The days planned.
    pub horizon: DateRange,
    /// Mondays of the term weeks inside the horizon.
    pub term_weeks: Vec<NaiveDate>,
    /// The ten region codes.
    pub regions: Vec<String>,
    /// The areas.
    pub areas: Vec<Area>,
    /// The inspectors.
    pub inspectors: Vec<Inspector>,
    /// The engagements to place.
    pub engagements: Vec<Engagement>,
}

/// Input the scheduler cannot plan from at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstanceError {
    /// The horizon ends before it starts.
    #[error("the horizon ends ({last}) before it starts ({first})")]
    EmptyHorizon {
        /// First day.
        first: NaiveDate,
        /// Last day.
        last: NaiveDate,
    },
    /// The horizon is longer than the engine plans (two years).
    #[error("the horizon is longer than two years")]
    HorizonTooLong,
    /// A term week that is not a Monday inside the horizon.
    #[error("term week {0} is not a Monday inside the horizon")]
    BadTermWeek(NaiveDate),
    /// An engagement names an area not in the instance.
    #[error("engagement {engagement} names unknown area {area}")]
    UnknownArea {
        /// Engagement id.
        engagement: i64,
        /// The code.
        area: String,
    },
    /// Two records share an id.
    #[error("id {0} is used twice")]
    DuplicateId(i64),
    /// A pin names an inspector not in the instance.
    #[error("engagement {engagement} is pinned with unknown inspector {inspector}")]
    UnknownInspector {
        /// Engagement id.
        engagement: i64,
        /// Inspector id.
        inspector: i64,
    },
    /// Pins that cannot all hold: named, with the rule they break.
    #[error("pinned engagements contradict each other: {0}")]
    ContradictoryPins(String),
}

/// Weeks at most in a horizon.
pub const MAX_WEEKS: usize = 106;

/// One start week an engagement may take, with its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Index of its first calendar week in the horizon.
    pub week: u16,
    /// Calendar weeks the team is held (inspections 3, interim visits 1).
    pub len: u16,
    /// Term index (into [`Model::terms`]) of the first onsite day.
    pub term: u8,
    /// Onsite days.
    pub onsite: DateRange,
    /// Weeks after the engagement's earliest slot: the cost of waiting for priority areas.
    pub delay: u16,
}

/// Roles of a team, in the order the engine fills them (scarcest first).
pub fn roles(kind: EngagementKind) -> &'static [TeamRole] {
    if kind == EngagementKind::InterimVisit {
        &[TeamRole::SocialCareInspector, TeamRole::CqcInspector, TeamRole::OfstedInspector]
    } else {
        &[TeamRole::SocialCareInspector, TeamRole::CqcInspector, TeamRole::LeadHmi, TeamRole::OfstedInspector]
    }
}

/// Whether `i` may take `role` (the domain's composition rule: CQC roles to CQC, the others to
/// Ofsted, social care to Ofsted's social care inspectors).
pub fn fits(i: &Inspector, role: TeamRole) -> bool {
    match role {
        TeamRole::CqcInspector => i.inspectorate == Inspectorate::Cqc,
        TeamRole::SocialCareInspector => i.inspectorate == Inspectorate::Ofsted && i.social_care,
        TeamRole::LeadHmi | TeamRole::OfstedInspector => i.inspectorate == Inspectorate::Ofsted,
    }
}

/// Why a start week was refused before any team was looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekRefusal {
    /// Start week index.
    pub week: u16,
    /// Every rule that refuses it; the engagement's own windows (due, consent) last.
    pub rules: Vec<&'static str>,
}

impl WeekRefusal {
    /// The rule to name: the first that is not one of the engagement's own windows, which are
    /// taken as given (a visit consented only for half term is blocked by the holiday).
    pub fn rule(&self) -> &'static str {
        self.rules.first().copied().unwrap_or(rules::HORIZON)
    }

    /// How far the week is from fitting: rules broken, windows counting less than the calendar.
    pub fn distance(&self) -> usize {
        self.rules
            .iter()
            .map(|r| match *r {
                rules::HORIZON | rules::NOTIFICATION_MONDAY | rules::WORKING_DAYS | rules::KIND => 5,
                rules::CONSENT | rules::DUE_WINDOW => 3,
                _ => 2,
            })
            .sum()
    }
}

/// An engagement, compiled.
#[derive(Debug, Clone)]
pub struct CompiledEngagement {
    /// Index of the area.
    pub area: usize,
    /// Index of the area's region.
    pub region: usize,
    /// An interim visit (counts towards the interim programme's spread).
    pub interim: bool,
    /// The kinds of area ([`MIX_GROUPS`]) it counts towards in the interim programme's mix.
    pub mix: Vec<u8>,
    /// Candidate slots, in date order.
    pub slots: Vec<Slot>,
    /// Weeks refused, with the first rule that refused each.
    pub refused: Vec<WeekRefusal>,
    /// For each role of [`roles`], the inspectors (indices) who fit it and have no conflict.
    pub eligible: Vec<Vec<u16>>,
    /// Cost of leaving it unplaced.
    pub unplaced_cost: i64,
    /// Overdue (its due window ended before today) or systemic failings.
    pub urgent: bool,
    /// Pinned: its fixed weeks, term and team (inspector index, role index).
    pub pinned: Option<(Slot, Vec<(u16, u8)>)>,
}

/// The kinds of area the interim programme mixes in each term: urban boroughs (0), rural and
/// other areas (1), areas that did well at their last inspection (2), areas that did not (3).
pub const MIX_GROUPS: usize = 4;

/// The kinds of area `a` is among ([`MIX_GROUPS`]).
pub fn mix_groups(a: &Area) -> Vec<u8> {
    let mut groups = vec![if a.urban { 0 } else { 1 }];
    match a.did_well {
        Some(true) => groups.push(2),
        Some(false) => groups.push(3),
        None => {}
    }
    groups
}

/// The instance, compiled.
#[derive(Debug, Clone)]
pub struct Model {
    /// Monday of each calendar week of the horizon.
    pub mondays: Vec<NaiveDate>,
    /// Whether each calendar week is a term week.
    pub term_week: Vec<bool>,
    /// The terms the horizon touches: (academic year, term).
    pub terms: Vec<(i32, Term)>,
    /// Compiled engagements, in instance order.
    pub engagements: Vec<CompiledEngagement>,
    /// For each inspector, whether each week is lost to unavailability.
    pub blocked: Vec<Vec<bool>>,
    /// Region index of each inspector.
    pub inspector_region: Vec<usize>,
    /// Load per inspector above which each engagement costs [`super::cost::LOAD_EXCESS`].
    pub load_target: u32,
    /// For each region, interim visits per term above which each costs
    /// [`super::cost::SPREAD_EXCESS`].
    pub spread_cap: Vec<u32>,
    /// Whether each region has interim visits to place.
    pub region_has_interim: Vec<bool>,
    /// For each kind of area ([`MIX_GROUPS`]), interim visits per term above which each costs
    /// [`super::cost::MIX_EXCESS`].
    pub mix_cap: Vec<u32>,
}

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - TimeDelta::days(i64::from(day.weekday().num_days_from_monday()))
}

fn last_working_day_of_week(monday: NaiveDate) -> Option<NaiveDate> {
    (0..5).rev().map(|d| monday + TimeDelta::days(d)).find(|d| is_working_day(*d))
}

impl Instance {
    /// Index of each area by code.
    fn area_index(&self) -> HashMap<&str, usize> {
        self.areas.iter().enumerate().map(|(i, a)| (a.code.as_str(), i)).collect()
    }

    /// Checks the input and compiles it. Errors only for input nothing can be planned from;
    /// an engagement that cannot go anywhere compiles with no slots.
    pub fn compile(&self) -> Result<Model, InstanceError> {
        self.recompile(None, &|_| true)
    }

    /// Compiles again after a change, reusing `previous`'s compiled engagements except those
    /// `changed` names (by index): a repair recompiles only what the change touches.
    pub fn recompile(
        &self,
        previous: Option<&Model>,
        changed: &dyn Fn(usize) -> bool,
    ) -> Result<Model, InstanceError> {
        let h = self.horizon;
        if h.last < h.first {
            return Err(InstanceError::EmptyHorizon { first: h.first, last: h.last });
        }
        let first_monday = monday_of(h.first);
        let weeks = usize::try_from((h.last - first_monday).num_days() / 7 + 1).unwrap_or(usize::MAX);
        if weeks > MAX_WEEKS {
            return Err(InstanceError::HorizonTooLong);
        }
        let mondays: Vec<NaiveDate> =
            (0..weeks).map(|k| first_monday + TimeDelta::days(7 * k as i64)).collect();
        let mut term_week = vec![false; weeks];
        for m in &self.term_weeks {
            if m.weekday() != Weekday::Mon || *m < first_monday || *m > h.last {
                return Err(InstanceError::BadTermWeek(*m));
            }
            term_week[usize::try_from((*m - first_monday).num_days() / 7).unwrap_or(0)] = true;
        }
        let mut seen = std::collections::HashSet::new();
        for id in self.engagements.iter().map(|e| e.id) {
            if !seen.insert(id) {
                return Err(InstanceError::DuplicateId(id));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for id in self.inspectors.iter().map(|i| i.id) {
            if !seen.insert(id) {
                return Err(InstanceError::DuplicateId(id));
            }
        }
        let mut terms: Vec<(i32, Term)> = Vec::new();
        for m in &mondays {
            let t = term_of(*m);
            if !terms.contains(&t) {
                terms.push(t);
            }
        }
        // A week's last days may fall in the next term (a Monday in August, a Friday in September).
        for m in &mondays {
            let t = term_of(*m + TimeDelta::days(4));
            if !terms.contains(&t) {
                terms.push(t);
            }
        }
        let term_index = |day: NaiveDate| terms.iter().position(|t| *t == term_of(day)).unwrap_or(0);
        let week_of = |day: NaiveDate| -> Option<usize> {
            let k = (monday_of(day) - first_monday).num_days() / 7;
            usize::try_from(k).ok().filter(|k| *k < weeks)
        };
        let blocked: Vec<Vec<bool>> = self
            .inspectors
            .iter()
            .map(|i| {
                let mut b = vec![false; weeks];
                for (k, m) in mondays.iter().enumerate() {
                    let week = DateRange { first: *m, last: *m + TimeDelta::days(4) };
                    b[k] = i.unavailable.iter().any(|u| u.overlaps(&week));
                }
                b
            })
            .collect();
        let region_of = |code: &str| self.regions.iter().position(|r| r == code).unwrap_or(usize::MAX);
        let inspector_region: Vec<usize> = self.inspectors.iter().map(|i| region_of(&i.region)).collect();
        let areas = self.area_index();
        let inspector_index: HashMap<i64, usize> =
            self.inspectors.iter().enumerate().map(|(n, i)| (i.id, n)).collect();

        let mut engagements = Vec::with_capacity(self.engagements.len());
        for (n, e) in self.engagements.iter().enumerate() {
            if let Some(prev) = previous.and_then(|p| p.engagements.get(n))
                && !changed(n)
            {
                engagements.push(prev.clone());
                continue;
            }
            let Some(&area) = areas.get(e.area.as_str()) else {
                return Err(InstanceError::UnknownArea { engagement: e.id, area: e.area.clone() });
            };
            let a = &self.areas[area];
            let urgent = e.priority || e.due.last < self.today;
            let window =
                if e.due.last < self.today { DateRange { first: self.today, last: h.last } } else { e.due };
            let role_list = roles(e.kind);
            let eligible: Vec<Vec<u16>> = role_list
                .iter()
                .map(|r| {
                    self.inspectors
                        .iter()
                        .enumerate()
                        .filter(|(_, i)| fits(i, *r) && !i.conflicts.contains(&e.area))
                        .map(|(n, _)| u16::try_from(n).unwrap_or(u16::MAX))
                        .collect()
                })
                .collect();
            let pinned = match &e.pin {
                None => None,
                Some(p) => {
                    let busy = busy_days(e.kind, p.onsite);
                    let (Some(w0), Some(w1)) =
                        (week_of(busy.first.max(first_monday)), week_of(busy.last.min(h.last)))
                    else {
                        // Wholly outside the horizon: it holds nobody here.
                        engagements.push(CompiledEngagement {
                            area,
                            region: region_of(&a.region),
                            interim: e.kind == EngagementKind::InterimVisit,
                            mix: mix_groups(a),
                            slots: vec![],
                            refused: vec![],
                            eligible,
                            unplaced_cost: 0,
                            urgent,
                            pinned: Some((
                                Slot {
                                    week: 0,
                                    len: 0,
                                    term: term_index(p.onsite.first) as u8,
                                    onsite: p.onsite,
                                    delay: 0,
                                },
                                vec![],
                            )),
                        });
                        continue;
                    };
                    let mut team = Vec::new();
                    for (id, role) in &p.team {
                        let Some(&n) = inspector_index.get(id) else {
                            return Err(InstanceError::UnknownInspector { engagement: e.id, inspector: *id });
                        };
                        let r = role_list.iter().position(|x| x == role).unwrap_or(usize::MAX);
                        team.push((n as u16, u8::try_from(r).unwrap_or(u8::MAX)));
                    }
                    Some((
                        Slot {
                            week: w0 as u16,
                            len: (w1 - w0 + 1) as u16,
                            term: term_index(p.onsite.first) as u8,
                            onsite: p.onsite,
                            delay: 0,
                        },
                        team,
                    ))
                }
            };
            let mut slots = Vec::new();
            let mut refused = Vec::new();
            if pinned.is_none() {
                for k in 0..weeks {
                    match slot_at(self, e, a, &mondays, &term_week, k, window) {
                        Ok((onsite, len)) => slots.push(Slot {
                            week: k as u16,
                            len: len as u16,
                            term: term_index(onsite.first) as u8,
                            onsite,
                            delay: 0,
                        }),
                        Err(failed) => refused.push(WeekRefusal { week: k as u16, rules: failed }),
                    }
                }
            }
            if let Some(first) = slots.first().map(|s| s.week) {
                for s in &mut slots {
                    s.delay = s.week - first;
                }
            }
            let unplaced_cost = if urgent { super::cost::UNPLACED_URGENT } else { super::cost::UNPLACED };
            engagements.push(CompiledEngagement {
                area,
                region: region_of(&a.region),
                interim: e.kind == EngagementKind::InterimVisit,
                mix: mix_groups(a),
                slots,
                refused,
                eligible,
                unplaced_cost,
                urgent,
                pinned,
            });
        }
        let places: usize =
            self.engagements.iter().map(|e| if e.pin.is_some() { 0 } else { roles(e.kind).len() }).sum();
        let load_target = if self.inspectors.is_empty() {
            0
        } else {
            u32::try_from(places.div_ceil(self.inspectors.len())).unwrap_or(u32::MAX)
        };
        let term_count = self
            .term_weeks
            .iter()
            .map(|m| term_of(*m))
            .collect::<std::collections::HashSet<_>>()
            .len()
            .max(1);
        let mut interims = vec![0usize; self.regions.len()];
        for (e, c) in self.engagements.iter().zip(&engagements) {
            if e.kind == EngagementKind::InterimVisit && e.pin.is_none() && c.region < interims.len() {
                interims[c.region] += 1;
            }
        }
        let spread_cap =
            interims.iter().map(|n| u32::try_from(n.div_ceil(term_count)).unwrap_or(u32::MAX)).collect();
        let region_has_interim = interims.iter().map(|n| *n > 0).collect();
        let mut mixed = [0usize; MIX_GROUPS];
        for (e, c) in self.engagements.iter().zip(&engagements) {
            if e.kind == EngagementKind::InterimVisit && e.pin.is_none() {
                for g in &c.mix {
                    mixed[usize::from(*g)] += 1;
                }
            }
        }
        let mix_cap =
            mixed.iter().map(|n| u32::try_from(n.div_ceil(term_count)).unwrap_or(u32::MAX)).collect();
        Ok(Model {
            mondays,
            term_week,
            terms,
            engagements,
            blocked,
            inspector_region,
            load_target,
            spread_cap,
            region_has_interim,
            mix_cap,
        })
    }
}

/// The onsite days and length in weeks of engagement `e` starting in week `k`, or every hard
/// rule that refuses that week (for an interim visit, on the day of the week that came closest).
fn slot_at(
    inst: &Instance,
    e: &Engagement,
    a: &Area,
    mondays: &[NaiveDate],
    term_week: &[bool],
    k: usize,
    window: DateRange,
) -> Result<(DateRange, usize), Vec<&'static str>> {
    let monday = mondays[k];
    let blacked_out = |days: DateRange| a.blackouts.iter().any(|b| b.overlaps(&days));
    match e.kind {
        EngagementKind::InterimVisit => {
            let mut closest: Option<Vec<&'static str>> = None;
            for d in 0..4 {
                let first = monday + TimeDelta::days(d);
                if !is_working_day(first) {
                    continue;
                }
                let last = add_working_days(first, 1);
                if monday_of(last) != monday {
                    continue;
                }
                let onsite = DateRange { first, last };
                let survey = (0..INTERIM_SURVEY_WORKING_DAYS).fold(first, |d, _| {
                    let mut p = d - TimeDelta::days(1);
                    while !is_working_day(p) {
                        p -= TimeDelta::days(1);
                    }
                    p
                });
                let mut failed = Vec::new();
                if !term_week[k] {
                    failed.push(rules::TERM_WEEK);
                }
                if onsite.last > inst.horizon.last || onsite.first < inst.horizon.first {
                    failed.push(rules::HORIZON);
                }
                if check_onsite(e.kind, onsite, inst.today).is_err() && survey >= inst.today {
                    failed.push(rules::WORKING_DAYS);
                }
                if survey < inst.today {
                    failed.push(rules::NOTICE);
                }
                if e.unavailable.iter().any(|u| u.overlaps(&onsite)) {
                    failed.push(rules::AREA_UNAVAILABLE);
                }
                if blacked_out(onsite) {
                    failed.push(rules::AREA_BLACKOUT);
                }
                if !window.contains(&DateRange { first, last: first }) {
                    failed.push(rules::DUE_WINDOW);
                }
                if !e.consent.is_some_and(|c| c.contains(&onsite)) {
                    failed.push(rules::CONSENT);
                }
                if failed.is_empty() {
                    return Ok((onsite, 1));
                }
                if closest.as_ref().is_none_or(|c| failed.len() < c.len()) {
                    closest = Some(failed);
                }
            }
            Err(closest.unwrap_or_else(|| vec![rules::WORKING_DAYS]))
        }
        kind => {
            let Some(notice) = kind.notice_working_days() else { return Err(vec![rules::KIND]) };
            if k + 2 >= mondays.len() {
                return Err(vec![rules::HORIZON]);
            }
            let mut failed = Vec::new();
            if !(term_week[k] && term_week[k + 1] && term_week[k + 2]) {
                failed.push(rules::TERM_WEEK);
            }
            if !is_working_day(monday) {
                return Err(vec![rules::NOTIFICATION_MONDAY]);
            }
            let first = add_working_days(monday, notice);
            let Some(last) = last_working_day_of_week(mondays[k + 2]) else {
                return Err(vec![rules::WORKING_DAYS]);
            };
            if first > last || notification_monday(first, notice) != monday {
                return Err(vec![rules::NOTIFICATION_MONDAY]);
            }
            let onsite = DateRange { first, last };
            if last > inst.horizon.last || monday < inst.horizon.first {
                failed.push(rules::HORIZON);
            }
            if monday < inst.today {
                failed.push(rules::NOTICE);
            } else if check_onsite(kind, onsite, inst.today).is_err() || timeline(kind, first).is_none() {
                failed.push(rules::WORKING_DAYS);
            }
            if blacked_out(busy_days(kind, onsite)) {
                failed.push(rules::AREA_BLACKOUT);
            }
            if !window.contains(&DateRange { first, last: first }) {
                failed.push(rules::DUE_WINDOW);
            }
            if failed.is_empty() { Ok((onsite, 3)) } else { Err(failed) }
        }
    }
}
