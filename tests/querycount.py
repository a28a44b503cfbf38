"""The harness of the list query-count tests (issue 9: "queries per page: constant for 1
and 100 rows on every list page and API list").

A ``ListCase`` says who reads the list (a persona fixture), how to add ``n`` rows that
this persona may see (``build``), where the list is (``url``), how many rows an answer
holds (``rows``) and how many it should hold once ``n`` rows were built (``expect``).
``measure_list`` builds 1 row, warms the per-process caches (content types, the scope,
the session) with one request, counts the queries of the next request, builds 99 rows
more and counts again: the answers must hold the rows, and the queries must be the same
in number. Nothing may vary: pagination runs the same COUNT and LIMIT for 1 and for 100
rows, so a list that pages needs no exception."""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

PAGE_SIZE = 50  # REST_FRAMEWORK["PAGE_SIZE"]


def _identity(ctx, n):
    return n


@dataclass(frozen=True)
class ListCase:
    id: str
    persona: str
    url: str | Callable[[SimpleNamespace], str]
    build: Callable[[SimpleNamespace, int], object]
    rows: Callable[[object], int]
    expect: Callable[[SimpleNamespace, int], int] = _identity
    setup: Callable[[SimpleNamespace], object] | None = None
    route: str = ""  # the path in the OpenAPI schema, or the URL name of a page


def browser_as(user) -> Client:
    """A browser client signed in as ``user`` (for pages; the API has ``api_as``)."""
    client = Client()
    client.force_login(user)
    return client


def api_page(response) -> int:
    """The ``count`` of a paginated API answer; its page holds the first 50 of them."""
    body = response.json()
    assert len(body["results"]) == min(body["count"], PAGE_SIZE), body
    return body["count"]


def api_array(response) -> int:
    """The number of rows of an unpaginated API answer (reference data)."""
    body = response.json()
    assert isinstance(body, list), body
    return len(body)


def marker_count(marker: str) -> Callable[[object], int]:
    """The rows of a page: how often ``marker`` (text the builder put in each row) occurs."""

    def rows(response) -> int:
        return response.content.decode().count(marker)

    return rows


def _shape(sql: str) -> str:
    """A query without its literal values, for a readable diff."""
    return re.sub(r"\b\d+\b|'[^']*'", "?", sql)[:300]


def query_difference(one: CaptureQueriesContext, hundred: CaptureQueriesContext) -> str:
    """An empty string if both ran as many queries, else the difference (for the message)."""
    if len(one) == len(hundred):
        return ""
    diff = difflib.unified_diff(
        [_shape(q["sql"]) for q in one.captured_queries],
        [_shape(q["sql"]) for q in hundred.captured_queries],
        "1 row",
        "100 rows",
        lineterm="",
        n=1,
    )
    lines = [line[:160] for line in diff]
    more = f"\n... {len(lines) - 20} lines more" if len(lines) > 20 else ""
    return f"{len(one)} queries for 1 row, {len(hundred)} for 100:\n" + "\n".join(lines[:20]) + more


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response, ctx


def measure_list(case: ListCase, request, client_for) -> int:
    """Run ``case`` (see the module's docstring). The number of queries is returned and
    kept with the test's report (``user_properties``: ``--junitxml`` with the legacy
    family writes it)."""
    ctx = SimpleNamespace(user=request.getfixturevalue(case.persona), fixture=request)
    client = client_for(ctx.user)  # signed in first: a sign-in may write rows too
    if case.setup is not None:
        case.setup(ctx)
    case.build(ctx, 1)
    url = case.url(ctx) if callable(case.url) else case.url
    client.get(url)  # warm the per-process caches (content types, scope, session)
    first, one = _get(client, url)
    case.build(ctx, 99)
    second, hundred = _get(client, url)
    for n, response in ((1, first), (100, second)):
        shown, expected = case.rows(response), case.expect(ctx, n)
        assert shown == expected, f"{n} rows built: {shown} shown, {expected} expected"
    assert not query_difference(one, hundred), query_difference(one, hundred)
    request.node.user_properties.append(("queries", len(one)))
    return len(one)
