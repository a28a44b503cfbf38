"""The escalation ladder as data (the triangle changes it without a release)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_of
from registry.models import Reservist


class LadderStep(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=200)
    evidence = models.TextField(_("what counts as evidence"), blank=True)
    before_reserve = models.BooleanField(
        _("required before the reserve"),
        default=True,
        help_text=_("Must be attested in every request to the reserve."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("escalation-ladder step")
        verbose_name_plural = _("escalation ladder")
        ordering = ["order"]

    def __str__(self):
        return f"{self.order}. {self.name}"


class CrisisQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def visible_to(self, user):
        """Crises are not personal data: every signed-in user with a role sees them."""
        scope = scope_of(user)
        if scope.user_id is None and not scope.is_superuser:
            return self.none()
        if scope.roles or scope.is_superuser:
            return self
        return self.none()

    def covering_region(self, region_id):
        """Active crises whose scope includes the region (national ones cover every region)."""
        return self.active().filter(Q(regions__isnull=True) | Q(regions=region_id)).distinct()


class Crisis(models.Model):
    """A declared crisis (command structure): kind, scope, phase."""

    class Kind(models.TextChoices):
        PANDEMIC = "pandemic", _("Pandemic")
        DISASTER = "disaster", _("Disaster")
        ATTACK = "attack", _("Terror attack")
        OTHER = "other", _("Other")

    class Phase(models.TextChoices):
        COLD = "cold", _("Cold phase")
        WARM = "warm", _("Warm phase (active crisis)")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    regions = models.ManyToManyField(
        "registry.Region", blank=True, verbose_name=_("regions (empty: national)")
    )
    phase = models.CharField(_("phase"), max_length=4, choices=Phase.choices, default=Phase.COLD)
    active = models.BooleanField(_("active"), default=False)
    starts_at = models.DateTimeField(_("start"), null=True, blank=True)
    ends_at = models.DateTimeField(_("end"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared by"),
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    report = models.JSONField(_("deployment report"), default=dict, blank=True)

    objects = CrisisQuerySet.as_manager()

    class Meta:
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name

    @property
    def is_national(self) -> bool:
        return not self.regions.exists()

    def region_codes(self) -> list[str]:
        return sorted(r.code for r in self.regions.all())


class CrisisAvailabilityCall(models.Model):
    """One wave of the availability call of a crisis: 24-hour readiness first, then one week."""

    class Wave(models.IntegerChoices):
        FIRST = 1, _("First wave: ready within 24 hours")
        SECOND = 2, _("Second wave: ready within a week")

    crisis = models.ForeignKey(
        Crisis, on_delete=models.CASCADE, related_name="calls", verbose_name=_("crisis")
    )
    wave = models.PositiveSmallIntegerField(_("wave"), choices=Wave.choices)
    readiness = models.CharField(_("readiness"), max_length=3)
    due_at = models.DateTimeField(_("to be sent at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("number of reservists called"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("availability call")
        verbose_name_plural = _("availability calls")
        ordering = ["crisis", "wave"]
        constraints = [
            models.UniqueConstraint(fields=["crisis", "wave"], name="one_call_per_crisis_wave")
        ]
        indexes = [models.Index(fields=["sent_at", "due_at"])]

    def __str__(self):
        return f"{self.crisis} – {self.get_wave_display()}"


class CrisisResponseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Whoever may see the reservist may see their answer (the register's one scope rule)."""
        return self.filter(reservist__in=Reservist.objects.visible_to(user))


class CrisisResponse(models.Model):
    """A reservist called in a crisis, and their answer (available or not)."""

    class Answer(models.TextChoices):
        AVAILABLE = "available", _("Available")
        UNAVAILABLE = "unavailable", _("Not available")

    crisis = models.ForeignKey(
        Crisis, on_delete=models.CASCADE, related_name="responses", verbose_name=_("crisis")
    )
    call = models.ForeignKey(
        CrisisAvailabilityCall,
        on_delete=models.CASCADE,
        related_name="responses",
        verbose_name=_("availability call"),
    )
    reservist = models.ForeignKey(
        "registry.Reservist",
        on_delete=models.CASCADE,
        related_name="crisis_responses",
        verbose_name=_("reservist"),
    )
    notified_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=12, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = CrisisResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("crisis availability answer")
        verbose_name_plural = _("crisis availability answers")
        ordering = ["crisis", "reservist"]
        constraints = [
            models.UniqueConstraint(
                fields=["crisis", "reservist"], name="one_response_per_crisis_reservist"
            )
        ]
        indexes = [
            models.Index(fields=["crisis", "answer"]),
            models.Index(fields=["call", "notified_at"]),
        ]

    def __str__(self):
        return f"{self.crisis} – {self.reservist_id}: {self.get_answer_display() or '-'}"


