"""Resource leveling: schedule activities under renewable-resource capacities.

The problem is the resource-constrained project scheduling problem (RCPSP) with a few extensions
needed by a PMO tool: releases (earliest starts), pinned activities (``fixed_start``), generalized
precedences (``start(successor) >= start(predecessor) + delay``, so every MS Project link type maps
onto one; negative delays are leads), capacities that change over time, and several projects
(``group``) sharing the pool, weighted by priority.

Objective: minimise ``sum(weight × finish of the group)`` (the makespan when there is one group);
among schedules that tie, activities start as early as they can (every returned schedule is
left-justified: no activity can start earlier on its own without breaking a dependency, a release
or a capacity).

Two modes:

* ``heuristic`` — a serial schedule generation scheme driven by random-biased priority rules
  (latest start / latest finish), each schedule improved by forward-backward improvement
  (right- then left-justification), then a genetic algorithm on activity lists with restarts,
  keeping the best; at most 0.5 s (or ``time_limit`` if smaller). Without loops among the
  precedences it runs compiled (``leveling_fast``, numba), else in Python.
* ``optimal`` — the heuristic first, then OR-Tools CP-SAT warm-started with its best schedule (hint
  and objective upper bound, tight time windows) and a large-neighbourhood search, under
  ``time_limit``; returns the best schedule found (never worse than the heuristic's) and whether it
  is proven optimal.

Time is in integer periods. Python, numba and OR-Tools: no Django.
"""

from __future__ import annotations

import math
import os
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from keel.engines import leveling_fast

__all__ = [
    "Activity",
    "LevelingError",
    "Precedence",
    "Problem",
    "Result",
    "check",
    "critical_path_bound",
    "level",
    "read_psplib",
]

HEURISTIC_SECONDS = 0.5
_GA_SIZE = 24
_SAFETY = 0.15  # seconds kept back from the time limit for model building and the final passes
_LNS_SOLVE: dict = {"workers": 1, "params": {"cp_model_presolve": False, "linearization_level": 0}}
_LNS_SECONDS = 0.3  # time limit of one sub-problem of the large-neighbourhood search
_FULL_SHARE = 0.4  # share of the optimal mode's CP-SAT time spent on the whole problem (then LNS)
_SMALL = 40  # up to this many movable activities, CP-SAT works on the whole problem all the time
_HEURISTIC_SHARE = 0.8  # share of the optimal mode's time limit given to the compiled heuristic first
_HEURISTIC_SHARE_SMALL = 0.1  # the same for small problems and the pure-Python heuristic (CP-SAT does more)
_FAST_GA_SIZE = 80  # population of the compiled genetic algorithm
_STALL = 15  # schedules without a better one, per individual, before the population restarts
# Populations evolved side by side, one per thread (the compiled kernels release the GIL): two where
# the process may use two cores or more. Each is seeded apart; the best schedule of them is kept.
_THREADS = max(
    1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
)
_JIT_WAIT = 0.5  # share of the heuristic's time it may wait for the compiled kernels (first run)


class LevelingError(ValueError):
    """The problem cannot be leveled; the message names the activity or resource and the reason."""


@dataclass(frozen=True)
class Activity:
    """A piece of work: ``duration`` periods, using ``demands`` units of each resource while running."""

    id: str
    duration: int
    demands: Mapping[str, int] = field(default_factory=dict)
    release: int = 0
    group: str = ""
    fixed_start: int | None = None


@dataclass(frozen=True)
class Precedence:
    """``start(successor) >= start(predecessor) + delay``.

    FS: ``d_pred + lag``; SS: ``lag``; FF: ``d_pred - d_succ + lag``; SF: ``lag - d_succ``.
    """

    predecessor: str
    successor: str
    delay: int = 0


@dataclass(frozen=True)
class Problem:
    """Activities, precedences and the capacity of each resource (with optional steps over time)."""

    activities: tuple[Activity, ...]
    precedences: tuple[Precedence, ...] = ()
    capacities: Mapping[str, int] = field(default_factory=dict)
    capacity_changes: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    group_weights: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    """A leveled schedule."""

    starts: Mapping[str, int]
    makespan: int
    group_finishes: Mapping[str, int]
    lower_bound: int
    proven_optimal: bool
    mode: str
    seconds: float
    schedules: int


# --------------------------------------------------------------------------------------------------
# Compilation: validate, index, find loops, time windows.
# --------------------------------------------------------------------------------------------------


