"""VOG with a date (issue 21 part 3): the active VogRule decides how long a VOG counts,
per reservist and in the bulk condition alike; the API refuses dates the rule does not
allow."""

import random
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from regions import vetting
from regions.models import VettingCheck, VogRule
from registry.deployability import deployable, reasons_not_deployable
from registry.models import Reservist
from tests.factories import ReservistFactory
from tests.regions.factories import pass_all
from tests.training.factories import train

pytestmark = pytest.mark.django_db


def url(reservist):
    return f"/api/v1/reservists/{reservist.pk}/vetting/"


def ready(issued_on):
    reservist = ReservistFactory()
    pass_all(reservist)
    train(reservist, completed_on=timezone.localdate() - timedelta(days=10))
    VettingCheck.objects.create(
        reservist=reservist, kind="vog", outcome="pass", issued_on=issued_on
    )
    return reservist


def bulk(reservist, on):
    return deployable(Reservist.objects.filter(pk=reservist.pk), on).exists()


def test_default_rule_is_loaded(db):
    rule = VogRule.objects.get(active=True)
    assert (rule.first_months, rule.renew_months) == (3, 36)


def test_too_old_at_first_deployment_is_not_deployable(db):
    today = timezone.localdate()
    reservist = ready(today - relativedelta(months=3))
    reasons = reasons_not_deployable(reservist, today)
    assert len(reasons) == 1
    assert "first deployment" in reasons[0] or "eerste inzet" in reasons[0]
    assert not bulk(reservist, today)
    fresh = ready(today - relativedelta(months=3) + timedelta(days=1))
    assert reasons_not_deployable(fresh, today) == [] and bulk(fresh, today)


def test_renewal_expiry_blocks_from_the_expiry_date_on(db):
    issued = date(2024, 1, 10)
    reservist = ready(issued)
    for rule in VogRule.objects.all():  # the first-deployment part out of the way
        rule.first_months = 120
        rule.save()
    expiry = issued + relativedelta(months=36)
    day_before = expiry - timedelta(days=1)
    assert vetting.vog_check(reservist, day_before, None) == [] and bulk(reservist, day_before)
    [reason] = vetting.vog_check(reservist, expiry, None)
    assert expiry.strftime("%d-%m-%Y") in reason
    assert not bulk(reservist, expiry)


def test_api_requires_a_date_the_rule_allows(api_as, regional_coordinator):
    reservist = ReservistFactory(status=Reservist.Status.APPLIED)
    client = api_as(regional_coordinator)
    today = timezone.localdate()
    missing = client.post(url(reservist), {"check": "vog", "outcome": "pass"}, format="json")
    assert missing.status_code == 400 and "issued_on" in missing.json()
    future = client.post(
        url(reservist),
        {"check": "vog", "outcome": "pass", "issued_on": str(today + timedelta(days=1))},
        format="json",
    )
    assert future.status_code == 400 and "issued_on" in future.json()
    old = client.post(
        url(reservist),
        {"check": "vog", "outcome": "pass", "issued_on": str(today - relativedelta(months=4))},
        format="json",
    )
    assert old.status_code == 400 and "issued_on" in old.json()
    assert not VettingCheck.objects.filter(reservist=reservist).exists()
    good = client.post(
        url(reservist),
        {
            "check": "vog",
            "outcome": "pass",
            "issued_on": str(today - timedelta(days=20)),
            "screening_profile": "45 Gezondheidszorg",
        },
        format="json",
    )
    assert good.status_code == 201, good.content
    assert good.json()["issued_on"] == str(today - timedelta(days=20))
    assert good.json()["screening_profile"] == "45 Gezondheidszorg"


def test_form_has_a_date_field(db):
    from regions.forms import VettingForm

    html = str(VettingForm(initial={"issued_on": date(2026, 3, 1)})["issued_on"])
    assert 'type="date"' in html and 'value="2026-03-01"' in html


def test_last_day_expired_counts_like_the_check():
    for on in [date(2026, 2, 28), date(2026, 3, 31), date(2024, 2, 29), date(2026, 8, 31)]:
        for months in (3, 6, 36):
            cut = vetting.last_day_expired(on, months)
            assert vetting.added_months(cut, months) <= on
            assert vetting.added_months(cut + timedelta(days=1), months) > on


def test_bulk_path_agrees_with_the_per_reservist_path(db):
    rng = random.Random(21)
    base = timezone.localdate()
    people = [ready(base - timedelta(days=rng.randrange(0, 1200))) for _ in range(30)]
    days = [base + timedelta(days=d) for d in (0, 1, 29, 60, 91, 200)]
    seen, disagreements = set(), []
    for on in days:
        found = set(
            deployable(Reservist.objects.filter(pk__in=[p.pk for p in people]), on).values_list(
                "pk", flat=True
            )
        )
        for person in people:
            single = not reasons_not_deployable(person, on)
            seen.add(single)
            if single != (person.pk in found):
                disagreements.append((person.pk, on))
    assert disagreements == [] and seen == {True, False}
