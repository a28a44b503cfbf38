"""Web pages of the register. Thin: forms validate, ``registry.services`` decides."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import log_list, log_read
from accounts.decorators import role_required
from accounts.errors import DomainError
from accounts.models import AccessLog
from accounts.scope import scope_of
from registry import exports, facts, services
from registry.deployability import deployable, reasons_not_deployable
from registry.filters import ReservistFilter
from registry.forms import (
    WIZARD,
    ConsentForm,
    LeaveForm,
    NoteForm,
    PeriodForm,
    ProfileForm,
    StatusForm,
    WeeklyForm,
    initial_from,
)
from registry.models import Availability, Reservist, WeeklyAvailability

COORDINATOR = ("is_national", "is_regional")
PAGE_SIZE = 25

# Sections other apps fill on the reservist page (included when they exist).
DETAIL_SECTIONS = (
    "regions/fragments/reservist_vetting.html",
    "training/fragments/reservist_training.html",
    "requests_app/fragments/reservist_assignments.html",
)


def _apply_errors(form, exc, field_map=None) -> None:
    """Put a service's error next to the field it concerns."""
    field_map = field_map or {}
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = field_map.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
        return
    field = field_map.get(getattr(exc, "field", None), getattr(exc, "field", None))
    messages_ = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    form.add_error(field if field in form.fields else None, messages_)


def _own_reservist(user) -> Reservist:
    return get_object_or_404(
        Reservist.objects.visible_to(user)
        .filter(user=user, anonymised_at=None)
        .select_related("home_region", "profession", "municipality")
    )


# --- sign-up ------------------------------------------------------------------------


@login_required
def onboarding(request):
    """A signed-in user without a role chooses: reservist or care organisation."""
    if scope_of(request.user).primary_role is not None:
        return redirect("start")
    reservist = Reservist.objects.filter(user=request.user, anonymised_at=None).first()
    next_step = min(reservist.onboarding_step + 1, len(WIZARD)) if reservist else 1
    return render(
        request,
        "registry/welcome.html",
        {
            "reservist": reservist,
            "next_step": next_step,
            "steps": WIZARD,
            "care_org_url": reverse("requests_app:home"),
        },
    )


