"""The meeting workspace and the reply page in real Chromium, with axe-core, at 1280 and 390 px;
and the admin's meeting form under axe."""

import pytest
from django.core.management import call_command

from hokenfukushi.demo import DEMO_PASSWORD
from meetings.models import Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    return Meeting.objects.get(region__name="児玉郡市", number=4)


def test_admin_meeting_form_passes_axe(page, login, screenshot, axe_violations, demo):
    login("center", DEMO_PASSWORD)
    third = Meeting.objects.get(region__name="児玉郡市", number=3)
    page.goto(f"/admin/meetings/meeting/{third.pk}/change/")
    assert page.locator("#agenda_items-group").count() == 1
    assert axe_violations(page) == []
    screenshot("admin-meeting-3")


@pytest.mark.parametrize("width", [1280, 390])
def test_workspace_pages_pass_axe(page, login, screenshot, axe_violations, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    login("center", DEMO_PASSWORD)
    for name, path in (
        ("list", "/meetings/"),
        ("detail", f"/meetings/{demo.pk}/"),
        ("edit", f"/meetings/{demo.pk}/edit/"),
        ("invitations", f"/meetings/{demo.pk}/invitations/"),
        ("questions", f"/meetings/{demo.pk}/questions/"),
        ("attendance", f"/meetings/{demo.pk}/attendance/"),
        ("questions-print", f"/meetings/{demo.pk}/questions/print/?names=1"),
        ("print-agenda", f"/meetings/{demo.pk}/print/"),
    ):
        page.goto(path)
        assert axe_violations(page) == [], name
        # the page itself never scrolls sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, name
        screenshot(f"workspace-{name}-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_invitee_answers_through_the_link(page, screenshot, axe_violations, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    invitation = demo.invitations.filter(reply="").first()
    page.goto(f"/meetings/reply/{invitation.token}/")
    assert axe_violations(page) == []
    screenshot(f"reply-{width}")
    page.get_by_label("出席", exact=True).check()
    page.get_by_label("コメント（任意）").fill("よろしくお願いします")
    page.get_by_role("button", name="回答する").click()
    page.wait_for_load_state()
    assert "ご回答を受け付けました" in page.get_by_role("status").inner_text()
    assert "出席" in page.locator("#current-reply").inner_text()
    page.get_by_label("事前質問").fill("医療的ケアの用語集はありますか（ブラウザテスト）")
    page.get_by_role("button", name="質問を送る").click()
    page.wait_for_load_state()
    assert "事前質問を受け付けました" in page.get_by_role("status").inner_text()
    assert axe_violations(page) == []
    screenshot(f"reply-done-{width}")
    page.goto("/meetings/reply/not-a-real-token/")
    assert "このリンクは使えません" in page.content()
    assert axe_violations(page) == []


def test_center_prepares_and_edits_the_next_meeting(page, login, screenshot, axe_violations, demo):
    demo.status = "held"
    demo.starts_at = Meeting.objects.get(region__name="児玉郡市", number=3).starts_at.replace(
        year=2025, month=12, day=10
    )
    demo.save()
    login("center", DEMO_PASSWORD)
    page.goto("/meetings/")
    page.get_by_role("button", name="次回の会議を準備する").click()
    page.wait_for_url("**/edit/")
    assert "第5回を予定として作成しました" in page.get_by_role("status").inner_text()
    page.get_by_label("会場").fill("上里町 総合センター（ブラウザテスト）")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_load_state()
    assert "上里町 総合センター（ブラウザテスト）" in page.content()
    assert axe_violations(page) == []
    screenshot("workspace-prepared")
