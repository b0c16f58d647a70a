//! Realistic instances from a seed: the real 153 local areas and 10 regions (the shipped
//! reference data), the 2027/28 academic year's 39 term weeks, due dates from outcomes by the
//! domain's own `next_due` (the 2023 profile: 27% positive, 42% inconsistent, 31% systemic
//! failings), monitoring inspections after systemic failings, consenting interim visits, and
//! 60 to 150 inspectors with Ofsted/CQC and social-care mixes, leave, training days and
//! conflicts of interest.

use chrono::{Months, NaiveDate, TimeDelta};

use super::{Area, Budget, Engagement, Engine, Inspector, Instance, Pin};
use crate::domain::{
    consent::DateRange,
    identity::Inspectorate,
    programme::{EngagementKind, Outcome, next_due},
    reference::LocalAreaKind,
    reference_data::{LAS_CSV, REGIONS_CSV, parse_local_areas, parse_regions},
};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The seed: the same seed gives the same instance.
    pub seed: u64,
    /// Inspectors (60 to 150 is realistic).
    pub inspectors: usize,
    /// Only these region codes' areas (None: all of England).
    pub regions: Option<Vec<String>>,
    /// Engagements already notified, pinned where a first plan put them.
    pub pins: usize,
}

impl Config {
    /// The full national instance with `inspectors` inspectors.
    pub fn national(seed: u64, inspectors: usize) -> Self {
        Self { seed, inspectors, regions: None, pins: 5 }
    }
}

/// A small deterministic RNG (SplitMix64).
#[derive(Debug, Clone)]
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 1.0 < p
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The 2027/28 academic year's term weeks (39 Mondays): 6 September 2027 to 17 July 2028 less
/// the autumn, February and May half terms and the Christmas and Easter holidays.
pub fn term_weeks_2027() -> Vec<NaiveDate> {
    let holidays = [
        day(2027, 10, 25),
        day(2027, 12, 20),
        day(2027, 12, 27),
        day(2028, 2, 14),
        day(2028, 4, 10),
        day(2028, 4, 17),
        day(2028, 5, 29),
    ];
    let mut out = Vec::new();
    let mut m = day(2027, 9, 6);
    while m <= day(2028, 7, 17) {
        if !holidays.contains(&m) {
            out.push(m);
        }
        m += TimeDelta::days(7);
    }
    out
}

/// A random day between `first` and `last`.
fn between(rng: &mut Rng, first: NaiveDate, last: NaiveDate) -> NaiveDate {
    let span = usize::try_from((last - first).num_days().max(0)).unwrap_or(0);
    first + TimeDelta::days(rng.below(span + 1) as i64)
}

