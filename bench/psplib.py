"""Run the leveling engine on PSPLIB single-mode RCPSP instances and compare with known makespans.

    .venv/bin/python bench/psplib.py DIR CSV [--mode heuristic|optimal] [--time-limit S] [--json]
        [--every K] [--offset K] [--limit N] [--seed S] [--schedules N [--populations P]]

DIR is searched recursively for ``.sm`` files; CSV has the columns
set,parameter,instance,file,lower_bound,upper_bound,optimal,lb_source,ub_source and its rows are
matched to the files by file name. Per set it prints the number of instances, the mean deviation of
the makespan from the critical-path lower bound and from the best-known makespan (upper_bound), how
many best-knowns it matched, how many it proved optimal and the mean seconds per instance. With
``--json`` one JSON object per set and per line goes to stdout; progress always goes to stderr.

``--schedules N`` measures the genetic algorithm alone at a fixed budget instead of ``level()`` at a
time limit: P populations (``--populations``, default 2, as the engine runs on two cores) evolve one
after the other for N schedules each, restarts as in the engine, and the best makespan counts. The
budget is CPU work, not wall clock, so comparisons of settings do not depend on the machine's load;
"seconds per instance" is then CPU time.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from keel.engines.leveling import LevelingError, critical_path_bound, level, read_psplib  # noqa: E402

COLUMNS = (
    "set",
    "parameter",
    "instance",
    "file",
    "lower_bound",
    "upper_bound",
    "optimal",
    "lb_source",
    "ub_source",
)


class BenchError(Exception):
    """A bad argument or input file; the message says which and why."""


def read_known(path: Path) -> dict[str, dict[str, str]]:
    """Rows of the CSV keyed by file name (``j301_1.sm``)."""
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise BenchError(f"{path}: missing column(s) {', '.join(missing)}")
            rows = {}
            for row in reader:
                name = Path(row["file"] or "").name
                if name:
                    rows[name] = row
            return rows
    except OSError as exc:
        raise BenchError(f"{path}: cannot read the CSV ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BenchError(f"{path}: not a readable CSV ({exc})") from exc


def best_known(row: dict[str, str] | None) -> int | None:
    if not row:
        return None
    try:
        return int(row["upper_bound"])
    except (TypeError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, help="folder of .sm files (searched recursively)")
    parser.add_argument("csv", type=Path, help="known makespans CSV")
    parser.add_argument("--mode", choices=("heuristic", "optimal"), default="heuristic")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance (default 10)")
    parser.add_argument("--json", action="store_true", help="one JSON object per set on stdout")
    parser.add_argument("--every", type=int, default=1, help="take every K-th file of each set (subsets)")
    parser.add_argument("--offset", type=int, default=0, help="start at the K-th file of each set (subsets)")
    parser.add_argument("--limit", type=int, default=0, help="at most N files per set")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--schedules", type=int, default=0, help="the genetic algorithm alone, N schedules per population"
    )
    parser.add_argument("--populations", type=int, default=2, help="populations for --schedules (default 2)")
    args = parser.parse_args(argv)
    try:
        return run(args)
    except BenchError as exc:
        print(f"psplib: error: {exc}", file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    if args.time_limit <= 0:
        raise BenchError("--time-limit must be positive")
    if args.every < 1 or args.limit < 0 or args.offset < 0:
        raise BenchError("--every must be >= 1, --offset and --limit >= 0")
    if args.schedules < 0 or args.populations < 1:
        raise BenchError("--schedules must be >= 0 and --populations >= 1")
    if args.schedules:
        from keel.engines import leveling_fast

        leveling_fast.start()
        if not leveling_fast.ready(wait=600):
            raise BenchError("--schedules needs the compiled kernels (numba), which are not available")
    if not args.dir.is_dir():
        raise BenchError(f"{args.dir}: not a folder")
    known = read_known(args.csv)
    files = sorted(p for p in args.dir.rglob("*.sm") if p.is_file())
    if not files:
        raise BenchError(f"{args.dir}: no .sm files")
    by_set: dict[str, list[Path]] = {}
    for path in files:
        row = known.get(path.name)
        name = row["set"] if row and row.get("set") else path.parent.name
        by_set.setdefault(name, []).append(path)
    for name in by_set:
        chosen = sorted(by_set[name], key=_natural)[args.offset :: args.every]
        by_set[name] = chosen[: args.limit] if args.limit else chosen

    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is installed
        tqdm = None
    total = sum(len(v) for v in by_set.values())
    bar = tqdm(total=total, file=sys.stderr, unit="inst", mininterval=2.0) if tqdm else None
    lines = []
    for name in sorted(by_set, key=_natural):
        dev_cp = dev_best = 0.0
        with_best = matched = proven = 0
        seconds = 0.0
        for path in by_set[name]:
            try:
                text = path.read_text(encoding="utf-8")
                problem = read_psplib(text)
            except (OSError, UnicodeDecodeError) as exc:
                raise BenchError(f"{path}: cannot read ({exc})") from exc
            except LevelingError as exc:
                raise BenchError(f"{path}: {exc}") from exc
            cp = critical_path_bound(problem)
            if args.schedules:
                t0 = time.process_time()
                result = _budget(problem, args.schedules, args.populations, args.seed)
                seconds += time.process_time() - t0
            else:
                t0 = time.perf_counter()
                result = level(problem, mode=args.mode, time_limit=args.time_limit, seed=args.seed)
                seconds += time.perf_counter() - t0
            if cp > 0:
                dev_cp += (result.makespan - cp) / cp
            best = best_known(known.get(path.name))
            if best:
                with_best += 1
                dev_best += (result.makespan - best) / best
                matched += result.makespan <= best
            proven += result.proven_optimal
            if bar:
                bar.set_postfix_str(f"{name} {path.name} {result.makespan}")
                bar.update()
        count = len(by_set[name])
        line = {
            "set": name,
            "instances": count,
            "mean_dev_cp_pct": round(100 * dev_cp / count, 2),
            "mean_dev_best_pct": round(100 * dev_best / with_best, 2) if with_best else None,
            "best_matched": matched,
            "proven_optimal": proven,
            "seconds_per_instance": round(seconds / count, 3),
        }
        lines.append(line)
        if args.json:
            print(json.dumps(line), flush=True)
    if bar:
        bar.close()
    print(f"psplib: {_kernels_note()}", file=sys.stderr)
    if not args.json:
        if args.schedules:
            print(
                f"genetic algorithm alone: {args.populations} x {args.schedules} schedules, seed {args.seed}"
            )
        else:
            print(f"mode {args.mode}, time limit {args.time_limit:g} s, seed {args.seed}")
        print(
            f"{'set':<8} {'n':>4} {'dev CP %':>9} {'dev best %':>11} {'best':>5} {'proven':>7} {'s/inst':>7}"
        )
        for line in lines:
            dev_best = "-" if line["mean_dev_best_pct"] is None else f"{line['mean_dev_best_pct']:.2f}"
            print(
                f"{line['set']:<8} {line['instances']:>4} {line['mean_dev_cp_pct']:>9.2f} {dev_best:>11} "
                f"{line['best_matched']:>5} {line['proven_optimal']:>7} {line['seconds_per_instance']:>7.3f}"
            )
    return 0


class _Budgeted:
    """What `_budget` found, shaped like the engine's result for the tally."""

    def __init__(self, makespan: int, proven: bool) -> None:
        self.makespan = makespan
        self.proven_optimal = proven


