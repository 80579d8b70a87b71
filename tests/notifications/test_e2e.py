"""Browser journey of comments, mentions and notifications, in Debian's Chromium driven by Playwright.

Lena (member_north) asks Omar (pm_north) a question on N-001 with an @mention. Omar finds it on his
notifications page, follows it to the thread and replies; Lena is told of the reply, marks everything
read, and chooses to get mentions in the daily digest.
"""

from __future__ import annotations

import re

import pytest

from keel.notifications import selectors
from keel.notifications.models import Comment
from tests.conftest import PASSWORD
from tests.e2e.test_journey import CHROMIUM, browser_page, shot  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


def _sign_in(page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.django_db(transaction=True)
def test_a_mention_reaches_the_manager_and_his_reply_reaches_the_author(live_server, org, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    page = browser_page
    thread = f"{live_server.url}/notifications/projects/{org.project_north.pk}/comments/"

    # Lena asks Omar on N-001's thread
    _sign_in(page, thread, "member_north")
    expect(page.get_by_role("heading", name=re.compile("Comments on N-001"))).to_be_visible()
    page.get_by_role("textbox", name=re.compile("^Comment")).fill(
        "@pm_north can the racks go in on Monday? @pm_south FYI"
    )
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator("#comments")).to_contain_text("can the racks go in on Monday?")
    shot(page, "notifications-1-comment")

    # Omar sees the mention on his notifications page and follows it
    _sign_in(page, f"{live_server.url}/notifications/", "pm_north")
    expect(page.locator("#notification-list")).to_contain_text("1 unread")
    page.get_by_role("link", name=re.compile("mentioned you on N-001")).click()
    question = Comment.objects.get()
    expect(page.locator(f"#comment-{question.pk}")).to_be_visible()
    page.locator(f"#comment-{question.pk} summary").click()
    page.locator(f"#reply-{question.pk}").fill("Yes, the crew is booked.")
    page.locator(f"#comment-{question.pk}").get_by_role("button", name="Reply").click()
    expect(page.locator("#comments")).to_contain_text("Yes, the crew is booked.")
    shot(page, "notifications-2-reply")
    assert selectors.unread_count(org.pm_south) == 0  # cannot see N-001: not told

    # Lena is told of the reply, marks all read and moves mentions to the daily digest
    _sign_in(page, f"{live_server.url}/notifications/", "member_north")
    expect(page.locator("#notification-list")).to_contain_text("replied to your comment on N-001")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#notification-list")).to_contain_text("0 unread")
    page.get_by_role("link", name="Notification settings").click()
    page.get_by_label("Mentions: Daily digest e-mail").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    shot(page, "notifications-3-settings")
    mention = {p.kind: p.delivery for p in selectors.preferences_for_user(org.member_north)}["mention"]
    assert mention == "digest"
