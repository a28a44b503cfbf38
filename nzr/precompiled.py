"""Conditions and subqueries whose SQL is compiled once per process, not per request.

The register search asks, on every request, "deployable on this date for this profile?"
over 100,000 reservists: a condition of five checkers with nested NOT EXISTS subqueries.
Measured on this project's 2-vCPU machines (issue 9), building and compiling that
condition to SQL took 5-14 ms of Python per request, more than PostgreSQL took to run
it. Its SQL depends only on the date, the profile and a setting, never on rows.

``Precompiled(key, build, output_field)`` is an expression that stands for
``build()`` (a ``Q`` or an expression such as ``Exists`` or ``ArraySubquery``, over
the fields of the query's own model, outer references included). It is resolved and
compiled the first time a query with the same ``key``, database, base alias and alias
prefix is compiled; every later query reuses that SQL and its parameters. So:

- ``key`` must name everything the SQL depends on apart from the query it is in
  (dates, ids, settings): two different conditions with one key would share SQL;
- ``build()`` may refer to the query's own columns only (no joins): it is resolved
  with ``allow_joins=False``, so a join is an error, not a silently missing table.

It is resolved against the query being compiled (a copy), at the moment it is
compiled: inside a subquery, with that subquery's aliases, exactly as the ORM would
have resolved it there. Used in ``filter()`` it is a condition; in ``annotate()`` a
column (a condition reads as true or false, never NULL).
"""

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import BooleanField, Expression

_CACHE: dict = {}
_MAX = 2048  # a date, a profile and a few contexts each: a day's searches use a few dozen


class Precompiled(Expression):
    def __init__(self, key, build, output_field):
        super().__init__(output_field=output_field)
        self.key = key
        self.build = build

    def __repr__(self):
        return f"{self.__class__.__name__}({self.key!r})"

    @property
    def conditional(self):
        return isinstance(self.output_field, BooleanField)

    def get_source_expressions(self):
        return []

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        # Nothing to resolve yet: ``as_sql`` resolves ``build()`` where it is compiled.
        clone = self.copy()
        clone.is_summary = summarize
        return clone

    def get_group_by_cols(self):
        return [self]

    def as_sql(self, compiler, connection):
        query = compiler.query
        cache_key = (self.key, connection.alias, query.model, query.base_table, query.alias_prefix)
        found = _CACHE.get(cache_key)
        if found is None:
            # A copy: resolving counts references to the query's aliases.
            expression = self.build().resolve_expression(query.clone(), allow_joins=False)
            try:
                sql, params = compiler.compile(expression)
            except FullResultSet:  # matches every row (the ORM would leave it out)
                sql, params = "1 = 1", ()
            except EmptyResultSet:  # matches no row
                sql, params = "1 = 0", ()
            found = (f"({sql})", tuple(params))
            if len(_CACHE) >= _MAX:
                _CACHE.clear()
            _CACHE[cache_key] = found
        return found[0], list(found[1])

    def select_format(self, compiler, sql, params):
        if self.conditional:
            # A condition over NULL columns can be NULL; as a column it says yes or no.
            return f"CASE WHEN {sql} THEN %s ELSE %s END", (*params, True, False)
        return super().select_format(compiler, sql, params)


def clear():
    """Forget every compiled statement (tests that change what a key does not name)."""
    _CACHE.clear()
