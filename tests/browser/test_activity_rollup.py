"""The dashboard's 活動記録 section and the activity exports in real Chromium on the demo data:
the center's roll-up with its link, a coordinator's counts without names, a phone's width, and
axe-core."""

import pytest
from django.core.management import call_command

from hokenfukushi.demo import DEMO_PASSWORD
from hokenfukushi.fiscal import current_fiscal_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-users", verbosity=0)


def test_center_and_coordinator_see_the_rollup_on_desktop_and_phone(
    demo, page, login, screenshot, axe_violations
):
    login("center", DEMO_PASSWORD)
    page.goto(f"/?fiscal_year={current_fiscal_year()}")
    section = page.locator("#activity")
    total = section.locator('tr[data-activity-town="total"] td').last.inner_text()
    assert int(total) > 0  # the demo's entries of this year
    section.get_by_role("link", name="活動の集計と未記録の人を見る").click()
    page.wait_for_url("**/coordinators/activity/")
    page.wait_for_load_state()
    # back to the dashboard by its address: go_back() raced Chromium's page swap once in CI
    # ("Page.go_back: Not attached to an active page")
    page.goto(f"/?fiscal_year={current_fiscal_year()}")
    assert axe_violations(page) == []
    screenshot("dashboard-activity-center-1280")

    page.context.clear_cookies()
    login("coordinator", DEMO_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/?fiscal_year={current_fiscal_year()}")
    section = page.locator("#activity")
    assert section.locator('tr[data-activity-town="total"] td').last.inner_text() == total
    assert section.get_by_role("link").count() == 0  # the center's page is not theirs
    # the table scrolls inside its own box; the page itself never scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    screenshot("dashboard-activity-coordinator-390")


def test_the_export_page_offers_both_activity_csvs(demo, page, login, axe_violations):
    login("pref", DEMO_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/exports/")
    for heading in ("活動記録（市町村別・四半期別）", "活動記録オープンデータ（秘匿処理済み）"):
        assert page.get_by_role("heading", name=heading).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []


def test_the_centers_report_reads_on_a_phone(demo, page, login, axe_violations, screenshot):
    login("center", DEMO_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/coordinators/activity/")
    names = page.locator("#activity-rollup tbody th")
    assert names.count() == 4  # every town of the region, 0 / 0 where nothing was recorded
    first_row = page.locator("#activity-rollup tbody tr").first.bounding_box()
    assert first_row["height"] < 48  # 本庄市 on one line, not a letter a line
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls
    # the downloads are the export page's (logged, both encodings)
    assert page.locator("#activity-csv").get_attribute("href").startswith("/exports/activity.csv")
    assert axe_violations(page) == []
    screenshot("activity-report-center-390")