class _Compiled:
    """The problem with integer indices, validated, and the precomputed bits every pass needs."""

    def __init__(self, problem: Problem) -> None:
        acts = problem.activities
        self.problem = problem
        self.n = n = len(acts)
        self.ids = [a.id for a in acts]
        self.index: dict[str, int] = {}
        for i, a in enumerate(acts):
            if not isinstance(a.id, str) or a.id == "":
                raise LevelingError(f"activity #{i + 1}: the id must be a non-empty string")
            if a.id in self.index:
                raise LevelingError(f"activity {a.id!r}: the id is used twice")
            self.index[a.id] = i
            if not isinstance(a.duration, int) or a.duration < 0:
                raise LevelingError(f"activity {a.id!r}: duration {a.duration!r} must be an integer >= 0")
            if not isinstance(a.release, int):
                raise LevelingError(f"activity {a.id!r}: release {a.release!r} must be an integer")
            if a.fixed_start is not None and not isinstance(a.fixed_start, int):
                raise LevelingError(f"activity {a.id!r}: fixed start {a.fixed_start!r} must be an integer")

        # Resources and their capacity over time.
        self.resources = list(problem.capacities)
        self.rindex = {r: k for k, r in enumerate(self.resources)}
        for r, c in problem.capacities.items():
            if not isinstance(c, int) or c < 0:
                raise LevelingError(f"resource {r!r}: capacity {c!r} must be an integer >= 0")
        steps: list[list[tuple[int, int]]] = []
        for r in problem.capacity_changes:
            if r not in self.rindex:
                raise LevelingError(f"resource {r!r}: capacity changes for a resource with no capacity")
        for r in self.resources:
            changes = sorted(problem.capacity_changes.get(r, ()))
            for frm, cap in changes:
                if not isinstance(frm, int) or not isinstance(cap, int) or cap < 0:
                    raise LevelingError(
                        f"resource {r!r}: capacity change ({frm!r}, {cap!r}) must be (period, units >= 0)"
                    )
            steps.append(changes)
        self.steps = steps
        self.base_cap = [problem.capacities[r] for r in self.resources]
        self.max_cap = [max([c] + [cap for _, cap in s]) for c, s in zip(self.base_cap, steps, strict=True)]
        self.final_cap = [s[-1][1] if s else c for c, s in zip(self.base_cap, steps, strict=True)]

        self.dur = [a.duration for a in acts]
        self.req: list[list[tuple[int, int]]] = []
        for a in acts:
            req = []
            for r, q in a.demands.items():
                if r not in self.rindex:
                    raise LevelingError(f"activity {a.id!r}: unknown resource {r!r}")
                if not isinstance(q, int) or q < 0:
                    raise LevelingError(f"activity {a.id!r}: demand {q!r} of {r!r} must be an integer >= 0")
                if q == 0 or a.duration == 0:
                    continue
                k = self.rindex[r]
                if q > self.max_cap[k]:
                    raise LevelingError(
                        f"activity {a.id!r}: needs {q} of resource {r!r}, above its capacity at every "
                        f"period (at most {self.max_cap[k]})"
                    )
                req.append((k, q))
            self.req.append(req)

        # Groups.
        self.groups: list[str] = []
        gindex: dict[str, int] = {}
        self.group = []
        for a in acts:
            if a.group not in gindex:
                gindex[a.group] = len(self.groups)
                self.groups.append(a.group)
            self.group.append(gindex[a.group])
        self.weight = []
        for g in self.groups:
            w = problem.group_weights.get(g, 1)
            if not isinstance(w, int) or w < 0:
                raise LevelingError(f"group {g!r}: weight {w!r} must be an integer >= 0")
            self.weight.append(w)

        # Time origin: periods may be negative (actual starts before the status date).
        lows = [0] + [a.release for a in acts] + [a.fixed_start for a in acts if a.fixed_start is not None]
        self.origin = min(lows)

        # Precedences (duplicates merged to the largest delay).
        best: dict[tuple[int, int], int] = {}
        for p in problem.precedences:
            if p.predecessor not in self.index:
                raise LevelingError(
                    f"precedence {p.predecessor!r} → {p.successor!r}: unknown activity {p.predecessor!r}"
                )
            if p.successor not in self.index:
                raise LevelingError(
                    f"precedence {p.predecessor!r} → {p.successor!r}: unknown activity {p.successor!r}"
                )
            if not isinstance(p.delay, int):
                raise LevelingError(
                    f"precedence {p.predecessor!r} → {p.successor!r}: delay must be an integer"
                )
            a, b = self.index[p.predecessor], self.index[p.successor]
            if a == b:
                if p.delay > 0:
                    raise LevelingError(
                        f"activity {p.predecessor!r}: a precedence to itself with delay {p.delay} > 0"
                    )
                continue
            if (a, b) not in best or p.delay > best[(a, b)]:
                best[(a, b)] = p.delay
        self.edges = [(a, b, d) for (a, b), d in best.items()]
        self.succ: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        self.pred: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for a, b, d in self.edges:
            self.succ[a].append((b, d))
            self.pred[b].append((a, d))

        self._units()
        self._windows()

    # Strongly connected components become rigid blocks ("units") for the schedule generation.
    def _units(self) -> None:
        n = self.n
        index = [-1] * n
        low = [0] * n
        on = [False] * n
        stack: list[int] = []
        comps: list[list[int]] = []
        counter = 0
        for root in range(n):
            if index[root] != -1:
                continue
            work = [(root, 0)]
            while work:
                v, k = work.pop()
                if k == 0:
                    index[v] = low[v] = counter
                    counter += 1
                    stack.append(v)
                    on[v] = True
                recurse = False
                succ = self.succ[v]
                while k < len(succ):
                    w = succ[k][0]
                    k += 1
                    if index[w] == -1:
                        work.append((v, k))
                        work.append((w, 0))
                        recurse = True
                        break
                    if on[w]:
                        low[v] = min(low[v], index[w])
                if recurse:
                    continue
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on[w] = False
                        comp.append(w)
                        if w == v:
                            break
                    comps.append(comp)
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[v])
        comps.reverse()  # Tarjan yields reverse topological order
        self.unit_of = [0] * n
        for u, comp in enumerate(comps):
            for v in comp:
                self.unit_of[v] = u
        self.offset = [0] * n
        for comp in comps:
            if len(comp) > 1:
                self._offsets(comp)
        self.units = [[(v, self.offset[v]) for v in sorted(comp)] for comp in comps]
        self.nunits = len(comps)
        # Unit-level predecessors (for eligibility) and member-level bounds.
        self.upred: list[set[int]] = [set() for _ in comps]
        self.usucc: list[set[int]] = [set() for _ in comps]
        # lb constraints: unit u start >= start[a] + d'   (a outside u)
        self.ulb: list[list[tuple[int, int]]] = [[] for _ in comps]
        # ub constraints: unit u start <= start[b] - d'   (b outside u)
        self.uub: list[list[tuple[int, int]]] = [[] for _ in comps]
        for a, b, d in self.edges:
            ua, ub = self.unit_of[a], self.unit_of[b]
            if ua == ub:
                continue
            self.upred[ub].add(ua)
            self.usucc[ua].add(ub)
            self.ulb[ub].append((a, d - self.offset[b]))
            self.uub[ua].append((b, d + self.offset[a]))

    def _offsets(self, comp: list[int]) -> None:
        """Relative starts inside a loop (longest paths); a positive loop is an error naming it."""
        members = set(comp)
        dist = dict.fromkeys(comp, 0)
        parent: dict[int, int] = {}
        inner = [(a, b, d) for a in comp for b, d in self.succ[a] if b in members]
        for _ in range(len(comp)):
            changed = False
            for a, b, d in inner:
                if dist[a] + d > dist[b]:
                    dist[b] = dist[a] + d
                    parent[b] = a
                    changed = True
            if not changed:
                break
        else:
            for a, b, d in inner:
                if dist[a] + d > dist[b]:
                    parent[b] = a
                    v = b
                    for _ in range(len(comp)):
                        v = parent[v]
                    loop = [v]
                    w = parent[v]
                    while w != v:
                        loop.append(w)
                        w = parent[w]
                    loop.reverse()
                    names = " → ".join(self.ids[x] for x in loop + [loop[0]])
                    raise LevelingError(f"precedences form a loop with a positive total delay: {names}")
        lo = min(dist.values())
        for v in comp:
            self.offset[v] = dist[v] - lo

    def _windows(self) -> None:
        """Earliest starts (longest paths from releases and pinned starts) and the safe horizon."""
        n = self.n
        o = self.origin
        self.release = [
            (a.fixed_start if a.fixed_start is not None else a.release) - o for a in self.problem.activities
        ]
        self.fixed = [None if a.fixed_start is None else a.fixed_start - o for a in self.problem.activities]
        U = self.nunits
        self.ufixed: list[int | None] = [None] * U
        self.urelease = [0] * U
        for u, members in enumerate(self.units):
            rel = 0
            for v, off in members:
                rel = max(rel, self.release[v] - off)
                f = self.fixed[v]
                if f is not None:
                    if self.ufixed[u] is not None and self.ufixed[u] != f - off:
                        self.ufixed[u] = -1  # inconsistent with the rigid block; CP-SAT only
                    elif self.ufixed[u] is None:
                        self.ufixed[u] = f - off
            self.urelease[u] = rel
        # Forward longest path over the condensed DAG (units are in topological order).
        ues = [0] * U
        es = [0] * n
        for u in range(U):
            t = self.urelease[u]
            for a, d in self.ulb[u]:
                t = max(t, es[a] + d)
            ues[u] = t
            for v, off in self.units[u]:
                es[v] = t + off
        self.es = es
        for v in range(n):
            f = self.fixed[v]
            if f is not None and es[v] > f:
                culprit = self._why_late(v, es)
                raise LevelingError(
                    f"activity {self.ids[v]!r}: fixed start {f + o} is before the earliest start {es[v] + o} "
                    f"its dependencies allow{culprit}"
                )
        self.cp_makespan = max((es[v] + self.dur[v] for v in range(n)), default=0)
        # Latest starts forced by pinned successors (deadlines).
        big = 1 << 60
        uls = [big] * U
        for u in range(U - 1, -1, -1):
            f = self.ufixed[u]
            t = big if f is None or f < 0 else f
            for b, d in self.uub[u]:
                ub = self.unit_of[b]
                if uls[ub] < big:
                    t = min(t, uls[ub] + self.offset[b] - d)
            uls[u] = t
        self.ulst = uls
        # Horizon: after every release, pin and capacity step, everything fits one after another.
        last_step = max((s[-1][0] - o for s in self.steps if s), default=0)
        t0 = max(
            [0, last_step + 1]
            + [self.release[v] for v in range(n)]
            + [self.fixed[v] + self.dur[v] for v in range(n) if self.fixed[v] is not None]
        )
        # A unit placed by the serial scheme starts no later than the end of the work already placed
        # plus the part of its incoming delays beyond its predecessor's duration.
        excess = sum(max(0, d - self.dur[a]) for a, _, d in self.edges)
        self.horizon = t0 + sum(self.dur) + excess + sum(self.offset) + 1
        self.maxdur = max(self.dur, default=0)
        # Capacity profile over [0, horizon + maxdur), pinned activities already subtracted.
        L = self.horizon + self.maxdur + max(self.offset, default=0) + 1
        self.length = L
        prof = []
        for k in range(len(self.resources)):
            arr = [self.base_cap[k]] * L
            for frm, cap in self.steps[k]:
                s = max(0, frm - o)
                if s < L:
                    arr[s:] = [cap] * (L - s)
            prof.append(arr)
        for v in range(n):
            f = self.fixed[v]
            if f is None:
                continue
            for k, q in self.req[v]:
                arr = prof[k]
                for t in range(f, f + self.dur[v]):
                    arr[t] -= q
                    if arr[t] < 0:
                        others = [
                            self.ids[w]
                            for w in range(n)
                            if self.fixed[w] is not None
                            and self.fixed[w] <= t < self.fixed[w] + self.dur[w]
                            and any(kk == k for kk, _ in self.req[w])
                        ]
                        raise LevelingError(
                            f"resource {self.resources[k]!r}: the fixed activities {', '.join(others)} need "
                            f"more than its capacity at period {t + o}"
                        )
        self.profile = prof

    def _why_late(self, v: int, es: list[int]) -> str:
        for a, d in self.pred[v]:
            if es[a] + d == es[v]:
                return f" (after {self.ids[a]!r})"
        return ""

    # Objective of a schedule (internal times).
    def group_finishes(self, starts: list[int]) -> list[int]:
        fin = [0] * len(self.groups)
        for v in range(self.n):
            e = starts[v] + self.dur[v]
            g = self.group[v]
            if e > fin[g]:
                fin[g] = e
        return fin

    def score(self, starts: list[int]) -> tuple[int, int]:
        fin = self.group_finishes(starts)
        return (sum(w * f for w, f in zip(self.weight, fin, strict=True)), sum(starts))


