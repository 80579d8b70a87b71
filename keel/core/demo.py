"""The demo organisation: a realistic PMO built deterministically from a seed.

A central PMO with two departments and divisions in several countries (each with its time
zone, public holidays and currency), a person for every role, portfolios, programs and a
register of projects. Units, people, roles, portfolios, programs and the first projects are
written through the services, so the audit trail holds real entries; larger registers are
bulk-inserted with one matching audit entry per project, written by the demo loader account.

`demo_load` refuses a database that already holds an organisation; `demo_reset` deletes the
demo organisation (and only it) so it can be loaded again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from keel.benefits import demo as benefits_demo
from keel.benefits.models import AtRiskThreshold, Benefit
from keel.changes import demo as changes_demo
from keel.compliance import demo as compliance_demo
from keel.core.audit import creation_changes, snapshot
from keel.core.models import AuditEntry
from keel.finance import demo as finance_demo
from keel.finance.models import ExchangeRate
from keel.gates import demo as gates_demo
from keel.governance import demo as governance_demo
from keel.notifications import demo as notifications_demo
from keel.orgs import scoping
from keel.orgs import services as org_services
from keel.orgs.models import Calendar, CalendarException, Location, OrgUnit, Role, User
from keel.portfolio import services as portfolio_services
from keel.portfolio.models import Portfolio, Program, Project
from keel.resources import services as resource_services
from keel.resources.models import LevelingRun, Resource, ResourcePool, Skill
from keel.schedule import selectors as schedule_selectors
from keel.schedule import services as schedule_services
from keel.schedule.models import Task
from keel.statusreports import demo as statusreports_demo
from keel.timesheets import demo as timesheets_demo

DEMO_LOADER = "keel-demo"
DEMO_ROOT = "CPMO"
DEFAULT_PROJECTS = 40
DEFAULT_SEED = 42
# Projects written one by one through the services (real audit entries, activity); the rest are bulk-inserted.
SERVICE_PROJECTS = 40
# The first projects also get a schedule (WBS, links, a baseline, progress to date) through the services.
SCHEDULED_PROJECTS = 6
MAX_PROJECTS = 100_000


class DemoError(Exception):
    """The demo organisation cannot be loaded or reset as asked; the message says why."""


# --- The organisation -------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A demo location with its country, time zone and holiday calendar."""

    name: str
    country: str
    time_zone: str
    calendar: str


@dataclass(frozen=True)
class UnitSpec:
    """A demo org unit."""

    code: str
    name: str
    kind: str
    parent: str | None
    place: str
    currency: str
    city: str  # used in project names
    prefix: str  # project code prefix


@dataclass(frozen=True)
class Person:
    """A demo login: one role in one unit."""

    username: str
    first_name: str
    last_name: str
    role: str
    unit: str
    does: str


PLACES = (
    Place("Brussels", "BE", "Europe/Brussels", "Belgium"),
    Place("Oslo", "NO", "Europe/Oslo", "Norway"),
    Place("Madrid", "ES", "Europe/Madrid", "Spain"),
    Place("New York", "US", "America/New_York", "United States"),
    Place("London", "GB", "Europe/London", "United Kingdom"),
)

K = OrgUnit.Kind
UNITS = (
    UnitSpec("CPMO", "Central PMO", K.CENTRAL_PMO, None, "Brussels", "EUR", "Group", "CPMO"),
    UnitSpec("ENG", "Engineering", K.DEPARTMENT, "CPMO", "Brussels", "EUR", "Engineering", "ENG"),
    UnitSpec("NORTH", "Division North", K.DIVISION, "ENG", "Oslo", "NOK", "Oslo", "NOR"),
    UnitSpec("SOUTH", "Division South", K.DIVISION, "ENG", "Madrid", "EUR", "Madrid", "SOU"),
    UnitSpec("AMER", "Division Americas", K.DIVISION, "ENG", "New York", "USD", "New York", "AME"),
    UnitSpec("OPS", "Operations & IT", K.DEPARTMENT, "CPMO", "London", "GBP", "Operations", "OPS"),
    UnitSpec("OPS-UK", "Operations UK", K.DIVISION, "OPS", "London", "GBP", "London", "OUK"),
    UnitSpec("ITS", "IT Services", K.DIVISION, "OPS", "Brussels", "EUR", "Brussels", "ITS"),
)
UNIT_BY_CODE = {unit.code: unit for unit in UNITS}

PEOPLE = (
    Person("dana", "Dana", "Whitfield", Role.PMO_ADMIN, "CPMO", "Head of the central PMO"),
    Person("sofia", "Sofia", "Marquez", Role.EXECUTIVE, "CPMO", "Executive sponsor"),
    Person(
        "raj", "Raj", "Patel", Role.PORTFOLIO_MANAGER, "ENG", "Resource and portfolio manager, Engineering"
    ),
    Person("ingrid", "Ingrid", "Berg", Role.PMO_ADMIN, "NORTH", "Divisional PMO administrator, North"),
    Person("omar", "Omar", "Haddad", Role.PROJECT_MANAGER, "NORTH", "Project manager, North"),
    Person("lena", "Lena", "Fischer", Role.TEAM_MEMBER, "NORTH", "Developer in Omar's team"),
    Person("carlos", "Carlos", "Ruiz", Role.PROJECT_MANAGER, "SOUTH", "Project manager, South"),
    Person("marta", "Marta", "Lopez", Role.TEAM_MEMBER, "SOUTH", "Engineer, South"),
    Person("james", "James", "Carter", Role.PROJECT_MANAGER, "AMER", "Project manager, Americas"),
    Person("grace", "Grace", "Kim", Role.EXECUTIVE, "AMER", "Executive, Americas"),
    Person("henrik", "Henrik", "Dahl", Role.PORTFOLIO_MANAGER, "OPS", "Portfolio manager, Operations & IT"),
    Person("priya", "Priya", "Shah", Role.PROJECT_MANAGER, "OPS-UK", "Project manager, Operations UK"),
    Person("tom", "Tom", "Hughes", Role.TEAM_MEMBER, "OPS-UK", "Analyst, Operations UK"),
    Person("noah", "Noah", "Peeters", Role.PROJECT_MANAGER, "ITS", "Project manager, IT Services"),
)
DEMO_USERNAMES = tuple(person.username for person in PEOPLE)

