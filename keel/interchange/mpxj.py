"""The MPXJ bridge: project files of any format MPXJ reads become an :class:`InterchangeProject`, and back.

MPXJ (a Java library, shipped as jars inside the PyPI ``mpxj`` package) runs in a JVM started once per
process through JPype. :func:`read_project` reads with MPXJ's ``UniversalProjectReader`` (MS Project
.mpp/.mpt/.xml, Primavera .xer/P6 XML, GanttProject .gan, Planner, Phoenix, Asta, ... — the reader
detects the format from the content) and maps MPXJ's objects into Keel's dataclasses;
:func:`write_project` builds an MPXJ ``ProjectFile`` from the dataclasses and writes it with one of
MPXJ's writers (:data:`FORMATS`).

Units: MPXJ holds a duration as a value and a display unit (2.0 d, 1.0 w, 50 %); Keel holds minutes.
Conversions use the project's minutes per day, minutes per week and days per month, so a value read
from a file and written back is the same number of minutes. Elapsed units convert on 24×7 time.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import re
import shutil
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from keel.engines.calendars import (
    LAST,
    CalendarException,
    DaySelector,
    Intervals,
    Recurrence,
    RecurrenceKind,
    Timeline,
    WorkWeek,
)
from keel.engines.cpm import stretch_layout
from keel.interchange.model import (
    DATED_CONSTRAINTS,
    Assignment,
    Calendar,
    CalendarKind,
    ConstraintType,
    InterchangeError,
    InterchangeProject,
    Link,
    LinkType,
    Resource,
    ResourceType,
    Task,
    TaskBaseline,
    TimeUnit,
    engine_calendars,
    validate,
)

logger = logging.getLogger(__name__)

NEED_JAVA = (
    "Keel needs a Java runtime (Java 11 or newer) to read and write project files: "
    "install e.g. Debian's default-jre-headless"
)
MIN_JAVA = 11

FORMATS: dict[str, tuple[str, str, str]] = {
    "mspdi": ("MSPDI", ".xml", "Microsoft Project XML (MSPDI)"),
    "xer": ("XER", ".xer", "Primavera P6 XER"),
    "pmxml": ("PMXML", ".xml", "Primavera P6 XML (PMXML)"),
}
"""Formats :func:`write_project` writes: Keel's name -> (MPXJ FileFormat, file suffix, description).

MPXJ also writes MPX, Planner, SDEF and its own JSON; they are left out because a round trip through
them loses too much: MPXJ's MPX writer drops the time of day from every date, its Planner files change
lags and calendars, SDEF truncates names, and MPXJ cannot read its JSON back.
"""


class JavaMissingError(InterchangeError):
    """No usable Java runtime: the message says what is missing and how to install one."""


# --- JVM lifecycle ---------------------------------------------------------------------------------

_JVM_LOCK = threading.Lock()
_LIBJVM_PATTERNS = (
    "lib/server/libjvm.so",
    "lib/*/server/libjvm.so",
    "jre/lib/*/server/libjvm.so",
    "lib/server/libjvm.dylib",
    "jre/lib/server/libjvm.dylib",
    "bin/server/jvm.dll",
    "jre/bin/server/jvm.dll",
)


def _libjvm_in(home: Path) -> Path | None:
    """The JVM shared library inside a Java home, or None."""
    for pattern in _LIBJVM_PATTERNS:
        found = sorted(glob.glob(str(home / pattern)))
        if found:
            return Path(found[0])
    return None


def _java_version(home: Path) -> tuple[int, str] | None:
    """The feature version of a Java home (17 for "17.0.15", 8 for "1.8.0_392") from its release file."""
    try:
        text = (home / "release").read_text(errors="replace")
    except OSError:
        return None
    match = re.search(r'^JAVA_VERSION="?([0-9][^"\s]*)', text, re.MULTILINE)
    if match is None:
        return None
    parts = match.group(1).split(".")
    major = int(parts[1]) if parts[0] == "1" and len(parts) > 1 else int(re.sub(r"\D.*", "", parts[0]) or 0)
    return major, match.group(1)


def _check_version(home: Path) -> None:
    """Refuse a Java runtime older than MPXJ supports."""
    version = _java_version(home)
    if version is not None and version[0] < MIN_JAVA:
        raise JavaMissingError(f"the Java runtime at {home} is Java {version[1]}, too old. {NEED_JAVA}")


def find_jvm() -> Path:
    """The JVM library to start: from KEEL_JAVA_HOME or JAVA_HOME when set, else the system's Java.

    A Java home named in the environment is used as is: if it holds no Java runtime, that is an error
    rather than a silent fallback to another Java.
    """
    for variable in ("KEEL_JAVA_HOME", "JAVA_HOME"):
        value = os.environ.get(variable)
        if value:
            home = Path(value)
            library = _libjvm_in(home)
            if library is None:
                raise JavaMissingError(f"{variable}={value} does not hold a Java runtime. {NEED_JAVA}")
            _check_version(home)
            return library
    import jpype

    candidates: list[Path] = []
    with contextlib.suppress(jpype.JVMNotFoundException, jpype.JVMNotSupportedException):
        candidates.append(Path(jpype.getDefaultJVMPath()))
    java = shutil.which("java")
    if java:
        home = Path(java).resolve().parent.parent
        library = _libjvm_in(home)
        if library is not None:
            candidates.append(library)
    for library in candidates:
        if library.is_file():
            for home in library.parents:
                if (home / "release").is_file():
                    _check_version(home)
                    break
            return library
    raise JavaMissingError(NEED_JAVA)


def start_jvm() -> None:
    """Start the JVM with MPXJ's jars on the class path, once per process (later calls return at once)."""
    try:
        import jpype
    except ImportError as error:  # pragma: no cover - JPype1 is a declared dependency
        raise JavaMissingError(f"the JPype1 package is not installed ({error}). {NEED_JAVA}") from error
    if jpype.isJVMStarted():
        return
    with _JVM_LOCK:
        if jpype.isJVMStarted():
            return
        library = find_jvm()
        import mpxj  # noqa: F401 - importing the package puts MPXJ's jars on JPype's class path

        try:
            jpype.startJVM(str(library), "-Djava.awt.headless=true", convertStrings=False)
        except (OSError, RuntimeError) as error:
            raise JavaMissingError(
                f"the Java runtime at {library} did not start ({error}). {NEED_JAVA}"
            ) from error
        logger.info("JVM started from %s for MPXJ", library)


class _Java:
    """Java classes used by the bridge, looked up once after the JVM has started."""

    def __init__(self) -> None:
        """Look up the classes."""
        import jpype

        def cls(name: str) -> Any:
            return jpype.JClass(name)

        self.JException = jpype.JException
        self.JArray = jpype.JArray
        self.LocalDateTime = cls("java.time.LocalDateTime")
        self.LocalDate = cls("java.time.LocalDate")
        self.LocalTime = cls("java.time.LocalTime")
        self.DayOfWeek = cls("java.time.DayOfWeek")
        self.Double = cls("java.lang.Double")
        self.Integer = cls("java.lang.Integer")
        self.File = cls("java.io.File")
        self.ArrayList = cls("java.util.ArrayList")
        self.UniversalProjectReader = cls("org.mpxj.reader.UniversalProjectReader")
        self.UniversalProjectWriter = cls("org.mpxj.writer.UniversalProjectWriter")
        self.MSPDIWriter = cls("org.mpxj.mspdi.MSPDIWriter")
        self.TimephasedWork = cls("org.mpxj.TimephasedWork")
        self.FileFormat = cls("org.mpxj.writer.FileFormat")
        self.ProjectFile = cls("org.mpxj.ProjectFile")
        self.Duration = cls("org.mpxj.Duration")
        self.TimeUnit = cls("org.mpxj.TimeUnit")
        self.RelationType = cls("org.mpxj.RelationType")
        self.Relation = cls("org.mpxj.Relation")
        self.RelationBuilder = cls("org.mpxj.Relation$Builder")
        self.ConstraintType = cls("org.mpxj.ConstraintType")
        self.DayType = cls("org.mpxj.DayType")
        self.CalendarType = cls("org.mpxj.CalendarType")
        self.RecurringData = cls("org.mpxj.RecurringData")
        self.RecurrenceType = cls("org.mpxj.RecurrenceType")
        self.LocalTimeRange = cls("org.mpxj.LocalTimeRange")
        self.LocalDateRange = cls("org.mpxj.LocalDateRange")
        self.ResourceType = cls("org.mpxj.ResourceType")
        self.ActivityType = cls("org.mpxj.ActivityType")
        self.TaskMode = cls("org.mpxj.TaskMode")
        self.TaskField = cls("org.mpxj.TaskField")
        self.StructuredNotes = cls("org.mpxj.StructuredNotes")
        self.ParentNotes = cls("org.mpxj.ParentNotes")
        self.Rate = cls("org.mpxj.Rate")
        self.CostRateTable = cls("org.mpxj.CostRateTable")
        self.CostRateTableEntry = cls("org.mpxj.CostRateTableEntry")
        self.Availability = cls("org.mpxj.Availability")
        self.DateHelper = cls("org.mpxj.common.LocalDateTimeHelper")
        self.days = [self.DayOfWeek.of(weekday + 1) for weekday in range(7)]  # Monday first


