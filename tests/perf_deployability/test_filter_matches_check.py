"""The database filter of ``deployable`` and the per-reservist ``reasons_not_deployable``
are two faces of the same rule: over a varied register they must agree, for several
dates and profiles (vetting re-checks and ties, BIG, expired/valid/missing training)."""

import random
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from regions.models import VettingCheck
from regions.vetting import deployability_check, deployability_filter
from registry.deployability import deployable, reasons_not_deployable
from registry.models import Profession, Profile, Reservist
from tests.factories import ReservistFactory
from training.models import Course, CourseRequirement, TrainingRecord

pytestmark = pytest.mark.django_db

KINDS = ("identity", "big", "vog", "intake")
# What happened to one vetting check of a reservist, oldest row first.
VETTING_HISTORIES = [
    (),
    ("pass",),
    ("fail",),
    ("fail", "pass"),  # re-checked and passed: the latest counts
    ("pass", "fail"),  # a VOG withdrawn later
    ("tie:fail", "tie:pass"),  # same checked_at: the higher id counts
    ("tie:pass", "tie:fail"),
]


def _vet(reservist, kind, history, now):
    at = now - timedelta(days=60)
    for step in history:
        tie = step.startswith("tie:")
        outcome = step.removeprefix("tie:")
        if not tie:
            at += timedelta(days=7)
        VettingCheck.objects.create(reservist=reservist, kind=kind, outcome=outcome, checked_at=at)


def _train(reservist, course, state, today):
    completed = {
        "valid": today - timedelta(days=30),
        "expired": today - timedelta(days=400),
        "expires_soon": today - timedelta(days=300),  # 12-month courses: expire in ~65 days
        "future": today + timedelta(days=90),  # completed after some of the dates asked
    }
    if state == "missing":
        return
    if state == "refreshed":
        TrainingRecord.objects.create(
            reservist=reservist, course=course, completed_on=today - timedelta(days=800)
        )
        state = "valid"
    TrainingRecord.objects.create(reservist=reservist, course=course, completed_on=completed[state])


@pytest.fixture
def register():
    rng = random.Random(20261122)
    today = timezone.localdate()
    now = timezone.now()
    nurse = Profession.objects.get(code="verpleegkundige")  # BIG-registered
    helper = Profession.objects.get(code="helpende")  # not BIG-registered
    courses = list(Course.objects.order_by("code"))
    # Beyond the reference data: a requirement for a profile in one ring only, and
    # a requirement of an inactive course (does not count).
    CourseRequirement.objects.get_or_create(
        course=Course.objects.get(code="ic-basis"),
        profile=Profile.objects.get(code="zorgondersteuning"),
        ring=2,
    )
    retired = Course.objects.create(code="oud", name="Oude cursus", active=False)
    CourseRequirement.objects.create(course=retired, ring=3)
    reservists = []
    for i in range(36):
        profession = rng.choice([nurse, helper, None])
        ring = [1, 2, 3, 4, 5, None][i % 6]
        big_number = rng.choice(["19012345601"] * 5 + [""])
        big_valid_until = rng.choice(
            [today + timedelta(days=900), today + timedelta(days=100), None]
        )
        status = "active" if i % 8 else rng.choice(["paused", "vetting", "active"])
        reservist = ReservistFactory(
            user=None,
            first_name=f"R{i}",
            profession=profession,
            ring=ring,
            big_number=big_number,
            big_valid_until=big_valid_until,
            status=status,
        )
        for kind in KINDS:
            # Mostly clean histories, so that some reservists are deployable.
            history = ("pass",) if rng.random() < 0.6 else rng.choice(VETTING_HISTORIES)
            _vet(reservist, kind, history, now)
        for course in courses:
            weights = [12, 1, 1, 1, 1, 2]
            states = ["valid", "expired", "expires_soon", "future", "missing", "refreshed"]
            _train(reservist, course, rng.choices(states, weights)[0], today)
        reservists.append(reservist)
    # Clean reservists, each differing in one thing that the rule turns on.
    for ring, profession, skip in [
        (1, nurse, {"ic-basis"}),  # zorgondersteuning: ic-basis needed in ring 2 only
        (2, helper, {"ic-basis"}),
        (3, helper, set()),  # BLS done 300 days ago: expires within the dates asked
        (4, None, {"voorbehouden-handelingen"}),
    ]:
        reservist = ReservistFactory(user=None, ring=ring, profession=profession)
        for kind in KINDS:
            _vet(reservist, kind, ("pass",), now)
        for course in courses:
            if course.code not in skip:
                state = "expires_soon" if course.code == "bls" and ring == 3 else "valid"
                _train(reservist, course, state, today)
        reservists.append(reservist)
    return reservists


def _agree(reservists, on, profile):
    qs = Reservist.objects.filter(pk__in=[r.pk for r in reservists])
    by_filter = set(deployable(qs, on, profile))
    by_check = {r for r in qs if not reasons_not_deployable(r, on, profile)}
    assert by_filter == by_check, (on, profile, by_filter ^ by_check)
    return by_filter


PROFILES = [None, "vpk-algemeen", "vpk-ic-ondersteuning", "zorgondersteuning", "verzorgende"]


@pytest.mark.parametrize("profile_code", PROFILES)
def test_filter_and_check_agree_over_dates_and_profiles(register, profile_code):
    profile = Profile.objects.get(code=profile_code) if profile_code else None
    today = timezone.localdate()
    deployable_somewhere = set()
    blocked_somewhere = set()
    # The last day before the expiry, and the expiry date itself (no longer valid).
    expiry = register[-2].training_records.get(course__code="bls").expires_on
    dates = [today + timedelta(days=d) for d in (-45, -30, 0, 70, 120, 380)]
    for on in dates + [expiry - timedelta(days=1), expiry]:
        found = _agree(register, on, profile)
        deployable_somewhere |= found
        blocked_somewhere |= set(register) - found
    # The register is varied enough for the comparison to mean something.
    assert deployable_somewhere and blocked_somewhere


@override_settings(NZR_REQUIRED_VETTING_CHECKS=("identity", "big", "vog"))
def test_filter_and_check_agree_when_big_is_always_required(register):
    today = timezone.localdate()
    for profile_code in (None, "zorgondersteuning"):
        profile = Profile.objects.get(code=profile_code) if profile_code else None
        _agree(register, today, profile)


def test_failed_latest_check_blocks_only_when_required(db):
    """Spot checks of the vetting rule the filter implements."""
    today = timezone.localdate()
    helper = Profession.objects.get(code="helpende")
    nurse = Profession.objects.get(code="verpleegkundige")
    cases = {
        # (profession, ring, failed kind): deployable?
        (helper.pk, 3, "big"): True,  # BIG not required for a helper in ring 3
        (nurse.pk, 3, "big"): False,  # BIG-registered profession
        (helper.pk, 1, "big"): False,  # ring 1 always needs BIG
        (helper.pk, 3, "vog"): False,
    }
    for (profession_id, ring, kind), expected in cases.items():
        reservist = ReservistFactory(user=None, profession_id=profession_id, ring=ring)
        for check in KINDS:
            VettingCheck.objects.create(
                reservist=reservist, kind=check, outcome="fail" if check == kind else "pass"
            )
        qs = Reservist.objects.filter(pk=reservist.pk)
        # Training is not the point here: compare the vetting faces only.
        assert (not deployability_check(reservist, today, None)) is expected
        assert deployability_filter(qs, today, None).exists() is expected
