"""Every admin page that shows a person's data writes an access-log entry that names the
person (accounts.admin_logging): a walk over every model registered in the admin.

One reservist, "Wiebrig Zonnevanck", is planted everywhere the data model lets a person
appear: as the reservist, her user account (e-mail address, authenticator, session,
token), a candidate, the subject of every row that refers to a reservist, and as the
user in every "by" column (checked by, declared by, created by, audit actor, reader of
the access log). A superuser with MFA opens each admin's change list (filtered to the
planted row), change page, history page, delete confirmation and, where the admin has
search fields, the autocomplete. Wherever a page shows her name, an entry written by
that request must name her (as reservist, user or candidate). The admins in
``NO_PERSONAL_DATA`` must never show it; every other admin must show it somewhere (else
the walk would prove nothing for it).
"""

from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import ForeignKey, ManyToManyField
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token, TokenProxy

from accounts.audit import log_action, log_read
from accounts.models import AccessLog, AuditEntry, User
from dashboard.models import PoolSnapshot
from escalation.models import LadderStep, PriorityFramework
from outbox.models import OutboxMessage
from regions.models import Candidate, CandidateStatusChange, ImportJob, VettingCheck
from registry.models import Municipality, Profession, Profile, Region, RegionGroup, Reservist
from requests_app.models import Assignment, DeploymentRequest
from tests import bulk
from tests.factories import ReservistFactory, UserFactory, enrol_mfa, region
from training.models import Course, SessionSignup, TrainingRecord, TrainingSession

pytestmark = pytest.mark.django_db

FIRST, LAST = "Wiebrig", "Zonnevanck"

# Admins that show no person's data: reference data, technical tables, and the ladder
# (whose change log names only the coordinators who changed a step).
NO_PERSONAL_DATA = {
    "auth.group",
    "dashboard.poolsnapshot",
    "escalation.ladderstep",
    "outbox.outboxmessage",
    "registry.municipality",
    "registry.profession",
    "registry.profile",
    "registry.region",
    "registry.regiongroup",
    "training.course",
    "training.courserequirement",
    "regions.vogrule",
}

REGISTERED = sorted(model._meta.label_lower for model in admin.site._registry)

# Django's own read-only password widget uses ``{{ password_url|default:... }}``, which
# --fail-on-template-vars takes for an error.
DJANGO_TEMPLATE_QUIRKS = {"accounts.user"}
WALK = [
    pytest.param(label, marks=[pytest.mark.ignore_template_errors])
    if label in DJANGO_TEMPLATE_QUIRKS
    else label
    for label in REGISTERED
]


