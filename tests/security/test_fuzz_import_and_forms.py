"""Fuzzing the CSV import and the admin forms a town's staff use (issue 22): whatever is sent,
no 500 (the test client re-raises any exception), a Japanese message for every refusal, and
either the whole input written, inside the sender's edit scope and the supported dates, or
nothing at all."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseload.models import COUNT_AND_SUBSET_FIELDS, CountReport
from coordinators.models import Organization
from hokenfukushi.fiscal import FIRST_SUPPORTED_DATE, last_supported_date
from hokenfukushi.validators import control_characters

pytestmark = pytest.mark.django_db

IMPORT = "/admin/caseload/countreport/import/"
HEADER = "団体コード,基準日,重症心身障害児,医療的ケア児,重症心身障害者,医療的ケア者"
JAPANESE = re.compile(r"[ぁ-んァ-ヶ一-龠]")
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

_good_dates = st.sampled_from(["2025-04-01", "2024/4/1", "2016-04-01", "2023年4月1日"])
_odd_dates = st.sampled_from(
    [
        "1800-04-01",
        "1867-12-31",
        "2016-03-31",
        "2016-04-01",
        "2025-04-01",
        "2025/4/1",
        "2025年4月1日",
        "2025-02-30",
        "9999-12-31",
        "0001-01-01",
        (last_supported_date() + dt.timedelta(days=1)).isoformat(),
    ]
)
_good_numbers = st.integers(0, 40).map(str)
_numbers = st.one_of(
    _good_numbers,
    _good_numbers,
    st.integers(-5, 200_000).map(str),
    st.sampled_from(["", "１２", "1,000", "9" * 40, "1e3", "0x10", "-0", " 3 "]),
)
_text = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12
) | st.sampled_from(['"', '""', "\r", "\n", "\x00", "=1+1", "＝1", "a" * 300])


def _codes(towns):
    own = st.sampled_from([t.code for t in towns])
    return st.one_of(*[own] * 6, st.sampled_from(["999997", "12345", ""]), _text)


# Mostly well-formed values, so that writes happen, with every kind of bad one mixed in.
_dates = st.one_of(*[_good_dates] * 6, _odd_dates, _text)
_mostly_good_numbers = st.one_of(*[_good_numbers] * 8, _numbers, _text)
_subsets = st.one_of(st.just(""), st.just(""), st.just("0"), _numbers)


def _csv_cell(value: str) -> str:
    return value if not re.search(r'[",\r\n]', value) else '"' + value.replace('"', '""') + '"'


def _assert_japanese(messages) -> None:
    for message in messages:
        assert JAPANESE.search(message), message


def _stored_reports_are_in_scope(user) -> None:
    for report in CountReport.objects.all():
        assert CountReport.objects.editable_by(user).filter(pk=report.pk).exists()
        assert FIRST_SUPPORTED_DATE <= report.as_of <= last_supported_date()


@pytest.mark.parametrize("role", ["municipal_user", "region_admin"])
def test_fuzzed_imports_never_500_and_write_all_or_nothing(
    role, client_for, user_for_role, town, other_town, far_town
):
    client, user = client_for(role), user_for_role(role)
    good_row = st.tuples(
        st.sampled_from([town.code, other_town.code]), _good_dates, *[_good_numbers] * 4
    ).map(list)
    any_row = st.tuples(_codes([town, other_town, far_town]), _dates).flatmap(
        lambda start: st.lists(_mostly_good_numbers, min_size=4, max_size=5).map(
            lambda rest: [*start, *rest]
        )
    )
    rows = st.lists(st.one_of(good_row, good_row, any_row), min_size=1, max_size=3)
    header = st.sampled_from([HEADER] * 8 + [HEADER + ",重症心身障害児", "団体コード,基準日"])

    @FUZZ
    @given(header=header, rows=rows, encoding=st.sampled_from(["utf-8-sig", "cp932"]))
    def run(header, rows, encoding):
        text = header + "\n" + "\n".join(",".join(_csv_cell(c) for c in row) for row in rows)
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            data = text.encode("utf-8")
        with transaction.atomic():
            preview = client.post(IMPORT, {"file": SimpleUploadedFile("c.csv", data)})
            assert preview.status_code == 200
            plan = preview.context["plan"]
            _assert_japanese(error.message for error in plan.errors)
            csv_text = plan.parsed.text
            confirmed = client.post(IMPORT, {"csv_text": csv_text, "confirm": "1"})
            assert confirmed.status_code in (200, 302)
            written = CountReport.objects.count()
            assert written == (len(plan.rows) if plan.ok else 0)
            assert (confirmed.status_code == 302) == (plan.ok and bool(plan.rows))
            _stored_reports_are_in_scope(user)
            transaction.set_rollback(True)

    run()


def test_fuzzed_count_report_forms_never_500_and_write_all_or_nothing(
    client_for, municipal_user, town, other_town, far_town
):
    client = client_for("municipal_user")
    names = list(COUNT_AND_SUBSET_FIELDS)  # the four counts, then the two subsets
    fuzzed = {
        "municipality": st.sampled_from([str(t.pk) for t in (other_town, far_town)] + ["", "x"]),
        "as_of": _odd_dates | _text,
        **{name: _numbers | _text for name in names},
        "note": _text,
    }

    # A well-formed form with no field, or one field, or all fields fuzzed at once.
    @FUZZ
    @given(
        bad=st.sampled_from([None, "all", *fuzzed]),
        values=st.fixed_dictionaries(fuzzed),
        as_of=_good_dates,
        counts=st.tuples(*[_good_numbers] * 4),
    )
    def run(bad, values, as_of, counts):
        data = {"municipality": str(town.pk), "as_of": as_of, "note": ""}
        data.update(zip(names, [*counts, "", ""], strict=True))
        if bad == "all":
            data.update(values)
        elif bad is not None:
            data[bad] = values[bad]
        with transaction.atomic():
            response = client.post("/admin/caseload/countreport/add/", data)
            assert response.status_code in (200, 302)
            assert CountReport.objects.count() == (1 if response.status_code == 302 else 0)
            if response.status_code == 200:
                form = response.context["adminform"].form
                _assert_japanese(m for errors in form.errors.values() for m in errors)
            _stored_reports_are_in_scope(municipal_user)
            transaction.set_rollback(True)

    run()


def test_fuzzed_organization_forms_never_500_and_stay_in_scope(
    client_for, municipal_user, region, other_region, town, other_town, far_town
):
    client = client_for("municipal_user")
    own = st.just(str(town.pk))
    towns = st.one_of(own, own, st.sampled_from([str(t.pk) for t in (other_town, far_town)] + [""]))
    regions = st.one_of(*[st.just(str(region.pk))] * 3, st.sampled_from([str(other_region.pk), ""]))
    names = st.one_of(*[st.sampled_from(["本町相談室", "みさと支援", "Office 1"])] * 3, _text)

    @FUZZ
    @given(
        name=names,
        department=names,
        kind=st.sampled_from(["planned"] * 4 + ["commissioned", "base_center", "", "x"]),
        field=st.sampled_from(["", "", "", "mental", "x"]),
        region_id=regions,
        municipality=towns,
    )
    def run(name, department, kind, field, region_id, municipality):
        data = {
            "name": name,
            "department": department,
            "kind": kind,
            "field": field,
            "region": region_id,
            "municipality": municipality,
            "notes": "",
        }
        with transaction.atomic():
            response = client.post("/admin/coordinators/organization/add/", data)
            assert response.status_code in (200, 302)
            saved = list(Organization.objects.all())
            assert len(saved) == (1 if response.status_code == 302 else 0)
            for organization in saved:
                assert organization.municipality == town
                assert organization.region == region
                assert not control_characters(organization.name + organization.department)
            if response.status_code == 200:
                form = response.context["adminform"].form
                _assert_japanese(m for errors in form.errors.values() for m in errors)
            transaction.set_rollback(True)

    run()
