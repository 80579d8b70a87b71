"""Importing project files into Keel and exporting them again, on the real database.

Every sample file is imported into the test organisation; exported as MS Project XML and imported
again it gives the same tasks, links, calendars, baselines and dates. A file that cannot be read or
mapped leaves no row behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from keel.core.errors import NotFound, PermissionDenied
from keel.core.models import AuditEntry
from keel.engines.calendars import Timeline
from keel.interchange import mpxj
from keel.interchange.model import InterchangeError, Link, LinkType, engine_calendars
from keel.orgs.models import Calendar, CalendarException
from keel.portfolio.models import Project
from keel.resources.models import Assignment, CostRate, Resource, ResourcePool
from keel.schedule.importing import project_export, project_import
from keel.schedule.models import Baseline, BaselineTask, Dependency, ProjectSchedule, Task
from tests.interchange import samples

pytestmark = [samples.needs_data, pytest.mark.django_db]

ROWS = (
    Project,
    ProjectSchedule,
    Task,
    Dependency,
    Calendar,
    CalendarException,
    Baseline,
    BaselineTask,
    ResourcePool,
    Resource,
    CostRate,
    Assignment,
    AuditEntry,
)


def row_counts() -> dict[str, int]:
    """How many rows each table the import writes holds."""
    return {model.__name__: model.objects.count() for model in ROWS}


def local(value: dt.datetime | None, tz: ZoneInfo) -> dt.datetime | None:
    """A stored (aware) datetime as wall-clock time of the project's zone."""
    return None if value is None else value.astimezone(tz).replace(tzinfo=None)


def snapshot(project: Project) -> dict:
    """Everything an import writes for a project, keyed by task uid, comparable between projects."""
    schedule = ProjectSchedule.objects.get(project=project)
    tz = ZoneInfo(schedule.time_zone)
    tasks = {}
    for task in Task.objects.filter(project=project).select_related("parent", "calendar"):
        tasks[task.uid] = {
            "name": task.name,
            "parent": task.parent.uid if task.parent else None,
            "outline_number": task.outline_number,
            "wbs": task.wbs,
            "notes": task.notes,
            "milestone": task.is_milestone,
            "summary": task.is_summary,
            "duration": (task.duration_minutes, task.duration_unit),
            "work": task.work_minutes,
            "cost": task.cost,
            "progress": (task.percent_complete, local(task.actual_start, tz), local(task.actual_finish, tz)),
            "manual_start": local(task.manual_start, tz),
            "constraint": (task.constraint_type, local(task.constraint_date, tz)),
            "deadline": local(task.deadline, tz),
            "calendar": calendar_content(task.calendar, project) if task.calendar else None,
            "dates": tuple(
                local(getattr(task, f), tz)
                for f in ("start", "finish", "early_start", "early_finish", "late_start", "late_finish")
            ),
            "floats": (task.total_float_minutes, task.free_float_minutes, task.is_critical),
            "splits": task.splits,
        }
    links = {
        (d.predecessor.uid, d.successor.uid, d.type, d.lag, d.lag_unit)
        for d in Dependency.objects.filter(project=project).select_related("predecessor", "successor")
    }
    baselines = {
        b.number: {
            (
                r.uid,
                r.name,
                local(r.start, tz),
                local(r.finish, tz),
                r.duration_minutes,
                r.work_minutes,
                r.cost,
            )
            for r in b.tasks.all()
        }
        for b in Baseline.objects.filter(project=project)
    }
    return {
        "start": local(schedule.start, tz),
        "status_date": local(schedule.status_date, tz),
        "calendar": calendar_content(schedule.calendar, project),
        "computed": (local(schedule.computed_start, tz), local(schedule.computed_finish, tz)),
        "tasks": tasks,
        "links": links,
        "baselines": baselines,
        "assignments": {
            (a.task.uid, a.resource_id, a.units, a.work_minutes, a.actual_work_minutes, a.cost)
            for a in Assignment.objects.filter(task__project=project).select_related("task")
        },
    }


