"""Matching a whole request at once gives the same candidates and ranking as one query
per shift (issue 9: the per-reservist filters run once per profile and date, availability
and bookings are checked in Python over the request's span)."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registry.models import Availability, Region, WeeklyAvailability
from requests_app.matching import (
    candidates_for_shift_one_query,
    candidates_for_shifts,
    rank_candidates,
    ranked_for_shift,
    ranked_for_shifts,
    shift_data,
)
from requests_app.models import Assignment, Invitation
from tests.requests_app.factories import at, invite, make_candidate, make_request

pytestmark = pytest.mark.django_db

PROFILES = ("verzorgende", "vpk-algemeen", "zorgondersteuning")


def _shifts_of_a_week():
    """Day, evening until midnight, night over midnight, long day; three profiles."""
    shifts = []
    for i, day in enumerate(range(3, 11)):
        code = PROFILES[i % len(PROFILES)]
        shifts += [
            (at(day, 7), at(day, 15), 2, code),
            (at(day, 16), at(day + 1, 0), 1, PROFILES[(i + 1) % len(PROFILES)]),
            (at(day, 22), at(day + 1, 6), 1, code),
        ]
    shifts.append((at(5, 8), at(5, 20), 1, "verzorgende"))
    return shifts


def _varied_register(rng, busy_request):
    """Forty-eight reservists; most differ from a fit one in one rule matching looks at."""
    busy_shifts = list(busy_request.shifts.order_by("start"))
    people = []
    for n in range(48):
        kind = n % 16
        r = make_candidate(
            profiles=tuple(rng.sample(PROFILES, rng.randint(1, 3))),
            home=rng.choice(["VR09", "VR09", "VR13"]),
            regions=("VR13",) if kind == 1 else rng.choice([("VR09",), ("VR09", "VR13")]),
            ring=rng.choice([1, 2, 2, 3]),
            readiness=rng.choice(["24h", "1w"]),
            status="paused" if kind == 2 else "active",
            sectors=["ggd"] if kind == 3 else ["hospital", "vvt"],
            big_valid_until=timezone.localdate() + timedelta(days=6 if kind == 4 else 900),
        )
        records = list(r.training_records.order_by("pk"))
        if kind == 5:  # one course never done
            records[0].delete()
        elif kind == 6:  # a course runs out in the middle of the request
            type(records[0]).objects.filter(pk=records[0].pk).update(
                expires_on=timezone.localdate() + timedelta(days=rng.randint(4, 8))
            )
        elif kind == 7:  # runs out, and is renewed a few days later (a gap)
            type(records[0]).objects.filter(pk=records[0].pk).update(
                expires_on=timezone.localdate() + timedelta(days=5)
            )
            type(records[0]).objects.create(
                reservist=r,
                course=records[0].course,
                completed_on=timezone.localdate() + timedelta(days=7),
            )
        elif kind == 8:  # a weekly pattern instead of a dated period
            r.availability.all().delete()
            for weekday in rng.sample(range(7), 5):
                WeeklyAvailability.objects.create(
                    reservist=r,
                    weekday=weekday,
                    start_time=rng.choice(["00:00", "06:00", "07:00"]),
                    end_time=rng.choice(["15:00", "23:59", "20:00"]),
                )
        elif kind == 9:  # away for a day or two
            day = rng.randint(3, 9)
            Availability.objects.create(
                reservist=r, kind="absent", start=at(day, 0), end=at(day + rng.randint(1, 2), 0)
            )
        elif kind == 10:  # available until the middle of the request only
            r.availability.update(end=at(rng.randint(4, 9), 12))
        elif kind in (11, 12):  # booked elsewhere: overlapping or too little rest
            s = busy_shifts[(n * 3) % len(busy_shifts)]
            Assignment.objects.create(
                shift=s,
                reservist=r,
                start=s.start,
                end=s.end,
                status="confirmed" if kind == 11 else "completed",
            )
        elif kind == 13:  # a cancelled booking does not count
            s = busy_shifts[n % len(busy_shifts)]
            Assignment.objects.create(
                shift=s, reservist=r, start=s.start, end=s.end, status="cancelled"
            )
        people.append(r)
    return people


@pytest.fixture
def varied(organisation, other_organisation):
    rng = random.Random(20261122)
    busy = make_request(
        other_organisation,
        shifts=[(at(d, h), at(d, h + 8), 3, "verzorgende") for d in range(3, 11) for h in (6, 14)],
    )
    people = _varied_register(rng, busy)
    # One who already works 48 hours in a week of the request.
    base = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    day = (base - timezone.localdate()).days
    worker = make_candidate(profiles=PROFILES)
    worker.availability.update(end=timezone.now() + timedelta(days=40))
    week = make_request(
        other_organisation,
        shifts=[(at(day + d, 8), at(day + d, 20), 1, "verzorgende") for d in range(4)],
    )
    for s in week.shifts.all():
        Assignment.objects.create(shift=s, reservist=worker, start=s.start, end=s.end)
    Region.objects.get(code="VR13")  # the second region exists in the reference data
    req = make_request(organisation, shifts=_shifts_of_a_week())
    shifts = list(req.shifts.order_by("start", "pk"))
    # Some invitations, answered and open, for the ranking inputs and exclude_invited.
    for i, r in enumerate(people[::4]):
        inv = invite(shifts[i % len(shifts)], r)
        Invitation.objects.filter(pk=inv.pk).update(
            status=rng.choice(["pending", "accepted", "declined", "expired"])
        )
    return req, shifts


def _one_query(shift, **kwargs):
    return {c.reservist_id: c for c in candidates_for_shift_one_query(shift, **kwargs)}


def _whole(found, shift):
    return {c.reservist_id: c for c in found[shift.pk]}


def test_the_whole_request_finds_the_same_candidates_as_one_query_per_shift(varied):
    req, shifts = varied
    now = timezone.now()
    found = candidates_for_shifts(shifts, now=now)
    per_shift = {s.pk: _one_query(s, now=now) for s in shifts}

    for s in shifts:
        assert _whole(found, s) == per_shift[s.pk], (s.start, s.profile.code)
    for s in shifts[:4]:  # one shift alone: one date, every checker in the first query
        assert _whole(candidates_for_shifts([s], now=now), s) == per_shift[s.pk]
    # The data set is varied enough to mean something: shifts differ in who fits.
    sizes = {len(per_shift[s.pk]) for s in shifts}
    assert max(sizes) >= 3 and len(sizes) >= 3
    everyone = set().union(*(set(c) for c in per_shift.values()))
    always = set.intersection(*(set(c) for c in per_shift.values()))
    assert everyone - always


def test_the_whole_request_excludes_the_invited_like_one_query_per_shift(varied):
    req, shifts = varied
    now = timezone.now()
    found = candidates_for_shifts(shifts, exclude_invited=True, now=now)
    excluded = 0
    for s in shifts:
        one = _one_query(s, exclude_invited=True, now=now)
        assert _whole(found, s) == one
        excluded += len(_one_query(s, now=now)) - len(one)
    assert excluded > 0


def test_the_ranking_is_the_same_both_ways(varied):
    req, shifts = varied
    ranked = ranked_for_shifts(shifts)
    for s in shifts:
        old = rank_candidates(shift_data(s), candidates_for_shift_one_query(s))
        assert [(r.position, r.candidate, r.reasons) for r in ranked[s.pk]] == [
            (r.position, r.candidate, r.reasons) for r in old
        ]
        assert [r.candidate for r in ranked_for_shift(s)] == [r.candidate for r in old]


def test_a_whole_request_costs_a_few_queries_not_one_per_shift(varied):
    req, shifts = varied
    assert len(shifts) == 25
    from regions.vetting import vog_rule

    vog_rule()  # reference data the checks read once and keep in the cache
    with CaptureQueriesContext(connection) as ctx:
        ranked_for_shifts(shifts)
    # Shifts (if not loaded), one per profile, the date-bound checkers, availability,
    # weekly pattern, bookings, ranking inputs.
    assert len(ctx.captured_queries) <= 4 + len(PROFILES) + 2
