"""National figures over the seeded data set (1M shifts): API and page, server time;
and the request queue (all open requests in priority order, paginated in SQL).

DATABASE_URL=postgres://postgres@127.0.0.1:5432/nzr_bench .venv/bin/python bench/dashboard.py
"""

from _common import report, setup, timed, token_client

setup()

from _common import user  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

N = 15
api = token_client("landelijk@demo.nzr.local")
web = Client()
web.force_login(user("landelijk@demo.nzr.local"))
session = web.session
# Passed MFA in this session (allauth marks it so after the second step).
session["account_authentication_methods"] = [{"method": "mfa", "type": "totp"}]
session.save()

with override_settings(DEBUG=False):
    for url in (
        "/api/v1/stats/shifts/?group_by=week",
        "/api/v1/stats/shifts/?group_by=region",
        "/api/v1/stats/shifts/?group_by=profile",
        "/api/v1/stats/pool/?group_by=region",
        "/api/v1/stats/pool/?group_by=readiness",
    ):
        cold, warm = [], []
        for _ in range(N):
            cache.clear()
            with timed(cold):
                r = api.get(url)
            assert r.status_code == 200, (url, r.status_code)
            with timed(warm):
                api.get(url)
        report(f"{url} (no cache)", cold, "< 300 ms")
        report(f"{url} (cached)", warm)
    times = []
    for _ in range(N):
        cache.clear()
        with timed(times):
            r = web.get("/figures/")
        if r.status_code != 200:
            print(f"/figures/ answered {r.status_code} ({r.get('Location', '')})")
            break
    else:
        report("/figures/ national dashboard page (no cache)", times, "< 300 ms")
        web.get("/figures/")
        warm = []
        for _ in range(N):
            with timed(warm):
                web.get("/figures/")
        report("/figures/ national dashboard page (as served)", warm, "< 300 ms")
    for url in ("/api/v1/requests/queue/", "/api/v1/requests/queue/?page=10"):
        api.get(url)
        times = []
        for _ in range(N):
            with timed(times):
                r = api.get(url)
            assert r.status_code == 200, (url, r.status_code)
        report(f"{url} ({r.json()['count']} open)", times)
