//! The national programme scheduler against Google OR-Tools CP-SAT on the same instances.
//!
//! Run: `scripts/bench-scheduler.sh` (creates a Python venv with a pinned `ortools` and passes
//! `--cpsat`), or ours alone: `cargo bench -p send-planner --bench scheduler`.
//!
//! Options (after `--`): `--cpsat PYTHON` run CP-SAT with that interpreter; `--limit S` CP-SAT's
//! time limit (default 60; 300 for the long comparison); `--ours S` our time limit (default 10);
//! `--instances a,b` (national-60, national-100, national-150, regional-60); `--quick` one
//! instance, 1 s ours and 10 s CP-SAT (a smoke run). Instances, exported models and CP-SAT's
//! answers are written to `target/scheduler-bench/`; the table to `results.md` there.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use send_planner::domain::{
    programme::EngagementKind,
    scheduler::{
        Budget, Change, Engine, Instance,
        engine::objective,
        export::{PlacedIn, export, import},
        generate::{Config, generate},
        validate,
    },
};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn instance(name: &str) -> Option<Instance> {
    let national = |seed, n| Some(generate(&Config::national(seed, n)));
    match name {
        "national-60" => national(60, 60),
        "national-100" => national(100, 100),
        "national-150" => national(150, 150),
        "regional-60" => Some(generate(&Config {
            seed: 61,
            inspectors: 60,
            regions: Some(vec!["E12000002".into(), "E12000003".into()]),
            pins: 2,
        })),
        _ => None,
    }
}

/// The best objective reached by `t` in a trace of (seconds, objective).
fn at(trace: &[(f64, i64)], t: f64) -> Option<i64> {
    trace.iter().filter(|(s, _)| *s <= t).map(|(_, o)| *o).min()
}

fn fmt_obj(o: Option<i64>) -> String {
    o.map_or_else(|| "none".into(), |o| o.to_string())
}

struct CpSat {
    first: Option<f64>,
    trace: Vec<(f64, i64)>,
    bound: f64,
    violations: usize,
    rust_objective: Option<i64>,
    status: String,
}

fn run_cpsat(
    python: &str,
    model: &Path,
    out: &Path,
    limit: f64,
    inst: &Instance,
    engine: &Engine,
) -> Result<CpSat, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/cpsat_scheduler.py");
    let status = Command::new(python)
        .arg(&script)
        .arg(model)
        .arg(out)
        .args(["--limit", &limit.to_string(), "--workers", "2"])
        .status()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    if !status.success() {
        return Err(format!("CP-SAT script failed: {status}"));
    }
    let text = std::fs::read_to_string(out).map_err(|e| e.to_string())?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let trace: Vec<(f64, i64)> = v["trace"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| Some((p[0].as_f64()?, p[1].as_i64()?))).collect())
        .unwrap_or_default();
    let placed: Vec<PlacedIn> = serde_json::from_value(v["solution"].clone()).unwrap_or_default();
    let (violations, rust_objective) = if trace.is_empty() {
        (0, None)
    } else {
        let plan = import(inst, engine.model(), &placed);
        (validate(inst, &plan).len(), Some(objective(inst, engine.model(), &plan)))
    };
    Ok(CpSat {
        first: trace.first().map(|p| p.0),
        trace,
        bound: v["best_bound"].as_f64().unwrap_or(f64::NAN),
        violations,
        rust_objective,
        status: v["status"].as_str().unwrap_or("?").to_owned(),
    })
}

