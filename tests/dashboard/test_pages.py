"""The figures pages: who may see which, what they show, the map, and downloads."""

import csv
import io
import re

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.dashboard.factories import book, local, make_request, make_shift
from tests.factories import CareOrganisationFactory, ReservistFactory, region

NATIONAL = "/figures/"
REGION = "/figures/region/{}/"
ORGANISATION = "/figures/organisation/"


def get(client, user, url, **extra):
    client.force_login(user)
    return client.get(url, **extra)


@pytest.mark.parametrize(
    "persona_name, expected",
    [
        ("national_coordinator", 200),
        ("triangle_member", 200),
        ("regional_coordinator", 403),
        ("care_org_user", 403),
        ("reservist", 403),
        ("outsider", 403),
    ],
)
def test_national_page_access(client, request, persona_name, expected):
    user = request.getfixturevalue(persona_name)
    assert get(client, user, NATIONAL).status_code == expected


def test_national_page_needs_sign_in(client, db):
    response = client.get(NATIONAL)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    "persona_name, code, expected",
    [
        ("regional_coordinator", "VR09", 200),
        ("regional_coordinator", "VR13", 404),
        ("other_region_coordinator", "VR09", 404),
        ("other_region_coordinator", "VR13", 200),
        ("national_coordinator", "VR13", 200),
        ("triangle_member", "VR09", 200),
        ("national_coordinator", "VR99", 404),
        ("care_org_user", "VR09", 403),
        ("reservist", "VR09", 403),
    ],
)
def test_region_page_access(client, request, persona_name, code, expected):
    user = request.getfixturevalue(persona_name)
    assert get(client, user, REGION.format(code)).status_code == expected


def test_regional_coordinator_is_sent_to_own_region(client, regional_coordinator):
    response = get(client, regional_coordinator, "/figures/region/")
    assert response.status_code == 302 and response["Location"] == REGION.format("VR09")


@pytest.mark.parametrize(
    "persona_name, expected",
    [
        ("care_org_user", 200),
        ("national_coordinator", 403),
        ("regional_coordinator", 403),
        ("reservist", 403),
    ],
)
def test_organisation_page_access(client, request, persona_name, expected):
    user = request.getfixturevalue(persona_name)
    assert get(client, user, ORGANISATION).status_code == expected


def test_national_page_shows_figures_charts_and_tables(client, national_coordinator, picture):
    html = get(client, national_coordinator, NATIONAL).content.decode()
    # Charts read their numbers from json_script blocks (no inline script, no inline style).
    for chart in ("chart-shifts-week", "chart-pool-trend", "chart-pool-ring"):
        assert f'id="{chart}" type="application/json"' in html
        assert f'data-chart-source="{chart}"' in html
    assert "dashboard-charts.js" in html and "chart.umd.min.js" in html
    assert "style=" not in html
    assert "<script>" not in html
    # Every chart has its numbers as a table too.
    assert 'id="table-shifts_week"' in html and 'id="table-pool_trend"' in html
    assert 'id="table-pool_ring"' in html and 'id="table-requests_status"' in html


def test_map_has_25_region_links_legend_and_attribution(client, triangle_member, picture):
    html = get(client, triangle_member, NATIONAL).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    links = re.findall(r'<a href="/figures/region/(VR\d\d)/"', svg)
    assert len(links) == 25 and len(set(links)) == 25
    assert svg.count("<path ") == 25
    assert svg.count("<title") == 26  # the map's own title and one per region
    assert "Kaartgegevens: CBS / PDOK, via Ministerie van VWS" in html
    assert html.count('class="nzr-map__swatch') == 5


def test_map_colours_follow_pool_against_demand(client, national_coordinator, picture):
    from datetime import timedelta

    from django.utils import timezone

    # A large open request in VR13 in the coming days: 0 or 1 deployable against 50 open shifts.
    soon = timezone.localtime() + timedelta(days=2)
    make_shift(make_request(picture.requests["c"].organisation), "vpk-algemeen", soon, 50)
    html = get(client, national_coordinator, NATIONAL).content.decode()
    vr13 = re.search(r'<a href="/figures/region/VR13/".*?</a>', html, re.S).group(0)
    vr01 = re.search(r'<a href="/figures/region/VR01/".*?</a>', html, re.S).group(0)
    assert "nzr-fill--b1" in vr13  # fewer than one deployable per open shift
    assert "nzr-fill--b0" in vr01  # no open shifts


def test_region_page_shows_only_its_region(client, regional_coordinator, picture):
    html = get(client, regional_coordinator, REGION.format("VR09")).content.decode()
    assert "Utrecht" in html
    assert "Amsterdam" not in html
    assert "<svg" not in html  # the map is for the national page