_java: _Java | None = None


def java() -> _Java:
    """The Java classes, starting the JVM on first use."""
    global _java
    if _java is None:
        start_jvm()
        _java = _Java()
    return _java


# --- small conversions -----------------------------------------------------------------------------

_MPXJ_UNITS: dict[str, tuple[TimeUnit, bool]] = {
    "MINUTES": (TimeUnit.MINUTES, False),
    "HOURS": (TimeUnit.HOURS, False),
    "DAYS": (TimeUnit.DAYS, False),
    "WEEKS": (TimeUnit.WEEKS, False),
    "MONTHS": (TimeUnit.MONTHS, False),
    "YEARS": (TimeUnit.YEARS, False),
    "PERCENT": (TimeUnit.PERCENT, False),
    "ELAPSED_MINUTES": (TimeUnit.MINUTES, True),
    "ELAPSED_HOURS": (TimeUnit.HOURS, True),
    "ELAPSED_DAYS": (TimeUnit.DAYS, True),
    "ELAPSED_WEEKS": (TimeUnit.WEEKS, True),
    "ELAPSED_MONTHS": (TimeUnit.MONTHS, True),
    "ELAPSED_YEARS": (TimeUnit.YEARS, True),
    "ELAPSED_PERCENT": (TimeUnit.PERCENT, True),
}
_KEEL_UNITS = {value: name for name, value in _MPXJ_UNITS.items()}
_LINK_TYPES = {
    "FINISH_START": LinkType.FS,
    "START_START": LinkType.SS,
    "FINISH_FINISH": LinkType.FF,
    "START_FINISH": LinkType.SF,
}
_MPXJ_LINK_TYPES = {value: name for name, value in _LINK_TYPES.items()}
_CONSTRAINTS = {
    "AS_SOON_AS_POSSIBLE": ConstraintType.ASAP,
    "AS_LATE_AS_POSSIBLE": ConstraintType.ALAP,
    "MUST_START_ON": ConstraintType.MSO,
    "MUST_FINISH_ON": ConstraintType.MFO,
    "START_NO_EARLIER_THAN": ConstraintType.SNET,
    "START_NO_LATER_THAN": ConstraintType.SNLT,
    "FINISH_NO_EARLIER_THAN": ConstraintType.FNET,
    "FINISH_NO_LATER_THAN": ConstraintType.FNLT,
}
_MPXJ_CONSTRAINTS = {value: name for name, value in _CONSTRAINTS.items()}
# Primavera's soft "start on" / "finish on" constraints have no MS Project equivalent; the nearest is
# the hard one, and the user is told.
_SOFT_CONSTRAINTS = {"START_ON": ConstraintType.MSO, "FINISH_ON": ConstraintType.MFO}
_RESOURCE_TYPES = {"WORK": ResourceType.WORK, "MATERIAL": ResourceType.MATERIAL, "COST": ResourceType.COST}


def _name(enum_value: Any) -> str | None:
    """The constant name of a Java enum value (None for null)."""
    return None if enum_value is None else str(enum_value.name())


def _str(value: Any) -> str:
    """A Java string (or null) as Python text."""
    return "" if value is None else str(value)


def _int(value: Any) -> int | None:
    """A Java number (or null) as a Python int."""
    return None if value is None else int(value.intValue() if hasattr(value, "intValue") else value)


def _decimal(value: Any) -> Decimal | None:
    """A Java number (or null) as a Decimal, without binary noise ("1511.25", not 1511.2499…)."""
    if value is None:
        return None
    number = float(value.doubleValue() if hasattr(value, "doubleValue") else value)
    return Decimal(repr(number)) if number else Decimal(0)


def _datetime(value: Any) -> datetime | None:
    """A java.time.LocalDateTime as a naive datetime."""
    return None if value is None else datetime.fromisoformat(str(value.toString()))


def _date(value: Any) -> date | None:
    """A java.time.LocalDate as a date."""
    return None if value is None else date.fromisoformat(str(value.toString()))


def _minutes_of_day(value: Any, is_end: bool) -> int:
    """A java.time.LocalTime as minutes from midnight; an end at 00:00 is midnight at the day's end."""
    minutes = int(value.getHour()) * 60 + int(value.getMinute())
    return 1440 if is_end and minutes == 0 else minutes


def _intervals(ranges: Iterable[Any] | None) -> Intervals:
    """MPXJ LocalTimeRanges (hours of a day or of an exception) as sorted working intervals."""
    if ranges is None:
        return ()
    result = []
    for time_range in ranges:
        if time_range is None or time_range.getStart() is None or time_range.getEnd() is None:
            continue
        result.append(
            (_minutes_of_day(time_range.getStart(), False), _minutes_of_day(time_range.getEnd(), True))
        )
    return tuple(sorted(result))


# --- reading ---------------------------------------------------------------------------------------


def read_project(path: str | os.PathLike[str]) -> InterchangeProject:
    """Read any project file MPXJ reads into an :class:`InterchangeProject` (InterchangeError if it cannot)."""
    file_path = Path(path)
    if not file_path.is_file():
        raise InterchangeError(f"{file_path}: no such file")
    j = java()
    try:
        projects = list(j.UniversalProjectReader().readAll(str(file_path)))
    except j.JException as error:
        raise InterchangeError(
            f"{file_path.name}: MPXJ cannot read this file: {_java_message(error)}"
        ) from error
    if not projects:
        raise InterchangeError(
            f"{file_path.name}: not a project file format Keel can read (MPXJ recognises no schedule in it)"
        )
    try:
        return _Reader(projects[0], file_path, others=len(projects) - 1).project()
    except j.JException as error:
        raise InterchangeError(
            f"{file_path.name}: MPXJ failed while mapping it: {_java_message(error)}"
        ) from error


def _java_message(error: Any) -> str:
    """The most telling message of a Java exception and its causes."""
    messages = []
    current = error
    while current is not None and len(messages) < 5:
        message = current.getMessage()
        text = (
            f"{current.getClass().getSimpleName()}: {message}"
            if message
            else str(current.getClass().getName())
        )
        messages.append(text)
        current = current.getCause()
    return "; caused by ".join(messages)


