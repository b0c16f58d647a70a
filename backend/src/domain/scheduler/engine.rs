//! The engine: greedy construction by urgency, large neighbourhood search, explanations of what
//! stays unplaced, and repair after one change. See the module documentation of
//! [`super`] for the approach and the objective.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    cost,
    generate::Rng,
    instance::{CompiledEngagement, Instance, InstanceError, MIX_GROUPS, Model, Slot, fits, roles},
    rules,
};
use crate::domain::{
    consent::DateRange,
    programme::{EngagementKind, TeamRole, timeline},
};

/// How long the search may run. Deterministic for a seed as long as the iteration limit, not
/// the time limit, is what stops it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Wall-clock limit for the whole solve.
    pub time: Duration,
    /// Most search iterations after the greedy construction.
    pub iterations: u64,
    /// Seed of the search's random choices.
    pub seed: u64,
}

impl Budget {
    /// A time limit only.
    pub fn time(time: Duration, seed: u64) -> Self {
        Self { time, iterations: u64::MAX, seed }
    }

    /// An iteration limit only (deterministic).
    pub fn iterations(iterations: u64, seed: u64) -> Self {
        Self { time: Duration::from_secs(3600), iterations, seed }
    }
}

/// One placed engagement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// Engagement id.
    pub engagement: i64,
    /// Onsite days.
    pub onsite: DateRange,
    /// The Monday the area is told (inspections).
    pub notification: Option<NaiveDate>,
    /// Inspector ids and roles.
    pub team: Vec<(i64, TeamRole)>,
}

/// An engagement the engine could not place, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unplaced {
    /// Engagement id.
    pub engagement: i64,
    /// The hard rule that blocks it (see [`super::rules`]).
    pub rule: String,
    /// Why, in words.
    pub message: String,
    /// The nearest near-miss: the week that came closest, and what stopped it.
    pub near_miss: Option<String>,
}

/// A proposed programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Placed engagements, in instance order.
    pub assignments: Vec<Assignment>,
    /// Engagements left out, with reasons.
    pub unplaced: Vec<Unplaced>,
    /// The objective (lower is better).
    pub cost: i64,
}

/// What the search did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchStats {
    /// Time to the greedy plan (the first feasible one).
    pub first_feasible: Duration,
    /// Search iterations run.
    pub iterations: u64,
    /// Each improvement: when, and the cost reached.
    pub trace: Vec<(Duration, i64)>,
}

/// How a running search stands, for a caller reporting progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Time since the solve began.
    pub elapsed: Duration,
    /// The best objective so far (lower is better).
    pub best_cost: i64,
    /// Engagements placed in the best plan so far.
    pub placed: usize,
    /// Engagements left out of the best plan so far.
    pub unplaced: usize,
}

/// One change to re-plan for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// An inspector becomes unavailable on these days.
    InspectorUnavailable {
        /// Inspector id.
        inspector: i64,
        /// The days.
        days: DateRange,
    },
    /// An area postpones: nothing may take place there on these days.
    AreaPostpones {
        /// ONS code.
        area: String,
        /// The days.
        days: DateRange,
    },
    /// An area withdraws consent to its interim visit.
    ConsentWithdrawn {
        /// Engagement id.
        engagement: i64,
    },
}

/// The result of a repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairReport {
    /// The repaired plan.
    pub plan: Plan,
    /// Engagements whose dates or team changed (including any now unplaced).
    pub moved: Vec<i64>,
    /// Pinned engagements the change touches: they stay as notified and need a person.
    pub pinned_affected: Vec<i64>,
    /// Time the repair took.
    pub elapsed: Duration,
}

const FREE: u32 = u32::MAX;
const PINNED_SLOT: u16 = u16::MAX;
const MAX_TEAM: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Placed {
    /// Index into the engagement's slots, or [`PINNED_SLOT`].
    slot: u16,
    /// Inspector indices, one per role of [`roles`].
    team: [u16; MAX_TEAM],
    size: u8,
}

impl Placed {
    fn members(&self) -> &[u16] {
        &self.team[..usize::from(self.size)]
    }
}

/// The search state: who is where, and the cost, kept up to date on every move.
#[derive(Debug, Clone)]
struct State {
    weeks: usize,
    terms: usize,
    occ: Vec<u32>,
    load: Vec<u32>,
    total: Vec<u32>,
    assign: Vec<Option<Placed>>,
    spread: Vec<u32>,
    region_placed: Vec<u32>,
    /// Interim visits per (kind of area, term).
    mix: Vec<u32>,
    cost: i64,
}

