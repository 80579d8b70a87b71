"""Imported schedules recomputed by Keel's engine agree with the dates MS Project stored in the files.

Each MSPDI sample is read through MPXJ, converted with :func:`to_engine` and scheduled; every leaf task's
dates are compared in working time on its calendar (MS Project writes a finish at 08:00 of the next
working day as readily as at 17:00), floats in minutes, the critical flag as is — by
:func:`keel.interchange.compare.compare`, the comparison `keel schedule --compare` reports. The differences allowed
are exactly those the engine's golden tests list, with their reasons, in ``KNOWN_DIFFERENCES``.
"""

from __future__ import annotations

import functools

import pytest

from keel.engines.cpm import Schedule, schedule
from keel.interchange.compare import ALL_FIELDS, compare
from keel.interchange.model import to_engine
from tests.engines.test_golden_mspdi import KNOWN_DIFFERENCES
from tests.interchange import samples

pytestmark = samples.needs_data

SCHEDULED_FILES = [
    "task-links",
    "mspdirelations",
    "legacy-sample",
    "NewProductDev",
    "commercial-construction",
    "mspdiduration",
    "mspdisplittask",
    "mspdiresource",
]
# The golden tests name the float fields as MSPDI does.
GOLDEN_FIELD = {"total_float": "total_slack", "free_float": "free_slack"}


@functools.cache
def scheduled(key: str) -> Schedule:
    """A sample file scheduled by Keel's engine (once per process)."""
    return schedule(to_engine(samples.read(key)))


def mismatches(key: str) -> set[tuple[str, str, str]]:
    """(file, task UID, field) of every leaf task value where Keel and the stored schedule differ."""
    comparison = compare(samples.read(key), scheduled(key).tasks, ALL_FIELDS)
    return {(key, str(d.uid), GOLDEN_FIELD.get(d.field, d.field)) for d in comparison.differences}


@pytest.mark.parametrize("key", SCHEDULED_FILES)
def test_recomputed_leaf_tasks_match_the_stored_schedule(key):
    # Given a sample file imported through MPXJ, when Keel's engine reschedules it
    found = mismatches(key)
    # Then every leaf task agrees with the stored schedule, apart from the engine's known differences
    # (none for task-links, mspdirelations, legacy-sample and Commercial construction)
    known = {case for case in KNOWN_DIFFERENCES if case[0] == key}
    assert found == known


def test_critical_path_of_the_task_links_file():
    # Given the task-links file, where MS Project flags two tasks and the project summary critical
    critical = {uid for uid, task in scheduled("task-links").tasks.items() if task.critical}
    # Then Keel finds the same two tasks
    stored = {str(t.uid) for t in samples.read("task-links").tasks if t.critical}
    assert critical == stored == {"9", "10"}
