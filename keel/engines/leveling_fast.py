"""Compiled schedule generation and a genetic algorithm for the leveling engine.

The kernels work on the problem as arrays (activities indexed ``0..n-1``, precedences and demands
in compressed rows, one capacity profile per resource and period) and are compiled by numba once
per process; the machine code is cached on disk (``NUMBA_CACHE_DIR`` or ``__pycache__``) so later
processes only load it. Compilation runs in a background thread started by :func:`start`; callers
ask :func:`ready` and use the pure-Python scheme until it is.

Scope: problems whose precedences form no loop (every strongly connected component is a single
activity); the engine keeps its general scheme for the rest.

Genetic algorithm (activity lists, after Hartmann 1998 and Valls, Ballestín and Quintanilla 2008):
each individual is a precedence-feasible list of the movable activities, decoded by the serial
schedule generation scheme and improved by double justification (right- then left-justification);
the improved schedule's start order replaces the list. Half the children come from the peak
crossover (the mother's order kept over her most resource-intensive interval, the father's around
it), the other half from two-point crossover; adjacent-swap mutation and, for half the children,
one insertion mutation (an activity moved to a random place between its last predecessor and its
first successor), binary tournaments, a steady-state population without duplicate objectives, and
a restart from the best individual's neighbourhood when the population stalls; the neighbourhood
widens with each restart that found nothing better (an escalating perturbation, as in iterated
local search), so a population caught in one basin moves on instead of circling it. Before
restarting, a population of more than 40 activities (one project, no leads, nothing pinned) first
re-solves a time window of its best schedule (placed at random, favouring where the schedule leaves
capacity unused) as a sub-problem (after Debels and Vanhoucke's decomposition, 2007): what starts
before the window is fixed and takes its capacity, what starts after is left out, a small
population evolves the window's activities for a budget of about 1,000 whole-problem schedules, and
the window's best order replaces its part of the best list; a better schedule spares the restart.
Populations evolving side by side in threads (islands) publish their best schedule between batches;
a stalled one first takes over a peer's better best (its start order decoded into the population)
and restarts around that, so both work on the best basin found while their restarts keep them apart.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import numpy as np

try:
    from numba import njit
except ImportError:  # pragma: no cover - numba is a declared dependency
    njit = None

__all__ = ["Arrays", "FastGA", "available", "islands", "ready", "start", "warm_seconds"]

_BIG = 1 << 60
MUTATION = 0.05  # probability of swapping each adjacent pair of a child's list
PEAK = 0.5  # share of children made by the peak crossover (the rest: two-point crossover)
SHIFT = 0.5  # share of children that also get one insertion mutation
DECOMPOSE = True  # a stalled population first re-solves a time window of its best schedule
DECOMPOSE_MIN = 40  # ... on problems of more activities than this (smaller ones: restarts only)
DECOMPOSE_BUDGET = 1000  # schedules of the whole problem's size one window's search may spend
DECOMPOSE_STALL = 15  # the window's population restarts after this many schedules per individual
RESTART_NOISE = 0.05  # noise on the best list's positions when restarting (share of its length)
ESCALATE = 2.0  # the noise doubles with each restart that found nothing better since the last one,
ESCALATE_MAX = 3  # at most three times (0.05, 0.1, 0.2, 0.4 of the list's length)
MIGRATE = True  # a stalled population first takes over a better best schedule of a population beside it


def _jit(fn):
    if njit is None:
        return fn
    try:
        return njit(cache=True, nogil=True)(fn)
    except RuntimeError:  # no writable cache folder: compile in each process instead
        return njit(nogil=True)(fn)


# --------------------------------------------------------------------------------------------------
# Kernels
# --------------------------------------------------------------------------------------------------


@_jit
def _earliest(prof, v, lo, hi, dur, rptr, rk, rq):
    """Earliest t in [lo, hi] where activity v fits the profile; -1 if none."""
    d = dur[v]
    if d == 0 or rptr[v] == rptr[v + 1]:
        return lo if lo <= hi else -1
    t = lo
    while t <= hi:
        bad = -1
        for j in range(rptr[v], rptr[v + 1]):
            k = rk[j]
            q = rq[j]
            x = t + d - 1
            while x >= t:
                if prof[k, x] < q:
                    if x + 1 > bad:
                        bad = x + 1
                    break
                x -= 1
        if bad < 0:
            return t
        t = bad
    return -1


@_jit
def _latest(prof, v, lo, hi, dur, rptr, rk, rq):
    """Latest t in [lo, hi] where activity v fits the profile; -1 if none."""
    d = dur[v]
    if d == 0 or rptr[v] == rptr[v + 1]:
        return hi if hi >= lo else -1
    t = hi
    while t >= lo:
        bad = _BIG
        for j in range(rptr[v], rptr[v + 1]):
            k = rk[j]
            q = rq[j]
            x = t
            while x < t + d:
                if prof[k, x] < q:
                    if x - d < bad:
                        bad = x - d
                    break
                x += 1
        if bad == _BIG:
            return t
        t = bad
    return -1


@_jit
def _put(prof, v, t, dur, rptr, rk, rq):
    d = dur[v]
    for j in range(rptr[v], rptr[v + 1]):
        k = rk[j]
        q = rq[j]
        for x in range(t, t + d):
            prof[k, x] -= q


@_jit
def _serial(
    order, starts, prof, prof0, dur, rel, lst, fixed, pptr, pidx, pdel, sptr, sidx, sdel, rptr, rk, rq, hor
):
    """Serial schedule generation of the activity list ``order``; False if an activity has no room."""
    prof[:, :] = prof0
    for v in range(dur.shape[0]):
        starts[v] = fixed[v]
    for i in range(order.shape[0]):
        v = order[i]
        lo = rel[v]
        for j in range(pptr[v], pptr[v + 1]):
            x = starts[pidx[j]] + pdel[j]
            if x > lo:
                lo = x
        hi = lst[v]
        if hor < hi:
            hi = hor
        for j in range(sptr[v], sptr[v + 1]):
            b = sidx[j]
            if fixed[b] >= 0 and fixed[b] - sdel[j] < hi:
                hi = fixed[b] - sdel[j]
        t = _earliest(prof, v, lo, hi, dur, rptr, rk, rq)
        if t < 0:
            return False
        starts[v] = t
        _put(prof, v, t, dur, rptr, rk, rq)
    return True


@_jit
def _right(
    starts, new, prof, prof0, free, dur, lst, fixed, group, sptr, sidx, sdel, rptr, rk, rq, hor, ngroups
):
    """Right-justify: each movable activity, latest finish first, as late as its successors and its
    group's finish allow. ``new`` gets the schedule; False if it fails."""
    prof[:, :] = prof0
    gfin = np.zeros(ngroups, np.int64)
    n = dur.shape[0]
    for v in range(n):
        new[v] = starts[v]
        e = starts[v] + dur[v]
        if e > gfin[group[v]]:
            gfin[group[v]] = e
    m = free.shape[0]
    key = np.empty(m, np.int64)
    for i in range(m):
        v = free[i]
        key[i] = -(starts[v] + dur[v]) * (n + 1) - v
    idx = np.argsort(key)
    for i in range(m):
        v = free[idx[i]]
        hi = lst[v]
        if hor < hi:
            hi = hor
        g = gfin[group[v]] - dur[v]
        if g < hi:
            hi = g
        for j in range(sptr[v], sptr[v + 1]):
            x = new[sidx[j]] - sdel[j]
            if x < hi:
                hi = x
        t = _latest(prof, v, starts[v], hi, dur, rptr, rk, rq)
        if t < 0:
            return False
        new[v] = t
        _put(prof, v, t, dur, rptr, rk, rq)
    return True


