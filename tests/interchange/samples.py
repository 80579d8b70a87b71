"""The sample project files beside the repository (../shared/data, see SOURCES.md there), read once per run.

Reading a file starts the JVM the first time (once per test process); each file is read at most once
per process, so the test modules share the work.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from keel.interchange import mpxj
from keel.interchange.model import InterchangeProject

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

MSPDI_FILES = {
    "task-links": "mspdi/mpxj__task-links-project2019-mspdi.xml",
    "mspdirelations": "mspdi/mpxj__mspdirelations.xml",
    "legacy-sample": "mspdi/mpxj__legacy-sample.xml",
    "calendar-calendars": "mspdi/mpxj__calendar-calendars-project2019-mspdi.xml",
    "recurring-exceptions": "mspdi/mpxj__calendar-recurring-exceptions-project2016-mspdi.xml",
    "mspdiduration": "mspdi/mpxj__mspdiduration.xml",
    "mspdisplittask": "mspdi/mpxj__mspdisplittask.xml",
    "mspdiresource": "mspdi/mpxj__mspdiresource.xml",
    "NewProductDev": "mspdi/aspose-java__NewProductDev.xml",
    "commercial-construction": (
        "mspdi/derived_from_mpp/projectlibre__Commercial-construction-project-plan.mpxj-mspdi.xml"
    ),
}
GANTTPROJECT_FILES = {"house-building": "ganttproject/ganttproject__HouseBuildingSample.gan"}
FILES = {**MSPDI_FILES, **GANTTPROJECT_FILES}

needs_data = pytest.mark.skipif(not (DATA / "mspdi").is_dir(), reason=f"shared test data not found at {DATA}")


def path(key: str) -> Path:
    """The path of a sample file."""
    return DATA / FILES[key]


@functools.cache
def read(key: str) -> InterchangeProject:
    """A sample file read through MPXJ (once per process)."""
    return mpxj.read_project(path(key))
