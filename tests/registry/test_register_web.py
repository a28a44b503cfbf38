import io

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import AccessLog
from tests.factories import ReservistFactory, region

pytestmark = pytest.mark.django_db


def test_search_page_lists_own_region_only(
    client, regional_coordinator, reservist_record, other_reservist
):
    client.force_login(regional_coordinator)
    response = client.get(reverse("registry:reservist_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("registry:reservist_detail", args=[reservist_record.pk]) in html
    assert reverse("registry:reservist_detail", args=[other_reservist.reservist.pk]) not in html
    assert AccessLog.objects.filter(user=regional_coordinator, action="list").exists()


def test_search_page_filters_and_paginates(client, national_coordinator):
    for n in range(30):
        ReservistFactory(last_name=f"Achternaam{n:02d}")
    ReservistFactory(last_name="Zwart", home_region=region("VR13"))
    client.force_login(national_coordinator)
    page1 = client.get(reverse("registry:reservist_list")).content.decode()
    assert "Achternaam00" in page1 and "Zwart" not in page1
    page2 = client.get(reverse("registry:reservist_list"), {"page": 2}).content.decode()
    assert "Zwart" in page2
    only = client.get(reverse("registry:reservist_list"), {"region": "VR13"}).content.decode()
    assert "Zwart" in only and "Achternaam00" not in only
    bad = client.get(
        reverse("registry:reservist_list"),
        {"available_from": "2026-05-01", "available_until": "2026-04-01"},
    )
    assert 'id="id_available_until_error"' in bad.content.decode()


def test_detail_page_is_logged_and_scoped(
    client, regional_coordinator, reservist_record, other_reservist
):
    client.force_login(regional_coordinator)
    response = client.get(reverse("registry:reservist_detail", args=[reservist_record.pk]))
    assert response.status_code == 200
    assert reservist_record.big_number in response.content.decode()
    assert AccessLog.objects.filter(
        user=regional_coordinator, action="view", subject_id=str(reservist_record.pk)
    ).exists()
    other = other_reservist.reservist
    assert client.get(reverse("registry:reservist_detail", args=[other.pk])).status_code == 404


def test_big_check_digit_warning_shown_to_coordinator(client, regional_coordinator):
    flagged = ReservistFactory(big_number="29012345601")
    client.force_login(regional_coordinator)
    html = client.get(reverse("registry:reservist_detail", args=[flagged.pk])).content.decode()
    assert "nzr-badge--warn" in html


def test_export_csv_and_xlsx_of_the_filter_is_logged(
    client, regional_coordinator, reservist_record
):
    ReservistFactory(last_name="Paused", status="paused")
    client.force_login(regional_coordinator)
    url = reverse("registry:reservist_export")
    response = client.get(url, {"status": "active", "format": "csv"})
    assert response.status_code == 200
    body = response.content.decode()
    assert reservist_record.last_name in body and "Paused" not in body
    log = AccessLog.objects.get(user=regional_coordinator, action="export")
    assert log.count == 1
    response = client.get(url, {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3  # header + two reservists of VR09
    assert AccessLog.objects.filter(user=regional_coordinator, action="export").count() == 2


def test_reservist_cannot_open_the_register(client, reservist):
    client.force_login(reservist)
    assert client.get(reverse("registry:reservist_list")).status_code == 403


def test_admin_views_are_logged_and_scoped(client, superuser, reservist_record):
    client.force_login(superuser)
    response = client.get(f"/admin/registry/reservist/{reservist_record.pk}/change/")
    assert response.status_code == 200
    assert AccessLog.objects.filter(
        user=superuser, action="view", subject_id=str(reservist_record.pk)
    ).exists()
    assert client.get("/admin/registry/reservist/").status_code == 200
    assert AccessLog.objects.filter(user=superuser, action="list").exists()


def test_coordinator_adds_a_note(client, regional_coordinator, reservist_record):
    client.force_login(regional_coordinator)
    url = reverse("registry:reservist_note", args=[reservist_record.pk])
    response = client.post(url, {"note-text": ""})
    assert 'id="id_note-text_error"' in response.content.decode()
    assert client.post(url, {"note-text": "Gebeld: beschikbaar vanaf maart."}).status_code == 302
    assert reservist_record.notes.get().author == regional_coordinator
    page = client.get(reverse("registry:reservist_detail", args=[reservist_record.pk]))
    assert "Gebeld: beschikbaar vanaf maart." in page.content.decode()