def calendar_content(calendar: Calendar, project: Project) -> tuple:
    """A stored calendar's name (without the project's prefix), week and exceptions."""
    exceptions = tuple(
        (e.name, e.start_date, e.end_date, tuple(map(tuple, e.working_times)), e.recurs_yearly)
        for e in calendar.exceptions.order_by("start_date")
    )
    name = calendar.name.removeprefix(f"{project.code} · ")
    return name, tuple(tuple(map(tuple, day)) for day in calendar.working_week), exceptions


@pytest.mark.parametrize("key", samples.FILES)
def test_import_then_export_and_import_again_gives_the_same_schedule(key, org, tmp_path):
    # Given a sample file imported into Division North by its project manager
    source = samples.read(key)
    summary = project_import(actor=org.pm_north, path=samples.path(key), org_unit=org.north, code="IMP-1")
    project = summary.project
    # Then the project holds the file's tasks, links and calendars, and says what it left out
    assert (project.org_unit, project.name) == (org.north, source.name)
    assert Task.objects.filter(project=project).count() == summary.tasks == len(source.tasks)
    assert Dependency.objects.filter(project=project).count() == summary.dependencies == len(source.links)
    assert len(summary.resources.created) + len(summary.resources.matched) <= len(source.resources)
    assert summary.resources.assignments == Assignment.objects.filter(task__project=project).count()
    resources_before = Resource.objects.count()
    assert set(summary.warnings) >= set(source.warnings)
    # When it is exported as MS Project XML and that file is imported as another project
    exported = tmp_path / "exported.xml"
    written = project_export(user=org.pm_north, project=project, path=exported, format="mspdi")
    assert written.tasks == len(source.tasks) and exported.is_file()
    again_summary = project_import(actor=org.pm_north, path=exported, org_unit=org.north, code="IMP-2")
    again = again_summary.project
    # Then the resources are found again, not duplicated
    assert Resource.objects.count() == resources_before
    assert again_summary.resources.created == ()
    # And both projects have the same tasks, links, calendars, baselines, assignments and computed dates
    first, second = snapshot(project), snapshot(again)
    assert second["tasks"] == first["tasks"]
    assert second["links"] == first["links"]
    assert second == first


@pytest.mark.parametrize(
    "key",
    [
        "task-links",
        "mspdirelations",
        "commercial-construction",
        "mspdisplittask",
        "legacy-sample",
        "mspdiresource",
    ],
)
def test_imported_schedule_has_the_dates_ms_project_computed(key, org):
    # Given a file whose every leaf task Keel's engine schedules as MS Project did
    source = samples.read(key)
    project = project_import(actor=org.pm_north, path=samples.path(key), org_unit=org.north).project
    tz = ZoneInfo(ProjectSchedule.objects.get(project=project).time_zone)
    calendars = engine_calendars(source)
    stored = {t.uid: t for t in Task.objects.filter(project=project)}
    # Then after the import (calendars stored, dates in the unit's zone) every leaf task still agrees
    for task in source.tasks:
        if task.summary:
            continue
        timeline = Timeline(calendars[task.calendar_uid or source.default_calendar_uid], source.start)
        for field in ("start", "finish", "early_start", "early_finish", "late_start", "late_finish"):
            mine = local(getattr(stored[task.uid], field), tz)
            assert timeline.to_work(mine) == timeline.to_work(getattr(task, field)), (task.uid, field)
        if task.total_float is not None:
            assert stored[task.uid].total_float_minutes == task.total_float


def test_split_tasks_are_stored_with_their_pauses(org):
    # Given the file whose two tasks MS Project split into 2 and 3 stretches of work
    summary = project_import(actor=org.pm_north, path=samples.path("mspdisplittask"), org_unit=org.north)
    # Then the import stores their pauses (offset, pause in working minutes) and says nothing is lost
    stored = {t.uid: t.splits for t in Task.objects.filter(project=summary.project)}
    assert stored == {1: [[1920, 1440]], 2: [[1440, 960], [3840, 1440]]}
    assert not [w for w in summary.warnings if "split" in w]
    assert not [line for line in summary.lines() if "stretch" in line]


