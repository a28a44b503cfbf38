"""The ranking is a pure function over dataclasses: no database, no HTTP."""

from datetime import UTC, datetime

from requests_app.matching import CandidateData, ShiftData, rank_candidates, week_bounds

SHIFT = ShiftData(
    id=1,
    region_id=9,
    start=datetime(2026, 11, 23, 6, 0, tzinfo=UTC),
    end=datetime(2026, 11, 23, 14, 0, tzinfo=UTC),
)


def cand(pk, *, home=9, readiness="24h", recent=0, answered=0, accepted=0, name=None):
    return CandidateData(
        reservist_id=pk,
        name=name or f"R{pk}",
        home_region_id=home,
        readiness=readiness,
        recent_deployments=recent,
        invitations_answered=answered,
        invitations_accepted=accepted,
    )


def order(candidates):
    return [r.candidate.reservist_id for r in rank_candidates(SHIFT, candidates)]


def test_home_region_comes_first_even_with_more_deployments():
    assert order([cand(1, home=13, recent=0), cand(2, home=9, recent=5)]) == [2, 1]


def test_fewest_recent_deployments_spreads_the_load():
    assert order([cand(1, recent=3), cand(2, recent=0), cand(3, recent=1)]) == [2, 3, 1]


def test_readiness_24h_before_one_week():
    assert order([cand(1, readiness="1w"), cand(2, readiness="24h")]) == [2, 1]


def test_better_past_response_first_and_unknown_in_the_middle():
    ranked = order(
        [
            cand(1, answered=10, accepted=1),
            cand(2, answered=0),
            cand(3, answered=4, accepted=4),
        ]
    )
    assert ranked == [3, 2, 1]


def test_positions_and_reasons_are_given():
    ranked = rank_candidates(
        SHIFT, [cand(1, home=13, readiness="1w", recent=2, answered=4, accepted=3)]
    )
    assert ranked[0].position == 1
    text = " ".join(ranked[0].reasons)
    assert "75%" in text
    assert "2" in text
    assert len(ranked[0].reasons) == 4


def test_empty_list():
    assert rank_candidates(SHIFT, []) == []


def test_week_bounds_are_monday_to_monday_local():
    start, end = week_bounds(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))  # a Wednesday
    assert start.weekday() == 0 and start.hour == 0
    assert (end - start).days == 7
    assert start.isoformat().startswith("2026-11-23T00:00:00+01:00")


def test_crisis_call_answer_counts_before_response_rate():
    available = CandidateData(
        reservist_id=1, name="A", home_region_id=9, readiness="24h", crisis_available=True
    )
    responsive = cand(2, answered=5, accepted=5)
    ranked = rank_candidates(SHIFT, [responsive, available])
    assert [r.candidate.reservist_id for r in ranked] == [1, 2]
    assert any("crisis" in reason for reason in ranked[0].reasons)
