"""Shifts requested, planned and deployed per day, region and profile, kept by PostgreSQL.

The figures (``dashboard.stats.shift_rows``) count shifts and bookings per week, region
or profile. Over the register's two years (1,000,000 shifts, 2,200,000 assignments)
that aggregate took 0.8-1.4 s (bench/results.md); summing ``ShiftFigure`` rows (at most
one per day, region and profile after compaction) takes milliseconds.

How the rows stay right:
- Triggers on shifts, assignments and requests append a row with the change of every
  insert, update and delete that changes a count: a shift's places (``count``) while it
  is not cancelled and its request is in a counted status; a booking (confirmed:
  planned, completed: deployed), on the day of its start, in the region of the shift's
  request, for the shift's profile. Moving a shift to another profile or a request to
  another region moves its bookings too. The triggers run in the transaction of the
  change: what is committed is counted, what is rolled back is not.
- Rows are only ever appended: two bookings never wait for each other on a figures row.
- ``compact()`` (beat, every few minutes) replaces the rows by their sums per key in one
  statement; a reader sees the rows before or after, never half.
- ``rebuild()`` counts everything again from the tables (after a bulk load with the
  triggers off, e.g. ``seed_bench``; ``manage.py rebuild_shift_figures``).

Only PostgreSQL has them (SQLite for ``make run`` counts from the tables, as before).
The counted request statuses are written into the trigger functions: a change of
``dashboard.stats.COUNTED_REQUEST_STATUSES`` needs a migration that runs ``install``
again (tests/dashboard/test_shift_figures.py compares both ways for every status).
"""

from contextlib import contextmanager

from django.db import connection, transaction

TABLE = "dashboard_shiftfigure"
COUNTED = ("submitted", "approved", "escalated", "filled", "completed")
TIME_ZONE = "Europe/Amsterdam"
_LOCK = 7_250_001  # advisory lock: one compaction at a time

_DAY = f"(({{start}}) AT TIME ZONE '{TIME_ZONE}')::date"
_COUNTED = "ARRAY[" + ", ".join(f"'{s}'" for s in COUNTED) + "]::text[]"
_COLUMNS = "day, region_id, profile_id, requested, planned, deployed"
_INSERT = f"INSERT INTO {TABLE} ({_COLUMNS})"
# The tables whose trigger ``nzr_figures`` writes the change rows.
TRIGGER_TABLES = ("requests_app_shift", "requests_app_assignment", "requests_app_deploymentrequest")


def _booked(a: str, sign: str = "") -> str:
    """A booking's planned and deployed columns (``a``: the assignment row)."""
    return f"{sign}({a}.status = 'confirmed')::integer, {sign}({a}.status = 'completed')::integer"


def _shift_places(row: str, sign: str, region: str, status: str) -> str:
    """The places of shift ``row`` (OLD or NEW), taken away or added (``sign``), if it
    counts: not cancelled, its request in a counted status. Reads the request's region
    and status into the variables ``region`` and ``status``."""
    return f"""
        SELECT region_id, status INTO {region}, {status}
          FROM requests_app_deploymentrequest WHERE id = {row}.request_id;
        IF {row}.cancelled_at IS NULL AND {status} = ANY({_COUNTED}) THEN
            {_INSERT}
            VALUES ({_DAY.format(start=f"{row}.start")}, {region}, {row}.profile_id,
                    {sign}{row}.count, 0, 0);
        END IF;"""  # noqa: S608 (constants only)


def _booking(row: str, sign: str) -> str:
    """Booking ``row`` (OLD or NEW) taken away or added, in its shift's region and profile."""
    return f"""
        {_INSERT}
        SELECT {_DAY.format(start=f"{row}.start")}, r.region_id, s.profile_id, 0,
               {_booked(row, sign)}
          FROM requests_app_shift s JOIN requests_app_deploymentrequest r ON r.id = s.request_id
         WHERE s.id = {row}.shift_id;"""  # noqa: S608 (constants only)


def _request_places(region: str, sign: str) -> str:
    """The places of the live shifts of the request, in ``region``, taken away or added."""
    return f"""
        {_INSERT}
        SELECT {_DAY.format(start="s.start")}, {region}, s.profile_id, {sign}s.count, 0, 0
          FROM requests_app_shift s WHERE s.request_id = NEW.id AND s.cancelled_at IS NULL;"""  # noqa: S608


