import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from hokenfukushi.codes import (
    check_digit,
    is_valid_code,
    restore_leading_zero,
    validate_municipality_code,
)

five_digits = st.text(alphabet="0123456789", min_size=5, max_size=5)


@pytest.mark.parametrize(
    "code", ["112119", "113816", "113832", "113859", "110001", "131016", "011002", "472158"]
)
def test_real_codes_are_valid(code):
    assert is_valid_code(code)
    validate_municipality_code(code)


@given(five_digits)
def test_exactly_one_check_digit_is_accepted(first_five):
    accepted = [d for d in "0123456789" if is_valid_code(first_five + d)]
    assert accepted == [str(check_digit(first_five))]


@given(five_digits, st.integers(min_value=1, max_value=9))
def test_wrong_check_digit_is_rejected_with_the_expected_one(first_five, offset):
    wrong = (check_digit(first_five) + offset) % 10
    with pytest.raises(ValidationError) as error:
        validate_municipality_code(first_five + str(wrong))
    assert error.value.code == "check_digit"
    assert str(check_digit(first_five)) in error.value.messages[0]


@given(st.text(max_size=8).filter(lambda s: not (len(s) == 6 and s.isascii() and s.isdigit())))
def test_anything_but_six_ascii_digits_is_rejected(text):
    assert not is_valid_code(text)
    with pytest.raises(ValidationError):
        validate_municipality_code(text)


def test_full_width_digits_are_rejected():
    assert not is_valid_code("１１２１１９")


def test_transposed_digits_are_caught():
    assert not is_valid_code("121119")  # 112119 with two digits swapped


# --- a code that lost its leading zero in a spreadsheet ---------------------------------------

LEADING_ZERO_CODES = {"011002": "札幌市", "012025": "函館市"}


@pytest.mark.parametrize("code", sorted(LEADING_ZERO_CODES))
def test_real_leading_zero_codes_are_restored(code):
    assert is_valid_code(code)
    assert restore_leading_zero(code[1:]) == (code, True)


@given(st.text(alphabet="0123456789", min_size=4, max_size=4))
def test_every_valid_code_starting_with_zero_is_restored(four):
    code = "0" + four + str(check_digit("0" + four))
    assert restore_leading_zero(code.removeprefix("0")) == (code, True)


@given(five_digits.filter(lambda digits: not is_valid_code("0" + digits)))
def test_five_digits_whose_padded_form_fails_the_check_are_kept(first_five):
    assert restore_leading_zero(first_five) == (first_five, False)


@pytest.mark.parametrize(
    "value",
    ["011002", "11003", "1100", "112119", "１１００２", " 11002", "", "1100a"],
)
def test_anything_else_is_returned_unchanged(value):
    assert restore_leading_zero(value) == (value, False)
