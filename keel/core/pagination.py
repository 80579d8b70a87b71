"""Pagination shared by pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class Page:
    """One page of a list with the numbers a pager needs."""

    items: list[Any]
    number: int
    size: int
    count: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return 0 if self.count == 0 else (self.number - 1) * self.size + 1

    @property
    def last_index(self) -> int:
        return min(self.count, self.number * self.size)


def paginate(queryset: QuerySet[Any], *, page: int = 1, size: int = 25) -> Page:
    """Return one page of `queryset`; a page past the end gives the last page."""
    size = max(1, min(size, 500))
    count = queryset.count()
    pages = max(1, -(-count // size))
    number = max(1, min(page, pages))
    start = (number - 1) * size
    return Page(items=list(queryset[start : start + size]), number=number, size=size, count=count)
