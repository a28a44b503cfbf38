"""Booking throughput: concurrent accepts over many shifts, and on one hot shift.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nzr_bench .venv/bin/python bench/booking.py [workers] [threads]

Creates its own request, shifts, users and invitations far in the future (so they do not
collide with the seeded bookings), runs ``accept_invitation`` from N worker processes (as
gunicorn would: one database connection each, no shared GIL), or from N threads of one
process with ``threads`` as second argument, prints bookings per second, and deletes what
it created. On the hot shift only its places can be booked: "while filling" is the places
over the time until the last booking committed, "answers" counts the refusals too.

    .venv/bin/python bench/booking.py 1 cpu

accepts one after another in one process and prints the CPU per accept of this process
(Python) and of its PostgreSQL backend, which depend far less on what else the machine
runs than the rates do.
"""

import multiprocessing
import sys
import threading
import time
from datetime import timedelta

from _common import pct, setup

setup()

from _world import World  # noqa: E402
from django.db import connection  # noqa: E402

from requests_app.models import Assignment, Invitation  # noqa: E402
from requests_app.services.booking import accept_invitation  # noqa: E402

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 8
MODE = sys.argv[2] if len(sys.argv) > 2 else "processes"
MANY_SHIFTS, PER_SHIFT = 250, 2
HOT_PLACES, HOT_TRIES = 50, 200
WARM = max(THREADS, 1)  # one warm-up booking per process or thread and run


def make_world():
    world = World()
    many = world.shifts(MANY_SHIFTS, places=PER_SHIFT, invited=PER_SHIFT)
    (hot,) = world.shifts(1, places=HOT_PLACES, invited=HOT_TRIES, day=-3)
    # Before the clock starts every process (connection) books once on a shift of its
    # own, which prepares its statements, as in a long-running server process.
    warm = world.shifts(2 * WARM, places=1, invited=1, day=-10, hours=1, step=timedelta(hours=-1))
    warm = [group[0] for group in warm]
    return world, [inv for group in many for inv in group], hot, [warm[:WARM], warm[WARM:]]


def _accept(inv) -> tuple[float, str]:
    """One accept, timed: (seconds, "booked" | "refused" | "error", when it ended)."""
    t = time.perf_counter()
    try:
        accept_invitation(inv, actor=inv.reservist.user)
        key = "booked"
    except Exception as exc:  # noqa: BLE001
        key = "refused" if getattr(exc, "code", "") else "error"
        if key == "error":
            print("error:", repr(exc), flush=True)
    end = time.perf_counter()
    return end - t, key, end


def _warm_up(warm_id):
    inv = Invitation.objects.select_related("reservist__user").get(pk=warm_id)
    _seconds, key, _end = _accept(inv)
    assert key == "booked", key


def _process_worker(ids, warm_id, ready, start, results):
    from django.db import connection

    work = list(Invitation.objects.filter(pk__in=ids).select_related("reservist__user"))
    for inv in work:
        inv.reservist.user  # noqa: B018 - loaded before the clock starts
    _warm_up(warm_id)
    ready.release()
    start.wait()
    latencies, outcomes, last = [], {"booked": 0, "refused": 0, "error": 0}, 0.0
    for inv in work:
        seconds, key, end = _accept(inv)
        latencies.append(seconds)
        outcomes[key] += 1
        if key == "booked":
            last = max(last, end)
    connection.close()
    results.put((latencies, outcomes, last))


def _warm():
    from django.contrib.contenttypes.models import ContentType
    from django.template.loader import get_template
    from django.utils import translation

    ContentType.objects.get_for_models(Assignment, Invitation)
    for language in ("nl", "en"):
        with translation.override(language):
            translation.gettext("Shift")
    for name in ("assignment_confirmed.txt", "assignment_confirmed_subject.txt"):
        get_template(f"requests_app/email/{name}")