@_jit
def _left(starts, new, prof, prof0, free, dur, rel, pptr, pidx, pdel, rptr, rk, rq):
    """Left-justify: each movable activity, earliest start first, as early as it fits."""
    prof[:, :] = prof0
    n = dur.shape[0]
    for v in range(n):
        new[v] = starts[v]
    m = free.shape[0]
    key = np.empty(m, np.int64)
    for i in range(m):
        v = free[i]
        key[i] = starts[v] * (n + 1) + v
    idx = np.argsort(key)
    for i in range(m):
        v = free[idx[i]]
        lo = rel[v]
        for j in range(pptr[v], pptr[v + 1]):
            x = new[pidx[j]] + pdel[j]
            if x > lo:
                lo = x
        t = _earliest(prof, v, lo, starts[v], dur, rptr, rk, rq)
        if t < 0:
            return False
        new[v] = t
        _put(prof, v, t, dur, rptr, rk, rq)
    return True


@_jit
def _score(starts, dur, group, weight):
    """(weighted sum of group finishes, sum of starts)."""
    gfin = np.zeros(weight.shape[0], np.int64)
    total = 0
    for v in range(dur.shape[0]):
        e = starts[v] + dur[v]
        if e > gfin[group[v]]:
            gfin[group[v]] = e
        total += starts[v]
    obj = 0
    for g in range(weight.shape[0]):
        obj += weight[g] * gfin[g]
    return obj, total


@_jit
def _to_list(starts, free, topo, out, missing, pptr, pidx, spos, sptr, sidx, negative):
    """The movable activities ordered by start (ties by topological rank), made precedence-feasible."""
    m = free.shape[0]
    n = topo.shape[0]
    key = np.empty(m, np.int64)
    for i in range(m):
        v = free[i]
        key[i] = starts[v] * (n + 1) + topo[v]
    idx = np.argsort(key)
    if not negative:
        for i in range(m):
            out[i] = free[idx[i]]
        return
    # A negative delay lets a successor start first: repair by the smallest key among the eligible.
    rank = np.empty(n, np.int64)
    for i in range(m):
        rank[free[idx[i]]] = i
    for i in range(m):
        v = free[i]
        c = 0
        for j in range(pptr[v], pptr[v + 1]):
            if spos[pidx[j]] >= 0:
                c += 1
        missing[v] = c
    eligible = np.empty(m, np.int64)
    ne = 0
    for i in range(m):
        if missing[free[i]] == 0:
            eligible[ne] = free[i]
            ne += 1
    for i in range(m):
        b = 0
        for e in range(1, ne):
            if rank[eligible[e]] < rank[eligible[b]]:
                b = e
        v = eligible[b]
        eligible[b] = eligible[ne - 1]
        ne -= 1
        out[i] = v
        for j in range(sptr[v], sptr[v + 1]):
            w = sidx[j]
            if spos[w] >= 0:
                missing[w] -= 1
                if missing[w] == 0:
                    eligible[ne] = w
                    ne += 1