# --------------------------------------------------------------------------------------------------
# Schedule generation: serial, forward or backward, with the unit placement shared.
# --------------------------------------------------------------------------------------------------


def _fits_forward(c: _Compiled, prof: list[list[int]], u: int, lo: int, hi: int) -> int | None:
    """Earliest t in [lo, hi] where every member of unit u fits; None if none."""
    members = c.units[u]
    dur, req = c.dur, c.req
    t = lo
    if len(members) == 1 and not members[0][1]:
        v = members[0][0]
        d = dur[v]
        rv = req[v]
        if not d or not rv:
            return t if t <= hi else None
        while t <= hi:
            bad = -1
            end = t + d - 1
            for k, q in rv:
                arr = prof[k]
                x = end
                while x >= t:
                    if arr[x] < q:
                        if x + 1 > bad:
                            bad = x + 1
                        break
                    x -= 1
            if bad < 0:
                return t
            t = bad
        return None
    while t <= hi:
        bad = -1
        for v, off in members:
            d = dur[v]
            if not d:
                continue
            s = t + off
            for k, q in req[v]:
                arr = prof[k]
                for x in range(s + d - 1, s - 1, -1):
                    if arr[x] < q:
                        bad = x - off + 1 if x - off + 1 > bad else bad
                        break
        if bad < 0:
            return t
        t = bad
    return None


