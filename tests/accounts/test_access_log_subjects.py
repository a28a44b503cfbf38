"""An access-log entry of a list or export names every person it showed, however many
(AccessLogSubject rows; the entry's text used to keep the first 60 ids), and a search
for one person's reads finds the lists and exports that included the person."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.audit import log_list, log_read, reads_of
from accounts.models import AccessLog, AccessLogSubject
from registry.models import Reservist
from registry.services import export_data
from tests import bulk

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("n", [1, 60, 61, 1000])
def test_a_list_entry_names_every_id_in_two_statements(n, national_coordinator):
    ids = [str(100000 + i) for i in range(n)]
    with CaptureQueriesContext(connection) as queries:
        entry = log_list(None, national_coordinator, Reservist, ids, detail="export")
    assert len(queries) == 2  # the entry, and all its people in one INSERT
    entry = AccessLog.objects.get(pk=entry.pk)
    assert entry.subject_ids == ids and entry.count == n and entry.subject_id == ""
    assert entry.detail == "export"


def test_the_register_export_of_61_reservists_names_all_61(client, regional_coordinator):
    people = bulk.reservists(61)
    client.force_login(regional_coordinator)
    response = client.get(reverse("registry:reservist_export"), {"format": "csv"})
    assert response.status_code == 200
    entry = AccessLog.objects.get(user=regional_coordinator, action="export")
    exported = response.content.decode().count("Reservist ")  # bulk last names
    assert exported == 61 and entry.count == 61
    assert set(entry.subject_ids) == {str(p.pk) for p in people}


def test_a_search_for_one_reservist_finds_the_lists_that_showed_it(
    national_coordinator, regional_coordinator
):
    people = bulk.reservists(70)
    last, other = people[-1], bulk.reservists(1)[0]
    listed = log_list(None, national_coordinator, Reservist, [p.pk for p in people])
    read = log_read(None, regional_coordinator, last)
    log_list(None, national_coordinator, Reservist, [other.pk])
    assert set(reads_of(last)) == {listed, read}  # the 70th of the list too
    assert set(reads_of(other)) - {listed, read} and listed not in reads_of(other)
    assert not AccessLog.objects.naming("regions.candidate", last.pk).exists()


def test_the_gdpr_export_shows_the_lists_and_exports_that_included_the_reservist(
    national_coordinator, reservist_record
):
    people = bulk.reservists(80)
    log_list(
        None,
        national_coordinator,
        Reservist,
        [*(p.pk for p in people), reservist_record.pk],
        action=AccessLog.Action.EXPORT,
        detail="web: register export csv",
    )
    log_list(None, national_coordinator, type(reservist_record.user), [reservist_record.user.pk])
    shown = export_data(reservist_record)["access_log"]
    assert {(row["action"], row["detail"]) for row in shown} == {
        ("export", "web: register export csv"),
        ("list", ""),
    }


def test_the_access_log_admin_finds_and_shows_every_person_of_an_entry(client, superuser):
    people = bulk.reservists(65)
    entry = log_list(None, superuser, Reservist, [p.pk for p in people], detail="marker-65")
    log_list(None, superuser, Reservist, [people[0].pk], detail="marker-1")
    client.force_login(superuser)
    url = reverse("admin:accounts_accesslog_changelist")
    found = client.get(url, {"q": str(people[-1].pk)}).context["cl"].result_list
    assert entry in found and not [e for e in found if e.detail == "marker-1"]
    page = client.get(reverse("admin:accounts_accesslog_change", args=[entry.pk]))
    assert str(people[-1].pk) in page.content.decode()
    assert f"registry.reservist (65): {', '.join(str(p.pk) for p in people)}" in (
        page.content.decode()
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts_accesslogsubject SET subject_id = 'x'",
        "DELETE FROM accounts_accesslogsubject",
        "TRUNCATE accounts_accesslogsubject",
    ],
)
def test_the_people_of_an_entry_cannot_be_changed_or_removed(sql, national_coordinator):
    log_list(None, national_coordinator, Reservist, [1, 2, 3])
    refused = pytest.raises(DatabaseError, match="accounts_accesslogsubject is append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AccessLogSubject.objects.count() == 3