/// The scheduler for one instance: solve, then repair after changes.
#[derive(Debug, Clone)]
pub struct Engine {
    inst: Instance,
    model: Model,
    state: State,
    max_per_term: Vec<u32>,
    stats: SearchStats,
}

fn slot_weeks(s: &Slot) -> std::ops::Range<usize> {
    usize::from(s.week)..usize::from(s.week) + usize::from(s.len)
}

impl Engine {
    /// Compiles `inst` and places its pinned engagements. Errors for input nothing can be
    /// planned from, including pins that contradict each other.
    pub fn new(inst: Instance) -> Result<Self, InstanceError> {
        let model = inst.compile()?;
        let max_per_term = inst.inspectors.iter().map(|i| i.max_per_term).collect();
        let state = State::empty(&inst, &model);
        let mut engine = Self { inst, model, state, max_per_term, stats: SearchStats::default() };
        engine.place_pins()?;
        Ok(engine)
    }

    /// The instance as it stands (after any repairs).
    pub fn instance(&self) -> &Instance {
        &self.inst
    }

    /// The compiled model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// What the last solve did.
    pub fn stats(&self) -> &SearchStats {
        &self.stats
    }

    fn place_pins(&mut self) -> Result<(), InstanceError> {
        for e in 0..self.model.engagements.len() {
            let Some((slot, team)) = self.model.engagements[e].pinned.clone() else { continue };
            let kind = self.inst.engagements[e].kind;
            let id = self.inst.engagements[e].id;
            let role_list = roles(kind);
            if team.len() != role_list.len()
                || team.iter().any(|(i, r)| {
                    usize::from(*r) >= role_list.len()
                        || !fits(&self.inst.inspectors[usize::from(*i)], role_list[usize::from(*r)])
                })
            {
                return Err(InstanceError::ContradictoryPins(format!(
                    "engagement {id} is pinned with a team that breaks {}",
                    rules::TEAM_COMPOSITION
                )));
            }
            let mut placed = Placed { slot: PINNED_SLOT, team: [0; MAX_TEAM], size: 0 };
            let mut by_role = team.clone();
            by_role.sort_by_key(|(_, r)| *r);
            for (n, (i, _)) in by_role.iter().enumerate() {
                placed.team[n] = *i;
            }
            placed.size = u8::try_from(by_role.len()).unwrap_or(0);
            for &i in placed.members() {
                let i = usize::from(i);
                if placed.members().iter().filter(|m| usize::from(**m) == i).count() > 1 {
                    return Err(InstanceError::ContradictoryPins(format!(
                        "engagement {id} has inspector {} twice",
                        self.inst.inspectors[i].id
                    )));
                }
                for k in slot_weeks(&slot) {
                    let at = i * self.state.weeks + k;
                    if self.state.occ[at] != FREE {
                        let other = self.inst.engagements[self.state.occ[at] as usize].id;
                        return Err(InstanceError::ContradictoryPins(format!(
                            "engagements {other} and {id} both hold inspector {} in the week of {} ({})",
                            self.inst.inspectors[i].id,
                            self.model.mondays[k],
                            rules::INSPECTOR_DOUBLE_BOOKED
                        )));
                    }
                }
                if slot.len > 0 {
                    let t = usize::from(slot.term);
                    if self.state.load[i * self.state.terms + t] >= self.max_per_term[i] {
                        return Err(InstanceError::ContradictoryPins(format!(
                            "inspector {} is pinned to more engagements in a term than their limit ({})",
                            self.inst.inspectors[i].id,
                            rules::INSPECTOR_TERM_LIMIT
                        )));
                    }
                }
            }
            self.state.apply(&self.model, e, placed, slot, true);
        }
        Ok(())
    }

    fn slot_of(&self, e: usize, p: &Placed) -> Slot {
        if p.slot == PINNED_SLOT {
            self.model.engagements[e].pinned.as_ref().map(|(s, _)| *s).unwrap_or(Slot {
                week: 0,
                len: 0,
                term: 0,
                onsite: self.inst.horizon,
                delay: 0,
            })
        } else {
            self.model.engagements[e].slots[usize::from(p.slot)]
        }
    }

    fn place(&mut self, e: usize, p: Placed) {
        let slot = self.slot_of(e, &p);
        self.state.apply(&self.model, e, p, slot, true);
    }

    fn remove(&mut self, e: usize) -> Option<Placed> {
        let p = self.state.assign[e]?;
        let slot = self.slot_of(e, &p);
        self.state.apply(&self.model, e, p, slot, false);
        Some(p)
    }

