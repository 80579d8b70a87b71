"""How far a computed schedule agrees with the schedule stored in a project file.

A project file saved by MS Project (or Primavera) stores the dates, floats and critical flags its
scheduler computed. :func:`compare` sets a computed schedule — Keel's engine's, or any other
scheduler's — beside those stored values, leaf task by leaf task (summary tasks roll up and are left
out), and counts per field how many tasks agree.

Units and conventions
---------------------
* Dates are compared in working time on the task's own calendar (the project calendar when it names
  none; 24×7 for an elapsed-duration task) with :meth:`Timeline.same_instant`: MS Project writes a
  finish at 08:00 of the next working day as readily as at 17:00 of the day before, and both are the
  same point of work.
* Floats are working minutes (elapsed minutes for an elapsed task), compared exactly.
* A field the file does not store for a task is not compared for that task; nor are the floats and
  the critical flag of a task whose early and late dates the file does not store (a file without a
  computed schedule, such as GanttProject's).

:func:`mpxj_scheduled` runs MPXJ's own scheduler (``org.mpxj.cpm.MicrosoftScheduler``) on a file,
so that both schedulers can be measured against the same stored values.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from keel.engines.calendars import Timeline, continuous_calendar
from keel.interchange.model import InterchangeError, InterchangeProject, Task, engine_calendars

DATE_FIELDS = ("early_start", "early_finish", "late_start", "late_finish")
FLOAT_FIELDS = ("total_float", "free_float")
SCHEDULE_FIELDS = (*DATE_FIELDS, *FLOAT_FIELDS, "critical")
"""The fields `keel schedule --compare` reports: early and late dates, both floats, the critical flag."""
FIDELITY_FIELDS = (*DATE_FIELDS, "total_float", "critical")
"""The fields of the fidelity measure (bench/fidelity.py): early/late dates, total float, critical."""
ALL_FIELDS = ("start", "finish", *SCHEDULE_FIELDS)
"""Every schedule field a file stores and a scheduler computes."""


@dataclass(frozen=True)
class Difference:
    """One leaf task whose computed value of one field differs from the value stored in the file."""

    uid: int
    name: str
    field: str
    stored: datetime | int | bool
    computed: datetime | int | bool

    def as_dict(self) -> dict[str, Any]:
        """The difference as JSON-ready values (dates in ISO 8601 local time)."""
        return {
            "uid": self.uid,
            "name": self.name,
            "field": self.field,
            "file": _plain(self.stored),
            "computed": _plain(self.computed),
        }

    def text(self) -> str:
        """The difference as one line for a person."""
        return (
            f"UID {self.uid} {self.name!r} {self.field}: file {_shown(self.stored, self.field)}, "
            f"computed {_shown(self.computed, self.field)}"
        )


@dataclass(frozen=True)
class Comparison:
    """Per field, how many leaf tasks store a value and how many of those the schedule matches."""

    fields: tuple[str, ...]
    leaf_tasks: int
    compared: Mapping[str, int]
    matching: Mapping[str, int]
    differences: tuple[Difference, ...] = ()
    uids: tuple[int, ...] = field(default=(), repr=False)

    def share(self, field_name: str) -> float | None:
        """The share of compared tasks that match in one field (None when the file stores none)."""
        compared = self.compared[field_name]
        return None if compared == 0 else self.matching[field_name] / compared

    @property
    def tasks_matching_every_field(self) -> int:
        """Leaf tasks that agree in every compared field."""
        return self.leaf_tasks - len({d.uid for d in self.differences})

    @property
    def values_compared(self) -> int:
        """How many (task, field) values were compared in all."""
        return sum(self.compared.values())

    @property
    def values_matching(self) -> int:
        """How many (task, field) values agreed in all."""
        return sum(self.matching.values())

    def as_dict(self) -> dict[str, Any]:
        """The comparison as JSON-ready values."""
        return {
            "leaf_tasks": self.leaf_tasks,
            "tasks_matching_every_field": self.tasks_matching_every_field,
            "fields": {
                name: {"compared": self.compared[name], "matching": self.matching[name]}
                for name in self.fields
            },
            "differences": [d.as_dict() for d in self.differences],
        }

    def lines(self) -> list[str]:
        """The comparison as lines of text for a person."""
        if self.values_compared == 0:
            return ["The file stores no computed schedule (early and late dates) to compare with."]
        lines = [
            f"{self.tasks_matching_every_field} of {self.leaf_tasks} leaf tasks match the file in every field"
        ]
        width = max(len(name) for name in self.fields)
        for name in self.fields:
            lines.append(f"  {name:<{width}}  {self.matching[name]} of {self.compared[name]} match")
        if self.differences:
            lines.append(f"{len(self.differences)} value(s) differ:")
            lines.extend(f"  {difference.text()}" for difference in self.differences)
        return lines


class _Timelines:
    """The timeline each task is compared on, built once per calendar."""

    def __init__(self, project: InterchangeProject) -> None:
        """Resolve the project's calendars (base calendars included)."""
        self.project = project
        self.calendars = engine_calendars(project)
        self.cache: dict[int | None, Timeline] = {}

    def of(self, task: Task) -> Timeline:
        """The task's timeline: 24×7 for elapsed durations, else its calendar or the project's."""
        key = None if task.elapsed else task.calendar_uid or self.project.default_calendar_uid
        if key not in self.cache:
            calendar = continuous_calendar() if key is None else self.calendars[key]
            self.cache[key] = Timeline(calendar, self.project.start)
        return self.cache[key]