/// Repair after each of three changes, on copies of the solved engine: the slowest, in ms,
/// and how many engagements moved for each.
fn repairs(engine: &Engine) -> (f64, Vec<usize>, usize) {
    let plan = engine.plan();
    let inst = engine.instance();
    let unpinned = |kind: fn(EngagementKind) -> bool| {
        plan.assignments
            .iter()
            .find(|a| {
                inst.engagements.iter().any(|e| e.id == a.engagement && e.pin.is_none() && kind(e.kind))
            })
            .cloned()
    };
    let mut changes = Vec::new();
    if let Some(a) = unpinned(EngagementKind::is_inspection) {
        changes.push(Change::InspectorUnavailable { inspector: a.team[0].0, days: a.onsite });
        let area = inst
            .engagements
            .iter()
            .find(|e| e.id == a.engagement)
            .map(|e| e.area.clone())
            .unwrap_or_default();
        changes.push(Change::AreaPostpones { area, days: a.onsite });
    }
    if let Some(a) = unpinned(|k| k == EngagementKind::InterimVisit) {
        changes.push(Change::ConsentWithdrawn { engagement: a.engagement });
    }
    let mut worst = 0.0f64;
    let mut moved = Vec::new();
    let mut violations = 0;
    for c in &changes {
        let mut copy = engine.clone();
        let start = Instant::now();
        let Ok(report) = copy.repair(c) else { continue };
        worst = worst.max(start.elapsed().as_secs_f64() * 1000.0);
        moved.push(report.moved.len());
        violations += validate(copy.instance(), &report.plan).len();
    }
    (worst, moved, violations)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opt = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let quick = args.iter().any(|a| a == "--quick");
    let python = opt("--cpsat");
    let limit: f64 = opt("--limit").and_then(|s| s.parse().ok()).unwrap_or(if quick { 10.0 } else { 60.0 });
    let ours: f64 = opt("--ours").and_then(|s| s.parse().ok()).unwrap_or(if quick { 1.0 } else { 10.0 });
    let names = opt("--instances").unwrap_or_else(|| {
        if quick { "national-100".into() } else { "national-60,national-100,national-150".into() }
    });
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/scheduler-bench");
    std::fs::create_dir_all(&dir)?;
    let checkpoints: Vec<f64> =
        [1.0, 10.0, 60.0, 300.0].into_iter().filter(|t| *t <= limit.max(ours)).collect();
    let mut table = String::new();
    let head = checkpoints.iter().map(|t| format!(" @{t}s")).collect::<Vec<_>>();
    writeln!(
        table,
        "| instance | engagements / inspectors | solver | first feasible |{} | reaches CP-SAT's best at | unplaced | hard violations | repair (worst of 3) | moved per repair | peak RSS |",
        head.join(" |")
    )?;
    writeln!(table, "|{}", "---|".repeat(10 + checkpoints.len()))?;
    for name in names.split(',') {
        let Some(inst) = instance(name) else {
            eprintln!("unknown instance {name}");
            continue;
        };
        let size = format!("{} / {}", inst.engagements.len(), inst.inspectors.len());
        std::fs::write(dir.join(format!("{name}.instance.json")), serde_json::to_string(&inst)?)?;
        // Ours.
        let start = Instant::now();
        let mut engine = Engine::new(inst.clone())?;
        let compiled = start.elapsed().as_secs_f64();
        let plan = engine.solve(Budget::time(Duration::from_secs_f64(ours), 1));
        let stats = engine.stats().clone();
        let trace: Vec<(f64, i64)> =
            stats.trace.iter().map(|(t, c)| (compiled + t.as_secs_f64(), *c)).collect();
        let violations = validate(&inst, &plan).len();
        if args.iter().any(|a| a == "--explain") {
            for u in &plan.unplaced {
                println!(
                    "unplaced {}: {} ({}); {}",
                    u.engagement,
                    u.rule,
                    u.message,
                    u.near_miss.clone().unwrap_or_default()
                );
            }
        }
        assert_eq!(objective(&inst, engine.model(), &plan), plan.cost, "incremental cost drifted");
        let rss = peak_rss_mb();
        let (repair_ms, moved, repair_violations) = repairs(&engine);
        let model_path = dir.join(format!("{name}.model.json"));
        std::fs::write(&model_path, serde_json::to_string(&export(&inst, engine.model()))?)?;
        let cpsat = match &python {
            Some(py) => Some(run_cpsat(
                py,
                &model_path,
                &dir.join(format!("{name}.cpsat.json")),
                limit,
                &inst,
                &engine,
            )?),
            None => None,
        };
        let target = cpsat.as_ref().and_then(|c| c.trace.last().map(|p| p.1));
        let reach = |tr: &[(f64, i64)]| match target {
            Some(goal) => {
                tr.iter().find(|p| p.1 <= goal).map_or("not reached".into(), |p| format!("{:.3} s", p.0))
            }
            None => "—".into(),
        };
        let cols = |tr: &[(f64, i64)], limit: f64| {
            checkpoints
                .iter()
                .map(|t| if *t <= limit + 1e-9 { format!(" {}", fmt_obj(at(tr, *t))) } else { " —".into() })
                .collect::<Vec<_>>()
                .join(" |")
        };
        writeln!(
            table,
            "| {name} | {size} | ours (seed 1, {ours} s) | {:.3} s |{} | {} | {} | {violations} (repairs: {repair_violations}) | {repair_ms:.1} ms | {moved:?} | {rss:.0} MB |",
            compiled + stats.first_feasible.as_secs_f64(),
            cols(&trace, ours),
            reach(&trace),
            plan.unplaced.len(),
        )?;
        if let Some(c) = cpsat {
            let unplaced = c.rust_objective.map_or("—".into(), |_| {
                let placed: Vec<PlacedIn> = std::fs::read_to_string(dir.join(format!("{name}.cpsat.json")))
                    .ok()
                    .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                    .and_then(|v| serde_json::from_value(v["solution"].clone()).ok())
                    .unwrap_or_default();
                (inst.engagements.len() - import(&inst, engine.model(), &placed).assignments.len())
                    .to_string()
            });
            writeln!(
                table,
                "| {name} | {size} | CP-SAT 9.15 (2 workers, {limit} s; {}; bound {:.0}; Rust-scored {}) | {} |{} | {} | {unplaced} | {} | — | — | — |",
                c.status,
                c.bound,
                fmt_obj(c.rust_objective),
                c.first.map_or("none".into(), |f| format!("{f:.3} s")),
                cols(&c.trace, limit),
                reach(&c.trace),
                c.violations,
            )?;
        }
        println!("{name}: done");
    }
    println!("\n{table}");
    std::fs::write(dir.join("results.md"), &table)?;
    Ok(())
}
