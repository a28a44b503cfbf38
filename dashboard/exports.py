"""The figures' tables as CSV or XLSX downloads, written by the project's one export
writer (accounts.exporting: text that would start a formula is neutralised)."""

from django.http import HttpResponse
from django.utils import timezone

from accounts import exporting

FORMATS = exporting.FORMATS


def download(table, fmt: str, scope_label: str) -> HttpResponse:
    """``table`` (a dashboard.figures.Table) as a file named for its scope and today."""
    headers = [str(label) for _name, label in table.columns]
    filename = f"nzr-{table.name}-{scope_label}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    return exporting.download(fmt, headers, table.export_rows(), filename, title=table.title)