    fn free(&self, i: usize, s: &Slot) -> bool {
        let w = self.state.weeks;
        self.state.load[i * self.state.terms + usize::from(s.term)] < self.max_per_term[i]
            && slot_weeks(s).all(|k| !self.model.blocked[i][k] && self.state.occ[i * w + k] == FREE)
    }

    fn member_cost(&self, e: &CompiledEngagement, i: usize) -> i64 {
        let mut c = 0;
        if self.model.inspector_region[i] != e.region {
            c += cost::OUT_OF_REGION;
        }
        if self.state.total[i] >= self.model.load_target {
            c += cost::LOAD_EXCESS;
        }
        c
    }

    /// The cheapest slot and team for `e`, given everyone else where they are: (slot, team, delta).
    fn best_insertion(&self, e: usize, offset: usize, keep: Option<&[Option<u16>]>) -> Option<(Placed, i64)> {
        let n = self.model.engagements[e].slots.len();
        let mut best: Option<(Placed, i64)> = None;
        for j in 0..n {
            let si = (j + offset) % n;
            if let Some((p, d)) = self.team_for(e, si, keep)
                && best.as_ref().is_none_or(|(_, b)| d < *b)
            {
                best = Some((p, d));
            }
        }
        best
    }

    /// The cheapest team for `e` in slot `si`, keeping the members given in `keep` (by role).
    fn team_for(&self, e: usize, si: usize, keep: Option<&[Option<u16>]>) -> Option<(Placed, i64)> {
        let ce = &self.model.engagements[e];
        let s = &ce.slots[si];
        let mut d = -ce.unplaced_cost;
        if ce.urgent {
            d += cost::URGENT_DELAY * i64::from(s.delay);
        }
        if ce.interim {
            d += self.state.spread_delta(&self.model, ce.region, usize::from(s.term));
            d += self.state.mix_delta(&self.model, &ce.mix, usize::from(s.term));
        }
        let mut p = Placed { slot: u16::try_from(si).unwrap_or(0), team: [0; MAX_TEAM], size: 0 };
        for (r, eligible) in ce.eligible.iter().enumerate() {
            let kept = keep.and_then(|k| k.get(r).copied().flatten());
            let mut pick: Option<(i64, u32, u16)> = None;
            let candidates: &[u16] = match kept.as_ref() {
                Some(k) => std::slice::from_ref(k),
                None => eligible,
            };
            for &i in candidates {
                let iu = usize::from(i);
                if p.members().contains(&i) || !self.free(iu, s) {
                    continue;
                }
                let c = self.member_cost(ce, iu);
                let key = (c, self.state.total[iu], i);
                if pick.is_none_or(|b| (key.0, key.1) < (b.0, b.1)) {
                    pick = Some(key);
                }
            }
            let (c, _, i) = pick?;
            d += c;
            p.team[usize::from(p.size)] = i;
            p.size += 1;
        }
        Some((p, d))
    }

    /// The urgency order: overdue and systemic-failings first, then fewest candidate slots.
    fn urgency(&self, e: usize) -> (bool, usize) {
        let ce = &self.model.engagements[e];
        (!ce.urgent, ce.slots.len())
    }

    fn open(&self) -> Vec<usize> {
        (0..self.model.engagements.len())
            .filter(|&e| self.state.assign[e].is_none() && !self.model.engagements[e].slots.is_empty())
            .collect()
    }

    /// Plans every engagement that can be placed within `budget`, keeping pins where they are.
    pub fn solve(&mut self, budget: Budget) -> Plan {
        self.solve_with(budget, &mut |_| true)
    }

