import pytest
from django.core.exceptions import ValidationError

from registry.demo import big_number_for
from registry.validators import (
    big_check_digit_ok,
    normalise_postcode,
    validate_big_number,
    validate_postcode,
)


@pytest.mark.parametrize(
    "raw, expected",
    [("1234ab", "1234 AB"), (" 1234-ab ", "1234 AB"), ("3511 AB", "3511 AB")],
)
def test_postcode_is_normalised(raw, expected):
    validate_postcode(raw)
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    "bad", ["0123 AB", "123 AB", "1234 A1", "12345", "", "1234 SA", "1234SD", "1234 ss"]
)
def test_bad_postcodes_are_refused(bad):
    with pytest.raises(ValidationError):
        validate_postcode(bad)


def test_sa_sd_ss_message_explains():
    with pytest.raises(ValidationError) as exc:
        validate_postcode("1234 SS")
    assert "SA, SD" in str(exc.value.messages[0])


def test_big_number_needs_eleven_digits():
    with pytest.raises(ValidationError):
        validate_big_number("1234567890")
    with pytest.raises(ValidationError):
        validate_big_number("1234567890a")
    validate_big_number("190 1234 5601")  # spaces are fine


def test_big_check_digit_is_only_a_warning():
    good = big_number_for(12)
    assert big_check_digit_ok(good)
    bad = str((int(good[0]) + 1) % 10) + good[1:]
    validate_big_number(bad)  # not refused
    assert not big_check_digit_ok(bad)
