from datetime import date

import pytest
from django.urls import reverse

from accounts.scope import scope_of
from registry.models import Region, Reservist, Ring

pytestmark = pytest.mark.django_db


def step_url(n):
    return reverse("registry:onboarding_step", args=[n])


STEP1 = {
    "first_name": "Greet",
    "last_name": "van Dam",
    "date_of_birth": "1958-03-14",
    "phone": "06 12345678",
}


def step2(utrecht):
    return {
        "postcode": "3511ab",
        "municipality": utrecht.pk,
        "regions": [Region.objects.get(code="VR13").pk],
        "sectors": ["hospital", "vvt"],
        "readiness": "24h",
    }


def step3(nurse, big="19012345601"):
    return {
        "profession": nurse.pk,
        "level": "hbo",
        "big_number": big,
        "big_valid_until": "2029-01-01",
        "specialisations": ["ic"],
        "specialisations_other": "dialyse",
        "years_experience": "35",
        "last_worked_in_care": "2020-06-30",
    }


def test_welcome_offers_both_ways(client, applicant):
    client.force_login(applicant)
    response = client.get(reverse("registry:onboarding"))
    assert response.status_code == 200
    assert step_url(1) in response.content.decode()
    assert reverse("requests_app:home") in response.content.decode()


def test_full_wizard_creates_reservist_and_grants_role(client, applicant, utrecht, nurse):
    client.force_login(applicant)
    assert client.post(step_url(1), STEP1).url == step_url(2)
    reservist = Reservist.objects.get(user=applicant)
    assert reservist.status == "applied" and reservist.onboarding_step == 1
    assert not reservist.onboarding_done
    assert client.post(step_url(2), step2(utrecht)).url == step_url(3)
    assert client.post(step_url(3), step3(nurse)).url == step_url(4)
    page = client.get(step_url(4))
    assert 'aria-current="step"' in page.content.decode()
    response = client.post(step_url(4), {"consent": "on"})
    assert response.url == reverse("registry:me")
    reservist.refresh_from_db()
    assert reservist.onboarding_done and reservist.consent_at
    assert reservist.postcode == "3511 AB"
    assert reservist.home_region.code == "VR09"  # follows from the municipality
    assert reservist.ring == Ring.BIG_NURSE  # derived, never typed
    assert reservist.specialisations == ["ic", "dialyse"]
    assert reservist.date_of_birth == date(1958, 3, 14)
    assert [r.code for r in reservist.regions.all()] == ["VR13"]
    assert reservist.status_changes.get().to_status == "applied"
    applicant.refresh_from_db()
    assert scope_of(applicant).is_reservist
    assert client.get(reverse("registry:me")).status_code == 200


def test_bad_input_shows_error_next_to_field_and_writes_nothing(client, applicant):
    client.force_login(applicant)
    response = client.post(step_url(1), {**STEP1, "phone": "12345", "date_of_birth": "2100-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_phone_error"' in html
    assert 'aria-describedby="id_phone_helptext id_phone_error"' in html or "id_phone_error" in html
    assert 'id="id_date_of_birth_error"' in html
    assert not Reservist.objects.filter(user=applicant).exists()


def test_bad_postcode_keeps_earlier_step_and_saves_nothing_of_this_step(client, applicant, utrecht):
    client.force_login(applicant)
    client.post(step_url(1), STEP1)
    response = client.post(step_url(2), {**step2(utrecht), "postcode": "1234 SA"})
    assert response.status_code == 200
    assert 'id="id_postcode_error"' in response.content.decode()
    reservist = Reservist.objects.get(user=applicant)
    assert reservist.onboarding_step == 1
    assert reservist.postcode == "" and reservist.municipality is None
    assert reservist.regions.count() == 0


def test_big_profession_needs_big_number_but_bad_check_digit_is_accepted(
    client, applicant, utrecht, nurse
):
    client.force_login(applicant)
    client.post(step_url(1), STEP1)
    client.post(step_url(2), step2(utrecht))
    response = client.post(step_url(3), {**step3(nurse), "big_number": ""})
    assert 'id="id_big_number_error"' in response.content.decode()
    response = client.post(step_url(3), {**step3(nurse), "big_number": "123"})
    assert 'id="id_big_number_error"' in response.content.decode()
    # 11 digits but a wrong check digit: accepted, flagged for the coordinator.
    response = client.post(step_url(3), step3(nurse, big="29012345601"))
    assert response.status_code == 302
    reservist = Reservist.objects.get(user=applicant)
    assert reservist.big_number == "29012345601"
    assert reservist.big_check_digit_ok is False


def test_stop_and_come_back(client, applicant, utrecht):
    client.force_login(applicant)
    response = client.post(step_url(1), {**STEP1, "stop": "1"})
    assert response.url == reverse("registry:onboarding")
    # skipping ahead is not possible: step 3 sends you to step 2
    assert client.get(step_url(3)).url == step_url(2)
    welcome = client.get(reverse("registry:onboarding")).content.decode()
    assert step_url(2) in welcome
    page = client.get(step_url(1)).content.decode()
    assert 'value="Greet"' in page  # earlier answers are kept


def test_consent_is_required(client, applicant, utrecht, nurse):
    client.force_login(applicant)
    client.post(step_url(1), STEP1)
    client.post(step_url(2), step2(utrecht))
    client.post(step_url(3), step3(nurse))
    response = client.post(step_url(4), {})
    assert response.status_code == 200
    assert 'id="id_consent_error"' in response.content.decode()
    assert not Reservist.objects.get(user=applicant).onboarding_done
    assert not scope_of(applicant).is_reservist


def test_a_reservist_is_not_sent_through_the_wizard_again(client, reservist):
    client.force_login(reservist)
    assert client.get(step_url(1)).url == reverse("registry:me")
    assert client.get(reverse("registry:onboarding")).url == reverse("start")
