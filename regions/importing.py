"""Bulk import of candidate and reservist files (CSV, XLSX), all or nothing.

1. ``start_import`` stores the upload in an ``ImportJob`` row and runs a dry run:
   every row is processed in a transaction that is rolled back, and the job
   remembers per row what would happen (create / update / refuse) and why.
2. ``confirm_import`` runs the same processing for real, in ONE transaction:
   if any row is refused, nothing is written.
Files with more than ``LARGE_IMPORT_ROWS`` rows run as Celery jobs
(``regions.tasks``); the job row carries progress counters that the page polls.
Duplicates (same e-mail address or BIG number) are matched, not doubled: also
within one file, a second row updates what the first row created.
"""

import logging

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.errors import ConflictError, DomainError
from nzr.tasks import enqueue
from regions.errors import ImportRefused
from regions.models import Candidate, ImportJob
from regions.services import find_reservist, user_for_email
from registry.models import Reservist, derive_ring
from registry.validators import (
    normalise_digits,
    normalise_postcode,
    validate_big_number,
    validate_phone,
    validate_postcode,
)

logger = logging.getLogger(__name__)

LARGE_IMPORT_ROWS = getattr(settings, "NZR_LARGE_IMPORT_ROWS", 500)
MAX_IMPORT_BYTES = 10 * 1024 * 1024
PROGRESS_EVERY = 25

# Column names accepted (English and Dutch), lower case, spaces/dashes as "_".
COLUMNS = {
    "first_name": ("first_name", "firstname", "voornaam"),
    "last_name": ("last_name", "lastname", "achternaam", "naam"),
    "email": ("email", "e_mail", "e_mailadres", "emailadres", "mail"),
    "phone": ("phone", "telefoon", "telefoonnummer", "mobiel"),
    "big_number": ("big_number", "big", "big_nummer", "bignummer"),
    "postcode": ("postcode", "postal_code", "zip"),
    "region": ("region", "regio", "veiligheidsregio"),
    "source": ("source", "bron"),
    "campaign": ("campaign", "campagne"),
    "notes": ("notes", "notities", "opmerkingen"),
}
SOURCE_ALIASES = {
    "campagne": "campaign",
    "bureau": "agency",
    "uitzendbureau": "agency",
    "werkgever": "employer",
    "extra handen": "extra_handen",
    "extrahanden": "extra_handen",
    "overig": "other",
    "anders": "other",
}
ALIASES = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}


class _Rollback(Exception):
    """Raised to roll back a dry run (or a refused import) after collecting results."""


def _normalise_header(name) -> str:
    key = str(name or "").strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(key, key)


def parse_file(content: bytes, file_format: str) -> list[dict]:
    """Rows of the file as dicts with our column names; ImportRefused when unreadable."""
    try:
        if file_format == "csv":
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError:  # CSV saved by Excel on a Dutch Windows machine
                text = content.decode("cp1252")
            delimiter = (
                ";"
                if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",")
                else ","
            )
            dataset = tablib.Dataset().load(text, format="csv", delimiter=delimiter)
        elif file_format == "xlsx":
            dataset = tablib.Dataset().load(content, format="xlsx")
        else:
            raise ImportRefused(_("Upload a CSV or XLSX file."))
    except ImportRefused:
        raise
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            _("The file is not UTF-8 text. Save it as CSV (UTF-8) or XLSX.")
        ) from exc
    except Exception as exc:  # tablib/openpyxl raise many kinds
        raise ImportRefused(_("The file could not be read: %(error)s") % {"error": exc}) from exc
    headers = [_normalise_header(h) for h in (dataset.headers or [])]
    if "first_name" not in headers or "last_name" not in headers:
        raise ImportRefused(
            _("The first row must name the columns; at least first_name and last_name.")
        )
    rows = []
    for values in dataset:
        row = {
            h: ("" if v is None else str(v).strip())
            for h, v in zip(headers, values, strict=False)
            if h in COLUMNS
        }
        if any(row.values()):
            rows.append(row)
    if not rows:
        raise ImportRefused(_("The file has no rows to import."))
    return rows


