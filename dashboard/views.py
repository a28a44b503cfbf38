"""The figures pages: national, per region, and the care organisation's own view."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.decorators import role_required
from accounts.scope import scope_of
from dashboard import figures, stats
from dashboard.exports import FORMATS, download
from registry.models import Region
from requests_app.models import CareOrganisation


def home(request):
    """The public front page; signed-in users go to their start page."""
    if request.user.is_authenticated:
        return redirect("start")
    return render(request, "dashboard/home.html")


def _with_exports(built: dict, url_name: str, args: list) -> dict:
    """Give every table its CSV and XLSX download links."""
    for table in built["tables"].values():
        table.downloads = [
            (fmt.upper(), reverse(url_name, args=[*args, table.name, fmt])) for fmt in FORMATS
        ]
    return built


def _export_or_404(built: dict, table: str, fmt: str, scope_label: str):
    if fmt not in FORMATS or table not in built["tables"]:
        raise Http404
    return download(built["tables"][table], fmt, scope_label)


@role_required("is_national", "is_triangle")
def national(request):
    """National figures at a glance, with the map of the regions."""
    built = _with_exports(
        figures.build(stats.Area(), with_map=True), "dashboard:national_export", []
    )
    return render(request, "dashboard/figures_national.html", built)


@role_required("is_national", "is_triangle")
def national_export(request, table, fmt):
    return _export_or_404(figures.build(stats.Area()), table, fmt, "nl")


def _region_for(request, code) -> Region:
    """The region, if the user may see its figures (404 otherwise)."""
    scope = scope_of(request.user)
    regions = Region.objects.all()
    if not scope.sees_all_regions:
        regions = regions.filter(pk__in=scope.region_ids)
    return get_object_or_404(regions, code=code.upper())


@role_required("is_national", "is_triangle", "is_regional")
def region(request, code):
    region = _region_for(request, code)
    built = _with_exports(
        figures.build(stats.Area(region_ids=frozenset([region.pk]))),
        "dashboard:region_export",
        [region.code],
    )
    return render(request, "dashboard/figures_region.html", {**built, "region": region})


@role_required("is_national", "is_triangle", "is_regional")
def region_export(request, code, table, fmt):
    region = _region_for(request, code)
    built = figures.build(stats.Area(region_ids=frozenset([region.pk])))
    return _export_or_404(built, table, fmt, region.code)


@role_required("is_regional")
def my_region(request):
    """A regional coordinator's own figures (the first of their regions)."""
    scope = scope_of(request.user)
    region = Region.objects.filter(pk__in=scope.region_ids).order_by("code").first()
    if region is None:
        raise Http404
    return redirect("dashboard:region", region.code)


def _organisation_area(request):
    scope = scope_of(request.user)
    organisations = list(
        CareOrganisation.objects.visible_to(request.user).filter(pk__in=scope.organisation_ids)
    )
    if not organisations:
        raise Http404
    return organisations, stats.Area(organisation_ids=frozenset(o.pk for o in organisations))


@role_required("is_care_org")
def organisation(request):
    organisations, area = _organisation_area(request)
    built = _with_exports(figures.build_organisation(area), "dashboard:organisation_export", [])
    return render(
        request,
        "dashboard/figures_organisation.html",
        {**built, "organisations": organisations},
    )


@role_required("is_care_org")
def organisation_export(request, table, fmt):
    _organisations, area = _organisation_area(request)
    return _export_or_404(figures.build_organisation(area), table, fmt, _("organisation"))
