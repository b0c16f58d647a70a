use chrono::Datelike as _;
use proptest::prelude::*;

use super::{
    generate::{Config, generate, term_weeks_2027},
    *,
};
use crate::domain::{
    consent::DateRange,
    identity::Inspectorate,
    programme::{EngagementKind, TeamRole},
    test_days::{d, range},
};

fn solve(inst: &Instance, iterations: u64, seed: u64) -> (Engine, Plan) {
    let mut engine = Engine::new(inst.clone()).expect("a plannable instance");
    let plan = engine.solve(Budget::iterations(iterations, seed));
    (engine, plan)
}

fn assert_sound(inst: &Instance, plan: &Plan) {
    let findings = validate(inst, plan);
    assert!(findings.is_empty(), "hard rules broken: {findings:?}");
}

fn inspector(id: i64, inspectorate: Inspectorate, social_care: bool) -> Inspector {
    Inspector {
        id,
        name: format!("Inspector {id}"),
        inspectorate,
        social_care,
        region: "E12000001".into(),
        max_per_term: 4,
        unavailable: vec![],
        conflicts: vec![],
    }
}

fn area(code: &str) -> Area {
    Area {
        code: code.into(),
        name: code.into(),
        region: "E12000001".into(),
        urban: false,
        did_well: None,
        blackouts: vec![],
    }
}

/// A small hand-built instance: autumn 2027, two areas in the North East, no engagements yet.
fn hand_instance() -> Instance {
    Instance {
        today: d("2027-08-23"),
        horizon: range("2027-09-06", "2027-12-17"),
        term_weeks: term_weeks_2027().into_iter().filter(|m| *m <= d("2027-12-13")).collect(),
        regions: vec!["E12000001".into(), "E12000002".into()],
        areas: vec![area("E06000001"), area("E06000002")],
        inspectors: vec![],
        engagements: vec![],
    }
}

fn interim(id: i64, area: &str, consent: DateRange) -> Engagement {
    Engagement {
        id,
        kind: EngagementKind::InterimVisit,
        area: area.into(),
        due: range("2027-09-06", "2028-07-21"),
        priority: false,
        consent: Some(consent),
        unavailable: vec![],
        pin: None,
    }
}

fn full(id: i64, area: &str, due: DateRange) -> Engagement {
    Engagement {
        id,
        kind: EngagementKind::FullInspection,
        area: area.into(),
        due,
        priority: false,
        consent: None,
        unavailable: vec![],
        pin: None,
    }
}

#[test]
fn the_generator_uses_the_real_areas_regions_and_a_39_week_year() {
    let inst = generate(&Config::national(1, 100));
    assert_eq!(inst.areas.len(), 153);
    assert_eq!(inst.regions.len(), 10);
    assert_eq!(inst.term_weeks.len(), 39);
    assert_eq!(inst.inspectors.len(), 100);
    let cqc = inst.inspectors.iter().filter(|i| i.inspectorate == Inspectorate::Cqc).count();
    assert!((10..40).contains(&cqc), "{cqc} CQC inspectors");
    let kinds = |k| inst.engagements.iter().filter(|e| e.kind == k).count();
    assert!(kinds(EngagementKind::FullInspection) > 20);
    assert!(kinds(EngagementKind::InterimVisit) > 20);
    assert!(inst.engagements.iter().filter(|e| e.pin.is_some()).count() == 5);
    assert_eq!(generate(&Config::national(1, 100)), inst, "the same seed, the same instance");
}

#[test]
fn a_national_plan_breaks_no_hard_rule_and_its_cost_is_the_objective() {
    let inst = generate(&Config::national(7, 90));
    let (engine, plan) = solve(&inst, 300, 7);
    assert_sound(&inst, &plan);
    assert_eq!(engine::objective(&inst, engine.model(), &plan), plan.cost);
    assert!(plan.assignments.len() > inst.engagements.len() * 3 / 4, "{} placed", plan.assignments.len());
    for u in &plan.unplaced {
        assert!(!u.rule.is_empty() && !u.message.is_empty(), "{u:?}");
    }
}

#[test]
fn the_search_improves_on_the_greedy_plan_and_is_deterministic_for_a_seed() {
    let inst = generate(&Config::national(3, 70));
    let (_, greedy) = solve(&inst, 0, 3);
    let (_, searched) = solve(&inst, 400, 3);
    let (_, again) = solve(&inst, 400, 3);
    assert!(searched.cost <= greedy.cost);
    assert_eq!(searched, again);
}

