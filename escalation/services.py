"""Business rules of escalation: the triangle's review, crises and their availability calls,
the prioritisation framework.

Plain functions taking model instances and the acting user, each in one
transaction, raising the app's domain errors and writing ``log_action`` in
the same transaction. Views, the API, admin actions and tasks call these.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.errors import DomainError
from accounts.models import Membership, User
from accounts.scope import scope_of
from escalation.errors import (
    CrisisAlreadyActiveError,
    CrisisNotActiveError,
    CrisisNotAllowedError,
    EscalationAlreadyOpenError,
    EscalationClosedError,
    EscalationNotAllowedError,
    FactFindingRequiredError,
    InvalidNZRMemberError,
    MissionDateError,
)
from escalation.facts import Mission, decision_problems, planning_problems
from escalation.models import (
    Crisis,
    CrisisAvailabilityCall,
    CrisisResponse,
    Escalation,
    EscalationView,
    PriorityCategory,
    PriorityFramework,
)
from escalation.signals import crisis_deactivated, escalation_decided, escalation_opened
from nzr.tasks import enqueue
from registry.models import Readiness, Region, Reservist

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------
# Escalation to the triangle (MSOB)
# ---------------------------------------------------------------------------


def open_escalation(
    request, *, actor, reason: str, source: str = Escalation.Source.COORDINATOR
) -> Escalation:
    """Send ``request`` to the triangle. ConflictError if an escalation of it is still open.

    Called by the requests app inside its own transaction (it sets the
    request's status to "escalated").
    """
    reason = (reason or "").strip() or _("The reserve cannot fill this request.")
    with transaction.atomic():
        if Escalation.objects.open().filter(request_id=request.pk).exists():
            raise EscalationAlreadyOpenError(
                _("This request has already been escalated to the triangle.")
            )
        try:
            with transaction.atomic():
                escalation = Escalation.objects.create(
                    request_id=request.pk,
                    reason=reason,
                    source=source,
                    opened_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError as exc:
            raise EscalationAlreadyOpenError(
                _("This request has already been escalated to the triangle.")
            ) from exc
        log_action(
            escalation, "escalation.opened", actor, reason, request=request.pk, source=source
        )
        escalation_opened.send(
            sender=Escalation,
            escalation=escalation,
            source=source,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
    return escalation


def unfilled_hours() -> int:
    return getattr(settings, "NZR_ESCALATE_UNFILLED_HOURS", 12)


def requests_with_unfilled_shifts(now=None, hours: int | None = None):
    """Approved requests with a shift starting within ``hours`` that is not fully booked,
    and no escalation open. Reached through the relation, without importing the requests app.
    """
    now = now or timezone.now()
    hours = unfilled_hours() if hours is None else hours
    request_model = Escalation._meta.get_field("request").related_model
    shift_model = request_model._meta.get_field("shifts").related_model
    shifts = (
        shift_model.objects.filter(
            request__status="approved",
            cancelled_at__isnull=True,
            start__gt=now,
            start__lte=now + timedelta(hours=hours),
        )
        .annotate(
            booked=Count(
                "assignments", filter=Q(assignments__status__in=["confirmed", "completed"])
            )
        )
        .filter(booked__lt=F("count"))
    )
    return request_model.objects.filter(pk__in=shifts.values("request_id")).exclude(
        escalations__status__in=[Escalation.Status.OPEN, Escalation.Status.FACT_FINDING]
    )


def flag_unfilled_requests(now=None, hours: int | None = None) -> list[Escalation]:
    """The system escalates requests whose shifts are still unfilled shortly before they start.

    Each opened escalation sends ``escalation_opened`` (source "system"), so the
    requests app can mark the request "escalated".
    """
    hours = unfilled_hours() if hours is None else hours
    opened = []
    for req in requests_with_unfilled_shifts(now, hours):
        try:
            opened.append(
                open_escalation(
                    req,
                    actor=None,
                    source=Escalation.Source.SYSTEM,
                    reason=_("Shifts starting within %(hours)s hours are still not fully booked.")
                    % {"hours": hours},
                )
            )
        except EscalationAlreadyOpenError:
            continue
    return opened


def nzr_members():
    """Users who may represent the NZR on a fact-finding mission: national or regional coordinators."""
    return User.objects.filter(
        is_active=True,
        memberships__in=Membership.objects.valid_on().filter(
            role__in=[Membership.Role.NATIONAL, Membership.Role.REGIONAL]
        ),
    ).distinct()


def resolve_nzr_member(value) -> User:
    """A user (or their id or e-mail address) who is a national or regional coordinator."""
    if isinstance(value, User):
        user = value
    else:
        text = str(value or "").strip()
        if not text:
            raise InvalidNZRMemberError(_("Name the NZR member who takes part in the mission."))
        lookup = Q(pk=int(text)) if text.isdigit() else Q(email__iexact=text)
        user = User.objects.filter(lookup).first()
    if user is None or not nzr_members().filter(pk=user.pk).exists():
        raise InvalidNZRMemberError(
            _(
                "The NZR member must be a national or regional coordinator of the reserve "
                "(give their user id or e-mail address)."
            )
        )
    return user


def _require_triangle_or_national(actor, message):
    scope = scope_of(actor)
    if not (scope.is_triangle or scope.is_national):
        raise EscalationNotAllowedError(message)


def plan_fact_finding(
    escalation: Escalation,
    *,
    planned_on: date,
    nzr_member,
    actor,
    participants: str = "",
    report: str | None = None,
) -> Escalation:
    """Plan (or re-plan, or add the report of) the fact-finding mission; an NZR member is required.

    A date before the escalation was opened is refused (``MissionDateError``, field
    "planned_on"; the rules are in ``escalation.facts``). A date in the future is a plan.
    """
    _require_triangle_or_national(
        actor, _("Only the triangle and national staff plan fact-finding missions.")
    )
    if planned_on is None:
        raise DomainError(_("Give the date of the fact-finding mission."), field="planned_on")
    member = resolve_nzr_member(nzr_member)
    with transaction.atomic():
        escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
        if escalation.status == Escalation.Status.DECIDED:
            raise EscalationClosedError(
                _("This escalation has been decided; the mission can no longer be changed.")
            )
        problems = planning_problems(Mission.of(escalation, planned_on=planned_on))
        if problems:
            raise MissionDateError(problems)
        replanned = escalation.fact_finding_planned_on is not None
        escalation.fact_finding_planned_on = planned_on
        escalation.fact_finding_nzr_member = member
        if participants:
            escalation.fact_finding_participants = participants
        if report is not None:
            escalation.fact_finding_report = report
        escalation.status = Escalation.Status.FACT_FINDING
        escalation.save()
        log_action(
            escalation,
            "escalation.fact_finding_replanned" if replanned else "escalation.fact_finding_planned",
            actor,
            planned_on=planned_on.isoformat(),
            nzr_member=member.pk,
            report_given=bool(escalation.fact_finding_report),
        )
    return escalation


def record_view(escalation: Escalation, *, party: str, view: str, actor) -> EscalationView:
    """Record (or replace) one party's view on an escalation."""
    _require_triangle_or_national(actor, _("Only the triangle records the parties' views."))
    if party not in EscalationView.Party.values:
        raise DomainError(_("Choose Defensie, GGD-GHOR or VWS."), field="party")
    if not (view or "").strip():
        raise DomainError(_("Write down the view of the party."), field="view")
    with transaction.atomic():
        escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
        if escalation.status == Escalation.Status.DECIDED:
            raise EscalationClosedError(_("This escalation has been decided."))
        obj, created = EscalationView.objects.update_or_create(
            escalation=escalation,
            party=party,
            defaults={"view": view.strip(), "recorded_by": actor, "recorded_at": timezone.now()},
        )
        log_action(escalation, "escalation.view_recorded", actor, party=party, created=created)
    return obj


def decide(escalation: Escalation, *, decision: str, reason: str, actor) -> Escalation:
    """The triangle's decision: approved, rejected or referred back, with a reason.

    "approved" (military support) only on the facts: the fact-finding mission took
    place (today or earlier, not before the escalation was opened) with an NZR member
    and its written report; otherwise ``FactFindingRequiredError`` (400, field
    "decision") with every reason. Rejecting or referring back needs no mission: it
    commits nobody (``escalation.facts``). An escalation is decided once (409 after).
    Sends ``escalation_decided`` inside the transaction.
    """
    scope = scope_of(actor)
    if not (scope.is_triangle or scope.is_superuser):
        raise EscalationNotAllowedError(_("Only the triangle decides on military support."))
    if decision not in Escalation.Decision.values:
        raise DomainError(
            _("Choose approved, rejected or referred back."), field="decision", code="invalid"
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the decision."), field="reason", code="required")
    with transaction.atomic():
        escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
        if escalation.status == Escalation.Status.DECIDED:
            raise EscalationClosedError(_("This escalation has already been decided."))
        problems = decision_problems(Mission.of(escalation), decision)
        if problems:
            raise FactFindingRequiredError(problems)
        escalation.decision = decision
        escalation.decision_reason = reason
        escalation.decided_by = actor
        escalation.decided_at = timezone.now()
        escalation.status = Escalation.Status.DECIDED
        escalation.save()
        log_action(escalation, "escalation.decided", actor, reason, decision=decision)
        escalation_decided.send(
            sender=Escalation, escalation=escalation, decision=decision, actor=actor
        )
    return escalation


# ---------------------------------------------------------------------------
# Crises (command structure) and availability calls
# ---------------------------------------------------------------------------

ANSWER_SALT = "escalation.crisis-answer"


def _require_national(actor):
    if not scope_of(actor).is_national:
        raise CrisisNotAllowedError(
            _("Only the national coordinator declares and activates crises.")
        )


def _regions(regions) -> list[Region]:
    result = []
    for r in regions or []:
        if isinstance(r, Region):
            result.append(r)
            continue
        region = Region.objects.filter(code=str(r).strip().upper()).first()
        if region is None:
            raise DomainError(
                _("“%(code)s” is not a safety region (use VR01 to VR25).") % {"code": r},
                field="regions",
            )
        result.append(region)
    return result


def declare_crisis(*, name: str, kind: str, actor, regions=(), starts_at=None) -> Crisis:
    """Declare a crisis in the cold phase (not active yet). Empty ``regions``: national."""
    _require_national(actor)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the crisis a name."), field="name")
    if kind not in Crisis.Kind.values:
        raise DomainError(_("Choose the kind of crisis."), field="kind")
    region_objs = _regions(regions)
    with transaction.atomic():
        crisis = Crisis.objects.create(
            name=name,
            kind=kind,
            starts_at=starts_at,
            phase=Crisis.Phase.COLD,
            active=False,
            declared_by=actor,
        )
        crisis.regions.set(region_objs)
        log_action(
            crisis,
            "crisis.declared",
            actor,
            kind=kind,
            regions=[r.code for r in region_objs],
            starts_at=starts_at.isoformat() if starts_at else None,
        )
    return crisis


def second_wave_delay() -> timedelta:
    return timedelta(hours=getattr(settings, "NZR_CRISIS_SECOND_WAVE_HOURS", 24))


def activate_crisis(crisis: Crisis, *, actor) -> Crisis:
    """Warm phase: the crisis becomes active and the availability call goes out.

    Reservists with 24-hour readiness are called at once; the one-week ring
    follows after ``NZR_CRISIS_SECOND_WAVE_HOURS`` (the beat task sends due waves).
    """
    _require_national(actor)
    from escalation import tasks

    with transaction.atomic():
        crisis = Crisis.objects.select_for_update().get(pk=crisis.pk)
        if crisis.active:
            raise CrisisAlreadyActiveError(_("This crisis is already active."))
        now = timezone.now()
        crisis.active = True
        crisis.phase = Crisis.Phase.WARM
        crisis.activated_at = now
        crisis.deactivated_at = None
        crisis.ends_at = None
        if crisis.starts_at is None:
            crisis.starts_at = now
        crisis.save()
        first, _created = CrisisAvailabilityCall.objects.get_or_create(
            crisis=crisis,
            wave=CrisisAvailabilityCall.Wave.FIRST,
            defaults={"readiness": Readiness.H24, "due_at": now},
        )
        CrisisAvailabilityCall.objects.get_or_create(
            crisis=crisis,
            wave=CrisisAvailabilityCall.Wave.SECOND,
            defaults={"readiness": Readiness.W1, "due_at": now + second_wave_delay()},
        )
        log_action(crisis, "crisis.activated", actor, phase=crisis.phase)
        if first.sent_at is None:
            enqueue(tasks.send_availability_call, first.pk)
    return crisis


def deployment_report(crisis: Crisis) -> dict:
    """What the reserve deployed for this crisis (via the requests linked to it)."""
    live = Q(requests__shifts__assignments__status__in=["confirmed", "completed"])
    row = Crisis.objects.filter(pk=crisis.pk).aggregate(
        n_requests=Count("requests", distinct=True),
        n_assignments=Count("requests__shifts__assignments", filter=live, distinct=True),
        n_completed=Count(
            "requests__shifts__assignments",
            filter=Q(requests__shifts__assignments__status="completed"),
            distinct=True,
        ),
        n_reservists=Count("requests__shifts__assignments__reservist", filter=live, distinct=True),
        n_hours=Sum(
            "requests__shifts__assignments__hours_worked",
            filter=Q(requests__shifts__assignments__status="completed"),
        ),
    )
    answers = dict(
        crisis.responses.values_list("answer").annotate(n=Count("id")).values_list("answer", "n")
    )
    return {
        "requests": row["n_requests"] or 0,
        "assignments": row["n_assignments"] or 0,
        "completed": row["n_completed"] or 0,
        "reservists": row["n_reservists"] or 0,
        "hours_worked": float(row["n_hours"] or 0),
        "called": sum(answers.values()),
        "available": answers.get(CrisisResponse.Answer.AVAILABLE, 0),
        "unavailable": answers.get(CrisisResponse.Answer.UNAVAILABLE, 0),
    }


def deactivate_crisis(crisis: Crisis, *, actor, reason: str = "") -> Crisis:
    """Back to the cold phase; the crisis is closed and reports what was deployed."""
    _require_national(actor)
    with transaction.atomic():
        crisis = Crisis.objects.select_for_update().get(pk=crisis.pk)
        if not crisis.active:
            raise CrisisNotActiveError(_("This crisis is not active."))
        now = timezone.now()
        crisis.active = False
        crisis.phase = Crisis.Phase.COLD
        crisis.deactivated_at = now
        crisis.ends_at = now
        crisis.report = deployment_report(crisis)
        crisis.save()
        log_action(crisis, "crisis.deactivated", actor, reason, **crisis.report)
        crisis_deactivated.send(sender=Crisis, crisis=crisis, actor=actor, reason=reason)
    return crisis


def active_crisis_for_region(region) -> Crisis | None:
    """An active crisis whose scope covers ``region`` (national crises cover all), or None."""
    region_id = getattr(region, "pk", region)
    return Crisis.objects.covering_region(region_id).order_by("-activated_at").first()


def reservists_in_scope(crisis: Crisis, readiness: str | None = None):
    """Active reservists living in, or willing to work in, the crisis regions (all: national)."""
    qs = Reservist.objects.filter(status=Reservist.Status.ACTIVE, user__isnull=False)
    if readiness:
        qs = qs.filter(readiness=readiness)
    region_ids = list(crisis.regions.values_list("pk", flat=True))
    if region_ids:
        qs = qs.filter(
            Q(home_region_id__in=region_ids)
            | Q(
                pk__in=Reservist.regions.through.objects.filter(region_id__in=region_ids).values(
                    "reservist_id"
                )
            )
        )
    return qs


def prepare_call(call_id: int) -> CrisisAvailabilityCall | None:
    """Create the answer rows for one wave (idempotent); returns the call, or None if not due.

    A reservist already called in an earlier wave of the same crisis is not called again.
    """
    with transaction.atomic():
        call = (
            CrisisAvailabilityCall.objects.select_for_update()
            .select_related("crisis")
            .filter(pk=call_id)
            .first()
        )
        if call is None or not call.crisis.active:
            return None
        if call.sent_at is None:
            ids = reservists_in_scope(call.crisis, call.readiness).values_list("pk", flat=True)
            CrisisResponse.objects.bulk_create(
                [CrisisResponse(crisis=call.crisis, call=call, reservist_id=i) for i in ids],
                ignore_conflicts=True,
                batch_size=1000,
            )
            call.sent_at = timezone.now()
            call.recipients = call.responses.count()
            call.save(update_fields=["sent_at", "recipients"])
            log_action(
                call.crisis,
                "crisis.call_sent",
                None,
                wave=call.wave,
                readiness=call.readiness,
                recipients=call.recipients,
            )
    return call


def answer_token(response: CrisisResponse) -> str:
    return signing.dumps({"r": response.pk}, salt=ANSWER_SALT, compress=True)


def response_from_token(token: str) -> CrisisResponse | None:
    max_age = getattr(settings, "NZR_CRISIS_ANSWER_LINK_DAYS", 30) * 86400
    try:
        data = signing.loads(token, salt=ANSWER_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return (
        CrisisResponse.objects.select_related("crisis", "reservist")
        .filter(pk=data.get("r"))
        .first()
    )


def claim_unsent(call: CrisisAvailabilityCall, batch: int = 200) -> list[int]:
    """Mark a batch of not-yet-mailed answer rows as mailed and return their ids.

    Rows locked by another worker are skipped, so two workers never mail the same person.
    """
    with transaction.atomic():
        ids = list(
            call.responses.filter(notified_at__isnull=True)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch]
        )
        if ids:
            CrisisResponse.objects.filter(pk__in=ids).update(notified_at=timezone.now())
    return ids


def unclaim(ids: list[int]) -> None:
    CrisisResponse.objects.filter(pk__in=ids).update(notified_at=None)


def record_answer(response: CrisisResponse, answer: str, *, actor=None) -> CrisisResponse:
    """Store a reservist's answer (available / not available); they may change it while active."""
    if answer not in CrisisResponse.Answer.values:
        raise DomainError(_("Choose available or not available."), field="answer")
    with transaction.atomic():
        response = (
            CrisisResponse.objects.select_for_update().select_related("crisis").get(pk=response.pk)
        )
        if not response.crisis.active:
            raise CrisisNotActiveError(
                _("This crisis is over; thank you, no answer is needed any more.")
            )
        previous = response.answer
        response.answer = answer
        response.answered_at = timezone.now()
        response.save(update_fields=["answer", "answered_at"])
        log_action(
            response,
            "crisis.answered",
            actor,
            crisis=response.crisis_id,
            answer=answer,
            previous=previous,
        )
    return response


def crisis_available_reservist_ids(crisis: Crisis) -> set[int]:
    """Ids of reservists who answered "available" to the crisis's call."""
    return set(
        crisis.responses.filter(answer=CrisisResponse.Answer.AVAILABLE).values_list(
            "reservist_id", flat=True
        )
    )


def due_calls(now=None):
    """Waves of active crises that are due and not sent, or sent with people not yet mailed
    (a lost task is picked up again by the beat task)."""
    now = now or timezone.now()
    unmailed = CrisisResponse.objects.filter(notified_at__isnull=True).values("call_id")
    return CrisisAvailabilityCall.objects.filter(crisis__active=True, due_at__lte=now).filter(
        Q(sent_at__isnull=True) | Q(pk__in=unmailed)
    )


def open_calls_for(user):
    """The signed-in reservist's answer rows of active crises (newest first)."""
    return (
        CrisisResponse.objects.filter(reservist__user=user, crisis__active=True)
        .select_related("crisis")
        .order_by("-crisis__activated_at")
    )


# ---------------------------------------------------------------------------
# Prioritisation framework
# ---------------------------------------------------------------------------


def set_priority_framework(
    *, name: str, effective_from: date, ranks: dict[str, int], actor, note: str = ""
) -> PriorityFramework:
    """A new framework (categories with rank) in force from ``effective_from``; logged."""
    scope = scope_of(actor)
    if not (scope.is_triangle or scope.is_national):
        raise EscalationNotAllowedError(_("Only the triangle sets the prioritisation framework."))
    unknown = set(ranks) - set(PriorityCategory.Category.values)
    if unknown:
        raise DomainError(
            _("Unknown category: %(codes)s.") % {"codes": ", ".join(sorted(unknown))},
            field="categories",
        )
    with transaction.atomic():
        framework = PriorityFramework.objects.create(
            name=name, effective_from=effective_from, note=note, created_by=actor
        )
        for code, rank in ranks.items():
            PriorityCategory.objects.create(framework=framework, category=code, rank=rank)
        log_action(
            framework,
            "priority.framework_set",
            actor,
            note,
            effective_from=effective_from.isoformat(),
            ranks=dict(ranks),
        )
    return framework