class _Reader:
    """Maps one MPXJ ProjectFile to an InterchangeProject, collecting warnings on the way."""

    def __init__(self, file: Any, path: Path, others: int = 0) -> None:
        """Keep the file, its properties and the Java classes."""
        self.j = java()
        self.file = file
        self.props = file.getProjectProperties()
        self.path = path
        self.warnings: list[str] = []
        self.minutes_per_day = _int(self.props.getMinutesPerDay()) or 480
        self.minutes_per_week = _int(self.props.getMinutesPerWeek()) or 5 * self.minutes_per_day
        self.days_per_month = _int(self.props.getDaysPerMonth()) or 20
        if others:
            self.warnings.append(f"the file holds {others + 1} projects; only the first one was read")

    # -- durations --

    def minutes(self, duration: Any) -> int | None:
        """Minutes of an MPXJ Duration (working, or elapsed for elapsed units; percent stays percent)."""
        if duration is None:
            return None
        units = duration.getUnits()
        unit_name = _name(units)
        value = float(duration.getDuration())
        if unit_name in ("PERCENT", "ELAPSED_PERCENT"):
            return round(value)
        target = self.j.TimeUnit.ELAPSED_MINUTES if units.isElapsed() else self.j.TimeUnit.MINUTES
        return round(float(duration.convertUnits(target, self.props).getDuration()))

    @staticmethod
    def unit(duration: Any, default: TimeUnit = TimeUnit.DAYS) -> tuple[TimeUnit, bool]:
        """The display unit of a Duration and whether it is elapsed time."""
        if duration is None:
            return default, False
        return _MPXJ_UNITS.get(_name(duration.getUnits()) or "", (default, False))

    # -- the whole project --

    def project(self) -> InterchangeProject:
        """Map everything and check the result."""
        calendars = self.calendars()
        calendar_uids = {c.uid for c in calendars}
        default = self.file.getDefaultCalendar()
        default_uid = _int(default.getUniqueID()) if default is not None else None
        if default_uid not in calendar_uids:
            if calendars:
                default_uid = calendars[0].uid
                self.warnings.append(f"the file names no project calendar; Keel uses {calendars[0].name!r}")
            else:
                default_uid = 1
                calendars.append(Calendar(uid=1, name="Standard"))
                calendar_uids.add(1)
                self.warnings.append("the file has no calendar; Keel uses a Standard calendar (Mon-Fri 8-17)")
        tasks, summary_task = self.tasks(calendar_uids)
        task_uids = {t.uid for t in tasks}
        links = self.links(task_uids)
        if _str(self.props.getFileType()).upper() == "GAN":
            links += self.ganttproject_links(task_uids, links)
        resources = self.resources(calendar_uids)
        calendars = self.used_calendars(calendars, default_uid, tasks, resources)
        assignments = self.assignments(task_uids, {r.uid for r in resources})
        baselines, baseline_dates = self.baselines(tasks)
        for error in self.file.getIgnoredErrors() or []:
            self.warnings.append(f"MPXJ skipped part of the file: {error}")
        start = _datetime(self.props.getStartDate()) or _datetime(self.props.getPlannedStart())
        if start is None:
            starts = [t.start for t in tasks if t.start is not None]
            if not starts:
                raise InterchangeError(
                    f"{self.path.name}: the file has no project start date and no task dates"
                )
            start = min(starts)
        project = InterchangeProject(
            name=self.project_name(summary_task),
            start=start,
            finish=_datetime(self.props.getFinishDate()),
            status_date=_datetime(self.props.getStatusDate()),
            default_calendar_uid=default_uid,
            calendars=tuple(calendars),
            tasks=tuple(tasks),
            links=tuple(links),
            resources=tuple(resources),
            assignments=tuple(assignments),
            baselines=tuple(baselines),
            baseline_dates=tuple(baseline_dates),
            minutes_per_day=self.minutes_per_day,
            minutes_per_week=self.minutes_per_week,
            days_per_month=self.days_per_month,
            honor_constraints=bool(self.props.getHonorConstraints()),
            currency=_str(self.props.getCurrencyCode()),
            source_format=self.format_name(),
            warnings=tuple(self.warnings),
        )
        try:
            validate(project)
        except InterchangeError as error:
            raise InterchangeError(f"{self.path.name}: {error}") from error
        return project

    def format_name(self) -> str:
        """A readable name of the file's format ("MSPDI (Microsoft Project)", "XER (Primavera)")."""
        kind = _str(self.props.getFileType())
        application = _str(self.props.getFileApplication())
        return f"{kind} ({application})" if kind and application else kind or application

    def project_name(self, summary_task: Any) -> str:
        """The project's title, else its summary task's name, else the file's name without extension."""
        for candidate in (
            _str(self.props.getProjectTitle()),
            _str(summary_task.getName()) if summary_task is not None else "",
            _str(self.props.getName()),
        ):
            candidate = candidate.strip()
            if candidate:
                return re.sub(r"\.(xml|mpp|mpt|xer|gan|planner|mpx)$", "", candidate, flags=re.IGNORECASE)
        return self.path.stem

    # -- calendars --

    @staticmethod
    def used_calendars(
        calendars: list[Calendar], default_uid: int, tasks: list[Task], resources: list[Resource]
    ) -> list[Calendar]:
        """Calendars without the personal calendars of resources that were not read (MS Project's blank one)."""
        used = {default_uid, *(t.calendar_uid for t in tasks), *(r.calendar_uid for r in resources)}
        kept = {c.uid for c in calendars if c.kind is CalendarKind.BASE or c.uid in used}
        bases = {c.uid: c.base_uid for c in calendars}
        for uid in list(kept):
            while bases.get(uid) is not None and bases[uid] not in kept:
                uid = bases[uid]
                kept.add(uid)
        return [c for c in calendars if c.uid in kept]

    def calendars(self) -> list[Calendar]:
        """Every calendar with its week, exceptions (recurring ones as recurrences) and work weeks."""
        result = []
        for calendar in self.file.getCalendars():
            uid = _int(calendar.getUniqueID())
            if uid is None:
                continue
            parent = calendar.getParent()
            week: list[Intervals | None] = []
            for day in self.j.days:
                day_type = _name(calendar.getCalendarDayType(day))
                if day_type == "DEFAULT" and parent is not None:
                    week.append(None)
                elif day_type == "DEFAULT":
                    week.append(_intervals(calendar.getHours(day)))
                elif day_type == "WORKING":
                    week.append(_intervals(calendar.getCalendarHours(day)))
                else:
                    week.append(())
            name = _str(calendar.getName()) or f"Calendar {uid}"
            exceptions = []
            for exception in calendar.getCalendarExceptions():
                exceptions.extend(self.exception(exception))
            work_weeks = []
            for work_week in calendar.getWorkWeeks():
                work_weeks.append(self.work_week(calendar, work_week))
            result.append(
                Calendar(
                    uid=uid,
                    name=name,
                    week=tuple(week),
                    base_uid=_int(parent.getUniqueID()) if parent is not None else None,
                    exceptions=tuple(exceptions),
                    work_weeks=tuple(w for w in work_weeks if w is not None),
                    kind=CalendarKind.RESOURCE
                    if _name(calendar.getType()) == "RESOURCE"
                    else CalendarKind.BASE,
                )
            )
        return result

    def exception(self, exception: Any) -> list[CalendarException]:
        """One MPXJ exception: a date range, or a recurrence (expanded to dates if Keel cannot express it)."""
        working = _intervals(exception) if exception.getWorking() else ()
        name = _str(exception.getName())
        first = _date(exception.getFromDate())
        last = _date(exception.getToDate())
        recurring = exception.getRecurring()
        if first is None:
            return []
        if recurring is None:
            return [
                CalendarException(
                    start=first, end=last if last != first else None, working=working, name=name
                )
            ]
        recurrence = self.recurrence(recurring)
        if recurrence is not None:
            occurrences = None if recurring.getUseEndDate() else _int(recurring.getOccurrences())
            return [
                CalendarException(
                    start=first,
                    end=last,
                    working=working,
                    recurrence=recurrence,
                    occurrences=occurrences,
                    name=name,
                )
            ]
        # A pattern Keel's recurrences cannot express: keep the dates MPXJ expands it to.
        result = []
        for expanded in exception.getExpandedExceptions():
            start = _date(expanded.getFromDate())
            end = _date(expanded.getToDate())
            if start is not None:
                result.append(
                    CalendarException(
                        start=start, end=end if end != start else None, working=working, name=name
                    )
                )
        return result

    def recurrence(self, data: Any) -> Recurrence | None:
        """An MPXJ RecurringData as an engine Recurrence, or None if it has no equivalent."""
        kind = _name(data.getRecurrenceType())
        period = _int(data.getFrequency()) or 1
        relative = bool(data.getRelative())
        day_number = _int(data.getDayNumber())
        month = _int(data.getMonthNumber())
        day_of_week = data.getDayOfWeek()
        if kind == "DAILY":
            if data.getWorkingDaysOnly():
                return None
            return Recurrence(RecurrenceKind.DAILY, period=period)
        if kind == "WEEKLY":
            weekdays = frozenset(i for i, day in enumerate(self.j.days) if data.getWeeklyDay(day))
            return Recurrence(RecurrenceKind.WEEKLY, period=period, weekdays=weekdays) if weekdays else None
        if kind not in ("MONTHLY", "YEARLY") or day_number is None:
            return None
        if relative:
            if day_of_week is None or not 1 <= day_number <= 5:
                return None
            position = LAST if day_number == 5 else day_number
            selector = DaySelector(int(day_of_week.getValue()) - 1)
            if kind == "MONTHLY":
                return Recurrence(
                    RecurrenceKind.MONTHLY_BY_POSITION, period=period, position=position, selector=selector
                )
            if month is None:
                return None
            return Recurrence(
                RecurrenceKind.YEARLY_BY_POSITION, month=month, position=position, selector=selector
            )
        if not 1 <= day_number <= 31:
            return None
        if kind == "MONTHLY":
            return Recurrence(RecurrenceKind.MONTHLY_BY_DAY, period=period, day=day_number)
        if month is None:
            return None
        return Recurrence(RecurrenceKind.YEARLY_BY_DAY, day=day_number, month=month)

    def work_week(self, calendar: Any, work_week: Any) -> WorkWeek | None:
        """An alternate work week; its days left to default take the calendar's own week."""
        date_range = work_week.getDateRange()
        if date_range is None or date_range.getStart() is None or date_range.getEnd() is None:
            return None
        days: list[Intervals] = []
        for day in self.j.days:
            day_type = _name(work_week.getCalendarDayType(day))
            if day_type == "WORKING":
                days.append(_intervals(work_week.getCalendarHours(day)))
            elif day_type == "NON_WORKING":
                days.append(())
            else:
                days.append(_intervals(calendar.getHours(day)))
        return WorkWeek(
            start=_date(date_range.getStart()),
            end=_date(date_range.getEnd()),
            days=tuple(days),
            name=_str(work_week.getName()),
        )

    # -- tasks --

    def tasks(self, calendar_uids: set[int]) -> tuple[list[Task], Any]:
        """Every task but the project summary, blank rows, inactive and external tasks."""
        summary_task = None
        kept: dict[int, Any] = {}
        skipped_inactive: list[str] = []
        for task in self.file.getTasks():
            uid = _int(task.getUniqueID())
            if uid is None or task.getNull():
                continue
            if _int(task.getOutlineLevel()) == 0:
                summary_task = task
                continue
            label = f"{_str(task.getName())!r} (UID {uid})"
            if not task.getActive():
                skipped_inactive.append(label)
                continue
            if task.getExternalTask() or task.getSubprojectFile() is not None:
                self.warnings.append(f"task {label} is an external task or inserted project; it was not read")
                continue
            kept[uid] = task
        if skipped_inactive:
            self.warnings.append(
                f"{len(skipped_inactive)} inactive task(s) were not read: {', '.join(skipped_inactive[:10])}"
                + (" …" if len(skipped_inactive) > 10 else "")
            )
        parents: dict[int, int | None] = {}
        for uid, task in kept.items():
            parent = task.getParentTask()
            while parent is not None and _int(parent.getUniqueID()) not in kept:
                parent = parent.getParentTask()
            parents[uid] = _int(parent.getUniqueID()) if parent is not None else None
        has_children = {p for p in parents.values() if p is not None}
        numbers = self.outline_numbers(list(kept), parents)
        result = [
            self.task(uid, task, parents[uid], uid in has_children, numbers[uid], calendar_uids)
            for uid, task in kept.items()
        ]
        return result, summary_task

    @staticmethod
    def outline_numbers(order: list[int], parents: dict[int, int | None]) -> dict[int, tuple[str, int]]:
        """Outline number ("1.2.3") and level (1 = top) of every task from the hierarchy, in file order."""
        counters: dict[int | None, int] = {}
        result: dict[int, tuple[str, int]] = {}
        for uid in order:
            parent = parents[uid]
            counters[parent] = counters.get(parent, 0) + 1
            if parent is None or parent not in result:
                result[uid] = (str(counters[parent]), 1)
            else:
                number, level = result[parent]
                result[uid] = (f"{number}.{counters[parent]}", level + 1)
        return result

    def task(
        self,
        uid: int,
        task: Any,
        parent_uid: int | None,
        has_children: bool,
        outline: tuple[str, int],
        calendar_uids: set[int],
    ) -> Task:
        """One task's fields in Keel's units."""
        name = _str(task.getName())
        label = f"task {name!r} (UID {uid})"
        duration = task.getDuration()
        duration_unit, elapsed = self.unit(duration)
        summary = bool(task.getSummary()) or has_children
        calendar_uid = _int(task.getCalendarUniqueID())
        if calendar_uid is not None and calendar_uid < 0:
            calendar_uid = None
        if calendar_uid is not None and calendar_uid not in calendar_uids:
            self.warnings.append(
                f"{label} names calendar {calendar_uid}, which the file lacks; it uses the project's"
            )
            calendar_uid = None
        constraint_name = _name(task.getConstraintType()) or "AS_SOON_AS_POSSIBLE"
        constraint_date = _datetime(task.getConstraintDate())
        if constraint_name in _SOFT_CONSTRAINTS:
            constraint = _SOFT_CONSTRAINTS[constraint_name]
            self.warnings.append(
                f"{label}: Primavera's {constraint_name.replace('_', ' ').lower()} constraint became "
                f"{constraint.value.replace('_', ' ')}"
            )
        else:
            constraint = _CONSTRAINTS.get(constraint_name, ConstraintType.ASAP)
        if constraint in DATED_CONSTRAINTS and constraint_date is None:
            self.warnings.append(
                f"{label}: constraint {constraint.value} has no date; Keel uses as soon as possible"
            )
            constraint = ConstraintType.ASAP
        if constraint not in DATED_CONSTRAINTS:
            constraint_date = None
        if task.getSecondaryConstraintType() is not None:
            self.warnings.append(f"{label}: its secondary constraint was not read (Keel holds one per task)")
        if task.getRecurring() and has_children:
            self.warnings.append(f"{label} is a recurring task; its occurrences were read as ordinary tasks")
        duration_minutes = max(0, self.minutes(duration) or 0)
        splits = self.splits(task, duration_minutes, elapsed) if not summary else ()
        total_float = task.getTotalSlack()
        free_float = task.getFreeSlack()
        percent = task.getPercentageComplete()
        file_number = _str(task.getOutlineNumber())
        return Task(
            uid=uid,
            id=_int(task.getID()),
            name=name,
            outline_number=file_number or outline[0],
            outline_level=outline[1],
            parent_uid=parent_uid,
            wbs=_str(task.getWBS()),
            notes=self.notes(task.getNotesObject()),
            summary=summary,
            milestone=bool(task.getMilestone()),
            manual=_name(task.getTaskMode()) == "MANUALLY_SCHEDULED",
            duration=max(0, self.minutes(duration) or 0),
            duration_unit=duration_unit,
            elapsed=elapsed,
            work=max(0, self.minutes(task.getWork()) or 0),
            cost=_decimal(task.getCost()) or Decimal(0),
            percent_complete=min(100, max(0, round(float(percent.doubleValue()))))
            if percent is not None
            else 0,
            actual_start=_datetime(task.getActualStart()),
            actual_finish=_datetime(task.getActualFinish()),
            constraint=constraint,
            constraint_date=constraint_date,
            deadline=_datetime(task.getDeadline()),
            calendar_uid=calendar_uid,
            start=_datetime(task.getStart()),
            finish=_datetime(task.getFinish()),
            early_start=_datetime(task.getEarlyStart()),
            early_finish=_datetime(task.getEarlyFinish()),
            late_start=_datetime(task.getLateStart()),
            late_finish=_datetime(task.getLateFinish()),
            total_float=self.minutes(total_float),
            free_float=self.minutes(free_float),
            critical=bool(task.getCritical()),
            leveling_delay=self.leveling_delay(task.getLevelingDelay()),
            splits=splits,
        )

    def leveling_delay(self, delay: Any) -> int:
        """A task's leveling delay in working minutes of the task's calendar.

        MS Project shows it in elapsed days by default; an elapsed delay is taken as the same share of
        working days (1 elapsed day = one working day of the project's minutes per day).
        """
        if delay is None or float(delay.getDuration()) <= 0:
            return 0
        minutes = self.minutes(delay) or 0
        if delay.getUnits().isElapsed():
            minutes = round(minutes * self.minutes_per_day / 1440)
        return max(0, minutes)

    def notes(self, notes: Any) -> str:
        """Plain text of a task's notes; Primavera's notes under topics become "Topic: text" paragraphs.

        Primavera files carry notes by topic; the default topic ("Notes") is left out of the text.
        """
        if notes is None:
            return ""
        if isinstance(notes, self.j.ParentNotes):
            return "\n".join(filter(None, (self.notes(child) for child in notes.getChildNotes())))
        if isinstance(notes, self.j.StructuredNotes):
            text = self.notes(notes.getNotes())
            topic = notes.getNotesTopic()
            topic_name = _str(topic.getName()) if topic is not None else ""
            return f"{topic_name}: {text}" if text and topic_name and topic_name != "Notes" else text
        return _str(notes.toString()).strip("\n")

    def splits(self, task: Any, duration: int, elapsed: bool) -> tuple[tuple[int, int], ...]:
        """A split task's pauses as ``(offset, pause)`` working minutes (see ``keel.engines.cpm.Task``).

        Pauses of working time between a task's work segments split it; segments that merely touch (a
        contoured assignment's changing rate, seconds apart) are one stretch. The splits are kept when
        the stretches of work add up to the duration on the task's calendar; otherwise the task is
        held as one stretch, with a warning.
        """
        segments = task.getWorkSplits()
        if segments is None or len(segments) < 2:
            return ()
        calendar = task.getEffectiveCalendar()
        minutes = self.j.TimeUnit.MINUTES

        def work(start: Any, end: Any) -> int:
            if calendar is None:
                return round((_datetime(end) - _datetime(start)) / timedelta(minutes=1))
            return round(float(calendar.getWork(start, end, minutes).getDuration()))

        stretches: list[list[int]] = []
        pauses: list[int] = []
        previous_end = None
        for segment in segments:
            start, end = segment.getStart(), segment.getEnd()
            gap = 0 if previous_end is None else work(previous_end, start)
            if stretches and (gap < 1 or _datetime(start) - _datetime(previous_end) < timedelta(minutes=1)):
                stretches[-1][0] += work(start, end)
            else:
                if stretches:
                    pauses.append(gap)
                stretches.append([work(start, end)])
            previous_end = end
        if len(stretches) < 2:
            return ()
        name = _str(task.getName())
        label = f"task {name!r} (UID {_int(task.getUniqueID())})"
        if elapsed or sum(s[0] for s in stretches) != duration:
            self.warnings.append(
                f"{label} is split into {len(stretches)} parts; Keel holds it as one stretch"
            )
            return ()
        result = []
        done = 0
        for stretch, pause in zip(stretches, pauses, strict=False):
            done += stretch[0]
            result.append((done, pause))
        return tuple(result)

    # -- links --

    def links(self, task_uids: set[int]) -> list[Link]:
        """Dependencies between read tasks (links to tasks not read are reported)."""
        result = []
        dropped = 0
        for relation in self.file.getRelations():
            predecessor = relation.getPredecessorTask()
            successor = relation.getSuccessorTask()
            if predecessor is None or successor is None:
                dropped += 1
                continue
            pred_uid = _int(predecessor.getUniqueID())
            succ_uid = _int(successor.getUniqueID())
            if pred_uid not in task_uids or succ_uid not in task_uids or pred_uid == succ_uid:
                dropped += 1
                continue
            lag = relation.getLag()
            lag_unit, lag_elapsed = self.unit(lag)
            result.append(
                Link(
                    predecessor_uid=pred_uid,
                    successor_uid=succ_uid,
                    type=_LINK_TYPES.get(_name(relation.getType()) or "", LinkType.FS),
                    lag=self.minutes(lag) or 0,
                    lag_unit=lag_unit,
                    lag_elapsed=lag_elapsed,
                )
            )
        if dropped:
            self.warnings.append(
                f"{dropped} link(s) to tasks that were not read (or to themselves) were left out"
            )
        return result

    def ganttproject_links(self, task_uids: set[int], known: list[Link]) -> list[Link]:
        """Dependencies of nested GanttProject tasks, which MPXJ's GanttProject reader does not read.

        MPXJ reads only the ``<depend>`` elements of top-level tasks; those of sub-tasks are read here
        from the same file, with MPXJ's own numbering (task UID = GanttProject id + 1) and type coding
        (1 = SS, 2 = FS, 3 = FF, 4 = SF; ``difference`` = lag in days).
        """
        types = {"1": LinkType.SS, "2": LinkType.FS, "3": LinkType.FF, "4": LinkType.SF}
        seen = {(link.predecessor_uid, link.successor_uid) for link in known}
        result = []
        try:
            root = ET.parse(self.path).getroot()
        except ET.ParseError:
            return result
        for task in root.iter("task"):
            for depend in task.findall("depend"):
                try:
                    pred_uid = int(task.get("id", "")) + 1
                    succ_uid = int(depend.get("id", "")) + 1
                    lag_days = float(depend.get("difference") or 0)
                except ValueError:
                    continue
                if (pred_uid, succ_uid) in seen or pred_uid not in task_uids or succ_uid not in task_uids:
                    continue
                seen.add((pred_uid, succ_uid))
                result.append(
                    Link(
                        predecessor_uid=pred_uid,
                        successor_uid=succ_uid,
                        type=types.get(depend.get("type", "2"), LinkType.FS),
                        lag=round(lag_days * self.minutes_per_day),
                        lag_unit=TimeUnit.DAYS,
                    )
                )
        return result

    # -- resources and assignments --

    def resources(self, calendar_uids: set[int]) -> list[Resource]:
        """Named resources with their type, calendar, availability and current rates."""
        result = []
        for resource in self.file.getResources():
            uid = _int(resource.getUniqueID())
            name = _str(resource.getName()).strip()
            if uid is None or resource.getNull() or not name:
                continue  # MS Project's blank resource 0 and empty rows
            type_name = _name(resource.getType()) or "WORK"
            resource_type = _RESOURCE_TYPES.get(type_name, ResourceType.WORK)
            if type_name not in _RESOURCE_TYPES:
                self.warnings.append(
                    f"resource {name!r} is a {type_name.replace('_', '-').lower()} resource; Keel holds it as work"
                )
            calendar_uid = _int(resource.getCalendarUniqueID())
            if calendar_uid is not None and calendar_uid not in calendar_uids:
                calendar_uid = None
            standard = resource.getStandardRate()
            overtime = resource.getOvertimeRate()
            max_units = _decimal(resource.getMaxUnits()) if resource_type is ResourceType.WORK else None
            result.append(
                Resource(
                    uid=uid,
                    name=name,
                    type=resource_type,
                    calendar_uid=calendar_uid,
                    max_units=Decimal(100)
                    if max_units is None and resource_type is ResourceType.WORK
                    else max_units,
                    standard_rate=_decimal(standard.getAmount()) if standard is not None else Decimal(0),
                    standard_rate_unit=self.unit_of_rate(standard),
                    overtime_rate=_decimal(overtime.getAmount()) if overtime is not None else Decimal(0),
                    overtime_rate_unit=self.unit_of_rate(overtime),
                    cost_per_use=_decimal(resource.getCostPerUse()) or Decimal(0),
                    email=_str(resource.getEmailAddress()),
                    group=_str(resource.getGroup()),
                    initials=_str(resource.getInitials()),
                    code=_str(resource.getCode()) or _str(resource.getResourceID()),
                )
            )
        return result

    @staticmethod
    def unit_of_rate(rate: Any) -> TimeUnit:
        """The time unit a rate is per (hours when absent)."""
        if rate is None:
            return TimeUnit.HOURS
        return _MPXJ_UNITS.get(_name(rate.getUnits()) or "", (TimeUnit.HOURS, False))[0]

    def assignments(self, task_uids: set[int], resource_uids: set[int]) -> list[Assignment]:
        """Assignments of read resources to read tasks (MS Project's resource-less ones are skipped)."""
        result = []
        for assignment in self.file.getResourceAssignments():
            task_uid = _int(assignment.getTaskUniqueID())
            resource_uid = _int(assignment.getResourceUniqueID())
            if task_uid not in task_uids or resource_uid not in resource_uids:
                continue
            units = _decimal(assignment.getUnits())
            result.append(
                Assignment(
                    task_uid=task_uid,
                    resource_uid=resource_uid,
                    units=units if units is not None else Decimal(100),
                    work=max(0, self.minutes(assignment.getWork()) or 0),
                    actual_work=max(0, self.minutes(assignment.getActualWork()) or 0),
                    cost=_decimal(assignment.getCost()) or Decimal(0),
                    actual_cost=_decimal(assignment.getActualCost()) or Decimal(0),
                    start=_datetime(assignment.getStart()),
                    finish=_datetime(assignment.getFinish()),
                    uid=_int(assignment.getUniqueID()),
                )
            )
        return result

    # -- baselines --

    def baselines(self, tasks: list[Task]) -> tuple[list[TaskBaseline], list[tuple[int, datetime]]]:
        """Saved baselines per task (only those the file populates) and the dates they were saved."""
        populated = {
            str(field.name())
            for field in self.file.getPopulatedFields()
            if isinstance(field, self.j.TaskField)
        }
        numbers = []
        for number in range(11):
            prefix = "BASELINE_" if number == 0 else f"BASELINE{number}_"
            if any(prefix + field in populated for field in ("START", "FINISH", "DURATION", "WORK", "COST")):
                numbers.append(number)
        result = []
        if numbers:
            by_uid = {_int(t.getUniqueID()): t for t in self.file.getTasks()}
            for task in tasks:
                java_task = by_uid[task.uid]
                for number in numbers:
                    args = () if number == 0 else (number,)
                    baseline = TaskBaseline(
                        task_uid=task.uid,
                        number=number,
                        start=_datetime(java_task.getBaselineStart(*args)),
                        finish=_datetime(java_task.getBaselineFinish(*args)),
                        duration=self.minutes(java_task.getBaselineDuration(*args)),
                        work=self.minutes(java_task.getBaselineWork(*args)),
                        cost=_decimal(java_task.getBaselineCost(*args)),
                    )
                    # A baseline is a saved schedule: without dates it is only a planned duration or
                    # cost (as Primavera files carry for every activity), not a baseline.
                    if baseline.start is not None or baseline.finish is not None:
                        result.append(baseline)
        dates = []
        for number in range(11):
            saved = _datetime(
                self.props.getBaselineDate() if number == 0 else self.props.getBaselineDate(number)
            )
            if saved is not None:
                dates.append((number, saved))
        return result, dates


