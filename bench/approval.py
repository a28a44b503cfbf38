"""Time from approval to the first invitation written, with a real Celery worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nzr_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/approval.py

Starts `celery -A nzr worker` on a private queue, submits a 50-shift request straight into
the database, approves it through the service (which enqueues matching through the
outbox) and polls for the first Invitation row (a benchmark may poll; tests may not), then
for the moment every shift has its first wave (matching fans out one task per shift).
"""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta

from _common import ROOT, setup

setup()

from _common import user  # noqa: E402
from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from escalation.models import Crisis  # noqa: E402
from registry.models import Profile  # noqa: E402
from requests_app.models import CareOrganisation, DeploymentRequest, Invitation, Shift  # noqa: E402
from requests_app.services.requests import approve_request  # noqa: E402

if not settings.CELERY_BROKER_URL:
    raise SystemExit("set CELERY_BROKER_URL (a real worker is the point of this benchmark)")

queue = f"bench-{uuid.uuid4().hex[:6]}"
env = dict(os.environ, CELERY_TASK_ALWAYS_EAGER="0", NZR_TESTING="0")
# The worker's own default queue is the private one too: the tasks it enqueues (one
# next_wave per further shift) must reach it, not the shared "celery" queue.
start_worker = (
    "from nzr.celery import app; "
    f"app.conf.task_default_queue = {queue!r}; "
    f"app.worker_main(['worker', '-Q', {queue!r}, '-c', '2', '-l', 'WARNING'])"
)
worker = subprocess.Popen(
    [sys.executable, "-c", start_worker],
    cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
)  # fmt: skip
from nzr.celery import app  # noqa: E402

app.conf.task_default_queue = queue
app.conf.task_always_eager = False
try:
    org = CareOrganisation.objects.filter(region__code="VR09").order_by("id").first()
    crisis, _ = Crisis.objects.get_or_create(
        name="Benchmark crisis", defaults={"kind": "other", "phase": "warm", "active": True}
    )
    crisis.active = True
    crisis.save()
    req = DeploymentRequest.objects.create(
        organisation=org, category="individual", status="submitted", crisis=crisis,
        postcode=org.postcode, region_id=org.region_id, submitted_at=timezone.now(),
        description="benchmark",
    )  # fmt: skip
    profile = Profile.objects.get(code="zorgondersteuning")
    base = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    Shift.objects.bulk_create(
        [Shift(request=req, profile=profile, start=base + timedelta(hours=12 * i),
               end=base + timedelta(hours=12 * i + 8), count=2) for i in range(50)]
    )  # fmt: skip
    time.sleep(8)  # let the worker start (benchmark only)
    started = time.perf_counter()
    approve_request(req, actor=user("landelijk@demo.nzr.local"))
    first = None
    while time.perf_counter() - started < 120:
        if Invitation.objects.filter(shift__request=req).exists():
            first = time.perf_counter() - started
            break
        time.sleep(0.02)
    every = None
    while first and time.perf_counter() - started < 180:
        matched = (
            Invitation.objects.filter(shift__request=req).values("shift_id").distinct().count()
        )
        if matched == 50:
            every = time.perf_counter() - started
            break
        time.sleep(0.05)
    total = Invitation.objects.filter(shift__request=req).count()
    print(
        f"approval -> first invitation: {first * 1000 if first else float('nan'):.0f} ms "
        f"({total} invitations for 50 shifts)   (target < 5 s)"
    )
    print(
        f"approval -> every shift invited: {every * 1000 if every else float('nan'):.0f} ms "
        "(2 worker processes)"
    )
finally:
    worker.terminate()
    worker.wait(timeout=30)
    Invitation.objects.filter(shift__request__description="benchmark").delete()
    Shift.objects.filter(request__description="benchmark").delete()
    DeploymentRequest.objects.filter(description="benchmark").delete()
