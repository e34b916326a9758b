"""Real Chromium (Debian's package) driven by Playwright against the live test server."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "screenshots")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page):
    """Sign in through the real login form."""

    def do_login(username: str, password: str) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("ユーザー名").fill(username)
        page.get_by_label("パスワード").fill(password)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_load_state()

    return do_login


@pytest.fixture
def admin_demo(settings):
    """The 児玉郡市 demo data and accounts, admin pages without the second factor."""
    from django.core.management import call_command

    settings.DEBUG = True
    settings.OTP_REQUIRED_FOR_ADMINS = False
    call_command("load_demo", "--with-users")


@pytest.fixture
def enter_counts(page):
    """On the count report add page: type the date as given and 7 / 4 / 20 / 2, then save and
    keep editing (the town is left as the form offers it unless `town` is given)."""

    def enter(as_of: str, *, town: str | None = None) -> None:
        if town is not None:
            page.get_by_label("市町村").select_option(label=town)
        page.get_by_label("集計基準日").fill(as_of)
        for name, value in (
            ("smid_children", "7"),
            ("medical_care_children", "4"),
            ("smid_adults", "20"),
            ("medical_care_adults", "2"),
        ):
            page.locator(f'input[name="{name}"]').fill(value)
        page.get_by_role("button", name="保存して編集を続ける").click()
        page.wait_for_load_state()

    return enter


@pytest.fixture
def screenshot(page):
    def take(name: str) -> str:
        os.makedirs(SCREENSHOT_DIR, exist_ok=True)
        path = os.path.join(SCREENSHOT_DIR, f"{name}.png")
        page.screenshot(path=path, full_page=True)
        return path

    return take


def serious_accessibility_violations(page) -> list[dict]:
    """axe-core (bundled with axe-playwright-python, no download) serious/critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


@pytest.fixture
def axe_violations():
    return serious_accessibility_violations