#[test]
fn progress_reports_the_best_plan_so_far_and_a_false_answer_stops_the_search() {
    let inst = generate(&Config::national(3, 70));
    let mut engine = Engine::new(inst.clone()).expect("a plannable instance");
    let mut seen = Vec::new();
    let plan = engine.solve_with(Budget::iterations(400, 3), &mut |p| {
        seen.push(*p);
        true
    });
    assert!(seen.len() > 2, "the greedy plan and then every few iterations");
    assert!(seen.windows(2).all(|w| w[1].best_cost <= w[0].best_cost), "the best only improves");
    let last = seen.last().expect("reports");
    assert_eq!(last.placed + last.unplaced, inst.engagements.len());
    assert!(last.best_cost >= plan.cost);

    // Stopped at the first report: the greedy plan, still sound.
    let mut engine = Engine::new(inst.clone()).expect("a plannable instance");
    let mut calls = 0;
    let stopped = engine.solve_with(Budget::iterations(400, 3), &mut |_| {
        calls += 1;
        false
    });
    assert_eq!(calls, 1);
    assert_eq!(engine.stats().iterations, 0);
    assert_sound(&inst, &stopped);
    let (_, greedy) = solve(&inst, 0, 3);
    assert_eq!(stopped, greedy);
}

#[test]
fn each_term_mixes_urban_and_rural_areas_and_prior_outcomes() {
    let mut inst = hand_instance();
    inst.horizon = range("2027-09-06", "2028-03-24");
    inst.term_weeks = term_weeks_2027().into_iter().filter(|m| *m <= d("2028-03-20")).collect();
    let kind =
        |code: &str, urban: bool, did_well: bool| Area { urban, did_well: Some(did_well), ..area(code) };
    inst.areas = vec![
        kind("E08000021", true, true),
        kind("E08000022", true, true),
        kind("E06000047", false, false),
        kind("E06000057", false, false),
    ];
    inst.inspectors = vec![
        inspector(1, Inspectorate::Ofsted, false),
        inspector(2, Inspectorate::Ofsted, true),
        inspector(3, Inspectorate::Cqc, false),
    ];
    for i in &mut inst.inspectors {
        i.max_per_term = 2;
    }
    let window = range("2027-09-06", "2028-03-24");
    inst.engagements =
        inst.areas.iter().enumerate().map(|(n, a)| interim(n as i64 + 1, &a.code, window)).collect();
    let (_, plan) = solve(&inst, 300, 7);
    assert_sound(&inst, &plan);
    assert_eq!(plan.unplaced, vec![]);
    assert_eq!(plan.cost, 0, "one urban (did well) and one rural (did not) visit each term: {plan:?}");
    for autumn in [true, false] {
        let urban = plan
            .assignments
            .iter()
            .filter(|a| (a.onsite.first.month() >= 9) == autumn && a.engagement <= 2)
            .count();
        assert_eq!(urban, 1, "autumn {autumn}: {plan:?}");
    }
    assert_eq!(objective_of(&inst, &plan), plan.cost);

    // Swap the second urban visit with the rural one in the first urban visit's term: both
    // urban areas (which did well) in one term, both rural ones (which did not) in the other.
    let autumn_of =
        |id: i64| plan.assignments.iter().find(|a| a.engagement == id).map(|a| a.onsite.first.month() >= 9);
    let rural =
        [3, 4].into_iter().find(|id| autumn_of(*id) == autumn_of(1)).expect("a rural visit beside it");
    let mut clustered = plan.clone();
    let (i, j) = (
        clustered.assignments.iter().position(|a| a.engagement == 2).expect("placed"),
        clustered.assignments.iter().position(|a| a.engagement == rural).expect("placed"),
    );
    let (a, b) = (clustered.assignments[i].clone(), clustered.assignments[j].clone());
    clustered.assignments[i] = Assignment { engagement: 2, ..b };
    clustered.assignments[j] = Assignment { engagement: rural, ..a };
    assert_sound(&inst, &clustered);
    // 4 x cost::MIX_EXCESS: urban, did well, rural, did not: one too many each.
    assert_eq!(objective_of(&inst, &clustered), 80);
}

fn objective_of(inst: &Instance, plan: &Plan) -> i64 {
    let engine = Engine::new(inst.clone()).expect("plannable");
    engine::objective(inst, engine.model(), plan)
}

