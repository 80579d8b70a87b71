"""Project files imported in the background: upload checks, the job's run, its progress and summary.

The task backend is django-tasks' ImmediateBackend (the same task code, run at once when the upload's
transaction commits), except in the last test, which queues the job in the database and runs the
worker as `keel worker --batch` does. Uploads go to a temporary media folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from keel.core.errors import NotFound, PermissionDenied
from keel.orgs.models import Calendar
from keel.portfolio.models import Project
from keel.schedule import import_jobs
from keel.schedule.models import Dependency, ImportJob, Task

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
_WORKING = (
    "<WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>"
    "<WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime></WorkingTimes>"
)


def _day(number: int) -> str:
    working = number not in (1, 7)  # 1 = Sunday, 7 = Saturday
    return (
        f"<WeekDay><DayType>{number}</DayType><DayWorking>{int(working)}</DayWorking>"
        f"{_WORKING if working else ''}</WeekDay>"
    )


def _task(
    uid: int, name: str, hours: int, level: int, pred: int = 0, kind: int = 1, lag: int = 0, **flags: bool
) -> str:
    link = (
        f"<PredecessorLink><PredecessorUID>{pred}</PredecessorUID><Type>{kind}</Type>"
        f"<LinkLag>{lag}</LinkLag><LagFormat>7</LagFormat></PredecessorLink>"
        if pred
        else ""
    )
    return (
        f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><OutlineLevel>{level}</OutlineLevel>"
        f"<Summary>{int(flags.get('summary', False))}</Summary><Milestone>{int(flags.get('milestone', False))}"
        f"</Milestone><Duration>PT{hours}H0M0S</Duration><DurationFormat>7</DurationFormat>{link}</Task>"
    )


PLAN = (
    '<?xml version="1.0" encoding="UTF-8"?><Project xmlns="http://schemas.microsoft.com/project">'
    "<Title>Warehouse fit-out</Title><StartDate>2025-03-03T08:00:00</StartDate><CalendarUID>1</CalendarUID>"
    "<MinutesPerDay>480</MinutesPerDay><MinutesPerWeek>2400</MinutesPerWeek><Calendars><Calendar><UID>1</UID>"
    f"<Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar><WeekDays>{''.join(_day(n) for n in range(1, 8))}"
    "</WeekDays></Calendar></Calendars><Tasks>"
    + _task(1, "Fit-out", 0, 1, summary=True)
    + _task(2, "Design", 16, 2)
    + _task(3, "Build", 24, 2, pred=2)
    + _task(4, "Inspect", 8, 2, pred=3, kind=3, lag=4800)
    + _task(5, "Handover", 0, 1, pred=4, milestone=True)
    + "</Tasks></Project>"
).encode()
"""A small MS Project XML file: a summary with three tasks (an FS and an SS+1d link) and a milestone."""


def upload(content: bytes = PLAN, name: str = "fit-out.xml") -> SimpleUploadedFile:
    """An uploaded file as Django hands it to a view."""
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """Uploads go to a temporary media folder; jobs run at once when their transaction commits."""
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = IMMEDIATE
    return tmp_path


def stored_uploads(media: Path) -> list[Path]:
    """Files waiting in the media folder's imports/."""
    folder = media / import_jobs.IMPORT_FOLDER
    return sorted(path for path in folder.rglob("*")) if folder.is_dir() else []


def run_import(org, user, unit, django_capture_on_commit_callbacks, **kwargs) -> ImportJob:
    """Upload as `user` into `unit` and let the job run; the job as stored afterwards."""
    with django_capture_on_commit_callbacks(execute=True):
        job = import_jobs.import_job_create(
            actor=user, org_unit=unit, upload=kwargs.pop("file", upload()), **kwargs
        )
    job.refresh_from_db()
    return job


