"""Critical path scheduling of a forward-scheduled project, on integer working-minute timelines.

Units and conventions
---------------------
* Durations, lags and floats are integers: *working minutes* on the task's own calendar, or elapsed
  minutes for an elapsed-duration task (which runs on a 24×7 timeline). Percentage lags are whole
  percent of the predecessor's duration. A negative lag is a lead.
* Datetimes are naive local wall-clock time (see :mod:`keel.engines.calendars`). Every calendar is
  mapped once onto a :class:`~keel.engines.calendars.Timeline` whose working minute 0 is midnight of
  the project start date; the passes run on integers and convert back to datetimes once at the end.
  A start is shown at the beginning of a working period (08:00), a finish at the end of one (17:00);
  both name the same working minute, so compare dates in working time, not as raw timestamps.
* A task schedules on its own calendar (``calendar_id``), else on the project calendar. A lag is
  counted on the *successor's* calendar (MS Project's default). Links cross calendars through the
  absolute instant they name.
* Float: total float = late finish − early finish (= late start − early start for a task that has
  not started), free float = how far a task can slip without delaying any successor's early date or
  the project finish; both in the task's own minutes. A task is critical when its total float is at
  most ``Project.critical_float`` (0 by default: float ≤ 0, as MS Project); completed tasks are not.
* Summary tasks (any task named as another's ``parent_id``) take no part in the passes except through
  their links: a link *into* a summary applies to each of its leaf tasks, a finish-side link *out of*
  one (FS, FF) to each leaf, a start-side one (SS, SF) to the summary's earliest start. Their dates,
  floats and percent complete are rolled up from their leaf tasks.

Scheduling rules (those of MS Project for projects scheduled from the start)
------------------------------------------------------------------------------
* A task with no predecessor starts at the project start; with predecessors, at the latest date
  they allow. Candidates from finish-side links of the successor (FF, SF) never fall before the
  project start; FS/SS leads may. A start or finish no earlier than constraint is a lower bound:
  dated before the project start, it does not pull a task without predecessors earlier.
* Constraints: SNET/FNET push the early dates later. MSO/MFO fix them. SNLT/FNLT cap the late dates;
  when ``honor_constraints`` is true (MS Project's default) they also cap the early dates, so a link
  may be broken, which is flagged; otherwise links win, the constraint is flagged as violated and the
  task gets negative float. A deadline caps the late finish and is flagged when missed.
* As late as possible: the task is placed on its late dates, and its successors follow from there.
* Manually scheduled tasks (``manual_start``) stay where they are put; links they break are flagged.
  As in MS Project, their late dates ignore start-side (SS, SF) successor links.
* Progress: a completed task (actual finish, or 100 %) stays where it happened and constrains nothing
  in the backward pass. An in-progress task keeps its actual start and its done work
  (duration × percent complete); its remaining work resumes not before the status date. A task not
  yet started starts not before the status date. Links no longer drive a task once it has started.
* Leveling delay (``Task.leveling_delay``, MS Project's Leveling Delay): working minutes on the task's
  calendar (elapsed minutes for an elapsed task) by which resource leveling holds a task not yet
  started after the start its links, constraints and the status date allow; its successors follow.
  Towards its predecessors the delay acts like an extra lag, so their floats shrink with it. It does
  not move a task whose dates are fixed: started, manually scheduled, must start/finish on, as late
  as possible, or a summary task (whose dates roll up from the delayed subtasks).
* Split tasks (``Task.splits``): ``(offset, pause)`` pairs, in working minutes of the task, say that
  the work stops after ``offset`` minutes of it and resumes ``pause`` minutes later (MS Project's
  split bars). The pauses keep their place within the task when the task moves: the task spans its
  duration plus its pauses, and that span is what links, constraints and floats see. Done work of an
  in-progress task counts the pauses it has passed.
* Late finish of a task: the project finish, or earlier as its successors, constraints and deadline
  require. A circular dependency raises :class:`CycleError` naming the loop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from keel.engines.calendars import (
    Calendar,
    CalendarError,
    Timeline,
    absolute_minute,
    continuous_calendar,
)

_INF = 1 << 62
_ELAPSED_CALENDAR_ID = "\x00elapsed"


class LinkType(Enum):
    """Dependency types: finish-to-start, start-to-start, finish-to-finish, start-to-finish."""

    FS = "FS"
    SS = "SS"
    FF = "FF"
    SF = "SF"


class LagUnit(Enum):
    """How a link's lag is counted: working minutes, elapsed minutes or percent of the predecessor."""

    WORKING = "working"
    ELAPSED = "elapsed"
    PERCENT = "percent"


class ConstraintType(Enum):
    """Date constraints of a task (MS Project's eight)."""

    ASAP = "as_soon_as_possible"
    ALAP = "as_late_as_possible"
    SNET = "start_no_earlier_than"
    SNLT = "start_no_later_than"
    FNET = "finish_no_earlier_than"
    FNLT = "finish_no_later_than"
    MSO = "must_start_on"
    MFO = "must_finish_on"


_DATED = frozenset(
    {
        ConstraintType.SNET,
        ConstraintType.SNLT,
        ConstraintType.FNET,
        ConstraintType.FNLT,
        ConstraintType.MSO,
        ConstraintType.MFO,
    }
)


