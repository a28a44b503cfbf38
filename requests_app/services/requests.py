"""Deployment requests: draft -> submitted -> approved/rejected -> filled -> completed,
cancelled, escalated. National vetting, cancellation, hours worked."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.scope import scope_of
from escalation.services import active_crisis_for_region
from nzr import fastsql
from nzr.tasks import enqueue
from registry.signals import supply_changed
from registry.validators import normalise_postcode, validate_postcode
from requests_app import limits, notify
from requests_app.errors import (
    RequestError,
    RequestInvalid,
    RequestNotAllowed,
    RequestStateError,
)
from requests_app.matching import LIVE, max_shift_hours
from requests_app.models import (
    Assignment,
    CareOrganisation,
    DeploymentRequest,
    LadderAttestation,
    Shift,
    is_draft_of_another,
)
from requests_app.services.winding_down import wind_down

Status = DeploymentRequest.Status
OPEN_STATUSES = (Status.SUBMITTED, Status.APPROVED, Status.ESCALATED)
MATCHING_STATUSES = (Status.APPROVED, Status.ESCALATED)
BASIC_FIELDS = [
    "category",
    "crisis",
    "postcode",
    "municipality",
    "description",
    "contact_name",
    "contact_phone",
]


# --- who may -----------------------------------------------------------------


def can_edit_for(actor, organisation) -> bool:
    scope = scope_of(actor)
    return scope.is_national or organisation.pk in scope.organisation_ids


def _require_member(actor, organisation):
    if not can_edit_for(actor, organisation):
        raise RequestNotAllowed(_("You may only do this for your own organisation."))


def _require_owner_if_draft(actor, request):
    """A draft belongs to its organisation alone (``visible_to``): national staff too
    may not change, submit or cancel another organisation's draft."""
    if is_draft_of_another(actor, request):
        raise RequestNotAllowed(_("You may only do this for your own organisation."))


def _require_national(actor):
    if not scope_of(actor).is_national:
        raise RequestNotAllowed(_("Only a national coordinator may do this."))


# --- validation ------------------------------------------------------------------


def shift_problems(start, end, count) -> list[str]:
    problems = []
    if start is None or end is None:
        return [_("Give a start and an end.")]
    if end <= start:
        problems.append(_("The end of a shift must be after its start."))
    elif end - start > timedelta(hours=max_shift_hours()):
        problems.append(_("A shift lasts at most %(hours)d hours.") % {"hours": max_shift_hours()})
    if not count or count < 1:
        problems.append(_("Ask for at least one reservist."))
    elif too_many := limits.places_problem(count):
        problems.append(too_many)
    return problems


def _ladder_entries(request):
    return [
        {"step": a.step, "taken_on": a.taken_on, "evidence": a.evidence}
        for a in request.ladder.select_related("step")
    ]


def validate_ladder_entries(entries, submitted_on):
    """Run the escalation ladder's validator (escalation.ladder, the contract).

    Returns (messages, by_step); both empty when the ladder is complete.
    """
    from escalation.errors import LadderError
    from escalation.ladder import validate_ladder

    try:
        validate_ladder(entries, submitted_on=submitted_on)
    except LadderError as exc:
        return list(exc.messages), dict(getattr(exc, "by_step", {}) or {})
    return [], {}


def _validate_for_submit(request, now) -> None:
    errors: dict[str, list[str]] = {}
    if request.category not in DeploymentRequest.Category.values:
        errors["category"] = [_("Choose the kind of request.")]
    if not request.description.strip():
        errors["description"] = [_("Describe what is going on.")]
    if request.crisis_id and not request.crisis.active:
        errors["crisis"] = [_("This crisis is no longer active. Choose an active crisis.")]
    shifts = list(request.shifts.filter(cancelled_at__isnull=True))
    if not shifts:
        errors["shifts"] = [_("Add at least one shift.")]
    errors.setdefault("shifts", []).extend(limits.shift_set_problems(s.start for s in shifts))
    for shift in shifts:
        problems = shift_problems(shift.start, shift.end, shift.count)
        if shift.start <= now:
            problems.append(_("A shift must start in the future."))
        if problems:
            label = timezone.localtime(shift.start).strftime("%d-%m-%Y %H:%M")
            errors.setdefault("shifts", []).extend(f"{label}: {p}" for p in problems)
    messages, by_step = validate_ladder_entries(_ladder_entries(request), timezone.localdate(now))
    if messages:
        errors["ladder"] = messages
    errors = {field: found for field, found in errors.items() if found}
    if errors:
        raise RequestInvalid(errors, by_step)


