"""The pure validation rules: counts, year-over-year flags, workflow transitions, CSV reading."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseload import rules
from caseload.rules import Action

VALID = {
    "smid_children": 6,
    "medical_care_children": 4,
    "smid_adults": 36,
    "medical_care_adults": 2,
    "smid_children_with_medical_care": 5,
    "smid_adults_with_medical_care": None,
}


def test_valid_counts_have_no_errors():
    assert rules.count_errors(VALID) == []


def test_missing_and_negative_counts_are_named_in_japanese():
    errors = rules.count_errors({**VALID, "smid_children": None, "smid_adults": -1})
    assert [(e.field, e.message) for e in errors] == [
        ("smid_children", "「重症心身障害児」を入力してください。"),
        ("smid_adults", "「重症心身障害者」は0以上の整数で入力してください。"),
    ]


def test_subset_may_not_exceed_its_count():
    errors = rules.count_errors({**VALID, "smid_adults_with_medical_care": 37})
    assert [e.field for e in errors] == ["smid_adults_with_medical_care"]
    assert "（37）は「重症心身障害者」（36）を超えられません" in errors[0].message


@given(
    counts=st.fixed_dictionaries(
        {name: st.integers(-5, 200) for name in rules.COUNT_LABELS}
        | {name: st.none() | st.integers(-5, 200) for name in rules.SUBSET_LABELS}
    )
)
def test_counts_are_valid_exactly_when_non_negative_and_subsets_fit(counts):
    expected_valid = all(v is None or v >= 0 for v in counts.values()) and all(
        counts[part] is None or counts[part] <= counts[whole]
        for part, whole in rules.SUBSET_OF.items()
    )
    assert (rules.count_errors(counts) == []) == expected_valid


def test_year_over_year_flags_big_changes_with_last_years_value():
    previous = {**VALID, "smid_adults": 36, "smid_children": 6}
    current = {**VALID, "smid_adults": 20, "smid_children": 7}
    flags = rules.year_over_year_flags(current, previous)
    assert [(f.field, f.previous, f.current, f.change) for f in flags] == [
        ("smid_adults", 36, 20, -16)
    ]
    assert "前年度の承認値 36 から 20" in flags[0].message


def test_small_towns_changing_by_one_or_two_are_not_flagged():
    previous = {**VALID, "smid_children": 0, "medical_care_children": 1}
    current = {**VALID, "smid_children": 2, "medical_care_children": 0}
    assert rules.year_over_year_flags(current, previous) == []


def test_no_flags_without_last_year():
    assert rules.year_over_year_flags(VALID, None) == []


@given(
    previous=st.integers(0, 500),
    current=st.integers(0, 500),
)
def test_flag_iff_change_beyond_both_thresholds(previous, current):
    flags = rules.year_over_year_flags({"smid_adults": current}, {"smid_adults": previous})
    change = abs(current - previous)
    assert bool(flags) == (change >= 3 and change * 10 >= 3 * previous)


def test_threshold_edge_is_exact():
    # 30 % of 10 is 3: a change of exactly 3 is flagged (float 0.3 * 10 would say otherwise)
    assert rules.year_over_year_flags({"smid_adults": 13}, {"smid_adults": 10})
    assert not rules.year_over_year_flags({"smid_adults": 13}, {"smid_adults": 11})


@pytest.mark.parametrize(
    ("action", "status", "may_edit", "approver", "allowed"),
    [
        (Action.EDIT, "draft", True, False, True),
        (Action.EDIT, "submitted", True, False, False),
        (Action.EDIT, "approved", True, True, False),  # locked even for the center
        (Action.SUBMIT, "draft", True, False, True),
        (Action.SUBMIT, "draft", False, False, False),  # another town's report
        (Action.APPROVE, "submitted", True, False, False),  # municipal staff can't approve
        (Action.APPROVE, "submitted", True, True, True),
        (Action.APPROVE, "draft", True, True, False),
        (Action.APPROVE, "submitted", False, True, False),  # another region's center
        (Action.REOPEN, "approved", True, True, True),
        (Action.REOPEN, "submitted", True, True, True),
        (Action.REOPEN, "approved", True, False, False),
        (Action.DELETE, "approved", True, True, False),
    ],
)
def test_transitions(action, status, may_edit, approver, allowed):
    assert (
        rules.transition_allowed(action, status=status, may_edit=may_edit, is_approver=approver)
        == allowed
    )


# --- CSV ---

HEADER = "団体コード,基準日,重症心身障害児,医療的ケア児,重症心身障害者,医療的ケア者\n"


def test_reads_utf8_with_bom_and_cp932_alike():
    text = HEADER + "112119,2025-04-01,6,4,36,2\n"
    for data in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode(), text.encode("cp932")):
        parsed = rules.parse_count_csv(data)
        assert parsed.ok, parsed.errors
        assert parsed.rows[0].code == "112119"
        assert parsed.rows[0].as_of == dt.date(2025, 4, 1)
        assert parsed.rows[0].counts["smid_adults"] == 36


def test_accepts_full_width_digits_slashed_dates_and_optional_subset_columns():
    text = (
        "団体コード,基準日,重症心身障害児（在宅）,医療的ケア児,重症心身障害者,医療的ケア者,"
        "重症心身障害児のうち医療的ケアが必要な方\n"
        "１１２１１９,2025/4/1,６,4,36,2,5\n"
    )
    parsed = rules.parse_count_csv(text.encode())
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].counts["smid_children"] == 6
    assert parsed.rows[0].counts["smid_children_with_medical_care"] == 5
    assert parsed.rows[0].counts["smid_adults_with_medical_care"] is None


def test_every_error_has_row_column_and_reason():
    text = (
        HEADER
        + "112119,2025-04-01,6,4,36,2\n"  # line 2 fine
        + "112118,2025-04-01,x,4,-1,2\n"  # line 3: check digit, text, negative
        + "113816,2025-13-01,0,1,0,\n"  # line 4: date, blank count
        + "112119,2025-04-01,6,4,36,2\n"  # line 5: duplicate of line 2
    )
    parsed = rules.parse_count_csv(text.encode())
    assert [(e.line, e.column) for e in parsed.errors] == [
        (3, "団体コード"),
        (3, "重症心身障害児"),
        (3, "重症心身障害者"),
        (4, "基準日"),
        (4, "医療的ケア者"),
        (5, "団体コード"),
    ]
    assert "2行目と同じ" in parsed.errors[-1].message
    assert "数値ではありません（「x」）" in parsed.errors[1].message


def test_missing_columns_and_bad_encoding_are_file_errors():
    parsed = rules.parse_count_csv(
        "団体コード,基準日,重症心身障害児\n112119,2025-04-01,1\n".encode()
    )
    assert parsed.errors[0].message.startswith("必要な列がありません: 医療的ケア児、")
    parsed = rules.parse_count_csv(b"\x82\xa0\xff\xfe\x00\x81")
    assert not parsed.ok and not parsed.rows


@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    parsed = rules.parse_count_csv(data)
    assert parsed.ok == (not parsed.errors)


_cells = st.one_of(
    st.text(max_size=8),
    st.integers(-10, 10**7).map(str),
    st.sampled_from(["112119", "113816", "2025-04-01", "", "１２", "1,000", '"', "\r"]),
)


@given(st.lists(st.lists(_cells, min_size=0, max_size=8), max_size=6))
def test_malformed_rows_never_raise_and_bad_rows_never_reach_the_result(body):
    text = HEADER + "\n".join(",".join(row) for row in body)
    parsed = rules.parse_count_csv(text.encode())
    for row in parsed.rows:
        assert rules.count_errors(row.counts) == []
        assert len(row.code) == 6
    bad_lines = {error.line for error in parsed.errors}
    assert not bad_lines & {row.line for row in parsed.rows}
