"""Register search with 4 filters over the seeded register: server time per request.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/nzr_bench .venv/bin/python bench/search.py
"""

import random

from _common import report, setup, timed, token_client

setup()

from django.test.utils import override_settings  # noqa: E402

from registry.models import Profile, Region  # noqa: E402

N = 60
rng = random.Random(1)
client = token_client("landelijk@demo.nzr.local")
regions = list(Region.objects.values_list("code", flat=True))
profiles = list(Profile.objects.values_list("code", flat=True))

with override_settings(DEBUG=False):
    cases = {
        "reservists: region+profile+ring+status": lambda: (
            f"/api/v1/reservists/?region={rng.choice(regions)}&profile={rng.choice(profiles)}"
            f"&ring={rng.choice([1, 2, 3])}&status=active"
        ),
        "reservists: region+status+readiness+q": lambda: (
            f"/api/v1/reservists/?region={rng.choice(regions)}&status=active&readiness=24h"
            f"&q={rng.choice(['jan', 'de vries', 'bakker', 'anna'])}"
        ),
        "reservists: profile+deployable_on+region+ring": lambda: (
            f"/api/v1/reservists/?profile={rng.choice(profiles)}&deployable_on=2026-12-01"
            f"&region={rng.choice(regions)}&ring=1"
        ),
    }
    # Warm up as a server that has run for a while: the first search with a profile
    # builds (and memoises per process) that profile's deployability subqueries, and
    # PostgreSQL reads the pages first touched; that costs 50-100 ms once per profile.
    warm = []
    for profile in profiles:
        for region in rng.sample(regions, 3):
            url = f"/api/v1/reservists/?region={region}&profile={profile}&status=active"
            with timed(warm):
                client.get(url)
            with timed(warm):
                client.get(url + "&deployable_on=2026-12-01&ring=1")
    for _ in range(10):
        client.get(cases["reservists: region+status+readiness+q"]())
    report("warm-up: region+profile(+deployable_on)", warm)
    for name, make in cases.items():
        times, counts = [], []
        for _ in range(N):
            url = make()
            with timed(times):
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
            counts.append(response.json()["count"])
        report(name, times, "p95 < 50 ms")
        print(f"{'':<48} rows matched: median {sorted(counts)[len(counts) // 2]}")
