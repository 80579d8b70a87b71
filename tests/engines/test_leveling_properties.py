"""Properties of the leveling engine over random problems (hypothesis).

Random problems of up to 8 activities (milestones and zero-demand work included) on up to 2
resources with capacity steps, releases, pinned starts, FS/SS/FF/SF links with lags and leads, and
up to 2 weighted projects. Every schedule must be feasible, the heuristic never beats the lower
bound, the optimal mode never loses to the heuristic, and on tiny problems the optimal mode equals
an exhaustive search.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keel.engines.leveling import Activity, LevelingError, Precedence, Problem, check, level


@st.composite
def problems(draw: st.DrawFn, max_size: int = 8, pins: bool = True, steps: bool = True) -> Problem:
    size = draw(st.integers(1, max_size))
    resources = {"R": draw(st.integers(1, 4)), "S": draw(st.integers(1, 3))}
    changes = {}
    if steps and draw(st.booleans()):
        changes["R"] = tuple(
            sorted({draw(st.integers(1, 8)): draw(st.integers(1, 5)) for _ in range(2)}.items())
        )
    top = {r: max([c] + [x for _, x in changes.get(r, ())]) for r, c in resources.items()}
    groups = draw(st.sampled_from([("",), ("p", "q")]))
    acts = []
    for i in range(size):
        demands = {r: draw(st.integers(0, top[r])) for r in resources if draw(st.booleans())}
        acts.append(
            Activity(
                id=f"a{i}",
                duration=draw(st.integers(0, 4)),
                demands=demands,
                release=draw(st.sampled_from([0, 0, 0, 1, 3])),
                group=draw(st.sampled_from(groups)),
            )
        )
    links = []
    for i in range(size):
        for j in range(i + 1, size):
            if draw(st.integers(0, 3)) == 0:
                kind = draw(st.sampled_from(["FS", "SS", "FF", "SF"]))
                lag = draw(st.integers(-2, 2))
                da, db = acts[i].duration, acts[j].duration
                delay = {"FS": da + lag, "SS": lag, "FF": da - db + lag, "SF": lag - db}[kind]
                links.append(Precedence(f"a{i}", f"a{j}", delay))
    if pins and size > 1 and draw(st.booleans()):
        # Pin the first activity where it would start anyway if alone (keeps problems feasible).
        a = acts[0]
        acts[0] = Activity(a.id, a.duration, {}, release=a.release, group=a.group, fixed_start=a.release + 1)
    weights = {g: draw(st.integers(1, 4)) for g in groups}
    return Problem(
        activities=tuple(acts),
        precedences=tuple(links),
        capacities=resources,
        capacity_changes=changes,
        group_weights=weights,
    )


def objective(problem: Problem, starts) -> int:
    fin: dict[str, int] = {}
    for a in problem.activities:
        fin[a.group] = max(fin.get(a.group, 0), starts[a.id] + a.duration)
    return sum(problem.group_weights.get(g, 1) * f for g, f in fin.items())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_schedule_is_feasible_and_optimal_never_loses(problem):
    try:
        heuristic = level(problem, time_limit=0.05)
    except LevelingError as error:
        # A pinned start before its dependencies, or no room left by a capacity drop: the optimal
        # mode agrees, and nothing half-made comes back.
        with pytest.raises(LevelingError):
            level(problem, mode="optimal", time_limit=2)
        assert "no schedule" in str(error) or "fixed start" in str(error)
        return
    assert check(problem, heuristic.starts) == []
    assert heuristic.makespan >= heuristic.lower_bound
    optimal = level(problem, mode="optimal", time_limit=2)
    assert check(problem, optimal.starts) == []
    assert objective(problem, optimal.starts) <= objective(problem, heuristic.starts)
    assert optimal.makespan >= optimal.lower_bound
    if len(set(a.group for a in problem.activities)) == 1:
        assert heuristic.makespan >= optimal.lower_bound


def brute_force(problem: Problem) -> int | None:
    horizon = (
        max(
            [a.release for a in problem.activities]
            + [f for s in problem.capacity_changes.values() for f, _ in s]
        )
        + sum(a.duration for a in problem.activities)
        + sum(max(0, p.delay) for p in problem.precedences)
    )
    ids = [a.id for a in problem.activities]
    ranges = [range(a.release, horizon + 1) for a in problem.activities]
    best = None
    for combo in itertools.product(*ranges):
        starts = dict(zip(ids, combo, strict=True))
        if any(starts[p.successor] < starts[p.predecessor] + p.delay for p in problem.precedences):
            continue
        value = objective(problem, starts)
        if best is not None and value >= best:
            continue
        if check(problem, starts) == []:
            best = value
    return best


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_size=4, pins=False))
def test_optimal_equals_brute_force_on_tiny_problems(problem):
    expected = brute_force(problem)
    if expected is None:  # e.g. a capacity drop leaves no room: reported, never a bad schedule
        with pytest.raises(LevelingError, match="no schedule"):
            level(problem, mode="optimal", time_limit=5)
        return
    result = level(problem, mode="optimal", time_limit=5)
    assert check(problem, result.starts) == []
    assert result.proven_optimal
    assert objective(problem, result.starts) == expected


def random_problem(seed: int, size: int, groups: int) -> Problem:
    """A larger random problem (projects sharing two resources, pins, steps, all link types)."""
    import random

    rng = random.Random(seed)
    acts = []
    for i in range(size):
        pinned = i % 17 == 5
        acts.append(
            Activity(
                id=f"a{i}",
                duration=rng.randint(0, 6),
                demands={"R": rng.randint(0, 3), "S": rng.randint(0, 2)} if not pinned else {"S": 1},
                release=rng.choice([0, 0, 2, 5]),
                group=f"p{i % groups}",
                fixed_start=i // 2 if pinned else None,
            )
        )
    links = []
    for j in range(1, size):
        for i in rng.sample(range(j), min(j, rng.randint(0, 2))):
            if acts[j].fixed_start is not None or acts[i].fixed_start is not None:
                continue
            kind = rng.choice(["FS", "FS", "SS", "FF", "SF"])
            da, db, lag = acts[i].duration, acts[j].duration, rng.randint(-1, 2)
            delay = {"FS": da + lag, "SS": lag, "FF": da - db + lag, "SF": lag - db}[kind]
            links.append(Precedence(f"a{i}", f"a{j}", delay))
    return Problem(
        activities=tuple(acts),
        precedences=tuple(links),
        capacities={"R": 4, "S": 3},
        capacity_changes={"R": ((10, 3), (30, 5))},
        group_weights={f"p{g}": g + 1 for g in range(groups)},
    )


def test_larger_problems_use_the_neighbourhood_search_and_stay_feasible():
    for seed, groups in ((1, 1), (2, 3)):
        problem = random_problem(seed, 60, groups)
        heuristic = level(problem, time_limit=0.3, seed=seed)
        assert check(problem, heuristic.starts) == []
        optimal = level(problem, mode="optimal", time_limit=3, seed=seed)
        assert check(problem, optimal.starts) == []
        assert objective(problem, optimal.starts) <= objective(problem, heuristic.starts)
        assert optimal.schedules > 0
