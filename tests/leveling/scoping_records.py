"""Leveling runs of each division, for the generic scoping tests (see tests/scoping_hooks.py)."""

from __future__ import annotations

from keel.resources import leveling
from keel.resources.models import LevelingRun, ResourcePool

REF_FIELDS = ("project", "pool")
GOVERNED_MODELS = (LevelingRun,)


def api_records(*, org, name, unit, pm, project):
    """A pool and a (queued) leveling run of the division's project."""
    pool = ResourcePool.objects.create(
        code=f"LVL-{name.upper()}", name=f"{name} leveling pool", org_unit=unit
    )
    run = leveling.leveling_run_create(actor=pm, project=project)
    return {"run_id": run}, {"project": project, "pool": pool}


def _south_run(org, extra):
    run = LevelingRun.objects.filter(project=org.project_south).first()
    if run is None:
        run = leveling.leveling_run_create(actor=org.pm_south, project=org.project_south)
    return run.pk


SOUTH_PAGE_RECORDS = {"run_id": _south_run}
EXECUTIVE_PAGES = {"leveling:run_list", "leveling:run_detail"}
