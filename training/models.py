"""Courses as data, which ring or profile needs them, and training records with expiry."""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import Reservist


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

    def expiry_for(self, completed_on):
        if not self.validity_months:
            return None
        return completed_on + relativedelta(months=self.validity_months)


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
    ring = models.PositiveSmallIntegerField(_("ring"), null=True, blank=True)

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
        ]

    def __str__(self):
        target = self.profile or (f"ring {self.ring}" if self.ring else "")
        return f"{self.course} → {target}"


class TrainingRecordQuerySet(models.QuerySet):
    def valid_on(self, day=None):
        day = day or timezone.localdate()
        return self.filter(completed_on__lte=day).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=day)
        )

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
        indexes = [models.Index(fields=["reservist", "course", "expires_on"])]

    def __str__(self):
        return f"{self.reservist} – {self.course} ({self.completed_on})"

    def save(self, *args, **kwargs):
        self.expires_on = self.course.expiry_for(self.completed_on)
        super().save(*args, **kwargs)
