"""The notifications API: a person only ever reaches their own notifications and preferences; comments
follow the project's scope."""

from __future__ import annotations

from keel.notifications import services
from keel.notifications.models import Comment, Kind, Notification
from keel.schedule import services as schedule_services


def _notes(org):
    a = services.notify(
        recipients=[org.pm_north], kind=Kind.GATE, title="Gate 1 requested", project=org.project_north
    )
    b = services.notify(recipients=[org.pm_north, org.pm_south], kind=Kind.CHANGE, title="CR-1 submitted")
    return a[0], b[0], b[1]


def test_the_list_holds_only_my_notifications_filtered_and_paged(org, as_user):
    gate, change, south_change = _notes(org)
    client = as_user(org.pm_north)

    answer = client.get("/notifications")
    assert answer.status == 200
    assert [n["id"] for n in answer.body["items"]] == [change.pk, gate.pk]
    assert answer.body["items"][1]["project"]["code"] == "N-001"
    assert answer.body["items"][0]["email"] == "immediate" and answer.body["items"][0]["read_at"] is None

    assert [n["id"] for n in client.get("/notifications", kind="gate").body["items"]] == [gate.pk]
    assert client.get("/notifications", kind="gossip").status == 422
    assert client.get("/notifications", page_size=1).body["count"] == 2
    assert [n["id"] for n in as_user(org.pm_south).get("/notifications").body["items"]] == [south_change.pk]
    assert as_user(org.admin).get("/notifications").body["items"] == []  # not even an administrator's view


def test_marking_read_is_mine_only(org, as_user):
    gate, change, south_change = _notes(org)
    north = as_user(org.pm_north)
    assert north.get("/notifications/unread-count").body == {"unread": 2}

    answer = north.post(f"/notifications/{gate.pk}/read")
    assert answer.status == 200 and answer.body["read_at"] is not None
    assert north.get("/notifications/unread-count").body == {"unread": 1}
    assert [n["id"] for n in north.get("/notifications", unread="true").body["items"]] == [change.pk]
    assert north.post(f"/notifications/{gate.pk}/read", {"read": False}).body["read_at"] is None

    # Someone else's notification is 404, like a missing one, for everyone else.
    for persona in (org.pm_north, org.admin, org.exec):
        assert as_user(persona).post(f"/notifications/{south_change.pk}/read").status == 404
    assert as_user(org.admin).post("/notifications/999999/read").status == 404
    south_change.refresh_from_db()
    assert south_change.read_at is None

    assert north.post("/notifications/read-all", {"kind": "gate"}).body == {"marked": 1}
    assert north.post("/notifications/read-all").body == {"marked": 1}
    assert north.post("/notifications/read-all", {"kind": "gossip"}).status == 422
    assert as_user(org.pm_south).get("/notifications/unread-count").body == {"unread": 1}


def test_preferences_are_mine_and_bad_values_name_the_field(org, as_user):
    client = as_user(org.member_north)
    before = {p["kind"]: p for p in client.get("/notifications/preferences").body}
    assert before["report"] == {
        "kind": "report",
        "label": "Status reports",
        "delivery": "digest",
        "chosen": False,
    }

    answer = client.call("PUT", "/notifications/preferences", {"mention": "none", "report": "immediate"})
    assert answer.status == 200
    after = {p["kind"]: (p["delivery"], p["chosen"]) for p in answer.body}
    assert after["mention"] == ("none", True) and after["report"] == ("immediate", True)
    assert after["gate"] == ("immediate", False)

    bad = client.call("PUT", "/notifications/preferences", {"mention": "pigeon"})
    assert bad.status == 422 and bad.body["detail"][0]["loc"] == ["body", "mention"]
    assert client.call("PUT", "/notifications/preferences", {"gossip": "none"}).status == 422
    assert {p["kind"]: p["delivery"] for p in client.get("/notifications/preferences").body}[
        "mention"
    ] == "none"
    assert as_user(org.pm_north).get("/notifications/preferences").body[4]["delivery"] == "immediate"


def test_comments_and_mentions_through_the_api(org, as_user):
    client = as_user(org.member_north)
    path = f"/projects/{org.project_north.pk}/comments"

    created = client.post(path, {"text": "Racks arrive Monday @pm_north @pm_south"})
    assert created.status == 201
    assert created.body["mentioned"] == ["pm_north"]  # pm_south cannot see N-001: ignored
    assert created.body["author"]["username"] == "member_north" and created.body["task"] is None

    reply = as_user(org.pm_north).post(path, {"text": "Great", "reply_to": created.body["id"]})
    assert reply.status == 201 and reply.body["reply_to"] == created.body["id"]
    listed = client.get(path)
    assert [c["text"] for c in listed.body["items"]] == ["Racks arrive Monday @pm_north @pm_south", "Great"]
    assert Notification.objects.filter(recipient=org.member_north, kind=Kind.MENTION).count() == 1

    bad = client.post(path, {"text": "x", "reply_to": 999999})
    assert bad.status == 422 and bad.body["detail"][0]["loc"] == ["body", "reply_to"]
    empty = client.post(path, {"text": ""})
    assert empty.status == 422 and empty.body["detail"][0]["loc"][-1] == "text"
    assert client.post(path, {"text": "x", "extra": 1}).status == 422


def test_task_comments_and_isolation(org, as_user):
    task = schedule_services.task_create(actor=org.pm_south, project=org.project_south, name="Pack boxes")
    path = f"/tasks/{task.pk}/comments"
    assert as_user(org.pm_south).post(path, {"text": "Boxes ordered"}).status == 201

    # Another division's people: 404 for reading and writing; the executive viewer reads, cannot write.
    for persona in (org.pm_north, org.member_north, org.outsider):
        assert as_user(persona).get(path).status == 404
        assert as_user(persona).post(path, {"text": "@pm_south hi"}).status == 404
        assert as_user(persona).get(f"/projects/{org.project_south.pk}/comments").status == 404
    assert [c["text"] for c in as_user(org.exec).get(path).body["items"]] == ["Boxes ordered"]
    assert as_user(org.exec).post(path, {"text": "Looks good"}).status == 403
    assert Comment.objects.count() == 1
    assert (
        as_user(org.admin).get(f"/projects/{org.project_south.pk}/comments").body["items"] == []
    )  # task only
