"""Working calendars and their integer working-minute timelines.

Units and conventions
---------------------
* Time of day is an integer number of minutes from midnight, 0..1440; a working interval is a
  half-open pair ``(start, end)`` with ``0 <= start < end <= 1440`` (``1440`` is midnight at the
  end of the day, so a night shift is ``(1380, 1440)`` on one day and ``(0, 180)`` on the next).
* Weekdays are Python's: Monday = 0 … Sunday = 6. Months are 1..12.
* Datetimes are *naive local wall-clock time* of the calendar, at minute resolution (seconds are
  dropped). Aware datetimes are refused: convert them to the calendar's zone first. Daylight-saving
  shifts are not modelled: a working day is its wall-clock intervals.
* A :class:`Timeline` maps a :class:`Calendar` onto an integer axis of *working minutes* counted from
  the timeline's origin (midnight of its origin date = working minute 0; earlier times are
  negative). Consecutive working intervals that touch (``17:00``/``17:00``, or ``24:00``/``00:00``
  across midnight) are merged into one working period, so a 24×7 calendar is a single period.
* Boundary convention (as MS Project): an instant at the end of a working period and the start of
  the next one are the same working minute. Converting a working minute back to a datetime needs
  a side: a *start* lands at the beginning of the next working period (``08:00`` next day), a
  *finish* at the end of the previous one (``17:00``).
* Elapsed time (calendar time, 24×7) is plain minutes; :func:`continuous_calendar` gives a calendar
  on which working minutes are elapsed minutes.

Precedence for one day: a dated exception (the later one in ``exceptions`` wins when two cover the
same day) > a holiday > a work week covering the day > the default week.
"""

from __future__ import annotations

import calendar as _stdcal
import functools
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum, IntEnum

MINUTES_PER_DAY = 1440

Interval = tuple[int, int]
"""A working interval: minutes from midnight, half-open ``[start, end)``."""

Intervals = tuple[Interval, ...]
"""The working intervals of one day, sorted and not overlapping; empty = non-working day."""

STANDARD_DAY: Intervals = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))
"""08:00–12:00 and 13:00–17:00 (eight hours), MS Project's standard working day."""

_MAX_IDLE_DAYS = 20 * 366
"""A timeline that finds no working time in this many consecutive days stops: the calendar has none."""


class CalendarError(ValueError):
    """A calendar definition or a conversion on it is invalid (named calendar, field and reason)."""


def check_intervals(intervals: Intervals, where: str) -> Intervals:
    """Return ``intervals`` if they are sorted, non-overlapping and within 0..1440, else raise."""
    previous_end = -1
    for interval in intervals:
        if len(interval) != 2:
            raise CalendarError(f"{where}: a working interval needs a start and an end, got {interval!r}")
        start, end = interval
        if not (isinstance(start, int) and isinstance(end, int)):
            raise CalendarError(f"{where}: interval bounds must be integer minutes, got {interval!r}")
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise CalendarError(
                f"{where}: interval {interval!r} must satisfy 0 <= start < end <= {MINUTES_PER_DAY}"
            )
        if start < previous_end:
            raise CalendarError(f"{where}: intervals overlap or are not sorted at {interval!r}")
        previous_end = end
    return tuple(intervals)