# (code, name, owning unit, owner)
PORTFOLIOS = (
    ("PF-STRAT", "Strategic initiatives", "CPMO", "sofia"),
    ("PF-ENG", "Engineering portfolio", "ENG", "raj"),
    ("PF-OPS", "Operations & IT portfolio", "OPS", "henrik"),
)
# (code, name, portfolio, running unit, manager)
PROGRAMS = (
    ("PG-ERP", "ERP modernisation", "PF-STRAT", "CPMO", "dana"),
    ("PG-NET", "Network renewal", "PF-ENG", "ENG", "raj"),
    ("PG-DC", "Data centre consolidation", "PF-ENG", "NORTH", "omar"),
    ("PG-US", "Americas expansion", "PF-ENG", "AMER", "james"),
    ("PG-WORK", "Digital workplace", "PF-OPS", "OPS", "henrik"),
    ("PG-SEC", "Security uplift", "PF-OPS", "ITS", "noah"),
)

# Where projects live (relative weight), who may manage and who sponsors them there.
PROJECT_UNITS = {"NORTH": 24, "SOUTH": 18, "AMER": 20, "OPS-UK": 16, "ITS": 12, "ENG": 5, "OPS": 5}
MANAGERS = {
    "NORTH": ("omar",),
    "SOUTH": ("carlos",),
    "AMER": ("james",),
    "OPS-UK": ("priya",),
    "ITS": ("noah",),
    "ENG": ("omar", "carlos", "james"),
    "OPS": ("priya", "noah"),
}
SPONSORS = {
    "NORTH": ("sofia", "raj"),
    "SOUTH": ("sofia", "raj"),
    "AMER": ("sofia", "raj", "grace"),
    "ENG": ("sofia", "raj"),
    "OPS-UK": ("sofia", "henrik"),
    "ITS": ("sofia", "henrik"),
    "OPS": ("sofia", "henrik"),
}
STATUS_MIX = {"active": 55, "proposed": 15, "on_hold": 8, "closed": 15, "cancelled": 7}
LIVE_HEALTH_MIX = {"green": 50, "amber": 32, "red": 18}
# One euro in each unit currency, to keep budgets of similar size comparable.
CURRENCY_FACTOR = {"EUR": Decimal("1"), "NOK": Decimal("11.5"), "USD": Decimal("1.1"), "GBP": Decimal("0.85")}

TOPICS = (
    "data centre migration",
    "network refresh",
    "ERP upgrade",
    "customer portal",
    "warehouse automation",
    "cloud landing zone",
    "security operations centre",
    "HR system replacement",
    "office relocation",
    "fleet telematics",
    "billing platform",
    "data platform",
    "identity and access management",
    "field service app",
    "disaster recovery site",
    "payroll consolidation",
    "supplier portal",
    "energy efficiency retrofit",
    "service desk tooling",
    "backup modernisation",
    "regulatory reporting",
    "5G private network",
    "laptop refresh",
    "CRM rollout",
    "document management",
    "e-invoicing",
    "predictive maintenance",
    "API gateway",
    "contact centre upgrade",
    "data privacy programme",
)
GOALS = (
    "Cut operating cost and retire legacy systems.",
    "Meet the new regulatory deadline.",
    "Improve service availability for customers.",
    "Consolidate suppliers and contracts.",
    "Give teams self-service access to data.",
    "Reduce energy use and emissions.",
    "Replace equipment at the end of its support life.",
)


# --- Public holidays ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Holiday:
    """A public holiday (or a shortened working day when `working_times` is set)."""

    name: str
    date: dt.date
    recurs_yearly: bool = False
    working_times: tuple[tuple[str, str], ...] = ()


def easter_sunday(year: int) -> dt.date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * el) // 433
    month = (h + el - 7 * m + 90) // 25
    day = (h + el - 7 * m + 33 * month + 19) % 32
    return dt.date(year, month, day)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th `weekday` (Monday = 0) of a month; n = -1 is the last one."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _fixed(year: int, *days: tuple[str, int, int]) -> list[Holiday]:
    return [Holiday(name, dt.date(year, month, day), recurs_yearly=True) for name, month, day in days]


def holidays(calendar: str, year: int, *, fixed: bool = True) -> list[Holiday]:
    """Public holidays of a demo calendar in `year`; `fixed=False` leaves out the fixed-date ones."""
    easter = easter_sunday(year)

    def after_easter(name: str, days: int) -> Holiday:
        return Holiday(name, easter + dt.timedelta(days=days))

    if calendar == "Belgium":
        moving = [after_easter("Easter Monday", 1), after_easter("Ascension Day", 39)]
        moving.append(after_easter("Whit Monday", 50))
        dated = _fixed(
            year,
            ("New Year's Day", 1, 1),
            ("Labour Day", 5, 1),
            ("National Day", 7, 21),
            ("Assumption Day", 8, 15),
            ("All Saints' Day", 11, 1),
            ("Armistice Day", 11, 11),
            ("Christmas Day", 12, 25),
        )
    elif calendar == "Norway":
        moving = [
            after_easter("Maundy Thursday", -3),
            after_easter("Good Friday", -2),
            after_easter("Easter Monday", 1),
            after_easter("Ascension Day", 39),
            after_easter("Whit Monday", 50),
        ]
        dated = _fixed(
            year,
            ("New Year's Day", 1, 1),
            ("Labour Day", 5, 1),
            ("Constitution Day", 5, 17),
            ("Christmas Day", 12, 25),
            ("Boxing Day", 12, 26),
        )
        dated.append(Holiday("Christmas Eve (half day)", dt.date(year, 12, 24), True, (("09:00", "12:00"),)))
    elif calendar == "Spain":
        moving = [after_easter("Maundy Thursday", -3), after_easter("Good Friday", -2)]
        dated = _fixed(
            year,
            ("New Year's Day", 1, 1),
            ("Epiphany", 1, 6),
            ("Labour Day", 5, 1),
            ("Assumption Day", 8, 15),
            ("National Day", 10, 12),
            ("All Saints' Day", 11, 1),
            ("Constitution Day", 12, 6),
            ("Immaculate Conception", 12, 8),
            ("Christmas Day", 12, 25),
        )
    elif calendar == "United States":
        moving = [
            Holiday("Martin Luther King Jr. Day", nth_weekday(year, 1, 0, 3)),
            Holiday("Presidents' Day", nth_weekday(year, 2, 0, 3)),
            Holiday("Memorial Day", nth_weekday(year, 5, 0, -1)),
            Holiday("Labor Day", nth_weekday(year, 9, 0, 1)),
            Holiday("Thanksgiving Day", nth_weekday(year, 11, 3, 4)),
        ]
        dated = _fixed(
            year,
            ("New Year's Day", 1, 1),
            ("Juneteenth", 6, 19),
            ("Independence Day", 7, 4),
            ("Veterans Day", 11, 11),
            ("Christmas Day", 12, 25),
        )
    elif calendar == "United Kingdom":
        moving = [
            after_easter("Good Friday", -2),
            after_easter("Easter Monday", 1),
            Holiday("Early May bank holiday", nth_weekday(year, 5, 0, 1)),
            Holiday("Spring bank holiday", nth_weekday(year, 5, 0, -1)),
            Holiday("Summer bank holiday", nth_weekday(year, 8, 0, -1)),
        ]
        dated = _fixed(year, ("New Year's Day", 1, 1), ("Christmas Day", 12, 25), ("Boxing Day", 12, 26))
    else:
        raise ValueError(f"No holidays known for {calendar!r}.")
    return sorted(moving + (dated if fixed else []), key=lambda holiday: holiday.date)


