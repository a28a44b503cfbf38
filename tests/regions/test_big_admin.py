"""The admin's manual BIG check (the service down): recorded through the service, as
manual, by the coordinator who read the register; the rows are read-only."""

import pytest
from django.urls import reverse

from regions.models import BigRegisterCheck
from registry.deployability import deployable
from registry.models import Reservist
from tests.factories import ReservistFactory

pytestmark = pytest.mark.django_db


def test_a_manual_check_is_recorded_through_the_service(client, superuser):
    nurse = ReservistFactory(user=None, first_name="Anna", last_name="de Vries")
    client.force_login(superuser)
    url = reverse("admin:regions_bigregistercheck_add")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "reservist": nurse.pk,
            "status": "measure",
            "reason": "Schorsing volgens zoeken.bigregister.nl",
            "registered_name": "A. de Vries",
            "end_date": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = BigRegisterCheck.objects.get()
    assert row.source == "manual" and row.checked_by == superuser and row.blocks
    assert row.outcome == "fail" and row.big_number == nurse.big_number
    assert not deployable(Reservist.objects.filter(pk=nurse.pk)).exists()
    change = client.get(reverse("admin:regions_bigregistercheck_change", args=[row.pk]))
    assert change.status_code == 200 and b'name="reason"' not in change.content
    assert client.get(reverse("admin:regions_bigregistercheck_changelist")).status_code == 200


def test_a_manual_failure_without_a_reason_is_refused_next_to_the_field(client, superuser):
    nurse = ReservistFactory(user=None)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:regions_bigregistercheck_add"),
        {"reservist": nurse.pk, "status": "ended", "reason": "", "registered_name": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.get("reason")
    assert not BigRegisterCheck.objects.exists()