def test_an_uploaded_file_is_imported_by_the_background_job(org, media, django_capture_on_commit_callbacks):
    # Given pm_north uploads an MS Project file into NORTH
    job = run_import(org, org.pm_north, org.north, django_capture_on_commit_callbacks, code="WH-FIT")
    # Then the job ran: it succeeded at 100 % and says what came in
    assert (job.status, job.progress, job.stage, job.error) == ("succeeded", 100, "Imported", "")
    assert job.started_at is not None and job.finished_at >= job.started_at
    summary = job.summary
    assert summary["project"] == {"id": job.project.pk, "code": "WH-FIT", "name": "Warehouse fit-out"}
    assert (summary["tasks"], summary["summary_tasks"], summary["milestones"]) == (5, 1, 1)
    assert summary["dependencies"] == 3
    assert summary["dependencies_by_type"] == {"FS": 2, "SS": 1, "FF": 0, "SF": 0}
    assert summary["calendars"] == ["WH-FIT · Standard"]
    assert summary["baselines"] == []
    assert (summary["resources_created"], summary["resources_matched"], summary["assignments"]) == (0, 0, 0)
    assert summary["start"].startswith("2025-03-03T08:00") and summary["finish"].startswith(
        "2025-03-07T17:00"
    )
    assert summary["file_format"].startswith("MSPDI")
    # And the project is in NORTH with its schedule; the upload is gone
    project = Project.objects.get(code="WH-FIT")
    assert project.org_unit == org.north and job.project == project
    assert Task.objects.filter(project=project).count() == 5
    assert Dependency.objects.filter(project=project, type="SS", lag=480).count() == 1
    assert (job.file_name, job.file_size, job.upload) == ("fit-out.xml", len(PLAN), "")
    assert stored_uploads(media) == []