def calendar_holidays(calendar: str, year: int) -> list[Holiday]:
    """The exceptions of a calendar: fixed-date holidays once (recurring yearly), moving ones for two years."""
    return holidays(calendar, year) + holidays(calendar, year + 1, fixed=False)


# --- The project register ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectSpec:
    """One generated demo project, with people and program given by username and code."""

    code: str
    name: str
    description: str
    unit: str
    program: str | None
    manager: str | None
    sponsor: str | None
    status: str
    phase: str
    health: str
    priority: int
    planned_start: dt.date
    planned_finish: dt.date
    budget: Decimal
    currency: str


def spread(weights: dict[str, int], count: int, rng: random.Random) -> list[str]:
    """`count` keys in proportion to `weights` (largest remainder), in a seeded random order."""
    total = sum(weights.values())
    exact = {key: count * weight / total for key, weight in weights.items()}
    counts = {key: int(value) for key, value in exact.items()}
    by_remainder = sorted(weights, key=lambda key: exact[key] - counts[key], reverse=True)
    for key in by_remainder[: count - sum(counts.values())]:
        counts[key] += 1
    keys = [key for key in weights for _ in range(counts[key])]
    rng.shuffle(keys)
    return keys


def _ancestors(unit: str) -> list[str]:
    """The unit's code and its ancestors' codes, nearest first."""
    codes = []
    code: str | None = unit
    while code is not None:
        codes.append(code)
        code = UNIT_BY_CODE[code].parent
    return codes


