"""Constant SQL for hot paths: prepared statements on PostgreSQL, no query building.

Issue 9 asks for more than 200 bookings a second on 2 cores. Measured on this project's
2-vCPU machines, one ORM query costs 0.8-2 ms of Python (building and compiling the
query, model instances, client-side parameter quoting), and an unprepared statement
0.2-0.8 ms of PostgreSQL CPU (parse and plan); a booking is about a dozen statements.
A constant statement through a server-side binding cursor, prepared once per connection,
costs about 0.08 ms of Python and 0.05 ms of PostgreSQL.

So a hot path may use:
- ``pipeline()``: statements sent together, answered in one round trip. Under a
  contended row lock every round trip waits for two processes to be scheduled, which on
  2 busy cores is most of the time the lock is held; ``ThroughCommit`` sends a
  transaction's last statements with its COMMIT;
- ``cursor()``: a cursor whose statements are prepared on PostgreSQL (server-side
  binding, ``prepare=True``) and run as they are on SQLite (``make run``). It is
  Django's cursor wrapper around it, so ``CaptureQueriesContext``, execute wrappers and
  the query log see every statement;
- ``create(model, **values)`` / ``bulk_create(objs)``: an INSERT whose SQL is built once
  per model from its fields (defaults, ``auto_now_add`` and value preparation come from
  the fields, as in ``Model.save``), without ``pre_save``/``post_save`` signals;
- ``aware(value)``: a datetime column read back through ``cursor()`` as an aware
  datetime on both databases.

Everything else uses the ORM. A statement here names tables and columns through the
models' ``_meta`` where they are built in code; the tests of the hot path run on
PostgreSQL (CI) and the booking tests pin what it does.
"""

import functools
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils.dateparse import parse_datetime


def _preparing_cursor_class():
    import psycopg

    class PreparingCursor(psycopg.Cursor):
        """Server-side parameters, every statement prepared (once per connection:
        psycopg keeps the last 100 per connection and re-prepares after a reconnect)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


@functools.cache
def _cursor_class():
    return _preparing_cursor_class()


@functools.cache
def _debug_wrapper_class():
    from django.db.backends.utils import CursorDebugWrapper

    class DebugWrapper(CursorDebugWrapper):
        """Logs the statement as written (``%s``): psycopg keeps no text of a prepared
        statement's execution, which Django's query log would show as ``None``."""

        def execute(self, sql, params=None):
            with self.debug_sql(sql, params):
                return super(CursorDebugWrapper, self).execute(sql, params)

    return DebugWrapper


@contextmanager
def cursor():
    """A cursor for constant SQL (``%s`` placeholders)."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the proxy costs a Local lookup
    if db.vendor != "postgresql":
        with db.cursor() as plain:
            yield plain
        return
    if db.connection is None:
        db.ensure_connection()
    db.validate_thread_sharing()
    raw = _cursor_class()(db.connection)
    wrapped = _debug_wrapper_class()(raw, db) if db.queries_logged else db.make_cursor(raw)
    try:
        yield wrapped
    finally:
        raw.close()


@contextmanager
def cursors(count: int):
    """``count`` cursors of ``cursor()``: one per statement of a ``pipeline()``."""
    with ExitStack() as stack:
        yield [stack.enter_context(cursor()) for _ in range(count)]