#[test]
fn an_instance_with_one_feasible_plan_is_solved() {
    let mut inst = hand_instance();
    // Exactly three interim-visit people and four more for the inspection, each role forced.
    inst.inspectors = vec![
        inspector(1, Inspectorate::Ofsted, false),
        inspector(2, Inspectorate::Ofsted, true),
        inspector(3, Inspectorate::Cqc, false),
        inspector(4, Inspectorate::Ofsted, false),
        inspector(5, Inspectorate::Ofsted, false),
        inspector(6, Inspectorate::Cqc, false),
        inspector(7, Inspectorate::Ofsted, true),
    ];
    // The inspection may only start on Monday 4 October (due window of one day): weeks of 4,
    // 11 and 18 October; the interim visit only on Monday and Tuesday 11 and 12 October, so
    // it needs the other three people.
    inst.engagements = vec![
        full(1, "E06000001", range("2027-10-18", "2027-10-18")),
        interim(2, "E06000002", range("2027-10-11", "2027-10-12")),
    ];
    // Inspector 1 is away for the inspection's weeks: they can only be on the interim visit.
    inst.inspectors[0].unavailable.push(range("2027-10-04", "2027-10-08"));
    inst.inspectors[0].unavailable.push(range("2027-10-18", "2027-10-22"));
    // Nobody else may take the interim visit: conflicts of interest with its area.
    for i in 3..7 {
        inst.inspectors[i].conflicts.push("E06000002".into());
    }
    let (_, plan) = solve(&inst, 50, 1);
    assert_sound(&inst, &plan);
    assert!(plan.unplaced.is_empty(), "{:?}", plan.unplaced);
    let by_id = |id| plan.assignments.iter().find(|a| a.engagement == id).expect("placed");
    let inspection = by_id(1);
    assert_eq!(inspection.onsite, range("2027-10-18", "2027-10-22"));
    assert_eq!(inspection.notification, Some(d("2027-10-04")));
    let mut team: Vec<_> = inspection.team.clone();
    team.sort_by_key(|m| m.0);
    assert_eq!(team.iter().map(|m| m.0).collect::<Vec<_>>(), [4, 5, 6, 7]);
    assert!(
        team.contains(&(7, TeamRole::SocialCareInspector)) && team.contains(&(6, TeamRole::CqcInspector))
    );
    let visit = by_id(2);
    assert_eq!(visit.onsite, range("2027-10-11", "2027-10-12"));
    let mut team: Vec<_> = visit.team.iter().map(|m| m.0).collect();
    team.sort_unstable();
    assert_eq!(team, [1, 2, 3]);
}

#[test]
fn what_cannot_be_placed_is_explained_with_the_rule_and_the_nearest_miss() {
    let mut inst = hand_instance();
    inst.inspectors = vec![
        inspector(1, Inspectorate::Ofsted, false),
        inspector(2, Inspectorate::Ofsted, true),
        inspector(3, Inspectorate::Ofsted, false),
        inspector(4, Inspectorate::Cqc, false),
    ];
    // The only social care inspector is away all of October.
    inst.inspectors[1].unavailable.push(range("2027-10-01", "2027-10-31"));
    inst.engagements = vec![
        // Consent only in half term.
        interim(1, "E06000001", range("2027-10-25", "2027-10-29")),
        // Consent in October, when no social care inspector is free.
        interim(2, "E06000002", range("2027-10-04", "2027-10-22")),
        // Due before the notice period allows: overdue goes anywhere, so due in the past
        // is fine; due in early September is not.
        full(3, "E06000001", range("2027-09-01", "2027-09-10")),
    ];
    let (_, plan) = solve(&inst, 20, 1);
    assert_sound(&inst, &plan);
    let why = |id| plan.unplaced.iter().find(|u| u.engagement == id).expect("unplaced").clone();
    assert_eq!(why(1).rule, rules::TERM_WEEK, "{:?}", why(1));
    let two = why(2);
    assert_eq!(two.rule, rules::INSPECTOR_UNAVAILABLE, "{two:?}");
    assert!(two.near_miss.as_deref().is_some_and(|n| n.contains("social care inspector")), "{two:?}");
    let three = why(3);
    assert!([rules::DUE_WINDOW, rules::NOTICE].contains(&three.rule.as_str()), "{three:?}");
    assert!(three.near_miss.is_some());
}

