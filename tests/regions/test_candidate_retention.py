"""GDPR retention of recruitment candidates who never joined: anonymised a set period after
their last activity, not before; converted candidates left alone; twice changes nothing;
logged without personal data; the beat runs it daily."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.audit import history_of
from accounts.models import AuditEntry
from regions import retention, services
from regions.errors import CandidateClosedError
from regions.models import Candidate, CandidateStatusChange
from regions.workspace import candidate_funnel
from tests.regions.factories import make_candidate

pytestmark = pytest.mark.django_db
DAYS = 365


@pytest.fixture(autouse=True)
def _retention_days(settings):
    settings.NZR_CANDIDATE_RETENTION_DAYS = DAYS


def inactive_since(candidate, days: float) -> Candidate:
    """Move the candidate's last activity ``days`` into the past (no waiting)."""
    Candidate.objects.filter(pk=candidate.pk).update(
        last_activity_at=timezone.now() - timedelta(days=days)
    )
    candidate.refresh_from_db()
    return candidate


def withdrawn(regional_coordinator, **kwargs):
    candidate = make_candidate(**kwargs)
    return services.change_candidate_status(
        candidate, "withdrawn", "Kreeg een vaste baan bij het Amphia", actor=regional_coordinator
    )


def test_a_candidate_who_never_joined_is_anonymised_after_the_period(regional_coordinator):
    candidate = inactive_since(withdrawn(regional_coordinator, big_number="12345678901"), DAYS + 1)

    assert retention.anonymise_stale_candidates() == 1

    candidate.refresh_from_db()
    assert candidate.anonymised_at is not None
    assert (
        candidate.first_name,
        candidate.last_name,
        candidate.email,
        candidate.phone,
        candidate.big_number,
        candidate.notes,
    ) == ("", "", "", "", "", "")
    # Kept for the figures: region, source, campaign and the closed status.
    assert candidate.region.code == "VR09" and candidate.campaign == "Radio voorjaar"
    assert candidate.status == "withdrawn"
    # The free-text reasons of the history may describe the person: gone too.
    assert not CandidateStatusChange.objects.filter(
        candidate=candidate, reason__contains="Amphia"
    ).exists()
    assert str(candidate.pk) in str(candidate) and "Kees" not in str(candidate)


def test_the_period_counts_from_the_last_activity(regional_coordinator):
    candidate = withdrawn(regional_coordinator)
    last = candidate.last_activity_at
    assert retention.anonymise_stale_candidates(now=last + timedelta(days=DAYS)) == 0
    assert retention.anonymise_stale_candidates(now=last + timedelta(days=DAYS - 1)) == 0
    assert retention.anonymise_stale_candidates(now=last + timedelta(days=DAYS, seconds=1)) == 1


def test_activity_restarts_the_period(regional_coordinator):
    candidate = inactive_since(make_candidate(), DAYS + 30)
    # A coordinator contacts them again: a status change is activity.
    services.change_candidate_status(candidate, "contacted", actor=regional_coordinator)
    assert retention.anonymise_stale_candidates() == 0
    candidate.refresh_from_db()
    assert candidate.first_name == "Kees" and candidate.anonymised_at is None


def test_a_stale_open_candidate_expires(regional_coordinator):
    candidate = inactive_since(make_candidate(status="contacted"), DAYS + 1)
    funnel_before = candidate_funnel(Candidate.objects.all())["total"]

    assert retention.anonymise_stale_candidates() == 1

    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.EXPIRED and not candidate.is_open
    change = candidate.changes.first()
    assert (change.from_status, change.to_status) == ("contacted", "expired")
    assert candidate_funnel(Candidate.objects.all())["total"] == funnel_before
    with pytest.raises(CandidateClosedError):
        services.change_candidate_status(candidate, "contacted", actor=regional_coordinator)


def test_candidates_who_became_reservists_are_left_alone(regional_coordinator):
    candidate = make_candidate()
    reservist = services.convert_candidate(candidate, actor=regional_coordinator)
    inactive_since(candidate, DAYS * 3)

    assert retention.anonymise_stale_candidates() == 0

    candidate.refresh_from_db()
    reservist.refresh_from_db()
    assert candidate.anonymised_at is None and candidate.first_name == "Kees"
    assert candidate.status == Candidate.Status.CONVERTED
    assert reservist.first_name == "Kees"


def test_recent_candidates_are_kept(regional_coordinator):
    recent = inactive_since(withdrawn(regional_coordinator), DAYS - 1)
    fresh = make_candidate(email="nieuw@example.org")
    assert retention.anonymise_stale_candidates() == 0
    for c in (recent, fresh):
        c.refresh_from_db()
        assert c.anonymised_at is None and c.first_name == "Kees"


def test_a_second_run_changes_nothing(regional_coordinator):
    candidate = inactive_since(withdrawn(regional_coordinator), DAYS + 1)
    later = timezone.now() + timedelta(days=DAYS * 2)
    assert retention.anonymise_stale_candidates() == 1
    candidate.refresh_from_db()
    stamp = candidate.anonymised_at
    # Even a run far in the future picks nobody again.
    assert retention.anonymise_stale_candidates(now=later) == 0
    candidate.refresh_from_db()
    assert candidate.anonymised_at == stamp
    assert history_of(candidate).filter(action="candidate.anonymised").count() == 1


def test_the_audit_entry_holds_no_personal_data(regional_coordinator):
    candidate = inactive_since(withdrawn(regional_coordinator, big_number="12345678901"), DAYS + 1)
    retention.anonymise_stale_candidates()
    entry = AuditEntry.objects.get(action="candidate.anonymised", object_id=str(candidate.pk))
    assert entry.actor is None
    assert entry.data["days"] == DAYS and entry.data["status"] == "withdrawn"
    text = json.dumps(entry.data) + entry.reason
    for personal in ("Kees", "Mulder", "kees.mulder@example.org", "0612345678", "12345678901"):
        assert personal not in text


def test_the_period_is_a_setting(settings, regional_coordinator):
    candidate = inactive_since(withdrawn(regional_coordinator), 40)
    settings.NZR_CANDIDATE_RETENTION_DAYS = 60
    assert retention.anonymise_stale_candidates() == 0
    settings.NZR_CANDIDATE_RETENTION_DAYS = 30
    assert retention.anonymise_stale_candidates() == 1
    candidate.refresh_from_db()
    assert candidate.anonymised_at is not None


def test_the_setting_defaults_to_a_year():
    from nzr import settings as nzr_settings

    assert nzr_settings.NZR_CANDIDATE_RETENTION_DAYS == 365


def test_the_task_runs_it_and_beat_schedules_it_daily(regional_coordinator):
    from nzr.celery import app
    from regions.tasks import apply_candidate_retention

    inactive_since(withdrawn(regional_coordinator), DAYS + 5)
    assert apply_candidate_retention.delay().get() == 1
    assert apply_candidate_retention.delay().get() == 0
    app.loader.import_default_modules()
    app.finalize()
    entry = app.conf.beat_schedule["regions-apply-candidate-retention"]
    assert entry["task"] == "regions.apply_candidate_retention"
    assert entry["schedule"].hour == {3} and entry["schedule"].day_of_week == set(range(7))