# --- drafts and submission ----------------------------------------------------------


def _apply_basics(request, data: dict) -> None:
    for name in BASIC_FIELDS:
        if name in data:
            value = data[name]
            if name == "postcode":
                value = normalise_postcode(value or "")
            if value is None and name not in ("crisis", "municipality"):
                value = ""
            setattr(request, name, value)
    if request.postcode:
        try:
            validate_postcode(request.postcode)
        except Exception as exc:
            raise RequestError(exc.messages[0], field="postcode") from exc
    else:
        raise RequestError(_("Enter the postcode of the location."), field="postcode")
    if request.municipality_id:
        request.region_id = request.municipality.region_id
    else:
        request.region_id = request.organisation.region_id


@transaction.atomic
def save_draft(organisation, data: dict, *, actor, request=None) -> DeploymentRequest:
    """Create or update the basics of a draft request (the form's first step)."""
    _require_member(actor, organisation)
    if organisation.status != CareOrganisation.Status.APPROVED:
        raise RequestError(
            _("Your organisation is not approved yet; you cannot ask the reserve yet."),
            field="organisation",
        )
    if request is None:
        request = DeploymentRequest(organisation=organisation, created_by=actor)
    else:
        _require_draft(request, actor)
    _apply_basics(request, data)
    created = request.pk is None
    request.save()
    if created:
        log_action(request, "request.draft_created", actor)
    return request


def _require_draft(request, actor):
    _require_member(actor, request.organisation)
    _require_owner_if_draft(actor, request)
    if request.status != Status.DRAFT:
        raise RequestStateError(_("Only a draft can be changed."))


@transaction.atomic
def add_shifts(
    request, *, profile, start, end, count: int, repeat_days: int = 1, actor
) -> list[Shift]:
    """Add a shift, repeated on ``repeat_days`` consecutive days (1 = just this one).

    Refused when the request would get more shifts, or shifts over more days, than
    ``limits`` allows (counting the shifts it already has)."""
    _require_draft(request, actor)
    problems = shift_problems(start, end, count)
    if problems:
        raise RequestError(problems[0], field="shifts")
    if not 1 <= repeat_days <= limits.MAX_REQUEST_DAYS:
        raise RequestError(
            _("Repeat for 1 to %(max)d days.") % {"max": limits.MAX_REQUEST_DAYS},
            field="repeat_days",
        )
    shifts = []
    for day in range(repeat_days):
        # Same wall-clock time every day, also across a daylight-saving change.
        local_start = timezone.localtime(start).replace(tzinfo=None) + timedelta(days=day)
        local_end = timezone.localtime(end).replace(tzinfo=None) + timedelta(days=day)
        shifts.append(
            Shift(
                request=request,
                profile=profile,
                start=timezone.make_aware(local_start),
                end=timezone.make_aware(local_end),
                count=count,
            )
        )
    _locked(request)  # counted under the request's lock: two adds at once stay in the limits
    existing = request.shifts.filter(cancelled_at__isnull=True).values_list("start", flat=True)
    problems = limits.shift_set_problems([*existing, *(s.start for s in shifts)])
    if problems:
        raise RequestError(problems[0], field="repeat_days")
    Shift.objects.bulk_create(shifts)
    log_action(request, "request.shifts_added", actor, count=len(shifts))
    return shifts


@transaction.atomic
def remove_shift(shift, *, actor) -> None:
    _require_draft(shift.request, actor)
    shift.delete()


@transaction.atomic
def set_ladder(request, entries: list[dict], *, actor) -> tuple[list[str], dict]:
    """Store the ladder attestations of a draft (replacing earlier ones) and return
    the validator's complaints (messages, by_step) so the form can show them."""
    _require_draft(request, actor)
    request.ladder.all().delete()
    LadderAttestation.objects.bulk_create(
        [
            LadderAttestation(
                request=request,
                step=e["step"],
                taken_on=e["taken_on"],
                evidence=e.get("evidence", ""),
            )
            for e in entries
            if e.get("taken_on") and e.get("step") is not None
        ]
    )
    return validate_ladder_entries(entries, timezone.localdate())


