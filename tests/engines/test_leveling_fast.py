"""The compiled schedule generation and genetic algorithm behind the leveling engine's heuristic."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from keel.engines import leveling, leveling_fast
from keel.engines.leveling import Activity, Precedence, Problem, check, level, read_psplib
from tests.engines.test_leveling_properties import objective, problems, random_problem

PSPLIB = Path(__file__).resolve().parents[3] / "shared" / "data" / "psplib"
needs_psplib = pytest.mark.skipif(not (PSPLIB / "known_makespans.csv").is_file(), reason="PSPLIB data absent")


@pytest.fixture(scope="module", autouse=True)
def compiled():
    """Compile (or load from the disk cache) once for the module; every test uses the kernels."""
    assert leveling_fast.available()
    assert leveling_fast.ready(wait=600)


def arrays_of(problem: Problem):
    c = leveling._Compiled(problem)
    assert c.nunits == c.n
    return c, leveling_fast.Arrays(c)


def kernel_args(a):
    return (
        a.dur,
        a.rel,
        a.lst,
        a.fixed,
        a.pptr,
        a.pidx,
        a.pdel,
        a.sptr,
        a.sidx,
        a.sdel,
        a.rptr,
        a.rk,
        a.rq,
        a.hor,
    )


def a_list(c, a, seed: int) -> np.ndarray:
    """A random precedence-feasible list of the movable activities."""
    rng = np.random.default_rng(seed)
    order = np.zeros(len(a.free), np.int64)
    missing = np.zeros(c.n, np.int64)
    leveling_fast._sample(
        rng.random(c.n), a.free, a.spos, order, missing, a.pptr, a.pidx, a.sptr, a.sidx, 2.0, False
    )
    return order


def test_compiled_serial_scheme_equals_the_python_one():
    for seed in range(6):
        problem = random_problem(seed, 40, 1 + seed % 3)
        c, a = arrays_of(problem)
        for k in range(5):
            order = a_list(c, a, k)
            position = [0.0] * c.n
            for i, v in enumerate(order):
                position[c.unit_of[v]] = float(i)
            expected = [0] * c.n
            ok_python = leveling._serial(c, None, position, 2.0, expected)
            starts = np.zeros(c.n, np.int64)
            prof = np.empty_like(a.prof0)
            ok = leveling_fast._serial(order, starts, prof, a.prof0, *kernel_args(a))
            assert ok == ok_python
            if ok:
                assert list(starts) == expected


def test_lists_respect_every_precedence_even_with_leads():
    problem = random_problem(3, 50, 2)
    c, a = arrays_of(problem)
    assert a.negative  # SS, FF and SF links with leads: a successor may start first
    position = {}
    for i, v in enumerate(a_list(c, a, 0)):
        position[v] = i
    for x, y, _ in c.edges:
        if x in position and y in position:
            assert position[x] < position[y]


def test_insertion_mutation_moves_one_activity_within_its_precedences():
    problem = random_problem(3, 50, 2)  # leads included: the list order still follows every link
    c, a = arrays_of(problem)
    order = a_list(c, a, 0)
    where = np.full(c.n, -1, np.int64)
    leveling_fast._seed(7)
    moved = 0
    for _ in range(300):
        before = order.copy()
        leveling_fast._shift(order, where, a.pptr, a.pidx, a.sptr, a.sidx)
        assert sorted(order) == sorted(before)
        changed = np.flatnonzero(order != before)
        if len(changed):
            moved += 1
            # One activity left its place and the ones between shifted by one towards it.
            lo, hi = changed[0], changed[-1]
            if order[lo] == before[hi]:
                assert list(order[lo + 1 : hi + 1]) == list(before[lo:hi])
            else:
                assert order[hi] == before[lo] and list(order[lo:hi]) == list(before[lo + 1 : hi + 1])
        position = {v: i for i, v in enumerate(order)}
        for x, y, _ in c.edges:
            if x in position and y in position:
                assert position[x] < position[y]
    assert moved > 100


def test_double_justification_keeps_feasibility_and_never_loses():
    problem = random_problem(5, 60, 1)
    c, a = arrays_of(problem)
    ga = leveling_fast.FastGA(a, seed=0, size=4)
    for k in range(20):
        order = a_list(c, a, k)
        starts = np.zeros(c.n, np.int64)
        prof = np.empty_like(a.prof0)
        assert leveling_fast._serial(order, starts, prof, a.prof0, *kernel_args(a))
        plain = leveling_fast._score(starts, a.dur, a.group, a.weight)
        assert ga.add(order.copy())
        improved = leveling_fast._score(ga.starts, a.dur, a.group, a.weight)
        assert improved <= plain
        out = {c.ids[v]: int(ga.starts[v]) + c.origin for v in range(c.n)}
        assert check(problem, out) == []


def test_population_lists_stay_feasible_through_crossover_mutation_and_restarts():
    problem = random_problem(8, 60, 3)
    c, a = arrays_of(problem)
    rules = leveling._rule_arrays(c)
    ga = leveling_fast.FastGA(a, seed=1, size=10)
    ga.populate(rules, target=0, deadline=float("inf"))
    assert ga.full
    ga.evolve(200, target=0, mutation=0.3)
    before = tuple(ga.bestfit)
    ga.restart(keep=2)
    ga.evolve(200, target=0, mutation=0.3)
    assert tuple(ga.bestfit) <= before
    for order in ga.pop:
        assert sorted(order) == sorted(a.free)
        position = {v: i for i, v in enumerate(order)}
        for x, y, _ in c.edges:
            if x in position and y in position:
                assert position[x] < position[y]
    out = {c.ids[v]: int(ga.best[v]) + c.origin for v in range(c.n)}
    assert check(problem, out) == []
    assert objective(problem, out) == ga.bestfit[0] + c.origin * sum(c.weight)
    # At its deadline a restart stops sampling: the kept individuals carry on, the best unchanged.
    best = tuple(ga.bestfit)
    made = ga.schedules
    ga.restart(keep=3, deadline=0.0)
    assert ga.count == 3 and ga.schedules == made and tuple(ga.bestfit) == best


def test_peak_crossover_children_stay_feasible(monkeypatch):
    """Only peak crossovers: every list stays precedence-feasible and every individual's stored
    schedule (what the next peak crossover reads) is the feasible schedule of its list."""
    monkeypatch.setattr(leveling_fast, "PEAK", 1.0)
    base = random_problem(5, 70, 2)
    # Without negative delays the peak crossover applies (leads would turn it off).
    problem = Problem(
        activities=base.activities,
        precedences=tuple(p for p in base.precedences if p.delay >= 0),
        capacities=base.capacities,
    )
    c, a = arrays_of(problem)
    assert a.peakable
    ga = leveling_fast.FastGA(a, seed=3, size=12)
    ga.populate(leveling._rule_arrays(c), target=0, deadline=float("inf"))
    first = tuple(ga.bestfit)
    ga.evolve(300, target=0, mutation=0.0)
    assert tuple(ga.bestfit) <= first
    for i in range(ga.count):
        order = ga.pop[i]
        position = {v: k for k, v in enumerate(order)}
        for x, y, _ in c.edges:
            if x in position and y in position:
                assert position[x] < position[y]
        stored = {c.ids[v]: int(ga.pstart[i][v]) + c.origin for v in range(c.n)}
        assert check(problem, stored) == []
    leads = leveling_fast.Arrays(leveling._Compiled(base))
    assert any(p.delay < 0 for p in base.precedences) and not leads.peakable


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_size=10))
def test_compiled_heuristic_is_feasible_on_random_problems(problem):
    try:
        result = level(problem, time_limit=0.05)
    except leveling.LevelingError:
        return
    assert check(problem, result.starts) == []
    assert result.makespan >= result.lower_bound


def test_two_populations_in_threads():
    problem = random_problem(11, 80, 1)
    c, a = arrays_of(problem)
    gas = leveling_fast.islands(
        a,
        leveling._rule_arrays(c)[:1],
        seconds=0.3,
        target=0,
        seed=4,
        size=10,
        stall=200,
        threads=2,
    )
    assert len(gas) == 2 and all(g.schedules > 0 for g in gas)
    for ga in gas:
        out = {c.ids[v]: int(ga.best[v]) + c.origin for v in range(c.n)}
        assert check(problem, out) == []


def test_compiled_once_per_process():
    for seed in range(3):
        level(random_problem(seed, 30, 1 + seed), time_limit=0.05, seed=seed)
    level(
        Problem(
            activities=(Activity("a", 2, {"r": 1}), Activity("b", 2, {"r": 1})),
            precedences=(Precedence("a", "b", 0),),
            capacities={"r": 1},
        ),
        time_limit=0.05,
    )
    for kernel in (leveling_fast._decode, leveling_fast._ga, leveling_fast._sample, leveling_fast._serial):
        assert len(kernel.signatures) == 1


def test_pure_python_fallback(monkeypatch):
    monkeypatch.setenv("KEEL_LEVELING_PURE_PYTHON", "1")
    assert not leveling_fast.ready()
    problem = random_problem(2, 30, 2)
    result = level(problem, time_limit=0.2, seed=2)
    assert check(problem, result.starts) == []


def test_loops_of_precedences_keep_the_general_scheme():
    # a and b start together (SS 0 both ways): one rigid block, which the compiled kernels do not take.
    problem = Problem(
        activities=(Activity("a", 2, {"r": 1}), Activity("b", 2, {"s": 1}), Activity("c", 3, {"r": 1})),
        precedences=(Precedence("a", "b", 0), Precedence("b", "a", 0)),
        capacities={"r": 1, "s": 1},
    )
    result = level(problem, time_limit=0.2)
    assert check(problem, result.starts) == []
    assert result.starts["a"] == result.starts["b"]
    assert result.makespan == 5


@needs_psplib
def test_j120_many_schedules_and_a_feasible_result():
    problem = read_psplib((PSPLIB / "j120" / "j12011_1.sm").read_text())
    result = level(problem, time_limit=0.5, seed=random.Random(0).randrange(100))
    assert check(problem, result.starts) == []
    assert result.schedules > 500  # the pure-Python scheme made 100-250 in 0.5 s


@needs_psplib
def test_restarts_widen_until_the_population_leaves_its_basin(monkeypatch):
    # j3013_2 (optimum 62, proven by Demeulemeester and Herroelen): restarting always close to the
    # best list keeps a population at 63 however long it runs; widening the restarts that found
    # nothing better reaches 62. (The insertion mutation gets there as well, so it is off here.)
    monkeypatch.setattr(leveling_fast, "SHIFT", 0.0)
    problem = read_psplib((PSPLIB / "j30" / "j3013_2.sm").read_text())
    c = leveling._Compiled(problem)
    rules = leveling._rule_arrays(c)

    def best(seed: int) -> int:
        ga = leveling_fast.FastGA(leveling_fast.Arrays(c), seed=seed, size=leveling._FAST_GA_SIZE)
        ga.populate(rules, 0, deadline=float("inf"))
        ga.run(1e9, 62, stop=lambda: ga.schedules >= 300_000, stall=leveling._STALL * ga.size)
        return int(ga.bestfit[0]) + c.origin

    assert [best(seed) for seed in (1, 2)] == [62, 62]
    monkeypatch.setattr(leveling_fast, "ESCALATE_MAX", 0)
    assert [best(seed) for seed in (1, 2)] == [63, 63]


@needs_psplib
def test_a_window_re_solved_as_a_sub_problem_fits_around_what_starts_before_it():
    problem = read_psplib((PSPLIB / "j60" / "j6013_1.sm").read_text())
    c, a = arrays_of(problem)
    assert a.decomposable
    ga = leveling_fast.FastGA(a, seed=3, size=20)
    ga.populate(leveling._rule_arrays(c), target=0, deadline=float("inf"))
    starts = ga.pstart[0].copy()
    order = ga.pop[0].copy()
    pos = starts[order]
    lo, hi = int(pos.max()) // 3, 2 * int(pos.max()) // 3
    before, inner = order[pos < lo], order[(pos >= lo) & (pos < hi)]
    sub = leveling_fast._sub_arrays(a, inner, before, starts)
    window = leveling_fast.FastGA(sub, seed=4, size=10)
    assert window.add(np.arange(len(inner), dtype=np.int64))
    rng = np.random.default_rng(6)
    while not window.full:
        assert window.sample(rng.random(len(inner)), randomized=False)
    window.run(1e9, 0, stop=lambda: window.schedules >= 3000, stall=150)
    # Together, what starts before the window and the window's new schedule are a feasible partial schedule.
    merged = {int(v): int(starts[v]) for v in before}
    merged |= {int(v): int(window.best[i]) for i, v in enumerate(inner)}
    for x, y, delay in c.edges:
        if x in merged and y in merged:
            assert merged[y] >= merged[x] + delay
    use = np.zeros_like(a.prof0, dtype=np.int64)
    for v, s in merged.items():
        for k, q in c.req[v]:
            use[k, s : s + c.dur[v]] += q
    assert (use <= a.prof0).all()
    assert window.bestfit[0] <= max(int(starts[v] + c.dur[v]) for v in inner)  # never worse than before


@needs_psplib
def test_decomposition_keeps_the_population_feasible_and_never_loses():
    problem = read_psplib((PSPLIB / "j120" / "j12011_1.sm").read_text())
    c, a = arrays_of(problem)
    ga = leveling_fast.FastGA(a, seed=5, size=40)
    ga.populate(leveling._rule_arrays(c), target=0, deadline=float("inf"))
    ga.evolve(300, target=0)
    fits = [tuple(ga.bestfit)]
    for _ in range(15):
        ga.decompose(leveling_fast.DECOMPOSE_BUDGET)
        fits.append(tuple(ga.bestfit))
    assert fits == sorted(fits, reverse=True)
    for order in ga.pop:
        assert sorted(order) == sorted(a.free)
        position = {v: i for i, v in enumerate(order)}
        assert all(position[x] < position[y] for x, y, _ in c.edges)
    out = {c.ids[v]: int(ga.best[v]) + c.origin for v in range(c.n)}
    assert check(problem, out) == []


def test_decomposition_windows_go_where_the_schedule_leaves_capacity_unused():
    # One resource of two units: 48 unit-length activities, the first 24 two at a time (periods 0-11
    # full), the rest one at a time (periods 12-35 half idle); capacity is 2 throughout.
    n = 48
    problem = Problem(
        activities=tuple(Activity(f"a{i}", 1, {"R": 1}) for i in range(n)),
        capacities={"R": 2},
    )
    c, a = arrays_of(problem)
    assert a.decomposable
    starts = np.array([i // 2 if i < 24 else i - 12 for i in range(n)], np.int64)
    ga = leveling_fast.FastGA(a, seed=1, size=10)
    idle = ga.idle(starts, 36)
    assert idle.tolist() == [0.0] * 12 + [0.5] * 24
    windows = [ga._window(starts) for _ in range(300)]
    assert all(width >= 7 and lo + width <= 36 for lo, width in windows)
    # A window wholly inside the full periods has no unused capacity: it is never picked (placed
    # uniformly, about one draw in fifteen would be: some twenty of these 300).
    assert not [w for w in windows if w[0] + w[1] <= 12]
    assert len({lo for lo, _ in windows}) > 5  # still random among the others


def _populated(problem: Problem, seed: int, size: int, schedules: int):
    c, a = arrays_of(problem)
    ga = leveling_fast.FastGA(a, seed=seed, size=size)
    ga.populate(leveling._rule_arrays(c)[:1], target=0, deadline=float("inf"))
    while ga.schedules < schedules:
        ga.evolve(10, target=0)
    return c, ga


@needs_psplib
def test_a_stalled_population_takes_over_a_better_best_from_beside_it():
    problem = read_psplib((PSPLIB / "j120" / "j12011_1.sm").read_text())
    c, weak = _populated(problem, seed=1, size=4, schedules=0)
    _, strong = _populated(problem, seed=2, size=40, schedules=3000)
    weak.peers, strong.peers = [strong], [weak]
    weak.publish()
    assert not strong.migrate()  # nothing better beside it
    assert not weak.migrate()  # the better one has published nothing yet
    strong.publish()
    assert strong.shared[0] < weak.shared[0]  # otherwise the test shows nothing: pick other seeds
    assert weak.migrate()
    # Its start order decoded by the serial scheme and justified: at least as good as published.
    assert weak.best_score <= strong.shared[0]
    assert weak.shared[0] == weak.best_score
    assert check(problem, {c.ids[v]: int(weak.best[v]) + c.origin for v in range(c.n)}) == []
    for order in weak.pop[: weak.count]:
        position = {v: i for i, v in enumerate(order)}
        assert all(position[x] < position[y] for x, y, _ in c.edges)
    assert not weak.migrate()  # no longer better than its own


def test_islands_publish_their_best_for_each_other():
    problem = random_problem(11, 80, 1)
    c, a = arrays_of(problem)
    gas = leveling_fast.islands(
        a, leveling._rule_arrays(c)[:1], seconds=0.3, target=0, seed=4, size=10, stall=200, threads=2
    )
    assert [g.peers for g in gas] == [[gas[1]], [gas[0]]]
    for ga in gas:
        assert ga.shared[0] == ga.best_score
        assert (ga.shared[1] == ga.best).all()
