"""``nzr.precompiled``: a condition compiled once per key gives the rows the ORM gives,
as a filter and as a column, at the top of a query and inside a subquery."""

from datetime import timedelta

import pytest
from django.core.exceptions import FieldError
from django.db.models import BooleanField, Q
from django.test import override_settings
from django.utils import timezone

from nzr import precompiled
from nzr.precompiled import Precompiled
from regions.models import VettingCheck
from registry.deployability import deployable, deployable_condition, reasons_not_deployable
from registry.models import Profession, Profile, Reservist
from tests.factories import ReservistFactory
from training.models import Course, TrainingRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted():
    """A Precompiled condition "ring 1 or 2" whose ``build`` counts its calls."""
    precompiled.clear()
    calls = []

    def build():
        calls.append(1)
        return Q(ring__in=[1, 2])

    def make(key="test:rings"):
        return Precompiled(key, build, output_field=BooleanField())

    return make, calls


@pytest.fixture
def rings():
    return {ring: ReservistFactory(user=None, ring=ring) for ring in (1, 2, 3)}


def test_filter_gives_the_rows_of_the_plain_condition(counted, rings):
    make, calls = counted
    assert set(Reservist.objects.filter(make())) == {rings[1], rings[2]}
    assert set(Reservist.objects.exclude(make())) == {rings[3]}


def test_built_once_per_key_and_context(counted, rings):
    make, calls = counted
    for _ in range(3):
        assert Reservist.objects.filter(make()).count() == 2
    assert len(calls) == 1
    # Another key is another condition.
    assert Reservist.objects.filter(make("test:other")).count() == 2
    assert len(calls) == 2
    # Inside a subquery the query's aliases differ: compiled again for that context.
    inner = Reservist.objects.filter(make()).values("pk")
    assert set(Reservist.objects.filter(pk__in=inner)) == {rings[1], rings[2]}
    assert len(calls) == 3


def test_as_a_column_it_says_yes_or_no(counted, rings):
    make, _calls = counted
    ReservistFactory(user=None, ring=None)  # ring NULL: the condition is NULL in SQL
    got = dict(Reservist.objects.annotate(fits=make()).values_list("ring", "fits"))
    assert got == {1: True, 2: True, 3: False, None: False}


def test_a_join_is_refused(counted, rings):
    precompiled.clear()
    joined = Precompiled(
        "test:join", lambda: Q(profession__big_registered=True), output_field=BooleanField()
    )
    with pytest.raises(FieldError):
        list(Reservist.objects.filter(joined))


def test_deployable_as_filter_column_and_subquery_agree_with_the_check(db):
    """The register list asks the column, the dashboard the subquery, the search the
    filter: each must name the reservists that ``reasons_not_deployable`` clears."""
    precompiled.clear()
    today = timezone.localdate()
    nurse = Profession.objects.get(code="verpleegkundige")
    people = [
        ReservistFactory(user=None, ring=3, profession=None),
        ReservistFactory(user=None, ring=1, big_number="", big_valid_until=None),
        ReservistFactory(user=None, ring=3, profession=nurse, big_valid_until=None),
        ReservistFactory(user=None, ring=3, status="paused"),
        ReservistFactory(user=None, ring=None),
    ]
    failed = ReservistFactory(user=None, ring=3, profession=None)
    VettingCheck.objects.create(reservist=failed, kind="vog", outcome="fail")
    people.append(failed)
    ids = [p.pk for p in people]
    qs = Reservist.objects.filter(pk__in=ids)
    for profile in [None, *Profile.objects.filter(active=True)]:
        expected = {p.pk for p in qs if not reasons_not_deployable(p, today, profile)}
        by_filter = set(deployable(qs, today, profile).values_list("pk", flat=True))
        by_column = {
            pk
            for pk, yes in qs.annotate(d=deployable_condition(today, profile)).values_list(
                "pk", "d"
            )
            if yes
        }
        by_subquery = set(
            qs.filter(
                pk__in=deployable(Reservist.objects.all(), today, profile).values("pk")
            ).values_list("pk", flat=True)
        )
        assert by_filter == by_column == by_subquery == expected, profile
    assert failed.pk not in by_filter


