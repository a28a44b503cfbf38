"""Helpers for regions tests."""

from regions.models import Candidate, VettingCheck
from tests.factories import region


def make_candidate(code="VR09", **kwargs):
    data = {
        "first_name": "Kees",
        "last_name": "Mulder",
        "email": "kees.mulder@example.org",
        "phone": "0612345678",
        "source": Candidate.Source.CAMPAIGN,
        "campaign": "Radio voorjaar",
    }
    data.update(kwargs)
    return Candidate.objects.create(region=region(code), **data)


def pass_all(reservist, actor=None):
    for check in ("identity", "big", "vog", "intake"):
        VettingCheck.objects.create(
            reservist=reservist, kind=check, outcome="pass", checked_by=actor
        )
