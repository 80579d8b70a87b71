"""Every API schema class has a name of its own: the OpenAPI document keys schemas by class name, so two
classes with one name would silently describe one endpoint with the other's fields."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

import keel.api  # noqa: F401 - imports every app's API module and its schemas


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def test_schema_class_names_are_unique():
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("keel."):
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    clashes = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not clashes, f"schema classes sharing a name: {clashes}"
