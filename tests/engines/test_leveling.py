"""The resource-leveling engine: API, errors, PSPLIB parsing, golden PSPLIB optima, the bench CLI."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from keel.engines.leveling import (
    Activity,
    LevelingError,
    Precedence,
    Problem,
    check,
    critical_path_bound,
    level,
    read_psplib,
)

ROOT = Path(__file__).resolve().parents[2]
PSPLIB = ROOT.parent / "shared" / "data" / "psplib"
needs_psplib = pytest.mark.skipif(not (PSPLIB / "known_makespans.csv").is_file(), reason="PSPLIB data absent")

SMALL_SM = """\
************************************************************************
file with basedata            : tiny.bas
************************************************************************
projects                      :  1
jobs (incl. supersource/sink ):  5
horizon                       :  20
RESOURCES
  - renewable                 :  1   R
  - nonrenewable              :  0   N
  - doubly constrained        :  0   D
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          3           2   3   4
   2        1          1           5
   3        1          1           5
   4        1          1           5
   5        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1
------------------------------------------------------------------------
  1      1     0       0
  2      1     3       2
  3      1     2       2
  4      1     4       1
  5      1     0       0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1
    3
************************************************************************
"""


def fs(a: str, b: str, problem_durations: dict[str, int], lag: int = 0) -> Precedence:
    return Precedence(a, b, problem_durations[a] + lag)


def test_read_psplib_small_file():
    problem = read_psplib(SMALL_SM)
    assert [a.id for a in problem.activities] == ["1", "2", "3", "4", "5"]
    assert problem.capacities == {"R1": 3}
    assert problem.activities[1].demands == {"R1": 2}
    assert problem.activities[0].demands == {}
    assert Precedence("2", "5", 3) in problem.precedences
    assert Precedence("1", "2", 0) in problem.precedences
    assert critical_path_bound(problem) == 4


def test_small_file_levels_to_its_optimum():
    problem = read_psplib(SMALL_SM)
    # 2 and 3 need 2 of 3 units each: they cannot overlap; 4 (1 unit) runs beside either.
    for mode in ("heuristic", "optimal"):
        result = level(problem, mode=mode, time_limit=2)
        assert check(problem, result.starts) == []
        assert result.makespan == 5
        assert result.mode == mode
    result = level(problem, mode="optimal", time_limit=5)
    assert result.proven_optimal
    assert result.lower_bound == 5


def test_no_conflict_keeps_early_starts_and_is_proven_at_the_critical_path():
    durations = {"a": 2, "b": 3, "c": 1}
    problem = Problem(
        activities=(
            Activity("a", 2, {"R": 1}),
            Activity("b", 3, {"R": 1}),
            Activity("c", 1, {"R": 1}, release=1),
        ),
        precedences=(fs("a", "b", durations),),
        capacities={"R": 2},
    )
    result = level(problem)
    assert dict(result.starts) == {"a": 0, "b": 2, "c": 1}
    assert result.makespan == 5
    assert result.lower_bound == 5
    assert result.proven_optimal
    assert result.group_finishes == {"": 5}


def test_delays_within_float_first():
    # b can slip within its float (the chain a→c is longer), so the makespan does not grow.
    durations = {"a": 4, "b": 2, "c": 4}
    problem = Problem(
        activities=(Activity("a", 4, {"R": 1}), Activity("b", 2, {"R": 1}), Activity("c", 4, {"R": 1})),
        precedences=(fs("a", "c", durations),),
        capacities={"R": 1},
    )
    result = level(problem, mode="optimal", time_limit=2)
    assert result.makespan == 10
    assert check(problem, result.starts) == []
    problem2 = Problem(
        activities=(Activity("a", 4, {"R": 1}), Activity("b", 2, {"X": 1}), Activity("c", 4, {"R": 1})),
        precedences=(fs("a", "c", durations),),
        capacities={"R": 1, "X": 1},
    )
    assert level(problem2).starts["b"] == 0


def test_capacity_steps_are_respected():
    problem = Problem(
        activities=(Activity("a", 3, {"R": 2}), Activity("b", 3, {"R": 2})),
        capacities={"R": 2},
        capacity_changes={"R": ((2, 4), (10, 1))},
    )
    for mode in ("heuristic", "optimal"):
        result = level(problem, mode=mode, time_limit=2)
        assert check(problem, result.starts) == []
        # Only one fits before period 2 (capacity 2); the other starts at 2 (capacity 4).
        assert result.makespan == 5
    # A capacity drop that a naive schedule would run into.
    problem = Problem(
        activities=(Activity("a", 4, {"R": 3}),),
        capacities={"R": 3},
        capacity_changes={"R": ((2, 1), (6, 3))},
    )
    result = level(problem)
    assert result.starts["a"] == 6
    assert check(problem, result.starts) == []
    assert check(problem, {"a": 0}) == [
        "resource 'R': 3 used at period 2, capacity 1",
        "resource 'R': 3 used at period 3, capacity 1",
    ]


def test_fixed_starts_are_never_moved_and_others_level_around_them():
    problem = Problem(
        activities=(
            Activity("pinned", 3, {"R": 1}, fixed_start=2),
            Activity("x", 2, {"R": 1}),
            Activity("y", 2, {"R": 1}),
        ),
        capacities={"R": 1},
    )
    for mode in ("heuristic", "optimal"):
        result = level(problem, mode=mode, time_limit=2)
        assert result.starts["pinned"] == 2
        assert check(problem, result.starts) == []
        assert result.makespan == 7


def test_pinned_successor_is_a_deadline_for_its_predecessor():
    problem = Problem(
        activities=(
            Activity("p", 2, {"R": 1}),
            Activity("q", 2, {"R": 1}),
            Activity("pinned", 1, {}, fixed_start=2),
        ),
        precedences=(Precedence("p", "pinned", 2),),
        capacities={"R": 1},
    )
    result = level(problem)
    assert result.starts["p"] == 0
    assert result.starts["q"] == 2
    assert check(problem, result.starts) == []


def test_negative_start_periods_for_actuals():
    problem = Problem(
        activities=(Activity("started", 5, {"R": 1}, fixed_start=-3), Activity("next", 2, {"R": 1})),
        capacities={"R": 1},
    )
    result = level(problem)
    assert dict(result.starts) == {"started": -3, "next": 2}
    assert result.makespan == 4


def test_lead_and_start_to_start_links_and_zero_loops():
    # SS with lag 1 both ways closes a loop of total delay 0: b starts exactly 1 after a... and
    # a starts >= b - 1: a rigid pair.
    problem = Problem(
        activities=(Activity("a", 3, {"R": 1}), Activity("b", 3, {"R": 1}), Activity("c", 2, {"R": 2})),
        precedences=(Precedence("a", "b", 1), Precedence("b", "a", -1), Precedence("b", "c", -2)),
        capacities={"R": 2},
    )
    for mode in ("heuristic", "optimal"):
        result = level(problem, mode=mode, time_limit=2)
        assert check(problem, result.starts) == []
        assert result.starts["b"] == result.starts["a"] + 1


def test_several_projects_weighted_by_priority():
    acts = tuple(Activity(f"{g}{i}", 3, {"R": 1}, group=g) for g in ("hi", "lo") for i in range(2))
    problem = Problem(activities=acts, capacities={"R": 1}, group_weights={"hi": 5, "lo": 1})
    for mode in ("heuristic", "optimal"):
        result = level(problem, mode=mode, time_limit=2)
        assert check(problem, result.starts) == []
        assert result.group_finishes == {"hi": 6, "lo": 12}
    swapped = Problem(activities=acts, capacities={"R": 1}, group_weights={"hi": 1, "lo": 5})
    assert level(swapped, mode="optimal", time_limit=2).group_finishes == {"hi": 12, "lo": 6}


def test_zero_durations_and_zero_demands_are_normal():
    problem = Problem(
        activities=(Activity("m", 0, {"R": 9}), Activity("a", 2, {}), Activity("b", 2, {"R": 0})),
        precedences=(Precedence("m", "a", 0),),
        capacities={"R": 1},
    )
    result = level(problem)
    assert dict(result.starts) == {"m": 0, "a": 0, "b": 0}


def test_empty_problem():
    result = level(Problem(activities=()))
    assert result.makespan == 0
    assert result.proven_optimal


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        (
            Problem(activities=(Activity("a", 1, {"Z": 1}),), capacities={"R": 1}),
            "activity 'a': unknown resource 'Z'",
        ),
        (Problem(activities=(Activity("a", -1),)), "activity 'a': duration -1 must be an integer >= 0"),
        (
            Problem(
                activities=(Activity("a", 1, {"R": 3}),),
                capacities={"R": 2},
                capacity_changes={"R": ((5, 1),)},
            ),
            "activity 'a': needs 3 of resource 'R', above its capacity at every period (at most 2)",
        ),
        (
            Problem(
                activities=(Activity("a", 1), Activity("b", 1), Activity("c", 1)),
                precedences=(Precedence("a", "b", 1), Precedence("b", "c", 1), Precedence("c", "a", -1)),
            ),
            "precedences form a loop with a positive total delay: ",
        ),
        (Problem(activities=(Activity("a", 1), Activity("a", 2))), "activity 'a': the id is used twice"),
        (
            Problem(activities=(Activity("a", 1),), precedences=(Precedence("a", "x"),)),
            "unknown activity 'x'",
        ),
        (
            Problem(
                activities=(
                    Activity("a", 1, {"R": 1}, fixed_start=0),
                    Activity("b", 1, {"R": 1}, fixed_start=0),
                ),
                capacities={"R": 1},
            ),
            "resource 'R': the fixed activities a, b need more than its capacity at period 0",
        ),
        (
            Problem(
                activities=(Activity("a", 3, fixed_start=0), Activity("b", 1, fixed_start=1)),
                precedences=(Precedence("a", "b", 3),),
            ),
            "activity 'b': fixed start 1 is before the earliest start 3 its dependencies allow (after 'a')",
        ),
        (
            Problem(activities=(Activity("a", 1),), capacity_changes={"R": ((1, 1),)}),
            "resource 'R': capacity changes for a resource with no capacity",
        ),
    ],
)
def test_errors_name_the_culprit(problem, message):
    with pytest.raises(LevelingError) as info:
        level(problem)
    assert message in str(info.value)


def test_loop_error_names_the_loop():
    problem = Problem(
        activities=(Activity("a", 1), Activity("b", 1), Activity("c", 1)),
        precedences=(Precedence("a", "b", 1), Precedence("b", "c", 1), Precedence("c", "a", -1)),
    )
    with pytest.raises(LevelingError) as info:
        critical_path_bound(problem)
    text = str(info.value)
    assert all(name in text for name in ("'a'", "'b'", "'c'")) or all(x in text for x in ("a", "b", "c"))


def test_bad_mode_and_time_limit():
    problem = Problem(activities=(Activity("a", 1),))
    with pytest.raises(LevelingError, match="mode 'best'"):
        level(problem, mode="best")
    with pytest.raises(LevelingError, match="time_limit"):
        level(problem, time_limit=0)


def test_read_psplib_rejects_garbage():
    with pytest.raises(LevelingError, match="PRECEDENCE RELATIONS"):
        read_psplib("hello")
    with pytest.raises(LevelingError, match="modes"):
        read_psplib(
            SMALL_SM.replace("   2        1          1           5", "   2        3          1           5")
        )


def test_progress_is_reported():
    seen = []
    level(read_psplib(SMALL_SM), mode="optimal", time_limit=1, progress=seen.append)
    assert seen and seen[-1] == 1.0
    assert all(0.0 <= x <= 1.0 for x in seen)


# -- PSPLIB golden optima ---------------------------------------------------------------------------

GOLDEN = ["j301_1.sm", "j3010_1.sm", "j3021_1.sm", "j3025_5.sm", "j3041_4.sm"]


def known() -> dict[str, dict[str, str]]:
    with (PSPLIB / "known_makespans.csv").open(newline="") as fh:
        return {Path(r["file"]).name: r for r in csv.DictReader(fh)}


@needs_psplib
@pytest.mark.parametrize("name", GOLDEN)
def test_j30_known_optimum_reached_and_proven(name):
    row = known()[name]
    problem = read_psplib((PSPLIB / row["file"]).read_text())
    result = level(problem, mode="optimal", time_limit=10)
    assert check(problem, result.starts) == []
    assert result.makespan == int(row["upper_bound"])
    assert row["optimal"] == "1"
    assert critical_path_bound(problem) <= result.lower_bound <= result.makespan
    if critical_path_bound(problem) == result.makespan:
        assert result.proven_optimal  # reached the bound: proven without search
    # (Proofs of the others take CP-SAT a few seconds on a quiet machine: not asserted here.)


@needs_psplib
def test_j120_heuristic_is_feasible_and_above_the_bound():
    row = known()["j12011_1.sm"]
    problem = read_psplib((PSPLIB / row["file"]).read_text())
    result = level(problem, time_limit=0.3)
    assert check(problem, result.starts) == []
    assert result.makespan >= int(row["lower_bound"])
    assert result.makespan >= critical_path_bound(problem)
    assert result.seconds < 1.5
    assert result.schedules > 10


# -- the bench CLI ----------------------------------------------------------------------------------


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "psplib.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_csv(path: Path, rows: list[dict[str, str]], columns=None) -> Path:
    columns = columns or [
        "set",
        "parameter",
        "instance",
        "file",
        "lower_bound",
        "upper_bound",
        "optimal",
        "lb_source",
        "ub_source",
    ]
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    return path


def test_bench_json_on_a_folder(tmp_path):
    data = tmp_path / "data" / "tiny"
    data.mkdir(parents=True)
    (data / "tiny_1.sm").write_text(SMALL_SM)
    (data / "tiny_2.sm").write_text(SMALL_SM)
    rows = [
        {"set": "T", "file": "somewhere/tiny_1.sm", "lower_bound": "5", "upper_bound": "5", "optimal": "1"}
    ]
    known_csv = write_csv(tmp_path / "k.csv", rows)
    out = bench(str(tmp_path / "data"), str(known_csv), "--json", "--mode", "optimal", "--time-limit", "2")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [x["set"] for x in lines] == ["T", "tiny"]  # the CSV's set, else the folder name
    t = lines[0]
    assert t["instances"] == 1 and t["best_matched"] == 1 and t["proven_optimal"] == 1
    assert t["mean_dev_cp_pct"] == 25.0 and t["mean_dev_best_pct"] == 0.0
    assert set(t) == {
        "set", "instances", "mean_dev_cp_pct", "mean_dev_best_pct", "best_matched", "proven_optimal",
        "seconds_per_instance",
    }  # fmt: skip
    assert lines[1]["mean_dev_best_pct"] is None
    text = bench(str(tmp_path / "data"), str(known_csv))
    assert text.returncode == 0
    assert "dev CP %" in text.stdout


def test_bench_at_a_fixed_schedule_budget_on_a_subset(tmp_path):
    data = tmp_path / "data" / "tiny"
    data.mkdir(parents=True)
    for i in range(1, 5):
        (data / f"tiny_{i}.sm").write_text(SMALL_SM)
    rows = [{"set": "T", "file": f"tiny_{i}.sm", "upper_bound": "5"} for i in range(1, 5)]
    known_csv = write_csv(tmp_path / "k.csv", rows)
    out = bench(
        str(tmp_path / "data"),
        str(known_csv),
        "--json",
        "--schedules",
        "500",
        "--every",
        "2",
        "--offset",
        "1",
    )
    assert out.returncode == 0, out.stderr
    (line,) = [json.loads(x) for x in out.stdout.splitlines()]
    assert line["instances"] == 2  # tiny_2 and tiny_4
    assert line["best_matched"] == 2 and line["mean_dev_best_pct"] == 0.0
    text = bench(str(tmp_path / "data"), str(known_csv), "--schedules", "500", "--populations", "1")
    assert text.returncode == 0 and "1 x 500 schedules" in text.stdout
    for bad in (("--schedules", "-1"), ("--populations", "0"), ("--offset", "-2")):
        out = bench(str(tmp_path / "data"), str(known_csv), *bad)
        assert out.returncode == 2 and bad[0] in out.stderr and "Traceback" not in out.stderr


def test_bench_bad_arguments(tmp_path):
    good = write_csv(tmp_path / "k.csv", [])
    out = bench(str(tmp_path / "nope"), str(good))
    assert out.returncode != 0 and "not a folder" in out.stderr and "Traceback" not in out.stderr
    bad_csv = write_csv(tmp_path / "bad.csv", [], columns=["set", "file"])
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.sm").write_text(SMALL_SM)
    out = bench(str(tmp_path / "d"), str(bad_csv))
    assert out.returncode != 0 and "missing column(s)" in out.stderr and "Traceback" not in out.stderr
    out = bench(str(tmp_path / "d"), str(tmp_path / "missing.csv"))
    assert out.returncode != 0 and "cannot read the CSV" in out.stderr
    (tmp_path / "d" / "y.sm").write_text("not a psplib file")
    out = bench(str(tmp_path / "d"), str(good))
    assert out.returncode != 0 and "y.sm" in out.stderr and "Traceback" not in out.stderr
    (tmp_path / "d" / "y.sm").write_bytes(b"\xff\xfe\x00garbage")
    out = bench(str(tmp_path / "d"), str(good))
    assert out.returncode != 0 and "y.sm" in out.stderr and "Traceback" not in out.stderr


def test_capacity_drop_that_priority_rules_walk_into():
    # "a" fits only before the drop at period 3; a rule that starts "b" or "c" first blocks it.
    problem = Problem(
        activities=(Activity("b", 1, {"R": 1}), Activity("c", 2, {"R": 1}), Activity("a", 3, {"R": 2})),
        capacities={"R": 2},
        capacity_changes={"R": ((3, 1),)},
    )
    for mode in ("heuristic", "optimal"):
        result = level(problem, mode=mode, time_limit=2)
        assert check(problem, result.starts) == []
        assert result.starts["a"] == 0
        assert result.makespan == 6
    assert level(problem, mode="optimal", time_limit=5).proven_optimal


def test_no_room_left_by_a_capacity_drop_is_an_error():
    problem = Problem(
        activities=(Activity("a", 4, {"R": 2}),), capacities={"R": 2}, capacity_changes={"R": ((3, 1),)}
    )
    with pytest.raises(LevelingError, match="no schedule"):
        level(problem, time_limit=2)
