"""Web pages of the requests app. Thin: forms in, services called, errors next to fields."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Min, Prefetch, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.audit import log_list
from accounts.decorators import role_required
from accounts.errors import DomainError, NotAllowedError
from accounts.scope import scope_of
from escalation.models import LadderStep
from escalation.priority import ranks_on, with_reasons
from registry.models import Reservist
from requests_app import forms, services
from requests_app.candidates import candidate_rows
from requests_app.errors import RequestInvalid
from requests_app.funnel import funnel as shift_funnel
from requests_app.matching import ranked_for_shift
from requests_app.models import (
    Assignment,
    CareOrganisation,
    DeploymentRequest,
    Invitation,
    Shift,
    WaitlistEntry,
)
from requests_app.services.capacity import can_change_capacity
from requests_app.services.requests import OPEN_STATUSES, queue_in_priority_order

Status = DeploymentRequest.Status
QUEUE_PAGE_SIZE = 50
STEPS = [
    ("basics", gettext_lazy("About the request")),
    ("shifts", gettext_lazy("Shifts")),
    ("ladder", gettext_lazy("Escalation ladder")),
    ("review", gettext_lazy("Check and submit")),
]


def _error_to_form(form, exc: DomainError):
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc))


def _requests_with_fill(qs):
    return qs.select_related("organisation", "region").annotate(
        places=Count("shifts__id", filter=Q(shifts__cancelled_at__isnull=True), distinct=True),
        first_shift=Min("shifts__start", filter=Q(shifts__cancelled_at__isnull=True)),
    )


def _fill_state(requests):
    """Requested and booked places per request, in two queries for the whole list."""
    ids = [r.pk for r in requests]
    requested = dict(
        Shift.objects.filter(request_id__in=ids, cancelled_at__isnull=True)
        .values("request_id")
        .annotate(n=Sum("count"))
        .values_list("request_id", "n")
    )
    booked = dict(
        Assignment.objects.filter(
            shift__request_id__in=ids,
            shift__cancelled_at__isnull=True,
            status__in=["confirmed", "completed"],
        )
        .values("shift__request_id")
        .annotate(n=Count("id"))
        .values_list("shift__request_id", "n")
    )
    for r in requests:
        r.requested_places = requested.get(r.pk, 0) or 0
        r.booked_places = booked.get(r.pk, 0)
    return requests


@login_required
def home(request):
    """The organisation's start page: its requests and how full they are. Without a
    role: register your organisation. National staff: the queue and pending sign-ups."""
    scope = scope_of(request.user)
    organisations = CareOrganisation.objects.visible_to(request.user).select_related("region")
    if scope.is_care_org:
        organisations = organisations.filter(pk__in=scope.organisation_ids)
    elif not (scope.is_national or scope.is_regional or scope.is_triangle):
        organisations = organisations.none()
    my_registrations = CareOrganisation.objects.filter(
        registered_by=request.user, status=CareOrganisation.Status.PENDING
    )
    requests = list(
        _requests_with_fill(
            DeploymentRequest.objects.visible_to(request.user).filter(
                organisation__in=organisations
            )
        ).order_by("-created_at")[:100]
    )
    _fill_state(requests)
    context = {
        "organisations": organisations,
        "requests": requests,
        "can_request": scope.is_care_org
        and organisations.filter(status=CareOrganisation.Status.APPROVED).exists(),
        "can_register": scope.primary_role is None,
        "my_registrations": my_registrations,
        "pending_count": CareOrganisation.objects.filter(
            status=CareOrganisation.Status.PENDING
        ).count()
        if scope.is_national
        else 0,
        "is_national": scope.is_national,
    }
    return render(request, "requests_app/home.html", context)


# --- organisations ------------------------------------------------------------------


@login_required
def organisation_register(request):
    form = forms.OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_organisation(form.cleaned_data, actor=request.user)
        except DomainError as exc:
            _error_to_form(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Thank you. Your organisation is registered; a national coordinator checks "
                    "it. You will get an e-mail when it is approved."
                ),
            )
            return redirect("requests_app:home")
    return render(request, "requests_app/organisation_register.html", {"form": form})


@role_required("is_national")
def organisation_pending(request):
    pending = (
        CareOrganisation.objects.visible_to(request.user)
        .filter(status=CareOrganisation.Status.PENDING)
        .select_related("region", "municipality", "registered_by")
        .order_by("created_at")
    )
    return render(
        request,
        "requests_app/organisation_pending.html",
        {"pending": pending, "form": forms.ReasonForm()},
    )


@require_POST
@role_required("is_national")
def organisation_decide(request, pk):
    org = get_object_or_404(CareOrganisation.objects.visible_to(request.user), pk=pk)
    form = forms.ReasonForm(request.POST)
    form.is_valid()
    try:
        if request.POST.get("decision") == "approve":
            services.approve_organisation(org, actor=request.user)
            messages.success(request, _("%(name)s is approved.") % {"name": org.name})
        else:
            services.reject_organisation(
                org, actor=request.user, reason=form.cleaned_data.get("reason", "")
            )
            messages.success(request, _("%(name)s is rejected.") % {"name": org.name})
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("requests_app:organisation_pending")


# --- the request form in steps ----------------------------------------------------------


def _member_organisations(user):
    scope = scope_of(user)
    return CareOrganisation.objects.filter(
        pk__in=scope.organisation_ids, status=CareOrganisation.Status.APPROVED
    )


def _draft(request, pk):
    obj = get_object_or_404(
        DeploymentRequest.objects.visible_to(request.user).select_related(
            "organisation", "crisis", "municipality"
        ),
        pk=pk,
    )
    if obj.organisation_id not in scope_of(request.user).organisation_ids:
        raise Http404
    if obj.status != Status.DRAFT:
        return None
    return obj


def _wizard(request, template, draft, current, **context):
    return render(
        request,
        f"requests_app/{template}",
        {"draft": draft, "steps": STEPS, "current": current, **context},
    )


def _basics(request, draft):
    organisations = _member_organisations(request.user)
    initial = {}
    if draft is not None:
        initial = {
            "organisation": draft.organisation_id,
            "category": draft.category,
            "crisis": draft.crisis_id,
            "postcode": draft.postcode,
            "municipality": draft.municipality_id,
            "description": draft.description,
            "contact_name": draft.contact_name,
            "contact_phone": draft.contact_phone,
        }
    else:
        initial = {
            "contact_name": request.user.get_full_name(),
            "postcode": getattr(organisations.first(), "postcode", ""),
        }
    form = forms.RequestBasicsForm(
        request.POST or None, initial=initial, organisations=organisations
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        try:
            draft = services.save_draft(organisation, data, actor=request.user, request=draft)
        except DomainError as exc:
            _error_to_form(form, exc)
        else:
            if "save_draft" in request.POST:
                messages.success(request, _("Your draft is saved. You can continue later."))
                return redirect("requests_app:home")
            return redirect("requests_app:request_shifts", pk=draft.pk)
    return _wizard(request, "request_form_basics.html", draft, "basics", form=form)


@role_required("is_care_org")
def request_new(request):
    if not _member_organisations(request.user).exists():
        messages.error(request, _("Your organisation is not approved yet."))
        return redirect("requests_app:home")
    return _basics(request, None)


@role_required("is_care_org")
def request_basics(request, pk):
    draft = _draft(request, pk)
    if draft is None:
        return redirect("requests_app:request_detail", pk=pk)
    return _basics(request, draft)


@role_required("is_care_org")
def request_shifts(request, pk):
    draft = _draft(request, pk)
    if draft is None:
        return redirect("requests_app:request_detail", pk=pk)
    form = forms.ShiftForm(request.POST or None, initial={"repeat_days": 1, "count": 1})
    if request.method == "POST":
        if "remove" in request.POST:
            shift = get_object_or_404(draft.shifts, pk=request.POST.get("remove"))
            services.remove_shift(shift, actor=request.user)
            messages.success(request, _("The shift is removed."))
            return redirect("requests_app:request_shifts", pk=pk)
        if "next" in request.POST and not request.POST.get("profile"):
            if draft.shifts.exists():
                return redirect("requests_app:request_ladder", pk=pk)
            form = forms.ShiftForm(initial={"repeat_days": 1, "count": 1})
            form.add_error(None, _("Add at least one shift."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                added = services.add_shifts(
                    draft,
                    profile=data["profile"],
                    start=data["start"],
                    end=data["end"],
                    count=data["count"],
                    repeat_days=data["repeat_days"],
                    actor=request.user,
                )
            except DomainError as exc:
                _error_to_form(form, exc)
            else:
                messages.success(request, _("%(n)d shift(s) added.") % {"n": len(added)})
                if "next" in request.POST:
                    return redirect("requests_app:request_ladder", pk=pk)
                return redirect("requests_app:request_shifts", pk=pk)
    shifts = draft.shifts.select_related("profile").order_by("start")
    return _wizard(request, "request_form_shifts.html", draft, "shifts", form=form, shifts=shifts)


def _ladder_forms(request, draft, data=None):
    existing = {a.step_id: a for a in draft.ladder.all()}
    rows = []
    for step in LadderStep.objects.filter(active=True, before_reserve=True).order_by("order"):
        a = existing.get(step.pk)
        initial = {"taken_on": a.taken_on, "evidence": a.evidence} if a else {}
        rows.append((step, forms.LadderStepForm(data, prefix=step.code, initial=initial)))
    return rows


@role_required("is_care_org")
def request_ladder(request, pk):
    draft = _draft(request, pk)
    if draft is None:
        return redirect("requests_app:request_detail", pk=pk)
    rows = _ladder_forms(request, draft, request.POST or None)
    by_step = {}
    if request.method == "POST" and all(form.is_valid() for _step, form in rows):
        entries = [
            {
                "step": step,
                "taken_on": form.cleaned_data.get("taken_on"),
                "evidence": form.cleaned_data.get("evidence", ""),
            }
            for step, form in rows
        ]
        _messages, by_step = services.set_ladder(draft, entries, actor=request.user)
        if not by_step:
            if "save_draft" in request.POST:
                messages.success(request, _("Your draft is saved. You can continue later."))
                return redirect("requests_app:home")
            return redirect("requests_app:request_review", pk=pk)
        if "save_draft" in request.POST:
            messages.success(request, _("Your draft is saved. You can continue later."))
            return redirect("requests_app:home")
        for step, form in rows:
            if step.code in by_step:
                form.add_error(None, by_step[step.code])
    return _wizard(request, "request_form_ladder.html", draft, "ladder", rows=rows)


@role_required("is_care_org")
def request_review(request, pk):
    draft = _draft(request, pk)
    if draft is None:
        return redirect("requests_app:request_detail", pk=pk)
    errors = {}
    if request.method == "POST":
        try:
            services.submit_request(draft, actor=request.user)
        except RequestInvalid as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"non_field_errors": [str(exc)]}
        else:
            return render(request, "requests_app/request_submitted.html", {"req": draft})
    shifts = draft.shifts.select_related("profile").order_by("start")
    ladder = draft.ladder.select_related("step").order_by("step__order")
    return _wizard(
        request,
        "request_form_review.html",
        draft,
        "review",
        shifts=shifts,
        ladder=ladder,
        errors=errors,
    )


# --- following a request -------------------------------------------------------------------


def _visible_request(request, pk):
    """The request if ``visible_to`` the user (a draft: only its organisation), else 404."""
    return get_object_or_404(
        DeploymentRequest.objects.visible_to(request.user).select_related(
            "organisation", "region", "crisis", "municipality"
        ),
        pk=pk,
    )


@role_required("is_care_org", "is_national", "is_regional", "is_triangle")
def request_detail(request, pk):
    req = _visible_request(request, pk)
    if req.status == Status.DRAFT:  # visible only to its organisation: back to the form
        return redirect("requests_app:request_basics", pk=pk)
    shifts = list(
        req.shifts.annotate_confirmed()
        .select_related("profile")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.exclude(status="cancelled", no_show=False)
                .select_related("reservist")
                .order_by("id"),
            ),
            Prefetch(
                "waitlist",
                queryset=WaitlistEntry.objects.waiting().select_related("reservist"),
                to_attr="waiting",
            ),
        )
        .order_by("start")
    )
    people = [a.reservist_id for s in shifts for a in s.assignments.all()]
    people += [e.reservist_id for s in shifts for e in s.waiting]
    if people:
        log_list(request, request.user, Reservist, people, detail=f"request {req.pk}")
    scope = scope_of(request.user)
    is_member = req.organisation_id in scope.organisation_ids
    now = timezone.now()
    from accounts.audit import history_of

    return render(
        request,
        "requests_app/request_detail.html",
        {
            "req": req,
            "shifts": shifts,
            "now": now,
            "can_manage": is_member or scope.is_national,
            "can_change_places": can_change_capacity(request.user, req),
            "is_national": scope.is_national,
            "is_coordinator": scope.is_coordinator,
            "is_member": is_member,
            "open": req.status
            in (Status.SUBMITTED, Status.APPROVED, Status.ESCALATED, Status.FILLED),
            "vet_form": forms.VetForm(),
            "cancel_form": forms.ReasonForm(),
            "answer_form": forms.AnswerForm(),
            "category_form": forms.RecategoriseForm(initial={"category": req.category}),
            "can_recategorise": scope.is_national and req.status in OPEN_STATUSES,
            "history": history_of(req)[:20],
            "ladder": req.ladder.select_related("step").order_by("step__order"),
        },
    )


@require_POST
@role_required("is_care_org", "is_national")
def request_cancel(request, pk):
    req = _visible_request(request, pk)
    form = forms.ReasonForm(request.POST)
    form.is_valid()
    try:
        services.cancel_request(req, actor=request.user, reason=form.cleaned_data.get("reason", ""))
        messages.success(request, _("The request is cancelled. Booked reservists are told."))
    except (DomainError, NotAllowedError) as exc:
        messages.error(request, str(exc))
    return redirect("requests_app:request_detail", pk=pk)


@require_POST
@role_required("is_care_org", "is_national")
def shift_cancel(request, pk):
    shift = get_object_or_404(Shift.objects.visible_to(request.user), pk=pk)
    form = forms.ReasonForm(request.POST)
    form.is_valid()
    try:
        services.cancel_shift(shift, actor=request.user, reason=form.cleaned_data.get("reason", ""))
        messages.success(request, _("The shift is cancelled. Booked reservists are told."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("requests_app:request_detail", pk=shift.request_id)


@role_required("is_care_org", "is_national", "is_regional")
def shift_capacity(request, pk):
    """Change how many reservists a shift needs; errors next to the field."""
    shift = get_object_or_404(
        Shift.objects.visible_to(request.user).select_related(
            "request__organisation", "request__region", "profile"
        ),
        pk=pk,
    )
    if not can_change_capacity(request.user, shift.request):
        raise PermissionDenied
    form = forms.ShiftCapacityForm(request.POST or None, initial={"count": shift.count})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_shift_capacity(
                shift,
                form.cleaned_data["count"],
                by=request.user,
                reason=form.cleaned_data.get("reason", ""),
            )
            messages.success(
                request,
                _("This shift now needs %(n)d reservists.") % {"n": form.cleaned_data["count"]},
            )
            return redirect("requests_app:request_detail", pk=shift.request_id)
        except DomainError as exc:
            _error_to_form(form, exc)
    booked = shift.assignments.filter(status__in=["confirmed", "completed"]).count()
    return render(
        request,
        "requests_app/shift_capacity.html",
        {"shift": shift, "form": form, "booked": booked},
    )


@require_POST
@role_required("is_care_org", "is_national")
def assignment_hours(request, pk):
    assignment = get_object_or_404(Assignment.objects.visible_to(request.user), pk=pk)
    form = forms.HoursForm(request.POST)
    if form.is_valid():
        try:
            services.confirm_hours(
                assignment,
                actor=request.user,
                hours_worked=form.cleaned_data.get("hours_worked"),
                no_show=form.cleaned_data.get("no_show", False),
            )
            messages.success(request, _("Thank you, the hours are recorded."))
        except DomainError as exc:
            messages.error(request, str(exc))
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    return redirect("requests_app:request_detail", pk=assignment.shift.request_id)


@require_POST
@role_required("is_care_org")
def request_answer(request, pk):
    req = _visible_request(request, pk)
    form = forms.AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_info_request(req, form.cleaned_data["answer"], actor=request.user)
            messages.success(request, _("Your answer is sent to the national coordinator."))
        except DomainError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Write your answer."))
    return redirect("requests_app:request_detail", pk=pk)


@require_POST
@role_required("is_national")
def request_vet(request, pk):
    req = _visible_request(request, pk)
    form = forms.VetForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("requests_app:request_detail", pk=pk)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data.get("reason", "")
    actions = {
        "approve": (services.approve_request, _("Approved. Matching has started.")),
        "reject": (services.reject_request, _("The request is rejected.")),
        "info": (services.ask_more_information, _("Your question is sent to the organisation.")),
        "escalate": (services.escalate_request, _("The request is escalated to the triangle.")),
    }
    service, done = actions[decision]
    try:
        service(req, actor=request.user, reason=reason)
        messages.success(request, done)
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("requests_app:request_detail", pk=pk)


@role_required("is_national")
def request_recategorise(request, pk):
    """The national coordinator changes the category of a request; errors next to the
    fields, on this page (the request page has the same form, posting here)."""
    req = _visible_request(request, pk)
    form = forms.RecategoriseForm(request.POST or None, initial={"category": req.category})
    if request.method == "POST" and form.is_valid():
        try:
            services.recategorise_request(
                req,
                category=form.cleaned_data["category"],
                reason=form.cleaned_data.get("reason", ""),
                actor=request.user,
            )
        except DomainError as exc:
            _error_to_form(form, exc)
        else:
            messages.success(
                request, _("The category is changed; the request has moved in the queue.")
            )
            return redirect("requests_app:request_detail", pk=pk)
    return render(request, "requests_app/request_category.html", {"req": req, "form": form})


@role_required("is_national", "is_regional", "is_triangle")
def queue(request):
    """The same order as ``/api/v1/requests/queue/``, paginated in SQL."""
    now = timezone.now()
    ranks = ranks_on(timezone.localtime(now).date())
    page = Paginator(queue_in_priority_order(request.user, ranks=ranks), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = with_reasons(_fill_state(list(page.object_list)), ranks, now)
    return render(request, "requests_app/queue.html", {"rows": rows, "page": page})


@role_required("is_national", "is_regional")
def shift_candidates(request, pk):
    shift = get_object_or_404(
        Shift.objects.visible_to(request.user).select_related(
            "request__organisation", "request__region", "profile"
        ),
        pk=pk,
    )
    scope = scope_of(request.user)
    if request.method == "POST":
        if not scope.is_national:
            raise Http404
        form = forms.AssignForm(request.POST)
        if form.is_valid():
            reservist = get_object_or_404(
                Reservist.objects.visible_to(request.user), pk=form.cleaned_data["reservist"]
            )
            try:
                services.assign_manually(shift, reservist, actor=request.user)
                messages.success(
                    request, _("%(name)s is booked on this shift.") % {"name": reservist}
                )
            except DomainError as exc:
                messages.error(request, str(exc))
        return redirect("requests_app:shift_candidates", pk=pk)
    rows = candidate_rows(request.user, shift, ranked_for_shift(shift)[:100])
    if rows:
        ids = [r.reservist for r in rows]
        log_list(request, request.user, Reservist, ids, detail=f"candidates shift {shift.pk}")
    booked = shift.assignments.filter(status__in=["confirmed", "completed"]).count()
    return render(
        request,
        "requests_app/shift_candidates.html",
        {
            "shift": shift,
            "rows": rows,
            "booked": booked,
            "can_assign": scope.is_national,
            "funnel": shift_funnel(shift),
        },
    )


# --- the reservist's side -----------------------------------------------------------------


@role_required("is_reservist")
def my_invitations(request):
    now = timezone.now()
    qs = Invitation.objects.filter(reservist__user=request.user).select_related(
        "shift__request__organisation", "shift__request__region", "shift__profile"
    )
    open_ = qs.filter(status=Invitation.Status.PENDING, expires_at__gt=now).order_by("shift__start")
    answered = qs.exclude(pk__in=open_.values("pk")).order_by("-created_at")[:20]
    return render(
        request,
        "requests_app/my_invitations.html",
        {"open_invitations": open_, "answered": answered},
    )


@require_POST
@role_required("is_reservist")
def invitation_answer(request, pk, answer):
    invitation = get_object_or_404(Invitation.objects.filter(reservist__user=request.user), pk=pk)
    try:
        if answer == "accept":
            services.accept_invitation(invitation, actor=request.user)
            messages.success(
                request,
                _("You are booked. Thank you! You find the shift under “My shifts”."),
            )
            return redirect("requests_app:my_assignments")
        if answer == "decline":
            services.decline_invitation(invitation, actor=request.user)
            messages.success(request, _("Thank you for letting us know."))
        else:
            raise Http404
    except DomainError as exc:
        if exc.code == "full":  # the wait-list is offered on the open shifts page
            messages.error(request, str(exc))
            return redirect(f"{reverse('requests_app:open_shifts')}?full={invitation.shift_id}")
        messages.error(request, str(exc))
    return redirect("requests_app:my_invitations")


def calendar_feed(request, token):
    """The iCal feed: no sign-in (calendar apps cannot), the secret token is the key."""
    from django.http import HttpResponse

    from requests_app.calendar import render_feed
    from requests_app.models import CalendarFeed

    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    body = render_feed(feed.user, request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="nzr-diensten.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_POST
@role_required("is_reservist")
def calendar_renew(request):
    from requests_app.calendar import feed_for

    feed_for(request.user, renew=True)
    messages.success(request, _("You have a new calendar link; the old one no longer works."))
    return redirect("requests_app:my_assignments")


@role_required("is_reservist")
def my_assignments(request):
    from requests_app.calendar import feed_for

    feed = feed_for(request.user)
    calendar_url = request.build_absolute_uri(
        reverse("requests_app:calendar_feed", args=[feed.token])
    )
    now = timezone.now()
    qs = Assignment.objects.filter(reservist__user=request.user).select_related(
        "shift__request__organisation", "shift__request__region", "shift__profile"
    )
    return render(
        request,
        "requests_app/my_assignments.html",
        {
            "calendar_url": calendar_url,
            "upcoming": qs.filter(status="confirmed", end__gt=now).order_by("start"),
            "past": qs.exclude(status="confirmed", end__gt=now).order_by("-start")[:30],
        },
    )
