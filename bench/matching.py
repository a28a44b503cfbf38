"""Matching: ranked candidates for every shift of a 50-shift request over the register.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nzr_bench .venv/bin/python bench/matching.py

Creates a request of 50 shifts (VR09, two per day, far enough ahead to miss the seeded
bookings), ranks the candidates of every shift with ``ranked_for_shift`` (the query and
the pure ranking the invitation waves use), prints the time for the whole request and per
shift, and deletes what it created.
"""

import time
from datetime import timedelta

from _common import pct, report, setup

setup()

from django.utils import timezone  # noqa: E402

from escalation.models import Crisis  # noqa: E402
from registry.models import Profile  # noqa: E402
from requests_app.matching import ranked_for_shift  # noqa: E402
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
    ranked_for_shift(shifts[0])  # warm up
    whole, per_shift, found = [], [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        for shift in shifts:
            t = time.perf_counter()
            found.append(len(ranked_for_shift(shift)))
            per_shift.append(time.perf_counter() - t)
        whole.append(time.perf_counter() - started)
    report("matching: 50-shift request, all shifts", whole, "< 1 s")
    report("matching: one shift", per_shift)
    print(f"{'':<48} candidates per shift: median {pct(found, 50):.0f}, max {max(found)}")
finally:
    Shift.objects.filter(request=req).delete()
    req.delete()
