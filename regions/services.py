"""Business rules of the regional execution cores: vetting and recruitment.

Bulk imports live in ``regions.importing``; the workspace figures in
``regions.workspace``.
"""

import logging

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.errors import DomainError
from accounts.models import Membership, User
from accounts.services import grant_membership
from regions import vetting
from regions.big import BIGVerifierError
from regions.errors import CandidateClosedError, CandidateError, DuplicateError, VettingError
from regions.models import Candidate, CandidateStatusChange, VettingCheck
from registry.models import Reservist
from registry.signals import supply_changed

logger = logging.getLogger(__name__)


# --- the register's status machine (registry.services, owned by the register) ----


def change_reservist_status(reservist, status, *, actor, reason=""):
    """Move a reservist to ``status`` through the register's one entry point
    (``registry.services.change_status``, which runs the activation guards)."""
    from registry.services import change_status

    return change_status(reservist, status, actor=actor, reason=reason)


# --- vetting ------------------------------------------------------------------------


def record_vetting(
    reservist, check, outcome, note="", *, actor, issued_on=None, screening_profile=""
) -> VettingCheck:
    """Record one vetting check. A failed check needs a note saying why; a passed VOG
    its issue date, which the VOG rule must allow (``regions.vetting``).

    The first check moves an applicant into vetting; when the last required
    check passes, the reservist becomes active (the register's activation guard
    checks the same rule).
    """
    if check not in VettingCheck.Check.values:
        raise VettingError(_("Choose one of the checks."), field="check")
    if outcome not in VettingCheck.Outcome.values:
        raise VettingError(_("Choose passed or failed."), field="outcome")
    note = (note or "").strip()
    if outcome == VettingCheck.Outcome.FAIL and not note:
        raise VettingError(_("Say why the check failed."), field="note")
    if check != VettingCheck.Check.VOG:
        issued_on, screening_profile = None, ""
    elif outcome == VettingCheck.Outcome.PASS and issued_on is None:
        raise VettingError(_("Give the date the VOG was issued."), field="issued_on")
    with transaction.atomic():
        reservist = Reservist.objects.select_for_update().get(pk=reservist.pk)
        if issued_on is not None:
            problem = vetting.validate_vog_date(reservist, issued_on)
            if problem:
                raise VettingError(problem, field="issued_on")
        row = VettingCheck.objects.create(
            reservist=reservist,
            kind=check,
            outcome=outcome,
            note=note,
            checked_by=actor,
            issued_on=issued_on,
            screening_profile=(screening_profile or "").strip(),
        )
        extra = {"issued_on": issued_on.isoformat()} if issued_on else {}
        log_action(
            reservist, "vetting.recorded", actor, note, check=check, outcome=outcome, **extra
        )
        supply_changed.send(sender=VettingCheck, reservist_id=reservist.pk)
        if reservist.status == Reservist.Status.APPLIED:
            reservist = change_reservist_status(
                reservist,
                Reservist.Status.VETTING,
                actor=actor,
                reason=_("Vetting started."),
            )
        row.activated = False
        row.activation_refused = []
        if (
            outcome == VettingCheck.Outcome.PASS
            and reservist.status == Reservist.Status.VETTING
            and not vetting.vetting_reasons(reservist)
        ):
            try:
                with transaction.atomic():  # a savepoint: the check stays recorded
                    change_reservist_status(
                        reservist,
                        Reservist.Status.ACTIVE,
                        actor=actor,
                        reason=_("All required vetting checks passed."),
                    )
                row.activated = True
            except DomainError as exc:  # another guard (e.g. no privacy consent yet)
                row.activation_refused = list(getattr(exc, "reasons", [str(exc)]))
    return row


def verify_big(reservist, *, actor) -> VettingCheck | None:
    """Ask the configured BIG verifier; record the outcome when it gives one.

    The network call happens outside any transaction. With the manual verifier
    nothing is recorded: the coordinator checks by hand.
    """
    if not reservist.big_number:
        raise VettingError(_("No BIG number recorded."), field="check")
    from regions import bigcheck

    try:
        check = bigcheck.check_reservist(reservist, actor=actor)
    except BIGVerifierError as exc:
        logger.warning("BIG verification failed for reservist %s: %s", reservist.pk, exc)
        raise VettingError(
            _("The BIG register could not be reached. Try again later or check by hand."),
            field="check",
        ) from exc
    if check is None:
        return None
    if check.outcome == check.Outcome.PASS:
        note = _("Found in the BIG register: %(name)s.") % {"name": check.registered_name}
        if check.end_date:
            note += " " + _("Registered until %(date)s.") % {
                "date": check.end_date.strftime("%d-%m-%Y")
            }
        return record_vetting(reservist, "big", "pass", note, actor=actor)
    return record_vetting(reservist, "big", "fail", check.reason, actor=actor)


# --- recruitment --------------------------------------------------------------------


def _log_candidate_change(candidate, old, new, reason, actor):
    CandidateStatusChange.objects.create(
        candidate=candidate, from_status=old, to_status=new, reason=reason, actor=actor
    )
    log_action(candidate, "candidate.status", actor, reason, old=old, new=new)