@contextmanager
def pipeline():
    """The statements executed in the block go to PostgreSQL together and their results
    come back in one round trip when the block ends (psycopg's pipeline mode); read them
    after the block, from one cursor per statement. PostgreSQL runs them in order, so a
    lock taken by one holds for the next. An error stops the rest and is raised, as
    Django's exception, at the end of the block. Objects of ``create``/``bulk_create``
    in the block get their primary keys at its end.

    Only ``cursor()`` statements belong inside: the ORM would read a row count before its
    result arrived. Elsewhere (SQLite) every statement runs when executed.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql" or getattr(db, "_fastsql_pending", None):
        yield  # SQLite, or already inside a pipeline
        return
    if db.connection is None:
        db.ensure_connection()
    pending = db._fastsql_pending = []
    try:
        with db.wrap_database_errors, db.connection.pipeline():
            yield
        for finish in pending:
            finish()
    finally:
        db._fastsql_pending = None
        for finish in pending:
            finish.close()


class ThroughCommit:
    """A ``pipeline()`` for the last statements of a transaction that also carries its
    COMMIT: one round trip for both, which is what a row lock held until the commit
    waits for. ``start()`` it inside the ``atomic`` block, after the last statement whose
    result the block reads and before the last writes; use the object as a context
    manager around the ``atomic`` block, so the pipeline also ends on an error.

    The pipeline ends at the commit, before the transaction's ``on_commit`` callbacks
    run (it registers the first of them), so they run as usual. Only ``cursor()``
    statements belong between ``start()`` and the commit (see ``pipeline()``). Made
    inside another transaction (a savepoint's release is no commit, and an error must
    not surface after it), ``start()`` does nothing.
    """

    def __init__(self):
        self._block = None
        db = connections[DEFAULT_DB_ALIAS]
        self._enabled = db.vendor == "postgresql" and not db.in_atomic_block

    def start(self):
        from django.db import transaction

        if self._block is not None or not self._enabled:
            return
        self._block = pipeline()
        self._block.__enter__()
        transaction.on_commit(self._end)

    def _end(self, *exc_info):
        block, self._block = self._block, None
        if block is not None:
            block.__exit__(*(exc_info or (None, None, None)))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._end(*exc_info)
        return False


@functools.cache
def locking(sql: str) -> str:
    """``sql`` ending in `` FOR UPDATE``, without it where the database has no row locks
    (SQLite: a write transaction locks the whole file)."""
    if connection.features.has_select_for_update:
        return sql
    return sql.removesuffix(" FOR UPDATE")


def aware(value):
    """A datetime read through ``cursor()``: aware (UTC) on SQLite too, where the driver
    gives naive UTC datetimes or strings; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


@functools.cache
def _insert_sql(model, rows: int, vendor: str, with_pk: bool) -> tuple[str, tuple]:
    fields = tuple(f for f in model._meta.concrete_fields if with_pk or not f.primary_key)
    columns = ", ".join(quote(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = ", ".join([row] * rows)
    # Names from the model's _meta, placeholders for every value: nothing from input.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608
    if connection.features.can_return_rows_from_bulk_insert or rows == 1:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    return sql, fields


_NEXT_ID = "SELECT nextval(pg_get_serial_sequence(%s, %s))"


def next_id(cursor, model) -> bool:
    """Ask (on ``cursor``, e.g. in a ``pipeline()``) for the next primary key of ``model``
    from its sequence, so that rows referring to a new row can be sent with its INSERT;
    read it with ``cursor.fetchone()[0]``. False where there are no sequences (SQLite:
    ``create`` then sets the key at once)."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return False
    cursor.execute(_NEXT_ID, [model._meta.db_table, model._meta.pk.column])
    return True


class _Returning:
    """Sets the primary keys of inserted objects from the statement's RETURNING rows:
    at once, or at the end of the pipeline the insert was sent in."""

    def __init__(self, objs, sql, params, alias):
        self.objs, self.alias, self.stack = objs, alias, ExitStack()
        self.cursor = self.stack.enter_context(cursor())
        self.cursor.execute(sql, params)
        self.returning = "RETURNING" in sql

    def __call__(self):
        with self.stack:
            rows = self.cursor.fetchall() if self.returning else [(self.cursor.lastrowid,)]
        for obj, (pk,) in zip(self.objs, rows, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = self.alias

    def close(self):
        self.stack.close()


def bulk_create(objs: list) -> list:
    """INSERT unsaved instances of one model in one statement; sets their primary keys
    (inside a ``pipeline()``: at the end of its block). Objects that have a primary key
    already (``next_id``) are inserted with it."""
    if not objs:
        return objs
    db = connections[DEFAULT_DB_ALIAS]
    model = type(objs[0])
    with_pk = objs[0].pk is not None  # a key from next_id(); all objects alike
    sql, fields = _insert_sql(model, len(objs), db.vendor, with_pk)
    params = []
    for obj in objs:
        for field in fields:
            params.append(field.get_db_prep_save(field.pre_save(obj, True), db))
    finish = _Returning(objs, sql, params, db.alias)
    pending = getattr(db, "_fastsql_pending", None)
    if pending is None:
        finish()
    else:
        pending.append(finish)
    return objs


def create(model, **values):
    """``model.objects.create(**values)`` as one prepared INSERT (no save signals)."""
    return bulk_create([model(**values)])[0]
