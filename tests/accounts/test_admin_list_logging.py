"""What the admin's access-log entries name: every person on a change-list page (the
assignment list of 118 rows), the answers of the autocomplete, the reservist's history
page, a training session's sign-ups (an inline) and a "delete selected" confirmation."""

import pytest
from django.urls import reverse

from accounts.models import AccessLog
from regions.models import VettingCheck
from tests import bulk
from training.models import Course, SessionSignup, TrainingSession

pytestmark = pytest.mark.django_db

RESERVIST = "registry.reservist"


def _newest():
    return AccessLog.objects.order_by("-pk").first()


def _assignments(n):
    organisation = bulk.organisations(1)[0]
    request_ = bulk.requests(organisation, 1, shifts=0)[0]
    people = bulk.reservists(n)
    return bulk.assignments(bulk.shifts(request_, n), people), people


@pytest.mark.parametrize("persona", ["national_coordinator", "superuser"])
def test_the_assignment_list_names_every_reservist_on_each_page(persona, client, request):
    assignments, _ = _assignments(118)
    client.force_login(request.getfixturevalue(persona))
    url = reverse("admin:requests_app_assignment_changelist")
    shown = set()
    for page in ("", "?p=2"):
        response = client.get(url + page)
        assert response.status_code == 200
        on_page = {str(a.reservist_id) for a in response.context["cl"].result_list}
        entry = AccessLog.objects.filter(action="list", subject_type=RESERVIST).latest("pk")
        assert set(entry.subject_ids) == on_page and entry.count == len(on_page)
        shown |= on_page
    assert shown == {str(a.reservist_id) for a in assignments}  # 100 + 18


def test_a_triangle_member_reading_the_assignment_list_is_logged(client, triangle_member):
    _assignments(3)
    client.force_login(triangle_member)
    response = client.get(reverse("admin:requests_app_assignment_changelist"))
    if response.status_code != 200:
        pytest.skip("the triangle has no access to the assignment list")
    rows = response.context["cl"].result_list
    entry = _newest()
    assert entry.user == triangle_member
    assert set(entry.subject_ids) == {str(a.reservist_id) for a in rows}


def test_the_autocomplete_logs_the_reservists_it_answers_with(client, superuser):
    people = bulk.reservists(3, last_name="Okkerse")
    bulk.reservists(2, last_name="Anders")
    client.force_login(superuser)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "training",
            "model_name": "trainingrecord",
            "field_name": "reservist",
            "term": "Okkerse",
        },
    )
    answered = {r["id"] for r in response.json()["results"]}
    assert answered == {str(p.pk) for p in people}
    entry = _newest()
    assert entry.subject_type == RESERVIST and set(entry.subject_ids) == answered
    assert "autocomplete" in entry.detail


def test_the_history_page_of_a_reservist_is_logged(client, superuser, reservist_record):
    client.force_login(superuser)
    url = reverse("admin:registry_reservist_history", args=[reservist_record.pk])
    assert client.get(url).status_code == 200
    entry = AccessLog.objects.filter(subject_type=RESERVIST).latest("pk")
    assert (entry.user, entry.action, entry.subject_type) == (superuser, "view", RESERVIST)
    assert entry.subject_ids == [str(reservist_record.pk)] and "history" in entry.detail


def test_a_training_session_page_logs_its_signed_up_reservists(client, superuser):
    from django.utils import timezone

    session = TrainingSession.objects.create(
        course=Course.objects.order_by("pk").first(),
        starts_at=timezone.now(),
        ends_at=timezone.now(),
        place="Zorgcampus",
        trainer="J. de Boer",
        capacity=5,
    )
    people = bulk.reservists(3)
    SessionSignup.objects.bulk_create([SessionSignup(session=session, reservist=p) for p in people])
    client.force_login(superuser)
    response = client.get(reverse("admin:training_trainingsession_change", args=[session.pk]))
    assert response.status_code == 200 and people[0].last_name in response.content.decode()
    entry = AccessLog.objects.filter(subject_type=RESERVIST).latest("pk")
    assert set(entry.subject_ids) == {str(p.pk) for p in people}


def test_a_delete_selected_confirmation_logs_the_reservists_it_lists(client, superuser):
    people = bulk.reservists(2)
    checks = VettingCheck.objects.bulk_create(
        [VettingCheck(reservist=p, kind="identity", outcome="pass") for p in people]
    )
    client.force_login(superuser)
    response = client.post(
        reverse("admin:regions_vettingcheck_changelist"),
        {"action": "delete_selected", "_selected_action": [c.pk for c in checks]},
    )
    assert response.status_code == 200 and people[1].last_name in response.content.decode()
    entry = AccessLog.objects.filter(subject_type=RESERVIST).latest("pk")
    assert set(entry.subject_ids) == {str(p.pk) for p in people}
    assert VettingCheck.objects.count() == 2  # only the confirmation: nothing deleted


def test_the_password_page_of_a_user_is_logged(client, superuser, reservist):
    client.force_login(superuser)
    url = reverse("admin:auth_user_password_change", args=[reservist.pk])
    assert client.get(url).status_code == 200
    entry = _newest()
    assert (entry.subject_type, entry.subject_ids) == ("accounts.user", [str(reservist.pk)])
