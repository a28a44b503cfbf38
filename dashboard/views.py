from django.db.models import Count
from django.shortcuts import redirect, render

from accounts.decorators import role_required
from registry.models import Reservist


def home(request):
    """The public front page; signed-in users go to their start page."""
    if request.user.is_authenticated:
        return redirect("start")
    return render(request, "dashboard/home.html")


@role_required("is_national", "is_triangle")
def national(request):
    """National figures at a glance (filled in by the figures issue)."""
    by_status = dict(
        Reservist.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    rows = [(label, by_status.get(value, 0)) for value, label in Reservist.Status.choices]
    return render(request, "dashboard/national.html", {"pool_rows": rows})
