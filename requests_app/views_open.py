"""The reservist's pages "Open diensten" and the wait-list (issue 20). Thin: the list is
``open_shifts.open_shifts_for``; sign-up and the wait-list are services."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.errors import DomainError
from nzr.forms import DateField
from registry.forms import DateInput
from registry.models import Reservist
from requests_app import waitlist
from requests_app.models import Shift, WaitlistEntry
from requests_app.open_shifts import open_shifts_for
from requests_app.services.booking import sign_up


class OpenShiftFilterForm(forms.Form):
    date_from = DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    date_to = DateField(label=gettext_lazy("Until"), required=False, widget=DateInput())
    profile = forms.ChoiceField(label=gettext_lazy("Profile"), required=False)
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    max_km = forms.IntegerField(
        label=gettext_lazy("At most (km)"), required=False, min_value=0, max_value=1000
    )
    view = forms.ChoiceField(
        label=gettext_lazy("View"),
        required=False,
        choices=[("list", gettext_lazy("List")), ("week", gettext_lazy("Week"))],
    )

    def __init__(self, *args, reservist, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["profile"].choices = every + [
            (p.code, p.name) for p in reservist.profiles.order_by("name")
        ]
        self.fields["region"].choices = every + [
            (r.code, r.name) for r in reservist.regions.order_by("name")
        ]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


def _me(request) -> Reservist:
    return get_object_or_404(
        Reservist.objects.filter(anonymised_at__isnull=True), user=request.user
    )


def _week(rows, first_day):
    """Seven days from ``first_day``, each with its rows (the week calendar view)."""
    days = [first_day + timedelta(days=i) for i in range(7)]
    by_day = {d: [] for d in days}
    for row in rows:
        day = timezone.localtime(row.start).date()
        if day in by_day:
            by_day[day].append(row)
    return [{"day": d, "rows": by_day[d]} for d in days]


@role_required("is_reservist")
def open_shifts(request):
    reservist = _me(request)
    form = OpenShiftFilterForm(request.GET or None, reservist=reservist)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    view = data.get("view") or "list"
    today = timezone.localdate()
    date_from = data.get("date_from")
    date_to = data.get("date_to")
    if view == "week":
        start = date_from or today
        date_from = start - timedelta(days=start.weekday())
        date_to = date_from + timedelta(days=6)
    rows = (
        open_shifts_for(
            reservist,
            date_from=date_from,
            date_to=date_to,
            profile=data.get("profile") or None,
            region=data.get("region") or None,
            max_km=data.get("max_km"),
        )
        if not form.errors
        else []
    )
    full_shift = None
    if request.GET.get("full", "").isdigit():
        full_shift = (
            Shift.objects.select_related("profile", "request__organisation", "request__region")
            .filter(pk=int(request.GET["full"]))
            .first()
        )
    waiting = (
        WaitlistEntry.objects.waiting()
        .filter(reservist=reservist)
        .select_related("shift__profile", "shift__request__organisation", "shift__request__region")
    )
    week = None
    if view == "week":
        week = _week(rows, date_from)
        params = request.GET.copy()
        params["view"] = "week"
        params["date_from"] = (date_from - timedelta(days=7)).isoformat()
        previous_week = params.urlencode()
        params["date_from"] = (date_from + timedelta(days=7)).isoformat()
        next_week = params.urlencode()
    else:
        previous_week = next_week = None
    return render(
        request,
        "requests_app/open_shifts.html",
        {
            "form": form,
            "rows": rows,
            "view": view,
            "week": week,
            "previous_week": previous_week,
            "next_week": next_week,
            "full_shift": full_shift,
            "waiting": [(e, waitlist.position(e)) for e in waiting],
        },
    )


@require_POST
@role_required("is_reservist")
def open_shift_sign_up(request, pk):
    reservist = _me(request)
    shift = get_object_or_404(Shift.objects.all(), pk=pk)
    try:
        sign_up(shift, reservist, actor=request.user)
    except DomainError as exc:
        if exc.code == "full":
            messages.error(request, _("This shift has just filled up. You can join its wait-list."))
            return redirect(f"{reverse('requests_app:open_shifts')}?full={shift.pk}")
        messages.error(request, str(exc))
        return redirect("requests_app:open_shifts")
    messages.success(request, _("You are booked. Thank you! You find the shift under “My shifts”."))
    return redirect("requests_app:my_assignments")


@require_POST
@role_required("is_reservist")
def waitlist_join(request):
    reservist = _me(request)
    shift_id = request.POST.get("shift", "")
    shift = get_object_or_404(Shift.objects.all(), pk=int(shift_id) if shift_id.isdigit() else 0)
    try:
        entry = waitlist.join(shift, reservist, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "You are on the wait-list, number %(position)d. We book you as soon as a place frees."
            )
            % {"position": waitlist.position(entry)},
        )
    return redirect("requests_app:open_shifts")


@require_POST
@role_required("is_reservist")
def waitlist_leave(request, pk):
    entry = get_object_or_404(WaitlistEntry.objects.filter(reservist__user=request.user), pk=pk)
    try:
        waitlist.withdraw(entry, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You are no longer on the wait-list."))
    return redirect("requests_app:open_shifts")
