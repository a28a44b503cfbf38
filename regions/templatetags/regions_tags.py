from django import template

from regions import vetting
from regions.forms import VettingForm
from regions.models import VettingCheck

register = template.Library()


@register.simple_tag
def vetting_summary(reservist):
    """For the reservist page: required checks with their latest outcome, the history,
    why vetting is not complete, and an empty form."""
    latest = vetting.latest_checks(reservist)
    required = vetting.required_checks(reservist)
    return {
        "rows": [
            {"check": c, "label": VettingCheck.Check(c).label, "latest": latest.get(c)}
            for c in required
        ],
        "history": list(
            VettingCheck.objects.filter(reservist=reservist).select_related("checked_by")[:50]
        ),
        "reasons": vetting.vetting_reasons(reservist),
        "form": VettingForm(auto_id="id_vetting_%s"),
    }
