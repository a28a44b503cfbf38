"""Approving a request that names no crisis links the active crisis of its region."""

import pytest

from accounts.errors import DomainError
from escalation.models import Crisis
from requests_app.services.requests import approve_request
from tests.requests_app.factories import active_crisis, make_request


def test_approval_links_the_active_crisis(organisation, national_coordinator):
    crisis = active_crisis()
    req = make_request(organisation, status="submitted")
    req.crisis = None
    req.save(update_fields=["crisis"])
    approve_request(req, actor=national_coordinator)
    req.refresh_from_db()
    assert req.status == "approved"
    assert req.crisis_id == crisis.pk


def test_approval_without_any_active_crisis_is_refused(organisation, national_coordinator):
    req = make_request(organisation, status="submitted")
    req.crisis = None
    req.save(update_fields=["crisis"])
    Crisis.objects.update(active=False)
    with pytest.raises(DomainError) as info:
        approve_request(req, actor=national_coordinator)
    assert info.value.field == "crisis"
    req.refresh_from_db()
    assert req.status == "submitted"