def project_specs(count: int, seed: int, today: dt.date) -> list[ProjectSpec]:
    """The demo register of `count` projects: the same seed and day give the same projects."""
    rng = random.Random(seed)
    units = spread(PROJECT_UNITS, count, rng)
    statuses = spread(STATUS_MIX, count, rng)
    live = sum(1 for status in statuses if status in ("active", "on_hold"))
    live_health = iter(spread(LIVE_HEALTH_MIX, live, rng))
    width = max(3, len(str(count)))
    numbers: Counter[str] = Counter()
    names: Counter[str] = Counter()
    finishing_soon = 0
    specs = []
    for unit_code, status in zip(units, statuses, strict=True):
        unit = UNIT_BY_CODE[unit_code]
        numbers[unit_code] += 1
        topic = rng.choice(TOPICS)
        name = f"{unit.city} {topic}"
        names[name] += 1
        if names[name] > 1:
            name = f"{name} — wave {names[name]}"
        days = rng.randint
        if status == "proposed":
            start = today + dt.timedelta(days=days(20, 180))
            finish = start + dt.timedelta(days=days(120, 540))
            phase, health = "initiation", "green"
        elif status == "active":
            health = next(live_health)
            start = today - dt.timedelta(days=days(60, 500))
            # Every third active project finishes within 30, 60 or 90 days, in turn.
            if finishing_soon % 3 == 0:
                bucket = (finishing_soon // 3) % 3
                finish = today + dt.timedelta(days=days(30 * bucket + 1, 30 * bucket + 30))
            else:
                finish = today + dt.timedelta(days=days(91, 540))
            finishing_soon += 1
            phase = rng.choices(["planning", "execution"], weights=[1, 3])[0]
        elif status == "on_hold":
            health = next(live_health)
            start = today - dt.timedelta(days=days(60, 400))
            finish = today + dt.timedelta(days=days(60, 400))
            phase = rng.choice(["planning", "execution"])
        elif status == "closed":
            finish = today - dt.timedelta(days=days(10, 400))
            start = finish - dt.timedelta(days=days(120, 600))
            phase, health = "closing", rng.choices(["green", "amber"], weights=[7, 3])[0]
        else:  # cancelled
            start = today - dt.timedelta(days=days(60, 300))
            finish = start + dt.timedelta(days=days(180, 500))
            phase, health = rng.choice(["initiation", "planning"]), rng.choice(["amber", "red"])
        programs = [code for code, _, _, run_by, _ in PROGRAMS if run_by in _ancestors(unit_code)]
        program = rng.choice(programs) if programs and rng.random() < 0.6 else None
        manager = rng.choice(MANAGERS[unit_code])
        if status == "proposed" and rng.random() < 0.5:
            manager = None  # not yet staffed
        budget = Decimal(rng.randrange(40, 2500) * 1000) * CURRENCY_FACTOR[unit.currency]
        specs.append(
            ProjectSpec(
                code=f"{unit.prefix}-{numbers[unit_code]:0{width}d}",
                name=name,
                description=f"{topic[0].upper()}{topic[1:]} for {unit.name}. {rng.choice(GOALS)}",
                unit=unit_code,
                program=program,
                manager=manager,
                sponsor=rng.choice(SPONSORS[unit_code]),
                status=status,
                phase=phase,
                health=health,
                priority=rng.randrange(1, 21) * 50,
                planned_start=start,
                planned_finish=finish,
                budget=budget.quantize(Decimal("1000")),
                currency=unit.currency,
            )
        )
    return specs


# --- Loading and resetting ---------------------------------------------------------------------


@dataclass(frozen=True)
class DemoResult:
    """What `demo_load` wrote and how long it took."""

    units: int
    people: int
    projects: int
    audit_entries: int
    seconds: float


@dataclass(frozen=True)
class Login:
    """A demo login to print: username, role and unit."""

    username: str
    role: str
    unit: str
    does: str


def demo_logins() -> list[Login]:
    """The demo logins in the order people meet them."""
    return [
        Login(p.username, Role(p.role).label, f"{p.unit} — {UNIT_BY_CODE[p.unit].name}", p.does)
        for p in PEOPLE
    ]


def demo_loaded() -> bool:
    """Whether the database holds the demo organisation."""
    return (
        User.objects.filter(username=DEMO_LOADER).exists() and OrgUnit.objects.filter(code=DEMO_ROOT).exists()
    )


def organisation_size() -> tuple[int, int]:
    """How many org units and projects the database holds."""
    return OrgUnit.objects.count(), Project.objects.count()


def _progress(items: Sequence[Any], desc: str, show: bool) -> Iterable[Any]:
    return tqdm(items, desc=desc, unit="project", disable=not show or None, leave=False)


def demo_load(
    *,
    projects: int = DEFAULT_PROJECTS,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    progress: bool = False,
) -> DemoResult:
    """Build the demo organisation in an empty database, in one transaction.

    Raises DemoError (nothing written) when the database already holds an organisation.
    """
    if not 0 <= projects <= MAX_PROJECTS:
        raise DemoError(f"--projects must be between 0 and {MAX_PROJECTS}, not {projects}.")
    started = time.perf_counter()
    today = today or timezone.localdate()
    specs = project_specs(projects, seed, today)
    with transaction.atomic():
        units, projects_in_db = organisation_size()
        if units or projects_in_db:
            raise DemoError(
                f"The database already holds an organisation ({units} org units, {projects_in_db} projects); "
                "the demo loads only into an empty database. Run `keel demo --reset` to delete the demo "
                "organisation and load it again, or point DATABASE_URL (or KEEL_VAR_DIR) at a new database."
            )
        taken = list(User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True))
        if taken:
            raise DemoError(
                f"The demo needs the usernames {', '.join(sorted(taken))}, which already belong to other "
                "accounts; load the demo into a new database."
            )
        loader = _loader()
        audit_before = AuditEntry.objects.count()
        unit_by_code = _build_units(loader, today.year)
        people = _build_people(loader, unit_by_code)
        program_by_code = _build_portfolios(loader, unit_by_code, people)
        _build_projects(loader, specs, unit_by_code, people, program_by_code, progress)
        _build_schedules(loader, specs[:SCHEDULED_PROJECTS], people, seed, today)
        _build_resources(loader, unit_by_code, people, specs[:SCHEDULED_PROJECTS], today)
        timesheets_demo.load(rng=random.Random(f"{seed}-timesheets"), today=today)
        benefits_demo.load(actor=loader, rng=random.Random(f"{seed}-benefits"), today=today)
        scheduled = [spec.code for spec in specs[:SCHEDULED_PROJECTS]]
        finance_demo.load(
            actor=loader, rng=random.Random(f"{seed}-finance"), today=today, project_codes=scheduled
        )
        governance_demo.load(
            loader=loader, rng=random.Random(f"{seed}-governance"), today=today, project_codes=scheduled
        )
        gates_demo.load(
            loader=loader, rng=random.Random(f"{seed}-gates"), today=today, project_codes=scheduled
        )
        changes_demo.load(
            loader=loader, rng=random.Random(f"{seed}-changes"), today=today, project_codes=scheduled
        )
        statusreports_demo.load(
            loader=loader, rng=random.Random(f"{seed}-reports"), today=today, project_codes=scheduled
        )
        notifications_demo.load(
            rng=random.Random(f"{seed}-notifications"), today=today, project_codes=scheduled
        )
        compliance_demo.load(today=today, project_codes=[spec.code for spec in specs[:40]])
        User.objects.filter(pk=loader.pk).update(is_active=False)  # it wrote the demo; it never signs in
        audit_entries = AuditEntry.objects.count() - audit_before
    return DemoResult(
        len(unit_by_code), len(people), len(specs), audit_entries, time.perf_counter() - started
    )


def _loader() -> User:
    """The account that writes the demo (a superuser that cannot sign in: no usable password)."""
    loader, _ = User.objects.get_or_create(
        username=DEMO_LOADER,
        defaults={"first_name": "Keel", "last_name": "demo loader", "is_superuser": True},
    )
    loader.set_unusable_password()
    loader.is_active = True
    loader.is_superuser = True
    loader.save(update_fields=["password", "is_active", "is_superuser"])
    return loader


def _build_units(loader: User, year: int) -> dict[str, OrgUnit]:
    """Locations, holiday calendars and the unit tree."""
    calendars: dict[str, Calendar] = {}
    locations: dict[str, Location] = {}
    exceptions = []
    for place in PLACES:
        calendar = Calendar(name=place.calendar)
        calendar.full_clean()
        calendar.save()
        calendars[place.name] = calendar
        for holiday in calendar_holidays(place.calendar, year):
            exception = CalendarException(
                calendar=calendar,
                name=holiday.name,
                start_date=holiday.date,
                end_date=holiday.date,
                working_times=[list(pair) for pair in holiday.working_times],
                recurs_yearly=holiday.recurs_yearly,
            )
            exception.full_clean()
            exceptions.append(exception)
        location = Location(name=place.name, country=place.country, time_zone=place.time_zone)
        location.full_clean()
        location.save()
        locations[place.name] = location
    CalendarException.objects.bulk_create(exceptions)
    units: dict[str, OrgUnit] = {}
    for spec in UNITS:
        parent = units[spec.parent] if spec.parent else None
        # A unit in its parent's place inherits the parent's calendar.
        inherits = spec.parent is not None and UNIT_BY_CODE[spec.parent].place == spec.place
        units[spec.code] = org_services.org_unit_create(
            actor=loader,
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            parent=parent,
            currency=spec.currency,
            location=locations[spec.place],
            calendar=None if inherits else calendars[spec.place],
        )
    return units