def _trained(reservist, today):
    for course in Course.objects.filter(active=True):
        TrainingRecord.objects.create(
            reservist=reservist, course=course, completed_on=today - timedelta(days=1)
        )
    return reservist


def test_a_setting_the_condition_reads_is_part_of_its_key(db):
    """NZR_REQUIRED_VETTING_CHECKS decides which failed checks block: compiled once with
    the default, the condition must not be reused when the setting differs."""
    precompiled.clear()
    today = timezone.localdate()
    helper = Profession.objects.get(code="helpende")
    reservist = _trained(ReservistFactory(user=None, ring=3, profession=helper), today)
    VettingCheck.objects.create(reservist=reservist, kind="big", outcome="fail")
    qs = Reservist.objects.filter(pk=reservist.pk)
    assert reasons_not_deployable(reservist, today) == []
    assert deployable(qs, today).exists()  # BIG not required for a helper in ring 3
    with override_settings(NZR_REQUIRED_VETTING_CHECKS=("identity", "big", "vog")):
        assert not deployable(qs, today).exists()
    assert deployable(qs, today).exists()


def test_dates_and_profile_rings_are_part_of_the_key(db):
    precompiled.clear()
    today = timezone.localdate()
    helper = Profession.objects.get(code="helpende")
    reservist = _trained(ReservistFactory(user=None, ring=3, profession=helper), today)
    qs = Reservist.objects.filter(pk=reservist.pk)
    profile = Profile.objects.filter(active=True).first()
    profile.rings = [3]
    assert deployable(qs, today, profile).exists()
    profile.rings = [1, 2]
    assert not deployable(qs, today, profile).exists()  # the ring no longer fits
    Reservist.objects.filter(pk=reservist.pk).update(
        ring=1, big_number="19012345601", big_valid_until=today + timedelta(days=1)
    )
    assert deployable(qs, today).exists()
    assert not deployable(qs, today + timedelta(days=2)).exists()  # BIG expired by then


def test_each_checker_alone_agrees_with_its_check_and_keys_its_date_and_setting(db):
    """Matching applies the checkers one by one (``Checker.filter``), each compiled once
    per date and profile: each must clear exactly whom its own ``check`` clears, on each
    date, and a setting its key names must not be served from another setting's SQL."""
    from registry.deployability import checkers

    precompiled.clear()
    today = timezone.localdate()
    nurse = Profession.objects.get(code="verpleegkundige")
    people = [
        _trained(ReservistFactory(user=None, ring=3, profession=None), today),
        ReservistFactory(user=None, ring=1, big_number="", big_valid_until=None),
        ReservistFactory(
            user=None, ring=3, profession=nurse, big_valid_until=today + timedelta(days=1)
        ),
        ReservistFactory(user=None, ring=3, status="paused"),
    ]
    failed = _trained(ReservistFactory(user=None, ring=3, profession=None), today)
    VettingCheck.objects.create(reservist=failed, kind="big", outcome="fail")
    people.append(failed)
    qs = Reservist.objects.filter(pk__in=[p.pk for p in people])
    profile = Profile.objects.filter(active=True).first()

    def agree(checker, on, profile):
        expected = {p.pk for p in qs if not checker.check(p, on, profile)}
        got = set(checker.filter(qs, on, profile).values_list("pk", flat=True))
        assert got == expected, (checker.name, on, profile)
        return got

    by_date = {}
    for checker in checkers():
        for on in (today, today + timedelta(days=2)):
            for p in (None, profile):
                by_date[(checker.name, on, p)] = agree(checker, on, p)
    # The nurse's BIG registration runs out tomorrow: another date, another answer.
    assert people[2].pk in by_date[("big", today, None)]
    assert people[2].pk not in by_date[("big", today + timedelta(days=2), None)]
    vetting = next(c for c in checkers() if c.name == "vetting")
    assert failed.pk in agree(vetting, today, None)  # a failed BIG check: not required
    with override_settings(NZR_REQUIRED_VETTING_CHECKS=("identity", "big", "vog")):
        assert failed.pk not in agree(vetting, today, None)
