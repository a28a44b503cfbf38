"""Journey 6: the dashboard shows the new figures; the map and the charts render."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership
from dashboard.tasks import refresh_figures
from requests_app.models import Assignment
from tests.browser.conftest import DESKTOP, PHONE, login, no_horizontal_scroll, shot, staff
from tests.factories import TEST_PASSWORD
from tests.regions.factories import pass_all
from tests.requests_app.factories import at, make_candidate, make_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS_DRAWN = """() => {
    const canvases = [...document.querySelectorAll('canvas[data-chart-source]')];
    return canvases.length > 0 && typeof window.Chart !== 'undefined' &&
        canvases.every(c => window.Chart.getChart(c) && c.width > 0 && c.height > 0);
}"""


def _figures(page) -> dict:
    """Totals of the shifts-per-week table and the 'active reservists' card."""
    sums = page.evaluate(
        """() => {
            const rows = document.querySelectorAll('#table-shifts_week tbody tr');
            const total = [0, 0, 0];
            const num = s => parseInt((s || '0').replace(/[^0-9]/g, '') || '0', 10);
            rows.forEach(r => {
                const cells = r.querySelectorAll('td');
                if (cells.length >= 4) { for (let i = 0; i < 3; i++) total[i] += num(cells[i + 1].textContent); }
            });
            const card = document.querySelector('.nzr-figcards .nzr-card__figure');
            return {requested: total[0], planned: total[1], deployed: total[2],
                    active: num(card && card.textContent)};
        }"""
    )
    return sums


def _deployed_and_planned(organisation):
    """An approved request: a shift next days with one reservist booked, and a shift two days
    ago whose hours were confirmed."""
    first = make_candidate(first_name="Trudy", last_name="Bakker")
    second = make_candidate(first_name="Henk", last_name="Visser")
    for r in (first, second):
        pass_all(r)
    request = make_request(
        organisation,
        status="approved",
        shifts=[(at(2, 7), at(2, 15), 2, "verzorgende"), (at(-2, 7), at(-2, 15), 1, "verzorgende")],
    )
    upcoming, past = request.shifts.order_by("start")[1], request.shifts.order_by("start")[0]
    Assignment.objects.create(
        shift=upcoming, reservist=first, status="confirmed", start=upcoming.start, end=upcoming.end
    )
    Assignment.objects.create(
        shift=past,
        reservist=second,
        status="completed",
        start=past.start,
        end=past.end,
        hours_worked=8,
        hours_confirmed_at=timezone.now() - timedelta(days=1),
    )


def test_dashboard_shows_new_figures_with_map_and_charts(axe, page_at, organisation):
    national, secret = staff(Membership.Role.NATIONAL)
    page = page_at(DESKTOP)
    login(page, national.email, TEST_PASSWORD, totp_secret=secret)
    page.goto("/figures/")
    before = _figures(page)

    _deployed_and_planned(organisation)
    # The national figures are cached; the beat task recomputes them every few minutes.
    refresh_figures()
    page.reload()
    page.wait_for_function(CHARTS_DRAWN)
    after = _figures(page)
    assert after["requested"] - before["requested"] == 3, (before, after)
    assert after["planned"] - before["planned"] == 1, (before, after)
    assert after["deployed"] - before["deployed"] == 1, (before, after)
    assert after["active"] - before["active"] == 2, (before, after)

    # The map: one shape per safety region, each a link to that region's figures.
    regions = page.locator("svg.nzr-map__svg a path.nzr-map__region")
    assert regions.count() == 25
    assert page.locator("svg.nzr-map__svg").bounding_box()["width"] > 200
    # The charts: every canvas has a Chart.js chart with a size.
    assert page.locator("canvas[data-chart-source]").count() >= 3
    axe.check(page)
    shot(page, "6-figures")

    # On a phone the page fits the screen and the charts still draw.
    # (Same session: a second sign-in would reuse the one-time code, which allauth refuses.)
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.reload()
    page.wait_for_function(CHARTS_DRAWN)
    no_horizontal_scroll(page)
    axe.check(page)
    page.set_viewport_size({"width": DESKTOP, "height": 900})

    # A region's own figures, reached from the map.
    page.locator("svg.nzr-map__svg a[href*='VR09']").first.click()
    page.wait_for_url(lambda url: "VR09" in url)
    page.wait_for_function(CHARTS_DRAWN)
    assert _figures(page)["planned"] >= 1
    axe.check(page)
    shot(page, "6-figures-vr09")
    assert not page.nzr_errors, page.nzr_errors
    axe.assert_clean()