/// Generates one instance.
pub fn generate(cfg: &Config) -> Instance {
    let mut rng = Rng(cfg.seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0xA5A5);
    let regions: Vec<String> =
        parse_regions(REGIONS_CSV).unwrap_or_default().into_iter().map(|r| r.code).collect();
    let today = day(2027, 8, 23);
    let horizon = DateRange { first: day(2027, 9, 6), last: day(2028, 7, 21) };
    let term_weeks = term_weeks_2027();
    let mut areas = Vec::new();
    let mut engagements = Vec::new();
    let records = parse_local_areas(LAS_CSV).unwrap_or_default();
    for rec in records.iter().filter(|a| a.retired_on.is_none()) {
        if cfg.regions.as_ref().is_some_and(|r| !r.contains(&rec.region_code)) {
            continue;
        }
        let roll = rng.below(100);
        let outcome = if roll < 27 {
            Outcome::Positive
        } else if roll < 69 {
            Outcome::Inconsistent
        } else {
            Outcome::SystemicFailings
        };
        let completed = match outcome {
            Outcome::Positive => between(&mut rng, day(2022, 3, 1), day(2027, 7, 15)),
            _ => between(&mut rng, day(2024, 3, 1), day(2027, 7, 15)),
        };
        let next = next_due(outcome, completed);
        let mut blackouts = Vec::new();
        if rng.chance(0.15) {
            // Pre-election period before the May 2028 local elections.
            blackouts.push(DateRange { first: day(2028, 4, 24), last: day(2028, 5, 5) });
        }
        if rng.chance(0.10) {
            let m = term_weeks[rng.below(term_weeks.len())];
            blackouts.push(DateRange { first: m, last: m + TimeDelta::days(4) });
        }
        let urban = matches!(rec.kind, LocalAreaKind::LondonBorough | LocalAreaKind::MetropolitanDistrict);
        areas.push(Area {
            code: rec.ons_code.clone(),
            name: rec.name.clone(),
            region: rec.region_code.clone(),
            urban,
            did_well: Some(outcome.did_well()),
            blackouts,
        });
        let id = i64::try_from(engagements.len() + 1).unwrap_or(0);
        let engagement = |kind, due, priority, consent, unavailable| Engagement {
            id,
            kind,
            area: rec.ons_code.clone(),
            due,
            priority,
            consent,
            unavailable,
            pin: None,
        };
        if next.full_by <= horizon.last {
            let earliest = next.full_by.checked_sub_months(Months::new(9)).unwrap_or(next.full_by);
            let due = DateRange { first: earliest.max(horizon.first).min(next.full_by), last: next.full_by };
            let systemic = outcome == Outcome::SystemicFailings;
            engagements.push(engagement(EngagementKind::FullInspection, due, systemic, None, vec![]));
        } else if let Some(by) = next.monitoring_by.filter(|by| *by >= horizon.first && *by <= horizon.last) {
            let from = completed.checked_add_months(Months::new(12)).unwrap_or(completed);
            let due = DateRange { first: from.min(by), last: by };
            engagements.push(engagement(EngagementKind::MonitoringInspection, due, true, None, vec![]));
        } else if rng.chance(0.55) {
            let start = term_weeks[rng.below(term_weeks.len().saturating_sub(4))];
            let weeks = 3 + rng.below(8) as i64;
            let consent =
                DateRange { first: start, last: (start + TimeDelta::days(7 * weeks - 3)).min(horizon.last) };
            let mut unavailable = Vec::new();
            for _ in 0..rng.below(3) {
                let d = between(&mut rng, consent.first, consent.last);
                unavailable.push(DateRange { first: d, last: d + TimeDelta::days(rng.below(3) as i64) });
            }
            engagements.push(engagement(
                EngagementKind::InterimVisit,
                horizon,
                false,
                Some(consent),
                unavailable,
            ));
        }
    }
    let mut inspectors = Vec::new();
    for n in 0..cfg.inspectors {
        let home = &areas[rng.below(areas.len())];
        let cqc = rng.chance(0.22);
        let social_care = !cqc && rng.chance(0.24);
        let max_per_term = match rng.below(10) {
            0 => 2,
            1 | 2 => 3,
            _ => 4,
        };
        let mut unavailable = Vec::new();
        for _ in 0..2 + rng.below(3) {
            let m = term_weeks[rng.below(term_weeks.len())];
            unavailable.push(DateRange { first: m, last: m + TimeDelta::days(4) });
        }
        if rng.chance(0.3) {
            let m = term_weeks[rng.below(term_weeks.len())] + TimeDelta::days(rng.below(5) as i64);
            unavailable.push(DateRange { first: m, last: m });
        }
        let mut conflicts = Vec::new();
        for _ in 0..rng.below(3) {
            let same: Vec<&Area> = areas.iter().filter(|a| a.region == home.region).collect();
            let a = if rng.chance(0.6) && !same.is_empty() {
                same[rng.below(same.len())]
            } else {
                &areas[rng.below(areas.len())]
            };
            conflicts.push(a.code.clone());
        }
        inspectors.push(Inspector {
            id: 1000 + i64::try_from(n).unwrap_or(0),
            name: format!("Inspector {}", n + 1),
            inspectorate: if cqc { Inspectorate::Cqc } else { Inspectorate::Ofsted },
            social_care,
            region: home.region.clone(),
            max_per_term,
            unavailable,
            conflicts,
        });
    }
    let mut inst = Instance { today, horizon, term_weeks, regions, areas, inspectors, engagements };
    if cfg.pins > 0 {
        pin_earliest(&mut inst, cfg.pins);
    }
    inst
}

/// Pins the `n` earliest inspections of a greedy plan: as if already notified.
fn pin_earliest(inst: &mut Instance, n: usize) {
    let Ok(mut engine) = Engine::new(inst.clone()) else { return };
    let plan = engine.solve(Budget::iterations(0, 0));
    let mut placed: Vec<_> = plan
        .assignments
        .iter()
        .filter(|a| inst.engagements.iter().any(|e| e.id == a.engagement && e.kind.is_inspection()))
        .collect();
    placed.sort_by_key(|a| (a.onsite.first, a.engagement));
    for a in placed.into_iter().take(n) {
        if let Some(e) = inst.engagements.iter_mut().find(|e| e.id == a.engagement) {
            e.pin = Some(Pin { onsite: a.onsite, team: a.team.clone() });
        }
    }
}
