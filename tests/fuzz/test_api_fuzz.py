"""API fuzzing with schemathesis against the OpenAPI schema that drf-spectacular serves.

Every operation of ``/api/v1/schema/`` is generated in all of schemathesis's
phases (explicit examples, coverage, fuzzing; positive and negative data), and each
generated request is sent once per role token: anonymous, reservist, care
organisation user, regional coordinator, national coordinator and triangle member.
The staff personas have MFA set up, so they reach past the ``mfa_required`` 403.
A stateful run follows the links schemathesis infers (create, then read or act on
what was created) for the roles that can create something.

Checks: all of schemathesis's built-in checks but one (see EXCLUDED):
- ``not_a_server_error``: no 5xx;
- ``status_code_conformance``, ``content_type_conformance``,
  ``response_schema_conformance``, ``response_headers_conformance``: every answer is
  documented in the schema, with its body;
- ``negative_data_rejection``: invalid input is refused with a 4xx;
- ``missing_required_header``, ``unsupported_method``, ``ignored_auth``,
  ``use_after_free``, ``ensure_resource_availability``.

The requests go through Django's WSGI handler in-process, in the test's transaction.
Path parameters are drawn from real objects as well as from generated values, so that
``/requests/{id}/approve/`` meets an existing request and not only 404s.
Bounded for CI: ``NZR_FUZZ_EXAMPLES`` fuzzing examples per operation (default 5; the
coverage phase adds its own deterministic cases), ``NZR_FUZZ_STATEFUL_EXAMPLES`` stateful
scenarios of up to 6 steps per role (default 8). Derandomized: CI runs the same cases.
"""

import os

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import strategies as st
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.services import api_token_for
from requests_app.models import Assignment
from tests.escalation.factories import make_escalation
from tests.requests_app.factories import at, invite, make_request

# positive_data_acceptance expects every schema-valid body to be accepted; business rules
# the schema cannot state (an end after its start, a date not in the past, an organisation
# id that exists, every ladder step attested) rightly refuse such bodies with a 400.
EXCLUDED = [positive_data_acceptance]
MAX_EXAMPLES = int(os.environ.get("NZR_FUZZ_EXAMPLES", "5"))
STATEFUL_EXAMPLES = int(os.environ.get("NZR_FUZZ_STATEFUL_EXAMPLES", "8"))
ROLES = [
    "anonymous",
    "reservist",
    "care_org_user",
    "regional_coordinator",
    "national_coordinator",
    "triangle_member",
]


def _load_schema():
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    from nzr.wsgi import application

    # Loaded while collecting, before pytest-django turns DEBUG off: the URLconf must not
    # be built with DEBUG's extra routes.
    with override_settings(DEBUG=False):
        schema = SchemaGenerator().get_schema(public=True)
    raw = json.loads(OpenApiJsonRenderer().render(schema))
    config = schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": MAX_EXAMPLES},
            "seed": 20261122,
        }
    )
    loaded = schemathesis.openapi.from_dict(raw, config=config)
    loaded.app = application
    return loaded, raw


schema, RAW_SCHEMA = _load_schema()


