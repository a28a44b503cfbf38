from django import template
from django.utils import timezone

from training import deployability
from training.forms import TrainingRecordForm
from training.models import TrainingRecord

register = template.Library()


@register.simple_tag
def training_summary(reservist):
    """For the reservist page: records, what the ring requires and why not valid, a form."""
    today = timezone.localdate()
    records = list(
        TrainingRecord.objects.filter(reservist=reservist)
        .select_related("course", "recorded_by")
        .order_by("-completed_on", "-id")[:100]
    )
    for record in records:
        record.is_valid = record.completed_on <= today and (
            record.expires_on is None or record.expires_on > today
        )
        record.expires_soon = bool(
            record.is_valid and record.expires_on and (record.expires_on - today).days <= 90
        )
    return {
        "records": records,
        "reasons": deployability.check(reservist, today, None),
        "form": TrainingRecordForm(auto_id="id_training_%s", initial={"completed_on": today}),
    }
