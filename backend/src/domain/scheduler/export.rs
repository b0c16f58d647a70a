//! The compiled model as JSON for a general-purpose solver (the CP-SAT comparison in
//! `scripts/cpsat_scheduler.py`), and its answer read back as a [`Plan`] so the same
//! [`super::validate`] and [`super::engine::objective`] judge both solvers.
//!
//! Both solvers get the same compiled problem: the calendar rules are applied once by
//! [`super::Instance::compile`]; what is left (which slot, which team, inspector-weeks, term
//! limits, the objective) is the combinatorial problem each solves its own way.

use serde::{Deserialize, Serialize};

use super::{
    Assignment, Instance, Plan, cost,
    instance::{Model, roles},
};
use crate::domain::programme::timeline;

/// One candidate slot, as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotOut {
    /// First calendar week index.
    pub week: u16,
    /// Weeks held.
    pub len: u16,
    /// Term index.
    pub term: u8,
    /// Weeks after the earliest slot.
    pub delay: u16,
}

/// One engagement to place (pins are folded into the inspectors' busy weeks and loads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagementOut {
    /// Index in the instance.
    pub index: usize,
    /// Region index.
    pub region: usize,
    /// Counts towards the interim spread.
    pub interim: bool,
    /// The kinds of area it counts towards in the interim mix (see `instance::MIX_GROUPS`).
    pub mix: Vec<u8>,
    /// Delay is costed.
    pub urgent: bool,
    /// Cost if left out.
    pub unplaced_cost: i64,
    /// Candidate slots.
    pub slots: Vec<SlotOut>,
    /// Per role, the eligible inspector indices.
    pub eligible: Vec<Vec<u16>>,
}

/// One inspector, as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectorOut {
    /// Region index.
    pub region: usize,
    /// Weeks unavailable or held by a pinned engagement.
    pub busy_weeks: Vec<u16>,
    /// Engagements still allowed per term (limit less pinned ones).
    pub capacity_per_term: Vec<u32>,
}

/// The whole exported model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelOut {
    /// Calendar weeks.
    pub weeks: usize,
    /// Terms.
    pub terms: usize,
    /// Inspectors.
    pub inspectors: Vec<InspectorOut>,
    /// Engagements to place.
    pub engagements: Vec<EngagementOut>,
    /// Even share of team places per inspector.
    pub load_target: u32,
    /// Per region, interim visits per term before the spread costs.
    pub spread_cap: Vec<u32>,
    /// Per region, whether it has interim visits to place.
    pub region_has_interim: Vec<bool>,
    /// Per kind of area, interim visits per term before the mix costs.
    pub mix_cap: Vec<u32>,
    /// The weights: out_of_region, load_excess, urgent_delay, spread_excess, region_missing,
    /// mix_excess.
    pub weights: [i64; 6],
}

/// One placed engagement in a solver's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedIn {
    /// Index in the instance.
    pub index: usize,
    /// Slot index.
    pub slot: usize,
    /// Inspector index per role, in the order of the exported `eligible` lists.
    pub team: Vec<usize>,
}

/// Exports `model` (compiled from `inst`).
pub fn export(inst: &Instance, model: &Model) -> ModelOut {
    let weeks = model.mondays.len();
    let terms = model.terms.len().max(1);
    let mut inspectors: Vec<InspectorOut> = inst
        .inspectors
        .iter()
        .enumerate()
        .map(|(n, i)| InspectorOut {
            region: model.inspector_region[n],
            busy_weeks: (0..weeks).filter(|k| model.blocked[n][*k]).map(|k| k as u16).collect(),
            capacity_per_term: vec![i.max_per_term; terms],
        })
        .collect();
    let mut engagements = Vec::new();
    for (index, ce) in model.engagements.iter().enumerate() {
        if let Some((slot, team)) = &ce.pinned {
            for (i, _) in team {
                let out = &mut inspectors[usize::from(*i)];
                for k in slot.week..slot.week + slot.len {
                    if !out.busy_weeks.contains(&k) {
                        out.busy_weeks.push(k);
                    }
                }
                if slot.len > 0 {
                    let c = &mut out.capacity_per_term[usize::from(slot.term)];
                    *c = c.saturating_sub(1);
                }
            }
            continue;
        }
        engagements.push(EngagementOut {
            index,
            region: ce.region,
            interim: ce.interim,
            mix: ce.mix.clone(),
            urgent: ce.urgent,
            unplaced_cost: ce.unplaced_cost,
            slots: ce
                .slots
                .iter()
                .map(|s| SlotOut { week: s.week, len: s.len, term: s.term, delay: s.delay })
                .collect(),
            eligible: ce.eligible.clone(),
        });
    }
    for i in &mut inspectors {
        i.busy_weeks.sort_unstable();
    }
    ModelOut {
        weeks,
        terms,
        inspectors,
        engagements,
        load_target: model.load_target,
        spread_cap: model.spread_cap.clone(),
        region_has_interim: model.region_has_interim.clone(),
        mix_cap: model.mix_cap.clone(),
        weights: [
            cost::OUT_OF_REGION,
            cost::LOAD_EXCESS,
            cost::URGENT_DELAY,
            cost::SPREAD_EXCESS,
            cost::REGION_MISSING,
            cost::MIX_EXCESS,
        ],
    }
}

/// A solver's answer as a plan (pins included as they are), for the validator and the
/// objective. Placements naming slots or inspectors that do not exist are dropped.
pub fn import(inst: &Instance, model: &Model, placed: &[PlacedIn]) -> Plan {
    let mut assignments = Vec::new();
    for (index, e) in inst.engagements.iter().enumerate() {
        if let Some(pin) = &e.pin {
            assignments.push(Assignment {
                engagement: e.id,
                onsite: pin.onsite,
                notification: timeline(e.kind, pin.onsite.first).map(|t| t.notification),
                team: pin.team.clone(),
            });
            continue;
        }
        let Some(p) = placed.iter().find(|p| p.index == index) else { continue };
        let Some(slot) = model.engagements[index].slots.get(p.slot) else { continue };
        let team = p
            .team
            .iter()
            .zip(roles(e.kind))
            .filter_map(|(i, r)| inst.inspectors.get(*i).map(|i| (i.id, *r)))
            .collect();
        assignments.push(Assignment {
            engagement: e.id,
            onsite: slot.onsite,
            notification: timeline(e.kind, slot.onsite.first).map(|t| t.notification),
            team,
        });
    }
    let mut plan = Plan { assignments, unplaced: vec![], cost: 0 };
    plan.cost = super::engine::objective(inst, model, &plan);
    plan
}

/// Our own plan in the solver-answer form (for the round-trip test).
pub fn to_placed(inst: &Instance, model: &Model, plan: &Plan) -> Vec<PlacedIn> {
    let mut out = Vec::new();
    for a in &plan.assignments {
        let Some(index) = inst.engagements.iter().position(|e| e.id == a.engagement) else { continue };
        if inst.engagements[index].pin.is_some() {
            continue;
        }
        let Some(slot) = model.engagements[index].slots.iter().position(|s| s.onsite == a.onsite) else {
            continue;
        };
        let team = roles(inst.engagements[index].kind)
            .iter()
            .filter_map(|r| a.team.iter().find(|m| m.1 == *r))
            .filter_map(|m| inst.inspectors.iter().position(|i| i.id == m.0))
            .collect();
        out.push(PlacedIn { index, slot, team });
    }
    out
}