# --- writing ---------------------------------------------------------------------------------------


PRIMAVERA_FORMATS = frozenset({"xer", "pmxml"})
"""Formats of Primavera P6, which has no elapsed durations, percentage lags or manually scheduled tasks."""


def write_project(
    project: InterchangeProject,
    path: str | os.PathLike[str],
    format: str = "mspdi",
    *,
    code: str = "",
) -> tuple[str, ...]:
    """Write the project as ``format`` (a key of :data:`FORMATS`) to ``path``.

    ``code`` is the project's short name where the format has one (Primavera's project ID). Returns
    warnings about what the format cannot hold (e.g. elapsed durations in a Primavera file).
    """
    if format not in FORMATS:
        raise InterchangeError(
            f"format {format!r} is not one Keel writes; choose one of {', '.join(FORMATS)}"
        )
    validate(project)
    file_path = Path(path)
    if not file_path.parent.is_dir():
        raise InterchangeError(f"{file_path}: folder {file_path.parent} does not exist")
    j = java()
    writer = _Writer(project, primavera=format in PRIMAVERA_FORMATS, code=code)
    try:
        project_file = writer.build()
        if format == "mspdi":
            # Split tasks go out as their assignments' timephased work (MS Project's own way); only the
            # assignments given some are written with it.
            mspdi_writer = j.MSPDIWriter()
            mspdi_writer.setWriteTimephasedData(True)
            mspdi_writer.setGenerateMissingTimephasedData(False)
            mspdi_writer.write(project_file, str(file_path))
        else:
            j.UniversalProjectWriter(getattr(j.FileFormat, FORMATS[format][0])).write(
                project_file, str(file_path)
            )
    except j.JException as error:
        raise InterchangeError(
            f"{file_path.name}: MPXJ could not write {FORMATS[format][2]}: {_java_message(error)}"
        ) from error
    return tuple(writer.warnings)