def test_import_summary_and_calendars(org):
    summary = project_import(
        actor=org.pm_north, path=samples.path("recurring-exceptions"), org_unit=org.north, code="CAL-1"
    )
    # The calendar's 27 exception definitions are stored as the days they change: MS Project's 140
    # exception days less the non-working ones that fall on a weekend anyway
    calendar = ProjectSchedule.objects.get(project=summary.project).calendar
    assert calendar.name == "CAL-1 · Standard" and summary.calendars == ("CAL-1 · Standard",)
    stored = {
        e.start_date + dt.timedelta(days=n)
        for e in calendar.exceptions.all()
        for n in range((e.end_date - e.start_date).days + 1)
    }
    expected = engine_calendars(samples.read("recurring-exceptions"))[1]
    changed = {
        day
        for day, intervals in expected.exception_days(dt.date(2012, 12, 31)).items()
        if intervals != expected.week[day.weekday()]
    }
    assert stored == changed and len(changed) == 92
    saturday = calendar.exceptions.get(start_date=dt.date(2010, 2, 6))
    assert saturday.working_times == [["09:00", "13:00"], ["14:00", "17:00"]]
    assert summary.project.code == "CAL-1"
    assert summary.lines()[0].startswith(
        "Imported mpxj__calendar-recurring-exceptions-project2016-mspdi.xml (MSPDI"
    )


def test_resources_and_assignments_come_in_and_are_matched_on_the_next_import(org):
    # Given MS Project's resource sample (three people on their own calendars, one material)
    summary = project_import(actor=org.pm_north, path=samples.path("mspdiresource"), org_unit=org.north)
    project = summary.project
    assert project.code == "MSPDIRESOURCE"
    # Then pm_north, who may not change NORTH's pools, gets them in the unit's imported-resources pool
    pool = ResourcePool.objects.get(code="NORTH-IMPORTED")
    assert (pool.org_unit, summary.resources.pool) == (org.north, pool)
    assert AuditEntry.objects.filter(object_id=str(pool.pk), action="create").exists()
    people = {r.name: r for r in Resource.objects.filter(pool=pool)}
    assert set(people) == {"Wade Golden", "Jon Iles", "Brian Leach", "Concrete"}
    wade = people["Wade Golden"]
    assert (wade.code, wade.kind, wade.max_units, wade.email, wade.home_unit) == (
        "10",
        Resource.Kind.PERSON,
        100,
        "wade.golden@steelray.com",
        org.north,
    )
    assert people["Concrete"].kind == Resource.Kind.EQUIPMENT
    rate = CostRate.objects.get(resource=wade)
    assert (rate.standard_rate, rate.currency) == (Decimal("50.00"), project.currency)
    # Their own calendars came along where they differ from the project's
    assert wade.calendar is not None
    # And the five assignments, with units, work and cost
    rows = Assignment.objects.filter(task__project=project).select_related("task", "resource")
    assert rows.count() == summary.resources.assignments == 5
    first = rows.get(task__uid=2, resource=wade)
    assert (first.units, first.work_minutes, first.uid) == (100, 1440, 5)
    lines = summary.lines()
    assert (
        "  4 resource(s): 4 created in pool NORTH-IMPORTED, 0 matched to existing ones; 5 assignment(s)"
        in lines
    )
    # When the same file comes in again as another project, the resources are matched, not duplicated
    again = project_import(actor=org.pm_north, path=samples.path("mspdiresource"), org_unit=org.north)
    assert Resource.objects.count() == 4
    assert (again.resources.created, set(again.resources.matched)) == ((), set(people))
    assert Assignment.objects.filter(task__project=again.project).count() == 5


