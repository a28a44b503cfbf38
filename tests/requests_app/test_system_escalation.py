"""When the system escalates an unfilled request, the request itself is marked escalated."""

from datetime import timedelta

from django.utils import timezone

from escalation.services import flag_unfilled_requests
from tests.requests_app.factories import make_request


def test_system_escalation_marks_the_request_escalated(organisation):
    soon = timezone.now() + timedelta(hours=3)
    req = make_request(
        organisation,
        status="approved",
        shifts=[(soon, soon + timedelta(hours=8), 2, "verzorgende")],
    )
    opened = flag_unfilled_requests(hours=12)
    assert [e.request_id for e in opened] == [req.pk]
    req.refresh_from_db()
    assert req.status == "escalated"


def test_filled_in_time_is_not_escalated(organisation):
    later = timezone.now() + timedelta(days=3)
    req = make_request(
        organisation,
        status="approved",
        shifts=[(later, later + timedelta(hours=8), 2, "verzorgende")],
    )
    assert flag_unfilled_requests(hours=12) == []
    req.refresh_from_db()
    assert req.status == "approved"