@_jit
def _sample(prio, free, spos, out, missing, pptr, pidx, sptr, sidx, bias, randomized):
    """A precedence-feasible list by regret-biased random sampling on ``prio`` (lowest first)."""
    m = free.shape[0]
    for i in range(m):
        v = free[i]
        c = 0
        for j in range(pptr[v], pptr[v + 1]):
            if spos[pidx[j]] >= 0:
                c += 1
        missing[v] = c
    eligible = np.empty(m, np.int64)
    weights = np.empty(m, np.float64)
    ne = 0
    for i in range(m):
        if missing[free[i]] == 0:
            eligible[ne] = free[i]
            ne += 1
    for i in range(m):
        b = 0
        if randomized and ne > 1:
            worst = prio[eligible[0]]
            for e in range(1, ne):
                if prio[eligible[e]] > worst:
                    worst = prio[eligible[e]]
            total = 0.0
            for e in range(ne):
                weights[e] = (worst - prio[eligible[e]] + 1.0) ** bias
                total += weights[e]
            x = np.random.random() * total
            b = ne - 1
            for e in range(ne):
                x -= weights[e]
                if x < 0:
                    b = e
                    break
        else:
            for e in range(1, ne):
                if prio[eligible[e]] < prio[eligible[b]]:
                    b = e
        v = eligible[b]
        eligible[b] = eligible[ne - 1]
        ne -= 1
        out[i] = v
        for j in range(sptr[v], sptr[v + 1]):
            w = sidx[j]
            if spos[w] >= 0:
                missing[w] -= 1
                if missing[w] == 0:
                    eligible[ne] = w
                    ne += 1


@_jit
def _seed(seed):
    np.random.seed(seed)


@_jit
def _decode(
    order, starts, tmp, prof, prof0, free, topo, missing, spos, negative,
    dur, rel, lst, fixed, group, weight, pptr, pidx, pdel, sptr, sidx, sdel, rptr, rk, rq, hor,
):  # fmt: skip
    """Serial scheme plus double justification of ``order``; the list is rewritten in the improved
    schedule's start order. Returns (objective, sum of starts, schedules made); objective -1 if the
    list has no feasible schedule."""
    ng = weight.shape[0]
    if not _serial(
        order,
        starts,
        prof,
        prof0,
        dur,
        rel,
        lst,
        fixed,
        pptr,
        pidx,
        pdel,
        sptr,
        sidx,
        sdel,
        rptr,
        rk,
        rq,
        hor,
    ):
        return -1, 0, 1
    obj, tot = _score(starts, dur, group, weight)
    made = 1
    if _right(
        starts, tmp, prof, prof0, free, dur, lst, fixed, group, sptr, sidx, sdel, rptr, rk, rq, hor, ng
    ):
        made += 1
        if _left(tmp, tmp, prof, prof0, free, dur, rel, pptr, pidx, pdel, rptr, rk, rq):
            made += 1
            o2, t2 = _score(tmp, dur, group, weight)
            if o2 < obj or (o2 == obj and t2 <= tot):
                obj, tot = o2, t2
                starts[:] = tmp
    _to_list(starts, free, topo, order, missing, pptr, pidx, spos, sptr, sidx, negative)
    return obj, tot, made


@_jit
def _peak_child(mo, fa, pop, pstart, child, taken, rur, prof0, dur, rptr, rk, rq):
    """Peak crossover (after Valls, Ballestín and Quintanilla, 2008): the child keeps the mother's
    order for the activities she runs in her most resource-intensive interval, and the father's order
    before and after it. Both parts stay precedence-feasible: what the mother starts before the
    interval is closed under predecessors when no delay is negative."""
    m = pop.shape[1]
    end = 0
    for i in range(m):
        v = pop[mo, i]
        e = pstart[mo, v] + dur[v]
        if e > end:
            end = e
    if end > rur.shape[0]:
        end = rur.shape[0]
    rur[:end] = 0.0
    for i in range(m):
        v = pop[mo, i]
        s = pstart[mo, v]
        for j in range(rptr[v], rptr[v + 1]):
            k = rk[j]
            q = rq[j]
            for t in range(s, min(s + dur[v], end)):
                cap = prof0[k, t]
                if cap > 0:
                    rur[t] += q / cap
    width = end // 4 + np.random.randint(end // 2 + 1)
    if width < 1:
        width = 1
    window = 0.0
    for t in range(min(width, end)):
        window += rur[t]
    best = window
    a = 0
    for t in range(width, end):
        window += rur[t] - rur[t - width]
        if window > best:
            best = window
            a = t - width + 1
    b = a + width
    c = 0
    for i in range(m):
        v = pop[fa, i]
        if pstart[mo, v] < a:
            child[c] = v
            taken[v] = True
            c += 1
    for i in range(m):
        v = pop[mo, i]
        if not taken[v] and pstart[mo, v] < b:
            child[c] = v
            taken[v] = True
            c += 1
    for i in range(m):
        v = pop[fa, i]
        if not taken[v]:
            child[c] = v
            taken[v] = True
            c += 1


