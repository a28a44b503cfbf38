from django.db.models import Count, Q
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.scope import scope_of
from registry.models import Region, Reservist


@role_required("is_regional", "is_national")
def workspace(request):
    """The regional coordinator's start page: the region's pool by status."""
    scope = scope_of(request.user)
    regions = (
        Region.objects.all()
        if scope.is_national
        else Region.objects.filter(pk__in=scope.region_ids)
    )
    visible = Reservist.objects.visible_to(request.user)
    rows = regions.annotate(
        **{
            status: Count(
                "home_reservists",
                filter=Q(home_reservists__status=status, home_reservists__in=visible),
            )
            for status in Reservist.Status.values
        }
    )
    return render(
        request, "regions/workspace.html", {"regions": rows, "statuses": Reservist.Status.choices}
    )
