"""notify() writes in-app rows with each person's delivery; e-mail goes by background jobs, each once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from keel.core.errors import NotFound
from keel.notifications import selectors, services
from keel.notifications.models import Delivery, Kind, Notification
from keel.notifications.tasks import send_daily_digests, send_immediate_emails


def test_notify_writes_one_row_per_active_person_with_their_delivery(org):
    services.preference_set(actor=org.pm_north, deliveries={"gate": "digest"})
    services.preference_set(actor=org.pm_south, deliveries={"gate": "none"})
    org.outsider.email = ""
    org.outsider.save()
    org.member_north.is_active = False
    org.member_north.save()

    rows = services.notify(
        recipients=[
            org.admin,
            org.pm_north,
            org.pm_north,
            org.pm_south,
            org.outsider,
            org.member_north,
            None,
        ],
        kind=Kind.GATE,
        title="Gate 2 of N-001 requested",
        url="/projects/1/",
        project=org.project_north,
    )

    delivery = {row.recipient.username: row.email for row in rows}
    assert delivery == {
        "admin": Delivery.IMMEDIATE,  # the default for gates
        "pm_north": Delivery.DIGEST,
        "pm_south": Delivery.NONE,
        "outsider": Delivery.NONE,  # no address
    }
    assert all(row.read_at is None and row.emailed_at is None for row in rows)
    assert services.notify(recipients=[], kind=Kind.GATE, title="nobody") == []


def test_notify_refuses_an_unknown_kind(org):
    with pytest.raises(ValueError, match="Unknown notification kind 'gossip'"):
        services.notify(recipients=[org.admin], kind="gossip", title="x")
    assert Notification.objects.count() == 0


def test_a_keyed_notification_reaches_each_person_once(org):
    first = services.notify(recipients=[org.admin, org.pm_north], kind=Kind.REMINDER, title="r", key="k:1")
    again = services.notify(recipients=[org.admin, org.pm_south], kind=Kind.REMINDER, title="r", key="k:1")
    assert [n.recipient for n in first] == [org.admin, org.pm_north]
    assert [n.recipient for n in again] == [org.pm_south]
    assert Notification.objects.filter(key="k:1").count() == 3


def test_notifications_emailed_by_the_caller_are_never_emailed_again(
    org, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        (row,) = services.notify(recipients=[org.admin], kind=Kind.ESCALATION, title="e", emailed=True)
    assert callbacks == [] and mail.outbox == []
    assert row.email == Delivery.NONE
    assert services.emails_send_immediate() == 0 and services.digests_send() == 0


def test_immediate_notifications_are_emailed_by_a_job_after_the_commit(
    org, immediate_tasks, django_capture_on_commit_callbacks
):
    services.preference_set(actor=org.pm_north, deliveries={"mention": "digest"})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(
            recipients=[org.admin, org.pm_north],
            kind=Kind.MENTION,
            title="Ana mentioned you on N-001",
            body="@admin please look",
            url="/notifications/projects/1/comments/#comment-3",
        )
        assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()

    (message,) = mail.outbox
    assert message.to == ["admin@example.org"]
    assert message.subject == "[Keel] Ana mentioned you on N-001"
    assert "@admin please look" in message.body
    assert "https://keel.example.org/notifications/projects/1/comments/#comment-3" in message.body
    admin_row = Notification.objects.get(recipient=org.admin)
    assert admin_row.emailed_at is not None
    assert Notification.objects.get(recipient=org.pm_north).emailed_at is None  # waits for the digest

    # The job rerun (or the daily sweep) sends nothing twice.
    assert send_immediate_emails.enqueue([admin_row.pk]).return_value == 0
    assert services.emails_send_immediate() == 0
    assert len(mail.outbox) == 1


def test_the_daily_digest_sends_each_person_one_email_once(org, immediate_tasks):
    services.preference_set(actor=org.pm_north, deliveries={"report": "digest", "gate": "digest"})
    services.notify(recipients=[org.pm_north, org.admin], kind=Kind.REPORT, title="N-001 report due")
    services.notify(recipients=[org.pm_north], kind=Kind.GATE, title="Gate 1 of N-001 passed", url="/g/1/")
    services.notify(
        recipients=[org.pm_north], kind=Kind.GATE, title="Gate 2 of N-001 requested"
    )  # digest too
    services.preference_set(actor=org.pm_north, deliveries={"gate": "immediate"})
    services.notify(recipients=[org.pm_north], kind=Kind.GATE, title="Gate 3 requested")  # immediate now

    assert (
        send_daily_digests.enqueue().return_value == 2
    )  # pm_north and admin (reports are digest by default)

    by_person = {m.to[0]: m for m in mail.outbox if "digest" in m.subject}
    assert set(by_person) == {"pm_north@example.org", "admin@example.org"}
    north = by_person["pm_north@example.org"]
    assert north.subject == "[Keel] Your daily digest: 3 notifications"
    assert "- Status reports: N-001 report due" in north.body
    assert (
        "- Gate requests and results: Gate 1 of N-001 passed\n  https://keel.example.org/g/1/" in north.body
    )
    assert "Gate 3 requested" not in north.body
    assert any(m.subject == "[Keel] Gate 3 requested" for m in mail.outbox)  # swept by the daily run

    sent = len(mail.outbox)
    out = StringIO()
    call_command("notifications-digest", stdout=out)
    assert "0 digests sent." in out.getvalue()
    assert len(mail.outbox) == sent
    assert not Notification.objects.filter(email=Delivery.DIGEST, emailed_at__isnull=True).exists()


def test_a_refused_send_is_kept_for_the_next_run(org, unreachable_mail_server, settings):
    services.preference_set(actor=org.pm_north, deliveries={"report": "digest"})
    (now,) = services.notify(recipients=[org.admin], kind=Kind.GATE, title="Gate requested")
    services.notify(recipients=[org.pm_north], kind=Kind.REPORT, title="Report due")

    assert services.emails_send_immediate() == 0
    assert services.digests_send() == 0
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = StringIO()
    call_command("notifications-digest", stdout=out)
    assert "1 immediate e-mail sent that had failed before." in out.getvalue()
    assert "1 digest sent." in out.getvalue()
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@example.org", "pm_north@example.org"]
    now.refresh_from_db()
    assert now.emailed_at is not None


def test_the_digest_command_can_queue_the_job(org, immediate_tasks):
    services.notify(recipients=[org.admin], kind=Kind.REPORT, title="Report due")
    out = StringIO()
    call_command("notifications-digest", "--queue", stdout=out)
    assert "Queued the notification digests" in out.getvalue()
    assert [m.to for m in mail.outbox] == [["admin@example.org"]]


def test_preferences_default_per_kind_and_refuse_unknown_values(org):
    before = {p.kind: (p.delivery, p.chosen) for p in selectors.preferences_for_user(org.admin)}
    assert before["report"] == ("digest", False) and before["mention"] == ("immediate", False)

    services.preference_set(actor=org.admin, deliveries={"mention": "none"})
    services.preference_set(actor=org.admin, deliveries={"mention": "digest"})
    after = {p.kind: (p.delivery, p.chosen) for p in selectors.preferences_for_user(org.admin)}
    assert after["mention"] == ("digest", True) and after["report"] == ("digest", False)
    assert selectors.preferences_for_user(org.pm_north)[4].delivery == "immediate"  # not shared

    with pytest.raises(ValidationError) as error:
        services.preference_set(actor=org.admin, deliveries={"mention": "pigeon", "gossip": "none"})
    assert set(error.value.message_dict) == {"mention", "gossip"}
    assert selectors.preferences_for_user(org.admin)[4].delivery == "digest"  # nothing changed


def test_read_state_is_personal(org):
    (mine,) = services.notify(recipients=[org.pm_north], kind=Kind.GATE, title="g")
    services.notify(recipients=[org.pm_north, org.pm_south], kind=Kind.CHANGE, title="c")
    assert selectors.unread_count(org.pm_north) == 2 and selectors.unread_count(org.pm_south) == 1

    services.notification_mark_read(actor=org.pm_north, notification=mine)
    assert selectors.unread_count(org.pm_north) == 1
    with pytest.raises(NotFound):
        services.notification_mark_read(actor=org.pm_south, notification=mine)
    with pytest.raises(NotFound):
        selectors.notification_get_own(org.pm_south, mine.pk)

    assert services.notification_mark_all_read(actor=org.pm_north, kind="gate") == 0
    assert services.notification_mark_all_read(actor=org.pm_north) == 1
    assert selectors.unread_count(org.pm_north) == 0 and selectors.unread_count(org.pm_south) == 1
    services.notification_mark_read(actor=org.pm_north, notification=mine, read=False)
    assert selectors.unread_count(org.pm_north) == 1