    /// As [`Engine::solve`], telling `progress` how the best plan stands after the greedy plan
    /// and then every few iterations; the search stops early (keeping its best plan) once
    /// `progress` answers `false`. No I/O here: the caller decides what to do with it.
    pub fn solve_with(&mut self, budget: Budget, progress: &mut dyn FnMut(&Progress) -> bool) -> Plan {
        let start = Instant::now();
        let total = self.model.engagements.len();
        let mut rng = Rng(budget.seed ^ 0x005E_ED0F_5EED);
        for e in 0..self.model.engagements.len() {
            if self.model.engagements[e].pinned.is_none() {
                self.remove(e);
            }
        }
        let mut order = self.open();
        order.sort_by_key(|&e| self.urgency(e));
        for e in order {
            if let Some((p, _)) = self.best_insertion(e, 0, None) {
                self.place(e, p);
            }
        }
        self.stats = SearchStats { first_feasible: start.elapsed(), iterations: 0, trace: vec![] };
        self.stats.trace.push((start.elapsed(), self.state.cost));
        let movable: Vec<usize> = (0..self.model.engagements.len())
            .filter(|&e| {
                self.model.engagements[e].pinned.is_none() && !self.model.engagements[e].slots.is_empty()
            })
            .collect();
        let mut best_cost = self.state.cost;
        let mut best_assign = self.state.assign.clone();
        let placed_in = |assign: &[Option<Placed>]| assign.iter().filter(|p| p.is_some()).count();
        let mut best_placed = placed_in(&best_assign);
        let report = |best_cost: i64, best_placed: usize| Progress {
            elapsed: start.elapsed(),
            best_cost,
            placed: best_placed,
            unplaced: total - best_placed,
        };
        let mut going = progress(&report(best_cost, best_placed));
        while going && self.stats.iterations < budget.iterations && !movable.is_empty() {
            if self.stats.iterations.is_multiple_of(16) {
                if start.elapsed() >= budget.time {
                    break;
                }
                going = progress(&report(best_cost, best_placed));
                if !going {
                    break;
                }
            }
            self.stats.iterations += 1;
            let before = self.state.cost;
            let removed = self.destroy(&movable, &mut rng);
            let mut todo = self.open();
            // Shuffle, then order by urgency class so ties break differently each time.
            for n in (1..todo.len()).rev() {
                todo.swap(n, rng.below(n + 1));
            }
            todo.sort_by_key(|&e| !self.model.engagements[e].urgent);
            let mut inserted = Vec::new();
            for e in todo {
                let offset = rng.below(self.model.engagements[e].slots.len());
                if let Some((p, _)) = self.best_insertion(e, offset, None) {
                    self.place(e, p);
                    inserted.push(e);
                }
            }
            if self.state.cost <= before {
                if self.state.cost < best_cost {
                    best_cost = self.state.cost;
                    best_assign.clone_from(&self.state.assign);
                    best_placed = placed_in(&best_assign);
                    self.stats.trace.push((start.elapsed(), best_cost));
                }
            } else {
                for e in inserted {
                    self.remove(e);
                }
                for (e, p) in removed {
                    self.place(e, p);
                }
            }
        }
        if self.state.cost != best_cost {
            self.restore(&best_assign);
        }
        self.plan()
    }

    fn restore(&mut self, assign: &[Option<Placed>]) {
        for e in 0..assign.len() {
            if self.state.assign[e].is_some_and(|p| p.slot != PINNED_SLOT) {
                self.remove(e);
            }
        }
        for (e, p) in assign.iter().enumerate() {
            if let Some(p) = p
                && p.slot != PINNED_SLOT
            {
                self.place(e, *p);
            }
        }
    }

    /// Removes a few related engagements; returns them with where they were.
    fn destroy(&mut self, movable: &[usize], rng: &mut Rng) -> Vec<(usize, Placed)> {
        let k = 2 + rng.below(7);
        let seed = movable[rng.below(movable.len())];
        let mut chosen = vec![seed];
        match (rng.below(3), self.state.assign[seed]) {
            (0, Some(p)) => {
                // Same weeks, give or take two.
                let s = self.slot_of(seed, &p);
                let (lo, hi) = (usize::from(s.week).saturating_sub(2), usize::from(s.week + s.len) + 2);
                let near: Vec<usize> = movable
                    .iter()
                    .copied()
                    .filter(|&e| {
                        self.state.assign[e].is_some_and(|q| {
                            let t = self.slot_of(e, &q);
                            usize::from(t.week) < hi && usize::from(t.week + t.len) > lo
                        })
                    })
                    .collect();
                for _ in 0..k {
                    if !near.is_empty() {
                        chosen.push(near[rng.below(near.len())]);
                    }
                }
            }
            (1, _) => {
                // Same region.
                let region = self.model.engagements[seed].region;
                let same: Vec<usize> =
                    movable.iter().copied().filter(|&e| self.model.engagements[e].region == region).collect();
                for _ in 0..k {
                    chosen.push(same[rng.below(same.len())]);
                }
            }
            _ => {
                for _ in 0..k {
                    chosen.push(movable[rng.below(movable.len())]);
                }
            }
        }
        chosen.sort_unstable();
        chosen.dedup();
        chosen.into_iter().filter_map(|e| self.remove(e).map(|p| (e, p))).collect()
    }

    /// The current plan, with reasons for everything unplaced.
    pub fn plan(&self) -> Plan {
        let unplaced = (0..self.inst.engagements.len())
            .filter(|&e| self.state.assign[e].is_none())
            .map(|e| self.explain(e))
            .collect();
        Plan { assignments: self.plan_assignments(), unplaced, cost: self.state.cost }
    }

