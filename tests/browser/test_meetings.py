import re

import pytest
from django.core.management import call_command

from hokenfukushi.demo import DEMO_PASSWORD
from meetings.models import Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_center_follows_the_meetings_from_list_to_print(
    page, login, screenshot, axe_violations, settings, tmp_path
):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    login("center", DEMO_PASSWORD)
    page.get_by_role("link", name="会議", exact=True).click()
    page.wait_for_url("**/meetings/")
    totals = page.locator('#meeting-table td[data-count="total"]').all_inner_texts()
    # 第1回–第3回 as the source tells, then the planned 第4回 with nobody recorded yet
    assert totals == ["8", "5", "17", "0"]
    assert page.locator("svg[role=img] rect.bar-coordinators").count() == 3
    assert page.locator("#never-attended li").count() == 4
    assert axe_violations(page) == []
    screenshot("meetings-list")

    page.get_by_role("link", name="第3回", exact=True).click()
    page.wait_for_url("**/meetings/*/")
    assert page.locator('#attendance-table [data-total="all"]').inner_text() == "17名"
    carried = page.locator("#carried-actions").inner_text()
    assert "第3回で確認" in carried and "施設見学" in carried
    assert axe_violations(page) == []
    screenshot("meeting-3")

    visit = page.locator("#carried-actions tr", has_text="施設見学など視察の機会をつくる")
    visit.get_by_text("結果を記録", exact=True).click()
    visit.get_by_label("完了").check()
    visit.get_by_label("結果・メモ").fill("多機能型事業所を見学した（ブラウザテスト）")
    visit.get_by_role("button", name="記録する").click()
    page.wait_for_load_state()
    assert "第3回で確認しました" in page.get_by_role("status").inner_text()
    visit = page.locator("#carried-actions tr", has_text="施設見学など視察の機会をつくる")
    assert "第3回で確認" in visit.inner_text()
    assert visit.get_by_role("button", name="記録する").count() == 0

    third = Meeting.objects.get(region__name="児玉郡市", number=3)
    page.goto(f"/meetings/{third.pk}/print/")
    pdf = tmp_path / "meeting-3.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    # the page tree's /Count is the number of A4 pages
    pages = int(re.search(rb"/Count (\d+)", pdf.read_bytes()).group(1))
    assert 1 <= pages <= 3
    screenshot("meeting-3-print")
