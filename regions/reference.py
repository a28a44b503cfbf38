"""Default VOG validity rule (data, editable in the admin; loading again leaves it be)."""

from regions.models import VogRule

# A VOG at most 3 months old at the first deployment, renewed every 3 years.
DEFAULT_RULE = {
    "code": "zorg",
    "name": "VOG zorg: 3 maanden bij eerste inzet, elke 3 jaar vernieuwen",
    "first_months": 3,
    "renew_months": 36,
}


def load() -> dict:
    if not VogRule.objects.exists():
        VogRule.objects.create(**DEFAULT_RULE, active=True)
    return {"VOG rules": VogRule.objects.count()}
