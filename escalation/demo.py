"""Demo data of escalation: an active national crisis and the default framework (idempotent).

The escalations themselves come with the requests app's demo requests.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.audit import log_action
from escalation.models import Crisis, CrisisAvailabilityCall
from escalation.reference import load_default_framework
from registry.models import Readiness

CRISIS_NAME = "COVID-19 najaar 2026"


def load(users) -> None:
    national = users.get("landelijk@demo.nzr.local")
    load_default_framework()
    with transaction.atomic():
        crisis = Crisis.objects.filter(name=CRISIS_NAME).first()
        if crisis is None:
            start = timezone.make_aware(datetime(2026, 10, 1, 8, 0))
            crisis = Crisis.objects.create(
                name=CRISIS_NAME,
                kind=Crisis.Kind.PANDEMIC,
                phase=Crisis.Phase.WARM,
                active=True,
                starts_at=start,
                activated_at=start,
                declared_by=national,
            )
            log_action(crisis, "crisis.declared", national, kind=crisis.kind, regions=[])
            log_action(crisis, "crisis.activated", national, phase=crisis.phase)
        # The calls exist but are marked sent (the demo does not mail every reservist).
        for wave, readiness in (
            (CrisisAvailabilityCall.Wave.FIRST, Readiness.H24),
            (CrisisAvailabilityCall.Wave.SECOND, Readiness.W1),
        ):
            CrisisAvailabilityCall.objects.get_or_create(
                crisis=crisis,
                wave=wave,
                defaults={
                    "readiness": readiness,
                    "due_at": crisis.activated_at or timezone.now(),
                    "sent_at": crisis.activated_at or timezone.now(),
                },
            )
