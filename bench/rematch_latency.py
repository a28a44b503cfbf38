"""Time from availability added to the invitation row written, with a real Celery worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nzr_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/rematch_latency.py [rounds]

Starts `celery -A nzr worker` on a private queue, makes one approved request with open
shifts and, per round, a reservist without availability; adds their availability through
the service (the supply_changed signal writes a rematch_reservist outbox row, published at
the commit) and polls for their Invitation row (a benchmark may poll; tests may not).
Prints p50/p95/max; asserts nothing (target p95 < 2 s).
"""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta

from _common import ROOT, report, setup

setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from escalation.models import Crisis  # noqa: E402
from registry.models import Profile, Region, Reservist  # noqa: E402
from registry.services import add_availability  # noqa: E402
from requests_app.models import CareOrganisation, DeploymentRequest, Invitation, Shift  # noqa: E402

if not settings.CELERY_BROKER_URL:
    raise SystemExit("set CELERY_BROKER_URL (a real worker is the point of this benchmark)")
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 40

if not Region.objects.exists():
    call_command("load_reference_data", verbosity=0)

queue = f"bench-{uuid.uuid4().hex[:6]}"
env = dict(os.environ, CELERY_TASK_ALWAYS_EAGER="0", NZR_TESTING="0")
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
sys.path.insert(0, str(ROOT))
from tests.factories import CareOrganisationFactory  # noqa: E402
from tests.requests_app.factories import make_candidate  # noqa: E402

made = []
try:
    region = Region.objects.get(code="VR09")
    org = CareOrganisation.objects.filter(region=region).order_by("id").first()
    if org is None:
        org = CareOrganisationFactory(region=region)
    crisis, _ = Crisis.objects.get_or_create(
        name="Benchmark crisis", defaults={"kind": "other", "phase": "warm", "active": True}
    )
    crisis.active = True
    crisis.save()
    now = timezone.now()
    req = DeploymentRequest.objects.create(
        organisation=org, category="individual", status="approved", crisis=crisis,
        postcode=org.postcode, region_id=org.region_id, submitted_at=now, approved_at=now,
        description="benchmark-rematch",
    )  # fmt: skip
    profile = Profile.objects.get(code="verzorgende")
    base = now.replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    Shift.objects.bulk_create(
        [Shift(request=req, profile=profile, start=base + timedelta(hours=24 * i),
               end=base + timedelta(hours=24 * i + 8), count=ROUNDS) for i in range(5)]
    )  # fmt: skip
    people = []
    for _ in range(ROUNDS):
        r = make_candidate(user__password=None)
        r.availability.all().delete()
        people.append(r)
    made = [r.pk for r in people]
    time.sleep(8)  # let the worker start (benchmark only)
    latencies, missed = [], 0
    for r in people:
        started = time.perf_counter()
        add_availability(r, base - timedelta(hours=1), base + timedelta(days=6), actor=r.user)
        while time.perf_counter() - started < 30:
            if Invitation.objects.filter(reservist=r, shift__request=req).exists():
                latencies.append(time.perf_counter() - started)
                break
            time.sleep(0.005)
        else:
            missed += 1
    report("availability added -> invitation row", latencies, target="p95 < 2 s")
    invited = Invitation.objects.filter(shift__request=req).count()
    print(f"rounds={ROUNDS} missed={missed} invitations={invited} (5 shifts each, 2 workers)")
finally:
    worker.terminate()
    worker.wait(timeout=30)
    Invitation.objects.filter(shift__request__description="benchmark-rematch").delete()
    Shift.objects.filter(request__description="benchmark-rematch").delete()
    DeploymentRequest.objects.filter(description="benchmark-rematch").delete()
    for r in Reservist.objects.filter(pk__in=made).select_related("user"):
        user = r.user
        r.delete()
        user.delete()