class _Writer:
    """Builds an MPXJ ProjectFile from an InterchangeProject."""

    def __init__(self, project: InterchangeProject, *, primavera: bool = False, code: str = "") -> None:
        """Keep the project and the unit sizes used to turn minutes into display units."""
        self.j = java()
        self.project = project
        self.primavera = primavera
        self.code = code
        self.warnings: list[str] = []
        self.timelines: dict[int, Timeline] | None = None
        self.per_unit = {
            TimeUnit.MINUTES: 1,
            TimeUnit.HOURS: 60,
            TimeUnit.DAYS: project.minutes_per_day,
            TimeUnit.WEEKS: project.minutes_per_week,
            TimeUnit.MONTHS: project.minutes_per_day * project.days_per_month,
            TimeUnit.YEARS: project.minutes_per_day * project.days_per_month * 12,
        }
        self.per_elapsed_unit = {
            TimeUnit.MINUTES: 1,
            TimeUnit.HOURS: 60,
            TimeUnit.DAYS: 1440,
            TimeUnit.WEEKS: 10080,
            TimeUnit.MONTHS: 43200,
        }

    # -- conversions --

    def ldt(self, value: datetime | None) -> Any:
        """A datetime as java.time.LocalDateTime (null for None)."""
        if value is None:
            return None
        return self.j.LocalDateTime.of(
            value.year, value.month, value.day, value.hour, value.minute, value.second
        )

    def ld(self, value: date) -> Any:
        """A date as java.time.LocalDate."""
        return self.j.LocalDate.of(value.year, value.month, value.day)

    def time(self, minutes: int) -> Any:
        """Minutes from midnight as java.time.LocalTime (24:00 is written as 00:00, MPXJ's end of day)."""
        minutes %= 1440
        return self.j.LocalTime.of(minutes // 60, minutes % 60)

    def duration(self, minutes: int, unit: TimeUnit = TimeUnit.DAYS, elapsed: bool = False) -> Any:
        """Minutes as an MPXJ Duration in the given display unit."""
        if unit is TimeUnit.PERCENT:
            mpxj_unit = "ELAPSED_PERCENT" if elapsed else "PERCENT"
            return self.j.Duration.getInstance(float(minutes), getattr(self.j.TimeUnit, mpxj_unit))
        sizes = self.per_elapsed_unit if elapsed else self.per_unit
        if unit not in sizes:
            unit = TimeUnit.DAYS
        mpxj_unit = _KEEL_UNITS[(unit, elapsed)]
        return self.j.Duration.getInstance(minutes / sizes[unit], getattr(self.j.TimeUnit, mpxj_unit))

    def hours(self, minutes: int | None) -> Any:
        """Work minutes as an MPXJ Duration in hours."""
        return None if minutes is None else self.j.Duration.getInstance(minutes / 60, self.j.TimeUnit.HOURS)

    def number(self, value: Decimal | int | None) -> Any:
        """A Decimal as java.lang.Double (null for None)."""
        return None if value is None else self.j.Double(float(value))

    # -- the whole file --

    def build(self) -> Any:
        """The ProjectFile with properties, calendars, tasks, links, resources, assignments, baselines."""
        project = self.project
        file = self.j.ProjectFile()
        props = file.getProjectProperties()
        props.setProjectTitle(project.name)
        props.setName(project.name)
        props.setProjectID(
            self.code or re.sub(r"[^A-Za-z0-9_-]+", "-", project.name).strip("-")[:40] or "PROJECT"
        )
        props.setStartDate(self.ldt(project.start))
        props.setPlannedStart(self.ldt(project.start))
        if project.finish is not None:
            props.setFinishDate(self.ldt(project.finish))
        status_date = project.status_date
        if status_date is None and self.primavera:
            status_date = self.data_date()
        if status_date is not None:
            props.setStatusDate(self.ldt(status_date))
        props.setMinutesPerDay(self.j.Integer(project.minutes_per_day))
        props.setMinutesPerWeek(self.j.Integer(project.minutes_per_week))
        props.setDaysPerMonth(self.j.Integer(project.days_per_month))
        props.setMinutesPerMonth(self.j.Integer(project.minutes_per_day * project.days_per_month))
        props.setMinutesPerYear(self.j.Integer(project.minutes_per_day * project.days_per_month * 12))
        props.setHonorConstraints(project.honor_constraints)
        if project.currency:
            props.setCurrencyCode(project.currency)
        calendars = self.calendars(file)
        default = calendars[project.default_calendar_uid]
        file.setDefaultCalendar(default)
        tasks = self.tasks(file, calendars)
        self.links(tasks)
        if self.primavera:
            self.primavera_warnings()
        resources = self.resources(file, calendars)
        self.assignments(tasks, resources)
        if not self.primavera:
            self.split_work(tasks)
        self.baselines(tasks, props)
        return file

    # -- calendars --

    def calendars(self, file: Any) -> dict[int, Any]:
        """Base calendars first, then the calendars derived from them."""
        pending = list(self.project.calendars)
        created: dict[int, Any] = {}
        while pending:
            ready = [c for c in pending if c.base_uid is None or c.base_uid in created]
            if not ready:
                raise InterchangeError(f"calendar {pending[0].name!r}: base calendars loop back to it")
            for calendar in ready:
                created[calendar.uid] = self.calendar(file, calendar, created.get(calendar.base_uid or -1))
                pending.remove(calendar)
        return created

    def calendar(self, file: Any, calendar: Calendar, base: Any) -> Any:
        """One calendar: week, exceptions and work weeks."""
        j = self.j
        result = file.addCalendar()
        result.setUniqueID(j.Integer(calendar.uid))
        result.setName(calendar.name)
        if base is not None:
            result.setParent(base)
        result.setType(
            j.CalendarType.RESOURCE if calendar.kind is CalendarKind.RESOURCE else j.CalendarType.GLOBAL
        )
        for weekday, intervals in enumerate(calendar.week):
            self.day(result, j.days[weekday], intervals)
        for exception in calendar.exceptions:
            self.exception(result, exception)
        for work_week in calendar.work_weeks:
            week = result.addWorkWeek()
            week.setName(work_week.name)
            week.setDateRange(j.LocalDateRange(self.ld(work_week.start), self.ld(work_week.end)))
            for weekday, intervals in enumerate(work_week.days):
                self.day(week, j.days[weekday], intervals)
        return result

    def day(self, target: Any, day: Any, intervals: Intervals | None) -> None:
        """Set one weekday of a calendar or work week: inherited (None), working hours or non-working."""
        j = self.j
        if intervals is None:
            target.setCalendarDayType(day, j.DayType.DEFAULT)
        elif intervals:
            target.setCalendarDayType(day, j.DayType.WORKING)
            hours = target.addCalendarHours(day)
            for start, end in intervals:
                hours.add(j.LocalTimeRange(self.time(start), self.time(end)))
        else:
            target.setCalendarDayType(day, j.DayType.NON_WORKING)

    def exception(self, calendar: Any, exception: CalendarException) -> None:
        """One exception: a date range, or a recurrence MPXJ can express (else its dates, expanded)."""
        j = self.j
        ranges: list[tuple[date, date]] = []
        created = []
        if exception.recurrence is None:
            end = exception.end or exception.start
            if exception.end is None and exception.occurrences:
                end = exception.start + timedelta(days=exception.occurrences - 1)
            ranges.append((exception.start, end))
        else:
            data = self.recurring_data(exception)
            if data is not None:
                created.append(calendar.addCalendarException(data))
            else:
                until = exception.end or exception.start + timedelta(days=20 * 366)
                ranges.extend((day, day) for day in exception.dates(until))
        for first, last in ranges:
            created.append(calendar.addCalendarException(self.ld(first), self.ld(last)))
        for item in created:
            if exception.name:
                item.setName(exception.name)
            for start, end in exception.working:
                item.add(j.LocalTimeRange(self.time(start), self.time(end)))

    def recurring_data(self, exception: CalendarException) -> Any:
        """MPXJ RecurringData for an engine recurrence, or None when MPXJ cannot express it."""
        j = self.j
        recurrence = exception.recurrence
        assert recurrence is not None
        data = j.RecurringData()
        kind = recurrence.kind
        if kind in (RecurrenceKind.MONTHLY_BY_POSITION, RecurrenceKind.YEARLY_BY_POSITION) and (
            recurrence.selector > DaySelector.SUNDAY
        ):
            return None  # "the second weekday", "the last weekend day": MPXJ has only named weekdays
        if kind is RecurrenceKind.WEEKLY and recurrence.week_start != 6:
            return None  # MPXJ counts weekly periods in Sunday-first weeks, as MS Project does
        if exception.end is None and exception.occurrences is None:
            return None
        data.setStartDate(self.ld(exception.start))
        if exception.occurrences is not None:
            data.setOccurrences(j.Integer(exception.occurrences))
            data.setUseEndDate(False)
        else:
            data.setFinishDate(self.ld(exception.end))
            data.setUseEndDate(True)
        if kind is RecurrenceKind.DAILY:
            data.setRecurrenceType(j.RecurrenceType.DAILY)
            data.setFrequency(j.Integer(recurrence.period))
        elif kind is RecurrenceKind.WEEKLY:
            data.setRecurrenceType(j.RecurrenceType.WEEKLY)
            data.setFrequency(j.Integer(recurrence.period))
            for weekday in recurrence.weekdays:
                data.setWeeklyDay(j.days[weekday], True)
        elif kind in (RecurrenceKind.MONTHLY_BY_DAY, RecurrenceKind.MONTHLY_BY_POSITION):
            data.setRecurrenceType(j.RecurrenceType.MONTHLY)
            data.setFrequency(j.Integer(recurrence.period))
        else:
            data.setRecurrenceType(j.RecurrenceType.YEARLY)
            data.setMonthNumber(j.Integer(recurrence.month))
        if kind in (RecurrenceKind.MONTHLY_BY_DAY, RecurrenceKind.YEARLY_BY_DAY):
            data.setRelative(False)
            data.setDayNumber(j.Integer(recurrence.day))
        elif kind in (RecurrenceKind.MONTHLY_BY_POSITION, RecurrenceKind.YEARLY_BY_POSITION):
            data.setRelative(True)
            data.setDayNumber(j.Integer(5 if recurrence.position == LAST else recurrence.position))
            data.setDayOfWeek(j.days[int(recurrence.selector)])
        return data

    # -- tasks and links --

    def tasks(self, file: Any, calendars: dict[int, Any]) -> dict[int, Any]:
        """Tasks in WBS order (each under its parent), with plan, progress and stored schedule."""
        children: dict[int | None, list[Task]] = {}
        for task in self.project.tasks:
            children.setdefault(task.parent_uid, []).append(task)
        created: dict[int, Any] = {}
        next_id = 1
        stack: list[tuple[Any, Task]] = [(file, task) for task in reversed(children.get(None, []))]
        while stack:
            container, task = stack.pop()
            java_task = container.addTask()
            self.task(java_task, task, calendars, next_id)
            next_id += 1
            created[task.uid] = java_task
            stack.extend((java_task, child) for child in reversed(children.get(task.uid, [])))
        return created

    def task(self, target: Any, task: Task, calendars: dict[int, Any], next_id: int) -> None:
        """Set one task's fields."""
        j = self.j
        target.setUniqueID(j.Integer(task.uid))
        target.setID(j.Integer(task.id if task.id is not None else next_id))
        target.setName(task.name)
        if task.wbs:
            target.setWBS(task.wbs)
        if task.outline_number:
            target.setOutlineNumber(task.outline_number)
        if task.notes:
            target.setNotes(task.notes)
        target.setTaskMode(j.TaskMode.MANUALLY_SCHEDULED if task.manual else j.TaskMode.AUTO_SCHEDULED)
        target.setSummary(task.summary)
        target.setMilestone(task.milestone)
        target.setDuration(self.duration(task.duration, task.duration_unit, task.elapsed))
        # Primavera reads an activity's progress from its remaining duration (duration % complete).
        remaining = round(task.duration * (100 - task.percent_complete) / 100)
        target.setRemainingDuration(self.duration(remaining, task.duration_unit, task.elapsed))
        target.setActualDuration(self.duration(task.duration - remaining, task.duration_unit, task.elapsed))
        if not task.summary:
            # Primavera tells activities from WBS nodes by their type.
            target.setActivityType(
                self.j.ActivityType.FINISH_MILESTONE if task.milestone else self.j.ActivityType.TASK_DEPENDENT
            )
        target.setWork(self.hours(task.work))
        target.setPlannedWork(self.hours(task.work))
        target.setCost(self.number(task.cost))
        target.setPercentageComplete(j.Double(float(task.percent_complete)))
        actual_start, actual_finish = task.actual_start, task.actual_finish
        if self.primavera and not task.summary:
            # Primavera derives progress from actual dates: a task with progress has started (and a
            # finished one has finished) on its current dates when the file gave no actual dates.
            if task.percent_complete > 0 and actual_start is None:
                actual_start = task.start
            if task.percent_complete == 100 and actual_finish is None:
                actual_finish = task.finish
        target.setActualStart(self.ldt(actual_start))
        target.setActualFinish(self.ldt(actual_finish))
        target.setConstraintType(getattr(j.ConstraintType, _MPXJ_CONSTRAINTS[task.constraint]))
        if task.constraint in DATED_CONSTRAINTS:
            target.setConstraintDate(self.ldt(task.constraint_date))
        target.setDeadline(self.ldt(task.deadline))
        if task.calendar_uid is not None:
            target.setCalendar(calendars[task.calendar_uid])
        target.setStart(self.ldt(task.start))
        target.setFinish(self.ldt(task.finish))
        target.setEarlyStart(self.ldt(task.early_start))
        target.setEarlyFinish(self.ldt(task.early_finish))
        target.setLateStart(self.ldt(task.late_start))
        target.setLateFinish(self.ldt(task.late_finish))
        # Primavera keeps an activity's current dates as planned and remaining early dates.
        target.setPlannedStart(self.ldt(task.start))
        target.setPlannedFinish(self.ldt(task.finish))
        if task.actual_finish is None and task.percent_complete < 100:
            target.setRemainingEarlyStart(self.ldt(self.resume(task)))
            target.setRemainingEarlyFinish(self.ldt(task.early_finish or task.finish))
        elapsed_floats = task.elapsed
        if task.total_float is not None:
            target.setTotalSlack(self.duration(task.total_float, TimeUnit.MINUTES, elapsed_floats))
        if task.free_float is not None:
            target.setFreeSlack(self.duration(task.free_float, TimeUnit.MINUTES, elapsed_floats))
        if task.critical is not None:
            target.setCritical(task.critical)
        if task.leveling_delay and not task.summary:
            target.setLevelingDelay(self.duration(task.leveling_delay, TimeUnit.DAYS))
        if task.splits and not task.summary and (self.primavera or task.elapsed):
            reason = "Primavera has no split activities" if self.primavera else "its duration is elapsed"
            self.warnings.append(
                f"task {task.name!r} (UID {task.uid}) is split into {len(task.splits) + 1} parts; {reason}, "
                "so the file holds its work as one stretch from its start"
            )

    def timeline(self, task: Task) -> Timeline:
        """The working time of a task's calendar (the project's when it has none)."""
        if self.timelines is None:
            calendars = engine_calendars(self.project)
            self.timelines = {
                uid: Timeline(calendar, self.project.start) for uid, calendar in calendars.items()
            }
        return self.timelines[task.calendar_uid or self.project.default_calendar_uid]

    def split_work(self, tasks: dict[int, Any]) -> None:
        """A split task's stretches of work as timephased work of its first assignment.

        MS Project keeps a task's splits only in its assignments' timephased work; a task without a
        resource gets an assignment without one, as MS Project writes it. The stretches are laid out in
        working time from the task's start; for a task in progress, the done stretches from its start
        and the remaining ones back from its finish, so a resumption after the status date is kept.
        """
        for task in self.project.tasks:
            if not task.splits or task.summary or task.elapsed:
                continue
            start = task.early_start or task.start
            finish = task.early_finish or task.finish
            if start is None:
                continue
            java_task = tasks[task.uid]
            assignments = list(java_task.getResourceAssignments())
            assignment = assignments[0] if assignments else java_task.addResourceAssignment(None)
            timeline = self.timeline(task)
            done = (2 * task.duration * task.percent_complete + 100) // 200
            if task.percent_complete == 100 or task.actual_finish is not None:
                done = task.duration
            first = timeline.to_work(start)
            layout, layout_remaining = stretch_layout(
                duration=task.duration,
                splits=task.splits,
                done=done,
                start=first,
                finish=first + task.duration + sum(pause for _, pause in task.splits)
                if finish is None
                else timeline.to_work(finish),
            )
            assignment.getRawTimephasedActualRegularWork().addAll(self.timephased(timeline, layout))
            assignment.getRawTimephasedRemainingRegularWork().addAll(
                self.timephased(timeline, layout_remaining)
            )

    def timephased(self, timeline: Timeline, stretches: list[tuple[int, int]]) -> Any:
        """Stretches of working minutes as a Java list of TimephasedWork (one full-time resource)."""
        j = self.j
        result = j.ArrayList()
        for begin, end in stretches:
            work = j.TimephasedWork()
            work.setStart(self.ldt(timeline.start_at(begin)))
            work.setFinish(self.ldt(timeline.finish_at(end)))
            work.setTotalAmount(j.Duration.getInstance(float(end - begin), j.TimeUnit.MINUTES))
            work.setAmountPerHour(j.Duration.getInstance(60.0, j.TimeUnit.MINUTES))
            result.add(work)
        return result

    def data_date(self) -> datetime | None:
        """A data date for a Primavera file of a project with progress but no status date.

        Primavera needs one to tell done work from remaining work; the latest point up to which the
        file records progress serves (the latest actual finish or resumption of remaining work).
        """
        points = []
        for task in self.project.tasks:
            if task.summary or task.percent_complete == 0:
                continue
            if task.percent_complete == 100:
                points.append(task.actual_finish or task.finish)
            else:
                points.append(self.resume(task))
        points = [point for point in points if point is not None]
        if not points:
            return None
        self.warnings.append(
            f"the project has progress but no status date; {max(points).isoformat(sep=' ')} was written as "
            "Primavera's data date"
        )
        return max(points)

    def resume(self, task: Task) -> datetime | None:
        """When a task's remaining work starts: its start, after the done share of an in-progress task."""
        start = task.early_start or task.start
        if start is None or not 0 < task.percent_complete < 100 or task.summary:
            return start
        done = round(task.duration * task.percent_complete / 100)
        if task.elapsed:
            return start + timedelta(minutes=done)
        timeline = self.timeline(task)
        return timeline.start_at(timeline.to_work(start) + done)

    def links(self, tasks: dict[int, Any]) -> None:
        """Each link as a predecessor relation of its successor (percentage lags in time for Primavera)."""
        j = self.j
        durations = {t.uid: t.duration for t in self.project.tasks}
        summaries = {t.uid for t in self.project.tasks if t.summary}
        for link in self.project.links:
            lag, unit, elapsed = link.lag, link.lag_unit, link.lag_elapsed
            if self.primavera and {link.predecessor_uid, link.successor_uid} & summaries:
                self.warnings.append(
                    f"link {link.predecessor_uid} → {link.successor_uid}: Primavera has no links to or from "
                    "WBS nodes (summary tasks); it was not written"
                )
                continue
            if self.primavera and unit is TimeUnit.PERCENT:
                lag, unit, elapsed = round(durations[link.predecessor_uid] * lag / 100), TimeUnit.DAYS, False
                self.warnings.append(
                    f"link {link.predecessor_uid} → {link.successor_uid}: Primavera has no percentage lags; "
                    f"the {link.lag}% lag was written as {lag} working minutes"
                )
            builder = (
                j.RelationBuilder()
                .predecessorTask(tasks[link.predecessor_uid])
                .type(getattr(j.RelationType, _MPXJ_LINK_TYPES[link.type]))
                .lag(self.duration(lag, unit, elapsed))
            )
            tasks[link.successor_uid].addPredecessor(builder)

    def primavera_warnings(self) -> None:
        """What a Primavera file cannot hold: elapsed durations, manual scheduling."""
        elapsed = [t for t in self.project.tasks if t.elapsed]
        manual = [t for t in self.project.tasks if t.manual and not t.summary]
        if elapsed:
            self.warnings.append(
                f"{len(elapsed)} task(s) have elapsed durations, which Primavera does not have; "
                "they were written as durations on the task calendar"
            )
        if manual:
            self.warnings.append(
                f"{len(manual)} task(s) are manually scheduled, which Primavera does not have; "
                "they were written as automatically scheduled activities"
            )

    # -- resources, assignments, baselines --

    def resources(self, file: Any, calendars: dict[int, Any]) -> dict[int, Any]:
        """Resources with their calendar, availability and rates."""
        j = self.j
        created = {}
        for resource in self.project.resources:
            target = file.addResource()
            target.setUniqueID(j.Integer(resource.uid))
            target.setName(resource.name)
            target.setType(getattr(j.ResourceType, resource.type.name))
            if resource.email:
                target.setEmailAddress(resource.email)
            if resource.group:
                target.setGroup(resource.group)
            if resource.initials:
                target.setInitials(resource.initials)
            if resource.code:
                target.setCode(resource.code)
                target.setResourceID(resource.code)
            if resource.calendar_uid is not None:
                target.setCalendar(calendars[resource.calendar_uid])
            if resource.max_units is not None and resource.type is ResourceType.WORK:
                target.getAvailability().add(
                    j.Availability(
                        j.DateHelper.START_DATE_NA, j.DateHelper.END_DATE_NA, self.number(resource.max_units)
                    )
                )
            rates = j.JArray(j.Rate)(
                [
                    j.Rate(float(resource.standard_rate), self.rate_unit(resource.standard_rate_unit)),
                    j.Rate(float(resource.overtime_rate), self.rate_unit(resource.overtime_rate_unit)),
                ]
            )
            table = j.CostRateTable()
            table.add(
                j.CostRateTableEntry(
                    j.DateHelper.START_DATE_NA,
                    j.DateHelper.END_DATE_NA,
                    self.number(resource.cost_per_use),
                    rates,
                )
            )
            target.setCostRateTable(0, table)
            created[resource.uid] = target
        return created

    def rate_unit(self, unit: TimeUnit) -> Any:
        """The MPXJ time unit a rate is per."""
        return getattr(self.j.TimeUnit, _KEEL_UNITS.get((unit, False), "HOURS"))

    def assignments(self, tasks: dict[int, Any], resources: dict[int, Any]) -> None:
        """Assignments with units, work and cost."""
        for assignment in self.project.assignments:
            target = tasks[assignment.task_uid].addResourceAssignment(resources[assignment.resource_uid])
            if assignment.uid is not None:
                target.setUniqueID(self.j.Integer(assignment.uid))
            target.setUnits(self.number(assignment.units))
            target.setWork(self.hours(assignment.work))
            target.setActualWork(self.hours(assignment.actual_work))
            target.setRemainingWork(self.hours(max(0, assignment.work - assignment.actual_work)))
            target.setPlannedWork(self.hours(assignment.work))
            target.setCost(self.number(assignment.cost))
            target.setPlannedCost(self.number(assignment.cost))
            target.setActualCost(self.number(assignment.actual_cost))
            target.setRemainingCost(self.number(max(Decimal(0), assignment.cost - assignment.actual_cost)))
            if assignment.start is not None:
                target.setStart(self.ldt(assignment.start))
            if assignment.finish is not None:
                target.setFinish(self.ldt(assignment.finish))

    def baselines(self, tasks: dict[int, Any], props: Any) -> None:
        """Baseline values per task and the dates baselines were saved."""
        for baseline in self.project.baselines:
            target = tasks[baseline.task_uid]
            args: tuple[int, ...] = () if baseline.number == 0 else (baseline.number,)
            if baseline.start is not None:
                target.setBaselineStart(*args, self.ldt(baseline.start))
            if baseline.finish is not None:
                target.setBaselineFinish(*args, self.ldt(baseline.finish))
            if baseline.duration is not None:
                target.setBaselineDuration(*args, self.duration(baseline.duration))
            if baseline.work is not None:
                target.setBaselineWork(*args, self.hours(baseline.work))
            if baseline.cost is not None:
                target.setBaselineCost(*args, self.number(baseline.cost))
        for number, saved in self.project.baseline_dates:
            if number == 0:
                props.setBaselineDate(self.ldt(saved))
            else:
                props.setBaselineDate(number, self.ldt(saved))