@transaction.atomic
def submit_request(request, *, actor) -> DeploymentRequest:
    """Check everything (ladder via the escalation validator) and submit."""
    _require_member(actor, request.organisation)
    _require_owner_if_draft(actor, request)
    request = DeploymentRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != Status.DRAFT:
        raise RequestStateError(_("This request has already been submitted."))
    now = timezone.now()
    _validate_for_submit(request, now)
    request.status = Status.SUBMITTED
    request.submitted_at = now
    request.save(update_fields=["status", "submitted_at"])
    log_action(request, "request.submitted", actor)
    notify.email_later(
        notify.organisation_emails(request.organisation, actor),
        "request_submitted",
        {"request": request},
        getattr(actor, "language", "nl"),
    )
    notify.email_later(notify.national_emails(), "request_for_vetting", {"request": request})
    return request


def _step_code(step) -> str:
    return str(getattr(step, "code", step) or "").strip()


def _as_date(value):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


@transaction.atomic
def create_request(organisation, data: dict, *, actor) -> DeploymentRequest:
    """The API's one-shot form: basics, shifts and ladder, then submit. All or nothing.

    ``data``: category, postcode, description, crisis?, municipality?, contact_*,
    shifts: [{profile, start, end, count}], ladder: [{step (code or LadderStep),
    taken_on, evidence}].
    """
    from escalation.models import LadderStep

    _require_member(actor, organisation)
    errors: dict[str, list[str]] = {}
    shifts = data.get("shifts") or []
    if too_many := limits.too_many_shifts(len(shifts)):
        raise RequestInvalid({"shifts": [too_many]})  # before looking at each of them
    if problems := limits.shift_set_problems(s.get("start") for s in shifts):
        errors["shifts"] = problems
    for i, s in enumerate(shifts):
        for p in shift_problems(s.get("start"), s.get("end"), s.get("count")):
            errors.setdefault("shifts", []).append(
                _("Shift %(n)d: %(problem)s") % {"n": i + 1, "problem": p}
            )
    if not shifts:
        errors["shifts"] = [_("Add at least one shift.")]
    ladder = data.get("ladder") or []
    messages, by_step = validate_ladder_entries(ladder, timezone.localdate())
    if messages:
        errors["ladder"] = messages
    if errors:
        raise RequestInvalid(errors, by_step)
    request = save_draft(organisation, data, actor=actor)
    Shift.objects.bulk_create(
        [
            Shift(
                request=request,
                profile=s["profile"],
                start=s["start"],
                end=s["end"],
                count=s["count"],
            )
            for s in shifts
        ]
    )
    steps = {s.code: s for s in LadderStep.objects.all()}
    LadderAttestation.objects.bulk_create(
        [
            LadderAttestation(
                request=request,
                step=steps[_step_code(e.get("step"))],
                taken_on=_as_date(e.get("taken_on")),
                evidence=str(e.get("evidence") or ""),
            )
            for e in ladder
        ]
    )
    return submit_request(request, actor=actor)


@transaction.atomic
def answer_info_request(request, answer: str, *, actor) -> DeploymentRequest:
    """The organisation answers the national coordinator's question."""
    _require_member(actor, request.organisation)
    if not (answer or "").strip():
        raise RequestError(_("Write your answer."), field="answer")
    request = DeploymentRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != Status.SUBMITTED or not request.info_requested_at:
        raise RequestStateError(_("No information was asked for."))
    stamp = timezone.localtime().strftime("%d-%m-%Y %H:%M")
    request.description = f"{request.description}\n\n[{stamp}] {answer.strip()}".strip()
    request.info_requested_at = None
    request.save(update_fields=["description", "info_requested_at"])
    log_action(request, "request.info_given", actor, answer.strip())
    notify.email_later(notify.national_emails(), "request_for_vetting", {"request": request})
    return request


# --- national vetting ------------------------------------------------------------------


def _lock_shifts_then(request):
    """For changes that touch the shifts: lock them first, then the request — the
    same order as a booking (reservist -> shift -> request), so no deadlock."""
    list(Shift.objects.select_for_update().filter(request_id=request.pk).order_by("pk"))
    return _locked(request)


def _locked(request):
    return (
        DeploymentRequest.objects.select_for_update(of=("self",))
        .select_related("organisation", "crisis")
        .get(pk=request.pk)
    )


