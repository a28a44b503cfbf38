"""Re-categorising a request: the national coordinator corrects its category.

The category (regional crisis shelter or individual organisation) decides a request's
rank in the triangle's prioritisation framework, so changing it moves the request in
the queue (``escalation.priority``; ``GET /api/v1/requests/queue/``). An organisation
may have chosen the wrong one; only a national coordinator changes it, always with a
reason, written to the audit log in the same transaction.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import log_action
from requests_app.errors import RequestError, RequestStateError
from requests_app.models import DeploymentRequest
from requests_app.services.requests import OPEN_STATUSES, _locked, _require_national


@transaction.atomic
def recategorise_request(request, *, category: str, reason: str, actor) -> DeploymentRequest:
    """Give an open request (submitted, approved or escalated: the ones in the queue)
    another ``category``; logged as "request.recategorised" with the reason and the old
    and new category.

    Refused: another role than national coordinator (403); an unknown or unchanged
    category, or no reason (400, next to the field); a request no longer open (409).
    """
    _require_national(actor)
    if category not in DeploymentRequest.Category.values:
        raise RequestError(
            _("Choose regional crisis shelter or individual organisation."), field="category"
        )
    reason = (reason or "").strip()
    if not reason:
        raise RequestError(_("Give the reason for the new category."), field="reason")
    request = _locked(request)
    if request.status not in OPEN_STATUSES:
        raise RequestStateError(
            _("Only an open request can get another category; this one is “%(status)s”.")
            % {"status": request.get_status_display()}
        )
    if request.category == category:
        raise RequestError(_("The request already has this category."), field="category")
    old = request.category
    request.category = category
    request.save(update_fields=["category"])
    log_action(request, "request.recategorised", actor, reason, old=old, new=category)
    return request
