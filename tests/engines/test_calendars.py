"""Working calendars and timelines: conversions, boundary convention, exceptions and recurrences."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keel.engines.calendars import (
    LAST,
    Calendar,
    CalendarError,
    CalendarException,
    DaySelector,
    Recurrence,
    RecurrenceKind,
    Timeline,
    WorkWeek,
    add_elapsed,
    continuous_calendar,
    standard_calendar,
)


def dt(text: str) -> datetime:
    """A naive local datetime from ISO text."""
    return datetime.fromisoformat(text)


STANDARD = standard_calendar("std")
ORIGIN = date(2024, 1, 1)  # a Monday


@pytest.fixture
def standard() -> Timeline:
    return Timeline(STANDARD, ORIGIN)


# --- conversions on the standard calendar (Mon–Fri 08–12, 13–17) ---------------------------------


@pytest.mark.parametrize(
    ("when", "work"),
    [
        ("2024-01-01 08:00", 0),
        ("2024-01-01 10:30", 150),
        ("2024-01-01 12:00", 240),
        ("2024-01-01 12:30", 240),  # lunch break: still the end of the morning
        ("2024-01-01 13:00", 240),
        ("2024-01-01 17:00", 480),
        ("2024-01-01 20:00", 480),
        ("2024-01-02 08:00", 480),  # same working minute as Monday 17:00
        ("2024-01-06 12:00", 2400),  # Saturday
        ("2023-12-29 17:00", 0),  # the Friday before the origin
        ("2023-12-29 16:00", -60),
        ("2023-12-31 09:00", 0),  # Sunday before the origin
    ],
)
def test_datetime_to_working_minute(standard, when, work):
    assert standard.to_work(dt(when)) == work


@pytest.mark.parametrize(
    ("work", "as_start", "as_finish"),
    [
        (0, "2024-01-01 08:00", "2023-12-29 17:00"),
        (240, "2024-01-01 13:00", "2024-01-01 12:00"),
        (480, "2024-01-02 08:00", "2024-01-01 17:00"),
        (2400, "2024-01-08 08:00", "2024-01-05 17:00"),
        (150, "2024-01-01 10:30", "2024-01-01 10:30"),
        (-60, "2023-12-29 16:00", "2023-12-29 16:00"),
    ],
)
def test_working_minute_back_to_datetime_follows_the_boundary_convention(standard, work, as_start, as_finish):
    # Given a working minute on a period boundary
    # Then a start lands at the beginning of the next period, a finish at the end of the previous one
    assert standard.start_at(work) == dt(as_start)
    assert standard.finish_at(work) == dt(as_finish)


@pytest.mark.parametrize(
    ("when", "minutes", "expected"),
    [
        ("2024-01-01 08:00", 480, "2024-01-01 17:00"),
        ("2024-01-01 08:00", 481, "2024-01-02 08:01"),
        ("2024-01-05 13:00", 480, "2024-01-08 12:00"),  # over the weekend
        ("2024-01-06 10:00", 60, "2024-01-08 09:00"),  # from a Saturday
        ("2024-01-02 17:00", -480, "2024-01-02 08:00"),  # backward lands on a start
        ("2024-01-01 08:00", -60, "2023-12-29 16:00"),
        ("2024-01-06 10:00", 0, "2024-01-06 10:00"),
        ("2024-01-01 08:00", 2400 * 52, "2024-12-27 17:00"),
    ],
)
def test_add_working_minutes_forward_and_backward(standard, when, minutes, expected):
    assert standard.add(dt(when), minutes) == dt(expected)


def test_working_minutes_between_two_datetimes(standard):
    assert standard.between(dt("2024-01-01 08:00"), dt("2024-01-05 17:00")) == 2400
    assert standard.between(dt("2024-01-05 17:00"), dt("2024-01-01 08:00")) == -2400
    assert standard.between(dt("2024-01-05 17:00"), dt("2024-01-08 08:00")) == 0


def test_end_of_a_period_is_the_same_instant_as_the_start_of_the_next(standard):
    assert standard.same_instant(dt("2024-01-05 17:00"), dt("2024-01-08 08:00"))
    assert standard.same_instant(dt("2024-01-01 12:00"), dt("2024-01-01 13:00"))
    assert not standard.same_instant(dt("2024-01-01 16:59"), dt("2024-01-02 08:00"))


def test_next_work_start_and_previous_work_finish(standard):
    assert standard.next_work_start(dt("2024-01-06 10:00")) == dt("2024-01-08 08:00")
    assert standard.next_work_start(dt("2024-01-01 12:30")) == dt("2024-01-01 13:00")
    assert standard.next_work_start(dt("2024-01-01 09:15")) == dt("2024-01-01 09:15")
    assert standard.previous_work_finish(dt("2024-01-06 10:00")) == dt("2024-01-05 17:00")
    assert standard.previous_work_finish(dt("2024-01-01 12:30")) == dt("2024-01-01 12:00")


def test_is_working(standard):
    assert standard.is_working(dt("2024-01-01 08:00"))
    assert standard.is_working(dt("2024-01-01 16:59"))
    assert not standard.is_working(dt("2024-01-01 17:00"))
    assert not standard.is_working(dt("2024-01-01 12:15"))
    assert not standard.is_working(dt("2024-01-07 10:00"))


def test_timeline_reaches_far_before_and_after_its_origin(standard):
    # Given a timeline built around 2024, when asked about 1990 and 2060
    for when in ("1990-03-14 09:30", "2060-11-03 15:45"):
        work = standard.to_work(dt(when))
        # Then the conversions still round-trip
        assert standard.start_at(work) == dt(when)
        assert standard.finish_at(work) == dt(when)
    assert standard.between(dt("2024-01-01 08:00"), dt("2025-01-01 08:00")) == 262 * 480


def test_seconds_are_dropped(standard):
    assert standard.to_work(dt("2024-01-01 08:30:59")) == 30


def test_aware_datetimes_are_refused(standard):
    with pytest.raises(CalendarError, match="timezone-aware"):
        standard.to_work(datetime.fromisoformat("2024-01-01T08:00:00+01:00"))


# --- minutes per day and week come from the calendar -----------------------------------------------


@pytest.mark.parametrize(
    ("week", "per_day", "per_week"),
    [
        ((((480, 720), (780, 1020)),) * 5 + ((), ()), 480, 2400),
        ((((420, 720), (750, 1050)),) * 4 + ((), (), ()), 600, 2400),  # four ten-hour days
        ((((480, 840),),) * 6 + ((),), 360, 2160),  # six six-hour days
        ((((540, 780), (840, 1080)),) * 5 + ((), ()), 480, 2400),  # 09:00–18:00 with a lunch hour
        ((((480, 1020),),) * 4 + (((480, 840),), (), ()), 504, 2520),  # Friday short
        (((),) * 7, 0, 0),
    ],
)
def test_minutes_per_day_and_week_follow_the_calendar(week, per_day, per_week):
    calendar = Calendar(id="c", week=week)
    assert calendar.minutes_per_day() == per_day
    assert calendar.minutes_per_week() == per_week
    assert Timeline(calendar, ORIGIN).minutes_per_week() == per_week


def test_continuous_calendar_counts_elapsed_minutes():
    timeline = Timeline(continuous_calendar(), ORIGIN)
    assert timeline.add(dt("2024-01-05 17:00"), 3 * 1440) == dt("2024-01-08 17:00")
    assert timeline.between(dt("2024-01-01 00:00"), dt("2024-01-08 00:00")) == 7 * 1440
    # Midnight is not a boundary: one merged period
    assert timeline.start_at(1440) == timeline.finish_at(1440) == dt("2024-01-02 00:00")
    assert add_elapsed(dt("2024-01-05 17:00"), 90) == dt("2024-01-05 18:30")
    assert continuous_calendar().minutes_per_week() == 10080


def test_night_shift_across_midnight_is_one_working_period():
    # Given a shift 23:00–03:00 written as two intervals on two days
    night = Calendar(id="night", week=(((0, 180), (1380, 1440)),) * 7)
    timeline = Timeline(night, ORIGIN)
    # When an hour of work starts at 23:00 Then it ends at midnight, and the next starts right there
    start = dt("2024-01-02 23:00")
    assert timeline.add(start, 60) == dt("2024-01-03 00:00")
    assert timeline.start_at(timeline.to_work(dt("2024-01-03 00:00"))) == dt("2024-01-03 00:00")
    assert timeline.add(start, 240) == dt("2024-01-03 03:00")
    assert timeline.add(start, 241) == dt("2024-01-03 23:01")


# --- exceptions, holidays and work weeks -------------------------------------------------------------


def test_a_holiday_is_not_working_time():
    calendar = Calendar(id="c", holidays=frozenset({date(2024, 1, 3)}))
    timeline = Timeline(calendar, ORIGIN)
    assert timeline.between(dt("2024-01-01 08:00"), dt("2024-01-05 17:00")) == 4 * 480
    assert timeline.same_instant(dt("2024-01-02 17:00"), dt("2024-01-04 08:00"))
    assert timeline.add(dt("2024-01-01 08:00"), 3 * 480) == dt("2024-01-04 17:00")


@pytest.mark.parametrize(
    ("exceptions", "minutes_in_first_two_weeks"),
    [
        ((), 4800),
        ((CalendarException(start=date(2024, 1, 8), end=date(2024, 1, 12), name="shutdown"),), 2400),
        ((CalendarException(start=date(2024, 1, 6), working=((540, 780),), name="Saturday"),), 5040),
        ((CalendarException(start=date(2024, 1, 5), working=((480, 720),), name="half day"),), 4560),
        (
            (
                CalendarException(start=date(2024, 1, 1), end=date(2024, 1, 5), name="week off"),
                CalendarException(start=date(2024, 1, 3), working=((480, 600),), name="one morning in"),
            ),
            2520,  # the later exception wins on the day both cover
        ),
        (
            (CalendarException(start=date(2024, 1, 1), occurrences=3, name="three days"),),
            4800 - 3 * 480,
        ),
    ],
)
def test_dated_exceptions_change_working_time(exceptions, minutes_in_first_two_weeks):
    timeline = Timeline(Calendar(id="c", exceptions=exceptions), ORIGIN)
    assert timeline.between(dt("2024-01-01 00:00"), dt("2024-01-15 00:00")) == minutes_in_first_two_weeks


def test_an_exception_with_working_time_overrides_a_holiday():
    calendar = Calendar(
        id="c",
        holidays=frozenset({date(2024, 1, 3)}),
        exceptions=(CalendarException(start=date(2024, 1, 3), working=((480, 720),)),),
    )
    assert calendar.intervals_on(date(2024, 1, 3)) == ((480, 720),)


def test_work_weeks_replace_the_default_week_over_their_range():
    summer = WorkWeek(
        start=date(2024, 7, 1), end=date(2024, 8, 31), days=(((420, 900),),) * 4 + ((), (), ()), name="summer"
    )
    calendar = Calendar(id="c", work_weeks=(summer,))
    assert calendar.intervals_on(date(2024, 7, 5)) == ()  # a summer Friday
    assert calendar.intervals_on(date(2024, 7, 4)) == ((420, 900),)
    assert calendar.intervals_on(date(2024, 9, 6)) == STANDARD.week[4]
    timeline = Timeline(calendar, ORIGIN)
    assert timeline.between(dt("2024-07-01 00:00"), dt("2024-07-08 00:00")) == 4 * 480


def _dates(*texts: str) -> list[date]:
    return [date.fromisoformat(t) for t in texts]


@pytest.mark.parametrize(
    ("recurrence", "start", "end", "occurrences", "expected"),
    [
        (
            Recurrence(RecurrenceKind.DAILY, period=3),
            "2000-02-01",
            None,
            4,
            _dates("2000-02-01", "2000-02-04", "2000-02-07", "2000-02-10"),
        ),
        (
            Recurrence(RecurrenceKind.WEEKLY, period=2, weekdays=frozenset({1})),
            "2001-01-01",
            None,
            4,
            _dates("2001-01-02", "2001-01-16", "2001-01-30", "2001-02-13"),
        ),
        (
            # Weeks are counted from Sunday: the Sunday of the first week (2000-12-31) is before the start
            Recurrence(RecurrenceKind.WEEKLY, period=7, weekdays=frozenset({6})),
            "2001-01-01",
            None,
            2,
            _dates("2001-02-18", "2001-04-08"),
        ),
        (
            Recurrence(RecurrenceKind.WEEKLY, weekdays=frozenset({0, 4})),
            "2024-01-01",
            "2024-01-14",
            None,
            _dates("2024-01-01", "2024-01-05", "2024-01-08", "2024-01-12"),
        ),
        (
            Recurrence(RecurrenceKind.MONTHLY_BY_DAY, day=31),
            "2024-01-01",
            None,
            4,
            _dates("2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"),
        ),
        (
            Recurrence(RecurrenceKind.MONTHLY_BY_POSITION, period=2, position=1, selector=DaySelector.MONDAY),
            "2002-01-01",
            None,
            3,
            _dates("2002-01-07", "2002-03-04", "2002-05-06"),
        ),
        (
            Recurrence(RecurrenceKind.MONTHLY_BY_POSITION, position=LAST, selector=DaySelector.WEEKDAY),
            "2024-01-01",
            None,
            3,
            _dates("2024-01-31", "2024-02-29", "2024-03-29"),
        ),
        (
            Recurrence(RecurrenceKind.MONTHLY_BY_POSITION, position=1, selector=DaySelector.WEEKEND_DAY),
            "2024-01-01",
            "2024-03-31",
            None,
            _dates("2024-01-06", "2024-02-03", "2024-03-02"),
        ),
        (
            Recurrence(RecurrenceKind.YEARLY_BY_DAY, month=2, day=2),
            "2005-01-01",
            None,
            4,
            _dates("2005-02-02", "2006-02-02", "2007-02-02", "2008-02-02"),
        ),
        (
            Recurrence(RecurrenceKind.YEARLY_BY_POSITION, month=3, position=1, selector=DaySelector.TUESDAY),
            "2004-01-01",
            None,
            4,
            _dates("2004-03-02", "2005-03-01", "2006-03-07", "2007-03-06"),
        ),
        (
            Recurrence(
                RecurrenceKind.YEARLY_BY_POSITION, month=5, position=LAST, selector=DaySelector.MONDAY
            ),
            "2024-01-01",
            "2025-12-31",
            None,
            _dates("2024-05-27", "2025-05-26"),
        ),
        (
            Recurrence(RecurrenceKind.YEARLY_BY_DAY, month=12, day=25),
            "2024-01-01",
            None,
            None,  # no end: repeats forever, expanded as far as asked
            _dates("2024-12-25", "2025-12-25", "2026-12-25"),
        ),
    ],
)
def test_recurring_exceptions_expand_to_ms_project_occurrences(recurrence, start, end, occurrences, expected):
    exception = CalendarException(
        start=date.fromisoformat(start),
        end=date.fromisoformat(end) if end else None,
        recurrence=recurrence,
        occurrences=occurrences,
    )
    assert list(exception.dates(until=date(2026, 12, 31))) == expected


def test_a_recurring_holiday_removes_working_time_every_year():
    christmas = CalendarException(
        start=date(2020, 1, 1), recurrence=Recurrence(RecurrenceKind.YEARLY_BY_DAY, month=12, day=25)
    )
    timeline = Timeline(Calendar(id="c", exceptions=(christmas,)), ORIGIN)
    for year in (2024, 2030, 2041):
        day = date(year, 12, 25)
        if day.weekday() < 5:
            assert timeline.between(dt(f"{year}-12-25 00:00"), dt(f"{year}-12-26 00:00")) == 0


def test_every_friday_off_makes_a_four_day_week():
    fridays = CalendarException(
        start=date(2024, 1, 1),
        end=date(2024, 12, 31),
        recurrence=Recurrence(RecurrenceKind.WEEKLY, weekdays=frozenset({4})),
        name="Fridays off",
    )
    timeline = Timeline(Calendar(id="c", exceptions=(fridays,)), ORIGIN)
    assert timeline.between(dt("2024-01-01 00:00"), dt("2024-01-08 00:00")) == 4 * 480
    assert timeline.add(dt("2024-01-01 08:00"), 5 * 480) == dt("2024-01-08 17:00")


# --- invalid calendars ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Calendar(id="c", week=((),) * 6), "week needs 7 days"),
        (lambda: Calendar(id="c", week=(((600, 500),),) + ((),) * 6), "0 <= start < end"),
        (lambda: Calendar(id="c", week=(((0, 1500),),) + ((),) * 6), "0 <= start < end"),
        (lambda: Calendar(id="c", week=(((480, 720), (700, 800)),) + ((),) * 6), "overlap"),
        (lambda: CalendarException(start=date(2024, 1, 5), end=date(2024, 1, 1)), "before start"),
        (lambda: CalendarException(start=date(2024, 1, 5), occurrences=0), "occurrences"),
        (lambda: Recurrence(RecurrenceKind.WEEKLY), "at least one weekday"),
        (lambda: Recurrence(RecurrenceKind.DAILY, period=0), "period"),
        (lambda: Recurrence(RecurrenceKind.YEARLY_BY_DAY, month=13), "month"),
        (lambda: Recurrence(RecurrenceKind.MONTHLY_BY_POSITION, position=5), "position"),
    ],
)
def test_invalid_definitions_are_refused_with_the_reason(build, message):
    with pytest.raises(CalendarError, match=message):
        build()


def test_a_calendar_without_working_time_is_an_error_not_a_hang():
    timeline = Timeline(Calendar(id="never", week=((),) * 7), ORIGIN)
    with pytest.raises(CalendarError, match="'never' has no working time"):
        timeline.start_at(10)


# --- properties -------------------------------------------------------------------------------------


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    """Random weeks (at least one working interval) with random holidays."""
    week = []
    for _ in range(7):
        bounds = sorted(draw(st.sets(st.integers(0, 1440), max_size=4)))
        pairs = tuple((bounds[i], bounds[i + 1]) for i in range(0, len(bounds) - 1, 2))
        week.append(pairs)
    if not any(week):
        week[0] = ((480, 1020),)
    holidays = draw(st.frozensets(st.dates(date(2023, 12, 1), date(2024, 3, 1)), max_size=10))
    return Calendar(id="random", week=tuple(week), holidays=holidays)


@settings(max_examples=60, deadline=None)
@given(calendar=calendars(), work=st.integers(-20000, 40000), minutes=st.integers(0, 5000))
def test_conversions_are_consistent_on_any_calendar(calendar, work, minutes):
    timeline = Timeline(calendar, ORIGIN, chunk_days=30)
    start = timeline.start_at(work)
    finish = timeline.finish_at(work)
    # Both sides name the same working minute, the start is working time, the finish is not later
    assert timeline.to_work(start) == work
    assert timeline.to_work(finish) == work
    assert timeline.is_working(start)
    assert finish <= start
    # Adding then measuring gives back the minutes added
    assert timeline.between(start, timeline.add(start, minutes)) == minutes
    assert timeline.between(timeline.add(finish, -minutes), finish) == minutes
