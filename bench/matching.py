"""Matching: ranked candidates for every shift of a 50-shift request over the register.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nzr_bench .venv/bin/python bench/matching.py

Creates a request of 50 shifts (VR09, two per day, far enough ahead to miss the seeded
bookings) and ranks the candidates of every shift two ways: ``ranked_for_shifts`` over
the whole request (what matching uses: the per-reservist filters once per profile and
date), and the earlier form, one query per shift (``candidates_for_shift_one_query``).
Prints the times, checks that both give the same rankings, and deletes what it created.
"""

import time
from datetime import timedelta

from _common import pct, report, setup

setup()

from django.utils import timezone  # noqa: E402

from escalation.models import Crisis  # noqa: E402
from registry.models import Profile  # noqa: E402
from requests_app.matching import (  # noqa: E402
    candidates_for_shift_one_query,
    rank_candidates,
    ranked_for_shifts,
    shift_data,
)
from requests_app.models import CareOrganisation, DeploymentRequest, Shift  # noqa: E402

RUNS = 5

org = CareOrganisation.objects.filter(region__code="VR09").order_by("id").first()
crisis, _ = Crisis.objects.get_or_create(
    name="Benchmark crisis", defaults={"kind": "other", "phase": "warm", "active": True}
)
req = DeploymentRequest.objects.create(
    organisation=org, category="individual", status="approved", crisis=crisis,
    postcode=org.postcode, region_id=org.region_id, submitted_at=timezone.now(),
    approved_at=timezone.now(), description="benchmark matching",
)  # fmt: skip
try:
    base = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    profiles = list(Profile.objects.filter(active=True).order_by("code"))
    shifts = Shift.objects.bulk_create(
        [Shift(request=req, profile=profiles[i % len(profiles)], start=base + timedelta(hours=12 * i),
               end=base + timedelta(hours=12 * i + 8), count=3) for i in range(50)]
    )  # fmt: skip
    shifts = list(
        Shift.objects.filter(request=req).select_related("request__organisation", "profile")
    )

    def per_shift(shift):
        return rank_candidates(shift_data(shift), candidates_for_shift_one_query(shift))

    def key(ranked):
        return [(r.position, r.candidate, r.reasons) for r in ranked]

    ranked_for_shifts(shifts)  # warm up
    per_shift(shifts[0])
    whole, found = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        new = ranked_for_shifts(shifts)
        whole.append(time.perf_counter() - started)
        found = [len(new[s.pk]) for s in shifts]
    report("matching: 50-shift request, ranked_for_shifts", whole, "< 1 s")
    old_whole, old_shift = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        old = {}
        for shift in shifts:
            t = time.perf_counter()
            old[shift.pk] = per_shift(shift)
            old_shift.append(time.perf_counter() - t)
        old_whole.append(time.perf_counter() - started)
    report("matching: 50-shift request, one query per shift", old_whole)
    report("matching: one shift, one query per shift", old_shift)
    same = all(key(new[s.pk]) == key(old[s.pk]) for s in shifts)
    print(f"{'':<48} candidates per shift: median {pct(found, 50):.0f}, max {max(found)}; "
          f"same rankings both ways: {same}")  # fmt: skip
finally:
    Shift.objects.filter(request=req).delete()
    req.delete()
