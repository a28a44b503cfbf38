"""CSV and XLSX export of a register search (tablib; openpyxl writes the XLSX)."""

import tablib
from django.utils import timezone
from django.utils.translation import gettext as _

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_ROWS = 50_000


def _safe(value):
    """Spreadsheet programs run cells that start with = + - @ as formulas: quote them."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _date(value):
    return value.isoformat() if value else ""


def dataset(reservists) -> tablib.Dataset:
    data = tablib.Dataset(
        headers=[
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
    )
    for r in reservists:
        data.append(
            [
                _safe(v)
                for v in (
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
                    _date(r.big_valid_until),
                    r.ring or "",
                    r.readiness,
                    " ".join(p.code for p in r.profiles.all()),
                    r.status,
                )
            ]
        )
    return data


def export(reservists, fmt: str) -> tuple[bytes | str, str, str]:
    data = dataset(reservists)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"nzr-register-{stamp}.{fmt}"
    if fmt == "xlsx":
        return data.export("xlsx"), FORMATS[fmt], filename
    return data.export("csv"), FORMATS[fmt], filename