# Real objects per path prefix: (model label, lookup field).
def _real_values(path: str) -> list:
    from escalation.models import Crisis, Escalation, LadderStep
    from registry.models import Availability, Profile, Region, Reservist
    from requests_app.models import CareOrganisation, DeploymentRequest, Invitation, Shift
    from training.models import Course

    table = [
        ("/api/v1/me/availability/", Availability, "pk"),
        ("/api/v1/me/invitations/", Invitation, "pk"),
        ("/api/v1/assignments/", Assignment, "pk"),
        ("/api/v1/courses/", Course, "code"),
        ("/api/v1/crises/", Crisis, "pk"),
        ("/api/v1/escalations/", Escalation, "pk"),
        ("/api/v1/ladder/", LadderStep, "code"),
        ("/api/v1/organisations/", CareOrganisation, "pk"),
        ("/api/v1/profiles/", Profile, "code"),
        ("/api/v1/regions/", Region, "code"),
        ("/api/v1/requests/", DeploymentRequest, "pk"),
        ("/api/v1/reservists/", Reservist, "pk"),
        ("/api/v1/shifts/", Shift, "pk"),
    ]
    for prefix, model, field in table:
        if path.startswith(prefix):
            return list(model.objects.order_by("pk").values_list(field, flat=True)[:4])
    return []


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, swap a generated id for one of a real object."""
    path_parameters = path_parameters or {}
    key = "code" if "code" in path_parameters else "id" if "id" in path_parameters else None
    values = _real_values(context.operation.path) if key else []
    if not values:
        return st.just(path_parameters)
    return st.one_of(
        st.just(path_parameters),
        st.sampled_from(values).map(lambda v: {**path_parameters, key: v}),
    )


@pytest.fixture
def in_transaction_wsgi():
    """Django's WSGI handler closes "old" connections around each request, which inside
    the test's transaction would close it; the test client disconnects the same receiver."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(
    reservist,
    reservist_record,
    other_reservist,
    organisation,
    care_org_user,
    regional_coordinator,
    national_coordinator,
    triangle_member,
    in_transaction_wsgi,
):
    """A small national picture: requests in several states, a shift with an invitation
    for the reservist, a worked assignment, an escalation; tokens per role."""
    req = make_request(
        organisation, status="approved", shifts=[(at(3, 7), at(3, 15), 2, "verzorgende")]
    )
    make_request(organisation, status="submitted")
    invite(req.shifts.get(), reservist_record)
    past = make_request(organisation, status="approved")
    past_shift = past.shifts.get()
    Assignment.objects.create(
        shift=past_shift,
        reservist=reservist_record,
        start=past_shift.start,
        end=past_shift.end,
    )
    make_escalation(make_request(organisation, status="escalated"))
    users = {
        "reservist": reservist,
        "care_org_user": care_org_user,
        "regional_coordinator": regional_coordinator,
        "national_coordinator": national_coordinator,
        "triangle_member": triangle_member,
    }
    headers = {"anonymous": {}}
    for role, user in users.items():
        headers[role] = {"Authorization": f"Token {api_token_for(user)}"}
    return headers


@pytest.mark.django_db
def test_fuzzed_schema_is_the_served_schema(api):
    served = api.get("/api/v1/schema/", {"format": "json"})
    assert served.status_code == 200
    assert served.json()["paths"] == RAW_SCHEMA["paths"]
    assert served.json()["components"] == RAW_SCHEMA["components"]


@pytest.mark.django_db
@schema.parametrize()
@hypothesis.settings(
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
    database=None,
)
def test_api_fuzz(case, fuzz_world):
    for role in ROLES:
        try:
            case.call_and_validate(headers=fuzz_world[role], excluded_checks=EXCLUDED)
        except FailureGroup as exc:
            raise AssertionError(f"As {role}: {exc}") from None


STATEFUL_ROLES = ["care_org_user", "national_coordinator", "reservist"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", STATEFUL_ROLES)
def test_api_stateful(fuzz_world, role):
    """The stateful phase: sequences along the links schemathesis infers (e.g. POST
    /crises/ then /crises/{id}/activate/), as the roles that create things."""
    headers = fuzz_world[role]
    base = schema.as_state_machine()
    calls = []

    class Machine(base):
        def get_call_kwargs(self, case):
            calls.append(case.operation.label)
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            try:
                case.validate_response(
                    response,
                    additional_checks=additional_checks,
                    excluded_checks=EXCLUDED,
                    headers=headers,
                    transport_kwargs=kwargs,
                )
            except FailureGroup as exc:
                raise AssertionError(f"As {role}: {exc}") from None

    Machine.run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            derandomize=True,
            database=None,
        )
    )
    assert len(calls) >= STATEFUL_EXAMPLES
