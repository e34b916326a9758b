"""The rendered dashboard is reused while its data and its viewer are unchanged
(dashboard.cache.cached_page): what each user sees must be exactly what a fresh
render would show them, with their own name, their own CSRF token and their own messages."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client, RequestFactory

from caseload.factories import CountReportFactory
from caseload.models import CountReport
from dashboard import cache as dashboard_cache
from dashboard import views
from hokenfukushi.factories import RegionAdminFactory
from hokenfukushi.fiscal import current_fiscal_year, fiscal_year_bounds

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def renders(monkeypatch):
    """Counts the dashboard's template renders."""
    calls = []
    render_text = views.render_text

    def counting(*args, **kwargs):
        calls.append(1)
        return render_text(*args, **kwargs)

    monkeypatch.setattr(views, "render_text", counting)
    return calls


def fiscal_year_start(year: int):
    """A report of that fiscal year (the factory dates reports in FY2025 unless told)."""
    return fiscal_year_bounds(year)[0]


def _page(client, **params) -> str:
    response = client.get("/", params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_rendered_once_while_nothing_changes_and_again_after_a_write(client_for, town, renders):
    client = client_for("region_admin")
    year = current_fiscal_year()
    first = _page(client, fiscal_year=year)
    assert TOKEN.sub("", _page(client, fiscal_year=year)) == TOKEN.sub("", first)
    assert len(renders) == 1
    CountReportFactory(
        municipality=town, as_of=fiscal_year_start(year), smid_children=123, status="approved"
    )
    after = _page(client, fiscal_year=year)
    assert len(renders) == 2
    assert "123人" in after and "123人" not in first  # not an id in a link


@pytest.mark.django_db
def test_a_write_in_one_region_leaves_another_regions_page_cached(
    client_for, town, far_town, other_region, renders
):
    # Region A (town's) is written to; region B's pages (its admin's, and the prefecture
    # viewer's with B picked) stay cached, while A's admin and the prefecture-wide page, which
    # shows A too, see the write.
    year = current_fiscal_year()
    region_a, region_b = client_for("region_admin"), client_for("other_region_user")
    prefecture = client_for("prefecture_user")
    pages = {
        "a": lambda: _page(region_a, fiscal_year=year),
        "b": lambda: _page(region_b, fiscal_year=year),
        "b picked": lambda: _page(prefecture, fiscal_year=year, region=other_region.pk),
        "prefecture": lambda: _page(prefecture, fiscal_year=year),
    }
    first = {name: page() for name, page in pages.items()}
    assert len(renders) == 4
    report = CountReportFactory(
        municipality=town, as_of=fiscal_year_start(year), smid_children=500, status="approved"
    )
    for n in (501, 502):
        CountReport.objects.filter(pk=report.pk).update(smid_children=n)
    assert TOKEN.sub("", pages["b"]()) == TOKEN.sub("", first["b"])
    assert TOKEN.sub("", pages["b picked"]()) == TOKEN.sub("", first["b picked"])
    assert len(renders) == 4  # both hits
    assert "502人" in pages["a"]() and "502人" in pages["prefecture"]()
    assert len(renders) == 6


@pytest.mark.django_db
def test_same_page_for_two_viewers_but_each_sees_their_own_name(region, town, renders):
    pages = {}
    for surname in ("田中", "佐藤"):
        client = Client()
        client.force_login(RegionAdminFactory(region=region, last_name=surname, first_name=""))
        pages[surname] = _page(client)
    assert "田中（" in pages["田中"] and "佐藤" not in pages["田中"]
    assert "佐藤（" in pages["佐藤"] and "田中" not in pages["佐藤"]
    assert len(renders) == 2  # per viewer; the dashboard under both was computed once


@pytest.mark.django_db
def test_a_renamed_viewer_sees_the_new_name(region_admin, town, client_for):
    client = client_for(region_admin)
    _page(client)
    region_admin.last_name = "改姓"
    region_admin.first_name = ""
    region_admin.save()
    assert "改姓（" in _page(client)


@pytest.mark.django_db
def test_a_cached_page_carries_a_working_csrf_token_of_its_own(region_admin, town):
    client = Client(enforce_csrf_checks=True)
    client.force_login(region_admin)
    tokens = [TOKEN.findall(_page(client)) for _ in range(3)]
    assert all(len(found) == 1 and len(found[0]) == 64 for found in tokens)
    assert len({found[0] for found in tokens}) == 3  # masked afresh for every request
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": tokens[-1][0]})
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # signed out: the token was accepted


def _with_message(client: Client, text: str) -> None:
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, text)])


