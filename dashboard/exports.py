"""Tables as CSV or XLSX downloads (tablib + openpyxl)."""

import tablib
from django.http import HttpResponse
from django.utils import timezone

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def dataset(table) -> tablib.Dataset:
    data = tablib.Dataset(headers=[str(label) for _name, label in table.columns])
    data.title = str(table.title)[:31]
    for row in table.export_rows():
        data.append(row)
    return data


def download(table, fmt: str, scope_label: str) -> HttpResponse:
    data = dataset(table)
    # CSV with a byte-order mark, so that spreadsheet programs read the accents right.
    content = "\ufeff" + data.export("csv") if fmt == "csv" else data.export("xlsx")
    filename = f"nzr-{table.name}-{scope_label}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