@transaction.atomic
def approve_request(request, *, actor, reason: str = "") -> DeploymentRequest:
    """National vetting: yes, this is a crisis deployment. Starts matching."""
    _require_national(actor)
    request = _locked(request)
    if request.status != Status.SUBMITTED:
        raise RequestStateError(
            _("Only a submitted request can be approved; this one is “%(status)s”.")
            % {"status": request.get_status_display()}
        )
    if request.crisis_id is None:
        # No crisis named by the organisation: link the active crisis covering its region.
        crisis = active_crisis_for_region(request.region_id)
        if crisis is not None:
            request.crisis = crisis
            request.save(update_fields=["crisis"])
    if request.crisis_id is None or not request.crisis.active:
        raise RequestError(
            _(
                "A request can only be approved within an active crisis. Link it to an active crisis first."
            ),
            field="crisis",
        )
    request.status = Status.APPROVED
    request.approved_at = timezone.now()
    request.info_requested_at = None
    request.save(update_fields=["status", "approved_at", "info_requested_at"])
    log_action(request, "request.approved", actor, reason)
    _start_matching(request)
    notify.email_later(
        notify.organisation_emails(request.organisation, request.created_by),
        "request_decided",
        {"request": request},
    )
    return request


def _start_matching(request):
    from requests_app import tasks

    enqueue(tasks.match_request, request.pk)


@transaction.atomic
def reject_request(request, *, actor, reason: str) -> DeploymentRequest:
    _require_national(actor)
    if not (reason or "").strip():
        raise RequestError(_("Give the reason for the rejection."), field="reason")
    request = _lock_shifts_then(request)
    if request.status not in (Status.SUBMITTED, Status.APPROVED):
        raise RequestStateError(
            _("This request can no longer be rejected; it is “%(status)s”.")
            % {"status": request.get_status_display()}
        )
    _close_shifts(request, actor=actor, reason=reason)
    request.status = Status.REJECTED
    request.closed_reason = reason.strip()
    request.save(update_fields=["status", "closed_reason"])
    log_action(request, "request.rejected", actor, reason)
    notify.email_later(
        notify.organisation_emails(request.organisation, request.created_by),
        "request_decided",
        {"request": request},
    )
    return request


@transaction.atomic
def ask_more_information(request, *, actor, reason: str) -> DeploymentRequest:
    _require_national(actor)
    if not (reason or "").strip():
        raise RequestError(_("Say what information you need."), field="reason")
    request = _locked(request)
    if request.status != Status.SUBMITTED:
        raise RequestStateError(_("Only a submitted request can be asked about."))
    request.info_requested_at = timezone.now()
    request.info_request = reason.strip()
    request.save(update_fields=["info_requested_at", "info_request"])
    log_action(request, "request.info_requested", actor, reason)
    notify.email_later(
        notify.organisation_emails(request.organisation, request.created_by),
        "request_info_requested",
        {"request": request},
    )
    return request


@transaction.atomic
def escalate_request(request, *, actor, reason: str) -> DeploymentRequest:
    """To the triangle (MSOB): status escalated and an escalation opened, together."""
    _require_national(actor)
    if not (reason or "").strip():
        raise RequestError(_("Give the reason for escalating."), field="reason")
    request = _locked(request)
    if request.status not in (Status.SUBMITTED, Status.APPROVED, Status.FILLED):
        raise RequestStateError(
            _("This request cannot be escalated; it is “%(status)s”.")
            % {"status": request.get_status_display()}
        )
    from escalation.services import open_escalation

    request.status = Status.ESCALATED
    request.save(update_fields=["status"])
    log_action(request, "request.escalated", actor, reason)
    open_escalation(request, actor=actor, reason=reason.strip())
    return request


@transaction.atomic
def escalation_opened_by_system(request, *, reason: str = "") -> DeploymentRequest:
    """The escalation app flagged an unfilled request: mark it escalated (idempotent)."""
    request = _locked(request)
    if request.status in (Status.SUBMITTED, Status.APPROVED, Status.FILLED):
        request.status = Status.ESCALATED
        request.save(update_fields=["status"])
        log_action(request, "request.escalated", None, reason or "unfilled shortly before start")
    return request


