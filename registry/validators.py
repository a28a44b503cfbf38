"""Dutch identifiers: normalise, validate, and explain what is wrong.

Each ``validate_*`` raises ``ValidationError`` with a message a person
understands; ``normalise_*`` returns the canonical form.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

POSTCODE_RE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")


def normalise_postcode(value: str) -> str:
    """'1234ab', '1234-AB', ' 1234 ab ' -> '1234 AB' (when valid)."""
    compact = re.sub(r"[\s-]", "", value or "").upper()
    if POSTCODE_RE.match(compact) and compact[4:] not in {"SA", "SD", "SS"}:
        return f"{compact[:4]} {compact[4:]}"
    return compact


def validate_postcode(value: str) -> None:
    compact = re.sub(r"[\s-]", "", value or "").upper()
    if not POSTCODE_RE.match(compact):
        raise ValidationError(
            _(
                "Enter a Dutch postcode: four digits (not starting with 0) and two letters, e.g. 3511 AB."
            ),
            code="postcode",
        )
    if compact[4:] in {"SA", "SD", "SS"}:
        raise ValidationError(
            _("Postcodes do not use the letters SA, SD or SS. Check the postcode."), code="postcode"
        )


def _digits(value: str) -> str:
    return re.sub(r"[\s.-]", "", value or "")


def validate_big_number(value: str) -> None:
    """11 digits. The check digit is a warning (see ``big_check_digit_ok``), not a refusal."""
    digits = _digits(value)
    if not re.fullmatch(r"[0-9]{11}", digits):
        raise ValidationError(
            _("A BIG number has 11 digits. You find it on your BIG registration."),
            code="big_number",
        )


def big_check_digit_ok(value: str) -> bool:
    """The check digit used in practice (not officially published).

    Position 1 is the check digit, position 2 is 9; weights 6,3,7,9,10,5,8,4,2 on
    positions 3-11, plus 9; c = 11 - (s mod 11), 11 -> 0, 10 -> 1.
    """
    digits = _digits(value)
    if not re.fullmatch(r"[0-9]{11}", digits) or digits[1] != "9":
        return False
    weights = (6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(digits[2:], weights, strict=True)) + 9
    check = 11 - (total % 11)
    check = {11: 0, 10: 1}.get(check, check)
    return int(digits[0]) == check


def normalise_digits(value: str) -> str:
    return _digits(value)


def validate_agb(value: str) -> None:
    if not re.fullmatch(r"[0-9]{8}", _digits(value)):
        raise ValidationError(_("An AGB code has 8 digits."), code="agb")


def validate_kvk(value: str) -> None:
    if not re.fullmatch(r"[0-9]{8}", _digits(value)):
        raise ValidationError(_("A KvK number has 8 digits."), code="kvk")


def validate_kvk_branch(value: str) -> None:
    if not re.fullmatch(r"[0-9]{12}", _digits(value)):
        raise ValidationError(
            _("A KvK branch number (vestigingsnummer) has 12 digits."), code="kvk_branch"
        )


def validate_phone(value: str) -> None:
    digits = re.sub(r"[\s()-]", "", value or "")
    if not re.fullmatch(r"(\+31|0031|0)[1-9][0-9]{8}", digits):
        raise ValidationError(
            _("Enter a Dutch phone number of 10 digits, e.g. 06 12345678 or +31 6 12345678."),
            code="phone",
        )
