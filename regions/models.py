"""The regional execution cores: recruitment (candidates), vetting and bulk imports."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_of
from registry.models import Reservist


class RegionScopedQuerySet(models.QuerySet):
    """Rows that belong to a region: national staff see all, a regional coordinator
    the rows of their own region(s), everyone else nothing."""

    region_field = "region_id"

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.is_national:
            return self
        if scope.is_regional:
            return self.filter(**{f"{self.region_field}__in": scope.region_ids})
        return self.none()


class Candidate(models.Model):
    """A person recruited for the reserve, before they are in the register."""

    class Source(models.TextChoices):
        CAMPAIGN = "campaign", _("Campaign")
        AGENCY = "agency", _("Agency")
        EMPLOYER = "employer", _("Employer referral")
        EXTRA_HANDEN = "extra_handen", _("Old “Extra Handen” file")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        INTAKE_PLANNED = "intake_planned", _("Intake planned")
        CONVERTED = "converted", _("In the register")
        REJECTED = "rejected", _("Not suitable")
        WITHDRAWN = "withdrawn", _("Withdrew")
        # Set by the retention run (``regions.retention``) on a candidate still open.
        EXPIRED = "expired", _("Data removed after the retention period")

    OPEN_STATUSES = (Status.NEW, Status.CONTACTED, Status.INTAKE_PLANNED)

    region = models.ForeignKey(
        "registry.Region",
        on_delete=models.PROTECT,
        related_name="candidates",
        verbose_name=_("region"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail address"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    big_number = models.CharField(_("BIG number"), max_length=11, blank=True, db_index=True)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.CAMPAIGN
    )
    campaign = models.CharField(
        _("campaign"),
        max_length=120,
        blank=True,
        help_text=_("For example “Radio spring 2026” or the agency's name."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    intake_planned_at = models.DateTimeField(_("intake planned at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    reservist = models.ForeignKey(
        "registry.Reservist",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidacies",
        verbose_name=_("reservist"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set on every save (see ``save``): the retention period counts from here.
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["region", "status"]),
            # The retention run: candidates not anonymised yet, by last activity.
            models.Index(
                fields=["last_activity_at"],
                condition=Q(anonymised_at__isnull=True),
                name="candidate_retention_idx",
            ),
        ]

    def __str__(self):
        if self.anonymised_at:
            return gettext("Candidate %(id)s (anonymised)") % {"id": self.pk}
        return f"{self.first_name} {self.last_name}".strip()

    def save(self, *args, update_fields=None, **kwargs):
        """Every change of a candidate (recorded, status changed, edited, imported again)
        is activity: ``last_activity_at`` moves to now, also when only some fields are
        saved, so the retention period starts again."""
        self.last_activity_at = timezone.now()
        if update_fields is not None:
            update_fields = {*update_fields, "last_activity_at"}
        super().save(*args, update_fields=update_fields, **kwargs)

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES


class CandidateStatusChange(models.Model):
    """Every status change of a candidate, with its reason."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(_("from"), max_length=16, choices=Candidate.Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Candidate.Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("candidate status change")
        verbose_name_plural = _("candidate status changes")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.candidate}: {self.from_status} → {self.to_status}"


class VettingCheckQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(reservist__in=Reservist.objects.visible_to(user))