#[test]
fn bad_input_is_an_error_or_every_engagement_unplaced_with_a_reason() {
    let mut inst = hand_instance();
    inst.inspectors = vec![inspector(1, Inspectorate::Ofsted, false)];
    inst.engagements = vec![full(1, "E06000001", range("2027-09-01", "2027-12-17"))];

    let mut empty = inst.clone();
    empty.horizon = range("2027-09-06", "2027-09-06");
    empty.horizon.last = d("2027-09-01");
    assert!(matches!(Engine::new(empty), Err(InstanceError::EmptyHorizon { .. })));

    let mut no_terms = inst.clone();
    no_terms.term_weeks.clear();
    let (_, plan) = solve(&no_terms, 10, 1);
    assert!(plan.assignments.is_empty());
    assert_eq!(plan.unplaced.len(), 1);
    assert_eq!(plan.unplaced[0].rule, rules::TERM_WEEK);

    let mut nobody = inst.clone();
    nobody.inspectors.clear();
    let (_, plan) = solve(&nobody, 10, 1);
    assert_eq!(plan.unplaced.len(), 1);
    assert_eq!(plan.unplaced[0].rule, rules::TEAM_COMPOSITION, "{:?}", plan.unplaced);

    let mut contradictory = hand_instance();
    contradictory.inspectors = (1..=4)
        .map(|i| inspector(i, if i == 3 { Inspectorate::Cqc } else { Inspectorate::Ofsted }, i == 4))
        .collect();
    let team = vec![
        (1, TeamRole::LeadHmi),
        (2, TeamRole::OfstedInspector),
        (3, TeamRole::CqcInspector),
        (4, TeamRole::SocialCareInspector),
    ];
    for (id, a) in [(1, "E06000001"), (2, "E06000002")] {
        let mut e = full(id, a, range("2027-09-01", "2027-12-17"));
        e.pin = Some(Pin { onsite: range("2027-10-18", "2027-10-22"), team: team.clone() });
        contradictory.engagements.push(e);
    }
    let err = Engine::new(contradictory).expect_err("two pins hold the same team");
    assert!(matches!(err, InstanceError::ContradictoryPins(_)), "{err}");
    assert!(err.to_string().contains("inspector.double_booked"), "{err}");

    let mut unknown = inst.clone();
    unknown.engagements[0].area = "E99999999".into();
    assert!(matches!(Engine::new(unknown), Err(InstanceError::UnknownArea { .. })));

    let mut bad_week = inst;
    bad_week.term_weeks.push(d("2027-09-08"));
    assert!(matches!(Engine::new(bad_week), Err(InstanceError::BadTermWeek(_))));
}

#[test]
fn the_validator_catches_broken_plans() {
    let inst = generate(&Config::national(11, 80));
    let (_, plan) = solve(&inst, 50, 1);
    assert_sound(&inst, &plan);
    let rules_of = |p: &Plan| validate(&inst, p).into_iter().map(|f| f.rule).collect::<Vec<_>>();
    // A pinned engagement moved a week.
    let mut moved = plan.clone();
    let pinned = inst.engagements.iter().find(|e| e.pin.is_some()).expect("a pin").id;
    let a = moved.assignments.iter_mut().find(|a| a.engagement == pinned).expect("placed");
    a.onsite.first += chrono::TimeDelta::days(7);
    a.onsite.last += chrono::TimeDelta::days(7);
    assert!(rules_of(&moved).contains(&rules::PIN_MOVED));
    // Two engagements in the same week with the same person.
    let mut doubled = plan.clone();
    let (x, y) = {
        let mut it = doubled.assignments.iter().filter(|a| {
            inst.engagements
                .iter()
                .any(|e| e.id == a.engagement && e.kind == EngagementKind::FullInspection && e.pin.is_none())
        });
        (it.next().expect("one").clone(), it.next().expect("two").engagement)
    };
    let b = doubled.assignments.iter_mut().find(|a| a.engagement == y).expect("placed");
    b.team[0].0 = x.team[0].0;
    b.onsite = x.onsite;
    b.notification = x.notification;
    let broken = rules_of(&doubled);
    assert!(broken.contains(&rules::INSPECTOR_DOUBLE_BOOKED), "{broken:?}");
    // An interim visit outside its consent.
    let mut outside = plan.clone();
    let visit = outside
        .assignments
        .iter_mut()
        .find(|a| {
            inst.engagements.iter().any(|e| e.id == a.engagement && e.kind == EngagementKind::InterimVisit)
        })
        .expect("an interim visit");
    visit.onsite = range("2028-07-17", "2028-07-18");
    assert!(rules_of(&outside).contains(&rules::CONSENT));
    // A team without its CQC inspector.
    let mut short = plan;
    short.assignments[0].team.retain(|m| m.1 != TeamRole::CqcInspector);
    assert!(rules_of(&short).contains(&rules::TEAM_COMPOSITION));
}

