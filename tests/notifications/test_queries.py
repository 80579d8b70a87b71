"""The notification list, the comment threads and the API lists read in a fixed number of queries,
whatever their length (measured with 3 and with 30 rows)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from keel.notifications import services
from keel.notifications.models import Kind
from keel.orgs import services as org_services
from tests.api.conftest import ApiClient


def _count(get, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = get(url)
        assert getattr(answer, "status_code", getattr(answer, "status", None)) == 200
    return len(captured)


def _fill(org, n: int) -> None:
    for i in range(n):
        services.notify(
            recipients=[org.pm_north], kind=Kind.GATE, title=f"Gate {i}", project=org.project_north
        )
        comment = services.comment_create(actor=org.member_north, project=org.project_north, text=f"Note {i}")
        services.comment_create(actor=org.pm_north, project=org.project_north, text="ok", reply_to=comment)


def test_pages_and_lists_do_not_grow_with_their_rows(client, org):
    _, token = org_services.api_token_create(user=org.pm_north, name="queries")
    api = ApiClient(token)
    client.force_login(org.pm_north)
    comments = f"/notifications/projects/{org.project_north.pk}/comments/"
    urls = [
        (client.get, "/notifications/"),
        (client.get, comments),
        (api.get, "/notifications"),
        (api.get, f"/projects/{org.project_north.pk}/comments"),
    ]

    _fill(org, 3)
    for get, url in urls:
        get(url)  # the token's first use of the minute is recorded once
    few = [_count(get, url) for get, url in urls]
    _fill(org, 27)
    many = [_count(get, url) for get, url in urls]
    assert many == few
