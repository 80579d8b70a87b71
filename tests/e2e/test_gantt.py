"""The Gantt in Debian's Chromium, driven by Playwright: a project manager's schedule and the portfolio.

Omar (pm_north) opens N-001's schedule from its project page, sees the critical path marked in the grid
and drawn on the canvas, changes a duration in place (a typo first) and sees the project finish move,
drags a bar to set an earliest start, then opens the portfolio Gantt and goes back to his project from
it. A second test opens a generated 2,000-task schedule, scrolls it to the middle, times the browser and
keeps a screenshot.
"""

from __future__ import annotations

import re
import time

import pytest

from bench.gantt import build as build_generated
from keel.schedule.models import ConstraintType, Task
from tests.conftest import PASSWORD
from tests.e2e import test_journey
from tests.e2e.test_journey import CHROMIUM, shot
from tests.schedule import conftest as schedule_fixtures
from tests.schedule.conftest import Plan, at, local

# Fixtures shared with the journey test (Chromium page) and the schedule tests (eight-hour calendar).
browser_page = test_journey.browser_page
calendar8 = schedule_fixtures.calendar8

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]

# Pixels of the chart canvas by colour family: how much is drawn, and how much of it is critical red.
CANVAS_PIXELS = """(selector) => {
  const canvas = document.querySelector(selector);
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0, red = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    if (r < 235 || g < 235 || b < 235) { drawn++; }
    if (r > 180 && g < 90 && b < 90) { red++; }
  }
  return { drawn, red, total: data.length / 4 };
}"""


def sign_in(page, base_url: str, username: str) -> None:
    """Sign in through the login form."""
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def wait_drawn(page, count: int = 1) -> None:
    """Wait until the chart has drawn at least `count` frames."""
    page.wait_for_function(
        f"() => Number((document.querySelector('[data-gantt]') || {{dataset: {{}}}}).dataset.rendered || 0) >= {count}"
    )