def test_resources_go_to_a_pool_the_importer_manages(org):
    # Given a NORTH pool and a resource of the same name in it, and an administrator importing
    from keel.core.services import audited_create

    pool = ResourcePool(code="NORTH-ENG", name="Engineers", org_unit=org.north)
    audited_create(actor=org.admin, instance=pool)
    jon = Resource(pool=pool, code="JI", name="Jon Iles", home_unit=org.north)
    audited_create(actor=org.admin, instance=jon)
    summary = project_import(actor=org.admin, path=samples.path("mspdiresource"), org_unit=org.north)
    # Then Jon Iles is the existing resource and the others are created in the pool the admin may change
    assert summary.resources.matched == ("Jon Iles",)
    assert set(Resource.objects.filter(pool=pool).values_list("name", flat=True)) == {
        "Jon Iles",
        "Wade Golden",
        "Brian Leach",
        "Concrete",
    }
    assert not ResourcePool.objects.filter(code="NORTH-IMPORTED").exists()
    assert Assignment.objects.filter(task__project=summary.project, resource=jon).count() == 1


def test_a_file_that_cannot_be_read_leaves_nothing(org, tmp_path):
    before = row_counts()
    broken = tmp_path / "plan.xml"
    broken.write_text(samples.path("legacy-sample").read_text(encoding="utf-8")[:5000], encoding="utf-8")
    with pytest.raises(InterchangeError, match=r"^plan\.xml: MPXJ cannot read this file"):
        project_import(actor=org.pm_north, path=broken, org_unit=org.north)
    assert row_counts() == before


def test_a_file_that_cannot_be_mapped_leaves_nothing(org, tmp_path):
    # Given a file whose links form a loop (MPXJ reads it; Keel's engine refuses it)
    source = samples.read("mspdirelations")
    looped = dataclasses.replace(
        source, links=(*source.links, Link(predecessor_uid=5, successor_uid=1, type=LinkType.FS))
    )
    path = tmp_path / "loop.xml"
    mpxj.write_project(looped, path, "mspdi")
    before = row_counts()
    # When it is imported Then the loop is named and nothing is left: no project, calendar or task
    with pytest.raises(ValidationError) as error:
        project_import(actor=org.pm_north, path=path, org_unit=org.north, code="LOOP")
    assert "loop" in str(error.value)
    assert row_counts() == before


def test_an_import_the_user_may_not_make_leaves_nothing(org):
    before = row_counts()
    with pytest.raises(PermissionDenied):
        project_import(actor=org.member_north, path=samples.path("task-links"), org_unit=org.north)
    with pytest.raises(PermissionDenied):
        project_import(actor=org.pm_south, path=samples.path("task-links"), org_unit=org.north)
    assert row_counts() == before


def test_export_of_a_project_out_of_scope_is_not_found(org, tmp_path):
    project = project_import(actor=org.pm_north, path=samples.path("task-links"), org_unit=org.north).project
    with pytest.raises(NotFound):
        project_export(user=org.pm_south, project=project, path=tmp_path / "x.xml", format="mspdi")
    assert not (tmp_path / "x.xml").exists()


def test_export_to_primavera_and_back(org, tmp_path):
    # Given an imported project with summary tasks, milestones and SS links
    project = project_import(
        actor=org.pm_north, path=samples.path("NewProductDev"), org_unit=org.north
    ).project
    # When it is exported as Primavera XER and P6 XML and read back
    for format, suffix in (("xer", ".xer"), ("pmxml", ".xml")):
        path = tmp_path / f"plan{suffix}"
        project_export(user=org.member_north, project=project, path=path, format=format)
        read = mpxj.read_project(path)
        # Then the activities, their durations and the links between them are there
        stored = {t.uid: t for t in Task.objects.filter(project=project)}
        for task in read.tasks:
            if task.uid in stored and not stored[task.uid].is_summary:
                assert task.duration == stored[task.uid].duration_minutes
        leaf_links = {
            (d.predecessor.uid, d.successor.uid, d.type)
            for d in Dependency.objects.filter(project=project).select_related("predecessor", "successor")
            if not d.predecessor.is_summary and not d.successor.is_summary
        }
        assert {(k.predecessor_uid, k.successor_uid, k.type.value) for k in read.links} == leaf_links