@_jit
def _shift(child, where, pptr, pidx, sptr, sidx):
    """Insertion mutation: move one activity, drawn at random, to a random place of the list between
    its last predecessor and its first successor. ``where`` is scratch space (-1 for the activities
    not in the list)."""
    m = child.shape[0]
    for i in range(m):
        where[child[i]] = i
    i = np.random.randint(m)
    v = child[i]
    lo = 0
    hi = m - 1
    for j in range(pptr[v], pptr[v + 1]):
        x = where[pidx[j]]
        if x >= 0 and x + 1 > lo:
            lo = x + 1
    for j in range(sptr[v], sptr[v + 1]):
        x = where[sidx[j]]
        if x >= 0 and x - 1 < hi:
            hi = x - 1
    if hi > lo:
        k = lo + np.random.randint(hi - lo + 1)
        if k > i:
            for x in range(i, k):
                child[x] = child[x + 1]
        else:
            for x in range(i, k, -1):
                child[x] = child[x - 1]
        child[k] = v


@_jit
def _better(o1, t1, o2, t2):
    return o1 < o2 or (o1 == o2 and t1 < t2)


@_jit
def _ga(
    steps, pop, pstart, fit, best, bestfit, child, starts, tmp, prof, prof0, free, topo, missing, spos, negative,
    dur, rel, lst, fixed, group, weight, pptr, pidx, pdel, sptr, sidx, sdel, rptr, rk, rq, hor,
    target, mutation, peak, rur, shift,
):  # fmt: skip
    """``steps`` steady-state generations: two parents by binary tournament, peak or two-point
    crossover, adjacent-swap mutation and, with probability ``shift``, one insertion mutation, decode;
    the child replaces the worst individual when it is better and its objective is new. Returns the
    schedules made."""
    P = pop.shape[0]
    m = pop.shape[1]
    made = 0
    taken = np.zeros(dur.shape[0], np.bool_)
    where = np.full(dur.shape[0], -1, np.int64)
    for _ in range(steps):
        if bestfit[0] <= target:
            break
        a = np.random.randint(P)
        b = np.random.randint(P)
        mo = a if _better(fit[a, 0], fit[a, 1], fit[b, 0], fit[b, 1]) else b
        a = np.random.randint(P)
        b = np.random.randint(P)
        fa = a if _better(fit[a, 0], fit[a, 1], fit[b, 0], fit[b, 1]) else b
        taken[:] = False
        c = 0
        if peak > 0 and np.random.random() < peak:
            _peak_child(mo, fa, pop, pstart, child, taken, rur, prof0, dur, rptr, rk, rq)
        else:
            q1 = np.random.randint(m + 1)
            q2 = np.random.randint(m + 1)
            if q1 > q2:
                q1, q2 = q2, q1
            for i in range(q1):
                v = pop[mo, i]
                child[c] = v
                taken[v] = True
                c += 1
            for i in range(m):
                if c >= q2:
                    break
                v = pop[fa, i]
                if not taken[v]:
                    child[c] = v
                    taken[v] = True
                    c += 1
            for i in range(m):
                v = pop[mo, i]
                if not taken[v]:
                    child[c] = v
                    taken[v] = True
                    c += 1
        for i in range(m - 1):
            if np.random.random() < mutation:
                x = child[i]
                y = child[i + 1]
                linked = False
                for j in range(sptr[x], sptr[x + 1]):
                    if sidx[j] == y:
                        linked = True
                        break
                if not linked:
                    child[i] = y
                    child[i + 1] = x
        if shift > 0 and np.random.random() < shift:
            _shift(child, where, pptr, pidx, sptr, sidx)
        obj, tot, k = _decode(
            child, starts, tmp, prof, prof0, free, topo, missing, spos, negative,
            dur, rel, lst, fixed, group, weight, pptr, pidx, pdel, sptr, sidx, sdel, rptr, rk, rq, hor,
        )  # fmt: skip
        made += k
        if obj < 0:
            continue
        if _better(obj, tot, bestfit[0], bestfit[1]):
            bestfit[0] = obj
            bestfit[1] = tot
            best[:] = starts
        worst = 0
        dup = False
        for i in range(P):
            if fit[i, 0] == obj and fit[i, 1] == tot:
                dup = True
                break
            if _better(fit[worst, 0], fit[worst, 1], fit[i, 0], fit[i, 1]):
                worst = i
        if not dup and _better(obj, tot, fit[worst, 0], fit[worst, 1]):
            pop[worst, :] = child
            pstart[worst, :] = starts
            fit[worst, 0] = obj
            fit[worst, 1] = tot
    return made