def create_candidate(region, data: dict, *, actor) -> Candidate:
    with transaction.atomic():
        candidate = Candidate(region=region, created_by=actor, **data)
        try:
            candidate.full_clean(exclude=["reservist", "created_by"])
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise CandidateError(messages[0], field=field) from exc
        candidate.save()
        _log_candidate_change(candidate, "", candidate.status, _("Recorded."), actor)
    return candidate


# Which status may follow which; "converted" only through ``convert_candidate``,
# "expired" only through the retention run (``regions.retention``).
TRANSITIONS = {
    Candidate.Status.NEW: {"contacted", "intake_planned", "rejected", "withdrawn"},
    Candidate.Status.CONTACTED: {"intake_planned", "rejected", "withdrawn"},
    Candidate.Status.INTAKE_PLANNED: {"contacted", "intake_planned", "rejected", "withdrawn"},
    Candidate.Status.REJECTED: {"contacted"},
    Candidate.Status.WITHDRAWN: {"contacted"},
    Candidate.Status.CONVERTED: set(),
    Candidate.Status.EXPIRED: set(),
}
SET_BY_THE_SYSTEM = {Candidate.Status.CONVERTED, Candidate.Status.EXPIRED}
NEEDS_REASON = {Candidate.Status.REJECTED, Candidate.Status.WITHDRAWN}


def change_candidate_status(
    candidate, status, reason="", *, actor, intake_planned_at=None
) -> Candidate:
    reason = (reason or "").strip()
    if status not in Candidate.Status.values or status in SET_BY_THE_SYSTEM:
        raise CandidateError(_("Choose a status."), field="status")
    if status in NEEDS_REASON and not reason:
        raise CandidateError(_("Give a reason for this status."), field="reason")
    if status == Candidate.Status.INTAKE_PLANNED and intake_planned_at is None:
        raise CandidateError(_("Give the date and time of the intake."), field="intake_planned_at")
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.anonymised_at is not None:
            raise CandidateClosedError(
                _("This candidate's data has been removed; record the person again if needed.")
            )
        if status not in TRANSITIONS[candidate.status]:
            raise CandidateClosedError(
                _("A candidate with status “%(old)s” cannot become “%(new)s”.")
                % {
                    "old": candidate.get_status_display(),
                    "new": Candidate.Status(status).label,
                }
            )
        old = candidate.status
        candidate.status = status
        if status == Candidate.Status.INTAKE_PLANNED:
            candidate.intake_planned_at = intake_planned_at
        candidate.save(update_fields=["status", "intake_planned_at"])
        _log_candidate_change(candidate, old, status, reason, actor)
    return candidate


def find_reservist(email: str = "", big_number: str = ""):
    """A reservist with the same e-mail address or BIG number (duplicates are matched)."""
    if email:
        found = Reservist.objects.filter(user__email__iexact=email).first()
        if found is not None:
            return found
    if big_number:
        return Reservist.objects.filter(big_number=big_number).order_by("pk").first()
    return None


def user_for_email(email: str, first_name="", last_name=""):
    """The account of ``email``; created without a usable password if it does not exist
    (the reservist sets one with "forgot password" and accepts the privacy statement)."""
    email = BaseUserManager.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, None, first_name=first_name, last_name=last_name)
    grant_membership(user, Membership.Role.RESERVIST)
    return user


def convert_candidate(candidate, *, actor) -> Reservist:
    """Put a candidate in the register (status "applied"), or link the existing record
    with the same e-mail address or BIG number."""
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if not candidate.is_open:
            raise CandidateClosedError(_("Only an open candidate can be put in the register."))
        reservist = find_reservist(candidate.email, candidate.big_number)
        if reservist is not None:
            if reservist.home_region_id not in (None, candidate.region_id):
                raise DuplicateError(
                    _(
                        "This person is already in the register of another region; "
                        "ask the national office."
                    )
                )
            reason = _("Linked to the existing record in the register.")
        else:
            reservist = Reservist(
                first_name=candidate.first_name,
                last_name=candidate.last_name,
                phone=candidate.phone,
                big_number=candidate.big_number,
                home_region=candidate.region,
                status=Reservist.Status.APPLIED,
            )
            try:
                reservist.full_clean(exclude=["user", "municipality", "profession", "ring"])
            except ValidationError as exc:
                field, messages = next(iter(exc.message_dict.items()))
                raise CandidateError(messages[0], field=field) from exc
            if candidate.email:
                user = user_for_email(candidate.email, candidate.first_name, candidate.last_name)
                if not hasattr(user, "reservist") or user.reservist is None:
                    reservist.user = user
            reservist.save()
            log_action(reservist, "reservist.created", actor, _("From recruitment."))
            reason = _("Put in the register.")
        old = candidate.status
        candidate.status = Candidate.Status.CONVERTED
        candidate.reservist = reservist
        candidate.save(update_fields=["status", "reservist"])
        _log_candidate_change(candidate, old, candidate.status, reason, actor)
    return reservist
