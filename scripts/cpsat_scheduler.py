#!/usr/bin/env python3
"""CP-SAT model of the SEND Planner national programme, for the scheduler benchmark.

Reads the compiled model the Rust bench exports (backend/src/domain/scheduler/export.rs): the
calendar rules are already applied there, so both solvers face the same combinatorial problem
with the same objective:

  hard  each engagement takes at most one of its candidate slots; if placed, each role of its
        team gets exactly one eligible inspector (eligibility = inspectorate, social care,
        no conflict of interest) and nobody takes two roles; an inspector holds at most one
        engagement per calendar week and none in a week they are unavailable or held by a
        pinned engagement (one NoOverlap per inspector over optional intervals); at most
        `capacity_per_term` engagements per inspector per term.
  cost  unplaced_cost per engagement left out
        + w_region  per team member from outside the area's region
        + w_load    per engagement an inspector carries above load_target
        + w_delay   per week an urgent engagement starts after its earliest slot
        + w_spread  per interim visit in a (region, term) above spread_cap[region]
        + w_missing per region with interim visits to place and none placed
        + w_mix     per interim visit in a (kind of area, term) above mix_cap[kind]: urban,
                    rural, did well at the last inspection, did not (an engagement's "mix")

Usage: cpsat_scheduler.py MODEL.json OUT.json --limit 60 [--workers 2]
Writes the trace of improving solutions (seconds, objective), the best bound and the final
solution (index, slot, team per role), which the bench validates with the Rust validator.
"""

import argparse
import json
import time

from ortools.sat.python import cp_model


def build(m):
    model = cp_model.CpModel()
    w_region, w_load, w_delay, w_spread, w_missing, w_mix = m["weights"]
    n_insp = len(m["inspectors"])
    terms = m["terms"]
    cost = []
    x = []  # x[e][s]
    y = []  # y[e][r] = {i: var}
    placed = []
    pres = [dict() for _ in range(n_insp)]  # pres[i][e] = bool: i is in e's team
    in_term = []  # in_term[e][t] = linear expr
    for ei, e in enumerate(m["engagements"]):
        xs = [model.NewBoolVar(f"x{ei}_{s}") for s in range(len(e["slots"]))]
        x.append(xs)
        p = model.NewBoolVar(f"placed{ei}")
        model.Add(sum(xs) == p)
        placed.append(p)
        cost.append(e["unplaced_cost"] * (1 - p))
        if e["urgent"]:
            cost.append(w_delay * sum(s["delay"] * v for s, v in zip(e["slots"], xs)))
        terms_e = {}
        for s, v in zip(e["slots"], xs):
            terms_e.setdefault(s["term"], []).append(v)
        in_term.append({t: sum(vs) for t, vs in terms_e.items()})
        roles = []
        for r, elig in enumerate(e["eligible"]):
            vs = {i: model.NewBoolVar(f"y{ei}_{r}_{i}") for i in elig}
            model.Add(sum(vs.values()) == p)
            roles.append(vs)
        y.append(roles)
        members = {}
        for vs in roles:
            for i, v in vs.items():
                members.setdefault(i, []).append(v)
        length = e["slots"][0]["len"] if e["slots"] else 1
        start = model.NewIntVar(0, max(m["weeks"] - 1, 0), f"start{ei}")
        if xs:
            model.Add(start == sum(s["week"] * v for s, v in zip(e["slots"], xs)))
        for i, vs in members.items():
            if len(vs) == 1:
                b = vs[0]
            else:
                b = model.NewBoolVar(f"m{ei}_{i}")
                model.Add(sum(vs) == b)  # at most one role each
            pres[i][ei] = (b, start, length)
            if m["inspectors"][i]["region"] != e["region"]:
                cost.append(w_region * b)
    for i, insp in enumerate(m["inspectors"]):
        intervals = [model.NewFixedSizeIntervalVar(k, 1, f"busy{i}_{k}") for k in insp["busy_weeks"]]
        for ei, (b, start, length) in pres[i].items():
            intervals.append(model.NewOptionalFixedSizeIntervalVar(start, length, b, f"iv{ei}_{i}"))
        if len(intervals) > 1:
            model.AddNoOverlap(intervals)
        # Term load: AND of "in the team" and "in term t".
        for t in range(terms):
            load = []
            for ei, (b, _, _) in pres[i].items():
                if t not in in_term[ei]:
                    continue
                a = model.NewBoolVar(f"l{ei}_{i}_{t}")
                model.Add(a >= b + in_term[ei][t] - 1)
                load.append(a)
            if len(load) > insp["capacity_per_term"][t]:
                model.Add(sum(load) <= insp["capacity_per_term"][t])
        total = sum(b for b, _, _ in pres[i].values())
        if pres[i]:
            excess = model.NewIntVar(0, len(pres[i]), f"excess{i}")
            model.Add(excess >= total - m["load_target"])
            cost.append(w_load * excess)
    # Interim spread and regional coverage.
    for r, cap in enumerate(m["spread_cap"]):
        interims = [ei for ei, e in enumerate(m["engagements"]) if e["interim"] and e["region"] == r]
        if not interims:
            continue
        for t in range(terms):
            count = [in_term[ei][t] for ei in interims if t in in_term[ei]]
            if len(count) > cap:
                ex = model.NewIntVar(0, len(count), f"spread{r}_{t}")
                model.Add(ex >= sum(count) - cap)
                cost.append(w_spread * ex)
        if m["region_has_interim"][r]:
            miss = model.NewBoolVar(f"miss{r}")
            model.Add(miss + sum(placed[ei] for ei in interims) >= 1)
            cost.append(w_missing * miss)
    # The interim mix: urban and rural areas, areas that did well and did not, in each term.
    for g, cap in enumerate(m["mix_cap"]):
        members = [ei for ei, e in enumerate(m["engagements"]) if e["interim"] and g in e["mix"]]
        for t in range(terms):
            count = [in_term[ei][t] for ei in members if t in in_term[ei]]
            if len(count) > cap:
                ex = model.NewIntVar(0, len(count), f"mix{g}_{t}")
                model.Add(ex >= sum(count) - cap)
                cost.append(w_mix * ex)
    model.Minimize(sum(cost))
    return model, x, y


class Trace(cp_model.CpSolverSolutionCallback):
    def __init__(self, start):
        super().__init__()
        self.start = start
        self.points = []

    def on_solution_callback(self):
        self.points.append([time.monotonic() - self.start, int(self.ObjectiveValue())])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("out")
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with open(args.model) as f:
        m = json.load(f)
    start = time.monotonic()
    model, x, y = build(m)
    built = time.monotonic() - start
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = args.limit
    solver.parameters.num_workers = args.workers
    solver.parameters.random_seed = args.seed
    trace = Trace(time.monotonic())  # times count from the solve, not the model build
    status = solver.Solve(model, trace)
    solution = []
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for ei, e in enumerate(m["engagements"]):
            slot = next((s for s, v in enumerate(x[ei]) if solver.Value(v)), None)
            if slot is None:
                continue
            team = [next(i for i, v in vs.items() if solver.Value(v)) for vs in y[ei]]
            solution.append({"index": e["index"], "slot": slot, "team": team})
    out = {
        "status": solver.StatusName(status),
        "build_seconds": built,
        "wall_seconds": time.monotonic() - start,
        "trace": trace.points,
        "best_bound": solver.BestObjectiveBound(),
        "solution": solution,
    }
    with open(args.out, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