# --------------------------------------------------------------------------------------------------
# Compilation in the background
# --------------------------------------------------------------------------------------------------

_lock = threading.Lock()
_done = threading.Event()
_thread: threading.Thread | None = None
_failed: list[BaseException] = []


def available() -> bool:
    """True when numba is installed (the compiled scheme can be used at all)."""
    return njit is not None and not _failed and os.environ.get("KEEL_LEVELING_PURE_PYTHON", "") == ""


def start() -> None:
    """Start compiling (or loading from the disk cache) the kernels in a background thread, once."""
    global _thread
    if not available():
        return
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_warm, name="leveling-jit", daemon=True)
            _thread.start()


def ready(wait: float = 0.0) -> bool:
    """Whether the kernels are compiled; starts the compilation and waits up to ``wait`` seconds."""
    if not available():
        return False
    start()
    return _done.wait(max(0.0, wait)) and not _failed


def warm_seconds() -> float | None:
    """Seconds the background compilation (or load from the disk cache) took; None until done."""
    return _warm_seconds[0] if _warm_seconds else None


_warm_seconds: list[float] = []


def _warm() -> None:
    from keel.engines.leveling import Activity, Precedence, Problem, _Compiled

    t0 = time.perf_counter()
    try:
        problem = Problem(
            activities=(
                Activity("a", 2, {"r": 1}),
                Activity("b", 1, {"r": 1}),
                Activity("c", 1, {"r": 1}, fixed_start=5),
            ),
            precedences=(Precedence("a", "b", -1),),
            capacities={"r": 1},
        )
        ga = FastGA(Arrays(_Compiled(problem)), seed=0, size=2)
        ga.sample(np.array([0.0, 1.0, 2.0]), randomized=True)
        ga.sample(np.array([0.0, 1.0, 2.0]), randomized=False)
        ga.evolve(2, target=0)
    except BaseException as exc:  # pragma: no cover - a broken numba install: stay on pure Python
        _failed.append(exc)
    finally:
        _warm_seconds.append(time.perf_counter() - t0)
        _done.set()


# --------------------------------------------------------------------------------------------------
# Python side
# --------------------------------------------------------------------------------------------------


class Arrays:
    """The compiled problem (``leveling._Compiled`` with singleton units) as numpy arrays."""

    def __init__(self, c) -> None:
        n = c.n
        i64 = np.int64
        self.n = n
        self.dur = np.array(c.dur, i64)
        self.rel = np.array(c.release, i64)
        self.lst = np.array([min(c.ulst[c.unit_of[v]], _BIG) for v in range(n)], i64)
        self.fixed = np.array([-1 if f is None else f for f in c.fixed], i64)
        self.group = np.array(c.group, i64)
        self.weight = np.array(c.weight, i64)
        self.hor = int(c.horizon)
        small = all(
            -(2**31) < x < 2**31 for row in c.profile for x in (min(row, default=0), max(row, default=0))
        )
        self.prof0 = np.array(c.profile, np.int32 if small else i64).reshape(len(c.resources), c.length)
        self.pptr, self.pidx, self.pdel = _csr(n, c.pred)
        self.sptr, self.sidx, self.sdel = _csr(n, c.succ)
        self.rptr, self.rk, self.rq = _csr(n, c.req)
        self.free = np.array([v for v in range(n) if c.fixed[v] is None], i64)
        self.spos = np.full(n, -1, i64)
        self.spos[self.free] = np.arange(len(self.free), dtype=i64)
        self.topo = np.zeros(n, i64)
        for rank, v in enumerate(sorted(range(n), key=lambda v: (c.unit_of[v], v))):
            self.topo[v] = rank
        self.negative = any(d <= 0 and c.fixed[b] is None for _, b, d in c.edges)
        # The peak crossover needs what starts before an instant to be closed under predecessors.
        self.peakable = all(d >= 0 or c.fixed[b] is not None for _, b, d in c.edges)
        self.decomposable = self.peakable and len(c.groups) == 1 and len(self.free) == n and n > DECOMPOSE_MIN


def _csr(n: int, rows: list[list[tuple[int, int]]]):
    ptr = np.zeros(n + 1, np.int64)
    for v in range(n):
        ptr[v + 1] = ptr[v] + len(rows[v])
    a = np.array([x for row in rows for x, _ in row], np.int64)
    b = np.array([y for row in rows for _, y in row], np.int64)
    return ptr, a, b