class RecurrenceKind(Enum):
    """How a recurring exception repeats (MS Project's recurrence patterns)."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY_BY_DAY = "monthly_by_day"
    MONTHLY_BY_POSITION = "monthly_by_position"
    YEARLY_BY_DAY = "yearly_by_day"
    YEARLY_BY_POSITION = "yearly_by_position"


class DaySelector(IntEnum):
    """Which day a positional recurrence picks: a weekday (Monday = 0), or any day/weekday/weekend day."""

    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6
    DAY = 7
    WEEKDAY = 8
    WEEKEND_DAY = 9

    def matches(self, day: date) -> bool:
        """Return whether ``day`` is of this kind."""
        weekday = day.weekday()
        if self is DaySelector.DAY:
            return True
        if self is DaySelector.WEEKDAY:
            return weekday < 5
        if self is DaySelector.WEEKEND_DAY:
            return weekday >= 5
        return weekday == int(self)


LAST = -1
"""Position value meaning "the last one in the month" (first..fourth are 1..4)."""


@dataclass(frozen=True)
class Recurrence:
    """A repetition pattern for an exception, with MS Project's semantics.

    ``period`` is "every n days/weeks/months" (ignored for yearly patterns). ``weekdays`` are the
    days of a weekly pattern; weeks are counted in blocks that begin on ``week_start`` (MS Project's
    default is Sunday). ``day`` is the day of the month for the *_BY_DAY kinds, ``month`` (1..12)
    the month of the yearly kinds, ``position`` (1..4 or :data:`LAST`) and ``selector`` pick the day
    for the *_BY_POSITION kinds ("the second Tuesday", "the last weekday").
    """

    kind: RecurrenceKind
    period: int = 1
    weekdays: frozenset[int] = frozenset()
    day: int = 1
    month: int = 1
    position: int = 1
    selector: DaySelector = DaySelector.MONDAY
    week_start: int = 6

    def __post_init__(self) -> None:
        """Refuse patterns that can never produce a date."""
        if self.period < 1:
            raise CalendarError(f"recurrence period must be at least 1, got {self.period}")
        if self.kind is RecurrenceKind.WEEKLY and not self.weekdays:
            raise CalendarError("a weekly recurrence needs at least one weekday")
        if any(not 0 <= d <= 6 for d in self.weekdays):
            raise CalendarError(
                f"recurrence weekdays must be 0 (Monday)..6 (Sunday), got {sorted(self.weekdays)}"
            )
        if not 1 <= self.day <= 31:
            raise CalendarError(f"recurrence day of month must be 1..31, got {self.day}")
        if not 1 <= self.month <= 12:
            raise CalendarError(f"recurrence month must be 1..12, got {self.month}")
        if self.position not in (1, 2, 3, 4, LAST):
            raise CalendarError(f"recurrence position must be 1..4 or LAST (-1), got {self.position}")
        if not 0 <= self.week_start <= 6:
            raise CalendarError(f"recurrence week_start must be 0..6, got {self.week_start}")

    def candidates(self, first: date) -> Iterator[date]:
        """Yield the pattern's dates from ``first`` on, in order, without end."""
        kind = self.kind
        if kind is RecurrenceKind.DAILY:
            day = first
            step = timedelta(days=self.period)
            while True:
                yield day
                day += step
        elif kind is RecurrenceKind.WEEKLY:
            block = first - timedelta(days=(first.weekday() - self.week_start) % 7)
            offsets = sorted((d - self.week_start) % 7 for d in self.weekdays)
            step = timedelta(days=7 * self.period)
            while True:
                for offset in offsets:
                    day = block + timedelta(days=offset)
                    if day >= first:
                        yield day
                block += step
        elif kind in (RecurrenceKind.MONTHLY_BY_DAY, RecurrenceKind.MONTHLY_BY_POSITION):
            year, month = first.year, first.month
            while True:
                day_or_none = self._in_month(year, month)
                if day_or_none is not None and day_or_none >= first:
                    yield day_or_none
                year, month = _add_months(year, month, self.period)
        else:
            year = first.year
            while True:
                day_or_none = self._in_month(year, self.month)
                if day_or_none is not None and day_or_none >= first:
                    yield day_or_none
                year += 1

    def _in_month(self, year: int, month: int) -> date | None:
        """The pattern's date in one month (a day-of-month past the month's end is its last day)."""
        length = _stdcal.monthrange(year, month)[1]
        if self.kind in (RecurrenceKind.MONTHLY_BY_DAY, RecurrenceKind.YEARLY_BY_DAY):
            return date(year, month, min(self.day, length))
        matching = [d for d in range(1, length + 1) if self.selector.matches(date(year, month, d))]
        if not matching:
            return None
        if self.position == LAST:
            return date(year, month, matching[-1])
        if self.position > len(matching):
            return None
        return date(year, month, matching[self.position - 1])


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    """Move a (year, month) pair by a number of months."""
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class CalendarException:
    """Dates whose working time differs from the week: non-working (no intervals) or own intervals.

    Without ``recurrence`` it covers every day from ``start`` to ``end`` (inclusive; a single day
    when ``end`` is None). With a recurrence it covers the pattern's dates from ``start`` up to
    ``end`` and/or the first ``occurrences`` dates; a recurrence with neither repeats forever.
    """

    start: date
    end: date | None = None
    working: Intervals = ()
    recurrence: Recurrence | None = None
    occurrences: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        """Validate the range, the occurrence count and the working intervals."""
        label = f"exception {self.name or self.start.isoformat()!r}"
        check_intervals(self.working, label)
        if self.end is not None and self.end < self.start:
            raise CalendarError(f"{label}: end {self.end} is before start {self.start}")
        if self.occurrences is not None and self.occurrences < 1:
            raise CalendarError(f"{label}: occurrences must be at least 1, got {self.occurrences}")

    def dates(self, until: date) -> Iterator[date]:
        """Yield the covered dates in order, up to and including ``until``."""
        last = until if self.end is None else min(self.end, until)
        if self.recurrence is None:
            if self.end is None and self.occurrences is None:
                last = min(self.start, until)
            day = self.start
            count = 0
            while day <= last and (self.occurrences is None or count < self.occurrences):
                yield day
                day += timedelta(days=1)
                count += 1
            return
        for count, day in enumerate(self.recurrence.candidates(self.start)):
            if day > last or (self.occurrences is not None and count >= self.occurrences):
                return
            yield day