def _build_people(loader: User, units: dict[str, OrgUnit]) -> dict[str, User]:
    """The demo logins, each with one role; all share the demo password (hashed once)."""
    people = {}
    for person in PEOPLE:
        people[person.username] = org_services.user_create(
            actor=loader,
            username=person.username,
            email=f"{person.username}@demo.keel.invalid",
            unit=units[person.unit],
            role=person.role,
            first_name=person.first_name,
            last_name=person.last_name,
        )
    User.objects.filter(username__in=people).update(password=make_password(settings.KEEL_DEMO_PASSWORD))
    return people


def _build_portfolios(loader: User, units: dict[str, OrgUnit], people: dict[str, User]) -> dict[str, Program]:
    """Portfolios and programs, returned as programs by code."""
    portfolios = {
        code: portfolio_services.portfolio_create(
            actor=loader,
            org_unit=units[unit],
            code=code,
            name=name,
            owner=people[owner],
            description=f"{name} owned by {units[unit].name}.",
        )
        for code, name, unit, owner in PORTFOLIOS
    }
    return {
        code: portfolio_services.program_create(
            actor=loader,
            portfolio=portfolios[portfolio],
            org_unit=units[unit],
            code=code,
            name=name,
            manager=people[manager],
        )
        for code, name, portfolio, unit, manager in PROGRAMS
    }


def _project_fields(
    spec: ProjectSpec, people: dict[str, User], programs: dict[str, Program]
) -> dict[str, Any]:
    return {
        "description": spec.description,
        "program": programs[spec.program] if spec.program else None,
        "manager": people[spec.manager] if spec.manager else None,
        "sponsor": people[spec.sponsor] if spec.sponsor else None,
        "status": spec.status,
        "phase": spec.phase,
        "health": spec.health,
        "priority": spec.priority,
        "planned_start": spec.planned_start,
        "planned_finish": spec.planned_finish,
        "budget": spec.budget,
        "currency": spec.currency,
    }


def _build_projects(
    loader: User,
    specs: list[ProjectSpec],
    units: dict[str, OrgUnit],
    people: dict[str, User],
    programs: dict[str, Program],
    progress: bool,
) -> None:
    """The first projects through the services, the rest in bulk with one audit entry each."""
    for spec in _progress(specs[:SERVICE_PROJECTS], "Projects (audited)", progress):
        unit = units[spec.unit]
        fields = _project_fields(spec, people, programs)
        # A project that is not green was reported green first; its manager records the change,
        # so the activity feed shows who moved it and when.
        fields["health"] = Project.Health.GREEN
        project = portfolio_services.project_create(
            actor=loader, org_unit=unit, code=spec.code, name=spec.name, **fields
        )
        if spec.health != Project.Health.GREEN:
            manager = fields["manager"]
            actor = (
                manager if manager and scoping.can(manager, scoping.Action.CHANGE, Project, unit) else loader
            )
            portfolio_services.project_update(
                actor=actor, project=project, version=project.version, health=spec.health
            )
    bulk = specs[SERVICE_PROJECTS:]
    if not bulk:
        return
    content_type = ContentType.objects.get_for_model(Project)
    now = timezone.now()
    batch_size = 500
    with tqdm(total=len(bulk), desc="Projects (bulk)", unit="project", disable=not progress or None) as bar:
        for offset in range(0, len(bulk), batch_size):
            rows = [
                Project(
                    org_unit=units[spec.unit],
                    code=spec.code,
                    name=spec.name,
                    **_project_fields(spec, people, programs),
                )
                for spec in bulk[offset : offset + batch_size]
            ]
            Project.objects.bulk_create(rows)
            AuditEntry.objects.bulk_create(
                AuditEntry(
                    at=now,
                    actor=loader,
                    action=AuditEntry.Action.CREATE,
                    content_type=content_type,
                    object_id=str(project.pk),
                    object_repr=str(project)[:200],
                    unit_path=project.org_unit.path,
                    project_id=project.pk,
                    changes=creation_changes(snapshot(project)),
                )
                for project in rows
            )
            bar.update(len(rows))


# uid, name, parent uid, share of the project's working days (0: a summary or a milestone)
SCHEDULE_TEMPLATE = (
    (1, "Initiation", None, 0),
    (2, "Business case", 1, 5),
    (3, "Kick-off", 1, 0),
    (4, "Planning", None, 0),
    (5, "Requirements", 4, 10),
    (6, "Design", 4, 15),
    (7, "Plan approved", 4, 0),
    (8, "Delivery", None, 0),
    (9, "Build", 8, 30),
    (10, "Test", 8, 15),
    (11, "Deploy", 8, 10),
    (12, "Closure", None, 0),
    (13, "Handover", 12, 8),
    (14, "Lessons learned", 12, 4),
    (15, "Project closed", 12, 0),
)
SCHEDULE_LINKS = (
    (2, 3, "FS"),
    (3, 5, "FS"),
    (5, 6, "FS"),
    (6, 7, "FS"),
    (7, 9, "FS"),
    (9, 10, "FS"),
    (10, 11, "FS"),
    (11, 13, "FS"),
    (13, 14, "SS"),
    (13, 15, "FS"),
    (14, 15, "FS"),
)
SUMMARY_UIDS = frozenset(parent for _, _, parent, _ in SCHEDULE_TEMPLATE if parent is not None)