def _plant(superuser) -> dict:
    """One row per registered admin model, each showing the planted person if it can."""
    from regions.models import BigRegisterCheck, VogRule
    from training.models import CourseRequirement

    user = UserFactory(first_name=FIRST, last_name=LAST, email="w.z@example.org")
    reservist = ReservistFactory(user=user)
    enrol_mfa(user)
    UserSession.objects.create(user=user, ip="192.0.2.7", session_key="plant", user_agent="x")
    Token.objects.create(user=user)
    log_action(reservist, "reservist.changed", actor=user)
    log_read(None, user, reservist, detail="self: my data page")
    course = Course.objects.order_by("pk").first()
    session = TrainingSession.objects.create(
        course=course,
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=2),
        place="Zorgcampus",
        trainer="J. de Boer",
        capacity=5,
        created_by=user,
    )
    SessionSignup.objects.create(session=session, reservist=reservist)
    candidate = Candidate.objects.create(
        region=region("VR09"),
        first_name=FIRST,
        last_name=LAST,
        reservist=reservist,
        created_by=user,
    )
    CandidateStatusChange.objects.create(
        candidate=candidate, from_status="new", to_status="contacted", actor=user
    )
    organisation = bulk.organisations(1, registered_by=user)[0]
    request_ = bulk.requests(organisation, 1, status="escalated")[0]
    DeploymentRequest.objects.filter(pk=request_.pk).update(created_by=user)
    shift = request_.shifts.get()
    framework = PriorityFramework.objects.create(name="Kader", created_by=user)
    snapshot = PoolSnapshot.objects.create(
        week=timezone.localdate() - timedelta(weeks=60),
        region=region("VR09"),
        taken_at=timezone.now(),
    )
    return {
        "auth.group": Group.objects.create(name="Beheerders"),
        "account.emailaddress": user.emailaddress_set.get(),
        "mfa.authenticator": user.authenticator_set.get(),
        "usersessions.usersession": UserSession.objects.get(user=user),
        "authtoken.tokenproxy": TokenProxy.objects.get(user=user),
        "accounts.user": user,
        "accounts.auditentry": AuditEntry.objects.get(actor=user),
        "accounts.accesslog": AccessLog.objects.get(user=user),
        "outbox.outboxmessage": OutboxMessage.objects.create(
            task="requests_app.tasks.next_wave", args=[reservist.pk]
        ),
        "registry.region": Region.objects.get(code="VR09"),
        "registry.regiongroup": RegionGroup.objects.order_by("pk").first(),
        "registry.municipality": Municipality.objects.order_by("pk").first(),
        "registry.profession": Profession.objects.order_by("pk").first(),
        "registry.profile": Profile.objects.order_by("pk").first(),
        "registry.reservist": reservist,
        "training.course": course,
        "training.trainingrecord": TrainingRecord.objects.create(
            reservist=reservist, course=course, completed_on=timezone.localdate(), recorded_by=user
        ),
        "training.trainingsession": session,
        "regions.candidate": candidate,
        "regions.vettingcheck": VettingCheck.objects.create(
            reservist=reservist, kind="identity", outcome="pass", checked_by=user
        ),
        "regions.importjob": ImportJob.objects.create(
            region=region("VR09"),
            kind="candidates",
            filename="werving.csv",
            file_format="csv",
            content=f"voornaam;achternaam\n{FIRST};{LAST}\n".encode(),
            rows=[{"row": 2, "name": f"{FIRST} {LAST}", "action": "create", "reasons": []}],
            created_by=user,
        ),
        "escalation.ladderstep": LadderStep.objects.order_by("pk").first(),
        "escalation.priorityframework": framework,
        "escalation.crisis": bulk.crises(1, declared_by=user)[0],
        "escalation.escalation": bulk.escalations([request_], nzr_member=user, opened_by=user)[0],
        "requests_app.careorganisation": organisation,
        "requests_app.deploymentrequest": request_,
        "requests_app.invitation": bulk.invitations([shift], reservist)[0],
        "requests_app.assignment": Assignment.objects.create(
            shift=shift,
            reservist=reservist,
            status="confirmed",
            start=shift.start,
            end=shift.end,
            created_by=user,
        ),
        "dashboard.poolsnapshot": snapshot,
        "regions.bigregistercheck": BigRegisterCheck.objects.create(
            reservist=reservist,
            big_number="19012345601",
            checked_by=user,
            source="manual",
            outcome="pass",
            registered_name=f"{FIRST[0]}. {LAST}",
        ),
        "regions.vogrule": VogRule.objects.order_by("pk").first(),
        "training.courserequirement": CourseRequirement.objects.order_by("pk").first(),
        "_people": [(Reservist, reservist.pk), (User, user.pk), (Candidate, candidate.pk)],
    }


def _admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _autocomplete_source(model):
    """A foreign key (of any model) to ``model``, for the autocomplete's query string."""
    for source in apps.get_models():
        for field in source._meta.get_fields():
            if isinstance(field, ForeignKey | ManyToManyField) and field.related_model is model:
                return source, field
    return None, None


def _pages(model, obj, superuser_request):
    model_admin = admin.site._registry[model]
    pk = str(obj.pk)
    pages = [
        ("change list", _admin_url(model, "changelist") + f"?{model._meta.pk.name}={pk}"),
        ("change", _admin_url(model, "change", pk)),
        ("history", _admin_url(model, "history", pk)),
    ]
    if model_admin.has_delete_permission(superuser_request, obj):
        pages.append(("delete", _admin_url(model, "delete", pk)))
    if model_admin.get_search_fields(superuser_request):
        source, field = _autocomplete_source(model)
        if source is not None:
            query = (
                f"?app_label={source._meta.app_label}&model_name={source._meta.model_name}"
                f"&field_name={field.name}&term={LAST}"
            )
            pages.append(("autocomplete", reverse("admin:autocomplete") + query))
    return pages


def _names_planted(entries, people) -> bool:
    return any(entries.naming(m._meta.label_lower, pk).exists() for m, pk in people)


@pytest.mark.parametrize("label", WALK)
def test_every_admin_page_that_shows_a_person_logs_the_read(label, client, superuser, rf):
    planted = _plant(superuser)
    assert set(REGISTERED) <= set(planted), "a registered admin model without a planted row"
    model = apps.get_model(label)
    client.force_login(superuser)
    request = rf.get("/admin/")
    request.user = superuser
    shown_on = []
    for page, url in _pages(model, planted[label], request):
        before = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(url)
        assert response.status_code == 200, (page, url, response.status_code)
        if LAST not in response.content.decode():
            continue
        shown_on.append(page)
        written = AccessLog.objects.filter(pk__gt=before)
        assert _names_planted(written, planted["_people"]), (
            f"{label} {page} shows {FIRST} {LAST} but wrote no access-log entry naming her"
        )
    if label in NO_PERSONAL_DATA:
        assert not shown_on, f"{label} is on the allow-list but shows the name on {shown_on}"
    else:
        assert shown_on, f"{label} never showed the planted person: the walk proves nothing"


def test_the_allow_list_names_registered_admins_only():
    assert set(REGISTERED) >= NO_PERSONAL_DATA
