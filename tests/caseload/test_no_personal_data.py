"""No personal data: the report holds counts, dates, statuses and a note only; the note warns
against names where it is typed and never leaves the app in a CSV or on a page."""

import pytest
from django.urls import reverse

from caseload.factories import CountReportFactory
from caseload.models import CountReport

pytestmark = pytest.mark.django_db

NAME_IN_NOTE = "山田太郎さん宅を訪問"


def test_the_report_has_no_field_that_could_hold_a_person():
    fields = {field.name for field in CountReport._meta.concrete_fields}
    assert fields == {
        "id",
        "municipality",
        "as_of",
        "fiscal_year",
        "smid_children",
        "medical_care_children",
        "smid_adults",
        "medical_care_adults",
        "smid_children_with_medical_care",
        "smid_adults_with_medical_care",
        "status",
        "note",
        "submitted_by",
        "submitted_at",
        "approved_by",
        "approved_at",
        "reopen_reason",
        "version",
    }, "新しい項目は個人情報にならないか確認してから、この一覧に加えてください"


def test_the_note_warns_against_names_where_it_is_typed(client_for, town):
    page = client_for("municipal_user").get("/admin/caseload/countreport/add/").content.decode()
    assert "氏名など個人が特定できる情報は書かないでください。メモは出力されません。" in page


@pytest.mark.parametrize("name", ["prefecture", "open_data", "caseload"])
@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_the_note_is_in_no_export(client_for, town, name, encoding):
    CountReportFactory(municipality=town, approved=True, smid_adults=37, note=NAME_IN_NOTE)
    response = client_for("prefecture_user").get(
        reverse(f"exports:{name}"), {"fiscal_year": 2025, "encoding": encoding}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8-sig" if encoding == "utf-8" else "cp932")
    assert town.name in text and "37" in text  # the report itself is exported
    assert "山田" not in text


def test_the_note_is_not_on_the_caseload_page(client_for, town):
    CountReportFactory(municipality=town, approved=True, note=NAME_IN_NOTE)
    page = client_for("municipal_user").get("/caseload/").content.decode()
    assert town.name in page and "山田" not in page