def _fits_backward(c: _Compiled, prof: list[list[int]], u: int, lo: int, hi: int) -> int | None:
    """Latest t in [lo, hi] where every member of unit u fits; None if none."""
    members = c.units[u]
    dur, req = c.dur, c.req
    t = hi
    if len(members) == 1 and not members[0][1]:
        v = members[0][0]
        d = dur[v]
        rv = req[v]
        if not d or not rv:
            return t if t >= lo else None
        while t >= lo:
            bad = 1 << 60
            end = t + d
            for k, q in rv:
                arr = prof[k]
                x = t
                while x < end:
                    if arr[x] < q:
                        if x - d < bad:
                            bad = x - d
                        break
                    x += 1
            if bad == 1 << 60:
                return t
            t = bad
        return None
    while t >= lo:
        bad = 1 << 60
        for v, off in members:
            d = dur[v]
            if not d:
                continue
            s = t + off
            for k, q in req[v]:
                arr = prof[k]
                for x in range(s, s + d):
                    if arr[x] < q:
                        cand = x - off - d
                        if cand < bad:
                            bad = cand
                        break
        if bad == 1 << 60:
            return t
        t = bad
    return None


def _place(c: _Compiled, prof: list[list[int]], u: int, t: int, starts: list[int]) -> None:
    dur, req = c.dur, c.req
    for v, off in c.units[u]:
        s = t + off
        starts[v] = s
        e = s + dur[v]
        for k, q in req[v]:
            arr = prof[k]
            arr[s:e] = [y - q for y in arr[s:e]]


def _fixed_units(c: _Compiled) -> list[int]:
    return [u for u in range(c.nunits) if c.ufixed[u] is not None]


def _serial(
    c: _Compiled, rng: random.Random | None, prio: list[float], bias: float, starts_out: list[int]
) -> bool:
    """Serial SGS: pick eligible units by priority (lowest first), randomly biased; place earliest."""
    U = c.nunits
    prof = [list(a) for a in c.profile]
    starts = starts_out
    placed = [False] * U
    missing = [len(c.upred[u]) for u in range(U)]
    for u in range(U):
        f = c.ufixed[u]
        if f is not None:
            if f < 0:
                return False
            for v, off in c.units[u]:
                starts[v] = f + off
            placed[u] = True
    for u in range(U):
        if placed[u]:
            for w in c.usucc[u]:
                missing[w] -= 1
    eligible = [u for u in range(U) if not placed[u] and missing[u] == 0]
    L = c.horizon
    while eligible:
        if rng is None or len(eligible) == 1:
            j = 0
            pj = prio[eligible[0]]
            for i in range(1, len(eligible)):
                pi = prio[eligible[i]]
                if pi < pj or (pi == pj and eligible[i] < eligible[j]):
                    j, pj = i, pi
        else:
            worst = max(prio[u] for u in eligible)
            weights = [(worst - prio[u] + 1.0) ** bias for u in eligible]
            j = _choose(rng, weights)
        u = eligible[j]
        eligible[j] = eligible[-1]
        eligible.pop()
        lo = c.urelease[u]
        for a, d in c.ulb[u]:
            x = starts[a] + d
            if x > lo:
                lo = x
        hi = min(c.ulst[u], L)
        for b, d in c.uub[u]:
            if placed[c.unit_of[b]]:
                x = starts[b] - d
                if x < hi:
                    hi = x
        t = _fits_forward(c, prof, u, lo, hi)
        if t is None:
            return False
        _place(c, prof, u, t, starts)
        placed[u] = True
        for w in c.usucc[u]:
            missing[w] -= 1
            if missing[w] == 0 and not placed[w]:
                eligible.append(w)
    return all(placed)


def _choose(rng: random.Random, weights: list[float]) -> int:
    total = sum(weights)
    x = rng.random() * total
    for i, w in enumerate(weights):
        x -= w
        if x < 0:
            return i
    return len(weights) - 1


def _justify(c: _Compiled, starts: list[int], backward: bool) -> list[int] | None:
    """Right-justify (backward) or left-justify (forward) a feasible schedule; None if it fails."""
    U = c.nunits
    prof = [list(a) for a in c.profile]
    new = list(starts)
    placed = [False] * U
    for u in range(U):
        if c.ufixed[u] is not None:
            placed[u] = True
    ustart = [starts[c.units[u][0][0]] - c.units[u][0][1] for u in range(U)]
    if backward:
        fin = c.group_finishes(starts)
        ufin = [max(starts[v] + c.dur[v] for v, _ in c.units[u]) for u in range(U)]
        order = sorted((u for u in range(U) if not placed[u]), key=lambda u: (-ufin[u], -u))
        deadline = []
        for u in range(U):
            dl = 1 << 60
            for v, off in c.units[u]:
                dl = min(dl, fin[c.group[v]] - c.dur[v] - off)
            deadline.append(dl)
    else:
        order = sorted((u for u in range(U) if not placed[u]), key=lambda u: (ustart[u], u))
    for u in order:
        lo = c.urelease[u]
        hi = min(c.ulst[u], c.horizon)
        for a, d in c.ulb[u]:
            if placed[c.unit_of[a]]:
                x = new[a] + d
                if x > lo:
                    lo = x
        for b, d in c.uub[u]:
            if placed[c.unit_of[b]]:
                x = new[b] - d
                if x < hi:
                    hi = x
        if backward:
            hi = min(hi, deadline[u])
            lo = max(lo, ustart[u])
            t = _fits_backward(c, prof, u, lo, hi)
        else:
            hi = min(hi, ustart[u])
            t = _fits_forward(c, prof, u, lo, hi)
        if t is None:
            return None
        _place(c, prof, u, t, new)
        placed[u] = True
    return new


def _improve(
    c: _Compiled, starts: list[int], score: tuple[int, int]
) -> tuple[list[int], tuple[int, int], int]:
    """One forward-backward improvement (right- then left-justification); the result is kept only if
    better. Returns (starts, score, schedules made)."""
    right = _justify(c, starts, backward=True)
    if right is None:
        return starts, score, 1
    left = _justify(c, right, backward=False)
    if left is None:
        return starts, score, 2
    s = c.score(left)
    if s < score:
        return left, s, 2
    return starts, score, 2


