"""Weekly snapshots of the pool, so that the figures can show a trend."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PoolSnapshot(models.Model):
    """The pool of one region (or of reservists without a home region) in one week.

    Written by the "dashboard refresh" task (``dashboard.tasks.refresh_pool_snapshot``);
    the row of the current week is overwritten on each run, so a past week keeps
    the last figures taken in that week. The national trend is the sum over regions.
    """

    week = models.DateField(_("week (Monday)"), db_index=True)
    region = models.ForeignKey(
        "registry.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    active = models.PositiveIntegerField(_("active"), default=0)
    deployable = models.PositiveIntegerField(_("deployable"), default=0)
    expiring_30d = models.PositiveIntegerField(
        _("training or BIG expiring within 30 days"), default=0
    )
    readiness_24h = models.PositiveIntegerField(_("deployable within 24 hours"), default=0)
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        verbose_name = _("pool snapshot")
        verbose_name_plural = _("pool snapshots")
        ordering = ["-week", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["week", "region"],
                condition=Q(region__isnull=False),
                name="pool_snapshot_week_region",
            ),
            models.UniqueConstraint(
                fields=["week"],
                condition=Q(region__isnull=True),
                name="pool_snapshot_week_no_region",
            ),
        ]

    def __str__(self):
        return f"{self.week} {self.region or '-'}: {self.active}/{self.deployable}"


class ShiftFigure(models.Model):
    """Shifts requested, planned and deployed of one day, region and profile: a change
    (delta) or, after compaction, the sum of them. The figures API and pages sum these
    rows instead of aggregating a million shifts and two million assignments.

    Written by PostgreSQL triggers on shifts, assignments and requests (migration
    ``0002_shiftfigure``), so that every change, also a raw or bulk one, counts in the
    transaction that makes it; rows are only appended, never updated, so bookings do
    not wait for each other here. ``dashboard.rollup.compact`` (beat) sums the rows per
    key; ``rebuild`` recounts everything. Plain ids, no foreign keys: a change row
    outlives nothing it would protect.
    """

    day = models.DateField(_("day"))  # of the shift's start, in the Netherlands
    region_id = models.IntegerField(_("region"), null=True)
    profile_id = models.IntegerField(_("profile"), null=True)
    requested = models.IntegerField(_("requested"), default=0)
    planned = models.IntegerField(_("planned"), default=0)
    deployed = models.IntegerField(_("deployed"), default=0)

    class Meta:
        verbose_name = _("shift figure")
        verbose_name_plural = _("shift figures")
        indexes = [models.Index(fields=["day", "region_id"], name="shiftfigure_day_region")]

    def __str__(self):
        return f"{self.day} {self.region_id}/{self.profile_id}: {self.requested}/{self.planned}/{self.deployed}"
