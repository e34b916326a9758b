import pytest
from django.core.management import call_command

from hokenfukushi.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_center_reads_the_demo_roster(page, login, screenshot, axe_violations, settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    login("center", DEMO_PASSWORD)
    page.get_by_role("link", name="コーディネーター", exact=True).click()
    page.wait_for_url("**/coordinators/")
    assert page.get_by_role("heading", level=1).inner_text() == "医療的ケア児等コーディネーター"
    years = page.locator("#training-years tbody tr")
    assert years.count() == 6
    assert years.nth(0).inner_text().split("\t") == ["令和元年度（2019）", "1名", "1名"]
    assert years.nth(5).inner_text().split("\t") == ["令和7年度（2025）", "6名", "16名"]
    assert page.locator("#training-years tfoot").inner_text().split("\t")[:2] == ["計", "16名"]
    assert page.locator("#roster tbody tr").count() == 16
    assert "直接関わった経験あり\t1名" in page.locator("#experience-mix").inner_text()
    assert page.locator("#experience-summary").inner_text() == (
        "16 名のうち 12 名（75%）は、医療的ケア児者に関わった経験がまだありません。"
    )
    assert axe_violations(page) == []
    screenshot("coordinators")


def test_misato_admin_lists_only_misato(page, login, screenshot, settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    login("misato", DEMO_PASSWORD)
    page.goto("/admin/coordinators/coordinator/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    assert {rows.nth(i).locator("th a").inner_text().splitlines()[0] for i in range(2)} == {
        "小川 由美（デモ）",
        "高橋 優（デモ）",
    }
    screenshot("coordinators_admin_misato")
    page.get_by_role("link", name="小川 由美（デモ）").click()
    assert page.get_by_label("美里町").is_checked()
    screenshot("coordinators_admin_change")