_FIXED = frozenset({ConstraintType.MSO, ConstraintType.MFO, ConstraintType.ALAP})
"""Constraints that fix a task's dates: a leveling delay does not move such a task."""


class ScheduleError(ValueError):
    """The project cannot be scheduled as given; the message names the task or link and the field."""


class CycleError(ScheduleError):
    """The links form a loop; ``cycle`` lists the task ids around it, first one repeated at the end."""

    def __init__(self, cycle: Sequence[str]) -> None:
        """Build the message from the loop's task ids."""
        self.cycle = tuple(cycle)
        super().__init__("circular dependency: " + " → ".join(self.cycle))


@dataclass(frozen=True)
class Task:
    """One task, summary task or milestone of the project (see the module docstring for units)."""

    id: str
    duration: int = 0
    name: str = ""
    elapsed: bool = False
    milestone: bool | None = None
    parent_id: str | None = None
    constraint: ConstraintType = ConstraintType.ASAP
    constraint_date: datetime | None = None
    calendar_id: str | None = None
    percent_complete: int = 0
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    deadline: datetime | None = None
    manual_start: datetime | None = None
    leveling_delay: int = 0
    splits: tuple[tuple[int, int], ...] = ()

    @property
    def is_milestone(self) -> bool:
        """A milestone when flagged so, or by default when it has no duration."""
        return self.duration == 0 if self.milestone is None else self.milestone


@dataclass(frozen=True)
class Link:
    """A dependency: ``successor`` follows ``predecessor`` by ``type`` with a lag (negative = lead)."""

    predecessor_id: str
    successor_id: str
    type: LinkType = LinkType.FS
    lag: int = 0
    lag_unit: LagUnit = LagUnit.WORKING


@dataclass(frozen=True)
class Project:
    """Everything the scheduler needs: start, calendars, tasks, links and scheduling options."""

    start: datetime
    calendar_id: str
    calendars: tuple[Calendar, ...]
    tasks: tuple[Task, ...]
    links: tuple[Link, ...] = ()
    status_date: datetime | None = None
    honor_constraints: bool = True
    critical_float: int = 0


@dataclass(frozen=True, slots=True)
class TaskSchedule:
    """The computed schedule of one task; floats in working minutes of the task's calendar."""

    id: str
    start: datetime
    finish: datetime
    early_start: datetime
    early_finish: datetime
    late_start: datetime
    late_finish: datetime
    total_float: int
    free_float: int
    critical: bool
    duration: int
    percent_complete: int
    summary: bool = False
    milestone: bool = False
    violations: tuple[str, ...] = ()

    @property
    def constraint_violated(self) -> bool:
        """Whether a constraint, deadline or link of the task is not met."""
        return bool(self.violations)


@dataclass(frozen=True)
class Schedule:
    """The result of :func:`schedule`: project dates and one :class:`TaskSchedule` per task."""

    start: datetime
    finish: datetime
    tasks: Mapping[str, TaskSchedule] = field(default_factory=dict)

    def critical_path(self) -> tuple[str, ...]:
        """Ids of the critical leaf tasks, in order of early start."""
        critical = [t for t in self.tasks.values() if t.critical and not t.summary]
        critical.sort(key=lambda t: (t.early_start, t.early_finish))
        return tuple(t.id for t in critical)


@dataclass(slots=True)
class _Edge:
    """An expanded link between two scheduling nodes (leaf tasks or summary-start nodes).

    ``same`` marks the common case where both ends are leaf tasks on one timeline and the lag is in
    working minutes: the passes then add integers without converting through absolute time.
    """

    pred: int
    succ: int
    type: LinkType
    lag: int
    elapsed_lag: bool
    link: Link
    from_finish: bool = False
    to_finish: bool = False
    same: bool = False