def file_format_of(name: str) -> str:
    lower = (name or "").lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith(".xlsx"):
        return "xlsx"
    raise ImportRefused(_("Upload a CSV or XLSX file."))


# --- one row ------------------------------------------------------------------------


def _clean(row: dict, job: ImportJob) -> tuple[dict, list[str]]:
    """Normalised values and the reasons to refuse the row."""
    reasons = []
    data = {k: row.get(k, "") for k in COLUMNS}
    if not data["first_name"]:
        reasons.append(_("First name is missing."))
    if not data["last_name"]:
        reasons.append(_("Last name is missing."))
    if data["email"]:
        data["email"] = data["email"].lower()
        try:
            validate_email(data["email"])
        except ValidationError:
            reasons.append(_("“%(value)s” is not an e-mail address.") % {"value": data["email"]})
    for name, validator, normalise in (
        ("big_number", validate_big_number, normalise_digits),
        ("phone", validate_phone, str.strip),
        ("postcode", validate_postcode, normalise_postcode),
    ):
        if data[name]:
            if name == "big_number" and data[name].endswith(".0"):
                data[name] = data[name][:-2]  # a number cell in a spreadsheet
            try:
                validator(data[name])
                data[name] = normalise(data[name])
            except ValidationError as exc:
                reasons.extend(str(m) for m in exc.messages)
    if data["region"] and data["region"].upper() != job.region.code:
        reasons.append(
            _("This row is for region %(row)s; this import is for %(job)s.")
            % {"row": data["region"].upper(), "job": job.region.code}
        )
    if job.kind == ImportJob.Kind.CANDIDATES:
        source = data["source"].lower()
        labels = dict(SOURCE_ALIASES)
        for language in ("en", "nl"):
            with translation.override(language):
                labels.update(
                    {str(label).lower(): value for value, label in Candidate.Source.choices}
                )
        if not source:
            data["source"] = Candidate.Source.CAMPAIGN
        elif source in Candidate.Source.values:
            data["source"] = source
        elif source in labels:
            data["source"] = labels[source]
        else:
            reasons.append(_("Unknown source “%(value)s”.") % {"value": data["source"]})
        if not data["email"] and not data["phone"]:
            reasons.append(_("Give an e-mail address or a phone number to contact the candidate."))
    elif not data["email"] and not data["big_number"]:
        reasons.append(_("Give an e-mail address or a BIG number (to recognise the person)."))
    return data, reasons


def _other_region():
    return _("This person is already known in another region; ask the national office.")


def _candidate_row(data: dict, job: ImportJob, actor) -> tuple[str, list[str]]:
    keys = Q(pk__in=[])
    if data["email"]:
        keys |= Q(email__iexact=data["email"])
    if data["big_number"]:
        keys |= Q(big_number=data["big_number"])
    matches = list(Candidate.objects.filter(keys).order_by("pk"))
    if any(c.region_id != job.region_id for c in matches):
        return "refuse", [_other_region()]
    if find_reservist(data["email"], data["big_number"]) is not None:
        return "refuse", [_("This person is already in the register.")]
    fields = ("first_name", "last_name", "email", "phone", "big_number", "campaign")
    if matches:
        candidate = matches[0]
        changed = []
        for name in fields:
            if data[name] and getattr(candidate, name) != data[name]:
                setattr(candidate, name, data[name])
                changed.append(name)
        if data["notes"] and data["notes"] not in candidate.notes:
            candidate.notes = (candidate.notes + "\n" + data["notes"]).strip()
            changed.append("notes")
        candidate.save()
        log_action(candidate, "candidate.imported", actor, job.filename, fields=changed)
        return "update", [_("Same e-mail address or BIG number as an existing candidate.")]
    candidate = Candidate.objects.create(
        region=job.region,
        source=data["source"],
        notes=data["notes"],
        created_by=actor,
        **{name: data[name] for name in fields},
    )
    log_action(candidate, "candidate.imported", actor, job.filename)
    return "create", []


