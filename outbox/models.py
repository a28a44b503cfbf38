"""The transactional outbox (issue 8, "broker down").

``nzr.tasks.enqueue`` writes an ``OutboxMessage`` in the same transaction as
the domain change. After the commit it is published to Celery at once; if the
broker is down the row stays and ``outbox.relay.relay_pending`` publishes it
later (beat task and ``manage.py relay_outbox``). The worker runs the task
through ``outbox.tasks.deliver``, which first claims the row for this publish
(``started_at``, ``runs``, ``started_attempt``: committed at once, so the relay
sees that the broker handed the message over), then locks the row, skips it if
it was already processed, and marks it processed in the same transaction as the
task's own writes: a message published twice runs once.

Timeline of a row: ``sent_at``/``attempts`` (last publish, written just before
it), ``started_at``/``started_attempt`` (a worker took publish number
``started_attempt``), ``processed_at`` (done). A publish not started within
``NZR_OUTBOX_UNSTARTED_SECONDS`` was lost by the broker; a start whose row is
no longer locked by its run and not processed within
``NZR_OUTBOX_INFLIGHT_SECONDS`` was a worker that died: the relay publishes both
again (``outbox.relay``).
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _new_key() -> str:
    return uuid.uuid4().hex


class OutboxMessageQuerySet(models.QuerySet):
    def pending(self):
        """Not yet published (or handed back for a retry), not processed, not given up."""
        return self.filter(sent_at__isnull=True, processed_at__isnull=True, dead_at__isnull=True)

    def unfinished(self):
        return self.filter(processed_at__isnull=True, dead_at__isnull=True)

    def claimable(self):
        """Unfinished and not yet started for its latest publish: a delivery may take it.

        ``started_attempt < attempts`` means the relay published it again after the last
        start (it judged that run dead), so the new copy may run it."""
        return self.unfinished().filter(
            Q(started_attempt__isnull=True) | Q(started_attempt__lt=models.F("attempts"))
        )


class OutboxMessage(models.Model):
    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    queue = models.CharField(_("queue"), max_length=100, blank=True)
    dedup_key = models.CharField(
        _("deduplication key"), max_length=200, unique=True, default=_new_key
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    available_at = models.DateTimeField(_("publish not before"), default=timezone.now)
    sent_at = models.DateTimeField(_("published at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("publish attempts"), default=0)
    failures = models.PositiveIntegerField(_("failed runs"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    started_at = models.DateTimeField(_("delivery started at"), null=True, blank=True)
    started_attempt = models.PositiveIntegerField(
        _("publish the last start answered"), null=True, blank=True
    )
    runs = models.PositiveIntegerField(_("deliveries started"), default=0)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    dead_at = models.DateTimeField(_("given up at"), null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["available_at", "id"],
                name="outbox_pending_idx",
                condition=Q(sent_at__isnull=True, processed_at__isnull=True, dead_at__isnull=True),
            ),
            models.Index(
                fields=["sent_at"],
                name="outbox_inflight_idx",
                condition=Q(sent_at__isnull=False, processed_at__isnull=True, dead_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.task}"


class DeliveryProbe(models.Model):
    """Written by the ``outbox.probe`` task: proves end to end that a job ran, and how often."""

    key = models.CharField(max_length=100, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("delivery probe")
        verbose_name_plural = _("delivery probes")

    def __str__(self):
        return self.key