#[test]
fn repair_keeps_everything_else_where_it_was() {
    let inst = generate(&Config::national(5, 90));
    let (mut engine, plan) = solve(&inst, 200, 5);
    // A member of some unpinned inspection becomes unavailable in its weeks.
    let target = plan
        .assignments
        .iter()
        .find(|a| {
            inst.engagements.iter().any(|e| e.id == a.engagement && e.pin.is_none() && e.kind.is_inspection())
        })
        .expect("an inspection")
        .clone();
    let who = target.team[0].0;
    let report = engine
        .repair(&Change::InspectorUnavailable { inspector: who, days: target.onsite })
        .expect("repairs");
    assert_sound(engine.instance(), &report.plan);
    assert!(report.moved.contains(&target.engagement) || report.moved.is_empty());
    assert!(report.moved.len() <= 3, "{:?}", report.moved);
    let after = &report.plan;
    for a in &plan.assignments {
        if !report.moved.contains(&a.engagement) {
            assert!(after.assignments.contains(a), "{} moved without being reported", a.engagement);
        }
    }
    if let Some(a) = after.assignments.iter().find(|a| a.engagement == target.engagement) {
        assert!(!a.team.iter().any(|m| m.0 == who));
        assert_eq!(a.onsite, target.onsite, "same week, one member replaced");
    }

    // Consent withdrawn: the visit leaves the plan, with the consent rule, and nothing else moves.
    let visit = after
        .assignments
        .iter()
        .find(|a| {
            inst.engagements.iter().any(|e| e.id == a.engagement && e.kind == EngagementKind::InterimVisit)
        })
        .expect("a visit")
        .engagement;
    let report = engine.repair(&Change::ConsentWithdrawn { engagement: visit }).expect("repairs");
    assert_eq!(report.moved, [visit]);
    let why = report.plan.unplaced.iter().find(|u| u.engagement == visit).expect("unplaced");
    assert_eq!(why.rule, rules::CONSENT);
    assert_sound(engine.instance(), &report.plan);

    // An area postpones over its inspection's weeks.
    let a = report
        .plan
        .assignments
        .iter()
        .find(|a| {
            engine
                .instance()
                .engagements
                .iter()
                .any(|e| e.id == a.engagement && e.pin.is_none() && e.kind.is_inspection())
        })
        .expect("an inspection")
        .clone();
    let code = engine.instance().engagements.iter().find(|e| e.id == a.engagement).expect("e").area.clone();
    let report = engine.repair(&Change::AreaPostpones { area: code, days: a.onsite }).expect("repairs");
    assert!(report.moved.contains(&a.engagement));
    assert_sound(engine.instance(), &report.plan);
    assert!(!report.plan.assignments.iter().any(|b| b.engagement == a.engagement && b.onsite == a.onsite));
}

fn small_instance(seed: u64, inspectors: usize, region: usize, pins: usize) -> Instance {
    let regions = crate::domain::reference_data::parse_regions(crate::domain::reference_data::REGIONS_CSV)
        .expect("regions")
        .into_iter()
        .map(|r| r.code)
        .collect::<Vec<_>>();
    let chosen = vec![regions[region % regions.len()].clone(), regions[(region + 3) % regions.len()].clone()];
    generate(&Config { seed, inspectors, regions: Some(chosen), pins })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_plan_passes_the_validator_and_pins_never_move(
        seed in 0u64..10_000,
        inspectors in 6usize..40,
        region in 0usize..10,
        pins in 0usize..4,
        iterations in 0u64..60,
    ) {
        let inst = small_instance(seed, inspectors, region, pins);
        let (engine, plan) = solve(&inst, iterations, seed);
        let findings = validate(&inst, &plan);
        prop_assert!(findings.is_empty(), "{:?}", findings);
        prop_assert_eq!(engine::objective(&inst, engine.model(), &plan), plan.cost);
        for e in inst.engagements.iter().filter(|e| e.pin.is_some()) {
            let pin = e.pin.as_ref().expect("pin");
            let a = plan.assignments.iter().find(|a| a.engagement == e.id);
            prop_assert!(a.is_some_and(|a| a.onsite == pin.onsite && a.team == pin.team));
        }
        prop_assert_eq!(plan.assignments.len() + plan.unplaced.len(), inst.engagements.len());
    }
}

#[test]
fn the_exported_model_round_trips_our_plan_for_the_solver_comparison() {
    let inst = generate(&Config::national(2, 80));
    let (engine, plan) = solve(&inst, 30, 2);
    let out = export::export(&inst, engine.model());
    assert_eq!(out.weeks, engine.model().mondays.len());
    let json = serde_json::to_string(&out).expect("serialises");
    let back: export::ModelOut = serde_json::from_str(&json).expect("parses");
    assert_eq!(back, out);
    let placed = export::to_placed(&inst, engine.model(), &plan);
    let again = export::import(&inst, engine.model(), &placed);
    assert_sound(&inst, &again);
    assert_eq!(again.cost, plan.cost);
    assert_eq!(again.assignments, plan.assignments);
}
