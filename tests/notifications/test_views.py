"""Notification pages: the list (filters, mark read, mark all read), settings, the bell, comment threads."""

from __future__ import annotations

from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from keel.notifications import selectors, services
from keel.notifications.models import Comment, Kind, Notification
from keel.schedule import services as schedule_services

LIST = "/notifications/"


def test_the_list_shows_only_my_notifications_and_filters_by_kind(client, org):
    services.notify(recipients=[org.pm_north], kind=Kind.GATE, title="Gate 1 of N-001 requested", url="/x/")
    services.notify(recipients=[org.pm_north], kind=Kind.CHANGE, title="CR-7 submitted")
    services.notify(recipients=[org.pm_south], kind=Kind.GATE, title="Gate 1 of S-001 requested")
    client.force_login(org.pm_north)

    page = client.get(LIST).content.decode()
    assert "Gate 1 of N-001 requested" in page and "CR-7 submitted" in page
    assert "S-001" not in page
    assert "2 unread" in page

    filtered = client.get(LIST, {"kind": "change"}, headers={"HX-Request": "true"}).content.decode()
    assert "CR-7 submitted" in filtered and "Gate 1" not in filtered and "<html" not in filtered
    assert "Gate 1 of N-001" in client.get(LIST, {"kind": "gossip"}).content.decode()  # unknown: every kind


def test_mark_read_unread_and_all_read(client, org):
    gate, change = (
        services.notify(recipients=[org.pm_north], kind=kind, title=title)[0]
        for kind, title in ((Kind.GATE, "Gate"), (Kind.CHANGE, "Change"))
    )
    (other,) = services.notify(recipients=[org.pm_south], kind=Kind.GATE, title="South gate")
    client.force_login(org.pm_north)

    response = client.post(LIST, {"action": "read", "notification": gate.pk})
    assert response.status_code == 302
    assert selectors.unread_count(org.pm_north) == 1
    client.post(LIST, {"action": "unread", "notification": gate.pk})
    assert selectors.unread_count(org.pm_north) == 2

    refused = client.post(LIST, {"action": "read", "notification": other.pk})
    assert (
        refused.status_code == 422 and "There is no such notification of yours." in refused.content.decode()
    )
    assert client.post(LIST, {"action": "read"}).status_code == 422
    assert client.post(LIST, {"action": "explode"}).status_code == 422
    other.refresh_from_db()
    assert other.read_at is None

    client.post(LIST, {"action": "read_all", "kind": "gate"})
    assert list(Notification.objects.filter(recipient=org.pm_north, read_at__isnull=True)) == [change]
    client.post(LIST, {"action": "read_all", "kind": ""})
    assert selectors.unread_count(org.pm_north) == 0 and selectors.unread_count(org.pm_south) == 1


def test_settings_page_saves_each_kind(client, org):
    client.force_login(org.member_north)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert "Daily digest e-mail" in page and "Status reports" in page

    choices = {kind.value: "immediate" for kind in Kind} | {"report": "none", "mention": "digest"}
    response = client.post(reverse("notifications:settings"), choices)
    assert response.status_code == 302
    saved = {p.kind: p.delivery for p in selectors.preferences_for_user(org.member_north)}
    assert saved["report"] == "none" and saved["mention"] == "digest" and saved["gate"] == "immediate"

    bad = client.post(reverse("notifications:settings"), {**choices, "mention": "pigeon"})
    assert bad.status_code == 422 and "Select a valid choice" in bad.content.decode()
    assert {p.kind: p.delivery for p in selectors.preferences_for_user(org.member_north)}[
        "mention"
    ] == "digest"


def test_the_bell_counts_my_unread_notifications(client, org):
    services.notify(recipients=[org.pm_north], kind=Kind.GATE, title="g")
    services.notify(recipients=[org.pm_north, org.pm_south], kind=Kind.CHANGE, title="c")
    client.force_login(org.pm_north)
    bell = client.get(reverse("notifications:bell")).content.decode()
    assert 'data-unread="2"' in bell and "2 unread" in bell and 'hx-trigger="every 60s"' in bell

    request = RequestFactory().get("/")
    request.user = org.pm_south
    rendered = Template("{% load keel_notifications %}{% notification_bell %}").render(
        Context({"request": request, "user": org.pm_south})
    )
    assert 'data-unread="1"' in rendered and 'href="/notifications/"' in rendered


def test_comment_thread_pages_add_comments_and_replies(client, org):
    url = reverse("notifications:project_comments", kwargs={"project_id": org.project_north.pk})
    client.force_login(org.member_north)

    response = client.post(url, {"text": "Racks are late @pm_north"})
    comment = Comment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{url}#comment-{comment.pk}"
    assert Notification.objects.get(kind=Kind.MENTION).recipient == org.pm_north

    back = client.post(url, {"text": "More", "reply_to": comment.pk, "next": "/projects/1/?tab=x"})
    assert back["Location"] == "/projects/1/?tab=x#comments"
    outside = client.post(url, {"text": "Again", "next": "https://evil.example.org/"})
    assert outside["Location"].startswith(url + "#comment-")

    page = client.get(url).content.decode()
    assert "Racks are late" in page and "keel-mention" in page and "@pm_north" in page
    assert "Reply" in page

    assert client.post(url, {"text": "  "}).status_code == 422
    bad_reply = client.post(url, {"text": "x", "reply_to": 999999})
    assert (
        bad_reply.status_code == 422
        and "There is no such comment in this thread." in bad_reply.content.decode()
    )
    assert Comment.objects.count() == 3


def test_comment_pages_keep_divisions_apart_and_viewers_read_only(client, org):
    task = schedule_services.task_create(actor=org.pm_south, project=org.project_south, name="Pack boxes")
    services.comment_create(
        actor=org.pm_south, project=org.project_south, task=task, text="<b>Boxes</b> ordered"
    )
    url = reverse("notifications:task_comments", kwargs={"task_id": task.pk})

    client.force_login(org.pm_north)
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "hi"}).status_code == 404

    client.force_login(org.exec)
    page = client.get(url).content.decode()
    assert "&lt;b&gt;Boxes&lt;/b&gt; ordered" in page  # escaped
    assert 'id="comment-form"' not in page
    assert client.post(url, {"text": "hi"}).status_code == 403
    assert Comment.objects.count() == 1


def test_the_thread_can_be_included_on_another_page(org):
    services.comment_create(actor=org.pm_north, project=org.project_north, text="Kick-off done")
    request = RequestFactory().get(f"/projects/{org.project_north.pk}/")
    request.user = org.member_north
    html = Template("{% load keel_notifications %}{% comments_for project %}").render(
        Context({"request": request, "project": org.project_north})
    )
    assert "Kick-off done" in html and 'id="comment-form"' in html
    assert f'action="/notifications/projects/{org.project_north.pk}/comments/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