    /// The placed engagements, in instance order.
    fn plan_assignments(&self) -> Vec<Assignment> {
        let mut assignments = Vec::new();
        for (e, eng) in self.inst.engagements.iter().enumerate() {
            let Some(p) = self.state.assign[e] else { continue };
            if p.slot == PINNED_SLOT {
                let pin = eng.pin.as_ref().map(|p| p.team.clone()).unwrap_or_default();
                let onsite = eng.pin.as_ref().map_or(self.inst.horizon, |p| p.onsite);
                assignments.push(Assignment {
                    engagement: eng.id,
                    onsite,
                    notification: timeline(eng.kind, onsite.first).map(|t| t.notification),
                    team: pin,
                });
                continue;
            }
            let s = self.slot_of(e, &p);
            let role_list = roles(eng.kind);
            assignments.push(Assignment {
                engagement: eng.id,
                onsite: s.onsite,
                notification: timeline(eng.kind, s.onsite.first).map(|t| t.notification),
                team: p
                    .members()
                    .iter()
                    .zip(role_list)
                    .map(|(i, r)| (self.inst.inspectors[usize::from(*i)].id, *r))
                    .collect(),
            });
        }
        assignments
    }

    /// Why `e` is not placed: the blocking hard rule and the nearest near-miss.
    fn explain(&self, e: usize) -> Unplaced {
        let eng = &self.inst.engagements[e];
        let ce = &self.model.engagements[e];
        let id = eng.id;
        let words = |rule: &str| rule_words(rule);
        if ce.slots.is_empty() {
            // The week that breaks the fewest rules is the near-miss.
            let Some(best) = ce.refused.iter().min_by_key(|r| (r.distance(), r.week)) else {
                return Unplaced {
                    engagement: id,
                    rule: rules::HORIZON.into(),
                    message: "The horizon has no week to place it in".into(),
                    near_miss: None,
                };
            };
            let monday = self.model.mondays[usize::from(best.week)];
            return Unplaced {
                engagement: id,
                rule: best.rule().into(),
                message: format!("No start week fits: {}", words(best.rule())),
                near_miss: Some(format!(
                    "week of {monday}: {}",
                    best.rules.iter().map(|r| words(r)).collect::<Vec<_>>().join("; ")
                )),
            };
        }
        // Slots exist: find the one that lacks the fewest team members.
        let role_list = roles(eng.kind);
        let mut best: Option<(usize, usize, &'static str, String)> = None;
        for (si, s) in ce.slots.iter().enumerate() {
            let mut missing = 0;
            let mut first: Option<(&'static str, String)> = None;
            let mut used: Vec<u16> = Vec::new();
            for (r, eligible) in ce.eligible.iter().enumerate() {
                let pick =
                    eligible.iter().copied().find(|&i| !used.contains(&i) && self.free(usize::from(i), s));
                if let Some(i) = pick {
                    used.push(i);
                    continue;
                }
                missing += 1;
                if first.is_none() {
                    first = Some(self.role_blocker(e, r, s, role_list[r]));
                }
            }
            if let Some((rule, why)) = first
                && best.as_ref().is_none_or(|b| missing < b.1)
            {
                best = Some((si, missing, rule, why));
            }
        }
        match best {
            Some((si, _, rule, why)) => {
                let monday = self.model.mondays[usize::from(ce.slots[si].week)];
                Unplaced {
                    engagement: id,
                    rule: rule.into(),
                    message: format!("No team can be found in any of its {} possible weeks", ce.slots.len()),
                    near_miss: Some(format!("week of {monday}: {why}")),
                }
            }
            None => Unplaced {
                engagement: id,
                rule: rules::TEAM_COMPOSITION.into(),
                message: "Left out to place more urgent engagements".into(),
                near_miss: None,
            },
        }
    }

    /// Why no inspector can take `role` in slot `s`: the most common reason among those who fit.
    fn role_blocker(&self, e: usize, r: usize, s: &Slot, role: TeamRole) -> (&'static str, String) {
        let fitting: Vec<usize> =
            (0..self.inst.inspectors.len()).filter(|&i| fits(&self.inst.inspectors[i], role)).collect();
        if fitting.is_empty() {
            return (rules::TEAM_COMPOSITION, format!("no inspector can be the team's {}", role.words()));
        }
        let eligible = &self.model.engagements[e].eligible[r];
        let (mut conflict, mut unavailable, mut booked, mut limit) = (0, 0, 0, 0);
        let w = self.state.weeks;
        for &i in &fitting {
            if !eligible.contains(&u16::try_from(i).unwrap_or(u16::MAX)) {
                conflict += 1;
            } else if slot_weeks(s).any(|k| self.model.blocked[i][k]) {
                unavailable += 1;
            } else if slot_weeks(s).any(|k| self.state.occ[i * w + k] != FREE) {
                booked += 1;
            } else if self.state.load[i * self.state.terms + usize::from(s.term)] >= self.max_per_term[i] {
                limit += 1;
            } else {
                booked += 1; // free, but already in this team for another role
            }
        }
        let counts = [
            (booked, rules::INSPECTOR_DOUBLE_BOOKED),
            (unavailable, rules::INSPECTOR_UNAVAILABLE),
            (limit, rules::INSPECTOR_TERM_LIMIT),
            (conflict, rules::INSPECTOR_CONFLICT),
        ];
        let rule = counts.iter().max_by_key(|c| c.0).map_or(rules::INSPECTOR_DOUBLE_BOOKED, |c| c.1);
        (
            rule,
            format!(
                "no {} free: of {}, {booked} booked, {unavailable} unavailable, {limit} at their term limit, {conflict} with a conflict of interest",
                role.words(),
                fitting.len()
            ),
        )
    }

    /// Re-plans after `change`, keeping every engagement it leaves valid where it is.
    pub fn repair(&mut self, change: &Change) -> Result<RepairReport, InstanceError> {
        let start = Instant::now();
        let before: HashMap<i64, Assignment> =
            self.plan_assignments().into_iter().map(|a| (a.engagement, a)).collect();
        match change {
            Change::InspectorUnavailable { inspector, days } => {
                if let Some(i) = self.inst.inspectors.iter_mut().find(|i| i.id == *inspector) {
                    i.unavailable.push(*days);
                }
            }
            Change::AreaPostpones { area, days } => {
                if let Some(a) = self.inst.areas.iter_mut().find(|a| a.code == *area) {
                    a.blackouts.push(*days);
                }
            }
            Change::ConsentWithdrawn { engagement } => {
                if let Some(e) = self.inst.engagements.iter_mut().find(|e| e.id == *engagement) {
                    e.consent = None;
                }
            }
        }
        let changed: Box<dyn Fn(usize) -> bool> = match change {
            Change::InspectorUnavailable { .. } => Box::new(|_| false),
            Change::AreaPostpones { area, .. } => {
                let hit: Vec<bool> = self.inst.engagements.iter().map(|e| e.area == *area).collect();
                Box::new(move |n| hit[n])
            }
            Change::ConsentWithdrawn { engagement } => {
                let hit: Vec<bool> = self.inst.engagements.iter().map(|e| e.id == *engagement).collect();
                Box::new(move |n| hit[n])
            }
        };
        let model = self.inst.recompile(Some(&self.model), &*changed)?;
        let old_model = std::mem::replace(&mut self.model, model);
        let old_assign = std::mem::take(&mut self.state.assign);
        self.state = State::empty(&self.inst, &self.model);
        self.place_pins()?;
        let mut pinned_affected = Vec::new();
        let mut displaced = Vec::new();
        for (e, p) in old_assign.iter().enumerate() {
            let Some(p) = p else { continue };
            if p.slot == PINNED_SLOT {
                let s = self.slot_of(e, p);
                if p.members().iter().any(|&i| slot_weeks(&s).any(|k| self.model.blocked[usize::from(i)][k]))
                    || self.inst.areas[self.model.engagements[e].area]
                        .blackouts
                        .iter()
                        .any(|b| b.overlaps(&s.onsite))
                {
                    pinned_affected.push(self.inst.engagements[e].id);
                }
                continue;
            }
            let old_slot = old_model.engagements[e].slots[usize::from(p.slot)];
            let new_slot = self.model.engagements[e].slots.iter().position(|s| s.onsite == old_slot.onsite);
            match new_slot {
                Some(si)
                    if p.members()
                        .iter()
                        .all(|&i| self.free(usize::from(i), &self.model.engagements[e].slots[si])) =>
                {
                    self.place(e, Placed { slot: u16::try_from(si).unwrap_or(0), ..*p });
                }
                _ => displaced.push((e, new_slot, *p)),
            }
        }
        displaced.sort_by_key(|(e, _, _)| self.urgency(*e));
        for (e, same_slot, p) in displaced {
            // First the same week with only the missing members replaced.
            let mut kept = None;
            if let Some(si) = same_slot {
                let s = self.model.engagements[e].slots[si];
                let keep: Vec<Option<u16>> = p
                    .members()
                    .iter()
                    .map(|&i| (!slot_weeks(&s).any(|k| self.model.blocked[usize::from(i)][k])).then_some(i))
                    .collect();
                kept = self.team_for(e, si, Some(&keep));
            }
            let choice = kept.or_else(|| self.best_insertion(e, 0, None));
            if let Some((p, _)) = choice {
                self.place(e, p);
            }
        }
        let plan = self.plan();
        let after: HashMap<i64, &Assignment> = plan.assignments.iter().map(|a| (a.engagement, a)).collect();
        let mut moved: Vec<i64> = before
            .iter()
            .filter(|(id, a)| after.get(*id).is_none_or(|b| *b != *a))
            .map(|(id, _)| *id)
            .collect();
        moved.sort_unstable();
        Ok(RepairReport { plan, moved, pinned_affected, elapsed: start.elapsed() })
    }
}

/// A rule in words.
pub fn rule_words(rule: &str) -> &'static str {
    match rule {
        rules::TERM_WEEK => "it would run into a week outside term",
        rules::NOTICE => "it would fall inside the notice period from today",
        rules::NOTIFICATION_MONDAY => "the area could not be told on that week's Monday",
        rules::DUE_WINDOW => "it would fall outside its due window",
        rules::CONSENT => "the area has not consented in writing to those dates",
        rules::AREA_UNAVAILABLE => "the area said it is unavailable then",
        rules::AREA_BLACKOUT => "the area is in a blackout then",
        rules::HORIZON => "it does not fit inside the horizon",
        rules::WORKING_DAYS => "its onsite days would not be working days",
        rules::KIND => "this kind of engagement is not scheduled",
        _ => "a hard rule",
    }
}

impl State {
    fn empty(inst: &Instance, model: &Model) -> Self {
        let weeks = model.mondays.len();
        let terms = model.terms.len().max(1);
        let n = inst.inspectors.len();
        let regions = inst.regions.len();
        let mut s = Self {
            weeks,
            terms,
            occ: vec![FREE; n * weeks],
            load: vec![0; n * terms],
            total: vec![0; n],
            assign: vec![None; model.engagements.len()],
            spread: vec![0; regions * terms],
            region_placed: vec![0; regions],
            mix: vec![0; MIX_GROUPS * terms],
            cost: 0,
        };
        s.cost =
            model.engagements.iter().filter(|e| e.pinned.is_none()).map(|e| e.unplaced_cost).sum::<i64>()
                + model.region_has_interim.iter().filter(|h| **h).count() as i64 * cost::REGION_MISSING;
        s
    }

