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