def _priorities(c: _Compiled) -> tuple[list[float], list[float]]:
    """Latest start of each unit against its group's critical-path finish (LST), and LFT."""
    U = c.nunits
    gfin = [0] * len(c.groups)
    for v in range(c.n):
        g = c.group[v]
        gfin[g] = max(gfin[g], c.es[v] + c.dur[v])
    ls = [0.0] * U
    lf = [0.0] * U
    for u in range(U - 1, -1, -1):
        t = min(gfin[c.group[v]] - c.dur[v] - off for v, off in c.units[u])
        for b, d in c.uub[u]:
            t = min(t, ls[c.unit_of[b]] + c.offset[b] - d)
        ls[u] = t
        lf[u] = t + max(off + c.dur[v] for v, off in c.units[u])
    if len(c.groups) > 1:
        # Heavier projects first: scale their latest times down.
        top = max(c.weight) or 1
        for u in range(U):
            g = c.group[c.units[u][0][0]]
            factor = 1.0 + (top - c.weight[g]) / top
            ls[u] = ls[u] * factor
            lf[u] = lf[u] * factor
    return ls, lf


def _rule_arrays(c: _Compiled) -> list:
    """The priority rules of the compiled genetic algorithm, per activity (lowest first): the latest
    finish (LFT) and the latest start (LST) of the activity's unit."""
    import numpy as np

    ls, lf = _priorities(c)
    return [np.array([rule[c.unit_of[v]] for v in range(c.n)], np.float64) for rule in (lf, ls)]


@dataclass
class _Best:
    starts: list[int] | None = None
    score: tuple[int, int] = (1 << 62, 1 << 62)
    schedules: int = 0


def _heuristic(
    c: _Compiled,
    seconds: float,
    seed: int,
    best: _Best,
    target: int,
    max_schedules: int = 50000,
    progress: Callable[[float], None] | None = None,
) -> None:
    """Biased random sampling with forward-backward improvement, then a genetic algorithm on lists."""
    t0 = time.perf_counter()
    if c.nunits == c.n and c.n > 1 and leveling_fast.ready(wait=_JIT_WAIT * seconds):
        _heuristic_fast(c, seconds - (time.perf_counter() - t0), seed, best, target, progress)
        return
    rng = random.Random(seed)
    ls, lf = _priorities(c)
    rules = [lf, ls]
    buf = [0] * c.n
    free = [u for u in range(c.nunits) if c.ufixed[u] is None]
    population: list[tuple[tuple[int, int], list[float], list[int]]] = []
    size = _GA_SIZE

    def done() -> bool:
        elapsed = time.perf_counter() - t0
        if progress is not None and best.schedules % 50 < 3:
            progress(min(1.0, elapsed / seconds) if seconds > 0 else 1.0)
        return best.score[0] <= target or elapsed >= seconds or best.schedules >= max_schedules

    def evaluate(prio: list[float], biased: bool) -> None:
        ok = _serial(c, rng if biased else None, prio, 2.0, buf)
        best.schedules += 1
        if not ok:
            return
        sched = list(buf)
        score = c.score(sched)
        sched, score, made = _improve(c, sched, score)
        best.schedules += made
        if score < best.score:
            best.starts, best.score = sched, score
        # The improved schedule's start order is the individual (Lamarckian).
        key = [0.0] * c.nunits
        for u in range(c.nunits):
            key[u] = float(sched[c.units[u][0][0]] - c.units[u][0][1])
        order = sorted(free, key=lambda u: (key[u], lf[u]))
        position = [0.0] * c.nunits
        for i, u in enumerate(order):
            position[u] = float(i)
        population.append((score, position, order))

    it = 0
    while len(population) < size:
        evaluate(rules[it % 2], biased=it >= 2)
        it += 1
        if done() or len(free) <= 1:
            return
        if it > 4 * size and not population:
            return  # nothing feasible from the rules: leave it to CP-SAT
    if not population:
        return
    while not done():
        population.sort(key=lambda x: x[0])
        del population[size:]
        mother = _tournament(rng, population)
        father = _tournament(rng, population)
        child = _crossover(rng, mother[2], father[2])
        _mutate(rng, c, child, 0.05)
        prio = [0.0] * c.nunits
        for i, u in enumerate(child):
            prio[u] = float(i)
        evaluate(prio, biased=False)


def _heuristic_fast(
    c: _Compiled,
    seconds: float,
    seed: int,
    best: _Best,
    target: int,
    progress: Callable[[float], None] | None,
) -> None:
    """The same search with the compiled kernels (no loops among the precedences): biased random
    sampling for the first population, then the genetic algorithm with double justification."""
    t0 = time.perf_counter()
    gas = leveling_fast.islands(
        leveling_fast.Arrays(c),
        _rule_arrays(c),
        seconds=seconds - (time.perf_counter() - t0),
        target=target,
        seed=seed,
        size=_FAST_GA_SIZE,
        stall=_STALL * _FAST_GA_SIZE,
        threads=_THREADS,
        progress=progress,
    )
    for ga in gas:
        best.schedules += ga.schedules
        if ga.count:
            score = ga.best_score
            if score < best.score:
                best.starts, best.score = [int(x) for x in ga.best], score


def _tournament(rng: random.Random, population: list) -> tuple:
    a, b = rng.randrange(len(population)), rng.randrange(len(population))
    return population[min(a, b)]  # the population is sorted: the lower index is the better


def _crossover(rng: random.Random, mother: list[int], father: list[int]) -> list[int]:
    """Two-point crossover of activity lists: mother's head, father's middle, mother's tail (in order)."""
    n = len(mother)
    if n < 2:
        return list(mother)
    q1 = rng.randrange(n)
    q2 = rng.randrange(q1, n)
    child = mother[:q1]
    taken = set(child)
    for u in father:
        if len(child) >= q2:
            break
        if u not in taken:
            child.append(u)
            taken.add(u)
    for u in mother:
        if u not in taken:
            child.append(u)
            taken.add(u)
    return child


def _mutate(rng: random.Random, c: _Compiled, order: list[int], rate: float) -> None:
    for i in range(len(order) - 1):
        if rng.random() < rate:
            a, b = order[i], order[i + 1]
            if b not in c.usucc[a]:
                order[i], order[i + 1] = b, a


# --------------------------------------------------------------------------------------------------
# CP-SAT
# --------------------------------------------------------------------------------------------------


def _tails(c: _Compiled) -> list[int]:
    """Longest path from each activity's start to the end of the project (its duration at least)."""
    tail = [c.dur[v] for v in range(c.n)]
    for u in range(c.nunits - 1, -1, -1):
        for v, _ in c.units[u]:
            for b, d in c.succ[v]:
                if c.unit_of[b] != u:
                    tail[v] = max(tail[v], d + tail[b])
    return tail


