"""The dashboard in real Chromium on the demo data, and axe-core on the main pages."""

import pytest
from django.core.management import call_command

from hokenfukushi.demo import DEMO_PASSWORD
from meetings.models import Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-users", verbosity=0)


def _stat(page, name: str) -> str:
    return page.locator(f'[data-stat="{name}"]').inner_text()


def test_center_sees_the_sources_totals_and_gaps(demo, page, login, screenshot, axe_violations):
    login("center", DEMO_PASSWORD)
    page.goto("/?fiscal_year=2025")
    assert page.get_by_role("heading", level=1).inner_text() == "ダッシュボード"
    assert _stat(page, "population") == "129,873人"
    assert [
        _stat(page, name)
        for name in ("smid_children", "medical_care_children", "smid_adults", "medical_care_adults")
    ] == ["7人", "5人", "42人", "2人"]
    assert _stat(page, "coordinators") == "16名"

    region_gaps = page.locator("#region-gaps").inner_text()
    assert "児のレスパイト先がない" in region_gaps
    towns = page.locator("#town-gaps tbody tr")
    assert towns.count() == 4
    for index in range(4):
        assert "協議の場が未設置" in towns.nth(index).inner_text()
    by_town = {towns.nth(i).locator("th").inner_text(): towns.nth(i).inner_text() for i in range(4)}
    no_experience = "医療的ケア児がいるが、実務経験のあるコーディネーターがいない"
    assert no_experience not in by_town["本庄市"]  # the こども課 coordinator has experience
    assert no_experience in by_town["美里町"]
    assert no_experience in by_town["神川町"]
    assert no_experience not in by_town["上里町"]  # no children at home there

    # every chart has its data table for screen readers
    assert page.locator("#chart-training-table tbody tr").count() == 6
    assert page.locator("#chart-participants-table tbody tr").count() == 3
    assert page.locator("#chart-towns-table tbody tr").count() == 4

    screenshot("dashboard")
    assert axe_violations(page) == []

    # sorting by population puts the smallest town first, and says so to screen readers
    header = page.locator("#town-gaps thead th").nth(1)
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert towns.first.locator("th").inner_text() == "美里町"


def test_town_staff_see_their_own_town_highlighted(demo, page, login):
    login("misato", DEMO_PASSWORD)
    page.goto("/?fiscal_year=2025")
    own = page.locator('#town-gaps tr[aria-current="true"]')
    assert own.count() == 1
    assert own.locator("th").inner_text().startswith("美里町")


@pytest.mark.parametrize("path", ["/", "/coordinators/", "/meetings/", "meeting", "login"])
def test_main_pages_have_no_serious_accessibility_violation(
    demo, page, login, axe_violations, path
):
    if path == "login":
        page.goto("/accounts/login/")
    else:
        login("center", DEMO_PASSWORD)
        if path == "meeting":
            path = f"/meetings/{Meeting.objects.order_by('number').last().pk}/"
        page.goto(path)
    assert axe_violations(page) == []


def _overflow(page, selector: str) -> int:
    """How many pixels an element's content sticks out sideways (0 when it fits)."""
    return page.locator(selector).evaluate("el => el.scrollWidth - el.clientWidth")


def test_layout_fits_a_desktop_and_a_phone_and_bars_draw_under_the_csp(
    demo, page, login, screenshot, axe_violations
):
    login("honjo", DEMO_PASSWORD)
    response = page.goto("/")
    csp = response.headers["content-security-policy"]
    assert "style-src 'self'" in csp and "unsafe-inline" not in csp
    # opens on the newest year with approved figures, and says which year that is
    assert page.get_by_label("年度", exact=True).input_value() == "2025"
    assert "令和7年度の数と会議を表示しています" in page.locator("#fiscal-year-note").inner_text()

    # 1280 px: the town table (own-town badge included) fits without a sideways scroll
    assert _overflow(page, "#town-gaps >> xpath=..") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # a date in the participants table stays on one line
    line = page.locator("#chart-participants-table tbody td").first
    assert line.evaluate("td => td.getClientRects()[0].height") < 40
    # SVG bars are drawn with a width (inline styles would be blocked by the CSP)
    bars = page.locator("#chart-towns-caption ~ .bar-chart rect.bar-fill")
    assert bars.count() == 8
    assert bars.first.evaluate("r => r.getBoundingClientRect().width") > 50  # 本庄市 children
    screenshot("dashboard-honjo-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    screenshot("dashboard-honjo-390")


def test_prefecture_reads_67_towns_sorted_and_filtered(demo, page, login, screenshot):
    from benchmarks.synthetic import generate_synthetic
    from hokenfukushi.models import Municipality, Region

    generate_synthetic(regions=2, towns=63, years=2)
    login("pref", DEMO_PASSWORD)
    page.goto("/")
    towns = page.locator("#town-gaps tbody tr")
    assert towns.count() == Municipality.objects.count() == 67
    assert _overflow(page, "#town-gaps >> xpath=..") == 0  # 11 columns still fit 1280 px
    screenshot("dashboard-prefecture-67-towns")

    header = page.locator("#town-gaps thead th").nth(2)  # 人口 (after 市町村 and 圏域)
    header.get_by_role("button").click()
    populations = [
        int(v)
        for v in towns.locator("td:nth-child(3)").evaluate_all("cs => cs.map(c => c.dataset.value)")
    ]
    assert populations == sorted(populations) and len(populations) == 67

    page.get_by_label("市町村の表示").select_option("high")
    page.get_by_role("button", name="表示").click()
    page.wait_for_load_state()
    high = towns.count()
    assert 0 < high < 67
    assert all("重要度高" in text for text in towns.all_inner_texts())

    region = Region.objects.get(name="児玉郡市")
    page.get_by_label("圏域", exact=True).select_option(str(region.pk))
    page.get_by_label("市町村の表示").select_option("")
    page.get_by_role("button", name="表示").click()
    page.wait_for_load_state()
    assert towns.count() == 4