class VettingCheck(models.Model):
    """One screening check of a reservist; the latest row per check counts."""

    class Check(models.TextChoices):
        IDENTITY = "identity", _("Identity")
        BIG = "big", _("BIG registration")
        VOG = "vog", _("Certificate of conduct (VOG)")
        INTAKE = "intake", _("Intake interview")

    class Outcome(models.TextChoices):
        PASS = "pass", _("Passed")
        FAIL = "fail", _("Failed")

    reservist = models.ForeignKey(
        "registry.Reservist",
        on_delete=models.CASCADE,
        related_name="vetting_checks",
        verbose_name=_("reservist"),
    )
    # "check" in the API and the service; the field can't be named so (Model.check()).
    kind = models.CharField(_("check"), max_length=10, choices=Check.choices)
    outcome = models.CharField(_("outcome"), max_length=4, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    # VOG only: the certificate's issue date and the screening profile it was asked for.
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    screening_profile = models.CharField(
        _("screening profile"),
        max_length=120,
        blank=True,
        help_text=_("For example: 45 Gezondheidszorg en welzijn van mens en dier."),
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    objects = VettingCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("vetting check")
        verbose_name_plural = _("vetting checks")
        ordering = ["-checked_at", "-id"]
        indexes = [
            models.Index(fields=["reservist", "kind", "checked_at"]),
            # Deployability: the few failed checks, found without scanning them all.
            models.Index(
                fields=["reservist", "kind", "checked_at"],
                condition=Q(outcome="fail"),
                name="vetting_failed_idx",
            ),
        ]

    def __str__(self):
        return f"{self.reservist} – {self.get_kind_display()}: {self.get_outcome_display()}"


class VogRule(models.Model):
    """How long a certificate of conduct (VOG) counts, as data: at most ``first_months``
    old at a reservist's first deployment, and renewed every ``renew_months``. The one
    active rule applies (``regions.vetting``); none active: a VOG has no date rule."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    first_months = models.PositiveSmallIntegerField(
        _("at most this old at the first deployment (months)"),
        validators=[MinValueValidator(1)],
    )
    renew_months = models.PositiveSmallIntegerField(
        _("renew every (months)"), validators=[MinValueValidator(1)]
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("VOG validity rule")
        verbose_name_plural = _("VOG validity rules")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"],
                condition=Q(active=True),
                name="vogrule_one_active",
                violation_error_message=_("Only one VOG rule can be active."),
            ),
            models.CheckConstraint(
                name="vogrule_months_positive",
                condition=Q(first_months__gte=1, renew_months__gte=1),
            ),
        ]

    def __str__(self):
        return self.name


class ImportJob(models.Model):
    """A bulk import of a candidate or reservist file: dry run, then confirm.

    The uploaded file is kept in the row itself (several hosts, no shared disk).
    """

    class Kind(models.TextChoices):
        CANDIDATES = "candidates", _("Candidates")
        RESERVISTS = "reservists", _("Reservists")

    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked, waiting for confirmation")
        IMPORTING = "importing", _("Being imported")
        DONE = "done", _("Imported")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    RUNNING = (Status.CHECKING, Status.IMPORTING)

    region = models.ForeignKey(
        "registry.Region",
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("region"),
    )
    kind = models.CharField(_("kind of file"), max_length=12, choices=Kind.choices)
    filename = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(_("format"), max_length=4)
    content = models.BinaryField(_("content"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CHECKING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("to create"), default=0)
    updated_count = models.PositiveIntegerField(_("to update"), default=0)
    refused_count = models.PositiveIntegerField(_("refused"), default=0)
    rows = models.JSONField(_("result per row"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_running(self):
        return self.status in self.RUNNING

    @property
    def percent(self):
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def can_confirm(self):
        return self.status == self.Status.CHECKED and self.refused_count == 0


class RegionMessage(models.Model):
    """A message from the region to its reservists: e-mail with an in-app copy."""

    region = models.ForeignKey(
        "registry.Region",
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("region"),
    )
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"))
    statuses = models.JSONField(_("sent to reservists with status"), default=list)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("message to reservists")
        verbose_name_plural = _("messages to reservists")
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return self.subject


class MessageDeliveryQuerySet(models.QuerySet):
    def for_reservist_user(self, user):
        return self.filter(reservist__user=user)


class MessageDelivery(models.Model):
    """One reservist's copy of a message (the in-app inbox), and whether it was e-mailed."""

    message = models.ForeignKey(RegionMessage, on_delete=models.CASCADE, related_name="deliveries")
    reservist = models.ForeignKey(
        "registry.Reservist", on_delete=models.CASCADE, related_name="region_messages"
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = MessageDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("message delivery")
        verbose_name_plural = _("message deliveries")
        ordering = ["-message__sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "reservist"], name="delivery_once")
        ]

    def __str__(self):
        return f"{self.message} → {self.reservist}"


class BigRegisterCheck(models.Model):
    """One check of a reservist's BIG registration: what the register said (or what a
    coordinator read there by hand, when the service was down). The latest row per
    reservist counts; ``blocks`` says it keeps the reservist from being deployed."""

    class Source(models.TextChoices):
        SOAP = "soap", _("BIG register web service")
        MANUAL = "manual", _("Recorded by hand")

    class Outcome(models.TextChoices):
        PASS = "pass", _("Passed")
        FAIL = "fail", _("Failed")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ENDED = "ended", _("Registration ended")
        MEASURE = "measure", _("Measure in force")
        NAME_MISMATCH = "name_mismatch", _("Name does not match")
        NOT_FOUND = "not_found", _("Not in the register")

    reservist = models.ForeignKey(
        "registry.Reservist",
        on_delete=models.CASCADE,
        related_name="big_register_checks",
        verbose_name=_("reservist"),
    )
    big_number = models.CharField(_("BIG number"), max_length=11)
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    source = models.CharField(_("source"), max_length=6, choices=Source.choices)
    outcome = models.CharField(_("outcome"), max_length=4, choices=Outcome.choices)
    reason = models.TextField(_("reason"), blank=True)
    blocks = models.BooleanField(_("blocks deployment"), default=False)
    registered_name = models.CharField(_("registered name"), max_length=200, blank=True)
    status = models.CharField(_("registration status"), max_length=16, choices=Status.choices)
    profession_code = models.CharField(_("profession (register code)"), max_length=4, blank=True)
    specialisms = models.JSONField(_("specialisms"), default=list, blank=True)
    end_date = models.DateField(_("registration end date"), null=True, blank=True)
    measures = models.JSONField(_("measures in force"), default=list, blank=True)

    objects = VettingCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("BIG register check")
        verbose_name_plural = _("BIG register checks")
        ordering = ["-checked_at", "-id"]
        indexes = [
            models.Index(fields=["reservist", "checked_at"]),
            # Deployability: the few blocking checks, found without scanning them all.
            models.Index(
                fields=["reservist", "checked_at"],
                condition=Q(blocks=True),
                name="big_check_blocking_idx",
            ),
        ]

    def __str__(self):
        return f"{self.reservist} – {self.get_status_display()}"


class BigRegisterSchedule(models.Model):
    """When a reservist's BIG registration is checked next (the monthly re-check).

    A run claims due rows (``claimed_until``) under ``SELECT … FOR UPDATE SKIP
    LOCKED``, so no reservist is asked about twice at once; a failure of the
    service moves ``due_at`` on with a growing delay (``attempts``)."""

    reservist = models.OneToOneField(
        "registry.Reservist", on_delete=models.CASCADE, related_name="big_schedule"
    )
    due_at = models.DateTimeField(_("due at"), db_index=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("BIG re-check schedule")
        verbose_name_plural = _("BIG re-check schedules")

    def __str__(self):
        return f"{self.reservist}: {self.due_at:%Y-%m-%d %H:%M}"