class _Run:
    """One scheduling run: validated network, integer passes and conversion back to datetimes."""

    def __init__(self, project: Project) -> None:
        """Validate the project and build the network and timelines."""
        self.project = project
        tasks = project.tasks
        self.tasks = tasks
        self.n = len(tasks)
        self.index: dict[str, int] = {}
        for i, task in enumerate(tasks):
            if task.id in self.index:
                raise ScheduleError(f"task {task.id!r}: id is used twice")
            self.index[task.id] = i
        self._check_tasks()
        self._build_tree()
        self._build_timelines()
        self._build_edges()
        self.order = self._topological_order()

    # --- validation and network -----------------------------------------------------------------

    def _check_tasks(self) -> None:
        """Refuse tasks whose fields cannot be scheduled."""
        for task in self.tasks:
            label = f"task {task.id!r}"
            if task.duration < 0:
                raise ScheduleError(f"{label}: duration must not be negative, got {task.duration}")
            previous = 0
            for offset, pause in task.splits:
                if not previous < offset < task.duration or pause <= 0:
                    raise ScheduleError(
                        f"{label}: splits must pause (pause > 0) after increasing amounts of work "
                        f"within the duration, got ({offset}, {pause})"
                    )
                previous = offset
            if task.leveling_delay < 0:
                raise ScheduleError(
                    f"{label}: leveling_delay must not be negative, got {task.leveling_delay}"
                )
            if not 0 <= task.percent_complete <= 100:
                raise ScheduleError(f"{label}: percent_complete must be 0..100, got {task.percent_complete}")
            if task.constraint in _DATED and task.constraint_date is None:
                raise ScheduleError(f"{label}: constraint {task.constraint.name} needs a constraint_date")
            if task.actual_finish is not None and task.actual_start is None:
                raise ScheduleError(f"{label}: actual_finish needs an actual_start")
            if (
                task.actual_finish is not None
                and task.actual_start is not None
                and task.actual_finish < task.actual_start
            ):
                raise ScheduleError(f"{label}: actual_finish is before actual_start")
            if task.parent_id is not None and task.parent_id not in self.index:
                raise ScheduleError(f"{label}: parent_id {task.parent_id!r} is not a task of the project")
            if task.parent_id == task.id:
                raise ScheduleError(f"{label}: a task cannot be its own parent")
            for name in ("constraint_date", "actual_start", "actual_finish", "deadline", "manual_start"):
                value = getattr(task, name)
                if value is not None and value.tzinfo is not None:
                    raise ScheduleError(f"{label}: {name} must be a naive local datetime")

    def _build_tree(self) -> None:
        """Children lists, the summary flags and each summary's leaf descendants."""
        n = self.n
        self.parent = [-1] * n
        self.children: list[list[int]] = [[] for _ in range(n)]
        for i, task in enumerate(self.tasks):
            if task.parent_id is not None:
                p = self.index[task.parent_id]
                self.parent[i] = p
                self.children[p].append(i)
        self.is_summary = [bool(c) for c in self.children]
        # Depth-first from the roots; a task never reached lies on a parent loop.
        self.post_order: list[int] = []
        seen = [False] * n
        for root in range(n):
            if self.parent[root] != -1:
                continue
            stack: list[tuple[int, int]] = [(root, 0)]
            seen[root] = True
            while stack:
                node, child_pos = stack[-1]
                if child_pos < len(self.children[node]):
                    stack[-1] = (node, child_pos + 1)
                    child = self.children[node][child_pos]
                    seen[child] = True
                    stack.append((child, 0))
                else:
                    stack.pop()
                    self.post_order.append(node)
        if not all(seen):
            loop = next(i for i in range(n) if not seen[i])
            raise ScheduleError(f"task {self.tasks[loop].id!r}: parent_id chain loops back to itself")
        self.leaves_of: dict[int, list[int]] = {}
        for node in self.post_order:
            if self.is_summary[node]:
                leaves: list[int] = []
                for child in self.children[node]:
                    leaves.extend(self.leaves_of[child] if self.is_summary[child] else [child])
                self.leaves_of[node] = leaves

    def _build_timelines(self) -> None:
        """One timeline per calendar in use (origin: the project start date)."""
        project = self.project
        calendars: dict[str, Calendar] = {}
        for calendar in project.calendars:
            if calendar.id in calendars:
                raise ScheduleError(f"calendar {calendar.id!r}: id is used twice")
            calendars[calendar.id] = calendar
        if project.calendar_id not in calendars:
            raise ScheduleError(f"project calendar_id {project.calendar_id!r} is not among the calendars")
        if project.start.tzinfo is not None:
            raise ScheduleError("project start must be a naive local datetime")
        timelines: dict[str, Timeline] = {}

        def timeline(calendar_id: str) -> Timeline:
            if calendar_id not in timelines:
                calendar = (
                    continuous_calendar(calendar_id)
                    if calendar_id == _ELAPSED_CALENDAR_ID
                    else calendars[calendar_id]
                )
                timelines[calendar_id] = Timeline(calendar, project.start)
            return timelines[calendar_id]

        self.project_timeline = timeline(project.calendar_id)
        self.timeline: list[Timeline] = []
        for task in self.tasks:
            if task.calendar_id is not None and task.calendar_id not in calendars:
                raise ScheduleError(
                    f"task {task.id!r}: calendar_id {task.calendar_id!r} is not among the calendars"
                )
            if task.elapsed:
                self.timeline.append(timeline(_ELAPSED_CALENDAR_ID))
            else:
                self.timeline.append(timeline(task.calendar_id or project.calendar_id))
        try:
            self.start_minute = absolute_minute(project.start)
        except CalendarError as error:
            raise ScheduleError(str(error)) from error

    def _build_edges(self) -> None:
        """Expand links through summary tasks into edges between scheduling nodes."""
        n = self.n
        index = self.index
        is_summary = self.is_summary
        timeline = self.timeline
        self.summary_node: dict[int, int] = {}
        self.node_task: list[int] = list(range(n))
        edges: list[_Edge] = []
        for link in self.project.links:
            p = index.get(link.predecessor_id)
            s = index.get(link.successor_id)
            if p is None or s is None:
                missing = link.predecessor_id if p is None else link.successor_id
                role = "predecessor" if p is None else "successor"
                raise ScheduleError(f"{_label(link)}: {role} {missing!r} is not a task of the project")
            if p == s:
                raise CycleError([link.predecessor_id, link.successor_id])
            kind = link.type
            from_finish = kind is LinkType.FS or kind is LinkType.FF
            to_finish = kind is LinkType.FF or kind is LinkType.SF
            if not (is_summary[p] or is_summary[s]):
                lag, elapsed = self._lag_minutes(link, p)
                same = not elapsed and timeline[p] is timeline[s]
                edges.append(_Edge(p, s, kind, lag, elapsed, link, from_finish, to_finish, same))
                continue
            if self._is_ancestor(p, s) or self._is_ancestor(s, p):
                raise ScheduleError(f"{_label(link)}: a summary task cannot be linked to its own subtasks")
            if link.lag_unit is LagUnit.PERCENT and is_summary[p]:
                raise ScheduleError(
                    f"{_label(link)}: a percentage lag needs a leaf predecessor, not a summary task"
                )
            successors = self.leaves_of[s] if is_summary[s] else [s]
            if is_summary[p] and not from_finish:
                predecessors = [self._summary_start_node(p)]
            elif is_summary[p]:
                predecessors = self.leaves_of[p]
            else:
                predecessors = [p]
            for pred in predecessors:
                lag, elapsed = self._lag_minutes(link, pred)
                for succ in successors:
                    same = pred < n and not elapsed and timeline[pred] is timeline[succ]
                    edges.append(_Edge(pred, succ, kind, lag, elapsed, link, from_finish, to_finish, same))
        self.edges = edges
        self.nodes = len(self.node_task)
        self.out_edges: list[list[_Edge]] = [[] for _ in range(self.nodes)]
        self.in_edges: list[list[_Edge]] = [[] for _ in range(self.nodes)]
        for edge in edges:
            self.out_edges[edge.pred].append(edge)
            self.in_edges[edge.succ].append(edge)

    def _is_ancestor(self, ancestor: int, node: int) -> bool:
        """Whether ``ancestor`` is a (grand)parent of ``node``."""
        current = self.parent[node]
        while current != -1:
            if current == ancestor:
                return True
            current = self.parent[current]
        return False

    def _summary_start_node(self, summary: int) -> int:
        """The node standing for a summary task's start (the earliest start of its leaves)."""
        if summary not in self.summary_node:
            self.summary_node[summary] = len(self.node_task)
            self.node_task.append(summary)
        return self.summary_node[summary]

    def _lag_minutes(self, link: Link, pred: int) -> tuple[int, bool]:
        """The lag in minutes and whether it is elapsed (percent lags follow the predecessor)."""
        if link.lag_unit is LagUnit.WORKING:
            return link.lag, False
        if link.lag_unit is LagUnit.ELAPSED:
            return link.lag, True
        task = self.tasks[pred]
        # Round half up, in integers.
        return (2 * task.duration * link.lag + 100) // 200, task.elapsed

    def _topological_order(self) -> list[int]:
        """Kahn's algorithm over leaf tasks and summary-start nodes; a loop raises CycleError."""
        nodes = self.nodes
        active = [not self.is_summary[i] for i in range(self.n)] + [True] * (nodes - self.n)
        # A summary-start node follows every leaf of its summary.
        self.rollup_in: dict[int, list[int]] = {
            node: self.leaves_of[summary] for summary, node in self.summary_node.items()
        }
        indegree = [0] * nodes
        for edge in self.edges:
            indegree[edge.succ] += 1
        for node, leaves in self.rollup_in.items():
            indegree[node] += len(leaves)
        rollup_out: dict[int, list[int]] = {}
        for node, leaves in self.rollup_in.items():
            for leaf in leaves:
                rollup_out.setdefault(leaf, []).append(node)
        ready = [i for i in range(nodes) if active[i] and indegree[i] == 0]
        order: list[int] = []
        while ready:
            node = ready.pop()
            order.append(node)
            for edge in self.out_edges[node]:
                indegree[edge.succ] -= 1
                if indegree[edge.succ] == 0:
                    ready.append(edge.succ)
            for target in rollup_out.get(node, ()):
                indegree[target] -= 1
                if indegree[target] == 0:
                    ready.append(target)
        if len(order) < sum(active):
            raise CycleError(self._find_cycle(indegree, active))
        return order

    def _find_cycle(self, indegree: list[int], active: list[bool]) -> list[str]:
        """Walk back through unscheduled predecessors until a node repeats: that is a loop."""
        remaining = [i for i in range(self.nodes) if active[i] and indegree[i] > 0]
        left = set(remaining)
        node = remaining[0]
        path: list[int] = []
        position: dict[int, int] = {}
        while node not in position:
            position[node] = len(path)
            path.append(node)
            preds = [e.pred for e in self.in_edges[node] if e.pred in left]
            preds += [leaf for leaf in self.rollup_in.get(node, ()) if leaf in left]
            node = preds[0]
        loop = path[position[node] :]
        loop.reverse()
        ids = [self.tasks[self.node_task[i]].id for i in loop]
        # Consecutive duplicates come from a summary's start node next to its own leaf.
        compact = [x for k, x in enumerate(ids) if k == 0 or x != ids[k - 1]]
        return [*compact, compact[0]]

    # --- the passes -----------------------------------------------------------------------------

    def run(self) -> Schedule:
        """Forward pass, backward pass, floats, and conversion to datetimes."""
        self._prepare()
        self._forward(use_late_for_alap=False)
        self.project_finish = self._project_finish()
        self._backward()
        if any(self.alap):
            self._forward(use_late_for_alap=True)
        self._floats()
        return self._results()

    def _prepare(self) -> None:
        """Per-task integer inputs: durations, progress state and constraint positions."""
        n = self.n
        project = self.project
        # What the passes schedule: the span of a task (its duration and the pauses of its splits).
        self.work = [t.duration for t in self.tasks]
        self.duration = [
            t.duration + sum(pause for _, pause in t.splits)
            if t.splits and not self.is_summary[i]
            else t.duration
            for i, t in enumerate(self.tasks)
        ]
        self.done = [0] * n
        self.completed = [False] * n
        self.started = [False] * n
        self.manual = [False] * n
        self.alap = [False] * n
        self.actual_start_work: list[int | None] = [None] * n
        self.constraint_work: list[int] = [0] * n
        self.delay = [0] * n
        status = project.status_date
        self.status_work: list[int | None] = [None] * n
        for i, task in enumerate(self.tasks):
            if self.is_summary[i]:
                continue
            timeline = self.timeline[i]
            self.done[i] = (2 * task.duration * task.percent_complete + 100) // 200
            self.completed[i] = task.actual_finish is not None or task.percent_complete == 100
            self.started[i] = task.actual_start is not None or task.percent_complete > 0
            self.manual[i] = task.manual_start is not None and not self.started[i]
            if task.actual_start is not None:
                self.actual_start_work[i] = timeline.to_work(task.actual_start)
            self.alap[i] = (
                task.constraint is ConstraintType.ALAP and not self.started[i] and not self.manual[i]
            )
            if task.constraint_date is not None and task.constraint in _DATED:
                self.constraint_work[i] = timeline.to_work(task.constraint_date)
            if status is not None:
                self.status_work[i] = timeline.to_work(status)
            if (
                task.leveling_delay
                and not self.started[i]
                and not self.manual[i]
                and task.constraint not in _FIXED
            ):
                self.delay[i] = task.leveling_delay
        floors: dict[int, int] = {}
        self.start_floor = [0] * n
        for i, timeline in enumerate(self.timeline):
            key = id(timeline)
            if key not in floors:
                floors[key] = timeline.work_at_minute(self.start_minute)
            self.start_floor[i] = floors[key]
        nodes = self.nodes
        self.es = [0] * nodes
        self.ef = [0] * nodes
        self.ls = [0] * nodes
        self.lf = [0] * nodes
        self.remaining = [0] * nodes
        self.anchor_finish = [False] * nodes
        self.violations: list[list[str]] = [[] for _ in range(n)]
        # Summary-start nodes hold absolute minutes in es (early) and ls (latest allowed).

    def _start_abs(self, node: int, late: bool) -> int:
        """Absolute minute of a node's start (early, or scheduled when ``late`` is asked for ALAP)."""
        if node >= self.n:
            return self.es[node]
        value = self.ls[node] if late else self.es[node]
        if self.duration[node] == 0 and self.anchor_finish[node]:
            return self.timeline[node].finish_minute(value)
        return self.timeline[node].start_minute(value)

    def _finish_abs(self, node: int, late: bool) -> int:
        """Absolute minute of a leaf task's finish (a zero-duration task is one instant)."""
        if self.duration[node] == 0:
            return self._start_abs(node, late)
        return self.timeline[node].finish_minute(self.lf[node] if late else self.ef[node])

    def _candidate(self, edge: _Edge, alap_pass: bool) -> int:
        """Earliest start the edge allows its successor."""
        s = edge.succ
        p = edge.pred
        late = alap_pass and p < self.n and self.alap[p]
        if edge.same:
            if edge.from_finish:
                x = (self.lf[p] if late else self.ef[p]) + edge.lag
            else:
                x = (self.ls[p] if late else self.es[p]) + edge.lag
        else:
            timeline = self.timeline[s]
            minute = self._finish_abs(p, late) if edge.from_finish else self._start_abs(p, late)
            if edge.elapsed_lag:
                x = timeline.work_at_minute(minute + edge.lag)
            else:
                x = timeline.work_at_minute(minute) + edge.lag
        if edge.to_finish:
            x -= self.duration[s]
            floor = self.start_floor[s]
            if x < floor:
                x = floor
        return x

    def _forward(self, use_late_for_alap: bool) -> None:
        """Early dates in topological order."""
        tasks = self.tasks
        n = self.n
        for node in self.order:
            if node >= n:
                self.es[node] = min(
                    self._start_abs(leaf, use_late_for_alap and self.alap[leaf])
                    for leaf in self.rollup_in[node]
                )
                continue
            task = tasks[node]
            timeline = self.timeline[node]
            duration = self.duration[node]
            base = None
            anchor_finish = False
            for edge in self.in_edges[node]:
                x = self._candidate(edge, use_late_for_alap)
                if base is None or x > base or (x == base and edge.from_finish):
                    base = x
                    anchor_finish = edge.from_finish
            constraint = task.constraint
            c = self.constraint_work[node]
            if base is None:
                # No predecessor: the project start. A no-earlier-than date is a lower bound on top of
                # it, so one dated before the project start does not pull the task earlier.
                base = self.start_floor[node]
                if constraint is ConstraintType.SNET:
                    base = max(base, c)
                elif constraint is ConstraintType.FNET and c - duration >= base:
                    base = c - duration
                    anchor_finish = True
            self.anchor_finish[node] = anchor_finish
            if self.started[node]:
                self._forward_started(node, base)
                continue
            if self.manual[node]:
                assert task.manual_start is not None
                es = timeline.to_work(task.manual_start)
                self.anchor_finish[node] = False
            else:
                es = self._constrained_start(node, base) + self.delay[node]
            self.es[node] = es
            self.ef[node] = es + duration
            self.remaining[node] = duration

    def _constrained_start(self, node: int, base: int) -> int:
        """Apply the status date and the task's constraint to the link-driven early start."""
        task = self.tasks[node]
        duration = self.duration[node]
        status = self.status_work[node]
        es = base if status is None else max(base, status)
        c = self.constraint_work[node]
        constraint = task.constraint
        if constraint is ConstraintType.SNET:
            es = max(es, c)
        elif constraint is ConstraintType.FNET:
            if c - duration > es:
                es = c - duration
                self.anchor_finish[node] = True
        elif constraint is ConstraintType.SNLT:
            if es > c and self.project.honor_constraints:
                es = c
        elif constraint is ConstraintType.FNLT:
            if es + duration > c and self.project.honor_constraints:
                es = c - duration
        elif constraint is ConstraintType.MSO:
            es = c
            self.anchor_finish[node] = False
        elif constraint is ConstraintType.MFO:
            es = c - duration
            self.anchor_finish[node] = duration == 0
        return es

    def _forward_started(self, node: int, base: int) -> None:
        """Early dates of a task with progress: actual start, done work, remaining from the status date."""
        task = self.tasks[node]
        timeline = self.timeline[node]
        duration = self.duration[node]
        actual = self.actual_start_work[node]
        es = base if actual is None else actual
        self.anchor_finish[node] = False
        if self.completed[node]:
            ef = timeline.to_work(task.actual_finish) if task.actual_finish is not None else es + duration
            self.es[node] = es
            self.ef[node] = ef
            self.remaining[node] = 0
            return
        done = self.done[node]
        # The pauses the done work has reached lie behind it: the rest resumes after them.
        done_span = done + sum(pause for offset, pause in task.splits if offset <= done)
        remaining = duration - done_span
        resume = es + done_span
        status = self.status_work[node]
        if status is not None and remaining > 0:
            resume = max(resume, status)
        self.es[node] = es
        self.ef[node] = resume + remaining
        self.remaining[node] = remaining

    def _project_finish(self) -> int:
        """Absolute minute of the latest early finish (the project start if there is no task)."""
        finish = self.start_minute
        for node in range(self.n):
            if not self.is_summary[node]:
                finish = max(finish, self._finish_abs(node, late=False))
        return finish

    def _project_finish_work(self) -> list[int]:
        """The project finish in each task's working minutes (one conversion per timeline)."""
        by_timeline: dict[int, int] = {}
        result = [0] * self.n
        for node, timeline in enumerate(self.timeline):
            key = id(timeline)
            if key not in by_timeline:
                by_timeline[key] = timeline.work_at_minute(self.project_finish)
            result[node] = by_timeline[key]
        return result

    def _late_limit(self, edge: _Edge) -> int:
        """Latest absolute instant the edge allows for its predecessor's finish (FS, FF) or start."""
        s = edge.succ
        timeline = self.timeline[s]
        y = (self.lf[s] if edge.to_finish else self.ls[s]) - self.delay[s]
        if edge.elapsed_lag:
            return timeline.start_minute(y) - edge.lag
        return timeline.start_minute(y - edge.lag)

    def _backward(self) -> None:
        """Late dates in reverse topological order."""
        n = self.n
        finish_work = self._project_finish_work()
        completed, ls, lf_, delay = self.completed, self.ls, self.lf, self.delay
        for node in reversed(self.order):
            if node >= n:
                limit = _INF
                for edge in self.out_edges[node]:
                    if not self.completed[edge.succ]:
                        limit = min(limit, self._late_limit(edge))
                self.ls[node] = limit
                continue
            if self.completed[node]:
                self.ls[node] = self.es[node]
                self.lf[node] = self.ef[node]
                continue
            timeline = self.timeline[node]
            duration = self.duration[node]
            start_bound = self.started[node] or self.manual[node]
            lf = finish_work[node]
            for edge in self.out_edges[node]:
                s = edge.succ
                if completed[s] or (start_bound and not edge.from_finish):
                    continue
                if edge.same:
                    candidate = (lf_[s] if edge.to_finish else ls[s]) - edge.lag - delay[s]
                else:
                    candidate = timeline.work_at_minute(self._late_limit(edge))
                if not edge.from_finish:
                    candidate += duration
                if candidate < lf:
                    lf = candidate
            if not self.started[node]:
                for summary_node in self._start_nodes_led_by(node):
                    limit = self.ls[summary_node]
                    if limit < _INF:
                        lf = min(lf, timeline.work_at_minute(limit) + duration)
            lf = self._constrained_finish(node, lf)
            self.lf[node] = lf
            self.ls[node] = lf - self.remaining[node]

    def _start_nodes_led_by(self, node: int) -> list[int]:
        """Summary-start nodes whose earliest start is this leaf's start."""
        if not self.summary_node:
            return []
        result = []
        parent = self.parent[node]
        minute = self._start_abs(node, late=False)
        while parent != -1:
            summary_node = self.summary_node.get(parent)
            if summary_node is not None and self.es[summary_node] == minute:
                result.append(summary_node)
            parent = self.parent[parent]
        return result

    def _constrained_finish(self, node: int, lf: int) -> int:
        """Apply late-side constraints and the deadline to a late finish."""
        task = self.tasks[node]
        c = self.constraint_work[node]
        duration = self.duration[node]
        constraint = task.constraint
        if constraint is ConstraintType.MSO:
            lf = c + duration
        elif constraint is ConstraintType.MFO:
            lf = c
        elif constraint is ConstraintType.SNLT:
            lf = min(lf, c + duration)
        elif constraint is ConstraintType.FNLT:
            lf = min(lf, c)
        if task.deadline is not None:
            lf = min(lf, self.timeline[node].to_work(task.deadline))
        return lf

    def _floats(self) -> None:
        """Total and free float, and the violation messages."""
        n = self.n
        self.total_float = [0] * n
        self.free_float = [0] * n
        finish_work = self._project_finish_work()
        es, ef, started = self.es, self.ef, self.started
        for node in range(n):
            if self.is_summary[node] or self.completed[node]:
                continue
            total = self.lf[node] - ef[node]
            free = finish_work[node] - ef[node]
            for edge in self.out_edges[node]:
                s = edge.succ
                if started[s]:
                    continue
                if edge.same:
                    y = (ef[s] if edge.to_finish else es[s]) - self.delay[s] - edge.lag
                    slack = y - (ef[node] if edge.from_finish else es[node])
                else:
                    slack = self._free_slack(edge)
                if slack < free:
                    free = slack
            self.total_float[node] = total
            self.free_float[node] = min(free, total)
        self._check_violations()

    def _free_slack(self, edge: _Edge) -> int:
        """How far the predecessor's linked date can move before the successor's early date moves."""
        p = edge.pred
        s = edge.succ
        timeline = self.timeline[p]
        y = (self.ef[s] if edge.to_finish else self.es[s]) - self.delay[s]
        succ_timeline = self.timeline[s]
        if edge.elapsed_lag:
            limit = timeline.work_at_minute(succ_timeline.start_minute(y) - edge.lag)
        else:
            limit = timeline.work_at_minute(succ_timeline.start_minute(y - edge.lag))
        if edge.from_finish:
            return limit - self.ef[p]
        return limit - self.es[p]

    def _check_violations(self) -> None:
        """Flag broken links, missed no-later-than constraints and missed deadlines.

        Links are checked for tasks not started (once started, a task's start is history). Dates are
        checked for every leaf task: an in-progress task heading past its deadline is flagged too.
        """
        tasks = self.tasks
        alap = any(self.alap)
        # Only these can start before their links allow: every other early start is a maximum over them.
        overriding = {ConstraintType.SNLT, ConstraintType.FNLT, ConstraintType.MSO, ConstraintType.MFO}
        for node in range(self.n):
            task = tasks[node]
            if self.is_summary[node] or not (
                self.manual[node] or task.constraint in overriding or task.deadline is not None
            ):
                continue
            messages = self.violations[node]
            if not self.started[node]:
                for edge in self.in_edges[node]:
                    x = self._candidate(edge, alap)
                    if self.es[node] < x:
                        reason = (
                            "it is manually scheduled" if self.manual[node] else self._constraint_text(task)
                        )
                        messages.append(
                            f"{edge.type.value} link from {edge.link.predecessor_id!r} is not met: it starts "
                            f"{x - self.es[node]} working minutes too early because {reason}"
                        )
            c = self.constraint_work[node]
            date_text = task.constraint_date.isoformat(sep=" ") if task.constraint_date else ""
            if task.constraint is ConstraintType.SNLT and self.es[node] > c:
                messages.append(f"start no later than {date_text} is not met")
            elif task.constraint is ConstraintType.FNLT and self.ef[node] > c:
                messages.append(f"finish no later than {date_text} is not met")
            if task.deadline is not None and self.ef[node] > self.timeline[node].to_work(task.deadline):
                messages.append(f"finishes after its deadline {task.deadline.isoformat(sep=' ')}")

    @staticmethod
    def _constraint_text(task: Task) -> str:
        """Why a task may start before its predecessors allow."""
        date_text = task.constraint_date.isoformat(sep=" ") if task.constraint_date else ""
        return f"of its {task.constraint.value.replace('_', ' ')} {date_text} constraint"

    # --- results --------------------------------------------------------------------------------

    def _results(self) -> Schedule:
        """Datetimes for every task, summary roll-ups and the project dates."""
        tasks = self.tasks
        results: dict[int, TaskSchedule] = {}
        for node in range(self.n):
            if not self.is_summary[node]:
                results[node] = self._leaf_result(node)
        for node in self.post_order:
            if self.is_summary[node]:
                results[node] = self._summary_result(node, results)
        ordered = {tasks[i].id: results[i] for i in range(self.n)}
        leaves = [r for r in ordered.values() if not r.summary]
        start = min((r.start for r in leaves), default=self.project.start)
        finish = max((r.finish for r in leaves), default=self.project.start)
        return Schedule(start=start, finish=finish, tasks=ordered)

    def _leaf_result(self, node: int) -> TaskSchedule:
        """Convert one leaf task's integers to datetimes."""
        task = self.tasks[node]
        timeline = self.timeline[node]
        milestone = task.is_milestone
        instant = self.duration[node] == 0
        es, ef, ls, lf = self.es[node], self.ef[node], self.ls[node], self.lf[node]
        if instant and self.anchor_finish[node]:
            early_start = timeline.finish_at(es)
            late_start = timeline.finish_at(ls)
        else:
            early_start = timeline.start_at(es)
            late_start = timeline.start_at(ls)
        early_finish = early_start if instant else timeline.finish_at(ef)
        late_finish = late_start if instant else timeline.finish_at(lf)
        if task.actual_start is not None:
            early_start = task.actual_start
            late_start = task.actual_start
        if task.actual_finish is not None:
            early_finish = task.actual_finish
            late_finish = task.actual_finish
        if self.alap[node]:
            start, finish = late_start, late_finish
        else:
            start, finish = early_start, early_finish
        complete = self.completed[node]
        return TaskSchedule(
            id=task.id,
            start=start,
            finish=finish,
            early_start=early_start,
            early_finish=early_finish,
            late_start=late_start,
            late_finish=late_finish,
            total_float=self.total_float[node],
            free_float=self.free_float[node],
            critical=not complete and self.total_float[node] <= self.project.critical_float,
            duration=self.work[node],
            percent_complete=100 if complete else task.percent_complete,
            summary=False,
            milestone=milestone,
            violations=tuple(self.violations[node]),
        )

    def _summary_result(self, node: int, results: Mapping[int, TaskSchedule]) -> TaskSchedule:
        """Roll a summary task up from its children."""
        children = [results[c] for c in self.children[node]]
        leaves = self.leaves_of[node]
        start = min(c.start for c in children)
        finish = max(c.finish for c in children)
        total_duration = sum(self.work[leaf] for leaf in leaves)
        if total_duration:
            done = sum(self.work[leaf] if self.completed[leaf] else self.done[leaf] for leaf in leaves)
            percent = done * 100 // total_duration
        else:
            percent = sum(results[leaf].percent_complete for leaf in leaves) // len(leaves)
        timeline = self.project_timeline
        return TaskSchedule(
            id=self.tasks[node].id,
            start=start,
            finish=finish,
            early_start=min(c.early_start for c in children),
            early_finish=max(c.early_finish for c in children),
            late_start=min(c.late_start for c in children),
            late_finish=max(c.late_finish for c in children),
            total_float=min(c.total_float for c in children),
            free_float=min(c.free_float for c in children),
            critical=any(c.critical for c in children),
            duration=timeline.between(start, finish),
            percent_complete=percent,
            summary=True,
            milestone=False,
            violations=(),
        )


