//! The independent validator: checks every hard rule on any plan (ours, CP-SAT's, a person's)
//! from the instance alone, with the domain's own functions at day level. It shares no code
//! with the engine's compiled model, so a bug there cannot hide here.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike as _, NaiveDate, TimeDelta};

use super::{Instance, Plan, rules};
use crate::domain::{
    Finding,
    consent::DateRange,
    programme::{Candidate, EngagementKind, busy_days, check_onsite, check_team, term_of, timeline},
    timetable::INTERIM_SURVEY_WORKING_DAYS,
    working_days::is_working_day,
};

/// Rule id: an inspection's onsite days do not follow the three-week shape.
pub const THREE_WEEK_SHAPE: &str = "schedule.three_week_shape";

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - TimeDelta::days(i64::from(day.weekday().num_days_from_monday()))
}

fn working_days_back(from: NaiveDate, n: u32) -> NaiveDate {
    let mut d = from;
    for _ in 0..n {
        d -= TimeDelta::days(1);
        while !is_working_day(d) {
            d -= TimeDelta::days(1);
        }
    }
    d
}

/// Every hard rule `plan` breaks for `inst`; empty when the plan is sound.
pub fn validate(inst: &Instance, plan: &Plan) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut fail = |rule: &'static str, id: i64, message: String| {
        out.push(Finding::new(rule, format!("engagement:{id}"), message));
    };
    let engagements: HashMap<i64, &super::Engagement> = inst.engagements.iter().map(|e| (e.id, e)).collect();
    let areas: HashMap<&str, &super::Area> = inst.areas.iter().map(|a| (a.code.as_str(), a)).collect();
    let inspectors: HashMap<i64, &super::Inspector> = inst.inspectors.iter().map(|i| (i.id, i)).collect();
    let term_weeks: HashSet<NaiveDate> = inst.term_weeks.iter().copied().collect();
    let mut seen = HashSet::new();
    for a in &plan.assignments {
        if !seen.insert(a.engagement) {
            fail(rules::PLAN_SHAPE, a.engagement, "placed twice".into());
        }
    }
    for e in &inst.engagements {
        if e.pin.is_some() && !seen.contains(&e.id) {
            fail(rules::PIN_MOVED, e.id, "a pinned engagement was left out".into());
        }
    }
    // Busy days per inspector, for double booking and term load.
    let mut busy_of: HashMap<i64, Vec<(i64, DateRange, NaiveDate)>> = HashMap::new();
    for a in &plan.assignments {
        let Some(e) = engagements.get(&a.engagement) else { continue };
        for (id, _) in &a.team {
            busy_of.entry(*id).or_default().push((a.engagement, busy_days(e.kind, a.onsite), a.onsite.first));
        }
    }
    for a in &plan.assignments {
        let id = a.engagement;
        let Some(e) = engagements.get(&id) else {
            fail(rules::PLAN_SHAPE, id, "no such engagement".into());
            continue;
        };
        let Some(area) = areas.get(e.area.as_str()) else {
            fail(rules::PLAN_SHAPE, id, "no such area".into());
            continue;
        };
        let busy = busy_days(e.kind, a.onsite);
        if let Some(pin) = &e.pin {
            let mut want = pin.team.clone();
            let mut got = a.team.clone();
            want.sort_by_key(|m| m.0);
            got.sort_by_key(|m| m.0);
            if pin.onsite != a.onsite || want != got {
                fail(rules::PIN_MOVED, id, "a pinned engagement moved or changed team".into());
            }
        } else {
            // Calendar rules.
            let window = if e.due.last < inst.today {
                DateRange { first: inst.today, last: inst.horizon.last }
            } else {
                e.due
            };
            if !(window.first <= a.onsite.first && a.onsite.first <= window.last) {
                fail(
                    rules::DUE_WINDOW,
                    id,
                    format!("first onsite day {} is outside its due window", a.onsite.first),
                );
            }
            if !inst.horizon.contains(&busy) {
                fail(rules::HORIZON, id, "outside the horizon".into());
            }
            if check_onsite(e.kind, a.onsite, inst.today).is_err() {
                fail(rules::WORKING_DAYS, id, "the onsite days break the domain's onsite rules".into());
            }
            match e.kind {
                EngagementKind::InterimVisit => {
                    if working_days_back(a.onsite.first, INTERIM_SURVEY_WORKING_DAYS) < inst.today {
                        fail(rules::NOTICE, id, "the surveys would have to open before today".into());
                    }
                    if !term_weeks.contains(&monday_of(a.onsite.first))
                        || monday_of(a.onsite.last) != monday_of(a.onsite.first)
                    {
                        fail(rules::TERM_WEEK, id, "not inside one term week".into());
                    }
                    if !e.consent.is_some_and(|c| c.contains(&a.onsite)) {
                        fail(rules::CONSENT, id, "outside the dates the area consented to in writing".into());
                    }
                    if e.unavailable.iter().any(|u| u.overlaps(&a.onsite)) {
                        fail(rules::AREA_UNAVAILABLE, id, "on a day the area is unavailable".into());
                    }
                }
                kind if kind.is_inspection() => match timeline(kind, a.onsite.first) {
                    Some(t) => {
                        if t.notification < inst.today {
                            fail(rules::NOTICE, id, "inside the notice period from today".into());
                        }
                        if a.notification != Some(t.notification) {
                            fail(
                                rules::NOTIFICATION_MONDAY,
                                id,
                                "not notified on the Monday the domain sets".into(),
                            );
                        }
                        if a.onsite.first < t.week_two.first
                            || a.onsite.last > t.week_three.last
                            || a.onsite.last < t.week_three.first
                        {
                            fail(THREE_WEEK_SHAPE, id, "onsite days outside weeks 2 and 3".into());
                        }
                        let mondays = [t.week_one.first, t.week_two.first, t.week_three.first];
                        if !mondays.iter().all(|m| term_weeks.contains(m)) {
                            fail(rules::TERM_WEEK, id, "its three weeks are not all term weeks".into());
                        }
                    }
                    None => fail(rules::KIND, id, "no timeline".into()),
                },
                _ => fail(rules::KIND, id, "this kind is not scheduled".into()),
            }
        }
        if area.blackouts.iter().any(|b| b.overlaps(&busy)) && e.pin.is_none() {
            fail(rules::AREA_BLACKOUT, id, "during an area blackout".into());
        }
        // Team rules, by the domain's own check.
        let (year, term) = term_of(a.onsite.first);
        let mut members = Vec::new();
        for (mid, role) in &a.team {
            let Some(i) = inspectors.get(mid) else {
                fail(rules::PLAN_SHAPE, id, format!("no inspector {mid}"));
                continue;
            };
            let others: Vec<&(i64, DateRange, NaiveDate)> =
                busy_of.get(mid).map(|v| v.iter().filter(|b| b.0 != id).collect()).unwrap_or_default();
            let load = others.iter().filter(|b| term_of(b.2) == (year, term)).count();
            members.push((
                Candidate {
                    id: i.id,
                    name: i.name.clone(),
                    inspectorate: i.inspectorate,
                    social_care: i.social_care,
                    home_region: i.region.clone(),
                    max_per_term: i.max_per_term,
                    unavailable: i.unavailable.clone(),
                    conflicts: i.conflicts.clone(),
                    booked: others.iter().map(|b| b.1).collect(),
                    load_this_term: u32::try_from(load).unwrap_or(u32::MAX),
                    visible_load: 0,
                },
                *role,
            ));
        }
        let verdict = check_team(e.kind, &e.area, &area.region, busy, &members, f64::MAX);
        for f in verdict.hard {
            fail(f.rule, id, f.message);
        }
    }
    out
}