class _Model:
    """A CP-SAT model of the problem: one start variable per activity, cumulative per resource."""

    def __init__(self, c: _Compiled, horizon: int, tail: list[int], arcs=(), objective_ub: int | None = None):
        from ortools.sat.python import cp_model

        self.cp_model = cp_model
        model = self.model = cp_model.CpModel()
        n = c.n
        single = self.single = len(c.groups) == 1
        self.ok = True
        starts = self.starts = []
        for v in range(n):
            f = c.fixed[v]
            if f is not None:
                starts.append(model.NewConstant(f))
                continue
            lo = c.es[v]
            hi = horizon - tail[v] if single else c.horizon
            if c.ulst[c.unit_of[v]] < (1 << 60):
                hi = min(hi, c.ulst[c.unit_of[v]] + c.offset[v])
            if hi < lo:
                self.ok = False
                hi = lo
            starts.append(model.NewIntVar(lo, hi, f"s{v}"))
        for a, b, d in c.edges:
            model.Add(starts[b] >= starts[a] + d)
        for a, b in arcs:
            model.Add(starts[b] >= starts[a] + c.dur[a])
        intervals = [
            model.NewFixedSizeIntervalVar(starts[v], c.dur[v], f"i{v}")
            if c.dur[v] and c.fixed[v] is None
            else None
            for v in range(n)
        ]
        per_resource: list[tuple[list, list]] = [([], []) for _ in c.resources]
        for v in range(n):
            if intervals[v] is not None:
                for k, q in c.req[v]:
                    per_resource[k][0].append(intervals[v])
                    per_resource[k][1].append(q)
        for k, (ivs, dem) in enumerate(per_resource):
            if not ivs:
                continue
            cap = c.max_cap[k]
            # Capacity below its maximum (steps, pinned work) becomes fixed blocking intervals.
            arr = c.profile[k]
            t = 0
            while t < len(arr):
                gap = cap - arr[t]
                if gap <= 0:
                    t += 1
                    continue
                e = t
                while e < len(arr) and arr[e] == arr[t]:
                    e += 1
                ivs.append(model.NewIntervalVar(t, e - t, e, f"cap{k}_{t}"))
                dem.append(gap)
                t = e
            model.AddCumulative(ivs, dem, cap)
        ends_of_group: list[list] = [[] for _ in c.groups]
        for v in range(n):
            # Only activities whose finish no successor in the group implies matter for its finish.
            if any(d >= c.dur[v] and c.group[b] == c.group[v] for b, d in c.succ[v]):
                continue
            ends_of_group[c.group[v]].append(starts[v] + c.dur[v])
        fins = self.fins = []
        for g in range(len(c.groups)):
            lo = max((c.es[v] + c.dur[v] for v in range(n) if c.group[v] == g), default=0)
            hi = horizon if single else c.horizon
            F = model.NewIntVar(lo, max(lo, hi), f"F{g}")
            for e in ends_of_group[g]:
                model.Add(e <= F)
            fins.append(F)
        if single:
            self.objective = fins[0]
        else:
            self.objective = sum(w * F for w, F in zip(c.weight, fins, strict=True))
        if objective_ub is not None:
            model.Add(self.objective <= objective_ub)
        model.Minimize(self.objective)

    def hint(self, c: _Compiled, starts: list[int]) -> None:
        for v in range(c.n):
            if c.fixed[v] is None:
                self.model.AddHint(self.starts[v], starts[v])
        fin = c.group_finishes(starts)
        for g, F in enumerate(self.fins):
            self.model.AddHint(F, fin[g])

    def solve(self, seconds: float, seed: int, workers: int = 2, progress=None, params=None):
        cp_model = self.cp_model
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.01, seconds)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        for key, value in (params or {}).items():
            if isinstance(value, list):
                getattr(solver.parameters, key).extend(value)
            else:
                setattr(solver.parameters, key, value)
        starts = self.starts

        class _Cb(cp_model.CpSolverSolutionCallback):
            def __init__(self) -> None:
                super().__init__()
                self.found: list[int] | None = None
                self.count = 0

            def on_solution_callback(self) -> None:
                self.count += 1
                self.found = [self.Value(s) for s in starts]
                if progress is not None:
                    progress()

        cb = _Cb()
        status = solver.Solve(self.model, cb)
        return solver, status, cb


def _accept(c: _Compiled, best: _Best, sched: list[int]) -> None:
    if c.nunits == c.n:
        left = _justify(c, sched, backward=False)
        if left is not None and c.score(left) <= c.score(sched):
            sched = left
    s = c.score(sched)
    if s < best.score:
        best.starts, best.score = sched, s


def _cpsat(
    c: _Compiled,
    seconds: float,
    seed: int,
    best: _Best,
    lower: int,
    tick: Callable[[], None] | None,
) -> tuple[bool, int]:
    """Improve ``best`` with CP-SAT on the whole problem; returns (proven optimal, makespan bound)."""
    single = len(c.groups) == 1
    tail = _tails(c)
    if best.starts is not None and single:
        horizon = min(c.horizon, max(s + c.dur[v] for v, s in enumerate(best.starts)))
    else:
        horizon = c.horizon
    ub = best.score[0] if best.starts is not None and not single else None
    m = _Model(c, horizon, tail, objective_ub=ub)
    if not m.ok:
        return False, lower
    if single:
        m.model.Add(m.fins[0] >= lower)
    if best.starts is not None:
        m.hint(c, best.starts)
    solver, status, cb = m.solve(seconds, seed, progress=tick)
    cp_model = m.cp_model
    best.schedules += cb.count
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and cb.found is not None:
        _accept(c, best, cb.found)
    bound = lower
    if single and status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = max(lower, int(math.ceil(solver.BestObjectiveBound() - 1e-9)))
    if status == cp_model.INFEASIBLE and best.starts is None:
        raise LevelingError("no schedule satisfies every dependency, release, fixed start and capacity")
    return status == cp_model.OPTIMAL, bound


def _chain(c: _Compiled, starts: list[int], keep: set[int]) -> list[tuple[int, int]]:
    """Resource arcs of a partial-order schedule among ``keep`` (chaining): any schedule respecting
    them and the precedences uses no more of a resource than the incumbent's flow allows."""
    arcs: set[tuple[int, int]] = set()
    order = sorted((v for v in keep if c.dur[v] and c.req[v]), key=lambda v: (starts[v], v))
    for k in range(len(c.resources)):
        cap = c.max_cap[k]
        lanes: list[tuple[int, int]] = [(-(1 << 60), -1)] * cap  # (finish, activity) per unit
        for v in order:
            q = next((qq for kk, qq in c.req[v] if kk == k), 0)
            if not q:
                continue
            s = starts[v]
            free = [i for i in range(cap) if lanes[i][0] <= s]
            # Prefer units last used by a predecessor already linked, then the latest finishers.
            preds = {a for a, _ in c.pred[v]}
            free.sort(key=lambda i: (lanes[i][1] not in preds, -lanes[i][0]))
            for i in free[:q]:
                a = lanes[i][1]
                if a >= 0:
                    arcs.add((a, v))
                lanes[i] = (s + c.dur[v], v)
    return sorted(arcs)


