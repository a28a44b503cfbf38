"""The progress counter of a running import is visible to other connections (the page
that polls it) while the import's own transaction is still open."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections

from regions import importing
from regions.models import Candidate, ImportJob
from tests.factories import make_persona, region

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="progress needs PostgreSQL")
def test_progress_is_seen_by_another_connection_during_the_import(monkeypatch):
    coordinator = make_persona("regional_coordinator", region=region("VR09"))
    monkeypatch.setattr(importing, "LARGE_IMPORT_ROWS", 10)
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 20)
    header = "first_name,last_name,email\n"
    rows = "".join(f"N{i},A{i},p{i}@example.org\n" for i in range(100))
    upload = SimpleUploadedFile("groot.csv", (header + rows).encode())
    seen = []
    original = importing._Progress.update

    def spy(self, processed):
        original(self, processed)
        if processed % importing.PROGRESS_EVERY == 0:
            observer = connections.create_connection(DEFAULT_DB_ALIAS)
            try:
                with observer.cursor() as cursor:
                    cursor.execute(
                        "SELECT processed_rows FROM regions_importjob WHERE id = %s", [self.job_id]
                    )
                    seen.append(cursor.fetchone()[0])
            finally:
                observer.close()

    monkeypatch.setattr(importing._Progress, "update", spy)
    job = importing.start_import(region("VR09"), "candidates", upload, actor=coordinator)
    job.refresh_from_db()  # eager Celery: the task ran when the upload committed
    assert job.status == ImportJob.Status.CHECKED and job.created_count == 100
    assert seen == [20, 40, 60, 80, 100]
    seen.clear()
    importing.confirm_import(job, actor=coordinator)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert seen == [20, 40, 60, 80, 100]
    assert Candidate.objects.count() == 100
