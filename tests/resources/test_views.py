"""Resource pages: lists with filters and export, forms that keep input and name fields, the htmx
decision on a request, the project's resources page, and navigation."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from keel.resources import services
from keel.resources.models import Allocation, CostRate, Resource, ResourceLeave

MONDAY = dt.date(2026, 3, 2)


def _request(org, pools, resource=None):
    return services.allocation_request(
        actor=org.pm_north,
        project=org.project_north,
        resource=resource or pools.ana,
        start_week=MONDAY,
        end_week=MONDAY + dt.timedelta(weeks=1),
        hours_per_week=Decimal("10"),
        note="Design reviews",
    )


def test_resource_list_filters_and_export(client, org, pools):
    services.resource_skill_set(actor=pools.rm_north, resource=pools.ana, skill=pools.python, level=3)
    client.force_login(org.pm_north)
    page = client.get(reverse("resources:resource_list"), {"skill": pools.python.pk})
    text = page.content.decode()
    assert page.status_code == 200 and "Ana Berg" in text and "Crane" not in text
    partial = client.get(reverse("resources:resource_list"), {"kind": "equipment"}, HTTP_HX_REQUEST="true")
    assert "Crane" in partial.content.decode() and "<html" not in partial.content.decode()
    export = client.get(reverse("resources:resource_export"), {"kind": "person"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Code" and [r[0] for r in rows[1:]] == ["R-ANA"]
    assert "SOUTH Sofia" not in text


def test_resource_form_keeps_input_and_names_the_field(client, org, pools):
    client.force_login(pools.rm_north)
    url = reverse("resources:resource_create")
    answer = client.post(
        url,
        {
            "pool": pools.north.pk,
            "code": "R-NEW",
            "name": "New",
            "kind": "equipment",
            "user": org.pm_north.pk,
            "max_units": 100,
        },
    )
    assert answer.status_code == 422
    assert "Only a person can be linked to a user." in answer.content.decode()
    assert 'value="R-NEW"' in answer.content.decode()
    done = client.post(
        url,
        {
            "pool": pools.north.pk,
            "code": "R-NEW",
            "name": "New",
            "kind": "person",
            "max_units": 50,
            "is_active": "on",
        },
    )
    resource = Resource.objects.get(code="R-NEW")
    assert done.status_code == 302 and done["Location"] == reverse(
        "resources:resource_detail", args=[resource.pk]
    )
    assert resource.home_unit == org.north and resource.max_units == 50


def test_project_manager_cannot_open_the_resource_forms(client, org, pools):
    client.force_login(org.pm_north)
    assert client.get(reverse("resources:resource_create")).status_code == 403
    assert client.get(reverse("resources:resource_update", args=[pools.ana.pk])).status_code == 403
    assert client.get(reverse("resources:pool_share", args=[pools.north.pk])).status_code == 403
    assert client.get(reverse("resources:resource_detail", args=[pools.sofia.pk])).status_code == 404


def test_rate_without_currency_is_refused_on_the_page(client, org, pools):
    client.force_login(pools.rm_north)
    url = reverse("resources:rate_create", args=[pools.ana.pk])
    answer = client.post(
        url,
        {
            "effective_from": "2026-06-01",
            "standard_rate": "90",
            "overtime_rate": "0",
            "cost_per_use": "0",
            "currency": "",
        },
    )
    assert answer.status_code == 422 and CostRate.objects.filter(resource=pools.ana).count() == 1
    ok = client.post(
        url,
        {
            "effective_from": "2026-06-01",
            "standard_rate": "90",
            "overtime_rate": "0",
            "cost_per_use": "0",
            "currency": "nok",
        },
    )
    assert ok.status_code == 302
    assert CostRate.objects.get(resource=pools.ana, effective_from=dt.date(2026, 6, 1)).currency == "NOK"
    detail = client.get(reverse("resources:resource_detail", args=[pools.ana.pk])).content.decode()
    assert "90.00" in detail and "Cost rates" in detail


def test_resource_page_shows_skills_rates_leave_and_work(client, org, pools):
    services.leave_create(
        actor=pools.rm_north, resource=pools.ana, start_date=MONDAY, end_date=MONDAY, note="Dentist"
    )
    services.assignment_create(actor=org.pm_north, task=pools.task_north, resource=pools.ana)
    _request(org, pools)
    client.force_login(org.pm_north)
    text = client.get(reverse("resources:resource_detail", args=[pools.ana.pk])).content.decode()
    for expected in ("Dentist", "80.00", "N-001", "Design", "Requested"):
        assert expected in text, expected
    assert reverse("resources:resource_update", args=[pools.ana.pk]) not in text  # no edit link for a PM


def test_allocation_request_form_and_project_page(client, org, pools):
    client.force_login(org.pm_north)
    url = reverse("resources:allocation_create", args=[org.project_north.pk])
    bad = client.post(
        url,
        {
            "resource": pools.ana.pk,
            "start_week": "2026-03-03",
            "end_week": "2026-03-09",
            "hours_per_week": "8",
        },
    )
    assert bad.status_code == 422 and "Give the Monday of the week (2026-03-02)." in bad.content.decode()
    good = client.post(
        url,
        {
            "resource": pools.ana.pk,
            "start_week": "2026-03-02",
            "end_week": "2026-03-09",
            "hours_per_week": "8",
        },
    )
    assert good.status_code == 302
    page = client.get(reverse("resources:project_resources", args=[org.project_north.pk])).content.decode()
    assert "Ana Berg" in page and "Requested" in page


def test_resource_manager_decides_in_place(client, org, pools):
    allocation = _request(org, pools)
    client.force_login(pools.rm_north)
    page = client.get(reverse("resources:allocation_list")).content.decode()
    assert "Design reviews" in page and f'id="allocation-{allocation.pk}"' in page
    url = reverse("resources:allocation_decide", args=[allocation.pk])
    refused = client.post(url, {"decision": "reject", "comment": "", "version": 1}, HTTP_HX_REQUEST="true")
    assert "Say why the request is rejected." in refused.content.decode()  # the row, swapped in place
    assert client.post(url, {"decision": "reject", "comment": "", "version": 1}).status_code == 422
    done = client.post(
        url, {"decision": "reject", "comment": "Busy in March", "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert done.status_code == 200
    assert "Rejected" in done.content.decode() and "<html" not in done.content.decode()
    allocation.refresh_from_db()
    assert (allocation.status, allocation.decision_comment) == ("rejected", "Busy in March")
    stale = client.post(url, {"decision": "approve", "comment": "", "version": 1})
    assert stale.status_code == 409


def test_project_manager_cannot_decide(client, org, pools):
    allocation = _request(org, pools)
    client.force_login(org.pm_north)
    assert client.get(reverse("resources:allocation_decide", args=[allocation.pk])).status_code == 403
    assert (
        client.post(
            reverse("resources:allocation_decide", args=[allocation.pk]),
            {"decision": "approve", "version": 1},
        ).status_code
        == 403
    )
    assert Allocation.objects.get().status == "requested"
    client.force_login(org.pm_south)
    assert client.get(reverse("resources:allocation_decide", args=[allocation.pk])).status_code == 404


def test_assignment_pages(client, org, pools):
    client.force_login(org.pm_north)
    url = reverse("resources:assignment_create", args=[org.project_north.pk])
    assert (
        client.post(url, {"task": pools.task_north.pk, "resource": pools.ana.pk, "units": 50}).status_code
        == 302
    )
    assignment = pools.ana.assignments.get()
    assert (assignment.work_minutes, assignment.cost) == (1200, Decimal("1610.00"))
    again = client.post(url, {"task": pools.task_north.pk, "resource": pools.ana.pk, "units": 50})
    assert again.status_code == 422 and "already exists" in again.content.decode()
    edit = reverse("resources:assignment_update", args=[assignment.pk])
    assert client.post(edit, {"delete": "1", "version": 1}).status_code == 302
    assert not pools.ana.assignments.exists()


def test_rate_and_leave_pages_edit_and_delete(client, org, pools):
    rate = services.cost_rate_create(
        actor=pools.rm_north,
        resource=pools.ana,
        effective_from=MONDAY,
        standard_rate=Decimal("95"),
        currency="NOK",
    )
    leave = services.leave_create(
        actor=pools.rm_north, resource=pools.ana, start_date=MONDAY, end_date=MONDAY + dt.timedelta(4)
    )
    client.force_login(pools.rm_north)
    rate_url = reverse("resources:rate_update", args=[rate.pk])
    leave_url = reverse("resources:leave_update", args=[leave.pk])
    fields = {"effective_from": MONDAY, "standard_rate": "99", "overtime_rate": "0", "cost_per_use": "0"}
    fields |= {"currency": "NOK", "version": 1}
    assert client.post(rate_url, fields).status_code == 302
    rate.refresh_from_db()
    assert (rate.standard_rate, rate.version) == (Decimal("99"), 2)
    bad = client.post(rate_url, {**fields, "standard_rate": "-1", "version": 2})
    assert bad.status_code == 422
    stale = client.post(rate_url, {"delete": "1", "version": 1})
    assert stale.status_code == 409 and CostRate.objects.filter(pk=rate.pk).exists()
    assert client.post(rate_url, {"delete": "1", "version": 2}).status_code == 302
    assert not CostRate.objects.filter(pk=rate.pk).exists()

    edited = {"kind": leave.kind, "start_date": MONDAY, "end_date": MONDAY, "percent": 50, "version": 1}
    assert client.post(leave_url, {**edited, "note": "Half a day"}).status_code == 302
    leave.refresh_from_db()
    assert (leave.end_date, leave.percent, leave.note) == (MONDAY, 50, "Half a day")
    assert client.post(leave_url, {"delete": "1", "version": 2}).status_code == 302
    assert not ResourceLeave.objects.filter(pk=leave.pk).exists()


def test_pool_pages_and_sharing(client, org, pools):
    client.force_login(org.admin)
    url = reverse("resources:pool_share", args=[pools.south.pk])
    assert client.post(url, {"units": [org.north.pk], "version": 1}).status_code == 302
    client.force_login(org.pm_north)
    pools_page = client.get(reverse("resources:pool_list")).content.decode()
    assert "POOL-SOUTH" in pools_page and "POOL-N" in pools_page
    detail = client.get(reverse("resources:pool_detail", args=[pools.south.pk])).content.decode()
    assert "SOUTH Sofia" in detail and "Change sharing" not in detail and "Add a resource" not in detail


def test_navigation_has_the_resources_area(client, org, pools):
    client.force_login(org.member_north)
    text = client.get(reverse("resources:resource_list")).content.decode()
    assert reverse("resources:pool_list") in text and reverse("resources:allocation_list") in text
    assert reverse("capacity:heatmap") in text and reverse("leveling:run_list") in text


def test_empty_states_say_what_to_do(client, org):
    client.force_login(org.admin)
    assert "create the first one" in client.get(reverse("resources:pool_list")).content.decode()
    assert (
        "Nothing waits for your decision" in client.get(reverse("resources:allocation_list")).content.decode()
    )


def _more_people(pools, count):
    for n in range(count):
        person = services.resource_create(
            actor=pools.rm_north, pool=pools.north, code=f"R-X{n}", name=f"Extra {n}", role=pools.analyst
        )
        services.resource_skill_set(actor=pools.rm_north, resource=person, skill=pools.python, level=2)


def test_list_pages_cost_the_same_queries_for_few_or_many_resources(client, org, pools):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(org.admin)
    pages = ("resources:resource_list", "resources:pool_list", "resources:resource_export")

    def counts():
        result = {}
        for name in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name)).status_code == 200
            result[name] = len(queries.captured_queries)
        return result

    few = counts()
    _more_people(pools, 25)
    assert counts() == few
