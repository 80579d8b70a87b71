"""Per-app records for the two generic scoping tests (tests/api/test_scoping.py, tests/test_page_scoping.py).

An app whose endpoints or pages take path parameters of its own adds `tests/<app>/scoping_records.py`
with any of:

- ``def api_records(*, org, name, unit, pm, project) -> tuple[dict, dict]``: records of one division
  ("north" or "south"), made through the services, as (path parameter -> record, body field -> record);
- ``REF_FIELDS``: body fields naming a record (filled from ``api_records``' refs), e.g. ``("resource",)``;
- ``PLAIN_VALUES``: values for required body fields that name no record, e.g. ``{"hours": 8}``;
- ``GOVERNED_MODELS``: models whose row counts must not change when a write is refused;
- ``SOUTH_PAGE_RECORDS``: page path parameter -> ``lambda org, extra: pk`` of a SOUTH record;
- ``EXECUTIVE_PAGES``: names of pages an executive viewer may open (GET);
- ``PERSONAL_PAGES``: names of pages whose POST acts on the user's own records only (an executive may use them);
- ``OWN_PAGE_RECORDS``: path parameter -> ``lambda org, extra: pk`` of the administrator's own record,
  for parameters naming a person's own records (the administrator's page check uses them).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType


def modules() -> list[ModuleType]:
    """Every tests/<app>/scoping_records.py, imported, in a stable order."""
    here = Path(__file__).parent
    return [
        importlib.import_module(f"tests.{path.parent.name}.scoping_records")
        for path in sorted(here.glob("*/scoping_records.py"))
    ]