def _lns(
    c: _Compiled,
    seconds: float,
    seed: int,
    best: _Best,
    target: int,
    tick: Callable[[], None] | None,
) -> None:
    """Large-neighbourhood search: relax a time window or a random set of activities, keep the rest
    ordered as in the incumbent (a partial-order schedule by chaining), re-solve with CP-SAT; the
    neighbourhood grows while sub-problems are solved to optimality and shrinks when they time out."""
    t0 = time.perf_counter()
    rng = random.Random(seed + 1)
    tail = _tails(c)
    free = [v for v in range(c.n) if c.fixed[v] is None]
    if len(free) < 2 or best.starts is None:
        return
    single = len(c.groups) == 1
    fractions = [0.2, 0.3]  # time window, random set
    incumbent = list(best.starts)
    it = 0
    while True:
        left = seconds - (time.perf_counter() - t0)
        if left < 0.05 or best.score[0] <= target:
            return
        makespan = max(incumbent[v] + c.dur[v] for v in range(c.n))
        kind = it % 2
        fraction = fractions[kind]
        if kind == 0:
            width = max(2, int(makespan * fraction))
            a = rng.randrange(max(1, makespan - width + 1))
            relaxed = {v for v in free if incumbent[v] < a + width and incumbent[v] + c.dur[v] > a}
        else:
            relaxed = set(rng.sample(free, max(2, min(len(free), int(len(free) * fraction)))))
        keep = set(range(c.n)) - relaxed
        arcs = _chain(c, incumbent, keep)
        m = _Model(
            c,
            makespan if single else c.horizon,
            tail,
            arcs=arcs,
            objective_ub=None if single else c.score(incumbent)[0],
        )
        if not m.ok:
            return
        m.hint(c, incumbent)
        solver, status, cb = m.solve(min(left, _LNS_SECONDS), seed + it, progress=tick, **_LNS_SOLVE)
        best.schedules += cb.count
        if cb.found is not None:
            found = cb.found
            if c.nunits == c.n:
                found = _justify(c, found, backward=False) or found
            if c.score(found)[0] <= c.score(incumbent)[0]:
                incumbent = found
            _accept(c, best, found)
        if status == m.cp_model.OPTIMAL:
            fractions[kind] = min(0.9, fraction * 1.15)
        else:
            fractions[kind] = max(0.03, fraction / 1.15)
        it += 1


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


def critical_path_bound(problem: Problem) -> int:
    """The makespan ignoring capacities: longest path through releases, fixed starts and precedences."""
    c = _Compiled(problem)
    return _makespan_bound(c)


def _makespan_bound(c: _Compiled) -> int:
    if c.n == 0:
        return 0
    return c.cp_makespan + c.origin


