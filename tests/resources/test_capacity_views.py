"""The capacity pages: heatmap (table, chart data, cell panel, Excel export), roles, over-allocations."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from keel.resources.models import Allocation, Assignment, Resource, ResourcePool
from tests.factories import ProjectFactory
from tests.resources.test_capacity import H, World, at, d, task

WINDOW = {"start": "2026-03-02", "periods": "3"}


@pytest.fixture
def world(org) -> World:
    return World(org)


@pytest.fixture
def overloaded(world, org):
    """Ada at 160 % in W11 on two NORTH projects; a SOUTH resource busy on a SOUTH project."""
    second = ProjectFactory(code="N-002", name="Fibre backbone", org_unit=org.north)
    Assignment.objects.create(
        task=task(org.project_north, "Rack servers", at(d(3, 9), 8), at(d(3, 13), 17), 40 * H),
        resource=world.ada,
    )
    Assignment.objects.create(
        task=task(second, "Splice fibre", at(d(3, 9), 8), at(d(3, 11), 17), 24 * H), resource=world.ada
    )
    Allocation.objects.create(
        project=second, resource=world.bo, start_week=d(3, 9), end_week=d(3, 9), hours_per_week=3
    )
    pool = ResourcePool.objects.create(code="SOWN", name="South own", org_unit=org.south)
    secret = Resource.objects.create(pool=pool, code="SECRET", name="Secret", home_unit=org.south)
    Assignment.objects.create(
        task=task(org.project_south, "Madrid office move", at(d(3, 10), 9), at(d(3, 10), 18), 8 * H),
        resource=secret,
    )
    return secret


def test_heatmap_shows_load_marks_over_allocation_and_feeds_the_chart(client, org, world, overloaded):
    client.force_login(org.pm_north)
    response = client.get(reverse("capacity:heatmap"), WINDOW)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Utilization heatmap" in text
    assert "ADA" in text and "SECRET" not in text and "S-001" not in text
    assert 'data-cell="ADA-2026-W11"' in text
    chart = json.loads(json.dumps(response.context["chart"]))
    y = chart["resources"].index("ADA (ADA)")
    assert [1, y, 160.0, 64.0, 40.0, True] in chart["cells"]
    assert chart["period_keys"] == ["2026-W10", "2026-W11", "2026-W12"]
    assert "+3 req." in text  # Bo's requested allocation, shown apart


def test_a_cell_opens_the_projects_behind_it_as_an_htmx_panel(client, org, world, overloaded):
    client.force_login(org.pm_north)
    url = reverse("capacity:cell")
    response = client.get(
        url, {"resource": world.ada.pk, "period": "2026-W11"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" not in text
    assert "Rack servers" in text and "Splice fibre" in text and "N-002" in text
    assert "Over-allocated" in text and "2 projects" in text
    page = client.get(url, {"resource": world.ada.pk, "period": "2026-W11"})
    assert "<html" in page.content.decode()


def test_a_cell_out_of_scope_is_404_and_a_malformed_one_says_so(client, org, world, overloaded):
    client.force_login(org.pm_north)
    url = reverse("capacity:cell")
    assert client.get(url, {"resource": overloaded.pk, "period": "2026-W11"}).status_code == 404
    for resource, period in (("x", "2026-W11"), (world.ada.pk, "W11"), (10**30, "2026-W11"), (1, "2026-W60")):
        response = client.get(url, {"resource": resource, "period": period})
        assert response.status_code == 200 and "names no resource and period" in response.content.decode()
    assert "Choose a cell" in client.get(url).content.decode()


def test_the_export_holds_the_same_numbers(client, org, world, overloaded):
    client.force_login(org.admin)
    response = client.get(reverse("capacity:heatmap_export"), WINDOW)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["Load %", "Demand h", "Capacity h", "Requested h"]
    loads = {row[1]: row[5:] for row in book["Load %"].iter_rows(min_row=2, values_only=True)}
    assert loads["ADA"] == (0, 160, 0)
    demand = {row[1]: row[5:] for row in book["Demand h"].iter_rows(min_row=2, values_only=True)}
    assert demand["ADA"] == (0, 64, 0) and demand["SECRET"] == (0, 8, 0)


def test_bad_filters_show_next_to_the_form_and_the_page_still_answers(client, org, world):
    client.force_login(org.pm_north)
    response = client.get(
        reverse("capacity:heatmap"), {"periods": "0", "pool": "999999", "start": "nonsense"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "This filter was not applied" in text
    assert set(response.context["form"].errors) >= {"periods", "pool", "start"}


def test_roles_page_charts_and_tabulates_capacity_vs_demand(client, org, world, overloaded):
    client.force_login(org.pm_north)
    response = client.get(reverse("capacity:roles"), {**WINDOW, "include_proposed": "on"})
    assert response.status_code == 200
    chart = response.context["chart"]
    assert chart["title"] == "ENGINEER"
    assert chart["capacity"] == [112.0, 140.0, 140.0] and chart["demand"] == [0, 64.0, 0]
    assert chart["requested"] == [0, 3.0, 0]
    assert "with proposed projects" in response.content.decode()


def test_roles_page_without_roles_says_what_to_do(client, org):
    client.force_login(org.pm_north)
    assert "No generic roles yet" in client.get(reverse("capacity:roles")).content.decode()


def test_overallocations_page_lists_cause_and_fix(client, org, world, overloaded):
    client.force_login(org.pm_north)
    response = client.get(reverse("capacity:overallocations"), WINDOW)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Rack servers" in text and "Splice fibre" in text and "+24 h" in text
    assert "CY" in text and "40 h free" in text
    assert "SECRET" not in text


def test_heatmap_without_resources_says_what_to_do(client, org):
    client.force_login(org.pm_north)
    assert "No resources to show" in client.get(reverse("capacity:heatmap")).content.decode()


def test_the_heatmap_reads_a_fixed_number_of_queries(
    client, org, world, overloaded, django_assert_max_num_queries
):
    client.force_login(org.admin)
    client.get(reverse("capacity:heatmap"), WINDOW)
    with django_assert_max_num_queries(30):
        client.get(reverse("capacity:heatmap"), WINDOW)
