"""Care organisations: registration by a signed-in user, approval by national staff."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.models import Membership
from accounts.scope import scope_of
from accounts.services import grant_membership
from registry.validators import normalise_postcode
from requests_app import notify
from requests_app.errors import RequestError, RequestNotAllowed, RequestStateError
from requests_app.models import CareOrganisation

FIELDS = ["name", "kvk", "agb", "sector", "address", "postcode", "municipality"]


def _require_national(actor):
    if not scope_of(actor).is_national:
        raise RequestNotAllowed(_("Only a national coordinator may do this."))


@transaction.atomic
def register_organisation(data: dict, *, actor) -> CareOrganisation:
    """A signed-in user registers a new organisation; it waits for national approval.

    ``data``: name, kvk, agb, sector, address, postcode, municipality (Municipality).
    The region follows from the municipality.
    """
    municipality = data.get("municipality")
    if municipality is None:
        raise RequestError(_("Choose the municipality of the organisation."), field="municipality")
    org = CareOrganisation(
        name=(data.get("name") or "").strip(),
        kvk=(data.get("kvk") or "").replace(" ", ""),
        agb=(data.get("agb") or "").replace(" ", ""),
        sector=data.get("sector") or "",
        address=(data.get("address") or "").strip(),
        postcode=normalise_postcode(data.get("postcode") or ""),
        municipality=municipality,
        region=municipality.region,
        status=CareOrganisation.Status.PENDING,
        registered_by=actor,
    )
    try:
        org.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise RequestError(messages[0], field=field) from exc
    org.save()
    log_action(org, "organisation.registered", actor)
    notify.email_later(notify.national_emails(), "organisation_registered", {"organisation": org})
    return org


@transaction.atomic
def approve_organisation(org: CareOrganisation, *, actor) -> CareOrganisation:
    _require_national(actor)
    org = CareOrganisation.objects.select_for_update().get(pk=org.pk)
    if org.status == CareOrganisation.Status.APPROVED:
        return org
    org.status = CareOrganisation.Status.APPROVED
    org.decided_at = timezone.now()
    org.save(update_fields=["status", "decided_at"])
    log_action(org, "organisation.approved", actor)
    if org.registered_by_id:
        grant_membership(org.registered_by, Membership.Role.CARE_ORG, organisation=org, actor=actor)
        notify.email_later(
            [org.registered_by.email],
            "organisation_decided",
            {"organisation": org},
            getattr(org.registered_by, "language", "nl"),
        )
    return org


@transaction.atomic
def reject_organisation(org: CareOrganisation, *, actor, reason: str) -> CareOrganisation:
    _require_national(actor)
    if not (reason or "").strip():
        raise RequestError(_("Give a reason."), field="reason")
    org = CareOrganisation.objects.select_for_update().get(pk=org.pk)
    if org.status != CareOrganisation.Status.PENDING:
        raise RequestStateError(_("This organisation has already been decided on."))
    org.status = CareOrganisation.Status.REJECTED
    org.decided_at = timezone.now()
    org.decision_reason = reason.strip()
    org.save(update_fields=["status", "decided_at", "decision_reason"])
    log_action(org, "organisation.rejected", actor, reason)
    if org.registered_by_id:
        notify.email_later(
            [org.registered_by.email],
            "organisation_decided",
            {"organisation": org},
            getattr(org.registered_by, "language", "nl"),
        )
    return org