def _budget(problem, schedules: int, populations: int, seed: int) -> _Budgeted:
    """The engine's genetic algorithm at a fixed budget: `populations` populations one after the other,
    `schedules` schedules each (population, rules, restarts and seeds as `level()` uses them)."""
    from keel.engines import leveling, leveling_fast

    c = leveling._Compiled(problem)
    rules = leveling._rule_arrays(c)
    arrays = leveling_fast.Arrays(c)
    lower = max(leveling._makespan_bound(c), leveling._energy_bound(c))
    target = c.weight[0] * (lower - c.origin)
    best = None
    for i in range(populations):
        ga = leveling_fast.FastGA(arrays, seed=seed + 7919 * i, size=leveling._FAST_GA_SIZE)
        ga.populate(rules, target, deadline=float("inf"))
        ga.run(
            float("inf"),
            target,
            stop=lambda ga=ga: ga.schedules >= schedules,
            stall=leveling._STALL * ga.size,
        )
        if ga.count:
            makespan = int(ga.bestfit[0]) // c.weight[0] + c.origin
            best = makespan if best is None else min(best, makespan)
        if best is not None and best <= lower:
            break
    if best is None:
        raise BenchError("no feasible schedule from the genetic algorithm")
    return _Budgeted(best, best <= lower)


def _kernels_note() -> str:
    """Whether the compiled kernels were used, and their one-time load, counted in the first instance."""
    from keel.engines import leveling_fast

    if not leveling_fast.available():
        return "compiled kernels not available: the pure-Python heuristic ran"
    seconds = leveling_fast.warm_seconds()
    if seconds is None:
        return "compiled kernels still loading at the end: the pure-Python heuristic ran"
    return (
        f"compiled kernels loaded or compiled in {seconds:.2f} s in a background thread, counted in the first "
        "instance's time (it waits up to half its heuristic time for them, else runs in Python)"
    )


def _natural(value: object) -> list:
    import re

    text = value.name if isinstance(value, Path) else str(value)
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


if __name__ == "__main__":
    sys.exit(main())