@transaction.atomic
def escalation_decided(
    request, decision: str, *, actor=None, reason: str = ""
) -> DeploymentRequest:
    """The triangle decided. Referred back or rejected: the reserve goes on with it
    (approved again, matching resumes). Approved: Defensie helps; the request stays
    escalated."""
    request = _locked(request)
    if request.status != Status.ESCALATED:
        return request
    if decision in ("referred_back", "rejected"):
        request.status = Status.APPROVED
        if request.approved_at is None:
            request.approved_at = timezone.now()
        request.save(update_fields=["status", "approved_at"])
        log_action(request, "request.escalation_" + decision, actor, reason)
        _start_matching(request)
    else:
        log_action(request, "request.escalation_" + decision, actor, reason)
    return request


# --- cancelling --------------------------------------------------------------------


def _close_shifts(request, *, actor, reason, shifts=None) -> int:
    shifts = list(
        shifts if shifts is not None else request.shifts.filter(cancelled_at__isnull=True)
    )
    now = timezone.now()
    told = 0
    for shift in shifts:
        told += _cancel_one_shift(shift, actor=actor, reason=reason, now=now)
    return told


def _cancel_one_shift(shift, *, actor, reason, now) -> int:
    shift.cancelled_at = now
    shift.save(update_fields=["cancelled_at"])
    wind_down([shift], reason, actor=actor, now=now)
    booked = list(
        Assignment.objects.filter(shift=shift, status=Assignment.Status.CONFIRMED).select_related(
            "reservist__user"
        )
    )
    Assignment.objects.filter(pk__in=[a.pk for a in booked]).update(
        status=Assignment.Status.CANCELLED
    )
    for a in booked:
        r = a.reservist
        supply_changed.send(sender=Assignment, reservist_id=r.pk)  # freed for other shifts
        notify.email_later(
            [r.email],
            "shift_cancelled",
            {
                "shift": shift,
                "reservist": r,
                "reason": reason,
                "organisation": shift.request.organisation,
            },
            notify.reservist_language(r),
        )
        notify.sms_later(
            r.phone,
            _("NZR: your shift of %(when)s has been cancelled. See your e-mail.")
            % {"when": timezone.localtime(shift.start).strftime("%d-%m %H:%M")},
        )
    log_action(shift, "shift.cancelled", actor, reason, told=len(booked))
    return len(booked)


@transaction.atomic
def cancel_shift(shift, *, actor, reason: str = "") -> Shift:
    request = shift.request
    _require_member(actor, request.organisation)
    _require_owner_if_draft(actor, request)
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    request = _locked(request)
    if shift.cancelled_at:
        raise RequestStateError(_("This shift has already been cancelled."))
    if request.status in (Status.CANCELLED, Status.REJECTED, Status.COMPLETED):
        raise RequestStateError(_("This request is closed."))
    if shift.start <= timezone.now():
        raise RequestStateError(_("A shift that has started can no longer be cancelled."))
    if request.status == Status.DRAFT:
        shift.delete()
        return shift
    _cancel_one_shift(shift, actor=actor, reason=reason, now=timezone.now())
    if not request.shifts.filter(cancelled_at__isnull=True).exists():
        request.status = Status.CANCELLED
        request.closed_reason = reason
        request.save(update_fields=["status", "closed_reason"])
        log_action(request, "request.cancelled", actor, reason)
    else:
        update_fill_state(request)
    return shift


@transaction.atomic
def cancel_request(request, *, actor, reason: str = "") -> DeploymentRequest:
    _require_member(actor, request.organisation)
    _require_owner_if_draft(actor, request)
    request = _lock_shifts_then(request)
    if request.status in (Status.CANCELLED, Status.REJECTED, Status.COMPLETED):
        raise RequestStateError(
            _("This request is already closed (“%(status)s”).")
            % {"status": request.get_status_display()}
        )
    now = timezone.now()
    _close_shifts(
        request,
        actor=actor,
        reason=reason,
        shifts=request.shifts.filter(cancelled_at__isnull=True, start__gt=now),
    )
    request.status = Status.CANCELLED
    request.closed_reason = reason
    request.save(update_fields=["status", "closed_reason"])
    log_action(request, "request.cancelled", actor, reason)
    return request


# --- fill state and hours --------------------------------------------------------------


# Does the request have a live shift with a place left (places counted from live rows)?
OPEN_SHIFT = (
    "SELECT EXISTS (SELECT 1 FROM requests_app_shift s WHERE s.request_id = %s "
    "AND s.cancelled_at IS NULL AND s.count > (SELECT COUNT(*) FROM requests_app_assignment a "
    "WHERE a.shift_id = s.id AND a.status IN (%s, %s)))"
)


