"""The window of dates and moments the platform accepts: the one place that defines it.

Python's dates end at 9999-12-31 and begin at 0001-01-01; a day added to the last
(``?available_until=9999-12-31``) or a year-1 moment turned into UTC raised
OverflowError, a 500. Every date and datetime field of a form (``nzr.forms``), of the
API (``nzr.api_fields``) and every date query filter refuses values outside the window
with a message next to the field, before any arithmetic happens.

- Dates (a birth date, a period, a day to count for): 1900-01-01 to 2100-12-31.
- Moments (an availability, a shift, a crisis start): from 2000-01-01, in years the
  reserve can plan with. Before 1940 Amsterdam time was 19 min 32 s ahead of UTC, an
  offset that ISO 8601 answers cannot even write (year 519 came back as ``+00:19:32``).
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _

FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2100, 12, 31)
FIRST_MOMENT_DATE = date(2000, 1, 1)


def _refuse(first: date, last: date):
    raise ValidationError(
        _("Choose a date between %(first)s and %(last)s.")
        % {"first": formats.date_format(first), "last": formats.date_format(last)},
        code="date_out_of_range",
    )


def within_date_window(value: date):
    """A date from 1900-01-01 to 2100-12-31 (a datetime is held to the moment window)."""
    if isinstance(value, datetime):
        within_moment_window(value)
    elif not FIRST_DATE <= value <= LAST_DATE:
        _refuse(FIRST_DATE, LAST_DATE)


def within_moment_window(value: datetime):
    """A moment from 2000-01-01 to 2100-12-31 (its own calendar day counts)."""
    if not FIRST_MOMENT_DATE <= value.date() <= LAST_DATE:
        _refuse(FIRST_MOMENT_DATE, LAST_DATE)


def bound_admin_dates(site) -> None:
    """Hold every date and datetime field of ``site``'s admin forms to the window (the
    admin builds its own form fields, outside ``nzr.forms``): called once the admin
    modules are registered (``nzr.urls``). A year-1 moment was a 500 on SQLite and was
    stored as given on PostgreSQL."""
    from django.db import models

    def bound(overrides: dict) -> dict:
        overrides = {key: dict(value) for key, value in overrides.items()}
        for db_field, validator in (
            (models.DateField, within_date_window),
            (models.DateTimeField, within_moment_window),
        ):
            options = overrides.setdefault(db_field, {})
            validators = list(options.get("validators", []))
            if validator not in validators:
                options["validators"] = [*validators, validator]
        return overrides

    for model_admin in site._registry.values():
        model_admin.formfield_overrides = bound(model_admin.formfield_overrides)
        # Inlines are built per request from their class: bound the class.
        for inline in model_admin.inlines:
            inline.formfield_overrides = bound(inline.formfield_overrides)