@login_required
def onboarding_step(request, step: int):
    """One step of the sign-up wizard; each step is saved whole, or not at all."""
    if step < 1 or step > len(WIZARD):
        raise Http404
    reservist = Reservist.objects.filter(user=request.user).first()
    if reservist is not None and (reservist.onboarding_done or reservist.anonymised_at):
        return redirect("registry:me" if not reservist.anonymised_at else "start")
    if reservist is None and scope_of(request.user).primary_role is not None:
        return redirect("start")
    reached = reservist.onboarding_step if reservist else 0
    if step > reached + 1:
        return redirect("registry:onboarding_step", step=reached + 1)
    number, title, form_class = WIZARD[step - 1]
    privacy_url = reverse("privacy")
    kwargs = {"privacy_url": privacy_url} if form_class is ConsentForm else {}
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                if form_class is ConsentForm:
                    services.finish_onboarding(
                        reservist, actor=request.user, consent=form.cleaned_data["consent"]
                    )
                    messages.success(
                        request,
                        _(
                            "Thank you for signing up. A coordinator of your region will "
                            "contact you about the next steps."
                        ),
                    )
                    return redirect("registry:me")
                services.save_onboarding_step(request.user, step, form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                _apply_errors(form, exc)
            else:
                if "stop" in request.POST:
                    messages.info(
                        request,
                        _("Your answers are saved. You can come back and continue at any time."),
                    )
                    return redirect("registry:onboarding")
                return redirect("registry:onboarding_step", step=step + 1)
    else:
        form = form_class(initial=initial_from(reservist, form_class), **kwargs)
    big_warning = bool(reservist and reservist.big_number and reservist.big_check_digit_ok is False)
    return render(
        request,
        "registry/onboarding_step.html",
        {
            "form": form,
            "step": number,
            "title": title,
            "steps": WIZARD,
            "reservist": reservist,
            "is_last": step == len(WIZARD),
            "big_warning": big_warning and step == 4,
        },
    )


# --- the reservist's own pages ---------------------------------------------------


@role_required("is_reservist")
def me(request):
    """The reservist's own start page: status, deployability and what to do next."""
    reservist = (
        Reservist.objects.visible_to(request.user)
        .filter(user=request.user, anonymised_at=None)
        .select_related("home_region", "profession", "municipality")
        .first()
    )
    if reservist is not None and not reservist.onboarding_done:
        return redirect("registry:onboarding_step", step=min(reservist.onboarding_step + 1, 4))
    context = {"reservist": reservist}
    if reservist is not None:
        today = timezone.localdate()
        confirmed = reservist.availability_confirmed_on
        context.update(
            reasons=reasons_not_deployable(reservist, today),
            pending=_pending_rows(reservist),
            history=reservist.status_changes.select_related("changed_by")[:10],
            confirm_due=confirmed is None
            or (today - confirmed).days >= services.CONFIRM_EVERY_DAYS - 30,
        )
    return render(request, "registry/me_home.html", context)


@role_required("is_reservist")
def profile_edit(request):
    reservist = _own_reservist(request.user)
    pending = list(facts.pending_changes(reservist))
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.update_reservist(reservist, form.cleaned_data, actor=request.user)
            except (DomainError, ValidationError) as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Your details have been saved."))
                if facts.pending_changes(reservist).exists():
                    messages.info(
                        request,
                        _("Changes to verified details are awaiting review by your coordinator."),
                    )
                return redirect("registry:me")
    else:
        initial = initial_from(reservist, ProfileForm)
        # A verified fact the reservist changed shows the requested value, so saving
        # the form again for another field does not withdraw the pending change.
        for change in pending:
            initial[change.field] = facts.from_json(change.field, change.value)
        form = ProfileForm(initial=initial)
    for change in pending:
        if change.field in form.fields:
            form.fields[change.field].help_text = _(
                "Awaiting review by your coordinator; until then “%(value)s” stays in effect."
            ) % {"value": facts.display_text(change.field, facts.current(reservist, change.field))}
    return render(
        request,
        "registry/profile_edit.html",
        {"form": form, "reservist": reservist, "pending": _pending_rows(reservist)},
    )


def _pending_rows(reservist) -> list[dict]:
    return [
        {
            "label": facts.field_label(c.field),
            "value": facts.display_text(c.field, c.value),
            "requested_at": c.requested_at,
        }
        for c in facts.pending_changes(reservist)
    ]


@role_required("is_reservist")
def availability(request):
    reservist = _own_reservist(request.user)
    period_form = PeriodForm(prefix="period")
    weekly_form = WeeklyForm(prefix="weekly")
    if request.method == "POST":
        if "add_period" in request.POST:
            period_form = PeriodForm(request.POST, prefix="period")
            if period_form.is_valid():
                data = period_form.cleaned_data
                try:
                    services.add_availability(
                        reservist,
                        data["start"],
                        data["end"],
                        data["kind"],
                        note=data.get("note", ""),
                        actor=request.user,
                    )
                except DomainError as exc:
                    _apply_errors(period_form, exc, {"start": "start_date", "end": "end_date"})
                else:
                    messages.success(request, _("The period has been added."))
                    return redirect("registry:availability")
        elif "add_weekly" in request.POST:
            weekly_form = WeeklyForm(request.POST, prefix="weekly")
            if weekly_form.is_valid():
                data = weekly_form.cleaned_data
                try:
                    services.add_weekly(
                        reservist,
                        data["weekday"],
                        data["start_time"],
                        data["end_time"],
                        actor=request.user,
                    )
                except DomainError as exc:
                    _apply_errors(weekly_form, exc)
                else:
                    messages.success(request, _("The time has been added to your week."))
                    return redirect("registry:availability")
    now = timezone.now()
    return render(
        request,
        "registry/availability.html",
        {
            "reservist": reservist,
            "period_form": period_form,
            "weekly_form": weekly_form,
            "periods": reservist.availability.filter(end__gte=now).order_by("start"),
            "weekly": reservist.weekly_availability.all(),
        },
    )


@require_POST
@role_required("is_reservist")
def availability_delete(request, pk):
    period = get_object_or_404(
        Availability.objects.visible_to(request.user).filter(reservist__user=request.user), pk=pk
    )
    services.delete_availability(period, actor=request.user)
    messages.success(request, _("The period has been removed."))
    return redirect("registry:availability")


@require_POST
@role_required("is_reservist")
def weekly_delete(request, pk):
    slot = get_object_or_404(
        WeeklyAvailability.objects.filter(
            reservist__in=Reservist.objects.visible_to(request.user), reservist__user=request.user
        ),
        pk=pk,
    )
    services.delete_weekly(slot, actor=request.user)
    messages.success(request, _("The time has been removed from your week."))
    return redirect("registry:availability")


@role_required("is_reservist")
def confirm(request):
    """The yearly question: are you still available for the reserve?"""
    reservist = _own_reservist(request.user)
    if request.method == "POST":
        if request.POST.get("answer") == "pause":
            try:
                services.change_status(
                    reservist,
                    Reservist.Status.PAUSED,
                    actor=request.user,
                    reason=_("Not available for now (yearly confirmation)"),
                )
            except DomainError as exc:
                messages.error(request, str(exc))
                return redirect("registry:confirm")
            services.confirm_availability(reservist, actor=request.user)
            messages.success(request, _("Thank you. Your registration is paused."))
        else:
            services.confirm_availability(reservist, actor=request.user)
            messages.success(request, _("Thank you for confirming that you are still available."))
        return redirect("registry:me")
    return render(request, "registry/confirm.html", {"reservist": reservist})


@role_required("is_reservist")
def my_data(request):
    reservist = _own_reservist(request.user)
    data = services.export_data(reservist)
    log_read(request, request.user, reservist, AccessLog.Action.VIEW, "self: my data page")
    sections = [
        (key, value)
        for key, value in data.items()
        if key not in ("account", "profile") and isinstance(value, list)
    ]
    return render(
        request,
        "registry/my_data.html",
        {
            "reservist": reservist,
            "account": data["account"],
            "profile": data["profile"],
            "sections": sections,
        },
    )


@role_required("is_reservist")
def my_data_download(request):
    reservist = _own_reservist(request.user)
    log_read(request, request.user, reservist, AccessLog.Action.EXPORT, "self: download")
    body = json.dumps(services.export_data(reservist), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="nzr-my-data.json"'
    return response


@role_required("is_reservist")
def leave(request):
    reservist = _own_reservist(request.user)
    if request.method == "POST":
        form = LeaveForm(request.POST)
        if form.is_valid():
            services.leave(reservist, actor=request.user, reason=form.cleaned_data["reason"])
            logout(request)
            messages.success(
                request,
                _("You have left the reserve. Your personal data has been erased. Thank you."),
            )
            return redirect("dashboard:home")
    else:
        form = LeaveForm()
    return render(request, "registry/leave.html", {"form": form, "reservist": reservist})


# --- coordinators ----------------------------------------------------------------------


def _search(request):
    queryset = (
        Reservist.objects.visible_to(request.user)
        .select_related("home_region", "profession", "user")
        .prefetch_related("profiles")
    )
    return ReservistFilter(request.GET or None, queryset=queryset, request=request)


@role_required(*COORDINATOR)
def reservist_list(request):
    search = _search(request)
    rows = search.qs if (search.is_bound and search.is_valid()) or not search.is_bound else None
    page = None
    deployable_ids = set()
    if rows is not None:
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        ids = [r.pk for r in page.object_list]
        deployable_ids = set(
            deployable(Reservist.objects.filter(pk__in=ids), timezone.localdate()).values_list(
                "pk", flat=True
            )
        )
        log_list(request, request.user, Reservist, ids, detail="web: register search")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/reservist_list.html",
        {
            "filter": search,
            "form": search.form,
            "page": page,
            "deployable_ids": deployable_ids,
            "query": query.urlencode(),
        },
    )


@role_required(*COORDINATOR)
def reservist_export(request):
    search = _search(request)
    if search.is_bound and not search.is_valid():
        messages.error(request, _("Correct the search filters first."))
        return redirect("registry:reservist_list")
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        raise Http404
    rows = list(search.qs.prefetch_related("regions")[: exports.MAX_ROWS])
    response = exports.export(rows, fmt)
    log_list(
        request,
        request.user,
        Reservist,
        [r.pk for r in rows],
        action=AccessLog.Action.EXPORT,
        detail=f"web: register export {fmt} {request.GET.urlencode()}"[:300],
    )
    return response


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


@role_required(*COORDINATOR)
def reservist_detail(request, pk, status_form=None, note_form=None):
    reservist = get_object_or_404(
        Reservist.objects.visible_to(request.user).select_related(
            "home_region", "profession", "municipality", "user"
        ),
        pk=pk,
    )
    log_read(request, request.user, reservist, AccessLog.Action.VIEW, "web: reservist page")
    allowed = services.allowed_transitions(reservist)
    now = timezone.now()
    return render(
        request,
        "registry/reservist_detail.html",
        {
            "reservist": reservist,
            "reasons": reasons_not_deployable(reservist, timezone.localdate()),
            "history": reservist.status_changes.select_related("changed_by"),
            "periods": reservist.availability.filter(end__gte=now).order_by("start"),
            "weekly": reservist.weekly_availability.all(),
            "status_form": status_form or StatusForm(allowed=allowed),
            "note_form": note_form or NoteForm(prefix="note"),
            "notes": reservist.notes.select_related("author"),
            "allowed": allowed,
            "sections": [t for t in DETAIL_SECTIONS if _template_exists(t)],
        },
    )


@require_POST
@role_required(*COORDINATOR)
def reservist_status(request, pk):
    reservist = get_object_or_404(Reservist.objects.visible_to(request.user), pk=pk)
    form = StatusForm(request.POST, allowed=services.allowed_transitions(reservist))
    if form.is_valid():
        try:
            services.change_status(
                reservist,
                form.cleaned_data["status"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            errors = getattr(exc, "reasons", None) or [str(exc)]
            form.add_error("status", errors)
        else:
            messages.success(request, _("The status has been changed."))
            return redirect("registry:reservist_detail", pk=reservist.pk)
    return reservist_detail(request, pk, status_form=form)


@require_POST
@role_required(*COORDINATOR)
def reservist_note(request, pk):
    reservist = get_object_or_404(Reservist.objects.visible_to(request.user), pk=pk)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            services.add_note(reservist, form.cleaned_data["text"], actor=request.user)
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The note has been saved."))
            return redirect("registry:reservist_detail", pk=reservist.pk)
    return reservist_detail(request, pk, note_form=form)