def _reservist_row(data: dict, job: ImportJob, actor) -> tuple[str, list[str]]:
    reservist = find_reservist(data["email"], data["big_number"])
    if reservist is not None and reservist.home_region_id not in (None, job.region_id):
        return "refuse", [_other_region()]
    if reservist is not None:
        if (
            data["big_number"]
            and reservist.big_number
            and reservist.big_number != data["big_number"]
        ):
            return "refuse", [
                _("The BIG number differs from the one in the register for this e-mail address.")
            ]
        changed = []
        for name in ("phone", "postcode", "big_number"):
            if data[name] and getattr(reservist, name) != data[name]:
                setattr(reservist, name, data[name])
                changed.append(name)
        if reservist.home_region_id is None:
            reservist.home_region = job.region
            changed.append("home_region")
        if changed:
            reservist.ring = derive_ring(
                reservist.profession,
                reservist.level,
                reservist.is_student,
                bool(reservist.big_number),
            )
            reservist.save()
        log_action(reservist, "reservist.imported", actor, job.filename, fields=changed)
        return "update", [_("Same e-mail address or BIG number as a reservist in the register.")]
    reservist = Reservist(
        first_name=data["first_name"],
        last_name=data["last_name"],
        phone=data["phone"],
        postcode=data["postcode"],
        big_number=data["big_number"],
        home_region=job.region,
        status=Reservist.Status.APPLIED,
    )
    if data["email"]:
        reservist.user = user_for_email(data["email"], data["first_name"], data["last_name"])
    reservist.save()
    log_action(reservist, "reservist.imported", actor, job.filename)
    return "create", []


# --- the whole file -----------------------------------------------------------------


class _Progress:
    """Writes ``processed_rows`` through a separate connection, so that the page can
    show progress while the import's own transaction is still open."""

    def __init__(self, job: ImportJob, enabled: bool):
        self.job_id = job.pk
        self.conn = None
        if enabled and connection.vendor == "postgresql":
            self.conn = connections.create_connection(DEFAULT_DB_ALIAS)

    def update(self, processed: int) -> None:
        if self.conn is None or processed % PROGRESS_EVERY:
            return
        with self.conn.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET processed_rows = %s WHERE id = %s",  # noqa: S608
                [processed, self.job_id],
            )

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def _process(job: ImportJob, *, write: bool, actor, progress: bool) -> dict:
    """Process every row in one transaction; roll it back unless ``write`` and no refusals."""
    rows = parse_file(bytes(job.content), job.file_format)
    handler = _candidate_row if job.kind == ImportJob.Kind.CANDIDATES else _reservist_row
    results = []
    meter = _Progress(job, progress)
    try:
        with transaction.atomic():
            for number, row in enumerate(rows, start=2):  # row 1 holds the column names
                data, reasons = _clean(row, job)
                name = f"{data['first_name']} {data['last_name']}".strip()
                if reasons:
                    action = "refuse"
                else:
                    try:
                        with transaction.atomic():
                            action, reasons = handler(data, job, actor)
                    except (DomainError, ValidationError) as exc:
                        action = "refuse"
                        reasons = list(getattr(exc, "messages", None) or [str(exc)])
                results.append(
                    {
                        "row": number,
                        "name": name,
                        "action": action,
                        "reasons": [str(r) for r in reasons],
                    }
                )
                meter.update(len(results))
            refused = sum(1 for r in results if r["action"] == "refuse")
            if not write or refused:
                raise _Rollback
    except _Rollback:
        pass
    finally:
        meter.close()
    return {
        "rows": results,
        "total_rows": len(rows),
        "processed_rows": len(results),
        "created_count": sum(1 for r in results if r["action"] == "create"),
        "updated_count": sum(1 for r in results if r["action"] == "update"),
        "refused_count": sum(1 for r in results if r["action"] == "refuse"),
    }


