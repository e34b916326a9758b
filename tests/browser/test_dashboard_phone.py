"""The dashboard on a phone (390 × 844) and on a desktop (1280), in real Chromium on the demo
data: one card per town with its 課題 on screen, a short header, the region's figures on the
first screen, and the やること list with working links."""

import pytest

from hokenfukushi.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _boxes(locator) -> list[dict]:
    return locator.evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,"
        " text: e.innerText, overflow: e.scrollWidth - e.clientWidth}; })"
    )


def test_a_phone_shows_one_card_per_town_with_its_gaps_on_screen(
    admin_demo, page, login, screenshot, axe_violations
):
    page.set_viewport_size(PHONE)
    login("center", DEMO_PASSWORD)
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # the header is a few short rows, and the region's figures are on the first screen
    assert page.locator(".site-header").bounding_box()["height"] < 140
    population = page.locator('[data-stat="population"]').bounding_box()
    assert population["y"] + population["height"] <= PHONE["height"]

    # one card per town: every town's 課題, each line of it, inside the screen's width
    gaps = page.locator("#town-gaps tbody td.gaps-cell")
    assert gaps.count() == 4
    for cell in _boxes(gaps):
        assert "協議の場が未設置" in cell["text"]
        assert cell["left"] >= 0 and cell["right"] <= PHONE["width"], cell
        assert cell["overflow"] <= 0, cell
    lines = _boxes(page.locator("#town-gaps tbody td.gaps-cell li"))
    assert len(lines) >= 4
    assert all(line["left"] >= 0 and line["right"] <= PHONE["width"] for line in lines), lines
    # each figure says what it is (the table's header row is hidden on a phone)
    first = page.locator("#town-gaps tbody tr").first
    assert (
        first.locator("td.num").first.evaluate("td => getComputedStyle(td, '::before').content")
        == '"人口"'
    )
    # the 課題 come right under the town's name, before its figures
    name, gap, population_cell = (
        first.locator("th").bounding_box(),
        first.locator("td.gaps-cell").bounding_box(),
        first.locator("td.num").first.bounding_box(),
    )
    assert name["y"] < gap["y"] < population_cell["y"]

    assert page.locator("#todo").bounding_box()["width"] <= PHONE["width"]
    assert axe_violations(page) == []
    screenshot("dashboard-phone-390")


def test_a_desktop_keeps_the_town_table(admin_demo, page, login, screenshot):
    login("center", DEMO_PASSWORD)
    page.goto("/")
    table = page.locator("#town-gaps")
    assert table.evaluate("t => getComputedStyle(t).display") == "table"
    assert page.locator("#town-gaps thead").is_visible()
    row = page.locator("#town-gaps tbody tr").first
    # the name and the 課題 side by side on one row
    name, gap = row.locator("th").bounding_box(), row.locator("td.gaps-cell").bounding_box()
    assert name["y"] == gap["y"] and gap["x"] > name["x"] + 500
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    screenshot("dashboard-desktop-1280")


def test_a_town_follows_its_todo_to_the_report_form(admin_demo, page, login, axe_violations):
    page.set_viewport_size(PHONE)
    login("misato", DEMO_PASSWORD)
    page.goto("/")
    due = page.locator("#todo-due")
    assert "期限" in due.inner_text()
    assert axe_violations(page) == []
    due.get_by_role("link").first.click()
    page.wait_for_load_state()
    assert "/admin/caseload/countreport/" in page.url
    assert page.get_by_label("市町村").locator("option:checked").inner_text() == "美里町"