@pytest.mark.django_db(transaction=True)
def test_project_manager_plans_in_the_gantt(live_server, org, calendar8, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    plan = Plan(org.pm_north, org.project_north)
    plan.task("Design", 2)
    plan.task("Build", 3)
    plan.task("Permits", 1)
    plan.link("Design", "Build")

    # Omar opens his project, then its schedule
    sign_in(page, live_server.url, "pm_north")
    page.goto(f"{live_server.url}/projects/{org.project_north.pk}/")
    page.get_by_role("link", name="Schedule", exact=True).last.click()
    expect(page.get_by_role("heading", name=re.compile("Schedule"))).to_be_visible()
    wait_drawn(page)

    # The critical path is marked in the grid (not by colour alone) and drawn, hatched red, on the canvas
    grid = page.get_by_role("treegrid", name="Tasks")
    critical = grid.locator('[data-critical="true"]')
    expect(critical).to_have_count(2)
    expect(critical.first).to_contain_text("Design")
    expect(critical.first.locator(".keel-gantt-crit")).to_have_text("C")
    expect(grid.locator('[data-critical="false"]')).to_contain_text("Permits")
    pixels = page.evaluate(CANVAS_PIXELS, ".keel-gantt-canvas")
    assert pixels["drawn"] > 2000, pixels  # bars, links, lines: not a blank canvas
    assert pixels["red"] > 200, pixels  # the critical bars
    expect(page.locator("#gantt-finish")).to_have_text("9 Jan 2026 17:00")
    shot(page, "gantt-1-schedule")

    # He types a wrong duration in place: the error sits by the cell and nothing is saved
    build_row = grid.locator(".keel-gantt-row", has_text="Build")
    build_row.locator('[data-edit="duration"]').dblclick()
    cell = page.get_by_label("Duration of Build")
    cell.fill("3x")
    cell.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("“3x” is not a duration")
    expect(cell).to_have_attribute("aria-invalid", "true")
    assert plan["Build"].duration_minutes == 3 * 480
    shot(page, "gantt-2-bad-duration")

    # He types 5d: the schedule is recomputed, the finish moves and the message says from when to when
    cell.fill("5d")
    cell.press("Enter")
    expect(page.locator("#gantt-messages")).to_contain_text(
        "‘Build’ now lasts 5d. Project finish: 9 Jan 2026 17:00 → 13 Jan 2026 17:00."
    )
    expect(page.locator("#gantt-finish")).to_have_text("13 Jan 2026 17:00")
    expect(grid.locator(".keel-gantt-row", has_text="Build").locator(".c-duration")).to_have_text("5d")
    assert local(plan["Build"].finish) == at(13, 17)
    shot(page, "gantt-3-new-finish")

    # He drags the Permits bar a week and a half later: a start-no-earlier-than constraint, as MS Project
    box = page.evaluate(
        """() => {
          const g = document.querySelector('[data-gantt]').keelGantt;
          const it = g.items.find((t) => t.name === 'Permits');
          const r = g.scroller.getBoundingClientRect();
          const y = g.rowOf[it.i] * 28 - g.scroller.scrollTop + 14;
          return { x: r.left + g.x(it.start) - g.scroller.scrollLeft + 4, y: r.top + y, day: g.x(1440 * 10) - g.x(0) };
        }"""
    )
    page.mouse.move(box["x"], box["y"])
    page.mouse.down()
    page.mouse.move(box["x"] + box["day"] / 2, box["y"], steps=4)
    page.mouse.move(box["x"] + box["day"], box["y"], steps=6)
    page.mouse.up()
    expect(page.locator("#gantt-messages")).to_contain_text("‘Permits’ starts no earlier than 15 Jan 2026.")
    permits = plan["Permits"]
    assert permits.constraint_type == ConstraintType.SNET and local(permits.start) == at(15, 8)
    expect(grid.locator(".keel-gantt-row", has_text="Permits")).to_have_attribute("data-critical", "true")

    # The task panel shows the links and adds one; the keyboard reaches it
    grid.locator(".keel-gantt-row", has_text="Design").click()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    panel = page.locator("#gantt-panel")
    expect(panel.get_by_role("heading", name="2 Build")).to_be_visible()
    expect(panel).to_contain_text("1 Design")
    page.wait_for_timeout(400)  # the panel slides in
    shot(page, "gantt-4-panel")
    panel.get_by_role("button", name="Close").click()

    # He opens the portfolio Gantt: his division's projects only, and back to his project from there
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Schedule").click()
    expect(page.get_by_role("heading", name="Portfolio schedule")).to_be_visible()
    wait_drawn(page)
    projects = page.get_by_role("treegrid", name="Projects")
    expect(projects).to_contain_text("NORTH — Division North")
    expect(projects).to_contain_text("N-001")
    assert "S-001" not in page.content()
    assert page.evaluate(CANVAS_PIXELS, ".keel-gantt-canvas")["drawn"] > 500
    shot(page, "gantt-5-portfolio")
    projects.get_by_role("link", name="N-001").click()
    expect(page).to_have_url(re.compile(rf"/projects/{org.project_north.pk}/schedule/"))
    assert page.keel_errors == []


@pytest.mark.django_db(transaction=True)
def test_the_task_panel_renames_records_progress_constrains_and_indents(
    live_server, org, calendar8, browser_page
):
    """Omar renames a task, marks progress, gives it a finish-no-later-than date its link cannot meet
    (flagged, the finish moves earlier), holds another back by leveling and indents/outdents a task,
    each from the task panel or the keyboard, and each answer shows the recomputed finish."""
    from playwright.sync_api import expect

    page = browser_page
    plan = Plan(org.pm_north, org.project_north)
    plan.task("Design", 2)
    plan.task("Build", 3)
    plan.task("Permits", 1)
    plan.link("Design", "Build")
    sign_in(page, live_server.url, "pm_north")
    page.goto(f"{live_server.url}/projects/{org.project_north.pk}/schedule/")
    wait_drawn(page)
    grid = page.get_by_role("treegrid", name="Tasks")
    panel = page.locator("#gantt-panel")
    messages = page.locator("#gantt-messages")

    def open_task(name: str) -> None:
        grid.locator(".keel-gantt-row", has_text=name).click()
        page.keyboard.press("Enter")
        expect(panel.get_by_label("Name", exact=True)).to_be_visible()

    def close_panel() -> None:
        panel.get_by_role("button", name="Close").click()
        expect(page.locator(".offcanvas-backdrop")).to_have_count(0)

    # He renames Design and records it half done
    open_task("Design")
    panel.get_by_label("Name", exact=True).fill("Concept design")
    panel.get_by_label("% complete").fill("50")
    panel.get_by_role("button", name="Save details").click()
    expect(messages).to_contain_text(
        "‘Design’ is now called ‘Concept design’. ‘Concept design’ is 50% complete."
    )
    expect(grid.locator(".keel-gantt-row", has_text="Concept design")).to_be_visible()
    assert (plan["Design"].name, plan["Design"].percent_complete) == ("Concept design", 50)
    close_panel()

    # A dated constraint without a date is refused beside the field
    open_task("Build")
    panel.get_by_label("Constraint", exact=True).select_option("FNLT")
    panel.get_by_role("button", name="Save details").click()
    expect(panel.get_by_role("alert")).to_contain_text("needs a date")
    # With the date, the constraint wins over the link: flagged, and the finish moves a day earlier
    panel.get_by_label("Constraint date").fill("2026-01-08")
    panel.get_by_role("button", name="Save details").click()
    expect(messages).to_contain_text(
        "‘Build’: Finish no later than 8 Jan 2026. Project finish: 9 Jan 2026 17:00 → 8 Jan 2026 17:00."
    )
    expect(page.locator("#gantt-finish")).to_have_text("8 Jan 2026 17:00")
    expect(panel).to_contain_text("Finish no later than 8 Jan 2026")
    expect(panel).to_contain_text("is not met")
    shot(page, "gantt-6-constraint")
    close_panel()

    # Leveling holds Permits back five days: the project now ends with it
    open_task("Permits")
    panel.get_by_label("Leveling delay").fill("5d")
    panel.get_by_role("button", name="Save details").click()
    expect(messages).to_contain_text(
        "‘Permits’ is held 5d by leveling. Project finish: 8 Jan 2026 17:00 → 12 Jan 2026 17:00."
    )
    assert local(plan["Permits"].start) == at(12, 8)
    close_panel()

    # Alt+Shift+→ indents Permits under Build (which becomes a summary); the panel's Outdent undoes it
    grid.locator(".keel-gantt-row", has_text="Permits").click()
    page.keyboard.press("Alt+Shift+ArrowRight")
    expect(messages).to_contain_text("‘Permits’ is now 2.1, under ‘Build’.")
    expect(grid.locator(".keel-gantt-row", has_text="Permits")).to_contain_text("2.1")
    assert plan["Build"].is_summary
    page.keyboard.press("Enter")
    panel.get_by_role("button", name="Outdent").click()
    expect(messages).to_contain_text("‘Permits’ is now 3, at the top level.")
    assert not plan["Build"].is_summary and plan["Permits"].parent_id is None
    shot(page, "gantt-7-outdented")
    assert page.keel_errors == []


@pytest.mark.django_db(transaction=True)
def test_a_2000_task_schedule_scrolls_smoothly(live_server, org, calendar8, browser_page):
    """Given a generated 2,000-task schedule with a baseline, when its Gantt opens and scrolls to the
    middle, then only the rows in view are in the page, the canvas draws them, and frames stay fast."""
    page = browser_page
    build_generated(org.project_north, org.pm_north, 2000)
    assert Task.objects.filter(project=org.project_north).count() == 2000

    sign_in(page, live_server.url, "pm_north")
    started = time.perf_counter()
    page.goto(f"{live_server.url}/projects/{org.project_north.pk}/schedule/?baseline=0&zoom=week")
    wait_drawn(page)
    opened = time.perf_counter() - started
    timing = page.evaluate(
        """() => {
          const nav = performance.getEntriesByType('navigation')[0];
          return { response: nav.responseEnd - nav.requestStart, load: nav.loadEventEnd - nav.startTime };
        }"""
    )

    # Scroll to the middle 400 pixels at a time, timing each frame's work: grid rows, layout, canvas
    frames = page.evaluate(
        """async () => {
          const g = document.querySelector('[data-gantt]').keelGantt;
          const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
          const middle = (g.visible.length * 28 - g.scroller.clientHeight) / 2;
          const times = [];
          for (let top = 400; top < middle + 400; top += 400) {
            g.scroller.scrollTop = g.gbody.scrollTop = Math.min(top, middle);
            const t0 = performance.now();
            g.renderRows();
            document.body.offsetHeight;
            g.draw();
            times.push(performance.now() - t0);
            await frame();
          }
          const row = g.visible[Math.floor(g.scroller.scrollTop / 28) + 8];
          g.scroller.scrollLeft = g.x(g.items[row].start) - 150;
          await frame();
          times.sort((a, b) => a - b);
          const nav = performance.getEntriesByType('navigation')[0];
          const drawn = performance.getEntriesByName('keel-gantt-first-draw')[0];
          return {
            frames: times.length, median: times[Math.floor(times.length / 2)], worst: times[times.length - 1],
            rows: g.gspace.children.length, firstDraw: drawn.startTime - nav.responseEnd,
          };
        }"""
    )
    page.wait_for_timeout(300)
    pixels = page.evaluate(CANVAS_PIXELS, ".keel-gantt-canvas")
    shot(page, "gantt-2000-middle")
    print(
        f"\n2,000 tasks in Chromium: page opened and drawn in {opened:.2f} s "
        f"(server response {timing['response']:.0f} ms, load event {timing['load']:.0f} ms, first draw "
        f"{frames['firstDraw']:.0f} ms after the response); "
        f"{frames['frames']} scroll frames, work median {frames['median']:.1f} ms, worst {frames['worst']:.1f} ms; "
        f"{frames['rows']} grid rows in the page"
    )
    assert frames["rows"] < 80  # only the rows in view (and a few around) exist
    assert pixels["drawn"] > 5000
    assert page.locator(".keel-gantt-row").first.is_visible()
    assert page.keel_errors == []


@pytest.mark.django_db(transaction=True)
def test_a_split_task_is_drawn_as_its_stretches_joined_by_a_dotted_line(
    live_server, org, calendar8, browser_page
):
    """Given four days of work paused for two days after the first, when the Gantt opens, then the grid
    says the task is split and the chart fills the two stretches but only dots the pause between them."""
    page = browser_page
    plan = Plan(org.pm_north, org.project_north)
    plan.task("Pour", 4, splits=[[480, 960]])
    sign_in(page, live_server.url, "pm_north")
    page.goto(f"{live_server.url}/projects/{org.project_north.pk}/schedule/?zoom=day")
    wait_drawn(page)
    assert page.get_by_role("row").filter(has_text="Pour").get_by_text("Split into 2 stretches").count() == 1
    probe = page.evaluate(
        """() => {
          const g = document.querySelector('[data-gantt]').keelGantt;
          const it = g.items[0], pos = g.rowOf[0];
          const b = g.barBox(it, pos * 28 - g.scroller.scrollTop), sl = g.scroller.scrollLeft;
          const ctx = g.ctx, dpr = g.dpr;
          const at = (min, y, dx = 0) => {
            const x = Math.round((g.x(min) - sl) * dpr) + dx;
            const d = ctx.getImageData(x, Math.round(y * dpr), 1, 1).data;
            return [d[0], d[1], d[2]];
          };
          const column = (min) => {  // darkest pixel over the bar's height, a few pixels either side
            let dark = 255;
            for (let dx = -6; dx <= 6; dx++) {
              for (let y = b.y; y < b.y + b.h; y += 0.5) { dark = Math.min(dark, ...at(min, y, dx)); }
            }
            return dark;
          };
          const s = it.stretches;
          const inPause = s[0][1] + (s[1][0] - s[0][1]) / 2;
          return {
            stretches: s.length,
            work: at(s[0][0] + 120, b.y + 3), later: at(s[1][0] + 120, b.y + 3),
            pauseTop: at(inPause, b.y + 2), pauseDark: column(inPause),
          };
        }"""
    )
    shot(page, "gantt-split-task")
    filled = lambda p: max(p) - min(p) > 60  # noqa: E731 - a bar's colour (blue, or red when critical)
    assert probe["stretches"] == 2
    assert filled(probe["work"]) and filled(probe["later"])
    assert not filled(probe["pauseTop"]) and probe["pauseDark"] < 150