def _sub_arrays(a: Arrays, inner: np.ndarray, before: np.ndarray, starts: np.ndarray) -> Arrays:
    """The sub-problem of the activities ``inner`` once the activities ``before`` are fixed at ``starts``
    (their use of the resources taken from the profile, their finishes as releases); the activities
    after are left out. Only for problems without fixed activities, leads or several groups."""
    n = len(inner)
    index = np.full(a.n, -1, np.int64)
    index[inner] = np.arange(n, dtype=np.int64)
    sub = Arrays.__new__(Arrays)
    sub.n = n
    sub.dur = a.dur[inner].copy()
    rel = a.rel[inner].copy()
    prof0 = a.prof0.copy()
    for v in before:
        s = starts[v]
        for j in range(a.rptr[v], a.rptr[v + 1]):
            prof0[a.rk[j], s : s + a.dur[v]] -= a.rq[j]
    sub.prof0 = prof0
    preds: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    succs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for i, v in enumerate(inner):
        for j in range(a.pptr[v], a.pptr[v + 1]):
            p = a.pidx[j]
            if index[p] >= 0:
                preds[i].append((int(index[p]), int(a.pdel[j])))
                succs[index[p]].append((i, int(a.pdel[j])))
            else:
                rel[i] = max(rel[i], starts[p] + a.pdel[j])
    sub.rel = rel
    sub.lst = a.lst[inner].copy()
    sub.fixed = np.full(n, -1, np.int64)
    sub.group = np.zeros(n, np.int64)
    sub.weight = a.weight[:1].copy()
    sub.hor = a.hor
    sub.pptr, sub.pidx, sub.pdel = _csr(n, preds)
    sub.sptr, sub.sidx, sub.sdel = _csr(n, succs)
    reqs = [[(int(a.rk[j]), int(a.rq[j])) for j in range(a.rptr[v], a.rptr[v + 1])] for v in inner]
    sub.rptr, sub.rk, sub.rq = _csr(n, reqs)
    sub.free = np.arange(n, dtype=np.int64)
    sub.spos = np.arange(n, dtype=np.int64)
    sub.topo = np.argsort(np.argsort(a.topo[inner])).astype(np.int64)
    sub.negative = a.negative
    sub.peakable = True
    sub.decomposable = False
    return sub