@pytest.mark.django_db
def test_a_waiting_message_is_shown_once_even_when_the_page_is_cached(client_for, town, renders):
    client = client_for("region_admin")
    _page(client)
    _with_message(client, "保存しました（テスト）")
    assert "保存しました（テスト）" in _page(client)
    assert "保存しました（テスト）" not in _page(client)
    assert len(renders) == 2  # the page with the message was rendered for that request only


@pytest.mark.django_db
def test_turned_off_it_renders_every_time(settings, client_for, town, renders):
    settings.DASHBOARD_CACHE_SECONDS = 0
    client = client_for("region_admin")
    _page(client)
    _page(client)
    assert len(renders) == 2


@pytest.mark.django_db
def test_a_new_release_does_not_serve_the_old_page(client_for, town, renders, monkeypatch):
    client = client_for("region_admin")
    _page(client)
    monkeypatch.setattr(dashboard_cache, "code_version", lambda: "next-release")
    _page(client)
    assert len(renders) == 2


def test_the_code_version_follows_the_templates_and_code(settings, tmp_path):
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>一</p>", encoding="utf-8")
    settings.BASE_DIR = tmp_path
    dashboard_cache.code_version.cache_clear()
    try:
        before = dashboard_cache.code_version()
        page.write_text("<p>二</p>", encoding="utf-8")
        dashboard_cache.code_version.cache_clear()
        assert dashboard_cache.code_version() != before
    finally:
        dashboard_cache.code_version.cache_clear()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sessions", ["db", "redis"])
def test_a_cached_page_costs_the_user_and_the_data_version(
    sessions, request, settings, region_admin, town, django_assert_num_queries
):
    # As in production (autocommit): a cached page costs Django's own user lookup and one
    # statement for the data versions (plus the session's, when sessions are in the database),
    # and a write committed since is still seen on the next request.
    if sessions == "redis":
        redis_url = request.getfixturevalue("redis_url")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
            }
        }
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client = Client()
    client.force_login(region_admin)
    year = current_fiscal_year()
    first = _page(client, fiscal_year=year)
    with django_assert_num_queries(2 if sessions == "redis" else 3):
        assert TOKEN.sub("", _page(client, fiscal_year=year)) == TOKEN.sub("", first)
    CountReportFactory(
        municipality=town, as_of=fiscal_year_start(year), smid_children=4321, status="approved"
    )
    assert "4321人" in _page(client, fiscal_year=year) and "4321人" not in first


@pytest.mark.django_db
def test_a_large_page_is_kept_only_in_the_cache_backend(client_for, town, renders, monkeypatch):
    monkeypatch.setattr(dashboard_cache._recent_pages, "max_item_bytes", 1000)
    client = client_for("region_admin")
    first = _page(client)
    assert len(first.encode()) > 1000
    assert not dashboard_cache._recent_pages._entries  # not held by this process
    assert TOKEN.sub("", _page(client)) == TOKEN.sub("", first)
    assert len(renders) == 1  # served from the cache backend


@pytest.mark.django_db
def test_the_page_is_computed_when_the_cache_does_not_answer(client_for, town, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    client = client_for("region_admin")
    assert "data-town=" in _page(client)
    assert "data-town=" in _page(client)
