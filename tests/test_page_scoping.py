"""Every HTML page, found by walking the URL configuration, keeps sibling divisions apart.

The pages are not listed by hand: a new page is picked up automatically, and a page with a path
parameter this module does not know fails until the parameter is mapped to a SOUTH record here.
The JSON API (/api/v1/) has its own scoping tests, the Django admin its own (tests/orgs/test_admin.py);
static files and the sign-in/sign-out views are not pages of the application.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from keel.orgs import services as org_services
from keel.orgs.models import Membership
from keel.portfolio import services as portfolio_services
from keel.schedule import services as schedule_services
from keel.schedule.models import Dependency, ImportJob, Task
from tests import scoping_hooks

EXCLUDED_PREFIXES = ("api/v1/", "admin/", "static/")
EXCLUDED_NAMES = {"login", "logout"}  # the sign-in flow, tested in tests/orgs/test_views.py

# Path parameter -> how to find the SOUTH record it names, given the org fixture and the extra records.
SOUTH_RECORD = {
    "project_id": lambda org, extra: org.project_south.pk,
    "unit_id": lambda org, extra: org.south.pk,
    "user_id": lambda org, extra: org.pm_south.pk,
    "membership_id": lambda org, extra: Membership.objects.get(user=org.pm_south).pk,
    "token_id": lambda org, extra: extra["south_token"].pk,
    "task_id": lambda org, extra: south_schedule(org)[0].pk,
    "link_id": lambda org, extra: south_schedule(org)[1].pk,
    "job_id": lambda org, extra: extra["south_import"].pk,
}
for _module in scoping_hooks.modules():
    SOUTH_RECORD.update(getattr(_module, "SOUTH_PAGE_RECORDS", {}))
# Parameters naming records that belong to one person rather than to a unit: the administrator's
# page check uses the administrator's own record.
OWN_RECORD = {"token_id": lambda org, extra: extra["admin_token"].pk}
for _module in scoping_hooks.modules():
    OWN_RECORD.update(getattr(_module, "OWN_PAGE_RECORDS", {}))

# Pages an executive viewer may open (GET). Every other page must answer an executive 403 or 404,
# so a new page that lets someone change something is refused to viewers until listed here.
EXECUTIVE_MAY_VIEW = {
    "home",
    "portfolio:project_list",
    "portfolio:project_export",
    "portfolio:project_detail",
    "schedule:portfolio",
    "schedule:gantt",
    "schedule:import_job",  # follows an import, changes nothing
    "orgs:token_list",  # the user's own tokens
}
for _module in scoping_hooks.modules():
    EXECUTIVE_MAY_VIEW |= set(getattr(_module, "EXECUTIVE_PAGES", ()))
# Pages where a POST acts on the user's own account only, so an executive may use them.
PERSONAL_POST = {"orgs:token_list"}
for _module in scoping_hooks.modules():
    PERSONAL_POST |= set(getattr(_module, "PERSONAL_PAGES", ()))

SOUTH_TEXTS = ("S-001", "Madrid office move")
NORTH_TEXTS = ("N-001", "Oslo data centre")


@dataclass(frozen=True)
class Page:
    """One URL pattern of the HTML interface."""

    name: str
    route: str
    params: tuple[str, ...]

    def url(self, org, extra, records=SOUTH_RECORD) -> str:
        """The page's URL with every parameter naming a record (SOUTH by default)."""
        unknown = [p for p in self.params if p not in SOUTH_RECORD]
        assert not unknown, f"{self.name}: map the path parameter(s) {unknown} in SOUTH_RECORD"
        kwargs = {p: (records.get(p) or SOUTH_RECORD[p])(org, extra) for p in self.params}
        return reverse(self.name, kwargs=kwargs)


def _walk(patterns, prefix: str = "", namespace: str = "", params: tuple[str, ...] = ()):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        names = params + tuple(getattr(entry.pattern, "converters", {}) or entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, route, full_ns, names)
        elif isinstance(entry, URLPattern):
            if route.startswith(EXCLUDED_PREFIXES) or not entry.name:
                continue
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            if name in EXCLUDED_NAMES:
                continue
            yield Page(name=name, route=route, params=names)


def _pages() -> list[Page]:
    return sorted(_walk(get_resolver().url_patterns), key=lambda p: p.name)


PAGES = _pages()
LIST_PAGES = [p for p in PAGES if not p.params]
RECORD_PAGES = [p for p in PAGES if p.params]


def test_the_walk_finds_the_pages_we_know():
    names = {p.name for p in PAGES}
    assert {"home", "portfolio:project_list", "portfolio:project_detail", "orgs:unit_update"} <= names
    assert not any(p.route.startswith(EXCLUDED_PREFIXES) for p in PAGES)


