"""Care organisations and (in the requests issue) their deployment requests."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_of
from registry.models import Municipality, Region, Sector
from registry.validators import validate_agb, validate_kvk, validate_kvk_branch, validate_postcode


class CareOrganisationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """National staff and the triangle: all; regional: own region; members: their own."""
        scope = scope_of(user)
        if scope.is_national or scope.is_triangle:
            return self
        q = Q(pk__in=[])
        if scope.is_regional:
            q |= Q(region_id__in=scope.region_ids)
        if scope.is_care_org:
            q |= Q(pk__in=scope.organisation_ids)
        return self.filter(q)


class CareOrganisation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(_("name"), max_length=200)
    kvk = models.CharField(_("KvK number"), max_length=8, validators=[validate_kvk])
    kvk_branch = models.CharField(
        _("KvK branch number"), max_length=12, blank=True, validators=[validate_kvk_branch]
    )
    agb = models.CharField(_("AGB code"), max_length=8, blank=True, validators=[validate_agb])
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=7, validators=[validate_postcode])
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, null=True, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organisations")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    registered_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    objects = CareOrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("care organisation")
        verbose_name_plural = _("care organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class DeploymentRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Members of the organisation: all its requests, drafts included. Everyone else
        sees submitted requests only (never a draft): national staff and the triangle
        all of them, a regional coordinator those of their region.

        A draft belongs to its organisation alone until it is submitted: nobody else
        reads, changes, submits or cancels it (``is_draft_of_another``). The web pages,
        the API, the admin and every shift, invitation and assignment queryset are built
        on this one method, so they agree on what a user sees."""
        scope = scope_of(user)
        own = Q(organisation_id__in=scope.organisation_ids)
        if scope.is_national or scope.is_triangle:
            others = Q()
        elif scope.is_regional:
            others = Q(region_id__in=scope.region_ids)
        else:
            return self.filter(own)
        return self.filter(own | (others & ~Q(status=DeploymentRequest.Status.DRAFT)))

    def beyond_draft(self):
        """Requests that were submitted (any status but draft). The API knows no drafts
        (api.md: a request is created submitted, in one call)."""
        return self.exclude(status=DeploymentRequest.Status.DRAFT)


def is_draft_of_another(user, request) -> bool:
    """The rule of ``DeploymentRequestQuerySet.visible_to`` for one request in hand: a
    draft of an organisation the user is no member of (the services refuse it)."""
    return (
        request.status == DeploymentRequest.Status.DRAFT
        and request.organisation_id not in scope_of(user).organisation_ids
    )


