"""Why nobody fits a shift, as a page: the counts after each step and what to do."""

from django.shortcuts import get_object_or_404, render

from accounts.decorators import role_required
from accounts.scope import scope_of
from requests_app.funnel import funnel
from requests_app.models import Shift


@role_required("is_care_org", "is_national", "is_regional")
def shift_funnel(request, pk):
    shift = get_object_or_404(
        Shift.objects.visible_to(request.user).select_related(
            "request__organisation", "request__region", "profile"
        ),
        pk=pk,
    )
    scope = scope_of(request.user)
    return render(
        request,
        "requests_app/shift_funnel.html",
        {
            "shift": shift,
            "funnel": funnel(shift),
            "is_coordinator": scope.is_national or scope.is_regional,
        },
    )
