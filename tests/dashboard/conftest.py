"""A small, known national picture for the figures tests.

Shifts (requested = count of live shifts of counted requests):
    VR09 approved request: S1 vpk-algemeen 2026-03-02 08:00 count 3 (2 confirmed, 1 cancelled)
                           S2 verzorgende 2026-03-09 00:30 count 2 (1 completed)  <- Monday 00:30
                              in Amsterdam is still Sunday in UTC: week 11, not 10
                           S3 cancelled shift count 5 (not counted)
    VR09 draft request:    count 4 (not counted)
    VR13 filled request:   S4 vpk-algemeen 2026-03-08 20:00 count 1 (1 completed)
    VR13 cancelled request: count 7 (not counted)
Pool: VR09 three active (one with BIG expiring in 10 days, one ring 2 / 1w) and one
applied; VR13 two active.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from registry.models import Profession, Reservist
from tests.dashboard.factories import book, local, make_request, make_shift, train_fully
from tests.factories import ReservistFactory, region


@dataclass
class Picture:
    vr09: list
    vr13: list
    applied: Reservist
    shifts: dict
    requests: dict


@pytest.fixture
def picture(db, organisation, other_organisation):
    today = timezone.localdate()
    nurse = Profession.objects.get(code="verpleegkundige")
    a = ReservistFactory()
    b = ReservistFactory(big_valid_until=today + timedelta(days=10))
    c = ReservistFactory(ring=2, big_number="", big_valid_until=None, readiness="1w")
    applied = ReservistFactory(status=Reservist.Status.APPLIED)
    d = ReservistFactory(home_region=region("VR13"), postcode="1011 AB")
    e = ReservistFactory(home_region=region("VR13"), postcode="1011 AB", readiness="1w")
    for r in (a, b, c, d, e, applied):
        r.profession = nurse
        r.save()
        train_fully(r)
    a.profiles.set([])
    from registry.models import Profile

    a.profiles.add(Profile.objects.get(code="vpk-algemeen"))
    b.profiles.add(
        Profile.objects.get(code="vpk-algemeen"), Profile.objects.get(code="verzorgende")
    )
    d.profiles.add(Profile.objects.get(code="verzorgende"))

    req_a = make_request(organisation, status="approved")
    s1 = make_shift(req_a, "vpk-algemeen", local(2026, 3, 2, 8, 0), 3)
    s2 = make_shift(req_a, "verzorgende", local(2026, 3, 9, 0, 30), 2)
    make_shift(req_a, "vpk-algemeen", local(2026, 3, 3, 8, 0), 5, cancelled=True)
    draft = make_request(organisation, status="draft")
    make_shift(draft, "vpk-algemeen", local(2026, 3, 2, 8, 0), 4)
    req_c = make_request(other_organisation, status="filled", category="regional_shelter")
    s4 = make_shift(req_c, "vpk-algemeen", local(2026, 3, 8, 20, 0), 1)
    req_d = make_request(other_organisation, status="cancelled")
    make_shift(req_d, "vpk-algemeen", local(2026, 3, 2, 8, 0), 7)

    book(s1, a)
    book(s1, b)
    book(s1, c, status="cancelled")
    book(s2, c, status="completed")
    book(s4, d, status="completed")
    return Picture(
        vr09=[a, b, c],
        vr13=[d, e],
        applied=applied,
        shifts={"s1": s1, "s2": s2, "s4": s4},
        requests={"a": req_a, "draft": draft, "c": req_c, "d": req_d},
    )