def run_processes(invitations, workers, warm):
    """Round-robin the invitations over ``workers`` forked processes, start them together."""
    ctx = multiprocessing.get_context("fork")
    _warm()  # the children inherit loaded catalogues, templates and content types
    connection.close()  # each child opens its own connection
    ready, start, results = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
    ids = [inv.pk for inv in invitations]
    procs = [
        ctx.Process(
            target=_process_worker, args=(ids[i::workers], warm[i].pk, ready, start, results)
        )
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    for _ in procs:  # every child has loaded its invitations and warmed up
        ready.acquire()
    began = time.perf_counter()
    start.set()
    latencies, outcomes, last = [], {"booked": 0, "refused": 0, "error": 0}, began
    for _ in procs:
        lat, out, child_last = results.get()
        latencies += lat
        last = max(last, child_last)
        for k, v in out.items():
            outcomes[k] += v
    elapsed = time.perf_counter() - began
    for p in procs:
        p.join()
    return elapsed, latencies, outcomes, last - began


def run(invitations, threads, warm):
    work = list(
        Invitation.objects.filter(pk__in=[i.pk for i in invitations]).select_related(
            "reservist__user"
        )
    )
    lock = threading.Lock()
    latencies, outcomes, ends = [], {"booked": 0, "refused": 0, "error": 0}, []
    barrier = threading.Barrier(threads)

    def worker(warm_id):
        _warm_up(warm_id)
        barrier.wait()
        while True:
            with lock:
                if not work:
                    break
                inv = work.pop()
            seconds, key, end = _accept(inv)
            with lock:
                latencies.append(seconds)
                outcomes[key] += 1
                if key == "booked":
                    ends.append(end)
        connection.close()

    pool = [threading.Thread(target=worker, args=(warm[i].pk,)) for i in range(threads)]
    start = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - start, latencies, outcomes, max(ends, default=start) - start


def run_cpu(invitations, warm):
    """One accept after another: CPU per accept of this process and of its backend."""
    import os

    work = list(
        Invitation.objects.filter(pk__in=[i.pk for i in invitations]).select_related(
            "reservist__user"
        )
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def backend_cpu():  # the backend runs on this machine: its /proc entry
        from pathlib import Path

        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    _warm()
    _warm_up(warm[0].pk)
    latencies, outcomes, ends = [], {"booked": 0, "refused": 0, "error": 0}, []
    cpu, pg, start = time.process_time(), backend_cpu(), time.perf_counter()
    for inv in work:
        seconds, key, end = _accept(inv)
        latencies.append(seconds)
        outcomes[key] += 1
        if key == "booked":
            ends.append(end)
    n = len(work)
    print(
        f"booking, one after another: {n} accepts, per accept "
        f"{(time.process_time() - cpu) / n * 1000:.2f} ms CPU in Python, "
        f"{(backend_cpu() - pg) / n * 1000:.2f} ms CPU in the PostgreSQL backend",
        flush=True,
    )
    return time.perf_counter() - start, latencies, outcomes, max(ends, default=start) - start


world, invitations, hot, warm = make_world()
try:
    for (label, invs), warm_up in zip(
        (("many shifts", invitations), ("one hot shift", hot)), warm, strict=True
    ):
        if MODE == "cpu":
            elapsed, lat, out, filling = run_cpu(invs, warm_up)
        else:
            runner = run if MODE == "threads" else run_processes
            elapsed, lat, out, filling = runner(invs, THREADS, warm_up)
        ms = [x * 1000 for x in lat]
        print(
            f"booking, {label:<14} {MODE}={THREADS} attempts={len(invs)} booked={out['booked']} "
            f"refused={out['refused']} errors={out['error']}  "
            f"{out['booked'] / elapsed:7.1f} bookings/s  {len(invs) / elapsed:7.1f} answers/s  "
            f"{out['booked'] / filling if filling > 0 else float('nan'):7.1f} bookings/s "
            f"while filling  p50={pct(ms, 50):.1f} ms p95={pct(ms, 95):.1f} ms  "
            f"(target > 200 bookings/s)",
            flush=True,
        )
finally:
    world.remove()
