"""A request of its own for the booking and load benchmarks: shifts far in the future,
reservists of the seeded register with a user each, invitations; and its removal.

Call after ``_common.setup()``.
"""

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import AccessLog, AuditEntry, Membership, User
from escalation.models import Crisis
from outbox.models import OutboxMessage
from registry.models import Profile, Reservist
from requests_app.models import (
    Assignment,
    CareOrganisation,
    DeploymentRequest,
    Invitation,
    Shift,
)


class World:
    """``shifts(...)`` adds shifts and invites fresh reservists to them; ``remove()``
    deletes all of it again (bookings, invitations, audit and outbox rows, the users)."""

    def __init__(self, label="benchmark"):
        org = CareOrganisation.objects.order_by("id").first()
        crisis, _ = Crisis.objects.get_or_create(
            name="Benchmark crisis", defaults={"kind": "other", "phase": "warm", "active": True}
        )
        self.profile = Profile.objects.get(code="zorgondersteuning")
        self.request = DeploymentRequest.objects.create(
            organisation=org, category="individual", status="approved", crisis=crisis,
            postcode=org.postcode, region_id=org.region_id, submitted_at=timezone.now(),
            approved_at=timezone.now(), description=label,
        )  # fmt: skip
        self.base = timezone.now().replace(hour=7, minute=0, second=0, microsecond=0)
        self.base += timedelta(days=400)
        self.reservists, self.users = [], []
        self.outbox_before = (
            OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
        self._free = Reservist.objects.filter(status="active", user__isnull=True).order_by("id")

    def _people(self, n):
        taken = len(self.reservists)
        people = list(self._free.exclude(pk__in=[r.pk for r in self.reservists])[:n])
        assert len(people) == n, f"only {len(people)} reservists without a user left"
        users = User.objects.bulk_create(
            [User(email=f"bench-{r.pk}@bench.nzr.local", password="!") for r in people]
        )
        for r, u in zip(people, users, strict=True):
            r.user = u
        Reservist.objects.bulk_update(people, ["user"])
        # The role a reservist's account has (the API checks it, as for any reservist).
        Membership.objects.bulk_create(
            [Membership(user=u, role=Membership.Role.RESERVIST) for u in users]
        )
        self.reservists += people
        self.users += users
        return self.reservists[taken:]

    def shifts(self, n, *, places, invited, day=0, hours=8, step=timedelta(days=1)):
        """``n`` shifts of ``places`` from ``base + day`` days, ``step`` apart, each with
        ``invited`` invitations to reservists not invited before; returns the invitations,
        grouped per shift."""
        start = self.base + timedelta(days=day)
        shifts = Shift.objects.bulk_create(
            [
                Shift(request=self.request, profile=self.profile, start=start + i * step,
                      end=start + i * step + timedelta(hours=hours), count=places)
                for i in range(n)
            ]
        )  # fmt: skip
        people = iter(self._people(n * invited))
        expires = timezone.now() + timedelta(days=2)
        groups = [
            [
                Invitation(shift=s, reservist=next(people), expires_at=expires)
                for _ in range(invited)
            ]
            for s in shifts
        ]
        Invitation.objects.bulk_create([inv for group in groups for inv in group])
        return groups

    def remove(self):
        req = self.request
        with transaction.atomic():
            with connection.cursor() as cursor:  # the access log is append-only otherwise
                cursor.execute("SET LOCAL nzr.access_log_maintenance = 'on'")
            Assignment.objects.filter(shift__request=req).delete()
            Invitation.objects.filter(shift__request=req).delete()
            Reservist.objects.filter(pk__in=[r.pk for r in self.reservists]).update(user=None)
            AuditEntry.objects.filter(actor__in=self.users).delete()
            AccessLog.objects.filter(user__in=self.users).delete()
            Membership.objects.filter(user__in=self.users).delete()
            User.objects.filter(pk__in=[u.pk for u in self.users]).delete()
            Shift.objects.filter(request=req).delete()
            req.delete()
            # The confirmation e-mails of these bookings (outbox rows for the relay).
            OutboxMessage.objects.filter(
                pk__gt=self.outbox_before, task="requests_app.tasks.confirm_assignment"
            ).delete()