@pytest.mark.parametrize(("format", "suffix"), [("mspdi", ".xml"), ("xer", ".xer"), ("pmxml", ".xml")])
def test_resources_and_assignments_go_out_and_come_back(org, tmp_path, format, suffix):
    # Given the resource sample imported into NORTH (four resources, five assignments)
    project = project_import(
        actor=org.pm_north, path=samples.path("mspdiresource"), org_unit=org.north
    ).project
    stored = {
        (a.task.uid, a.resource.code, a.units, a.work_minutes)
        for a in Assignment.objects.filter(task__project=project).select_related("task", "resource")
    }
    # When it is exported and the file read back: the resources the project uses (Concrete, assigned
    # to no task, stays in the pool: Keel keeps no list of a project's resources besides its assignments)
    path = tmp_path / f"resources{suffix}"
    written = project_export(user=org.pm_north, project=project, path=path, format=format)
    assert (written.resources, written.assignments) == (3, 5)
    read = mpxj.read_project(path)
    # Then the file holds the resources by code and name, and the assignments with units and work
    codes = {r.uid: r.code for r in read.resources}
    assert {(r.code, r.name) for r in read.resources} == set(
        Resource.objects.filter(assignments__task__project=project).values_list("code", "name").distinct()
    )
    assert {(a.task_uid, codes[a.resource_uid], int(a.units), a.work) for a in read.assignments} == stored
    # And importing that file again finds the same resources: no duplicates
    again = project_import(actor=org.pm_north, path=path, org_unit=org.north)
    assert again.resources.created == () and Resource.objects.count() == 4
    assert Assignment.objects.filter(task__project=again.project).count() == 5


def test_baselines_come_in_and_go_out(org, tmp_path):
    # Given a file with a saved baseline (written by Keel from a sample with Baseline and Baseline3)
    source = samples.read("mspdirelations")
    baselines = []
    for task in source.tasks:
        for number, shift in ((0, 0), (3, 1)):
            baselines.append(
                dataclasses.replace(
                    _baseline(task, number),
                    start=task.start + dt.timedelta(days=shift),
                    finish=task.finish + dt.timedelta(days=shift),
                )
            )
    saved = dt.datetime.fromisoformat("2006-09-01 09:00")
    with_baselines = dataclasses.replace(
        source, baselines=tuple(baselines), baseline_dates=((0, saved), (3, saved + dt.timedelta(days=7)))
    )
    path = tmp_path / "baselined.xml"
    mpxj.write_project(with_baselines, path, "mspdi")
    # When it is imported Then both baselines are kept with their dates and values (MS Project XML
    # does not carry the date a baseline was saved: the import's time stands in)
    summary = project_import(actor=org.pm_north, path=path, org_unit=org.north, code="BL-1")
    assert summary.baselines == (0, 3)
    stored = {b.number: b for b in Baseline.objects.filter(project=summary.project)}
    tz = ZoneInfo(ProjectSchedule.objects.get(project=summary.project).time_zone)
    assert {b.number: b.name for b in stored.values()} == {0: "Baseline", 3: "Baseline3"}
    row = stored[3].tasks.get(uid=1)
    assert (local(row.start, tz), row.duration_minutes, row.cost) == (
        source.task(1).start + dt.timedelta(days=1),
        480,
        Decimal("0.00"),
    )
    # And an export carries them out again
    again = tmp_path / "again.xml"
    project_export(user=org.pm_north, project=summary.project, path=again, format="mspdi")
    assert {(b.number, b.task_uid) for b in mpxj.read_project(again).baselines} == {
        (b.number, b.task_uid) for b in baselines
    }