class FastGA:
    """A population of activity lists evolved with the compiled kernels."""

    def __init__(self, arrays: Arrays, seed: int, size: int) -> None:
        self.a = a = arrays
        n, m = a.n, len(a.free)
        self.size = size
        self.pop = np.zeros((size, m), np.int64)
        self.pstart = np.zeros((size, n), np.int64)
        self.rur = np.zeros(arrays.prof0.shape[1], np.float64)
        self.fit = np.full((size, 2), _BIG, np.int64)
        self.count = 0
        self.best = np.zeros(n, np.int64)
        self.bestfit = np.array([_BIG, _BIG], np.int64)
        self.child = np.zeros(m, np.int64)
        self.starts = np.zeros(n, np.int64)
        self.tmp = np.zeros(n, np.int64)
        self.prof = np.empty_like(a.prof0)
        self.missing = np.zeros(n, np.int64)
        self.schedules = 0
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self._thread = -1
        # Populations evolving beside this one in other threads (islands), and this one's best
        # (objective, starts) as last published between batches for them to read.
        self.peers: list[FastGA] = []
        self.shared: tuple[tuple[int, int], np.ndarray] | None = None

    def _seeded(self) -> None:
        # numba's generator is per thread: seed it in the thread that runs this population.
        if self._thread != threading.get_ident():
            self._thread = threading.get_ident()
            _seed(self.seed)

    def _common(self) -> tuple:
        a = self.a
        return (
            a.dur, a.rel, a.lst, a.fixed, a.group, a.weight,
            a.pptr, a.pidx, a.pdel, a.sptr, a.sidx, a.sdel, a.rptr, a.rk, a.rq, a.hor,
        )  # fmt: skip

    def sample(self, prio: np.ndarray, randomized: bool, bias: float = 2.0) -> bool:
        """Add one individual built from the priorities ``prio`` (per activity, lowest first)."""
        a = self.a
        self._seeded()
        order = np.zeros(len(a.free), np.int64)
        _sample(prio, a.free, a.spos, order, self.missing, a.pptr, a.pidx, a.sptr, a.sidx, bias, randomized)
        return self.add(order)

    def add(self, order: np.ndarray) -> bool:
        """Decode a precedence-feasible list and put it in the population; False if it has no schedule."""
        a = self.a
        obj, tot, made = _decode(
            order, self.starts, self.tmp, self.prof, a.prof0, a.free, a.topo, self.missing, a.spos,
            a.negative, *self._common(),
        )  # fmt: skip
        self.schedules += made
        if obj < 0:
            return False
        if obj < self.bestfit[0] or (obj == self.bestfit[0] and tot < self.bestfit[1]):
            self.bestfit[:] = (obj, tot)
            self.best[:] = self.starts
        if self.count < self.size:
            i = self.count
            self.count += 1
        else:
            i = int(np.lexsort((self.fit[:, 1], self.fit[:, 0]))[-1])
            if (obj, tot) >= tuple(self.fit[i]):
                return True
        self.pop[i] = order
        self.pstart[i] = self.starts
        self.fit[i] = (obj, tot)
        return True

    def publish(self) -> None:
        """In the population's own thread, between batches: a copy of its best for the peers."""
        fit = self.best_score
        if self.count and (self.shared is None or fit < self.shared[0]):
            self.shared = (fit, self.best.copy())

    def migrate(self) -> bool:
        """Take over the best schedule a peer published if it is better than this population's
        best: its start order (made precedence-feasible) is decoded into the population. True if so."""
        mine = self.best_score
        better = [p.shared for p in self.peers if p.shared is not None and p.shared[0] < mine]
        if not better:
            return False
        a = self.a
        order = np.zeros(len(a.free), np.int64)
        _to_list(
            min(better, key=lambda x: x[0])[1], a.free, a.topo, order, self.missing,
            a.pptr, a.pidx, a.spos, a.sptr, a.sidx, a.negative,
        )  # fmt: skip
        self.add(order)
        self.publish()
        return True

    @property
    def best_score(self) -> tuple[int, int]:
        """The best schedule's objective and tie-break (the sum of its starts), as plain ints."""
        return int(self.bestfit[0]), int(self.bestfit[1])

    @property
    def full(self) -> bool:
        """Whether the population has its size."""
        return self.count >= self.size

    def evolve(self, steps: int, target: int, mutation: float = -1.0) -> int:
        """Run ``steps`` generations (fewer if ``target`` is reached); returns the schedules made."""
        a = self.a
        if self.count < 2 or len(a.free) < 2:
            return 0
        pop, fit, pstart = self.pop[: self.count], self.fit[: self.count], self.pstart[: self.count]
        mutation = MUTATION if mutation < 0 else mutation
        self._seeded()
        made = _ga(
            steps, pop, pstart, fit, self.best, self.bestfit, self.child, self.starts, self.tmp, self.prof,
            a.prof0, a.free, a.topo, self.missing, a.spos, a.negative, *self._common(),
            target, mutation, PEAK if a.peakable else 0.0, self.rur, SHIFT,
        )  # fmt: skip
        self.schedules += made
        return made

    def populate(self, rules: list[np.ndarray], target: int, deadline: float) -> None:
        """Fill the population: each priority rule once, then regret-biased random sampling on them."""
        tries = 0
        while not self.full and tries < 4 * self.size:
            self.sample(rules[tries % len(rules)], randomized=tries >= len(rules))
            tries += 1
            if self.bestfit[0] <= target or time.perf_counter() >= deadline:
                return

    def restart(self, keep: int, noise: float = RESTART_NOISE, deadline: float = float("inf")) -> None:
        """Keep the ``keep`` best individuals; the others become lists sampled around the best one
        (its positions plus noise, made precedence-feasible) until the population is full or
        ``deadline`` (``time.perf_counter()``) passes; children fill what is left."""
        if self.count == 0:
            return
        a = self.a
        rank = np.lexsort((self.fit[: self.count, 1], self.fit[: self.count, 0]))
        self.pop[: self.count] = self.pop[rank]
        self.pstart[: self.count] = self.pstart[rank]
        self.fit[: self.count] = self.fit[rank]
        self.count = min(keep, self.count)
        self.fit[self.count :] = _BIG
        m = len(a.free)
        pos = np.zeros(a.n, np.float64)
        pos[self.pop[0]] = np.arange(m, dtype=np.float64)
        while self.count < self.size and time.perf_counter() < deadline:
            self.sample(pos + self.rng.normal(0.0, noise * m, a.n), randomized=False)

    def _window(self, starts: np.ndarray) -> tuple[int, int]:
        """The time window ``[lo, lo + width)`` of the schedule ``starts`` to re-solve: a fifth to half
        of its makespan, placed at random with a chance in proportion to the capacity the schedule
        leaves unused inside it (summed over resources as shares of their capacity) — where the
        resources idle is where a better order can gain."""
        a = self.a
        end = int(np.max(starts + a.dur))
        width = max(2, int(end * (0.2 + 0.3 * self.rng.random())))
        if end <= width:
            return 0, width
        idle = np.concatenate(([0.0], np.cumsum(self.idle(starts, end))))
        weight = idle[width:] - idle[:-width] + 1e-9  # per window start 0 .. end - width
        return int(self.rng.choice(len(weight), p=weight / weight.sum())), width

    def idle(self, starts: np.ndarray, end: int) -> np.ndarray:
        """Per period up to ``end``: the capacity the schedule ``starts`` leaves unused, summed over the
        resources as shares of each one's capacity in that period (periods without capacity count 0)."""
        a = self.a
        acts = np.repeat(np.arange(a.n), np.diff(a.rptr))
        s = starts[acts]
        diff = np.zeros((a.prof0.shape[0], end + 1), np.float64)
        np.add.at(diff, (a.rk, np.minimum(s, end)), a.rq)
        np.add.at(diff, (a.rk, np.minimum(s + a.dur[acts], end)), -a.rq)
        use = np.cumsum(diff, axis=1)[:, :end]
        cap = a.prof0[:, :end].astype(np.float64)
        return np.where(cap > 0, 1.0 - use / np.maximum(cap, 1.0), 0.0).sum(axis=0)

    def decompose(self, budget: int, seconds: float = float("inf")) -> bool:
        """Re-solve a time window of the best schedule as a sub-problem (after Debels and Vanhoucke,
        2007): what starts before it fixed, what starts after it left out; the sub-problem's best order
        replaces the window's part of the best list, which is decoded into the population. The window's
        search stops after ``budget`` whole-problem schedules' worth of work or ``seconds``. True if the
        best schedule improved."""
        a = self.a
        deadline = time.perf_counter() + seconds
        rank = int(np.lexsort((self.fit[: self.count, 1], self.fit[: self.count, 0]))[0])
        order = self.pop[rank].copy()
        starts = self.pstart[rank]
        lo, width = self._window(starts)
        pos = starts[order]
        before = order[pos < lo]
        inner = order[(pos >= lo) & (pos < lo + width)]
        after = order[pos >= lo + width]
        if len(inner) < 4:
            return False
        sub = _sub_arrays(a, inner, before, starts)
        ga = FastGA(sub, seed=int(self.rng.integers(1 << 30)), size=max(10, min(self.size, 2 * len(inner))))
        ga._thread = self._thread  # the same thread: numba's generator is already seeded
        ga.add(np.arange(len(inner), dtype=np.int64))  # the window in the best list's order
        spread = np.arange(len(inner), dtype=np.float64)
        tries = 0
        while not ga.full and tries < 4 * ga.size and time.perf_counter() < deadline:
            ga.sample(spread + self.rng.normal(0.0, 0.1 * len(inner), len(inner)), randomized=False)
            tries += 1
        ga.run(
            deadline - time.perf_counter(),
            0,
            stop=lambda: ga.schedules * len(inner) >= budget * a.n,
            stall=DECOMPOSE_STALL * ga.size,
        )
        self.schedules += ga.schedules * len(inner) // a.n  # in whole-problem schedules
        sub_order = np.argsort(ga.best * (len(inner) + 1) + sub.topo, kind="stable")
        child = np.concatenate((before, inner[sub_order], after))
        old = self.best_score
        self.add(child)
        return self.best_score < old

    def run(
        self,
        seconds: float,
        target: int,
        stop: Callable[[], bool] | None = None,
        stall: int = 0,
    ) -> None:
        """Evolve in batches of about 10 ms until ``seconds`` pass, ``target`` is reached or ``stop()``;
        restart around the best individual after ``stall`` schedules without a better one (0: never)."""
        t0 = time.perf_counter()
        batch = 8
        last = self.best_score
        since = self.schedules
        fails = 0
        at_restart = last
        while True:
            now = time.perf_counter()
            if now - t0 >= seconds or self.bestfit[0] <= target or (stop is not None and stop()):
                return
            if not self.evolve(batch, target):
                return  # fewer than two individuals or activities: nothing to evolve
            self.publish()
            spent = time.perf_counter() - now
            if spent < 0.005:
                batch *= 2
            elif spent > 0.02 and batch > 1:
                batch //= 2
            fit = self.best_score
            if fit < last:
                last, since = fit, self.schedules
            elif stall and self.schedules - since > stall:
                if MIGRATE and self.migrate():
                    fit = last = self.best_score  # restart around it
                left = seconds - (time.perf_counter() - t0)
                if DECOMPOSE and self.a.decomposable and self.decompose(DECOMPOSE_BUDGET, left):
                    last, since = self.best_score, self.schedules
                    continue
                fails = fails + 1 if fit >= at_restart else 0
                at_restart = fit
                noise = RESTART_NOISE * ESCALATE ** min(fails, ESCALATE_MAX)
                self.restart(max(2, self.size // 10), noise, deadline=t0 + seconds)
                since = self.schedules


def islands(
    arrays: Arrays,
    rules: list[np.ndarray],
    *,
    seconds: float,
    target: int,
    seed: int,
    size: int,
    stall: int,
    threads: int,
    progress: Callable[[float], None] | None = None,
) -> list[FastGA]:
    """Populations, one per thread (the kernels release the GIL), for ``seconds``; each stops when
    one reaches ``target``. A stalled population takes over a better best of another one before it
    restarts (``MIGRATE``)."""
    t0 = time.perf_counter()
    deadline = t0 + seconds
    gas = [FastGA(arrays, seed=seed + 7919 * i, size=size) for i in range(max(1, threads))]
    for ga in gas:
        ga.peers = [g for g in gas if g is not ga]

    def stop() -> bool:
        return any(g.bestfit[0] <= target for g in gas)

    def work(ga: FastGA) -> None:
        ga.populate(rules, target, deadline)
        ga.publish()
        if ga.count and len(arrays.free) > 1 and not stop():
            ga.run(deadline - time.perf_counter(), target, stop, stall=stall)

    if len(gas) == 1:
        work(gas[0])
        return gas
    workers = [threading.Thread(target=work, args=(g,), name="leveling-ga", daemon=True) for g in gas]
    for w in workers:
        w.start()
    for w in workers:
        while w.is_alive():
            w.join(0.05)
            if progress is not None:
                progress(min(1.0, (time.perf_counter() - t0) / seconds) if seconds > 0 else 1.0)
    return gas