def splits_of(segments: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """A task's splits from the stretches its work occupies, as working minutes ``(start, end)`` of its
    timeline (in any order; touching or overlapping stretches are one): ``(offset, pause)`` pairs for
    :attr:`Task.splits`, empty when the work is one stretch."""
    merged: list[list[int]] = []
    for start, end in sorted(segments):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    splits = []
    done = 0
    for (start, end), following in zip(merged, merged[1:], strict=False):
        done += end - start
        splits.append((done, following[0] - end))
    return tuple(splits)


def stretches_of(duration: int, splits: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches of a split task's work as ``(begin, end)`` minutes from its start (pauses counted).

    ``stretches_of(4 * D, ((D, 2 * D),))`` is ``[(0, D), (3 * D, 6 * D)]``; a task without splits is
    one stretch, ``[(0, duration)]``.
    """
    result = []
    done = 0
    paused = 0
    for offset, pause in splits:
        result.append((done + paused, offset + paused))
        done = offset
        paused += pause
    result.append((done + paused, duration + paused))
    return result


def _cut(stretches: Sequence[tuple[int, int]], low: int, high: int) -> list[tuple[int, int]]:
    """The parts of the stretches that hold the work from ``low`` to ``high`` minutes of it."""
    result = []
    work = 0
    for begin, end in stretches:
        first = max(begin, begin + low - work)
        last = min(end, begin + high - work)
        if first < last:
            result.append((first, last))
        work += end - begin
    return result


def stretch_layout(
    *, duration: int, splits: Sequence[tuple[int, int]], done: int, start: int, finish: int
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Where a split task's done and remaining stretches lie, as working minutes of its timeline.

    ``start`` and ``finish`` are the task's scheduled start and finish (working minutes), ``done`` the
    minutes of work done. The done stretches run from the start; the remaining ones end at the finish,
    so a resumption after the status date shows as a pause before them. Empty parts are left out.
    """
    stretches = stretches_of(duration, splits)
    done_part = [(start + a, start + b) for a, b in _cut(stretches, 0, done)]
    remaining = _cut(stretches, done, duration)
    shift = finish - remaining[-1][1] if remaining and done_part else start
    return done_part, [(shift + a, shift + b) for a, b in remaining]


def _label(link: Link) -> str:
    """How error messages name a link."""
    return f"link {link.predecessor_id!r} → {link.successor_id!r}"


def schedule(project: Project) -> Schedule:
    """Compute early/late dates, floats and the critical path of a project (see module docstring)."""
    try:
        return _Run(project).run()
    except CalendarError as error:
        raise ScheduleError(str(error)) from error