@pytest.fixture
def extra(org):
    """Records that make leaks visible: SOUTH activity in the audit trail, a SOUTH project finishing soon."""
    soon = timezone.localdate() + dt.timedelta(days=5)
    portfolio_services.project_update(
        actor=org.pm_south, project=org.project_south, version=1, planned_finish=soon, health="red"
    )
    portfolio_services.project_update(
        actor=org.pm_north, project=org.project_north, version=1, planned_finish=soon, health="amber"
    )
    south_token, _ = org_services.api_token_create(user=org.pm_south, name="south script")
    admin_token, _ = org_services.api_token_create(user=org.admin, name="admin script")
    # A finished import into SOUTH, named so that a leak onto NORTH's pages shows.
    south_import = ImportJob.objects.create(
        org_unit=org.south,
        created_by=org.pm_south,
        file_name="S-001 Madrid office move.mpp",
        status=ImportJob.Status.FAILED,
        error="S-001 Madrid office move.mpp: MPXJ cannot read this file",
    )
    return {"south_token": south_token, "admin_token": admin_token, "south_import": south_import}


def south_schedule(org) -> tuple[Task, Dependency]:
    """A task and a link of S-001's schedule, planned by its manager the first time they are asked for."""
    link = Dependency.objects.filter(project=org.project_south).select_related("predecessor").first()
    if link is None:
        survey, move = (
            schedule_services.task_create(
                actor=org.pm_south, project=org.project_south, name=name, duration_minutes=480
            )
            for name in ("Survey", "Move")
        )
        link = schedule_services.dependency_create(
            actor=org.pm_south, project=org.project_south, predecessor=survey, successor=move
        )
    return link.predecessor, link


def body_text(response) -> str:
    """The response as text, reading the cells of an Excel export."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
        )
    return response.content.decode()


def _id(page: Page) -> str:
    return page.name


# -- anonymous -------------------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_anonymous_is_sent_to_sign_in(client, org, extra, page):
    url = page.url(org, extra)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("login") + "?next=")


# -- a project manager of the sibling division ------------------------------------------------------
@pytest.mark.parametrize("page", RECORD_PAGES, ids=_id)
def test_pm_north_cannot_reach_south_records(client, org, extra, page):
    client.force_login(org.pm_north)
    url = page.url(org, extra)
    assert client.get(url).status_code == 404
    # 405 is decided before any lookup (the page takes no POST), so it says nothing about the record
    assert client.post(url, {"version": 1, "name": "x"}).status_code in (404, 405)
    org.project_south.refresh_from_db()
    assert org.project_south.name == "Madrid office move"


@pytest.mark.parametrize("page", LIST_PAGES, ids=_id)
def test_pm_north_never_sees_south_on_list_pages(client, org, extra, page):
    client.force_login(org.pm_north)
    for response in (client.get(reverse(page.name)), client.post(reverse(page.name), {"unit": org.south.pk})):
        assert response.status_code in (200, 403, 405, 422)
        text = body_text(response)
        for south in SOUTH_TEXTS:
            assert south not in text, f"{page.name} shows {south}"


# -- an executive viewer at the root ---------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_executive_views_but_never_changes(client, org, extra, page):
    client.force_login(org.exec)
    url = page.url(org, extra)
    get = client.get(url)
    if page.name in EXECUTIVE_MAY_VIEW:
        assert get.status_code in (200, 404)
    else:
        assert get.status_code in (403, 404), f"{page.name} opens for an executive viewer"
    if page.name not in PERSONAL_POST:
        assert client.post(url, {"version": 1, "name": "x"}).status_code in (403, 404, 405)
    org.project_south.refresh_from_db()
    assert org.project_south.version == 2


# -- someone with no role --------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_outsider_sees_nothing_of_either_division(client, org, extra, page):
    client.force_login(org.outsider)
    response = client.get(page.url(org, extra))
    if page.params:
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 403)
    text = body_text(response)
    for secret in SOUTH_TEXTS + NORTH_TEXTS:
        assert secret not in text, f"{page.name} shows {secret}"


# -- the central PMO administrator -----------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_central_admin_opens_every_page(client, org, extra, page):
    client.force_login(org.admin)
    response = client.get(page.url(org, extra, records={**SOUTH_RECORD, **OWN_RECORD}))
    assert response.status_code == 200, page.name


def test_central_admin_sees_both_divisions_on_list_pages(client, org, extra):
    client.force_login(org.admin)
    for name in ("home", "portfolio:project_list", "portfolio:project_export", "portfolio:audit_list"):
        text = body_text(client.get(reverse(name)))
        assert "S-001" in text and "N-001" in text, name
