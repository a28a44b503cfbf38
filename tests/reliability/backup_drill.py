"""Backup drill: pg_dump a database, restore it into a scratch database, compare.

    .venv/bin/python tests/reliability/backup_drill.py postgres://postgres@127.0.0.1:5432/nzr

Compares the row count of every table and a sample of rows (first, middle and last by
primary key, every column) between the source and the restored copy, prints the
result and exits non-zero on any difference. The scratch database is dropped after.
Production: run it nightly against the latest dump (see docs/reliability.md).
"""

import subprocess
import sys
import tempfile
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def snapshot(url: str) -> dict:
    out = {}
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT c.relname, a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary AND array_length(i.indkey, 1) = 1 "
            "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] "
            "WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 1"
        )
        for table, pk in cur.fetchall():
            cur.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
            count = cur.fetchone()[0]
            sample = []
            if pk and count:
                cur.execute(
                    f'SELECT * FROM "{table}" WHERE "{pk}" IN ('  # noqa: S608
                    f'(SELECT min("{pk}") FROM "{table}"), (SELECT max("{pk}") FROM "{table}"), '
                    f'(SELECT "{pk}" FROM "{table}" ORDER BY "{pk}" OFFSET {count // 2} LIMIT 1)'
                    f') ORDER BY "{pk}"'
                )
                sample = [tuple(map(repr, row)) for row in cur.fetchall()]
            out[table] = (count, sample)
    return out


def drill(url: str) -> list[str]:
    scratch = f"nzr_restore_{uuid.uuid4().hex[:8]}"
    admin = _with_db(url, "postgres")
    problems = []
    with tempfile.NamedTemporaryFile(suffix=".dump") as dump:
        subprocess.run(["pg_dump", "--format=custom", "--file", dump.name, url], check=True)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{scratch}"')
        try:
            restored = _with_db(url, scratch)
            subprocess.run(
                ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored, dump.name],
                check=True,
            )
            before, after = snapshot(url), snapshot(restored)
            for table in sorted(set(before) | set(after)):
                if before.get(table) != after.get(table):
                    problems.append(f"{table}: {before.get(table, ('missing',))[0]} rows before, "
                                    f"{after.get(table, ('missing',))[0]} after or sample differs")  # fmt: skip
            print(f"backup drill: {len(before)} tables, {sum(c for c, _ in before.values())} rows, "
                  f"{len(problems)} differences")  # fmt: skip
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    return problems


if __name__ == "__main__":
    found = drill(sys.argv[1])
    for line in found:
        print("  DIFF", line)
    sys.exit(1 if found else 0)