def _energy_bound(c: _Compiled) -> int:
    """Each resource's total work over its capacity (periods from the origin), when capacity is flat."""
    bound = 0
    for k in range(len(c.resources)):
        if c.steps[k] or any(f is not None for f in c.fixed):
            continue
        cap = c.base_cap[k]
        work = sum(q * c.dur[v] for v in range(c.n) for kk, q in c.req[v] if kk == k)
        if cap > 0 and work:
            bound = max(bound, -(-work // cap))
    return bound + c.origin if bound else 0


def level(
    problem: Problem,
    *,
    mode: str = "heuristic",
    time_limit: float = 10.0,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
) -> Result:
    """Level ``problem``; see the module docstring for the modes and the objective."""
    t0 = time.perf_counter()
    if mode not in ("heuristic", "optimal"):
        raise LevelingError(f"mode {mode!r}: must be 'heuristic' or 'optimal'")
    if not isinstance(time_limit, (int, float)) or time_limit <= 0:
        raise LevelingError(f"time_limit {time_limit!r}: must be a positive number of seconds")
    c = _Compiled(problem)
    single = len(c.groups) == 1
    lower = max(_makespan_bound(c), _energy_bound(c))
    best = _Best()
    # Target for the heuristic: the lower bound of the objective.
    if single:
        target = c.weight[0] * (lower - c.origin) if c.groups else 0
    else:
        target = sum(
            w * max((c.es[v] + c.dur[v] for v in range(c.n) if c.group[v] == g), default=0)
            for g, w in enumerate(c.weight)
        )
    heur_seconds = min(time_limit, HEURISTIC_SECONDS)
    if mode == "optimal":
        movable = sum(f is None for f in c.fixed)
        compiled = c.nunits == c.n and leveling_fast.available()
        share = _HEURISTIC_SHARE if compiled and movable > _SMALL else _HEURISTIC_SHARE_SMALL
        heur_seconds = max(0.05, share * time_limit)
    if c.n:
        _heuristic(c, heur_seconds, seed, best, target, progress=progress if mode == "heuristic" else None)
    proven = False
    if c.n and best.starts is not None and best.score[0] <= target and all(w > 0 for w in c.weight):
        proven = True
    if c.n == 0:
        proven = True
        best.starts = []
        best.score = (0, 0)
    if (mode == "optimal" and not proven) or best.starts is None:
        from ortools.sat.python import cp_model  # noqa: F401  (loaded once, inside the time budget)

        deadline = t0 + time_limit - _SAFETY

        def tick() -> None:
            if progress is not None:
                progress(min(1.0, (time.perf_counter() - t0) / time_limit))

        remaining = max(0.05, deadline - time.perf_counter())
        small = len([v for v in range(c.n) if c.fixed[v] is None]) <= _SMALL
        share = remaining if best.starts is None or c.nunits != c.n or small else remaining * _FULL_SHARE
        p, b = _cpsat(c, share, seed, best, lower - c.origin, tick)
        proven = proven or p
        if single:
            lower = max(lower, b + c.origin)
        if best.starts is None:
            raise LevelingError(
                "no schedule found in the time limit that satisfies every dependency, release, fixed start "
                "and capacity"
            )
        if not proven and mode == "optimal":
            target_lns = (lower - c.origin) * c.weight[0] if single else target
            _lns(c, deadline - time.perf_counter(), seed, best, target_lns, tick)
            if single and best.score[0] <= target_lns and c.weight[0] > 0:
                proven = True
    starts = best.starts
    o = c.origin
    fin = c.group_finishes(starts)
    out = {c.ids[v]: starts[v] + o for v in range(c.n)}
    makespan = max((starts[v] + c.dur[v] for v in range(c.n)), default=0) + (o if c.n else 0)
    if single and proven:
        lower = makespan
    if progress is not None:
        progress(1.0)
    return Result(
        starts=MappingProxyType(out),
        makespan=makespan,
        group_finishes=MappingProxyType({g: fin[i] + o for i, g in enumerate(c.groups)}),
        lower_bound=min(lower, makespan),
        proven_optimal=proven,
        mode=mode,
        seconds=time.perf_counter() - t0,
        schedules=best.schedules,
    )


def check(problem: Problem, starts: Mapping[str, int]) -> list[str]:
    """Every broken rule of ``starts`` (empty when feasible): precedences, releases, pins, capacities."""
    problems: list[str] = []
    acts = {a.id: a for a in problem.activities}
    for a in problem.activities:
        if a.id not in starts:
            problems.append(f"activity {a.id!r}: no start")
    if problems:
        return problems
    for a in problem.activities:
        s = starts[a.id]
        if a.fixed_start is not None:
            if s != a.fixed_start:
                problems.append(f"activity {a.id!r}: starts at {s}, fixed at {a.fixed_start}")
        elif s < a.release:
            problems.append(f"activity {a.id!r}: starts at {s}, before its release {a.release}")
    for p in problem.precedences:
        if starts[p.successor] < starts[p.predecessor] + p.delay:
            problems.append(
                f"precedence {p.predecessor!r} → {p.successor!r}: {starts[p.successor]} < "
                f"{starts[p.predecessor]} + {p.delay}"
            )
    usage: dict[str, dict[int, int]] = {}
    for a in problem.activities:
        for r, q in a.demands.items():
            if q and a.duration:
                row = usage.setdefault(r, {})
                for t in range(starts[a.id], starts[a.id] + a.duration):
                    row[t] = row.get(t, 0) + q
    for r, row in usage.items():
        if r not in problem.capacities:
            problems.append(f"resource {r!r}: unknown")
            continue
        changes = sorted(problem.capacity_changes.get(r, ()))
        for t in sorted(row):
            cap = problem.capacities[r]
            for frm, c in changes:
                if frm <= t:
                    cap = c
            if row[t] > cap:
                problems.append(f"resource {r!r}: {row[t]} used at period {t}, capacity {cap}")
    _ = acts
    return problems


# --------------------------------------------------------------------------------------------------
# PSPLIB
# --------------------------------------------------------------------------------------------------


def read_psplib(text: str) -> Problem:
    """Parse a single-mode PSPLIB ``.sm`` file (RCPSP); finish-to-start precedences, renewable resources."""
    lines = text.splitlines()

    def section(title: str) -> int:
        for i, line in enumerate(lines):
            if line.strip().upper().startswith(title):
                return i
        raise LevelingError(f"PSPLIB file: no {title!r} section")

    i = section("PRECEDENCE RELATIONS")
    succs: dict[str, list[str]] = {}
    order: list[str] = []
    for line in lines[i + 2 :]:
        if line.startswith("*"):
            break
        parts = line.split()
        if not parts:
            continue
        try:
            nums = [int(x) for x in parts]
        except ValueError as exc:
            raise LevelingError(f"PSPLIB file: bad precedence line {line.strip()!r}") from exc
        if len(nums) < 3 or len(nums) != 3 + nums[2]:
            raise LevelingError(f"PSPLIB file: bad precedence line {line.strip()!r}")
        if nums[1] != 1:
            raise LevelingError(
                f"PSPLIB file: job {nums[0]} has {nums[1]} modes; only single-mode files are read"
            )
        order.append(str(nums[0]))
        succs[str(nums[0])] = [str(x) for x in nums[3:]]
    i = section("REQUESTS/DURATIONS")
    header = lines[i + 1]
    names = [f"{kind}{num}" for kind, num in re.findall(r"\b([RND])\s*(\d+)", header)]
    if not names:
        raise LevelingError("PSPLIB file: no resource columns in REQUESTS/DURATIONS")
    durations: dict[str, int] = {}
    demands: dict[str, dict[str, int]] = {}
    for line in lines[i + 2 :]:
        if line.startswith("*"):
            break
        if line.startswith("-") or not line.strip():
            continue
        try:
            nums = [int(x) for x in line.split()]
        except ValueError as exc:
            raise LevelingError(f"PSPLIB file: bad request line {line.strip()!r}") from exc
        if len(nums) != 3 + len(names):
            raise LevelingError(f"PSPLIB file: bad request line {line.strip()!r}")
        job = str(nums[0])
        durations[job] = nums[2]
        demands[job] = {r: q for r, q in zip(names, nums[3:], strict=True) if q and r.startswith("R")}
    i = section("RESOURCEAVAILABILITIES")
    caps_line = None
    for line in lines[i + 2 :]:
        if line.strip():
            caps_line = line
            break
    if caps_line is None:
        raise LevelingError("PSPLIB file: no resource availabilities")
    try:
        caps = [int(x) for x in caps_line.split()]
    except ValueError as exc:
        raise LevelingError(f"PSPLIB file: bad availability line {caps_line.strip()!r}") from exc
    if len(caps) != len(names):
        raise LevelingError("PSPLIB file: availabilities do not match the resource columns")
    capacities = {r: c for r, c in zip(names, caps, strict=True) if r.startswith("R")}
    missing = [j for j in order if j not in durations]
    if missing:
        raise LevelingError(f"PSPLIB file: job {missing[0]} has no duration")
    activities = tuple(Activity(id=j, duration=durations[j], demands=demands[j]) for j in order)
    precedences = tuple(
        Precedence(predecessor=j, successor=s, delay=durations[j]) for j in order for s in succs[j]
    )
    unknown = [s for j in order for s in succs[j] if s not in durations]
    if unknown:
        raise LevelingError(f"PSPLIB file: successor {unknown[0]} is not a job")
    return Problem(activities=activities, precedences=precedences, capacities=capacities)
