import pytest

from hokenfukushi.factories import RegionAdminFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_through_the_real_form(page, login, screenshot, axe_violations):
    RegionAdminFactory(username="center_b", password="browser-pass-123", last_name="基幹")
    page.goto("/")
    assert "/accounts/login/" in page.url
    assert axe_violations(page) == []
    screenshot("login")
    login("center_b", "wrong-password")
    assert page.get_by_role("alert").inner_text().startswith("ユーザー名またはパスワード")
    login("center_b", "browser-pass-123")
    assert page.get_by_role("heading", level=1).inner_text() == "ダッシュボード"
    assert page.locator("html").get_attribute("lang") == "ja"
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/accounts/login/")
