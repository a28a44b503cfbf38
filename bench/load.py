"""A bounded load run against gunicorn on loopback: mixed reservist, coordinator and
care-organisation traffic; requests per second and p50/p95/p99 per endpoint.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nzr_bench .venv/bin/python bench/load.py [seconds] [users]

Every fifth virtual user is a stream of reservists answering their invitations: each
accept is a different reservist (token) on a request of its own (``_world``), shifts of
2 places with 3 invited, so a third of the accepts find the shift full (409 "full" is
an answer, not an error). The others read, as the demo's reservist, coordinator, care
organisation and national coordinator.

(No locust/wrk in the environment: plain threads with http.client, one keep-alive
connection per virtual user, on the same 2 cores as the server.)
"""

import http.client
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict

from _common import ROOT, pct, setup, token_client

setup()
from _common import user  # noqa: E402
from _world import World  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.services import api_token_for  # noqa: E402
from requests_app.models import Assignment  # noqa: E402

SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
USERS = int(sys.argv[2]) if len(sys.argv) > 2 else 16
PORT = 8765
MIX = {
    "reservist@demo.nzr.local": ["/api/v1/me/", "/api/v1/me/invitations/", "/api/v1/me/assignments/"],
    "coordinator.vr09@demo.nzr.local": [
        "/api/v1/reservists/?region=VR09&status=active&ring=1",
        "/api/v1/reservists/?region=VR09&q=jan",
    ],
    "zorg@demo.nzr.local": ["/api/v1/requests/", "/api/v1/organisations/"],
    "landelijk@demo.nzr.local": ["/api/v1/requests/queue/", "/api/v1/stats/pool/?group_by=region"],
}  # fmt: skip
tokens = {email: api_token_for(user(email)) for email in MIX}
token_client  # noqa: B018 - imported for parity with the other scripts
ACCEPT = "/api/v1/me/invitations/{id}/accept/"
world = World("load")
answers = [inv for group in world.shifts(400, places=2, invited=3) for inv in group]
keys = {
    t.user_id: t.key
    for t in Token.objects.bulk_create(
        [Token(user_id=r.user_id, key=Token.generate_key()) for r in world.reservists]
    )
}
answers = [(inv.pk, keys[inv.reservist.user_id]) for inv in answers]
answers.reverse()  # popped from the end: shift by shift
refused = defaultdict(int)

# The server logs errors only: a 409 "full" is an expected answer, counted below.
env = dict(os.environ, DJANGO_SETTINGS_MODULE="nzr.settings")
env.setdefault("LOG_LEVEL", "ERROR")
server = subprocess.Popen(
    [sys.executable, "-m", "gunicorn", "nzr.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "3",
     "--threads", "4", "--log-level", "warning"],
    cwd=ROOT, env=env,
)  # fmt: skip
deadline = time.time() + 30
while time.time() < deadline:
    try:
        c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
        c.request("GET", "/health/")
        c.getresponse().read()
        break
    except OSError:
        time.sleep(0.2)

results = defaultdict(list)
errors = defaultdict(int)
lock = threading.Lock()
stop_at = time.time() + SECONDS


def virtual_user(i):
    rng = random.Random(i)
    emails = list(MIX)
    accepting = i % 5 == 4
    email = emails[i % 5] if not accepting else None
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    while time.time() < stop_at:
        if accepting:
            with lock:
                if not answers:
                    break
                invitation, token = answers.pop()
            method, path, key = "POST", ACCEPT.format(id=invitation), ACCEPT
        else:
            method, token = "GET", tokens[email]
            path = rng.choice(MIX[email])
            key = path.split("?")[0]
        t = time.perf_counter()
        try:
            conn.request(method, path, headers={"Authorization": f"Token {token}"})
            resp = conn.getresponse()
            resp.read()
            status = resp.status
        except OSError:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            status = 599
        with lock:
            results[key].append(time.perf_counter() - t)
            if accepting and status == 409:
                refused[key] += 1
            elif status >= 400:
                errors[key] += 1


try:
    threads = [threading.Thread(target=virtual_user, args=(i,)) for i in range(USERS)]
    start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - start
finally:
    server.terminate()
    server.wait(timeout=30)
    booked = Assignment.objects.filter(shift__request=world.request, status="confirmed").count()
    world.remove()

total = sum(len(v) for v in results.values())
print(f"load: {SECONDS}s, {USERS} virtual users, {total} requests, {total / elapsed:.1f} req/s, "
      f"errors {sum(errors.values())}")  # fmt: skip
for key, values in sorted(results.items()):
    ms = [v * 1000 for v in values]
    print(f"  {key:<36} n={len(ms):<5} p50={pct(ms, 50):7.1f} ms p95={pct(ms, 95):7.1f} ms "
          f"p99={pct(ms, 99):7.1f} ms errors={errors[key]}"
          + (f" (booked {booked}, full {refused[key]})" if key == ACCEPT else ""))  # fmt: skip
