"""Training pages: sessions (plan, sign up, attendance) and recording a course."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import log_list
from accounts.decorators import role_required
from accounts.errors import DomainError
from accounts.scope import scope_of
from registry.models import Region, Reservist
from training import services
from training.forms import AttendanceForm, SessionForm, TrainingRecordForm
from training.models import SessionSignup, TrainingSession

coordinator_required = role_required("is_regional", "is_national")


def _regions_for(user):
    scope = scope_of(user)
    if scope.is_national:
        return Region.objects.all()
    return Region.objects.filter(pk__in=scope.region_ids)


def _own_reservist(user):
    return Reservist.objects.filter(user=user).first() if scope_of(user).is_reservist else None


def reservist_page(reservist) -> str:
    try:
        return reverse("registry:reservist_detail", args=[reservist.pk])
    except NoReverseMatch:
        return reverse("regions:workspace")


@role_required("is_regional", "is_national", "is_reservist")
def session_list(request):
    scope = scope_of(request.user)
    sessions = services.sessions_with_seats(
        TrainingSession.objects.visible_to(request.user).select_related("course", "region")
    )
    coordinator = scope.is_coordinator
    region = None
    if coordinator:
        code = (request.GET.get("region") or "").upper()
        if code:
            region = _regions_for(request.user).filter(code=code).first()
            if region is None:
                raise Http404
            sessions = sessions.filter(region=region)
        if request.GET.get("past") != "1":
            sessions = sessions.filter(ends_at__gte=timezone.now())
    else:
        sessions = sessions.filter(starts_at__gte=timezone.now(), cancelled=False)
    mine = {}
    reservist = _own_reservist(request.user)
    if reservist is not None:
        mine = dict(
            SessionSignup.objects.filter(reservist=reservist).values_list("session_id", "status")
        )
    rows = [
        {"session": s, "left": max(0, s.capacity - s.taken), "mine": mine.get(s.pk)}
        for s in sessions[:200]
    ]
    return render(
        request,
        "training/session_list.html",
        {"rows": rows, "coordinator": coordinator, "region": region, "reservist": reservist},
    )


@coordinator_required
def session_new(request):
    regions = _regions_for(request.user)
    national = scope_of(request.user).is_national
    initial = {}
    code = (request.GET.get("region") or "").upper()
    if code:
        initial["region"] = regions.filter(code=code).first()
    form = SessionForm(request.POST or None, regions=regions, national=national, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.create_session(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("The session has been planned."))
            return redirect("training:session_detail", session.pk)
    return render(
        request, "training/session_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _session_or_404(request, pk):
    return get_object_or_404(
        TrainingSession.objects.visible_to(request.user).select_related("course", "region"), pk=pk
    )


@role_required("is_regional", "is_national", "is_reservist")
def session_detail(request, pk, attendance_form=None):
    session = _session_or_404(request, pk)
    scope = scope_of(request.user)
    context = {
        "session": session,
        "taken": services.seats_taken(session),
        "signups": None,
        "attendance_form": None,
        "can_record_attendance": False,
        "reservist": None,
        "my_signup": None,
    }
    context["left"] = max(0, session.capacity - context["taken"])
    if scope.is_coordinator:
        signups = list(
            session.signups.filter(
                reservist__in=Reservist.objects.visible_to(request.user)
            ).select_related("reservist")
        )
        seated = [s for s in signups if s.status in SessionSignup.TAKES_SEAT]
        context["signups"] = signups
        context["attendance_form"] = attendance_form or AttendanceForm(signups=seated)
        context["can_record_attendance"] = (
            timezone.localtime(session.starts_at).date() <= timezone.localdate() and seated
        )
        if signups:
            log_list(
                request,
                request.user,
                Reservist,
                [s.reservist_id for s in signups],
                detail=f"session {session.pk}",
            )
    reservist = _own_reservist(request.user)
    if reservist is not None:
        context["reservist"] = reservist
        context["my_signup"] = SessionSignup.objects.filter(
            session=session, reservist=reservist
        ).first()
    return render(request, "training/session_detail.html", context)


@role_required("is_reservist")
@require_POST
def session_signup(request, pk):
    session = _session_or_404(request, pk)
    reservist = _own_reservist(request.user)
    if reservist is None:
        raise Http404
    try:
        services.sign_up(session, reservist, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You are signed up. You will find the details on this page."))
    return redirect("training:session_detail", session.pk)


@role_required("is_reservist")
@require_POST
def session_cancel(request, pk):
    session = _session_or_404(request, pk)
    reservist = _own_reservist(request.user)
    signup = get_object_or_404(SessionSignup, session=session, reservist=reservist)
    try:
        services.cancel_signup(signup, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your sign-up has been cancelled."))
    return redirect("training:session_detail", session.pk)


@coordinator_required
@require_POST
def session_attendance(request, pk):
    session = _session_or_404(request, pk)
    seated = list(
        session.signups.filter(
            status__in=SessionSignup.TAKES_SEAT,
            reservist__in=Reservist.objects.visible_to(request.user),
        ).select_related("reservist")
    )
    form = AttendanceForm(request.POST, signups=seated)
    if form.is_valid():
        try:
            records = services.record_attendance(
                session, form.cleaned_data["attended"], actor=request.user
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Attendance recorded; %(n)s training record(s) added.") % {"n": len(records)},
            )
            return redirect("training:session_detail", session.pk)
    response = session_detail(request, pk, attendance_form=form)
    response.status_code = 400
    return response


@coordinator_required
@require_POST
def record_for_reservist(request, pk):
    """Posted from the training section of the reservist page in the register."""
    reservist = get_object_or_404(Reservist.objects.visible_to(request.user), pk=pk)
    form = TrainingRecordForm(request.POST)
    if form.is_valid():
        try:
            record = services.record_training(
                reservist,
                form.cleaned_data["course"],
                form.cleaned_data["completed_on"],
                actor=request.user,
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            if record.expires_on:
                messages.success(
                    request,
                    _("Training recorded; valid until %(date)s.")
                    % {"date": record.expires_on.strftime("%d-%m-%Y")},
                )
            else:
                messages.success(request, _("Training recorded."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect(reservist_page(reservist) + "#training")