INSTALL = f"""
CREATE OR REPLACE FUNCTION nzr_figures_shift() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o_region integer; o_status text; n_region integer; n_status text;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.start = NEW.start AND OLD.count = NEW.count
       AND OLD.profile_id = NEW.profile_id AND OLD.request_id = NEW.request_id
       AND (OLD.cancelled_at IS NULL) = (NEW.cancelled_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN{_shift_places("OLD", "-", "o_region", "o_status")}
    END IF;
    IF TG_OP <> 'DELETE' THEN{_shift_places("NEW", "", "n_region", "n_status")}
    END IF;
    -- The shift's bookings follow its profile and its request's region.
    IF TG_OP = 'UPDATE' AND (OLD.profile_id <> NEW.profile_id OR o_region IS DISTINCT FROM n_region) THEN
        {_INSERT}
        SELECT {_DAY.format(start="a.start")}, m.region_id, m.profile_id, 0, {_booked("a", "m.sign * ")}
          FROM requests_app_assignment a,
               (VALUES (o_region, OLD.profile_id, -1), (n_region, NEW.profile_id, 1))
                   AS m (region_id, profile_id, sign)
         WHERE a.shift_id = NEW.id AND a.status IN ('confirmed', 'completed');
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION nzr_figures_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.start = NEW.start
       AND OLD.shift_id = NEW.shift_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.status IN ('confirmed', 'completed') THEN{_booking("OLD", "-")}
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status IN ('confirmed', 'completed') THEN{_booking("NEW", "")}
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION nzr_figures_request() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o_counted boolean := OLD.status = ANY({_COUNTED});
    n_counted boolean := NEW.status = ANY({_COUNTED});
BEGIN
    IF o_counted = n_counted AND OLD.region_id IS NOT DISTINCT FROM NEW.region_id THEN
        RETURN NULL;
    END IF;
    IF o_counted THEN{_request_places("OLD.region_id", "-")}
    END IF;
    IF n_counted THEN{_request_places("NEW.region_id", "")}
    END IF;
    IF OLD.region_id IS DISTINCT FROM NEW.region_id THEN
        {_INSERT}
        SELECT {_DAY.format(start="a.start")}, m.region_id, s.profile_id, 0, {_booked("a", "m.sign * ")}
          FROM requests_app_assignment a JOIN requests_app_shift s ON s.id = a.shift_id,
               (VALUES (OLD.region_id, -1), (NEW.region_id, 1)) AS m (region_id, sign)
         WHERE s.request_id = NEW.id AND a.status IN ('confirmed', 'completed');
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER nzr_figures AFTER INSERT OR DELETE
    OR UPDATE OF start, count, profile_id, request_id, cancelled_at ON requests_app_shift
    FOR EACH ROW EXECUTE FUNCTION nzr_figures_shift();
CREATE OR REPLACE TRIGGER nzr_figures AFTER INSERT OR DELETE
    OR UPDATE OF status, start, shift_id ON requests_app_assignment
    FOR EACH ROW EXECUTE FUNCTION nzr_figures_assignment();
CREATE OR REPLACE TRIGGER nzr_figures AFTER UPDATE OF status, region_id ON requests_app_deploymentrequest
    FOR EACH ROW EXECUTE FUNCTION nzr_figures_request();
"""  # noqa: S608 (constants only)

UNINSTALL = "".join(f"DROP TRIGGER IF EXISTS nzr_figures ON {t};\n" for t in TRIGGER_TABLES) + (
    "DROP FUNCTION IF EXISTS nzr_figures_shift(), nzr_figures_assignment(), nzr_figures_request();"
)


# Everything counted again from the tables, summed per key.
_COUNT_ALL = f"""
SELECT day, region_id, profile_id, sum(requested), sum(planned), sum(deployed) FROM (
    SELECT {_DAY.format(start="s.start")} AS day, r.region_id, s.profile_id,
           s.count AS requested, 0 AS planned, 0 AS deployed
      FROM requests_app_shift s JOIN requests_app_deploymentrequest r ON r.id = s.request_id
     WHERE s.cancelled_at IS NULL AND r.status = ANY({_COUNTED})
    UNION ALL
    SELECT {_DAY.format(start="a.start")}, r.region_id, s.profile_id, 0, {_booked("a")}
      FROM requests_app_assignment a JOIN requests_app_shift s ON s.id = a.shift_id
      JOIN requests_app_deploymentrequest r ON r.id = s.request_id
     WHERE a.status IN ('confirmed', 'completed')
) AS counts GROUP BY day, region_id, profile_id
"""  # noqa: S608 (constants only)


def applies() -> bool:
    """The triggers exist where the database is PostgreSQL."""
    return connection.vendor == "postgresql"


def install(schema_editor=None) -> None:
    conn = schema_editor.connection if schema_editor else connection
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute(INSTALL)


def uninstall(schema_editor=None) -> None:
    conn = schema_editor.connection if schema_editor else connection
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute(UNINSTALL)


def rebuild(schema_editor=None) -> int:
    """Count every shift and booking again (one statement each way); returns the rows.
    Takes a lock on the figures so that no change row lands between the two."""
    conn = schema_editor.connection if schema_editor else connection
    if conn.vendor != "postgresql":
        return 0
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        # Changes wait for the rebuild (their triggers insert here), then count on top.
        cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        cursor.execute(f"{_INSERT} {_COUNT_ALL}")
        return cursor.rowcount


@contextmanager
def triggers_off():
    """Write shifts, bookings and requests without change rows (a bulk load, in one
    transaction with the ``rebuild()`` that must follow). Needs the tables' owner."""
    with connection.cursor() as cursor:
        for table in TRIGGER_TABLES:
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER nzr_figures')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for table in TRIGGER_TABLES:
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER nzr_figures')


def compact() -> tuple[int, int]:
    """Replace the rows by their sums per (day, region, profile), dropping sums of zero.
    Returns (rows before, rows after). Safe beside bookings: it removes only the rows
    its statement sees, and a change committed meanwhile stays as a row of its own."""
    if not applies():
        return (0, 0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK])
        if not cursor.fetchone()[0]:
            return (0, 0)  # another compaction is running
        cursor.execute(
            f"""
            WITH moved AS (DELETE FROM {TABLE} RETURNING {_COLUMNS}),
            summed AS (
                {_INSERT}
                SELECT day, region_id, profile_id, sum(requested), sum(planned), sum(deployed)
                  FROM moved GROUP BY day, region_id, profile_id
                HAVING sum(requested) <> 0 OR sum(planned) <> 0 OR sum(deployed) <> 0
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM summed)
            """  # noqa: S608 (constants only)
        )
        before, after = cursor.fetchone()
    return (before, after)