def update_fill_state(request, *, open_shifts: bool | None = None) -> None:
    """Filled when every live shift has its places; call under the request's lock or
    inside the booking transaction. ``open_shifts``: the answer of ``OPEN_SHIFT`` for
    the request, if the caller has it (the booking reads it with its other writes)."""
    if request.status not in (Status.APPROVED, Status.FILLED):
        return
    if open_shifts is None:
        with fastsql.cursor() as cursor:
            cursor.execute(OPEN_SHIFT, [request.pk, *LIVE])
            open_shifts = bool(cursor.fetchone()[0])
    if not open_shifts and request.status == Status.APPROVED:
        request.status = Status.FILLED
        request.filled_at = timezone.now()
        request.save(update_fields=["status", "filled_at"])
        log_action(request, "request.filled", None)
    elif open_shifts and request.status == Status.FILLED:
        request.status = Status.APPROVED
        request.save(update_fields=["status"])
        log_action(request, "request.reopened", None)


@transaction.atomic
def confirm_hours(assignment, *, actor, hours_worked=None, no_show: bool = False) -> Assignment:
    """After the shift the organisation confirms the hours worked, or a no-show."""
    request = assignment.shift.request
    _require_member(actor, request.organisation)
    assignment = (
        Assignment.objects.select_for_update().select_related("shift").get(pk=assignment.pk)
    )
    if assignment.status == Assignment.Status.CANCELLED and not assignment.no_show:
        raise RequestStateError(_("This booking was cancelled."))
    if assignment.shift.start > timezone.now():
        raise RequestStateError(_("Hours can be confirmed once the shift has started."))
    now = timezone.now()
    if no_show:
        assignment.status = Assignment.Status.CANCELLED
        assignment.no_show = True
        assignment.hours_worked = Decimal("0")
    else:
        if hours_worked is None:
            raise RequestError(_("Enter the hours worked."), field="hours_worked")
        hours = Decimal(str(hours_worked))
        limit = Decimal(str(assignment.shift.hours)) + Decimal("4")
        if hours <= 0 or hours > limit:
            raise RequestError(
                _("Enter the hours worked: more than 0 and at most %(max)s.") % {"max": limit},
                field="hours_worked",
            )
        assignment.status = Assignment.Status.COMPLETED
        assignment.no_show = False
        assignment.hours_worked = hours
    assignment.hours_confirmed_at = now
    assignment.hours_confirmed_by = actor
    assignment.save(
        update_fields=[
            "status",
            "no_show",
            "hours_worked",
            "hours_confirmed_at",
            "hours_confirmed_by",
        ]
    )
    log_action(
        assignment,
        "assignment.no_show" if no_show else "assignment.hours_confirmed",
        actor,
        hours=str(assignment.hours_worked),
    )
    _maybe_complete(request)
    return assignment


def _maybe_complete(request):
    request = DeploymentRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in (Status.APPROVED, Status.FILLED):
        return
    now = timezone.now()
    live = Shift.objects.filter(request=request, cancelled_at__isnull=True)
    if live.filter(end__gt=now).exists():
        return
    if Assignment.objects.filter(shift__in=live, status=Assignment.Status.CONFIRMED).exists():
        return
    request.status = Status.COMPLETED
    request.save(update_fields=["status"])
    log_action(request, "request.completed", None)


def open_requests_for_queue(user):
    """Open requests (submitted, approved, escalated) visible to ``user``, with the
    annotations the priority framework needs (``first_shift_start``: the earliest
    shift that is not cancelled, a subquery per row, so no GROUP BY over the rows)."""
    first_shift = (
        Shift.objects.filter(request=OuterRef("pk"), cancelled_at__isnull=True)
        .order_by("start")
        .values("start")[:1]
    )
    return (
        DeploymentRequest.objects.visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .select_related("organisation", "region", "crisis")
        .annotate(first_shift_start=Subquery(first_shift))
    )


def queue_in_priority_order(user, *, ranks):
    """``open_requests_for_queue`` ordered in SQL by the framework ``ranks``
    (``escalation.priority.order_by_priority``): paginate it in the database, then give
    the page its reasons with ``escalation.priority.with_reasons``."""
    from escalation.priority import order_by_priority

    return order_by_priority(open_requests_for_queue(user), ranks)


def sort_queue(requests, now=None):
    """The same order in Python, for a list already in memory."""
    from escalation.priority import sort_requests

    return sort_requests(list(requests), now=now)
