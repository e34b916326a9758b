"""The coordinators, meetings and caseload pages on a narrow laptop window and on a phone: the
page itself never scrolls sideways (wide tables scroll inside their own box) and axe finds no
serious problem."""

import pytest
from django.core.management import call_command

from hokenfukushi.demo import DEMO_PASSWORD
from meetings.models import Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [800, 390])
def test_pages_fit_the_window(page, login, screenshot, axe_violations, settings, width):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    third = Meeting.objects.get(region__name="児玉郡市", number=3)
    page.set_viewport_size({"width": width, "height": 900})
    login("center", DEMO_PASSWORD)
    for path in ("/coordinators/", "/meetings/", f"/meetings/{third.pk}/", "/caseload/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        assert axe_violations(page) == [], path
    # a town's name and the date stay on one line in the caseload figures
    row = page.locator("#figures tbody tr", has_text="本庄市")
    assert row.locator("th").evaluate("th => th.getClientRects().length") == 1
    assert row.locator("td.as-of").evaluate("td => td.getBoundingClientRect().height") < 40
    screenshot(f"caseload-{width}")


def test_count_report_list_shows_every_column_beside_the_filters(page, login, screenshot, settings):
    settings.DEBUG = True
    settings.OTP_REQUIRED_FOR_ADMINS = False
    call_command("load_demo", "--with-users")
    page.set_viewport_size({"width": 1280, "height": 900})
    login("center", DEMO_PASSWORD)
    page.goto("/admin/caseload/countreport/")
    results = page.locator("#result_list >> xpath=..")
    assert results.evaluate("el => el.scrollWidth - el.clientWidth") == 0
    headers = page.locator("#result_list thead th").all_inner_texts()
    assert headers.index("状態") < headers.index("重症心身障害児（在宅）")
    screenshot("countreport-list-1280")