class PriorityFrameworkQuerySet(models.QuerySet):
    def effective_on(self, day=None):
        """The framework in force on ``day``: the latest one effective on or before it."""
        day = day or timezone.localdate()
        return self.filter(effective_from__lte=day).order_by("-effective_from", "-id").first()


class PriorityFramework(models.Model):
    """The triangle's prioritisation framework (prioriteringskader), effective from a date."""

    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("effective from"), default=timezone.localdate)
    note = models.TextField(_("explanation"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )

    objects = PriorityFrameworkQuerySet.as_manager()

    class Meta:
        verbose_name = _("prioritisation framework")
        verbose_name_plural = _("prioritisation frameworks")
        ordering = ["-effective_from", "-id"]

    def __str__(self):
        return f"{self.name} ({self.effective_from:%d-%m-%Y})"


class PriorityCategory(models.Model):
    """The rank of one request category in a framework (1 = served first)."""

    class Category(models.TextChoices):
        # Same codes as DeploymentRequest.Category (kept here: escalation may not import it).
        REGIONAL_SHELTER = "regional_shelter", _("Regional crisis shelter outside the hospital")
        INDIVIDUAL = "individual", _("Individual organisation in need")

    framework = models.ForeignKey(
        PriorityFramework,
        on_delete=models.CASCADE,
        related_name="categories",
        verbose_name=_("framework"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 is served first."))

    class Meta:
        verbose_name = _("priority category")
        verbose_name_plural = _("priority categories")
        ordering = ["framework", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "category"], name="one_rank_per_framework_category"
            )
        ]

    def __str__(self):
        return f"{self.rank}. {self.get_category_display()}"


class EscalationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The triangle and national staff see every escalation; nobody else does."""
        scope = scope_of(user)
        if scope.is_national or scope.is_triangle:
            return self
        return self.none()

    def open(self):
        return self.exclude(status=Escalation.Status.DECIDED)


class Escalation(models.Model):
    """A request the reserve cannot fill, sent to the triangle (MSOB, Defensie)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FACT_FINDING = "fact_finding", _("Fact-finding mission planned")
        DECIDED = "decided", _("Decided")

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved (military support)")
        REJECTED = "rejected", _("Rejected")
        REFERRED_BACK = "referred_back", _("Referred back to the reserve")

    class Source(models.TextChoices):
        COORDINATOR = "coordinator", _("Escalated by a coordinator")
        SYSTEM = "system", _("Flagged by the system (shifts unfilled)")

    request = models.ForeignKey(
        "requests_app.DeploymentRequest",
        on_delete=models.PROTECT,
        related_name="escalations",
        verbose_name=_("request"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.COORDINATOR
    )
    reason = models.TextField(_("why the reserve cannot fill it"))
    opened_at = models.DateTimeField(_("escalated at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalated by"),
    )
    # Fact-finding mission (Defensie visits, with someone of the NZR).
    fact_finding_planned_on = models.DateField(_("fact-finding mission on"), null=True, blank=True)
    fact_finding_nzr_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("NZR member taking part"),
    )
    fact_finding_participants = models.TextField(_("other participants"), blank=True)
    fact_finding_report = models.TextField(_("report of the fact-finding mission"), blank=True)
    # Decision of the triangle.
    decision = models.CharField(_("decision"), max_length=14, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalation to the triangle")
        verbose_name_plural = _("escalations to the triangle")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=~Q(status="decided"),
                name="one_open_escalation_per_request",
            ),
            models.CheckConstraint(
                name="escalation_decided_has_decision",
                condition=Q(status="decided", decided_at__isnull=False) & ~Q(decision="")
                | ~Q(status="decided") & Q(decision=""),
            ),
        ]

    def __str__(self):
        return _("Escalation %(id)s of request %(request)s") % {
            "id": self.pk,
            "request": self.request_id,
        }

    @property
    def fact_finding_planned(self) -> bool:
        return self.fact_finding_planned_on is not None and self.fact_finding_nzr_member_id


class EscalationView(models.Model):
    """The view of one party of the triangle (Defensie, GGD-GHOR, VWS) on an escalation."""

    class Party(models.TextChoices):
        DEFENSIE = "defensie", _("Defensie")
        GGD_GHOR = "ggd_ghor", _("GGD-GHOR")
        VWS = "vws", _("Ministry of VWS")

    escalation = models.ForeignKey(
        Escalation, on_delete=models.CASCADE, related_name="views", verbose_name=_("escalation")
    )
    party = models.CharField(_("party"), max_length=16, choices=Party.choices)
    view = models.TextField(_("view"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("view of a party")
        verbose_name_plural = _("views of the parties")
        ordering = ["escalation", "party"]
        constraints = [
            models.UniqueConstraint(fields=["escalation", "party"], name="one_view_per_party")
        ]

    def __str__(self):
        return f"{self.get_party_display()}: {self.view[:60]}"