def compare(
    project: InterchangeProject, computed: Mapping[str, Any], fields: Iterable[str] = SCHEDULE_FIELDS
) -> Comparison:
    """Compare a computed schedule with the values stored in ``project``, for every leaf task.

    ``computed`` maps a task's UID as text to an object with the schedule fields as attributes: a
    :class:`keel.engines.cpm.TaskSchedule` from Keel's engine or an interchange :class:`Task` read back
    after another scheduler ran. A leaf task missing from ``computed`` is an error.
    """
    names = tuple(fields)
    unknown = [name for name in names if name not in ALL_FIELDS]
    if unknown:
        raise ValueError(f"unknown schedule field(s): {', '.join(unknown)}")
    timelines = _Timelines(project)
    compared = dict.fromkeys(names, 0)
    matching = dict.fromkeys(names, 0)
    differences: list[Difference] = []
    leaves = [task for task in project.tasks if not task.summary]
    for task in leaves:
        result = computed.get(str(task.uid))
        if result is None:
            raise InterchangeError(f"task {task.uid} {task.name!r}: no computed schedule to compare")
        # A file that stores no early or late dates for a task stores no schedule for it: the flags
        # and floats MPXJ reports then are its own defaults, not values to compare with.
        scheduled = task.early_start is not None or task.late_start is not None
        for name in names:
            stored = getattr(task, name)
            value = getattr(result, name)
            if stored is None or (not scheduled and name not in ("start", "finish")):
                continue
            compared[name] += 1
            if value is not None and _same(name, stored, value, task, timelines):
                matching[name] += 1
            else:
                differences.append(Difference(task.uid, task.name, name, stored, value))
    return Comparison(
        fields=names,
        leaf_tasks=len(leaves),
        compared=compared,
        matching=matching,
        differences=tuple(differences),
        uids=tuple(task.uid for task in leaves),
    )


def _same(name: str, stored: Any, value: Any, task: Task, timelines: _Timelines) -> bool:
    """Whether two values of one field agree (dates in working time on the task's timeline)."""
    if isinstance(stored, datetime):
        return timelines.of(task).same_instant(stored, value)
    if name == "critical":
        return bool(stored) == bool(value)
    return int(stored) == int(value)


def _plain(value: datetime | int | bool | None) -> str | int | bool | None:
    """A value as JSON takes it."""
    return value.isoformat() if isinstance(value, datetime) else value


def _shown(value: datetime | int | bool | None, field_name: str) -> str:
    """A value as a person reads it."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if field_name in FLOAT_FIELDS and value is not None:
        return f"{value} min"
    return str(value)


# --- MPXJ's own scheduler ----------------------------------------------------------------------------


def mpxj_scheduled(path: str | os.PathLike[str]) -> tuple[InterchangeProject, InterchangeProject]:
    """A file as stored, and the same file after MPXJ's ``MicrosoftScheduler`` rescheduled it.

    MPXJ reads the file once; its values are mapped to Keel's dataclasses, then MPXJ's scheduler
    recomputes the tasks' dates, floats and critical flags in place from the project start, and the
    file is mapped again. Raises InterchangeError when the file cannot be read or MPXJ's scheduler
    refuses it (the message names the reason).
    """
    from keel.interchange import mpxj

    file_path = Path(path)
    if not file_path.is_file():
        raise InterchangeError(f"{file_path}: no such file")
    j = mpxj.java()
    import jpype

    try:
        scheduler_class = jpype.JClass("org.mpxj.cpm.MicrosoftScheduler")
    except TypeError as error:  # the class is absent from this MPXJ version
        raise InterchangeError(
            f"this MPXJ version has no org.mpxj.cpm.MicrosoftScheduler ({error})"
        ) from error
    try:
        file = j.UniversalProjectReader().read(str(file_path))
    except j.JException as error:
        raise InterchangeError(f"{file_path.name}: MPXJ cannot read this file: {error}") from error
    if file is None:
        raise InterchangeError(f"{file_path.name}: not a project file format MPXJ can read")
    stored = mpxj._Reader(file, file_path).project()
    try:
        scheduler_class().schedule(file, file.getProjectProperties().getStartDate())
    except j.JException as error:
        raise InterchangeError(f"{file_path.name}: MPXJ's scheduler refused it: {error}") from error
    return stored, mpxj._Reader(file, file_path).project()


def by_uid(project: InterchangeProject) -> dict[str, Task]:
    """A project's tasks by UID as text, the shape :func:`compare` takes as ``computed``."""
    return {str(task.uid): task for task in project.tasks}