@dataclass(frozen=True)
class WorkWeek:
    """An alternate week pattern used from ``start`` to ``end`` inclusive (e.g. summer hours)."""

    start: date
    end: date
    days: tuple[Intervals, ...]
    name: str = ""

    def __post_init__(self) -> None:
        """A work week has seven valid days and a non-empty range."""
        if len(self.days) != 7:
            raise CalendarError(
                f"work week {self.name!r}: needs 7 days (Monday..Sunday), got {len(self.days)}"
            )
        for weekday, intervals in enumerate(self.days):
            check_intervals(intervals, f"work week {self.name!r} day {weekday}")
        if self.end < self.start:
            raise CalendarError(f"work week {self.name!r}: end {self.end} is before start {self.start}")


@dataclass(frozen=True)
class Calendar:
    """A working calendar: a default week, alternate work weeks, holidays and dated exceptions."""

    id: str
    week: tuple[Intervals, ...] = (STANDARD_DAY,) * 5 + ((), ())
    exceptions: tuple[CalendarException, ...] = ()
    holidays: frozenset[date] = frozenset()
    work_weeks: tuple[WorkWeek, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        """Validate the default week."""
        if len(self.week) != 7:
            raise CalendarError(
                f"calendar {self.id!r}: week needs 7 days (Monday..Sunday), got {len(self.week)}"
            )
        for weekday, intervals in enumerate(self.week):
            check_intervals(intervals, f"calendar {self.id!r} week day {weekday}")

    def minutes_per_week(self) -> int:
        """Working minutes in the default week."""
        return sum(end - start for day in self.week for start, end in day)

    def minutes_per_day(self) -> int:
        """Average working minutes of a working day of the default week (0 if none works)."""
        working_days = sum(1 for day in self.week if day)
        if not working_days:
            return 0
        return round(self.minutes_per_week() / working_days)

    def exception_days(self, until: date) -> dict[date, Intervals]:
        """Every day covered by an exception up to ``until``, with its intervals (later ones win)."""
        days: dict[date, Intervals] = {}
        for exception in self.exceptions:
            for covered in exception.dates(until):
                days[covered] = exception.working
        return days

    def intervals_on(self, day: date, exception_days: Mapping[date, Intervals] | None = None) -> Intervals:
        """The working intervals of one day, after exceptions, holidays and work weeks.

        Pass ``exception_days`` (from :meth:`exception_days`) when asking for many days.
        """
        if exception_days is None:
            exception_days = self.exception_days(day)
        if day in exception_days:
            return exception_days[day]
        if day in self.holidays:
            return ()
        for work_week in self.work_weeks:
            if work_week.start <= day <= work_week.end:
                return work_week.days[day.weekday()]
        return self.week[day.weekday()]


def standard_calendar(calendar_id: str = "standard", name: str = "Standard") -> Calendar:
    """Monday to Friday, 08:00–12:00 and 13:00–17:00."""
    return Calendar(id=calendar_id, name=name)


def continuous_calendar(calendar_id: str = "24x7", name: str = "24 hours") -> Calendar:
    """Every minute of every day is working time: working minutes are elapsed minutes."""
    return Calendar(id=calendar_id, name=name, week=(((0, MINUTES_PER_DAY),),) * 7)


def absolute_minute(when: datetime) -> int:
    """Minutes since 0001-01-01 00:00 of a naive datetime (seconds dropped)."""
    if when.tzinfo is not None:
        raise CalendarError(f"datetime {when.isoformat()} is timezone-aware; pass local wall-clock time")
    return when.toordinal() * MINUTES_PER_DAY + when.hour * 60 + when.minute


@functools.lru_cache(maxsize=1 << 16)
def from_absolute_minute(minute: int) -> datetime:
    """The naive datetime of an absolute minute (inverse of :func:`absolute_minute`; cached)."""
    day, minute_of_day = divmod(minute, MINUTES_PER_DAY)
    return datetime.combine(date.fromordinal(day), time(minute_of_day // 60, minute_of_day % 60))


def add_elapsed(when: datetime, minutes: int) -> datetime:
    """Add elapsed (24×7 calendar) minutes to a datetime."""
    return from_absolute_minute(absolute_minute(when) + minutes)


class Timeline:
    """A calendar mapped once onto an integer working-minute axis, for fast conversions.

    Working periods (merged intervals) are held as sorted lists of absolute start/end minutes with
    the working minute at each period start; every conversion is a bisect, never a per-minute loop.
    The mapping grows on demand in chunks, in both directions, so any date can be asked for.
    """

    __slots__ = (
        "calendar",
        "origin",
        "_chunk",
        "_lo",
        "_hi",
        "_starts",
        "_ends",
        "_cum",
        "_exceptions",
        "_until",
        "_idle_forward",
        "_idle_backward",
    )

    def __init__(self, calendar: Calendar, origin: date | datetime, chunk_days: int = 366) -> None:
        """Map ``calendar`` with working minute 0 at midnight of ``origin``."""
        self.calendar = calendar
        origin_day = origin.date() if isinstance(origin, datetime) else origin
        self.origin = origin_day
        self._chunk = max(7, chunk_days)
        self._lo = origin_day.toordinal()
        self._hi = self._lo
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._cum: list[int] = []
        self._exceptions: dict[date, Intervals] = {}
        self._until = date.min
        self._idle_forward = 0
        self._idle_backward = 0
        self._extend_forward()

    # --- growth ---------------------------------------------------------------------------------

    def _periods(self, first_day: int, end_day: int) -> list[Interval]:
        """Merged working periods (absolute minutes) of the days ``[first_day, end_day)``."""
        last = date.fromordinal(end_day - 1)
        if last > self._until:
            # Expand exceptions a few years ahead at a time: recurrences are counted from their start.
            self._until = max(last, date.fromordinal(min(end_day + 5 * 366, date.max.toordinal())))
            self._exceptions = self.calendar.exception_days(self._until)
        periods: list[Interval] = []
        intervals_on = self.calendar.intervals_on
        exceptions = self._exceptions
        for ordinal in range(first_day, end_day):
            base = ordinal * MINUTES_PER_DAY
            for start, end in intervals_on(date.fromordinal(ordinal), exceptions):
                if periods and periods[-1][1] == base + start:
                    periods[-1] = (periods[-1][0], base + end)
                else:
                    periods.append((base + start, base + end))
        return periods

    def _idle(self, days: int) -> None:
        """Stop growing a timeline that has found no working time for too long."""
        if days > _MAX_IDLE_DAYS:
            raise CalendarError(
                f"calendar {self.calendar.id!r} has no working time within 20 years of "
                f"{self.origin.isoformat()}"
            )

    def _extend_forward(self) -> None:
        """Map the next chunk of days after the mapped range."""
        end_day = min(self._hi + self._chunk, date.max.toordinal())
        if end_day <= self._hi:
            raise CalendarError(f"calendar {self.calendar.id!r}: date beyond {date.max}")
        new = self._periods(self._hi, end_day)
        days = end_day - self._hi
        self._hi = end_day
        if not new:
            self._idle_forward += days
            self._idle(self._idle_forward)
            return
        self._idle_forward = 0
        starts, ends, cum = self._starts, self._ends, self._cum
        if ends and ends[-1] == new[0][0]:
            ends[-1] = new[0][1]
            new = new[1:]
        running = cum[-1] + ends[-1] - starts[-1] if starts else 0
        for start, end in new:
            starts.append(start)
            ends.append(end)
            cum.append(running)
            running += end - start

    def _extend_backward(self) -> None:
        """Map the chunk of days before the mapped range."""
        first_day = max(self._lo - self._chunk, 1)
        if first_day >= self._lo:
            raise CalendarError(f"calendar {self.calendar.id!r}: date before {date.min}")
        new = self._periods(first_day, self._lo)
        days = self._lo - first_day
        self._lo = first_day
        if not new:
            self._idle_backward += days
            self._idle(self._idle_backward)
            return
        self._idle_backward = 0
        anchor = self._cum[0] if self._starts else 0
        if self._starts and new[-1][1] == self._starts[0]:
            merged_start = new[-1][0]
            anchor -= self._starts[0] - merged_start
            self._starts[0] = merged_start
            self._cum[0] = anchor
            new = new[:-1]
        new_cum: list[int] = []
        running = anchor
        for start, end in reversed(new):
            running -= end - start
            new_cum.append(running)
        new_cum.reverse()
        self._starts = [start for start, _ in new] + self._starts
        self._ends = [end for _, end in new] + self._ends
        self._cum = new_cum + self._cum

    def _cover_minute(self, minute: int) -> None:
        """Make sure an absolute minute lies inside the mapped range."""
        while minute < self._lo * MINUTES_PER_DAY:
            self._extend_backward()
        while minute >= self._hi * MINUTES_PER_DAY:
            self._extend_forward()

    def _cover_work(self, work: int, as_finish: bool) -> None:
        """Make sure a working minute lies inside a mapped period (on the requested side)."""
        if as_finish:
            while not self._starts or self._cum[0] >= work:
                self._extend_backward()
            while self._cum[-1] + self._ends[-1] - self._starts[-1] < work:
                self._extend_forward()
        else:
            while not self._starts or self._cum[0] > work:
                self._extend_backward()
            while self._cum[-1] + self._ends[-1] - self._starts[-1] <= work:
                self._extend_forward()

    # --- integer conversions (absolute minutes <-> working minutes) -----------------------------

    def work_at_minute(self, minute: int) -> int:
        """Working minutes from the origin to an absolute minute (negative before the origin)."""
        self._cover_minute(minute)
        index = bisect_right(self._starts, minute) - 1
        if index < 0:
            return self._cum[0] if self._cum else 0
        return self._cum[index] + min(minute - self._starts[index], self._ends[index] - self._starts[index])

    def start_minute(self, work: int) -> int:
        """Absolute minute at which work starting at working minute ``work`` begins (next period)."""
        self._cover_work(work, as_finish=False)
        index = bisect_right(self._cum, work) - 1
        return self._starts[index] + work - self._cum[index]

    def finish_minute(self, work: int) -> int:
        """Absolute minute at which work ending at working minute ``work`` ends (previous period)."""
        self._cover_work(work, as_finish=True)
        index = bisect_left(self._cum, work) - 1
        return self._starts[index] + work - self._cum[index]

    # --- datetime API ---------------------------------------------------------------------------

    def to_work(self, when: datetime) -> int:
        """Working minute of a datetime: working minutes from the origin up to ``when``."""
        return self.work_at_minute(absolute_minute(when))

    def start_at(self, work: int) -> datetime:
        """Datetime of a start at working minute ``work`` (beginning of the next working period)."""
        return from_absolute_minute(self.start_minute(work))

    def finish_at(self, work: int) -> datetime:
        """Datetime of a finish at working minute ``work`` (end of the previous working period)."""
        return from_absolute_minute(self.finish_minute(work))

    def add(self, when: datetime, minutes: int) -> datetime:
        """Move by working minutes: forward lands on a finish (17:00), backward on a start (08:00)."""
        if minutes == 0:
            return when
        work = self.to_work(when) + minutes
        return self.finish_at(work) if minutes > 0 else self.start_at(work)

    def between(self, start: datetime, finish: datetime) -> int:
        """Working minutes from ``start`` to ``finish`` (negative if ``finish`` is earlier)."""
        return self.to_work(finish) - self.to_work(start)

    def is_working(self, when: datetime) -> bool:
        """Whether the minute starting at ``when`` is working time."""
        minute = absolute_minute(when)
        return self.work_at_minute(minute + 1) > self.work_at_minute(minute)

    def next_work_start(self, when: datetime) -> datetime:
        """``when`` if it is working time, else the start of the next working period."""
        return self.start_at(self.to_work(when))

    def previous_work_finish(self, when: datetime) -> datetime:
        """``when`` if the minute before it is working time, else the end of the previous period."""
        return self.finish_at(self.to_work(when))

    def same_instant(self, first: datetime, second: datetime) -> bool:
        """Whether two datetimes are the same point in working time (17:00 Friday == 08:00 Monday)."""
        return self.to_work(first) == self.to_work(second)

    def minutes_per_day(self) -> int:
        """The calendar's working minutes per day (see :meth:`Calendar.minutes_per_day`)."""
        return self.calendar.minutes_per_day()

    def minutes_per_week(self) -> int:
        """The calendar's working minutes per week."""
        return self.calendar.minutes_per_week()


def timelines_for(calendars: Mapping[str, Calendar], origin: date | datetime) -> dict[str, Timeline]:
    """One timeline per calendar, all with the same origin."""
    return {calendar_id: Timeline(calendar, origin) for calendar_id, calendar in calendars.items()}
