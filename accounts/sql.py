"""Raw SQL of the accounts app (conventions: raw SQL only in ``<app>/sql.py``)."""

from django.db import connection

from accounts.models import AccessLogSubject

# One statement and one array parameter for any number of people: the text is the same
# for 1 and for 100,000 ids (no statement per row count, no limit of 65,535 parameters).
_INSERT_SUBJECTS = (
    "INSERT INTO accounts_accesslogsubject (entry_id, subject_id, at) "
    "SELECT %s, s.id, %s FROM unnest(%s::text[]) WITH ORDINALITY AS s(id, n) ORDER BY s.n"
)


def insert_subjects(entry, subject_ids: list[str]) -> None:
    """Name ``subject_ids`` in the access-log ``entry``: one ``AccessLogSubject`` row
    each, in their order. PostgreSQL: one INSERT ... SELECT unnest; SQLite (``make
    run``): the ORM's bulk insert, in batches within its parameter limit."""
    if not subject_ids:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_SUBJECTS, [entry.pk, entry.at, list(subject_ids)])
        return
    AccessLogSubject.objects.bulk_create(
        [AccessLogSubject(entry=entry, subject_id=i, at=entry.at) for i in subject_ids],
        batch_size=300,
    )
