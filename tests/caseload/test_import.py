"""CSV import through the admin: preview, all-or-nothing confirm, re-import, scope, fuzzing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, OperationalError, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseload import services
from caseload.factories import CountReportFactory
from caseload.models import CountReport, ReportStatus

pytestmark = pytest.mark.django_db

URL = "/admin/caseload/countreport/import/"
HEADER = "団体コード,基準日,重症心身障害児,医療的ケア児,重症心身障害者,医療的ケア者\n"


def upload(client, text: str, encoding="utf-8-sig"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(URL, {"file": SimpleUploadedFile("counts.csv", data, "text/csv")})


def confirm(client, preview):
    return client.post(
        URL, {"csv_text": preview.context["confirm_form"]["csv_text"].value(), "confirm": "1"}
    )


def test_upload_previews_every_row_and_writes_nothing_until_confirmed(client_for, town, other_town):
    client = client_for("region_admin")
    text = HEADER + f"{town.code},2025-04-01,6,4,36,2\n{other_town.code},2025/4/1,0,1,0,0\n"
    preview = upload(client, text)
    page = preview.content.decode()
    assert "新規 2件" in page and "テスト市" in page and "となり町" in page
    assert not CountReport.objects.exists()

    response = confirm(client, preview)
    assert response.status_code == 302
    reports = CountReport.objects.order_by("municipality__code")
    assert [(r.municipality, r.smid_adults, r.status, r.fiscal_year) for r in reports] == [
        (town, 36, ReportStatus.DRAFT, 2025),
        (other_town, 0, ReportStatus.DRAFT, 2025),
    ]
    assert reports[0].history.get().history_change_reason == "CSV取り込み"


def test_one_bad_row_among_good_ones_writes_nothing_and_names_the_row(client_for, town, other_town):
    client = client_for("region_admin")
    text = HEADER + f"{town.code},2025-04-01,6,4,36,2\n{other_town.code},2025-04-01,0,１,abc,0\n"
    preview = upload(client, text)
    page = preview.content.decode()
    assert "3行目" in page and "重症心身障害者" in page and "数値ではありません（「abc」）" in page
    assert preview.context["confirm_form"] is None
    # forcing a confirm with the bad text is refused as a whole
    response = client.post(URL, {"csv_text": text, "confirm": "1"})
    assert "取り込みませんでした" in response.content.decode()
    assert not CountReport.objects.exists()


def test_reimporting_the_same_file_says_unchanged_and_changed_drafts_update_in_place(
    client_for, town
):
    client = client_for("municipal_user")
    text = HEADER + f"{town.code},2025-04-01,6,4,36,2\n"
    confirm(client, upload(client, text))
    report = CountReport.objects.get()

    again = upload(client, text)
    assert "変更なし 1件" in again.content.decode()
    assert "取り込む必要はありません" in again.content.decode()

    changed = upload(client, HEADER + f"{town.code},2025-04-01,6,4,35,2\n")
    assert "更新 1件" in changed.content.decode()
    confirm(client, changed)
    report.refresh_from_db()
    assert (report.smid_adults, report.version, CountReport.objects.count()) == (35, 2, 1)


def test_changing_a_submitted_or_approved_report_by_import_is_refused(client_for, town):
    CountReportFactory(municipality=town, approved=True, smid_adults=10)
    preview = upload(client_for("region_admin"), HEADER + f"{town.code},2025-04-01,3,2,11,1\n")
    assert "承認済みのため変更できません" in preview.content.decode()
    assert CountReport.objects.get().smid_adults == 10


def test_municipal_staff_import_only_their_own_town(client_for, town, other_town, far_town):
    text = HEADER + (
        f"{town.code},2025-04-01,1,1,1,1\n"
        f"{other_town.code},2025-04-01,1,1,1,1\n"
        f"{far_town.code},2025-04-01,1,1,1,1\n"
        "999997,2025-04-01,1,1,1,1\n"
    )
    plan = upload(client_for("municipal_user"), text).context["plan"]
    # One answer for another town, another region's town and an unregistered code: the import
    # does not tell which codes are registered elsewhere (issue 22).
    assert [(error.line, error.message) for error in plan.errors] == [
        (line, f"団体コード {code} の市町村の報告は取り込めません"
         "（登録されていないか、あなたの担当ではありません）。")
        for line, code in ((3, other_town.code), (4, far_town.code), (5, "999997"))
    ]  # fmt: skip
    assert "となり町" not in str(plan.errors) and "とおく村" not in str(plan.errors)


def test_cp932_and_malformed_files(client_for, town):
    client = client_for("municipal_user")
    preview = upload(client, HEADER + f"{town.code},2025-04-01,1,1,1,1\n", encoding="cp932")
    assert "Shift_JIS" in preview.content.decode() and preview.context["plan"].ok
    for bad in (b"\xff\xfe\x00garbage\x81", b"", "団体コード,基準日\n".encode()):
        response = upload(client, bad)
        assert response.status_code == 200
        plan = response.context.get("plan")
        assert plan is None or not plan.ok


@pytest.mark.parametrize("role", ["prefecture_user", "anonymous", "other_region_user"])
def test_import_page_per_role(role, client_for, town):
    response = client_for(role).get(URL)
    if role == "other_region_user":
        assert response.status_code == 200  # may import for their own town
    else:
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_preview_and_confirm_take_the_same_queries_for_2_or_120_rows(region, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hokenfukushi.factories import MunicipalityFactory

    client = client_for("region_admin")
    counts = []
    for size, year in ((2, 2025), (120, 2026)):
        towns = [MunicipalityFactory(region=region) for _ in range(size)]
        text = HEADER + "".join(f"{t.code},{year}-04-01,1,1,1,1\n" for t in towns)
        with CaptureQueriesContext(connection) as preview_queries:
            preview = upload(client, text)
        with CaptureQueriesContext(connection) as confirm_queries:
            confirm(client, preview)
        counts.append((len(preview_queries), len(confirm_queries)))
        assert CountReport.objects.filter(fiscal_year=year).count() == size
    assert counts[0] == counts[1], counts
    assert counts[1][0] <= 10 and counts[1][1] <= 20, counts


_cell = st.one_of(
    st.sampled_from(["", "0", "1", "5", "-1", "x", "１", "2025-04-01", "2025-02-30", '"', "\n"]),
    st.text(max_size=5),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(_cell, min_size=6, max_size=7), max_size=5), use_town=st.booleans())
def test_fuzzed_files_never_500_and_never_write_partially(client_for, town, rows, use_town):
    client = client_for("municipal_user")
    lines = [[town.code if use_town and i == 0 else c for i, c in enumerate(r)] for r in rows]
    text = HEADER + "\n".join(",".join(r) for r in lines)
    with transaction.atomic():
        preview = upload(client, text)
        assert preview.status_code == 200
        plan = preview.context["plan"]
        before = CountReport.objects.count()
        response = client.post(URL, {"csv_text": text, "confirm": "1"})
        assert response.status_code in (200, 302)
        written = CountReport.objects.count() - before
        assert written in (0, len(plan.rows) if plan.ok else 0)
        transaction.set_rollback(True)


def test_updating_drafts_in_place_keeps_every_value_and_records_history(
    client_for, town, other_town
):
    CountReportFactory(municipality=town, smid_children=3, smid_children_with_medical_care=2)
    CountReportFactory(municipality=other_town, smid_adults=10, smid_adults_with_medical_care=None)
    client = client_for("region_admin")
    header = (
        HEADER.rstrip("\n")
        + ",重症心身障害児のうち医療的ケアが必要な方,重症心身障害者のうち医療的ケアが必要な方\n"
    )
    text = header + f"{town.code},2025-04-01,4,0,7,1,,\n{other_town.code},2025-04-01,0,2,12,3,,5\n"
    preview = upload(client, text)
    assert "更新 2件" in preview.content.decode()
    confirm(client, preview)
    mine, theirs = (CountReport.objects.get(municipality=t) for t in (town, other_town))
    assert mine.counts == {
        "smid_children": 4,
        "medical_care_children": 0,
        "smid_adults": 7,
        "medical_care_adults": 1,
        "smid_children_with_medical_care": None,
        "smid_adults_with_medical_care": None,
    }
    assert theirs.counts["smid_adults_with_medical_care"] == 5 and theirs.version == 2
    last = mine.history.order_by("-history_id").first()
    assert (last.history_change_reason, last.smid_children, last.history_type) == (
        "CSV取り込み",
        4,
        "~",
    )


# --- faults: an import that fails half way leaves nothing behind ------------------------------


def _interrupt_new_rows_half_way(monkeypatch):
    """Insert the first half of the new reports for real, then fail as a concurrent import of
    the same report would (unique constraint)."""
    real = services.bulk_create_with_history

    def half_then_fail(objs, model, **kwargs):
        real(objs[: len(objs) // 2], model, **kwargs)
        assert CountReport.objects.count() >= len(objs) // 2 > 0  # really written, for now
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services, "bulk_create_with_history", half_then_fail)


def _interrupt_after_the_updates(monkeypatch):
    """Fail after the new rows are inserted and the drafts updated in place, as if the database
    went away."""
    real = services._update_counts_in_place

    def update_then_fail(reports, **kwargs):
        real(reports, **kwargs)
        assert CountReport.objects.filter(version=2).exists()  # really updated, for now
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "_update_counts_in_place", update_then_fail)


@pytest.mark.parametrize("interrupt", [_interrupt_new_rows_half_way, _interrupt_after_the_updates])
def test_an_import_interrupted_half_way_writes_nothing_and_says_so(
    interrupt, monkeypatch, client_for, region, town, other_town
):
    from hokenfukushi.factories import MunicipalityFactory

    towns = [town, other_town, *(MunicipalityFactory(region=region) for _ in range(4))]
    existing = CountReportFactory(municipality=town, smid_adults=10)
    history_before = CountReport.history.count()
    text = HEADER + "".join(f"{t.code},2025-04-01,1,2,{30 + i},4\n" for i, t in enumerate(towns))
    client = client_for("region_admin")
    preview = upload(client, text)
    assert "新規 5件" in preview.content.decode() and "更新 1件" in preview.content.decode()

    interrupt(monkeypatch)
    # A browser sees what a user would: no exception escapes into the test, only the page.
    browser = Client(raise_request_exception=False)
    browser.cookies = client.cookies
    response = browser.post(
        URL, {"csv_text": preview.context["confirm_form"]["csv_text"].value(), "confirm": "1"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "このファイルは1件も取り込んでいません" in page
    assert "途中まで書いた分も元に戻しました" in page
    assert "新規 5件" in page  # the preview again, so the user can retry
    assert list(CountReport.objects.values_list("pk", "smid_adults", "version")) == [
        (existing.pk, 10, 1)
    ]
    assert CountReport.history.count() == history_before


def test_confirming_the_same_file_again_writes_nothing(client_for, town):
    """A second import of the same good file is not a duplicate: its rows are 変更なし and
    confirming it anyway leaves the report, its version and its history as they were."""
    client = client_for("region_admin")
    text = HEADER + f"{town.code},2025-04-01,6,4,36,2\n"
    confirm(client, upload(client, text))
    report = CountReport.objects.get()
    history = report.history.count()

    response = client.post(URL, {"csv_text": text, "confirm": "1"}, follow=True)
    assert "新規 0件、更新 0件、変更なし 1件" in response.content.decode()
    report.refresh_from_db()
    assert CountReport.objects.count() == 1
    assert (report.version, report.history.count()) == (1, history)


def test_upload_page_says_what_a_second_import_does(client_for):
    page = client_for("region_admin").get(URL).content.decode()
    assert "同じファイルをもう一度取り込んでも報告は増えません" in page
