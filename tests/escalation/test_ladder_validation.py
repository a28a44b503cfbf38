"""The escalation-ladder validator: every missing or invalid step is named, all at once."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from escalation.errors import LadderError
from escalation.ladder import validate_ladder
from escalation.models import LadderStep

pytestmark = pytest.mark.django_db


def required():
    return list(LadderStep.objects.filter(active=True, before_reserve=True).order_by("order"))


def full_ladder(day=None):
    day = day or timezone.localdate() - timedelta(days=2)
    return [
        {"step": s.code, "taken_on": day, "evidence": f"Gedaan: {s.name}; geen resultaat."}
        for s in required()
    ]


def test_complete_ladder_passes():
    assert validate_ladder(full_ladder(), submitted_on=timezone.localdate()) is None


def test_accepts_step_objects_and_iso_dates():
    entries = [{"step": s, "taken_on": "2026-01-05", "evidence": "Gedaan"} for s in required()]
    validate_ladder(entries, submitted_on=date(2026, 1, 6))


def test_each_missing_step_is_named():
    steps = required()
    entries = full_ladder()[:1]
    with override("en"), pytest.raises(LadderError) as exc:
        validate_ladder(entries, submitted_on=timezone.localdate())
    err = exc.value
    assert err.field == "ladder"
    assert set(err.by_step) == {s.code for s in steps[1:]}
    assert len(err.messages) == len(steps) - 1
    for step, message in zip(steps[1:], err.messages, strict=True):
        assert step.name in message
        assert "not filled in" in message


def test_empty_ladder_names_every_required_step_in_dutch():
    with override("nl"), pytest.raises(LadderError) as exc:
        validate_ladder([], submitted_on=timezone.localdate())
    messages = exc.value.messages
    assert len(messages) == len(required()) >= 4
    assert "Eigen interne flexibele schil ingezet" in messages[0]
    assert "niet ingevuld" in messages[0]


def test_future_date_refused():
    entries = full_ladder()
    entries[0]["taken_on"] = timezone.localdate() + timedelta(days=3)
    with override("en"), pytest.raises(LadderError) as exc:
        validate_ladder(entries, submitted_on=timezone.localdate())
    code = required()[0].code
    assert list(exc.value.by_step) == [code]
    assert "in the future" in exc.value.by_step[code]


def test_date_after_submission_refused():
    today = timezone.localdate()
    entries = full_ladder(day=today - timedelta(days=1))
    with override("en"), pytest.raises(LadderError) as exc:
        validate_ladder(entries, submitted_on=today - timedelta(days=5))
    assert len(exc.value.messages) == len(required())
    assert all("after the request was submitted" in m for m in exc.value.messages)


def test_empty_evidence_refused():
    entries = full_ladder()
    entries[2]["evidence"] = "   "
    with override("en"), pytest.raises(LadderError) as exc:
        validate_ladder(entries, submitted_on=timezone.localdate())
    step = required()[2]
    assert list(exc.value.by_step) == [step.code]
    assert "empty" in exc.value.messages[0]
    assert step.name in exc.value.messages[0]


def test_missing_or_invalid_date_refused():
    entries = full_ladder()
    entries[0]["taken_on"] = None
    entries[1]["taken_on"] = "31-02-2026"
    with override("en"), pytest.raises(LadderError) as exc:
        validate_ladder(entries, submitted_on=timezone.localdate())
    steps = required()
    assert "missing" in exc.value.by_step[steps[0].code]
    assert "not a valid date" in exc.value.by_step[steps[1].code]


def test_unknown_step_refused():
    entries = full_ladder() + [
        {"step": "bel-de-buren", "taken_on": date(2026, 1, 1), "evidence": "x"}
    ]
    with override("en"), pytest.raises(LadderError) as exc:
        validate_ladder(entries, submitted_on=timezone.localdate())
    assert list(exc.value.by_step) == ["bel-de-buren"]
    assert "bel-de-buren" in exc.value.messages[0]


def test_all_failures_collected_at_once():
    today = timezone.localdate()
    steps = required()
    entries = [
        {"step": steps[0].code, "taken_on": today + timedelta(days=1), "evidence": "x"},
        {"step": steps[1].code, "taken_on": today - timedelta(days=1), "evidence": ""},
        # steps[2] missing
        {"step": steps[3].code, "taken_on": today, "evidence": "Rode Kruis gebeld"},
        {"step": "onbekend", "taken_on": today, "evidence": "x"},
    ]
    with override("en"), pytest.raises(LadderError) as exc:
        validate_ladder(entries, submitted_on=today - timedelta(days=2))
    by_step = exc.value.by_step
    assert set(by_step) == {steps[0].code, steps[1].code, steps[2].code, steps[3].code, "onbekend"}
    # One message per step, in ladder order, unknown codes last.
    assert len(exc.value.messages) == 5
    assert exc.value.messages[-1] == by_step["onbekend"]
    assert "in the future" in by_step[steps[0].code]
    assert "empty" in by_step[steps[1].code] and "after the request" in by_step[steps[1].code]


def test_inactive_step_not_required_and_new_step_required():
    steps = required()
    steps[0].active = False
    steps[0].save()
    entries = full_ladder()
    validate_ladder(entries, submitted_on=timezone.localdate())
    new = LadderStep.objects.create(code="huisarts", order=7, name="Huisartsenpost gevraagd")
    with pytest.raises(LadderError) as exc:
        validate_ladder(entries, submitted_on=timezone.localdate())
    assert list(exc.value.by_step) == [new.code]
    assert "Huisartsenpost gevraagd" in exc.value.messages[0]


def test_optional_steps_may_be_left_out_or_given():
    entries = full_ladder()
    nzr = LadderStep.objects.get(code="nationale-zorgreserve")
    entries.append({"step": nzr.code, "taken_on": "", "evidence": ""})
    validate_ladder(entries, submitted_on=timezone.localdate())
