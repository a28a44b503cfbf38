"""CSV and XLSX export of a register search, written by the project's one export
writer (accounts.exporting: text that would start a formula is neutralised)."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import exporting

FORMATS = exporting.FORMATS
MAX_ROWS = 50_000


def headers() -> list[str]:
    return [
        "id",
        _("First name"),
        _("Last name"),
        _("E-mail"),
        _("Phone"),
        _("Postcode"),
        _("Home region"),
        _("Regions"),
        _("Profession"),
        _("BIG number"),
        _("BIG valid until"),
        _("Ring"),
        _("Readiness"),
        _("Profiles"),
        _("Status"),
    ]


def row(r) -> list:
    """One reservist's cells: ids and the ring as numbers, the BIG date as a date."""
    return [
        r.pk,
        r.first_name,
        r.last_name,
        r.email,
        r.phone,
        r.postcode,
        r.home_region.code if r.home_region_id else "",
        " ".join(x.code for x in r.regions.all()),
        r.profession.name if r.profession_id else "",
        r.big_number,
        r.big_valid_until,
        r.ring or "",
        r.readiness,
        " ".join(p.code for p in r.profiles.all()),
        r.status,
    ]


def export(reservists, fmt: str) -> HttpResponse:
    """The reservists as a download in ``fmt`` (one of ``FORMATS``)."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"nzr-register-{stamp}.{fmt}"
    rows = (row(r) for r in reservists)
    return exporting.download(fmt, headers(), rows, filename, title=_("Register"))