    /// What placing an interim visit of the kinds `groups` in `term` adds to the mix's cost.
    fn mix_delta(&self, model: &Model, groups: &[u8], term: usize) -> i64 {
        groups
            .iter()
            .filter(|g| self.mix[usize::from(**g) * self.terms + term] >= model.mix_cap[usize::from(**g)])
            .count() as i64
            * cost::MIX_EXCESS
    }

    fn spread_delta(&self, model: &Model, region: usize, term: usize) -> i64 {
        if region >= self.region_placed.len() {
            return 0;
        }
        let mut d = 0;
        if self.spread[region * self.terms + term] >= model.spread_cap[region] {
            d += cost::SPREAD_EXCESS;
        }
        if self.region_placed[region] == 0 && model.region_has_interim[region] {
            d -= cost::REGION_MISSING;
        }
        d
    }

    /// Places (`on`) or removes `p` for engagement `e`, keeping the cost current.
    fn apply(&mut self, model: &Model, e: usize, p: Placed, slot: Slot, on: bool) {
        let ce = &model.engagements[e];
        let pinned = p.slot == PINNED_SLOT;
        let t = usize::from(slot.term);
        let interim = ce.interim;
        if !on {
            self.assign[e] = None;
        }
        let mut d = 0;
        for &i in p.members() {
            let i = usize::from(i);
            for k in slot_weeks(&slot) {
                if k < self.weeks {
                    self.occ[i * self.weeks + k] = if on { e as u32 } else { FREE };
                }
            }
            if slot.len > 0 {
                if on {
                    self.load[i * self.terms + t] += 1;
                } else {
                    self.load[i * self.terms + t] -= 1;
                }
            }
            if pinned {
                continue;
            }
            if model.inspector_region[i] != ce.region {
                d += cost::OUT_OF_REGION;
            }
            if on {
                if self.total[i] >= model.load_target {
                    d += cost::LOAD_EXCESS;
                }
                self.total[i] += 1;
            } else {
                self.total[i] -= 1;
                if self.total[i] >= model.load_target {
                    d += cost::LOAD_EXCESS;
                }
            }
        }
        if !pinned {
            d -= ce.unplaced_cost;
            if ce.urgent {
                d += cost::URGENT_DELAY * i64::from(slot.delay);
            }
            if interim {
                for g in &ce.mix {
                    let at = usize::from(*g) * self.terms + t;
                    if on {
                        if self.mix[at] >= model.mix_cap[usize::from(*g)] {
                            d += cost::MIX_EXCESS;
                        }
                        self.mix[at] += 1;
                    } else {
                        self.mix[at] -= 1;
                        if self.mix[at] >= model.mix_cap[usize::from(*g)] {
                            d += cost::MIX_EXCESS;
                        }
                    }
                }
            }
            if interim && ce.region < self.region_placed.len() {
                let at = ce.region * self.terms + t;
                if on {
                    if self.spread[at] >= model.spread_cap[ce.region] {
                        d += cost::SPREAD_EXCESS;
                    }
                    self.spread[at] += 1;
                    if self.region_placed[ce.region] == 0 && model.region_has_interim[ce.region] {
                        d -= cost::REGION_MISSING;
                    }
                    self.region_placed[ce.region] += 1;
                } else {
                    self.spread[at] -= 1;
                    if self.spread[at] >= model.spread_cap[ce.region] {
                        d += cost::SPREAD_EXCESS;
                    }
                    self.region_placed[ce.region] -= 1;
                    if self.region_placed[ce.region] == 0 && model.region_has_interim[ce.region] {
                        d -= cost::REGION_MISSING;
                    }
                }
            }
            self.cost += if on { d } else { -d };
        }
        if on {
            self.assign[e] = Some(p);
        }
    }
}

/// The objective of any plan for `inst`, computed from scratch (the engine keeps it
/// incrementally; the bench scores CP-SAT's plans with this). Assignments whose dates are not
/// one of the engagement's candidate slots count their delay as 0.
pub fn objective(inst: &Instance, model: &Model, plan: &Plan) -> i64 {
    let by_id: HashMap<i64, usize> = inst.engagements.iter().enumerate().map(|(n, e)| (e.id, n)).collect();
    let inspector: HashMap<i64, usize> = inst.inspectors.iter().enumerate().map(|(n, i)| (i.id, n)).collect();
    let terms = model.terms.len().max(1);
    let mut placed = vec![false; inst.engagements.len()];
    let mut total = vec![0u32; inst.inspectors.len()];
    let mut spread = vec![0u32; inst.regions.len() * terms];
    let mut region_placed = vec![0u32; inst.regions.len()];
    let mut mix = vec![0u32; MIX_GROUPS * terms];
    let mut c = 0;
    for a in &plan.assignments {
        let Some(&e) = by_id.get(&a.engagement) else { continue };
        let ce = &model.engagements[e];
        placed[e] = true;
        if ce.pinned.is_some() {
            continue;
        }
        let slot = ce.slots.iter().find(|s| s.onsite == a.onsite);
        if ce.urgent {
            c += cost::URGENT_DELAY * i64::from(slot.map_or(0, |s| s.delay));
        }
        for (id, _) in &a.team {
            let Some(&i) = inspector.get(id) else { continue };
            total[i] += 1;
            if model.inspector_region[i] != ce.region {
                c += cost::OUT_OF_REGION;
            }
        }
        if inst.engagements[e].kind == EngagementKind::InterimVisit {
            let t = slot.map_or(0, |s| usize::from(s.term));
            for g in &ce.mix {
                mix[usize::from(*g) * terms + t] += 1;
            }
        }
        if inst.engagements[e].kind == EngagementKind::InterimVisit && ce.region < region_placed.len() {
            let t = slot.map_or(0, |s| usize::from(s.term));
            spread[ce.region * terms + t] += 1;
            region_placed[ce.region] += 1;
        }
    }
    for (e, ce) in model.engagements.iter().enumerate() {
        if !placed[e] && ce.pinned.is_none() {
            c += ce.unplaced_cost;
        }
    }
    for t in total {
        c += cost::LOAD_EXCESS * i64::from(t.saturating_sub(model.load_target));
    }
    for (r, cap) in model.spread_cap.iter().enumerate() {
        for t in 0..terms {
            c += cost::SPREAD_EXCESS * i64::from(spread[r * terms + t].saturating_sub(*cap));
        }
        if model.region_has_interim[r] && region_placed[r] == 0 {
            c += cost::REGION_MISSING;
        }
    }
    for (g, cap) in model.mix_cap.iter().enumerate() {
        for t in 0..terms {
            c += cost::MIX_EXCESS * i64::from(mix[g * terms + t].saturating_sub(*cap));
        }
    }
    c
}