def _baseline(task, number):
    """A baseline row of a task with its current values."""
    from keel.interchange.model import TaskBaseline

    return TaskBaseline(
        task_uid=task.uid, number=number, duration=task.duration, work=task.work, cost=task.cost
    )


def test_keel_import_and_export_commands(org, tmp_path):
    # Given a project manager at the command line
    out, err = StringIO(), StringIO()
    call_command(
        "import",
        str(samples.path("legacy-sample")),
        "--unit",
        "NORTH",
        "--code",
        "CMD-1",
        "--user",
        "pm_north",
        stdout=out,
        stderr=err,
    )
    # Then the import shows its progress and prints what came in
    assert "… Reading mpxj__legacy-sample.xml" in err.getvalue()
    printed = out.getvalue()
    assert "as project CMD-1 'sample' in NORTH:" in printed
    assert "19 tasks (3 summary tasks, 1 milestones), 6 dependencies" in printed
    assert (
        "2 resource(s): 2 created in pool NORTH-IMPORTED, 0 matched to existing ones; 2 assignment(s)"
        in printed
    )
    assert (
        "warning: task 'Second Task' (UID 2): its resources work on other calendars, which made it span "
        "24000 working minutes of the task's calendar in the file; Keel holds that span as its duration "
        "(the file's duration: 48000 minutes on its resources' hours)"
    ) in printed
    assert Task.objects.get(project__code="CMD-1", uid=2).duration_minutes == 24000
    # And the export writes a Primavera file that reads back
    output = tmp_path / "cmd.xer"
    out = StringIO()
    call_command(
        "export", "CMD-1", "--format", "xer", "--output", str(output), "--user", "pm_north", stdout=out
    )
    assert out.getvalue().startswith(f"Wrote {output} (Primavera P6 XER): 19 tasks, 6 dependencies")
    assert "2 resource(s), 2 assignment(s)" in out.getvalue()
    assert len(mpxj.read_project(output).tasks) >= 19


def test_keel_import_without_a_unit_uses_the_top_unit(org):
    out = StringIO()
    call_command("import", str(samples.path("task-links")), "--user", "admin", stdout=out)
    assert "in CPMO:" in out.getvalue()
    assert Project.objects.get(code="TASK-LINKS-PROJECT2019-MSPDI").org_unit == org.central


def test_keel_import_command_refuses_clearly(org, tmp_path):
    broken = tmp_path / "broken.xer"
    broken.write_text("ERMHDR\t20.12\n%T\tTASK\n%F\ttask_id\n%R\tnot-a-number\n", encoding="utf-8")
    before = row_counts()
    with pytest.raises(CommandError, match=r"Nothing was imported\.\nbroken\.xer: not a project file format"):
        call_command("import", str(broken), "--unit", "NORTH", "--user", "pm_north")
    with pytest.raises(CommandError, match="There is no org unit 'SOUTH' that pm_north may see"):
        call_command("import", str(samples.path("task-links")), "--unit", "SOUTH", "--user", "pm_north")
    with pytest.raises(CommandError, match="project_code|code"):
        call_command(
            "import",
            str(samples.path("task-links")),
            "--unit",
            "NORTH",
            "--code",
            "bad code!",
            "--user",
            "pm_north",
        )
    assert row_counts() == before
    with pytest.raises(CommandError, match="There is no project 'NOPE' that pm_north may see"):
        call_command("export", "NOPE", "--user", "pm_north")


def test_the_largest_sample_imports_in_one_go(org):
    summary = project_import(
        actor=org.pm_north, path=samples.path("commercial-construction"), org_unit=org.north, code="BIG-1"
    )
    assert (summary.tasks, summary.dependencies, summary.summary_tasks) == (145, 176, 19)
    assert summary.finish is not None and summary.finish.astimezone(
        ZoneInfo("Europe/Oslo")
    ).date() == dt.date(2001, 4, 26)
    assert Path(samples.path("commercial-construction")).name in summary.lines()[0]