def _save_result(job_id: int, result: dict, status: str) -> ImportJob:
    ImportJob.objects.filter(pk=job_id).update(status=status, finished_at=timezone.now(), **result)
    return ImportJob.objects.get(pk=job_id)


def start_import(region, kind: str, uploaded, *, actor) -> ImportJob:
    """Store an uploaded file and run (or enqueue) its dry run."""
    if kind not in ImportJob.Kind.values:
        raise ImportRefused(_("Choose what the file contains."), field="kind")
    file_format = file_format_of(uploaded.name)
    if uploaded.size > MAX_IMPORT_BYTES:
        raise ImportRefused(_("The file is larger than 10 MB; split it in parts."))
    content = uploaded.read()
    rows = parse_file(content, file_format)
    with transaction.atomic():
        job = ImportJob.objects.create(
            region=region,
            kind=kind,
            filename=uploaded.name[:200],
            file_format=file_format,
            content=content,
            total_rows=len(rows),
            created_by=actor,
        )
        log_action(job, "import.uploaded", actor, rows=len(rows), kind=kind)
        if len(rows) > LARGE_IMPORT_ROWS:
            from regions.tasks import check_import

            enqueue(check_import, job.pk)
    if len(rows) <= LARGE_IMPORT_ROWS:
        job = run_check(job.pk)
    return job


def run_check(job_id: int, *, progress: bool = False) -> ImportJob:
    """The dry run (idempotent: only a job that is being checked is checked)."""
    job = ImportJob.objects.select_related("region", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.CHECKING:
        return job
    result = _process(job, write=False, actor=job.created_by, progress=progress)
    return _save_result(job.pk, result, ImportJob.Status.CHECKED)


def confirm_import(job: ImportJob, *, actor) -> ImportJob:
    """Import for real what the dry run showed; all or nothing."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not job.can_confirm:
            raise ConflictError(
                _(
                    "This import cannot be confirmed: fix the refused rows and upload the file again."
                )
                if job.refused_count
                else _("This import is not waiting for confirmation.")
            )
        job.status = ImportJob.Status.IMPORTING
        job.processed_rows = 0
        job.save(update_fields=["status", "processed_rows"])
        log_action(job, "import.confirmed", actor, rows=job.total_rows)
        if job.total_rows > LARGE_IMPORT_ROWS:
            from regions.tasks import run_import as run_import_task

            enqueue(run_import_task, job.pk)
    if job.total_rows <= LARGE_IMPORT_ROWS:
        job = run_import(job.pk)
    return job


def run_import(job_id: int, *, progress: bool = False) -> ImportJob:
    """The real import (idempotent: only a job that is being imported is imported)."""
    job = ImportJob.objects.select_related("region", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.IMPORTING:
        return job
    with transaction.atomic():
        # Claim the job without locking its row (the progress counter is written to
        # that row from another connection while this transaction is open).
        if not _claim(job.pk):
            return job
        job.refresh_from_db()
        if job.status != ImportJob.Status.IMPORTING:
            return job
        result = _process(job, write=True, actor=job.created_by, progress=progress)
        status = ImportJob.Status.REFUSED if result["refused_count"] else ImportJob.Status.DONE
        log_action(
            job,
            f"import.{status}",
            job.created_by,
            **{k: v for k, v in result.items() if k != "rows"},
        )
        # In the same transaction as the rows (the progress connection is closed by now).
        return _save_result(job.pk, result, status)


def _claim(job_id: int) -> bool:
    """A transaction-scoped advisory lock on PostgreSQL: one importer per job."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [7304, job_id])
        return bool(cursor.fetchone()[0])


def fail_job(job_id: int, error: str) -> None:
    ImportJob.objects.filter(pk=job_id, status__in=ImportJob.RUNNING).update(
        status=ImportJob.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
