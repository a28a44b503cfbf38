"""Bulk import: dry run per row, confirm, all or nothing, duplicates matched, Celery for
large files with progress on the job row."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from regions import importing
from regions.errors import ImportRefused
from regions.models import Candidate, ImportJob
from registry.models import Reservist
from tests.factories import ReservistFactory, region
from tests.regions.factories import make_candidate

pytestmark = pytest.mark.django_db

HEADER = "first_name,last_name,email,phone,big_number,source,campaign\n"


def upload(text: str, name="werving.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_dry_run_shows_per_row_and_writes_nothing(regional_coordinator):
    make_candidate(email="bekend@example.org")
    text = HEADER + (
        "Anna,Smit,anna@example.org,0612345678,,campaign,Radio\n"
        "Bekende,Kandidaat,BEKEND@example.org,,,agency,\n"
        ",Zonder,zonder@example.org,,,campaign,\n"
        "Piet,Bol,geen-mail,,,campaign,\n"
    )
    job = importing.start_import(
        region("VR09"), "candidates", upload(text), actor=regional_coordinator
    )
    assert job.status == ImportJob.Status.CHECKED
    actions = [(r["row"], r["action"]) for r in job.rows]
    assert actions == [(2, "create"), (3, "update"), (4, "refuse"), (5, "refuse")]
    assert any("First name" in m or "Voornaam" in m for m in job.rows[2]["reasons"])
    assert "geen-mail" in " ".join(job.rows[3]["reasons"])
    assert (job.created_count, job.updated_count, job.refused_count) == (1, 1, 2)
    assert Candidate.objects.count() == 1  # the dry run wrote nothing
    assert not job.can_confirm


def test_confirm_imports_everything(regional_coordinator):
    make_candidate(email="bekend@example.org", phone="")
    text = HEADER + (
        "Anna,Smit,anna@example.org,0612345678,,Campagne,Radio\n"
        "Bekende,Kandidaat,bekend@example.org,0687654321,,agency,\n"
    )
    job = importing.start_import(
        region("VR09"), "candidates", upload(text), actor=regional_coordinator
    )
    assert job.can_confirm
    job = importing.confirm_import(job, actor=regional_coordinator)
    assert job.status == ImportJob.Status.DONE
    assert Candidate.objects.count() == 2
    assert Candidate.objects.get(email="bekend@example.org").phone == "0687654321"
    anna = Candidate.objects.get(email="anna@example.org")
    assert anna.source == "campaign" and anna.region.code == "VR09"


def test_import_is_all_or_nothing(regional_coordinator, monkeypatch):
    text = (
        HEADER
        + "Anna,Smit,anna@example.org,0612345678,,campaign,\nBert,Berg,bert@example.org,0612345679,,campaign,\n"
    )
    job = importing.start_import(
        region("VR09"), "candidates", upload(text), actor=regional_coordinator
    )
    assert job.can_confirm
    # Between the dry run and the confirmation, someone in VR13 records Bert: his row
    # is refused now, and Anna's row must not be written either.
    make_candidate("VR13", first_name="Bert", email="bert@example.org")
    job = importing.confirm_import(job, actor=regional_coordinator)
    assert job.status == ImportJob.Status.REFUSED
    assert job.refused_count == 1
    assert not Candidate.objects.filter(email="anna@example.org").exists()


def test_duplicates_within_one_file_are_matched(regional_coordinator):
    text = HEADER + (
        "Anna,Smit,anna@example.org,0612345678,,campaign,\n"
        "Anna,Smit-de Wit,ANNA@example.org,,,campaign,Tweede regel\n"
    )
    job = importing.start_import(
        region("VR09"), "candidates", upload(text), actor=regional_coordinator
    )
    assert [r["action"] for r in job.rows] == ["create", "update"]
    importing.confirm_import(job, actor=regional_coordinator)
    assert Candidate.objects.filter(email__iexact="anna@example.org").count() == 1


def test_reservist_import_matches_by_email_and_big(regional_coordinator):
    existing = ReservistFactory(big_number="19087654302")
    other = ReservistFactory(big_number="19011111101")
    rows = [
        "voornaam;achternaam;e-mail;big-nummer;postcode",
        f"X;Y;{existing.user.email};;3511ab",  # same e-mail: update
        "Nieuw;Persoon;nieuw@example.org;19012345601;3512 JE",  # new: create
        "Zelfde;Big;anders@example.org;19087654302;",  # same BIG number: update
    ]
    conflict = (
        f"Fout;Rij;{existing.user.email};{other.big_number};"  # e-mail of one, BIG of another
    )
    job = importing.start_import(
        region("VR09"),
        "reservists",
        upload("\n".join([*rows, conflict])),
        actor=regional_coordinator,
    )
    assert [r["action"] for r in job.rows] == ["update", "create", "update", "refuse"]
    assert job.rows[3]["reasons"]
    before = Reservist.objects.count()
    assert not job.can_confirm
    job = importing.start_import(
        region("VR09"), "reservists", upload("\n".join(rows)), actor=regional_coordinator
    )
    job = importing.confirm_import(job, actor=regional_coordinator)
    assert job.status == ImportJob.Status.DONE
    assert Reservist.objects.count() == before + 1  # matched, not doubled
    existing.refresh_from_db()
    assert existing.postcode == "3511 AB"


def test_reservist_import_creates_applied_reservists(regional_coordinator):
    text = "first_name,last_name,email,big_number\nNieuw,Persoon,nieuw@example.org,19012345601\n"
    job = importing.start_import(
        region("VR09"), "reservists", upload(text), actor=regional_coordinator
    )
    job = importing.confirm_import(job, actor=regional_coordinator)
    assert job.status == ImportJob.Status.DONE
    reservist = Reservist.objects.get(user__email="nieuw@example.org")
    assert reservist.status == "applied" and reservist.home_region.code == "VR09"
    assert not reservist.user.has_usable_password()


def test_person_of_another_region_is_refused(regional_coordinator):
    ReservistFactory(home_region=region("VR13"), postcode="1011 AB", big_number="19087654302")
    text = "first_name,last_name,big_number\nA,B,19087654302\n"
    job = importing.start_import(
        region("VR09"), "reservists", upload(text), actor=regional_coordinator
    )
    assert job.rows[0]["action"] == "refuse"
    assert (
        "another region" in job.rows[0]["reasons"][0] or "andere regio" in job.rows[0]["reasons"][0]
    )


def test_xlsx_file(regional_coordinator):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["first_name", "last_name", "email", "big_number"])
    sheet.append(["Xandra", "Lek", "xandra@example.org", 19012345601])
    data = io.BytesIO()
    book.save(data)
    file = SimpleUploadedFile("lijst.xlsx", data.getvalue())
    job = importing.start_import(region("VR09"), "reservists", file, actor=regional_coordinator)
    assert job.rows[0]["action"] == "create", job.rows
    importing.confirm_import(job, actor=regional_coordinator)
    assert Reservist.objects.get(user__email="xandra@example.org").big_number == "19012345601"


def test_unreadable_files_are_refused(regional_coordinator):
    with pytest.raises(ImportRefused):
        importing.start_import(
            region("VR09"), "candidates", upload("a,b\n1,2\n"), actor=regional_coordinator
        )
    with pytest.raises(ImportRefused):
        importing.start_import(
            region("VR09"), "candidates", upload("x", name="lijst.pdf"), actor=regional_coordinator
        )
    assert not ImportJob.objects.exists()


def test_large_file_runs_as_celery_job(
    regional_coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(importing, "LARGE_IMPORT_ROWS", 5)
    lines = [f"Naam{i},Achter{i},p{i}@example.org,06123456{i:02d},,campaign,\n" for i in range(30)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = importing.start_import(
            region("VR09"),
            "candidates",
            upload(HEADER + "".join(lines)),
            actor=regional_coordinator,
        )
        assert job.status == ImportJob.Status.CHECKING  # enqueued, not run in the request
    assert len(callbacks) == 1  # the Celery task, sent on commit and run eagerly
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert job.processed_rows == job.total_rows == 30 and job.created_count == 30
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = importing.confirm_import(job, actor=regional_coordinator)
        assert job.status == ImportJob.Status.IMPORTING
    assert len(callbacks) >= 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Candidate.objects.count() == 30


def test_import_pages(client, regional_coordinator, monkeypatch):
    client.force_login(regional_coordinator)
    assert client.get("/region/imports/new/").status_code == 200
    bad = client.post("/region/imports/new/", {"kind": "candidates", "file": upload("a,b\n1,2\n")})
    assert bad.status_code == 400 and bad.context["form"].errors["file"]
    text = HEADER + "Anna,Smit,anna@example.org,0612345678,,campaign,\n"
    response = client.post("/region/imports/new/", {"kind": "candidates", "file": upload(text)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/region/imports/{job.pk}/"
    page = client.get(f"/region/imports/{job.pk}/")
    assert page.status_code == 200 and "Anna Smit" in page.content.decode()
    assert client.get(f"/region/imports/{job.pk}/progress/").status_code == 200
    assert client.post(f"/region/imports/{job.pk}/confirm/").status_code == 302
    assert Candidate.objects.filter(email="anna@example.org").exists()


def test_progress_page_polls_while_running(client, regional_coordinator):
    job = ImportJob.objects.create(
        region=region("VR09"),
        kind="candidates",
        filename="x.csv",
        file_format="csv",
        content=b"",
        total_rows=1000,
        processed_rows=250,
        created_by=regional_coordinator,
    )
    client.force_login(regional_coordinator)
    html = client.get(f"/region/imports/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="250"' in html


def test_other_region_import_is_404(client, other_region_coordinator, regional_coordinator):
    job = ImportJob.objects.create(
        region=region("VR09"),
        kind="candidates",
        filename="x.csv",
        file_format="csv",
        content=b"",
        created_by=regional_coordinator,
    )
    client.force_login(other_region_coordinator)
    assert client.get(f"/region/imports/{job.pk}/").status_code == 404
    assert client.post(f"/region/imports/{job.pk}/confirm/").status_code == 404
    assert (
        client.post("/region/imports/new/?region=VR09", {"kind": "candidates"}).status_code == 404
    )


def test_csv_from_dutch_excel_is_read(regional_coordinator):
    text = "voornaam;achternaam;e-mail\nJosé;Çelik;jose@example.org\n"
    file = SimpleUploadedFile("excel.csv", text.encode("cp1252"))
    job = importing.start_import(region("VR09"), "candidates", file, actor=regional_coordinator)
    assert job.rows[0]["name"] == "José Çelik"
