"""The coordinators' door in real Chromium: the center invites, the mail arrives at a real SMTP
server, the coordinator sets a password, lands on マイページ, finds colleagues on つながり and
logs an activity; on a desktop and a phone width, axe-clean on every page."""

import os
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from hokenfukushi.demo import DEMO_PASSWORD

SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "screenshots")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INVITEE = "上野 真理（デモ）"
NEW_PASSWORD = "kodama-tsunagari-2025"


def _shot(page, name: str) -> None:
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"{name}.png"), full_page=True)


def _clean(page, axe_violations, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {violations}"


@pytest.mark.parametrize("width", [1280, 390])
def test_invitation_to_first_activity(
    page, browser, live_server, login, screenshot, axe_violations, smtp_server, settings, width
):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    page.set_viewport_size({"width": width, "height": 900})

    # the center sends the invitation from the roster, after a confirmation
    login("center", DEMO_PASSWORD)
    page.goto("/coordinators/")
    page.get_by_role("link", name=re.compile(rf"招待を送る\s*（{re.escape(INVITEE)}）")).click()
    assert page.get_by_role("heading", level=1).inner_text() == "アカウントの招待を送る"
    _clean(page, axe_violations, "invite confirmation")
    screenshot(f"door_{width}_invite_confirm")
    page.get_by_role("button", name="送信する").click()
    assert "に招待を送りました" in page.locator(".messages").inner_text()
    _clean(page, axe_violations, "roster")

    (message,) = smtp_server.messages
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", body).group(0)
    path = "/" + link.split("/", 3)[3]

    # the coordinator, in a browser of their own
    context = browser.new_context(
        base_url=live_server.url,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        viewport={"width": width, "height": 900},
    )
    mine = context.new_page()
    mine.goto(path)
    assert mine.get_by_role("heading", level=1).inner_text() == "パスワードを設定して利用を始める"
    _clean(mine, axe_violations, "set password")
    _shot(mine, f"door_{width}_set_password")
    mine.locator("#id_new_password1").fill(NEW_PASSWORD)
    mine.locator("#id_new_password2").fill(NEW_PASSWORD)
    mine.get_by_role("button", name="パスワードを設定する").click()
    mine.wait_for_url("**/me/")
    assert "パスワードを設定しました" in mine.locator(".messages").inner_text()
    assert "第4回" in mine.locator("#my-meetings").inner_text()
    _clean(mine, axe_violations, "me")
    _shot(mine, f"door_{width}_me")

    # つながり: filter by topic
    mine.goto("/network/")
    assert mine.locator(".person").count() == 16
    mine.get_by_label("相談できること").select_option("respite")
    mine.get_by_role("button", name="絞り込む").click()
    mine.wait_for_url("**/network/?*topic=respite*")
    names = mine.locator(".person h3").all_inner_texts()
    assert any("青木 さくら" in n for n in names) and len(names) == 2
    _clean(mine, axe_violations, "network")
    _shot(mine, f"door_{width}_network")

    # one activity: a field error first (the future), then recorded
    today = timezone.localdate().isoformat()
    mine.goto("/me/")
    total = mine.locator("#activity-total")
    before = int(total.inner_text()) if total.count() else 0
    mine.get_by_role("link", name="活動を記録する").first.click()
    _clean(mine, axe_violations, "activity form")
    mine.locator("#id_done_on").fill("2099-01-01")
    for choice in ("家族", "電話", "児", "新規", "幼児"):
        mine.get_by_label(choice, exact=True).check()
    mine.get_by_role("button", name="記録する").click()
    assert "未来の日付は記録できません" in mine.locator("#activity-form").inner_text()
    _clean(mine, axe_violations, "activity form with an error")
    _shot(mine, f"door_{width}_activity_error")
    mine.locator("#id_done_on").fill(today)
    mine.get_by_role("button", name="記録する").click()
    mine.wait_for_url("**/me/#my-activity")
    assert mine.locator("#activity-total").inner_text() == str(before + 1)
    assert "記録しました" in mine.locator(".messages").inner_text()
    _shot(mine, f"door_{width}_me_after")

    # the used link now refuses
    mine.goto(path)
    assert "このリンクは使えません" in mine.locator("#link-refused").inner_text()
    _clean(mine, axe_violations, "used link")
    context.close()


def test_other_new_pages_are_accessible(page, login, screenshot, axe_violations, settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    page.goto("/accounts/password_reset/")
    _clean(page, axe_violations, "password reset")
    login("coordinator", DEMO_PASSWORD)
    for url, name in [
        ("/me/profile/", "profile"),
        ("/network/", "network_demo"),
    ]:
        page.goto(url)
        _clean(page, axe_violations, name)
        screenshot(f"door_{name}")
    page.goto("/me/")
    page.get_by_role("link", name=re.compile("進み具合を更新")).first.click()
    _clean(page, axe_violations, "action progress")
    page.get_by_text("進行中").click()
    page.get_by_role("button", name="保存する").click()
    page.wait_for_url("**/me/#my-actions")
    assert "進行中" in page.locator("#my-actions").inner_text()
    screenshot("door_me_demo")
    page.context.clear_cookies()
    login("center", DEMO_PASSWORD)
    page.goto("/coordinators/activity/")
    # the demo's five entries, all this quarter: 4 個別支援 and 1 地域支援
    assert "4 / 1" in page.locator("#activity-rollup tfoot").inner_text()
    _clean(page, axe_violations, "activity report")
    screenshot("door_activity_report")
    page.goto("/network/")
    _clean(page, axe_violations, "network as center")
