"""Role personas, reference data, and a guard that fails a test which logs an ERROR."""

import io
import logging
import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import Membership
from tests.factories import CareOrganisationFactory, ReservistFactory, make_persona, region

Role = Membership.Role


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        _end_other_sessions()


def _end_other_sessions():
    """Before pytest-django drops the test database: end the sessions that the suite's
    subprocesses (Celery workers, the benchmark-like thread tests) may still be closing,
    so that DROP DATABASE does not fail with "being accessed by other users". What they
    were is printed, to find the test that leaves one open."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, state, left(query, 120), "
            "pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        left_open = cursor.fetchall()
    for pid, application, state, query, _ended in left_open:
        print(f"\ntest database: ended session {pid} ({application!r}, {state}): {query}")


@pytest.fixture(scope="session", autouse=True)
def _flush_may_empty_access_log():
    """The access log refuses DELETE and TRUNCATE (accounts migration 0004) unless the
    transaction sets ``nzr.access_log_maintenance``. Emptying the database between
    transactional tests (Django's flush, a TRUNCATE) is such maintenance: only the
    flush's own transaction sets it (SET LOCAL), never a test."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        if self.connection.vendor == "postgresql":
            sql_list = [
                "SET LOCAL nzr.access_log_maintenance = 'on'",
                # Emptying tables is no change of what they hold: no trigger runs (the
                # shift figures' triggers would count the deleted shifts).
                "SET LOCAL session_replication_role = replica",
                *_delete_filled_tables(self.connection, sql_list),
            ]
        return original(self, sql_list)

    with mock.patch.object(BaseDatabaseOperations, "execute_sql_flush", execute_sql_flush):
        yield


def _delete_filled_tables(connection, sql_list):
    """Django empties the database after a transactional test with one TRUNCATE of all
    ~90 tables, which takes PostgreSQL about 2 s on the 2-vCPU machines; a test fills a
    few of them. DELETE the rows of the tables that have any (one query finds them)
    instead: the foreign keys are deferred, so the order does not matter. A TRUNCATE that
    also resets sequences is kept as it is."""
    kept = []
    for sql in sql_list:
        match = re.fullmatch(r"TRUNCATE (.+);", sql)
        if match is None or "RESTART IDENTITY" in sql or "CASCADE" in sql:
            kept.append(sql)
            continue
        tables = [name.strip() for name in match.group(1).split(",")]
        probe = " UNION ALL ".join(
            f"SELECT {i} FROM (SELECT 1 FROM {table} LIMIT 1) AS t{i}"  # noqa: S608 (names)
            for i, table in enumerate(tables)
        )
        with connection.cursor() as cursor:
            cursor.execute(probe)
            kept += [f"DELETE FROM {tables[i]}" for (i,) in cursor.fetchall()]  # noqa: S608
    return kept


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Reference data is loaded once per session; a transactional test flushes the
    database afterwards (pytest-django runs those last), so they reload it first."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from registry.models import Region

        if not Region.objects.exists():
            call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
    yield


@pytest.fixture(autouse=True)
def _clear_cache():
    """Empty this test process's cache keys (never FLUSHDB: other processes share Redis)."""
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()
    yield


class _ErrorCollector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(autouse=True)
def _fail_on_logged_error(request):
    """A test fails if anything logs an ERROR (ephios), unless it is marked ``allow_error_log``."""
    handler = _ErrorCollector()
    root = logging.getLogger()
    root.addHandler(handler)
    yield
    root.removeHandler(handler)
    if handler.records and not request.node.get_closest_marker("allow_error_log"):
        messages = "; ".join(f"{r.name}: {r.getMessage()}" for r in handler.records[:3])
        pytest.fail(f"ERROR logged during test: {messages}")


def pytest_configure(config):
    config.addinivalue_line("markers", "allow_error_log: the test expects an ERROR to be logged")
    # Production hashes passwords with PBKDF2 (1,000,000 rounds: about 1 s per password on
    # the 2-vCPU machines); every persona and every sign-in in the suite would pay that.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- personas ---------------------------------------------------------------


@pytest.fixture
def reference(db):
    """The database with reference data, also for a test that asks for a persona only
    through ``request.getfixturevalue`` (such tests run after the transactional ones)."""
    from registry.models import Region

    if not Region.objects.exists():
        call_command("load_reference_data", verbosity=0, stdout=io.StringIO())


@pytest.fixture
def organisation(reference):
    return CareOrganisationFactory(name="Zorggroep Utrecht", region=region("VR09"))


@pytest.fixture
def other_organisation(reference):
    return CareOrganisationFactory(
        name="Zorggroep Amsterdam", region=region("VR13"), postcode="1011 AB"
    )


@pytest.fixture
def reservist(reference):
    """A reservist user (with an active reservist record in VR09)."""
    return ReservistFactory().user


@pytest.fixture
def reservist_record(reservist):
    return reservist.reservist


@pytest.fixture
def other_reservist(reference):
    """A reservist of VR13."""
    return ReservistFactory(home_region=region("VR13"), postcode="1011 AB").user


@pytest.fixture
def care_org_user(organisation):
    return make_persona(Role.CARE_ORG, organisation=organisation)


@pytest.fixture
def other_care_org_user(other_organisation):
    return make_persona(Role.CARE_ORG, organisation=other_organisation)


@pytest.fixture
def regional_coordinator(reference):
    return make_persona(Role.REGIONAL, region=region("VR09"))


@pytest.fixture
def other_region_coordinator(reference):
    return make_persona(Role.REGIONAL, region=region("VR13"))


@pytest.fixture
def national_coordinator(reference):
    return make_persona(Role.NATIONAL)


@pytest.fixture
def triangle_member(reference):
    return make_persona(Role.TRIANGLE, party=Membership.Party.VWS)


@pytest.fixture
def superuser(reference):
    return make_persona("superuser")


@pytest.fixture
def outsider(reference):
    """Signed up and verified, but no role at all."""
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as():
    """``api_as(user)``: an API client signed in with the user's token."""
    from accounts.services import api_token_for

    def _make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
        return client

    return _make


PERSONAS = [
    "reservist",
    "care_org_user",
    "regional_coordinator",
    "other_region_coordinator",
    "national_coordinator",
    "triangle_member",
    "outsider",
]


@pytest.fixture(params=PERSONAS)
def persona(request):
    """Parametrised over every role (for permission matrices)."""
    return request.param, request.getfixturevalue(request.param)


# Tests that are about PostgreSQL itself: row locks and exclusion constraints under real
# threads, its triggers, its SQL, its one-statement reads. On the bare-laptop path
# (SQLite, no DATABASE_URL) they are skipped with the reason; CI runs them on PostgreSQL.
POSTGRES_ONLY = {
    "tests/requests_app/test_booking_concurrency.py": "real threads against row locks",
    "tests/requests_app/test_open_shifts_concurrency.py": "real threads against row locks",
    "tests/requests_app/test_booking_round_trips.py::"
    "test_a_check_that_misses_an_overlap_is_caught_at_the_commit": "the exclusion constraint",
    "tests/requests_app/test_matching_whole_request.py": "the whole request's SQL",
    "tests/dashboard/test_shift_figures.py": "the shift figures' triggers",
    "tests/accounts/test_token_authentication.py::test_the_scope_read_with_the_token": (
        "the token's one-statement read (nzr.fastsql)"
    ),
    "tests/accounts/test_token_authentication.py::test_second_factor_read_with_the_token": (
        "the token's one-statement read (nzr.fastsql)"
    ),
    "tests/accounts/test_access_log_subjects.py::"
    "test_a_list_entry_names_every_id_in_two_statements[1000]": (
        "one INSERT of 1,000 rows (SQLite splits it at its variable limit)"
    ),
}


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    for item in items:
        for prefix, why in POSTGRES_ONLY.items():
            if item.nodeid.startswith(prefix):
                item.add_marker(pytest.mark.skip(reason=f"needs PostgreSQL: {why}"))
