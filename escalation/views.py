"""Web pages: crises for the national coordinator, and the reservist's answer to a call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.errors import DomainError
from accounts.scope import scope_of
from escalation import services
from escalation.forms import CrisisForm, DeactivateForm
from escalation.models import Crisis, CrisisResponse

READERS = ("is_national", "is_triangle", "is_regional")


def _crises(user):
    return Crisis.objects.visible_to(user).prefetch_related("regions")


@role_required(*READERS)
def crisis_list(request):
    crises = (
        _crises(request.user)
        .annotate(
            called=Count("responses", distinct=True),
            available=Count("responses", filter=Q(responses__answer="available"), distinct=True),
        )
        .order_by("-active", "-created_at")
    )
    return render(
        request,
        "escalation/crisis_list.html",
        {"crises": crises, "can_manage": scope_of(request.user).is_national},
    )


@role_required("is_national")
def crisis_declare(request):
    form = CrisisForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            crisis = services.declare_crisis(
                name=data["name"],
                kind=data["kind"],
                regions=data["regions"],
                starts_at=data.get("starts_at"),
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(
                request,
                _("Crisis “%(name)s” declared in the cold phase. Activate it to call reservists.")
                % {"name": crisis.name},
            )
            return redirect("escalation:crisis_detail", pk=crisis.pk)
    return render(request, "escalation/crisis_form.html", {"form": form})


@role_required(*READERS)
def crisis_detail(request, pk):
    crisis = get_object_or_404(_crises(request.user), pk=pk)
    answers = dict(
        crisis.responses.values_list("answer").annotate(n=Count("id")).values_list("answer", "n")
    )
    return render(
        request,
        "escalation/crisis_detail.html",
        {
            "crisis": crisis,
            "calls": crisis.calls.order_by("wave"),
            "available": answers.get(CrisisResponse.Answer.AVAILABLE, 0),
            "unavailable": answers.get(CrisisResponse.Answer.UNAVAILABLE, 0),
            "no_answer": answers.get("", 0),
            "live_report": services.deployment_report(crisis) if crisis.active else None,
            "can_manage": scope_of(request.user).is_national,
            "deactivate_form": DeactivateForm(),
        },
    )


@require_POST
@role_required("is_national")
def crisis_activate(request, pk):
    crisis = get_object_or_404(_crises(request.user), pk=pk)
    try:
        services.activate_crisis(crisis, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "The crisis is active (warm phase). Reservists ready within 24 hours are being "
                "called now; the one-week group follows later."
            ),
        )
    return redirect("escalation:crisis_detail", pk=crisis.pk)


@require_POST
@role_required("is_national")
def crisis_deactivate(request, pk):
    crisis = get_object_or_404(_crises(request.user), pk=pk)
    form = DeactivateForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        crisis = services.deactivate_crisis(crisis, actor=request.user, reason=reason)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The crisis is closed. %(n)s shifts were filled by reservists.")
            % {"n": crisis.report.get("assignments", 0)},
        )
    return redirect("escalation:crisis_detail", pk=crisis.pk)


# --- the reservist's answer ---------------------------------------------------------------


def _answer_page(request, response, post_url):
    done = False
    if request.method == "POST":
        try:
            response = services.record_answer(
                response,
                request.POST.get("answer", ""),
                actor=request.user if request.user.is_authenticated else None,
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            done = True
    return render(
        request,
        "escalation/answer.html",
        {"response": response, "crisis": response.crisis, "post_url": post_url, "done": done},
    )


def answer(request, token):
    """The page behind the link in the e-mail: two big buttons, no sign-in needed."""
    response = services.response_from_token(token)
    if response is None:
        return render(request, "escalation/answer_invalid.html", status=404)
    return _answer_page(request, response, request.path)


@login_required
def my_calls(request):
    return render(
        request,
        "escalation/my_calls.html",
        {"responses": services.open_calls_for(request.user)},
    )


@login_required
def my_call_answer(request, pk):
    response = get_object_or_404(services.open_calls_for(request.user), pk=pk)
    return _answer_page(request, response, request.path)


@role_required("is_national", "is_triangle")
def current_picture(request):
    """The triangle's current picture (national staff see it too)."""
    from escalation.picture import current_picture as build

    return render(request, "escalation/picture.html", build())
