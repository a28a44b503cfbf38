"""Courses as data, which ring or profile needs them, and training records with expiry."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_of
from registry.models import Reservist, Ring


class Course(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: the course does not expire."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def months_for(self, ring=None):
        """How often ``ring`` repeats this course: the ring's requirement says so, else
        the course's own validity (``training.expiry.resolve_months``)."""
        from training.expiry import resolve_months

        ring_months = None
        if ring is not None:
            ring_months = (
                self.requirements.filter(ring=ring, profile__isnull=True)
                .values_list("repeat_months", flat=True)
                .first()
            )
        return resolve_months(ring_months, self.validity_months)

    def expiry_for(self, completed_on, ring=None):
        """The expiry of a record completed on ``completed_on`` by a reservist of ``ring``
        (None: the course's own validity)."""
        from training.expiry import expiry_after

        return expiry_after(completed_on, self.months_for(ring))


class CourseRequirement(models.Model):
    """A course that a ring, or a profile, requires (defaults ship as data)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="requirements")
    profile = models.ForeignKey(
        "registry.Profile",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="training_requirements",
        verbose_name=_("profile"),
    )
    ring = models.PositiveSmallIntegerField(_("ring"), choices=Ring.choices, null=True, blank=True)
    repeat_months = models.PositiveSmallIntegerField(
        _("repeat every (months)"),
        null=True,
        blank=True,
        help_text=_(
            "How often this ring repeats the course. Empty: the course's own validity. "
            "Only for a ring, without a profile."
        ),
    )

    class Meta:
        verbose_name = _("training requirement")
        verbose_name_plural = _("training requirements")
        constraints = [
            models.CheckConstraint(
                name="requirement_for_profile_or_ring",
                condition=Q(profile__isnull=False) | Q(ring__isnull=False),
                violation_error_message=_("A requirement applies to a profile, a ring, or both."),
            ),
            models.UniqueConstraint(
                fields=["course", "profile", "ring"], name="requirement_unique"
            ),
            # NULL profiles are distinct in a unique index: one row per course and ring.
            models.UniqueConstraint(
                fields=["course", "ring"],
                condition=Q(profile__isnull=True),
                name="requirement_unique_per_ring",
                violation_error_message=_("This ring already has a row for this course."),
            ),
            models.CheckConstraint(
                name="requirement_repeat_per_ring",
                condition=Q(repeat_months__isnull=True)
                | (Q(profile__isnull=True) & Q(ring__isnull=False) & Q(repeat_months__gte=1)),
                violation_error_message=_(
                    "A repeat interval belongs to a ring without a profile, and is at least "
                    "one month."
                ),
            ),
        ]

    def __str__(self):
        target = self.profile or (f"ring {self.ring}" if self.ring else "")
        return f"{self.course} → {target}"


class TrainingRecordQuerySet(models.QuerySet):
    def valid_on(self, day=None):
        """Records valid on ``day``: a record no longer counts from its expiry date on."""
        day = day or timezone.localdate()
        return self.filter(completed_on__lte=day).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gt=day)
        )

    def current(self):
        """Only the newest record per reservist and course (older ones are superseded)."""
        newer = TrainingRecord.objects.filter(
            reservist_id=models.OuterRef("reservist_id"),
            course_id=models.OuterRef("course_id"),
            completed_on__gt=models.OuterRef("completed_on"),
        )
        return self.filter(~models.Exists(newer))

    def visible_to(self, user):
        return self.filter(reservist__in=Reservist.objects.visible_to(user))


class TrainingRecord(models.Model):
    reservist = models.ForeignKey(
        Reservist, on_delete=models.CASCADE, related_name="training_records"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="records")
    completed_on = models.DateField(_("completed on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = TrainingRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-completed_on"]
        # "Trained on a date" probes (reservist, course) and reads both dates: index only.
        indexes = [
            models.Index(
                fields=["reservist", "course", "expires_on"],
                include=["completed_on"],
                name="trainingrecord_valid_idx",
            )
        ]

    def __str__(self):
        return f"{self.reservist} – {self.course} ({self.completed_on})"

    def save(self, *args, **kwargs):
        # The repeat interval of the reservist's ring (training.expiry keeps it current
        # when the ring or the requirements change).
        self.expires_on = self.course.expiry_for(self.completed_on, self.reservist.ring)
        super().save(*args, **kwargs)


class TrainingSessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Coordinators: their region's sessions (national: all). Reservists: the
        sessions of their home region and the national ones (no region)."""
        scope = scope_of(user)
        if scope.is_national:
            return self
        q = Q(pk__in=[])
        if scope.is_regional:
            q |= Q(region_id__in=scope.region_ids)
        if scope.is_reservist:
            home = (
                Reservist.objects.filter(user_id=scope.user_id)
                .values_list("home_region_id", flat=True)
                .first()
            )
            q |= Q(region__isnull=True) | Q(region_id=home)
        return self.filter(q)

    def upcoming(self, now=None):
        return self.filter(starts_at__gte=now or timezone.now(), cancelled=False)


class TrainingSession(models.Model):
    """A dated session of a course, with a place, a trainer and a number of seats."""

    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course")
    )
    region = models.ForeignKey(
        "registry.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_sessions",
        verbose_name=_("region"),
        help_text=_("Empty: a national session, open to every region."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=120)
    capacity = models.PositiveSmallIntegerField(_("seats"))
    cancelled = models.BooleanField(_("cancelled"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="session_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))
            ),
            models.CheckConstraint(name="session_has_seats", condition=Q(capacity__gte=1)),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.course} – {local:%d-%m-%Y %H:%M} – {self.place}"


class SessionSignup(models.Model):
    """A reservist's seat in a session; attendance is recorded on it."""

    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("Signed up")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        ABSENT = "absent", _("Did not attend")

    TAKES_SEAT = (Status.SIGNED_UP, Status.ATTENDED, Status.ABSENT)

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="signups")
    reservist = models.ForeignKey(
        Reservist, on_delete=models.CASCADE, related_name="session_signups"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SIGNED_UP
    )
    signed_up_at = models.DateTimeField(default=timezone.now)
    record = models.ForeignKey(
        TrainingRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "reservist"], name="signup_once_per_session")
        ]

    def __str__(self):
        return f"{self.reservist} – {self.session}"


class ReminderSent(models.Model):
    """A reminder that went out, so that each one is sent once (idempotent beat tasks)."""

    key = models.CharField(max_length=120, unique=True)
    reservist = models.ForeignKey(
        Reservist, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self):
        return self.key