def test_organisation_page_shows_own_requests_only(client, care_org_user, picture):
    html = get(client, care_org_user, ORGANISATION).content.decode()
    assert f"Aanvraag {picture.requests['a'].pk}<" in html
    assert f'href="/requests/{picture.requests["a"].pk}/"' in html
    assert f"Aanvraag {picture.requests['c'].pk}<" not in html  # VR13's organisation
    assert f"Aanvraag {picture.requests['draft'].pk}<" not in html  # drafts are not figures


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_pages_in_english(client, national_coordinator, picture):
    english(client)
    html = get(client, national_coordinator, NATIONAL)
    assert "National figures" in html.content.decode()


def test_pages_in_dutch(client, national_coordinator, picture):
    html = get(client, national_coordinator, NATIONAL).content.decode()
    assert "Landelijke cijfers" in html and "Gevraagd" in html


# --- downloads ----------------------------------------------------------------------


def read_csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def read_xlsx(response):
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    book_ = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book_.active.iter_rows(values_only=True)]


def test_national_csv_has_the_rows(client, national_coordinator, picture):
    rows = read_csv(get(client, national_coordinator, "/figures/export/pool_region.csv"))
    assert len(rows) == 1 + 25
    vr09 = next(r for r in rows if r[0] == "Utrecht")
    assert vr09[1] == "3"  # active


def test_national_xlsx_has_the_rows(client, national_coordinator, picture):
    url = "/figures/export/requests_status.xlsx"
    english(client)
    rows = read_xlsx(get(client, national_coordinator, url))
    header, body = rows[0], rows[1:]
    assert header == ["Status", "Requests"]
    counts = dict(body)
    assert counts["Approved"] == 1 and counts["Filled"] == 1 and counts["Cancelled"] == 1
    assert counts["Submitted"] == 0 and "Draft" not in counts
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    dutch = read_xlsx(get(client, national_coordinator, url))
    assert dutch[0] == ["Status", "Aanvragen"]


def test_region_download_is_scoped(client, regional_coordinator, picture):
    rows = read_csv(
        get(client, regional_coordinator, "/figures/region/VR09/export/pool_region.csv")
    )
    assert [r[0] for r in rows[1:]] == ["Utrecht"]
    assert (
        get(client, regional_coordinator, "/figures/region/VR13/export/pool_region.csv").status_code
        == 404
    )
    assert get(client, regional_coordinator, "/figures/export/pool_region.csv").status_code == 403


def test_organisation_download_has_own_requests(client, care_org_user, picture):
    rows = read_xlsx(get(client, care_org_user, "/figures/organisation/export/requests.xlsx"))
    assert len(rows) == 2  # header + the one approved request (draft is not counted)
    request_row = rows[1]
    assert rows[0][3:6] == ["Gevraagd", "Gepland", "Ingezet"]
    assert request_row[3:6] == [5, 2, 1]


def test_unknown_table_or_format_is_404(client, national_coordinator, db):
    assert get(client, national_coordinator, "/figures/export/nothing.csv").status_code == 404
    assert get(client, national_coordinator, "/figures/export/pool_ring.pdf").status_code == 404


# --- speed: a constant number of queries ------------------------------------------


def _grow(organisation, n):
    for i in range(n):
        r = ReservistFactory(home_region=region("VR13" if i % 2 else "VR09"))
        req = make_request(organisation)
        shift = make_shift(req, "verzorgende", local(2026, 3, 10 + i, 9, 0), 2)
        book(shift, r, status="completed" if i % 2 else "confirmed")


@pytest.mark.parametrize("url", [NATIONAL, REGION.format("VR09")])
def test_query_count_does_not_grow_with_data(client, national_coordinator, picture, url, settings):
    settings.NZR_FIGURES_CACHE_SECONDS = 0  # measure the computation itself
    client.force_login(national_coordinator)
    client.get(url)  # warm up (session, scope, map cache)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(CareOrganisationFactory(region=region("VR13")), 6)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
    assert len(small) <= 25


def test_organisation_query_count_does_not_grow(client, care_org_user, organisation, picture):
    client.force_login(care_org_user)
    client.get(ORGANISATION)
    with CaptureQueriesContext(connection) as small:
        client.get(ORGANISATION)
    _grow(organisation, 5)
    with CaptureQueriesContext(connection) as large:
        client.get(ORGANISATION)
    assert len(large) == len(small)


def test_cached_national_page_needs_few_queries_and_refresh_updates_it(
    client, national_coordinator, organisation, picture
):
    from dashboard.tasks import refresh_figures

    client.force_login(national_coordinator)
    refresh_figures.delay()  # the beat task fills the cache
    with CaptureQueriesContext(connection) as warm:
        html = client.get(NATIONAL).content.decode()
    assert len(warm) <= 6  # session, user, scope, MFA: no figures queries
    assert '<span class="nzr-card__figure">5</span>' in html  # active reservists
    ReservistFactory()
    assert '<span class="nzr-card__figure">5</span>' in client.get(NATIONAL).content.decode()
    refresh_figures.delay()
    assert '<span class="nzr-card__figure">6</span>' in client.get(NATIONAL).content.decode()
