"""A date field rendered as ``<input type="date">`` carries its value as YYYY-MM-DD: the
browser drops any other form (a Dutch "03-12-2026"), and a revisited form or filter
then shows an empty date."""

import datetime

import pytest
from django.utils import translation

from registry.filters import ReservistFilter
from requests_app.forms import LadderStepForm, ShiftForm

DAY = datetime.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("form", "name"),
    [
        (lambda: LadderStepForm(initial={"taken_on": DAY}), "taken_on"),
        (lambda: ShiftForm(initial={"date": DAY}), "date"),
        *[
            (lambda n=n: ReservistFilter(data={n: DAY}).form, n)
            for n in ("deployable_on", "available_from", "available_until")
        ],
    ],
)
@pytest.mark.django_db
def test_a_date_input_renders_its_value_as_iso_in_dutch(form, name):
    with translation.override("nl"):
        html = str(form()[name])
    assert 'type="date"' in html
    assert 'value="2026-12-03"' in html, html