def test_a_file_that_cannot_be_read_fails_clearly_and_leaves_no_project(
    org, media, django_capture_on_commit_callbacks
):
    # Given an MS Project XML file cut off half way
    projects, calendars = Project.objects.count(), Calendar.objects.count()
    broken = upload(PLAN[: len(PLAN) // 2], "cut.xml")
    # When it is imported
    job = run_import(org, org.pm_north, org.north, django_capture_on_commit_callbacks, file=broken)
    # Then the job failed naming the file and MPXJ's reason, and nothing was created
    assert job.status == "failed"
    assert job.error.startswith("cut.xml: MPXJ cannot read this file: ")
    assert job.stage == "Failed: nothing was imported" and job.project is None and job.summary == {}
    assert (Project.objects.count(), Calendar.objects.count()) == (projects, calendars)
    assert stored_uploads(media) == []


def test_a_code_taken_meanwhile_fails_the_job_naming_the_field(
    org, media, django_capture_on_commit_callbacks
):
    # Given a job queued for code WH-FIT, and a project that takes the code before the job runs
    job = import_jobs.import_job_create(
        actor=org.pm_north, org_unit=org.north, upload=upload(), code="WH-FIT"
    )
    run_import(org, org.pm_north, org.north, django_capture_on_commit_callbacks, code="WH-FIT")
    # When the first job runs Then it fails naming the code, and imports nothing more
    import_jobs.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error.startswith("code: ")
    assert Project.objects.filter(code__startswith="WH-FIT").count() == 1


def test_a_job_runs_once(org, media, django_capture_on_commit_callbacks):
    job = run_import(org, org.pm_north, org.north, django_capture_on_commit_callbacks)
    assert import_jobs.import_job_run(job_id=job.pk) is None
    assert Project.objects.filter(name="Warehouse fit-out").count() == 1


@pytest.mark.parametrize(
    ("file", "field", "message"),
    [
        (None, "file", "Choose the project file to import."),
        (upload(b"", "empty.mpp"), "file", "empty.mpp is empty."),
        (
            upload(b"Kick-off on Monday.\n", "notes.txt"),
            "file",
            "notes.txt is not a project file Keel reads; send a file from MS Project (.mpp, .xml), "
            "Primavera (.xer, P6 XML), GanttProject (.gan), Planner, MPX.",
        ),
        (upload(b"%PDF-1.7 ...", "plan.pdf"), "file", "plan.pdf is not a project file Keel reads;"),
    ],
)
def test_bad_uploads_are_refused_naming_the_field_and_store_nothing(org, media, file, field, message):
    with pytest.raises(ValidationError) as error:
        import_jobs.import_job_create(actor=org.pm_north, org_unit=org.north, upload=file)
    assert error.value.message_dict[field][0].startswith(message)
    assert ImportJob.objects.count() == 0 and stored_uploads(media) == []


def test_a_file_without_a_known_name_is_taken_by_its_content(org, media):
    job = import_jobs.import_job_create(actor=org.pm_north, org_unit=org.north, upload=upload(PLAN, "export"))
    assert job.status == "queued"
    assert [path.name for path in stored_uploads(media) if path.is_file()] == ["export"]


def test_an_oversized_file_is_refused(org, media, settings):
    settings.KEEL_IMPORT_MAX_MB = 1
    big = upload(b"<" + b" " * (1024 * 1024), "huge.xml")
    with pytest.raises(import_jobs.FileTooLarge) as error:
        import_jobs.import_job_create(actor=org.pm_north, org_unit=org.north, upload=big)
    assert error.value.message_dict["file"] == ["huge.xml is 1.0 MB; Keel imports files of at most 1 MB."]
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize(
    ("code", "message"),
    [("N-001", "Project code N-001 is already used; choose another."), ("no spaces!", None)],
)
def test_a_bad_or_taken_code_is_refused_before_queuing(org, media, code, message):
    with pytest.raises(ValidationError) as error:
        import_jobs.import_job_create(actor=org.pm_north, org_unit=org.north, upload=upload(), code=code)
    assert "code" in error.value.message_dict
    if message:
        assert error.value.message_dict["code"] == [message]
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize("who", ["pm_north", "exec", "member_north", "outsider"])
def test_only_those_who_may_create_projects_in_the_unit_may_import_into_it(org, media, who):
    # pm_north manages NORTH, not SOUTH; the executive and a team member create no projects
    with pytest.raises(PermissionDenied, match="^org_unit: "):
        import_jobs.import_job_create(actor=getattr(org, who), org_unit=org.south, upload=upload())
    assert ImportJob.objects.count() == 0 and stored_uploads(media) == []


def test_jobs_are_scoped_like_their_org_unit(org, media):
    # Given a job in NORTH
    job = import_jobs.import_job_create(actor=org.pm_north, org_unit=org.north, upload=upload())
    # Then NORTH's people and those above see it; SOUTH's manager and an outsider do not
    for user in (org.pm_north, org.member_north, org.exec, org.admin):
        assert import_jobs.import_job_get_for_user(user, job.pk) == job
        assert list(import_jobs.import_job_list_for_user(user)) == [job]
    for user in (org.pm_south, org.outsider):
        with pytest.raises(NotFound):
            import_jobs.import_job_get_for_user(user, job.pk)
        assert list(import_jobs.import_job_list_for_user(user)) == []


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_and_the_worker_run_the_job(org, settings, tmp_path):
    # Given the database task backend (Keel's default) and an upload
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = DATABASE
    job = import_jobs.import_job_create(actor=org.pm_north, org_unit=org.north, upload=upload(), code="WH-Q")
    # Then the committed upload queued one task, and the job waits for a worker
    queued = DBTaskResult.objects.get()
    assert queued.status == "READY" and queued.args_kwargs["args"] == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.progress, job.stage) == ("queued", 0, "Waiting for a worker")
    # When a worker runs the queue once (as `keel worker --batch`)
    call_command("worker", batch=True, interval=0, verbosity=0)
    # Then the job succeeded and the project exists
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert Project.objects.get(code="WH-Q").org_unit == org.north
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
