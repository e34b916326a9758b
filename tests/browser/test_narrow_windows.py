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