class DeploymentRequest(models.Model):
    """A care organisation's request to the reserve (aanvraag)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        ESCALATED = "escalated", _("Escalated to the triangle")
        FILLED = "filled", _("Filled")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Category(models.TextChoices):
        REGIONAL_SHELTER = "regional_shelter", _("Regional crisis shelter outside the hospital")
        INDIVIDUAL = "individual", _("Individual organisation in need")

    organisation = models.ForeignKey(
        CareOrganisation, on_delete=models.PROTECT, related_name="requests"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    crisis = models.ForeignKey(
        "escalation.Crisis",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("crisis"),
    )
    postcode = models.CharField(
        _("postcode of the location"), max_length=7, validators=[validate_postcode]
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="requests")
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality of the location"),
    )
    description = models.TextField(_("what is going on"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, db_index=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    filled_at = models.DateTimeField(_("filled at"), null=True, blank=True)
    closed_reason = models.TextField(_("reason"), blank=True)
    info_requested_at = models.DateTimeField(_("more information asked at"), null=True, blank=True)
    info_request = models.TextField(_("information asked for"), blank=True)

    objects = DeploymentRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("deployment request")
        verbose_name_plural = _("deployment requests")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "region"])]

    def __str__(self):
        return _("Request %(id)s – %(org)s") % {"id": self.pk, "org": self.organisation}


class LadderAttestation(models.Model):
    """What the organisation already tried on one step of the escalation ladder."""

    request = models.ForeignKey(DeploymentRequest, on_delete=models.CASCADE, related_name="ladder")
    step = models.ForeignKey("escalation.LadderStep", on_delete=models.PROTECT, related_name="+")
    taken_on = models.DateField(_("date taken"))
    evidence = models.TextField(_("what was done and the result"))

    class Meta:
        verbose_name = _("ladder attestation")
        verbose_name_plural = _("ladder attestations")
        constraints = [
            models.UniqueConstraint(fields=["request", "step"], name="attestation_once_per_step")
        ]

    def __str__(self):
        return f"{self.request_id}: {self.step_id} {self.taken_on}"


class ShiftQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(request__in=DeploymentRequest.objects.visible_to(user))

    def annotate_confirmed(self):
        """``confirmed``: booked places (confirmed or already worked), counted from rows."""
        return self.annotate(
            confirmed=models.Count(
                "assignments", filter=Q(assignments__status__in=["confirmed", "completed"])
            )
        )


class Shift(models.Model):
    """A shift of a request: when, which profile, how many reservists."""

    request = models.ForeignKey(DeploymentRequest, on_delete=models.CASCADE, related_name="shifts")
    profile = models.ForeignKey("registry.Profile", on_delete=models.PROTECT, related_name="shifts")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    count = models.PositiveSmallIntegerField(_("number of reservists"))
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["start", "end"]), models.Index(fields=["profile", "start"])]
        constraints = [
            models.CheckConstraint(
                name="shift_end_after_start", condition=Q(end__gt=models.F("start"))
            ),
            models.CheckConstraint(name="shift_count_positive", condition=Q(count__gte=1)),
        ]

    def __str__(self):
        return f"{self.profile} {self.start:%Y-%m-%d %H:%M}"

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


class InvitationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reservists: their own; coordinators: via the shift's request."""
        scope = scope_of(user)
        q = Q(shift__request__in=DeploymentRequest.objects.visible_to(user))
        if scope.is_reservist:
            q |= Q(reservist__user_id=scope.user_id)
        return self.filter(q)


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # No single-column indexes: one_invitation_per_shift (shift, reservist) and the
    # (reservist, status) index lead with these columns (one index less per insert).
    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="invitations", db_index=False
    )
    reservist = models.ForeignKey(
        "registry.Reservist", on_delete=models.CASCADE, related_name="invitations", db_index=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    wave = models.PositiveSmallIntegerField(default=1)
    rank = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "reservist"], name="one_invitation_per_shift")
        ]
        indexes = [
            models.Index(fields=["reservist", "status"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self):
        return f"{self.reservist_id} → {self.shift_id} ({self.status})"


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reservists: their own; organisations and coordinators: via the shift's request."""
        scope = scope_of(user)
        q = Q(shift__request__in=DeploymentRequest.objects.visible_to(user))
        if scope.is_reservist:
            q |= Q(reservist__user_id=scope.user_id)
        return self.filter(q)


class Assignment(models.Model):
    """A reservist booked on a shift. Capacity is counted from confirmed rows under a lock."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")

    # No single-column indexes: the (shift, status) and (reservist, status, start) indexes
    # lead with these columns (a booking inserts into every index of this table).
    shift = models.ForeignKey(
        Shift, on_delete=models.PROTECT, related_name="assignments", db_index=False
    )
    reservist = models.ForeignKey(
        "registry.Reservist", on_delete=models.PROTECT, related_name="assignments", db_index=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    # Denormalised from the shift so overlap checks and figures need no join.
    start = models.DateTimeField()
    end = models.DateTimeField()
    hours_worked = models.DecimalField(
        _("hours worked"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    no_show = models.BooleanField(_("did not show up"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hours_confirmed_at = models.DateTimeField(null=True, blank=True)
    hours_confirmed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "reservist"],
                condition=~Q(status="cancelled"),
                name="one_live_assignment_per_shift",
            )
        ]
        indexes = [
            models.Index(fields=["reservist", "status", "start"]),
            models.Index(fields=["shift", "status"]),
            # The figures count booked rows per week and region over a window of
            # ``start``: an index-only range instead of a scan of every assignment.
            models.Index(
                fields=["start"],
                include=["status", "shift"],
                condition=Q(status__in=["confirmed", "completed"]),
                name="assignment_booked_start_idx",
            ),
        ]

    def __str__(self):
        return f"{self.reservist_id} @ {self.shift_id} ({self.status})"


class CalendarFeed(models.Model):
    """A secret per-user address of the reservist's shifts as an iCal feed."""

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"{self.user_id}"


class WaitlistEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reservists: their own; organisations and coordinators: via the shift's request."""
        scope = scope_of(user)
        q = Q(shift__request__in=DeploymentRequest.objects.visible_to(user))
        if scope.is_reservist:
            q |= Q(reservist__user_id=scope.user_id)
        return self.filter(q)

    def waiting(self):
        """Waiting entries in the order they are served: first come, first served."""
        return self.filter(status=WaitlistEntry.Status.WAITING).order_by("created_at", "id")

    def with_position(self):
        """``position``: 1 for the first waiting entry of its shift, None when not waiting
        (a correlated count: constant queries for a list)."""
        ahead = (
            WaitlistEntry.objects.filter(
                shift_id=models.OuterRef("shift_id"), status=WaitlistEntry.Status.WAITING
            )
            .filter(
                Q(created_at__lt=models.OuterRef("created_at"))
                | Q(created_at=models.OuterRef("created_at"), id__lte=models.OuterRef("id"))
            )
            .order_by()
            .values("shift_id")
            .annotate(n=models.Count("id"))
            .values("n")
        )
        return self.annotate(
            position=models.Case(
                models.When(
                    status=WaitlistEntry.Status.WAITING,
                    then=models.Subquery(ahead, output_field=models.IntegerField()),
                ),
                default=None,
                output_field=models.IntegerField(),
            )
        )


class WaitlistEntry(models.Model):
    """A reservist waiting for a place on a full shift (``requests_app.waitlist``)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        BOOKED = "booked", _("Booked")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="waitlist", db_index=False
    )
    reservist = models.ForeignKey(
        "registry.Reservist", on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_reason = models.CharField(_("reason"), max_length=200, blank=True)
    assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("wait-list entry")
        verbose_name_plural = _("wait-list entries")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "reservist"],
                condition=Q(status="waiting"),
                name="one_waiting_entry_per_shift",
            )
        ]
        indexes = [models.Index(fields=["shift", "status", "created_at"])]

    def __str__(self):
        return f"{self.reservist_id} ~ {self.shift_id} ({self.status})"
