"""The admin speaks Japanese where Django 6.1 and django-simple-history ship no Japanese:
the change-history pages, the empty choice of a select, the date widget's time-zone note."""

import json
import re

import pytest

from caseload.factories import CountReportFactory
from caseload.models import ReportStatus

pytestmark = pytest.mark.django_db

ENGLISH_LEFT_OVERS = (
    "View history",
    "Change history",
    "Changed by",
    "Change reason",
    "Comment",
    "Created",
    "Select an option",
)


@pytest.fixture
def changed_report(town, region_admin):
    report = CountReportFactory(municipality=town, smid_adults=36)
    report.smid_adults = 35
    report.status = ReportStatus.SUBMITTED
    report._history_user = region_admin
    report._change_reason = "数え直し"
    report.save()
    return report


def test_history_page_is_japanese_and_shows_who_and_old_to_new(client_for, changed_report):
    url = f"/admin/caseload/countreport/{changed_report.pk}/history/"
    page = client_for("region_admin").get(url).content.decode()
    table = page.split('id="change-history"')[1].split("</table>")[0]
    for header in ("対象", "操作", "変更者", "変更理由", "変更内容"):
        assert f">{header}" in table, header
    assert "作成" in table and "変更" in table and "数え直し" in table
    assert "36" in table and "35" in table
    assert "下書き" in table and "提出済み" in table  # choice labels, not "draft"/"submitted"
    assert "submitted" not in table
    assert "<title>変更履歴:" in page
    for english in ENGLISH_LEFT_OVERS:
        assert english not in page, english


def test_history_lists_versions_without_a_link_to_the_disabled_revert_page(
    client_for, changed_report
):
    url = f"/admin/caseload/countreport/{changed_report.pk}/history/"
    page = client_for("region_admin").get(url).content.decode()
    table = page.split('id="change-history"')[1].split("</table>")[0]
    assert f"{url}{changed_report.history.earliest().pk}/" not in table
    assert "戻せます" not in page  # no invitation to revert


def test_empty_choice_of_a_select_is_japanese(client_for, town):
    page = client_for("region_admin").get("/admin/caseload/countreport/add/").content.decode()
    assert "（選択してください）" in page
    assert "Select an option" not in page


def test_date_widget_time_zone_note_is_japanese(client_for, region_admin):
    script = client_for("region_admin").get("/admin/jsi18n/").content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", script, re.S).group(1))
    behind = next(
        value
        for key, value in catalog.items()
        if key.startswith("Note: Enter times in the") and "behind" in key
    )
    assert "日本時間" in behind[0] and "遅れています" in behind[0]


def test_history_shows_the_display_name_and_a_wareki_time(client_for, changed_report, region_admin):
    region_admin.last_name = "基幹 一郎"
    region_admin.save()
    url = f"/admin/caseload/countreport/{changed_report.pk}/history/"
    page = client_for("region_admin").get(url).content.decode()
    table = page.split('id="change-history"')[1].split("</table>")[0]
    assert "基幹 一郎" in table and f">{region_admin.username}<" not in table
    assert "令和" in table