def _plan(spec: ProjectSpec, minutes_per_day: int) -> list[schedule_services.TaskData]:
    """The template's tasks sized to the project's planned span and budget."""
    working_days = max(20, (spec.planned_finish - spec.planned_start).days * 5 // 7)
    tasks = []
    for uid, name, parent, share in SCHEDULE_TEMPLATE:
        days = round(working_days * share / 100)
        tasks.append(
            schedule_services.TaskData(
                uid=uid,
                name=name,
                parent_uid=parent,
                duration_minutes=days * minutes_per_day,
                work_minutes=days * minutes_per_day,
                cost=(spec.budget * share / 100).quantize(Decimal("0.01")),
                is_milestone=share == 0 and uid not in SUMMARY_UIDS,
            )
        )
    return tasks


def _progressed(
    spec: ProjectSpec,
    tasks: list[schedule_services.TaskData],
    planned: dict[int, Task],
    today: dt.date,
    rng: random.Random,
) -> list[schedule_services.TaskData]:
    """The plan as done so far: finished tasks with actual dates, the current one part done; an amber or
    red project's first unfinished task takes longer than planned."""
    now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
    slip = {"amber": 1.2, "red": 1.4}.get(spec.health, 1.0)
    slipped = False
    result = []
    for data in tasks:
        task = planned[data.uid]
        changes: dict[str, Any] = {}
        if data.uid in SUMMARY_UIDS or task.start is None or task.finish is None:
            pass
        elif spec.status == "closed" or task.finish <= now:
            changes = {"actual_start": task.start, "actual_finish": task.finish, "percent_complete": 100}
        else:
            if task.start < now:
                share = (now - task.start) / (task.finish - task.start)
                changes = {"actual_start": task.start, "percent_complete": max(1, min(95, int(share * 100)))}
            if not slipped and slip > 1 and data.duration_minutes:
                changes["duration_minutes"] = round(data.duration_minutes * (slip + rng.random() / 10))
                slipped = True
        result.append(dataclasses.replace(data, **changes))
    return result


def _build_schedules(
    loader: User, specs: list[ProjectSpec], people: dict[str, User], seed: int, today: dt.date
) -> None:
    """A schedule for each of the first projects, by its manager: the plan, a baseline, progress to date."""
    rng = random.Random(f"{seed}-schedules")
    projects = {
        p.code: p for p in Project.objects.filter(code__in=[s.code for s in specs]).select_related("org_unit")
    }
    for spec in specs:
        project = projects[spec.code]
        manager = people.get(spec.manager) if spec.manager else None
        actor = (
            manager
            if manager and scoping.can(manager, scoping.Action.CHANGE, Task, project.org_unit)
            else loader
        )
        view = schedule_selectors.schedule_view(project)
        tasks = _plan(spec, view.minutes_per_day)
        links = [schedule_services.DependencyData(p, s, type=kind) for p, s, kind in SCHEDULE_LINKS]
        start = dt.datetime.combine(spec.planned_start, dt.time.min)
        schedule_services.schedule_replace(
            actor=actor, project=project, tasks=tasks, dependencies=links, start=start
        )
        if spec.status == "proposed":
            continue
        schedule_services.baseline_save(actor=actor, project=project, number=0, name="Approved plan")
        if spec.status == "cancelled":
            continue
        planned = {task.uid: task for task in Task.objects.filter(project=project)}
        schedule_services.schedule_replace(
            actor=actor,
            project=project,
            tasks=_progressed(spec, tasks, planned, today, rng),
            dependencies=links,
            status_date=None if spec.status == "closed" else dt.datetime.combine(today, dt.time(17)),
        )


# --- Resources ----------------------------------------------------------------------------------

# (code, name, unit, manager, shared with)
POOLS = (
    ("POOL-NORTH", "Engineering North", "NORTH", "raj", ()),
    ("POOL-SOUTH", "Engineering South", "SOUTH", "raj", ("NORTH",)),
    ("POOL-AMER", "Engineering Americas", "AMER", "raj", ()),
)
# (name, category, kept by)
SKILLS = (
    ("Python", "Software", "CPMO"),
    ("Java", "Software", "CPMO"),
    ("Cloud platforms", "Software", "CPMO"),
    ("Networking", "Infrastructure", "CPMO"),
    ("SAP", "Business systems", "CPMO"),
    ("Data analysis", "Business systems", "CPMO"),
    ("Project controls", "Delivery", "CPMO"),
    ("Structural engineering", "Engineering", "ENG"),
    ("Spanish public procurement", "Delivery", "SOUTH"),
)
# (code, name, pool, available %, rate per hour in the pool unit's currency)
GENERIC_ROLES = (
    ("ROLE-N-DEV", "Developer (North)", "POOL-NORTH", 400, 900),
    ("ROLE-N-BA", "Business analyst (North)", "POOL-NORTH", 200, 1000),
    ("ROLE-S-ENG", "Site engineer (South)", "POOL-SOUTH", 300, 70),
    ("ROLE-S-PC", "Project controller (South)", "POOL-SOUTH", 200, 72),
    ("ROLE-A-DEV", "Developer (Americas)", "POOL-AMER", 300, 110),
)
# (code, name, pool, generic role, login, available %, rate per hour, skills with levels)
PEOPLE_RESOURCES = (
    (
        "R-LENA",
        "Lena Fischer",
        "POOL-NORTH",
        "ROLE-N-DEV",
        "lena",
        100,
        950,
        (("Python", 4), ("Cloud platforms", 3)),
    ),
    ("R-ANDERS", "Anders Nilsen", "POOL-NORTH", "ROLE-N-DEV", None, 100, 900, (("Java", 4),)),
    ("R-ERIK", "Erik Lund", "POOL-NORTH", "ROLE-N-DEV", None, 100, 850, (("Python", 3), ("Networking", 4))),
    ("R-JONAS", "Jonas Strand", "POOL-NORTH", "ROLE-N-DEV", None, 50, 950, (("Cloud platforms", 4),)),
    ("R-INGA", "Inga Vik", "POOL-NORTH", "ROLE-N-DEV", None, 100, 880, (("Java", 3), ("Python", 2))),
    ("R-KARI", "Kari Holm", "POOL-NORTH", "ROLE-N-BA", None, 80, 1000, (("Data analysis", 4),)),
    ("R-SIRI", "Siri Bakke", "POOL-NORTH", "ROLE-N-BA", None, 100, 1100, (("SAP", 3), ("Data analysis", 3))),
    (
        "R-MARTA",
        "Marta Lopez",
        "POOL-SOUTH",
        "ROLE-S-ENG",
        "marta",
        100,
        75,
        (("Structural engineering", 5),),
    ),
    ("R-PABLO", "Pablo Garcia", "POOL-SOUTH", "ROLE-S-ENG", None, 100, 65, (("Structural engineering", 3),)),
    ("R-DIEGO", "Diego Martin", "POOL-SOUTH", "ROLE-S-ENG", None, 100, 60, (("Networking", 3),)),
    (
        "R-JAVIER",
        "Javier Romero",
        "POOL-SOUTH",
        "ROLE-S-ENG",
        None,
        100,
        68,
        (("Spanish public procurement", 4),),
    ),
    ("R-LUCIA", "Lucia Fernandez", "POOL-SOUTH", "ROLE-S-PC", None, 100, 70, (("Project controls", 4),)),
    ("R-ELENA", "Elena Sanchez", "POOL-SOUTH", "ROLE-S-PC", None, 80, 72, (("Data analysis", 3),)),
    (
        "R-CARMEN",
        "Carmen Ruiz",
        "POOL-SOUTH",
        "ROLE-S-PC",
        None,
        100,
        66,
        (("Project controls", 3), ("SAP", 2)),
    ),
    ("R-MIA", "Mia Johnson", "POOL-AMER", "ROLE-A-DEV", None, 100, 120, (("Python", 5),)),
    ("R-LIAM", "Liam Brown", "POOL-AMER", "ROLE-A-DEV", None, 100, 105, (("Java", 3),)),
    ("R-AVA", "Ava Davis", "POOL-AMER", None, None, 100, 110, (("Data analysis", 4),)),
    ("R-ETHAN", "Ethan Wilson", "POOL-AMER", "ROLE-A-DEV", None, 100, 115, (("Cloud platforms", 4),)),
    ("R-OLIVIA", "Olivia Moore", "POOL-AMER", None, None, 60, 100, (("Project controls", 4),)),
    ("R-LUCAS", "Lucas Clark", "POOL-AMER", "ROLE-A-DEV", None, 100, 98, (("Networking", 2), ("Java", 2))),
)
# (code, name, kind, pool, available %, rate per hour, cost per use)
EQUIPMENT = (
    ("EQ-LAB", "Integration test lab", Resource.Kind.EQUIPMENT, "POOL-NORTH", 200, 400, 0),
    ("EQ-CRANE", "Mobile crane", Resource.Kind.EQUIPMENT, "POOL-SOUTH", 100, 150, 500),
    ("EQ-TRAVEL", "Travel", Resource.Kind.COST, "POOL-SOUTH", 100, 0, 0),
)
# The pools that staff a project, by the project's unit; the first person is its busiest.
STAFFING = {
    "NORTH": ("R-LENA", "R-ANDERS", "R-ERIK", "R-KARI", "R-INGA"),
    "ENG": ("R-LENA", "R-ERIK", "R-MARTA", "R-SIRI"),
    "SOUTH": ("R-MARTA", "R-PABLO", "R-DIEGO", "R-LUCIA", "R-JAVIER"),
    "AMER": ("R-MIA", "R-LIAM", "R-AVA", "R-ETHAN"),
}
BUSY_TASKS = frozenset({"Requirements", "Design", "Build", "Test", "Deploy"})


def _build_resources(
    loader: User, units: dict[str, OrgUnit], people: dict[str, User], specs: list[ProjectSpec], today: dt.date
) -> None:
    """Pools (SOUTH's shared with NORTH), generic roles, people with skills, rates and leave, equipment;
    assignments on the scheduled projects' tasks (the busiest person of each division over-allocated
    where projects overlap) and a few allocation requests, approved, rejected and waiting for Raj."""
    raj = people["raj"]
    org_services.membership_create(actor=loader, user=raj, unit=units["ENG"], role=Role.RESOURCE_MANAGER)
    pools = {}
    for code, name, unit, manager, shared in POOLS:
        pools[code] = resource_services.pool_create(
            actor=loader, org_unit=units[unit], code=code, name=name, manager=people[manager]
        )
        if shared:
            resource_services.pool_share_set(actor=loader, pool=pools[code], units=[units[u] for u in shared])
    skills = {
        name: resource_services.skill_create(actor=loader, org_unit=units[unit], name=name, category=category)
        for name, category, unit in SKILLS
    }
    since = dt.date(today.year - 2, 1, 1)
    resources: dict[str, Resource] = {}

    def rate(resource: Resource, per_hour: int, per_use: int = 0) -> None:
        resource_services.cost_rate_create(
            actor=loader,
            resource=resource,
            effective_from=since,
            standard_rate=Decimal(per_hour),
            overtime_rate=(Decimal(per_hour) * Decimal("1.5")).quantize(Decimal("0.01")),
            cost_per_use=Decimal(per_use),
            currency=resource.pool.org_unit.currency,
        )

    for code, name, pool, units_pct, per_hour in GENERIC_ROLES:
        resources[code] = resource_services.resource_create(
            actor=loader, pool=pools[pool], code=code, name=name, kind=Resource.Kind.ROLE, max_units=units_pct
        )
        rate(resources[code], per_hour)
    for code, name, pool, role, login, units_pct, per_hour, held in PEOPLE_RESOURCES:
        user = people.get(login) if login else None
        resources[code] = resource_services.resource_create(
            actor=loader,
            pool=pools[pool],
            code=code,
            name=name,
            role=resources[role] if role else None,
            user=user,
            max_units=units_pct,
            email=user.email if user else f"{code[2:].lower()}@demo.keel.invalid",
        )
        rate(resources[code], per_hour)
        for skill, level in held:
            resource_services.resource_skill_set(
                actor=loader, resource=resources[code], skill=skills[skill], level=level
            )
    for code, name, kind, pool, units_pct, per_hour, per_use in EQUIPMENT:
        resources[code] = resource_services.resource_create(
            actor=loader, pool=pools[pool], code=code, name=name, kind=kind, max_units=units_pct
        )
        rate(resources[code], per_hour, per_use)
    monday = today - dt.timedelta(days=today.weekday())
    for code, start, days, kind, percent, note in (
        ("R-LENA", monday + dt.timedelta(weeks=3), 5, "leave", 100, "Winter holiday"),
        ("R-MARTA", monday + dt.timedelta(weeks=4), 10, "leave", 100, ""),
        ("R-ANDERS", monday + dt.timedelta(weeks=1), 3, "training", 50, "Cloud certification"),
        ("R-MIA", monday + dt.timedelta(weeks=6), 5, "leave", 100, ""),
    ):
        resource_services.leave_create(
            actor=loader,
            resource=resources[code],
            kind=kind,
            start_date=start,
            end_date=start + dt.timedelta(days=days - 1),
            percent=percent,
            note=note,
        )
    _assign_demo_tasks(loader, resources, specs)
    _request_demo_allocations(people, resources, monday)


def _assign_demo_tasks(loader: User, resources: dict[str, Resource], specs: list[ProjectSpec]) -> None:
    """Staff the scheduled projects' work: the busiest person full time on the core tasks, a colleague
    half time on every task, the generic role on proposed projects (demand not yet named)."""
    roles = {"NORTH": "ROLE-N-DEV", "ENG": "ROLE-N-DEV", "SOUTH": "ROLE-S-ENG", "AMER": "ROLE-A-DEV"}
    for spec in specs:
        staff = STAFFING.get(spec.unit)
        if not staff or spec.status == "cancelled":
            continue
        tasks = Task.objects.filter(project__code=spec.code, is_summary=False, is_milestone=False)
        for index, task in enumerate(tasks.select_related("project__org_unit").order_by("sort_index")):
            if spec.status == "proposed":
                resource_services.assignment_create(
                    actor=loader, task=task, resource=resources[roles[spec.unit]], units=200
                )
                continue
            if task.name in BUSY_TASKS:
                resource_services.assignment_create(actor=loader, task=task, resource=resources[staff[0]])
            colleague = staff[1 + index % (len(staff) - 1)]
            resource_services.assignment_create(
                actor=loader, task=task, resource=resources[colleague], units=50
            )
            if spec.unit == "SOUTH" and task.name == "Build":
                resource_services.assignment_create(actor=loader, task=task, resource=resources["EQ-CRANE"])


def _request_demo_allocations(
    people: dict[str, User], resources: dict[str, Resource], monday: dt.date
) -> None:
    """Omar and Carlos ask Raj for people by the week: one approved, one rejected, two waiting."""
    projects: dict[str, Project] = {}
    live = Project.objects.filter(status__in=["active", "on_hold"], org_unit__code__in=["NORTH", "SOUTH"])
    for project in live.select_related("org_unit").order_by("code"):
        projects.setdefault(project.org_unit.code, project)
    raj = people["raj"]
    asks = (
        ("NORTH", "omar", "R-MARTA", 1, 6, "16", "Structural review of the new hall", None, ""),
        (
            "NORTH",
            "omar",
            "ROLE-N-BA",
            2,
            8,
            "20",
            "Requirements for phase 2",
            "approve",
            "Fine for the quarter.",
        ),
        ("SOUTH", "carlos", "R-PABLO", 1, 4, "40", "Site survey", None, ""),
        (
            "SOUTH",
            "carlos",
            "R-LUCIA",
            2,
            10,
            "24",
            "Cost control",
            "reject",
            "Lucia is on the audit until March.",
        ),
    )
    for unit, pm, code, first, weeks, hours, note, decision, comment in asks:
        project = projects.get(unit)
        if project is None:
            continue
        allocation = resource_services.allocation_request(
            actor=people[pm],
            project=project,
            resource=resources[code],
            start_week=monday + dt.timedelta(weeks=first),
            end_week=monday + dt.timedelta(weeks=first + weeks - 1),
            hours_per_week=Decimal(hours),
            note=note,
        )
        if decision == "approve":
            resource_services.allocation_approve(actor=raj, allocation=allocation, comment=comment)
        elif decision == "reject":
            resource_services.allocation_reject(actor=raj, allocation=allocation, comment=comment)


def demo_reset() -> bool:
    """Delete the demo organisation and its people; returns whether there was one.

    Raises DemoError (nothing deleted) when the database holds units that the demo did not make.
    """
    with transaction.atomic():
        root = OrgUnit.objects.filter(code=DEMO_ROOT, parent=None).first()
        demo = root is not None and User.objects.filter(username=DEMO_LOADER).exists()
        foreign = OrgUnit.objects.exclude(path__startswith=root.path) if demo else OrgUnit.objects.all()
        if foreign.exists():
            codes = ", ".join(foreign.order_by("path").values_list("code", flat=True)[:5])
            raise DemoError(
                f"The database holds org units that the demo did not create ({codes}); "
                "`keel demo --reset` deletes only the demo organisation. Use a new database for the demo."
            )
        if not demo:
            return False
        path = root.path
        AuditEntry.objects.filter(unit_path__startswith=path).delete()
        Benefit.objects.filter(org_unit__path__startswith=path).delete()
        demo_currencies = ["EUR", *finance_demo.EURO_RATES]
        ExchangeRate.objects.filter(
            from_currency__in=demo_currencies, to_currency__in=demo_currencies
        ).delete()
        AtRiskThreshold.objects.filter(org_unit__path__startswith=path).delete()
        Project.objects.filter(org_unit__path__startswith=path).delete()
        LevelingRun.objects.filter(org_unit__path__startswith=path).delete()
        # People before the generic roles they fill (a role protects its members), then pools and skills.
        demo_resources = Resource.objects.filter(pool__org_unit__path__startswith=path)
        demo_resources.exclude(kind=Resource.Kind.ROLE).delete()
        demo_resources.delete()
        ResourcePool.objects.filter(org_unit__path__startswith=path).delete()
        Skill.objects.filter(org_unit__path__startswith=path).delete()
        Program.objects.filter(org_unit__path__startswith=path).delete()
        Portfolio.objects.filter(org_unit__path__startswith=path).delete()
        # Children before parents: a unit protects its children.
        for unit in sorted(OrgUnit.objects.filter(path__startswith=path), key=lambda u: -len(u.path)):
            unit.delete()
        User.objects.filter(username__in=(*DEMO_USERNAMES, DEMO_LOADER)).delete()
        places = [place.name for place in PLACES]
        Location.objects.filter(name__in=places, units__isnull=True).delete()
        Calendar.objects.filter(name__in=[place.calendar for place in PLACES], units__isnull=True).delete()
    return True
